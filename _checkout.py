"""Lets a checkout run without being installed: this folder becomes the package ``reggi``.

Installed, reggi is one package (``reggi.engine``, ``reggi.facts``, ``reggi.cli``, rule files as
package data). In a checkout the same files sit at the top (the design card's layout), so
``python cli.py``, the tests and the benchmarks call ``ensure()`` first. It always prefers this
checkout's code, so tests test what is in front of them.
"""
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def ensure() -> None:
    loaded = sys.modules.get("reggi")
    if loaded is not None and Path(loaded.__file__).resolve().parent == ROOT:
        return
    for name in [m for m in sys.modules if m == "reggi" or m.startswith("reggi.")]:
        del sys.modules[name]   # another copy (an older install): this checkout wins
    spec = importlib.util.spec_from_file_location("reggi", ROOT / "__init__.py", submodule_search_locations=[str(ROOT)])
    module = importlib.util.module_from_spec(spec)
    sys.modules["reggi"] = module
    spec.loader.exec_module(module)
