"""reggi batch when a worker process dies (issue 20.2): the record it was on becomes an error
record, every other record is evaluated, the run ends, for one job and for two; and workers never
outlive the batch process."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from reggi.cli import main
from conftest import EXAMPLES, ROOT

CHAT = json.loads((EXAMPLES / "chat-tool-ca-mt.json").read_text())


@pytest.fixture
def crashing(monkeypatch):
    """Records of a business named 'Crash' kill the process evaluating them (SIGSEGV, as the
    C core did on 1e-05), and 'Exit' ones make it exit; workers are forked, so they inherit this."""
    import reggi.engine.service as service
    plain = service.Reggi.evaluate

    def evaluate(self, profile, *args, **kwargs):
        if profile.business.name == "Crash":
            os.kill(os.getpid(), signal.SIGSEGV)
        if profile.business.name == "Exit":
            os._exit(3)
        return plain(self, profile, *args, **kwargs)
    monkeypatch.setattr(service.Reggi, "evaluate", evaluate)


def named(name):
    return json.dumps({**CHAT, "business": {**CHAT["business"], "name": name}})


@pytest.fixture
def alarm():
    """A hang fails the test instead of stopping the suite."""
    def timeout(*_):
        raise TimeoutError("reggi batch hung")
    old = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_record_that_kills_its_worker_is_an_error_record_and_the_batch_goes_on(crashing, alarm, tmp_path, jobs):
    names = ["A", "Crash", "B"] + [f"N{i}" for i in range(70)] + ["Exit", "C", "Crash", "Crash", "D"]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(named(n) for n in names) + "\n")
    result = CliRunner().invoke(main, ["batch", str(source), "--jobs", jobs, "--as-of", "2026-11-26"])
    assert result.exit_code == 1, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["record"] for r in records] == list(range(1, len(names) + 1))
    for name, record in zip(names, records):
        if name in ("Crash", "Exit"):
            how = "killed by signal SIGSEGV" if name == "Crash" else "exited with code 3"
            assert how in record["error"] and f"{source}:{record['line']}" in record["error"]
        else:
            assert "findings" in record, record
    assert f"{len(names)} records read, {len(names) - 4} evaluated, 4 failed" in result.stderr


def children(pid: int) -> set[int]:
    out = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            out |= {int(c) for c in f.read().split()}
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_a_killed_batch_process(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(named(f"N{i}") for i in range(20_000)) + "\n")
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "batch", str(source), "--jobs", "2",
                             "--output", str(tmp_path / "out.jsonl")], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
        workers = children(proc.pid)
    assert len(workers) == 2
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    while workers and time.monotonic() < deadline:
        workers = {w for w in workers if os.path.exists(f"/proc/{w}") and
                   open(f"/proc/{w}/stat").read().split(")")[1].split()[0] != "Z"}
        time.sleep(0.1)
    assert not workers, "workers outlived the batch process"


# --- --output is complete or untouched (issue 14.4) ---------------------------------------------

@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_an_interrupted_run_leaves_the_old_output_and_no_partial_file(tmp_path, signum):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(named(f"N{i}") for i in range(20_000)) + "\n")
    out = tmp_path / "out.jsonl"
    out.write_text("the previous complete run\n")
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "batch", str(source), "--jobs", "2",
                             "--output", str(out)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    workers = children(proc.pid)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and b"Traceback" not in err
    assert out.read_text() == "the previous complete run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]
    time.sleep(0.5)
    assert not {w for w in workers if os.path.exists(f"/proc/{w}")
                and open(f"/proc/{w}/stat").read().split(")")[1].split()[0] != "Z"}


def test_a_complete_run_replaces_the_output_and_a_hard_link_to_an_input_is_refused(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(named("A") + "\n")
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    result = CliRunner().invoke(main, ["batch", str(source), "--jobs", "1", "--output", str(out)])
    assert result.exit_code == 0 and "findings" in json.loads(out.read_text())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]
    os.link(source, tmp_path / "link.jsonl")
    result = CliRunner().invoke(main, ["batch", str(source), "--output", str(tmp_path / "link.jsonl")])
    assert result.exit_code == 2 and "would overwrite or be read as the input" in result.stderr
    assert (tmp_path / "link.jsonl").read_text() == named("A") + "\n"


# --- reggi ask keeps the answers on SIGTERM and SIGHUP (issue 20.9) ------------------------------

@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_ask_saves_every_answer_and_keeps_them_on_a_signal(tmp_path, signum):
    from test_ask import CA_MT
    saved = tmp_path / "answers.json"
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "ask", CA_MT, "--as-of", "2026-11-26",
                             "--save", str(saved)], stdin=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    proc.stdin.write(b"y\n30000000\n30000\n")     # three answers, then the user is interrupted
    proc.stdin.flush()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if saved.exists() and "30000" in json.dumps(json.loads(saved.read_text())["states"]):
            break
        time.sleep(0.1)
    time.sleep(0.3)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert b"Traceback" not in err and b"resume with: reggi ask --resume" in err, err
    answers = json.loads(saved.read_text())
    assert answers["business"]["annual_revenue_usd"] == 30_000_000
    assert 30_000 in [s.get("consumers") for s in answers["states"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.json"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_records_larger_than_a_pipe_buffer_do_not_deadlock_the_pool(alarm, tmp_path, jobs):
    # Chunks of records and of answers far past the 64 KB a pipe holds, both ways at once.
    names = [f"{'x' * 30_000} {i}" for i in range(150)]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(named(n) for n in names) + "\n")
    result = CliRunner().invoke(main, ["batch", str(source), "--jobs", jobs, "--as-of", "2026-11-26"])
    assert result.exit_code == 0
    assert [json.loads(line)["findings"]["business"] for line in result.stdout.splitlines()] == names


def test_a_chunk_whose_send_fails_is_sent_again_not_dropped(monkeypatch, alarm, tmp_path):
    # A worker can die between the pool's check that it lives and the send of its next chunk:
    # the send then fails (OSError) and the chunk must go out again. Before, with one job, the
    # run ended there and wrote none of the records.
    import io
    from reggi.engine import batch
    failures = [1]

    class FlakyPipe:
        def __init__(self, conn):
            self._conn = conn

        def send(self, obj):
            if failures and failures.pop():
                raise OSError("the worker is gone")
            return self._conn.send(obj)

        def __getattr__(self, name):
            return getattr(self._conn, name)

    plain = batch._Proc.__init__

    def flaky(self, *args):
        plain(self, *args)
        self.conn = FlakyPipe(self.conn)
    monkeypatch.setattr(batch._Proc, "__init__", flaky)
    from reggi.facts.inventory import read_records
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(named(f"V{i}") for i in range(5)) + "\n")
    out = io.StringIO()
    totals = batch.run(read_records([str(source)]), out, "matrix", ROOT / "rules", "durable", None, jobs=1)
    assert failures == [] and totals.read == 5
    assert [row.split(",")[0] for row in out.getvalue().splitlines()[1:]] == ["1", "2", "3", "4", "5"]


def test_records_from_standard_input_are_answered_while_it_pauses():
    # A live producer on stdin: the records it has sent are evaluated and written while it
    # waits, not held back until it sends more (the pool reads ahead only from files).
    import select
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "batch", "-", "--jobs", "1", "--as-of", "2026-11-26"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        proc.stdin.write(("\n".join(named(f"V{i}") for i in range(40)) + "\n").encode())
        proc.stdin.flush()
        seen, deadline = b"", time.monotonic() + 90
        while seen.count(b"\n") < 32 and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 1)
            if ready:
                seen += os.read(proc.stdout.fileno(), 1 << 20)
        assert seen.count(b"\n") >= 32, "answers waited for more input"
    finally:
        proc.communicate(timeout=120)   # closes stdin and reads the rest, so the process can end
