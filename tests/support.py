"""Helpers for loopconf's own tests: run selected checks against a loop, read the records."""

from __future__ import annotations

import functools
import json
import os
import pathlib
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parent.parent
SUITES = REPO / "suites"


@functools.cache
def _catalogue() -> tuple:
    """(nodeid, check_id) of every check, collected once per test process."""
    from loopconf import runner

    return tuple((e["nodeid"], e["check_id"]) for e in runner.collect(runner.Selection()))


def suite_files(*checks: str) -> list:
    """The suite files holding the checks that match ``checks`` (IDs or globs)."""
    from loopconf.plugin import matches_check

    files = sorted({nodeid.split("::", 1)[0] for nodeid, cid in _catalogue() if matches_check(cid, checks)})
    if not files:
        raise AssertionError(f"no check matches {checks}")
    return [str(SUITES / f) for f in files]


def run_checks(loop_spec: str, *checks: str, timeout: float = 30.0, workers: int = 0, extra: tuple = ()) -> dict:
    """Run the checks matching ``checks`` (IDs or globs) against ``loop_spec``.

    Only the suite files holding those checks are collected, which keeps each call fast.
    Returns {check_id: record}; each record has at least ``outcome`` and ``message``.
    """
    with tempfile.TemporaryDirectory() as tmp:
        stream = os.path.join(tmp, "stream.jsonl")
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            *suite_files(*checks),
            "--rootdir",
            str(SUITES),
            "-c",
            str(SUITES / "pytest.ini"),
            "-q",
            "-p",
            "no:faulthandler",
            "--loopconf-loop",
            loop_spec,
            "--loopconf-stream",
            stream,
            "--loopconf-state",
            os.path.join(tmp, "state"),
            "--loopconf-timeout",
            str(timeout),
        ]
        if workers:
            cmd += ["-n", str(workers)]
        for c in checks:
            cmd += ["--loopconf-check", c]
        cmd += list(extra)
        env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        proc = subprocess.run(cmd, cwd=str(SUITES), env=env, capture_output=True, text=True, timeout=600)
        records = {}
        if os.path.exists(stream):
            with open(stream) as f:
                for line in f:
                    rec = json.loads(line)
                    if rec.get("type") == "check":
                        records[rec["check_id"] or rec["nodeid"]] = rec
        if not records:
            raise AssertionError(f"no check records; pytest said:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return records


def loopconf(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the ``loopconf`` command (as ``python -m loopconf``) from the repository root."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""), NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "loopconf", *args],
        cwd=str(REPO),
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def read_results(out_dir) -> dict:
    with open(os.path.join(out_dir, "results.json")) as f:
        return json.load(f)


def outcome_map(results: dict, hygiene: bool = False) -> dict:
    """{(loop key, check_id): outcome} of a results.json document.

    The hygiene probes (hygiene.*) run in every attributed-mode run whatever was selected; they
    are left out unless ``hygiene`` is true.
    """
    return {
        (r["loop"], r["check_id"]): r["outcome"]
        for r in results["results"]
        if hygiene or not r["check_id"].startswith("hygiene.")
    }
