"""Benchmark of ``reggi batch`` on seeded synthetic profiles and the full rule base.

Measures, each run in a fresh process so peak RSS is its own: records/s and peak RSS with one job
and with N jobs (durable-rules), records/s of the reference interpreter on the same records, and
the digest of every run's output (all must be equal); the engine step alone (the strata on the
same contexts) of durable-rules, the reference interpreter and a compiled-conditions bound (the
same condition trees as Python closures, benchmarks/compiled.py, checked equal to the reference
on the run's profiles); RSS growth with one job; a one-state and an all-states profile's time;
start-up of ``reggi evaluate``. With ``--baseline REV`` the same batch, profile and start-up
figures of another revision's code (same rule files, same profiles) are measured in the same run,
and its output must be byte-identical.

    python benchmarks/batch.py                                  # 2,000 records, JSON Lines and matrix
    python benchmarks/batch.py --baseline 0bf2d27                # ... side by side with that revision
    python benchmarks/batch.py --baseline 0bf2d27 --formats matrix --repeat 3   # fastest of 3 alternating rounds
    python benchmarks/batch.py --records 100000 --formats matrix --only-rss   # memory over 10^5 records
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.util
import itertools
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def use_code(root: Path) -> None:
    """Import the package reggi from the checkout at ``root`` (this one, or a baseline's)."""
    spec = importlib.util.spec_from_file_location("_checkout", root / "_checkout.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.ensure()


use_code(Path(sys.argv[sys.argv.index("--code") + 1]) if "--code" in sys.argv else ROOT)

from reggi.facts.vocabulary import DataCategory, StateCode, ToolKind, VendorRole  # noqa: E402

AS_OF = dt.date(2026, 11, 26)
SAMPLE_AT = 10_000      # RSS is compared between this record and the last


# --- synthetic profiles ------------------------------------------------------------------------

COMMON = ["identifiers", "contact", "device_identifiers", "browsing_behavior", "communications_content"]


def _maybe(rng: random.Random, value, unknown: float = 0.08):
    """A fact, or None (unknown) now and then, as in real questionnaires."""
    return None if rng.random() < unknown else value


def profile(rng: random.Random, i: int) -> dict:
    covered = ["CA", "MT", "CT"]
    others = [c.value for c in StateCode if c.value not in covered]
    codes = [c for c, p in zip(covered, (0.7, 0.35, 0.35)) if rng.random() < p]
    codes += rng.sample(others, rng.randint(0 if codes else 1, 3))
    states = []
    for code in codes:
        consumers = int(10 ** rng.uniform(3, 6))      # 1,000 to 1,000,000: every threshold is crossed
        states.append({"code": code, "consumers": _maybe(rng, consumers),
                       "payment_only_consumers": _maybe(rng, int(consumers * rng.uniform(0, 0.2))),
                       "consumers_sold_or_shared": _maybe(rng, rng.choice([0, 0, int(consumers * rng.uniform(0, 1))]))})
    business = {"name": f"Synthetic Business {i}", "annual_revenue_usd": _maybe(rng, int(10 ** rng.uniform(5.5, 8.5))),
                "percent_revenue_from_selling_data": _maybe(rng, rng.choice([0, 0, 0, 10, 30, 60])),
                "percent_revenue_from_selling_or_sharing": _maybe(rng, rng.choice([0, 0, 0, 10, 30, 60]))}
    for flag, p in [("nonprofit", 0.05), ("glba_financial_institution", 0.05), ("hipaa_regulated", 0.05),
                    ("sells_personal_data", 0.15), ("shares_for_targeted_advertising", 0.4), ("profiles_consumers", 0.1),
                    ("processes_sensitive_data", 0.2), ("users_under_13", 0.05), ("users_13_to_17", 0.1)]:
        business[flag] = _maybe(rng, rng.random() < p)
    tools = []
    for n in range(rng.randint(1, 5)):
        kind = rng.choice(ToolKind.values())
        rare = rng.sample(DataCategory.values(), rng.randint(0, 2))
        collects = sorted(set(rng.sample(COMMON, rng.randint(1, 4)) + rare))
        tools.append({"name": f"{kind} {n}", "kind": kind, "collects": _maybe(rng, collects),
                      "vendor_role": _maybe(rng, rng.choice(VendorRole.values())),
                      "vendor_uses_data_for_own_purposes": _maybe(rng, rng.random() < 0.3),
                      "captures_in_real_time": _maybe(rng, kind in ("live_chat", "ai_chatbot", "call_recording", "voice_agent")),
                      "automated_agent": _maybe(rng, kind in ("ai_chatbot", "voice_agent"))})
    drop = lambda d: {k: v for k, v in d.items() if v is not None}   # noqa: E731
    return {"business": drop(business), "states": [drop(s) for s in states], "tools": [drop(t) for t in tools]}


def write_profiles(path: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        for i in range(count):
            out.write(json.dumps(profile(rng, i)) + "\n")


# --- measured runs (each in its own process) --------------------------------------------------

def rss_mb(key: str = "VmRSS") -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def children_rss_mb() -> float:
    """RSS of this process's children (the batch's workers, where records are evaluated)."""
    total = 0.0
    for children in Path("/proc/self/task").glob("*/children"):
        for pid in children.read_text().split():
            try:
                with open(f"/proc/{pid}/status") as status:
                    total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
            except (OSError, StopIteration):
                pass
    return total


class Digest:
    """A sink that keeps only the SHA-256 of what is written."""

    def __init__(self):
        self.hash = hashlib.sha256()

    def write(self, text: str) -> int:
        self.hash.update(text.encode("utf-8"))
        return len(text)

    def flush(self) -> None:
        pass


def measure(engine: str, jobs: int, path: str, fmt: str, rules: Path) -> dict:
    from reggi.engine.batch import run
    from reggi.facts.inventory import read_records
    samples: dict[str, float] = {}
    count = sum(1 for _ in open(path))
    first = min(SAMPLE_AT, max(count // 10, 1))

    def sampled(records):
        for n, record in enumerate(records, 1):
            if n == first:
                samples["first"], samples["workers_first"] = rss_mb(), children_rss_mb()
            yield record

    sink = Digest()
    start = time.perf_counter()
    seen = [0]

    def progress(totals, final: bool = False) -> None:   # the workers' RSS, every 1,000 records
        seen[0] += not final
        if not final and seen[0] % 1_000 == 0:
            samples["workers_last"] = children_rss_mb()

    totals = run(sampled(read_records([path])), sink, fmt, rules, engine, AS_OF, jobs, progress=progress)
    seconds = time.perf_counter() - start
    return {"engine": engine, "jobs": jobs, "records": totals.read, "failed": totals.failed, "seconds": seconds,
            "digest": sink.hash.hexdigest(), "first_at": first, "rss_first": samples.get("first"),
            "rss_last": rss_mb(), "hwm": rss_mb("VmHWM"),
            "workers_first": samples.get("workers_first"), "workers_last": samples.get("workers_last"),
            "children_peak": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def engine_step(path: str, count: int, rules: Path) -> dict:
    """CPU time per profile of the strata alone (engine.runner.run on freshly built contexts) of
    durable-rules, the reference interpreter and the compiled bound, interleaved profile by profile
    so that load on the machine falls on all three alike; and of the bound's whole path (reading
    and validating the record, building the contexts, the compiled strata). The three engines'
    results must be equal on every profile. Every durable ruleset is created and each engine
    runs on the first 50 profiles first, untimed: what is built once (rulesets, readers) is
    start-up, not a step."""
    sys.path.insert(0, str(HERE))
    from compiled import CompiledEvaluator
    from reggi.engine.durable_adapter import DurableEvaluator
    from reggi.engine.rulebase import date_int, load
    from reggi.engine.runner import ReferenceEvaluator, run
    from reggi.facts.fields import contexts
    from reggi.facts.reader import load_profile
    from reggi.facts.vocabulary import FEDERAL
    rulebase = load(rules)
    engines = {"durable": DurableEvaluator(rulebase), "reference": ReferenceEvaluator(),
               "compiled": CompiledEvaluator(rulebase)}
    covered, day, federal = rulebase.covered, date_int(AS_OF), FEDERAL in rulebase.covered
    spent = dict.fromkeys([*engines, "bound", "reading", "contexts"], 0.0)
    clock = time.process_time
    with open(path) as f:
        lines = [line for _, line in zip(range(count), f)]
    engines["durable"].create_rulesets()   # all of them, not only those the first profiles need
    for line in lines[:50]:
        profile = load_profile(json.loads(line))
        for evaluator in engines.values():
            run(rulebase, [c for c in contexts(profile, day, federal) if c.state in covered], evaluator)
    differ = 0
    for line in lines:
        begun = clock()
        profile = load_profile(json.loads(line))
        reading = clock() - begun
        results = {}
        for name, evaluator in engines.items():
            begun = clock()
            ctxs = [c for c in contexts(profile, day, federal) if c.state in covered]
            built = clock()
            found = run(rulebase, ctxs, evaluator)
            done = clock()
            results[name] = dict(found)
            spent[name] += done - built
            if name == "compiled":
                spent["bound"] += reading + done - begun
                spent["reading"] += reading
                spent["contexts"] += built - begun
        differ += not (results["durable"] == results["reference"] == results["compiled"])
    core = core_calls(lines, rulebase, engines["durable"], lambda p: [c for c in contexts(p, day, federal) if c.state in covered])
    return {name: seconds / len(lines) for name, seconds in spent.items()} | core | {"profiles": len(lines), "differ": differ}


def core_calls(lines: list[str], rulebase, evaluator, contexts_of) -> dict:
    """What durable-rules' C core itself costs per profile, in a pass of its own (timing each call
    slows the Python around it): the time inside its calls, the facts asserted and the fired
    actions drained. Together with reading and contexts, this is what no adapter can go below."""
    from reggi.engine import durable_adapter
    from reggi.engine.runner import run
    from reggi.facts.reader import load_profile
    real, clock = durable_adapter.core, time.perf_counter   # the cheapest clock: calls are microseconds
    spent, counts = [0.0], {"facts": 0, "actions": 0}

    class Timed:
        def __getattr__(self, name):
            call = getattr(real, name)
            if not callable(call):
                return call

            def timed(*args):
                if name == "assert_facts":
                    counts["facts"] += args[1].count('{"id":')
                elif name == "complete_and_start_action":
                    counts["actions"] += 1
                begun = clock()
                try:
                    return call(*args)
                finally:
                    spent[0] += clock() - begun
            return timed

    durable_adapter.core = Timed()
    try:
        for line in lines:
            run(rulebase, contexts_of(load_profile(json.loads(line))), evaluator)
    finally:
        durable_adapter.core = real
    n = len(lines)
    return {"core": spent[0] / n, "core_facts": counts["facts"] / n, "core_actions": counts["actions"] / n}


def worker_path(path: str, start: int, count: int, rules: Path, fmt: str) -> float:
    """CPU time per record of what a batch worker does for records ``start`` to ``start + count``
    (1-based) of the file, read beforehand: evaluate and write each, after 50 untimed records
    (what is built once is start-up). No pipes, no reading, no waiting: of the batch's time, this
    part depends on the code alone, and so measures it on a machine whose speed drifts."""
    from reggi.engine import batch
    from reggi.facts.inventory import read_records
    settings = batch.prepare(fmt, rules, "durable", AS_OF)
    batch._start(settings)
    records = list(enumerate(itertools.islice(read_records([path]), start - 1 + count), 1))
    for item in records[:50]:
        batch._evaluate(item)
    timed = records[start - 1:start - 1 + count]
    begun = time.process_time()
    for item in timed:
        batch._evaluate(item)
    return (time.process_time() - begun) / len(timed)


def alternating_worker_path(codes: dict, path: str, records: int, fmt: str, block: int = 500) -> dict:
    """``worker_path`` of each code over the same blocks of records, the codes taking turns
    block by block (each block in a fresh process): drift in the machine's speed then falls on
    every code alike. Mean CPU per record over all blocks."""
    spent = dict.fromkeys(codes, 0.0)
    blocks = range(1, records + 1, block)
    for start in blocks:
        for code, where in codes.items():
            spent[code] += child(where, "--worker-path", path, str(start), str(min(block, records - start + 1)),
                                 fmt)["seconds"] * min(block, records - start + 1)
    return {code: seconds / records for code, seconds in spent.items()}


def per_profile(rules: Path, runs: int = 30) -> dict:
    """Best CPU time of Reggi.evaluate (durable, with explanations and the 24-month horizon, and
    without them: the matrix) on a one-state (MT) and an all-states profile of the examples."""
    from reggi.engine.service import Reggi
    from reggi.facts.reader import load_profile
    service = Reggi(rules, "durable")
    one = json.loads((ROOT / "examples" / "chat-tool-ca-mt.json").read_text())
    one["states"] = [s for s in one["states"] if s["code"] == "MT"]
    every = json.loads((ROOT / "examples" / "nationwide-chat.json").read_text())
    cases = {"1 state (MT), explained": (one, True), "1 state (MT), matrix": (one, False),
             "51 states, explained": (every, True), "51 states, matrix": (every, False)}
    out = {}
    for label, (source, explain) in cases.items():
        p = load_profile(source)
        service.evaluate(p, AS_OF, explain=explain)
        best = float("inf")
        for _ in range(runs):
            start = time.process_time()
            service.evaluate(p, AS_OF, explain=explain)
            best = min(best, time.process_time() - start)
        out[label] = best
    return out


def startup(code: Path, runs: int = 5) -> float:
    """Median wall time of `reggi evaluate` on the example, the rule-base cache warm and the code's
    bytecode written (as an installed package has it: PYTHONDONTWRITEBYTECODE would have every
    start compile reggi's modules again)."""
    cmd = [sys.executable, str(code / "cli.py"), "evaluate", "--rules", str(code / "rules"),
           str(ROOT / "examples" / "chat-tool-ca-mt.json")]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)   # fills the cache and __pycache__
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def child(code: Path, *args: str) -> dict:
    done = subprocess.run([sys.executable, str(HERE / "batch.py"), "--code", str(code), *args],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def checkout(rev: str, into: Path) -> Path:
    """The code of revision ``rev`` of this repository, extracted into ``into``, with this
    checkout's rule files in place of its own: the same rules for both codes, and in the code's
    own rules folder, which is what its rule-base cache serves (so both start warm)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev],
                             check=True, capture_output=True).stdout
    into.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    shutil.rmtree(into / "rules")
    shutil.copytree(ROOT / "rules", into / "rules")
    return into


# --- report -----------------------------------------------------------------------------------

def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "")
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs ({model}), Python {platform.python_version()}"


def rate(run: dict) -> float:
    return run["records"] / run["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="N for the parallel run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--formats", default="jsonl,matrix", help="output formats of the batch runs (default: jsonl,matrix)")
    parser.add_argument("--baseline", metavar="REV", help="also measure this git revision's code, side by side")
    parser.add_argument("--only-rss", action="store_true", help="only the one-job durable run and its RSS")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="N rounds of the batch runs in alternating order; the fastest of each is reported")
    parser.add_argument("--code", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--measure", nargs=4, metavar=("ENGINE", "JOBS", "FILE", "FORMAT"), help=argparse.SUPPRESS)
    parser.add_argument("--step", nargs=2, metavar=("FILE", "COUNT"), help=argparse.SUPPRESS)
    parser.add_argument("--profiles", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--worker-path", nargs=4, metavar=("FILE", "START", "COUNT", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    rules = ROOT / "rules"     # the same rule files for every code measured (see checkout)
    if args.measure:
        engine, jobs, path, fmt = args.measure
        print(json.dumps(measure(engine, int(jobs), path, fmt, args.code / "rules")))
        return
    if args.step:
        print(json.dumps(engine_step(args.step[0], int(args.step[1]), rules)))
        return
    if args.profiles:
        print(json.dumps(per_profile(args.code / "rules")))
        return
    if args.worker_path:
        file, start, count, fmt = args.worker_path
        print(json.dumps({"seconds": worker_path(file, int(start), int(count), args.code / "rules", fmt)}))
        return

    formats = args.formats.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "profiles.jsonl")
        write_profiles(Path(path), args.records, args.seed)
        codes = {"this": ROOT}
        if args.baseline:
            codes["baseline"] = checkout(args.baseline, Path(tmp) / "baseline")
        runs: dict = {}
        digests: dict = {}   # every run's, to check they are all equal
        against_bound: dict = {}   # per matrix format: (seconds a record, the step right after) per round
        for fmt in formats:
            plan = [("this", "durable", 1)] if args.only_rss else \
                [("this", "durable", 1), ("this", "durable", args.jobs), ("this", "reference", 1)] + \
                ([("baseline", "durable", 1)] if args.baseline else [])
            # Rounds in alternating order, the fastest run of each kept: a machine whose speed
            # drifts during the benchmark then weighs on every code alike.
            for round_ in range(args.repeat):
                for code, engine, jobs in (plan if round_ % 2 == 0 else plan[::-1]):
                    key = (fmt, code, engine, jobs)
                    r = child(codes[code], "--measure", engine, str(jobs), path, fmt)
                    digests[key + (round_,)] = r["digest"]
                    if key not in runs or r["seconds"] < runs[key]["seconds"]:
                        runs[key] = r
                    if fmt.startswith("matrix") and key == (fmt, "this", "durable", 1) and not args.only_rss:
                        # The bound right after the run it is compared with: the machine's speed
                        # drifts by half within minutes, so a bound measured apart says little.
                        bound = child(ROOT, "--step", path, str(min(args.records, 300)))
                        against_bound.setdefault(fmt, []).append((r["seconds"] / r["records"], bound))
        if not args.only_rss:
            step = child(ROOT, "--step", path, str(min(args.records, 1_000)))
            paths = {fmt: alternating_worker_path(codes, path, min(args.records, 2_000), fmt)
                     for fmt in formats} if args.baseline else {}
            profiles = {code: child(where, "--profiles") for code, where in codes.items()}
            starts = {code: startup(where) for code, where in codes.items()}

    print(f"reggi batch benchmark: {args.records:,} synthetic profiles (seed {args.seed}), "
          f"{len(list(rules.rglob('*.toml')))} rule files, as of {AS_OF}")
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f} at the end"
          + (f"; batch runs: fastest of {args.repeat} rounds in alternating order" if args.repeat > 1 else ""))
    print(f"{'run':<36}{'records/s':>11}{'seconds':>10}{'peak RSS main':>15}{'peak RSS worker':>17}")
    for (fmt, code, engine, jobs), r in runs.items():
        worker = f"{r['children_peak']:.0f} MB" if jobs > 1 else "-"
        label = f"{fmt}: {engine}, {jobs} job(s)" + (f" [{args.baseline}]" if code == "baseline" else "")
        print(f"{label:<36}{rate(r):>11,.1f}{r['seconds']:>10.1f}{r['hwm']:>12.0f} MB{worker:>17}")
    for fmt in formats:
        one = runs[(fmt, "this", "durable", 1)]
        print(f"{fmt}: RSS with one job, main process {one['rss_first']:.1f} MB at record {one['first_at']:,}, "
              f"{one['rss_last']:.1f} MB after {one['records']:,}: growth {one['rss_last'] - one['rss_first']:+.1f} MB")
        if one.get("workers_first") is not None and one.get("workers_last") is not None:
            print(f"{fmt}: RSS with one job, the worker {one['workers_first']:.1f} MB at record {one['first_at']:,}, "
                  f"{one['workers_last']:.1f} MB near the end: growth {one['workers_last'] - one['workers_first']:+.1f} MB")
        mine = {key: digest for key, digest in digests.items() if key[0] == fmt}
        same = len(set(mine.values())) == 1
        print(f"{fmt}: output of every run byte-identical: {'yes' if same else 'NO'} ({len(mine)} runs, sha256 {one['digest'][:12]})")
        if args.only_rss:
            continue
        reference = runs[(fmt, "this", "reference", 1)]
        print(f"{fmt}: durable / reference time per record, one job: {rate(reference) / rate(one):.2f}x")
        if args.baseline:
            base = runs[(fmt, "baseline", "durable", 1)]
            print(f"{fmt}: records/s, this / {args.baseline}: {rate(one) / rate(base):.2f}x "
                  f"({rate(one):,.1f} vs {rate(base):,.1f})")
        if fmt in paths:
            mine, base = paths[fmt]["this"], paths[fmt]["baseline"]
            print(f"{fmt}: the worker's path alone (evaluate and write, CPU per record, {min(args.records, 2_000):,} "
                  f"records in blocks of up to 500, the codes taking turns): this code is {base / mine:.2f}x as fast as {args.baseline} "
                  f"({mine * 1e6:,.0f} us vs {base * 1e6:,.0f} us)")
        for seconds, bound in against_bound.get(fmt, []):
            floor = bound["reading"] + bound["contexts"] + bound["core"]
            print(f"{fmt}: end to end (wall per record, one job) / compiled bound (CPU per profile: reading, contexts, "
                  f"compiled strata; {bound['profiles']} profiles right after the run): {seconds / bound['bound']:.2f}x "
                  f"({seconds * 1e6:,.0f} us vs {bound['bound'] * 1e6:,.0f} us); durable floor: reading "
                  f"{bound['reading'] * 1e6:,.0f} us + contexts {bound['contexts'] * 1e6:,.0f} us (CPU) + the wall time "
                  f"inside the C core's own calls {bound['core'] * 1e6:,.0f} us ({bound['core_facts']:.0f} facts asserted, "
                  f"{bound['core_actions']:.0f} actions fired) = {floor * 1e6:,.0f} us, {floor / bound['bound']:.2f}x "
                  f"the bound, leaving {(2 * bound['bound'] - floor) * 1e6:,.0f} us at 2x for all else; all else (the "
                  f"adapter, runner, findings, output, pipes and the run's start-up) took {(seconds - floor) * 1e6:,.0f} us")
    if args.only_rss:
        return
    print(f"engine step alone, CPU per profile ({step['profiles']:,} profiles, interleaved): durable "
          f"{step['durable'] * 1e6:,.0f} us, reference {step['reference'] * 1e6:,.0f} us, compiled bound "
          f"{step['compiled'] * 1e6:,.0f} us; durable / reference {step['durable'] / step['reference']:.2f}x; "
          f"profiles whose results differ: {step['differ']}")
    for code, figures in profiles.items():
        name = args.baseline if code == "baseline" else "this code"
        print(f"one profile, Reggi.evaluate, durable, best CPU of 30 ({name}): "
              + ", ".join(f"{label} {seconds * 1e3:.2f} ms" for label, seconds in figures.items()))
    for code, seconds in starts.items():
        name = args.baseline if code == "baseline" else "this code"
        print(f"start-up of `reggi evaluate` on one profile ({name}): {seconds:.2f} s (median of 5, cache warm)")


if __name__ == "__main__":
    main()
