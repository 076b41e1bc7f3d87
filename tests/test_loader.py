"""Rule files are data: loading validates them and reports every error with file and line."""
from pathlib import Path

import pytest

from reggi.engine.rulebase import RULES_DIR, RuleLoadError, load

GOOD = '''
[statute]
id = "us-zz-test"
name = "Test Act"
jurisdiction = "US-MT"
citation = "Test Code § 1"
source = "https://example.org/test"
in_force = 2024-01-01

[[applies]]
id = "consumers"
when = "state.consumers >= 100"
test = "100 or more consumers"
cite = "Test Code § 1(a)"

[[obligations]]
id = "notice"
title = "Give notice"
action = "Do it."
cite = ["Test Code § 2(a)"]
in_force = 2024-01-01
'''


def write(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "rules"
    (root / "us" / "zz").mkdir(parents=True)
    (root / "us" / "zz" / "test.toml").write_text(text)
    return root


def line_of(text: str, snippet: str, nth: int = 1) -> int:
    """1-based line of the nth line containing snippet."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if snippet in line]
    return hits[nth - 1]


def error_of(tmp_path, text) -> RuleLoadError:
    with pytest.raises(RuleLoadError) as info:
        load(write(tmp_path, text))
    return info.value


def test_a_good_file_loads(tmp_path):
    rb = load(write(tmp_path, GOOD))
    assert "us-zz-test" in rb.statutes


def test_shipped_rule_base_loads():
    rb = load(RULES_DIR)
    assert {"us-ca-ccpa", "us-ca-caloppa", "us-ca-cipa", "us-mt-mcdpa", "us-ct-ctdpa"} <= set(rb.statutes)


def test_toml_syntax_error_names_file_and_line(tmp_path):
    text = GOOD.replace('title = "Give notice"', 'title = "Give notice')
    err = error_of(tmp_path, text)
    assert err.file.endswith("test.toml") and err.line == line_of(text, "title =") and "TOML syntax error" in err.message


def test_unknown_key_names_line_and_allowed_keys(tmp_path):
    text = GOOD.replace('title = "Give notice"', 'titel = "Give notice"')
    err = error_of(tmp_path, text)
    assert err.line == line_of(text, "titel")
    assert "unknown field 'titel'" in err.message and "title" in err.message


def test_unknown_field_in_condition_names_the_when_line(tmp_path):
    err = error_of(tmp_path, GOOD.replace("state.consumers >= 100", "state.consumerz >= 100"))
    assert err.line == line_of(GOOD, "when =") and "unknown field 'state.consumerz'" in err.message and "state.consumers" in err.message


def test_condition_syntax_error(tmp_path):
    err = error_of(tmp_path, GOOD.replace("state.consumers >= 100", "state.consumers >="))
    assert err.line == line_of(GOOD, "when =") and "syntax error" in err.message


def test_missing_citation_is_an_error(tmp_path):
    err = error_of(tmp_path, GOOD.replace('cite = ["Test Code § 2(a)"]\n', ""))
    assert "obligations.0.cite" in err.message and err.line == line_of(GOOD, "[[obligations]]")


def test_duplicate_obligation_with_overlapping_dates(tmp_path):
    dup = GOOD + GOOD[GOOD.index("[[obligations]]"):]
    err = error_of(tmp_path, dup)
    assert "overlapping date range" in err.message and err.line == line_of(dup, 'id = "notice"', 2)


def test_versions_of_one_id_with_disjoint_dates_load(tmp_path):
    second = GOOD[GOOD.index("[[obligations]]"):].replace("in_force = 2024-01-01", "in_force = 2025-01-01")
    first = GOOD.replace('in_force = 2024-01-01\n', 'in_force = 2024-01-01\nuntil = 2025-01-01\n', 2)
    first = first.replace('until = 2025-01-01\n', '', 1)   # keep the statute open-ended
    rb = load(write(tmp_path, first + second))
    assert len(rb.statutes["us-zz-test"].obligations) == 2


def test_unverified_without_note_is_rejected(tmp_path):
    err = error_of(tmp_path, GOOD.replace('cite = "Test Code § 1(a)"', 'cite = "Test Code § 1(a)"\nverified = false'))
    assert "needs a note" in err.message


def test_circular_concepts_are_rejected(tmp_path):
    text = GOOD + '''
[[concepts]]
id = "a"
description = "a"
when = "concept.b"

[[concepts]]
id = "b"
description = "b"
when = "concept.a"
'''
    err = error_of(tmp_path, text)
    assert "circular" in err.message


def test_loading_does_not_execute_code(tmp_path):
    err = error_of(tmp_path, GOOD.replace("state.consumers >= 100", "__import__('os').system('false')"))
    assert "not allowed" in err.message or "unknown field" in err.message


def test_applicability_id_any_is_reserved(tmp_path):
    with pytest.raises(RuleLoadError, match="'any' is reserved") as err:
        load(write(tmp_path, GOOD.replace('id = "consumers"', 'id = "any"')))
    assert err.value.line == line_of(GOOD, 'id = "consumers"')
