"""Pydantic models of what a business tells reggi: the profile.

Every optional fact may be left out or set to null: it is then *unknown*, and a finding that
depends on it is reported as conditional, never silently defaulted. Unknown field names and
bad values are rejected.

The ``question`` and ``unit`` in ``json_schema_extra`` are read by the condition vocabulary
(facts/fields.py) and the questionnaire, so wording lives here once.
"""
from __future__ import annotations

import collections
import datetime as dt
import re
from typing import Annotated, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, field_validator, model_validator

from facts.vocabulary import DataCategory, StateCode, ToolKind, VendorRole

# Evaluation cost is linear in the tools (about 2 ms and 350 KB a tool in four states, findings
# included), and a profile's findings are held in memory: past this many tools, split the profile
# or give the tools as a CSV inventory (one record a row).
MAX_TOOLS = 2_000

Count = Annotated[StrictInt, Field(ge=0)]


def _iso_date(value):
    """A date as the schema says: YYYY-MM-DD (or a TOML date), never a number of seconds since
    1970 (pydantic reads 0 as 1970-01-01) or a date and time."""
    if isinstance(value, dt.datetime):
        raise ValueError("a date is required (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date) or (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
        return value
    raise ValueError("a date is written YYYY-MM-DD")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]

# What the validator enforces beyond field types, stated in ``reggi schema`` (x-reggi-rules).
RULES = [
    "states: each state appears at most once",
    "tools: names are unique within the profile",
    f"tools: at most {MAX_TOOLS:,}",
    "states[].payment_only_consumers: at most states[].consumers when both are given",
    "counts (consumers, revenue) are whole numbers >= 0: 1.0, \"5\" and true are refused",
    "percentages are numbers from 0 to 100: \"50\" and true are refused",
    "as_of: a date written YYYY-MM-DD; a number or a date and time is refused",
    "names contain a character other than white space",
    "unknown fields are refused; a field left out or null is unknown",
]
Percent = Annotated[float, Field(ge=0, le=100, strict=True, allow_inf_nan=False)]   # no "50" or true


def fact(label: str, question: str, unit: str | None = None, **kwargs):
    """An optional fact: absent or null means unknown. ``label`` names it in explanations."""
    extra = {"label": label, "question": question}
    if unit:
        extra["unit"] = unit
    return Field(default=None, description=question, json_schema_extra=extra, **kwargs)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Business(Strict):
    name: str = Field(pattern=r"\S", description="Name of the business.")
    annual_revenue_usd: Optional[Count] = fact(
        'annual gross revenue', "What was the business's annual gross revenue, in US dollars?", unit="usd")
    nonprofit: Optional[StrictBool] = fact('nonprofit', "Is the business a nonprofit organisation?")
    glba_financial_institution: Optional[StrictBool] = fact(
        'GLBA financial institution', "Is the business a financial institution subject to the Gramm-Leach-Bliley Act (GLBA)?")
    hipaa_regulated: Optional[StrictBool] = fact(
        'HIPAA covered entity or business associate', "Is the business a HIPAA covered entity or business associate?")
    sells_personal_data: Optional[StrictBool] = fact(
        'sells personal data', "Does the business sell personal data (exchange it for money or other valuable consideration)?")
    shares_for_targeted_advertising: Optional[StrictBool] = fact(
        'shares personal data for targeted advertising', "Does the business share personal data for cross-context behavioural / targeted advertising?")
    profiles_consumers: Optional[StrictBool] = fact(
        'profiles consumers for significant decisions', "Does the business profile consumers to make decisions with legal or similarly significant effects?")
    processes_sensitive_data: Optional[StrictBool] = fact(
        'processes sensitive data (besides the tools)', "Apart from the tools listed, does the business process sensitive data (health, biometrics, "
        "precise geolocation, government IDs, financial account credentials, children's data)?")
    percent_revenue_from_selling_data: Optional[Percent] = fact(
        'share of revenue from selling personal data',
        "What share of annual gross revenue (0-100 %) comes from selling personal data?", unit="percent")
    percent_revenue_from_selling_or_sharing: Optional[Percent] = fact(
        'share of revenue from selling or sharing personal information',
        "What share of annual revenue (0-100 %) comes from selling personal information or sharing it "
        "for cross-context behavioural advertising (California's test)?", unit="percent")
    users_under_13: Optional[StrictBool] = fact(
        'knows or targets children under 13', "Does the business know it collects data of children under 13, or direct its service to them?")
    users_13_to_17: Optional[StrictBool] = fact(
        'knows or targets minors aged 13-17', "Does the business know it collects data of minors aged 13 to 17, or direct its service to them?")


class StateFacts(Strict):
    code: StateCode = Field(description="Two-letter postal code of a US state the business does business in or targets.",
                            json_schema_extra={"label": "state"})
    consumers: Optional[Count] = fact(
        'residents whose personal data is processed a year', "How many residents of this state does the business control or process personal data of in a year?")
    payment_only_consumers: Optional[Count] = fact(
        'residents processed only to complete a payment', "Of those residents, how many only to complete a payment transaction?")
    consumers_sold_or_shared: Optional[Count] = fact(
        'consumers or households whose personal information is bought, sold or shared a year', "How many residents (consumers or households) of this state does the business buy, sell or share "
        "personal information of in a year?")

    @model_validator(mode="after")
    def _payment_within_total(self):
        if (self.consumers is not None and self.payment_only_consumers is not None
                and self.payment_only_consumers > self.consumers):
            raise ValueError("payment_only_consumers cannot exceed consumers")
        return self


class Tool(Strict):
    name: str = Field(pattern=r"\S", description="Name of the tool or vendor; unique within the profile.")
    kind: ToolKind = Field(description="What kind of tool it is.", json_schema_extra={"label": "tool kind"})
    collects: Optional[list[DataCategory]] = fact('data the tool collects', "Which categories of personal data does the tool collect?")
    vendor_role: Optional[VendorRole] = fact(
        "vendor's role", "What is the vendor's role: a service provider / processor bound by contract, a contractor, or a third party?")
    vendor_uses_data_for_own_purposes: Optional[StrictBool] = fact(
        'vendor may use the data for its own purposes', "May the vendor use the data for its own purposes (for example training its models or advertising)?")
    captures_in_real_time: Optional[StrictBool] = fact(
        'tool captures conversation content in real time', "Does the tool capture the content of conversations (chat messages, calls) in real time as they happen?")
    automated_agent: Optional[StrictBool] = fact(
        'an automated agent converses with consumers', "Does an automated agent (bot) converse with consumers through the tool?")

    @field_validator("collects")
    @classmethod
    def _as_set(cls, value):
        # A set in meaning: order and repetition carry nothing, so the canonical form is sorted.
        return None if value is None else sorted(set(value), key=lambda c: c.value)


class Profile(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"x-reggi-rules": RULES})
    business: Business
    states: list[StateFacts] = Field(min_length=1, description="The US states the business does business in or "
                                     "targets, each at most once.")
    tools: list[Tool] = Field(default_factory=list, max_length=MAX_TOOLS,
                              description=f"Third-party tools or vendors the business uses (at most {MAX_TOOLS:,}; "
                                          "names unique).")
    as_of: Optional[IsoDate] = Field(default=None, description="Date of the evaluation, YYYY-MM-DD (default: today).",
                                     json_schema_extra={"pattern": r"^\d{4}-\d{2}-\d{2}$"})
    question: Optional[str] = Field(default=None, description="The question this profile answers (set by reggi ask).")

    @field_validator("states")
    @classmethod
    def _unique_states(cls, states):
        codes = [s.code.value for s in states]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"each state may appear once; repeated: {', '.join(dupes)}")
        return sorted(states, key=lambda s: s.code.value)

    @field_validator("tools")
    @classmethod
    def _unique_tools(cls, tools):
        counts = collections.Counter(t.name for t in tools)     # linear: a profile may list thousands
        dupes = sorted(n for n, k in counts.items() if k > 1)
        if dupes:
            raise ValueError(f"tool names must be unique; repeated: {', '.join(dupes)}")
        return sorted(tools, key=lambda t: t.name)
