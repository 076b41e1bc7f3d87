"""The schema of a rule file (TOML), as pydantic models. Rule files are data: loading one
never runs code, and every key not named here is an error.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

from reggi.facts.vocabulary import FEDERAL, StateCode

ID = r"^[a-z0-9][a-z0-9_-]*$"


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Verifiable(Item):
    verified: bool = Field(default=True, description="false when a threshold, date or section could not be verified")
    note: str = Field(default="", description="why it is unverified, or what a maintainer should know")

    @model_validator(mode="after")
    def _note_for_unverified(self):
        if not self.verified and not self.note.strip():
            raise ValueError("an item with verified = false needs a note saying what could not be verified")
        return self


class Dated(Verifiable):
    """In force from ``from`` (inclusive) until ``until`` (exclusive); either may be open."""
    from_: Optional[dt.date] = Field(default=None, alias="from")
    until: Optional[dt.date] = None
    review_by: Optional[dt.date] = Field(
        default=None, description="date the item must be re-checked by, e.g. an amount's scheduled CPI adjustment; "
        "lint warns when the item stays in force past it, and once it has passed")

    @model_validator(mode="after")
    def _ordered(self):
        if self.from_ and self.until and self.until <= self.from_:
            raise ValueError("'until' must be after 'from'")
        return self


def _known_jurisdiction(value: str) -> str:
    if value != FEDERAL and value.split("-")[-1] not in StateCode.values():
        raise ValueError(f"unknown jurisdiction {value!r}; use US-<postal code>, e.g. US-CA, or US for federal law")
    return value


# What an obligation rests on. A user prioritises a statutory duty differently from a theory that
# courts are split on, so every finding says which it is.
BASES = ("statute", "regulation", "case-law", "litigation-risk")


class Statute(Verifiable):
    id: str = Field(pattern=r"^us-[a-z]{2,7}-[a-z0-9-]+$", description="us-<state>-<short>")
    name: str
    jurisdiction: Annotated[str, AfterValidator(_known_jurisdiction)] = Field(
        pattern=r"^US(-[A-Z]{2})?$", description="US-<postal code>, or US for a federal statute")
    citation: str
    source: HttpUrl
    in_force: dt.date
    until: Optional[dt.date] = None
    summary: str = ""


class Concept(Verifiable):
    id: str = Field(pattern=ID)
    when: str
    description: str
    cite: list[str] = Field(default_factory=list)


class ApplicabilityTest(Dated):
    id: str = Field(pattern=ID, description="any id but 'any', which names the statute's own 'one test holds' rule")
    when: str
    @field_validator("id")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value == "any":
            raise ValueError("'any' is reserved (it names the statute's own 'one test holds' rule); choose another id")
        return value

    test: str = Field(description="the test in plain words, e.g. 'processes personal data of 25,000 or more Montana consumers a year'")
    unmet: str = Field(default="", description="reason when the test fails; may name fields in braces: {state.consumers}")
    cite: str


class Exemption(Dated):
    id: str = Field(pattern=ID)
    when: str
    reason: str
    cite: str


class Obligation(Dated):
    id: str = Field(pattern=ID)
    title: str
    action: str
    when: str = Field(default="", description="empty: applies whenever the statute applies")
    cite: list[str] = Field(min_length=1)
    in_force: dt.date
    regardless_of_applicability: bool = Field(
        default=False, description="true for duties the statute imposes whatever its thresholds (e.g. minors' provisions)")
    basis: Literal[BASES] = Field(
        default="statute", description="what the duty rests on: statute, regulation, case-law (a settled "
        "appellate holding) or litigation-risk (a theory courts are split on)")
    cases: list[str] = Field(default_factory=list, description="case citations behind a case-law or litigation-risk duty")

    @model_validator(mode="after")
    def _cases_for_case_law(self):
        if self.basis in ("case-law", "litigation-risk") and not self.cases:
            raise ValueError(f"an obligation with basis = {self.basis!r} needs cases = [...] naming the decisions it rests on")
        return self

    @model_validator(mode="after")
    def _from_is_in_force(self):
        if self.from_ is None:
            object.__setattr__(self, "from_", self.in_force)
        return self


class RuleFile(Item):
    statute: Optional[Statute] = None
    concepts: list[Concept] = Field(default_factory=list)
    applies: list[ApplicabilityTest] = Field(default_factory=list)
    exemptions: list[Exemption] = Field(default_factory=list)
    obligations: list[Obligation] = Field(default_factory=list)

    @model_validator(mode="after")
    def _statute_shape(self):
        if self.statute is None and (self.applies or self.exemptions or self.obligations):
            raise ValueError("a file with applies, exemptions or obligations needs a [statute] table")
        if self.statute is not None and not self.applies:
            raise ValueError("a statute needs at least one [[applies]] test")
        return self
