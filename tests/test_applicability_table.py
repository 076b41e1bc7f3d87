"""An independent check of who each state's comprehensive privacy law covers.

The expectations below are written from the published applicability tables (the summary table of
shared/law/state-comprehensive-laws.md, which follows the IAPP and FPF state-law charts), not from
reggi's rule files: a plain for-profit business (no exemption, not an SBA small business, no
sensitive data) serving one state, with consumer counts and revenue shares around each threshold.
A difference means a rule file or the table is wrong; either way a person must look.
"""
import datetime as dt
from itertools import product

import pytest

from reggi.engine.service import Reggi
from reggi.facts.fields import FIELDS
from reggi.facts.reader import parse_profile

AS_OF = dt.date(2026, 11, 26)


def count_or_sale(consumers: int, share_from: int, share_over: float, strict: bool = True):
    """'N consumers, or M consumers and more than X% of revenue from selling personal data'."""
    def test(c, pct, revenue):
        return c >= consumers or (c >= share_from and (pct > share_over if strict else pct >= share_over))
    return test


def any_sale_revenue(consumers: int, share_from: int):
    """Colorado, New Jersey: 'or M consumers and any revenue or discount from selling'."""
    return lambda c, pct, revenue: c >= consumers or (c >= share_from and pct > 0)


# State -> (statute id, the published test as a function of consumers, % revenue from sale, revenue).
TABLE = {
    "VA": ("us-va-vcdpa", count_or_sale(100_000, 25_000, 50)),
    "CO": ("us-co-cpa", any_sale_revenue(100_000, 25_000)),
    "UT": ("us-ut-ucpa", lambda c, pct, rev: rev >= 25_000_000 and count_or_sale(100_000, 25_000, 50)(c, pct, rev)),
    "TX": ("us-tx-tdpsa", lambda c, pct, rev: True),   # no count threshold; not an SBA small business
    "OR": ("us-or-ocpa", count_or_sale(100_000, 25_000, 25, strict=False)),
    "MT": ("us-mt-mcdpa", count_or_sale(25_000, 15_000, 25)),
    "IA": ("us-ia-icdpa", count_or_sale(100_000, 25_000, 50)),
    "DE": ("us-de-dpdpa", count_or_sale(35_000, 10_000, 20)),
    "NH": ("us-nh-nhdpa", count_or_sale(35_000, 10_000, 25)),
    "NJ": ("us-nj-njdpa", any_sale_revenue(100_000, 25_000)),
    "NE": ("us-ne-ndpa", lambda c, pct, rev: True),    # Texas-style
    "TN": ("us-tn-tipa", lambda c, pct, rev: rev > 25_000_000 and count_or_sale(175_000, 25_000, 50)(c, pct, rev)),
    "MN": ("us-mn-mcdpa", count_or_sale(100_000, 25_000, 25)),
    "MD": ("us-md-modpa", count_or_sale(35_000, 10_000, 20)),
    "IN": ("us-in-incdpa", count_or_sale(100_000, 25_000, 50)),
    "KY": ("us-ky-kcdpa", count_or_sale(100_000, 25_000, 50)),
    "RI": ("us-ri-ridtppa", count_or_sale(35_000, 10_000, 20)),
    "FL": ("us-fl-fdbr", lambda c, pct, rev: False),   # > $1 billion and a prong: none here
    # From 2026-07-01: 35,000 consumers, or any sensitive data, or offers personal data for sale.
    "CT": ("us-ct-ctdpa", lambda c, pct, rev: c >= 35_000 or pct > 0),
    "CA": ("us-ca-ccpa", lambda c, pct, rev: rev > 26_625_000 or pct >= 50),
    # Enacted in 2026, checked as of 2028-01-01 (LATER): a business of 1,000 employees.
    "OK": ("us-ok-ocdpa", count_or_sale(100_000, 25_000, 50)),
    "LA": ("us-la-ldpa", lambda c, pct, rev: rev > 25_000_000 or c >= 75_000 or pct >= 50),   # data received counts
    "AL": ("us-al-apdpa", lambda c, pct, rev: c > 25_000 or pct > 25),
    "VT": ("us-vt-vdposa", lambda c, pct, rev: c >= 35_000),   # no sensitive data, nothing offered for sale
}
LATER = {"OK", "LA", "AL", "VT"}
CONSUMERS = [9_999, 10_000, 14_999, 15_000, 24_999, 25_000, 34_999, 35_000, 74_999, 75_000, 99_999, 100_000, 174_999, 175_000]
SHARES = [0, 20, 20.5, 25, 25.5, 50, 50.5]
REVENUES = [10_000_000, 25_000_000, 26_625_001]


def business(revenue: int, pct: float) -> dict:
    """A plain for-profit: every yes/no fact no, except that it sells data when revenue says so."""
    facts = {name.split(".", 1)[1]: False for name, spec in FIELDS.items()
             if name.startswith("business.") and spec.type == "bool"}
    facts.update({name.split(".", 1)[1]: 0 for name, spec in FIELDS.items()
                  if name.startswith("business.") and spec.unit == "percent"})
    facts.update({name.split(".", 1)[1]: 1000 for name, spec in FIELDS.items()   # employees and the like
                  if name.startswith("business.") and spec.type == "int" and not name.startswith("business.us_")})
    facts.update(name="Plain Retail Co", annual_revenue_usd=revenue, percent_revenue_from_selling_data=pct,
                 percent_revenue_from_selling_or_sharing=pct, sells_personal_data=pct > 0)
    return facts


@pytest.fixture(scope="module")
def service():
    return Reggi(engine="durable", horizon_months=0)


@pytest.mark.parametrize("code", sorted(TABLE))
def test_applicability_matches_the_published_table(service, code):
    statute, published = TABLE[code]
    if statute not in service.rulebase.statutes:
        pytest.fail(f"{statute} is in the published table but not in the rule base")
    wrong = []
    for consumers, pct, revenue in product(CONSUMERS, SHARES, REVENUES):
        profile = parse_profile({
            "business": business(revenue, pct),
            "states": [{"code": code, "consumers": consumers, "payment_only_consumers": 0, "consumers_sold_or_shared": 0,
                        **{f.split(".", 1)[1]: 0 for f, s in FIELDS.items() if f.startswith("state.") and s.type == "int"
                           and f not in ("state.consumers", "state.consumers_excluding_payment")}}],
            "tools": [{"name": "Chat", "kind": "live_chat", "collects": ["identifiers", "contact"],
                       "vendor_role": "service_provider", **{f.split(".", 1)[1]: False for f, s in FIELDS.items()
                                                            if f.startswith("tool.") and s.type == "bool"}}],
        }, "table")
        as_of = dt.date(2028, 1, 1) if code in LATER else AS_OF
        status = next(s for s in service.evaluate(profile, as_of).statutes if s.statute == statute)
        expected = "applies" if published(consumers, pct, revenue) else "not_applicable"
        if status.status != expected:
            wrong.append(f"{consumers:,} consumers, {pct}% from sale, ${revenue:,}: published {expected}, "
                         f"reggi {status.status} ({'; '.join(status.reasons)[:300]})")
    assert not wrong, f"{code}: {len(wrong)} decision(s) differ from the published table:\n" + "\n".join(wrong[:8])
