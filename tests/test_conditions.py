"""The condition language: parsing, validation, negation normal form and Kleene logic."""
import itertools

import pytest

from reggi.engine.conditions import And, Atom, ConditionError, Or, Ref, evaluate, parse

FIELDS = {
    "state.consumers": Ref("state.consumers", "int"),
    "business.nonprofit": Ref("business.nonprofit", "bool"),
    "business.sells": Ref("business.sells", "bool"),
    "tool.kind": Ref("tool.kind", "enum", ("live_chat", "ad_pixel")),
    "tool.collects": Ref("tool.collects", "set", ("health", "contact")),
}


def resolve(name):
    if name not in FIELDS:
        raise ConditionError(f"unknown field {name!r}")
    return FIELDS[name]


def test_comparison_and_membership_parse_to_atoms():
    assert parse("state.consumers >= 25000", resolve) == Atom(">=", FIELDS["state.consumers"], 25000)
    assert parse("25000 <= state.consumers", resolve) == Atom(">=", FIELDS["state.consumers"], 25000)
    assert parse("'health' in tool.collects", resolve) == Atom("has", FIELDS["tool.collects"], "health")
    assert parse("tool.kind in ['live_chat']", resolve) == Atom("in", FIELDS["tool.kind"], ("live_chat",))


def test_negation_is_pushed_to_the_atoms():
    node = parse("not (business.nonprofit or state.consumers < 10)", resolve)
    assert node == And((Atom("==", FIELDS["business.nonprofit"], False), Atom(">=", FIELDS["state.consumers"], 10)))
    assert parse("not 'health' in tool.collects", resolve) == Atom("lacks", FIELDS["tool.collects"], "health")


def test_multiline_conditions_parse():
    assert isinstance(parse("business.nonprofit\nor business.sells", resolve), Or)


@pytest.mark.parametrize("text, message", [
    ("state.consumers >=", "syntax error"),
    ("state.consumerz > 1", "unknown field"),
    ("tool.kind == 'fax'", "not a value of tool.kind"),
    ("state.consumers > 'many'", "is a number"),
    ("__import__('os')", "not allowed"),
    ("state.consumers > business.nonprofit", "compare one field with one literal"),
    ("tool.kind > 'live_chat'", "not a number"),
    ("1 < state.consumers < 5", "one comparison at a time"),
    ("state.consumers", "compare it with a value"),
])
def test_bad_conditions_are_rejected_with_a_reason(text, message):
    with pytest.raises(ConditionError, match=message):
        parse(text, resolve)


def test_kleene_truth_tables():
    a, b = parse("business.nonprofit", resolve), parse("business.sells", resolve)
    values = [True, False, None]
    for x, y in itertools.product(values, values):
        facts = {"business.nonprofit": x, "business.sells": y}
        conj, disj = evaluate(And((a, b)), facts), evaluate(Or((a, b)), facts)
        assert conj == (False if False in (x, y) else None if None in (x, y) else True)
        assert disj == (True if True in (x, y) else None if None in (x, y) else False)


def test_negated_unknown_stays_unknown():
    assert evaluate(parse("not business.nonprofit", resolve), {"business.nonprofit": None}) is None
    assert evaluate(parse("state.consumers < 5", resolve), {}) is None
