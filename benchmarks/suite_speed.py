"""Suite speed: loopconf's checks per second for one loop, beside CPython's own test_asyncio.

Run: ``python benchmarks/suite_speed.py [--loop asyncio] [-n 2] [--skip-cpython]``.

Both are measured in the same invocation with the same interpreter, one after the other:

- loopconf: ``loopconf run --loop LOOP -n W``; checks per second = checks run (not skipped) / wall
  time of the whole command (probe, collection, workers and reports included); also the same at
  ``-n 0`` to show what the second worker gains;
- CPython: ``python -m test test_asyncio -jW``; tests per second = tests run / wall time.

It prints both throughputs and their ratio (the README quotes it), the 20 slowest checks, the
fixed cost of a run (one short check alone, at -n W and -n 0) and the load average beside each
figure (on a shared machine a figure means little without it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: A short check: a run of it alone is almost all fixed cost (probe, collection, start-up, reports).
ONE_CHECK = "calls.call_soon.fifo"


def load() -> str:
    """The 1-minute load average (the machine may be shared: quote it beside every figure)."""
    return f"load {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "load unknown"


def run_loopconf(loop: str, workers: str, select: tuple = ()) -> dict:
    out = tempfile.mkdtemp(prefix="loopconf-speed-")
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "loopconf", "run", "--loop", loop, "-n", workers, "--out", out, "--quiet", *select],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    wall = time.monotonic() - started
    with open(os.path.join(out, "results.json")) as f:
        data = json.load(f)
    ran = [r for r in data["results"] if r["outcome"] != "skip"]
    return {
        "wall": wall,
        "checks": len(ran),
        "rate": len(ran) / wall,
        "in_checks": sum(r["duration"] for r in ran),
        "slowest": sorted(ran, key=lambda r: -r["duration"])[:20],
    }


def run_cpython(workers: str) -> dict:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "test", "test_asyncio", f"-j{workers}"], capture_output=True, text=True
    )
    wall = time.monotonic() - started
    match = re.search(r"Total tests: run=([\d,]+)", proc.stdout)
    if not match:
        raise SystemExit(
            "could not read the test count of `python -m test test_asyncio` "
            "(is the test package installed for this interpreter?)"
        )
    tests = int(match.group(1).replace(",", ""))
    return {"wall": wall, "tests": tests, "rate": tests / wall}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--loop", default="asyncio")
    p.add_argument("-n", "--workers", default="2")
    p.add_argument("--skip-cpython", action="store_true", help="only measure loopconf")
    p.add_argument("--skip-serial", action="store_true", help="do not measure -n 0")
    args = p.parse_args(argv)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, {load()}", flush=True)
    for workers in dict.fromkeys((args.workers, "0")):
        one = run_loopconf(args.loop, workers, ("--check", ONE_CHECK))
        print(f"fixed cost: one check ({ONE_CHECK}) at -n {workers}: {one['wall']:.2f} s ({load()})", flush=True)
    lc = run_loopconf(args.loop, args.workers)
    print(
        f"loopconf --loop {args.loop} -n {args.workers}: {lc['checks']} checks in {lc['wall']:.1f} s "
        f"= {lc['rate']:.1f} checks/s (time inside checks {lc['in_checks']:.1f} s; {load()})",
        flush=True,
    )
    if not args.skip_serial:
        serial = run_loopconf(args.loop, "0")
        print(
            f"loopconf --loop {args.loop} -n 0: {serial['wall']:.1f} s = {serial['rate']:.1f} checks/s; "
            f"{args.workers} workers gain x{serial['wall'] / lc['wall']:.2f} ({load()})",
            flush=True,
        )
    print("slowest checks:")
    for r in lc["slowest"]:
        print(f"    {r['duration']:6.2f} s  {r['check_id']}")
    if not args.skip_cpython:
        cp = run_cpython(args.workers)
        print(
            f"CPython test_asyncio -j{args.workers}: {cp['tests']} tests in {cp['wall']:.1f} s "
            f"= {cp['rate']:.1f} tests/s ({load()})"
        )
        print(f"ratio loopconf/CPython: {lc['rate'] / cp['rate']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
