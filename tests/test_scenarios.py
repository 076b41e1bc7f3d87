"""Every golden scenario, run through the durable-rules engine, and the same through the reference
interpreter: the two must agree on every scenario, and the expectations must hold."""
import pytest

from conftest import SCENARIOS
from reggi.engine.scenarios import check, find_scenarios, load_scenario

FILES = find_scenarios([SCENARIOS])


def test_there_are_scenarios_for_every_statute(durable):
    covered = {f.parent.name for f in FILES}
    assert set(durable.rulebase.statutes) <= covered


@pytest.mark.parametrize("path", FILES, ids=[f"{f.parent.name}/{f.stem}" for f in FILES])
def test_scenario(path, durable, reference):
    s = load_scenario(path)
    findings = durable.evaluate(s.profile, s.as_of)
    problems = check(s, findings, durable.rulebase.obligation_ids())
    assert not problems, "\n".join(map(str, problems))
    assert reference.evaluate(s.profile, s.as_of) == findings


def test_a_wrong_expectation_fails_with_an_actionable_message(tmp_path, durable):
    bad = tmp_path / "wrong.toml"
    bad.write_text(
        'description = "wrong on purpose"\nas_of = 2025-09-30\n'
        f'profile = "{(SCENARIOS.parent.parent / "examples" / "chat-tool-ca-mt.json").as_posix()}"\n'
        '[expect]\napply = ["us-mt-mcdpa"]\nabsent = ["us-ca-ccpa.privacy-policy", "us-ca-ccpa.privacy-polcy"]\n'
        'obligations = ["us-mt-mcdpa.processor-contract"]\n')
    s = load_scenario(bad)
    problems = {str(p).split("\n")[0]: p for p in check(s, durable.evaluate(s.profile, s.as_of), durable.rulebase.obligation_ids())}
    mt = problems["us-mt-mcdpa"]
    assert (mt.expected, mt.actual) == ("applies", "not applicable") and "50,000" in mt.details[0]
    policy = problems["us-ca-ccpa.privacy-policy"]
    assert (policy.expected, policy.actual) == ("absent", "applies")
    assert policy.details[0].startswith("why: California Consumer Privacy Act (as amended by the CPRA) applies: gross revenue")
    contract = problems["us-mt-mcdpa.processor-contract"]
    assert contract.actual == "absent (not reported)" and contract.details[0].startswith("because: us-mt-mcdpa not applicable: Montana consumers: 30,000")
    # a typo would otherwise make "absent" hold vacuously
    assert problems["us-ca-ccpa.privacy-polcy"].actual == "no such obligation in the rule base"
    assert len(problems) == 4
