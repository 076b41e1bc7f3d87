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

Paths in ``profile`` are relative to the scenario file.
"""
from __future__ import annotations

import copy
import datetime as dt
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.evaluate import Findings
from facts.errors import InputError
from facts.paths import set_path, unset_path
from facts.profile import Profile
from facts.reader import parse_profile, validation_message


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")
    obligations: list[str] = Field(default_factory=list)
    conditional: list[str] = Field(default_factory=list)
    absent: list[str] = Field(default_factory=list)
    apply: list[str] = Field(default_factory=list)
    not_apply: list[str] = Field(default_factory=list)
    may_apply: list[str] = Field(default_factory=list)


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


def load_scenario(path: Path) -> Scenario:
    name = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise InputError(name, None, f"TOML syntax error: {err}") from None
    try:
        sf = ScenarioFile.model_validate(raw)
    except ValidationError as err:
        raise InputError(name, None, validation_message(err)) from None
    if isinstance(sf.profile, str):
        ppath = (path.parent / sf.profile).resolve()
        if not ppath.is_file():
            raise InputError(name, None, f"profile file {sf.profile!r} not found")
        text = ppath.read_text(encoding="utf-8")
        data = tomllib.loads(text) if ppath.suffix == ".toml" else json.loads(text)
    elif isinstance(sf.profile, dict):
        data = copy.deepcopy(sf.profile)
    else:
        raise InputError(name, None, "profile: give a path to a profile file or an inline [profile] table")
    for key in sorted(sf.set):
        _apply(data, key, sf.set[key], name)
    data.pop("as_of", None)   # the scenario's as_of decides
    return Scenario(name, sf.description, sf.as_of, parse_profile(data, name), sf.expect)


def find_scenarios(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(p.rglob("*.toml"))
        elif p.is_file():
            out.append(p)
        else:
            raise InputError(str(p), None, "no such scenario file or folder")
    return out


def check(s: Scenario, f: Findings) -> list[str]:
    """What differs from the expectation, in words a rule maintainer can act on."""
    status = {o.id: o for o in f.obligations}
    statute = {x.statute: x for x in f.statutes}
    problems: list[str] = []

    def show(oid):
        o = status[oid]
        return f"{oid} is {o.status}" + (f"; why: {' | '.join(o.why or o.conditions)}" if (o.why or o.conditions) else "")

    for oid in s.expect.obligations:
        if oid not in status:
            problems.append(f"expected obligation {oid} to apply; it is not reported")
        elif status[oid].status != "applies":
            problems.append(f"expected obligation {oid} to apply; " + show(oid))
    for oid in s.expect.conditional:
        if oid not in status or status[oid].status != "conditional":
            problems.append(f"expected obligation {oid} to be conditional; "
                            + (show(oid) if oid in status else "it is not reported"))
    for oid in s.expect.absent:
        if oid in status:
            problems.append(f"expected obligation {oid} to be absent; " + show(oid))
    for sid, want in ([(x, "applies") for x in s.expect.apply] + [(x, "conditional") for x in s.expect.may_apply]):
        got = statute.get(sid)
        if got is None:
            problems.append(f"unknown statute {sid}")
        elif got.status != want:
            problems.append(f"expected {sid} to be {want}; it is {got.status}: {'; '.join(got.reasons)}")
    for sid in s.expect.not_apply:
        got = statute.get(sid)
        if got is None:
            problems.append(f"unknown statute {sid}")
        elif got.status in ("applies", "conditional"):
            problems.append(f"expected {sid} not to apply; it is {got.status}: {'; '.join(got.reasons)}")
    return problems
