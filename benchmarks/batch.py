"""Benchmark of ``reggi batch`` on seeded synthetic profiles and the full rule base.

Measures, each run in a fresh process so peak RSS is its own: records/s and peak RSS with one job
and with N jobs (durable-rules), records/s of the reference interpreter on the same records; the
ratio of their time per record (end to end, and the engines alone); RSS growth from 10,000
records to --records with one job; and start-up time of ``reggi evaluate`` on one profile.

    python benchmarks/batch.py                    # 10,000 records
    python benchmarks/batch.py --records 100000   # shows memory stays flat from 10,000 to 100,000
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _checkout  # noqa: E402

_checkout.ensure()   # this checkout is the package reggi

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


# --- one measured run (in its own process) -----------------------------------------------------

def rss_mb(key: str = "VmRSS") -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure(engine: str, jobs: int, path: str, fmt: str) -> dict:
    from reggi.engine.batch import run
    from reggi.facts.inventory import read_records
    samples: dict[str, float] = {}
    count = sum(1 for _ in open(path))
    first = min(SAMPLE_AT, max(count // 10, 1))

    def sampled(records):
        for n, record in enumerate(records, 1):
            if n == first:
                samples["first"] = rss_mb()
            yield record

    start = time.perf_counter()
    with open(os.devnull, "w") as sink:
        totals = run(sampled(read_records([path])), sink, fmt, ROOT / "rules", engine, AS_OF, jobs)
    seconds = time.perf_counter() - start
    return {"engine": engine, "jobs": jobs, "records": totals.read, "failed": totals.failed, "seconds": seconds,
            "first_at": first, "rss_first": samples.get("first"), "rss_last": rss_mb(), "hwm": rss_mb("VmHWM"),
            "children_peak": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def engines_alone(path: str, count: int) -> dict:
    """Time per profile of Reggi.evaluate alone, both engines, on the same profiles."""
    from reggi.engine.service import Reggi
    from reggi.facts.inventory import read_records
    profiles = [r.profile for _, r in zip(range(count), read_records([path]))]
    out = {}
    for engine in ("durable", "reference"):
        service = Reggi(ROOT / "rules", engine)
        start = time.perf_counter()
        for p in profiles:
            service.evaluate(p, AS_OF)
        out[engine] = (time.perf_counter() - start) / len(profiles)
    return out


def per_profile(runs: int = 30) -> dict:
    """Best time of Reggi.evaluate (durable, with explanations and the 24-month horizon) on a
    one-state and an all-states profile of the examples, and on the one-state profile without
    explanations: what a profile costs, whatever else the rule base holds."""
    from reggi.engine.service import Reggi
    from reggi.facts.reader import load_profile
    service = Reggi(ROOT / "rules", "durable")
    one = json.loads((ROOT / "examples" / "chat-tool-ca-mt.json").read_text())
    one["states"] = [s for s in one["states"] if s["code"] == "MT"]
    every = str(ROOT / "examples" / "nationwide-chat.json")
    cases = {"1 state (MT), explained": (one, True), "1 state (MT), matrix": (one, False),
             "51 states, explained": (every, True), "51 states, matrix": (every, False)}
    out = {}
    for label, (source, explain) in cases.items():
        p = load_profile(source)
        service.evaluate(p, AS_OF, explain=explain)
        best = float("inf")
        for _ in range(runs):
            start = time.perf_counter()
            service.evaluate(p, AS_OF, explain=explain)
            best = min(best, time.perf_counter() - start)
        out[label] = best
    return out


def startup(runs: int = 5) -> float:
    cmd = [sys.executable, str(ROOT / "cli.py"), "evaluate", str(ROOT / "examples" / "chat-tool-ca-mt.json")]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def child(fmt: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--format", fmt, "--measure", *args],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


# --- report -----------------------------------------------------------------------------------

def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "")
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs ({model}), Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="N for the parallel run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", default="jsonl", help="output format of the batch runs (default: jsonl, the largest)")
    parser.add_argument("--measure", nargs=3, metavar=("ENGINE", "JOBS", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        engine, jobs, path = args.measure
        print(json.dumps(measure(engine, int(jobs), path, args.format)))
        return

    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "profiles.jsonl")
        write_profiles(Path(path), args.records, args.seed)
        runs = [child(args.format, engine, str(jobs), path)
                for engine, jobs in [("durable", 1), ("durable", args.jobs), ("reference", 1)]]
        alone = engines_alone(path, min(args.records, 2_000))
        profiles = per_profile()
    start_s = startup()

    print(f"reggi batch benchmark: {args.records:,} synthetic profiles (seed {args.seed}), full rule base, "
          f"as of {AS_OF}, --format {args.format}")
    print(f"machine: {machine()}")
    print(f"{'run':<22}{'records/s':>11}{'seconds':>10}{'peak RSS main':>15}{'peak RSS worker':>17}")
    for r in runs:
        worker = f"{r['children_peak']:.0f} MB" if r["jobs"] > 1 else "-"
        print(f"{r['engine'] + ', ' + str(r['jobs']) + ' job(s)':<22}{r['records'] / r['seconds']:>11,.0f}"
              f"{r['seconds']:>10.1f}{r['hwm']:>12.0f} MB{worker:>17}")
    durable, _, reference = runs
    print(f"durable / reference time per record, batch with one job: {reference['records'] / reference['seconds'] / (durable['records'] / durable['seconds']):.2f}x")
    print(f"durable / reference time per profile, engines alone ({min(args.records, 2_000):,} profiles): "
          f"{alone['durable'] / alone['reference']:.2f}x ({alone['durable'] * 1e6:.0f} us vs {alone['reference'] * 1e6:.0f} us)")
    print(f"RSS with one job: {durable['rss_first']:.1f} MB at record {durable['first_at']:,}, {durable['rss_last']:.1f} MB "
          f"after {durable['records']:,}: growth {durable['rss_last'] - durable['rss_first']:+.1f} MB")
    print(f"records/s, batch with one job: durable {durable['records'] / durable['seconds']:,.0f}, "
          f"reference {reference['records'] / reference['seconds']:,.0f}")
    print("one profile, Reggi.evaluate, durable (best of 30): "
          + ", ".join(f"{label} {seconds * 1e3:.1f} ms" for label, seconds in profiles.items()))
    print(f"start-up of `reggi evaluate` on one profile: {start_s:.2f} s (median of 5)")


if __name__ == "__main__":
    main()
