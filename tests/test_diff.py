"""reggi diff: the same profiles under two rule bases name exactly the profiles whose findings change."""
import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from reggi.cli import main
from conftest import EXAMPLES, ROOT

CORPUS = str(EXAMPLES / "corpus")
RULES = str(ROOT / "rules")


def diff(*args):
    return CliRunner().invoke(main, ["diff", "--as-of", "2026-11-26", *args])


@pytest.fixture
def montana_at_50000(tmp_path):
    """A copy of the rules with Montana's consumer threshold from 2025-10-01 set back to 50,000."""
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    path = copy / "us" / "mt" / "mcdpa.toml"
    text = path.read_text(encoding="utf-8")
    old = 'from = 2025-10-01\nwhen = "state.consumers >= 25000 and state.consumers_excluding_payment >= 25000"'
    assert text.count(old) == 1
    path.write_text(text.replace(old, old.replace("25000", "50000")), encoding="utf-8")
    return str(copy)


def test_montana_threshold_change_names_exactly_the_profiles_it_moves(montana_at_50000):
    result = diff("--base", RULES, "--head", montana_at_50000, CORPUS, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    changed = {p["record"].rsplit("/", 1)[1]: p for p in report["profiles"]}
    # 25,000 to 49,999 Montana consumers (not counting payment-only) flip; 52,000 still applies, and
    # only the explanation, which quotes the threshold, changes: the statute's reasons and the basis
    # of its obligations. Under 25,000, the data broker (the
    # revenue test), the HIPAA-exempt clinic and the profiles without Montana do not move.
    flipped = {"ca-mt-marketplace-26700000.json", "mt-outdoor-retailer-30k.json",
               "mt-ranch-supply-exactly-25k.json", "multi-state-nonprofit-45k.json"}
    assert set(changed) == flipped | {"mt-contact-center-52k.json"}
    for name in flipped:
        p = changed[name]
        assert [(f["statute"], f["base"], f["head"]) for f in p["statutes"]] == [("us-mt-mcdpa", "applies", "not_applicable")]
        assert p["removed"] and all(o["id"].startswith("us-mt-mcdpa.") for o in p["removed"])
        assert not p["added"] and not p["changed"]
    steady = changed["mt-contact-center-52k.json"]
    assert not steady["statutes"] and not steady["removed"]
    assert {c["id"].split(".")[0] for c in steady["changed"]} == {"us-mt-mcdpa"}
    assert all(set(c["fields"]) == {"basis"} for c in steady["changed"])
    assert [(s["id"], set(s["fields"])) for s in steady["statutes_changed"]] == [("us-mt-mcdpa", {"reasons"})]
    assert report["totals"]["changed"] == 5 and report["totals"]["profiles"] == 13


def test_check_exits_1_on_a_change_and_the_text_names_the_profiles(montana_at_50000):
    result = diff("--base", RULES, "--head", montana_at_50000, CORPUS, "--check")
    assert result.exit_code == 1
    assert "mt-outdoor-retailer-30k.json" in result.stdout and "applies -> not_applicable" in result.stdout
    assert "tx-only-retailer.json" not in result.stdout and "mt-ski-rental" not in result.stdout
    assert "Totals: 5 of 13 profiles changed (5 with existing findings moved" in result.stdout
    markdown = diff("--base", RULES, "--head", montana_at_50000, CORPUS, "--format", "markdown")
    assert markdown.exit_code == 0 and "corpus/mt-outdoor-retailer-30k.json (Big Sky" in markdown.stdout
    assert "- Removed `us-mt-mcdpa.processor-contract`" in markdown.stdout


def test_identical_rules_exit_0_and_say_so(tmp_path):
    shutil.copytree(RULES, tmp_path / "same")
    result = diff("--base", RULES, "--head", str(tmp_path / "same"), CORPUS, "--check")
    assert result.exit_code == 0, result.output
    assert "No changes: the 13 profiles evaluated give the same findings with both rule bases." in result.stdout


def test_git_revision_as_base_and_head():
    inside = subprocess.run(["git", "-C", RULES, "rev-parse", "HEAD"], capture_output=True)
    if inside.returncode:
        pytest.skip("not a git checkout")
    result = diff("--base", "HEAD", "--head", "HEAD", str(EXAMPLES / "chat-tool-ca-mt.json"), "--check")
    assert result.exit_code == 0, result.output
    assert f"base: HEAD ({inside.stdout.decode()[:10]})" in result.stdout


def test_unknown_revision_and_unreadable_profiles_exit_2(tmp_path):
    bad_rev = diff("--base", "no-such-revision-xyz", CORPUS)
    assert bad_rev.exit_code == 2 and "neither a folder of rule files nor a git revision" in bad_rev.output
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    result = diff("--base", RULES, "--head", RULES, str(broken), "--check")
    text = " ".join(result.stdout.split())
    assert result.exit_code == 2 and "broken.json:1: JSON syntax error" in text
    assert "Nothing compared: none of the 1 profiles could be read." in text


def _edited_rules(tmp_path, *edits):
    """A copy of the rules with (rule file, old, new) edits, each old text found once."""
    copy = tmp_path / "edited"
    shutil.copytree(RULES, copy)
    for file, old, new in edits:
        path = copy / file
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        path.write_text(text.replace(old, new), encoding="utf-8")
    return str(copy)


def test_a_changed_reason_why_a_statute_does_not_apply_is_reported(tmp_path):
    old = 'not counting payment-only; below the 25,000 threshold"'
    head = _edited_rules(tmp_path, ("us/mt/mcdpa.toml", old, old.replace("threshold", "threshold of § 30-14-2803(1)(a)")))
    result = diff("--base", RULES, "--head", head, str(EXAMPLES / "corpus" / "mt-ski-rental-just-under-25k.json"),
                  "--format", "json", "--check")
    assert result.exit_code == 1, result.output
    [profile] = json.loads(result.stdout)["profiles"]
    [statute] = profile["statutes_changed"]
    assert statute["id"] == "us-mt-mcdpa" and set(statute["fields"]) == {"reasons"}
    assert "§ 30-14-2803(1)(a)" in " ".join(statute["fields"]["reasons"]["head"])
    text = diff("--base", RULES, "--head", head, str(EXAMPLES / "corpus" / "mt-ski-rental-just-under-25k.json"))
    assert "~ changed us-mt-mcdpa" in text.stdout and "Totals: 1 of 1 profiles changed" in text.stdout
    assert "0 statute(s) flipped, 1 changed without flipping" in text.stdout


def test_verified_source_and_basis_changes_are_reported(tmp_path):
    source = 'source = "https://mca.legmt.gov/bills/mca/title_0300/chapter_0140/part_0280/section_0030/0300-0140-0280-0030.html"'
    test = 'test = "controls or processes personal data of 25,000 or more Montana consumers, not counting payment-only data"'
    policy = 'id = "post-privacy-policy"\n'
    head = _edited_rules(tmp_path, ("us/mt/mcdpa.toml", source, source.replace("https://", "https://www.")),
                         ("us/mt/mcdpa.toml", test, test.replace("consumers,", "consumers in a calendar year,")),
                         ("us/ca/caloppa.toml", policy, policy + 'verified = false\n'),
                         ("us/ca/caloppa.toml", 'note = "§ 22576 makes', 'note = "Not read. § 22576 makes'))
    result = diff("--base", RULES, "--head", head, str(EXAMPLES / "corpus" / "mt-outdoor-retailer-30k.json"),
                  "--format", "json")
    [profile] = json.loads(result.stdout)["profiles"]
    changed = {c["id"]: set(c["fields"]) for c in profile["changed"]}
    assert changed["us-mt-mcdpa.data-minimisation"] == {"source", "basis"}
    assert changed["us-ca-caloppa.post-privacy-policy"] == {"verified", "note"}
    assert {"source", "reasons"} <= set(profile["statutes_changed"][0]["fields"])


def test_when_every_profile_fails_nothing_is_said_to_be_unchanged(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    result = diff("--base", RULES, "--head", RULES, str(broken), str(tmp_path / "missing.json"))
    assert result.exit_code == 2
    assert "No changes" not in result.stdout
    assert "Nothing compared: none of the 2 profiles could be read." in result.stdout


def test_a_missing_business_file_exits_2_naming_it(tmp_path):
    result = diff("--base", RULES, "--head", RULES, CORPUS, "--business", str(tmp_path / "nope.json"))
    assert result.exit_code == 2 and "nope.json: no such file" in result.stderr and result.stdout == ""


def test_a_new_statute_is_told_apart_from_moved_findings_and_does_not_fail_check(tmp_path):
    head = tmp_path / "head"
    shutil.copytree(RULES, head)
    (head / "us" / "zz").mkdir()
    (head / "us" / "zz" / "new.toml").write_text(
        '[statute]\nid = "us-tx-newact"\nname = "Texas New Act"\njurisdiction = "US-TX"\n'
        'citation = "Tex. Code § 1"\nsource = "https://example.org/tx"\nin_force = 2020-01-01\n'
        '[[applies]]\nid = "any-business"\nwhen = "business.annual_revenue_usd >= 0"\ntest = "any business"\ncite = "Tex. Code § 1(a)"\n'
        '[[obligations]]\nid = "notice"\ntitle = "Give notice"\naction = "Do it."\ncite = ["Tex. Code § 2(a)"]\nin_force = 2020-01-01\n')
    result = diff("--base", RULES, "--head", str(head), CORPUS, "--check")
    assert result.exit_code == 0, result.output
    assert "0 with existing findings moved" in result.stdout and "only by statutes the head adds" in result.stdout
    assert "tx-only-retailer.json" in result.stdout
