"""Input a hostile or careless user may give: deep nesting (issue 20.4), control characters in
names written to CSV and Markdown (20.6), folder entries that are not profile files (20.7)."""
import csv
import io
import json
import os
import shutil

import pytest
from click.testing import CliRunner

from reggi.cli import main
from conftest import EXAMPLES, ROOT
from reggi.facts.reader import MAX_DEPTH

CHAT = (EXAMPLES / "chat-tool-ca-mt.json").read_text()


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def no_traceback(result):
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


def nested(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 1_000, 100_000])
def test_deep_json_lines_fail_their_own_record_only(tmp_path, levels):
    source = tmp_path / "in.jsonl"
    source.write_text(f"{json.dumps(json.loads(CHAT))}\n{nested(levels)}\n{'[' * levels}{']' * levels}\n"
                      f"{json.dumps(json.loads(CHAT))}\n")
    for spec, stdin in ((str(source), None), ("-", source.read_text())):
        result = run("batch", spec, "--jobs", "1", input=stdin)
        no_traceback(result)
        records = [json.loads(line) for line in result.stdout.splitlines()]
        assert ["findings" in r for r in records] == [True, False, False, True]
        assert all(f"nested more than {MAX_DEPTH} levels" in r["error"] for r in records[1:3])


def test_a_profile_within_the_depth_limit_is_read(tmp_path):
    # The deepest a profile nests is 3 (tools[0].collects[0]); MAX_DEPTH leaves room.
    assert MAX_DEPTH >= 8
    source = tmp_path / "p.json"
    source.write_text(CHAT)
    assert run("evaluate", str(source)).exit_code == 0


def test_deep_profile_scenario_and_rule_files_are_clean_errors(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text(nested(5_000))
    result = run("evaluate", str(deep))
    no_traceback(result)
    assert result.exit_code == 2 and f"{deep}: nested more than" in result.stderr
    scenario = tmp_path / "deep.toml"
    scenario.write_text("x = " + "[" * 5_000 + "]" * 5_000 + "\n")
    result = run("test", str(scenario))
    no_traceback(result)
    assert result.exit_code == 2 and f"{scenario}: nested more than" in result.stderr
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    (rules / "us" / "mt" / "deep.toml").write_text("x = " + "[" * 5_000 + "]" * 5_000 + "\n")
    result = run("rules", "lint", "--rules", str(rules))
    no_traceback(result)
    assert result.exit_code == 1 and "deep.toml" in result.output and "nested more than" in result.output
    result = run("evaluate", str(EXAMPLES / "chat-tool-ca-mt.json"), "--rules", str(rules))
    no_traceback(result)
    assert result.exit_code == 2 and "deep.toml: nested more than" in result.stderr


# --- control characters in CSV and Markdown ------------------------------------------------------

HOSTILE = ["Cr\r=HYPERLINK(\"http://x\")", "Esc\x1b[31m", "Nul\x00", "Nel\x85", "\tTab", "\r=1+1", "Lf\nx"]


@pytest.mark.parametrize("fmt", ["csv", "matrix"])
def test_control_characters_never_start_a_row_or_hide_a_formula(tmp_path, fmt):
    data = json.loads(CHAT)
    data["tools"] = [{"name": n, "kind": "live_chat"} for n in HOSTILE]
    data["business"]["name"] = "Biz\rCo"
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(data) + "\n")
    result = run("batch", str(source), "--format", fmt, "--jobs", "1")
    assert result.exit_code == 0
    assert "\r" not in result.stdout and "\x1b" not in result.stdout and "\x00" not in result.stdout
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert all(len(row) == len(rows[0]) for row in rows)
    assert len(rows) >= 2
    for row in rows[1:]:
        assert row[3] == "Biz\\rCo"
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
    assert "Cr\\r=HYPERLINK" in rows[1][4] and "Esc\\x1b[31m" in rows[1][4] and "Lf\nx" in rows[1][4]


def test_control_characters_are_escaped_in_markdown(tmp_path):
    data = json.loads(CHAT)
    data["tools"] = [{"name": n, "kind": "live_chat"} for n in HOSTILE]
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(data) + "\n")
    for fmt in ("markdown", "matrix-md"):
        result = run("batch", str(source), "--format", fmt, "--jobs", "1")
        assert "\r" not in result.stdout and "\x1b" not in result.stdout
        row = next(line for line in result.stdout.splitlines() if "Cr\\r" in line)
        assert row.startswith("| ") and row.endswith(" |")


# --- folder entries that are not profile files -----------------------------------------------------

def test_every_folder_entry_named_like_a_profile_is_a_record(tmp_path):
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / "a.json").write_text(CHAT)
    (root / "sub" / "b.json").write_text(CHAT)
    os.symlink(tmp_path / "nowhere.json", root / "dangling.json")
    os.symlink("self.json", root / "self.json")
    os.symlink("..", root / "sub" / "loop")
    os.mkfifo(root / "pipe.json")
    (root / "notes.txt").write_text("not a profile")
    result = run("batch", str(root), "--jobs", "1")
    no_traceback(result)
    records = {os.path.relpath(r["source"], root): r for r in map(json.loads, result.stdout.splitlines())}
    assert sorted(records) == ["a.json", "dangling.json", "pipe.json", "self.json", "sub/b.json", "sub/loop"]
    assert "findings" in records["a.json"] and "findings" in records["sub/b.json"]
    assert "dangling link" in records["dangling.json"]["error"]
    assert "named pipe (FIFO)" in records["pipe.json"]["error"]
    assert "symbolic links" in records["self.json"]["error"]
    assert "second path to a folder already read" in records["sub/loop"]["error"]
    assert result.exit_code == 1


def test_an_unreadable_subfolder_is_a_record(tmp_path, monkeypatch):
    root = tmp_path / "in"
    (root / "locked").mkdir(parents=True)
    (root / "a.json").write_text(CHAT)
    (root / "locked" / "c.json").write_text(CHAT)
    real = os.scandir

    def scandir(path):     # as for a folder without read permission (the suite may run as root)
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real(path)
    monkeypatch.setattr("reggi.facts.inventory.os.scandir", scandir)
    result = run("batch", str(root), "--jobs", "1")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [os.path.relpath(r["source"], root) for r in records] == ["a.json", "locked"]
    assert "cannot read this folder: Permission denied" in records[1]["error"]


def test_json_lines_records_hold_no_character_a_line_reader_breaks_at(tmp_path):
    data = json.loads(CHAT)
    data["tools"] = [{"name": "A\u2028B\u2029C\x85D", "kind": "live_chat"}]
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run("batch", str(source), "--jobs", "1")
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["vendors"] == ["A\u2028B\u2029C\x85D"]
