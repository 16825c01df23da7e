"""Fixtures the suites use: fresh loops from the factory under test, with invariants.

``suites/conftest.py`` imports these, so they exist only for the conformance suites and never
leak into other projects' pytest sessions through the plugin entry point.

- ``loop``: a new loop from the factory. After the check the loop is closed (``close()`` is tried
  even when the loop still says it is running, so one lifecycle fault cannot cascade into the
  next check), and what the invariants see is recorded as *findings* on the test item
  (``item.loopconf_findings``; ``loopconf.invariants``): the loop still running, ``is_closed()``
  false after ``close()``, unexpected exception-handler calls (unless the check declared
  ``handler_calls=True``), threads, fds and child processes left. The fixture never fails the
  check itself: the plugin and the runner judge the findings (``--invariants`` mode).
- ``new_loop``: a callable returning further fresh loops, closed the same way.
- ``handler_calls``: the contexts the loop passed to its exception handler during the check.
- ``loop_factory``: the factory itself (for checks that build loops in other threads).
"""

from __future__ import annotations

import asyncio
import gc
import os

import pytest

from loopconf import invariants
from loopconf.checks import meta_of
from loopconf.evidence import HarnessError
from loopconf.factory import FactoryError, first_use, make_loop, quiet_close, resolve
from loopconf.wire import Opt

_FACTORIES: dict = {}


def loop_spec(config) -> str:
    return config.getoption("loopconf_loop", None) or os.environ.get("LOOPCONF_LOOP") or "asyncio"


@pytest.fixture
def loop_factory(request):
    spec = loop_spec(request.config)
    if spec not in _FACTORIES:
        try:
            _FACTORIES[spec] = resolve(spec)
        except FactoryError as exc:
            raise HarnessError(str(exc)) from None
    factory = _FACTORIES[spec]

    def make():
        try:
            return make_loop(factory, spec)
        except FactoryError as exc:
            raise HarnessError(str(exc)) from None

    return make


class _Recorder:
    """Exception handler that records contexts instead of logging them."""

    def __init__(self):
        self.calls = []

    def __call__(self, loop, context):
        self.calls.append(context)


@pytest.fixture
def handler_calls():
    return []


_WARMED: set = set()


def _warm_up(spec: str, loop_factory, run: bool) -> None:
    """Create and close a throwaway loop once per worker process, before the first snapshot.

    A loop library may open process-wide resources once, when its first loop is created
    (libuv's global signal pipe), first runs or first installs a signal handler (GLib's
    eventfds): those are not leaks of the check that happens to run first (FALSE_POSITIVES.md
    FP-1, FP-1b). With ``run`` (the runner's probe ran the same warm-up without a hang or a
    crash) the throwaway loop is also run once and given a signal handler
    (``loopconf.factory.first_use``); otherwise it is not run, so a loop that hangs or crashes
    when running is still charged to the check that runs it.
    """
    if spec in _WARMED:
        return
    _WARMED.add(spec)
    try:
        loop = loop_factory()
    except Exception:
        return  # the checks themselves will report whatever went wrong
    try:
        if run:
            first_use(loop)
    finally:
        quiet_close(loop)
        del loop
        gc.collect()


@pytest.fixture
def new_loop(request, loop_factory, handler_calls):
    """Callable making fresh loops; all are closed and checked after the check."""
    meta = meta_of(request.node)
    expects_calls = bool(meta and meta.handler_calls)
    allowed_threads = request.config.getoption("loopconf_allow_thread", None) or []
    _warm_up(loop_spec(request.config), loop_factory, request.config.getoption(Opt.dest(Opt.WARM_RUN), False))
    before = invariants.take()
    made = []

    def make():
        loop = loop_factory()
        recorder = _Recorder()
        recorder.calls = handler_calls
        try:
            loop.set_exception_handler(recorder)
        except NotImplementedError:
            pass
        made.append(loop)
        return loop

    yield make

    found = _close_all(made)
    made.clear()
    _forget_loops(request.node)
    if handler_calls and not expects_calls:
        first = handler_calls[0]
        found.append(
            invariants.finding(
                "handler_call",
                str(first.get("message") or "(no message)"),
                f"{len(handler_calls)} call(s)"
                + (f"; exception={first['exception']!r}" if first.get("exception") is not None else ""),
            )
        )
    handler_calls.clear()  # the contexts hold handles, and through them the loop
    leaks = invariants.findings(before, clean_up=False, allowed_threads=allowed_threads)
    if leaks:
        # Objects in reference cycles (a socket held by a transport), and loops that release
        # their fds only when collected, are freed by the cycle collector: collect before
        # calling anything a leak. Only then, because a full collection per check would cost
        # more than most checks.
        gc.collect()
        leaks = invariants.findings(before, allowed_threads=allowed_threads)
    found.extend(leaks)
    found.extend(invariants.unmeasured(before))
    record_findings(request.node, found)


def record_findings(item, found: list) -> None:
    """Attach findings to the test item; the plugin puts them on the check's record."""
    existing = getattr(item, "loopconf_findings", None)
    if existing is None:
        existing = item.loopconf_findings = []
    existing.extend(found)


def _close_all(loops: list) -> list:
    """Close every loop the check left open; return the lifecycle findings.

    ``close()`` is tried even on a loop that still reports ``is_running()``: a loop that claims to
    run forever must not leak its resources into every later check.
    """
    found = []
    for each in loops:
        try:
            running = each.is_running()
        except NotImplementedError:
            running = False
        except Exception as exc:  # noqa: BLE001
            running = False
            found.append(invariants.finding("running", "loop", f"is_running() raised {type(exc).__name__}"))
        if running:
            found.append(invariants.finding("running", "loop", "is_running() is True after the check"))
        try:
            if not each.is_closed():
                each.close()
            if not each.is_closed():
                found.append(invariants.finding("not_closed", "loop", "is_closed() is False after close()"))
        except NotImplementedError:
            continue
        except Exception as exc:  # noqa: BLE001 - close() refused (e.g. "running"): a finding
            found.append(
                invariants.finding("not_closed", "loop", f"close() raised {type(exc).__name__}: {str(exc)[:120]}")
            )
    return found


def _forget_loops(item) -> None:
    """Drop the test item's own references to its loops so that they can be collected."""
    funcargs = getattr(item, "funcargs", None) or {}
    for name, value in list(funcargs.items()):
        if isinstance(value, asyncio.AbstractEventLoop):
            funcargs[name] = None


@pytest.fixture
def loop(new_loop):
    return new_loop()
