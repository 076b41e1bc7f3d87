"""Reading many profiles at once, for ``reggi batch`` and ``reggi diff``.

An input is a folder of profile files (.json/.toml, every level, sorted by path), a JSON Lines
file (.jsonl, one profile a line), a CSV vendor inventory (.csv, one row per tool, combined with
the business facts given once), a single profile file, or ``-`` (stdin: JSON Lines if the first
non-blank line starts with ``{``, otherwise CSV).

Every record read is yielded, in input order, with where it came from: a bad record is yielded
as an ``InputError`` in place of its profile, never raised, so one bad row does not stop the
others and nothing is silently dropped. An input that yields nothing yields one error record.
"""
from __future__ import annotations

import csv
import itertools
import sys
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

from pydantic import ValidationError

from facts.errors import InputError
from facts.fields import FIELDS
from facts.profile import Profile, Tool
from facts.reader import parse_profile, parse_text, read_profile, validation_message

PROFILE_SUFFIXES = (".json", ".toml")
JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")

# CSV inventory columns are the Tool fields, so the documentation and the profile cannot drift.
COLUMNS = tuple(Tool.model_fields)
LIST_SEPARATOR = ";"
NONE_WORD = "none"            # a list cell that says the tool collects nothing (empty = unknown)
BOOLEAN_WORDS = {"true": True, "yes": True, "false": False, "no": False}


class Record(NamedTuple):
    source: str                         # the file (or <stdin>) the record came from
    line: int | None                    # its line in that file; None for a whole profile file
    profile: Profile | InputError       # the profile, or what is wrong with the record

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source

    @property
    def business(self) -> str:
        return "" if isinstance(self.profile, InputError) else self.profile.business.name

    @property
    def vendors(self) -> list[str]:
        return [] if isinstance(self.profile, InputError) else [t.name for t in self.profile.tools]


BusinessFacts = Callable[[], "Profile | InputError"]


def read_records(inputs: Iterable[str], business: str | None = None) -> Iterator[Record]:
    """The records of every input, in order. ``business`` is the profile CSV rows are added to."""
    facts = _business(business)
    for spec in inputs:
        count = 0
        try:
            for record in _read(spec, facts):
                count += 1
                yield record
        except (OSError, UnicodeDecodeError, csv.Error) as err:
            # The rest of this input cannot be read: say so once, in place of what is left.
            count += 1
            yield Record(spec, None, InputError(spec, None, f"cannot read further: {err}"))
        if not count:
            yield Record(spec, None, InputError(spec, None, "nothing to evaluate: no profile files, lines or rows"))


def _business(path: str | None) -> BusinessFacts:
    """The business facts, read once on first use (only CSV inventories need them)."""
    cache: list = []

    def get():
        if not cache:
            if path is None:
                cache.append(InputError("--business", None, "a CSV vendor inventory needs --business FILE, "
                                        "a profile with the business facts and states"))
            else:
                try:
                    cache.append(read_profile(path))
                except InputError as err:
                    cache.append(err)
        return cache[0]
    return get


def _read(spec: str, business: BusinessFacts) -> Iterator[Record]:
    if spec == "-":
        lines = iter(sys.stdin)
        head = []
        for line in lines:      # look at the first non-blank line to tell JSON Lines from CSV
            head.append(line)
            if line.strip():
                break
        lines = itertools.chain(head, lines)
        if head and head[-1].lstrip("\ufeff \t").startswith("{"):
            yield from _json_lines("<stdin>", lines)
        else:
            yield from _inventory("<stdin>", lines, business)
        return
    path = Path(spec)
    suffix = path.suffix.lower()
    if path.is_dir():
        files = sorted((p for p in path.rglob("*") if p.suffix.lower() in PROFILE_SUFFIXES and p.is_file()),
                       key=lambda p: p.relative_to(path).as_posix())
        for file in files:
            yield _profile_file(str(file))
    elif not path.is_file():
        yield Record(spec, None, InputError(spec, None, "no such file or folder"))
    elif suffix in PROFILE_SUFFIXES:
        yield _profile_file(spec)
    elif suffix in JSON_LINES_SUFFIXES or suffix == ".csv":
        # utf-8-sig: spreadsheets often start a CSV with a byte-order mark.
        with open(path, encoding="utf-8-sig", newline="") as lines:
            if suffix == ".csv":
                yield from _inventory(spec, lines, business)
            else:
                yield from _json_lines(spec, lines)
    else:
        allowed = ", ".join(PROFILE_SUFFIXES + JSON_LINES_SUFFIXES + (".csv",))
        yield Record(spec, None, InputError(spec, None, f"not a profile input; allowed: a folder, -, or a {allowed} file"))


def _profile_file(name: str) -> Record:
    try:
        return Record(name, None, read_profile(name))
    except InputError as err:
        return Record(name, None, err)


def _json_lines(name: str, lines: Iterable[str]) -> Iterator[Record]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue        # blank lines are skipped, but counted, so line numbers match an editor's
        try:
            profile = parse_profile(parse_text(name, line, "json", number), name, number)
        except InputError as err:
            profile = err
        yield Record(name, number, profile)


def _inventory(name: str, lines: Iterable[str], business: BusinessFacts) -> Iterator[Record]:
    """One record per CSV row: the business profile with the row's tool as its only tool."""
    rows = csv.reader(lines)
    header = next((cells for cells in rows if cells), None)     # blank lines before it are no rows
    if header is None:
        return
    columns = [c.strip().lstrip("\ufeff") for c in header]
    problem = _header_problem(columns, rows.line_num)
    end = rows.line_num
    for cells in rows:
        # A quoted cell may span lines: a row is numbered by the line it starts on, as in an editor.
        line, end = end + 1, rows.line_num

        def error(message: str) -> Record:
            return Record(name, line, InputError(name, line, message))

        if problem:     # no row can be read without its header; each says so, so none is lost
            yield error(problem)
        elif not cells:
            yield error("empty line; give one tool per row, or delete the line")
        elif len(cells) != len(columns):
            yield error(f"{len(cells)} cells, but the header has {len(columns)} columns ({', '.join(columns)})")
        else:
            yield Record(name, line, _vendor(dict(zip(columns, cells)), name, line, business))


def _header_problem(columns: list[str], line: int) -> str | None:
    allowed = f"the first line names the columns; allowed: {', '.join(COLUMNS)}"
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        return f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} in the header (line {line}); {allowed}"
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        return f"column {', '.join(map(repr, repeated))} repeated in the header (line {line}); {allowed}"
    return None


def _vendor(row: dict[str, str], name: str, line: int, business: BusinessFacts) -> Profile | InputError:
    data = {}
    for column, cell in row.items():
        cell = cell.strip()
        if not cell:
            continue        # empty cell: unknown
        spec = FIELDS.get(f"tool.{column}")     # None for the name
        kind = spec.type if spec else "str"
        if kind == "set":
            data[column] = [] if cell.lower() == NONE_WORD else [v.strip() for v in cell.split(LIST_SEPARATOR) if v.strip()]
        elif kind == "bool":
            if cell.lower() not in BOOLEAN_WORDS:
                return InputError(name, line, f"{column}: {cell!r} is not a yes/no value; allowed: "
                                  f"{', '.join(BOOLEAN_WORDS)}, or empty for unknown")
            data[column] = BOOLEAN_WORDS[cell.lower()]
        else:
            data[column] = cell
    try:
        tool = Tool.model_validate(data)
    except ValidationError as err:
        return InputError(name, line, validation_message(err))
    base = business()
    if isinstance(base, InputError):
        return base
    return base.model_copy(update={"tools": [tool]})
