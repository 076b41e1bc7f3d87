"""What a first-time user types: product names, demonyms, "the US", saved answers with codes
that are English words, questions with no tool named, and businesses serving many states."""
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from reggi.cli import main
from reggi.engine import questionnaire as qn
from reggi.engine.service import Reggi
from reggi.facts.population import estimate, population
from reggi.facts.question import Understanding, aliases, understand
from reggi.facts.reader import parse_profile
from reggi.facts.vocabulary import StateCode, ToolKind


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def ask(*args, input=""):
    return CliRunner().invoke(main, ["ask", *args], input=input)


@pytest.mark.parametrize("question, states, kinds, products", [
    ("Are we allowed to record sales calls with Gong in Montana?", ["MT"], ["call_recording"], {"Gong": "call_recording"}),
    ("Can Californians use our Intercom chat?", ["CA"], ["live_chat"], {"Intercom": "live_chat"}),
    ("Is Hotjar OK in Calif. and Mont.?", ["CA", "MT"], ["session_replay"], {"Hotjar": "session_replay"}),
    ("Can we chat with customers in Conn.?", ["CT"], ["live_chat"], {}),
    ("Can we use the Meta Pixel for US customers in Texas?", ["TX"], ["ad_pixel"], {"Meta Pixel": "ad_pixel"}),
    ("ADA compliance for our website in Texas", ["TX"], [], {}),   # not the ADA chatbot
    ("Do I need consent under 47 U.S.C. § 227 for an AI voice agent?", [], ["voice_agent"], {}),   # not S.C.
    ("if I'm ill. Thanks: a chat tool in Oregon", ["OR"], ["live_chat"], {}),                      # not Ill.
    ("record calls in S.C. and N.C.", ["NC", "SC"], ["call_recording"], {}),
])
def test_products_demonyms_and_activities_are_understood(question, states, kinds, products):
    u = understand(question)
    assert (u.states, u.tools, u.products) == (states, kinds, products)


@pytest.mark.parametrize("question", ["Can we use Google Analytics in the U.S.?", "Is FullStory allowed in the US?",
                                      "Can we use Zendesk across the United States?"])
def test_the_us_alone_means_every_state(question):
    u = understand(question)
    assert u.nationwide and len(u.states) == 51 and u.tools


def test_every_alias_names_a_real_state_or_kind():
    assert set(aliases()["states"]) <= set(StateCode.values())
    assert set(aliases()["products"].values()) <= set(ToolKind.values())


def test_saved_answers_keep_states_whose_codes_are_english_words():
    answers = {"business": {"name": "x"}, "states": [{"code": c} for c in ["OR", "WA", "PA", "IN", "ME", "OK"]],
               "tools": [{"name": "Gong", "kind": "call_recording"}]}
    u = Understanding.of_answers(answers)
    assert u.describe()[0] == "states: Indiana, Maine, Oklahoma, Oregon, Pennsylvania, Washington"
    assert u.describe()[1] == "tools: contact-centre call recording (Gong)"


def test_the_gong_question_is_call_recording_in_montana():
    result = ask("Are we allowed to record sales calls with Gong in Montana?", "--as-of", "2026-11-26",
                 input="y\n" + "don't know\n" * 30)
    assert result.exit_code == 0, result.output
    assert "understood tools: contact-centre call recording (Gong)" in result.output
    assert "Gong" in result.output and "tools: none named" not in result.output


def test_a_question_with_no_tool_asks_for_the_tool_kind():
    result = ask("What do we need to do in Montana?", "--as-of", "2026-11-26", input="y\n4\n" + "don't know\n" * 30)
    assert result.exit_code == 0, result.output
    assert "did not recognise a tool" in result.output
    assert "Contact-centre call recording" in result.output   # the chosen kind became the tool


def test_the_understood_line_of_a_saved_report_shows_what_was_evaluated(tmp_path):
    saved = tmp_path / "a.json"
    saved.write_text(json.dumps({"question": "Oregon and Washington", "business": {"name": "x"},
                                 "states": [{"code": "OR"}, {"code": "WA"}], "tools": []}))
    result = ask("--answers", str(saved), "--as-of", "2026-11-26")
    assert result.exit_code == 0, result.output
    assert "Understood: states: Oregon, Washington;" in result.output


def test_every_state_scoped_question_names_its_state():
    for path in ["states.CT.payment_only_consumers", "states.MT.consumers", "states.CA.consumers_sold_or_shared"]:
        q = qn.next_question([path], {})
        state = StateCode(path.split(".")[1]).label
        assert state in q.text, q.text


def test_state_estimates_come_from_population_share():
    assert sum(population().values()) == 340110988 and len(population()) == 51
    assert estimate(340110988, "CA") == 39431263 and estimate(0, "WY") == 0
    assert sum(estimate(1_000_000, c) for c in population()) in range(999_975, 1_000_026)


MT_LIKE = Path(__file__).resolve().parent.parent / "rules" / "us" / "mt" / "mcdpa.toml"


def many_state_rules(tmp_path) -> Path:
    """Montana's act copied into six states: a rule base in which every state has a threshold."""
    root = tmp_path / "rules"
    text = MT_LIKE.read_text()
    for code in ["MT", "VT", "WY", "ND", "SD", "AK"]:
        (root / "us" / code.lower()).mkdir(parents=True)
        (root / "us" / code.lower() / "act.toml").write_text(
            text.replace('"us-mt-mcdpa"', f'"us-{code.lower()}-act"').replace('"US-MT"', f'"US-{code}"'))
    (root / "concepts.toml").write_text((MT_LIKE.parent.parent.parent / "concepts.toml").read_text())
    return root


def test_a_count_is_not_asked_where_the_test_does_not_turn_on_it(tmp_path):
    # With no revenue from selling data, the 15,000 + 25% test is false whatever the count: near
    # 15,000 is not a reason to ask.
    service = Reggi(many_state_rules(tmp_path), "reference", horizon_months=0)
    answers = {"business": {"name": "x", "percent_revenue_from_selling_data": 0},
               "states": [{"code": c} for c in ["MT", "VT", "WY", "ND", "SD", "AK"]], "tools": []}
    asked = []

    def reply(q, number, problem=None):
        asked.extend(q.paths)
        return [3_000_000] if q.paths == ["business.us_consumers"] else [None] * len(q.paths)
    qn.run(service, answers, dt.date(2026, 1, 1), reply)
    assert not [p for p in asked if re.fullmatch(r"states\.\w\w\.consumers", p)]


def test_many_states_ask_the_us_wide_count_once_then_only_states_near_a_threshold(tmp_path):
    service = Reggi(many_state_rules(tmp_path), "reference", horizon_months=0)
    answers = {"business": {"name": "x"}, "states": [{"code": c} for c in ["MT", "VT", "WY", "ND", "SD", "AK"]],
               "tools": [{"name": "Chat", "kind": "live_chat"}]}
    asked = []

    def reply(q, number, problem=None):
        asked.append(q.paths)
        if q.paths == ["business.us_consumers"]:
            return [3_000_000]          # MT about 10,031 and SD about 8,156 are within 2x of 15,000
        if q.paths == ["business.percent_revenue_from_selling_data"]:
            return [30]                 # so the 15,000 + 25% sale-revenue test turns on the count
        return [None] * len(q.paths)

    findings, count = qn.run(service, answers, dt.date(2026, 1, 1), reply)
    flat = [p for paths in asked for p in paths]
    assert flat.count("business.us_consumers") == 1
    state_counts = sorted(p for p in flat if re.fullmatch(r"states\.\w\w\.consumers", p))
    # Thresholds in force on 2026-01-01: 25,000, and 15,000 for the sale-revenue prong.
    near = sorted(f"states.{c}.consumers" for c in ["MT", "VT", "WY", "ND", "SD", "AK"]
                  if any(t / 2 <= estimate(3_000_000, c) <= 2 * t for t in (15_000, 25_000)))
    assert state_counts == near == ["states.MT.consumers", "states.SD.consumers"]
    vt = next(s for s in findings.statutes if s.statute == "us-vt-act")
    assert vt.status == "not_applicable" and "estimated from population share" in vt.estimates[0]
    wy = next(s for s in findings.statutes if s.statute == "us-wy-act")
    assert wy.status == "not_applicable" and "estimated from population share" in " ".join(wy.reasons)


def test_a_states_own_count_replaces_the_estimate(tmp_path):
    service = Reggi(many_state_rules(tmp_path), "reference", horizon_months=0)
    profile = parse_profile({"business": {"name": "x", "us_consumers": 8_000_000, "us_payment_only_consumers": 0},
                             "states": [{"code": "MT", "consumers": 1000}, {"code": "VT"}], "tools": []}, "p")
    findings = service.evaluate(profile, dt.date(2026, 1, 1))
    mt = next(s for s in findings.statutes if s.statute == "us-mt-act")
    assert mt.status == "not_applicable" and not any("states.MT.consumers " in e for e in mt.estimates)


def test_a_nationwide_chatbot_question_takes_about_a_dozen_questions():
    service = Reggi(horizon_months=0)
    answers = qn.base_answers(understand("Can I use a chatbot nationwide?"))
    asked = []

    def reply(q, number, problem=None):
        asked.append(q.paths)
        typical = {"business.annual_revenue_usd": 40_000_000, "business.us_consumers": 2_000_000}
        if len(q.paths) == 1 and q.paths[0] in typical:
            return [typical[q.paths[0]]]
        if q.kind in ("int", "number"):
            return [30_000]
        if q.kind == "set":
            return [["identifiers", "contact", "communications_content"]]
        if q.kind == "enum":
            return [q.options[0]]
        return [0] if q.kind == "percent" else [False] * len(q.paths)
    findings, count = qn.run(service, answers, dt.date(2026, 11, 26), reply)
    state_counts = [p for paths in asked for p in paths if re.fullmatch(r"states\.\w\w\.consumers", p)]
    assert count <= 15 and len(state_counts) <= 6, asked     # never every state's count one by one
    assert any("estimated from population share" in e for s in findings.statutes for e in s.estimates)
