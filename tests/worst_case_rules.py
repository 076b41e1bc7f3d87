"""Rule files at the edge of what a maintainer may plausibly write, generated: many exemptions and
applicability tests in one statute, wide ``and`` and ``or`` conditions, ``and`` over ``or``, and
many obligations on one attribute. Used by tests that compile the whole rule base with them and
compare durable-rules with the reference (issue 20.3)."""
from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLAGS = ["nonprofit", "glba_financial_institution", "hipaa_regulated", "sells_personal_data",
         "shares_for_targeted_advertising", "profiles_consumers", "processes_sensitive_data",
         "users_under_13", "users_13_to_17"]
NUMBERS = ["state.consumers", "state.consumers_sold_or_shared", "state.payment_only_consumers",
           "business.annual_revenue_usd", "state.consumers_excluding_payment",
           "business.percent_revenue_from_selling_data", "business.percent_revenue_from_selling_or_sharing"]
DATA = ["health", "biometric", "precise_geolocation", "children_data", "identifiers", "contact",
        "financial_account", "communications_content", "browsing_behavior", "device_identifiers"]


def comparisons(n: int, salt: int = 0) -> list[str]:
    """n distinct comparisons over the numeric fields, thresholds spread so that some hold."""
    ops = [">=", ">", "<", "<=", "!="]
    out = []
    for i in range(n):
        field = NUMBERS[(i + salt) % len(NUMBERS)]
        limit = (i * 7 + salt * 3) % 90 + 5 if "percent" in field else (i + 1) * 9_000 + salt * 1_000
        out.append(f"{field} {ops[(i + salt) % len(ops)]} {limit}")
    return out


def facts(n: int, salt: int = 0) -> list[str]:
    """n distinct facts: business flags (some negated), then comparisons."""
    flags = [("not " if (i + salt) % 3 == 0 else "") + f"business.{FLAGS[i % len(FLAGS)]}" for i in range(min(n, len(FLAGS)))]
    return flags + comparisons(n - len(flags), salt)


def statute_text(state: str, exemptions: int, tests: int, width: int, obligations: int) -> str:
    code = state.lower()
    out = [f'''[statute]
id = "us-{code}-worst"
name = "Generated worst-case statute ({state})"
jurisdiction = "US-{state}"
citation = "Gen. Stat. § 1 et seq."
source = "https://example.org/worst-case"
in_force = 2020-01-01
''']
    items = [("exemptions", f"ex{i}", f"{facts(2, i)[0]} and {comparisons(1, i)[0]}", "reason", 2, i)
             for i in range(exemptions)]
    items += [("applies", f"t{i}", " and ".join(comparisons(2, i)), "test", 3, i) for i in range(tests)]
    for table, iid, when, words, section, i in items:
        out.append(f'[[{table}]]\nid = "{iid}"\nwhen = "{when}"\n{words} = "generated {iid}"\n'
                   f'cite = "Gen. Stat. § {section}({i})"\n')
    conditions = {
        "wide-and": " and ".join(facts(width)),
        "wide-or": " or ".join(comparisons(width)),
        "and-of-ors": " and ".join(f"({a} or {b})" for a, b in zip(facts(width, 1)[::2], facts(width, 1)[1::2])),
        "or-of-ands": " or ".join(f"({a} and {b})" for a, b in zip(facts(width, 2)[::2], facts(width, 2)[1::2])),
        "tool-or": " or ".join(f"'{d}' in tool.collects" for d in DATA) + " or tool.vendor_uses_data_for_own_purposes",
        "tool-and-of-ors": " and ".join(f"('{a}' in tool.collects or {b})" for a, b in
                                        zip(DATA, comparisons(width, 3))),
    }
    conditions.update({f"same-attribute-{i}": f"state.consumers >= {1000 * (i + 1)}" for i in range(obligations)})
    for oid, when in conditions.items():
        out.append(f'''[[obligations]]
id = "{oid}"
title = "Generated obligation {oid}"
action = "Do what the generated rule says."
when = "{when}"
cite = ["Gen. Stat. § 4"]
in_force = 2020-01-01
''')
    return "\n".join(out)


def rule_base(folder: Path, exemptions: int = 8, tests: int = 16, width: int = 16, obligations: int = 70,
              states=("TX", "OR")) -> Path:
    """The shipped rule base plus one generated statute per state in ``states``."""
    rules = folder / "rules"
    shutil.copytree(ROOT / "rules", rules)
    for state in states:
        (rules / "us" / state.lower()).mkdir(parents=True, exist_ok=True)
        (rules / "us" / state.lower() / "worst.toml").write_text(
            statute_text(state, exemptions, tests, width, obligations), encoding="utf-8")
    return rules
