"""reggi batch with real vendor spreadsheets (issue 19 items 5-6, issue 17 item 1): extra columns
passed through, human labels, money, one usage error without --business, readable CSV and matrix
outputs, "not covered" / "not served" cells, the spreadsheet-size warning and the progress line."""
import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reggi.cli import main
from conftest import EXAMPLES

HERE = Path(__file__).parent
REAL = str(HERE / "inventories" / "vendors-40.csv")     # 40 vendors, human labels, an "owner" column
BUSINESS = str(EXAMPLES / "business.json")


def batch(*args, input=None):
    return CliRunner().invoke(main, ["batch", "--as-of", "2026-11-26", *args], input=input)


def rows_of(result) -> list[dict]:
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_a_real_40_vendor_inventory_evaluates_with_no_error_rows_and_keeps_its_owner_column():
    result = batch(REAL, "--business", BUSINESS, "--jobs", "1")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 40 and all("findings" in r for r in records)
    owners = [row["owner"] for row in csv.DictReader(open(REAL, encoding="utf-8"))]
    assert [r["extra"] for r in records] == [{"owner": o} for o in owners]
    assert result.stderr.count("note: inventory column 'owner' is not a tool or business fact") == 1
    assert "40 records read, 40 evaluated, 0 failed" in result.stderr
    first = records[0]["findings"]["obligations"]
    chat = next(o for o in first if o["id"] == "us-ca-cipa.all-party-consent")
    assert chat["tools"] == ["Vendor 01"]


def test_the_csv_lists_business_wide_duties_once_and_says_what_a_conditional_row_depends_on():
    result = batch(REAL, "--business", BUSINESS, "--format", "csv", "--jobs", "1")
    assert result.exit_code == 0, result.output
    rows = rows_of(result)
    assert list(rows[0])[:6] == ["record", "source", "line", "business", "vendors", "owner"]
    assert {"scope", "basis", "action", "conditions"} <= set(rows[0])
    assert not [r for r in rows if r["status"] == "error"]
    wide = [(r["obligation"], r["status"]) for r in rows if r["scope"] == "business-wide"]
    assert wide and len(wide) == len(set(wide))             # once per business, not once per vendor
    assert all(not r["for_tools"] for r in rows if r["scope"] == "business-wide")
    vendor = [r for r in rows if r["scope"] == "per vendor"]
    assert {r["vendors"] for r in vendor} == {f"Vendor {n:02d}" for n in range(1, 41)}    # every vendor appears
    assert all(r["for_tools"] == r["vendors"] for r in vendor if r["status"] != "none")
    conditional = [r for r in rows if r["status"] == "conditional"]
    assert conditional and all(r["conditions"] for r in conditional)
    assert all(r["action"] for r in rows if r["status"] in ("applies", "conditional"))
    assert {r["basis"] for r in rows if r["obligation"]} >= {"statute", "litigation risk (recommended)"}
    assert {r["owner"] for r in rows} >= {"Support", "'=cmd"}      # passed through, made safe


def test_human_labels_any_case_and_punctuation_are_read_as_the_vocabulary(tmp_path):
    from reggi.facts.inventory import read_records
    from reggi.facts.reader import read_profile
    path = tmp_path / "labels.csv"
    path.write_text("Tool,Type,Data the tool collects,Role,Automated agent,Annual Revenue,cost centre\n"
                    'Chat,"Live Chat","Contact details; Chat transcripts",Service Provider,Y,$45M,CC-1\n'
                    "Bot,ai-chatbot,identifiers,THIRD PARTY,TRUE,\"45,000,000\",CC-2\n"
                    "Pixel,Advertising pixel,None,third_party,no,,\n", encoding="utf-8")
    records = list(read_records([str(path)], read_profile(BUSINESS)))
    tools = [r.profile.tools[0] for r in records]
    assert [t.kind.value for t in tools] == ["live_chat", "ai_chatbot", "ad_pixel"]
    assert set(tools[0].collects) == {"contact", "communications_content"} and tools[2].collects == []
    assert [t.vendor_role.value for t in tools] == ["service_provider", "third_party", "third_party"]
    assert [t.automated_agent for t in tools] == [True, True, False]
    assert [r.profile.business.annual_revenue_usd for r in records] == [45_000_000, 45_000_000, 31_000_000]
    assert [r.extra for r in records] == [(("cost centre", "CC-1"),), (("cost centre", "CC-2"),), (("cost centre", ""),)]


@pytest.mark.parametrize("column,cell,allowed", [
    ("kind", "Fax machine", "'live_chat' (live chat (human agents))"),
    ("vendor_role", "Reseller", "'service_provider' (service provider / processor)"),
    ("collects", "contact;shoe size", "'contact' (contact details (email, phone, address))"),
    ("automated_agent", "maybe", "true, yes, false, no"),
    ("annual_revenue_usd", "lots", "$45M"),
])
def test_a_bad_value_is_echoed_with_the_allowed_ones(tmp_path, column, cell, allowed):
    row = {"name": "X", "kind": "crm", column: cell}
    path = tmp_path / "bad.csv"
    path.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n", encoding="utf-8")
    result = batch(str(path), "--business", BUSINESS, "--jobs", "1")
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    bad = cell.split(";")[-1]
    assert f"bad.csv:2: {column}: {bad!r}" in error and allowed in error


def test_a_csv_inventory_without_business_is_one_usage_error(tmp_path):
    out = tmp_path / "out.csv"
    result = batch(REAL, "--jobs", "1", "--output", str(out))
    assert result.exit_code == 2 and result.stdout == "" and not out.exists()
    assert result.stderr.count("error:") == 1 and "needs --business FILE" in result.stderr
    piped = batch("-", "--jobs", "1", input=open(REAL, encoding="utf-8").read())
    assert piped.exit_code == 2 and piped.stdout == "" and piped.stderr.count("error:") == 1
    assert "needs --business FILE" in piped.stderr


@pytest.fixture
def wyoming(tmp_path):
    """The example business, also serving Wyoming (no rule file) and not Texas."""
    data = json.loads(open(BUSINESS).read())
    data["states"].append({"code": "WY", "consumers": 1000})
    path = tmp_path / "business-wy.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_a_served_state_without_rule_file_says_not_covered_in_csv_and_matrix(wyoming):
    vendors = str(EXAMPLES / "vendors.csv")
    rows = rows_of(batch(vendors, "--business", wyoming, "--format", "csv", "--jobs", "1"))
    wy = [r for r in rows if r["jurisdiction"] == "US-WY"]
    assert len(wy) == 1 and wy[0]["status"] == "not covered" and wy[0]["scope"] == "business-wide"
    assert "Wyoming" in wy[0]["title"]
    matrix = rows_of(batch(vendors, "--business", wyoming, "--format", "matrix", "--jobs", "1"))
    assert all(r["not_covered"] == "US-WY" for r in matrix)
    assert all(r["US-TX"] == "not served" for r in matrix)
    assert all(r[j] for r in matrix for j in r if j.startswith("US")), "no empty jurisdiction cell"
    md = batch(vendors, "--business", wyoming, "--format", "matrix-md", "--jobs", "1").stdout
    assert "| US-WY |" in md and "not served" in md


def test_matrix_cells_are_words_with_counts_and_the_ids_are_kept_apart():
    result = batch(str(EXAMPLES / "vendors.csv"), "--business", BUSINESS, "--format", "matrix", "--jobs", "1")
    rows = rows_of(result)
    cells = {r[j] for r in rows for j in r if j.startswith("US")}
    words = {"applies", "may apply", "recommended"}
    for cell in cells - {"not served", "not applicable"}:
        assert all(part.split(": ")[0] in words and part.split(": ")[1].isdigit() for part in cell.split("; ")), cell
    assert all(len(r["US-CA"]) < 60 for r in rows)
    assert "us-ca-ccpa.privacy-policy" in rows[0]["obligation_ids"]
    md = batch(str(EXAMPLES / "vendors.csv"), "--business", BUSINESS, "--format", "matrix-md", "--jobs", "1").stdout
    assert "applies: " in md and "## Obligations" in md and "`us-ca-ccpa.privacy-policy`" in md
    table = [line for line in md.splitlines() if line.startswith("| 1 |")]
    assert table and "us-ca-ccpa.privacy-policy" not in table[0]


def test_a_run_larger_than_a_spreadsheet_warns_before_writing_and_says_how_to_split(monkeypatch):
    monkeypatch.setattr("reggi.engine.batch.SPREADSHEET_ROWS", 30)
    result = batch(REAL, "--business", BUSINESS, "--format", "matrix", "--jobs", "1")
    assert result.exit_code == 0
    assert "will have about 41 rows, more than a spreadsheet opens (30)" in result.stderr
    assert "split" in result.stderr
    csv_run = batch(REAL, "--business", BUSINESS, "--format", "csv", "--jobs", "1")
    assert csv_run.stderr.count("has passed") == 1 and "Split the input" in csv_run.stderr
    small = batch(str(EXAMPLES / "vendors.csv"), "--business", BUSINESS, "--format", "jsonl", "--jobs", "1")
    assert "warning" not in small.stderr


def test_the_progress_line_shows_the_total_and_time_left_when_the_input_size_is_known():
    from reggi.engine.batch import Progress, Totals
    from reggi.facts.inventory import count_records
    assert count_records([REAL, str(EXAMPLES / "vendors.csv")]) == 61
    assert count_records([REAL, "-"]) is None
    totals = Totals(read=10)
    known = Progress(io.StringIO(), 40)
    line = known.line(totals, known.start + 2.0)
    assert "10 of about 40 records (25%)" in line and "5/s" in line and "about 6 s left" in line
    unknown = Progress(io.StringIO())
    assert "of about" not in unknown.line(totals, unknown.start + 2.0)


def test_csv_and_matrix_with_extra_columns_are_byte_identical_with_one_and_two_jobs(wyoming):
    for fmt in ["jsonl", "csv", "matrix", "matrix-md"]:
        args = [REAL, str(EXAMPLES / "vendors.csv"), "--business", wyoming, "--format", fmt]
        one, two = batch(*args, "--jobs", "1"), batch(*args, "--jobs", "2")
        assert one.exit_code == two.exit_code == 0
        assert one.stdout == two.stdout and one.stdout, fmt
