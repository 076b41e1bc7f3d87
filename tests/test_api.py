"""The public Python API: reggi.Reggi, reggi.load_profile, findings that render themselves, and
objects that pickle for multiprocessing, Dask or Spark workers."""
import json
import pickle
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor

import pytest

import reggi
from conftest import EXAMPLES, ROOT

CHAT = str(EXAMPLES / "chat-tool-ca-mt.json")


def cli_json(path: str) -> str:
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), "evaluate", path, "--as-of", "2026-11-26",
                           "--format", "json"], capture_output=True, text=True).stdout


def test_evaluate_takes_a_path_a_dict_or_a_profile_and_gives_the_clis_bytes():
    r = reggi.Reggi()
    data = json.loads((EXAMPLES / "chat-tool-ca-mt.json").read_text())
    expected = cli_json(CHAT)
    assert r.evaluate(CHAT, as_of="2026-11-26").to_json() == expected
    assert r.evaluate(data, as_of="2026-11-26").to_json() == expected
    assert r.evaluate(reggi.load_profile(data), as_of="2026-11-26").to_json() == expected


def test_bad_input_raises_input_error_naming_the_field():
    with pytest.raises(reggi.InputError) as err:
        reggi.load_profile({"business": {"name": "x"}, "states": [{"code": "ZZ"}]})
    assert "states" in str(err.value) and "CA" in str(err.value)


def test_reggi_and_findings_pickle_and_run_in_worker_processes():
    r = pickle.loads(pickle.dumps(reggi.Reggi(horizon_months=0)))
    findings = pickle.loads(pickle.dumps(r.evaluate(CHAT, as_of="2026-11-26")))
    assert "us-ca-ccpa.privacy-policy" in {o.id for o in findings.obligations}
    with ProcessPoolExecutor(max_workers=2) as pool:
        ids = list(pool.map(_ids, [CHAT, CHAT]))
    assert ids[0] == ids[1] == sorted(o.id for o in findings.obligations)


def _ids(path: str) -> list[str]:
    return sorted(o.id for o in reggi.Reggi(horizon_months=0).evaluate(path, as_of="2026-11-26").obligations)
