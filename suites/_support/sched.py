"""Helpers for the scheduling suites (19.5.1.1-19.5.1.5): bounded runs of the loop under test.

Every helper bounds how long a broken loop can hold the check: a watchdog timer on the loop
itself stops it (or fails the awaited future) after ``limit`` seconds, so a loop that ignores
stop() or never wakes up fails fast instead of hitting the per-check timeout.
"""

from __future__ import annotations

import asyncio
import contextvars

from .limits import TIMEOUT

LIMIT = TIMEOUT  # seconds a well-behaved loop never needs in these checks

#: A context variable for the contextvars checks of call_soon / call_later / create_task.
VAR = contextvars.ContextVar("loopconf_sched_var", default="unset")


class WatchdogFired(Exception):
    """The watchdog ended a run that the loop under test should have ended by itself."""


def run_forever_bounded(loop, limit: float = LIMIT) -> bool:
    """Run ``loop.run_forever()``; a timer stops it after ``limit`` s.

    Returns True if the watchdog had to stop the loop (the check's own stop never took effect).
    """
    fired = []

    def watchdog():
        fired.append(True)
        loop.stop()

    timer = loop.call_later(limit, watchdog)
    try:
        loop.run_forever()
    finally:
        timer.cancel()
    return bool(fired)


def run_until_bounded(loop, future, limit: float = LIMIT):
    """``loop.run_until_complete(future)`` where a timer fails ``future`` after ``limit`` s.

    A Future gets a WatchdogFired exception; a Task is cancelled (CancelledError).
    """

    def watchdog():
        if future.done():
            return
        if isinstance(future, asyncio.Task):  # a Task cannot be given an exception: cancel it
            future.cancel(f"loopconf watchdog: not done after {limit:g}s")
        else:
            future.set_exception(WatchdogFired(f"not done after {limit:g}s"))

    timer = loop.call_later(limit, watchdog)
    try:
        return loop.run_until_complete(future)
    finally:
        timer.cancel()


def run_once(loop) -> None:
    """Run one batch of ready callbacks: queue stop() and run_forever()."""
    loop.call_soon(loop.stop)
    run_forever_bounded(loop)


def run_for(loop, seconds: float) -> None:
    """Run the loop for about ``seconds`` (stopped by a timer)."""
    loop.call_later(seconds, loop.stop)
    run_forever_bounded(loop, max(LIMIT, seconds * 4))
