"""Rule lint: every problem of small rule files named with file and line; the shipped rules pass."""
import re

from click.testing import CliRunner

from reggi.cli import main
from reggi.engine.conditions import parse
from reggi.engine.lint import constant, lint, strata
from reggi.engine.rulebase import RULES_DIR, load, resolver
from test_loader import GOOD, line_of, write

FILE = "rules/us/zz/test.toml"
VERSION = GOOD[GOOD.index("[[obligations]]"):].replace("2024-01-01", "2025-01-01")   # a later version


def id_line(text, name, nth=1):
    return line_of(text, f'id = "{name}"', nth)


def lines(tmp_path, text):
    """The lint output of one rule file, as (line, severity, message) triples."""
    return [(p.line, p.severity, p.message) for p in lint(write(tmp_path, text)) if p.file == FILE]


def test_shipped_rules_lint_without_errors():
    result = CliRunner().invoke(main, ["rules", "lint"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("0 error(s), ")
    # unverified items are listed as warnings, with their note
    assert re.search(r"^rules/us/mt/mcdpa\.toml:\d+: warning: unverified obligation 'privacy-notice': The SB 297 contents",
                     result.output, re.M)


def test_missing_citation_is_an_error_on_its_line(tmp_path):
    text = GOOD.replace('cite = ["Test Code § 2(a)"]\n', "")
    assert lines(tmp_path, text) == [(line_of(text, "[[obligations]]"), "error",
                                      "obligations.0.cite: required field is missing")]


def test_missing_source_and_in_force_are_errors_on_their_tables(tmp_path):
    text = GOOD.replace('source = "https://example.org/test"\n', "").replace('in_force = 2024-01-01\n', "", 2)
    assert lines(tmp_path, text) == [
        (line_of(text, "[statute]"), "error", "statute.in_force: required field is missing"),
        (line_of(text, "[statute]"), "error", "statute.source: required field is missing"),
        (line_of(text, "[[obligations]]"), "error", "obligations.0.in_force: required field is missing")]


def test_citation_without_a_subsection_is_a_warning(tmp_path):
    text = GOOD.replace("Test Code § 2(a)", "Test Code § 2")
    result = CliRunner().invoke(main, ["rules", "lint", "--rules", str(write(tmp_path, text))])
    assert result.exit_code == 0
    assert f"{FILE}:{line_of(text, 'cite = [')}: warning: obligation 'notice': citation 'Test Code § 2' has no pinpoint" in result.output


def test_duplicate_ids_are_errors_naming_both_places(tmp_path):
    concept = '\n[[concepts]]\nid = "big"\ndescription = "big"\nwhen = "state.consumers > 5"\n'
    text = GOOD + VERSION.replace("2025-01-01", "2024-06-01") + concept + concept
    got = lines(tmp_path, text)
    assert (id_line(text, "notice", 2), "error",
            f"duplicate obligation id 'notice': its dates overlap those of line {id_line(text, 'notice')}; "
            "versions of one id need disjoint from/until") in got
    assert (id_line(text, "big", 2), "error",
            f"duplicate concept id 'big' (first defined at {FILE}:{id_line(text, 'big')})") in got


def test_duplicate_statute_id_across_files(tmp_path):
    root = write(tmp_path, GOOD)
    (root / "us" / "zz" / "copy.toml").write_text(GOOD)
    problems = [str(p) for p in lint(root)]
    assert problems == ["rules/us/zz/test.toml:3: error: duplicate statute id 'us-zz-test' "
                        "(first defined at rules/us/zz/copy.toml:3)"]


def test_impossible_conditions_are_errors(tmp_path):
    for when in ["state.consumers >= 100 and state.consumers < 50",
                 "business.nonprofit and not business.nonprofit",
                 "state.code == 'CA' and state.code in ['MT', 'CT']"]:
        text = GOOD.replace("state.consumers >= 100", when)
        assert lines(tmp_path / when[:9], text) == [(line_of(text, "when ="), "error",
                                                      f"the condition of applicability test 'consumers' can never be true: {when}")]


def test_always_true_condition_is_an_error(tmp_path):
    text = GOOD.replace('title = "Give notice"', 'title = "Give notice"\nwhen = "state.consumers > 3 or state.consumers < 4"')
    got = lines(tmp_path, text)
    assert got == [(line_of(text, "when = \"state.consumers > 3"), "error",
                    "the condition of obligation 'notice' is always true: state.consumers > 3 or state.consumers < 4")]


def test_a_gap_between_versions_is_a_warning_and_exit_0(tmp_path):
    text = GOOD.replace('cite = ["Test Code § 2(a)"]\n', 'cite = ["Test Code § 2(a)"]\nuntil = 2024-07-01\n') + VERSION
    assert lines(tmp_path, text) == [(id_line(text, "notice", 2), "warning",
                                      "obligation 'notice' has no version in force from 2024-07-01 to 2025-01-01 "
                                      f"(the version at line {id_line(text, 'notice')} ends 2024-07-01)")]
    result = CliRunner().invoke(main, ["rules", "lint", "--rules", str(tmp_path / "rules")])
    assert result.exit_code == 0 and "0 error(s), 1 warning(s)" in result.output


def test_several_problems_are_all_listed_sorted_and_exit_1(tmp_path):
    text = (GOOD.replace('cite = ["Test Code § 2(a)"]\n', "")                        # missing citation
            .replace("state.consumers >= 100", "state.consumers >= 100 and state.consumers < 7")   # never true
            .replace('test = "100', 'verified = false\nnote = "not checked"\ntest = "100')
            + VERSION.replace('id = "notice"', 'id = "policy"') + VERSION.replace('id = "notice"', 'id = "policy"')
            + '\n[[exemptions]]\nid = "x"\nwhen = "business.nonprofit"\nreason = "x"\ncite = "X"\nbogus = 1\n')
    result = CliRunner().invoke(main, ["rules", "lint", "--rules", str(write(tmp_path, text))])
    assert result.exit_code == 1
    out = result.output.splitlines()
    assert out[-1] == "4 error(s), 1 warning(s)"
    assert out[:-1] == sorted(out[:-1], key=lambda s: int(s.split(":")[1]))
    for snippet in ["when =", "verified = false", "[[obligations]]", 'id = "policy"']:
        assert any(o.startswith(f"{FILE}:{line_of(text, snippet, 2 if 'policy' in snippet else 1)}: ") for o in out), snippet
    assert any("unknown field 'bogus'" in o for o in out)


def test_condition_error_names_the_when_line(tmp_path):
    text = GOOD.replace("state.consumers >= 100", "state.consumerz >= 100")
    assert lines(tmp_path, text)[0][:2] == (line_of(text, "when ="), "error")


def test_strata_report_a_negation_read_before_it_is_complete():
    rb = load(RULES_DIR)
    assert strata(rb) == []
    reader = next(r for r in rb.rules if r.kind == "applicability" and r.statute == "us-mt-mcdpa")
    exemption = next(r for r in rb.rules if r.kind == "exemption" and r.statute == "us-mt-mcdpa")
    exemption.stratum = reader.stratum   # as if the exemption ran alongside the rule negating it
    assert any("negates exemption.us-mt-mcdpa" in p.message and p.severity == "error" for p in strata(rb))


def test_constant_decides_by_the_regions_the_literals_cut():
    resolve = resolver({}, {})

    def verdict(text):
        return constant(parse(text, resolve))

    assert verdict("'health' in tool.collects and 'health' not in tool.collects") is False
    assert verdict("'health' in tool.collects or 'audio' in tool.collects") is None
    assert verdict("business.percent_revenue_from_selling_data > 25 and business.percent_revenue_from_selling_data < 25.5") is None
    assert verdict("business.percent_revenue_from_selling_data >= 25 or business.percent_revenue_from_selling_data < 25") is True
    assert verdict("tool.kind != 'crm' or tool.kind != 'survey'") is True
