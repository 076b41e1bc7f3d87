"""``reggi schema`` and the profile validator agree (issue 20.8): the schema states every rule the
validator enforces, and the validator refuses what the schema does not allow."""
import datetime as dt
import json

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from reggi.cli import main
from reggi.facts.profile import Profile

SCHEMA = json.loads(CliRunner().invoke(main, ["schema"]).output)
BASE = {"business": {"name": "Acme"}, "states": [{"code": "CA", "consumers": 10}], "tools": [{"name": "T", "kind": "crm"}]}


def accepts(data) -> bool:
    try:
        Profile.model_validate(data)
        return True
    except ValidationError:
        return False


def with_(section: str, field: str, value) -> dict:
    data = json.loads(json.dumps(BASE))
    target = data[section] if section == "business" else data[section][0]
    target[field] = value
    return data


RULES = " ".join(SCHEMA["x-reggi-rules"])


@pytest.mark.parametrize("data, stated", [
    ({**BASE, "states": [{"code": "CA"}, {"code": "CA"}]}, "each state appears at most once"),
    ({**BASE, "tools": [{"name": "T", "kind": "crm"}, {"name": "T", "kind": "survey"}]}, "names are unique"),
    (with_("states", "payment_only_consumers", 11), "payment_only_consumers: at most states[].consumers"),
    (with_("states", "consumers", 1.0), "whole numbers"),
    (with_("states", "consumers", "5"), "whole numbers"),
    (with_("states", "consumers", True), "whole numbers"),
    (with_("business", "percent_revenue_from_selling_data", "50"), "percentages are numbers from 0 to 100"),
    (with_("business", "percent_revenue_from_selling_data", 100.5), "percentages are numbers from 0 to 100"),
    ({**BASE, "as_of": 0}, "as_of: a date written YYYY-MM-DD"),
    ({**BASE, "as_of": "2026-01-01T00:00:00"}, "as_of: a date written YYYY-MM-DD"),
    ({**BASE, "as_of": dt.datetime(2026, 1, 1)}, "as_of: a date written YYYY-MM-DD"),
    (with_("business", "name", "  "), "names contain a character other than white space"),
    ({**BASE, "surprise": 1}, "unknown fields are refused"),
])
def test_each_rule_the_validator_enforces_is_stated_in_the_schema(data, stated):
    assert not accepts(data)
    assert stated in RULES


def test_what_the_schema_allows_is_accepted():
    assert accepts(BASE) and accepts({**BASE, "as_of": "2026-01-01"}) and accepts({**BASE, "as_of": dt.date(2026, 1, 1)})
    assert SCHEMA["properties"]["as_of"]["pattern"] == r"^\d{4}-\d{2}-\d{2}$"
    assert SCHEMA["properties"]["tools"]["maxItems"] == 2_000


def leaves():
    for section, model in (("business", "Business"), ("states", "StateFacts"), ("tools", "Tool")):
        for field, spec in SCHEMA["$defs"][model]["properties"].items():
            yield section, field, spec


def allowed(spec: dict) -> tuple[str | None, list]:
    options = spec.get("anyOf", [spec])
    for o in options:
        if "$ref" in o:
            return "enum", SCHEMA["$defs"][o["$ref"].split("/")[-1]]["enum"]
        if o.get("type") == "array":
            return "array", SCHEMA["$defs"][o["items"]["$ref"].split("/")[-1]]["enum"]
        if o.get("type") in ("integer", "number", "boolean", "string"):
            return o["type"], [o]
    return None, []


@pytest.mark.parametrize("section, field, spec", list(leaves()), ids=lambda v: v if isinstance(v, str) else "")
def test_the_validator_refuses_what_the_schema_does_not_allow(section, field, spec):
    kind, values = allowed(spec)
    wrong = {"integer": [1.5, "3", True, -1], "number": ["3", True, float("nan")], "boolean": ["yes", 1, 0],
             "string": [5, True], "enum": ["not-a-value", 1], "array": [["not-a-value"], "identifiers"]}[kind]
    for value in wrong:
        assert not accepts(with_(section, field, value)), (field, value)
    if kind == "enum":
        for value in values:
            data = with_(section, field, value)
            if field != "code" or value == "CA":
                assert accepts(data), (field, value)
    if kind == "array":
        assert accepts(with_(section, field, values))
