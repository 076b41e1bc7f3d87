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
from reggi.facts.profile import Business, Profile, Tool
from reggi.facts.vocabulary import DataCategory, ToolKind, VendorRole
from reggi.facts.reader import parse_profile, parse_text, read_profile, validation_message

STDIN = "<stdin>"             # how records read from ``-`` name their source

PROFILE_SUFFIXES = (".json", ".toml")
JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")

# CSV inventory columns are the Tool fields, so the documentation and the profile cannot drift.
COLUMNS = tuple(Tool.model_fields)
LIST_SEPARATOR = ";"
NONE_WORD = "none"            # a list cell that says the tool collects nothing (empty = unknown)
BOOLEAN_WORDS = {"true": True, "yes": True, "false": False, "no": False,
                 "y": True, "n": False, "t": True, "f": False, "1": True, "0": False}
BUSINESS_PREFIX = "business."   # a column for a business fact: business.annual_revenue_usd (or its label)


def norm(text: str) -> str:
    """A cell or a column name compared without case, spaces or punctuation: "Live Chat" and
    "live_chat", "Service Provider" and "service_provider" read the same."""
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def _aliases(enum) -> dict[str, str]:
    """Normalised spellings of each member of a vocabulary: its id, its label, the label without
    its parenthesis, each part of a label split at "/" or " or ", and each example the parenthesis
    lists ("contact details (email, phone, address)": "contact details", "email", ...). A spelling
    two members share belongs to neither."""
    found: dict[str, set[str]] = {}
    for member in enum:
        label = member.label
        head, _, inside = label.partition("(")
        names = {member.value, label, head}
        names |= {part for part in re.split(r"\s*/\s*|\s+or\s+", head)}
        names |= {part for part in re.split(r",|\bor\b", inside.rstrip(")"))} if inside else set()
        for name in names:
            if norm(name):
                found.setdefault(norm(name), set()).add(member.value)
    return {alias: next(iter(values)) for alias, values in found.items() if len(values) == 1}


# Everyday words for tool kinds that their labels lack.
_KIND_WORDS = {"chatbot": "ai_chatbot", "ai assistant": "ai_chatbot", "analytics": "web_analytics",
               "pixel": "ad_pixel", "customer support": "helpdesk", "payments": "payment", "surveys": "survey"}


VOCABULARIES = {"kind": (ToolKind, {**{norm(w): k for w, k in _KIND_WORDS.items()}, **_aliases(ToolKind)}), "vendor_role": (VendorRole, _aliases(VendorRole)),
                "collects": (DataCategory, _aliases(DataCategory))}
_BUSINESS_NUMBERS = {n for n in Business.model_fields if FIELDS.get(f"business.{n}") and
                     FIELDS[f"business.{n}"].type in ("int", "number")}
# Columns by their normalised names: tool fields by name or label, business facts by
# business.<field>, their name or their label (a tool field wins a name both have), and a few
# words inventories use for the vendor's name and kind.
_COLUMN_NAMES: dict[str, str] = {}
for _field in Business.model_fields:
    _spec = FIELDS.get(f"business.{_field}")
    for _alias in (_field, f"business {_field}", _spec.label if _spec else "business name"):
        _COLUMN_NAMES.setdefault(norm(_alias), BUSINESS_PREFIX + _field)
for _field in COLUMNS:
    _spec = FIELDS.get(f"tool.{_field}")
    for _alias in (_field, _spec.label if _spec else "name"):
        _COLUMN_NAMES[norm(_alias)] = _field
for _alias, _field in {"vendor": "name", "vendor name": "name", "tool": "name", "tool name": "name",
                       "type": "kind", "tool type": "kind", "data collected": "collects",
                       "data categories": "collects", "role": "vendor_role", "vendor role": "vendor_role",
                       "annual revenue": "business.annual_revenue_usd", "revenue": "business.annual_revenue_usd",
                       "employees": "business.employees"}.items():
    _COLUMN_NAMES[norm(_alias)] = _field
_COLUMN_NAMES[norm("name")] = "name"
del _field, _spec, _alias


def column_of(header: str) -> str | None:
    """The field a header names (a tool field, or business.<field>), or None: an extra column,
    kept and passed through to the output."""
    return _COLUMN_NAMES.get(norm(header))


_MONEY = re.compile(r"^\$?\s*((?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+)\s*(k|thousand|m|mm|mn|million|b|bn|billion)?\s*(?:usd)?$")
_SCALE = {None: 1, "k": 10**3, "thousand": 10**3, "m": 10**6, "mm": 10**6, "mn": 10**6, "million": 10**6,
          "b": 10**9, "bn": 10**9, "billion": 10**9}


def number(cell: str) -> float | int | None:
    """A number as a spreadsheet writes it: 45000000, 45,000,000, $45M, $1.2 billion, 12.5%; None
    if the cell is not one."""
    text = cell.strip().lower().replace("us$", "$").rstrip("%").strip()
    found = _MONEY.match(text)
    if not found or found.group(1).count(".") > 1:
        return None
    digits = found.group(1).replace(",", "")
    value = float(digits) * _SCALE[found.group(2)]
    return int(value) if value == int(value) else value


def extra_columns(inputs: Iterable[str]) -> list[str]:
    """The columns of the CSV inventories among ``inputs`` (files, not stdin) that are not tool
    or business facts, in order of first appearance: they are passed through to the output."""
    found: list[str] = []
    for spec in inputs:
        if spec == "-" or Path(spec).suffix.lower() != ".csv" or not Path(spec).is_file():
            continue
        try:
            with open(spec, **TEXT) as lines:
                header = next((line for line in lines if line.strip()), "")
        except OSError:
            continue
        try:
            cells = next(csv.reader([header]), [])
        except csv.Error:
            continue
        for cell in cells:
            cell = cell.strip().lstrip("\ufeff")
            if cell and column_of(cell) is None and cell not in found:
                found.append(cell)
    return found


def count_records(inputs: Iterable[str]) -> int | None:
    """About how many records ``inputs`` hold (lines of JSON Lines and CSV, profile files of a
    folder), for the progress line and the spreadsheet warning; None if one is stdin."""
    total = 0
    for spec in inputs:
        if spec == "-":
            return None
        path = Path(spec)
        suffix = path.suffix.lower()
        try:
            if path.is_dir():
                total += max(1, len(_folder(path)))
            elif path.is_file() and (suffix in JSON_LINES_SUFFIXES or suffix == ".csv"):
                with open(path, "rb") as data:
                    lines = sum(1 for line in data if line.strip())
                total += max(1, lines - (suffix == ".csv"))
            else:
                total += 1
        except OSError:
            total += 1
    return total


class MissingBusiness(InputError):
    """A CSV inventory read without --business: a usage error, said once, not once per row."""


class Record(NamedTuple):
    source: str                         # the file (or <stdin>) the record came from
    line: int | None                    # its line in that file; None for a whole profile file
    profile: Profile | InputError       # the profile, or what is wrong with the record
    extra: tuple = ()                   # ((column, cell), ...): a CSV row's columns that are not facts

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
    try:
        for record in _stdin(io.TextIOWrapper(io.BytesIO(data), **TEXT), business, name):
            count += 1
            yield record
    except MissingBusiness as err:
        count += 1
        yield Record(name, None, err)
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
                if business is None and not problem:
                    raise MissingBusiness(name, None, "a CSV vendor inventory needs --business FILE, a profile "
                                                      "with the business facts and states")
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
            row = list(zip(columns, cells))
            extra = tuple((c, v) for c, v in row if column_of(c) is None)
            yield Record(name, start, _vendor(row, name, start, business), extra)


def _error(name: str, line: int, message: str) -> Record:
    return Record(name, line, InputError(name, line, message))


def _header_problem(columns: list[str], line: int) -> str | None:
    """What makes a header unusable: no name or kind column, or two columns for one field.
    Columns that are not facts are no problem: they are passed through to the output."""
    allowed = f"the first line names the columns; the tool columns are {', '.join(COLUMNS)}"
    fields = [column_of(c) for c in columns]
    missing = [f for f in ("name", "kind") if f not in fields]
    if missing:
        return f"no {' or '.join(map(repr, missing))} column in the header (line {line}); {allowed}"
    repeated = sorted({c for c, f in zip(columns, fields) if f is not None and fields.count(f) > 1})
    if repeated:
        return (f"columns {', '.join(map(repr, repeated))} name the same field in the header (line {line}); "
                f"{allowed}")
    return None


def _cell_value(field: str, cell: str, spec) -> tuple[object, str | None]:
    """A cell read as its field's type: (value, None), or (None, what is wrong, echoing the cell
    and what is allowed)."""
    kind = spec.type if spec else "str"
    if field in VOCABULARIES:
        enum, aliases = VOCABULARIES[field]
        allowed = ", ".join(f"{m.value!r} ({m.label})" for m in enum)
        values = [v.strip() for v in cell.split(LIST_SEPARATOR) if v.strip()] if kind == "set" else [cell]
        if kind == "set" and norm(cell) == NONE_WORD:
            return [], None
        read = []
        for value in values:
            member = aliases.get(norm(value))
            if member is None:
                return None, (f"{value!r} is not {'a data category' if kind == 'set' else 'one of the allowed values'}; "
                              f"allowed (ids or labels, any case): {allowed}"
                              + (f"; separate several with {LIST_SEPARATOR!r}, or write {NONE_WORD!r}" if kind == "set" else ""))
            read.append(member)
        return (read if kind == "set" else read[0]), None
    if kind == "bool":
        word = norm(cell)
        if word not in BOOLEAN_WORDS:
            return None, f"{cell!r} is not a yes/no value; allowed: {', '.join(BOOLEAN_WORDS)} (any case), or empty for unknown"
        return BOOLEAN_WORDS[word], None
    if kind in ("int", "number"):
        value = number(cell)
        if value is None or (kind == "int" and not isinstance(value, int)):
            return None, (f"{cell!r} is not {'a whole number' if kind == 'int' else 'a number'}; write it as "
                          "45000000, 45,000,000 or $45M, or leave it empty for unknown")
        return value, None
    return cell, None


def _vendor(row: list[tuple[str, str]], name: str, line: int, business: Profile | None) -> Profile | InputError:
    tool, facts = {}, {}
    for column, cell in row:
        field = column_of(column)
        cell = cell.strip()
        if field is None or not cell:
            continue        # an extra column (passed through), or an empty cell: unknown
        target, key = (facts, field.removeprefix(BUSINESS_PREFIX)) if field.startswith(BUSINESS_PREFIX) else (tool, field)
        value, problem = _cell_value(key, cell, FIELDS.get(f"{'business' if target is facts else 'tool'}.{key}"))
        if problem:
            return InputError(name, line, f"{column}: {problem}")
        target[key] = value
    try:
        made = Tool.model_validate(tool)
        update = {"tools": [made]}
        if facts:
            update["business"] = Business.model_validate({**business.business.model_dump(exclude_none=True), **facts})
    except ValidationError as err:
        return InputError(name, line, validation_message(err))
    return business.model_copy(update=update)
