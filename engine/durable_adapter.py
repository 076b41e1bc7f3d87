"""The one place that knows durable-rules (2.0.28). Nothing else imports it.

What this adapter does about the engine's known limits (see README, "Architecture"):
- no background threads: ``_run`` is overridden, nothing polls;
- one ruleset per (stratum, rule file), so no alpha node gets near 64 successors and no
  ruleset near the beta limit;
- every ruleset has a sentinel rule that matches any fact but never fires, so asserting a fact
  no real rule matches does not raise ``MessageNotHandledException``;
- every fact carries a unique id, and a session is deleted right after its assert, so state
  never accumulates and the 1,024-session limit is never approached (a session in which no
  rule fired must be read before it is deleted, or the C core aborts);
- the returned state is checked for an ``exception`` key, which durable-rules uses instead of
  raising when an action fails.

Unknown facts: a context with unknown values is asserted twice. In the *lower* copy an unknown
attribute is absent, so every comparison on it is false; in the *upper* copy (``_u`` = 1) each
comparison on an absent attribute is compiled to hold. Conditions are in negation normal form,
so a rule fires in the lower copy exactly when it is true in Kleene logic, and in the upper copy
exactly when it is not false: fired in lower = true, only in upper = unknown, neither = false.
"""
from __future__ import annotations

import itertools
import json

from durable import engine as durable_engine

from engine.conditions import And, Atom, Node, atoms
from engine.rulebase import Rule, RuleBase
from engine.runner import Results, targets
from facts.fields import Context

_SID = "reggi"   # one session per ruleset, emptied after every evaluation
_OPS = {"==": "$eq", "!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}


class DurableError(RuntimeError):
    pass


class _Host(durable_engine.Host):
    """A Host that starts no timer threads and routes every rule to one recorder."""

    def __init__(self):
        self.fired: list[tuple[str, str]] = []
        super().__init__()

    def _run(self):   # the base class starts polling threads here; we dispatch synchronously
        pass

    def get_action(self, name):
        fired = self.fired

        def record(c):
            fired.append((name, c.m["id"]))
        return record


def _attr_key(atom: Atom) -> str:
    return f"{atom.ref.key}={atom.value}" if atom.op in ("has", "lacks") else atom.ref.key


class _Compiled:
    def __init__(self, name: str, rules: list[Rule], attrs: dict[str, str]):
        self.name = name
        self.rules = rules
        self.keys = sorted({_attr_key(a) for r in rules for a in atoms(r.node)})
        self.attrs = attrs


class DurableEvaluator:
    _hosts = itertools.count()

    def __init__(self, rulebase: RuleBase):
        self.host = _Host()
        self.attrs: dict[str, str] = {}
        self.partitions: list[list[_Compiled]] = []
        self.rule_of_action: dict[str, Rule] = {}
        prefix = f"h{next(self._hosts)}"
        definitions = {}
        for index, stratum in enumerate(rulebase.strata):
            groups: dict[str, list[Rule]] = {}
            for rule in stratum:
                groups.setdefault(rule.file, []).append(rule)
            compiled = []
            for file, rules in sorted(groups.items()):
                name = f"{prefix}s{index}p{len(compiled)}"
                definition = {"sentinel": {"all": [{"m": {"$ex": {"id": 1}}}, {"n": {"$eq": {"_never": 1}}}],
                                           "run": "sentinel"}}
                for rule in rules:
                    action = f"r{len(self.rule_of_action)}"
                    self.rule_of_action[action] = rule
                    cond = {"$and": [{"$eq": {"_s": rule.scope}}, self._compile(rule.node)]}
                    definition[action] = {"all": [{"m": cond}], "run": action}
                definitions[name] = definition
                compiled.append(_Compiled(name, rules, self.attrs))
            self.partitions.append(compiled)
        for name, definition in definitions.items():
            try:
                self.host.set_rulesets({name: definition})
            except Exception as err:   # error 108/113/303 etc. from the C core
                ids = [self.rule_of_action[a].id for a in definition if a in self.rule_of_action]
                raise DurableError(f"durable-rules rejected the ruleset for {', '.join(ids)}: {err}") from err

    # --- compiling conditions ---------------------------------------------------------------

    def _attr(self, key: str) -> str:
        if key not in self.attrs:
            self.attrs[key] = f"a{len(self.attrs)}"
        return self.attrs[key]

    def _compile(self, node: Node) -> dict:
        if isinstance(node, Atom):
            return self._atom(node)
        op = "$and" if isinstance(node, And) else "$or"
        items = []
        for item in node.items:
            compiled = self._compile(item)
            # Splice nested same-operator groups: the C core rejects an $or nested in an $or
            # beyond about seven members (error 113), while the flat form is accepted.
            items += compiled[op] if op in compiled else [compiled]
        return {op: items}

    def _atom(self, atom: Atom) -> dict:
        attr = self._attr(_attr_key(atom))
        if atom.op in _OPS:
            test = {_OPS[atom.op]: {attr: atom.value}}
        elif atom.op == "in":
            test = {"$or": [{"$eq": {attr: v}} for v in atom.value]}
        elif atom.op == "notin":
            test = {"$and": [{"$neq": {attr: v}} for v in atom.value]}
        else:   # has / lacks: one boolean attribute per set member
            test = {"$eq": {attr: atom.op == "has"}}
        if atom.ref.key == "asof":     # the evaluation date is always known
            return test
        unknown = {"$and": [{"$eq": {"_u": 1}}, {"$nex": {attr: 1}}]}
        return {"$or": [test, unknown]}

    # --- evaluating -------------------------------------------------------------------------

    def _fact(self, part: _Compiled, ctx: Context) -> tuple[dict, bool]:
        fact, unknown = {"_s": ctx.scope}, False
        for key in part.keys:
            base, _, member = key.partition("=")
            value = ctx.facts.get(base)
            if value is None:
                unknown = True
                continue
            fact[self.attrs[key]] = (member in value) if member else value
        return fact, unknown

    def evaluate(self, index: int, rules: list[Rule], contexts: list[Context]) -> Results:
        results: Results = {}
        for part in self.partitions[index]:
            wanted = {c.id: c for r in part.rules for c in targets(r, contexts)}
            if not wanted:
                continue
            facts = []
            for ctx_id in sorted(wanted):
                fact, unknown = self._fact(part, wanted[ctx_id])
                facts.append({**fact, "id": f"{ctx_id}|0", "sid": _SID, "_u": 0})
                if unknown:
                    facts.append({**fact, "id": f"{ctx_id}|1", "sid": _SID, "_u": 1})
            self.host.fired.clear()
            try:
                state = self.host.assert_facts(part.name, facts)
            finally:
                # Retract rather than delete the session: delete_state can free an invalid
                # pointer in the C core (measured). Retracting leaves the session empty.
                self.host.retract_facts(part.name, facts)
            if state and "exception" in state:
                raise DurableError(f"durable-rules action failed in {part.name}: {state['exception']}")
            fired = {(self.rule_of_action[a].id, fact_id) for a, fact_id in self.host.fired}
            for rule in part.rules:
                for ctx in targets(rule, contexts):
                    if (rule.id, f"{ctx.id}|0") in fired:
                        results[(rule.id, ctx.id)] = True
                    elif (rule.id, f"{ctx.id}|1") in fired:
                        results[(rule.id, ctx.id)] = None
                    else:
                        results[(rule.id, ctx.id)] = False
        return results

    def definitions_json(self) -> str:
        """The compiled rulesets, for inspection (``reggi rules compile``)."""
        return json.dumps({p.name: [r.id for r in p.rules] for s in self.partitions for p in s}, indent=2)
