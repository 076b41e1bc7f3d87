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

from reggi.facts.vocabulary import DataCategory, InstitutionType, StateCode, ToolKind, VendorRole

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
    # Oregon H.B. 3875 (2025): vehicle makers are covered whatever their consumer count
    motor_vehicle_manufacturer: Optional[StrictBool] = fact(
        'motor vehicle manufacturer (or affiliate) processing vehicle-use data',
        "Is the business a motor vehicle manufacturer, or its affiliate, that processes personal data from consumers' use of its vehicles?")
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
    # Bot and AI laws: Utah AI consumer disclosures (Utah Code § 13-77-103(2)), Texas TRAIGA (health care)
    regulated_occupation: Optional[StrictBool] = fact(
        'provides services in a licensed (regulated) occupation', "Does the business provide its services through an occupation that needs a state "
        "licence or certification (for example health care, law, accounting, financial advice)?")
    health_care_provider: Optional[StrictBool] = fact(
        'provides health care services or treatment', "Does the business provide health care services or treatment to patients?")
    # Alabama Personal Data Protection Act (Act No. 2026-552): employee-count exemptions
    employees: Optional[Count] = fact(
        'number of employees', "How many employees does the business have (all locations, full- and part-time)?")

    # Montana (MCDPA after SB 297) and Connecticut (CTDPA, minors' provisions § 42-529d, consumer
    # health data § 42-526, de-identified data §§ 42-523 / 30-14-2815) need these.
    chartered_bank_or_credit_union: Optional[StrictBool] = fact(
        'chartered bank or credit union (or affiliate)', "Is the business a state- or federally chartered bank or credit "
        "union, or an affiliate or subsidiary of one?")
    insurance_entity: Optional[StrictBool] = fact(
        'insurer, insurance producer or TPA', "Is the business an insurer, an insurance producer (agent or broker) or a "
        "third-party administrator of self-insurance?")
    securities_entity: Optional[StrictBool] = fact(
        'registered securities entity', "Is the business a broker-dealer, investment adviser or other entity registered "
        "under the securities laws?")
    institution_type: Optional[InstitutionType] = fact(
        'kind of public or special institution', "Is the business a government body, a registered national securities "
        "association, a tribal government organisation, an air carrier, or none of these?")
    uses_data_to_identify_health_conditions: Optional[StrictBool] = fact(
        'uses personal data to identify health conditions', "Does the business use personal data to identify a "
        "consumer's physical or mental health condition or diagnosis (including reproductive, sexual or "
        "gender-affirming health)?")
    processes_deidentified_data: Optional[StrictBool] = fact(
        'holds or discloses de-identified data', "Does the business hold de-identified or pseudonymous data, or give it "
        "to vendors (for example anonymised transcripts or analytics)?")
    # California (CCPA § 1798.120(c) opt-in for under-16s; Cal. Code Regs. tit. 11, § 7001 (2026):
    # known under-16 data is sensitive personal information)
    knows_consumers_under_16: Optional[StrictBool] = fact(
        'knows it collects personal information of consumers under 16',
        "Does the business actually know (or wilfully disregard) that it collects personal information of consumers under 16?")
    # California health laws (CMIA, Civ. Code §§ 56.06, 56.10; AB 3030, Health & Safety Code § 1339.75)
    health_care_provider: Optional[StrictBool] = fact(
        'provider of health care, health plan or CMIA contractor',
        "Is the business a provider of health care (a licensed health facility, clinic, or physician's or other "
        "licensed professional's practice), a health care service plan, or a medical group, IPA, pharmacy benefit "
        "manager or medical service organisation?")
    offers_medical_information_service: Optional[StrictBool] = fact(
        'offers an app or service that maintains medical information',
        "Does the business offer software, hardware, an app or a digital mental-health service designed to maintain "
        "consumers' medical information, or to help diagnose, treat or manage a medical condition?")
    # California AI laws (SB 942 AI Transparency Act, Bus. & Prof. Code § 22757 et seq.; AB 2013,
    # Civ. Code § 3111) and the Delete Act (Civ. Code § 1798.99.80 et seq.)
    genai_monthly_users: Optional[Count] = fact(
        'monthly users of a generative AI system the business itself produces',
        "If the business itself creates or produces a generative AI system that the public in California can use, "
        "how many monthly visitors or users does it have? (0 if it only uses vendors' AI tools)")
    develops_public_genai: Optional[StrictBool] = fact(
        'develops or substantially modifies a public generative AI system',
        "Does the business itself develop, or substantially modify (for example fine-tune or retrain), a generative "
        "AI system or service that it makes available to the public in California?")
    data_broker: Optional[StrictBool] = fact(
        'data broker (sells data of consumers it has no direct relationship with)',
        "Does the business knowingly collect and sell to third parties the personal information of consumers it has "
        "no direct relationship with?")
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
    # Vermont Data Privacy and Online Surveillance Act (Act No. 145 (2026), 9 V.S.A. § 2416(a)(2))
    sensitive_data_consumers: Optional[Count] = fact(
        'residents whose sensitive data is processed a year (not counting payment-only)',
        "How many residents of this state does the business control or process sensitive data of in a year "
        "(health, biometric, precise geolocation, children's data and the like), not counting data processed "
        "only to complete a payment?")
    # California (Cal. Code Regs. tit. 11, § 7120 cybersecurity audits, 2026 regulations)
    sensitive_consumers: Optional[Count] = fact(
        'residents whose sensitive personal information is processed a year',
        "How many residents of this state does the business process sensitive personal information of in a year?")

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
        'vendor may use the data for its own purposes',
        "May the vendor use the data for its own purposes (for example training its models or advertising)? "
        "Older single fact, kept for existing profiles: vendor_improves_own_service and vendor_uses_data_for_others "
        "replace it (see Tool._own_use for the mapping).")
    captures_in_real_time: Optional[StrictBool] = fact(
        'tool captures conversation content in real time', "Does the tool capture the content of conversations (chat messages, calls) in real time as they happen?")
    automated_agent: Optional[StrictBool] = fact(
        'an automated agent converses with consumers', "Does an automated agent (bot) converse with consumers through the tool?")
    # Wiretap, VPPA, bot and biometric laws (rules/us/federal/*, the state wiretap files, BIPA, CUBI,
    # RCW 19.375, C.R.S. § 6-1-1314, Utah ch. 13-77, companion-chatbot laws, Colorado's ADMT law)
    records_in_person: Optional[StrictBool] = fact(
        'tool records in-person conversations', "Does the tool record conversations held in person (for example at a counter, "
        "a drive-through or in a store), rather than over a telephone line or a chat?")
    on_pages_with_video: Optional[StrictBool] = fact(
        'tool runs on pages that show video', "Does the tool run on pages that play video content, so that it can learn which videos a visitor watches?")
    biometric_identification: Optional[StrictBool] = fact(
        'tool identifies people by voice or face', "Does the tool identify or verify people by their voice or face (voiceprints, face geometry), "
        "beyond merely recording audio or video?")
    generative_ai: Optional[StrictBool] = fact(
        'the bot generates its replies with generative AI', "Does the bot generate its replies with generative AI (a language model), rather than from fixed scripts?")
    customer_service_only: Optional[StrictBool] = fact(
        'the bot is used only for customer service', "Is the bot used only for customer service: questions about the business's own products, "
        "services, orders and accounts?")
    companion_persona: Optional[StrictBool] = fact(
        'the bot acts as a companion', "Is the bot designed as a companion: does it keep up a relationship with users across sessions and respond "
        "to their social or emotional needs?")
    consequential_decisions: Optional[StrictBool] = fact(
        'tool output is used in consequential decisions', "Is the tool's output used to make, or to materially influence, decisions on consumers' "
        "access to credit, housing, employment, insurance, health care, education or essential services?")
    # Montana / Connecticut: "sale" needs monetary or other valuable consideration (Mont. Code Ann.
    # § 30-14-2802, Conn. Gen. Stat. § 42-515); Connecticut employee monitoring (§ 31-48d).
    disclosure_for_consideration: Optional[StrictBool] = fact(
        'data given to the vendor for valuable consideration', "Does the business get money or other valuable "
        "consideration for the data the vendor receives (for example a free or cheaper service because the vendor may use "
        "the data for its own purposes)?")
    monitors_employees: Optional[StrictBool] = fact(
        'tool records or monitors employees', "Does the tool record or monitor your employees' calls, messages, screens "
        "or activity (for example call recording for quality assurance)?")
    # California (CCPA § 1798.140(ag), Cal. Code Regs. tit. 11, § 7050(a)(3); CIPA § 631(a)): the
    # vendor's own use of the data, split in two. Improving its own service is allowed to a CCPA
    # service provider; using the data for anyone else is not. CIPA's capability test reads both.
    vendor_improves_own_service: Optional[StrictBool] = fact(
        'vendor uses the data to build or improve its own service',
        "Does the vendor use the data internally to build or improve the service it provides "
        "(for example training the models behind that service), without using it to serve anyone else?")
    vendor_uses_data_for_others: Optional[StrictBool] = fact(
        'vendor uses the data for others (advertising, sale, cross-client profiles, services for others)',
        "Does the vendor use the data for anyone other than the business: advertising, selling it, building "
        "profiles across its clients, or training models or services it provides to other customers?")

    # California (Cal. Code Regs. tit. 11, §§ 7150(b)(3), 7200, 7220-7222: automated decisionmaking
    # technology, 2026 regulations)
    makes_significant_decisions: Optional[StrictBool] = fact(
        'the tool makes significant decisions about consumers',
        "Does the tool make, or substantially replace people in making, significant decisions about consumers "
        "(financial or lending services, housing, education, employment or pay, health care)?")
    # Consumer health data laws (RCW 19.373.010, NRS 603A.430(1)(d)): health inferred from other data
    infers_health_status: Optional[StrictBool] = fact(
        'tool infers health from other data', "Does the tool (or its vendor) derive or infer a consumer's health condition or "
        "status from other data, for example symptoms typed into a chat, purchases, searches or location?")
    # HIPAA business associate agreement (45 C.F.R. § 164.502(e)); TCPA (47 U.S.C. § 227(b))
    handles_phi: Optional[StrictBool] = fact(
        'vendor handles protected health information (PHI)',
        "Does the vendor create, receive, keep or transmit protected health information (PHI: health, care or "
        "payment information linked to a patient or plan member) for the business, including a tracking tag on "
        "patient portals, logged-in apps or appointment pages?")
    places_outbound_calls: Optional[StrictBool] = fact(
        'tool places outbound calls to consumers',
        "Does the tool place outbound telephone calls (or send texts) to consumers?")

    @model_validator(mode="before")
    @classmethod
    def _own_use(cls, data):
        """``vendor_uses_data_for_own_purposes`` (the older, single fact) is kept, as the union of the
        two facts that replace it, so profiles and rules that use it keep working:

        - given alone: ``false`` means neither; ``true`` is read as ``vendor_uses_data_for_others =
          true`` (the conservative reading: the vendor is a third party, as before) and leaves
          ``vendor_improves_own_service`` unknown. A vendor that only improves its own service should
          say ``vendor_improves_own_service: true, vendor_uses_data_for_others: false`` instead.
        - not given: derived from the two new facts (true if either is true, false if both are false).
        - given with them: it must agree, or the profile is rejected with what to change.
        """
        if not isinstance(data, dict):
            return data
        legacy = data.get("vendor_uses_data_for_own_purposes")
        improves, others = data.get("vendor_improves_own_service"), data.get("vendor_uses_data_for_others")
        if not all(v is None or isinstance(v, bool) for v in (legacy, improves, others)):
            return data   # the field validators report the bad value
        data = dict(data)
        if improves is None and others is None:
            if legacy is not None:
                data["vendor_improves_own_service"] = False if legacy is False else None
                data["vendor_uses_data_for_others"] = legacy
            return data
        union = True if True in (improves, others) else (False if improves is False and others is False else None)
        if legacy is None:
            data["vendor_uses_data_for_own_purposes"] = union
        elif union is not None and legacy != union:
            raise ValueError(
                f"vendor_uses_data_for_own_purposes = {str(legacy).lower()} contradicts vendor_improves_own_service"
                f" = {_word(improves)} and vendor_uses_data_for_others = {_word(others)}; it is the older, single"
                " fact for the two: leave it out and give vendor_improves_own_service and vendor_uses_data_for_others")
        return data

    @field_validator("collects")
    @classmethod
    def _as_set(cls, value):
        # A set in meaning: order and repetition carry nothing, so the canonical form is sorted.
        return None if value is None else sorted(set(value), key=lambda c: c.value)


def _word(value) -> str:
    return "unknown" if value is None else str(value).lower()


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
