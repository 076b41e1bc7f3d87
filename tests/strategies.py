"""Hypothesis strategies for valid profiles, built from the facts vocabulary and the rule base:
every threshold and date a rule file uses (and the value just below, and the day before), every
jurisdiction it covers, every yes/no fact a profile has. A new statute or fact is exercised by
the property tests without editing this file."""
import datetime as dt

from hypothesis import strategies as st

from reggi.engine.conditions import atoms
from reggi.engine.evaluate import change_dates
from reggi.engine.rulebase import load
from reggi.facts.fields import FIELDS
from reggi.facts.vocabulary import DataCategory, FEDERAL, InstitutionType, StateCode, ToolKind, VendorRole, code_of

RULEBASE = load()


def _constants(*keys: str) -> set:
    return {a.value for r in RULEBASE.rules for a in atoms(r.node)
            if a.ref.key in keys and isinstance(a.value, (int, float)) and not isinstance(a.value, bool)}


def _around(values: set, step) -> list:
    return sorted({v for t in values for v in (t - step, t, t + step) if v >= 0})


STATE_COUNT_KEYS = ("state.consumers", "state.consumers_excluding_payment", "state.consumers_sold_or_shared")
COUNTS = [None, *sorted({0, 250_000, *_around(_constants(*STATE_COUNT_KEYS), 1)})]
REVENUES = [None, *sorted({0, 1_000_000, 40_000_000, *_around(_constants("business.annual_revenue_usd"), 1)})]
PERCENT_FIELDS = sorted(p.split(".", 1)[1] for p, s in FIELDS.items() if p.startswith("business.") and s.unit == "percent")
PERCENTS = [None, *sorted({0, 100, *[v for v in _around(_constants(*(f"business.{p}" for p in PERCENT_FIELDS)), 0.5) if v <= 100]})]
DATES = sorted({d + dt.timedelta(days=shift) for d in change_dates(RULEBASE, {code_of(i.meta.jurisdiction)
                for i in RULEBASE.statutes.values()}) for shift in (-1, 0)} | {dt.date(2026, 11, 26)})
COVERED = sorted({code_of(i.meta.jurisdiction) for i in RULEBASE.statutes.values()} - {FEDERAL})
UNCOVERED = [c for c in StateCode.values() if c not in COVERED][:3]
BUSINESS_FLAGS = sorted(p.split(".", 1)[1] for p, s in FIELDS.items() if p.startswith("business.") and s.type == "bool")
# vendor_uses_data_for_own_purposes is the older, single fact for the two that replaced it: a profile
# gives one or the other, and the validator rejects a contradiction.
TOOL_FLAGS = sorted(p.split(".", 1)[1] for p, s in FIELDS.items() if p.startswith("tool.") and s.type == "bool"
                    and p != "tool.vendor_uses_data_for_own_purposes")

maybe_bool = st.sampled_from([None, True, False])


@st.composite
def states(draw):
    codes = draw(st.lists(st.sampled_from(COVERED + UNCOVERED), min_size=1, max_size=4, unique=True))
    out = []
    for code in codes:
        consumers = draw(st.sampled_from(COUNTS))
        payment = draw(st.sampled_from([None, 0, 1000, 6000]))
        if consumers is not None and payment is not None and payment > consumers:
            payment = consumers
        item = {"code": code, "consumers": consumers, "payment_only_consumers": payment,
                "consumers_sold_or_shared": draw(st.sampled_from(COUNTS))}
        out.append({k: v for k, v in item.items() if v is not None or draw(st.booleans())})
    return out


@st.composite
def tools(draw):
    n = draw(st.integers(0, 3))
    out = []
    for i in range(n):
        collects = draw(st.one_of(st.none(), st.lists(st.sampled_from(DataCategory.values()), max_size=5, unique=True)))
        item = {"name": f"Tool {i}", "kind": draw(st.sampled_from(ToolKind.values())), "collects": collects,
                "vendor_role": draw(st.sampled_from([None] + VendorRole.values()))}
        item.update({flag: draw(maybe_bool) for flag in TOOL_FLAGS})
        out.append({k: v for k, v in item.items() if v is not None})
    return out


@st.composite
def profiles(draw):
    business = {"name": "Hypothetical Co", "annual_revenue_usd": draw(st.sampled_from(REVENUES))}
    business.update({name: draw(st.sampled_from(PERCENTS)) for name in PERCENT_FIELDS})
    business.update({flag: draw(maybe_bool) for flag in BUSINESS_FLAGS})
    if draw(st.booleans()):   # US-wide counts: the states' unknown counts are then estimates
        business["us_consumers"] = draw(st.sampled_from([0, 500_000, 3_000_000, 40_000_000]))
        business["us_payment_only_consumers"] = min(business["us_consumers"], draw(st.sampled_from([0, 100_000])))
    business["institution_type"] = draw(st.sampled_from([None] + InstitutionType.values()))   # CT § 42-529d
    business = {k: v for k, v in business.items() if v is not None}
    return {"business": business, "states": draw(states()), "tools": draw(tools()),
            "as_of": draw(st.sampled_from(DATES)).isoformat()}
