"""Scenario coverage: which applicability tests, exemptions and obligations the scenarios made
fire, which none did, and which fired in every scenario that put their state in play (so no
scenario shows them *not* firing: the edge below a threshold, the day before an amendment).

A rule fired in a scenario if it was true in at least one of its contexts (a state, or a tool in
that state); unknown counts as not fired. Versions of one id are counted separately.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from reggi.engine.rulebase import Rule, RuleBase
from reggi.engine.runner import Results

KINDS = {"test": "applicability tests", "exemption": "exemptions", "obligation": "obligations"}


@dataclass
class Coverage:
    rulebase: RuleBase
    scenarios: int = 0
    fired: set[str] = field(default_factory=set)    # rule ids true in some scenario
    missed: set[str] = field(default_factory=set)   # rule ids not true in some scenario in play
    in_play: set[str] = field(default_factory=set)  # statutes whose state some scenario served

    def add(self, results: Results, findings) -> None:
        self.scenarios += 1
        fired = {rule_id for (rule_id, _), value in results.items() if value is True}
        in_play = {s.statute for s in findings.statutes if s.status != "not_in_play"}
        for info in self.rulebase.statutes.values():
            if info.meta.id not in in_play:
                continue   # the statute's state is not in play
            self.in_play.add(info.meta.id)
            for rule in _rules(info):
                (self.fired if rule.id in fired else self.missed).add(rule.id)

    def never_fired(self) -> list[str]:
        """Tests, exemptions and obligations of the statutes in play that no scenario made fire:
        each is a gap (a statute no scenario put in play is not tested at all by this run)."""
        return sorted(r.id for sid, info in self.rulebase.statutes.items() if sid in self.in_play
                      for r in _rules(info) if r.id not in self.fired)

    def percent(self, kind: str = "obligation") -> float:
        rules = [r for r in self.rulebase.rules if r.kind == kind]
        return 100.0 * sum(r.id in self.fired for r in rules) / len(rules) if rules else 100.0

    def report(self) -> list[str]:
        lines = [f"Coverage of {self.scenarios} scenario(s): a rule fired if it held in a scenario"]
        statutes = self.rulebase.statutes
        for sid in sorted(statutes, key=lambda s: (statutes[s].meta.jurisdiction, s)):
            rules = _rules(statutes[sid])
            obligations = [r for r in rules if r.kind == "obligation"]
            done = sum(r.id in self.fired for r in obligations)
            lines.append(f"{sid}: {done}/{len(obligations)} obligations fired")
            never = [_label(r) for r in rules if r.id not in self.fired]
            always = [_label(r) for r in rules if r.id in self.fired and r.id not in self.missed]
            for what, labels in (("never fired", never), ("never failed to fire", always)):
                if labels:
                    lines += [f"  {what}:"] + [f"    {label}" for label in labels]
        totals = []
        for kind, words in KINDS.items():
            rules = [r for r in self.rulebase.rules if r.kind == kind]
            totals.append(f"{sum(r.id in self.fired for r in rules)}/{len(rules)} {words}")
        lines.append(f"Total: {self.percent():.1f}% of obligations fired ({', '.join(totals)})")
        return lines


def _rules(info) -> list[Rule]:
    return info.tests + info.exemptions + info.obligations


def _label(rule: Rule) -> str:
    item = rule.item
    text = f"{rule.kind} {item.id}"
    if "@" in rule.id:   # one of several versions: say which
        text += f" [{item.from_ or '...'} to {item.until or '...'}]"
    return text
