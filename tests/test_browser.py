"""reggi serve in a real browser: headless Chromium (the system's /usr/bin/chromium, driven by
Playwright) against a server the tests start. Skipped, with the reason, where either is missing.

REGGI_SCREENSHOTS=DIR saves screenshots of the three main pages there (docs/ holds them)."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reggi.cli import main
from conftest import EXAMPLES

CHROMIUM = "/usr/bin/chromium"
if not Path(CHROMIUM).exists() and os.environ.get("REGGI_REQUIRE_BROWSER"):
    pytest.fail(f"REGGI_REQUIRE_BROWSER is set (.ci/run sets it) but there is no Chromium at {CHROMIUM}", pytrace=False)
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium (apt-get install chromium) to run the "
                "browser tests; .ci/run does", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed "
                               "(pip install -e '.[test]')")

AS_OF = "2026-11-26"
SEED = ("Can I use third-party chat tools that collect personal information in California and Montana? "
        "What are the requirements?")
EVIL = "<img src=x onerror=alert(1)>"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
SHOTS = os.environ.get("REGGI_SCREENSHOTS")

# The seed dialogue's answers, by the profile path each question asks (as tests/test_ask.py types them).
TYPICAL = {
    "business.annual_revenue_usd": "30000000",
    "states.MT.consumers": "30000",
    "states.MT.payment_only_consumers": "0",
    "business.percent_revenue_from_selling_data": "0",       # asked when Montana's count is unknown
    "business.percent_revenue_from_selling_or_sharing": "0",
    "collects": ["identifiers", "contact", "communications_content"],
    "vendor_role": "service_provider",
}
TICKED = {"captures_in_real_time"}      # checklist items that are true; every other item is false


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        # Playwright gives each launch a fresh, empty profile (user data dir).
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS, timeout=180_000)
        yield b
        b.close()


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def page(request, browser):
    context = browser.new_context(java_script_enabled=request.param, accept_downloads=True,
                                  viewport={"width": 1100, "height": 800})
    context.set_default_timeout(120_000)      # a loaded CI machine is slow; a real failure still fails
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.js = request.param
    yield pg
    assert pg.dialogs == [], "a page ran a script a user typed"
    context.close()


def submit(page, selector: str) -> None:
    """Click a button that posts its form, and wait for the page it leads to: a check made before
    that page has loaded would read the old one (or none)."""
    with page.expect_navigation(wait_until="load"):
        page.click(selector)


def field(path: str) -> str:
    return path.rsplit(".", 1)[1]


def ask_seed(page, server_url, business="", tool_name=""):
    page.goto(server_url + "/")
    page.fill("#question", SEED)
    page.locator("details summary").click()
    page.fill("#as_of", AS_OF)
    submit(page, "button.primary")
    assert page.input_value("#states") == "CA, MT"
    if business:
        page.fill("#business", business)
    if tool_name:
        page.fill("input[name=tool_name_0]", tool_name)
    submit(page, "button.primary")


def question(page) -> tuple[list[str], str]:
    h1 = page.locator("#qtext")
    return json.loads(h1.get_attribute("data-paths")), h1.get_attribute("data-kind")


def answer(page, answers=TYPICAL, ticked=TICKED):
    """Answer the question on the page from ``answers`` (by path, or by field name for tools)."""
    paths, kind = question(page)
    if kind == "checklist":
        for i, p in enumerate(paths):
            if field(p) in ticked:
                page.check(f"input[name=value][value='{i + 1}']")
    else:
        value = answers.get(paths[0], answers.get(field(paths[0])))
        assert value is not None, f"unexpected question on {paths}"
        if kind == "set":
            for v in value:
                page.check(f"input[name=value][value='{v}']")
        elif kind == "enum":
            page.check(f"input[name=value][value='{value}']")
        else:
            page.fill("#value", value)
    submit(page, "button[value=answer]")


def answer_all(page, answers=TYPICAL, limit=12) -> int:
    asked = 0
    while page.locator("#qtext").count():
        answer(page, answers)
        asked += 1
        assert asked <= limit
        assert not page.locator(".problem").count(), page.locator(".problem").inner_text()
    return asked


def download(page, button) -> bytes:
    with page.expect_download() as info:
        page.click(button)
    return Path(info.value.path()).read_bytes()


def test_seed_question_end_to_end_matches_reggi_ask(page, server_url, tmp_path):
    ask_seed(page, server_url)
    if SHOTS and page.js:
        page.screenshot(path=f"{SHOTS}/serve-question.png")
    asked = answer_all(page)
    assert 1 <= asked <= 8
    assert "yes, with requirements" in page.inner_text("#headline")
    assert page.locator("#print").is_visible() == page.js       # the only scripted part
    if SHOTS and page.js:
        page.screenshot(path=f"{SHOTS}/serve-answer.png")
    saved = tmp_path / "answers.json"
    saved.write_bytes(download(page, "form[action$='/answers'] button"))
    via_ask = CliRunner().invoke(main, ["ask", "--answers", str(saved), "--as-of", AS_OF, "--format", "json"])
    assert via_ask.exit_code == 0, via_ask.output
    expected = json.loads(via_ask.stdout)
    web = json.loads(download(page, "form[action$='/json'] button"))
    assert web["obligations"] == expected["obligations"]
    shown = page.locator(".obligation").evaluate_all("els => els.map(e => e.id)")
    assert shown == [o["id"] for o in expected["obligations"]]
    # the downloads are the CLI's bytes
    evaluated = CliRunner().invoke(main, ["evaluate", str(saved), "--format", "markdown"])
    assert download(page, "form[action$='/markdown'] button") == evaluated.stdout_bytes


def test_answer_page_cites_pinpoints_linked_to_the_official_source(page, server_url):
    ask_seed(page, server_url)
    answer_all(page)
    rules = json.loads(CliRunner().invoke(main, ["evaluate", str(EXAMPLES / "chat-tool-ca-mt.json"),
                                                 "--format", "json", "--as-of", AS_OF]).stdout)
    sources = {s["statute"]: s["source"] for s in rules["statutes"]}
    cite = page.locator("#us-mt-mcdpa .citation", has_text="Mont. Code Ann. § 30-14-2813(2)").first
    assert cite.get_attribute("href") == sources["us-mt-mcdpa"] and cite.get_attribute("href").startswith("https://")
    assert page.locator(".citation", has_text="Cal. Penal Code § 631(a)").count() >= 1
    assert page.locator("#US-CA h3").first.is_visible() and page.locator("#US-MT").count() == 1
    assert "not legal advice" in page.inner_text(".report .disclaimer")
    assert page.locator("#not-applicable li").count() >= 1
    page.emulate_media(media="print")             # "Print / Save as PDF": the report, without the app
    assert not page.locator("header.site").is_visible() and not page.locator(".actions").is_visible()
    assert page.locator(".report .obligation").first.is_visible()


def test_dont_know_and_back(page, server_url):
    ask_seed(page, server_url)
    answer(page)                                              # Q1 revenue
    assert question(page)[0] == ["states.MT.consumers"]
    submit(page, "button[value=dont_know]")                     # Q2: don't know
    assert question(page)[0] != ["states.MT.consumers"]
    submit(page, "button[value=back]")                          # back to Q2, which was "don't know"
    assert question(page)[0] == ["states.MT.consumers"] and page.input_value("#value") == ""
    submit(page, "button[value=back]")                          # back to Q1, with its answer filled in
    assert question(page)[0] == ["business.annual_revenue_usd"]
    assert page.input_value("#value") == "30000000" and "Q1." in page.inner_text("#qtext")
    page.fill("#value", "40000000")
    submit(page, "button[value=answer]")
    submit(page, "button[value=dont_know]")                     # Montana's consumers: don't know
    answer_all(page)
    assert page.inner_text("#us-mt-mcdpa h3 .status") == "may apply"
    assert "Montana" in page.inner_text("#open-questions")
    assert "$40,000,000" in page.inner_text(".report")
    submit(page, ".actions button[value=back]")                 # Back from the answer: the last question again
    assert page.locator("#qtext").count() == 1


def test_typed_names_are_shown_as_text_on_every_page(page, server_url, tmp_path):
    ask_seed(page, server_url, business=EVIL, tool_name=EVIL)
    while page.locator("#qtext").count():
        assert page.locator("main img").count() == 0
        paths, kind = question(page)
        if any(EVIL in p for p in paths):
            assert EVIL in page.inner_text("#qtext")
        answer(page)
    assert page.locator("main img").count() == 0
    assert page.inner_text("h1 .business") == EVIL and EVIL in page.inner_text(".tools")
    matrix(page, server_url, tmp_path, [f'"{EVIL}",live_chat,identifiers,service_provider,no,yes,no'])
    assert page.locator("main img").count() == 0
    assert page.locator("#matrix td", has_text=EVIL).count() == 1


def matrix(page, server_url, tmp_path, rows) -> Path:
    inventory = tmp_path / "inventory.csv"
    inventory.write_text("name,kind,collects,vendor_role,vendor_uses_data_for_own_purposes,"
                         "captures_in_real_time,automated_agent\n" + "\n".join(rows) + "\n")
    page.goto(server_url + "/matrix")
    page.set_input_files("#inventory", str(inventory))
    page.set_input_files("#business", str(EXAMPLES / "business.json"))
    page.fill("#as_of", AS_OF)
    submit(page, "button.primary")
    return inventory


def test_csv_upload_shows_the_bad_row_and_downloads_the_cli_matrix(page, server_url, tmp_path, monkeypatch):
    rows = ["LiveChat Pro,live_chat,identifiers;contact,service_provider,no,yes,no",
            "Fax Blaster,fax_machine,identifiers,service_provider,no,no,no",
            "AdReach Pixel,ad_pixel,device_identifiers;browsing_behavior,third_party,yes,no,no"]
    inventory = matrix(page, server_url, tmp_path, rows)
    assert page.locator("#matrix tbody tr").count() == 3
    bad = page.locator("#matrix tr.error-row")
    assert bad.count() == 1 and "Fax Blaster" not in bad.inner_text()     # the row failed: no profile
    assert "inventory.csv:3" in bad.inner_text() and "kind" in bad.inner_text() and "'live_chat'" in bad.inner_text()
    assert "3 records read, 2 evaluated, 1 failed" in page.inner_text("#summary")
    if SHOTS and page.js:
        page.set_viewport_size({"width": 1500, "height": 760})
        page.screenshot(path=f"{SHOTS}/serve-matrix.png")
    csv_bytes = download(page, "button[value=csv]")
    monkeypatch.chdir(tmp_path)
    shutil.copy(EXAMPLES / "business.json", tmp_path / "business.json")
    expected = CliRunner().invoke(main, ["batch", inventory.name, "--business", "business.json", "--as-of", AS_OF,
                                         "--format", "matrix", "-j", "1"])
    assert csv_bytes == expected.stdout_bytes


def test_upload_answers_resumes(page, server_url, tmp_path):
    partial = {"business": {"name": "Resumed Co", "annual_revenue_usd": 30000000},
               "states": [{"code": "CA"}, {"code": "MT"}], "tools": [{"name": "Live chat", "kind": "live_chat"}],
               "question": SEED, "as_of": AS_OF}
    saved = tmp_path / "partial.json"
    saved.write_text(json.dumps(partial))
    page.goto(server_url + "/")
    page.set_input_files("#file", str(saved))
    submit(page, "form[action='/ask/resume'] button")
    assert question(page)[0] == ["states.MT.consumers"]
    answer_all(page)
    assert page.inner_text("h1 .business") == "Resumed Co"
