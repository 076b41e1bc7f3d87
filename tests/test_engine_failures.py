"""Every way the durable engine can fail is a clear error naming the profile (exit 2) or an error
record naming the record, never a traceback; the other records of a batch still come out, and
the engine is usable again after a failure (issue 14.2). Each path is forced by replacing one
call into the C core."""
import json

import pytest
from click.testing import CliRunner

import reggi.engine.durable_adapter as adapter
from reggi.cli import main
from conftest import EXAMPLES

CHAT = str(EXAMPLES / "chat-tool-ca-mt.json")


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def refuse(code):
    return lambda handle, payload: (code, 0)


def raise_(err):
    def call(*args):
        raise err
    return call


# Each path: the C core function replaced, what it does instead, words the error must hold.
PATHS = {
    "refused assert (message observed)": ("assert_facts", refuse(2), "error 2: two facts alike"),
    # Code 1 ("not handled": some fact matched no rule) is an ordinary answer, read as false.
    "refused assert (a code the adapter does not know)": ("assert_facts", refuse(7), "error 7: see src/rules/rules.h"),
    "error code from the core (alpha node)": ("assert_facts", raise_(Exception("Could not assert facts, error code: 303")),
                                              "more than 64 tests pending for one fact"),
    "session cap (MemoryError)": ("assert_facts", raise_(MemoryError()), "MemoryError"),
    "exception while running an action": ("complete_and_start_action",
                                          raise_(Exception("Could not complete action, error code: 304")),
                                          "error 304"),
    "failure starting an action": ("start_action_for_state", raise_(RuntimeError("bad state")), "bad state"),
    "failure retracting": ("retract_facts", raise_(Exception("Could not retract facts, error code: 311")), "error 311"),
}


def no_traceback(result):
    assert "Traceback" not in result.output and not isinstance(result.exception, (AssertionError, TypeError))
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("path", PATHS)
def test_evaluate_exits_2_naming_the_profile(monkeypatch, path):
    name, fake, words = PATHS[path]
    monkeypatch.setattr(adapter.core, name, fake)
    result = run("evaluate", CHAT)
    no_traceback(result)
    assert result.exit_code == 2
    assert CHAT in result.stderr and "durable engine failed on this profile" in result.stderr and words in result.stderr
    assert "--engine reference" in result.stderr


@pytest.mark.parametrize("path", PATHS)
def test_batch_gives_an_error_record_and_the_other_records(monkeypatch, tmp_path, path):
    name, fake, words = PATHS[path]
    real = getattr(adapter.core, name)
    good = json.loads(open(CHAT).read())
    bad = {**good, "business": {**good["business"], "name": "Breaks The Engine"}}
    lines = tmp_path / "in.jsonl"
    lines.write_text("\n".join(json.dumps(p) for p in [good, bad, good]) + "\n")

    def sometimes(handle, *args):      # fails on the record of the business named to break it
        return (fake if sometimes.on else real)(handle, *args)
    sometimes.on = False
    monkeypatch.setattr(adapter.core, name, sometimes)
    import reggi.engine.service as service
    plain = service.Reggi.evaluate

    def per_record(self, profile, *a, **k):
        sometimes.on = profile.business.name == "Breaks The Engine"
        try:
            return plain(self, profile, *a, **k)
        finally:
            sometimes.on = False
    monkeypatch.setattr(service.Reggi, "evaluate", per_record)
    result = run("batch", str(lines), "--jobs", "1", "--as-of", "2026-11-26")
    no_traceback(result)
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [("findings" in r, "error" in r) for r in records] == [(True, False), (False, True), (True, False)]
    assert records[0]["findings"] == records[2]["findings"]     # the engine was usable again after the failure
    assert f"{lines}:2: the durable engine failed on this record" in records[1]["error"] and words in records[1]["error"]


def test_a_ruleset_the_core_rejects_exits_2_naming_the_rules_at_start(monkeypatch, tmp_path):
    # A new plan (here: an empty cache) creates every ruleset at start.
    monkeypatch.setenv("REGGI_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(adapter.core, "create_ruleset", raise_(Exception("Could not create ruleset, error code: 108")))
    result = run("evaluate", CHAT)
    no_traceback(result)
    assert result.exit_code == 2 and "durable engine did not start" in result.stderr and "beta limit" in result.stderr
    assert "create the ruleset of rules" in result.stderr


def test_a_checked_plan_creates_only_the_rulesets_in_play_and_reports_a_later_rejection(monkeypatch, tmp_path):
    # Once a plan's rulesets have all been created, later starts create only those of the
    # jurisdictions a profile serves; should the core reject one then, it is still exit 2 in words.
    monkeypatch.setenv("REGGI_CACHE_DIR", str(tmp_path))
    assert run("evaluate", CHAT).exit_code == 0      # builds, checks and caches the plan
    created = []
    real = adapter.core.create_ruleset
    monkeypatch.setattr(adapter.core, "create_ruleset", lambda name, text: created.append(name) or real(name, text))
    assert run("evaluate", CHAT).exit_code == 0
    assert created and {name.split("s", 1)[1].lstrip("0123456789")[:2] for name in created} == {"CA", "MT", "US"}
    monkeypatch.setattr(adapter.core, "create_ruleset", raise_(Exception("Could not create ruleset, error code: 108")))
    result = run("evaluate", CHAT)
    no_traceback(result)
    assert result.exit_code == 2 and "durable engine failed on this profile" in result.stderr and "beta limit" in result.stderr


def test_a_real_core_limit_is_a_durable_error_in_words():
    # 65 rules matching one fact at once overflow the core's stack (error 303): the real call.
    rules = {f"r{i}": {"all": [{"m": {"$and": [{"$eq": {"_s": "state"}}, {"$gt": {"a": i}}]}}]} for i in range(65)}
    handle = adapter.core.create_ruleset("limit-test", json.dumps(rules))
    with pytest.raises(adapter.DurableError, match="error 303: more than 64 tests pending"):
        adapter._core("assert the facts", adapter.core.assert_facts, handle,
                      json.dumps([{"id": "f0", "sid": "s", "_s": "state", "a": 100}]))


def test_reference_engine_failures_are_reported_too(monkeypatch):
    import reggi.engine.runner as runner
    monkeypatch.setattr(runner, "evaluate", raise_(RecursionError("maximum recursion depth exceeded")))
    result = run("evaluate", CHAT, "--engine", "reference")
    no_traceback(result)
    assert result.exit_code == 2 and "RecursionError" in result.stderr and CHAT in result.stderr


def test_test_diff_and_ask_report_the_failure(monkeypatch, tmp_path):
    monkeypatch.setattr(adapter.core, "assert_facts", refuse(2))
    scenario = next((EXAMPLES.parent / "tests" / "scenarios").rglob("*.toml"))
    result = run("test", str(scenario))
    no_traceback(result)
    assert result.exit_code == 1 and f"FAIL {scenario}" in result.output and "engine failed" in result.output
    result = run("diff", CHAT, "--base", str(EXAMPLES.parent / "rules"))
    no_traceback(result)
    assert result.exit_code == 2 and "engine failed on this profile" in result.output
    save = tmp_path / "answers.json"
    answers = tmp_path / "in.json"
    answers.write_text(open(CHAT).read())
    result = run("ask", "--answers", str(answers), "--save", str(save))
    no_traceback(result)
    assert result.exit_code == 2 and "engine failed" in result.stderr and save.exists()
