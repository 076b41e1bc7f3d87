"""``reggi serve``: the questionnaire, the answer page, the vendor matrix and a JSON HTTP API, on
the same engine, questions and renderers as the command line.

Nothing is kept on the server between requests: a session's answers travel in the page, as a
hidden field holding the partial profile (the file ``reggi ask --save`` writes) and another
holding which paths each answer set (for Back). No cookie carries state, so a forged form post
can make the server compute, never change anything; forms need no CSRF token. Every page is
rendered on the server and works with JavaScript off; the one script only adds a print button.

The questionnaire is ``engine.questionnaire.run``, driven one answer per request; downloads are
``engine.render``'s renderers and ``engine.batch``'s matrix writer, so their bytes equal the CLI's.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

from fastapi import FastAPI, Request      # the [web] extra; at module level, for FastAPI's annotations
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from reggi.engine import __version__
from reggi.engine import questionnaire as qn
from reggi.engine.batch import Matrix, JsonLines, Outcome, Settings, Totals
from reggi.engine.evaluate import DISCLAIMER, Findings
from reggi.engine.render import _headline, _question, render_json, render_markdown
from reggi.engine.rulebase import RULES_DIR
from reggi.engine.service import Reggi
from reggi.facts.errors import InputError
from reggi.facts.inventory import read_text
from reggi.facts.paths import has_path, unset_path
from reggi.facts.question import Understanding, coverage_message, understand
from reggi.facts.reader import parse_profile, parse_text, validation_message, validation_problems
from reggi.facts.vocabulary import DataCategory, ToolKind

ASSETS = Path(__file__).resolve().parent / "web_assets"
MAX_BODY = 4 * 1024 * 1024        # bytes a request body may have (uploads included)
EXTRA_TOOL_ROWS = 2               # blank tool rows on the "understood" page, for adding tools
LOOPBACK = ["127.0.0.1", "localhost", "::1", "[::1]"]
NAMING_HELP = "Name at least one US state, e.g. California or CA, or say 'nationwide'."
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
                                 b"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class Guard:
    """The outermost ASGI layer: a body without Content-Length is refused (411), one over the
    limit too (413), before any of it is read; security headers go on every response."""

    def __init__(self, app, limit: int = MAX_BODY):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        problem = None
        if scope["method"] in ("POST", "PUT", "PATCH"):
            length = headers.get(b"content-length", b"")
            if not length.isdigit():
                problem = (411, "a request body needs a Content-Length")
            elif int(length) > self.limit:
                problem = (413, f"the request body is over the limit of {self.limit:,} bytes")
        if problem:
            body = json.dumps({"error": problem[1]}).encode()
            await send({"type": "http.response.start", "status": problem[0],
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS]})
            await send({"type": "http.response.body", "body": body})
            return

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        await self.app(scope, receive, with_headers)


class Ask(Exception):
    """Raised by the questionnaire's ask callback: this question is what the page shows next."""

    def __init__(self, question: qn.Question, problem: str | None = None):
        self.question, self.problem = question, problem


def raw_answer(q: qn.Question, values: list[str], dont_know: bool) -> str:
    """A form's answer as the text ``reggi ask`` would have read, for ``qn.parse_answer``."""
    if dont_know:
        return "don't know"
    if q.kind in ("checklist", "set"):
        return ",".join(values) if values else "none"
    return values[0] if values else ""


def create_app(rules: Path | str | None = None, engine: str = "durable", limit: int = MAX_BODY,
               allowed_hosts: list[str] | None = None):
    """The ASGI app. ``allowed_hosts``: Host header values accepted (default: loopback names, so a
    page elsewhere cannot reach the server by DNS rebinding); ["*"] accepts any."""
    rules_dir = Path(rules or RULES_DIR)
    service = Reggi(rules_dir, engine)
    lock = threading.Lock()       # one engine; requests run in a thread pool
    jurisdictions = tuple(sorted({s.meta.jurisdiction for s in service.rulebase.statutes.values()}))
    templates = Environment(loader=FileSystemLoader(ASSETS / "templates"), autoescape=True,
                            trim_blocks=True, lstrip_blocks=True)
    templates.globals.update(version=__version__, disclaimer=DISCLAIMER)

    app = FastAPI(title="reggi", version=__version__, docs_url=None, redoc_url=None,
                  description="US privacy obligations of a business and its third-party tools. "
                              "Information about statutes, not legal advice.")
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or LOOPBACK)
    app.mount("/static", StaticFiles(directory=ASSETS / "static"), name="static")

    def page(name: str, status: int = 200, **context) -> HTMLResponse:
        return HTMLResponse(templates.get_template(name).render(**context), status_code=status)

    def evaluate(profile, as_of=None, explain=True) -> Findings:
        with lock:
            return service.evaluate(profile, as_of, explain)

    # --- errors: never a stack trace ---------------------------------------------------------

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, err: RequestValidationError):
        problems = [{"field": ".".join(str(p) for p in e["loc"] if p not in ("query", "body", "path")),
                     "message": e["msg"]} for e in err.errors()]
        return JSONResponse({"error": "; ".join(f"{p['field']}: {p['message']}" for p in problems),
                             "problems": problems}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, err: HTTPException):
        if wants_json(request):
            return JSONResponse({"error": err.detail}, status_code=err.status_code)
        return page("error.html", err.status_code, title=str(err.status_code), message=err.detail)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, err: Exception):
        message = ("Something went wrong on the server; no details are shown. Your answers are in the "
                   "previous page: go back in the browser and try again, or download them.")
        if wants_json(request):
            return JSONResponse({"error": "internal error"}, status_code=500)
        return page("error.html", 500, title="Internal error", message=message)

    # --- reading forms -------------------------------------------------------------------------

    async def form(request: Request):
        return await request.form(max_part_size=limit, max_files=4, max_fields=500)

    def carried(f) -> tuple[dict, list[list[str]]]:
        """The answers and history a page carried; InputError if they are not a profile."""
        data = parse_text("answers", str(f.get("answers") or "{}"), "json")
        if not isinstance(data, dict):
            raise InputError("answers", None, "a profile is an object with business, states and tools")
        try:
            history = json.loads(str(f.get("history") or "[]"))
        except ValueError:
            history = []
        if not (isinstance(history, list) and all(isinstance(h, list) and all(isinstance(p, str) for p in h)
                                                   for h in history)):
            history = []
        return data, history

    def as_of_field(text) -> str | None:
        text = str(text or "").strip()
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise InputError("as_of", None, f"{text!r} is not a date; use YYYY-MM-DD") from None

    # --- the questionnaire ---------------------------------------------------------------------

    def step(answers: dict, history: list, answer=None, defaults=None):
        """The next page for these answers: a question, or the answer. ``answer`` (paths, the form's
        values, don't know) is the answer just given to the question on those paths; it is parsed
        and applied as ``reggi ask`` parses and applies a typed one. ``defaults`` prefill the form."""
        profile = parse_profile(answers, "answers")
        as_of = profile.as_of or dt.date.today()
        given = []

        def ask(q, number, problem=None):
            if problem:                      # the profile rejected the answer: ask it again
                raise Ask(q, f"Not accepted: {problem}")
            if answer is None or given or q.paths != answer[0]:
                raise Ask(q)
            given.append(q.paths)
            try:
                return qn.parse_answer(q, raw_answer(q, answer[1], answer[2]))
            except ValueError as err:
                raise Ask(q, f"Not understood: {err}") from None

        try:
            with lock:
                findings, _ = qn.run(service, answers, as_of, ask, "answers")
            shown = None
        except Ask as pending:
            findings, shown = None, pending
        if given and not (shown and shown.problem):
            history = history + given
        if shown is not None:
            return question_page(answers, history, shown.question, shown.problem, defaults)
        return answer_page(answers, history, findings)

    def understood_of(answers: dict) -> Understanding:
        return Understanding(states=[s.get("code") for s in answers.get("states", [])],
                             tools=[t.get("kind") for t in answers.get("tools", [])],
                             data=understand(answers.get("question") or "").data)

    def hidden(answers: dict, history: list) -> dict:
        return {"answers_json": json.dumps(answers, ensure_ascii=False), "history_json": json.dumps(history)}

    def question_page(answers, history, q: qn.Question, problem=None, defaults=None, status=200):
        defaults = defaults or {}
        options = []
        if q.kind == "checklist":
            options = [{"value": str(i + 1), "label": label, "checked": defaults.get(q.paths[i]) is True}
                       for i, label in enumerate(q.options)]
        elif q.kind in ("set", "enum"):
            chosen = defaults.get(q.paths[0])
            chosen = set(chosen) if isinstance(chosen, list) else {chosen}
            options = [{"value": o, "label": qn._option_label(q, o), "checked": o in chosen} for o in q.options]
        elif q.kind == "bool":
            options = [{"value": v, "label": v, "checked": defaults.get(q.paths[0]) is (v == "yes")}
                       for v in ("yes", "no")]
        value = defaults.get(q.paths[0])
        u = understood_of(answers)
        return page("question.html", 422 if problem else status, q=q, options=options, problem=problem,
                    number=len(history) + 1, value="" if value is None or isinstance(value, (list, bool)) else value,
                    paths_json=json.dumps(q.paths), understood=u.describe(),
                    hint=[DataCategory(d).label for d in u.data] if q.kind == "set" else [],
                    question=answers.get("question"), **hidden(answers, history))

    def answer_page(answers, history, findings: Findings):
        shown, headline, rest = _headline(findings)
        groups: dict[str, list] = {}
        for s in shown:
            groups.setdefault(s.jurisdiction, []).append(
                {"statute": s, "obligations": [o for o in findings.obligations if o.statute == s.statute],
                 "status_words": {"applies": "applies", "conditional": "may apply"}.get(
                     s.status, "does not apply, but some of its duties apply whatever its size thresholds")})
        return page("answer.html", findings=findings, headline=headline, groups=groups,
                    not_applicable=[s for s in rest if s.status == "not_applicable"],
                    upcoming=[s for s in rest if s.status == "not_in_force"],
                    away=[s for s in findings.statutes if s.status == "not_in_play"],
                    open_questions=[(_question(p), findings.open_reasons.get(p, [])) for p in findings.open_questions],
                    sources=shown + rest, question=answers.get("question"),
                    understood=understood_of(answers).describe(), asked=len(history),
                    covered=", ".join(jurisdictions), **hidden(answers, history))

    def understood_page(answers, history, problem=None):
        tools = [{"name": t.get("name", ""), "kind": t.get("kind", "")} for t in answers.get("tools", [])]
        tools += [{"name": "", "kind": ""}] * EXTRA_TOOL_ROWS
        u = understood_of(answers)
        return page("understood.html", 422 if problem else 200, problem=problem, question=answers.get("question"),
                    business=answers.get("business", {}).get("name", ""), tools=tools,
                    states=", ".join(s for s in u.states if s), kinds=[(k.value, k.label) for k in ToolKind],
                    data=[DataCategory(d).label for d in u.data], as_of=answers.get("as_of") or "",
                    **hidden(answers, history))

    def start_page(problem=None, question="", as_of="", status=None):
        return page("start.html", status or (422 if problem else 200), problem=problem, question=question,
                    as_of=as_of, today=dt.date.today().isoformat())

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def start():
        return start_page()

    @app.post("/ask", response_class=HTMLResponse, include_in_schema=False)
    async def ask_question(request: Request):
        f = await form(request)
        question = str(f.get("question") or "").strip()
        try:
            as_of = as_of_field(f.get("as_of"))
        except InputError as err:
            return start_page(err.message, question)
        u = understand(question)
        if u.empty:
            names = sorted(i.meta.name for i in service.rulebase.statutes.values())
            return start_page(coverage_message(names), question, as_of or "")
        if not u.states:
            return start_page("No US state found in the question. " + NAMING_HELP, question, as_of or "")
        answers = qn.base_answers(u)
        answers["question"] = question
        if as_of:
            answers["as_of"] = as_of
        return understood_page(answers, [])

    @app.post("/ask/understood", response_class=HTMLResponse, include_in_schema=False)
    async def ask_understood(request: Request):
        f = await form(request)
        try:
            old, history = carried(f)
        except InputError as err:
            return start_page(str(err))
        states = understand(str(f.get("states") or "")).states
        rows = []
        for i in range(int(f.get("rows") or 0) if str(f.get("rows") or "").isdigit() else 0):
            kind = str(f.get(f"tool_kind_{i}") or "")
            name = str(f.get(f"tool_name_{i}") or "").strip()
            if kind:
                if kind not in ToolKind.values():
                    return understood_page(old, history, f"tool {name!r}: unknown kind {kind!r}")
                rows.append({"name": name or qn.base_answers(Understanding(tools=[kind]))["tools"][0]["name"],
                             "kind": kind})
        business = dict(old.get("business") or {})
        business["name"] = str(f.get("business") or "").strip() or "Your business"
        old_states = {s.get("code"): s for s in old.get("states", []) if isinstance(s, dict)}
        old_tools = {(t.get("name"), t.get("kind")): t for t in old.get("tools", []) if isinstance(t, dict)}
        answers = {"business": business,
                   "states": [old_states.get(c, {"code": c}) for c in states],
                   "tools": [old_tools.get((t["name"], t["kind"]), t) for t in rows]}
        for key in ("question", "as_of"):
            if old.get(key):
                answers[key] = old[key]
        if not states:
            return understood_page(answers, history, NAMING_HELP)
        try:
            parse_profile(answers, "answers")
        except InputError as err:
            return understood_page(answers, history, err.message)
        history = [kept for kept in ([p for p in entry if has_path(answers, p)] for entry in history) if kept]
        return step(answers, history)

    @app.post("/ask/answer", response_class=HTMLResponse, include_in_schema=False)
    async def ask_answer(request: Request):
        f = await form(request)
        try:
            answers, history = carried(f)
            parse_profile(answers, "answers")
        except InputError as err:
            return start_page(f"The answers this page carried cannot be read: {err}")
        action = f.get("action")
        if action == "back":
            if not history:
                return understood_page(answers, history)
            paths, history = history[-1], history[:-1]
            defaults = {}
            for p in paths:
                if has_path(answers, p):
                    defaults[p] = _value(answers, p)
                    unset_path(answers, p)
            return step(answers, history, defaults=defaults)
        try:
            paths = json.loads(str(f.get("paths") or "[]"))
        except ValueError:
            paths = []
        values = [str(v) for v in f.getlist("value")]
        return step(answers, history, (paths, values, action == "dont_know"))

    @app.post("/ask/resume", response_class=HTMLResponse, include_in_schema=False)
    async def ask_resume(request: Request):
        f = await form(request)
        upload = f.get("file")
        if upload is None or not hasattr(upload, "read"):
            return start_page("Choose a saved answers file (.json or .toml) to upload.")
        name = Path(upload.filename or "answers.json").name[:200]
        try:
            text = (await upload.read()).decode("utf-8-sig")
        except UnicodeDecodeError:
            return start_page(f"{name}: not UTF-8 text")
        try:
            answers = parse_text(name, text, "toml" if name.lower().endswith(".toml") else "json")
            if not isinstance(answers, dict):
                raise InputError(name, None, "a profile is an object with business, states and tools")
            parse_profile(answers, name)
        except InputError as err:
            return start_page(str(err))
        return step(answers, [])

    @app.post("/ask/download/{what}", include_in_schema=False)
    async def ask_download(request: Request, what: str):
        f = await form(request)
        try:
            answers, _ = carried(f)
            profile = parse_profile(answers, "answers")
        except InputError as err:
            return start_page(f"The answers this page carried cannot be read: {err}")
        if what == "answers":
            return attachment(qn.answers_text(answers), "reggi-answers.json", "application/json")
        findings = evaluate(profile)
        if what == "markdown":
            return attachment(render_markdown(findings, __version__), "reggi-findings.md", "text/markdown")
        if what == "json":
            return attachment(render_json(findings, __version__), "reggi-findings.json", "application/json")
        raise HTTPException(404, "no such download")

    def attachment(text: str, filename: str, media: str) -> Response:
        return Response(text.encode("utf-8"), media_type=f"{media}; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="{filename}"'})

    # --- the vendor matrix ----------------------------------------------------------------------

    @app.get("/matrix", response_class=HTMLResponse, include_in_schema=False)
    def matrix_form():
        return page("matrix.html", result=None, problem=None, as_of="")

    @app.post("/matrix", include_in_schema=False)
    async def matrix(request: Request):
        f = await form(request)
        try:
            as_of = as_of_field(f.get("as_of"))
            inventory_name, inventory = await upload_or_text(f, "inventory")
            business_name, business_text = await upload_or_text(f, "business")
        except InputError as err:
            return page("matrix.html", 422, result=None, problem=str(err), as_of=f.get("as_of") or "")
        problem = None
        business = None
        if not inventory:
            problem = "Choose an inventory file: a CSV vendor inventory or JSON Lines profiles."
        elif business_text.strip():
            try:
                data = parse_text(business_name, business_text,
                                  "toml" if business_name.lower().endswith(".toml") else "json")
                if not isinstance(data, dict):
                    raise InputError(business_name, None, "a profile is an object with business, states and tools")
                business = parse_profile(data, business_name)
            except InputError as err:
                problem = f"The business profile cannot be used: {err}"
        elif inventory_name.lower().endswith(".csv"):
            problem = "A CSV vendor inventory needs a business profile (.json or .toml) with the business facts and states."
        if problem:
            return page("matrix.html", 422, result=None, problem=problem, as_of=as_of or "")
        settings = Settings(str(rules_dir), engine, "matrix", dt.date.fromisoformat(as_of) if as_of else None,
                            jurisdictions)
        writer = Matrix(settings)
        csv_text, rows, totals, titles = writer.header(), [], Totals(), {}
        for index, record in enumerate(read_text(inventory_name, inventory.encode("utf-8", "surrogateescape"),
                                                 business), 1):
            findings, error = None, None
            if isinstance(record.profile, InputError):
                error = str(record.profile)
            else:
                try:
                    findings = evaluate(record.profile, settings.as_of, explain=False)
                except Exception as err:   # reported on its row, as reggi batch does
                    error = f"internal error: {type(err).__name__}: {err}"
            csv_text += writer.record(index, record, findings, error)
            totals.add(Outcome("", error is None))
            marks = {o.id: o.status for o in findings.obligations} if findings else {}
            titles.update({o.id: (o.statute, o.title) for o in findings.obligations} if findings else {})
            rows.append({"index": index, "line": record.line or "", "vendors": "; ".join(record.vendors),
                         "business": record.business, "marks": marks, "error": error})
        if f.get("format") == "csv":
            return attachment(csv_text, "reggi-matrix.csv", "text/csv")
        statutes: dict[str, list] = {}
        for oid in sorted(titles):
            statutes.setdefault(titles[oid][0], []).append((oid, oid.split(".", 1)[1], titles[oid][1]))
        return page("matrix.html", result={"statutes": statutes, "rows": rows, "summary": totals.summary()},
                    problem=None, as_of=as_of or "", inventory_name=inventory_name, inventory=inventory,
                    business_name=business_name, business_text=business_text)

    async def upload_or_text(f, field: str) -> tuple[str, str]:
        """An uploaded file's name and text, or the text a result page carried back."""
        upload = f.get(field)
        if upload is not None and hasattr(upload, "read") and upload.filename:
            name = Path(upload.filename).name[:200]
            data = await upload.read()
            return name, data.decode("utf-8-sig", "surrogateescape")
        name = Path(str(f.get(field + "_name") or field)).name[:200]
        return name, str(f.get(field + "_text") or "")

    # --- the JSON API ---------------------------------------------------------------------------

    profile_schema = None

    def body_schema():
        nonlocal profile_schema
        if profile_schema is None:
            from reggi.facts.profile import Profile
            profile_schema = Profile.model_json_schema()
        return profile_schema

    def api_error(err: InputError, problems: list[tuple[str, str]] | None = None) -> JSONResponse:
        items = [{"field": w, "message": m} for w, m in problems] if problems else [{"field": "", "message": err.message}]
        return JSONResponse({"error": str(err), "problems": items}, status_code=422)

    def api_as_of(value: str | None) -> dt.date | None:
        return dt.date.fromisoformat(value) if value else None

    @app.post("/api/evaluate", summary="Evaluate a profile",
              description="A profile (JSON) in; the JSON of `reggi evaluate --format json` out, byte for byte. "
                          "Bad input: 422 with each problem's field path and the allowed values.",
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                  "schema": {"$ref": "#/components/schemas/Profile"}}}}},
              responses={200: {"description": "The findings"}, 422: {"description": "Bad input"}})
    async def api_evaluate(request: Request, as_of: dt.date | None = None):
        from pydantic import ValidationError
        from reggi.facts.profile import Profile
        name = "request body"
        raw = await request.body()
        try:
            data = parse_text(name, raw.decode("utf-8"), "json")
        except UnicodeDecodeError as err:
            return api_error(InputError(name, None, f"not UTF-8 text (byte {err.start})"))
        except InputError as err:
            return api_error(err)
        if not isinstance(data, dict):
            return api_error(InputError(name, None, "a profile is an object with business, states and tools"))
        try:
            profile = Profile.model_validate(data)
        except ValidationError as err:
            return api_error(InputError(name, None, validation_message(err)), validation_problems(err))
        return Response(render_json(evaluate(profile, as_of), __version__), media_type="application/json")

    @app.post("/api/batch", summary="Evaluate many profiles",
              description="JSON Lines in (one profile a line); JSON Lines out, streamed, one record per line "
                          "in input order, as `reggi batch --format jsonl` writes them. A bad line gives an error "
                          "record, never a dropped one.",
              openapi_extra={"requestBody": {"required": True, "content": {"application/x-ndjson": {
                  "schema": {"type": "string"}}}}})
    async def api_batch(request: Request, as_of: dt.date | None = None):
        raw = await request.body()
        settings = Settings(str(rules_dir), engine, "jsonl", as_of, jurisdictions)
        writer = JsonLines(settings)

        def lines():
            for index, record in enumerate(read_text("request body", raw), 1):
                if isinstance(record.profile, InputError):
                    yield writer.record(index, record, None, str(record.profile))
                    continue
                try:
                    findings = evaluate(record.profile, as_of)
                except Exception as err:
                    yield writer.record(index, record, None, f"internal error: {type(err).__name__}")
                    continue
                yield writer.record(index, record, findings, None)

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    @app.get("/api/rules", summary="The statutes and their obligations")
    def api_rules():
        out = []
        for sid, info in sorted(service.rulebase.statutes.items(), key=lambda kv: (kv[1].meta.jurisdiction, kv[0])):
            m = info.meta
            seen: dict[str, str] = {}
            for r in info.obligations:
                seen.setdefault(r.item.id, r.item.title)
            out.append({"id": sid, "name": m.name, "jurisdiction": m.jurisdiction, "citation": m.citation,
                        "source": m.source, "in_force": str(m.in_force),
                        "obligations": [{"id": f"{sid}.{oid}", "title": title} for oid, title in seen.items()]})
        return {"reggi": __version__, "statutes": out}

    @app.get("/api/schema", summary="The JSON Schema of a profile (as `reggi schema` prints it)")
    def api_schema():
        return Response(json.dumps(body_schema(), indent=2, sort_keys=True) + "\n", media_type="application/json")

    def openapi():
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi
            spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema = json.loads(json.dumps(body_schema()).replace("#/$defs/", "#/components/schemas/"))
            components = spec.setdefault("components", {}).setdefault("schemas", {})
            components.update(schema.pop("$defs", {}))
            components["Profile"] = schema
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs():
        spec = openapi()
        endpoints = [{"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                      "description": op.get("description", "")}
                     for path, ops in spec["paths"].items() for method, op in ops.items()]
        return page("docs.html", endpoints=endpoints)

    @app.get("/healthz", response_class=PlainTextResponse, include_in_schema=False)
    def health():
        return "ok\n"

    return Guard(app, limit)


def _value(answers: dict, path: str):
    """What the answers say for a path (None if nothing)."""
    from reggi.facts.paths import split
    section, item, name = split(path)
    if section == "business":
        return answers.get("business", {}).get(name)
    key = "code" if section == "states" else "name"
    for entry in answers.get(section, []):
        if entry.get(key) == item:
            return entry.get(name)
    return None
