"""Stability benchmark: N full runs per loop beside K busy processes; how many outcomes change.

Run: ``python benchmarks/stability.py [--loop SPEC ...] [--runs N] [--busy K] [-n W]``
(defaults: asyncio, reference and uvloop when importable; 10 runs; 2 busy processes; -n 2).

It starts K processes that spin (``python3 -c 'while True: pass'``), then runs
``loopconf run --repeat N`` for all loops at once (every repeat in fresh workers), and prints, per
loop, the number of checks whose outcome changed between repeats and which ones. The figure is
the one quoted in the README; 0 is the target. The busy processes are always ended.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@contextlib.contextmanager
def busy(count: int):
    """``count`` CPU-bound processes beside the run (ended on exit, whatever happens)."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for p in procs:
            p.kill()
        for p in procs:
            p.wait()


def default_loops() -> list:
    loops = ["asyncio", "reference"]
    if importlib.util.find_spec("uvloop"):
        loops.append("uvloop")
    return loops


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--loop", action="append", default=[], help="loop spec (repeatable)")
    p.add_argument("--runs", type=int, default=10, help="full runs per loop (default 10)")
    p.add_argument("--busy", type=int, default=2, help="busy processes beside the run (default 2)")
    p.add_argument("-n", "--workers", default="2", help="pytest-xdist workers per loop (default 2)")
    p.add_argument("--extra", default="", help="more `loopconf run` arguments, e.g. '--section 19.5.1.3'")
    p.add_argument("--out", default="", help="keep the combined report here (default: a temp dir)")
    args = p.parse_args(argv)
    loops = args.loop or default_loops()
    out = args.out or tempfile.mkdtemp(prefix="loopconf-stability-")
    cmd = [
        sys.executable,
        "-m",
        "loopconf",
        "run",
        "--repeat",
        str(args.runs),
        "-n",
        args.workers,
        "--out",
        out,
        "--quiet",
        *args.extra.split(),
    ]
    for loop in loops:
        cmd += ["--loop", loop]
    print(
        f"{args.runs} runs of {', '.join(loops)} at -n {args.workers} beside {args.busy} busy "
        f"process(es) on {os.cpu_count()} cores",
        flush=True,
    )
    started = time.monotonic()
    with busy(args.busy):
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    wall = time.monotonic() - started
    path = os.path.join(out, "results.json")
    if not os.path.exists(path):
        print(proc.stdout + proc.stderr, file=sys.stderr)
        return 2
    with open(path) as f:
        data = json.load(f)
    total_changed = 0
    for loop in data["loops"]:
        records = [r for r in data["results"] if r["loop"] == loop["key"]]
        changed = [r for r in records if len(set(r.get("outcomes_seen") or [r["outcome"]])) > 1]
        total_changed += len(changed)
        print(f"{loop['key']}: {len(records)} checks x {args.runs} runs, {len(changed)} changed outcome")
        for r in changed:
            print(f"    {r['check_id']}: {', '.join(r['outcomes_seen'])}")
    print(f"total: {total_changed} check(s) changed outcome; {wall:.0f} s wall; report in {out}")
    return 0 if total_changed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
