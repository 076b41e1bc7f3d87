"""Every golden scenario, run through the durable-rules engine, and the same through the reference
interpreter: the two must agree on every scenario, and the expectations must hold."""
import pytest

from conftest import SCENARIOS
from engine.scenarios import check, find_scenarios, load_scenario

FILES = find_scenarios([SCENARIOS])


def test_there_are_scenarios_for_every_statute(durable):
    covered = {f.parent.name for f in FILES}
    assert set(durable.rulebase.statutes) <= covered


@pytest.mark.parametrize("path", FILES, ids=[f"{f.parent.name}/{f.stem}" for f in FILES])
def test_scenario(path, durable, reference):
    s = load_scenario(path)
    findings = durable.evaluate(s.profile, s.as_of)
    assert check(s, findings) == []
    assert reference.evaluate(s.profile, s.as_of) == findings


def test_a_wrong_expectation_fails_with_an_actionable_message(tmp_path, durable):
    bad = tmp_path / "wrong.toml"
    bad.write_text(
        'description = "wrong on purpose"\nas_of = 2025-09-30\n'
        f'profile = "{(SCENARIOS.parent.parent / "examples" / "chat-tool-ca-mt.json").as_posix()}"\n'
        '[expect]\napply = ["us-mt-mcdpa"]\nabsent = ["us-ca-ccpa.privacy-policy"]\n')
    s = load_scenario(bad)
    problems = check(s, durable.evaluate(s.profile, s.as_of))
    assert any("expected us-mt-mcdpa to be applies; it is not_applicable" in p and "50,000" in p for p in problems)
    assert any("us-ca-ccpa.privacy-policy to be absent" in p and "why:" in p for p in problems)
