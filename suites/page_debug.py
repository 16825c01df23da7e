"""Debug mode (loop page, after 19.5.1.16): get_debug / set_debug and what debug mode reports.

The slow-callback check lowers loop.slow_callback_duration when the loop has it (to stay fast) and
otherwise relies on the documented 100 ms default; it is SHOULD (note debug-slow-callback-logging).
"""

import logging
import os
import sys
import threading
import time

from loopconf import checks
from loopconf.checks import INFO, SHOULD
from loopconf.evidence import expect, expect_equal

from ._support.logcapture import asyncio_log

scope = checks.scope(area="debug", section="page.debug")
WAIT = 5.0


@scope.check(
    "get_debug", "returns_bool", requirement="get_debug returns the debug mode as a bool.", covers=("get_debug.1",)
)
def test_get_debug_bool(loop):
    value = loop.get_debug()
    expect(isinstance(value, bool), "get_debug did not return a bool", observed=repr(value))


@scope.check(
    "set_debug",
    "round_trip",
    requirement="set_debug(enabled) sets the debug mode that get_debug then returns, both ways.",
    covers=("set_debug.1",),
)
def test_set_debug_round_trip(loop):
    observed = []
    for enabled in (True, False, True, False):
        loop.set_debug(enabled)
        observed.append(loop.get_debug())
    expect_equal(observed, [True, False, True, False], "get_debug did not reflect set_debug")


def _debug_expected_by_default() -> bool:
    env = "" if sys.flags.ignore_environment else os.environ.get("PYTHONASYNCIODEBUG", "")
    return bool(env) or bool(getattr(sys.flags, "dev_mode", False))


@scope.check(
    "get_debug",
    "default_from_environment",
    requirement="A new loop's debug mode is on exactly when PYTHONASYNCIODEBUG is set to a "
    "non-empty string (or Python runs in development mode, -X dev), off otherwise.",
    covers=("get_debug.2",),
)
def test_debug_default(loop):
    expect_equal(
        loop.get_debug(),
        _debug_expected_by_default(),
        "a new loop's debug mode does not follow PYTHONASYNCIODEBUG / development mode",
    )


@scope.check(
    "set_debug",
    "logged",
    topic="slow_callback",
    level=SHOULD,
    note="debug-slow-callback-logging",
    requirement="In debug mode a callback that runs longer than the slow-callback threshold (100 ms "
    "by default) is reported as a warning on the 'asyncio' logger.",
    covers=("slow_callback_duration.1",),
)
def test_slow_callback_logged(loop):
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
    expect(
        warnings,
        "no warning was logged for a callback slower than the threshold",
        observed=[f"{r.levelname}: {r.getMessage()[:80]}" for r in records],
    )


@scope.check(
    "set_debug",
    "wrong_thread",
    topic="call_soon",
    level=SHOULD,
    docs="3.8",
    anchor="asyncio.loop.set_debug",
    requirement="In debug mode, calling a non-thread-safe method such as call_soon from a thread "
    "other than the one running the loop raises RuntimeError (call_soon_threadsafe is "
    "the way).",
    covers=("class.1", "debug.1"),
)
def test_wrong_thread(loop):
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
    expect(
        len(outcome) == 1 and isinstance(outcome[0], RuntimeError),
        "call_soon from another thread did not raise RuntimeError in debug mode",
        expected="RuntimeError",
        observed=[repr(o) for o in outcome],
    )


@scope.check(
    "set_debug",
    "source_traceback",
    topic="context",
    level=INFO,
    docs="3.8",
    anchor="asyncio.loop.call_exception_handler",
    requirement="In debug mode the handler context of a failing callback carries "
    "'source_traceback', where the callback was scheduled.",
    covers=("call_exception_handler.13:partial",),
)
def test_source_traceback(loop):
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
    expect(
        "source_traceback" in calls[0], "the context has no 'source_traceback' in debug mode", observed=sorted(calls[0])
    )
    expect(calls[0]["source_traceback"], "'source_traceback' is empty")
