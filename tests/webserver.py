"""A `reggi serve` process for the web tests: started once per test session on a free loopback
port (``--port 0``; the server says its URL on stderr), stopped at the end."""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def server_url():
    pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[web]'")
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "serve", "--port", "0"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    found: list[str] = []
    ready = threading.Event()

    def read():
        for line in proc.stderr:      # read to the end, so the server never blocks on a full pipe
            if not found and line.startswith("reggi serve: http://"):
                found.append(line.split()[2])
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    ready.wait(300)
    try:
        if not found:
            pytest.fail("reggi serve did not start (no URL on stderr)")
        yield found[0].rstrip("/")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
