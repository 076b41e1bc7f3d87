"""``reggi diff``: the same profiles under two rule bases, and what changed for each.

A rule base is a folder of rule files, or a git revision of this repository (its ``rules/`` at
that revision is extracted into a temporary folder). For each profile the report lists the
statutes whose status flipped or whose reasons, citation or source changed, and the obligations
added, removed or changed in anything the output shows; profiles whose findings are the same are
only counted, so the report names exactly the profiles that changed.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import subprocess
import tarfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from reggi.engine.evaluate import Finding, Findings, StatuteStatus
from reggi.engine.runner import EngineError
from reggi.engine.rulebase import RULES_DIR
from reggi.facts.errors import InputError
from reggi.facts.inventory import Record

# Everything the output shows of an obligation (its id aside) and of a statute (its id and status
# aside: a status change is a flip): a difference in any of these is a change. Taken from the
# dataclasses, so a field added to the findings is compared without being listed here.
COMPARED = tuple(f.name for f in dataclasses.fields(Finding) if f.name != "id")
STATUTE_COMPARED = tuple(f.name for f in dataclasses.fields(StatuteStatus) if f.name not in ("statute", "status"))


@dataclass
class Flip:
    statute: str
    name: str
    jurisdiction: str
    base: str                 # status with the base rules ("absent" if the statute is not there)
    head: str
    reasons: list[str]        # why, with the head rules (the base's if the head has no such statute)


@dataclass
class Change:
    id: str                                     # an obligation's, or a statute's
    title: str
    fields: list[tuple[str, object, object]]    # (field, base value, head value)


@dataclass
class ProfileDiff:
    record: str
    business: str
    vendors: list[str]
    error: str | None = None
    flips: list[Flip] = field(default_factory=list)
    restated: list[Change] = field(default_factory=list)    # statutes that keep their status, changed otherwise
    added: list[Finding] = field(default_factory=list)
    removed: list[Finding] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return bool(self.flips or self.restated or self.added or self.removed or self.changed)

    @property
    def only_new_statutes(self) -> bool:
        """Changed only because the head adds statutes (and their obligations): no finding the
        base gave moved. Adding a state's law does this to every profile; it is not a regression."""
        new = {f.statute for f in self.flips if f.base == "absent"}
        return (self.differs and not (self.removed or self.changed or self.restated)
                and len(new) == len(self.flips) and all(o.statute in new for o in self.added))


@dataclass
class Report:
    base: str
    head: str
    as_of: dt.date | None
    today: dt.date = field(default_factory=dt.date.today)   # the day used where neither gives one
    compared: int = 0
    profiles: list[ProfileDiff] = field(default_factory=list)    # the changed and the failed, in input order

    @property
    def totals(self) -> dict:
        changed = [p for p in self.profiles if p.differs]
        return {"profiles": self.compared, "changed": len(changed),
                "changed_only_by_new_statutes": sum(1 for p in changed if p.only_new_statutes),
                "existing_findings_moved": sum(1 for p in changed if not p.only_new_statutes),
                "failed": sum(1 for p in self.profiles if p.error),
                "unchanged": self.compared - len(self.profiles),
                "statutes_flipped": sum(len(p.flips) for p in changed),
                "statutes_changed": sum(len(p.restated) for p in changed),
                "obligations_added": sum(len(p.added) for p in changed),
                "obligations_removed": sum(len(p.removed) for p in changed),
                "obligations_changed": sum(len(p.changed) for p in changed)}


# --- rule bases --------------------------------------------------------------------------------

def rules_at(spec: str | None, dest: Path) -> tuple[Path, str]:
    """The folder of rule files ``spec`` names, and a label for the report. ``spec`` is a folder,
    or a git revision of this repository whose rules/ is extracted into ``dest``; None is the
    working tree's rules/."""
    if spec is None:
        return RULES_DIR, f"{RULES_DIR.name}/ (working tree)"
    if Path(spec).is_dir():
        return Path(spec), spec

    def git(*args: str, where: Path = RULES_DIR) -> bytes:
        try:
            done = subprocess.run(["git", "-C", str(where), *args], capture_output=True, check=False)
        except OSError as err:
            raise InputError(spec, None, f"not a folder, and git cannot run to read it as a revision: {err}") from None
        if done.returncode:
            said = done.stderr.decode(errors="replace").strip().splitlines() or ["unknown revision"]
            raise InputError(spec, None, f"neither a folder of rule files nor a git revision of this repository ({said[-1]})")
        return done.stdout

    commit = git("rev-parse", "--verify", "--end-of-options", f"{spec}^{{commit}}").decode().strip()
    # REV:path names rules/ from the top of the repository; archive runs there, since in a
    # subfolder it would look for that subfolder inside the tree it is given.
    top = Path(git("rev-parse", "--show-toplevel").decode().strip())
    prefix = RULES_DIR.resolve().relative_to(top.resolve()).as_posix()
    archive = git("archive", "--format=tar", f"{commit}:{prefix}", where=top)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        # The "data" filter refuses links and paths outside dest; Python before 3.11.4 lacks it.
        tar.extractall(dest, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    return dest, f"{spec} ({commit[:10]})"


# --- comparing ---------------------------------------------------------------------------------

def compare(records: Iterable[Record], base_rules: Path, head_rules: Path, base_label: str, head_label: str,
            as_of: dt.date | None = None) -> Report:
    from reggi.engine.service import Reggi
    base, head = Reggi(base_rules), Reggi(head_rules)
    report = Report(base_label, head_label, as_of)
    for record in records:
        report.compared += 1
        diff = ProfileDiff(record.where, record.business, record.vendors)
        if isinstance(record.profile, InputError):
            diff.error = str(record.profile)
        else:
            day = as_of or record.profile.as_of or report.today    # one day for both sides
            try:
                diff_findings(base.evaluate(record.profile, day), head.evaluate(record.profile, day), diff)
            except EngineError as err:     # named and counted as failed; the other profiles go on
                diff.error = f"{record.where}: the engine failed on this profile: {err}"
        if diff.error or diff.differs:
            report.profiles.append(diff)
    return report


def diff_findings(base: Findings, head: Findings, out: ProfileDiff) -> None:
    old = {o.id: o for o in base.obligations}
    new = {o.id: o for o in head.obligations}
    out.added = [o for o in head.obligations if o.id not in old]
    out.removed = [o for o in base.obligations if o.id not in new]
    for o in head.obligations:
        if o.id in old:
            fields = _differences(old[o.id], o, COMPARED)
            if fields:
                out.changed.append(Change(o.id, o.title, fields))
    was = {s.statute: s for s in base.statutes}
    now = {s.statute: s for s in head.statutes}
    for sid in sorted(was.keys() | now.keys(), key=lambda s: ((now.get(s) or was[s]).jurisdiction, s)):
        before, after = was.get(sid), now.get(sid)
        if (before and before.status) != (after and after.status):
            either = after or before
            out.flips.append(Flip(sid, either.name, either.jurisdiction, before.status if before else "absent",
                                  after.status if after else "absent", either.reasons))
        else:
            fields = _differences(before, after, STATUTE_COMPARED) if before and after else []
            if fields:
                out.restated.append(Change(sid, f"{after.name} ({after.jurisdiction}, {after.status})", fields))


def _differences(base, head, names: tuple[str, ...]) -> list[tuple[str, object, object]]:
    return [(f, _shown(base, f), _shown(head, f)) for f in names if _shown(base, f) != _shown(head, f)]


def _shown(item, name: str):
    """A field as the findings show it: an obligation's why without its statute's basis, which is
    compared (and shown) once, as its basis."""
    value = getattr(item, name)
    if name == "why" and isinstance(item, Finding):
        return [w for w in value if w not in item.basis]
    return value


# --- rendering ---------------------------------------------------------------------------------

def _header(r: Report) -> list[str]:
    t = r.totals
    day = r.as_of.isoformat() if r.as_of else f"each profile's as_of, else {r.today.isoformat()}"
    return [f"base: {r.base}", f"head: {r.head}", f"as of: {day}",
            f"{t['profiles']} profiles compared: {t['changed']} changed, {t['unchanged']} unchanged, {t['failed']} failed"]


def _verdict(r: Report) -> str:
    t = r.totals
    failed = f" {t['failed']} could not be read." if t["failed"] else ""
    if t["failed"] == t["profiles"]:
        return f"Nothing compared: none of the {t['profiles']} profiles could be read."
    if not t["changed"]:
        return (f"No changes: the {t['profiles'] - t['failed']} profiles evaluated give the same findings with both "
                f"rule bases.{failed}")
    return (f"Totals: {t['changed']} of {t['profiles']} profiles changed ({t['existing_findings_moved']} with existing "
            f"findings moved, {t['changed_only_by_new_statutes']} only by statutes the head adds); "
            f"{t['statutes_flipped']} statute(s) flipped, "
            f"{t['statutes_changed']} changed without flipping; "
            f"obligations: {t['obligations_added']} added, {t['obligations_removed']} removed, "
            f"{t['obligations_changed']} changed.{failed}")


def _who(p: ProfileDiff) -> str:
    names = ", ".join([p.business] + p.vendors) if p.business else ""
    return f"{p.record}" + (f" ({names})" if names else "")


def _value_lines(base, head) -> list[tuple[str, str]]:
    """A field's change as (sign, text): list items removed and added, or the two values."""
    if isinstance(base, list) and isinstance(head, list):
        return [("-", x) for x in base if x not in head] + [("+", x) for x in head if x not in base]
    return [("-", str(base)), ("+", str(head))]


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, width=100, initial_indent=indent, subsequent_indent=indent + "  ",
                         break_on_hyphens=False, break_long_words=False) or [indent]


def render_text(r: Report) -> str:
    out = ["reggi diff"] + [f"  {line}" for line in _header(r)]
    for p in r.profiles:
        out += ["", _who(p)]
        if p.error:
            out += _wrap(f"error: {p.error}", "  ")
            continue
        for f in p.flips:
            out += _wrap(f"{f.jurisdiction}  {f.name} ({f.statute}): {f.base} -> {f.head}", "  ")
            out += _wrap("; ".join(f.reasons), "      ")
        out += _text_changes(p.restated)
        out += [line for o in p.removed for line in _wrap(f"- removed {o.id}: {o.title} ({o.status})", "  ")]
        out += [line for o in p.added for line in _wrap(f"+ added {o.id}: {o.title} ({o.status})", "  ")]
        out += _text_changes(p.changed)
    out += ["", _verdict(r)]
    return "\n".join(out) + "\n"


def _text_changes(changes: list[Change]) -> list[str]:
    out = []
    for c in changes:
        out += _wrap(f"~ changed {c.id}: {c.title}", "  ")
        for name, base, head in c.fields:
            out.append(f"      {name}:")
            out += [line for sign, text in _value_lines(base, head) for line in _wrap(f"{sign} {text}", "        ")]
    return out


def _markdown_changes(changes: list[Change]) -> list[str]:
    out = []
    for c in changes:
        out.append(f"- Changed `{c.id}`: {c.title}")
        for name, base, head in c.fields:
            out.append(f"  - {name}:")
            out += [f"    - {'removed' if sign == '-' else 'added'}: {text}" for sign, text in _value_lines(base, head)]
    return out


def render_markdown(r: Report) -> str:
    out = ["# reggi diff", ""] + [f"- {line}" for line in _header(r)]
    for p in r.profiles:
        out += ["", f"## {_who(p)}", ""]
        if p.error:
            out.append(f"**Error:** {p.error}")
            continue
        for f in p.flips:
            out.append(f"- **{f.name}** (`{f.statute}`, {f.jurisdiction}): {f.base} → **{f.head}**: {'; '.join(f.reasons)}")
        out += _markdown_changes(p.restated)
        out += [f"- Removed `{o.id}`: {o.title} ({o.status})" for o in p.removed]
        out += [f"- Added `{o.id}`: {o.title} ({o.status})" for o in p.added]
        out += _markdown_changes(p.changed)
    out += ["", f"**{_verdict(r)}**"]
    return "\n".join(out) + "\n"


def render_json(r: Report) -> str:
    def obligation(o: Finding) -> dict:
        return {"id": o.id, "title": o.title, "status": o.status}

    def changes(cs: list[Change]) -> list[dict]:
        return [{"id": c.id, "title": c.title, "fields": {name: {"base": b, "head": h} for name, b, h in c.fields}}
                for c in cs]

    profiles = []
    for p in r.profiles:
        item = {"record": p.record, "business": p.business, "vendors": p.vendors}
        if p.error:
            item["error"] = p.error
        else:
            item |= {"statutes": [vars(f) for f in p.flips],
                     "statutes_changed": changes(p.restated),
                     "added": [obligation(o) for o in p.added],
                     "removed": [obligation(o) for o in p.removed],
                     "changed": changes(p.changed)}
        profiles.append(item)
    return json.dumps({"base": r.base, "head": r.head, "as_of": r.as_of.isoformat() if r.as_of else None,
                       "today": r.today.isoformat(),
                       "totals": r.totals, "profiles": profiles}, indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
