"""The fields a rule condition may read, derived from the profile models, and the contexts
(flat fact dictionaries) a profile becomes for the engine.

A context is what one rule is evaluated against: a *state* context holds the business facts and
one state's facts; a *tool* context adds one tool. Unknown values are ``None``.
"""
from __future__ import annotations

import typing
from dataclasses import dataclass
from enum import Enum
from functools import cache

from reggi.facts.population import STATE_COUNTS, estimate, us_field
from reggi.facts.profile import Business, Profile, StateFacts, Tool
from reggi.facts.vocabulary import FEDERAL


@dataclass(frozen=True)
class FieldSpec:
    path: str              # e.g. "state.consumers"
    type: str              # bool | int | number | enum | set | str
    label: str             # short name in plain words, for explanations
    scope: str             # business | state | tool
    allowed: tuple = ()    # enum / set members
    unit: str | None = None
    question: str = ""
    derived_from: tuple = ()  # profile fields a derived field is computed from


def _spec(scope: str, name: str, info) -> FieldSpec:
    annotation = info.annotation
    if typing.get_origin(annotation) is typing.Union:
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    extra = info.json_schema_extra or {}
    allowed: tuple = ()
    if typing.get_origin(annotation) is list:
        (member,) = typing.get_args(annotation)
        kind, allowed = "set", tuple(member.values())
    elif isinstance(annotation, type) and issubclass(annotation, Enum):
        kind, allowed = "enum", tuple(annotation.values())
    elif annotation is bool:
        kind = "bool"
    elif annotation is int:
        kind = "int"
    elif annotation is float:
        kind = "number"
    else:
        kind = "str"
    return FieldSpec(f"{scope}.{name}", kind, extra.get("label") or info.description or name,
                     scope, allowed, extra.get("unit"), extra.get("question") or info.description or "")


def _model_specs(scope: str, model) -> list[FieldSpec]:
    return [_spec(scope, name, info) for name, info in model.model_fields.items() if name != "name"]


# Facts computed from profile fields, so rules can say what the statutes say.
DERIVED = [
    FieldSpec("state.consumers_excluding_payment", "int",
              "residents whose personal data is processed a year, not counting those processed only to complete a payment",
              "state", derived_from=("state.consumers", "state.payment_only_consumers")),
]

FIELDS: dict[str, FieldSpec] = {
    s.path: s for s in _model_specs("business", Business) + _model_specs("state", StateFacts)
    + _model_specs("tool", Tool) + DERIVED
}


def label_of(path: str, value) -> str:
    """A field value in words, for explanations."""
    spec = FIELDS.get(path)
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (frozenset, list, tuple)):
        return ", ".join(sorted(str(v) for v in value)) or "none"
    if spec and spec.unit == "usd":
        return f"${value:,}"
    if spec and spec.unit == "percent":
        return f"{value:g}%"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@cache
def _keys(scope: str, model_type: type) -> tuple[tuple[str, str, str], ...]:
    """(field name, fact key, type) of a profile model's fields, worked out once per model."""
    return tuple((name, f"{scope}.{name}", FIELDS[f"{scope}.{name}"].type)
                 for name in model_type.model_fields if name != "name")


def _facts(scope: str, model) -> dict:
    """The model's fields as facts: enum members as their values, lists as sets of them."""
    out = {}
    for name, key, kind in _keys(scope, type(model)):
        value = getattr(model, name)
        if value is not None and (kind == "enum" or kind == "set"):
            value = value.value if kind == "enum" else frozenset(v.value for v in value)
        out[key] = value
    return out


def state_facts(state: StateFacts, business: Business | None = None) -> tuple[dict, frozenset]:
    """A state's facts, and which of them are estimates: a count the profile leaves unknown is
    estimated from the business's US-wide count (facts/population.py), never the other way."""
    facts = _facts("state", state)
    estimated: set[str] = set()
    for name in STATE_COUNTS:
        us_count = getattr(business, us_field(name), None) if business is not None else None
        if facts[f"state.{name}"] is None and us_count is not None:
            facts[f"state.{name}"] = estimate(us_count, state.code.value)
            estimated.add(f"state.{name}")
    # An estimate never contradicts a count the profile gives: a part is at most the whole, and an
    # estimated whole is at least a given part (else "not counting payment-only" could go negative).
    total = facts["state.consumers"]
    for part in ("state.payment_only_consumers", "state.consumers_sold_or_shared"):
        value = facts[part]
        if total is None or value is None:
            continue
        if part in estimated and value > total:
            facts[part] = total
        elif "state.consumers" in estimated and value > total:
            facts["state.consumers"] = total = value
    payment = facts["state.payment_only_consumers"]
    facts["state.consumers_excluding_payment"] = (
        None if total is None or payment is None else total - payment)
    if estimated & {"state.consumers", "state.payment_only_consumers"}:
        estimated.add("state.consumers_excluding_payment")
    return facts, frozenset(estimated)


@dataclass
class Context:
    id: str           # stable: "CA" or "CA/Acme Chat"
    scope: str        # state | tool
    state: str
    tool: str | None
    facts: dict       # field path -> value (None = unknown); derived facts are added per stratum
    estimated: frozenset = frozenset()   # state count fields estimated from US-wide counts


def contexts(profile: Profile, asof: int, national: bool = False) -> list[Context]:
    """One state context per state served and one tool context per (state, tool); with
    ``national``, also one "US" context (and one per tool) for federal statutes, in which every
    state fact is unknown (the loader keeps federal rules from reading state facts)."""
    business = _facts("business", profile.business)
    tools = [(tool.name, _facts("tool", tool)) for tool in profile.tools]   # once, not per state
    result = []
    places = [(s.code.value, *state_facts(s, profile.business)) for s in profile.states]
    if national:
        places.append((FEDERAL, {key: None for key in FIELDS if key.startswith("state.")}, frozenset()))
    for code, state, estimated in places:
        base = {"asof": asof, **business, **state}
        result.append(Context(code, "state", code, None, dict(base), estimated))
        for name, facts in tools:
            result.append(Context(f"{code}/{name}", "tool", code, name, {**base, **facts}, estimated))
    return result
