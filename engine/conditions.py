"""The condition language of rule files.

A ``when`` string is a small subset of Python expression syntax, parsed with ``ast`` and never
evaluated by Python: ``and``, ``or``, ``not``, one comparison (``==  !=  <  <=  >  >=``) between a
field and a literal, ``field in [literals]``, ``'member' in set_field``, and a bare boolean field.
Negation is pushed down to the comparisons while parsing (negation normal form), so a parsed
condition is a tree of And/Or over atoms. The same tree is compiled to durable-rules JSON
(engine/durable_adapter.py) and evaluated here in three-valued (Kleene) logic: ``None`` is
unknown, ``False and None`` is False, ``True or None`` is True.
"""
from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from typing import Any, Callable, Union


class ConditionError(ValueError):
    """A condition that cannot be parsed or refers to something that does not exist."""


@dataclass(frozen=True)
class Ref:
    key: str           # context key: "state.consumers", "concept.us-mt-mcdpa.sensitive_data"
    type: str          # bool | int | number | enum | set | str
    allowed: tuple = ()
    label: str = ""


@dataclass(frozen=True)
class Atom:
    op: str            # == != < <= > >= in notin has lacks
    ref: Ref
    value: Any


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


Node = Union[Atom, And, Or]

NEGATED = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">",
           "in": "notin", "notin": "in", "has": "lacks", "lacks": "has"}
SYMBOL = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥",
          "in": "is one of", "notin": "is not one of", "has": "includes", "lacks": "does not include"}
_COMPARE = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
            ast.In: "in", ast.NotIn: "notin"}
_MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}

Resolver = Callable[[str], Ref]   # dotted name -> Ref; raises ConditionError if unknown


# The longest condition of the shipped rules is under 500 characters; a condition is refused
# past this length (a megabyte of "or" is a mistake or an attack, and costs time to compile).
MAX_CONDITION = 10_000


def parse(text: str, resolve: Resolver) -> Node:
    if len(text) > MAX_CONDITION:
        raise ConditionError(f"condition is {len(text):,} characters long; at most {MAX_CONDITION:,}")
    try:
        # Parenthesised so that a condition may span lines in a TOML multi-line string.
        tree = ast.parse(f"(\n{text.strip()}\n)", mode="eval")
    except SyntaxError as err:
        where = f"condition line {err.lineno - 1}, column {err.offset}" if err.lineno else "condition"
        raise ConditionError(f"syntax error at {where}: {err.msg}") from None
    except (RecursionError, MemoryError):
        raise ConditionError("condition is nested too deeply") from None
    try:
        return _node(tree.body, resolve, negate=False)
    except RecursionError:
        raise ConditionError("condition is nested too deeply") from None


def _dotted(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _literal(node):
    value = None
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool)):
        value = node.value
    elif (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant)
          and isinstance(node.operand.value, (int, float)) and not isinstance(node.operand.value, bool)):
        value = -node.operand.value
    if value is None:
        raise ConditionError(f"expected a literal (string, number, true/false), found {ast.unparse(node)!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ConditionError(f"{ast.unparse(node)} is not a finite number")
    return value


def _node(node, resolve: Resolver, negate: bool) -> Node:
    if isinstance(node, ast.BoolOp):
        items = tuple(_node(v, resolve, negate) for v in node.values)
        conjunction = isinstance(node.op, ast.And) != negate   # De Morgan
        return And(items) if conjunction else Or(items)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _node(node.operand, resolve, not negate)
    if isinstance(node, ast.Compare):
        return _compare(node, resolve, negate)
    name = _dotted(node)
    if name is not None:
        ref = resolve(name)
        if ref.type != "bool":
            raise ConditionError(f"{name!r} is a {ref.type} field; compare it with a value")
        return Atom("==", ref, not negate)
    raise ConditionError(f"not allowed in a condition: {ast.unparse(node)!r} "
                         "(use and/or/not, comparisons, 'in', and field names)")


def _check_value(ref: Ref, name: str, value):
    members = value if isinstance(value, tuple) else (value,)
    for v in members:
        if ref.type in ("enum", "set") and v not in ref.allowed:
            raise ConditionError(f"{v!r} is not a value of {name}; allowed: {', '.join(ref.allowed)}")
        if ref.type in ("int", "number") and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise ConditionError(f"{name} is a number; {v!r} is not")
        if ref.type == "bool" and not isinstance(v, bool):
            raise ConditionError(f"{name} is true/false; {v!r} is not")


def _compare(node: ast.Compare, resolve: Resolver, negate: bool) -> Atom:
    if len(node.ops) != 1:
        raise ConditionError(f"one comparison at a time: {ast.unparse(node)!r}")
    op = _COMPARE.get(type(node.ops[0]))
    if op is None:
        raise ConditionError(f"operator not allowed: {ast.unparse(node)!r}")
    left, right = node.left, node.comparators[0]
    lname, rname = _dotted(left), _dotted(right)
    if op in ("in", "notin"):
        if rname is not None:                      # 'health' in tool.collects
            ref = resolve(rname)
            if ref.type != "set":
                raise ConditionError(f"{rname} is not a list of values; use ==")
            value = _literal(left)
            _check_value(ref, rname, value)
            atom = Atom("has" if op == "in" else "lacks", ref, value)
        elif lname is not None and isinstance(right, (ast.List, ast.Tuple)):   # state.code in ['CA']
            ref = resolve(lname)
            value = tuple(_literal(e) for e in right.elts)
            _check_value(ref, lname, value)
            atom = Atom(op, ref, value)
        else:
            raise ConditionError(f"use 'field in [values]' or 'value in list_field': {ast.unparse(node)!r}")
    elif lname is not None and rname is None:
        ref, value = resolve(lname), _literal(right)
        _check_value(ref, lname, value)
        atom = Atom(op, ref, value)
    elif rname is not None and lname is None:
        ref, value = resolve(rname), _literal(left)
        _check_value(ref, rname, value)
        atom = Atom(_MIRROR[op], ref, value)
    else:
        raise ConditionError(f"compare one field with one literal: {ast.unparse(node)!r}")
    if atom.ref.type == "set" and atom.op not in ("has", "lacks"):
        raise ConditionError(f"{atom.ref.key} is a list; test membership with 'value in {atom.ref.key}'")
    if atom.op in ("<", "<=", ">", ">=") and atom.ref.type not in ("int", "number"):
        raise ConditionError(f"{atom.ref.key} is not a number; use == or in")
    return Atom(NEGATED[atom.op], atom.ref, atom.value) if negate else atom


# --- three-valued evaluation (the reference semantics) ------------------------------------

def eval_atom(atom: Atom, facts: dict):
    v = facts.get(atom.ref.key)
    if v is None:
        return None
    op, x = atom.op, atom.value
    if op == "==":
        return v == x
    if op == "!=":
        return v != x
    if op == "<":
        return v < x
    if op == "<=":
        return v <= x
    if op == ">":
        return v > x
    if op == ">=":
        return v >= x
    if op == "in":
        return v in x
    if op == "notin":
        return v not in x
    if op == "has":
        return x in v
    return x not in v   # lacks


def kleene_and(values) -> bool | None:
    values = list(values)
    return False if False in values else (None if None in values else True)


def kleene_or(values) -> bool | None:
    values = list(values)
    return True if True in values else (None if None in values else False)


def _combine(node: Node, values: list):
    return kleene_and(values) if isinstance(node, And) else kleene_or(values)


def evaluate(node: Node, facts: dict):
    if isinstance(node, Atom):
        return eval_atom(node, facts)
    return _combine(node, [evaluate(item, facts) for item in node.items])


def atoms(node: Node):
    if isinstance(node, Atom):
        yield node
    else:
        for item in node.items:
            yield from atoms(item)


def deciding_atoms(node: Node, facts: dict, want, cache: dict | None = None) -> list[Atom]:
    """The atoms that make ``node`` evaluate to ``want`` (True, False or None): for "why".
    ``cache`` may be shared by calls on facts that no longer change (explaining one evaluation)."""
    values: dict = {} if cache is None else cache
    fid = id(facts)

    def value(n: Node):   # each node evaluated once, not once per level above it
        key = (id(n), fid)
        if key not in values:
            values[key] = eval_atom(n, facts) if isinstance(n, Atom) else _combine(n, [value(i) for i in n.items])
        return values[key]

    def walk(n: Node) -> list[Atom]:
        if isinstance(n, Atom):
            return [n] if value(n) is want else []
        decisive_and = want is False if isinstance(n, And) else want is True
        if decisive_and:       # one decisive child is enough: report the first
            for item in n.items:
                if value(item) is want:
                    return walk(item)
            return []
        return [a for item in n.items if value(item) is want for a in walk(item)]

    return walk(node)


def describe(atom: Atom, value=None, with_value: bool = True) -> str:
    """An atom in words, with the fact value that decided it: for "why" and open questions."""
    from reggi.facts.fields import label_of
    literal = atom.value
    if isinstance(literal, tuple):
        literal = ", ".join(str(v) for v in literal)
    elif isinstance(literal, bool):
        literal = "yes" if literal else "no"
    elif isinstance(literal, (int, float)):
        literal = label_of(atom.ref.key, literal)
    text = f"{atom.ref.label or atom.ref.key} {SYMBOL[atom.op]} {literal}"
    if with_value and atom.ref.type not in ("bool", "set"):
        text += f" (profile: {label_of(atom.ref.key, value)})"
    return text
