"""Hypothesis strategies for valid profiles, built from the facts vocabulary."""
import datetime as dt

from hypothesis import strategies as st

from facts.vocabulary import DataCategory, ToolKind, VendorRole

# Values around every threshold and date the rule base uses, plus unknown (None).
COUNTS = [None, 0, 999, 14_999, 15_000, 24_999, 25_000, 34_999, 35_000, 49_999, 50_000,
          99_999, 100_000, 250_000]
REVENUES = [None, 0, 1_000_000, 24_999_999, 25_000_001, 26_625_000, 26_625_001, 40_000_000, 100_000_001]
PERCENTS = [None, 0, 20, 25, 25.5, 49.9, 50, 100]
DATES = [dt.date(2019, 6, 30), dt.date(2022, 6, 1), dt.date(2023, 7, 1), dt.date(2024, 9, 30),
         dt.date(2024, 10, 1), dt.date(2025, 1, 1), dt.date(2025, 9, 30), dt.date(2025, 10, 1),
         dt.date(2026, 6, 30), dt.date(2026, 7, 1), dt.date(2026, 11, 26),
         dt.date(2027, 1, 2), dt.date(2028, 4, 1)]
COVERED = ["CA", "MT", "CT"]

maybe_bool = st.sampled_from([None, True, False])


@st.composite
def states(draw):
    codes = draw(st.lists(st.sampled_from(COVERED + ["TX", "OR", "NY"]), min_size=1, max_size=4, unique=True))
    out = []
    for code in codes:
        consumers = draw(st.sampled_from(COUNTS))
        payment = draw(st.sampled_from([None, 0, 1000, 6000]))
        if consumers is not None and payment is not None and payment > consumers:
            payment = consumers
        item = {"code": code, "consumers": consumers, "payment_only_consumers": payment,
                "consumers_sold_or_shared": draw(st.sampled_from(COUNTS)),
                "sensitive_consumers": draw(st.sampled_from(COUNTS))}
        out.append({k: v for k, v in item.items() if v is not None or draw(st.booleans())})
    return out


@st.composite
def own_use(draw):
    """The vendor's own use: the older single fact alone, the two facts that replace it, or both
    (then consistent, as the profile requires)."""
    improves, others = draw(maybe_bool), draw(maybe_bool)
    union = True if True in (improves, others) else (False if improves is False and others is False else None)
    form = draw(st.sampled_from(["legacy", "split", "both"]))
    if form == "legacy":
        return {"vendor_uses_data_for_own_purposes": draw(maybe_bool)}
    out = {"vendor_improves_own_service": improves, "vendor_uses_data_for_others": others}
    if form == "both":
        out["vendor_uses_data_for_own_purposes"] = union
    return out


@st.composite
def tools(draw):
    n = draw(st.integers(0, 3))
    out = []
    for i in range(n):
        collects = draw(st.one_of(st.none(), st.lists(st.sampled_from(DataCategory.values()), max_size=5, unique=True)))
        item = {"name": f"Tool {i}", "kind": draw(st.sampled_from(ToolKind.values())), "collects": collects,
                "vendor_role": draw(st.sampled_from([None] + VendorRole.values())),
                "captures_in_real_time": draw(maybe_bool), "automated_agent": draw(maybe_bool),
                "makes_significant_decisions": draw(maybe_bool)}
        item.update(draw(own_use()))
        out.append({k: v for k, v in item.items() if v is not None})
    return out


@st.composite
def profiles(draw):
    business = {"name": "Hypothetical Co", "annual_revenue_usd": draw(st.sampled_from(REVENUES)),
                "percent_revenue_from_selling_data": draw(st.sampled_from(PERCENTS)),
                "percent_revenue_from_selling_or_sharing": draw(st.sampled_from(PERCENTS)),
                "genai_monthly_users": draw(st.sampled_from([None, 0, 1_000_000, 1_000_001]))}
    for flag in ["nonprofit", "glba_financial_institution", "hipaa_regulated", "sells_personal_data",
                 "shares_for_targeted_advertising", "profiles_consumers", "processes_sensitive_data",
                 "users_under_13", "users_13_to_17", "knows_consumers_under_16", "health_care_provider",
                 "offers_medical_information_service", "develops_public_genai", "data_broker"]:
        business[flag] = draw(maybe_bool)
    business = {k: v for k, v in business.items() if v is not None}
    return {"business": business, "states": draw(states()), "tools": draw(tools()),
            "as_of": draw(st.sampled_from(DATES)).isoformat()}
