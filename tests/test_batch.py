"""reggi batch: every input record gives exactly one output record, in input order, whatever --jobs."""
import csv
import io
import json
import shutil

import pytest
from click.testing import CliRunner

from reggi.cli import main
from conftest import EXAMPLES

VENDORS = str(EXAMPLES / "vendors.csv")
BUSINESS = str(EXAMPLES / "business.json")
HEADER = "name,kind,collects,vendor_role,vendor_uses_data_for_own_purposes,captures_in_real_time,automated_agent\n"


def batch(*args, input=None):
    return CliRunner().invoke(main, ["batch", "--as-of", "2026-11-26", *args], input=input)


def jsonl(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_example_inventory_evaluates_every_vendor():
    result = batch(VENDORS, "--business", BUSINESS, "--jobs", "1")
    assert result.exit_code == 0, result.output
    records = jsonl(result)
    names = [row["name"] for row in csv.DictReader(open(VENDORS, encoding="utf-8"))]
    assert [r["vendors"] for r in records] == [[n] for n in names] and len(names) >= 20
    assert [r["line"] for r in records] == list(range(2, len(names) + 2))
    assert all("findings" in r for r in records)
    bot = next(r for r in records if r["vendors"] == ["AskAda AI Assistant"])
    assert "us-ca-bot-disclosure.disclose-bot" in {o["id"] for o in bot["findings"]["obligations"]}
    assert f"{len(names)} records read, {len(names)} evaluated, 0 failed" in result.stderr


@pytest.fixture
def messy(tmp_path):
    """A CSV with good rows around a bad kind, an empty line, a short row and a bad yes/no value."""
    path = tmp_path / "inventory.csv"
    path.write_text(HEADER
                    + "Good Chat,live_chat,identifiers;contact;communications_content,service_provider,no,yes,no\n"
                    + "Mind Reader,telepathy,identifiers,service_provider,no,no,no\n"
                    + "\n"
                    + "Half Row,crm\n"
                    + "Maybe CRM,crm,identifiers,service_provider,maybe,no,no\n"
                    + "Good CRM,crm,identifiers;contact,service_provider,no,no,no\n", encoding="utf-8")
    return str(path)


def test_bad_rows_give_one_error_record_each_and_the_rest_evaluate(messy):
    result = batch(messy, "--business", BUSINESS, "--jobs", "1")
    assert result.exit_code == 1
    records = jsonl(result)
    assert [r["line"] for r in records] == [2, 3, 4, 5, 6, 7]
    errors = {r["line"]: r["error"] for r in records if "error" in r}
    assert set(errors) == {3, 4, 5, 6}
    assert "inventory.csv:3: kind:" in errors[3] and "'live_chat'" in errors[3]
    assert "inventory.csv:4: empty line" in errors[4]
    assert "2 cells, but the header has 7 columns" in errors[5]
    assert "vendor_uses_data_for_own_purposes: 'maybe'" in errors[6] and "true, yes, false, no" in errors[6]
    good = [r for r in records if "findings" in r]
    assert [r["vendors"] for r in good] == [["Good Chat"], ["Good CRM"]]
    assert "us-ca-cipa.all-party-consent" in {o["id"] for o in good[0]["findings"]["obligations"]}
    assert "6 records read, 2 evaluated, 4 failed" in result.stderr


def test_a_header_without_name_or_kind_names_the_file_and_the_tool_columns(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("vendor,colour\nA,red\nB,blue\n", encoding="utf-8")
    result = batch(str(path), "--business", BUSINESS, "--jobs", "1")
    assert result.exit_code == 1
    records = jsonl(result)
    assert [r["line"] for r in records] == [2, 3]
    for r in records:
        assert "odd.csv" in r["error"] and "no 'kind' column" in r["error"]
        assert "vendor_uses_data_for_own_purposes" in r["error"]
    assert "2 records read, 0 evaluated, 2 failed" in result.stderr


def test_json_lines_with_a_bad_state_code_blank_and_broken_lines(tmp_path):
    good = json.loads(open(EXAMPLES / "chat-tool-ca-mt.json").read())
    bad = json.loads(json.dumps(good))
    bad["states"][1]["code"] = "XX"
    path = tmp_path / "profiles.jsonl"
    path.write_text("\n".join([json.dumps(good), "", json.dumps(bad), "{not json", json.dumps(good)]) + "\n")
    result = batch(str(path), "--jobs", "1")
    assert result.exit_code == 1
    records = jsonl(result)
    assert [(r["line"], "error" in r) for r in records] == [(1, False), (3, True), (4, True), (5, False)]
    assert "profiles.jsonl:3: states[1].code" in records[1]["error"]
    assert "profiles.jsonl:4: JSON syntax error" in records[2]["error"]
    assert "4 records read, 2 evaluated, 2 failed" in result.stderr


def test_folders_files_and_missing_inputs_each_give_records_in_order(tmp_path):
    folder = tmp_path / "profiles"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(EXAMPLES / "customer-service-ct.json", folder / "b.json")
    shutil.copy(EXAMPLES / "chat-tool-ca-mt.json", folder / "sub" / "a.json")
    (folder / "notes.txt").write_text("not a profile")
    (folder / "c.json").write_bytes(b"\xff\xfe not text")
    (tmp_path / "empty").mkdir()
    result = batch(str(folder), str(tmp_path / "empty"), str(tmp_path / "missing.json"), "--jobs", "1")
    records = jsonl(result)
    assert [r["source"].removeprefix(str(tmp_path) + "/") for r in records] == [
        "profiles/b.json", "profiles/c.json", "profiles/sub/a.json", "empty", "missing.json"]
    assert [("error" in r) for r in records] == [False, True, False, True, True]
    assert "cannot read" in records[1]["error"] and "nothing to evaluate" in records[3]["error"]
    assert "no such file" in records[4]["error"]
    assert result.exit_code == 1


def test_stdin_is_json_lines_or_csv():
    profile = json.dumps(json.loads(open(EXAMPLES / "chat-tool-ca-mt.json").read()))
    as_lines = batch("-", "--jobs", "1", input=f"\n{profile}\n")
    assert as_lines.exit_code == 0 and [r["line"] for r in jsonl(as_lines)] == [2]
    as_csv = batch("-", "--business", BUSINESS, "--jobs", "1", input=HEADER + "Pipeline CRM,crm,identifiers,,,,\n")
    assert as_csv.exit_code == 0 and jsonl(as_csv)[0]["vendors"] == ["Pipeline CRM"]


def test_matrix_has_one_row_per_vendor_and_a_column_per_jurisdiction():
    result = batch(VENDORS, "--business", BUSINESS, "--format", "matrix", "--jobs", "1")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    names = [row["name"] for row in csv.DictReader(open(VENDORS, encoding="utf-8"))]
    assert [r["vendors"] for r in rows] == names
    chat = rows[names.index("LiveChat Pro")]
    assert chat["US-CA"].startswith("applies: ") and "us-ca-cipa.all-party-consent" in chat["obligation_ids"]
    assert all(r["US-MT"].startswith("applies: ") and not r["error"] for r in rows)
    assert all(r["US-TX"] == "not served" and r["not_covered"] == "none" for r in rows)


def test_every_format_is_byte_identical_with_one_and_two_jobs(messy, tmp_path):
    profiles = tmp_path / "p.jsonl"
    profiles.write_text(open(EXAMPLES / "customer-service-ct.json").read().replace("\n", "") + "\n")
    odd = tmp_path / "odd.csv"      # a byte that is not UTF-8, an unclosed quote, a formula
    odd.write_bytes(HEADER.encode() + b"Caf\xe9,crm,,,,,\n\"Open,crm,,,,,\n=1+1,crm,,,,,\n")
    for fmt in ["jsonl", "csv", "matrix", "matrix-md", "markdown"]:
        args = [VENDORS, messy, str(profiles), str(odd), "--business", BUSINESS, "--format", fmt]
        one, two = batch(*args, "--jobs", "1"), batch(*args, "--jobs", "2")
        assert one.exit_code == two.exit_code == 1
        assert one.stdout == two.stdout and one.stdout, fmt


def test_output_file_and_bad_rules_folder(tmp_path):
    out = tmp_path / "out.md"
    result = batch(VENDORS, "--business", BUSINESS, "--format", "markdown", "--output", str(out), "--jobs", "1")
    assert result.exit_code == 0 and result.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert "| 21 | " in text and "## Obligations across records" in text and "21 records read" in text
    assert batch(VENDORS, "--business", BUSINESS, "--rules", str(tmp_path / "none")).exit_code == 2


# --- review findings: nothing lost, usage errors before any output, spreadsheet-safe cells ---

GOOD_ROW = b"Good CRM,crm,identifiers;contact,service_provider,no,no,no\n"


def test_a_byte_that_is_not_utf8_fails_its_own_line_only(tmp_path):
    inventory = tmp_path / "latin1.csv"
    inventory.write_bytes(b"\xef\xbb\xbf" + HEADER.encode() + GOOD_ROW
                          + b"Caf\xe9 Chat,live_chat,identifiers,service_provider,no,yes,no\n" + GOOD_ROW)
    profile = json.dumps(json.loads(open(EXAMPLES / "chat-tool-ca-mt.json").read())).encode()
    lines = tmp_path / "latin1.jsonl"
    lines.write_bytes(b"\xef\xbb\xbf" + profile + b"\n\n{\"business\": \"\xff\"}\n" + profile + b"\n")
    for path, numbers, bad in [(inventory, [2, 3, 4], 3), (lines, [1, 3, 4], 3)]:
        result = batch(str(path), "--business", BUSINESS, "--jobs", "1")
        assert result.exit_code == 1, result.output
        records = jsonl(result)
        assert [r["line"] for r in records] == numbers
        assert [r["line"] for r in records if "error" in r] == [bad]
        error = next(r["error"] for r in records if "error" in r)
        assert f"{path.name}:{bad}: not UTF-8 text" in error and "cannot read further" not in error


def test_an_unclosed_quote_fails_every_line_it_swallows_and_the_rest_evaluate(tmp_path):
    path = tmp_path / "quotes.csv"
    path.write_text(HEADER + GOOD_ROW.decode()
                    + '"Open Quote,crm,identifiers,service_provider,no,no,no\n'     # 3: closed on 4
                    + 'Closes",crm,identifiers,service_provider,no,no,no\n'          # 4
                    + GOOD_ROW.decode()                                              # 5
                    + 'Never Closed,"crm,identifiers,service_provider,no,no,no\n'    # 6: runs to the end
                    + GOOD_ROW.decode() + GOOD_ROW.decode(), encoding="utf-8")       # 7, 8
    result = batch(str(path), "--business", BUSINESS, "--jobs", "1")
    records = jsonl(result)
    assert [r["line"] for r in records] == [2, 3, 4, 5, 6, 7, 8]
    assert [r["line"] for r in records if "error" not in r] == [2, 5]
    for r in records[1:3]:
        assert "lines 3-4" in r["error"] and f"quotes.csv:{r['line']}:" in r["error"]
    for r in records[4:]:
        assert "lines 6-8" in r["error"] and "never closed" in r["error"]
    assert "7 records read, 2 evaluated, 5 failed" in result.stderr


def test_stdin_takes_a_pretty_printed_profile_or_array_as_evaluate_does():
    text = open(EXAMPLES / "chat-tool-ca-mt.json").read()
    assert text.count("\n") > 5
    one = batch("-", "--jobs", "1", input=text)
    assert one.exit_code == 0, one.output
    assert [(r["source"], r["line"], "findings" in r) for r in jsonl(one)] == [("<stdin>", None, True)]
    profile = json.loads(text)
    array = json.dumps([profile, {"business": {}}, profile], indent=2)
    many = batch("-", "--jobs", "1", input=array)
    records = jsonl(many)
    assert [("error" in r) for r in records] == [False, True, False]
    assert [r["line"] for r in records] == [n for n, line in enumerate(array.splitlines(), 1) if line == "  {"]
    broken = batch("-", "--jobs", "1", input=text.replace('"states"', '"states" "'))
    assert broken.exit_code == 1 and len(jsonl(broken)) == 1 and "JSON syntax error" in jsonl(broken)[0]["error"]


def test_stdin_is_named_stdin_in_every_record():
    empty = batch("-", "--jobs", "1", input="")
    assert [(r["source"], "nothing to evaluate" in r["error"]) for r in jsonl(empty)] == [("<stdin>", True)]
    assert "<stdin>: nothing to evaluate" in jsonl(empty)[0]["error"]


def test_a_bad_business_file_exits_2_naming_it_before_writing(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("keep me")
    missing = batch(VENDORS, "--business", str(tmp_path / "nope.json"), "--output", str(out))
    assert missing.exit_code == 2 and "nope.json" in missing.stderr and missing.stdout == ""
    data = json.loads(open(BUSINESS).read())
    data["states"][0]["code"] = "ZZ"
    bad = tmp_path / "business.json"
    bad.write_text(json.dumps(data))
    invalid = batch(VENDORS, "--business", str(bad), "--output", str(out))
    assert invalid.exit_code == 2 and "business.json: states[0].code" in invalid.stderr and "'MT'" in invalid.stderr
    bad_rules = batch(VENDORS, "--business", BUSINESS, "--output", str(out), "--rules", str(tmp_path / "none"))
    assert bad_rules.exit_code == 2
    same = batch(str(out), "--output", str(out))
    assert same.exit_code == 2 and "would overwrite or be read as the input" in same.stderr
    inside = batch(str(tmp_path), "--output", str(tmp_path / "findings.json"))
    assert inside.exit_code == 2 and not (tmp_path / "findings.json").exists()
    assert out.read_text() == "keep me"


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised_in_csv_only(tmp_path):
    evil = '=HYPERLINK("http://evil","x")'
    data = json.loads(open(BUSINESS).read())
    data["business"]["name"] = "@SUM(A1)"
    business = tmp_path / "business.json"
    business.write_text(json.dumps(data))
    inventory = tmp_path / "evil.csv"
    inventory.write_text(HEADER + f'"{evil.replace(chr(34), chr(34) * 2)}",crm,identifiers,,,,\n'
                         + "-2+3,crm,identifiers,,,,\n+1,crm,,,,,\n", encoding="utf-8")
    args = [str(inventory), "--business", str(business), "--jobs", "1"]
    for fmt in ["csv", "matrix"]:
        rows = list(csv.DictReader(io.StringIO(batch(*args, "--format", fmt).stdout)))
        assert {r["vendors"] for r in rows} == {"'" + evil, "'-2+3", "'+1"}
        assert {r["business"] for r in rows if r["business"]} == {"'@SUM(A1)"}
        assert all(not value or value[0] not in "=+-@\t\r" for r in rows for value in r.values())
    assert [r["vendors"] for r in jsonl(batch(*args))] == [[evil], ["-2+3"], ["+1"]]
    assert f"| {evil} |" in batch(*args, "--format", "matrix-md").stdout


def test_the_matrix_skips_explanations_but_not_findings(durable):
    """The matrix evaluates without explanations; its cells equal those of fully explained findings."""
    import glob
    from reggi.engine.batch import matrix_cells, obligation_ids
    from reggi.facts.reader import read_profile
    for path in sorted(glob.glob(str(EXAMPLES / "corpus" / "*.json"))):
        profile = read_profile(path)
        full, lean = durable.evaluate(profile), durable.evaluate(profile, explain=False)
        assert [o.id for o in lean.obligations] == [o.id for o in full.obligations]
        assert matrix_cells(lean, ["US-CA", "US-CT", "US-MT"]) == matrix_cells(full, ["US-CA", "US-CT", "US-MT"])
        assert obligation_ids(lean, " ") == obligation_ids(full, " ")


@pytest.mark.parametrize("fmt", ["csv", "markdown", "matrix"])
def test_a_format_that_prints_less_computes_less_and_prints_the_same(monkeypatch, fmt):
    # The CSV, the Markdown report and the matrix skip the explanations they do not print (why,
    # open questions, what comes into force); with every explanation computed they print the same.
    from reggi.engine.batch import WRITERS
    lean = batch(VENDORS, "--business", BUSINESS, "--jobs", "1", "--format", fmt)
    assert WRITERS[fmt].explains is not True
    monkeypatch.setattr(WRITERS[fmt], "explains", True)
    full = batch(VENDORS, "--business", BUSINESS, "--jobs", "1", "--format", fmt)
    assert lean.exit_code == full.exit_code == 0, lean.output
    assert lean.stdout == full.stdout


def test_each_explanation_is_computed_only_when_asked_for(durable):
    """An evaluation computes the explanations it is given and no others; each one asked for alone
    is what the fully explained findings hold (a statute's reasons come with 'why', which quotes
    them); an unknown one is refused, naming those allowed."""
    import dataclasses
    from reggi.engine.evaluate import EXPLANATIONS
    from reggi.facts.reader import read_profile
    profile = read_profile(str(EXAMPLES / "chat-tool-ca-mt.json"))
    full, none = durable.evaluate(profile, "2026-11-26"), durable.evaluate(profile, "2026-11-26", explain=False)
    assert [s.status for s in none.statutes] == [s.status for s in full.statutes]
    assert all(s.reasons for s in full.statutes) and not any(s.reasons for s in none.statutes)
    assert any(o.why for o in full.obligations) and not any(o.why for o in none.obligations)
    only = durable.evaluate(profile, "2026-11-26", explain={"reasons"})
    assert [dataclasses.astuple(s) for s in only.statutes] == [dataclasses.astuple(s) for s in full.statutes]
    assert not any(o.why for o in only.obligations)
    why = durable.evaluate(profile, "2026-11-26", explain={"why"})
    assert [s.reasons for s in why.statutes] == [s.reasons for s in full.statutes]
    assert [o.why for o in why.obligations] == [o.why for o in full.obligations]
    assert "reasons" in EXPLANATIONS
    with pytest.raises(ValueError, match="allowed: .*'reasons'"):
        durable.evaluate(profile, "2026-11-26", explain={"reason"})
