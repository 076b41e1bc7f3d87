"""The README shows the real output of the quick-start example. Regenerate it with
``python tests/test_readme.py --update`` after a rule change."""
import re
import sys
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
COMMAND = ["evaluate", "examples/chat-tool-ca-mt.json", "--as-of", "2026-11-26"]
BLOCK = re.compile(r"(<summary>Text output of <code>reggi evaluate examples/chat-tool-ca-mt.json --as-of 2026-11-26</code></summary>\n\n```text\n)(.*?)(```)", re.S)


def current_output() -> str:
    from cli import main
    import os
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        return CliRunner().invoke(main, COMMAND).stdout
    finally:
        os.chdir(old)


def test_readme_shows_the_current_output_of_the_example():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = BLOCK.search(readme)
    assert match, "README lost its example output block"
    assert match.group(2) == current_output(), "README example output is stale: python tests/test_readme.py --update"


if __name__ == "__main__" and "--update" in sys.argv:
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(BLOCK.sub(lambda m: m.group(1) + current_output() + m.group(3), text), encoding="utf-8")
    print("README example output updated")
