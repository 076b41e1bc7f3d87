"""The entry point other code uses: a loaded rule base plus the engine that runs it."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from engine.evaluate import Findings, trace
from engine.rulebase import RULES_DIR, RuleBase, load
from engine.runner import ReferenceEvaluator, Results
from facts.profile import Profile



class Reggi:
    def __init__(self, rules: Path | str = RULES_DIR, engine: str = "durable"):
        self.rulebase: RuleBase = load(rules)
        if engine == "durable":
            from engine.durable_adapter import DurableEvaluator
            self.engine = DurableEvaluator(self.rulebase)
        elif engine == "reference":
            self.engine = ReferenceEvaluator()
        else:
            raise ValueError(f"unknown engine {engine!r}; allowed: durable, reference")

    def evaluate(self, profile: Profile, as_of: dt.date | None = None, explain: bool = True) -> Findings:
        return self.trace(profile, as_of, explain)[0]

    def trace(self, profile: Profile, as_of: dt.date | None = None,
              explain: bool = True) -> tuple[Findings, Results]:
        """The findings and the raw rule results behind them (see engine.evaluate.trace)."""
        return trace(self.rulebase, profile, as_of or profile.as_of or dt.date.today(), self.engine, explain)
