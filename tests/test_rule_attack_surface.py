"""Rule files and scenarios as an attack surface (issue 14.5): a hostile condition string is a
clean error naming the file and line (evaluate exits 2, lint reports it), never executed, never a
stack overflow; a scenario's profile path is checked."""
import shutil

import pytest
from click.testing import CliRunner

from reggi.cli import main
from conftest import EXAMPLES, ROOT

CHAT = str(EXAMPLES / "chat-tool-ca-mt.json")
CANARY = "/tmp/reggi-attack-canary"

HOSTILE = {
    "call": f"__import__('os').system('touch {CANARY}')",
    "builtin call": "open('/etc/passwd').read() == 'x'",
    "attribute access": "state.consumers.__class__.__bases__ == 1",
    "dunder name": "__builtins__ == 1",
    "subscript": "state.consumers[0] == 1",
    "lambda": "(lambda: 1)() == 1",
    "f-string": "f'{state.consumers}' == '1'",
    "walrus": "(x := state.consumers) >= 1",
    "huge power": "state.consumers >= 10**10**10",
    "huge literal": "state.consumers >= " + "9" * 5000,
    "comprehension": "[x for x in state.consumers] == []",
    "starred": "state.consumers in [*range(10)]",
    "one megabyte": " or ".join(["state.consumers >= 1"] * 50_000),
    "nested parentheses": "(" * 5_000 + "state.consumers >= 1" + ")" * 5_000,
    "nested not": "not " * 5_000 + "business.nonprofit",
    "chained comparison": "1 < state.consumers < 2",
    "bytes": "b'x' == state.consumers",
    "conditional expression": "(1 if state.consumers else 2) == 1",
}


def rules_with(tmp_path, when: str):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    path = rules / "us" / "mt" / "mcdpa.toml"
    text = path.read_text(encoding="utf-8")
    marker = 'when = "state.consumers >= 50000 and state.consumers_excluding_payment >= 50000"'
    assert marker in text
    escaped = when.replace("\\", "\\\\").replace('"', '\\"')
    line = text[:text.index(marker)].count("\n") + 1
    path.write_text(text.replace(marker, f'when = "{escaped}"', 1), encoding="utf-8")
    return rules, line


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_condition_is_a_clean_error_with_file_and_line(tmp_path, name):
    import os
    rules, line = rules_with(tmp_path, HOSTILE[name])
    result = CliRunner().invoke(main, ["evaluate", CHAT, "--rules", str(rules)])
    assert isinstance(result.exception, SystemExit) and result.exit_code == 2, (result.exception, result.output)
    assert "mcdpa.toml" in result.stderr and "Traceback" not in result.output
    assert f"mcdpa.toml:{line}" in result.stderr or f"line {line}" in result.stderr, result.stderr
    result = CliRunner().invoke(main, ["rules", "lint", "--rules", str(rules)])
    assert result.exit_code in (1, 2) and "mcdpa.toml" in result.output and "Traceback" not in result.output
    assert not os.path.exists(CANARY)


# --- a scenario's profile path --------------------------------------------------------------------

SCENARIO = """description = "x"
as_of = 2026-01-01
profile = "{profile}"

[expect]
apply = []
"""


@pytest.mark.parametrize("profile, words", [
    ("../../outside.json", "outside"),
    ("../../../../../../../../etc/passwd", "outside"),
    ("/etc/passwd", ".json or .toml"),
    ("missing.json", "no such file"),
    ("notes.txt", ".json or .toml"),
    ("folder.json", "folder"),
])
def test_a_scenario_profile_path_is_checked(tmp_path, profile, words):
    tree = tmp_path / "scenarios" / "us-x"
    tree.mkdir(parents=True)
    (tmp_path / "outside.json").write_text((EXAMPLES / "chat-tool-ca-mt.json").read_text())
    (tree / "notes.txt").write_text("not a profile")
    (tree / "folder.json").mkdir()
    scenario = tree / "s.toml"
    scenario.write_text(SCENARIO.format(profile=profile))
    result = CliRunner().invoke(main, ["test", str(tmp_path / "scenarios")])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert str(scenario) in result.stderr and words in result.stderr, result.stderr


def test_a_scenario_profile_beside_it_is_read(tmp_path):
    tree = tmp_path / "scenarios"
    tree.mkdir()
    shutil.copy(EXAMPLES / "chat-tool-ca-mt.json", tree / "p.json")
    (tree / "s.toml").write_text(SCENARIO.format(profile="p.json"))
    result = CliRunner().invoke(main, ["test", str(tree)])
    assert result.exit_code == 0, result.output
