"""From a profile to findings: builds the contexts, runs the rule base through an engine, and
turns rule results into obligations, statutes that do not apply (with the reason), and the
open conditions of conditional findings. Everything is sorted, so output is byte-stable.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from reggi.engine.conditions import And, Atom, deciding_atoms, describe, eval_atom, evaluate as evaluate_node
from reggi.engine.rulebase import Rule, RuleBase, StatuteInfo, date_int, refs
from reggi.engine.runner import ReferenceEvaluator, Results, run
from reggi.facts.fields import FIELDS, Context, contexts, label_of
from reggi.facts.population import ESTIMATE_WORDS, share, us_field
from reggi.facts.profile import Profile
from reggi.facts.vocabulary import FEDERAL, StateCode, code_of

DISCLAIMER = ("reggi gives information about statutes, not legal advice; have counsel review "
              "decisions that depend on it.")


# What an evaluation explains, for outputs that print only some of it (see trace): why each statute
# applies or not (its reasons), why a duty holds (and its basis, which quotes those reasons), the
# conditions a conditional one hangs on, the questions that could decide it, the unverified legal
# facts it rests on, and what comes into force within the horizon.
EXPLANATIONS = frozenset({"reasons", "why", "conditions", "questions", "provenance", "upcoming"})


def explained(explain) -> frozenset:
    """``explain`` as the set of explanations wanted: True is all of them, False none."""
    if explain is True:
        return EXPLANATIONS
    if explain is False or explain is None:
        return frozenset()
    parts = frozenset(explain)
    if not parts <= EXPLANATIONS:
        raise ValueError(f"unknown explanations {sorted(parts - EXPLANATIONS)}; allowed: {sorted(EXPLANATIONS)}")
    return parts


@dataclass
class Finding:
    """One obligation that applies, or may apply, to the business."""
    id: str
    statute: str
    statute_name: str
    jurisdiction: str
    title: str
    action: str
    citations: list[str]
    source: str
    in_force: str
    status: str                       # applies | conditional
    tools: list[str] = field(default_factory=list)
    why: list[str] = field(default_factory=list)          # basis + what made this obligation fire
    basis: list[str] = field(default_factory=list)        # why the statute applies
    conditions: list[str] = field(default_factory=list)   # what must hold, if conditional
    verified: bool = True
    note: str = ""
    legal_basis: str = "statute"      # statute | regulation | case-law | litigation-risk
    cases: list[str] = field(default_factory=list)
    estimates: list[str] = field(default_factory=list)    # counts the statute's applicability rests on that are estimates


@dataclass
class StatuteStatus:
    statute: str
    name: str
    jurisdiction: str
    citation: str
    source: str
    status: str                       # applies | conditional | not_applicable | not_in_force | not_in_play
    reasons: list[str] = field(default_factory=list)
    estimates: list[str] = field(default_factory=list)    # state counts its tests read that are estimates


@dataclass
class Change:
    """Something that changes for the business on a later date: a statute that starts or stops
    applying, or a duty that starts, ends or is restated (a new version of the same id)."""
    date: str
    kind: str                         # statute | obligation
    id: str
    jurisdiction: str
    change: str                       # in words: "will apply", "new duty", "duty ends", ...
    title: str                        # the statute's name or the duty's title
    citations: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    legal_basis: str = "statute"


@dataclass
class Findings:
    as_of: dt.date
    profile_name: str
    states: list[str]
    obligations: list[Finding]
    statutes: list[StatuteStatus]
    open_questions: list[str]         # profile paths whose answer could change a finding
    unverified: list[str]             # ids of findings resting on unverified legal facts
    open_reasons: dict = field(default_factory=dict)   # path -> sorted reasons it matters
    upcoming: list[Change] = field(default_factory=list)   # within the horizon, by date then id
    horizon_months: int = 0

    def to_json(self) -> str:
        """The bytes `reggi evaluate --format json` prints for these findings."""
        return self._render("json")

    def to_text(self) -> str:
        return self._render("text")

    def to_markdown(self) -> str:
        return self._render("markdown")

    def _render(self, fmt: str) -> str:
        from reggi.engine import __version__
        from reggi.engine.render import RENDERERS
        return RENDERERS[fmt](self, __version__)


def evaluate(rulebase: RuleBase, profile: Profile, as_of: dt.date, engine=None, explain: bool | frozenset = True,
             statutes: frozenset | None = None) -> Findings:
    return trace(rulebase, profile, as_of, engine, explain, statutes)[0]


def trace(rulebase: RuleBase, profile: Profile, as_of: dt.date, engine=None,
          explain: bool | frozenset = True, statutes: frozenset | None = None) -> tuple[Findings, Results]:
    """The findings and the raw rule results behind them, (rule id, context id) -> value: for
    coverage, which needs what fired, not only what was reported. Without ``explain`` the
    findings carry no why, conditions, open questions or provenance of unverified facts (for
    outputs that print only which obligations apply, such as the batch matrix); a set of
    EXPLANATIONS gives those only (the batch CSV prints conditions and verification, not why).
    With ``statutes``, the findings of those statutes only, at the cost of their rules only."""
    engine = engine or ReferenceEvaluator()
    # Only states some statute covers: no finding reads another state's contexts, and a business
    # serving every state would otherwise run the shared concepts fifty times over.
    covered = rulebase.covered if statutes is None else {code_of(rulebase.statutes[s].meta.jurisdiction) for s in statutes}
    ctxs = [c for c in contexts(profile, date_int(as_of), FEDERAL in covered) if c.state in covered]
    results = run(rulebase, ctxs, engine, statutes)
    return assemble(rulebase, profile, as_of, ctxs, results, explain, statutes), results


# --- assembling findings ---------------------------------------------------------------------

_TEMPLATE = re.compile(r"\{([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+)\}")


def fill(template: str, facts: dict) -> str:
    return _TEMPLATE.sub(lambda m: label_of(m.group(1), facts.get(m.group(1))), template)


class _Explainer:
    """Explains a result from the final context facts: which conditions held, or are open."""

    def __init__(self, rulebase: RuleBase, ctxs: list[Context]):
        self.producer = rulebase.producers
        self.dependencies = rulebase.dependencies
        self.tools: dict[str, list[Context]] = {}
        for c in ctxs:
            if c.scope == "tool":
                self.tools.setdefault(c.state, []).append(c)
        # Explanations of one evaluation, by (rule, context): a concept is explained once however
        # many obligations read it.
        self._held: dict[tuple[str, str], list[str]] = {}
        self._opened: dict[tuple[str, str], list[str]] = {}
        self._unverified_memo: dict[tuple, frozenset] = {}
        self._names: dict[tuple, list[str]] = {}
        self._deciding: dict[tuple, list[Atom]] = {}
        self._unknown_in: dict[tuple[str, str], list[Context]] = {}
        self.values: dict = {}   # node values on the final facts, shared by every explanation

    def deciding(self, node, ctx: Context, want) -> list[Atom]:
        """The atoms of ``node`` that make it ``want`` in the context, once per evaluation: the
        question search meets the same concepts under every duty that reads them."""
        key = (id(node), ctx.id, want)
        found = self._deciding.get(key)
        if found is None:
            found = self._deciding[key] = deciding_atoms(node, ctx.facts, want, self.values)
        return found

    def unknown_in(self, state: str, key: str) -> list[Context]:
        """The state's tools whose ``key`` is unknown, once per evaluation."""
        memo = (state, key)
        if memo not in self._unknown_in:
            self._unknown_in[memo] = [t for t in self.tools.get(state, []) if t.facts.get(key) is None]
        return self._unknown_in[memo]

    def held(self, rule: Rule, ctx: Context) -> list[str]:
        if rule.when is None:
            return []
        key = (rule.id, ctx.id)
        if key not in self._held:
            self._held[key] = [self._atom(a, ctx) for a in self.deciding(rule.when, ctx, True)]
        return self._held[key]

    def _atom(self, atom: Atom, ctx: Context) -> str:
        key = atom.ref.key
        aggregate = key.startswith("any_tool.")
        inner = key[len("any_tool."):] if aggregate else key
        producer = self.producer.get(inner)
        if producer is None or producer.kind != "concept":
            if aggregate:
                names = self._tools_with(ctx.state, inner, atom.value)
                return f"{', '.join(names)}: {describe(atom, None, with_value=False)}"
            text = describe(atom, ctx.facts.get(key))
            return text.replace("(profile: ", f"({ESTIMATE_WORDS}: ") if key in ctx.estimated else text
        text = producer.item.description
        if atom.value is False:
            return f"not: {text}"
        if aggregate:   # name the tools that made "any tool ..." true
            return f"{', '.join(self._tools_with(ctx.state, inner, True))}: {text}"
        parts = self.held(producer, ctx)
        # A concept that is a single plain test explains itself; otherwise say which part held.
        if len(parts) == 1 and parts[0] == text:
            return text
        return f"{text} ({'; '.join(parts)})" if parts else text

    def _tools_with(self, state: str, key: str, value) -> list[str]:
        """The state's tools whose ``key`` is ``value``, once per evaluation (not once per tool)."""
        memo = (state, key, value)
        if memo not in self._names:
            self._names[memo] = [t.tool for t in self.tools.get(state, []) if t.facts.get(key) is value]
        return self._names[memo]

    def unverified(self, rule: Rule, ctxs: list[Context], want) -> list[str]:
        """Unverified legal facts a result rests on: the rule itself, and every test, exemption
        or concept that decided it (followed through any_tool to the tools that decided it)."""
        found: set[str] = set()
        for c in ctxs:
            found |= self._unverified(rule, c, want)
        return sorted(found)

    def _unverified(self, r: Rule, c: Context, want) -> frozenset:
        """Walks the derived facts this rule reads that hold (or are open, for an open result) in
        the context, from the engine's own results: no condition is evaluated again."""
        key = (r.id, c.id, want)   # strata are acyclic, so memoising needs no cycle guard
        if key not in self._unverified_memo:
            found = set() if r.item.verified else {r.id}
            for dep, aggregate in self.dependencies[r.id]:
                if aggregate:   # the same for every context of the state: once per state
                    found |= self._over_tools(dep, c.state, want is None)
                    continue
                value = c.facts.get(dep.derives)
                if value is True or (want is None and value is None and dep.kind != "exemption"):
                    found |= self._unverified(dep, c, value)
            self._unverified_memo[key] = frozenset(found)
        return self._unverified_memo[key]

    def _over_tools(self, dep: Rule, state: str, open_result: bool) -> frozenset:
        key = (dep.id, state, open_result)
        if key not in self._unverified_memo:
            found: set[str] = set()
            for t in self.tools.get(state, []):
                value = t.facts.get(dep.derives)
                if value is True or (open_result and value is None and dep.kind != "exemption"):
                    found |= self._unverified(dep, t, value)
            self._unverified_memo[key] = frozenset(found)
        return self._unverified_memo[key]

    def open_conditions(self, rule: Rule, ctx: Context) -> list[str]:
        """The unknown conditions a conditional result hangs on, in words with citations: one
        entry per condition that must still hold (alternatives are joined with "or")."""
        key = (rule.id, ctx.id)
        if key not in self._opened:
            out = self._open(rule.node, ctx)
            self._opened[key] = list(dict.fromkeys(out))     # first occurrences, in order
        return self._opened[key]

    def _open(self, node, ctx: Context) -> list[str]:
        if isinstance(node, Atom):
            return [self._open_atom(node, ctx)] if eval_atom(node, ctx.facts) is None else []
        undecided = [child for child in node.items if evaluate_node(child, ctx.facts) is None]
        if isinstance(node, And):
            return [text for child in undecided for text in self._open(child, ctx)]
        options = ["; ".join(self._open(child, ctx)) for child in undecided]
        return [" or ".join(o for o in options if o)] if options else []

    def _open_atom(self, atom: Atom, ctx: Context) -> str:
        key = atom.ref.key
        inner = key[len("any_tool."):] if key.startswith("any_tool.") else key
        producer = self.producer.get(inner)
        if producer is None:
            return describe(atom, with_value=False)
        if producer.kind == "test":
            return f"{producer.item.test} ({producer.item.cite})"
        if producer.kind == "exemption":
            return f"not exempt: {producer.item.reason} ({producer.item.cite})"
        if producer.kind in ("tests", "applicability") or (producer.kind == "concept" and not key.startswith("any_tool.")):
            text = "; ".join(self.open_conditions(producer, ctx))
            return text or (producer.item.description if producer.kind == "concept" else "")
        return f"a tool: {producer.item.description}"


def assemble(rulebase: RuleBase, profile: Profile, as_of: dt.date, ctxs: list[Context],
             results: Results, wanted: bool | frozenset = True, only: frozenset | None = None) -> Findings:
    wanted = explained(wanted)
    reasons = not wanted.isdisjoint({"reasons", "why"})   # a duty's why quotes its statute's reasons
    explain = _Explainer(rulebase, ctxs)
    served = [s.code.value for s in profile.states]
    in_play = served + [FEDERAL]   # federal law is in play for every business reggi evaluates
    by_scope: dict[tuple[str, str], list[Context]] = {}   # an obligation's contexts, grouped once
    state_of: dict[str, Context] = {}    # each state's one state context (see facts.fields.contexts)
    for c in ctxs:
        by_scope.setdefault((c.state, c.scope), []).append(c)
        if c.scope == "state":
            state_of[c.state] = c

    statuses: list[StatuteStatus] = []
    findings: list[Finding] = []
    open_fields: dict[str, set[str]] = {}

    in_play_set = set(in_play)
    result = results.get     # a pair that is absent is false (see Results)
    fired = {rule_id for rule_id, _ in results}   # duties that are not false somewhere: the only ones looked at
    constant = _finding_constants(rulebase)
    for sid, code, head, away in _statute_index(rulebase):
        if only is not None and sid not in only:
            continue
        if code not in in_play_set:   # worded once per rule base: costs one object per statute
            statuses.append(StatuteStatus(*head, "not_in_play", [away] if reasons else []))
            continue
        info = rulebase.statutes[sid]
        meta = info.meta
        status = StatuteStatus(*head, "")
        statuses.append(status)
        state_ctx = state_of[code]
        applies = result((info.applicability.id, state_ctx.id), False)
        if state_ctx.estimated:   # the estimates that the deciding tests read
            # Only the tests that decided: those that held if it applies, else those in force.
            deciding = [t for t in info.tests if result((t.id, state_ctx.id)) is True] if applies is True else \
                [t for t in info.tests if _in_range(t.item, as_of)]
            status.estimates = _estimates(deciding, state_ctx, profile)
        if as_of < meta.in_force or (meta.until and as_of >= meta.until):
            status.status = "not_in_force"
        elif applies is True:
            status.status = "applies"
        elif applies is None:
            status.status = "conditional"
            if "questions" in wanted:
                _fields_open(info.applicability, state_ctx, explain, f"whether the {meta.name} applies", open_fields)
        else:
            status.status = "not_applicable"
        if reasons:   # also the basis of every obligation of the statute: worded once, not per obligation
            status.reasons = _statute_reasons(status.status, info, state_ctx, as_of, result, explain)

        for rule in info.obligations:
            if rule.id not in fired:
                continue
            targets = by_scope.get((code, rule.scope), ())
            decided = [(c, result((rule.id, c.id), False)) for c in targets]
            true_ctx = [c for c, v in decided if v is True]
            open_ctx = [c for c, v in decided if v is None]
            if not true_ctx and not open_ctx:
                continue
            item = rule.item
            finding = Finding(**constant[rule.id], citations=list(item.cite), cases=list(item.cases),
                              status="applies" if true_ctx else "conditional",
                              estimates=[] if item.regardless_of_applicability else list(status.estimates))
            finding.tools = sorted(c.tool for c in (true_ctx or open_ctx) if c.tool)
            findings.append(finding)
            if "provenance" in wanted:
                decided_by = explain.unverified(rule, true_ctx or open_ctx, True if true_ctx else None)
                finding.verified = meta.verified and not decided_by
                if decided_by and not finding.note:
                    finding.note = "rests on unverified: " + ", ".join(decided_by)
            else:
                finding.verified = item.verified and meta.verified
            if true_ctx and "why" in wanted:
                finding.why, finding.basis = _why(rule, info, true_ctx, status.reasons, explain)
            # Contexts still undecided (all of them, or further tools of an applying duty) say
            # what they hang on, and feed the questionnaire.
            conds: list[str] = []
            for c in open_ctx:
                prefix = f"{c.tool}: " if c.tool else ""
                if "conditions" in wanted:
                    conds += [prefix + x for x in explain.open_conditions(rule, c)]
                if "questions" in wanted:
                    _fields_open(rule, c, explain, f"{item.title} ({meta.name}, {'; '.join(item.cite)})", open_fields)
            finding.conditions = list(dict.fromkeys(conds))   # first occurrences, in order (linear)

    findings.sort(key=lambda f: (f.jurisdiction, f.statute, f.id))
    return Findings(as_of, profile.business.name, served, findings, statuses,
                    sorted(open_fields), sorted(f.id for f in findings if not f.verified),
                    {k: sorted(v) for k, v in sorted(open_fields.items())})


def _statute_reasons(status: str, info: StatuteInfo, state_ctx: Context, as_of: dt.date, result,
                     explain: _Explainer) -> list[str]:
    """Why a statute in play has its status, in words: the tests that hold, the conditions it
    hangs on, the exemption or the unmet tests, or the dates it is in force."""
    meta = info.meta
    if status == "not_in_force":
        return [f"not in force on {as_of.isoformat()} (in force from {meta.in_force.isoformat()}"
                + (f" until {meta.until.isoformat()}" if meta.until else "") + ")"]
    if status == "applies":
        return [_test_reason(t, state_ctx, explain) for t in info.tests if result((t.id, state_ctx.id)) is True]
    if status == "conditional":
        return ["applies if: " + "; and ".join(explain.open_conditions(info.applicability, state_ctx))]
    exempt = [e for e in info.exemptions if result((e.id, state_ctx.id)) is True]
    if exempt:
        return [f"exempt: {e.item.reason} ({e.item.cite})" for e in exempt]
    unmet = [_unmet_reason(t, state_ctx) for t in info.tests if _in_range(t.item, as_of)]
    if unmet:
        return unmet
    # In force, but no applicability test yet (or any more).
    later = sorted(t.item.from_ for t in info.tests if t.item.from_ and t.item.from_ > as_of)
    return [f"no applicability test is in force on {as_of.isoformat()}"
            + (f"; the first takes effect on {later[0].isoformat()}" if later else "")]


def _statute_index(rulebase: RuleBase) -> list[tuple]:
    """Per statute in findings order: (id, jurisdiction code, the status's leading fields, the
    reason it is not in play), computed once per rule base."""
    if not hasattr(rulebase, "_statute_index"):
        out = []
        for sid in rulebase.statute_order:
            meta = rulebase.statutes[sid].meta
            code = code_of(meta.jurisdiction)
            away = ("" if code == FEDERAL else   # federal law is always in play
                    f"{StateCode(code).label} is not among the states the business does business in or targets")
            out.append((sid, code, (sid, meta.name, meta.jurisdiction, meta.citation, str(meta.source)), away))
        rulebase._statute_index = out
    return rulebase._statute_index


def _finding_constants(rulebase: RuleBase) -> dict[str, dict]:
    """Per obligation rule, the fields of its Finding that no profile changes, computed once per
    rule base."""
    if not hasattr(rulebase, "_finding_constants"):
        out = {}
        for sid, info in rulebase.statutes.items():
            meta = info.meta
            for rule in info.obligations:
                item = rule.item
                out[rule.id] = dict(id=f"{sid}.{item.id}", statute=sid, statute_name=meta.name,
                                    jurisdiction=meta.jurisdiction, title=item.title, action=item.action,
                                    source=str(meta.source), in_force=item.in_force.isoformat(), note=item.note,
                                    legal_basis=item.basis)
        rulebase._finding_constants = out
    return rulebase._finding_constants


def _estimates(tests: list[Rule], ctx: Context, profile: Profile) -> list[str]:
    """The estimated counts these tests read (the ones that decided the statute's status), in words
    with the figures behind them."""
    if not ctx.estimated:
        return []
    read = set()
    for key in (k for t in tests for k in refs(t.node)):
        spec = FIELDS.get(key)
        read |= set(spec.derived_from) if spec and spec.derived_from else {key}   # a derived count: its inputs
    out = []
    for key in sorted(ctx.estimated & read):
        name = key.partition(".")[2]
        us_count = getattr(profile.business, us_field(name))
        out.append(f"{StateCode(ctx.state).label}: {FIELDS[key].label}: {label_of(key, ctx.facts.get(key))}, "
                   f"{ESTIMATE_WORDS} ({share(ctx.state):.2%} of {label_of(key, us_count)} US residents); "
                   "give the state's own count to replace it")
    return out


def _in_range(item, as_of: dt.date) -> bool:
    return (item.from_ is None or as_of >= item.from_) and (item.until is None or as_of < item.until)


def _since(item) -> str:
    return f" in force since {item.from_.isoformat()}" if item.from_ else ""


def _test_reason(rule: Rule, ctx: Context, explain: _Explainer) -> str:
    held = "; ".join(explain.held(rule, ctx))
    return f"{rule.item.test} ({rule.item.cite}){': ' + held if held else ''}"


def _unmet_reason(rule: Rule, ctx: Context) -> str:
    item = rule.item
    text = fill(item.unmet, ctx.facts) if item.unmet else f"does not meet: {item.test}"
    if any("{" + key + "}" in item.unmet for key in ctx.estimated):
        text += f" ({ESTIMATE_WORDS})"
    return f"{text}{_since(item)} ({item.cite})"


def _why(rule: Rule, info: StatuteInfo, ctxs: list[Context], tests_met: list[str],
         explain: _Explainer) -> tuple[list[str], list[str]]:
    if not rule.item.regardless_of_applicability:
        basis = [f"{info.meta.name} applies: {reason}" for reason in tests_met]
    else:
        basis = [f"applies regardless of the {info.meta.name}'s thresholds"]
    why = list(basis)
    for c in ctxs:
        held = explain.held(rule, c)
        if held:
            why.append((f"{c.tool}: " if c.tool else "") + "; ".join(held))
    return why, basis


def _fields_open(rule: Rule, ctx: Context, explain: _Explainer, reason: str, out: dict[str, set[str]]) -> None:
    """Unknown profile fields that can still change this undecided result (question search), as
    profile paths ("states.MT.consumers", "tools.Chat.collects") mapped to why they matter."""
    seen: set[tuple[str, str]] = set()

    def add(field: str, c: Context, why: str):
        spec = FIELDS.get(field)
        bases = spec.derived_from if spec and spec.derived_from else (field,)
        # A derived fact needs all its inputs: ask for the first unknown one; if that stays
        # unknown, the others cannot decide anything.
        for base in bases:
            if c.facts.get(base) is None:
                out.setdefault(profile_path(base, c), set()).add(why)
                break

    producer = explain.producer

    def walk(r: Rule, c: Context, why: str):
        for atom in explain.deciding(r.node, c, None):
            key = atom.ref.key
            aggregate = key.startswith("any_tool.")
            inner = key[len("any_tool."):] if aggregate else key
            dep = producer.get(inner)
            targets = explain.unknown_in(c.state, inner) if aggregate else [c]
            for t in targets:
                if dep is None:
                    add(inner, t, why)
                elif (dep.id, t.id) not in seen:
                    seen.add((dep.id, t.id))
                    walk(dep, t, _why_it_matters(dep, why))

    walk(rule, ctx, reason)


def _why_it_matters(dep: Rule, why: str) -> str:
    """The most specific legal reason a fact matters: the test or exemption it feeds."""
    if dep.kind == "test":
        return f"{dep.item.test} ({dep.item.cite})"
    if dep.kind == "exemption":
        return f"exemption: {dep.item.reason} ({dep.item.cite})"
    if dep.kind == "applicability":
        return f"whether the {dep.item.name} applies"
    return why


def profile_path(field: str, ctx: Context) -> str:
    """Where a context field lives in the profile: business.x, states.<CODE>.x, tools.<name>.x."""
    scope, _, name = field.partition(".")
    if scope == "state":
        return f"states.{ctx.state}.{name}"
    if scope == "tool":
        return f"tools.{ctx.tool}.{name}"
    return field


# --- upcoming changes ------------------------------------------------------------------------

def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day where it is shorter); the last date
    there is past year 9999."""
    import calendar
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    if year > dt.MAXYEAR:
        return dt.date.max
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def change_days(rulebase: RuleBase, codes: set[str]) -> dict[dt.date, set[str]]:
    """Every date on which a statute, test, exemption or obligation of these jurisdictions starts
    or ends, read from the rule files (the only days on which findings can change), with the
    statutes whose rules change that day."""
    days: dict[dt.date, set[str]] = {}
    by_code = _change_days_by_code(rulebase)
    for code in codes:
        for day, sids in by_code.get(code, {}).items():
            days.setdefault(day, set()).update(sids)
    return dict(sorted(days.items()))


def _change_days_by_code(rulebase: RuleBase) -> dict[str, dict[dt.date, set[str]]]:
    """change_days of each jurisdiction alone, read from the rule files once per rule base."""
    if not hasattr(rulebase, "_change_days"):
        out: dict[str, dict[dt.date, set[str]]] = {}
        for sid, info in rulebase.statutes.items():
            items = [info.meta.in_force, info.meta.until]
            items += [d for rule in info.tests + info.exemptions + info.obligations for d in (rule.item.from_, rule.item.until)]
            days = out.setdefault(code_of(info.meta.jurisdiction), {})
            for day in items:
                if day is not None:
                    days.setdefault(day, set()).add(sid)
        rulebase._change_days = out
    return rulebase._change_days


def change_dates(rulebase: RuleBase, codes: set[str]) -> list[dt.date]:
    return list(change_days(rulebase, codes))


_STATUTE_CHANGE = {"applies": "will apply", "conditional": "may apply, depending on open questions"}


def upcoming(rulebase: RuleBase, profile: Profile, now: Findings, months: int, engine=None) -> list[Change]:
    """What changes after ``now.as_of`` within ``months``: on each date in the window on which a
    rule in play starts or ends, the statutes whose rules change that day are evaluated again and
    compared with where each was last seen. A statute's findings rest only on its own dates (its
    concepts have none), so the others cannot change that day and are not evaluated."""
    if months <= 0:
        return []
    end = add_months(now.as_of, months)
    latest: dict[str, Findings] = {}   # statute -> the findings it was last evaluated in
    out: list[Change] = []
    for day, sids in change_days(rulebase, {*now.states, FEDERAL}).items():
        if not now.as_of < day <= end:
            continue
        codes = {code_of(rulebase.statutes[sid].meta.jurisdiction) for sid in sids}
        states = [s for s in profile.states if s.code.value in codes] or profile.states[:1]
        after = evaluate(rulebase, profile.model_copy(update={"states": states}), day, engine,
                         explain=frozenset({"reasons"}), statutes=frozenset(sids))
        changed: list[Change] = []
        for sid in sids:
            changed += _changes(latest.get(sid, now), after, rulebase, sid)
            latest[sid] = after
        out += sorted(changed, key=lambda c: (c.jurisdiction, c.kind != "statute", c.id))
    return out


def _changes(before: Findings, after: Findings, rulebase: RuleBase, sid: str) -> list[Change]:
    """What changed for one statute between two evaluations."""
    day = after.as_of.isoformat()
    out: list[Change] = []
    was = {s.statute: s for s in before.statutes}
    for s in after.statutes:
        if s.statute != sid:
            continue
        old = was[s.statute]
        if s.status == old.status or "not_in_play" in (s.status, old.status):
            continue
        if s.status in _STATUTE_CHANGE:
            change = _STATUTE_CHANGE[s.status]
        elif old.status in _STATUTE_CHANGE:
            change = "stops applying"
        elif old.status == "not_in_force":
            change = "comes into force; does not apply on these facts"
        else:
            change = "no longer in force"
        out.append(Change(day, "statute", s.statute, s.jurisdiction, change, s.name,
                          [rulebase.statutes[s.statute].meta.citation], list(s.reasons)))
    old_duties = {o.id: o for o in before.obligations if o.statute == sid}
    new_duties = {o.id: o for o in after.obligations if o.statute == sid}
    for oid in sorted(old_duties.keys() | new_duties.keys()):
        old, new = old_duties.get(oid), new_duties.get(oid)
        either = new or old
        if new is None:
            change = "duty ends"
        elif old is None:
            change = "new duty" if new.status == "applies" else "new duty, if the open questions are answered so"
        elif (old.title, old.action, old.citations) != (new.title, new.action, new.citations):
            change = "duty changes"
        elif old.status != new.status:
            change = "duty applies" if new.status == "applies" else "duty becomes conditional"
        else:
            continue
        out.append(Change(day, "obligation", oid, either.jurisdiction, change, either.title,
                          list(either.citations), legal_basis=either.legal_basis))
    return out
