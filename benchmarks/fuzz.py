"""Fuzzing ``reggi batch``: seeded generated records, valid and invalid, through both engines and
two output formats. Checks, for every run: one output record per input record, in order; no
traceback and no crash (exit 0 or 1); the durable engine's findings equal the reference's on every
record both evaluated, and both reject the same records with the same message.

Records: valid profiles over every state (tiny and huge numbers, unknowns, unicode, control and
very long names, up to thousands of tools) and invalid ones (bad JSON, wrong types, negative
counts, duplicate states and tool names, too many tools, deep nesting, non-objects).

    python benchmarks/fuzz.py                      # 100,000 records (the full run)
    python benchmarks/fuzz.py --records 300        # a sample (the test suite runs one)
"""
from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import random
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

STATES = StateCode.values()
FLAGS = ["nonprofit", "glba_financial_institution", "hipaa_regulated", "sells_personal_data",
         "shares_for_targeted_advertising", "profiles_consumers", "processes_sensitive_data",
         "users_under_13", "users_13_to_17"]
NAMES = ["Acme Chat", "Vendor 2c94", "Vendor 41610", "Zoë's Helpdesk", "客服系统", "مساعد", "😀 bot",
         "=HYPERLINK(\"http://x\")", "+1 Pixel", "@mention", "Tab\there", "CR\rLF", "Nul\x00byte", "Esc\x1b[31m",
         "Quote \"q\"", "Semi; colon", "back\\slash", "\u2028line sep", " padded "]


def number(rng: random.Random):
    return rng.choice([0, 1, 999, 15_000, 25_000, 35_000, 50_000, 100_000, 10 ** 6, 2 ** 53 + 1, 2 ** 63,
                       10 ** 30, rng.randint(0, 10 ** 6), rng.randint(0, 10 ** 40)])


def percent(rng: random.Random):
    return rng.choice([0, 0.00001, 1e-300, 5e-324, 25, math.nextafter(25, 100), 25.5, 50, 99.99999999999999, 100,
                       rng.uniform(0, 100), rng.uniform(0, 1e-6)])


def name(rng: random.Random, i: int) -> str:
    r = rng.random()
    if r < 0.3:
        return rng.choice(NAMES) + f" {i}"
    if r < 0.35:
        return "x" * rng.randint(1_000, 20_000) + str(i)
    return "".join(chr(rng.choice([rng.randint(32, 126), rng.randint(0xA0, 0x2FFF), rng.randint(1, 31)]))
                   for _ in range(rng.randint(1, 12))) + f"#{i}"


def maybe(rng: random.Random, value):
    return None if rng.random() < 0.15 else value


def valid(rng: random.Random, i: int) -> dict:
    codes = rng.sample(STATES, rng.choice([1, 1, 2, 3, 5, len(STATES)]))
    states = []
    for code in codes:
        total = number(rng)
        states.append({"code": code, "consumers": maybe(rng, total),
                       "payment_only_consumers": maybe(rng, rng.randint(0, total) if total < 10 ** 18 else 0),
                       "consumers_sold_or_shared": maybe(rng, number(rng))})
    business = {"name": name(rng, i), "annual_revenue_usd": maybe(rng, number(rng)),
                "percent_revenue_from_selling_data": maybe(rng, percent(rng)),
                "percent_revenue_from_selling_or_sharing": maybe(rng, percent(rng)),
                **{f: maybe(rng, rng.random() < 0.3) for f in FLAGS}}
    count = rng.choice([0, 1, 2, 3, 5, 8]) if rng.random() > 0.0005 else rng.randint(1_000, 2_000)
    tools = [{"name": name(rng, n), "kind": rng.choice(ToolKind.values()),
              "collects": maybe(rng, rng.sample(DataCategory.values(), rng.randint(0, 5))),
              "vendor_role": maybe(rng, rng.choice(VendorRole.values())),
              "vendor_uses_data_for_own_purposes": maybe(rng, rng.random() < 0.3),
              "captures_in_real_time": maybe(rng, rng.random() < 0.5),
              "automated_agent": maybe(rng, rng.random() < 0.3)} for n in range(count)]
    drop = lambda d: {k: v for k, v in d.items() if v is not None}   # noqa: E731
    return {"business": drop(business), "states": [drop(s) for s in states], "tools": [drop(t) for t in tools],
            **({"as_of": rng.choice(["2023-07-01", "2025-10-01", "2026-11-26"])} if rng.random() < 0.7 else {})}


def invalid(rng: random.Random, i: int) -> str:
    p = valid(rng, i)
    kind = rng.randrange(12)
    if kind == 0:
        return json.dumps(p)[:-rng.randint(1, 20)]                         # cut short
    if kind == 1:
        p["states"][0]["consumers"] = -rng.randint(1, 10 ** 9)
    elif kind == 2:
        p["states"].append(dict(p["states"][0]))                          # a state twice
    elif kind == 3:
        p["tools"] = [{"name": "Twice", "kind": "crm"}] * 2
    elif kind == 4:
        p["business"]["percent_revenue_from_selling_data"] = rng.choice([101, -1e-9, "50", True])
    elif kind == 5:
        p["business"]["annual_revenue_usd"] = rng.choice([1.5, "1000", [], {}])
    elif kind == 6:
        return '{"a":' * rng.randint(33, 3_000) + "1" + "}" * 3_000
    elif kind == 7:
        return json.dumps(rng.choice([[], 1, "profile", None, [p]]))
    elif kind == 8:
        p["tools"] = [{"name": f"t{n}", "kind": "crm"} for n in range(2_001)]
    elif kind == 9:
        p["surprise"] = 1
    elif kind == 10:
        p["states"][0]["code"] = rng.choice(["XX", "", "california", 5])
    else:
        p["as_of"] = rng.choice([0, "2026-13-01", "yesterday", 20260101])
    return json.dumps(p, ensure_ascii=rng.random() < 0.5)


def write(path: Path, records: int, seed: int) -> int:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as out:
        for i in range(records):
            line = json.dumps(valid(rng, i), ensure_ascii=rng.random() < 0.5) if rng.random() < 0.8 else invalid(rng, i)
            out.write(line + "\n")
    return records


def batch(source: Path, out: Path, fmt: str, engine: str, jobs: int) -> tuple[int, str, float]:
    start = time.monotonic()
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "batch", str(source), "--format", fmt,
                           "--engine", engine, "--jobs", str(jobs), "--as-of", "2026-11-26", "--output", str(out)],
                          capture_output=True, text=True)
    return proc.returncode, proc.stderr, time.monotonic() - start


def check(records: int, seed: int, jobs: int, folder: Path) -> dict:
    """Runs the batches and returns the figures; problems are listed under "problems"."""
    source = folder / "fuzz.jsonl"
    write(source, records, seed)
    figures = {"records in": records, "seed": seed, "jobs": jobs, "problems": []}
    for fmt, engine in [("jsonl", "durable"), ("jsonl", "reference"), ("csv", "durable")]:
        out = folder / f"{engine}.{fmt}"
        code, err, seconds = batch(source, out, fmt, engine, jobs)
        key = f"{fmt}/{engine}"
        figures[f"seconds {key}"] = round(seconds, 1)
        if code not in (0, 1) or "Traceback" in err:
            figures["problems"].append(f"{key}: exit {code}: {err[-2000:]}")
        if fmt == "csv":
            csv.field_size_limit(sys.maxsize)      # a record's vendors cell may hold 8 names of 20,000 characters
            with open(out, encoding="utf-8", newline="") as f:
                seen = sorted({int(row["record"]) for row in csv.DictReader(f)}) if out.exists() else []
            figures[f"records out {key}"] = len(seen)
            if seen != list(range(1, records + 1)):
                figures["problems"].append(f"{key}: record numbers out of order or missing")
    # The JSON Lines outputs, compared a record at a time (together they may not fit in memory).
    for engine in ("durable", "reference"):
        (folder / f"{engine}.jsonl").touch()     # a run that wrote nothing counts 0 records out
    differences, counts = [], {"durable": 0, "reference": 0}
    evaluated = errors = 0
    with open(folder / "durable.jsonl", encoding="utf-8", newline="") as d, \
            open(folder / "reference.jsonl", encoding="utf-8", newline="") as r:
        for number, (dline, rline) in enumerate(itertools.zip_longest(_lines(d), _lines(r)), 1):
            for key, line in (("durable", dline), ("reference", rline)):
                if line is None:
                    continue
                counts[key] += 1
                if len(line.splitlines()) > 1:
                    figures["problems"].append(f"jsonl/{key}: record {number} holds a character line readers break at")
            if dline is None or rline is None:
                continue
            dr, rr = json.loads(dline), json.loads(rline)
            if dr["record"] != number or rr["record"] != number:
                figures["problems"].append(f"jsonl: record {number} out of order")
            evaluated += "findings" in dr
            errors += "error" in dr
            if dr.get("findings") != rr.get("findings") or dr.get("error") != rr.get("error"):
                differences.append(number)
    for key, count in counts.items():
        figures[f"records out jsonl/{key}"] = count
        if count != records:
            figures["problems"].append(f"jsonl/{key}: {count} records out for {records} in")
    figures["evaluated"] = evaluated
    figures["error records"] = errors
    figures["durable/reference differences"] = len(differences)
    figures["tracebacks"] = sum("Traceback" in p for p in figures["problems"])
    if differences:
        figures["problems"].append(f"durable differs from reference on records {differences[:20]}")
    return figures


def _lines(f):
    """Records of a JSON Lines file: split at line feeds only, as JSON Lines is."""
    rest = ""
    for chunk in iter(lambda: f.read(1 << 20), ""):
        parts = (rest + chunk).split("\n")
        rest = parts.pop()
        yield from parts
    if rest:
        yield rest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        figures = check(args.records, args.seed, args.jobs, Path(folder))
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    return 1 if figures["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
