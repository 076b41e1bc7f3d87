"""Rule lint: what a rule maintainer should fix or know, each problem with its file and line.

The loader stops at the first error; lint reads every file and every table entry on its own, so
that all problems are listed together: schema errors, duplicate ids, overlapping or gapped
versions, citations without a pinpoint, conditions that can never be true or always are, and
unverified items. Checks that need the whole rule base (strata, producers of derived facts) run
once the files are free of errors. Errors make ``reggi rules lint`` exit 1; warnings do not.
"""
from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from reggi.facts.errors import InputError, read_text
from reggi.engine.conditions import Atom, ConditionError, Node, atoms, evaluate, parse
from reggi.engine.rulebase import (RuleBase, RuleLoadError, file_name, find_files, load, locate, overlap,
                             parse_toml, resolver, schema_problem)
from reggi.engine.schema import ApplicabilityTest, Concept, Exemption, Obligation, RuleFile, Statute
from reggi.facts.fields import FIELDS

ERROR, WARNING = "error", "warning"
TABLES = {"concepts": Concept, "applies": ApplicabilityTest, "exemptions": Exemption, "obligations": Obligation}
VERSIONED = ("applies", "exemptions", "obligations")   # ids that may repeat with disjoint dates
WORD = {"statute": "statute", "concepts": "concept", "applies": "applicability test",
        "exemptions": "exemption", "obligations": "obligation"}
# A section with a subsection: § 1798.100(a), § 56:8-166.6(a); Minnesota's § 325M.16, subd. 1;
# New Hampshire's RSA form § 507-H:7, II.
PINPOINT = re.compile(r"§\s*[0-9][\w.:\-]*(\(|,\s*subd\.\s*[0-9])"
                      r"|§\s*[0-9][\w.\-]*:[\w\-]+,\s*[IVXL]+\b")
MAX_CASES = 1 << 16   # value combinations tried per condition; larger ones are not judged


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    severity: str   # error | warning
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.message}"


@dataclass
class Entry:
    """One table entry that validates on its own, and where it is."""
    table: str
    index: int
    item: object


@dataclass
class Source:
    name: str
    text: str
    owner: str | None     # the statute id, if the file has one
    statute: Statute | None
    entries: list[Entry]

    def line(self, table: str, index: int | None = None, key: str = "id") -> int:
        loc = (table, key) if index is None else (table, index, key)
        return locate(self.text, loc) or 1

    def problem(self, severity: str, table: str, index: int | None, key: str, message: str) -> Problem:
        return Problem(self.name, self.line(table, index, key), severity, message)

    def of(self, table: str) -> list[Entry]:
        return [e for e in self.entries if e.table == table]


def lint(root: Path | str, today: dt.date | None = None) -> list[Problem]:
    today = today or dt.date.today()
    root = Path(root)
    if not root.is_dir():
        raise RuleLoadError(str(root), None, "not a folder of rule files")
    problems: list[Problem] = []
    sources = [s for s in (_read(p, root, problems) for p in find_files(root)) if s]
    shared, local = _ids(sources, problems)
    for src in sources:
        _citations(src, problems)
        _unverified(src, problems)
        _review_by(src, today, problems)
        _conditions(src, resolver(shared, local.get(src.owner, {})), problems)
    if not any(p.severity == ERROR for p in problems):
        _rulebase(root, problems)
    return sorted(problems)


def _read(path: Path, root: Path, problems: list[Problem]) -> Source | None:
    name = file_name(path, root)
    try:
        text = read_text(path, name)
        data = parse_toml(name, text)
    except InputError as err:
        problems.append(Problem(name, err.line or 1, ERROR, err.message))
        return None
    try:
        RuleFile.model_validate(data)
    except ValidationError as err:
        for error in err.errors():
            line, message = schema_problem(error, text)
            problems.append(Problem(name, line or 1, ERROR, message))
    # Keep every entry that is valid on its own (its errors are reported above), so that one bad
    # entry does not hide the problems of the others.
    raw = data.get("statute")
    owner = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
    entries = []
    for table, model in TABLES.items():
        items = data.get(table)
        for index, raw_item in enumerate(items if isinstance(items, list) else []):
            item = _valid(model, raw_item)
            if item is not None:
                entries.append(Entry(table, index, item))
    return Source(name, text, owner, _valid(Statute, raw), entries)


def _valid(model, raw):
    try:
        return model.model_validate(raw)
    except ValidationError:
        return None


# --- ids and versions ---------------------------------------------------------------------------

def _ids(sources: list[Source], problems: list[Problem]) -> tuple[dict, dict]:
    """Duplicate ids: statutes and shared concepts across files, concepts within a statute, and
    versions of one test, exemption or obligation whose dates overlap (a gap is a warning).
    Returns the concept ids conditions may use: shared ones, and per statute its own."""
    first: dict[tuple, str] = {}   # (kind, scope, id) -> where it was first defined
    shared: dict[str, str] = {}
    local: dict[str, dict[str, str]] = {}

    def unique(key: tuple, src: Source, table: str, index: int | None) -> bool:
        line = src.line(table, index)
        if key in first:
            problems.append(Problem(src.name, line, ERROR,
                                    f"duplicate {WORD[table]} id {key[-1]!r} (first defined at {first[key]})"))
            return False
        first[key] = f"{src.name}:{line}"
        return True

    for src in sources:
        if src.owner:
            unique(("statute", src.owner), src, "statute", None)
        for e in src.of("concepts"):
            if unique(("concept", src.owner, e.item.id), src, "concepts", e.index):
                if src.owner:
                    local.setdefault(src.owner, {})[e.item.id] = f"{src.owner}.{e.item.id}"
                else:
                    shared[e.item.id] = e.item.id
        for table in VERSIONED:
            by_id: dict[str, list[Entry]] = {}
            for e in src.of(table):
                by_id.setdefault(e.item.id, []).append(e)
            for versions in by_id.values():
                _versions(src, table, versions, problems)
    return shared, local


def _versions(src: Source, table: str, versions: list[Entry], problems: list[Problem]) -> None:
    for i, later in enumerate(versions):
        clash = next((e for e in versions[:i] if overlap(e.item, later.item)), None)
        if clash:
            problems.append(src.problem(ERROR, table, later.index, "id",
                                        f"duplicate {WORD[table]} id {later.item.id!r}: its dates overlap those of "
                                        f"line {src.line(table, clash.index)}; versions of one id need disjoint from/until"))
    ordered = sorted(versions, key=lambda e: e.item.from_ or dt.date.min)
    for before, after in zip(ordered, ordered[1:]):
        end, start = before.item.until, after.item.from_
        if end and start and end < start:
            problems.append(src.problem(WARNING, table, after.index, "id",
                                        f"{WORD[table]} {after.item.id!r} has no version in force from {end} to "
                                        f"{start} (the version at line {src.line(table, before.index)} ends {end})"))


# --- citations and verification -----------------------------------------------------------------

def _citations(src: Source, problems: list[Problem]) -> None:
    for e in src.of("obligations"):
        for cite in e.item.cite:
            if not cite.strip():
                problems.append(src.problem(ERROR, "obligations", e.index, "cite",
                                            f"obligation {e.item.id!r} has an empty citation"))
            elif not PINPOINT.search(cite):
                problems.append(src.problem(WARNING, "obligations", e.index, "cite",
                                            f"obligation {e.item.id!r}: citation {cite!r} has no pinpoint "
                                            "(no subsection in parentheses)"))


def _unverified(src: Source, problems: list[Problem]) -> None:
    items = [("statute", None, src.statute)] + [(e.table, e.index, e.item) for e in src.entries]
    for table, index, item in items:
        if item is not None and not item.verified:
            problems.append(src.problem(WARNING, table, index, "verified",
                                        f"unverified {WORD[table]} {item.id!r}: {item.note}"))


def _review_by(src: Source, today: dt.date, problems: list[Problem]) -> None:
    """An item with ``review_by`` (an amount due for its scheduled adjustment, a pending date) is
    reported once that date has passed while the item is still in force after it."""
    for e in src.entries:
        due = getattr(e.item, "review_by", None)
        if due is None or today < due or (e.item.until is not None and e.item.until <= due):
            continue
        problems.append(src.problem(WARNING, e.table, e.index, "review_by",
                                    f"{WORD[e.table]} {e.item.id!r} is used past its scheduled adjustment or review on "
                                    f"{due.isoformat()}: encode the new figure from that date (until / from), "
                                    "or keep it marked pending"))


# --- conditions ----------------------------------------------------------------------------------

def _conditions(src: Source, resolve, problems: list[Problem]) -> None:
    for e in src.entries:
        if not e.item.when.strip():
            continue
        try:
            node = parse(e.item.when, resolve)
        except ConditionError as err:
            problems.append(src.problem(ERROR, e.table, e.index, "when", str(err)))
            continue
        verdict = constant(node)
        if verdict is not None:
            what = "is always true" if verdict else "can never be true"
            problems.append(src.problem(ERROR, e.table, e.index, "when",
                                        f"the condition of {WORD[e.table]} {e.item.id!r} {what}: "
                                        f"{' '.join(e.item.when.split())}"))


def constant(node: Node) -> bool | None:
    """True if ``node`` holds for every combination of known values, False if for none, else
    None. Each field takes one value from every region its literals cut the domain into (each
    literal, a point between two, one beyond each end; for a list field, every choice of the
    members named), so every atom's truth is covered and the verdict is exact; derived facts
    vary freely, which can only hide a verdict, never invent one. Too many combinations: None."""
    literals: dict = {}
    refs = {}
    for atom in atoms(node):
        refs[atom.ref.key] = atom.ref
        values = atom.value if isinstance(atom.value, tuple) else (atom.value,)
        literals.setdefault(atom.ref.key, set()).update(values)
    keys = sorted(refs)
    choices = [_candidates(refs[k].type, refs[k].allowed, literals[k]) for k in keys]
    if math.prod(len(c) for c in choices) > MAX_CASES:
        return None
    seen = set()
    for values in itertools.product(*choices):
        seen.add(evaluate(node, dict(zip(keys, values))))
        if len(seen) == 2:
            return None
    return seen.pop()


def _candidates(kind: str, allowed: tuple, literals: set) -> list:
    if kind == "bool":
        return [True, False]
    if kind == "enum":
        return list(allowed)
    if kind == "set":
        named = sorted(literals)
        return [frozenset(c) for n in range(len(named) + 1) for c in itertools.combinations(named, n)]
    if kind in ("int", "number"):
        points = sorted(literals)
        between = [(a + b) / 2 for a, b in zip(points, points[1:])]
        return points + between + [points[0] - 1, points[-1] + 1]
    return sorted(literals) + ["\0none of the literals"]


# --- the whole rule base -------------------------------------------------------------------------

def _rulebase(root: Path, problems: list[Problem]) -> None:
    """What only the loaded rule base shows: the loader's own errors (cycles, scopes) and the
    checks of ``strata``."""
    try:
        rb = load(root)
    except RuleLoadError as err:
        problems.append(Problem(err.file, err.line or 1, ERROR, err.message))
        return
    problems += strata(rb)


def strata(rb: RuleBase) -> list[Problem]:
    """Facts read that no profile field or rule provides, and negations of derived facts that
    are not complete when read (the loader's strata should make both impossible)."""
    out = []
    producer = rb.producers
    for rule in rb.rules:
        for atom in atoms(rule.node):
            key = atom.ref.key
            inner = key[len("any_tool."):] if key.startswith("any_tool.") else key
            if inner == "asof" or inner in FIELDS:
                continue
            dep = producer.get(inner)
            if dep is None:
                out.append(Problem(rule.file, rule.line or 1, ERROR,
                                   f"{rule.id} reads {key}, which no profile field or rule provides"))
            elif _negated(atom) and dep.stratum >= rule.stratum:
                out.append(Problem(rule.file, rule.line or 1, ERROR,
                                   f"{rule.id} (stratum {rule.stratum}) negates {inner}, derived in stratum "
                                   f"{dep.stratum}: the fact may be incomplete when read"))
    return out


def _negated(atom: Atom) -> bool:
    return (atom.op == "==" and atom.value is False) or (atom.op == "!=" and atom.value is True)
