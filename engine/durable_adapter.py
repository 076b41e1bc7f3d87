"""The one place that knows durable-rules (2.0.28). Nothing else imports it.

durable-rules is a Rete engine in C (``durable_rules_engine``) with a Python layer (``durable.engine``)
that runs actions through closures, JSON round trips of the session state and polling threads. This
adapter keeps the C core (ruleset compilation, matching, agenda) and replaces the Python layer with
a short synchronous loop: assert the facts, take each fired action from the agenda, record
(rule, fact id), complete it. Measured on the example profile, the Python layer cost about 20 us per
firing; the loop below costs a fraction of that, with the same matches.

What it does about the engine's known limits (see README, "Architecture"):
- no threads: nothing polls, the agenda is drained right after each assert;
- rules split and rulesets partitioned under the C core's limits (see "Limits of the C core"
  below), so a maintainer need not know them;
- a fact no rule of the ruleset matches makes the core answer "message not handled" (code 1)
  for the whole assert, yet every other fact of it is matched as usual and the unmatched fact
  is not stored: that fact is false for every rule (a sentinel rule matching every fact, joined
  with one that never holds, avoided the code but cost about a fifth of the core's time). The
  core answers only the last code of an assert, so code 1 can hide a code 2 ("already
  observed": a fact left in the session); no fact is left, because a failed retract replaces
  the ruleset (``_renew``);
- nested ``$or`` groups are spliced flat: an ``$or`` nested in an ``$or`` with eight or more
  members makes ruleset creation fail with error 113;
- every fact carries a unique id; one session per ruleset is emptied by retracting the facts
  after each evaluation, because deleting a session (``delete_state``) aborted the process with
  ``free(): invalid pointer`` in our measurements. State never accumulates;
- every call into the C core is wrapped (``_core``): a code or exception from it becomes a
  DurableError in words, and a ruleset a failure may have left facts in is replaced;
- the C core tells facts and properties apart by a 32-bit FNV-1a hash of their names, so no name
  it sees comes from user text: fact ids are short names from a pool whose hashes are pairwise
  distinct (a context's id, which holds the tool's name, stays on the Python side), and property
  names are drawn from the same kind of pool, disjoint from ``id`` and ``sid``;
- no number reaches the C core as the profile wrote it: its parser reads an exponent only after a
  decimal point (``1e-05`` was read as 1 and the rest of the text as garbage, which crashed or
  changed findings) and holds integers in 64 bits. Every numeric attribute is replaced by its
  rank among the constants the rules compare it with (``_Scale``): small integers that order and
  compare exactly as the values do, for any value a profile can hold.

Unknown facts: a context with unknown values is asserted twice. In the *lower* copy an unknown
attribute is absent, so every comparison on it is false; in the *upper* copy the attribute's
*marker* is 1, and each comparison is compiled as "holds, or the marker is 1". Conditions are
in negation normal form, so a rule fires in the lower copy exactly when it is true in Kleene
logic, and in the upper copy exactly when it is not false: fired in lower = true, only in
upper = unknown, neither = false. A rule split into several durable rules takes each part's
value so read and combines them with the condition's own and/or, in the same logic.
"""
from __future__ import annotations

import bisect
import itertools
import json
import os
import re
from typing import NamedTuple

import durable_rules_engine as core

from reggi.engine.conditions import And, Atom, Node, Or, Ref, kleene_and, kleene_or
from reggi.engine.rulebase import Rule, RuleBase, _no_gc
from reggi.engine.runner import EngineError, Results, Targets
from reggi.facts.fields import Context
from reggi.facts.vocabulary import FEDERAL, StateCode

_SID = "reggi"   # one session per ruleset, emptied after every evaluation
_OPS = {"==": "$eq", "!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}


class DurableError(EngineError):
    """Anything the C core refused or failed at, with its error code in words."""


# The C core's error codes (src/rules/rules.h) that a rule base or a profile can reach.
_CODES = {2: "two facts alike in one session (message observed): their ids or contents collide",
          101: "out of memory", 102: "a value of an unexpected type", 103: "a name too long",
          106: "too many rules in one ruleset", 108: "too many joins in one ruleset (beta limit)",
          113: "a condition too wide (expression limit)", 201: "a value it cannot parse",
          203: "a number it cannot parse", 302: "a fact with more than 255 properties",
          303: "more than 64 tests pending for one fact (the alpha traversal stack)",
          304: "too many facts in one match", 313: "a fact too large", 314: "a property too large"}


def _core(what: str, call, *args):
    """A call into the C core; whatever it raises (RulesError with a code, MemoryError at its
    session or handle limits) becomes a DurableError saying what it was doing and why."""
    try:
        return call(*args)
    except Exception as err:
        raise _failure(what, err) from err


def _failure(what: str, err: Exception) -> DurableError:
    m = re.search(r"error code: (\d+)", str(err))
    why = (f"error {m.group(1)}: {_CODES.get(int(m.group(1)), 'see src/rules/rules.h')}" if m
           else f"{type(err).__name__}: {err}" if str(err) else type(err).__name__)
    return DurableError(f"durable-rules failed to {what} ({why})")


def fnv1a_32(text: str) -> int:
    """The C core's hash of a name (state.c ``fnv1Hash32``, json.c ``getStringAndHash``): FNV-1a
    over the bytes, each read as a signed ``char`` (so bytes >= 0x80 are sign-extended)."""
    h = 0x811C9DC5
    for b in text.encode("utf-8"):
        h = ((h ^ (b | 0xFFFFFF00 if b >= 0x80 else b)) * 16777619) & 0xFFFFFFFF
    return h


# Names the core reads in every fact: no generated name may hash like one of them.
_RESERVED = ("id", "sid", "_s", "_u")


class _Names:
    """``prefix0``, ``prefix1``, ...: names whose FNV-1a hashes are pairwise distinct and distinct
    from those of ``_RESERVED`` (a candidate that would collide is skipped). The n-th name is the
    same for every evaluation, so any n first names are safe together."""

    def __init__(self, prefix: str, taken: set[int]):
        self.prefix, self.taken, self.names, self.tried = prefix, taken, [], 0

    def __getitem__(self, n: int) -> str:
        while len(self.names) <= n:
            name = f"{self.prefix}{self.tried}"
            self.tried += 1
            h = fnv1a_32(name)
            if h not in self.taken:
                self.taken.add(h)
                self.names.append(name)
        return self.names[n]


_FACT_IDS = _Names("f", {fnv1a_32(n) for n in _RESERVED})


class _Scale:
    """The constants rules compare a numeric attribute with, sorted: a value is handed to the C
    core as its rank, 2i+1 if it equals the i-th constant, 2i if it lies between the (i-1)-th and
    the i-th. Every comparison with a constant gives on the ranks what it gives on the values
    (Python compares ints and floats exactly), and ranks are small integers the core parses
    exactly."""

    def __init__(self, constants):
        self.constants = sorted(set(constants))

    def __call__(self, value) -> int:
        i = bisect.bisect_left(self.constants, value)
        return 2 * i + 1 if i < len(self.constants) and self.constants[i] == value else 2 * i


def _numeric(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _constants(node: Node, out: dict[str, list]) -> None:
    """Numeric constants of every atom, by attribute key."""
    if isinstance(node, Atom):
        values = node.value if node.op in ("in", "notin") else (node.value,)
        for v in values:
            if _numeric(v):
                out.setdefault(_attr_key(node), []).append(v)
    else:
        for item in node.items:
            _constants(item, out)


def _attr_key(atom: Atom) -> str:
    if atom.op == "hasany":
        return f"{atom.ref.key}={'|'.join(atom.value)}"
    return f"{atom.ref.key}={atom.value}" if atom.op in ("has", "lacks") else atom.ref.key


class _Compiled:
    """One jurisdiction's part of a stratum: the durable rules of its ruleset (its own and the
    shared rules, of no jurisdiction, that its contexts also see). Jurisdictions whose rulesets
    are the same text share one ruleset, by name."""

    def __init__(self, name: str, rules: list[Rule], rule_keys: dict[str, set[str]], jurisdiction: str):
        self.name = name
        self.rules = rules
        self.rule_keys = rule_keys       # rule id -> attribute keys its compiled condition reads
        self._keys: dict[tuple[str, str], list[str]] = {}
        # The contexts it is asserted: its jurisdiction's, of its rules' scopes (see Targets).
        self.slots = sorted({(r.scope, jurisdiction) for r in rules})
        self.rule_ids = frozenset(r.id for r in rules)
        # Per scope, the facts that gate all its rules here (see _gate), or None: a context on
        # which every one of them is false fires nothing, and is not asserted.
        self.gates: dict[str, tuple[str, ...] | None] = {}
        for scope in {r.scope for r in rules}:
            keys = {_gate(r.node) for r in rules if r.scope == scope}
            self.gates[scope] = None if None in keys else tuple(sorted(keys))

    def keys(self, ctx: Context) -> list[str]:
        """Attributes that the rules of this context's scope read: a context is asserted twice
        only if one of them is unknown."""
        slot = (ctx.scope, ctx.state)
        if slot not in self._keys:
            self._keys[slot] = sorted({k for r in self.rules if r.scope == ctx.scope for k in self.rule_keys[r.id]})
        return self._keys[slot]


def _gate(node: Node) -> str | None:
    """A true/false fact the condition requires to be true (a conjunct "fact == true"), the
    statute's "applies" first: where it is false the condition is false, and so is every durable
    rule made of it (a rule split into parts is their and, so false too)."""
    items = node.items if isinstance(node, And) else (node,)
    required = [a.ref.key for a in items if isinstance(a, Atom) and a.op == "==" and a.value is True
                and a.ref.type == "bool"]
    return next((k for k in required if k.startswith("applies.")), required[0] if required else None)


# Limits of the C core (src/rules/rete.h, events.c) and what the adapter keeps under them:
# - a rule's $and/$or groups: each takes two of the 32 entries of its beta node's expression
#   sequence (error 113 past 15 groups);
# - the alpha nodes waiting on the traversal stack while a fact passes through a ruleset: 64
#   (error 303 at assert time). Each rule adds one, and each $or one per member that matches
#   beyond the first (_pending); the unknown-marker alternative of a test never matches together
#   with the test, so it adds none. Measured: 32 rules each testing an $or of two members that
#   both match overflow it (2 x 32 + the scope node);
# - properties of a fact: 255 (error 302).
# A rule whose condition is too big for one durable rule is split into several (see _plan); the
# adapter combines their results in three-valued logic, exactly as the condition combines them.
MAX_GROUPS = 12             # $and/$or groups in one durable rule (the core allows 15)
MAX_PENDING = 16            # stack entries one durable rule may add
MAX_PENDING_PER_SLOT = 48   # ... all rules one fact reaches together (the stack holds 64; see _Load)
MAX_KEYS_PER_SLOT = 100     # attributes (each with its unknown marker) of a fact: 255 at most
MAX_RULES_PER_RULESET = 1024   # the core refuses a ruleset past 4,096 (error 106)
# Contexts asserted at once. Every rule matches one fact, so contexts may go in any grouping; the
# core's time per fact grows with the facts in one session (9 us at 100, 26 us at 12,000), so a
# profile with thousands of tools is asserted a few hundred contexts at a time: cost stays linear.
ASSERT_CONTEXTS = 256


def _groups(cond: dict) -> int:
    return sum(1 + sum(_groups(c) for c in v) for k, v in cond.items() if k in ("$and", "$or"))


def _extra(node: Node) -> int:
    """Stack entries beyond one that ``node`` may leave waiting: an $or's members may all match."""
    if isinstance(node, Atom):
        return 0
    inner = sum(_extra(item) for item in node.items)
    return inner + (len(node.items) - 1 if isinstance(node, Or) else 0)


def _pending(node: Node) -> int:
    return 1 + _extra(node)


def _fits(cond: dict, node: Node) -> bool:
    return _groups(cond) <= MAX_GROUPS and _pending(node) <= MAX_PENDING


def _widened(atom: Atom) -> Node:
    """A membership test as the Or (And) of its comparisons, so that it can be split."""
    if atom.op == "in":
        return Or(tuple(Atom("==", atom.ref, v) for v in atom.value))
    if atom.op == "notin":
        return And(tuple(Atom("!=", atom.ref, v) for v in atom.value))
    return atom


class _Leaf(NamedTuple):
    rule: Rule
    action: str
    cond: dict
    keys: frozenset
    pending: int


class _Load:
    """What the rules of one ruleset put on the facts that reach them. A ruleset is one
    jurisdiction's (its rules and the shared ones), and a fact reaches only the rules of its
    scope: every rule tests the scope first, that node is shared, and only the successors whose
    test matches go on the core's traversal stack. So the stack and property limits hold per
    (scope, state) slot, counting the shared rules of the scope with the state's own."""

    def __init__(self):
        self.leaves: list[_Leaf] = []
        self.pending: dict[tuple, int] = {}      # slot -> stack entries of its own rules
        self.keys: dict[tuple, frozenset] = {}   # slot -> attributes of its own rules

    def _with(self, more: list[_Leaf]) -> tuple[dict, dict]:
        pending, keys = dict(self.pending), dict(self.keys)
        for leaf in more:
            slot = (leaf.rule.scope, leaf.rule.jurisdiction)
            pending[slot] = pending.get(slot, 0) + leaf.pending
            keys[slot] = keys.get(slot, frozenset()) | leaf.keys
        return pending, keys

    def fits(self, more: list[_Leaf]) -> bool:
        if len(self.leaves) + len(more) > MAX_RULES_PER_RULESET:
            return False
        pending, keys = self._with(more)
        for scope, state in pending:
            shared = (scope, None)
            total = pending[(scope, state)] + (pending.get(shared, 0) if state is not None else 0)
            width = keys[(scope, state)] | (keys.get(shared, frozenset()) if state is not None else frozenset())
            if total > MAX_PENDING_PER_SLOT or len(width) > MAX_KEYS_PER_SLOT:
                return False
        return True

    def add(self, more: list[_Leaf]) -> None:
        self.pending, self.keys = self._with(more)
        self.leaves.extend(more)


def _partition(leaves: list[_Leaf]) -> list[list[_Leaf]]:
    """Durable rules into rulesets, in rule-file order, each under the limits above; the rules of
    one file stay together where they fit."""
    chunks: list[_Load] = []
    groups: dict[str, list[_Leaf]] = {}
    for leaf in leaves:
        groups.setdefault(leaf.rule.file, []).append(leaf)
    for file in sorted(groups):
        rest = groups[file]
        if chunks and chunks[-1].fits(rest):
            chunks[-1].add(rest)
            continue
        chunks.append(_Load())
        for leaf in rest:
            if not chunks[-1].fits([leaf]):
                chunks.append(_Load())
            chunks[-1].add([leaf])
    return [c.leaves for c in chunks if c.leaves]


PLAN_FORMAT = 9   # of the plan kept with a rule base (see DurableEvaluator._PLANNED)


def _core_identity() -> tuple:
    """The C core a plan's rulesets were all created with (see DurableEvaluator.__init__)."""
    where = getattr(core, "__file__", None)
    if where is None:
        return (None,)
    found = os.stat(where)
    return where, found.st_size, found.st_mtime_ns


_CORE = _core_identity()
# Every jurisdiction a context can have: the states, DC and the federal contexts.
_JURISDICTIONS = frozenset(StateCode.values()) | {FEDERAL}


class DurableEvaluator:
    _hosts = itertools.count()

    # What planning leaves (everything but the C core's handles): kept with the rule base, and so
    # in its cache, because planning is half the time of compiling the shipped rules.
    _PLANNED = ("attrs", "partitions", "rule_of_action", "rule_keys", "_attr_names", "scales",
                "_actions", "plans", "definitions", "true_only")

    def __init__(self, rulebase: RuleBase):
        self.prefix = f"h{next(self._hosts)}"     # ruleset names of this evaluator in the C core
        self.handles: dict[str, int] = {}    # ruleset name -> the core's handle, once created
        self._renewals = itertools.count(1)
        with _no_gc():   # thousands of small objects that live as long as the evaluator
            planned = getattr(rulebase, "durable_plan", None)
            if planned is not None and planned.get("format") == PLAN_FORMAT:
                for name in self._PLANNED:
                    setattr(self, name, planned[name])
            else:
                self._build(rulebase)
            if planned is None or planned.get("format") != PLAN_FORMAT or planned.get("core") != _CORE:
                # A new plan (new rules or code) or another C core: create every ruleset now, so
                # that one the core rejects fails at start, naming its rules. A plan so checked
                # creates its rulesets when a context first needs them.
                self.create_rulesets()
                rulebase.remember("durable_plan", {"format": PLAN_FORMAT, "core": _CORE,
                                                   **{name: getattr(self, name) for name in self._PLANNED}})
        self._readers: dict[tuple, tuple] = {}
        # Actions that are a whole rule (not a part of a split one), with the rule's id.
        self._direct = {action: rule.id for action, rule in self.rule_of_action.items()
                        if self.plans[rule.id] == action}

    def _build(self, rulebase: RuleBase) -> None:
        self.attrs: dict[str, str] = {}
        self.partitions: list[dict[str, list[_Compiled]]] = []   # per stratum, by jurisdiction
        self.rule_of_action: dict[str, Rule] = {}
        self.rule_keys: dict[str, set[str]] = {}
        self._attr_names = _Names("a", {fnv1a_32(n) for n in _RESERVED})
        actions = _Names("r", set())    # rule names of a ruleset, likewise
        found: dict[str, list] = {}
        for stratum in rulebase.strata:
            for rule in stratum:
                _constants(rule.node, found)
        self.scales = {key: _Scale(values) for key, values in found.items()}
        tested_true, tested_otherwise = set(), set()   # attribute keys, by how rules test them
        self._tests = (tested_true, tested_otherwise)
        self._actions = actions
        self.plans: dict[str, object] = {}     # rule id -> action name, or (kleene op, [plans])
        definitions = {}
        for index, stratum in enumerate(rulebase.strata):
            leaves: list[_Leaf] = []
            for rule in stratum:
                used: set[str] = set()
                self.plans[rule.id] = self._plan(rule, rule.node, used, leaves)
                self.rule_keys[rule.id] = used
            # Rulesets per jurisdiction, each with the shared rules too: a context is asserted
            # to its jurisdiction's rulesets only (one, unless its rules overflow one), and only
            # the rulesets of the jurisdictions a profile serves are ever created (creating
            # every state's took a fifth of a start). Shared rules see every jurisdiction's
            # contexts, so they have a ruleset for every jurisdiction, covered or not.
            own: dict[str, list[_Leaf]] = {}
            for leaf in leaves:
                own.setdefault(leaf.rule.jurisdiction, []).append(leaf)
            shared = own.pop(None, [])
            compiled: dict[str, list[_Compiled]] = {}
            # Definition -> ruleset name: the jurisdictions with no rules of their own in the
            # stratum share one ruleset of the shared rules.
            same: dict[str, str] = {}
            for jurisdiction in sorted(own.keys() | (_JURISDICTIONS if shared else set())):
                for n, chunk in enumerate(_partition(own.get(jurisdiction, []) + shared)):
                    # cap: all of a rule's matches come in one action (see _assert).
                    text = json.dumps({leaf.action: {"all": [{"m": leaf.cond}], "cap": 2 * ASSERT_CONTEXTS}
                                       for leaf in chunk})
                    name = same.setdefault(text, f"s{index}{jurisdiction}{n}")
                    definitions[name] = text
                    rules = list({leaf.rule.id: leaf.rule for leaf in chunk}.values())
                    compiled.setdefault(jurisdiction, []).append(_Compiled(name, rules, self.rule_keys, jurisdiction))
            self.partitions.append(compiled)
        self.definitions = definitions   # ruleset name -> its JSON text, as the core takes it
        # Attributes that every rule tests only for being true: false is left out of the facts,
        # since an absent attribute fails a test for true just as false does (a third of the
        # attributes asserted were such falses).
        self.true_only = frozenset(tested_true - tested_otherwise)
        del self._tests

    def _create(self, part: "_Compiled", name: str) -> int:
        ids = [r.id for r in part.rules]
        shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        handle = _core(f"create the ruleset of rules {shown}", core.create_ruleset, name, self.definitions[part.name])
        self.handles[part.name] = handle
        return handle

    def create_rulesets(self) -> None:
        """Every ruleset of the plan, created now rather than when first needed."""
        for parts in self.partitions:
            for part in (p for ps in parts.values() for p in ps):
                self._handle(part)

    def _handle(self, part: "_Compiled") -> int:
        """The part's ruleset in the core, created the first time a context needs it."""
        handle = self.handles.get(part.name)
        return self._create(part, self.prefix + part.name) if handle is None else handle

    def _renew(self, part: "_Compiled") -> None:
        """A fresh ruleset in place of one a failure may have left facts in, so that the next
        evaluation starts clean."""
        try:
            self._create(part, f"{self.prefix}{part.name}n{next(self._renewals)}")
        except DurableError:
            pass    # the next evaluation reports its own failure

    def _plan(self, rule: Rule, node: Node, used: set[str], leaves: list[_Leaf]):
        """The durable rules that evaluate ``node`` for ``rule``: one if it fits the core's limits,
        else one per group of its operands that fits (recursively), combined by the adapter."""
        # Scope first: a ruleset holds state and tool rules. No jurisdiction test: a ruleset is
        # one jurisdiction's and sees only its contexts.
        guard = [{"$eq": {"_s": rule.scope}}]

        def whole(n: Node, keys: set[str]) -> dict:
            return {"$and": guard + [self._compile(n, keys)]}

        keys: set[str] = set()
        cond = whole(node, keys)
        if _fits(cond, node):
            action = self._actions[len(self.rule_of_action)]
            self.rule_of_action[action] = rule
            used |= keys
            leaves.append(_Leaf(rule, action, cond, frozenset(keys), _pending(node)))
            return action
        node = _widened(node) if isinstance(node, Atom) else node
        if isinstance(node, Atom):
            raise DurableError(f"rule {rule.id} ({rule.file}:{rule.line}): a single test too big for durable-rules")
        group, parts, current = type(node), [], []
        for item in node.items:
            trial = group((*current, item))
            if _fits(whole(trial, set()), trial):
                current.append(item)
                continue
            if current:
                parts.append(self._plan(rule, group(tuple(current)), used, leaves))
            current = [item]
            if not _fits(whole(item, set()), item):
                parts.append(self._plan(rule, item, used, leaves))
                current = []
        if current:
            parts.append(self._plan(rule, group(tuple(current)), used, leaves))
        return (kleene_and if group is And else kleene_or, parts)

    # --- compiling conditions ---------------------------------------------------------------

    def _attr(self, key: str) -> str:
        if key not in self.attrs:
            self.attrs[key] = self._attr_names[len(self.attrs)]
        return self.attrs[key]

    def _core_value(self, key: str, value):
        """What the C core is given for ``value`` of attribute ``key`` (see _Scale)."""
        return self.scales[key](value) if _numeric(value) and key in self.scales else value

    def _compile(self, node: Node, used: set[str]) -> dict:
        if isinstance(node, Atom):
            return self._atom(node, used)
        op = "$and" if isinstance(node, And) else "$or"
        children = list(node.items)
        if op == "$or":
            # "'a' in s or 'b' in s or ...": one test "s has any of a, b" instead of one DNF term
            # per member, each of which would fire separately when several hold.
            members: dict[Ref, list] = {}
            for item in children:
                if isinstance(item, Atom) and item.op == "has":
                    members.setdefault(item.ref, []).append(item.value)
            children = [c for c in children if not (isinstance(c, Atom) and c.op == "has" and len(members[c.ref]) > 1)]
            children += [Atom("hasany", ref, tuple(sorted(values))) for ref, values in members.items() if len(values) > 1]
        items = []
        for item in children:
            compiled = self._compile(item, used)
            # Splice nested same-operator groups: the C core rejects an $or nested in an $or
            # beyond about seven members (error 113), while the flat form is accepted.
            items += compiled[op] if op in compiled else [compiled]
        return {op: items}

    def _atom(self, atom: Atom, used: set[str]) -> dict:
        key = _attr_key(atom)
        used.add(key)
        attr = self._attr(key)
        if atom.op in _OPS:
            test = {_OPS[atom.op]: {attr: self._core_value(key, atom.value)}}
        elif atom.op == "in":
            test = {"$or": [{"$eq": {attr: self._core_value(key, v)}} for v in atom.value]}
        elif atom.op == "notin":
            test = {"$and": [{"$neq": {attr: self._core_value(key, v)}} for v in atom.value]}
        else:   # has / hasany / lacks: a boolean attribute per set member (or group of members)
            test = {"$eq": {attr: atom.op != "lacks"}}
        true_only = atom.op in ("has", "hasany") or (atom.op == "==" and atom.value is True)
        self._tests[0 if true_only else 1].add(key)
        if atom.ref.key == "asof":     # the evaluation date is always known
            return test
        # In the upper copy of a context an unknown attribute's marker is 1 (see _fact).
        return {"$or": [test, {"$eq": {self._attr(key + "?"): 1}}]}

    # --- evaluating -------------------------------------------------------------------------

    def _build_reader(self, slot: tuple, part: _Compiled, ctx: Context) -> tuple:
        """How to build a context's fact for a part, worked out once per (part, scope, state): its
        leading JSON members (session and scope), and per attribute its profile key, the set
        members it tests (or None), its member when true and when false (None if false is left
        out: true_only), its unknown marker as a JSON member (None for the date, always known), and
        its JSON member name and scale (or None) for other values."""
        out = []
        for key in part.keys(ctx):
            base, _, member = key.partition("=")
            name = f'"{self.attrs[key]}":'
            out.append((base, frozenset(member.split("|")) if member else None, name + "true",
                        None if key in self.true_only else name + "false",
                        None if key == "asof" else f'"{self.attrs[key + "?"]}":1', name, self.scales.get(key)))
        reader = self._readers[slot] = (f'"sid":"{_SID}","_s":{_dumps(ctx.scope)}', tuple(out))
        return reader

    def _fact(self, part: _Compiled, ctx: Context) -> tuple[str, str]:
        """The context as the part's rules read it, and the markers of its unknown attributes: the
        members of a JSON object, written directly (a dict per fact and its encoding cost more)."""
        slot = (part.name, ctx.scope, ctx.state)
        head, attributes = self._readers.get(slot) or self._build_reader(slot, part, ctx)
        known, unknown = [head], []
        get = ctx.facts.get
        for base, members, if_true, if_false, marker, name, scale in attributes:
            value = get(base)
            if value is None:
                if marker is not None:
                    unknown.append(marker)
                continue
            if members is not None:   # a set: whether it holds any of the members tested
                value = not value.isdisjoint(members)
            if value is True:
                known.append(if_true)
            elif value is False:
                if if_false is not None:
                    known.append(if_false)
            elif scale is not None and _numeric(value):
                known.append(name + str(scale(value)))    # a rank: an int
            else:
                known.append(name + _dumps(value))
        return ",".join(known), ",".join(unknown)

    def evaluate(self, index: int, rules: list[Rule], targets: Targets,
                 only: frozenset | None = None) -> Results:
        out = Results()     # the rules that are one durable rule take their values here directly
        parts: dict = {}    # (action, context id) -> value, for the parts of split rules
        by_jurisdiction = self.partitions[index]
        # The contexts of each ruleset: jurisdictions whose parts are the same ruleset (those with
        # no rules of their own here share the shared rules') are asserted together, one call for
        # all. In the profile's order: each fact is matched on its own, so the order (and so the
        # fact numbers) changes no result.
        asserted: dict[str, tuple[_Compiled, list[Context]]] = {}
        for part in (p for state in sorted(targets.states) for p in by_jurisdiction.get(state, ())):
            if only is not None and only.isdisjoint(part.rule_ids):
                continue
            contexts = [c for slot in part.slots for c in targets.groups.get(slot, ())]
            if contexts:
                asserted.setdefault(part.name, (part, []))[1].extend(contexts)
        for part, wanted in asserted.values():
            for start in range(0, len(wanted), ASSERT_CONTEXTS):
                facts: list[str] = []
                copies: list[tuple[str, bool]] = []    # by fact number: (context id, lower copy)
                for ctx in wanted[start:start + ASSERT_CONTEXTS]:
                    ctx_id = ctx.id
                    gates = part.gates[ctx.scope]
                    if gates is not None:
                        for gate in gates:
                            if ctx.facts.get(gate) is not False:
                                break
                        else:
                            continue     # every rule of its scope here is false on it
                    known, unknown = self._fact(part, ctx)
                    # The id first: _fired finds it there in the core's echo of the fact.
                    facts.append(f'{{"id":"{_FACT_ID_LIST[len(copies)]}",{known}}}')
                    copies.append((ctx_id, True))
                    if unknown:
                        facts.append(f'{{"id":"{_FACT_ID_LIST[len(copies)]}",{known},{unknown}}}')
                        copies.append((ctx_id, False))
                if not facts:
                    continue
                handle = self._handle(part)
                try:
                    self._assert(handle, f"[{','.join(facts)}]", copies, out, parts)
                    # Retract rather than delete the session: see the module docstring. The core
                    # finds a stored fact by its id and removes it by where it is stored, so the
                    # ids are all it needs.
                    _core("retract the facts", core.retract_facts, handle, _retraction(len(copies)))
                except DurableError:
                    self._renew(part)
                    raise
        return self._results(out, parts, only)

    def _results(self, out: Results, parts: dict, only: frozenset | None) -> Results:
        """The rules' values: a rule that is one durable rule has its value in ``out`` already; a
        split rule combines its parts (see _plan), on the contexts where one fired (on the others
        every part, and so the rule, is false)."""
        if only is not None:   # the other rules of these rulesets read facts not derived here
            out = Results({key: value for key, value in out.items() if key[0] in only})
        split = {(self.rule_of_action[action].id, ctx_id) for action, ctx_id in parts}
        for rule_id, ctx_id in split:
            if only is None or rule_id in only:
                value = _split_value(self.plans[rule_id], ctx_id, parts)
                if value is not False:
                    out[(rule_id, ctx_id)] = value
        return out

    def _assert(self, handle: int, payload: str, copies: list[tuple[str, bool]], out: Results, parts: dict) -> None:
        """Assert facts and drain the agenda: a fired durable rule that is a whole rule gives
        (rule id, context id) in ``out``, a part of a split rule (action, context id) in ``parts``,
        True if it fired on the lower copy of the context, None if only on the upper one. Every
        durable rule takes all its matches in one action (``cap``), so there is one call into the
        core per rule that fired, not per match."""
        result = _core("assert the facts", core.assert_facts, handle, payload)
        if result[0] not in (0, 1, 3):     # 1: a fact no rule matches (see the module docstring)
            raise DurableError(f"durable-rules refused the facts (error {result[0]}: "
                               f"{_CODES.get(result[0], 'see src/rules/rules.h')})")
        if result[0] == 3:
            return
        state_handle = result[1]
        # The core's calls guarded inline, not through _core: this loop is the hot path.
        try:
            started = core.start_action_for_state(handle, state_handle)
        except Exception as err:
            raise _failure("start an action", err) from err
        message = started[1] if started else None
        complete = core.complete_and_start_action
        direct = self._direct
        while message:
            action, fact_ids = _fired(message)
            rule_id = direct.get(action)
            into, name = (parts, action) if rule_id is None else (out, rule_id)
            for fact_id in fact_ids:
                ctx_id, lower = copies[_FACT_NUMBER[fact_id]]
                key = (name, ctx_id)
                into[key] = True if lower else into.get(key)
            try:
                message = complete(handle, state_handle)
            except Exception as err:
                raise _failure("complete an action", err) from err


_FRAME = '{"m":{"id":"'
_FRAME_ID = re.compile(r'\{"m":\{"id":"([^"]*)"')


def _fired(message: str) -> tuple[str, list[str]]:
    """The action and the fact ids of its matches. The C core reports them as
    {"r12":[{"m":{"id":"f3",...}},{"m":{"id":"f0",...}}]}, echoing each fact as it was asserted
    (compact, the id first): the ids are read from that shape rather than parsing it all, which
    took a fifth off evaluation. An unescaped frame opening cannot occur inside a string value
    (its quotes are escaped). Any other shape is parsed in full."""
    end = message.find('":[', 2)
    if message.startswith('{"r') and end > 0 and message.startswith(_FRAME, end + 3):
        return message[2:end], _FRAME_ID.findall(message, end)
    (action, frames), = json.loads(message).items()
    frames = frames if isinstance(frames, list) else [frames]
    return action, [frame.get("m", frame)["id"] for frame in frames]


# Compact JSON, as _fired reads it back; no cycle check (values are flat).
_dumps = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
# Fact ids of one assert (at most two copies of each context), and each one's number.
_FACT_ID_LIST = [_FACT_IDS[n] for n in range(2 * ASSERT_CONTEXTS)]
_FACT_NUMBER = {fid: n for n, fid in enumerate(_FACT_ID_LIST)}
# What retracts the first n facts of an assert: their ids (see DurableEvaluator.evaluate), as a
# slice of one string (the payloads of every n would cost megabytes and a tenth of a start).
_RETRACT_ITEMS = [f',{{"id":"{fid}","sid":"{_SID}"}}' for fid in _FACT_ID_LIST]
_RETRACT_ALL = "".join(_RETRACT_ITEMS)
_RETRACT_END = list(itertools.accumulate(map(len, _RETRACT_ITEMS), initial=0))


def _retraction(n: int) -> str:
    return "[" + _RETRACT_ALL[1:_RETRACT_END[n]] + "]"


def _split_value(plan, ctx_id: str, parts: dict):
    """A split rule's value on a context from the durable rules of its plan (see
    DurableEvaluator._plan), given what its parts gave: (action, context id) -> value."""
    if isinstance(plan, str):
        return parts.get((plan, ctx_id), False)
    combine, items = plan
    return combine(_split_value(p, ctx_id, parts) for p in items)
