"""Turn pytest's phase reports into one loopconf outcome per check.

pass     the check ran and the loop behaved as the spec requires
fail     the loop contradicted the requirement (assertion, Violation, unexpected exception)
missing  the loop raised NotImplementedError: the method is unimplemented, not wrong
skip     not applicable here (Python version, platform, optional OS feature)
timeout  the check did not finish within the per-check timeout
crash    the worker process died while running the check (e.g. a segfault)
error    loopconf itself could not run the check: a bug on our side
"""

from __future__ import annotations

OUTCOMES = ("pass", "fail", "missing", "skip", "timeout", "crash", "error")
NOT_PASSING = ("fail", "missing", "timeout", "crash", "error")

# Precedence when several phases disagree (a failing teardown after a passing call, ...).
_RANK = {"pass": 0, "skip": 1, "missing": 2, "fail": 3, "error": 4, "timeout": 5, "crash": 6}


def classify_exception(exc: BaseException | None, when: str) -> tuple[str, str]:
    """Outcome and one-line message for an exception raised in a phase of a check."""
    from loopconf.evidence import HarnessError, Violation

    if exc is None:
        return "pass", ""
    name = type(exc).__name__
    text = str(exc).strip()
    line = text.splitlines()[0] if text else ""
    if isinstance(exc, NotImplementedError):
        return "missing", f"the loop raised NotImplementedError{': ' + line if line else ''}"
    if isinstance(exc, HarnessError):
        return "error", f"loopconf could not run the check: {line}"
    if isinstance(exc, Violation):
        return "fail", exc.message
    if isinstance(exc, AssertionError):
        return "fail", line or "assertion failed"
    if when == "setup":
        return "error", f"check setup raised {name}: {line}"
    return "fail", f"unexpected {name}{': ' + line if line else ''}"


def combine(current: str | None, new: str) -> str:
    if current is None:
        return new
    return new if _RANK[new] > _RANK[current] else current
