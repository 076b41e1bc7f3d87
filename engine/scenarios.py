"""Golden scenarios: a profile, an as-of date and the findings a rule maintainer expects.

A scenario file is TOML::

    description = "Montana act applies at exactly 25,000 consumers after SB 297"
    as_of = 2025-10-01
    profile = "../../../examples/chat-tool-ca-mt.json"   # or an inline [profile] table
    [set]                                  # optional changes to the profile, by path
    "states.MT.consumers" = 25000          # states and tools are addressed by code / name
    [expect]
    obligations = ["us-mt-mcdpa.processor-contract"]   # must apply
    conditional = []                       # must be reported as conditional
    absent = ["us-mt-mcdpa.minors-duty-of-care"]        # must not be reported at all
    apply = ["us-mt-mcdpa"]                # statutes that must apply
    not_apply = ["us-ct-ctdpa"]            # statutes that must not apply (any reason)
    may_apply = []                         # statutes that must be conditional
    upcoming = ["2028-01-01 us-xx-act"]   # changes reported within 24 months (date, statute or obligation id)

Paths in ``profile`` are relative to the scenario file. In a folder, every ``.toml`` file is a
scenario except profiles (files with a ``[business]`` table). README: "Regression testing".
"""
from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reggi.engine.evaluate import Findings
from reggi.engine.rulebase import locate
from reggi.facts.errors import InputError, read_text
from reggi.facts.paths import set_path, unset_path
from reggi.facts.profile import Profile
from reggi.facts.reader import parse_profile, parse_text, read_data, validation_message


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")
    obligations: list[str] = Field(default_factory=list)
    conditional: list[str] = Field(default_factory=list)
    absent: list[str] = Field(default_factory=list)
    apply: list[str] = Field(default_factory=list)
    not_apply: list[str] = Field(default_factory=list)
    may_apply: list[str] = Field(default_factory=list)
    upcoming: list[str] = Field(default_factory=list, description='"YYYY-MM-DD <statute or obligation id>" entries '
                                "that must be among the changes reported within 24 months")


class ScenarioFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str
    as_of: dt.date
    profile: Any
    set: dict[str, Any] = Field(default_factory=dict)
    expect: Expect


@dataclass
class Scenario:
    path: str
    description: str
    as_of: dt.date
    profile: Profile
    expect: Expect


def _apply(data: dict, path: str, value, name: str) -> None:
    """Set a profile path; the string "unknown" removes the fact."""
    try:
        if value == "unknown":
            unset_path(data, path)
        else:
            set_path(data, path, value)
    except KeyError as err:
        raise InputError(name, None, f"set {path!r}: {err.args[0]}") from None


PROJECT_MARKERS = (".git", "pyproject.toml", "rules")


def scenario_tree(path: Path) -> Path:
    """The folder a scenario's relative profile path must stay in: the nearest folder above the
    scenario that is a project (holds .git, pyproject.toml or rules/), else the scenario's own
    folder. An absolute path is the author's explicit choice and is not limited."""
    folder = path.resolve().parent
    for candidate in (folder, *folder.parents):
        if any((candidate / marker).exists() for marker in PROJECT_MARKERS):
            return candidate
    return folder


def load_scenario(path: Path) -> Scenario:
    name = str(path)
    text = read_text(path, name)
    raw = parse_text(name, text, "toml")
    try:
        sf = ScenarioFile.model_validate(raw)
    except ValidationError as err:
        raise InputError(name, locate(text, tuple(err.errors()[0]["loc"])), validation_message(err)) from None
    if isinstance(sf.profile, str):
        at = locate(text, ("profile",))
        ppath = (path.parent / sf.profile).resolve()
        tree = scenario_tree(path)
        if not Path(sf.profile).is_absolute() and not ppath.is_relative_to(tree):
            raise InputError(name, at, f"profile {sf.profile!r} leads outside the scenario tree {tree} "
                             f"(it resolves to {ppath}); keep profiles in the project beside its scenarios, "
                             "or give an absolute path")
        if ppath.is_dir():
            raise InputError(name, at, f"profile {sf.profile!r} is a folder, not a profile file")
        if not ppath.is_file():
            raise InputError(name, at, f"profile file {sf.profile!r} not found: no such file "
                             f"(paths are relative to the scenario file: {ppath})")
        try:
            data = read_data(str(ppath))[1]
        except InputError as err:
            raise InputError(name, at, f"profile {sf.profile!r}: {err.message}") from None
    elif isinstance(sf.profile, dict):
        data = copy.deepcopy(sf.profile)
    else:
        raise InputError(name, None, "profile: give a path to a profile file or an inline [profile] table")
    for key in sorted(sf.set):
        _apply(data, key, sf.set[key], name)
    data.pop("as_of", None)   # the scenario's as_of decides
    return Scenario(name, sf.description, sf.as_of, parse_profile(data, name), sf.expect)


def find_scenarios(paths: list[Path]) -> list[Path]:
    """Scenario files: those named, and every .toml file in the folders named except profiles
    (a file with a [business] table), which may sit beside the scenarios that use them."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += [f for f in sorted(p.rglob("*.toml"))
                    if "business" not in parse_text(str(f), read_text(f), "toml")]
        elif p.is_file():
            out.append(p)
        else:
            raise InputError(str(p), None, "no such scenario file or folder")
    return out


@dataclass
class Mismatch:
    """One expectation that does not hold: what was expected, what happened, and why."""
    subject: str          # an obligation or statute id
    expected: str
    actual: str
    details: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join([self.subject, f"  expected: {self.expected}", f"  actual:   {self.actual}"]
                         + [f"    {d}" for d in self.details])


def check(s: Scenario, f: Findings, known: set[str] | None = None) -> list[Mismatch]:
    """What differs from the expectation, with the reasons behind the actual result, in words a
    rule maintainer can act on. ``known``: the rule base's obligation ids, to catch typos that
    would make an expectation pass vacuously."""
    reported = {o.id: o for o in f.obligations}
    statute = {x.statute: x for x in f.statutes}
    out: list[Mismatch] = []

    def obligation(oid: str, want: str):
        if known is not None and oid not in known:
            out.append(Mismatch(oid, want, "no such obligation in the rule base"))
            return
        o = reported.get(oid)
        got = o.status if o else "absent"
        if got == want:
            return
        if o:
            out.append(Mismatch(oid, want, got, [f"why: {w}" for w in o.why] + [f"if: {c}" for c in o.conditions]))
            return
        st = statute.get(oid.partition(".")[0])
        if st is None:
            because = []
        elif st.status in ("applies", "conditional"):
            because = [f"because: {st.statute} {st.status.replace('_', ' ')}, but the obligation's own condition or dates do not hold"]
        else:
            because = [f"because: {st.statute} {st.status.replace('_', ' ')}: {r}" for r in st.reasons]
        out.append(Mismatch(oid, want, "absent (not reported)", because))

    def law(sid: str, want: str, ok: tuple):
        st = statute.get(sid)
        if st is None:
            out.append(Mismatch(sid, want, "no such statute in the rule base"))
        elif st.status not in ok:
            out.append(Mismatch(sid, want, st.status.replace("_", " "), [f"because: {r}" for r in st.reasons]))

    for oid in s.expect.obligations:
        obligation(oid, "applies")
    for oid in s.expect.conditional:
        obligation(oid, "conditional")
    for oid in s.expect.absent:
        obligation(oid, "absent")
    for sid in s.expect.apply:
        law(sid, "applies", ("applies",))
    for sid in s.expect.may_apply:
        law(sid, "conditional", ("conditional",))
    for sid in s.expect.not_apply:
        law(sid, "not applicable (for any reason)", ("not_applicable", "not_in_force", "not_in_play"))
    changes = {f"{c.date} {c.id}": c for c in f.upcoming}
    for entry in s.expect.upcoming:
        if entry not in changes:
            out.append(Mismatch(entry, "reported as coming into force", "not among the upcoming changes",
                                [f"upcoming: {key}: {c.change}" for key, c in changes.items()] or ["upcoming: nothing"]))
    return out
