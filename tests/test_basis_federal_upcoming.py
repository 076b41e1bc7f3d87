"""What a duty rests on (statute, regulation, case law, litigation risk), federal statutes that
are in play for every business, states reggi does not cover, and what comes into force later."""
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reggi.cli import main
from conftest import EXAMPLES
from reggi.engine.rulebase import RuleLoadError, load
from reggi.engine.service import Reggi
from reggi.facts.profile import Profile

CHAT = str(EXAMPLES / "chat-tool-ca-mt.json")

FEDERAL = '''
[statute]
id = "us-fed-testact"
name = "Federal Test Act"
jurisdiction = "US"
citation = "99 U.S.C. § 1"
source = "https://example.org/federal"
in_force = 2020-01-01

[[applies]]
id = "always"
when = "business.annual_revenue_usd >= 0"
test = "any business"
cite = "99 U.S.C. § 1(a)"

[[obligations]]
id = "consent"
title = "Get consent before recording calls"
action = "Ask first."
when = "tool.kind == 'call_recording'"
cite = ["99 U.S.C. § 2(a)"]
in_force = 2020-01-01

[[obligations]]
id = "replay-risk"
title = "Consider consent before session replay"
action = "Ask first, or accept the risk."
when = "tool.kind == 'session_replay'"
cite = ["99 U.S.C. § 3"]
in_force = 2020-01-01
basis = "litigation-risk"
cases = ["Doe v. Roe, 1 F.4th 1 (9th Cir. 2030)", "Roe v. Doe, 2 F.4th 2 (3d Cir. 2031)"]

[[obligations]]
id = "later"
title = "A duty that starts in 2027"
action = "Do it from 2027."
cite = ["99 U.S.C. § 4"]
in_force = 2027-03-01
'''

STATE = '''
[statute]
id = "us-mt-test"
name = "Montana Test Act"
jurisdiction = "US-MT"
citation = "Mont. Test § 1"
source = "https://example.org/mt"
in_force = 2020-01-01

[[applies]]
id = "consumers"
when = "state.consumers >= 100"
test = "100 or more consumers"
cite = "Mont. Test § 1(a)"
'''


def rules_dir(tmp_path: Path, federal: str = FEDERAL) -> Path:
    root = tmp_path / "rules"
    for sub, name, text in [("federal", "test.toml", federal), ("mt", "test.toml", STATE)]:
        (root / "us" / sub).mkdir(parents=True, exist_ok=True)
        (root / "us" / sub / name).write_text(text)
    return root


def profile(states: list[str], kinds: list[str]) -> Profile:
    return Profile.model_validate({
        "business": {"name": "Acme", "annual_revenue_usd": 1000},
        "states": [{"code": c, "consumers": 10} for c in states],
        "tools": [{"name": f"Tool {k}", "kind": k, "collects": ["identifiers"]} for k in kinds]})


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_federal_duty_is_reported_once_whatever_the_states(tmp_path):
    reggi = Reggi(rules_dir(tmp_path), "durable")
    findings = reggi.evaluate(profile(["MT", "TX", "OR"], ["call_recording"]), dt.date(2026, 1, 1))
    consent = [o for o in findings.obligations if o.id == "us-fed-testact.consent"]
    assert len(consent) == 1 and consent[0].jurisdiction == "US" and consent[0].tools == ["Tool call_recording"]
    assert consent[0].legal_basis == "statute" and consent[0].cases == []


@pytest.mark.parametrize("engine", ["durable", "reference"])
def test_litigation_risk_is_recommended_not_required(tmp_path, engine):
    reggi = Reggi(rules_dir(tmp_path), engine, horizon_months=0)
    findings = reggi.evaluate(profile(["MT"], ["session_replay"]), dt.date(2026, 1, 1))
    risk = next(o for o in findings.obligations if o.id == "us-fed-testact.replay-risk")
    assert risk.legal_basis == "litigation-risk" and len(risk.cases) == 2
    from reggi.engine.render import render_json, render_markdown, render_text
    text = render_text(findings, "t")
    assert "Answer: no settled requirement on these facts. Litigation risk (recommended, not required" in text
    assert "[litigation risk: recommended] Consider consent before session replay" in text
    assert "courts are split" in text and "Doe v. Roe" in text
    assert "*(litigation risk: recommended)*" in render_markdown(findings, "t")
    out = json.loads(render_json(findings, "t"))
    assert out["summary"]["answer"] == "litigation_risk_only" and out["summary"]["litigation_risks"] == 1
    assert next(o for o in out["obligations"] if o["id"] == risk.id)["legal_basis"] == "litigation-risk"


def test_case_law_and_litigation_risk_need_cases(tmp_path):
    with pytest.raises(RuleLoadError, match="needs cases"):
        load(rules_dir(tmp_path, FEDERAL.replace('cases = ["Doe v. Roe, 1 F.4th 1 (9th Cir. 2030)", '
                                                 '"Roe v. Doe, 2 F.4th 2 (3d Cir. 2031)"]', "")))


def test_basis_outside_the_allowed_kinds_is_rejected(tmp_path):
    with pytest.raises(RuleLoadError, match="litigation-risk"):
        load(rules_dir(tmp_path, FEDERAL.replace('basis = "litigation-risk"', 'basis = "hunch"')))


def test_a_federal_statute_cannot_read_state_facts(tmp_path):
    with pytest.raises(RuleLoadError, match="cannot read state facts") as err:
        load(rules_dir(tmp_path, FEDERAL.replace('business.annual_revenue_usd >= 0', 'state.consumers >= 1')))
    assert err.value.line is not None


def test_json_names_states_reggi_does_not_cover(tmp_path):
    reggi = Reggi(rules_dir(tmp_path), "reference", horizon_months=0)
    from reggi.engine.render import render_json
    only_uncovered = json.loads(render_json(reggi.evaluate(profile(["OR"], []), dt.date(2026, 1, 1)), "t"))
    assert only_uncovered["not_covered"] == ["US-OR"]
    # The federal act applies (any business), yet with no duty here reggi still says it
    # cannot answer for Oregon.
    assert only_uncovered["summary"]["answer"] == "not_covered"
    mixed = json.loads(render_json(reggi.evaluate(profile(["MT", "OR"], ["call_recording"]),
                                                  dt.date(2026, 1, 1)), "t"))
    assert mixed["not_covered"] == ["US-OR"] and mixed["summary"]["answer"] == "requirements"


def test_nothing_covered_at_all_is_not_covered_not_no_obligation(tmp_path):
    root = tmp_path / "rules"
    (root / "us" / "mt").mkdir(parents=True)
    (root / "us" / "mt" / "test.toml").write_text(STATE)
    from reggi.engine.render import render_json
    out = json.loads(render_json(Reggi(root, "reference").evaluate(profile(["OR", "WA"], []),
                                                                    dt.date(2026, 1, 1)), "t"))
    assert out["not_covered"] == ["US-OR", "US-WA"] and out["summary"]["answer"] == "not_covered"


def test_upcoming_lists_what_changes_within_the_horizon(tmp_path):
    reggi = Reggi(rules_dir(tmp_path), "durable")
    findings = reggi.evaluate(profile(["MT"], []), dt.date(2026, 1, 1))
    assert [(c.date, c.id, c.change) for c in findings.upcoming] == [("2027-03-01", "us-fed-testact.later", "new duty")]
    assert all(o.id != "us-fed-testact.later" for o in findings.obligations)
    reggi.horizon_months = 12   # 2027-01-01: the duty of 2027-03-01 is beyond it
    assert reggi.evaluate(profile(["MT"], []), dt.date(2026, 1, 1)).upcoming == []


def test_cli_upcoming_section_and_horizon_zero():
    # Montana's act starts to apply to the example on 2025-10-01 (SB 297's lower threshold).
    text = run("evaluate", CHAT, "--as-of", "2025-06-01").output
    assert "Coming into force (within 24 months of 2025-06-01):" in text
    assert "2025-10-01  US-MT  Montana Consumer Data Privacy Act: will apply" in text
    out = json.loads(run("evaluate", CHAT, "--as-of", "2025-06-01", "--format", "json").output)
    dates = [c["date"] for c in out["upcoming"]]
    assert dates == sorted(dates) and out["horizon_months"] == 24
    assert any(c["id"] == "us-mt-mcdpa" and c["kind"] == "statute" for c in out["upcoming"])
    none = run("evaluate", CHAT, "--as-of", "2025-06-01", "--horizon", "0")
    assert none.exit_code == 0 and "Coming into force" not in none.output
    assert run("evaluate", CHAT, "--horizon", "-1").exit_code == 2


def test_the_seed_chat_question_reports_cipa_chat_consent_as_litigation_risk():
    out = json.loads(run("evaluate", CHAT, "--as-of", "2026-11-26", "--format", "json").output)
    cipa = {o["id"]: o for o in out["obligations"] if o["statute"] == "us-ca-cipa"}
    assert cipa["us-ca-cipa.all-party-consent"]["legal_basis"] == "litigation-risk"
    assert any("Graham v. Noom" in c for c in cipa["us-ca-cipa.all-party-consent"]["cases"])
    text = run("evaluate", CHAT, "--as-of", "2026-11-26").output
    assert "Recommended for litigation risk (not required by settled law):" in text


def test_every_scenarios_headline_agrees_with_the_json_summary_answer():
    from pathlib import Path
    from reggi.engine.render import _headline, summary_answer
    from reggi.engine.scenarios import find_scenarios, load_scenario
    words = {"requirements": "yes, with requirements", "conditional": "it depends",
             "litigation_risk_only": "no settled requirement", "no_obligation": "none of the laws",
             "not_covered": "reggi cannot answer"}
    service = Reggi(horizon_months=0)
    for path in find_scenarios([Path(__file__).parent / "scenarios"]):
        s = load_scenario(path)
        findings = service.evaluate(s.profile, s.as_of)
        assert _headline(findings)[1].startswith(words[summary_answer(findings)]), path


def test_a_federal_statute_cannot_read_state_facts_through_a_shared_concept(tmp_path):
    root = rules_dir(tmp_path, FEDERAL.replace("business.annual_revenue_usd >= 0", "concept.big_state"))
    (root / "concepts.toml").write_text('[[concepts]]\nid = "big_state"\ndescription = "a big state"\n'
                                        'when = "state.consumers >= 100000"\n')
    with pytest.raises(RuleLoadError, match="through concept:big_state"):
        load(root)


def test_far_future_dates_and_bad_dates_are_answered_not_crashed():
    far = run("evaluate", CHAT, "--as-of", "9999-06-01", "--horizon", "240")
    assert far.exit_code == 0 and "as of 9999-06-01" in far.output
    assert run("evaluate", CHAT, "--as-of", "2026W491").exit_code == 2
    import reggi
    with pytest.raises(reggi.InputError, match="YYYY-MM-DD"):
        reggi.Reggi(horizon_months=0).evaluate(CHAT, as_of="2026-13-01")


def test_an_estimate_never_contradicts_a_count_the_profile_gives(tmp_path):
    service = Reggi(horizon_months=0)
    mt = {"business": {"name": "x", "us_consumers": 1_000_000}, "states": [{"code": "MT", "payment_only_consumers": 9000}]}
    status = next(s for s in service.evaluate(mt, "2026-11-26").statutes if s.statute == "us-mt-mcdpa")
    assert "9,000 in all, 0 not counting payment-only" in status.reasons[0]
    ca = json.loads(open(CHAT).read())
    ca["business"]["us_consumers"] = 100_000
    ca["states"][0] = {"code": "CA", "payment_only_consumers": 0, "consumers_sold_or_shared": 0}
    ccpa = next(s for s in service.evaluate(ca, "2026-11-26").statutes if s.statute == "us-ca-ccpa")
    assert ccpa.status == "applies" and ccpa.estimates == []   # it applies on revenue: no estimate decided it
