"""Reading many profiles at once, for ``reggi batch`` and ``reggi diff``.

An input is a folder of profile files (.json/.toml, every level, sorted by path), a JSON Lines
file (.jsonl, one profile a line), a CSV vendor inventory (.csv, one row per tool, combined with
the business facts given once), a single profile file, or ``-`` (stdin: JSON Lines if the first
non-blank line is a JSON object, one profile or an array of profiles if the whole text is one JSON
document, otherwise CSV).

Every record read is yielded, in input order, with where it came from: a bad record is yielded
as an ``InputError`` in place of its profile, never raised, so one bad row does not stop the
others and nothing is silently dropped. Text is decoded line by line, so a byte that is not UTF-8
fails its line only; a CSV row that spans several lines (an unclosed quote) fails each of its lines.
An input that yields nothing yields one error record.
"""
from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import os
import re
import stat
import sys
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple, TextIO

from pydantic import ValidationError

from reggi.facts.errors import InputError
from reggi.facts.fields import FIELDS
from reggi.facts.profile import Profile, Tool
from reggi.facts.reader import parse_profile, parse_text, read_profile, validation_message

STDIN = "<stdin>"             # how records read from ``-`` name their source

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


def read_records(inputs: Iterable[str], business: Profile | None = None) -> Iterator[Record]:
    """The records of every input, in order. ``business`` is the profile CSV rows are added to
    (read by the caller, so that a bad business file stops the run before anything is written)."""
    for spec in inputs:
        name = STDIN if spec == "-" else spec
        count = 0
        try:
            for record in _read(spec, business):
                count += 1
                yield record
        except (OSError, csv.Error) as err:
            # The rest of this input cannot be read: say so once, in place of what is left.
            count += 1
            yield Record(name, None, InputError(name, None, f"cannot read further: {err}"))
        if not count:
            yield Record(name, None, InputError(name, None, "nothing to evaluate: no profile files, lines or rows"))


# Bytes that are not UTF-8 are decoded as lone surrogates (errors="surrogateescape"), which no
# UTF-8 text holds: each line is checked, so such a byte fails its line and not the whole input.
# newline="" splits lines as an editor counts them (\n, \r\n or \r) and leaves them to csv as they are.
TEXT = {"encoding": "utf-8-sig", "errors": "surrogateescape", "newline": ""}
_NOT_TEXT = re.compile("[\udc80-\udcff]")


def _not_utf8(line: str) -> str | None:
    """What is wrong with a line that held bytes that are not UTF-8, or None."""
    found = _NOT_TEXT.search(line)
    if found is None:
        return None
    return (f"not UTF-8 text: byte 0x{ord(found.group()) - 0xdc00:02x} at character {found.start() + 1}; "
            "save the file as UTF-8")


@contextlib.contextmanager
def _stdin_lines() -> Iterator[TextIO]:
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:      # already text (a test's StringIO): nothing to decode
        yield sys.stdin
        return
    text = io.TextIOWrapper(buffer, **TEXT)
    try:
        yield text
    finally:
        text.detach()       # leave sys.stdin open


def _read(spec: str, business: Profile | None) -> Iterator[Record]:
    if spec == "-":
        with _stdin_lines() as lines:
            yield from _stdin(lines, business)
        return
    path = Path(spec)
    suffix = path.suffix.lower()
    if path.is_dir():
        for file, problem in _folder(path):
            yield _profile_file(str(file)) if problem is None else Record(str(file), None, InputError(str(file), None, problem))
    elif not path.is_file():
        yield Record(spec, None, InputError(spec, None, "no such file or folder"))
    elif suffix in PROFILE_SUFFIXES:
        yield _profile_file(spec)
    elif suffix in JSON_LINES_SUFFIXES or suffix == ".csv":
        # utf-8-sig: spreadsheets often start a CSV with a byte-order mark.
        with open(path, **TEXT) as lines:
            if suffix == ".csv":
                yield from _inventory(spec, lines, business)
            else:
                yield from _json_lines(spec, lines)
    else:
        allowed = ", ".join(PROFILE_SUFFIXES + JSON_LINES_SUFFIXES + (".csv",))
        yield Record(spec, None, InputError(spec, None, f"not a profile input; allowed: a folder, -, or a {allowed} file"))


def _folder(root: Path) -> list[tuple[Path, str | None]]:
    """The profile files of a folder at every level, sorted by path, each with None, or with
    what makes it unreadable: an entry named like a profile that is not a regular file (a FIFO, a
    dangling link, a link loop), or a subfolder that cannot be listed. Nothing is skipped
    silently. Links to folders are followed, once each: a loop is reported, not followed."""
    found: list[tuple[Path, str | None]] = []
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            info = folder.stat()
            if (info.st_dev, info.st_ino) in seen:
                found.append((folder, "a second path to a folder already read (a link loop, or two links to one "
                                      "folder); its files are read once"))
                continue
            seen.add((info.st_dev, info.st_ino))
            entries = sorted(os.scandir(folder), key=lambda e: e.name, reverse=True)    # read in order
        except OSError as err:
            found.append((folder, f"cannot read this folder: {err.strerror or err}"))
            continue
        for entry in entries:
            path = Path(entry.path)
            profile = path.suffix.lower() in PROFILE_SUFFIXES
            try:
                if entry.is_dir():              # follows links: a loop is caught above
                    stack.append(path)
                    continue
                kind = _kind(path)
            except OSError as err:              # a link loop (ELOOP) or a vanished entry
                kind = f"cannot be read: {err.strerror or err}"
            if kind is None and profile:
                found.append((path, None))
            elif profile:
                found.append((path, kind or "not a regular file"))
    return sorted(found, key=lambda item: item[0].relative_to(root).as_posix())


def _kind(path: Path) -> str | None:
    """None for a regular file (through links); else what it is, in words."""
    if path.is_symlink() and not path.exists():
        return f"a dangling link (to {os.readlink(path)}): its target does not exist"
    mode = path.stat().st_mode
    if stat.S_ISREG(mode):
        return None
    what = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
    return f"{what}, not a profile file"


def _profile_file(name: str) -> Record:
    try:
        return Record(name, None, read_profile(name))
    except InputError as err:
        return Record(name, None, err)


def read_text(name: str, data: bytes, business: Profile | None = None) -> Iterator[Record]:
    """The records of an uploaded file's bytes (the web app's forms and API), told apart and
    decoded as stdin is, each record naming ``name`` as its source."""
    count = 0
    for record in _stdin(io.TextIOWrapper(io.BytesIO(data), **TEXT), business, name):
        count += 1
        yield record
    if not count:
        yield Record(name, None, InputError(name, None, "nothing to evaluate: no profile files, lines or rows"))


def _stdin(lines: Iterable[str], business: Profile | None, name: str = STDIN) -> Iterator[Record]:
    """JSON Lines if the first non-blank line is a JSON object; a JSON document (what ``reggi
    evaluate -`` reads: a profile, or an array of profiles) if it starts with { or [ otherwise;
    else a CSV inventory."""
    lines = iter(lines)
    head = []
    for line in lines:
        head.append(line)
        if line.strip():
            break
    first = head[-1].strip() if head else ""
    rest = itertools.chain(head, lines)
    if _is_object(first):
        yield from _json_lines(name, rest)         # streamed: JSON Lines may be any length
    elif first.startswith(("{", "[")):
        yield from _json_document(name, list(rest))
    else:
        yield from _inventory(name, rest, business)


def _is_object(line: str) -> bool:
    if not line.startswith("{"):
        return False
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False
    except RecursionError:      # an object too deep to parse: JSON Lines, and that line fails
        return True


def _json_document(name: str, lines: list[str]) -> Iterator[Record]:
    """One profile (a record without a line, like a profile file), or an array of profiles (a
    record per element, numbered by the line it starts on)."""
    for number, line in enumerate(lines, 1):
        problem = _not_utf8(line)
        if problem:
            yield Record(name, number, InputError(name, number, problem))
            return
    text = "".join(lines)
    try:
        data = parse_text(name, text, "json")
    except InputError as err:
        if any(_is_object(line.strip()) for line in lines[1:]):
            yield from _json_lines(name, lines)      # JSON Lines whose first line is broken
        else:
            yield Record(name, err.line, err)
        return
    if not isinstance(data, list):
        yield _parsed(name, None, data)
        return
    for number, item in zip(_element_lines(text), data):
        yield _parsed(name, number, item)


def _element_lines(text: str) -> Iterator[int]:
    """The line each element of a (valid) JSON array text starts on."""
    decoder, space = json.JSONDecoder(), json.decoder.WHITESPACE
    at = space.match(text, text.index("[") + 1).end()
    line, counted = 1, 0
    while text[at] != "]":
        line, counted = line + text.count("\n", counted, at), at
        yield line
        at = space.match(text, decoder.raw_decode(text, at)[1]).end()
        if text[at] == ",":
            at = space.match(text, at + 1).end()


def _parsed(name: str, number: int | None, data) -> Record:
    try:
        return Record(name, number, parse_profile(data, name, number))
    except InputError as err:
        return Record(name, number, err)


def _json_lines(name: str, lines: Iterable[str]) -> Iterator[Record]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue        # blank lines are skipped, but counted, so line numbers match an editor's
        problem = _not_utf8(line)
        if problem:
            yield Record(name, number, InputError(name, number, problem))
            continue
        try:
            data = parse_text(name, line, "json", number)
        except InputError as err:
            yield Record(name, number, err)
            continue
        yield _parsed(name, number, data)


def _inventory(name: str, lines: Iterable[str], business: Profile | None) -> Iterator[Record]:
    """One record per CSV row: the business profile with the row's tool as its only tool. Every
    line that holds a row yields one record: no column takes a line break, so a row that spans
    several lines (a quote not closed where it should be) fails each of its lines."""
    not_utf8: dict[int, str] = {}       # line -> problem, for the lines not yet given to a row
    ran_out = []                        # set when csv asks for a line after the last

    def numbered():
        for number, line in enumerate(lines, 1):
            problem = _not_utf8(line)
            if problem:
                not_utf8[number] = problem
            yield line
        ran_out.append(True)

    rows = csv.reader(numbered())
    columns: list[str] | None = None
    problem = None
    end = 0
    while True:
        try:
            cells, failure = next(rows), None
        except StopIteration:
            return
        except csv.Error as err:    # e.g. a cell past csv's size limit: its lines fail, reading goes on
            cells, failure = [], f"{err}"
        start, end = end + 1, rows.line_num
        bad = {n: not_utf8.pop(n) for n in range(start, end + 1) if n in not_utf8}
        if end > start or failure:
            closed = "is never closed" if ran_out else f"closes on line {end}"
            why = (f"lines {start}-{end} were read as one row" + (f" ({failure})" if failure else "")
                   + f": a quote (\") opened on line {start} {closed}; no column takes a line break, "
                   "so check the quotes of that line")
            if columns is None:     # the header: the lines after its first may hold rows
                problem, columns = f"the header is unreadable: {why}", []
                start += 1
            for line in range(start, end + 1):
                yield _error(name, line, bad.get(line) or why)
            continue
        if columns is None:         # the first line that is not blank names the columns
            if cells:
                columns = [c.strip().lstrip("\ufeff") for c in cells]
                problem = (f"the header (line {start}) is {bad[start]}" if bad
                           else _header_problem(columns, start))
            continue
        if bad:
            yield _error(name, start, bad[start])
        elif problem:       # no row can be read without its header; each says so, so none is lost
            yield _error(name, start, problem)
        elif not cells:
            yield _error(name, start, "empty line; give one tool per row, or delete the line")
        elif len(cells) != len(columns):
            yield _error(name, start, f"{len(cells)} cells, but the header has {len(columns)} columns "
                                      f"({', '.join(columns)})")
        else:
            yield Record(name, start, _vendor(dict(zip(columns, cells)), name, start, business))


def _error(name: str, line: int, message: str) -> Record:
    return Record(name, line, InputError(name, line, message))


def _header_problem(columns: list[str], line: int) -> str | None:
    allowed = f"the first line names the columns; allowed: {', '.join(COLUMNS)}"
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        return f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} in the header (line {line}); {allowed}"
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        return f"column {', '.join(map(repr, repeated))} repeated in the header (line {line}); {allowed}"
    return None


def _vendor(row: dict[str, str], name: str, line: int, business: Profile | None) -> Profile | InputError:
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
    if business is None:
        return InputError(name, line, "a CSV vendor inventory needs --business FILE, a profile with the "
                                      "business facts and states")
    return business.model_copy(update={"tools": [tool]})
