"""Renderers: text for a terminal, Markdown for a ticket or a wiki, JSON for programs.

Every list is already sorted by the evaluator; the renderers add no order of their own, so the
same findings always give the same bytes.
"""
from __future__ import annotations

import json
import textwrap

from engine.evaluate import DISCLAIMER, Findings
from facts.fields import FIELDS

STATUS_WORDS = {"applies": "applies", "conditional": "may apply", "not_applicable": "does not apply",
                "not_in_force": "not in force", "not_in_play": "state not in play"}


def _question(path: str) -> str:
    """A profile path ("states.MT.consumers") as the question a person would answer."""
    from facts.paths import field_of
    field, where = field_of(path)
    spec = FIELDS.get(field)
    text = spec.question if spec and spec.question else (spec.label if spec else path)
    return f"{where}: {text}" if where else text


def _fields(item) -> dict:
    """A finding's fields as a dict. Findings hold only strings, booleans and lists of strings, so
    a shallow copy serialises exactly as dataclasses.asdict, which deep-copies every leaf and
    took a quarter of a batch run's time."""
    return {name: list(value) if isinstance(value, list) else value for name, value in vars(item).items()}


def to_dict(f: Findings, version: str) -> dict:
    return {
        "reggi": version,
        "as_of": f.as_of.isoformat(),
        "business": f.profile_name,
        "states": f.states,
        "disclaimer": DISCLAIMER,
        "summary": {
            "statutes_applying": [s.statute for s in f.statutes if s.status == "applies"],
            "statutes_conditional": [s.statute for s in f.statutes if s.status == "conditional"],
            "obligations": sum(1 for o in f.obligations if o.status == "applies"),
            "conditional_obligations": sum(1 for o in f.obligations if o.status == "conditional"),
        },
        "obligations": [_fields(o) for o in f.obligations],
        "not_applicable": [
            {"statute": s.statute, "name": s.name, "jurisdiction": s.jurisdiction, "status": s.status,
             "reason": "; ".join(s.reasons)}
            for s in f.statutes if s.status in ("not_applicable", "not_in_force", "not_in_play")],
        "statutes": [_fields(s) for s in f.statutes],
        "open_questions": [{"field": q, "question": _question(q), "matters_for": f.open_reasons.get(q, [])}
                           for q in f.open_questions],
        "unverified": f.unverified,
    }


def render_json(f: Findings, version: str) -> str:
    return json.dumps(to_dict(f, version), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _wrap(text: str, indent: str, width: int = 96) -> list[str]:
    return textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=indent + "  ",
                         break_on_hyphens=False, break_long_words=False) or [indent]


def _headline(f: Findings) -> tuple[list, list, str]:
    """The statutes that apply, those that may, and the one-line answer."""
    applying = [s for s in f.statutes if s.status == "applies"]
    conditional = [s for s in f.statutes if s.status == "conditional"]
    if applying or conditional:
        answer = (f"yes, with requirements: {len(applying)} law(s) apply"
                  + (f" and {len(conditional)} may apply" if conditional else "") + ".")
    else:
        answer = "none of the laws reggi covers applies on these facts."
    return applying, conditional, answer


def render_text(f: Findings, version: str) -> str:
    out: list[str] = []
    add = out.append
    applying, conditional, answer = _headline(f)
    add(f"reggi {version}: privacy obligations for {f.profile_name} as of {f.as_of.isoformat()}")
    add(f"States: {', '.join(f.states)}")
    add("")
    add(f"Answer: {answer}")
    for status in applying + conditional:
        add("")
        add(f"{status.jurisdiction}  {status.name} ({status.citation}): {STATUS_WORDS[status.status]}")
        for reason in status.reasons:
            out.extend(_wrap(("because: " if status.status == "applies" else "") + reason, "  "))
        for o in (x for x in f.obligations if x.statute == status.statute):
            mark = "" if o.verified else " (*)"
            prefix = "[may apply] " if o.status == "conditional" else ""
            add("")
            out.extend(_wrap(f"- {prefix}{o.title}{mark}  [{o.id}]", "  "))
            if o.tools:
                out.extend(_wrap("for: " + ", ".join(o.tools), "      "))
            out.extend(_wrap("do: " + o.action, "      "))
            out.extend(_wrap("cite: " + "; ".join(o.citations) + f" (in force since {o.in_force})", "      "))
            for w in o.why:
                if w not in o.basis:     # the statute's own reasons are printed once, above
                    out.extend(_wrap("why: " + w, "      "))
            for c in o.conditions:
                out.extend(_wrap(("also if: " if o.status == "applies" else "if: ") + c, "      "))
    # obligations that apply regardless of the statute's thresholds
    loose = [o for o in f.obligations if o.statute not in {s.statute for s in applying + conditional}]
    if loose:
        add("")
        add("Duties that apply whatever the thresholds:")
        for o in loose:
            out.extend(_wrap(f"- {o.title}  [{o.id}]", "  "))
            out.extend(_wrap("cite: " + "; ".join(o.citations), "      "))
    rest = [s for s in f.statutes if s.status in ("not_applicable", "not_in_force")]
    if rest:
        add("")
        add("Does not apply:")
        for s in rest:
            out.extend(_wrap(f"{s.jurisdiction}  {s.name}: {'; '.join(s.reasons)}", "  "))
    away = [s for s in f.statutes if s.status == "not_in_play"]
    if away:
        add("")
        out.extend(_wrap("Not in play (state not served): " + ", ".join(f"{s.name} ({s.jurisdiction})" for s in away), ""))
    if f.open_questions:
        add("")
        add("Open questions (answers that could change a finding):")
        for q in f.open_questions:
            out.extend(_wrap("- " + _question(q), "  "))
    add("")
    add("Sources:")
    for s in applying + conditional + rest:
        add(f"  {s.citation}: {s.source}")
    if f.unverified:
        add("")
        out.extend(_wrap("(*) rests on a threshold, date or section that could not be verified against a "
                         "primary source; `reggi rules lint` lists them.", ""))
    add("")
    add("Jurisdictions reggi covers: " + ", ".join(sorted({s.jurisdiction for s in f.statutes})))
    add(DISCLAIMER)
    return "\n".join(out) + "\n"


def render_markdown(f: Findings, version: str) -> str:
    out: list[str] = []
    add = out.append
    applying, conditional, answer = _headline(f)
    add(f"# Privacy obligations for {f.profile_name}")
    add("")
    add(f"As of {f.as_of.isoformat()} · states: {', '.join(f.states)} · reggi {version}")
    add("")
    add(f"**Answer:** {answer}")
    for status in applying + conditional:
        add("")
        add(f"## {status.jurisdiction}: {status.name} ({STATUS_WORDS[status.status]})")
        add("")
        add(f"*{status.citation}* · [source]({status.source})")
        add("")
        for reason in status.reasons:
            add(f"- {'Because: ' if status.status == 'applies' else ''}{reason}")
        for o in (x for x in f.obligations if x.statute == status.statute):
            add("")
            tag = " *(may apply)*" if o.status == "conditional" else ""
            add(f"### {o.title}{tag}{'' if o.verified else ' (*)'}")
            add("")
            add(f"`{o.id}` · in force since {o.in_force}" + (f" · for: {', '.join(o.tools)}" if o.tools else ""))
            add("")
            add(o.action)
            add("")
            add("Citations: " + "; ".join(o.citations))
            for w in o.why:
                if w not in o.basis:
                    add(f"- Why: {w}")
            for c in o.conditions:
                add(f"- {'Also if' if o.status == 'applies' else 'If'}: {c}")
    rest = [s for s in f.statutes if s.status in ("not_applicable", "not_in_force", "not_in_play")]
    if rest:
        add("")
        add("## Does not apply")
        add("")
        for s in rest:
            add(f"- **{s.name}** ({s.jurisdiction}): {'; '.join(s.reasons)}")
    if f.open_questions:
        add("")
        add("## Open questions")
        add("")
        for q in f.open_questions:
            add(f"- {_question(q)}")
    add("")
    add("## Sources")
    add("")
    for s in applying + conditional + [x for x in rest if x.status != "not_in_play"]:
        add(f"- [{s.citation}]({s.source})")
    if f.unverified:
        add("")
        add("(*) rests on a threshold, date or section that could not be verified against a primary source.")
    add("")
    add("Jurisdictions reggi covers: " + ", ".join(sorted({s.jurisdiction for s in f.statutes})))
    add("")
    add(f"*{DISCLAIMER}*")
    return "\n".join(out) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}


def render_answer(fmt: str, f: Findings, version: str, question: str, understood: list[str], asked: int) -> str:
    """The answer to a question asked with ``reggi ask``: the question, what was understood, then
    the findings in the chosen format."""
    if fmt == "json":
        out = {"question": question, "understood": understood, "questions_asked": asked, **to_dict(f, version)}
        return json.dumps(out, indent=2, ensure_ascii=False) + "\n"
    body = RENDERERS[fmt](f, version)
    if fmt == "markdown":
        head = [f"> {question}", "", "Understood: " + "; ".join(understood), ""]
    else:
        head = [f"Question: {question}", "Understood: " + "; ".join(understood), ""]
    return "\n".join(head) + "\n" + body
