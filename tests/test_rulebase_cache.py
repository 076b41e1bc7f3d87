"""The cache of the shipped rule base (issue 13): same findings as a fresh load, rebuilt when it
is missing, damaged or from other code, and off with REGGI_CACHE_DIR=off."""
from pathlib import Path

from reggi.engine import rulebase
from reggi.engine.service import Reggi

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "chat-tool-ca-mt.json"


def findings(engine: str) -> str:
    return Reggi(engine=engine).evaluate(str(EXAMPLE), "2026-11-26").to_json()


def test_a_cached_rule_base_gives_the_same_findings(tmp_path, monkeypatch):
    monkeypatch.setenv("REGGI_CACHE_DIR", "off")
    fresh = {engine: findings(engine) for engine in ("durable", "reference")}
    monkeypatch.setenv("REGGI_CACHE_DIR", str(tmp_path))
    assert findings("durable") == fresh["durable"]          # builds, writes the cache (with the plan)
    [cached] = tmp_path.glob("rulebase-*.pickle")
    for engine in ("durable", "reference", "durable"):
        assert findings(engine) == fresh[engine]             # read from the cache
    assert not list(tmp_path.glob("*.tmp"))


def test_a_damaged_or_foreign_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("REGGI_CACHE_DIR", str(tmp_path))
    first = rulebase.load()
    [cached] = tmp_path.glob("rulebase-*.pickle")
    cached.write_bytes(b"not a pickle")
    again = rulebase.load()
    assert [r.id for r in again.rules] == [r.id for r in first.rules]
    path, key = rulebase._cache_file(rulebase.RULES_DIR)
    assert rulebase._cache_read(path, key) is not None      # rewritten
    assert rulebase._cache_read(path, "another version") is None


def test_the_cache_can_be_turned_off_and_ignores_other_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("REGGI_CACHE_DIR", "off")
    assert rulebase._cache_file(rulebase.RULES_DIR) is None
    monkeypatch.setenv("REGGI_CACHE_DIR", str(tmp_path))
    assert rulebase._cache_file(tmp_path) is None
