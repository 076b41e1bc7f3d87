"""The entry point other code uses: a loaded rule base plus the engine that runs it."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from reggi.engine.evaluate import Findings, explained, trace, upcoming
from reggi.engine.rulebase import RULES_DIR, RuleBase, load
from reggi.engine.runner import ReferenceEvaluator, Results
from reggi.facts.profile import Profile
from reggi.facts.errors import InputError
from reggi.facts.reader import load_profile



class Reggi:
    """A loaded rule base and the engine that runs it: the object programs use.

    ``rules``: a folder of rule files (default: the shipped ones); ``engine``: "durable" (the Rete
    engine) or "reference" (the plain interpreter, same findings); ``horizon_months``: how far
    ahead evaluations report what comes into force. A Reggi pickles as these settings and is
    rebuilt on unpickling, so it can be sent to multiprocessing, Dask or Spark workers.
    """

    def __init__(self, rules: Path | str = RULES_DIR, engine: str = "durable", horizon_months: int = 24):
        if not 0 <= horizon_months <= 1200:
            raise ValueError(f"horizon_months must be from 0 to 1200, not {horizon_months!r}")
        self._settings = (str(rules), engine, horizon_months)
        self.rulebase: RuleBase = load(rules)
        # How far ahead evaluations with explanations report what comes into force (0: not at all).
        self.horizon_months = horizon_months
        if engine == "durable":
            from reggi.engine.durable_adapter import DurableEvaluator
            self.engine = DurableEvaluator(self.rulebase)
        elif engine == "reference":
            self.engine = ReferenceEvaluator()
        else:
            raise ValueError(f"unknown engine {engine!r}; allowed: durable, reference")

    def __getstate__(self) -> dict:
        return {"settings": self._settings}   # the C engine's sessions do not pickle; the settings do

    def __setstate__(self, state: dict) -> None:
        self.__init__(*state["settings"])

    def evaluate(self, profile: Profile | dict | str | Path, as_of: dt.date | str | None = None,
                 explain: bool | frozenset = True) -> Findings:
        """The findings on ``as_of`` (a date or "YYYY-MM-DD"; default: the profile's, else today)
        for a profile given as a Profile, a dict or a path to a JSON/TOML file. ``explain``: True
        for every explanation and what changes within the horizon, False for none, or a set of
        engine.evaluate.EXPLANATIONS for some. Bad input raises InputError naming what is wrong."""
        profile = load_profile(profile)
        if isinstance(as_of, str):
            try:
                as_of = dt.date.fromisoformat(as_of) if len(as_of) == 10 else None
            except ValueError:
                as_of = None
            if as_of is None:
                raise InputError("as_of", None, "give a date as YYYY-MM-DD, e.g. 2026-11-26")
        findings = self.trace(profile, as_of, explain)[0]
        if "upcoming" in explained(explain):
            self.add_upcoming(findings, profile)
        return findings

    def add_upcoming(self, findings: Findings, profile: Profile) -> None:
        """What changes within the horizon after the findings' date, written into them."""
        if self.horizon_months > 0:
            findings.upcoming = upcoming(self.rulebase, profile, findings, self.horizon_months, self.engine)
            findings.horizon_months = self.horizon_months

    def trace(self, profile: Profile, as_of: dt.date | None = None,
              explain: bool | frozenset = True) -> tuple[Findings, Results]:
        """The findings and the raw rule results behind them (see engine.evaluate.trace)."""
        return trace(self.rulebase, profile, as_of or profile.as_of or dt.date.today(), self.engine, explain)
