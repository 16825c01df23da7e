"""Debug mode (loop page, after 19.5.1.16): get_debug / set_debug and what debug mode reports.

loop.slow_callback_duration is CPython-specific: the slow-callback check lowers it when the loop
has it (to stay fast) but does not require it, and is graded INFO.
"""

import logging
import os
import sys
import threading
import time

from ._support.logcapture import asyncio_log
from loopconf.checks import INFO, SHOULD, check
from loopconf.evidence import expect, expect_equal

SECTION = "page.debug"
WAIT = 5.0


@check("debug.get_debug.returns_bool", section=SECTION, method="get_debug",
       requirement="get_debug returns the debug mode as a bool.")
def test_get_debug_bool(loop):
    """Debug mode: get_debug() is a bool."""
    value = loop.get_debug()
    expect(isinstance(value, bool), "get_debug did not return a bool", observed=repr(value))


@check("debug.set_debug.round_trip", section=SECTION, method="set_debug",
       requirement="set_debug(enabled) sets the debug mode that get_debug then returns, both ways.")
def test_set_debug_round_trip(loop):
    """Debug mode: set_debug(True/False) is reflected by get_debug()."""
    observed = []
    for enabled in (True, False, True, False):
        loop.set_debug(enabled)
        observed.append(loop.get_debug())
    expect_equal(observed, [True, False, True, False], "get_debug did not reflect set_debug")


def _debug_expected_by_default() -> bool:
    env = "" if sys.flags.ignore_environment else os.environ.get("PYTHONASYNCIODEBUG", "")
    return bool(env) or bool(getattr(sys.flags, "dev_mode", False))


@check("debug.get_debug.default_from_environment", section=SECTION, method="get_debug",
       requirement="A new loop's debug mode is on exactly when PYTHONASYNCIODEBUG is set to a non-empty "
                   "string (or Python runs in development mode, -X dev), off otherwise.")
def test_debug_default(loop):
    """Debug mode: default from PYTHONASYNCIODEBUG / -X dev."""
    expect_equal(loop.get_debug(), _debug_expected_by_default(),
                 "a new loop's debug mode does not follow PYTHONASYNCIODEBUG / development mode")


@check("debug.slow_callback.logged", section=SECTION, method="set_debug", level=INFO,
       requirement="In debug mode a callback that runs longer than the slow-callback threshold "
                   "(100 ms by default) is reported as a warning on the 'asyncio' logger.")
def test_slow_callback_logged(loop):
    """Debug mode: slow callbacks are logged."""
    loop.set_debug(True)
    threshold = 0.1
    if hasattr(loop, "slow_callback_duration"):
        loop.slow_callback_duration = threshold = 0.02
    with asyncio_log() as records:
        loop.call_soon(time.sleep, threshold + 0.01)
        loop.call_soon(loop.stop)
        loop.run_forever()
        loop.set_debug(False)
    warnings = [r for r in records if r.levelno >= logging.WARNING]
    expect(warnings, "no warning was logged for a callback slower than the threshold",
           observed=[f"{r.levelname}: {r.getMessage()[:80]}" for r in records])


@check("debug.call_soon.wrong_thread", section=SECTION, method="set_debug", level=SHOULD, docs="3.8",
       anchor="asyncio.loop.set_debug",
       requirement="In debug mode, calling a non-thread-safe method such as call_soon from a thread other "
                   "than the one running the loop raises RuntimeError (call_soon_threadsafe is the way).")
def test_wrong_thread(loop):
    """Debug mode: non-thread-safe calls from another thread are refused."""
    loop.set_debug(True)
    outcome = []

    def other():
        try:
            handle = loop.call_soon(lambda: None)
        except RuntimeError as exc:
            outcome.append(exc)
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcome.append(exc)
        else:
            handle.cancel()
            outcome.append(None)
        loop.call_soon_threadsafe(loop.stop)

    thread = threading.Thread(target=other, name="lcx-debug-thread")
    fallback = loop.call_later(WAIT, loop.stop)
    loop.call_soon(thread.start)
    loop.run_forever()
    fallback.cancel()
    thread.join(WAIT)
    loop.set_debug(False)
    expect(len(outcome) == 1 and isinstance(outcome[0], RuntimeError),
           "call_soon from another thread did not raise RuntimeError in debug mode",
           expected="RuntimeError", observed=[repr(o) for o in outcome])


@check("debug.context.source_traceback", section=SECTION, method="set_debug", level=INFO, docs="3.8",
       anchor="asyncio.loop.call_exception_handler",
       requirement="In debug mode the handler context of a failing callback carries 'source_traceback', "
                   "where the callback was scheduled.")
def test_source_traceback(loop):
    """Debug mode: contexts carry where the failing callback was scheduled."""
    loop.set_debug(True)
    calls = []
    loop.set_exception_handler(lambda lp, ctx: calls.append(ctx))

    def fail():
        raise ValueError("debug")

    loop.call_soon(fail)
    loop.call_soon(loop.stop)
    loop.run_forever()
    loop.set_debug(False)
    expect_equal(len(calls), 1, "the handler was not called once for the failing callback")
    expect("source_traceback" in calls[0], "the context has no 'source_traceback' in debug mode",
           observed=sorted(calls[0]))
    expect(calls[0]["source_traceback"], "'source_traceback' is empty")
