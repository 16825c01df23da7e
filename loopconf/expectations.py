"""Expectations files and the CI gate.

An expectations file (TOML) lists known deviations, so that a run fails only on regressions::

    version = 1

    [[expected]]
    loop = "uvloop"                 # a --loop spec, a loop class, or a glob over either
    check = "sockets.sock_sendfile.*"   # a check ID or a glob over IDs
    outcome = "fail"                # or alternatives: ["fail", "timeout"], ["fail", "pass"]
    reason = "uses its own sendfile path"
    issue = "https://github.com/MagicStack/uvloop/issues/..."
    python = ">=3.12"               # optional PEP 440 specifier on the Python version
    platform = "linux"              # optional sys.platform prefix

Each result gets a verdict:

ok               passed, skipped, or a non-passing INFO check without an expectation
regression       a non-passing MUST check without a matching expectation (gates the run)
non-strict       a non-passing SHOULD check (gates only with --strict)
expected         the outcome is one the file lists for it
unexpected-pass  the file lists a non-passing outcome but the check passed
                 (gates only with --strict-expectations)
blocked          the check could not reach its own clause (another documented API broke on the
                 way, named in ``blocked_by``); counted apart, never gating by itself
flaky            the check's outcome differed between repeats of the same run (``--repeat N``)
                 and the file does not list every outcome seen; gates like a regression for
                 MUST checks (like non-strict for SHOULD, informative for INFO)

A check known to be intermittent on a loop lists every outcome it may have, ``pass`` included
(``outcome = ["fail", "pass"]``): any of them is ``expected``, and so is a repeat run that saw
several of them. ``pass`` alone is refused (there is nothing to expect).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import sys

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

OUTCOMES_EXPECTABLE = ("fail", "missing", "skip", "timeout", "crash", "error", "blocked")
#: Outcomes allowed only as one alternative among others (an intermittent check).
OUTCOMES_ALTERNATIVE = ("pass",)

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class ExpectationsError(Exception):
    """The expectations file is unreadable or malformed; the message is one line for the user."""


@dataclasses.dataclass
class Expectation:
    loop: str
    check: str
    outcomes: tuple
    reason: str = ""
    issue: str = ""
    python: str = ""
    platform: str = ""

    def matches(self, loop, check_id: str, python: str, platform: str) -> bool:
        if not any(fnmatch.fnmatchcase(name, self.loop) for name in (loop.spec, loop.key, loop.cls) if name):
            return False
        base = check_id.split("[", 1)[0]
        if not (fnmatch.fnmatchcase(check_id, self.check) or fnmatch.fnmatchcase(base, self.check)):
            return False
        if self.python and Version(python) not in SpecifierSet(self.python):
            return False
        if self.platform and not platform.startswith(self.platform):
            return False
        return True


def load(path: str) -> list:
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ExpectationsError(f"expectations file {path!r} does not exist") from None
    except OSError as exc:
        raise ExpectationsError(f"cannot read expectations file {path!r}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ExpectationsError(f"expectations file {path!r} is not valid TOML: {exc}") from None
    return parse(data, path)


def parse(data: dict, path: str = "<expectations>") -> list:
    if not isinstance(data, dict) or not isinstance(data.get("expected", []), list):
        raise ExpectationsError(f"{path}: expected a list of [[expected]] tables")
    unknown_top = set(data) - {"version", "expected"}
    if unknown_top:
        raise ExpectationsError(f"{path}: unknown top-level keys: {', '.join(sorted(unknown_top))}")
    out = []
    for i, entry in enumerate(data.get("expected", []), 1):
        where = f"{path}: [[expected]] #{i}"
        if not isinstance(entry, dict):
            raise ExpectationsError(f"{where} is not a table")
        extra = set(entry) - {"loop", "check", "outcome", "reason", "issue", "python", "platform"}
        if extra:
            raise ExpectationsError(f"{where}: unknown keys: {', '.join(sorted(extra))}")
        for key in ("loop", "check", "outcome"):
            if key not in entry:
                raise ExpectationsError(f"{where}: missing '{key}'")
        outcomes = entry["outcome"]
        outcomes = (outcomes,) if isinstance(outcomes, str) else tuple(outcomes)
        bad = [o for o in outcomes if o not in OUTCOMES_EXPECTABLE + OUTCOMES_ALTERNATIVE]
        if bad or not outcomes:
            raise ExpectationsError(
                f"{where}: outcome must be one or more of {', '.join(OUTCOMES_EXPECTABLE)} (got {bad or outcomes})"
            )
        if not any(o in OUTCOMES_EXPECTABLE for o in outcomes):
            raise ExpectationsError(
                f"{where}: outcome 'pass' is only allowed beside a non-passing outcome, "
                f'for an intermittent check (e.g. ["fail", "pass"])'
            )
        python = str(entry.get("python", ""))
        if python:
            try:
                SpecifierSet(python)
            except InvalidSpecifier:
                raise ExpectationsError(f"{where}: python = {python!r} is not a version specifier") from None
        out.append(
            Expectation(
                loop=str(entry["loop"]),
                check=str(entry["check"]),
                outcomes=outcomes,
                reason=str(entry.get("reason", "")),
                issue=str(entry.get("issue", "")),
                python=python,
                platform=str(entry.get("platform", "")),
            )
        )
    return out


def apply(results, expectations: list, known=None) -> list:
    """Give every result its verdict; return the expectations that match no known check.

    ``known`` is every check ID the running loopconf has (the full catalogue); by default the
    checks of ``results``. A subset run passes the full catalogue, so that entries for checks
    that merely were not selected are not reported as matching nothing.
    """
    python = results.run.get("python", "0")
    platform = results.run.get("sys_platform", sys.platform)
    loops = {loop.key: loop for loop in results.loops}
    used = set()
    for r in results.results:
        level = results.meta(r.check_id).get("level", "MUST")
        exp = next((e for e in expectations if e.matches(loops[r.loop], r.check_id, python, platform)), None)
        if exp is not None:
            used.add(id(exp))
            r.expectation = ",".join(exp.outcomes)
            r.reason = " ".join(p for p in (exp.reason, exp.issue) if p)
            if all(o in exp.outcomes for o in _seen(r)):
                r.verdict = "expected"
            elif _flipped(r):
                r.verdict = _flaky(level)
            elif r.outcome in ("pass", "skip"):
                r.verdict = "unexpected-pass"
            else:
                r.verdict = "regression" if level == "MUST" else ("non-strict" if level == "SHOULD" else "info")
            continue
        r.expectation, r.reason = "", ""
        if _flipped(r):
            r.verdict = _flaky(level)
        elif r.outcome in ("pass", "skip"):
            r.verdict = "ok"
        elif r.outcome == "blocked":  # its own clause was not reached: the clause that broke is judged
            r.verdict = "blocked"  # by the check named in blocked_by, never gating by itself
        elif r.outcome in ("pass", "skip"):
            r.verdict = "ok"
        elif r.outcome == "error":
            r.verdict = "regression"
        elif level == "MUST":
            r.verdict = "regression"
        elif level == "SHOULD":
            r.verdict = "non-strict"
        else:
            r.verdict = "info"
    known = set(results.checks if known is None else known)
    return [
        e
        for e in expectations
        if id(e) not in used
        and not any(fnmatch.fnmatchcase(c, e.check) or fnmatch.fnmatchcase(c.split("[", 1)[0], e.check) for c in known)
    ]


def _seen(r) -> list:
    """Every outcome the check had in this run (several in stability mode)."""
    return list(r.outcomes_seen) or [r.outcome]


def _flipped(r) -> bool:
    """The check's outcome differed between repeats of this run."""
    return len(set(r.outcomes_seen)) > 1


def _flaky(level: str) -> str:
    """An unstable INFO check stays informative; MUST and SHOULD ones are flaky."""
    return "info" if level == "INFO" else "flaky"


def exit_code(results, *, strict: bool = False, strict_expectations: bool = False) -> int:
    """0 conformant (modulo expectations), 1 conformance failures, 2 factory errors, 3 internal."""
    if any(loop.status != "ok" for loop in results.loops):
        return EXIT_USAGE
    if any(r.outcome == "error" and r.verdict != "expected" for r in results.results):
        return EXIT_INTERNAL
    gating = {"regression"}
    if any(r.verdict == "flaky" and results.meta(r.check_id).get("level", "MUST") == "MUST" for r in results.results):
        return EXIT_FAIL
    if strict:
        gating.update(("non-strict", "flaky"))
    if strict_expectations:
        gating.add("unexpected-pass")
    return EXIT_FAIL if any(r.verdict in gating for r in results.results) else EXIT_OK


def baseline_toml(results) -> str:
    """An expectations file with one entry per non-passing check of the run."""
    lines = [
        "# loopconf expectations, written by `loopconf baseline`.",
        f"# Python {results.run.get('python')} on {results.run.get('sys_platform')};"
        " edit reasons and issue links by hand.",
        "version = 1",
        "",
    ]
    for r in sorted(results.results, key=lambda r: (r.loop, r.check_id)):
        seen = list(dict.fromkeys(_seen(r)))
        if all(o in ("pass", "skip") for o in seen):
            continue
        loop = next(loop for loop in results.loops if loop.key == r.loop)
        outcome = _toml_str(seen[0]) if len(seen) == 1 else "[" + ", ".join(map(_toml_str, seen)) + "]"
        lines += [
            "[[expected]]",
            f"loop = {_toml_str(loop.spec)}",
            f"check = {_toml_str(r.check_id)}",
            f"outcome = {outcome}",
            f"reason = {_toml_str(r.message.splitlines()[0][:200] if r.message else '')}",
            "",
        ]
    return "\n".join(lines)


def _toml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string
