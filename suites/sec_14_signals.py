"""19.5.1.14 UNIX signals: add_signal_handler / remove_signal_handler.

Safety: checks run inside a pytest(-xdist) worker. Every check restores the dispositions it may
touch (``preserved_dispositions``), and a signal is only ever sent to ourselves while a handler
is installed (``send_to_self``); removal is observed through signal.getsignal, never by sending.
"""

import signal
import threading
import time

import pytest

from loopconf import checks
from loopconf.checks import SHOULD, UNIX
from loopconf.evidence import expect, expect_equal, expect_raises

from ._support.signals import default_disposition, preserved_dispositions, require_main_thread, send_to_self

scope = checks.scope(area="signals", section="19.5.1.14", platforms=UNIX)
WAIT = 5.0  # fallback stop for a loop that never runs the signal callback


def _run_until(loop, done, timeout=WAIT):
    """Run the loop until ``done()`` is true (polled by a callback) or ``timeout`` passes."""

    def poll():
        if done():
            loop.stop()
        else:
            loop.call_later(0.001, poll)

    fallback = loop.call_later(timeout, loop.stop)
    loop.call_soon(poll)
    loop.run_forever()
    fallback.cancel()


@pytest.fixture
def signals_ok():
    """Dispositions are restored after the check; signal handlers need the main thread."""
    require_main_thread()
    with preserved_dispositions():
        yield


@scope.check(
    "add_signal_handler",
    "runs_callback",
    requirement="When the signal arrives, the loop runs the registered callback with its positional "
    "arguments, in the loop's thread.",
    covers=("add_signal_handler.1",),
)
def test_runs_callback(loop, signals_ok):
    seen = []
    loop.add_signal_handler(signal.SIGUSR1, lambda *a: seen.append((a, threading.get_ident())), "a", 2)
    try:
        send_to_self(signal.SIGUSR1)
        _run_until(loop, lambda: seen)
    finally:
        loop.remove_signal_handler(signal.SIGUSR1)
    expect_equal([a for a, _ in seen], [("a", 2)], "the signal callback did not run once with its arguments")
    expect(seen[0][1] == threading.get_ident(), "the signal callback ran outside the loop's thread")


@scope.check(
    "add_signal_handler",
    "independent_signals",
    requirement="Handlers for different signals are independent: each signal runs only its own callback.",
    covers=("add_signal_handler.1",),
)
def test_independent_signals(loop, signals_ok):
    seen = []
    loop.add_signal_handler(signal.SIGUSR1, seen.append, "usr1")
    loop.add_signal_handler(signal.SIGUSR2, seen.append, "usr2")
    try:
        send_to_self(signal.SIGUSR2)
        _run_until(loop, lambda: seen)
        send_to_self(signal.SIGUSR1)
        _run_until(loop, lambda: len(seen) >= 2)
    finally:
        loop.remove_signal_handler(signal.SIGUSR1)
        loop.remove_signal_handler(signal.SIGUSR2)
    expect_equal(seen, ["usr2", "usr1"], "each signal did not run exactly its own callback")


@scope.check(
    "add_signal_handler",
    "replaces",
    requirement="Adding a handler for a signal that already has one replaces it: only the newest callback runs.",
    covers=("add_signal_handler.1",),
)
def test_replaces(loop, signals_ok):
    seen = []
    loop.add_signal_handler(signal.SIGUSR1, seen.append, "first")
    loop.add_signal_handler(signal.SIGUSR1, seen.append, "second")
    try:
        send_to_self(signal.SIGUSR1)
        _run_until(loop, lambda: seen)
        loop.call_soon(loop.stop)  # one more iteration: a stale first handler would have run by now
        loop.run_forever()
    finally:
        loop.remove_signal_handler(signal.SIGUSR1)
    expect_equal(seen, ["second"], "re-adding a signal handler did not replace the first one")


@scope.check(
    "add_signal_handler",
    "invalid_signal",
    requirement="An invalid signal number is rejected with ValueError and nothing is installed.",
    covers=("add_signal_handler.2",),
)
@pytest.mark.parametrize("signum", [0, 10000, "NSIG"])
def test_invalid_signal(loop, signals_ok, signum):
    if signum == "NSIG":
        signum = signal.NSIG
    expect_raises(
        ValueError,
        loop.add_signal_handler,
        signum,
        lambda: None,
        what=f"add_signal_handler({signum}) did not raise ValueError",
    )


@scope.check(
    "add_signal_handler",
    "uncatchable",
    note="signals-uncatchable-runtimeerror",
    requirement="An uncatchable signal (SIGKILL, SIGSTOP) is refused: the page names ValueError, "
    "CPython 3.10-3.13 raise RuntimeError; either is accepted, and nothing is installed.",
    covers=("add_signal_handler.3",),
)
@pytest.mark.parametrize("name", ["SIGKILL", "SIGSTOP"])
def test_uncatchable(loop, signals_ok, name):
    signum = getattr(signal, name)
    expect_raises(
        (ValueError, RuntimeError),
        loop.add_signal_handler,
        signum,
        lambda: None,
        what=f"add_signal_handler({name}) was not refused",
    )
    expect_equal(
        loop.remove_signal_handler(signum), False, f"a refused add_signal_handler({name}) left a handler registered"
    )


@scope.check(
    "add_signal_handler",
    "off_main_thread",
    requirement="Setting up a signal handler from a thread other than the main thread fails with "
    "RuntimeError (a problem setting up the handler) and installs nothing.",
    covers=("add_signal_handler.4", "add_signal_handler.7"),
)
def test_off_main_thread(loop, signals_ok):
    before = signal.getsignal(signal.SIGUSR1)
    errors = []

    def other():
        try:
            loop.add_signal_handler(signal.SIGUSR1, lambda: None)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        else:
            errors.append(None)

    thread = threading.Thread(target=other, name="lcx-signal-thread")
    thread.start()
    thread.join(WAIT)
    expect(
        len(errors) == 1 and isinstance(errors[0], RuntimeError),
        "add_signal_handler from a non-main thread did not raise RuntimeError",
        expected="RuntimeError",
        observed=[repr(e) for e in errors],
    )
    expect(
        signal.getsignal(signal.SIGUSR1) is before,
        "a failed add_signal_handler changed the signal's disposition",
        observed=signal.getsignal(signal.SIGUSR1),
    )
    expect_equal(
        loop.remove_signal_handler(signal.SIGUSR1), False, "a failed add_signal_handler left a handler registered"
    )


@scope.check(
    "remove_signal_handler",
    "returns_true",
    requirement="remove_signal_handler returns True when it removed a handler.",
    covers=("remove_signal_handler.2",),
)
def test_remove_true(loop, signals_ok):
    loop.add_signal_handler(signal.SIGUSR1, lambda: None)
    result = loop.remove_signal_handler(signal.SIGUSR1)
    expect(
        result is True,
        "remove_signal_handler did not return True for an installed handler",
        expected=True,
        observed=result,
    )


@scope.check(
    "remove_signal_handler",
    "returns_false",
    requirement="remove_signal_handler returns False when the signal has no handler, including "
    "after the handler was already removed.",
    covers=("remove_signal_handler.3",),
)
def test_remove_false(loop, signals_ok):
    first = loop.remove_signal_handler(signal.SIGUSR2)
    expect(first is False, "remove_signal_handler did not return False with no handler", expected=False, observed=first)
    loop.add_signal_handler(signal.SIGUSR2, lambda: None)
    loop.remove_signal_handler(signal.SIGUSR2)
    again = loop.remove_signal_handler(signal.SIGUSR2)
    expect(again is False, "a second remove_signal_handler did not return False", expected=False, observed=again)


@scope.check(
    "remove_signal_handler",
    "restores_default",
    requirement="After remove_signal_handler the signal is back to its default disposition (SIG_DFL).",
    covers=("remove_signal_handler.1",),
)
@pytest.mark.parametrize("name", ["SIGUSR1", "SIGUSR2"])
def test_restores_default(loop, signals_ok, name):
    signum = getattr(signal, name)
    signal.signal(signum, signal.SIG_DFL)
    loop.add_signal_handler(signum, lambda: None)
    loop.remove_signal_handler(signum)
    expect(
        signal.getsignal(signum) == signal.SIG_DFL,
        f"{name} is not back to SIG_DFL after remove_signal_handler",
        expected=signal.SIG_DFL,
        observed=signal.getsignal(signum),
    )


@scope.check(
    "remove_signal_handler",
    "restores_sigint",
    level=SHOULD,
    requirement="After removing a SIGINT handler, SIGINT is back to Python's default handler "
    "(signal.default_int_handler, raising KeyboardInterrupt), as CPython does.",
    covers=("remove_signal_handler.1",),
)
def test_restores_sigint(loop, signals_ok):
    loop.add_signal_handler(signal.SIGINT, lambda: None)
    loop.remove_signal_handler(signal.SIGINT)
    expect(
        signal.getsignal(signal.SIGINT) is default_disposition(signal.SIGINT),
        "SIGINT is not back to signal.default_int_handler after remove_signal_handler",
        observed=signal.getsignal(signal.SIGINT),
    )


@scope.check(
    "add_signal_handler",
    "wakes_selector",
    requirement="A signal arriving while the loop waits for I/O wakes it: the callback runs "
    "promptly, not at the next timer.",
    covers=("add_signal_handler.1",),
)
def test_wakes_selector(loop, signals_ok):
    ran = []
    sent = []
    running = threading.Event()

    def on_signal():
        ran.append(time.monotonic())
        loop.stop()

    def sender():
        if running.wait(WAIT):
            time.sleep(0.05)  # let the loop go to sleep in its selector
            sent.append(time.monotonic())
            send_to_self(signal.SIGUSR1)

    loop.add_signal_handler(signal.SIGUSR1, on_signal)
    thread = threading.Thread(target=sender, name="lcx-signal-sender")
    try:
        fallback = loop.call_later(WAIT, loop.stop)
        loop.call_soon(running.set)
        thread.start()
        loop.run_forever()
        fallback.cancel()
    finally:
        running.set()
        thread.join(WAIT)
        if not ran and sent:
            # delivered but not yet dispatched: give the loop a bounded chance, keep the handler meanwhile
            _run_until(loop, lambda: ran, timeout=1.0)
        loop.remove_signal_handler(signal.SIGUSR1)
    expect(sent, "the signal could not be sent")
    expect(ran, "the signal callback never ran")
    delay = ran[0] - sent[0]
    expect(
        delay < 1.0,
        "the signal did not wake the sleeping loop promptly",
        expected="< 1.0 s after delivery",
        observed=f"{delay:.3f} s",
    )


@scope.check(
    "close",
    "removes_handlers",
    anchor="asyncio.AbstractEventLoop.add_signal_handler",
    level=SHOULD,
    note="close-removes-signal-handlers",
    requirement="Closing the loop removes the signal handlers it installed: dispositions return to "
    "their defaults (CPython behaviour; the page does not say what close() does to them).",
    covers=("close.10",),
)
def test_close_removes_handlers(loop, signals_ok):
    signal.signal(signal.SIGUSR1, signal.SIG_DFL)
    signal.signal(signal.SIGUSR2, signal.SIG_DFL)
    loop.add_signal_handler(signal.SIGUSR1, lambda: None)
    loop.add_signal_handler(signal.SIGUSR2, lambda: None)
    loop.close()
    observed = {name: signal.getsignal(getattr(signal, name)) for name in ("SIGUSR1", "SIGUSR2")}
    expect(
        all(h == signal.SIG_DFL for h in observed.values()),
        "closing the loop left signal handlers installed",
        expected="SIG_DFL",
        observed=observed,
    )


@scope.check(
    "add_signal_handler",
    "callback_error_to_handler",
    handler_calls=True,
    requirement="An exception raised by a signal callback goes to the loop's exception handler "
    "(with the exception instance) and does not stop the loop or remove the handler.",
    covers=("add_signal_handler.6:partial",),
)
def test_callback_error_to_handler(loop, signals_ok, handler_calls):
    exc = ValueError("lcx-signal-callback")
    calls = []

    def callback():
        calls.append(True)
        raise exc

    loop.add_signal_handler(signal.SIGUSR1, callback)
    try:
        send_to_self(signal.SIGUSR1)
        _run_until(loop, lambda: handler_calls)
        still_registered = signal.getsignal(signal.SIGUSR1) != signal.SIG_DFL
        if still_registered:
            send_to_self(signal.SIGUSR1)
            _run_until(loop, lambda: len(calls) >= 2)
    finally:
        loop.remove_signal_handler(signal.SIGUSR1)
    expect(handler_calls, "the failing signal callback was not reported to the exception handler")
    expect(
        handler_calls[0].get("exception") is exc,
        "the handler context does not carry the callback's exception",
        observed=repr(handler_calls[0].get("exception")),
    )
    expect(
        still_registered and len(calls) == 2,
        "the signal handler did not survive its callback's exception",
        observed=f"{len(calls)} call(s)",
    )


import signal  # noqa: E402

from ._support.signals import preserved_dispositions, require_main_thread, send_to_self  # noqa: E402


@pytest.fixture
def signals_ok():
    require_main_thread()
    with preserved_dispositions():
        yield


@scope.check(
    "add_signal_handler",
    "runs_as_loop_callback",
    docs="3.8",
    requirement="The signal callback is run by the loop along with its other callbacks, never "
    "inside the Python-level signal handler: a signal arriving while a callback runs is "
    "handled only after that callback has returned.",
    covers=("add_signal_handler.6",),
)
def test_add_signal_handler_runs_as_loop_callback(loop, signals_ok):
    """callbacks, so it may use the loop (docs of 3.8 on)."""
    order = []

    def busy_callback():
        send_to_self(signal.SIGUSR1)
        for _ in range(1000):  # Python-level signal handlers would have run by now
            pass
        order.append("callback returned")

    def on_signal():
        order.append("signal callback")
        loop.stop()

    loop.add_signal_handler(signal.SIGUSR1, on_signal)
    try:
        fallback = loop.call_later(5.0, loop.stop)
        loop.call_soon(busy_callback)
        loop.run_forever()
        fallback.cancel()
    finally:
        loop.remove_signal_handler(signal.SIGUSR1)
    expect_equal(
        order,
        ["callback returned", "signal callback"],
        "the signal callback ran inside the callback that was running when the signal came",
    )
