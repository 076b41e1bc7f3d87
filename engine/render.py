"""Renderers: text for a terminal, Markdown for a ticket or a wiki, JSON for programs.

Every list is already sorted by the evaluator; the renderers add no order of their own, so the
same findings always give the same bytes.
"""
from __future__ import annotations

import json
import textwrap

from reggi.engine.evaluate import DISCLAIMER, Findings
from reggi.facts.fields import FIELDS
from reggi.facts.vocabulary import FEDERAL, StateCode, code_of

STATUS_WORDS = {"applies": "applies", "conditional": "may apply", "not_applicable": "does not apply",
                "not_in_force": "not in force", "not_in_play": "state not in play"}


def _question(path: str) -> str:
    """A profile path ("states.MT.consumers") as the question a person would answer."""
    from reggi.facts.paths import field_of
    field, where = field_of(path)
    spec = FIELDS.get(field)
    text = spec.question if spec and spec.question else (spec.label if spec else path)
    return f"{where}: {text}" if where else text


def _fields(item) -> dict:
    """A finding's fields as a dict. Findings hold only strings, booleans and lists of strings, so
    a shallow copy serialises exactly as dataclasses.asdict, which deep-copies every leaf and
    took a quarter of a batch run's time."""
    return {name: list(value) if isinstance(value, list) else value for name, value in vars(item).items()}


def _because(status) -> str:
    """A statute's reasons after its name, or nothing for findings evaluated without them."""
    return f": {'; '.join(status.reasons)}" if status.reasons else ""


def summary_answer(f: Findings) -> str:
    """One word for programs: requirements | conditional | litigation_risk_only | no_obligation |
    not_covered (reggi covers none of the served states, so it makes no finding). A business that
    is partly covered gets the answer for what is covered, and ``not_covered`` lists the rest."""
    if any(o.status == "applies" and o.legal_basis != RISK for o in f.obligations):
        return "requirements"
    if any(o.legal_basis != RISK for o in f.obligations) or any(s.status == "conditional" for s in f.statutes):
        return "conditional"
    if f.obligations:
        return "litigation_risk_only"
    if len(not_covered(f)) == len(f.states):
        return "not_covered"
    return "no_obligation"


def to_dict(f: Findings, version: str) -> dict:
    return {
        "reggi": version,
        "as_of": f.as_of.isoformat(),
        "business": f.profile_name,
        "states": f.states,
        "disclaimer": DISCLAIMER,
        "not_covered": [f"US-{c}" for c in not_covered(f)],
        "summary": {
            "answer": summary_answer(f),
            "statutes_applying": [s.statute for s in f.statutes if s.status == "applies"],
            "statutes_conditional": [s.statute for s in f.statutes if s.status == "conditional"],
            "obligations": sum(1 for o in f.obligations if o.status == "applies"),
            "conditional_obligations": sum(1 for o in f.obligations if o.status == "conditional"),
            "litigation_risks": sum(1 for o in f.obligations if o.legal_basis == RISK),
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
        "horizon_months": f.horizon_months,
        "upcoming": [_fields(c) for c in f.upcoming],
    }


def render_json(f: Findings, version: str) -> str:
    return json.dumps(to_dict(f, version), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _wrap(text: str, indent: str, width: int = 96) -> list[str]:
    return textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=indent + "  ",
                         break_on_hyphens=False, break_long_words=False) or [indent]


def not_covered(f: Findings) -> list[str]:
    """Served states for which reggi has no rule file: it cannot answer for them."""
    covered = {code_of(j) for j in {s.jurisdiction for s in f.statutes}}
    return [c for c in f.states if c not in covered]


RISK = "litigation-risk"
BASIS_WORDS = {"regulation": "regulation", "case-law": "case law (a settled appellate holding)",
               RISK: "litigation risk, not a settled duty (courts are split or the question is unsettled); "
                     "recommended, not required"}


def rests_on(o) -> str:
    """What a non-statutory duty rests on, in words ("" for a statute: the citation says it)."""
    if o.legal_basis == "statute":
        return ""
    return "rests on: " + BASIS_WORDS[o.legal_basis] + (f" ({'; '.join(o.cases)})" if o.cases else "")


def _headline(f: Findings) -> tuple[list, str, list]:
    """The statutes to show in detail (those that apply, may apply, or impose duties whatever
    their thresholds), the one-line answer, and the statutes that do not apply. Duties that rest
    only on a contested litigation theory are counted apart: they are recommended, not required."""
    with_duties = {o.statute for o in f.obligations}
    risks = [o for o in f.obligations if o.legal_basis == RISK]
    shown = [s for s in f.statutes if s.status in ("applies", "conditional") or s.statute in with_duties]
    # Counted by what the duties say, as summary_answer does: a law counts as requiring something
    # only when one of its duties that is not a litigation risk applies on these facts.
    required = {o.statute for o in f.obligations if o.legal_basis != RISK and o.status == "applies"}
    maybe = {o.statute for o in f.obligations if o.legal_basis != RISK} | {
        s.statute for s in f.statutes if s.status == "conditional"}
    applying = [s for s in shown if s.statute in required and s.status == "applies"]
    loose = [s for s in shown if s.statute in required and s.status != "applies"]
    conditional = [s for s in shown if s.statute in maybe - required]
    covered = sorted({code_of(s.jurisdiction) for s in f.statutes} - {FEDERAL})
    uncovered = [StateCode(c).label for c in not_covered(f)]
    risk_note = (f" Litigation risk (recommended, not required by settled law): {len(risks)} duty(ies) under "
                 f"{len({o.statute for o in risks})} law(s).") if risks else ""
    if applying or loose:
        parts = [f"{len(applying)} law(s) apply"] if applying else []
        parts += [f"{len(conditional)} more may apply"] if conditional else []
        parts += [f"duties of {len(loose)} law(s) apply whatever their size thresholds"] if loose else []
        answer = "yes, with requirements: " + ", ".join(parts) + "." + risk_note
    elif conditional:
        answer = f"it depends: {len(conditional)} law(s) may apply, depending on the open questions below." + risk_note
    elif risks:
        answer = "no settled requirement on these facts." + risk_note
    elif not set(f.states) & set(covered):
        answer = ("reggi cannot answer for " + ", ".join(uncovered) + ": it has no rule file for their state laws "
                  "(only the federal laws it covers were checked, and none applies).")
        uncovered = []
    else:
        answer = "none of the laws reggi covers applies on these facts."
    if uncovered:
        answer += (" Not covered: reggi has no rule file for " + ", ".join(uncovered)
                   + ", so their state laws were not checked (federal law was).")
    rest = [s for s in f.statutes if s.status in ("not_applicable", "not_in_force") and s not in shown]
    return shown, answer, rest


def _upcoming_lines(f: Findings) -> list[str]:
    """One line per change, for the "Coming into force" section of text and Markdown."""
    out = []
    for c in f.upcoming:
        what = c.title if c.kind == "statute" else f"{c.title} [{c.id}]"
        risk = " (litigation risk: recommended)" if c.legal_basis == RISK else ""
        line = f"{c.date}  {c.jurisdiction}  {what}: {c.change}{risk} ({'; '.join(c.citations)})"
        out.append(line + (": " + "; ".join(c.reasons) if c.reasons and c.kind == "statute" else ""))
    return out


def _coming_title(f: Findings) -> str:
    return f"Coming into force (within {f.horizon_months} months of {f.as_of.isoformat()})"


UNVERIFIED_HEAD = "Findings that rest on a threshold, date or section not verified against a primary source"


def _unverified_lines(f: Findings) -> list[str]:
    """Said once, at the end: which findings rest on unverified facts, and what is unverified."""
    by_id = {o.id: o for o in f.obligations}
    return [f"{oid}: {by_id[oid].note}" if by_id[oid].note else oid for oid in f.unverified]


WHOLE, RECOMMENDED = "The business as a whole", "Recommended for litigation risk (not required by settled law)"


_STATE_NAMES = sorted((s.label for s in StateCode), key=len, reverse=True)


def _names_a_state(title: str) -> bool:
    return any(name in title for name in _STATE_NAMES)


def _unstated(title: str) -> str:
    """A duty's title for several states: "the Texas contents" becomes "each state's contents"."""
    for name in _STATE_NAMES:
        title = title.replace(f"the {name} ", "each state's ").replace(f"{name}'s ", "each state's ")
    return title


def checklist(f: Findings) -> list[tuple[str, list[str]]]:
    """What to do, per tool and for the business as a whole, before the per-statute detail. The
    same duty in several laws (the same obligation id after the statute's, such as
    "processor-contract") is one line naming its jurisdictions; litigation risks come last."""
    groups: dict[str, dict[str, list]] = {}
    for o in f.obligations:
        wheres = [RECOMMENDED] if o.legal_basis == RISK else (o.tools or [WHOLE])
        for where in wheres:
            groups.setdefault(where, {}).setdefault(o.id.partition(".")[2], []).append(o)
    out = []
    for where in [WHOLE, *sorted(k for k in groups if k not in (WHOLE, RECOMMENDED)), RECOMMENDED]:
        duties = groups.get(where)
        if not duties:
            continue
        lines = []
        for same in duties.values():
            title = min((o.title for o in same), key=lambda t: (_names_a_state(t), len(t), t))
            if len({o.jurisdiction for o in same}) > 1:
                title = _unstated(title)
            places = ", ".join(sorted({o.jurisdiction for o in same}))
            maybe = "" if any(o.status == "applies" for o in same) else ", may apply"
            lines.append(f"{title} ({places}{maybe})")
        out.append((where, lines))
    return out


def _status_line(s) -> str:
    if s.status in ("applies", "conditional"):
        return STATUS_WORDS[s.status]
    return STATUS_WORDS[s.status] + ", but some of its duties apply whatever its size thresholds"


def render_text(f: Findings, version: str) -> str:
    out: list[str] = []
    add = out.append
    shown, answer, rest = _headline(f)
    add(f"reggi {version}: privacy obligations for {f.profile_name} as of {f.as_of.isoformat()}")
    add(f"States: {', '.join(f.states)}")
    add("")
    out.extend(_wrap(f"Answer: {answer}", ""))
    if f.obligations:
        add("")
        add("What to do:")
        for where, items in checklist(f):
            add(f"  {where}:")
            for item in items:
                out.extend(_wrap("- " + item, "    "))
        add("")
        add("In detail, by law:")
    for status in shown:
        add("")
        add(f"{status.jurisdiction}  {status.name} ({status.citation}): {_status_line(status)}")
        for reason in status.reasons:
            out.extend(_wrap(("because: " if status.status == "applies" else "") + reason, "  "))
        for estimate in status.estimates:
            out.extend(_wrap("estimate: " + estimate, "  "))
        for o in (x for x in f.obligations if x.statute == status.statute):
            prefix = ("[may apply] " if o.status == "conditional" else "") + (
                "[litigation risk: recommended] " if o.legal_basis == RISK else "")
            add("")
            out.extend(_wrap(f"- {prefix}{o.title}  [{o.id}]", "  "))
            if o.tools:
                out.extend(_wrap("for: " + ", ".join(o.tools), "      "))
            out.extend(_wrap("do: " + o.action, "      "))
            out.extend(_wrap("cite: " + "; ".join(o.citations) + f" (in force since {o.in_force})", "      "))
            if rests_on(o):
                out.extend(_wrap(rests_on(o), "      "))
            for w in o.why:
                if w not in o.basis:     # the statute's own reasons are printed once, above
                    out.extend(_wrap("why: " + w, "      "))
            for c in o.conditions:
                out.extend(_wrap(("also if: " if o.status == "applies" else "if: ") + c, "      "))
    if rest:
        add("")
        add("Does not apply:")
        for s in rest:
            out.extend(_wrap(f"{s.jurisdiction}  {s.name}{_because(s)}", "  "))
    if f.upcoming:
        add("")
        add(_coming_title(f) + ":")
        for line in _upcoming_lines(f):
            out.extend(_wrap("- " + line, "  "))
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
    for s in shown + rest:
        add(f"  {s.citation}: {s.source}")
    if f.unverified:
        add("")
        out.extend(_wrap(UNVERIFIED_HEAD + " (`reggi rules lint` lists every unverified item):", ""))
        for line in _unverified_lines(f):
            out.extend(_wrap("- " + line, "  "))
    add("")
    add("Jurisdictions reggi covers: " + ", ".join(sorted({s.jurisdiction for s in f.statutes})))
    add(DISCLAIMER)
    return "\n".join(out) + "\n"


def render_markdown(f: Findings, version: str) -> str:
    out: list[str] = []
    add = out.append
    shown, answer, rest = _headline(f)
    add(f"# Privacy obligations for {f.profile_name}")
    add("")
    add(f"As of {f.as_of.isoformat()} · states: {', '.join(f.states)} · reggi {version}")
    add("")
    add(f"**Answer:** {answer}")
    if f.obligations:
        add("")
        add("## What to do")
        for where, items in checklist(f):
            add("")
            add(f"**{where}**")
            add("")
            out.extend(f"- [ ] {item}" for item in items)
    for status in shown:
        add("")
        add(f"## {status.jurisdiction}: {status.name} ({_status_line(status)})")
        add("")
        add(f"*{status.citation}* · [source]({status.source})")
        add("")
        for reason in status.reasons:
            add(f"- {'Because: ' if status.status == 'applies' else ''}{reason}")
        for estimate in status.estimates:
            add(f"- Estimate: {estimate}")
        for o in (x for x in f.obligations if x.statute == status.statute):
            add("")
            tag = (" *(may apply)*" if o.status == "conditional" else "") + (
                " *(litigation risk: recommended)*" if o.legal_basis == RISK else "")
            add(f"### {o.title}{tag}")
            add("")
            add(f"`{o.id}` · in force since {o.in_force}" + (f" · for: {', '.join(o.tools)}" if o.tools else ""))
            add("")
            add(o.action)
            add("")
            add("Citations: " + "; ".join(o.citations))
            if rests_on(o):
                add("")
                add(rests_on(o)[0].upper() + rests_on(o)[1:] + ".")
            for w in o.why:
                if w not in o.basis:
                    add(f"- Why: {w}")
            for c in o.conditions:
                add(f"- {'Also if' if o.status == 'applies' else 'If'}: {c}")
    def section(title: str, items: list[str]):
        if items:
            out.extend(["", f"## {title}", ""] + [f"- {i}" for i in items])

    away = [s for s in f.statutes if s.status == "not_in_play"]
    section("Does not apply", [f"**{s.name}** ({s.jurisdiction}){_because(s)}" for s in rest + away])
    section(_coming_title(f), _upcoming_lines(f))
    section("Open questions", [_question(q) for q in f.open_questions])
    section("Sources", [f"[{s.citation}]({s.source})" for s in shown + rest])
    section(UNVERIFIED_HEAD, _unverified_lines(f))
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
