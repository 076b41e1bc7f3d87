"""The closed vocabularies of a profile: states, tool kinds, data categories, vendor roles.

Each enum member's value is what a profile file contains; the label is what a person reads.
"""
from __future__ import annotations

from enum import Enum

FEDERAL = "US"   # the jurisdiction of a federal statute: in play for every business, whatever its states


def code_of(jurisdiction: str) -> str:
    """The contexts a statute sees: a postal code ("US-CA" -> "CA"), or "US" for federal law."""
    return jurisdiction.rpartition("-")[2]


class LabelledEnum(str, Enum):
    """A string enum whose members carry a human label: ``Member = ("value", "Label")``."""

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]


class StateCode(LabelledEnum):
    AL = ("AL", "Alabama")
    AK = ("AK", "Alaska")
    AZ = ("AZ", "Arizona")
    AR = ("AR", "Arkansas")
    CA = ("CA", "California")
    CO = ("CO", "Colorado")
    CT = ("CT", "Connecticut")
    DE = ("DE", "Delaware")
    DC = ("DC", "District of Columbia")
    FL = ("FL", "Florida")
    GA = ("GA", "Georgia")
    HI = ("HI", "Hawaii")
    ID = ("ID", "Idaho")
    IL = ("IL", "Illinois")
    IN = ("IN", "Indiana")
    IA = ("IA", "Iowa")
    KS = ("KS", "Kansas")
    KY = ("KY", "Kentucky")
    LA = ("LA", "Louisiana")
    ME = ("ME", "Maine")
    MD = ("MD", "Maryland")
    MA = ("MA", "Massachusetts")
    MI = ("MI", "Michigan")
    MN = ("MN", "Minnesota")
    MS = ("MS", "Mississippi")
    MO = ("MO", "Missouri")
    MT = ("MT", "Montana")
    NE = ("NE", "Nebraska")
    NV = ("NV", "Nevada")
    NH = ("NH", "New Hampshire")
    NJ = ("NJ", "New Jersey")
    NM = ("NM", "New Mexico")
    NY = ("NY", "New York")
    NC = ("NC", "North Carolina")
    ND = ("ND", "North Dakota")
    OH = ("OH", "Ohio")
    OK = ("OK", "Oklahoma")
    OR = ("OR", "Oregon")
    PA = ("PA", "Pennsylvania")
    RI = ("RI", "Rhode Island")
    SC = ("SC", "South Carolina")
    SD = ("SD", "South Dakota")
    TN = ("TN", "Tennessee")
    TX = ("TX", "Texas")
    UT = ("UT", "Utah")
    VT = ("VT", "Vermont")
    VA = ("VA", "Virginia")
    WA = ("WA", "Washington")
    WV = ("WV", "West Virginia")
    WI = ("WI", "Wisconsin")
    WY = ("WY", "Wyoming")


class ToolKind(LabelledEnum):
    LIVE_CHAT = ("live_chat", "live chat (human agents)")
    AI_CHATBOT = ("ai_chatbot", "AI chatbot or virtual assistant")
    HELPDESK = ("helpdesk", "customer-service / helpdesk platform")
    CALL_RECORDING = ("call_recording", "contact-centre call recording")
    VOICE_AGENT = ("voice_agent", "AI voice agent / IVR")
    WEB_ANALYTICS = ("web_analytics", "web analytics")
    SESSION_REPLAY = ("session_replay", "session replay")
    AD_PIXEL = ("ad_pixel", "advertising pixel or SDK")
    CRM = ("crm", "customer relationship management (CRM)")
    EMAIL_MARKETING = ("email_marketing", "email marketing")
    SURVEY = ("survey", "survey / feedback")
    PAYMENT = ("payment", "payment processing")
    OTHER = ("other", "other third-party tool")


class DataCategory(LabelledEnum):
    IDENTIFIERS = ("identifiers", "identifiers (name, customer ID)")
    CONTACT = ("contact", "contact details (email, phone, address)")
    COMMUNICATIONS_CONTENT = ("communications_content", "content of communications (chat transcripts, messages)")
    AUDIO = ("audio", "audio recordings")
    BIOMETRIC = ("biometric", "biometric identifiers (voiceprints, face geometry)")
    HEALTH = ("health", "health information")
    PRECISE_GEOLOCATION = ("precise_geolocation", "precise geolocation")
    FINANCIAL_ACCOUNT = ("financial_account", "financial account or card numbers")
    GOVERNMENT_ID = ("government_id", "government ID numbers (SSN, driver's licence, passport)")
    ACCOUNT_CREDENTIALS = ("account_credentials", "account log-in credentials")
    DEVICE_IDENTIFIERS = ("device_identifiers", "device and online identifiers (IP address, cookie IDs)")
    BROWSING_BEHAVIOR = ("browsing_behavior", "browsing and interaction behaviour")
    CHILDREN_DATA = ("children_data", "data of children under 13")
    # Sensitive categories California names that the list above lacks (Cal. Civ. Code § 1798.140(ae))
    RACIAL_OR_ETHNIC_ORIGIN = ("racial_or_ethnic_origin", "racial or ethnic origin")
    RELIGIOUS_BELIEFS = ("religious_beliefs", "religious or philosophical beliefs")
    UNION_MEMBERSHIP = ("union_membership", "union membership")
    GENETIC = ("genetic", "genetic data")
    SEX_LIFE_OR_ORIENTATION = ("sex_life_or_orientation", "sex life or sexual orientation")
    CITIZENSHIP_OR_IMMIGRATION = ("citizenship_or_immigration", "citizenship or immigration status")
    NEURAL_DATA = ("neural_data", "neural data (nervous-system activity measured by a device)")


class VendorRole(LabelledEnum):
    SERVICE_PROVIDER = ("service_provider", "service provider / processor")
    CONTRACTOR = ("contractor", "contractor")
    THIRD_PARTY = ("third_party", "third party")


# --- added for the Connecticut minors' exemptions (Conn. Gen. Stat. § 42-529d); reusable by other
# states' files that exempt the same public or special bodies.

class InstitutionType(LabelledEnum):
    GOVERNMENT_BODY = ("government_body", "state or local government body")
    NATIONAL_SECURITIES_ASSOCIATION = ("national_securities_association", "registered national securities association")
    TRIBAL_GOVERNMENT = ("tribal_government", "tribal nation government organisation")
    AIR_CARRIER = ("air_carrier", "air carrier")
    NONE = ("none", "none of these")
