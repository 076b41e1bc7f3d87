"""A lower bound for the benchmark, not an engine of reggi: the rule base's condition trees compiled
to plain Python closures (the same three-valued logic and strata as the reference interpreter, no
dispatch on node types at evaluation time). ``benchmarks/batch.py`` runs it on the run's profiles,
checks its results equal the reference interpreter's, and reports how far reggi is from it."""
from __future__ import annotations

import operator

from reggi.engine.conditions import And, Atom, Node
from reggi.engine.runner import Results, Targets

_COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
            ">": operator.gt, ">=": operator.ge}


def compile_node(node: Node):
    """facts -> True | False | None, as engine.conditions.evaluate gives for ``node``."""
    if isinstance(node, Atom):
        key, x, op = node.ref.key, node.value, node.op
        if op in _COMPARE:
            compare = _COMPARE[op]
            return lambda facts: None if (v := facts.get(key)) is None else compare(v, x)
        if op == "in":
            return lambda facts: None if (v := facts.get(key)) is None else v in x
        if op == "notin":
            return lambda facts: None if (v := facts.get(key)) is None else v not in x
        if op == "has":
            return lambda facts: None if (v := facts.get(key)) is None else x in v
        return lambda facts: None if (v := facts.get(key)) is None else x not in v   # lacks
    parts = tuple(compile_node(item) for item in node.items)
    decisive = not isinstance(node, And)   # one False decides an and, one True an or

    def group(facts):
        unknown = False
        for part in parts:
            value = part(facts)
            if value is decisive:
                return decisive
            if value is None:
                unknown = True
        return None if unknown else not decisive
    return group


class CompiledEvaluator:
    """The runner's evaluator protocol on compiled closures (see engine.runner)."""

    def __init__(self, rulebase):
        self.compiled = {rule.id: compile_node(rule.node) for stratum in rulebase.strata for rule in stratum}

    def evaluate(self, index: int, rules: list, targets: Targets, only: frozenset | None = None) -> Results:
        out = Results()
        compiled = self.compiled
        for rule in rules:
            test, rid = compiled[rule.id], rule.id
            for ctx in targets(rule):
                value = test(ctx.facts)
                if value is not False:
                    out[(rid, ctx.id)] = value
        return out
