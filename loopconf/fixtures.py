"""Fixtures the suites use: fresh loops from the factory under test, with invariants.

``suites/conftest.py`` imports these, so they exist only for the conformance suites and never
leak into other projects' pytest sessions through the plugin entry point.

- ``loop``: a new loop from the factory. After the check: the loop is closed (if the check did
  not close it), it must report ``is_closed()``, its exception handler must not have been
  called unless the check declared ``handler_calls=True``, and no thread, fd or child process
  created during the check may survive.
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
from loopconf.evidence import HarnessError, Violation
from loopconf.factory import FactoryError, make_loop, resolve

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


def _warm_up(spec: str, loop_factory) -> None:
    """Create and close a throwaway loop once per worker process, before the first snapshot.

    A loop library may open process-wide resources once, when its first loop is created
    (libuv's global signal pipe, for instance): those are not leaks of the check that happens
    to run first. The throwaway loop is not run, so a loop that hangs or crashes when running
    is still charged to the check that runs it.
    """
    if spec in _WARMED:
        return
    _WARMED.add(spec)
    try:
        loop_factory().close()
    except Exception:
        pass  # the checks themselves will report whatever went wrong
    gc.collect()


@pytest.fixture
def new_loop(request, loop_factory, handler_calls):
    """Callable making fresh loops; all are closed and checked after the check."""
    meta = meta_of(request.node)
    expects_calls = bool(meta and meta.handler_calls)
    allowed_threads = request.config.getoption("loopconf_allow_thread", None) or []
    _warm_up(loop_spec(request.config), loop_factory)
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

    problems = _close_all(made)
    made.clear()
    _forget_loops(request.node)
    if handler_calls and not expects_calls:
        first = handler_calls[0]
        problems.append(
            f"the loop's exception handler was called unexpectedly ({len(handler_calls)}x): "
            f"{first.get('message')!r}"
            + (f" exception={first['exception']!r}" if first.get("exception") is not None else "")
        )
    handler_calls.clear()  # the contexts hold handles, and through them the loop
    leaks = invariants.leaks(before, clean_up=False, allowed_threads=allowed_threads)
    if leaks:
        # Objects in reference cycles (a socket held by a transport), and loops that release
        # their fds only when collected, are freed by the cycle collector: collect before
        # calling anything a leak. Only then, because a full collection per check would cost
        # more than most checks. (Whether close() itself releases fds is a check of its own.)
        gc.collect()
        leaks = invariants.leaks(before, allowed_threads=allowed_threads)
    problems.extend(leaks)
    if problems:
        raise Violation("invariant broken after the check: " + "; ".join(problems))


def _close_all(loops: list) -> list:
    """Close every loop the check left open; return the invariant problems seen."""
    problems = []
    for each in loops:
        try:
            if each.is_running():
                problems.append("the loop is still running after the check")
                continue
            if not each.is_closed():
                each.close()
            if not each.is_closed():
                problems.append("loop.is_closed() is False after loop.close()")
        except NotImplementedError:
            continue
    return problems


def _forget_loops(item) -> None:
    """Drop the test item's own references to its loops so that they can be collected."""
    funcargs = getattr(item, "funcargs", None) or {}
    for name, value in list(funcargs.items()):
        if isinstance(value, asyncio.AbstractEventLoop):
            funcargs[name] = None


@pytest.fixture
def loop(new_loop):
    return new_loop()
