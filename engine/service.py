"""The entry point other code uses: a loaded rule base plus the engine that runs it."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from engine.evaluate import Findings, trace, upcoming
from engine.rulebase import RULES_DIR, RuleBase, load
from engine.runner import ReferenceEvaluator, Results
from facts.profile import Profile



class Reggi:
    def __init__(self, rules: Path | str = RULES_DIR, engine: str = "durable", horizon_months: int = 24):
        self.rulebase: RuleBase = load(rules)
        # How far ahead evaluations with explanations report what comes into force (0: not at all).
        self.horizon_months = horizon_months
        if engine == "durable":
            from engine.durable_adapter import DurableEvaluator
            self.engine = DurableEvaluator(self.rulebase)
        elif engine == "reference":
            self.engine = ReferenceEvaluator()
        else:
            raise ValueError(f"unknown engine {engine!r}; allowed: durable, reference")

    def evaluate(self, profile: Profile, as_of: dt.date | None = None, explain: bool = True) -> Findings:
        """The findings on ``as_of``; with ``explain``, also what changes within the horizon."""
        findings = self.trace(profile, as_of, explain)[0]
        if explain and self.horizon_months > 0:
            findings.upcoming = upcoming(self.rulebase, profile, findings, self.horizon_months, self.engine)
            findings.horizon_months = self.horizon_months
        return findings

    def trace(self, profile: Profile, as_of: dt.date | None = None,
              explain: bool = True) -> tuple[Findings, Results]:
        """The findings and the raw rule results behind them (see engine.evaluate.trace)."""
        return trace(self.rulebase, profile, as_of or profile.as_of or dt.date.today(), self.engine, explain)
