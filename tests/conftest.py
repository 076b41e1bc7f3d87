import sys
from pathlib import Path

import pytest

from webserver import server_url  # noqa: F401  (a reggi serve process, for the web tests)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))   # run from a checkout without installing, too
import _checkout  # noqa: E402

_checkout.ensure()   # this checkout is the package reggi

EXAMPLES = ROOT / "examples"
SCENARIOS = ROOT / "tests" / "scenarios"


@pytest.fixture(scope="session")
def durable():
    from reggi.engine.service import Reggi
    return Reggi()


@pytest.fixture(scope="session")
def reference():
    from reggi.engine.service import Reggi
    return Reggi(engine="reference")
