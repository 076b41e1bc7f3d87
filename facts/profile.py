"""Pydantic models of what a business tells reggi: the profile.

Every optional fact may be left out or set to null: it is then *unknown*, and a finding that
depends on it is reported as conditional, never silently defaulted. Unknown field names and
bad values are rejected.

The ``question`` and ``unit`` in ``json_schema_extra`` are read by the condition vocabulary
(facts/fields.py) and the questionnaire, so wording lives here once.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Optional

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator, model_validator

from facts.vocabulary import DataCategory, StateCode, ToolKind, VendorRole

Count = Annotated[StrictInt, Field(ge=0)]
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
    # US-wide counts: a state's count, where unknown, is estimated from them by population share
    # (facts/population.py). Asked instead of one count per state when a business serves many.
    us_consumers: Optional[Count] = fact(
        'US residents whose personal data is processed a year (all states)',
        "How many US residents in all (every state together) does the business control or process personal data of in a year? "
        "reggi estimates each state's count from its share of the US population; you can give a state's own count instead.")
    us_payment_only_consumers: Optional[Count] = fact(
        'US residents processed only to complete a payment (all states)',
        "Of those US residents, how many only to complete a payment transaction (all states together)?")
    us_consumers_sold_or_shared: Optional[Count] = fact(
        'US residents whose personal information is bought, sold or shared a year (all states)',
        "How many US residents in all does the business buy, sell or share personal information of in a year?")
    # The SBA small-business exclusion: Texas, Nebraska, Minnesota
    sba_small_business: Optional[StrictBool] = fact(
        'small business under the SBA size standards',
        "Is the business a small business as defined by the US Small Business Administration's size standards?")
    # Institutions of higher education: exempt or deferred in VA, UT, TX, IA, MN, IN, KY, RI, FL and others
    higher_education_institution: Optional[StrictBool] = fact(
        'institution of higher education', "Is the business an institution of higher education (a college or university)?")
    # Minnesota § 325M.17, Maryland § 14-4707(a)(2), Florida § 501.715: sale of sensitive data
    sells_sensitive_data: Optional[StrictBool] = fact(
        'sells sensitive data', "Does the business sell sensitive data (health, biometric, precise geolocation, "
        "children's data and the like) for money or other valuable consideration?")
    # Rhode Island § 6-48.1-3: the notice duty of commercial websites and internet service providers
    operates_commercial_website_or_isp: Optional[StrictBool] = fact(
        'operates a commercial website or is an internet service provider',
        "Does the business operate a commercial website or online service, or provide internet service?")
    # Florida Digital Bill of Rights: the "controller" prongs of Fla. Stat. § 501.702(9)(a)4
    percent_global_revenue_from_online_ads: Optional[Percent] = fact(
        'share of global revenue from selling online advertisements',
        "What share of global gross annual revenue (0-100 %) comes from selling advertisements online, "
        "including targeted advertising?", unit="percent")
    operates_smart_speaker_voice_service: Optional[StrictBool] = fact(
        'operates a consumer smart speaker and voice command service',
        "Does the business operate a consumer smart speaker and voice command service with an integrated "
        "virtual assistant connected to a cloud service that is activated hands-free by voice?")
    operates_app_store_250k_apps: Optional[StrictBool] = fact(
        'operates an app store with 250,000 or more apps',
        "Does the business operate an app store or digital distribution platform that offers at least "
        "250,000 different software applications for consumers to download and install?")
    # Federal rules for regulated businesses: the FTC Safeguards Rule (16 C.F.R. part 314) binds
    # only financial institutions under FTC jurisdiction; the FTC Health Breach Notification Rule
    # (16 C.F.R. part 318) binds vendors of personal health records outside HIPAA (health apps)
    glba_ftc_jurisdiction: Optional[StrictBool] = fact(
        'financial institution under FTC jurisdiction (FTC Safeguards Rule)',
        "Is the business a financial institution under the Federal Trade Commission's jurisdiction (for example a "
        "non-bank lender, mortgage broker, auto dealer that finances, tax preparer or payment company), rather than "
        "a bank, credit union, broker-dealer or insurer supervised by another regulator?")
    health_app: Optional[StrictBool] = fact(
        'offers a health app or personal health record outside HIPAA',
        "Does the business offer a health app, website or connected device that keeps consumers' health "
        "information drawn from more than one source (for example what users enter plus a device or another app), "
        "outside HIPAA?")

    @model_validator(mode="after")
    def _us_payment_within_total(self):
        if (self.us_consumers is not None and self.us_payment_only_consumers is not None
                and self.us_payment_only_consumers > self.us_consumers):
            raise ValueError("us_payment_only_consumers cannot exceed us_consumers")
        return self


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
    # HIPAA business associate agreement (45 C.F.R. § 164.502(e)); TCPA (47 U.S.C. § 227(b))
    handles_phi: Optional[StrictBool] = fact(
        'vendor handles protected health information (PHI)',
        "Does the vendor create, receive, keep or transmit protected health information (PHI: health, care or "
        "payment information linked to a patient or plan member) for the business?")
    places_outbound_calls: Optional[StrictBool] = fact(
        'tool places outbound calls to consumers',
        "Does the tool place outbound telephone calls (or send texts) to consumers?")

    @field_validator("collects")
    @classmethod
    def _as_set(cls, value):
        # A set in meaning: order and repetition carry nothing, so the canonical form is sorted.
        return None if value is None else sorted(set(value), key=lambda c: c.value)


class Profile(Strict):
    business: Business
    states: list[StateFacts] = Field(min_length=1, description="The US states the business does business in or targets.")
    tools: list[Tool] = Field(default_factory=list, description="Third-party tools or vendors the business uses.")
    as_of: Optional[dt.date] = Field(default=None, description="Date of the evaluation (default: today).")
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
        names = [t.name for t in tools]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"tool names must be unique; repeated: {', '.join(dupes)}")
        return sorted(tools, key=lambda t: t.name)
