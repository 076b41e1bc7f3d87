"""``reggi batch``: many records through the engine, in worker processes, streamed in input order.

Records (facts/inventory.py) are evaluated by ``jobs`` worker processes, each building its own
engine once; every record, good or bad, becomes exactly one output record, rendered in the worker
and written by the main process in input order. Input is taken in bounded windows and output is
written as it arrives, so memory stays flat however many records there are. A record renders to
the same text in any process, so the output does not depend on ``jobs``.
"""
from __future__ import annotations

import collections
import csv
import datetime as dt
import functools
import hashlib
import io
import json
import os
import re
import time
from dataclasses import dataclass, field
from typing import Iterable, Iterator, NamedTuple, TextIO

from reggi.engine import __version__
from reggi.engine.evaluate import DISCLAIMER, Findings
from reggi.engine.render import RISK, not_covered, to_dict
from reggi.engine.rulebase import load
from reggi.engine.runner import EngineError
from reggi.facts.errors import InputError
from reggi.facts.inventory import Record
from reggi.facts.vocabulary import FEDERAL, StateCode, code_of

CHUNK = 32             # records a worker takes at a time
WINDOW_CHUNKS = 8      # chunks in flight per worker: bounds what is read ahead of the output


class Settings(NamedTuple):
    """What every process needs to evaluate and render a record the same way."""
    rules: str
    engine: str
    fmt: str
    as_of: dt.date | None
    jurisdictions: tuple[str, ...]
    extra: tuple[str, ...] = ()     # CSV inventory columns that are not facts, passed through to csv and jsonl


# The rows a spreadsheet opens (Excel, LibreOffice Calc, Google Sheets' import): a larger csv or
# matrix output is warned about before it is written.
SPREADSHEET_ROWS = 1_048_576


def spreadsheet_warning(rows: int, fmt: str, estimate: bool) -> str:
    return (f"reggi batch: warning: this {fmt} output {'will have about' if estimate else 'has passed'} {rows:,} "
            f"rows, more than a spreadsheet opens ({SPREADSHEET_ROWS:,}); rows after that will not show. Split "
            "the input and run each part (split -l 500000 FILE part- for JSON Lines; for a CSV inventory keep "
            "its header line on each part), or use --format matrix (one row per record) or jsonl")


class Outcome(NamedTuple):
    text: str                                    # the record's output, ready to write
    ok: bool
    obligations: tuple[tuple[str, str, str], ...] = ()   # (id, title, status), for the report's totals
    business: str = ""                           # a fingerprint of the business facts and states
    shared: tuple[tuple[str, str], ...] = ()     # (key, text): business-wide rows, written once per business


@dataclass
class Totals:
    read: int = 0
    evaluated: int = 0
    failed: int = 0
    titles: dict[str, str] = field(default_factory=dict)
    counts: collections.Counter = field(default_factory=collections.Counter)     # (obligation id, status) -> records

    def add(self, outcome: Outcome) -> None:
        self.read += 1
        if outcome.ok:
            self.evaluated += 1
        else:
            self.failed += 1
        for oid, title, status in outcome.obligations:
            self.titles.setdefault(oid, title)
            self.counts[(oid, status)] += 1

    def summary(self) -> str:
        return f"{self.read:,} records read, {self.evaluated:,} evaluated, {self.failed:,} failed"


def prepare(fmt: str, rules, engine: str = "durable", as_of: dt.date | None = None) -> Settings:
    """What every process needs; a bad rule base raises InputError here, before any output is opened."""
    rulebase = load(rules)
    jurisdictions = tuple(sorted({s.meta.jurisdiction for s in rulebase.statutes.values()}))
    return Settings(str(rules), engine, fmt, as_of, jurisdictions)


def run(records: Iterable[Record], out: TextIO, fmt: str, rules, engine: str = "durable",
        as_of: dt.date | None = None, jobs: int | None = None, progress=None, read_ahead: bool = True) -> Totals:
    """Evaluate ``records`` and write them to ``out`` in ``fmt``. A bad rule base raises
    InputError before anything is written; a bad record is written as an error record."""
    return write(records, out, prepare(fmt, rules, engine, as_of), jobs, progress, read_ahead=read_ahead)


def write(records: Iterable[Record], out: TextIO, settings: Settings, jobs: int | None = None,
          progress=None, warn=None, read_ahead: bool = True) -> Totals:
    """``warn`` (a function taking a message) is told once if a csv or matrix output passes the
    rows a spreadsheet opens. Business-wide rows (``Outcome.shared``) are written the first time
    each appears in a run of records of the same business, so an inventory lists them once. With
    ``read_ahead``, the next chunk of records is read while the workers evaluate theirs; leave it
    off for input that may stall (a pipe fed by a live producer), where reading could hold back
    answers already made."""
    writer = WRITERS[settings.fmt](settings)
    totals = Totals()
    out.write(writer.header())
    rows = 1 if settings.fmt in ("csv", "matrix") else None     # written so far, the header included
    business, seen = None, set()
    for outcome in _outcomes(records, settings, jobs or os.cpu_count() or 1, read_ahead):
        if outcome.business and outcome.business != business:     # errors have none: they keep the run
            business, seen = outcome.business, set()
        text = "".join(t for key, t in outcome.shared if not (key in seen or seen.add(key))) + outcome.text
        out.write(text)
        if rows is not None:
            before, rows = rows, rows + text.count("\n")
            if before <= SPREADSHEET_ROWS < rows and warn:
                warn(spreadsheet_warning(rows, settings.fmt, False))
        totals.add(outcome)
        if progress:
            progress(totals)
    out.write(writer.footer(totals))
    if progress:
        progress(totals, final=True)
    return totals


def _outcomes(records: Iterable[Record], settings: Settings, jobs: int, read_ahead: bool = True) -> Iterator[Outcome]:
    pool = _Pool(settings, jobs, read_ahead)
    try:
        yield from pool.run(enumerate(records, 1))
    finally:
        pool.close()


class _Proc:
    """One worker process and the chunk of records it was given, not yet answered."""

    def __init__(self, context, settings: Settings):
        self.conn, child = context.Pipe()
        self.current = context.RawValue("q", 0)     # the index of the record it is evaluating
        self.process = context.Process(target=_serve, args=(child, self.current, settings), daemon=True)
        self.process.start()
        child.close()
        self.chunk: collections.deque = collections.deque()    # records sent, not answered
        self.sizes: collections.deque = collections.deque()    # how many records each chunk sent holds


class _Pool:
    """``jobs`` worker processes, each evaluating chunks of records and answering one outcome a
    record. Records are read only as far as ``jobs * CHUNK * WINDOW_CHUNKS`` ahead of the output,
    and outcomes are yielded in input order. A worker that dies (a crash in the C core, a signal,
    running out of memory) costs only the record it was on: that record becomes an error record
    saying so, the rest of its chunk goes to a fresh worker, and the run goes on. Even with one job
    records are evaluated in a worker, so that a crash cannot take the batch down. Workers never
    outlive this process: they are stopped on close, and on Linux the kernel kills them if this
    process dies (PR_SET_PDEATHSIG)."""

    def __init__(self, settings: Settings, jobs: int, read_ahead: bool = True):
        import multiprocessing
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else None)
        self.settings, self.jobs, self.read_ahead = settings, jobs, read_ahead
        self.writer = WRITERS[settings.fmt](settings)
        self.procs: list[_Proc] = []

    def run(self, numbered: Iterator[tuple[int, Record]]) -> Iterator[Outcome]:
        from multiprocessing.connection import wait
        self.procs = [_Proc(self.context, self.settings) for _ in range(self.jobs)]
        ahead = self.jobs * CHUNK * WINDOW_CHUNKS
        retry: collections.deque = collections.deque()   # records of a dead worker's chunk, in order
        queued: collections.deque = collections.deque()  # records read, not yet sent
        done: dict[int, Outcome] = {}
        next_out, read, exhausted = 1, 0, False

        def read_up_to(count: int) -> None:
            nonlocal read, exhausted
            while len(queued) < count and not exhausted and read - next_out < ahead:
                item = next(numbered, None)
                if item is None:
                    exhausted = True
                else:
                    queued.append(item)
                    read = item[0]

        while True:
            for n, proc in enumerate(self.procs):
                # One chunk at a time: a chunk is sent only to a worker waiting for one, so the
                # two ends of a pipe never both block writing (a second chunk sent while the worker
                # was writing its answers deadlocked once both outgrew the pipe's buffer).
                if proc.sizes:
                    continue
                if not proc.chunk and not proc.process.is_alive():    # died idle: nothing was lost
                    proc.process.join()
                    proc = self.procs[n] = _Proc(self.context, self.settings)
                chunk = [retry.popleft() for _ in range(min(CHUNK, len(retry)))]
                read_up_to(CHUNK - len(chunk))
                chunk += [queued.popleft() for _ in range(min(CHUNK - len(chunk), len(queued)))]
                if chunk:
                    try:
                        proc.conn.send(chunk)
                        proc.chunk.extend(chunk)
                        proc.sizes.append(len(chunk))
                    except OSError:     # died just now: the chunk goes to its successor
                        retry.extendleft(reversed(chunk))
            # The next chunk is read (parsed and validated) now, while the workers evaluate: with
            # one job, reading and evaluating took turns, and reading was a tenth of a run.
            if self.read_ahead:
                read_up_to(CHUNK)
            busy = [p for p in self.procs if p.chunk]
            if not busy:
                if retry or queued:     # a send failed (its worker died just then): send them again
                    continue
                return
            ready = set(wait([p.conn for p in busy] + [p.process.sentinel for p in busy]))
            for proc in busy:
                if proc.conn in ready or proc.process.sentinel in ready:
                    self._collect(proc, done, retry)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1

    def _collect(self, proc: _Proc, done: dict, retry: collections.deque) -> None:
        try:
            while proc.chunk and proc.conn.poll():
                for index, outcome in proc.conn.recv():     # a chunk's outcomes, all at once
                    done[index] = outcome
                for _ in range(proc.sizes.popleft()):
                    proc.chunk.popleft()
            if proc.process.is_alive() or not proc.chunk:
                return
        except (EOFError, OSError):
            pass
        # The worker died on the record it had started: the records before it in its chunk were
        # evaluated but not answered, and go with those after it to a fresh worker.
        proc.process.join()
        self.procs[self.procs.index(proc)] = _Proc(self.context, self.settings)
        crashed = proc.current.value
        if crashed not in (item[0] for item in proc.chunk):   # died before it started one: all go again
            retry.extendleft(reversed(proc.chunk))
            return
        index, record = next(item for item in proc.chunk if item[0] == crashed)
        code = proc.process.exitcode
        how = (f"was killed by signal {_signal_name(-code)}" if code is not None and code < 0
               else f"exited with code {code}")
        done[index] = Outcome(self.writer.record(index, record, None, (
            f"{record.where}: the process evaluating this record {how}; the record was not evaluated "
            f"(the others were). Try it alone with: reggi evaluate --engine reference")), False)
        retry.extendleft(reversed([item for item in proc.chunk if item[0] != crashed]))

    def close(self) -> None:
        for proc in self.procs:
            if proc.chunk:          # interrupted mid-chunk: its answers are not wanted, and
                proc.process.kill()     # telling it to stop could block on a full pipe
                continue
            try:
                proc.conn.send(None)
            except (OSError, ValueError):
                pass
        for proc in self.procs:
            proc.process.join(timeout=2)
            if proc.process.is_alive():
                proc.process.kill()
                proc.process.join()
            proc.conn.close()
        self.procs = []


def _signal_name(number: int) -> str:
    import signal
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


# --- in each worker process (or in the main process with one job) ---------------------------

_worker = None


class _Worker:
    def __init__(self, settings: Settings):
        from reggi.engine.service import Reggi
        self.writer = WRITERS[settings.fmt](settings)
        self.as_of = settings.as_of
        self.engine = settings.engine
        try:
            self.service, self.failure = Reggi(settings.rules, settings.engine), None
        except Exception as err:    # an engine that cannot start fails every record, not the pool
            self.service, self.failure = None, f"the {settings.engine} engine did not start: {err}"


def _start(settings: Settings) -> None:
    global _worker
    _worker = _Worker(settings)


def _serve(conn, current, settings: Settings) -> None:
    """A worker process: evaluate each chunk received and answer its outcomes, [(index, outcome)],
    until told to stop (None) or the parent is gone. ``current`` shows the parent which record it
    is on, should it die."""
    import faulthandler
    import signal
    faulthandler.disable()      # a crash is reported by the parent, as an error record
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)    # Ctrl-C is the parent's to handle
    _start(settings)
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        out = []
        for item in chunk:
            current.value = item[0]
            out.append((item[0], _evaluate(item)))
        conn.send(out)


def _die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies (Linux); elsewhere the parent
    stops its workers when it closes the pool, and a worker stops when its pipe closes."""
    parent = os.getppid()
    try:
        import ctypes
        import signal
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)          # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:                  # the parent died before prctl took effect
        os._exit(1)


def _evaluate(item: tuple[int, Record]) -> Outcome:
    index, record = item
    w = _worker
    if isinstance(record.profile, InputError):
        return Outcome(w.writer.record(index, record, None, str(record.profile)), False)
    if w.failure:
        return Outcome(w.writer.record(index, record, None, w.failure), False)
    try:
        findings = w.service.evaluate(record.profile, w.as_of, explain=w.writer.explains)
    except EngineError as err:  # nothing lost: a record the engine trips on is reported, not raised
        return Outcome(w.writer.record(index, record, None, f"{record.where}: the {w.engine} engine failed "
                                                            f"on this record: {err}"), False)
    except Exception as err:
        return Outcome(w.writer.record(index, record, None, f"{record.where}: internal error: "
                                                            f"{type(err).__name__}: {err}"), False)
    return Outcome(w.writer.record(index, record, findings, None), True,
                   tuple((o.id, o.title, o.status) for o in findings.obligations),
                   *w.writer.shared(index, record, findings))


# --- output formats ------------------------------------------------------------------------

# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...) in a vendor
# name, say): in CSV output such a cell gets a leading ' (OWASP's advice), which shows it as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# Control characters other than a line feed (which csv quotes) are written as visible escapes
# (\r, \x1b): a bare carriage return, which csv leaves unquoted, would start a new row in a
# spreadsheet, and the formula check would not see the cell that row begins with.
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def _escape(match: re.Match) -> str:
    return {"\r": "\\r", "\t": "\\t"}.get(match.group(), f"\\x{ord(match.group()):02x}")


def _as_text(cell):
    if not isinstance(cell, str):
        return cell
    cell = _CONTROL.sub(_escape, cell)
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _csv_rows(rows: list[list]) -> str:
    """Rows as CSV, each cell safe to open in a spreadsheet."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([_as_text(c) for c in row] for row in rows)
    return buffer.getvalue()


def _md(text) -> str:
    text = str(text).replace("\\", "\\\\")
    return _CONTROL.sub(_escape, text).replace("|", "\\|").replace("\n", " ")


NOT_SERVED, NOT_COVERED, NOT_APPLICABLE = "not served", "not covered", "not applicable"


def matrix_cells(findings: Findings, jurisdictions) -> list[str]:
    """What holds in each jurisdiction, in words with counts: "applies: 3; may apply: 1" (duties
    that rest on litigation risk counted apart, as "recommended"), "not applicable" when the
    business serves the state and nothing applies, "not served" when it does not serve it."""
    served = {*findings.states, FEDERAL}
    counts: dict[str, dict[str, int]] = {}
    for o in findings.obligations:     # one pass, whatever the number of columns
        word = "recommended" if o.legal_basis == RISK else "applies" if o.status == "applies" else "may apply"
        mine = counts.setdefault(o.jurisdiction, {})
        mine[word] = mine.get(word, 0) + 1
    out = []
    for jurisdiction, code in _codes(tuple(jurisdictions)):
        mine = counts.get(jurisdiction)
        out.append(NOT_SERVED if code not in served else
                   "; ".join(f"{w}: {mine[w]}" for w in ("applies", "may apply", "recommended") if w in mine)
                   if mine else NOT_APPLICABLE)
    return out


@functools.cache
def _codes(jurisdictions: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(jurisdiction, its code) of a run's columns, once."""
    return tuple((j, code_of(j)) for j in jurisdictions)


def obligation_ids(findings: Findings, separator: str) -> str:
    """The ids of a record's obligations; those that may apply end in '?'."""
    return separator.join([o.id for o in findings.obligations if o.status == "applies"]
                          + [o.id + "?" for o in findings.obligations if o.status != "applies"])


def not_covered_cell(findings: Findings) -> str:
    """The served states reggi has no rule file for, or "none"."""
    return "; ".join(f"US-{c}" for c in not_covered(findings)) or "none"


BASIS_CELLS = {"statute": "statute", "regulation": "regulation", "case-law": "case law",
               RISK: "litigation risk (recommended)"}


class Writer:
    """One output format: a header, one text per record (made in a worker), a footer."""
    explains = True   # which explanations records print: True all, False none, or a set (engine.evaluate.EXPLANATIONS)


    def __init__(self, settings: Settings):
        self.settings = settings

    def header(self) -> str:
        return ""

    def record(self, index: int, record: Record, findings: Findings | None, error: str | None) -> str:
        raise NotImplementedError

    def footer(self, totals: Totals) -> str:
        return ""

    def shared(self, index: int, record: Record, findings: Findings) -> tuple[str, tuple]:
        """The business's fingerprint and its business-wide rows [(key, text)], written once per
        business (see write); none in most formats."""
        return "", ()

    def identity(self, index: int, record: Record) -> list:
        return [index, record.source, record.line or "", record.business, "; ".join(record.vendors)]

    def passed_through(self, record: Record) -> list:
        """A CSV inventory row's extra columns, in the order of the output's header."""
        extra = dict(record.extra)
        return [extra.get(column, "") for column in self.settings.extra]


# Searched with a regular expression: str.translate with a table walks a record's 30 KB or more
# in Python-level steps (a third of the time of a JSON Lines record).
_LINE_BREAKS = re.compile("[\u2028\u2029\x85]")


def _escape_line_break(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"


class JsonLines(Writer):
    """The full findings of each record, one JSON object a line."""

    def record(self, index, record, findings, error):
        item = {"record": index, "source": record.source, "line": record.line, "vendors": record.vendors}
        if record.extra:
            item["extra"] = dict(record.extra)
        if error is None:
            item["findings"] = to_dict(findings, __version__)
        else:
            item["error"] = error
        text = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
        # JSON leaves these unescaped, but many line readers (Python's splitlines) end a line there
        return _LINE_BREAKS.sub(_escape_line_break, text) + "\n"


class Csv(Writer):
    """One row per (record, obligation), for a spreadsheet. Duties of the business as a whole
    (tied to no tool) and served states reggi does not cover are rows with scope "business-wide",
    written once for a run of records of the same business (an inventory's rows); the duties tied
    to the record's tools have scope "per vendor". A record without per-vendor duties has one
    "per vendor" row with status none; a failed record one row with status error."""

    COLUMNS = ["scope", "jurisdiction", "statute", "obligation", "status", "basis", "title", "action",
               "conditions", "for_tools", "citations", "in_force", "verified", "error"]
    # What its columns print: conditions, and "verified", which follows unverified facts through
    # the concepts that decided a duty; not why, open questions or what comes into force.
    explains = frozenset({"conditions", "provenance"})

    def header(self):
        return _csv_rows([["record", "source", "line", "business", "vendors", *self.settings.extra, *self.COLUMNS]])

    def who(self, index, record):
        return self.identity(index, record) + self.passed_through(record)

    def row(self, who, o) -> list:
        return who + ["per vendor" if o.tools else "business-wide", o.jurisdiction, o.statute, o.id, o.status,
                      BASIS_CELLS.get(o.legal_basis, o.legal_basis), o.title, o.action, "; ".join(o.conditions),
                      "; ".join(o.tools), "; ".join(o.citations), o.in_force, "yes" if o.verified else "no", ""]

    def record(self, index, record, findings, error):
        who = self.who(index, record)
        if error is not None:
            return _csv_rows([who + [""] * 4 + ["error"] + [""] * 8 + [error]])
        mine = [self.row(who, o) for o in findings.obligations if o.tools]
        return _csv_rows(mine or [who + ["per vendor", "", "", "", "none", "", "no duty tied to this record's "
                                         "tools (business-wide duties are on their own rows)"] + [""] * 7])

    def shared(self, index, record, findings):
        who = self.who(index, record)
        rows = [(f"{o.id} {o.status}", self.row(who, o)) for o in findings.obligations if not o.tools]
        rows += [(f"not covered {code}", who + ["business-wide", f"US-{code}", "", "", NOT_COVERED, "",
                                                f"reggi has no rule file for {StateCode(code).label}: it cannot "
                                                "answer for this state"] + [""] * 7)
                 for code in not_covered(findings)]
        profile = record.profile.model_dump_json(exclude={"tools"})
        return hashlib.sha256(profile.encode()).hexdigest()[:16], tuple((k, _csv_rows([r])) for k, r in rows)


class Matrix(Writer):
    """Records (vendors) x jurisdictions: in each cell what holds there, with counts; then the
    served states reggi does not cover and the obligations' ids."""
    explains = False   # only which obligations apply: explanations would be computed and dropped

    def columns(self) -> list[str]:
        return ["record", "source", "line", "business", "vendors", *self.settings.jurisdictions, "not_covered",
                "obligation_ids", "error"]

    def cells(self, findings: Findings | None, error: str | None) -> list[str]:
        if error is not None:
            return ["not evaluated"] * (len(self.settings.jurisdictions) + 1) + ["", error]
        return (matrix_cells(findings, self.settings.jurisdictions)
                + [not_covered_cell(findings), obligation_ids(findings, "; "), ""])

    def header(self):
        return _csv_rows([self.columns()])

    def record(self, index, record, findings, error):
        return _csv_rows([self.identity(index, record) + self.cells(findings, error)])


class MatrixMarkdown(Matrix):
    """The matrix as a Markdown table; the obligations' ids are in a table after it, with the
    number of records where each applies or may apply."""

    def columns(self):
        return super().columns()[:-2] + ["error"]

    def header(self):
        columns = self.columns()
        return (f"# Obligations by vendor and jurisdiction\n\n{_as_of_line(self.settings)}. In each cell: how many "
                "obligations apply, may apply (conditional) or are recommended (litigation risk); \"not applicable\" "
                "where the business serves the state and none applies; \"not served\" where it does not serve it. "
                "not_covered: served states reggi has no rule file for. The obligations are listed after the table.\n\n"
                f"| {' | '.join(columns)} |\n|{'---|' * len(columns)}\n")

    def record(self, index, record, findings, error):
        cells = self.cells(findings, error)
        cells = cells[:-2] + cells[-1:]
        return "| " + " | ".join(_md(c) for c in self.identity(index, record) + cells) + " |\n"

    def footer(self, totals):
        return "\n".join(["", "## Obligations", "", *_obligation_table(totals), "", f"{totals.summary()}.", "",
                          f"*{DISCLAIMER}*", ""])


def _obligation_table(totals: Totals) -> list[str]:
    if not totals.titles:
        return ["None."]
    out = ["| Obligation | Title | Records where it applies | Records where it may apply |", "|---|---|---|---|"]
    for oid in sorted(totals.titles):
        out.append(f"| `{oid}` | {_md(totals.titles[oid])} | {totals.counts[(oid, 'applies')]} | "
                   f"{totals.counts[(oid, 'conditional')]} |")
    return out


class Report(Writer):
    """A Markdown summary: one table row per record, then obligations counted across records."""
    explains = False   # statuses and counts only

    def header(self):
        return (f"# reggi batch report\n\n{_as_of_line(self.settings)} · reggi {__version__}\n\n## Records\n\n"
                "| # | Record | Business | Vendors | Laws that apply | Obligations | May apply |\n"
                "|---|---|---|---|---|---|---|\n")

    def record(self, index, record, findings, error):
        who = [index, record.where, record.business, "; ".join(record.vendors)]
        if error is not None:
            rest = [f"**error:** {error}", "", ""]
        else:
            laws = [s.statute + ("?" if s.status == "conditional" else "") for s in findings.statutes
                    if s.status in ("applies", "conditional")]
            rest = [", ".join(laws) or "none", sum(o.status == "applies" for o in findings.obligations),
                    sum(o.status != "applies" for o in findings.obligations)]
        return "| " + " | ".join(_md(c) for c in who + rest) + " |\n"

    def footer(self, totals):
        out = ["", "## Obligations across records", "", *_obligation_table(totals)]
        out += ["", "## Totals", "", f"{totals.summary()}.", "", f"*{DISCLAIMER}*", ""]
        return "\n".join(out)


def _as_of_line(settings: Settings) -> str:
    return (f"As of {settings.as_of.isoformat()}" if settings.as_of
            else "As of each profile's as_of date, else the day of the run")


WRITERS: dict[str, type[Writer]] = {"jsonl": JsonLines, "csv": Csv, "matrix": Matrix,
                                    "matrix-md": MatrixMarkdown, "markdown": Report}


class Progress:
    """A one-line counter on a terminal's stderr, erased at the end, where the summary takes its
    place. With ``total`` (known when every input is a file or folder, not stdin) it shows the
    total and the time left."""

    def __init__(self, stream: TextIO, total: int | None = None):
        self.stream, self.start, self.shown, self.total = stream, time.monotonic(), 0.0, total

    def line(self, totals: Totals, now: float) -> str:
        rate = totals.read / max(now - self.start, 1e-6)
        if not self.total:
            return f"reggi batch: {totals.read:,} records, {totals.failed:,} failed, {rate:,.0f}/s"
        left = max(self.total - totals.read, 0) / max(rate, 1e-6)
        when = f"{left:,.0f} s" if left < 120 else f"{left / 60:,.0f} min"
        return (f"reggi batch: {totals.read:,} of about {self.total:,} records "
                f"({min(totals.read / self.total, 1):.0%}), {totals.failed:,} failed, {rate:,.0f}/s, about {when} left")

    def __call__(self, totals: Totals, final: bool = False) -> None:
        now = time.monotonic()
        if final:
            self.stream.write("\r\x1b[K")
        elif now - self.shown >= 0.2:
            self.shown = now
            self.stream.write(f"\r{self.line(totals, now)}\x1b[K")
        self.stream.flush()
