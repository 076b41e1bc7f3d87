"""A bounded sample of the fuzz run (benchmarks/fuzz.py; the full run is 100,000 records): every
record in gives one record out, in order, for JSON Lines and CSV; no traceback; durable-rules
gives the reference's findings on every record, and the same errors."""
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import fuzz  # noqa: E402


def test_a_fuzz_sample_loses_nothing_and_the_engines_agree(tmp_path):
    figures = fuzz.check(records=100, seed=7, jobs=2, folder=tmp_path)
    assert figures["problems"] == []
    assert figures["records out jsonl/durable"] == figures["records out jsonl/reference"] == 100
    assert figures["records out csv/durable"] == 100
    assert figures["evaluated"] > 40 and figures["error records"] > 5
    assert figures["durable/reference differences"] == 0 and figures["tracebacks"] == 0
