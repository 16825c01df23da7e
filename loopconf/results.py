"""The results model: one run, the loops it covered, the check catalogue, one result per check x loop.

Serialised as ``results.json`` (schema: ``loopconf/schema/results.schema.json``, documented in
README.md). Every report (terminal, HTML, JUnit, diff, baseline) reads this model only.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import sys
from collections.abc import Iterable

from loopconf import __version__
from loopconf.checks import SECTIONS, SPEC_DOC

SCHEMA_VERSION = 2


@dataclasses.dataclass
class LoopInfo:
    """One loop under test: how it was named and what it turned out to be."""

    key: str  # short unique label used in the report (the spec unless it repeats)
    spec: str  # what the user passed to --loop
    factory: str = ""  # the resolved module:attr
    cls: str = ""  # module.qualname of the loop class
    version: str = ""  # version of the package providing the loop
    status: str = "ok"  # ok | factory-error | aborted
    error: str = ""  # one-line reason when status is not ok
    python: str = dataclasses.field(default_factory=platform.python_version)
    duration: float = 0.0


@dataclasses.dataclass
class Result:
    """The outcome of one check against one loop."""

    loop: str
    check_id: str
    nodeid: str
    outcome: str
    message: str = ""
    expected: object = None
    observed: object = None
    traceback: str = ""
    duration: float = 0.0
    reproducer: str = ""
    # Filled by the expectations gate (loopconf.expectations):
    expectation: str = ""  # expected outcome(s) listed for this check, if any
    verdict: str = ""  # ok | regression | expected | unexpected-pass | non-strict | info
    reason: str = ""  # reason / issue link from the expectations file
    # Schema 2 (issue #14):
    findings: list = dataclasses.field(default_factory=list)  # [{kind, resource, detail}] after the check
    attributed_to: str = ""  # hygiene check a loop-wide finding of this record was moved to
    blocked_by: str = ""  # outcome blocked: the check owning the clause that broke on the way
    reruns: int = 0  # times the runner ran this check again (no hidden reruns)
    outcomes_seen: list = dataclasses.field(default_factory=list)  # outcomes across --repeat runs


@dataclasses.dataclass
class Results:
    run: dict
    loops: list
    checks: dict  # check_id -> metadata dict (loopconf.checks.CheckMeta.to_dict())
    results: list
    spec_notes: list = dataclasses.field(default_factory=list)
    loop_findings: list = dataclasses.field(default_factory=list)  # loopconf.attribution.attribute()
    schema_version: int = SCHEMA_VERSION

    # -- queries ---------------------------------------------------------------------------
    def loop_keys(self) -> list:
        return [loop.key for loop in self.loops]

    def for_loop(self, key: str) -> list:
        return [r for r in self.results if r.loop == key]

    def meta(self, check_id: str) -> dict:
        return self.checks.get(check_id) or self.checks.get(check_id.split("[", 1)[0]) or {}

    def findings_for(self, key: str) -> list:
        """Loop-wide findings of one loop (attributed mode), in the order found."""
        return [f for f in self.loop_findings if f["loop"] == key]

    def by_check(self) -> dict:
        """{check_id: {loop_key: Result}} in catalogue order."""
        table: dict = {cid: {} for cid in self.checks}
        for r in self.results:
            table.setdefault(r.check_id, {})[r.loop] = r
        return table

    # -- (de)serialisation -----------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "schema_version": self.schema_version,
            "run": self.run,
            "loops": [dataclasses.asdict(loop) for loop in self.loops],
            "checks": self.checks,
            "results": [dataclasses.asdict(r) for r in self.results],
            "spec_notes": self.spec_notes,
            "loop_findings": self.loop_findings,
        }

    def write(self, path: str) -> None:
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.to_dict(), f, indent=1, default=repr)
        os.replace(tmp, path)

    @classmethod
    def from_dict(cls, data: dict) -> Results:
        version = data.get("schema_version")
        if version not in (1, SCHEMA_VERSION):
            raise ValueError(f"unsupported results schema_version {version!r}")
        if version == 1:  # 0.1 runs: every finding failed its check (today's --invariants strict)
            data = dict(data, run={"invariants": "strict", **data["run"]})
        loop_fields = {f.name for f in dataclasses.fields(LoopInfo)}
        result_fields = {f.name for f in dataclasses.fields(Result)}
        return cls(
            run=data["run"],
            loops=[LoopInfo(**{k: v for k, v in d.items() if k in loop_fields}) for d in data["loops"]],
            checks=data["checks"],
            results=[Result(**{k: v for k, v in d.items() if k in result_fields}) for d in data["results"]],
            spec_notes=data.get("spec_notes", []),
            loop_findings=data.get("loop_findings", []),
        )

    @classmethod
    def read(cls, path: str) -> Results:
        with open(path) as f:
            return cls.from_dict(json.load(f))


def run_info(
    argv: Iterable[str], started: float, finished: float, invariants: str = "attributed", repeat: int = 1
) -> dict:
    return {
        "invariants": invariants,
        "repeat": repeat,
        "loopconf_version": __version__,
        "spec": SPEC_DOC,
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "sys_platform": sys.platform,
        "argv": list(argv),
        "started": started,
        "finished": finished,
        "duration": round(finished - started, 3),
    }


def merge(many: list) -> Results:
    """Combine several runs (e.g. one loop each) into one Results; later runs win on key clashes."""
    if not many:
        raise ValueError("nothing to merge")
    first = many[0]
    loops, results, checks, notes, wide = {}, {}, {}, {}, {}
    for res in many:
        checks.update(res.checks)
        for loop in res.loops:
            loops[loop.key] = loop
        for r in res.results:
            results[(r.loop, r.check_id)] = r
        for note in res.spec_notes:
            notes[note["id"]] = note
        for f in res.loop_findings:
            wide[(f["loop"], f["check_id"], f["kind"], f["resource"])] = f
    run = dict(first.run)
    run["merged_from"] = [r.run.get("started") for r in many]
    run["started"] = min(r.run.get("started", 0) for r in many)
    run["finished"] = max(r.run.get("finished", 0) for r in many)
    run["duration"] = round(sum(r.run.get("duration", 0) for r in many), 3)
    modes = {r.run.get("invariants", "attributed") for r in many}
    run["invariants"] = modes.pop() if len(modes) == 1 else "mixed"
    return Results(
        run=run,
        loops=list(loops.values()),
        checks=checks,
        results=list(results.values()),
        spec_notes=list(notes.values()),
        loop_findings=list(wide.values()),
    )


def section_order(section: str) -> tuple:
    keys = list(SECTIONS)
    return (keys.index(section) if section in keys else len(keys), section)


# outcomes counted one by one in score() (pass and skip are counted through the levels)
FAILING_OUTCOMES = ("fail", "timeout", "crash", "error")


def score(results: Results, key: str) -> dict:
    """Headline numbers of one loop of a run: MUST/SHOULD passed of applicable checks, the count of
    each outcome and of each expectations verdict. Shared by the terminal, HTML and JSON summaries
    and by the report publisher (loopconf.publish).

    Applicable means neither skipped nor blocked: a blocked check could not judge its own clause
    (another documented API broke on the way), so it is counted apart, not as a pass or a failure.
    Hygiene checks (loop-wide findings) count like any other check.
    """
    recs = results.for_loop(key)

    def level(r):
        return results.meta(r.check_id).get("level", "MUST")

    applicable = [r for r in recs if r.outcome not in ("skip", "blocked")]
    counts = {
        "must_applicable": sum(level(r) == "MUST" for r in applicable),
        "must_pass": sum(level(r) == "MUST" and r.outcome == "pass" for r in applicable),
        "should_applicable": sum(level(r) == "SHOULD" for r in applicable),
        "should_pass": sum(level(r) == "SHOULD" and r.outcome == "pass" for r in applicable),
        "info": sum(level(r) == "INFO" for r in applicable),
        "missing": sum(r.outcome == "missing" for r in recs),
        "skipped": sum(r.outcome == "skip" for r in recs),
        "blocked": sum(r.outcome == "blocked" for r in recs),
        "hygiene_fail": sum(r.check_id.startswith("hygiene.") and r.outcome == "fail" for r in recs),
        "regressions": sum(r.verdict == "regression" for r in recs),
        "expected": sum(r.verdict == "expected" for r in recs),
        "unexpected_pass": sum(r.verdict == "unexpected-pass" for r in recs),
        "flaky": sum(r.verdict == "flaky" for r in recs),
        "total": len(recs),
    }
    for outcome in FAILING_OUTCOMES:
        counts[outcome] = sum(r.outcome == outcome for r in recs)
    counts["failing"] = sum(counts[outcome] for outcome in FAILING_OUTCOMES)
    return counts
