"""Hygiene probes (19.5.1.1 close / is_running / is_closed): what the minimal lifecycle leaves behind.

Each probe creates a loop, runs one trivial coroutine, closes the loop and looks at one kind of
invariant. In the default ``--invariants attributed`` mode they are also the reference for
attribution (``loopconf.attribution``): a finding after any other check with the same kind and
resource as a probe's is loop-wide; it fails the probe once and leaves the other checks' verdicts alone.
"""

import asyncio
import gc

from loopconf import checks, invariants
from loopconf.checks import SHOULD
from loopconf.evidence import Violation
from loopconf.fixtures import record_findings

from ._support.sched import run_until_bounded

scope = checks.scope(area="hygiene", section="19.5.1.1")


def _lifecycle(loop_factory, item) -> tuple:
    """Create, run once, close; return (loop state seen, findings of the process).

    The lifecycle findings (still running, not closed) go on the probe's record like the fixture's
    (``item``), so attribution sees them; fds, threads and children the fixture measures itself.
    """
    before = invariants.take()
    state = {}
    loop = loop_factory()
    try:
        run_until_bounded(loop, loop.create_task(asyncio.sleep(0)))
        state["running_after_run"] = loop.is_running()
    finally:
        try:
            loop.close()
            state["closed"] = loop.is_closed()
        except Exception as exc:  # noqa: BLE001 - a refusing close() is what marks_closed reports
            state["closed"] = False
            state["close_error"] = f"{type(exc).__name__}: {exc}"
    del loop
    lifecycle = []
    if state.get("running_after_run"):
        lifecycle.append(invariants.finding("running", "loop", "is_running() is True after the check"))
    if not state.get("closed"):
        lifecycle.append(
            invariants.finding("not_closed", "loop", state.get("close_error") or "is_closed() is False after close()")
        )
    record_findings(item, lifecycle)
    found = invariants.findings(before, clean_up=False)
    if found:
        gc.collect()  # a loop that frees its fds only when collected: the fixture's tolerance too
        found = invariants.findings(before)
    return state, found


LOOP_WIDE = {"level": SHOULD, "note": "hygiene-loop-wide"}  # what the leftover checks share


def _expect_none(loop_factory, request, kind: str, what: str) -> None:
    """Run the lifecycle; fail with ``what`` if it left anything of ``kind`` behind."""
    _, found = _lifecycle(loop_factory, request.node)
    mine = [f for f in found if f["kind"] == kind]
    if mine:
        raise Violation(what, expected=[], observed=[invariants.describe(f) for f in mine])


@scope.check(
    "close",
    "releases_fds",
    **LOOP_WIDE,
    requirement="After a loop has been created, run once and closed (and collected), the process "
    "holds no file descriptor the loop opened.",
)
def test_close_releases_fds(loop_factory, new_loop, request):
    """19.5.1.1 close: what the lifecycle opened is given back."""
    _expect_none(loop_factory, request, "fd", "file descriptors stayed open after the loop was closed")


@scope.check(
    "close",
    "stops_threads",
    **LOOP_WIDE,
    requirement="After a loop has been created, run once and closed, no thread it started keeps "
    "running (beyond a short grace period for the executor).",
)
def test_close_stops_threads(loop_factory, new_loop, request):
    """19.5.1.1 close: shuts the executor down; no thread of the loop outlives it."""
    _expect_none(loop_factory, request, "thread", "threads kept running after the loop was closed")


@scope.check(
    "close",
    "reaps_children",
    **LOOP_WIDE,
    requirement="After a loop has been created, run once and closed, no child process it started is left running.",
)
def test_close_reaps_children(loop_factory, new_loop, request):
    """19.5.1.1 close: no child process outlives the loop's lifecycle."""
    _expect_none(loop_factory, request, "child", "child processes were left after the loop was closed")


@scope.check(
    "is_running",
    "not_running_after_run",
    topic="lifecycle",
    covers=("is_running.1:partial",),
    requirement="Once run_until_complete() has returned, is_running() is False.",
)
def test_not_running_after_run(loop_factory, new_loop, request):
    """19.5.1.1 is_running: the running status ends when the run call returns."""
    state, _ = _lifecycle(loop_factory, request.node)
    if state.get("running_after_run"):
        raise Violation("is_running() is still True after run_until_complete() returned", expected=False, observed=True)


@scope.check(
    "close",
    "marks_closed",
    covers=("is_closed.1:partial", "close.7:partial"),
    anchor="asyncio.AbstractEventLoop.is_closed",
    requirement="close() on a loop that has run and stopped succeeds, and is_closed() is then True.",
)
def test_close_marks_closed(loop_factory, new_loop, request):
    """19.5.1.1 close / is_closed: closing a stopped loop closes it."""
    state, _ = _lifecycle(loop_factory, request.node)
    if "close_error" in state:
        raise Violation("close() of a stopped loop raised", expected="closed", observed=state["close_error"])
    if not state.get("closed"):
        raise Violation("is_closed() is False after close()", expected=True, observed=False)
