"""reggi batch: every input record gives exactly one output record, in input order, whatever --jobs."""
import csv
import io
import json
import shutil

import pytest
from click.testing import CliRunner

from cli import main
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


def test_unknown_column_names_the_file_the_column_and_the_allowed_ones(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("name,kind,colour\nA,crm,red\nB,survey,blue\n", encoding="utf-8")
    result = batch(str(path), "--business", BUSINESS, "--jobs", "1")
    assert result.exit_code == 1
    records = jsonl(result)
    assert [r["line"] for r in records] == [2, 3]
    for r in records:
        assert "odd.csv" in r["error"] and "unknown column 'colour'" in r["error"]
        assert "vendor_uses_data_for_own_purposes" in r["error"]
    assert "2 records read, 0 evaluated, 2 failed" in result.stderr


def test_bad_state_code_in_the_business_file_fails_each_row_naming_the_field(tmp_path):
    data = json.loads(open(BUSINESS).read())
    data["states"][0]["code"] = "ZZ"
    bad = tmp_path / "business.json"
    bad.write_text(json.dumps(data))
    result = batch(VENDORS, "--business", str(bad), "--jobs", "1")
    assert result.exit_code == 1
    records = jsonl(result)
    assert records and all("business.json: states[0].code" in r["error"] and "'MT'" in r["error"] for r in records)


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
    assert chat["US-CA"].split(":")[0].isdigit() and "us-ca-cipa.all-party-consent" in chat["US-CA"]
    assert all(r["US-MT"] and not r["error"] for r in rows)


def test_every_format_is_byte_identical_with_one_and_two_jobs(messy, tmp_path):
    profiles = tmp_path / "p.jsonl"
    profiles.write_text(open(EXAMPLES / "customer-service-ct.json").read().replace("\n", "") + "\n")
    for fmt in ["jsonl", "csv", "matrix", "matrix-md", "markdown"]:
        args = [VENDORS, messy, str(profiles), "--business", BUSINESS, "--format", fmt]
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
