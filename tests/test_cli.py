"""The command line as users and CI call it."""
import json
from pathlib import Path
import subprocess
import sys

import pytest
from click.testing import CliRunner

from reggi.cli import main
from conftest import EXAMPLES, ROOT

CHAT = str(EXAMPLES / "chat-tool-ca-mt.json")
CT = str(EXAMPLES / "customer-service-ct.json")


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def test_chat_example_cites_the_four_laws_the_seed_question_needs():
    result = run("evaluate", CHAT, "--format", "json", "--as-of", "2026-11-26")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    cites = " ".join(c for o in out["obligations"] for c in o["citations"])
    for needle in ["Cal. Bus. & Prof. Code § 22575", "Cal. Civ. Code § 1798.100", "Cal. Penal Code § 631",
                   "Mont. Code Ann. § 30-14-28"]:
        assert needle in cites
    for o in out["obligations"]:
        assert {"id", "jurisdiction", "statute", "title", "citations", "source", "why"} <= set(o)
        assert o["source"].startswith("https://") and o["citations"]
    assert out["obligations"] == sorted(out["obligations"], key=lambda o: (o["jurisdiction"], o["statute"], o["id"]))


def test_montana_applies_from_2025_10_01_not_the_day_before():
    after = json.loads(run("evaluate", CHAT, "--format", "json", "--as-of", "2025-10-01").output)
    before = json.loads(run("evaluate", CHAT, "--format", "json", "--as-of", "2025-09-30").output)
    assert "us-mt-mcdpa" in after["summary"]["statutes_applying"]
    assert "us-mt-mcdpa" not in before["summary"]["statutes_applying"]
    reason = next(n["reason"] for n in before["not_applicable"] if n["statute"] == "us-mt-mcdpa")
    assert "30,000" in reason and "50,000" in reason


def test_connecticut_example_uses_the_ctdpa_and_never_chapter_55():
    for fmt in ["json", "text", "markdown"]:
        result = run("evaluate", CT, "--format", fmt)
        assert result.exit_code == 0
        assert "Conn. Gen. Stat. § 42-5" in result.output
        assert "4-190" not in result.output and "Personal Data Act" not in result.output


def test_two_runs_are_byte_identical_across_processes():
    cmd = [sys.executable, str(ROOT / "cli.py"), "evaluate", CHAT, "--as-of", "2026-01-01", "--format", "json"]
    first = subprocess.run(cmd, capture_output=True, check=True).stdout
    second = subprocess.run(cmd, capture_output=True, check=True).stdout
    assert first == second and first


def test_reference_engine_gives_the_same_output():
    a = run("evaluate", CHAT, "--as-of", "2026-01-01", "--format", "json").output
    b = run("evaluate", CHAT, "--as-of", "2026-01-01", "--format", "json", "--engine", "reference").output
    assert a == b


def test_stdin_profile():
    result = run("evaluate", "-", "--as-of", "2026-01-01", input=open(CHAT).read())
    assert result.exit_code == 0 and "Montana Consumer Data Privacy Act" in result.output


def bad_profile(tmp_path, mutate):
    data = json.loads(open(CHAT).read())
    mutate(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    return run("evaluate", str(path))


def test_unknown_state_exits_2_naming_the_field(tmp_path):
    result = bad_profile(tmp_path, lambda d: d["states"][0].update(code="ZZ"))
    assert result.exit_code == 2
    assert "bad.json" in result.output and "states[0].code" in result.output and "'MT'" in result.output


def test_negative_count_exits_2_naming_the_field(tmp_path):
    result = bad_profile(tmp_path, lambda d: d["states"][1].update(consumers=-5))
    assert result.exit_code == 2 and "states[1].consumers" in result.output and "greater than or equal to 0" in result.output


def test_unknown_data_category_exits_2(tmp_path):
    result = bad_profile(tmp_path, lambda d: d["tools"][0]["collects"].append("dna"))
    assert result.exit_code == 2 and "tools[0].collects[4]" in result.output and "biometric" in result.output


def test_unknown_profile_field_exits_2(tmp_path):
    result = bad_profile(tmp_path, lambda d: d["business"].update(revenue=1))
    assert result.exit_code == 2 and "business.revenue: unknown field" in result.output


def test_json_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "business": {"name": "x",}\n}\n')
    result = run("evaluate", str(path))
    assert result.exit_code == 2 and "broken.json:2" in result.output


def test_bad_rule_file_exits_2_naming_file_and_line(tmp_path):
    rules = tmp_path / "rules"
    (rules / "us").mkdir(parents=True)
    (rules / "us" / "x.toml").write_text('[statute]\nid = "us-xx-x"\nnaem = "X"\n')
    result = run("evaluate", CHAT, "--rules", str(rules))
    assert result.exit_code == 2 and "x.toml:3" in result.output and "unknown field 'naem'" in result.output


def test_bad_date_exits_2():
    assert run("evaluate", CHAT, "--as-of", "2026-13-01").exit_code == 2


def test_schema_rules_and_version():
    schema = json.loads(run("schema").output)
    assert "business" in schema["properties"]
    listing = run("rules", "list").output
    assert "us-mt-mcdpa.processor-contract" in listing
    shown = run("rules", "show", "us-mt-mcdpa")
    assert shown.exit_code == 0 and "25,000 or more Montana consumers" in shown.output
    assert run("rules", "show", "us-zz-nothing").exit_code == 2
    assert run("--version").output.startswith("reggi ")


def test_reggi_test_command_passes_on_the_project_scenarios():
    result = run("test")
    assert result.exit_code == 0, result.output
    assert " 0 failed" in result.output


def test_reggi_test_runs_a_users_own_folder_and_prints_an_actionable_diff(tmp_path):
    # a folder outside the project: profiles (JSON, or TOML with a [business] table) sit beside
    # the scenarios and are found relative to the scenario file, not the working directory
    (tmp_path / "acme.json").write_text(open(CHAT).read())
    (tmp_path / "small.toml").write_text('[business]\nname = "Small"\n[[states]]\ncode = "MT"\nconsumers = 100\n'
                                         'payment_only_consumers = 0\n')
    (tmp_path / "ok.toml").write_text('description = "small"\nas_of = 2026-01-01\nprofile = "small.toml"\n'
                                      '[expect]\nnot_apply = ["us-mt-mcdpa"]\n')
    (tmp_path / "wrong.toml").write_text('description = "wrong on purpose"\nas_of = 2025-09-30\nprofile = "acme.json"\n'
                                         '[expect]\napply = ["us-mt-mcdpa"]\nabsent = ["us-ca-ccpa.privacy-policy"]\n')
    result = run("test", str(tmp_path))
    assert result.exit_code == 1
    assert f"FAIL {tmp_path / 'wrong.toml'}: wrong on purpose (as of 2025-09-30)" in result.output
    assert ("  us-mt-mcdpa\n    expected: applies\n    actual:   not applicable\n"
            "      because: Montana consumers: 30,000 in all, 30,000 not counting payment-only; below the 50,000") in result.output
    assert "  us-ca-ccpa.privacy-policy\n    expected: absent\n    actual:   applies\n      why: " in result.output
    assert result.output.splitlines()[-1] == "1 passed, 1 failed, 2 scenarios"


def test_reggi_test_bad_scenario_exits_2_naming_the_line(tmp_path):
    (tmp_path / "bad.toml").write_text('description = "x"\nas_of = 2026-01-01\nprofile = "nowhere.json"\n[expect]\n')
    result = run("test", str(tmp_path / "bad.toml"))
    assert result.exit_code == 2 and "bad.toml:3: profile file 'nowhere.json' not found" in result.output
    assert run("test", str(tmp_path / "empty")).exit_code == 2


def test_coverage_of_the_project_suite_is_100_percent_of_obligations():
    result = run("test", "--coverage")
    assert result.exit_code == 0, result.output
    assert "Total: 100.0% of obligations fired" in result.output
    assert "never fired" not in result.output


def test_coverage_with_an_unfired_exemption_exits_non_zero(tmp_path):
    scenario = tmp_path / "one.toml"
    scenario.write_text('description = "Montana applies"\nas_of = 2026-01-15\n'
                        f'profile = "{(EXAMPLES / "chat-tool-ca-mt.json").as_posix()}"\n'
                        '[expect]\napply = ["us-mt-mcdpa"]\n')
    plain = run("test", str(scenario))
    assert plain.exit_code == 0, plain.output
    covered = run("test", "--coverage", str(scenario))
    assert covered.exit_code == 1
    assert "exemption hipaa" in covered.output and "rule(s) never fired" in covered.output


def test_output_writes_the_report_whole_and_never_over_an_input(tmp_path):
    import os
    out = tmp_path / "report.md"
    result = run("evaluate", CHAT, "--as-of", "2026-11-26", "--format", "markdown", "--output", str(out))
    assert result.exit_code == 0 and result.output == ""
    assert out.read_text(encoding="utf-8") == run("evaluate", CHAT, "--as-of", "2026-11-26", "--format", "markdown").output
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    profile = tmp_path / "p.json"
    profile.write_text((EXAMPLES / "chat-tool-ca-mt.json").read_text())
    os.link(profile, tmp_path / "alias.json")
    refused = run("evaluate", str(profile), "--output", str(tmp_path / "alias.json"))
    assert refused.exit_code == 2 and "would overwrite or be read as the input" in refused.output
    assert (tmp_path / "alias.json").read_text() == profile.read_text()
    for command in ("evaluate", "ask", "batch", "diff", "schema"):   # every command that writes a report
        assert "--output" in run(command, "--help").output, command


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_the_command_reports_output_it_cannot_write_and_ends_quietly_when_the_reader_stops():
    # The reggi command ends with os._exit once its output is flushed (cli.run): a full disk is
    # an error line and exit 1, not a traceback or a silent cut; a reader that stops early is 141.
    cmd = [sys.executable, str(ROOT / "cli.py"), "evaluate", CHAT, "--as-of", "2026-11-26"]
    with open("/dev/full", "w") as full:
        done = subprocess.run(cmd, stdout=full, stderr=subprocess.PIPE, text=True)
    assert done.returncode == 1 and done.stderr.startswith("error: cannot write the output:")
    assert "Traceback" not in done.stderr
    whole = subprocess.run(cmd, capture_output=True, text=True)
    assert whole.returncode == 0 and whole.stdout.endswith("\n") and whole.stderr == ""
    reader = subprocess.Popen(cmd + ["--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader.stdout.read(10)
    reader.stdout.close()       # the reader stops: the rest cannot be written
    assert reader.wait() in (0, 141) and b"Traceback" not in reader.stderr.read()
