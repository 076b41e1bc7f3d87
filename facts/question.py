"""Understanding a free-text question, deterministically: which states, tool kinds and data
categories it names. No network, no model: word lists and longest-match-first scanning.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from reggi.facts.vocabulary import DataCategory, StateCode, ToolKind

ALIASES = Path(__file__).resolve().parent / "data" / "aliases.toml"


@cache
def aliases() -> dict:
    """Other names of states and product names by kind of tool (facts/data/aliases.toml)."""
    import tomllib
    with ALIASES.open("rb") as handle:
        return tomllib.load(handle)

# Two-letter codes that are also ordinary English words are recognised only in capitals and only
# when the question is not written all in capitals ("IN", "OR", "ME" ...).
_WORDLIKE_CODES = {"IN", "OR", "ME", "OK", "HI", "OH", "AS", "ID", "AL", "DE", "PA", "LA", "MA", "CO", "WA", "MD"}
ALL_STATES = [c.value for c in StateCode]

_NATIONWIDE = [r"\ball (?:50 |fifty )?(?:us |u\.s\. )?states\b", r"\bnationwide\b", r"\bnation-wide\b",
               r"\bevery (?:us |u\.s\. )?state\b", r"\bacross the (?:us|u\.s\.|united states|country)\b",
               r"\bthroughout the (?:us|u\.s\.|united states|country)\b", r"\ball of the (?:us|united states)\b"]
# "the US" alone means every state only when no state is named ("US customers in Texas" is Texas).
_WHOLE_US = [r"\bthe (?:us|usa|united states)\b", r"(?<!\w)u\.s\.(?:a\.)?(?!\w)", r"\bin (?:the )?US\b"]

TOOL_SYNONYMS: dict[str, list[str]] = {
    "live_chat": ["live chat", "live-chat", "chat widget", "chat tool", "chat tools", "web chat", "webchat",
                  "chat software", "chat service", "chat platform", "messaging widget", "chat with customers",
                  "chat with our customers", "chatting with customers", "chat"],
    "ai_chatbot": ["ai chatbot", "ai chat bot", "chatbot", "chat bot", "chatbots", "ai assistant", "virtual assistant",
                   "ai agent", "conversational ai", "genai assistant", "bot"],
    "helpdesk": ["customer service tool", "customer service tools", "customer service platform", "customer service software",
                 "customer support tool", "customer support tools", "customer support", "customer service", "help desk",
                 "helpdesk", "ticketing", "support desk", "support ticket"],
    "call_recording": ["call recording", "call-recording", "contact center", "contact centre", "call center",
                       "call centre", "recorded calls", "record calls", "recording calls", "record sales calls",
                       "record customer calls", "record phone calls", "recording sales calls", "recording customer calls",
                       "recording phone calls", "record our calls", "calls are recorded", "call recordings of"],
    "voice_agent": ["voice agent", "voice bot", "voicebot", "ivr", "ai voice", "phone bot"],
    "web_analytics": ["web analytics", "analytics", "google analytics"],
    "session_replay": ["session replay", "session recording", "session-replay", "heatmap", "heat map", "screen recording"],
    "ad_pixel": ["advertising pixel", "ad pixel", "tracking pixel", "meta pixel", "facebook pixel", "pixel", "pixels",
                 "advertising sdk", "ad sdk", "retargeting"],
    "crm": ["crm", "customer relationship management"],
    "email_marketing": ["email marketing", "e-mail marketing", "newsletter", "marketing emails"],
    "survey": ["survey", "surveys", "feedback form", "feedback tool", "questionnaire tool"],
    "payment": ["payment processor", "payment processing", "payments", "payment", "checkout"],
}

DATA_SYNONYMS: dict[str, list[str]] = {
    "identifiers": ["names", "name", "customer id", "identifiers"],
    "contact": ["email address", "email addresses", "phone number", "phone numbers", "contact details",
                "contact information", "addresses"],
    "communications_content": ["chat transcripts", "chat transcript", "transcripts", "messages", "chat logs",
                               "conversations", "content of communications"],
    "audio": ["voice recordings", "audio", "call recordings", "recordings"],
    "biometric": ["voiceprints", "voiceprint", "biometric", "biometrics", "face scans", "facial recognition", "fingerprints"],
    "health": ["health", "medical", "diagnosis", "prescriptions"],
    "precise_geolocation": ["precise geolocation", "geolocation", "precise location", "gps", "location data"],
    "financial_account": ["credit card", "credit cards", "card numbers", "bank account", "bank accounts",
                          "financial account", "payment card"],
    "government_id": ["social security numbers", "social security number", "ssns", "ssn", "driver's license",
                      "drivers license", "passport", "government id", "government ids"],
    "account_credentials": ["passwords", "password", "login credentials", "credentials", "log-in"],
    "device_identifiers": ["ip addresses", "ip address", "cookies", "cookie ids", "device ids", "device identifiers"],
    "browsing_behavior": ["browsing behavior", "browsing behaviour", "browsing history", "clickstream", "clicks"],
    "children_data": ["children's data", "childrens data", "children", "kids", "under 13"],
}


@dataclass
class Understanding:
    states: list[str] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)        # tool kinds
    data: list[str] = field(default_factory=list)         # data categories
    nationwide: bool = False
    products: dict[str, str] = field(default_factory=dict)   # product named -> its kind

    @classmethod
    def of_answers(cls, answers: dict) -> "Understanding":
        """What a saved (or corrected) set of answers says, read from its fields, not its words:
        postal codes such as OR or IN are states here, whatever English makes of them."""
        states = sorted({s["code"] for s in answers.get("states", []) if s.get("code") in ALL_STATES})
        tools = answers.get("tools", [])
        kinds = [t.get("kind") for t in tools if t.get("kind") in ToolKind.values()]
        return cls(states=states, tools=list(dict.fromkeys(kinds)), nationwide=len(states) == len(ALL_STATES),
                   products={t["name"]: t["kind"] for t in tools if t.get("name") and t.get("kind") in ToolKind.values()
                             and t["name"] != tool_label(t["kind"])})

    @property
    def empty(self) -> bool:
        return not (self.states or self.tools or self.data)

    def describe(self) -> list[str]:
        states = "all states" if self.nationwide else ", ".join(StateCode(s).label for s in self.states)
        named = {kind: [p for p, k in sorted(self.products.items()) if k == kind] for kind in self.tools}
        tools = [ToolKind(t).label + (f" ({', '.join(named[t])})" if named[t] else "") for t in self.tools]
        return [f"states: {states or 'none named'}",
                f"tools: {', '.join(tools) or 'none named'}",
                f"data: {', '.join(DataCategory(d).label for d in self.data) or 'not named'}"]


def _scan(text: str, synonyms: dict[str, list[str]]) -> list[str]:
    """Longest phrases first; a matched span is blanked so 'chatbot' is not also 'chat'."""
    found: list[str] = []
    phrases = sorted(((p, key) for key, ps in synonyms.items() for p in ps), key=lambda x: -len(x[0]))
    for phrase, key in phrases:
        pattern = re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", re.IGNORECASE)
        if pattern.search(text):
            text = pattern.sub(" " * len(phrase), text)
            if key not in found:
                found.append(key)
    return found


def tool_label(kind: str) -> str:
    """The name reggi gives a tool the question names only by kind: "AI chatbot or virtual assistant"."""
    label = ToolKind(kind).label.split(" (")[0]
    return label[0].upper() + label[1:]


def understand(question: str) -> Understanding:
    u = Understanding()
    text = question or ""
    if any(re.search(p, text, re.IGNORECASE) for p in _NATIONWIDE):
        u.nationwide = True
        u.states = list(ALL_STATES)
    else:
        names = {s.label: s.value for s in StateCode}
        names.update({alias: code for code, words in aliases()["states"].items() for alias in words})
        # Statute citations are not places: "47 U.S.C. § 227" is not South Carolina.
        rest = re.sub(r"\b(?:U\.\s?S\.\s?C\.|C\.\s?F\.\s?R\.|U\.S\.(?=\s*§))", " ", text)
        for name in sorted(names, key=len, reverse=True):     # "west virginia" before "virginia"
            # Names ignore case; abbreviations with a dot ("Ill.", "S.C.") must be written as such,
            # so "if I'm ill." is not Illinois.
            dotted = "." in name
            pattern = re.compile(rf"(?<![\w.]){re.escape(name)}" + ("" if dotted else r"(?!\w)"),
                                 0 if dotted else re.IGNORECASE)
            if pattern.search(rest):
                rest = pattern.sub(" ", rest)
                u.states.append(names[name])
        shouting = text.upper() == text
        # Lower-case codes ("in ca and mt") count too, except those that are English words.
        lower = [c.upper() for c in re.findall(r"\b([a-z]{2})\b", rest) if c.upper() not in _WORDLIKE_CODES]
        for code in re.findall(r"\b([A-Z]{2})\b", rest) + lower:
            if code in ALL_STATES and not (code in _WORDLIKE_CODES and shouting) and code not in u.states:
                if code in _WORDLIKE_CODES and not re.search(rf"(?:,|\band\b|\bor\b|\bin\b)\s*{code}\b|\b{code}\s*(?:,|\band\b)", rest):
                    continue   # a capitalised English word rather than a list of states
                u.states.append(code)
        if not u.states and any(re.search(p, text, re.IGNORECASE) for p in _WHOLE_US):
            u.nationwide, u.states = True, list(ALL_STATES)
    u.states = sorted(set(u.states))
    products = {name: [name] for name in aliases()["products"]}
    for name in _scan(text, products):     # named products first: "Gong" is call recording
        kind = aliases()["products"][name]
        u.products[name] = kind
        text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", text, flags=re.IGNORECASE)
    u.tools = list(dict.fromkeys(list(u.products.values()) + _scan(text, TOOL_SYNONYMS)))
    u.data = _scan(text, DATA_SYNONYMS)
    return u


def coverage_message(statute_names: list[str]) -> str:
    return ("reggi could not find a US state, a kind of tool or a kind of personal data in that question.\n"
            "Ask, for example: \"Can I use a third-party chat tool that collects personal information in "
            "California and Montana?\"\n"
            f"States: postal codes or names, or 'nationwide'. Tools: {', '.join(ToolKind.values())}.\n"
            "Laws reggi covers: " + "; ".join(statute_names))
