"""Regression properties not covered by test_engine_properties.py (which already checks
durable-rules against the reference interpreter, in-process determinism, order of fields and
lists, and monotonicity):
- determinism across processes: the same profiles give the same JSON bytes in fresh interpreters
  with different hash seeds (set and dict iteration order must never leak into the output);
- rule-file load order: the rule base built from the files in any order gives the same findings.
"""
import json
import os
import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from reggi.engine.durable_adapter import DurableEvaluator
from reggi.engine.evaluate import evaluate, upcoming
from reggi.engine.render import render_json
from reggi.engine.rulebase import RULES_DIR, build, read_all
from reggi.facts.profile import Profile
from strategies import profiles

EVALUATE_LINES = """
import json, sys
import _checkout
_checkout.ensure()
from reggi.engine.render import render_json
from reggi.engine.service import Reggi
from reggi.facts.profile import Profile
service = Reggi()
for line in sys.stdin:
    sys.stdout.write(render_json(service.evaluate(Profile.model_validate(json.loads(line))), "test"))
"""


def in_fresh_process(lines: str, seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run([sys.executable, "-c", EVALUATE_LINES], input=lines, capture_output=True, text=True,
                          check=True, cwd=ROOT, env=env).stdout


# Few examples of many profiles each: a fresh interpreter costs far more than an evaluation.
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(st.lists(profiles(), min_size=5, max_size=15))
def test_same_profiles_give_the_same_bytes_across_processes(durable, batch):
    here = "".join(render_json(durable.evaluate(Profile.model_validate(d)), "test") for d in batch)
    lines = "\n".join(json.dumps(d) for d in batch) + "\n"
    assert in_fresh_process(lines, "1") == in_fresh_process(lines, "2") == here


PARSED = read_all(RULES_DIR)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.permutations(PARSED), st.lists(profiles(), min_size=1, max_size=4))
def test_rule_file_load_order_does_not_change_findings(durable, order, batch):
    rulebase = build(list(order), str(RULES_DIR))
    shuffled = DurableEvaluator(rulebase)
    for data in batch:
        profile = Profile.model_validate(data)
        full = durable.evaluate(profile)            # with what comes into force within 24 months
        expected = durable.trace(profile)[0]
        got = evaluate(rulebase, profile, profile.as_of, shuffled)
        assert got == expected
        assert upcoming(rulebase, profile, got, 24, shuffled) == full.upcoming
        assert evaluate(rulebase, profile, profile.as_of) == expected   # the reference interpreter
