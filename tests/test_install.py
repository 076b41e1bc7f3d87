"""The wheel, installed in a fresh virtual environment outside the checkout: one top-level name
(reggi), the console command on a profile elsewhere, and the README's API example as written."""
import os
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest  # noqa: F401  (fixtures)

from conftest import EXAMPLES, ROOT

API_EXAMPLE = re.compile(r"<!-- api example -->\n```python\n(.*?)```", re.S)


def run(cmd, **kw):
    done = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert done.returncode == 0, f"{cmd}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("install")
    wheels = work / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)])
    (wheel,) = wheels.glob("reggi-*.whl")
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    run([str(python), "-m", "pip", "install", "-q", str(wheel)])
    return wheel, python, env_dir / "bin" / "reggi", work


def test_the_wheel_installs_one_top_level_name(installed):
    wheel, python, _, work = installed
    with zipfile.ZipFile(wheel) as archive:
        top = next(n for n in archive.namelist() if n.endswith("top_level.txt"))
        assert archive.read(top).decode().split() == ["reggi"]
        names = archive.namelist()
    assert all(n.startswith(("reggi/", "reggi-")) for n in names)
    assert any(n.startswith("reggi/rules/us/ca/") for n in names) and "reggi/facts/data/aliases.toml" in names
    for generic in ("engine", "facts", "rules", "cli"):
        probe = subprocess.run([str(python), "-c", f"import {generic}"], capture_output=True, text=True, cwd=work)
        assert probe.returncode != 0 and "No module named" in probe.stderr, generic


def test_the_console_command_evaluates_a_profile_in_another_folder(installed):
    _, _, reggi, work = installed
    folder = work / "elsewhere"
    folder.mkdir()
    shutil.copy(EXAMPLES / "chat-tool-ca-mt.json", folder / "profile.json")
    out = run([str(reggi), "evaluate", "profile.json", "--as-of", "2026-11-26", "--format", "json"], cwd=folder)
    expected = subprocess.run([sys.executable, str(ROOT / "cli.py"), "evaluate", str(EXAMPLES / "chat-tool-ca-mt.json"),
                               "--as-of", "2026-11-26", "--format", "json"], capture_output=True, text=True).stdout
    assert out == expected and '"us-ca-ccpa"' in out


def test_the_readme_api_example_runs_as_written(installed):
    _, python, _, work = installed
    code = API_EXAMPLE.search((ROOT / "README.md").read_text(encoding="utf-8")).group(1)
    folder = work / "notebook"
    folder.mkdir()
    shutil.copy(EXAMPLES / "chat-tool-ca-mt.json", folder / "profile.json")
    out = run([str(python), "-c", code], cwd=folder, env={**os.environ, "PYTHONPATH": ""})
    assert '"as_of": "2026-11-26"' in out and "us-ca-ccpa" in out
