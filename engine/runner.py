"""Forward chaining in strata, shared by both engines.

Each stratum's rules are evaluated on their contexts by an *evaluator* (durable-rules, or the
reference interpreter); the facts a stratum derives are written into the contexts before the next
stratum runs. Only the evaluator differs between the engines, so the differential test compares
exactly the part that matters.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from reggi.engine.conditions import evaluate, kleene_or

if TYPE_CHECKING:   # only for annotations: importing EngineError loads no rule base or pydantic
    from reggi.engine.rulebase import Rule, RuleBase
    from reggi.facts.fields import Context

class Results(dict):
    """(rule id, context id) -> True, or None (unknown), for the results that are not false: a
    pair that is absent is false. Both engines keep only these, so what an evaluation costs after
    the engine step (derived facts, findings, coverage) grows with what fired, not with every rule
    times every context."""

    def __missing__(self, key):
        return False


class EngineError(RuntimeError):
    """The engine failed (not the input): a limit of durable-rules' C core, an error code or an
    exception from it. Callers name the profile or record and go on, or exit 2; never a traceback."""


class Evaluator(Protocol):
    def evaluate(self, index: int, rules: list[Rule], targets: "Targets",
                 only: frozenset | None = None) -> Results:
        """The results of ``rules`` (stratum ``index``'s rules in play) on their targets. ``only``:
        the ids of these rules when they are a part of the stratum's (some statutes' rules), for
        an engine that evaluates whole rulesets; None when they are all of them."""


class Targets:
    """The contexts each rule is evaluated on: those of its scope, and of its state if it has one.
    Grouped once per evaluation, because scanning every context for every rule was a tenth of the
    time of a batch run."""

    def __init__(self, contexts: list[Context]):
        self.groups: dict[tuple[str, str | None], list[Context]] = {}
        for c in contexts:
            self.groups.setdefault((c.scope, None), []).append(c)
            self.groups.setdefault((c.scope, c.state), []).append(c)
        # The jurisdictions in play: rules of any other have no contexts and are skipped.
        self.states = frozenset(c.state for c in contexts)

    def __call__(self, rule: Rule) -> list[Context]:
        return self.groups.get((rule.scope, rule.jurisdiction), [])


class ReferenceEvaluator:
    """The oracle: the condition tree evaluated directly in three-valued logic."""

    def evaluate(self, index: int, rules: list[Rule], targets: Targets,
                 only: frozenset | None = None) -> Results:
        out = Results()
        for rule in rules:
            node, rid = rule.node, rule.id
            for ctx in targets(rule):
                value = evaluate(node, ctx.facts)
                if value is not False:
                    out[(rid, ctx.id)] = value
        return out


def run(rulebase: RuleBase, contexts: list[Context], evaluator: Evaluator,
        statutes: frozenset | None = None) -> Results:
    """Every stratum in order, on these contexts (as facts.fields.contexts makes them: one state
    context per state, with its tools' contexts); with ``statutes``, only the rules their
    findings rest on (see RuleBase.closure)."""
    # Per state: the facts of all its contexts, and of its tools alone.
    by_state: dict[str, list[dict]] = {}
    tools: dict[str, list[dict]] = {}
    for ctx in contexts:
        by_state.setdefault(ctx.state, []).append(ctx.facts)
        tools.setdefault(ctx.state, [])
        if ctx.scope == "tool":
            tools[ctx.state].append(ctx.facts)
    by_id = {ctx.id: ctx for ctx in contexts}
    results = Results()
    targets = Targets(contexts)
    for index in range(len(rulebase.strata)):
        # Only the rules of the jurisdictions in play (and shared ones): the rest have no
        # contexts here, and skipping them keeps a profile's cost independent of the rule base.
        play = rulebase.in_play(index, targets.states, statutes)
        # Aggregates over a state's tools ("any tool collects sensitive data") are joins, done here
        # once their inputs are final, so that each rule matches a single context.
        for state, every in by_state.items():
            for key in play.aggregates[state]:
                inner = key[len("any_tool."):]
                value = kleene_or([facts.get(inner) for facts in tools[state]])
                for facts in every:
                    facts[key] = value
        if not play.rules:
            continue
        try:
            out = evaluator.evaluate(index, play.rules, targets, play.only)
        except EngineError:
            raise
        except Exception as err:   # whatever it is, the user gets words, not a traceback
            raise EngineError(f"{type(err).__name__} in stratum {index}: {err}") from err
        results.update(out)
        # Derived facts: false, unless their rule is true or unknown on the context. A state-level
        # fact is seen by every context of its state (its tools too).
        for state, every in by_state.items():
            state_level, tool_level = play.falses[state]
            if state_level:
                for facts in every:
                    facts.update(state_level)
            if tool_level:
                for facts in tools[state]:
                    facts.update(tool_level)
        derives = play.derives
        for (rule_id, ctx_id), value in out.items():
            derived = derives.get(rule_id)
            if derived is not None:
                key, scope = derived
                ctx = by_id[ctx_id]
                for facts in by_state[ctx.state] if scope == "state" else (ctx.facts,):
                    facts[key] = value
    return results
