"""The guided questionnaire: asks only what can still change a finding.

Which facts to ask is not a list per state: after every answer the profile is evaluated by the
engine, and the evaluation's open questions (unknown facts that an undecided finding still depends
on, see engine/evaluate.py) are what may be asked. Asking stops when none is left. Related yes/no
facts are asked together as one checklist, so a typical business answers a handful of questions.

Answers live in a partial profile (JSON-able dict): a fact answered "don't know" is stored as null,
a fact not asked yet is absent. That dict is what ``--save`` writes and ``--resume`` reads, and it
is a valid profile for ``reggi evaluate``.
"""
from __future__ import annotations

import copy
import datetime as dt
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from reggi.engine.conditions import atoms, evaluate as evaluate_node
from reggi.engine.rulebase import date_int
from reggi.facts.errors import InputError
from reggi.facts.fields import FIELDS, contexts
from reggi.facts.paths import has_path, set_path, split
from reggi.facts.population import ESTIMATE_WORDS, STATE_COUNTS, estimate, us_field
from reggi.facts.question import Understanding, tool_label
from reggi.facts.reader import parse_profile, read_data
from reggi.facts.vocabulary import DataCategory, StateCode, ToolKind, VendorRole

DONT_KNOW = {"?", "dk", "don't know", "dont know", "do not know", "unknown", "not sure", "idk"}

# Yes/no facts asked together, in this order. Everything else is asked one at a time.
CHECKLISTS = {
    "business": [
        ("status", "Which of these describe the business?",
         ["nonprofit", "glba_financial_institution", "hipaa_regulated", "higher_education_institution",
          "health_care_provider", "offers_medical_information_service", "motor_vehicle_manufacturer",
          # Montana / Connecticut retained financial exemptions
          "chartered_bank_or_credit_union", "insurance_entity", "securities_entity"]),
        ("activities", "Which of these does the business do?",
         ["sells_personal_data", "shares_for_targeted_advertising", "profiles_consumers",
          "processes_sensitive_data", "users_under_13", "users_13_to_17", "knows_consumers_under_16",
          "regulated_occupation", "develops_public_genai", "data_broker", "sells_sensitive_data",
          "operates_commercial_website_or_isp",
          # Connecticut consumer health data; Montana / Connecticut de-identified data
          "uses_data_to_identify_health_conditions", "processes_deidentified_data"]),
    ],
    "tools": [
        ("tool", "Which of these are true of {tool}?",
         ["vendor_uses_data_for_others", "captures_in_real_time", "automated_agent", "vendor_improves_own_service",
          "makes_significant_decisions", "records_in_person", "on_pages_with_video", "biometric_identification",
          "generative_ai", "customer_service_only", "companion_persona", "consequential_decisions",
          # Montana / Connecticut "sale"; Connecticut employee monitoring
          "disclosure_for_consideration", "monitors_employees", "infers_health_status"]),
    ],
}
# Order of asking: size tests first (they decide whether a statute applies at all), then status and
# activities, then the facts of each tool.
ORDER = ["business.annual_revenue_usd", "business.sba_small_business", "business.us_consumers",
         "business.us_payment_only_consumers", "business.us_consumers_sold_or_shared",
         "states.*.consumers", "states.*.payment_only_consumers",
         "states.*.consumers_sold_or_shared", "states.*.sensitive_consumers", "business.percent_revenue_from_selling_data",
         "business.percent_revenue_from_selling_or_sharing",
         "business:status", "business:activities", "tools.*.collects", "tools.*.vendor_role", "tools:tool"]


@dataclass
class Question:
    paths: list[str]          # profile paths it answers
    text: str
    kind: str                 # int | percent | enum | set | checklist
    options: list[str]        # allowed values (enum / set / checklist items)
    why: list[str]            # which statute and test it matters for


def base_answers(u: Understanding, name: str = "Your business") -> dict:
    """The partial profile the question itself gives: the business, its states and tools. Data
    named in the question is a hint for the tool's data question, not the whole answer."""
    named = sorted(u.products.items())
    tools = [{"name": name, "kind": kind} for name, kind in named]
    tools += [{"name": tool_label(kind), "kind": kind} for kind in u.tools if kind not in u.products.values()]
    return {"business": {"name": name}, "states": [{"code": c} for c in u.states], "tools": tools}


def _rank(path: str) -> tuple:
    section, item, name = split(path)
    for i, pattern in enumerate(ORDER):
        if ":" in pattern:
            group_section, group = pattern.split(":")
            if section == group_section and any(name in fields for g, _, fields in CHECKLISTS[section] if g == group):
                return (i, item or "")
        elif pattern.replace("*", item or "") == path:
            return (i, item or "")
    return (len(ORDER), path)


def next_question(open_paths: list[str], reasons: dict[str, list[str]]) -> Question | None:
    if not open_paths:
        return None
    first = min(open_paths, key=_rank)
    section, item, name = split(first)
    for group, text, fields in CHECKLISTS.get(section, []):
        if name in fields:
            prefix = f"{section}.{item}." if item else f"{section}."
            paths = [prefix + f for f in fields if prefix + f in open_paths]
            why = sorted({r for p in paths for r in reasons.get(p, [])})
            return Question(paths, text.format(tool=item), "checklist",
                            [FIELDS[f"{'tool' if item else 'business'}.{f}"].label for f in fields if prefix + f in paths], why)
    field = {"states": "state", "tools": "tool"}.get(section, "business") + "." + name
    spec = FIELDS[field]
    where = StateCode(item).label if section == "states" else item
    text = spec.question
    if section == "states":   # every state-scoped question names its state, whatever its wording
        text = text.replace("this state", where) if "this state" in text else f"{where}: {text}"
    if section == "tools":
        text = f"{item}: {text}"
    kind = "percent" if spec.unit == "percent" else ("set" if spec.type == "set" else spec.type)
    options = list(spec.allowed)
    return Question([first], text, kind, options, reasons.get(first, []))


# From this many states with the same count open, ask the US-wide count once instead.
MANY_STATES = 3
# An estimated count within this factor of a threshold that decides a finding is asked for.
NEAR = 2


def count_questions(rulebase, profile, pending: list[str], reasons: dict[str, list[str]],
                    answers: dict, as_of: dt.date) -> tuple[list[str], dict[str, list[str]]]:
    """For a business serving many states: the state counts to ask. Where the same count is open
    in many states, the US-wide count is asked once (each state's is then estimated from its
    population share); a state's own count is asked only where its estimate is within a factor
    of ``NEAR`` of a threshold that decides one of its statutes."""
    reasons = dict(reasons)
    out = list(pending)
    for name in STATE_COUNTS:
        mine = [p for p in out if p.startswith("states.") and split(p)[2] == name]
        us = f"business.{us_field(name)}"
        if len(mine) >= MANY_STATES and not has_path(answers, us):
            out = [p for p in out if p not in mine] + [us]   # "don't know" to it: each state is asked
            reasons[us] = sorted({r for p in mine for r in reasons.get(p, [])})
    us_count = profile.business.us_consumers
    if us_count is not None:
        thresholds = consumer_thresholds(rulebase, as_of)
        facts = {c.state: c.facts for c in contexts(profile, date_int(as_of)) if c.scope == "state"}
        for state in profile.states:
            code, path = state.code.value, f"states.{state.code.value}.consumers"
            if state.consumers is not None or has_path(answers, path) or path in out:
                continue
            guess = estimate(us_count, code)
            near = []
            for t, name, test in thresholds.get(code, []):
                if not t / NEAR <= guess <= t * NEAR:
                    continue
                decides = _count_decides(test, facts[code], t)
                if decides is True:
                    near.append((t, name))
                elif decides is None:   # the other facts of the test first: the count may not matter
                    for other in _unknown_business_facts(test, facts[code]):
                        if not has_path(answers, other) and other not in out:
                            out.append(other)
                            reasons[other] = [f"whether the {t:,} threshold of the {name} matters for {StateCode(code).label}"]
            if near:
                out.append(path)
                reasons[path] = [f"the estimate of {guess:,} ({ESTIMATE_WORDS}) is close to the "
                                 f"{t:,} threshold of the {name}" for t, name in near]
    return out, reasons


def consumer_thresholds(rulebase, as_of: dt.date) -> dict[str, list[tuple[int, str, object]]]:
    """Per state: the consumer-count thresholds that its statutes' applicability tests in force
    on ``as_of`` compare with, with the test."""
    found: dict[str, dict[tuple[int, str], object]] = {}
    for info in rulebase.statutes.values():
        for test in info.tests:
            item = test.item
            if (item.from_ and as_of < item.from_) or (item.until and as_of >= item.until):
                continue
            for atom in atoms(test.node):
                if atom.ref.key in COUNT_KEYS and isinstance(atom.value, int) and atom.value > 0:
                    found.setdefault(test.jurisdiction, {}).setdefault((atom.value, info.meta.name), test)
    return {k: [(t, name, test) for (t, name), test in sorted(v.items())] for k, v in found.items()}


def _count_decides(test, facts: dict, threshold: int) -> bool | None:
    """Whether the state's count on either side of ``threshold`` changes the test's result, given
    the other facts: a sale-revenue test whose revenue share is too low does not (False); one whose
    share is still unknown may (None: that share is asked first, the count after if it matters)."""
    def at(count: int):
        trial = dict(facts)
        for key in COUNT_KEYS:
            trial[key] = count
        return evaluate_node(test.node, trial)
    below, above = at(threshold - 1), at(threshold)
    if below is None or above is None:
        return None if below != above else False
    return below != above


def _unknown_business_facts(test, facts: dict) -> list[str]:
    """The business facts a test reads that are still unknown (profile paths)."""
    return sorted({a.ref.key for a in atoms(test.node)
                   if a.ref.key.startswith("business.") and facts.get(a.ref.key) is None})


COUNT_KEYS = {"state.consumers", "state.consumers_excluding_payment"}


def parse_answer(q: Question, raw: str):
    """The answer as values for q.paths, or raise ValueError with what is allowed."""
    text = raw.strip().lower()
    if text in DONT_KNOW:
        return [None] * len(q.paths)
    if q.kind in ("int", "percent", "number"):
        cleaned = text.replace(",", "").replace("$", "").replace("%", "").replace("_", "")
        try:
            value = float(cleaned) if q.kind == "percent" else int(cleaned)
        except ValueError:
            raise ValueError("give a number, or \"don't know\"") from None
        if not math.isfinite(value):
            raise ValueError("give a finite number, or \"don't know\"")
        if value < 0 or (q.kind == "percent" and value > 100):
            raise ValueError("give a number from 0 to 100" if q.kind == "percent" else "give a number of 0 or more")
        return [value]
    if q.kind == "bool":
        if text in ("y", "yes", "true"):
            return [True]
        if text in ("n", "no", "false"):
            return [False]
        raise ValueError("answer yes or no, or \"don't know\"")
    items = [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]
    if q.kind == "enum":
        choice = _choose(items[0] if len(items) == 1 else text, q.options)
        return [choice]
    if q.kind == "set":
        if text in ("none", "nothing"):
            return [[]]
        return [sorted({_choose(i, q.options) for i in items})]
    # checklist: numbers or labels of the items that are true; "none" for none
    chosen = set() if text in ("none", "no", "nothing", "neither") else {_choose(i, q.options) for i in items}
    return [q.options[i] in chosen for i in range(len(q.paths))]


def _choose(item: str, options: list[str]) -> str:
    if item.isdigit() and 1 <= int(item) <= len(options):
        return options[int(item) - 1]
    matches = [o for o in options if o.lower() == item or o.lower().startswith(item)]
    if len(matches) == 1:
        return matches[0]
    raise ValueError(f"{item!r} is not one of: " + ", ".join(f"{i + 1}. {o}" for i, o in enumerate(options)))


def prompt_text(q: Question, number: int) -> str:
    lines = [f"Q{number}. {q.text}"]
    if q.why:
        lines.append("    (asked because it decides: " + "; ".join(q.why[:2]) + (" ..." if len(q.why) > 2 else "") + ")")
    if q.kind in ("enum", "set", "checklist"):
        for i, option in enumerate(q.options):
            lines.append(f"    {i + 1}. {_option_label(q, option)}")
        hint = {"enum": "one number or name", "set": "numbers or names, comma-separated, or 'none'",
                "checklist": "numbers of those that apply, comma-separated, or 'none'"}[q.kind]
        lines.append(f"    Answer with {hint}, or \"don't know\".")
    elif q.kind == "bool":   # a yes/no fact asked on its own (e.g. the SBA size status)
        lines.append("    Answer yes or no, or \"don't know\".")
    else:
        lines.append("    Answer with a number, or \"don't know\".")
    return "\n".join(lines)


def _option_label(q: Question, option: str) -> str:
    if q.kind == "set":
        return DataCategory(option).label
    if q.kind == "enum" and option in VendorRole.values():
        return VendorRole(option).label
    return option


def apply(answers: dict, q: Question, values: list) -> None:
    for path, value in zip(q.paths, values):
        set_path(answers, path, value)


def run(service, answers: dict, as_of: dt.date, ask: Callable[..., list] | None,
        name: str = "answers") -> tuple:
    """Ask until nothing open is left (or, without ``ask``, evaluate as is).
    Returns (findings, questions asked). ``ask(question, number, problem)`` may raise to
    interrupt; answers so far stay in ``answers``. An answer the profile rejects (more
    payment-only residents than residents, say) is taken back and asked again with the reason."""
    asked = 0
    profile = parse_profile(answers, name)
    while True:
        findings = service.evaluate(profile, as_of)
        pending = [p for p in findings.open_questions if not has_path(answers, p)]
        pending, reasons = count_questions(service.rulebase, profile, pending, findings.open_reasons, answers, as_of)
        q = next_question(pending, reasons)
        if q is None or ask is None:
            return findings, asked
        asked += 1
        problem = None
        while True:
            before = copy.deepcopy(answers)
            apply(answers, q, ask(q, asked, problem))
            try:
                profile = parse_profile(answers, name)
                break
            except InputError as err:
                answers.clear()
                answers.update(before)
                problem = err.message


def load_answers(path: str) -> dict:
    """Saved answers: a (partial) profile file, JSON or TOML, validated now."""
    name, data = read_data(path)
    parse_profile(data, name)
    return data


def answers_text(answers: dict) -> str:
    """Answers as the file ``--save`` writes (and the web app's "Download answers" gives)."""
    return json.dumps(answers, indent=2, ensure_ascii=False) + "\n"


def save_answers(path: str, answers: dict) -> None:
    text = answers_text(answers)
    temp = Path(f"{path}.partial")
    try:     # written beside and renamed: a signal mid-write never leaves half a file
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, path)
    except OSError as err:
        temp.unlink(missing_ok=True)
        raise InputError(path, None, f"cannot save the answers here: {err.strerror or err}") from None
