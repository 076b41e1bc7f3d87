"""Properties of the engine on random valid profiles (hypothesis):
- differential: durable-rules gives exactly the reference interpreter's findings;
- determinism and order independence of the rendered output;
- monotonicity where the law is monotone.
"""
import copy
import datetime as dt
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reggi.engine.render import render_json
from reggi.facts.profile import Profile
from reggi.facts.vocabulary import DataCategory, FEDERAL, StateCode, ToolKind, code_of
from strategies import profiles

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def build(data) -> Profile:
    return Profile.model_validate(data)


@FAST
@given(profiles())
def test_durable_rules_equals_reference_interpreter(durable, reference, data):
    p = build(data)
    assert durable.evaluate(p) == reference.evaluate(p)


@FAST
@given(profiles())
def test_the_engine_step_gives_the_reference_results_pair_by_pair(durable, reference, data):
    # Below the findings: every (rule, context) that is true or unknown, and nothing else.
    p = build(data)
    as_of = dt.date(2026, 11, 26)
    got, expected = durable.trace(p, as_of, explain=False)[1], reference.trace(p, as_of, explain=False)[1]
    assert dict(got) == dict(expected)
    assert all(value is True or value is None for value in got.values())


@FAST
@given(profiles(), st.randoms(use_true_random=False))
def test_some_statutes_alone_give_their_part_of_the_whole(durable, data, rnd):
    # What upcoming changes rest on: evaluating a few statutes (with the concepts they read) gives
    # exactly what the whole evaluation says of them.
    from reggi.engine.evaluate import evaluate
    p = build(data)
    as_of = dt.date(2026, 11, 26)
    rulebase = durable.rulebase
    served = {s.code.value for s in p.states} | {FEDERAL}
    mine = sorted(sid for sid, info in rulebase.statutes.items() if code_of(info.meta.jurisdiction) in served)
    chosen = frozenset(rnd.sample(mine, min(3, len(mine))))   # statutes in play, mostly
    whole = evaluate(rulebase, p, as_of, durable.engine, explain=False)
    part = evaluate(rulebase, p, as_of, durable.engine, explain=False, statutes=chosen)
    assert part.statutes == [s for s in whole.statutes if s.statute in chosen]
    assert part.obligations == [o for o in whole.obligations if o.statute in chosen]


@FAST
@given(profiles(), st.sampled_from([dt.date(2026, 6, 30), dt.date(2026, 11, 26), dt.date(2027, 6, 1)]))
def test_upcoming_changes_equal_evaluating_whole_states_again(durable, data, as_of):
    # The oracle is the way upcoming changes were computed before: on each change date, every
    # statute of the states whose rules change is evaluated again, not only the changing ones.
    from reggi.engine.evaluate import _changes, add_months, change_days, evaluate, upcoming
    p = build(data)
    rulebase = durable.rulebase
    now = evaluate(rulebase, p, as_of, durable.engine)
    end, latest, expected = add_months(as_of, 24), {}, []
    for day, sids in change_days(rulebase, {*now.states, FEDERAL}).items():
        if not as_of < day <= end:
            continue
        codes = {code_of(rulebase.statutes[sid].meta.jurisdiction) for sid in sids}
        states = [s for s in p.states if s.code.value in codes] or p.states[:1]
        after = evaluate(rulebase, p.model_copy(update={"states": states}), day, durable.engine,
                         explain=frozenset({"reasons"}))
        changed = []
        for sid, info in rulebase.statutes.items():
            code = code_of(info.meta.jurisdiction)
            if code in codes:
                changed += _changes(latest.get(code, now), after, rulebase, sid)
        for code in codes:
            latest[code] = after
        expected += sorted(changed, key=lambda c: (c.jurisdiction, c.kind != "statute", c.id))
    assert upcoming(rulebase, p, now, 24, durable.engine) == expected


def shuffled(data, rnd: random.Random):
    out = copy.deepcopy(data)
    rnd.shuffle(out["states"])
    rnd.shuffle(out["tools"])
    for tool in out["tools"]:
        if tool.get("collects"):
            rnd.shuffle(tool["collects"])
    # field order inside each object
    out["business"] = dict(rnd.sample(list(out["business"].items()), len(out["business"])))
    out["states"] = [dict(rnd.sample(list(s.items()), len(s))) for s in out["states"]]
    return dict(rnd.sample(list(out.items()), len(out)))


@FAST
@given(profiles(), st.randoms(use_true_random=False))
def test_output_is_byte_identical_whatever_the_order_of_fields_and_lists(durable, data, rnd):
    first = render_json(durable.evaluate(build(data)), "test")
    again = render_json(durable.evaluate(build(data)), "test")
    reordered = render_json(durable.evaluate(build(shuffled(data, rnd))), "test")
    assert first == again == reordered


def applying(findings) -> set:
    return {s.statute for s in findings.statutes if s.status == "applies"}


@FAST
@given(profiles(), st.sampled_from(["consumers", "consumers_sold_or_shared"]), st.integers(1, 200_000))
def test_more_consumers_never_removes_an_applicable_statute(durable, data, field, extra):
    # Monotone only without exemptions in play; the thresholds themselves are monotone.
    before = applying(durable.evaluate(build(data)))
    bigger = copy.deepcopy(data)
    for s in bigger["states"]:
        if s.get(field) is not None:
            s[field] += extra
    assert before <= applying(durable.evaluate(build(bigger)))


@FAST
@given(profiles(), st.sampled_from(DataCategory.values()))
def test_collecting_one_more_category_never_removes_an_applicable_statute(durable, data, category):
    before = applying(durable.evaluate(build(data)))
    more = copy.deepcopy(data)
    for t in more["tools"]:
        if t.get("collects") is not None and category not in t["collects"]:
            t["collects"].append(category)
    assert before <= applying(durable.evaluate(build(more)))


@FAST
@given(profiles(), st.sampled_from(["CA", "MT", "CT"]))
def test_adding_a_state_never_removes_another_states_findings(durable, data, code):
    before = durable.evaluate(build(data))
    if code in {s["code"] for s in data["states"]}:
        return
    more = copy.deepcopy(data)
    more["states"].append({"code": code, "consumers": 500})
    after = durable.evaluate(build(more))
    assert {o.id for o in before.obligations} <= {o.id for o in after.obligations}


def test_maximal_profile_compiles_and_evaluates(durable, reference):
    """Every state, every tool kind, every data category, unknowns included: the whole rule base
    compiles into durable-rules and runs within its limits (alpha successors, beta nodes)."""
    data = {
        "business": {"name": "Everything Corp", "annual_revenue_usd": 2_000_000_000, "sells_personal_data": True,
                     "shares_for_targeted_advertising": True, "users_13_to_17": True,
                     "percent_revenue_from_selling_data": 60, "nonprofit": False, "hipaa_regulated": False,
                     "glba_financial_institution": False},
        "states": [{"code": c, "consumers": 1_000_000, "payment_only_consumers": 1000,
                    "consumers_sold_or_shared": 500_000} for c in StateCode.values()],
        "tools": [{"name": f"{kind} tool", "kind": kind, "collects": DataCategory.values(),
                   "vendor_role": "third_party" if i % 2 else "service_provider",
                   "captures_in_real_time": True} for i, kind in enumerate(ToolKind.values())],
    }
    p = build(data)
    fired = set()   # laws enacted for a later date (OK, LA, AL, VT; CO ADMT; SB 243 reports) fire only then
    dates = [dt.date(2023, 7, 1), dt.date(2026, 11, 26), dt.date(2027, 7, 1), dt.date(2028, 1, 1)]
    for as_of in dates:
        got = durable.evaluate(p, as_of)
        assert got == reference.evaluate(p, as_of)
        assert {"us-ca-ccpa", "us-ct-ctdpa"} <= {s.statute for s in got.statutes if s.status == "applies"}
        if as_of >= dt.date(2026, 11, 26):
            fired |= {o.id for o in got.obligations}
    assert "us-mt-mcdpa" in {s.statute for s in got.statutes if s.status == "applies"}
    in_force = lambda item, day: (item.from_ is None or item.from_ <= day) and (item.until is None or day < item.until)
    every = {f"{sid}.{r.item.id}" for sid, info in durable.rulebase.statutes.items() for r in info.obligations
             if any(in_force(r.item, day) for day in dates[1:])}   # reported on some date evaluated
    # Federal rules for regulated businesses (GLBA, HIPAA) bind only them: their duties are seen on
    # the same profile with that status (which exempts it from state laws, hence a second run).
    regulated = copy.deepcopy(data)
    regulated["business"].update(hipaa_regulated=True, glba_financial_institution=True, glba_ftc_jurisdiction=True)
    p2 = build(regulated)
    for as_of in dates[1:]:
        got2 = durable.evaluate(p2, as_of)
        assert got2 == reference.evaluate(p2, as_of)
        fired |= {o.id for o in got2.obligations if o.id.startswith("us-fed-")}
    assert fired == every
