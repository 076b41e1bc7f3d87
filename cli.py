"""reggi command line. ``reggi --help`` lists the commands; ``python cli.py`` does the same."""
from __future__ import annotations

import contextlib
import itertools
import datetime as dt
import json
import os
import re
import sys
import textwrap

import click

if __package__ in (None, ""):   # `python cli.py` in a checkout: this folder is the package reggi
    import _checkout
    _checkout.ensure()

from reggi.engine import __version__
from reggi.engine.runner import EngineError
from reggi.facts.errors import InputError


def _date(ctx, param, value):
    if value is None:
        return None
    try:   # YYYY-MM-DD only, as in profiles (fromisoformat alone also takes 2026W491)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD")


def fail(err: InputError):
    click.echo(f"error: {err}", err=True)
    sys.exit(2)


def _service(rules: str | None, engine: str = "durable", horizon: int = 24):
    from reggi.engine.rulebase import RULES_DIR
    from reggi.engine.service import Reggi
    try:
        return Reggi(rules or RULES_DIR, engine, horizon)
    except InputError as err:
        fail(err)
    except EngineError as err:
        fail(InputError(str(rules or RULES_DIR), None, f"the {engine} engine did not start: {err}"))


def engine_failed(name: str, err: EngineError, engine: str = "durable") -> InputError:
    """An engine failure on one profile, in words: the profile, what failed, what to do."""
    hint = "; --engine reference evaluates it without durable-rules" if engine == "durable" else ""
    return InputError(name, None, f"the {engine} engine failed on this profile: {err}{hint}")


class _Commands(click.Group):
    """The last net under every command: an engine failure no command caught is an error line
    and exit 2, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except EngineError as err:
            fail(InputError("reggi", None, f"the engine failed: {err}"))


RULES_OPTION = click.option("--rules", type=click.Path(), default=None,
                            help="Folder of rule files (default: the shipped rules/).")
FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]),
                             default="text", show_default=True)
AS_OF_OPTION = click.option("--as-of", callback=_date, default=None, metavar="YYYY-MM-DD",
                            help="Evaluation date (default: the profile's as_of, else today).")


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, message="reggi %(version)s")
def main():
    """reggi: deterministic US privacy obligations for a business and its third-party tools.

    It gives information about statutes, not legal advice.
    """


ENGINE_OPTION = click.option("--engine", type=click.Choice(["durable", "reference"]), default="durable",
                             show_default=True,
                             help="durable-rules (Rete) or the reference interpreter; both give the same findings.")
HORIZON_OPTION = click.option("--horizon", type=click.IntRange(0, 240), default=24, show_default=True, metavar="MONTHS",
                              help="Also report what comes into force within this many months after the "
                                   "evaluation date (0: nothing).")
REPORT_OPTION = click.option("--output", "-o", "report_file", type=click.Path(dir_okay=False), default=None,
                             metavar="FILE", help="Write the report to FILE instead of standard output (written "
                                                  "whole or not at all).")


def emit(text: str, report_file: str | None, inputs: tuple = ()) -> None:
    """The report, to stdout or to ``--output``: written beside the target and renamed into place,
    so an interrupted run never leaves a file that looks complete; never over one of the inputs."""
    if not report_file:
        click.echo(text, nl=False)
        return
    try:
        _not_an_input(report_file, [spec for spec in inputs if spec])
        # The same writer as reggi batch: a regular file through a temporary file and a rename; a
        # link, a device (/dev/stdout) or a FIFO written in place.
        with (_Atomic(report_file) if _plain_file(report_file)
              else open(report_file, "w", encoding="utf-8", newline="")) as out:
            out.write(text)
    except InputError as err:
        fail(err)
    except OSError as err:
        fail(InputError(report_file, None, f"cannot write: {err.strerror or err}"))


BUSINESS_OPTION = click.option("--business", type=click.Path(), default=None, metavar="FILE",
                               help="Profile with the business facts for CSV vendor inventories; each row's "
                                    "tool replaces its tools.")


@main.command()
@click.argument("profile")
@AS_OF_OPTION
@FORMAT_OPTION
@RULES_OPTION
@ENGINE_OPTION
@HORIZON_OPTION
@REPORT_OPTION
def evaluate(profile, as_of, fmt, rules, engine, horizon, report_file):
    """Evaluate a PROFILE (.json or .toml; - reads JSON from stdin)."""
    from reggi.engine.render import RENDERERS
    from reggi.facts.reader import read_profile
    try:
        prof = read_profile(profile)
    except InputError as err:
        fail(err)
    service = _service(rules, engine, horizon)
    try:
        findings = service.evaluate(prof, as_of)
    except EngineError as err:
        fail(engine_failed(profile, err, engine))
    emit(RENDERERS[fmt](findings, __version__), report_file, (profile,))


@main.command()
@REPORT_OPTION
def schema(report_file):
    """Print the JSON Schema of a profile."""
    from reggi.facts.profile import Profile
    emit(json.dumps(Profile.model_json_schema(), indent=2, sort_keys=True) + "\n", report_file)


@main.group()
def rules():
    """Inspect the rule base."""


@rules.command("list")
@RULES_OPTION
def rules_list(rules):
    """List the statutes and their obligations."""
    rb = _service(rules, "reference").rulebase
    for sid, info in sorted(rb.statutes.items(), key=lambda kv: (kv[1].meta.jurisdiction, kv[0])):
        click.echo(f"{info.meta.jurisdiction}  {sid}  {info.meta.name}  ({info.meta.citation})")
        seen = set()
        for r in info.obligations:
            if r.item.id not in seen:
                seen.add(r.item.id)
                click.echo(f"    {sid}.{r.item.id}  {r.item.title}")


@rules.command("show")
@click.argument("rule_id")
@RULES_OPTION
def rules_show(rule_id, rules):
    """Show a statute or an obligation by id, with its tests, citations and dates."""
    rb = _service(rules, "reference").rulebase
    statute_id, _, item_id = rule_id.partition(".")
    info = rb.statutes.get(statute_id)
    if info is None:
        fail(InputError(rule_id, None, f"no such statute; known: {', '.join(sorted(rb.statutes))}"))
    m = info.meta
    if not item_id:
        click.echo(f"{m.id}: {m.name}\n  jurisdiction: {m.jurisdiction}\n  citation: {m.citation}\n"
                   f"  source: {m.source}\n  in force: {m.in_force}\n  file: {info.file}")
        if m.summary:
            click.echo(f"  summary: {m.summary}")
        click.echo("  applies if any of:")
        for t in info.tests:
            span = f"{t.item.from_ or '...'} to {t.item.until or '...'}"
            click.echo(f"    - {t.item.id} [{span}]: {t.item.test} ({t.item.cite}); when: {' '.join(t.item.when.split())}")
        for e in info.exemptions:
            click.echo(f"  exempt: {e.item.id}: {e.item.reason} ({e.item.cite})")
        return
    versions = [r for r in info.obligations if r.item.id == item_id]
    if not versions:
        fail(InputError(rule_id, None, "no such obligation; known: "
                        + ", ".join(sorted({f'{statute_id}.{r.item.id}' for r in info.obligations}))))
    for r in versions:
        o = r.item
        click.echo(f"{rule_id}: {o.title}\n  in force: {o.from_} to {o.until or '...'}\n  cite: {'; '.join(o.cite)}\n"
                   f"  when: {' '.join(o.when.split()) or '(whenever the statute applies)'}\n  do: {o.action}\n"
                   f"  verified: {'yes' if o.verified else 'no'}{' (' + o.note + ')' if o.note else ''}\n"
                   f"  file: {r.file}:{r.line}")


@main.command()
@click.argument("question", required=False)
@click.option("--answers", "answers_file", type=click.Path(), help="Answers (a partial profile) to use without prompting.")
@click.option("--resume", "resume_file", type=click.Path(), help="Continue an interrupted session from its saved answers.")
@click.option("--save", "save_file", type=click.Path(), help="Write the answers (a profile reggi evaluate accepts) here.")
@AS_OF_OPTION
@FORMAT_OPTION
@RULES_OPTION
@HORIZON_OPTION
@REPORT_OPTION
def ask(question, answers_file, resume_file, save_file, as_of, fmt, rules, horizon, report_file):
    """Answer a QUESTION like "Can I use a third-party chat tool in California and Montana?",
    asking only what can change the answer. Prompts go to stderr, the answer to stdout."""
    from reggi.engine import questionnaire as qn
    from reggi.engine.render import render_answer
    from reggi.facts.question import Understanding, coverage_message, understand

    try:
        start = answers_file or resume_file
        answers = qn.load_answers(start) if start else None
    except InputError as err:
        fail(err)
    question = question or (answers or {}).get("question")
    if not question and not answers:
        fail(InputError("question", None, "give a question, or --answers/--resume with a saved session"))
    service = _service(rules, horizon=horizon)
    u = understand(question or "")
    if answers is None:
        if u.empty:
            click.echo(coverage_message(sorted(i.meta.name for i in service.rulebase.statutes.values())), err=True)
            sys.exit(2)
        answers = qn.base_answers(u)
    answers.setdefault("question", question)
    if not answers.get("states"):
        fail(InputError("question", None, "no US state found in the question; name one, e.g. 'in California', "
                        "or say 'nationwide'"))
    interactive = answers_file is None
    hint = u.data   # data named in the question: a hint when the tool's data is asked
    u = Understanding.of_answers(answers)   # what is evaluated: the answers' states and tools
    click.echo(f"Question: {question}", err=True)
    for line in u.describe():
        click.echo(f"  understood {line}", err=True)
    save_to = save_file or "reggi-answers.json"
    as_of = as_of or dt.date.today()

    unsaved: list = []

    def ask_one(q, number, problem=None):
        if save_file and not unsaved:   # every answer on disk before the next question
            try:
                qn.save_answers(save_file, answers)
            except InputError as err:       # said once; the answers are shown if the session stops
                unsaved.append(err)
                click.echo(f"    {err}; your answers will be shown if the session stops", err=True)
        if problem:
            click.echo(f"    Not accepted: {problem}", err=True)
        if hint and q.kind == "set":
            click.echo("    (your question mentions: " + ", ".join(hint) + ")", err=True)
        while True:
            raw = click.prompt(qn.prompt_text(q, number), err=True, prompt_suffix="\n> ")
            try:
                return qn.parse_answer(q, raw)
            except ValueError as err:
                click.echo(f"    Not understood: {err}", err=True)

    try:
        with _stopped_by_signals(abort=True):
            if interactive and not start and not click.confirm("Is that right?", default=True, err=True):
                answers = _correct(service, answers)
                u = Understanding.of_answers(answers)
            if interactive and not answers.get("tools"):
                # Nothing recognised is not "no tools": a question about a tool reggi did not know.
                answers["tools"] = _ask_tool_kinds()
                u = Understanding.of_answers(answers)
            findings, asked = qn.run(service, answers, as_of, ask_one if interactive else None, start or "answers")
    except (click.exceptions.Abort, EngineError) as stop:
        if isinstance(stop, EngineError):
            click.echo(f"\nerror: {engine_failed('the answers', stop).message}", err=True)
        try:
            qn.save_answers(save_to, answers)
        except InputError as err:   # never lose the answers: show them instead
            click.echo(f"\n{err}\nYour answers so far:\n{json.dumps(answers, indent=2)}", err=True)
            sys.exit(1)
        click.echo(f"\nStopped. Your answers so far are saved in {save_to}; "
                   f"resume with: reggi ask --resume {save_to}", err=True)
        sys.exit(2 if isinstance(stop, EngineError) else 1)
    except InputError as err:
        fail(err)
    if save_file:
        try:
            qn.save_answers(save_file, answers)
        except InputError as err:
            fail(err)
        click.echo(f"Answers saved in {save_file} (reggi evaluate {save_file} gives the same findings).", err=True)
    emit(render_answer(fmt, findings, __version__, question, u.describe(), asked), report_file,
         (answers_file, resume_file, save_file))


def _ask_tool_kinds() -> list[dict]:
    """Which kinds of tools the question is about, when reggi recognised none."""
    from reggi.facts.question import tool_label
    from reggi.facts.vocabulary import ToolKind
    kinds = ToolKind.values()
    menu = "\n".join(f"    {i + 1}. {ToolKind(k).label}" for i, k in enumerate(kinds))
    while True:
        raw = click.prompt("reggi did not recognise a tool in the question. Which kinds of tools is it about?\n"
                           f"{menu}\n    Answer with numbers, comma-separated, or 'none'", err=True, prompt_suffix="\n> ")
        text = raw.strip().lower()
        if text in ("none", "no", "nothing"):
            return []
        picked = []
        for item in (t.strip() for t in text.replace(";", ",").split(",") if t.strip()):
            if item.isdigit() and 1 <= int(item) <= len(kinds):
                picked.append(kinds[int(item) - 1])
            elif item in kinds:
                picked.append(item)
            else:
                picked = None
                break
        if picked:
            return [{"name": tool_label(k), "kind": k} for k in dict.fromkeys(picked)]
        click.echo(f"    Not understood: give numbers from 1 to {len(kinds)}, or 'none'.", err=True)


def _correct(service, answers: dict) -> dict:
    """Let the user restate the states and tools reggi understood."""
    from reggi.engine import questionnaire as qn
    from reggi.facts.question import understand
    states = understand(click.prompt("States (names or postal codes, or 'nationwide')", err=True))
    while not states.states:
        click.echo("    Name at least one US state, e.g. California or CA, or say 'nationwide'.", err=True)
        states = understand(click.prompt("States", err=True))
    tools = understand(click.prompt("Tools (e.g. live chat, chatbot, helpdesk, call recording, pixel)", err=True))
    fixed = qn.base_answers(type(states)(states=states.states, tools=tools.tools, data=tools.data,
                                         products=tools.products))
    fixed["question"] = answers.get("question")
    return fixed


@rules.command("lint")
@RULES_OPTION
def rules_lint(rules):
    """Check the rule files: ids, citations, dates, conditions, strata, unverified items.

    One problem a line, as FILE:LINE: error|warning: MESSAGE; exit 1 on errors, 0 with warnings only."""
    from reggi.engine.lint import ERROR, lint
    from reggi.engine.rulebase import RULES_DIR
    try:
        problems = lint(rules or RULES_DIR)
    except InputError as err:
        fail(err)
    for p in problems:
        click.echo(str(p))
    errors = sum(p.severity == ERROR for p in problems)
    click.echo(f"{errors} error(s), {len(problems) - errors} warning(s)")
    sys.exit(1 if errors else 0)


@main.command("test")
@click.argument("paths", nargs=-1, type=click.Path())
@RULES_OPTION
@click.option("-v", "--verbose", is_flag=True, help="Also list the scenarios that pass.")
@click.option("--coverage", is_flag=True,
              help="Also report, per statute, the tests, exemptions and obligations no scenario made fire; "
                   "exit 1 if any never fired.")
def test_cmd(paths, rules, verbose, coverage):
    """Run golden scenarios (files or folders; default: the project's tests/scenarios).

    Profile paths in a scenario are relative to the scenario file, so a folder of scenarios may
    live anywhere. Exit 1 if any scenario fails."""
    from pathlib import Path
    from reggi.engine.coverage import Coverage
    from reggi.engine.rulebase import RULES_DIR
    from reggi.engine.scenarios import check, find_scenarios, load_scenario
    roots = [Path(p) for p in paths] or [RULES_DIR.parent / "tests" / "scenarios"]
    if not paths and not roots[0].is_dir():   # installed without the checkout's tests
        fail(InputError("reggi test", None, "give scenario files or folders: the project's "
                        "tests/scenarios is only in a checkout (pip install -e .)"))
    service = _service(rules)
    try:
        scenarios = [load_scenario(f) for f in find_scenarios(roots)]
    except InputError as err:
        fail(err)
    if not scenarios:
        fail(InputError(", ".join(map(str, roots)), None, "no scenario files (*.toml) found"))
    known = service.rulebase.obligation_ids()
    cover = Coverage(service.rulebase)
    failed = 0
    for s in scenarios:
        try:
            findings, results = service.trace(s.profile, s.as_of)
            if s.expect.upcoming:
                service.add_upcoming(findings, s.profile)
        except EngineError as err:
            failed += 1
            click.echo(f"FAIL {s.path}: {engine_failed(str(s.path), err).message}")
            continue
        cover.add(results, findings)
        problems = check(s, findings, known)
        if problems:
            failed += 1
            click.echo(f"FAIL {s.path}: {s.description} (as of {s.as_of})")
            for p in problems:
                click.echo(textwrap.indent(str(p), "  "))
        elif verbose:
            click.echo(f"ok   {s.path}")
    gaps = cover.never_fired() if coverage else []
    if coverage:
        click.echo("\n".join(cover.report()))
    click.echo(f"{len(scenarios) - failed} passed, {failed} failed, {len(scenarios)} scenarios"
               + (f"; {len(gaps)} rule(s) never fired" if gaps else ""))
    sys.exit(1 if failed or gaps else 0)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@BUSINESS_OPTION
@AS_OF_OPTION
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "matrix", "matrix-md", "markdown"]),
              default="jsonl", show_default=True,
              help="jsonl: full findings per record; csv: a row per (record, obligation); matrix / matrix-md: "
                   "records x jurisdictions as CSV / Markdown; markdown: a summary report.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None, help="Write here, not to stdout.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the number of CPUs); the output is the same for any number.")
@ENGINE_OPTION
@RULES_OPTION
def batch(inputs, business, as_of, fmt, output, jobs, engine, rules):
    """Evaluate many profiles: folders of profile files, JSON Lines files, CSV vendor inventories
    (with --business) or - (stdin). Every record gives one output record, in input order; the
    summary goes to stderr; exit 1 if any record failed."""
    from reggi.engine.batch import SPREADSHEET_ROWS, Progress, prepare, spreadsheet_warning, write
    from reggi.engine.rulebase import RULES_DIR
    from reggi.facts.inventory import MissingBusiness, count_records, extra_columns, read_records
    # Everything that can stop the run is checked before --output is opened (and truncated).
    try:
        facts = _business(business)
        settings = prepare(fmt, rules or RULES_DIR, engine, as_of)
        if output:
            _not_an_input(output, [*inputs, business or "-"])
        if facts is None and any(i != "-" and i.lower().endswith(".csv") for i in inputs):
            raise MissingBusiness(next(i for i in inputs if i.lower().endswith(".csv")), None,
                                  "a CSV vendor inventory needs --business FILE, a profile with the business "
                                  "facts and states (the inventory gives the tools, one a row)")
        records = read_records(inputs, facts)
        first = next(records, None)          # stdin's CSV header is known only once it is read
        extra = extra_columns(inputs)
        extra += [c for c, _ in (first.extra if first else ()) if c not in extra]
    except InputError as err:
        fail(err)
    if extra:
        what = "are not tool or business facts" if len(extra) > 1 else "is not a tool or business fact"
        click.echo(f"reggi batch: note: inventory column{'s' if len(extra) > 1 else ''} {', '.join(map(repr, extra))} "
                   f"{what}: kept and passed through to the csv and jsonl output, not evaluated", err=True)
    settings = settings._replace(extra=tuple(extra))
    total = count_records(inputs) if sys.stderr.isatty() or fmt in ("csv", "matrix") else None
    if total and fmt in ("csv", "matrix") and total + 1 > SPREADSHEET_ROWS:
        click.echo(spreadsheet_warning(total + 1, fmt, True), err=True)
    try:
        out = (contextlib.nullcontext(sys.stdout) if not output
               else _Atomic(output) if _plain_file(output)
               else open(output, "w", encoding="utf-8", newline=""))   # /dev/stdout, a FIFO: as it is
    except OSError as err:
        fail(InputError(output, None, f"cannot write: {err.strerror}"))
    try:
        with _stopped_by_signals(), out as stream:
            # Standard input may be a live producer: its records are read only as workers need
            # them, so that a pause in it never holds back answers already made.
            totals = write(itertools.chain([first] if first else [], records), stream, settings, jobs,
                           Progress(sys.stderr, total) if sys.stderr.isatty() else None,
                           lambda message: click.echo(message, err=True), read_ahead="-" not in inputs)
    except MissingBusiness as err:      # a CSV on stdin without --business: one usage error
        fail(err)
    click.echo(f"reggi batch: {totals.summary()}", err=True)
    sys.exit(1 if totals.failed else 0)


def _plain_file(path: str) -> bool:
    """A path that is, or will be, a regular file and not a link: those are written through a
    temporary file; a link, a device (/dev/stdout) or a FIFO is written in place."""
    import os
    import stat
    try:
        return stat.S_ISREG(os.stat(path).st_mode) and not os.path.islink(path)
    except FileNotFoundError:
        return not os.path.islink(path)
    except OSError:
        return True     # the error is reported when the file is opened


class _Atomic:
    """--output written to a temporary file beside it and renamed over it only when the run is
    complete: an interrupted run (Ctrl-C, SIGTERM, SIGHUP, a crash) leaves the old file, or none,
    and never one that looks complete. The temporary file is removed, except after SIGKILL or a
    power cut, when a hidden ``.NAME.*.partial`` file may remain beside it."""

    def __init__(self, path: str):
        import os
        import tempfile
        from pathlib import Path
        self.path = Path(path)
        fd, self.temp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".partial")
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)      # the mode a plain open() would give
        self.stream = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def __enter__(self):
        return self.stream

    def __exit__(self, kind, value, tb):
        import os
        try:
            self.stream.close()
            if kind is None:
                os.replace(self.temp, self.path)
        finally:
            if os.path.exists(self.temp):
                os.unlink(self.temp)
        return False


@contextlib.contextmanager
def _stopped_by_signals(abort: bool = False):
    """SIGTERM and SIGHUP stop the command as Ctrl-C does (batch: workers stopped, partial output
    removed; ask, with ``abort``: the answers saved)."""
    import signal

    def stop(number, frame):
        if abort:
            raise click.exceptions.Abort()
        raise SystemExit(128 + number)
    old = {n: signal.signal(n, stop) for n in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for n, handler in old.items():
            signal.signal(n, handler)


def _business(path: str | None):
    """The --business profile, read once up front: a bad one is a usage error, not a bad row."""
    from reggi.facts.reader import read_profile
    return read_profile(path) if path else None


def _not_an_input(output: str, inputs: list[str]) -> None:
    """--output is opened (emptied) before the inputs are read: it must not be one of them."""
    from pathlib import Path
    from reggi.facts.inventory import PROFILE_SUFFIXES
    target = Path(output).resolve()
    for spec in inputs:
        path = Path(spec).resolve() if spec != "-" else None
        if path and (path == target or _same_file(path, target)
                     or (path.is_dir() and target.is_relative_to(path) and target.suffix.lower() in PROFILE_SUFFIXES)):
            raise InputError(output, None, f"--output would overwrite or be read as the input {spec}; "
                                           "write it elsewhere")


def _same_file(a, b) -> bool:
    """One file under two names (a hard link, or a path through another mount)."""
    import os
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@main.command()
@click.argument("profiles", nargs=-1, required=True)
@click.option("--base", required=True, metavar="REV_OR_DIR", help="The rules to compare from: a folder or a git revision.")
@click.option("--head", default=None, metavar="REV_OR_DIR",
              help="The rules to compare to (default: the working tree's rules/).")
@BUSINESS_OPTION
@AS_OF_OPTION
@FORMAT_OPTION
@REPORT_OPTION
@click.option("--check", is_flag=True, help="Exit 1 if any finding the base gave moved (for CI gates); profiles "
                                           "changed only by statutes the head adds do not count.")
def diff(profiles, base, head, business, as_of, fmt, report_file, check):
    """Evaluate PROFILES (files, folders, JSON Lines, CSV with --business, -) with two rule bases
    and report, per profile, the statutes that flipped and the obligations added, removed or
    changed. Exit 2 if a profile cannot be read."""
    import tempfile
    from pathlib import Path
    from reggi.engine.diff import RENDERERS, compare, rules_at
    from reggi.facts.inventory import read_records
    with tempfile.TemporaryDirectory(prefix="reggi-diff-") as tmp:
        try:
            facts = _business(business)
            base_dir, base_label = rules_at(base, Path(tmp) / "base")
            head_dir, head_label = rules_at(head, Path(tmp) / "head")
            report = compare(read_records(profiles, facts), base_dir, head_dir, base_label, head_label, as_of)
        except InputError as err:
            fail(err)
    emit(RENDERERS[fmt](report), report_file, (*profiles, business))
    totals = report.totals
    sys.exit(2 if totals["failed"] else 1 if check and totals["existing_findings_moved"] else 0)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the default is this machine only.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@RULES_OPTION
@ENGINE_OPTION
def serve(host, port, rules, engine):
    """Serve the questionnaire, the answer page, the vendor matrix and the JSON HTTP API in a
    browser (needs the [web] extra: pip install 'reggi[web]'). Nothing is stored on the server."""
    import socket
    try:
        import uvicorn
        from reggi.engine.web import LOOPBACK, create_app
    except ImportError as err:
        fail(InputError("reggi serve", None, f"needs the web extra ({err.name} is missing): pip install 'reggi[web]'"))
    try:
        app = create_app(rules, engine, allowed_hosts=LOOPBACK if host in LOOPBACK else ["*"])
    except InputError as err:
        fail(err)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        fail(InputError(f"{host}:{port}", None, f"cannot listen here: {err.strerror or err}"))
    sock.listen(128)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    click.echo(f"reggi serve: http://{shown}:{bound}/  (API: /api, docs: /docs; Ctrl-C stops)", err=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", server_header=False, access_log=False))
    server.run(sockets=[sock])


def run() -> None:
    """The ``reggi`` command: ``main``, then the output flushed and the process ended at once.
    Tearing down the interpreter (freeing the rule base object by object) took a sixth of a
    ``reggi evaluate``, for nothing: every command has closed its files and stopped its workers
    by then (batch workers also die with their parent). Under a profiler or coverage, whose
    results are written at exit, it exits as usual. Output that cannot be written (a full disk)
    is an error line and exit 1, never a traceback or a silent cut; a reader that stops early
    (reggi ... | head) ends it quietly, as it would a Unix tool (141). CliRunner and other
    callers of ``main`` are unaffected."""
    try:
        main()
        code = 0
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            code = done.code or 0
        else:
            click.echo(done.code, err=True)
            code = 1
    except OSError as err:   # writing failed: the commands report what they cannot read themselves
        code = _write_failed(err)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError) as err:
            code = code or _write_failed(err)
    if sys.gettrace() or sys.getprofile() or "coverage" in sys.modules:
        sys.exit(code)
    os._exit(code)


def _write_failed(err: Exception) -> int:
    if isinstance(err, BrokenPipeError):
        return 141
    with contextlib.suppress(OSError):
        os.write(2, f"error: cannot write the output: {err}\n".encode())
    return 1


if __name__ == "__main__":
    run()
