"""Reading profiles from JSON or TOML files (``-`` is JSON on stdin). Loading never executes code:
JSON and TOML are parsed as data and validated by the pydantic models."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from pydantic import ValidationError

from reggi.facts.errors import InputError
from reggi.facts.profile import Profile


def field_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validation_message(err: ValidationError) -> str:
    """Every problem, each naming its field, with the allowed values where pydantic lists them."""
    return "; ".join(f"{where}: {msg}" for where, msg in validation_problems(err))


def validation_problems(err: ValidationError) -> list[tuple[str, str]]:
    """(field path, message) for every problem, as validation_message words them (the HTTP API
    returns them one by one)."""
    lines = []
    for e in err.errors():
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        where = field_path(loc) or "profile"
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown field; allowed: " + ", ".join(_allowed_fields(loc[:-1]))
        elif e["type"] == "missing":
            msg = "required field is missing"
        lines.append((where, msg))
    return lines


def _allowed_fields(loc: tuple) -> list[str]:
    """The field names of the model at ``loc`` (a path into a profile)."""
    import typing
    model = Profile
    for part in loc:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        for arg in (typing.get_args(annotation) or (annotation,)):
            for inner in (typing.get_args(arg) or (arg,)):
                if isinstance(inner, type) and hasattr(inner, "model_fields"):
                    model = inner
    return list(model.model_fields)


def _no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ValueError(f"key {dupes[0]!r} appears twice in one object")
    return dict(pairs)


def parse_profile(data, name: str, line: int | None = None) -> Profile:
    try:
        return Profile.model_validate(data)
    except ValidationError as err:
        raise InputError(name, line, validation_message(err)) from None


# Profiles, scenarios and rule files nest a few levels (a profile: tools[2].collects[0]); text
# nested deeper than this is refused, as is text too deep for the parsers (Python's recursion
# limit), which would otherwise stop the command with a RecursionError.
MAX_DEPTH = 32


def too_deep(name: str, line: int | None = None) -> InputError:
    return InputError(name, line, f"nested more than {MAX_DEPTH} levels deep; no profile, scenario or rule "
                                  "file needs that many")


def depth(data) -> int:
    """How many levels of objects and arrays ``data`` nests (iteratively: no recursion)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def parse_text(name: str, text: str, kind: str, line: int | None = None):
    """JSON or TOML text as data; a syntax error names the file and line (``line`` when the text
    is one line of a JSON Lines file); text nested more than MAX_DEPTH levels is refused."""
    try:
        data = _parse(name, text, kind, line)
    except RecursionError:
        raise too_deep(name, line) from None
    if depth(data) > MAX_DEPTH:
        raise too_deep(name, line)
    return data


def _parse(name: str, text: str, kind: str, line: int | None):
    if kind == "toml":
        import tomllib   # here, not at the top: a JSON profile's start does without it
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            m = re.search(r"line (\d+)", str(err))
            raise InputError(name, int(m.group(1)) if m else None, f"TOML syntax error: {err}") from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as err:
        raise InputError(name, line or err.lineno, f"JSON syntax error: {err.msg} (column {err.colno})") from None
    except ValueError as err:   # a repeated key: JSON would silently keep the last one
        raise InputError(name, line, str(err)) from None


def read_data(path: str) -> tuple[str, dict]:
    """A profile file (``-``: JSON on stdin) as unvalidated data, with the name errors use."""
    if path == "-":
        name, text, kind = "<stdin>", sys.stdin.read(), "json"
    else:
        p = Path(path)
        name = path
        if not p.is_file():
            raise InputError(name, None, "is a folder, not a profile file" if p.is_dir() else "no such file")
        kind = "toml" if p.suffix.lower() == ".toml" else "json"
        if p.suffix.lower() not in (".json", ".toml"):
            raise InputError(name, None, "a profile is a .json or .toml file")
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(name, None, f"cannot read: {err}") from None
    data = parse_text(name, text, kind)
    if not isinstance(data, dict):
        raise InputError(name, None, "a profile is an object with business, states and tools")
    return name, data


def read_profile(path: str) -> Profile:
    name, data = read_data(path)
    return parse_profile(data, name)


def load_profile(source, name: str = "profile") -> Profile:
    """A validated profile from a path (JSON or TOML), a dict, or a Profile; bad input raises
    InputError naming the file or field and what is allowed."""
    if isinstance(source, Profile):
        return source
    if isinstance(source, dict):
        return parse_profile(source, name)
    return read_profile(str(source))
