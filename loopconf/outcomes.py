"""Turn pytest's phase reports into one loopconf outcome per check.

pass     the check ran and the loop behaved as the spec requires
fail     the loop contradicted the requirement (assertion, Violation, unexpected exception)
missing  the loop raised NotImplementedError: the method is unimplemented, not wrong
skip     not applicable here (Python version, platform, optional OS feature)
blocked  another documented API broke on the way to the check's own clause (``blocked_by``
         names the check owning it; loopconf.preconditions); counted apart from failures
timeout  the check did not finish within the per-check timeout
crash    the worker process died while running the check (e.g. a segfault)
error    loopconf itself could not run the check: a bug on our side
"""

from __future__ import annotations

from loopconf.wire import OUTCOMES, Outcome

NOT_PASSING = ("fail", "missing", "blocked", "timeout", "crash", "error")

# Precedence when several phases disagree (a failing teardown after a passing call, ...).
_RANK = {"pass": 0, "skip": 1, "blocked": 2, "missing": 3, "fail": 4, "error": 5, "timeout": 6, "crash": 7}
assert set(_RANK) == set(OUTCOMES)

#: Outcomes the check decided itself; no invariant finding turns them into ``fail``.
DECIDED_BY_CHECK = ("missing", "skip", "blocked")


def classify_exception(exc: BaseException | None, when: str) -> tuple[str, str]:
    """Outcome and one-line message for an exception raised in a phase of a check."""
    from loopconf.evidence import HarnessError, Violation
    from loopconf.preconditions import Blocked

    if exc is None:
        return Outcome.PASS.value, ""
    name = type(exc).__name__
    text = str(exc).strip()
    line = text.splitlines()[0] if text else ""
    if isinstance(exc, Blocked):
        return Outcome.BLOCKED.value, f"blocked: {exc.blocked_by} broke on the way ({exc.detail})"
    if isinstance(exc, NotImplementedError):
        return Outcome.MISSING.value, f"the loop raised NotImplementedError{': ' + line if line else ''}"
    if isinstance(exc, HarnessError):
        return Outcome.ERROR.value, f"loopconf could not run the check: {line}"
    if isinstance(exc, Violation):
        return Outcome.FAIL.value, exc.message
    if isinstance(exc, AssertionError):
        return Outcome.FAIL.value, line or "assertion failed"
    if when == "setup":
        return Outcome.ERROR.value, f"check setup raised {name}: {line}"
    return Outcome.FAIL.value, f"unexpected {name}{': ' + line if line else ''}"


def combine(current: str | None, new: str) -> str:
    if current is None:
        return new
    return new if _RANK[new] > _RANK[current] else current
