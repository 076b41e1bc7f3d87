"""California dates that move: the CPI-adjusted revenue figure ends when its adjustment is due,
the next one is reported as pending, and lint flags an amount used past its review date."""
import datetime as dt
import textwrap

from reggi.engine.lint import lint
from reggi.engine.service import Reggi
from reggi.facts.profile import Profile
from conftest import EXAMPLES, ROOT

RULE = textwrap.dedent('''
    [statute]
    id = "us-mt-test"
    name = "Test Act"
    jurisdiction = "US-MT"
    citation = "Test § 1"
    source = "https://example.org/act"
    in_force = 2020-01-01

    [[applies]]
    id = "revenue"
    when = "business.annual_revenue_usd > 100"
    test = "revenue above $100"
    cite = "Test § 1(a)"
    review_by = 2027-01-01
''')


def review_warnings(tmp_path, today, extra=""):
    folder = tmp_path / "rules" / "us" / "mt"
    folder.mkdir(parents=True)
    (folder / "test.toml").write_text(RULE.replace('review_by', extra + 'review_by') if extra else RULE)
    return [p for p in lint(tmp_path / "rules", today=today) if "scheduled adjustment" in p.message]


def test_lint_flags_an_amount_once_its_review_date_has_passed(tmp_path):
    assert review_warnings(tmp_path, dt.date(2026, 12, 31)) == []
    (warning,) = review_warnings(tmp_path / "b", dt.date(2027, 1, 1))
    assert warning.severity == "warning" and "'revenue' is used past its scheduled adjustment or review on 2027-01-01" in warning.message


def test_lint_is_quiet_when_the_item_ends_at_its_review_date(tmp_path):
    assert review_warnings(tmp_path, dt.date(2030, 1, 1), extra="until = 2027-01-01\n") == []


def test_revenue_test_says_the_2027_adjustment_is_pending():
    data = Profile.model_validate_json((EXAMPLES / "chat-tool-ca-mt.json").read_text())
    findings = Reggi(ROOT / "rules", "reference").evaluate(data, dt.date(2027, 1, 2))
    ccpa = next(s for s in findings.statutes if s.statute == "us-ca-ccpa")
    assert "PENDING" in str(ccpa) and "26,625,000" in str(ccpa)
    before = next(s for s in Reggi(ROOT / "rules", "reference").evaluate(data, dt.date(2026, 12, 31)).statutes
                  if s.statute == "us-ca-ccpa")
    assert "PENDING" not in str(before)
