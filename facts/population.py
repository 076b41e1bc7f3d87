"""Estimates of a state's consumer counts from the business's US-wide counts, by the state's
share of the US resident population (Census Bureau figures shipped in data/state-population.toml).

A business serving every state rarely knows fifty counts; it usually knows one. Where a state's
own count is unknown and the US-wide count is known, the state's count is estimated, and every
finding that reads it says so. A state's own count, where given, always wins.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "state-population.toml"

# State count fields that have a US-wide counterpart on the business: business.us_<name>.
STATE_COUNTS = ("consumers", "payment_only_consumers", "consumers_sold_or_shared")
ESTIMATE_WORDS = "estimated from population share"


def us_field(name: str) -> str:
    return f"us_{name}"


@cache
def _table() -> tuple[dict[str, int], dict]:
    import tomllib   # here, not at the top: most starts never read the table
    with DATA.open("rb") as handle:
        data = tomllib.load(handle)
    return data["population"], data["source"]


def population() -> dict[str, int]:
    return _table()[0]


def source() -> dict:
    return _table()[1]


def estimate(us_count: int, code: str) -> int:
    """The state's share of ``us_count``, rounded half up, in integers (no float drift)."""
    people = population()
    total = sum(people.values())
    return (2 * us_count * people[code] + total) // (2 * total)


def share(code: str) -> float:
    people = population()
    return people[code] / sum(people.values())
