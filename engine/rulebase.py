"""Loads rule files into a validated, stratified rule base.

Every condition of the rule base becomes a ``Rule``: shared and statute concepts, applicability
tests, exemptions, one synthetic applicability rule per statute, and obligations. A rule that
derives a fact (``concept.*``, ``test.*``, ``exempt.*``, ``applies.*``) writes it into the contexts
for later rules. Strata follow from the references: a rule runs after every rule whose fact it
reads, so a negated fact is always complete before it is read (durable-rules has no truth
maintenance). Cycles are load errors.
"""
from __future__ import annotations

import datetime as dt
import gc
import hashlib
import itertools
import os
import pickle
import sys
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from reggi.engine.conditions import And, Atom, ConditionError, Node, Or, Ref, Resolver, atoms, parse
from reggi.facts.errors import InputError, read_text
from reggi.facts.fields import FIELDS
from reggi.facts.reader import parse_text
from reggi.facts.vocabulary import FEDERAL, code_of

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"   # package data, installed or in a checkout
ASOF = Ref("asof", "int", label="evaluation date")
SCOPES = ("business", "state", "tool")


class RuleLoadError(InputError):
    """A rule file that cannot be loaded: names the file, the line and what is allowed."""


@dataclass
class Rule:
    id: str                    # unique, e.g. "us-mt-mcdpa.processor-contract"
    kind: str                  # concept | test | tests | exemption | applicability | obligation
    node: Node                 # the full condition, date guards included
    scope: str                 # state | tool
    jurisdiction: str | None   # state code whose contexts it sees; None: every state
    statute: str | None
    item: "Record"             # the validated rule-file item, for rendering
    file: str
    line: int | None
    derives: str | None = None  # context key this rule's result is written to
    stratum: int = 0
    when: Node | None = None   # the author's condition alone, without guards


class Record:
    """A validated rule-file item (a model of engine/schema.py) as plain read-only data, with the
    model's attribute names: a rule base holds these, not pydantic objects, so that a cached one
    loads without importing pydantic's models (a third of the time of a start)."""

    def __init__(self, fields: dict):
        self.__dict__.update(fields)

    def __setattr__(self, name, value):
        raise AttributeError(f"a rule-file item is read-only ({name})")

    def __delattr__(self, name):
        raise AttributeError(f"a rule-file item is read-only ({name})")

    def __eq__(self, other):
        return vars(self) == vars(other) if isinstance(other, Record) else NotImplemented

    __hash__ = None   # not needed, and many items hold lists

    def __repr__(self) -> str:
        return f"Record({vars(self)!r})"


def _as_record(model) -> Record:
    """A validated model as a Record (nested models and lists of them alike; URLs as their text)."""
    from pydantic import AnyUrl, BaseModel

    def plain(value):
        if isinstance(value, BaseModel):
            return Record({name: plain(getattr(value, name)) for name in type(value).model_fields})
        if isinstance(value, list):
            return [plain(v) for v in value]
        return str(value) if isinstance(value, AnyUrl) else value

    return plain(model)


@dataclass
class StatuteInfo:
    meta: Record
    file: str
    tests: list[Rule] = field(default_factory=list)
    exemptions: list[Rule] = field(default_factory=list)
    obligations: list[Rule] = field(default_factory=list)
    applicability: Rule | None = None


class InPlay(NamedTuple):
    rules: list          # the stratum's rules in play, by jurisdiction (shared first), in stratum order within each
    derives: dict        # rule id -> (the fact it derives, its scope), for those that derive one
    falses: dict         # state code -> ({fact: False} of its state-level derived facts, ... of its tools')
    aggregates: dict     # state code -> any_tool keys its contexts' rules read
    only: frozenset | None = None   # rule ids, if restricted to some statutes (see RuleBase.closure)


@dataclass
class RuleBase:
    rules: list[Rule]
    statutes: dict[str, StatuteInfo]
    strata: list[list[Rule]]
    files: list[str]
    root: str
    aggregates: list[list[str]] = field(default_factory=list)   # per stratum: any_tool.* keys read

    @property
    def producers(self) -> dict[str, Rule]:
        """The rule that derives each derived fact (concept.*, test.*, exemption.*, applies.*)."""
        if not hasattr(self, "_producers"):
            self._producers = {r.derives: r for r in self.rules if r.derives}
        return self._producers

    @property
    def dependencies(self) -> dict[str, list[tuple[Rule, bool]]]:
        """For each rule, the rules whose derived facts it reads, and whether through any_tool."""
        if not hasattr(self, "_dependencies"):
            deps: dict[str, list[tuple[Rule, bool]]] = {}
            for r in self.rules:
                out = []
                for key in sorted(refs(r.node)):
                    aggregate = key.startswith("any_tool.")
                    dep = self.producers.get(key[len("any_tool."):] if aggregate else key)
                    if dep is not None:
                        out.append((dep, aggregate))
                deps[r.id] = out
            self._dependencies = deps
        return self._dependencies

    def in_play(self, index: int, states: frozenset, statutes: frozenset | None = None) -> "InPlay":
        """The rules of stratum ``index`` that some context of these states is evaluated on (shared
        rules, and those of the states), by jurisdiction, with the any_tool keys each state's
        contexts need: other states' rules cost nothing. With ``statutes``, only their rules and
        the concepts these read. Indexed by jurisdiction once, and memoised per set of states (a
        batch sees few distinct sets)."""
        memo = self.__dict__.setdefault("_in_play", {})
        key = (index, states, statutes)
        found = memo.get(key)
        if found is None:
            if len(memo) > 4096:
                memo.clear()
            # The shared rules, then each state's, in stratum order within each (an order no
            # result depends on: each rule's results are its own).
            by_jur = self._by_jurisdiction()[index]
            parts = [by_jur[j] for j in (None, *sorted(states)) if j in by_jur]
            rules = list(itertools.chain.from_iterable(rules for rules, _, _ in parts))
            derives = {}
            for _, derived, _ in parts:
                derives.update(derived)
            aggregates = self._aggregate_keys()[index]
            keys = {s: aggregates.get(s, aggregates[None]) for s in states}
            only = None
            if statutes is not None:
                only = self.closure(statutes)
                rules = [r for r in rules if r.id in only]
                derives = {rule_id: d for rule_id, d in derives.items() if rule_id in only}
            falses = {s: self._falses(index, s, only) for s in states}
            found = memo[key] = InPlay(rules, derives, falses, keys, only)
        return found

    def _falses(self, index: int, state: str, only: frozenset | None) -> tuple[dict, dict]:
        """What a state's contexts start stratum ``index`` with: {fact: False} of the facts the
        stratum derives there, state-level and tool-level (see engine.runner.run). Once per
        stratum and state, unless restricted to some rules."""
        memo = self.__dict__.setdefault("_falses_memo", {})
        found = memo.get((index, state)) if only is None else None
        if found is None:
            by_jur = self._by_jurisdiction()[index]
            derived = [d for j in (None, state) if j in by_jur for rule_id, d in by_jur[j][1].items()
                       if only is None or rule_id in only]
            found = tuple({key: False for key, scope in derived if scope == level} for level in ("state", "tool"))
            if only is None:
                memo[(index, state)] = found
        return found

    def _aggregate_keys(self) -> list[dict]:
        """Per stratum: jurisdiction -> the any_tool keys its contexts need there (its rules' and
        the shared rules'); None -> the shared rules' alone."""
        if not hasattr(self, "_aggregates_by_jur"):
            out = []
            for by_jur in self._by_jurisdiction():
                shared = by_jur[None][2] if None in by_jur else []
                out.append({j: sorted({*shared, *keys}) for j, (_, _, keys) in by_jur.items()} | {None: shared})
            self._aggregates_by_jur = out
        return self._aggregates_by_jur

    def closure(self, statutes: frozenset) -> frozenset:
        """Ids of the rules of these statutes and of every concept they read, directly or not:
        all that their findings rest on."""
        memo = self.__dict__.setdefault("_closure", {})
        found = memo.get(statutes)
        if found is None:
            if len(memo) > 1024:
                memo.clear()
            todo = [r for r in self.rules if r.statute in statutes]
            seen = {r.id for r in todo}
            while todo:
                for dep, _ in self.dependencies[todo.pop().id]:
                    if dep.id not in seen:
                        seen.add(dep.id)
                        todo.append(dep)
            found = memo[statutes] = frozenset(seen)
        return found

    def _by_jurisdiction(self) -> list[dict]:
        """Per stratum: jurisdiction (None: shared) -> (its rules in stratum order, rule id ->
        (the fact it derives, its scope) of those that derive one, the any_tool keys they read)."""
        if not hasattr(self, "_by_jur"):
            out = []
            for stratum in self.strata:
                by: dict = {}
                for r in stratum:
                    rules, derives, keys = by.setdefault(r.jurisdiction, ([], {}, set()))
                    rules.append(r)
                    if r.derives:
                        derives[r.id] = (r.derives, r.scope)
                    keys.update(k for k in refs(r.node) if k.startswith("any_tool."))
                out.append({j: (rules, derives, sorted(keys)) for j, (rules, derives, keys) in by.items()})
            self._by_jur = out
        return self._by_jur

    @property
    def covered(self) -> set[str]:
        """Jurisdiction codes some statute covers."""
        if not hasattr(self, "_covered"):
            self._covered = {code_of(info.meta.jurisdiction) for info in self.statutes.values()}
        return self._covered

    @property
    def statute_order(self) -> list[str]:
        """Statute ids as findings list them: by jurisdiction, then id."""
        if not hasattr(self, "_statute_order"):
            self._statute_order = sorted(self.statutes, key=lambda s: (self.statutes[s].meta.jurisdiction, s))
        return self._statute_order

    def remember(self, name: str, value) -> None:
        """Keeps something derived from this rule base alone (the durable engine's plan) with it,
        and in its cache if it came from one: the next start reads it instead of deriving it."""
        setattr(self, name, value)
        slot = self.__dict__.get("_cache_slot")
        if slot is not None:
            _cache_write(*slot, self)

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)

    def obligation_ids(self) -> set[str]:
        """The ids findings use, e.g. "us-mt-mcdpa.processor-contract" (one for all versions)."""
        return {f"{sid}.{r.item.id}" for sid, info in self.statutes.items() for r in info.obligations}


def date_int(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _guards(start: dt.date | None, end: dt.date | None) -> list[Node]:
    out: list[Node] = []
    if start:
        out.append(Atom(">=", ASOF, date_int(start)))
    if end:
        out.append(Atom("<", ASOF, date_int(end)))
    return out


def _and(*parts: Node | None) -> Node:
    items = tuple(p for p in parts if p is not None)
    return items[0] if len(items) == 1 else And(items)


# --- locating errors in the source --------------------------------------------------------

_HEADER = re.compile(r"\s*\[(\[)?\s*([^\]]*?)\s*\]")


@lru_cache(maxsize=256)
def _line_index(text: str) -> tuple[list[str], dict, dict, list[bool]]:
    """A file's lines, its [[table]] header lines by table, its [table] header lines, and which
    lines start a table: built once per text, so locating every rule of a file is linear."""
    lines = text.splitlines()
    arrays: dict[str, list[int]] = {}
    tables: dict[str, int] = {}
    is_header = []
    for i, line in enumerate(lines):
        m = _HEADER.match(line)
        is_header.append(bool(m) or line.lstrip().startswith("["))
        if m and m.group(1):
            arrays.setdefault(m.group(2), []).append(i)
        elif m:
            tables.setdefault(m.group(2), i)
    return lines, arrays, tables, is_header


def locate(text: str, loc: tuple) -> int | None:
    """Best line for a validation error at ``loc`` such as ('obligations', 2, 'cite')."""
    lines, arrays, tables, is_header = _line_index(text)
    start, key = 0, None
    parts = list(loc)
    if parts and isinstance(parts[0], str):
        table = parts.pop(0)
        if parts and isinstance(parts[0], int):
            index = parts.pop(0)
            headers = arrays.get(table, [])
            if index < len(headers):
                start = headers[index]
        elif table in tables:
            start = tables[table]
        else:
            key = table
    if parts and isinstance(parts[0], str):
        key = parts[0]
    if key:
        assignment = re.compile(rf"\s*{re.escape(key)}\s*=")
        for i in range(start, len(lines)):
            if i > start and is_header[i]:
                break
            if assignment.match(lines[i]):
                return i + 1
    return start + 1 if start or loc else None


def file_name(path: Path, root: Path) -> str:
    """How errors name a rule file: relative to the rules folder's parent where possible."""
    return str(path.relative_to(root.parent) if root.parent in path.parents else path)


def parse_toml(name: str, text: str) -> dict:
    try:
        return parse_text(name, text, "toml")
    except InputError as err:
        raise RuleLoadError(err.file, err.line, err.message) from None


def schema_problem(error: dict, text: str) -> tuple[int | None, str]:
    """The line and message of one pydantic error in a rule file."""
    loc = tuple(error["loc"])
    where = ".".join(str(p) for p in loc)
    message = "required field is missing" if error["type"] == "missing" else error["msg"]
    if error["type"] == "extra_forbidden":
        allowed = _allowed_keys(loc)
        message = f"unknown field {loc[-1]!r}" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
    return locate(text, loc), f"{where}: {message}" if where else message


def _read(path: Path, root: Path) -> tuple[str, str, Record]:
    from pydantic import ValidationError
    from reggi.engine.schema import RuleFile
    name = file_name(path, root)
    text = read_text(path, name)
    data = parse_toml(name, text)
    try:
        return name, text, _as_record(RuleFile.model_validate(data))
    except ValidationError as err:
        # A misspelt key shows up as "unknown field" and as "required field missing": report the
        # unknown one, which names the typo.
        first = sorted(err.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
        raise RuleLoadError(name, *schema_problem(first, text)) from None


def _allowed_keys(loc: tuple) -> list[str]:
    from reggi.engine.schema import RuleFile
    model = RuleFile
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        args = getattr(annotation, "__args__", ())
        model = next((a for a in args if isinstance(a, type)), annotation)
    return sorted((info.alias or name) for name, info in model.model_fields.items())


def find_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.toml"), key=lambda p: p.relative_to(root).as_posix())


def load(root: Path | str = RULES_DIR) -> RuleBase:
    root = Path(root)
    if not root.is_dir():
        raise RuleLoadError(str(root), None, "not a folder of rule files")
    files = find_files(root)
    if not files:
        raise RuleLoadError(str(root), None, "no rule files (*.toml) in this folder")
    cache = _cache_file(root, files)
    if cache is not None:
        path, key = cache
        found = _cache_read(path, key)
        if found is not None:
            found._cache_slot = cache
            return found
    rulebase = build(read_all(root), str(root))
    if cache is not None:
        _cache_write(*cache, rulebase)
        rulebase._cache_slot = cache
    return rulebase


# --- a cache of the shipped rule base --------------------------------------------------------
# Loading validates every rule file and parses every condition (most of a cold start). The rule
# base built from the shipped rules is pickled into the user's cache directory, keyed by the
# content of the rule files and of reggi's own code and version: a change to either (or to the
# Python version) misses, and the file is rebuilt. The file is safe to delete; REGGI_CACHE_DIR
# moves it, REGGI_CACHE_DIR=off turns it off. Only the shipped rules folder is cached (one file
# per checkout or installation), so folders of rules in temporary directories leave nothing.

CACHE_FORMAT = 2


def _cache_dir() -> Path | None:
    where = os.environ.get("REGGI_CACHE_DIR")
    if where is not None:
        return None if where.strip().lower() in ("", "off", "0", "none") else Path(where)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "reggi"


def _cache_file(root: Path, files: list[Path] | None = None) -> tuple[Path, str] | None:
    """Where the rule base of ``root`` (its rule files: ``files``, found if not given) is cached
    and the key it must carry, or None."""
    try:
        if root.resolve() != RULES_DIR.resolve():
            return None
        where = _cache_dir()
        if where is None:
            return None
        from reggi import __version__
        digest = hashlib.sha256(f"{CACHE_FORMAT}|{__version__}|{sys.version}|{root.resolve()}".encode())
        package = Path(__file__).resolve().parent.parent
        code = sorted([package / "__init__.py", *(package / "engine").glob("*.py"), *(package / "facts").glob("*.py"),
                       *(package / "facts" / "data").glob("*.toml")])
        # Each file under its name in the key: code files by file name, rule files by their path
        # in the folder (labelled once: comparing paths file by file was a tenth of a start).
        labelled = [(p.name, p) for p in code] + [(p.relative_to(root).as_posix(), p)
                                                  for p in (find_files(root) if files is None else files)]
        for label, p in labelled:
            data = p.read_bytes()
            digest.update(f"\0{label}\0{len(data)}\0".encode())
            digest.update(data)
        slot = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
        return where / f"rulebase-{slot}.pickle", digest.hexdigest()
    except Exception:   # no home directory, unreadable files: load without a cache
        return None


def _cache_read(path: Path, key: str) -> RuleBase | None:
    try:
        with open(path, "rb") as f, _no_gc():
            stored_key, rulebase = pickle.load(f)
    except Exception:   # absent, unreadable, truncated or from other code: rebuild
        return None
    return rulebase if stored_key == key and isinstance(rulebase, RuleBase) else None


@contextmanager
def _no_gc():
    """The cyclic garbage collector paused while many long-lived objects are made at once (it
    would scan them over and over, for nothing: a rule base lives as long as its process)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Memos filled as profiles are evaluated (per set of states or statutes): not part of a cache file.
_EVALUATION_MEMOS = ("_in_play", "_falses_memo", "_closure")


def _cache_write(path: Path, key: str, rulebase: RuleBase) -> None:
    rulebase.dependencies   # indexes every evaluation needs, built once into the cache  # noqa: B018
    rulebase._by_jurisdiction()
    slot = rulebase.__dict__.pop("_cache_slot", None)   # where the file is: not part of it
    memos = {name: rulebase.__dict__.pop(name) for name in _EVALUATION_MEMOS if name in rulebase.__dict__}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        import tempfile
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump((key, rulebase), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)   # readers see the old file or the new one, never half of one
        except BaseException:
            os.unlink(tmp)
            raise
    except Exception:
        pass   # a cache that cannot be written only costs the next start its time
    finally:
        if slot is not None:
            rulebase._cache_slot = slot
        rulebase.__dict__.update(memos)


def read_all(root: Path) -> list[tuple[str, str, Record]]:
    """Every rule file under ``root``, validated, as (name, text, its Record) in path order."""
    return [_read(p, root) for p in find_files(root)]


def resolver(shared: dict[str, str], mine: dict[str, str]) -> Resolver:
    """Resolves the names a condition uses: profile fields, and concepts by id (the file's own
    ``mine`` first, then ``shared``), each mapped to its full id."""
    def resolve(dotted: str) -> Ref:
        if dotted.startswith("concept."):
            cid = dotted[len("concept."):]
            full = mine.get(cid) or shared.get(cid)
            if not full:
                names = sorted(set(mine) | set(shared))
                raise ConditionError(f"unknown concept {cid!r}; defined: {', '.join(names) or 'none'}")
            return Ref(f"concept.{full}", "bool", label=cid.replace("_", " "))
        if dotted.startswith("any_tool."):
            inner = resolve(dotted[len("any_tool."):])
            if inner.type != "bool":
                raise ConditionError(f"any_tool. applies to a true/false fact; {dotted[9:]} is {inner.type}")
            return Ref(f"any_tool.{inner.key}", "bool", label=f"any tool: {inner.label}")
        spec = FIELDS.get(dotted)
        if spec is None:
            raise ConditionError(f"unknown field {dotted!r}; allowed: {', '.join(sorted(FIELDS))}, "
                                 "concept.<id>, any_tool.<tool fact>")
        return Ref(spec.path, spec.type, spec.allowed, spec.label)

    return resolve


def build(parsed: list[tuple[str, str, Record]], root: str = "") -> RuleBase:
    # Concept ids first, so conditions may refer to concepts defined in any file.
    shared: dict[str, str] = {}
    local: dict[str, dict[str, str]] = {}
    for name, text, rf in parsed:
        owner = rf.statute.id if rf.statute else None
        for c in rf.concepts:
            full = f"{owner}.{c.id}" if owner else c.id
            if owner:
                local.setdefault(owner, {})[c.id] = full
            elif c.id in shared:
                raise RuleLoadError(name, locate(text, ("concepts",)), f"concept {c.id!r} is defined twice")
            else:
                shared[c.id] = full

    rules: list[Rule] = []
    statutes: dict[str, StatuteInfo] = {}
    seen: dict[str, str] = {}

    def add(rule: Rule):
        if rule.id in seen:
            raise RuleLoadError(rule.file, rule.line, f"duplicate id {rule.id!r} (also in {seen[rule.id]})")
        seen[rule.id] = rule.file
        rules.append(rule)

    for name, text, rf in parsed:
        st = rf.statute
        owner = st.id if st else None
        jurisdiction = code_of(st.jurisdiction) if st else None
        resolve = resolver(shared, local.get(owner, {}))

        def cond(text_: str, table: str, index: int) -> Node | None:
            if not text_.strip():
                return None
            try:
                node = parse(text_, resolve)
            except ConditionError as err:
                raise RuleLoadError(name, locate(text, (table, index, "when")), str(err)) from None
            state_refs = sorted(k for k in refs(node) if k.startswith("state."))
            if jurisdiction == FEDERAL and state_refs:
                raise RuleLoadError(name, locate(text, (table, index, "when")),
                                    f"a federal statute (jurisdiction = \"US\") cannot read state facts ({', '.join(state_refs)}): "
                                    "it is evaluated once for the whole business")
            return node

        def line(table: str, index: int) -> int | None:
            return locate(text, (table, index, "id"))

        def versioned(table: str, items: list) -> list[str]:
            """Internal ids: an id may repeat for versions whose date ranges do not overlap."""
            out = []
            for i, item in enumerate(items):
                same = [j for j, other in enumerate(items) if other.id == item.id]
                for j in same:
                    other = items[j]
                    if j < i and overlap(item, other):
                        raise RuleLoadError(name, line(table, i), f"{table} id {item.id!r} repeats with an "
                                            "overlapping date range; versions of one id need disjoint from/until")
                suffix = f"@{item.from_.isoformat() if item.from_ else 'start'}" if len(same) > 1 else ""
                out.append(item.id + suffix)
            return out

        for i, c in enumerate(rf.concepts):
            full = f"{owner}.{c.id}" if owner else c.id
            node = cond(c.when, "concepts", i)
            add(Rule(f"concept:{full}", "concept", node, "state", jurisdiction, owner, c, name,
                     line("concepts", i), derives=f"concept.{full}", when=node))
        if st is None:
            continue
        info = StatuteInfo(st, name)
        statutes[owner] = info
        def dated(table: str, items: list, kind: str, stem: str) -> list[Rule]:
            """Applicability tests and exemptions: a derived fact per (versioned) item."""
            out = []
            for i, (item, vid) in enumerate(zip(items, versioned(table, items))):
                when = cond(item.when, table, i)
                rule = Rule(f"{owner}.{stem}.{vid}", kind, _and(*_guards(item.from_, item.until), when),
                            "state", jurisdiction, owner, item, name, line(table, i),
                            derives=f"{kind}.{owner}.{vid}", when=when)
                add(rule)
                out.append(rule)
            return out

        info.tests = dated("applies", rf.applies, "test", "applies")
        info.exemptions = dated("exemptions", rf.exemptions, "exemption", "exempt")
        # The statute applies when it is in force, one test holds and no exemption does. "One test
        # holds" is a rule of its own: the disjunction stays flat when compiled, which keeps
        # durable-rules' expansion of and-over-or small.
        any_test = Rule(f"{owner}.applies.any", "tests", Or(tuple(
            Atom("==", Ref(r.derives, "bool", label=r.item.test), True) for r in info.tests)),
            "state", jurisdiction, owner, st, name, locate(text, ("statute",)), derives=f"tests.{owner}")
        add(any_test)
        tests = Atom("==", Ref(any_test.derives, "bool", label="an applicability test is met"), True)
        not_exempt = [Atom("==", Ref(r.derives, "bool", label=r.item.reason), False) for r in info.exemptions]
        node = _and(*_guards(st.in_force, st.until), tests, *not_exempt)
        info.applicability = Rule(f"{owner}.applies", "applicability", node, "state", jurisdiction, owner, st,
                                  name, locate(text, ("statute",)), derives=f"applies.{owner}")
        add(info.applicability)
        applies_ref = Atom("==", Ref(f"applies.{owner}", "bool", label=f"{st.name} applies"), True)
        for i, (o, vid) in enumerate(zip(rf.obligations, versioned("obligations", rf.obligations))):
            when = cond(o.when, "obligations", i)
            if o.regardless_of_applicability:
                # Free of the size tests, not of the exemptions: an exempt entity is outside the law.
                base = [*_guards(st.in_force, st.until), *not_exempt]
            else:
                base = [applies_ref]
            node = _and(*base, *_guards(o.from_, o.until), when)
            rule = Rule(f"{owner}.{vid}", "obligation", node, "state", jurisdiction, owner, o, name,
                        line("obligations", i), when=when)
            add(rule)
            info.obligations.append(rule)

    _stratify(rules)
    _federal_reads_no_state_facts(rules)
    strata: list[list[Rule]] = []
    for rule in rules:
        while len(strata) <= rule.stratum:
            strata.append([])
        strata[rule.stratum].append(rule)
    aggregates = [sorted({k for r in stratum for k in refs(r.node) if k.startswith("any_tool.")}) for stratum in strata]
    return RuleBase(rules, statutes, strata, [p[0] for p in parsed], root, aggregates)


def _federal_reads_no_state_facts(rules: list[Rule]) -> None:
    """A federal rule is evaluated once for the business, where every state fact is unknown: it may
    not read one, not even through a shared concept it uses."""
    producer = {r.derives: r for r in rules if r.derives}
    for rule in (r for r in rules if r.jurisdiction == FEDERAL):
        seen, todo = set(), [rule]
        while todo:
            current = todo.pop()
            for key in refs(current.node):
                inner = key[len("any_tool."):] if key.startswith("any_tool.") else key
                if inner.startswith("state."):
                    raise RuleLoadError(rule.file, rule.line, f"a federal statute (jurisdiction = \"US\") cannot read state "
                                        f"facts: it reads {inner} through {current.id}")
                dep = producer.get(inner)
                if dep is not None and dep.id not in seen:
                    seen.add(dep.id)
                    todo.append(dep)


def overlap(a, b) -> bool:
    a_start, b_start = a.from_ or dt.date.min, b.from_ or dt.date.min
    a_end, b_end = a.until or dt.date.max, b.until or dt.date.max
    return a_start < b_end and b_start < a_end


def refs(node: Node) -> set[str]:
    return {a.ref.key for a in atoms(node)}


def _stratify(rules: list[Rule]) -> None:
    """Set each rule's stratum and scope from what it reads; reject cycles."""
    producer = {r.derives: r for r in rules if r.derives}
    state: dict[str, int] = {}   # 1 = visiting, 2 = done

    def visit(rule: Rule, path: list[str]):
        if state.get(rule.id) == 2:
            return
        if state.get(rule.id) == 1:
            raise RuleLoadError(rule.file, rule.line, "circular definition: " + " -> ".join(path + [rule.id]))
        state[rule.id] = 1
        stratum, scope = 0, "state"
        for key in refs(rule.node):
            aggregate = key.startswith("any_tool.")
            inner = key[len("any_tool."):] if aggregate else key
            if inner.startswith("tool.") and not aggregate:
                scope = "tool"
            dep = producer.get(inner)
            if dep is not None:
                visit(dep, path + [rule.id])
                stratum = max(stratum, dep.stratum + 1)
                if dep.scope == "tool" and not aggregate:
                    scope = "tool"
            elif aggregate and not inner.startswith("tool."):
                raise RuleLoadError(rule.file, rule.line, f"any_tool. needs a tool fact; {inner} is not one")
        if rule.kind in ("test", "tests", "exemption", "applicability") and scope == "tool":
            raise RuleLoadError(rule.file, rule.line,
                                "applicability tests and exemptions are per state: use any_tool.<fact> to ask about tools")
        rule.stratum, rule.scope = stratum, scope
        state[rule.id] = 2

    for rule in rules:
        visit(rule, [])
