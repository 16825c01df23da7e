"""19.5.1.2 Calls: call_soon and call_soon_threadsafe (and the Handle they return)."""

import asyncio
import contextvars
import functools
import threading
import time

from loopconf import checks
from loopconf.calibration import late
from loopconf.checks import INFO
from loopconf.evidence import expect, expect_equal, expect_raises

from ._support.sched import VAR, run_forever_bounded, run_once, run_until_bounded

scope = checks.scope(area="calls", section="19.5.1.2")
handle_scope = checks.scope(area="handle", section="page.handle", anchor="asyncio.{method}")


@scope.check(
    "call_soon",
    "fifo",
    requirement="Callbacks registered with call_soon run in the order they were registered.",
    covers=("call_soon.1", "call_soon.3"),
)
def test_call_soon_fifo(loop):
    order = []
    for i in range(10):
        loop.call_soon(order.append, i)
    loop.call_soon(loop.stop)
    loop.run_forever()
    expect_equal(order, list(range(10)), "call_soon callbacks ran out of registration order")


@scope.check(
    "call_soon",
    "fifo_while_running",
    requirement="Callbacks registered with call_soon from running callbacks also run in registration order.",
    covers=("call_soon.3",),
)
def test_call_soon_fifo_while_running(loop):
    order = []

    def spawn(tag):
        order.append(tag)
        if len(tag) < 3:
            loop.call_soon(spawn, tag + "a")
            loop.call_soon(spawn, tag + "b")
        if len(order) == 7:
            loop.stop()

    loop.call_soon(spawn, "x")
    run_forever_bounded(loop)
    expect_equal(
        order,
        ["x", "xa", "xb", "xaa", "xab", "xba", "xbb"],
        "callbacks registered by callbacks ran out of registration order",
    )


@scope.check(
    "call_soon",
    "exactly_once",
    requirement="Each callback registered with call_soon is called exactly once, however often the "
    "loop is run afterwards.",
    covers=("call_soon.4",),
)
def test_call_soon_exactly_once(loop):
    counts = {}

    def hit(i):
        counts[i] = counts.get(i, 0) + 1

    for i in range(5):
        loop.call_soon(hit, i)
    run_once(loop)
    run_once(loop)
    loop.call_later(0.01, loop.stop)
    run_forever_bounded(loop)
    expect_equal(counts, {i: 1 for i in range(5)}, "call_soon callbacks ran a wrong number of times")


@scope.check(
    "call_soon",
    "after_return",
    requirement="call_soon never calls the callback itself: the callback runs after call_soon "
    "returned, once control is back in the loop.",
    covers=("call_soon.1", "call_soon.2"),
)
def test_call_soon_after_return(loop):
    ran = []
    during = {}
    loop.call_soon(ran.append, "outside")
    during["outside"] = list(ran)

    def inside():
        loop.call_soon(ran.append, "inside")
        during["inside"] = list(ran)

    loop.call_soon(inside)
    run_once(loop)
    run_once(loop)
    expect_equal(during, {"outside": [], "inside": ["outside"]}, "call_soon ran the callback before returning")
    expect_equal(ran, ["outside", "inside"], "the callbacks did not run once the loop ran")


@scope.check(
    "call_soon",
    "args",
    requirement="Positional arguments given to call_soon after the callback are passed to it, in "
    "order; keyword arguments can be bound with functools.partial.",
    covers=("calls.intro.1", "call_soon.5", "call_soon.10", "call_later.9"),
)
def test_call_soon_args(loop):
    seen = []
    loop.call_soon(lambda *a: seen.append(a))
    loop.call_soon(lambda *a: seen.append(a), 1)
    loop.call_soon(lambda *a: seen.append(a), 1, "two", None, (3,))
    loop.call_soon(functools.partial(lambda *a, **k: seen.append((a, k)), 5, key="v"), 6)
    run_once(loop)
    expect_equal(
        seen, [(), (1,), (1, "two", None, (3,)), ((5, 6), {"key": "v"})], "the callbacks received wrong arguments"
    )


@scope.check(
    "call_soon",
    "no_callback_keywords",
    level=INFO,
    requirement="call_soon does not forward keyword arguments to the callback: an unknown keyword "
    "is rejected with TypeError (keywords go through functools.partial).",
    covers=("calls.intro.2",),
)
def test_call_soon_no_callback_keywords(loop):
    expect_raises(
        TypeError,
        lambda: loop.call_soon(print, "x", flush=True),
        what="call_soon accepted a keyword argument meant for the callback",
    )


@scope.check("call_soon", "returns_handle", requirement="call_soon returns an asyncio.Handle.", covers=("call_soon.8",))
def test_call_soon_returns_handle(loop):
    handle = loop.call_soon(lambda: None)
    expect(
        isinstance(handle, asyncio.Handle),
        "call_soon did not return an asyncio.Handle",
        expected="asyncio.Handle",
        observed=type(handle).__name__,
    )
    run_once(loop)


@scope.check(
    "call_soon",
    "cancel",
    requirement="Cancelling the Handle returned by call_soon before the callback ran prevents the "
    "call; the other callbacks still run.",
    covers=("call_soon.1", "call_soon.9"),
)
def test_call_soon_cancel(loop):
    ran = []
    loop.call_soon(ran.append, 1)
    handle = loop.call_soon(ran.append, 2)
    loop.call_soon(ran.append, 3)
    handle.cancel()
    run_once(loop)
    run_once(loop)
    expect_equal(ran, [1, 3], "a cancelled call_soon callback ran (or others did not)")


@scope.check(
    "call_soon",
    "cancel_same_batch",
    requirement="A callback cancelled by an earlier callback of the same batch does not run.",
    covers=("call_soon.9",),
)
def test_call_soon_cancel_same_batch(loop):
    ran = []
    handles = {}

    def canceller():
        ran.append("canceller")
        handles["victim"].cancel()

    loop.call_soon(canceller)
    handles["victim"] = loop.call_soon(ran.append, "victim")
    loop.call_soon(ran.append, "after")
    run_once(loop)
    run_once(loop)
    expect_equal(ran, ["canceller", "after"], "a callback cancelled within its batch still ran")


@scope.check(
    "call_soon",
    "context",
    requirement="With context=, the callback runs in that contextvars.Context: it sees the "
    "Context's values, and the values it sets stay in that Context.",
    covers=("call_soon.6",),
)
def test_call_soon_context(loop):
    ctx = contextvars.Context()
    ctx.run(VAR.set, "in-ctx")
    seen = []

    def cb():
        seen.append(VAR.get())
        VAR.set("changed-by-callback")

    token = VAR.set("caller")
    try:
        loop.call_soon(cb, context=ctx)
        run_once(loop)
        expect_equal(seen, ["in-ctx"], "the callback did not run in the given Context")
        expect_equal(ctx[VAR], "changed-by-callback", "the callback's change is not in the given Context")
        expect_equal(VAR.get(), "caller", "the callback's change leaked into the caller's context")
    finally:
        VAR.reset(token)


@scope.check(
    "call_soon",
    "current_context",
    note="call-soon-context-copy",
    requirement="Without context=, the callback runs in (a copy of) the context current when "
    "call_soon was called: it sees the values set then, and its own changes do not leak "
    "into the caller's context.",
    covers=("call_soon.7",),
)
def test_call_soon_current_context(loop):
    seen = []

    def cb():
        seen.append(VAR.get())
        VAR.set("changed-by-callback")

    def register():
        VAR.set("at-registration")
        loop.call_soon(cb)
        VAR.set("after-registration")

    contextvars.copy_context().run(register)
    token = VAR.set("caller")
    try:
        run_once(loop)
        expect_equal(seen, ["at-registration"], "the callback did not see the registering context")
        expect_equal(VAR.get(), "caller", "the callback's change leaked into the running context")
    finally:
        VAR.reset(token)


@scope.check(
    "call_soon",
    "error_keeps_others",
    handler_calls=True,
    requirement="A callback that raises does not stop the other queued callbacks: each still runs "
    "exactly once, in order, and the error goes to the exception handler.",
    covers=("call_soon.4",),
)
def test_call_soon_error_keeps_others(loop, handler_calls):
    ran = []

    def boom():
        raise ValueError("loopconf-callback-error")

    loop.call_soon(ran.append, 1)
    loop.call_soon(boom)
    loop.call_soon(ran.append, 2)
    loop.call_soon(ran.append, 3)
    run_once(loop)
    run_once(loop)
    expect_equal(ran, [1, 2, 3], "callbacks queued behind a raising callback did not all run")
    expect_equal(len(handler_calls), 1, "exception handler calls for the raising callback")


# -- call_soon_threadsafe --------------------------------------------------------------------


@scope.check(
    "call_soon_threadsafe",
    "wakes_loop",
    requirement="call_soon_threadsafe from another thread wakes a loop that is waiting for I/O, so "
    "the callback runs promptly.",
    covers=("call_soon_threadsafe.2",),
)
def test_call_soon_threadsafe_wakes_loop(loop):
    fut = loop.create_future()
    times = {}

    def other_thread():
        time.sleep(0.05)
        times["called"] = time.monotonic()
        loop.call_soon_threadsafe(fut.set_result, "woken")

    thread = threading.Thread(target=other_thread, name="loopconf-threadsafe")
    thread.start()
    try:
        result = run_until_bounded(loop, fut, limit=5.0)
        latency = time.monotonic() - times["called"]
    except Exception as exc:
        result, latency = repr(exc), None
    finally:
        thread.join()
    expect(
        result == "woken" and latency is not None and latency < late(1.0),
        "the sleeping loop was not woken up by call_soon_threadsafe from another thread",
        expected=f"callback within {late(1.0):g}s",
        observed=f"result={result!r} latency={latency}",
    )


@scope.check(
    "call_soon_threadsafe",
    "wakes_loop_each_time",
    requirement="Every call_soon_threadsafe from another thread wakes a loop waiting for I/O, not only the first one.",
    covers=("call_soon_threadsafe.2",),
)
def test_call_soon_threadsafe_wakes_loop_each_time(loop):
    rounds = 3
    ran = [threading.Event() for _ in range(rounds)]
    latencies = []
    done = loop.create_future()

    def callback(i, t0):
        latencies.append(time.monotonic() - t0)
        ran[i].set()
        if i == rounds - 1:
            done.set_result(None)

    def other_thread():
        for i in range(rounds):
            time.sleep(0.03)  # let the loop go back to waiting
            loop.call_soon_threadsafe(callback, i, time.monotonic())
            if not ran[i].wait(late(1.0)):
                return

    thread = threading.Thread(target=other_thread, name="loopconf-threadsafe-each")
    thread.start()
    try:
        run_until_bounded(loop, done, limit=5.0)
    except Exception:
        pass
    finally:
        thread.join()
    expect(
        len(latencies) == rounds and max(latencies) < late(0.5),
        "call_soon_threadsafe did not wake the waiting loop every time",
        expected=f"{rounds} callbacks, each within {late(0.5):g}s",
        observed=f"latencies: {[round(x, 3) for x in latencies]}",
    )


@scope.check(
    "call_soon_threadsafe",
    "fifo_per_thread",
    requirement="Callbacks registered with call_soon_threadsafe run exactly once each, in "
    "registration order for each registering thread (the loop's own included).",
    covers=("call_soon_threadsafe.1", "call_soon_threadsafe.2"),
)
def test_call_soon_threadsafe_fifo_per_thread(loop):
    per_thread = 200
    names = ["t0", "t1", "t2"]
    seen = []

    def sender(name):
        for i in range(per_thread):
            loop.call_soon_threadsafe(seen.append, (name, i))

    def start_senders():
        # Hold the loop while the senders fill its queue, so the whole burst is pending at once.
        threads = [threading.Thread(target=sender, args=(n,), name=f"loopconf-{n}") for n in names]
        for t in threads:
            t.start()
        sender("loop")
        for t in threads:
            t.join()
        loop.call_soon_threadsafe(loop.stop)

    loop.call_soon(start_senders)
    watchdog = run_forever_bounded(loop)
    expect(not watchdog, "the loop did not stop")
    for name in names + ["loop"]:
        got = [i for n, i in seen if n == name]
        expect_equal(
            got, list(range(per_thread)), f"callbacks from thread {name} ran out of order, twice or not at all"
        )


@scope.check(
    "call_soon_threadsafe",
    "returns_handle",
    requirement="call_soon_threadsafe returns an asyncio.Handle that cancels the callback.",
    covers=("call_soon_threadsafe.1",),
)
def test_call_soon_threadsafe_returns_handle(loop):
    ran = []
    result = {}

    def other_thread():
        result["handle"] = loop.call_soon_threadsafe(ran.append, "cancelled")
        result["handle"].cancel()
        loop.call_soon_threadsafe(ran.append, "kept")

    thread = threading.Thread(target=other_thread, name="loopconf-threadsafe")
    thread.start()
    thread.join()
    handle = result.get("handle")
    run_once(loop)
    expect(
        isinstance(handle, asyncio.Handle),
        "call_soon_threadsafe did not return an asyncio.Handle",
        observed=type(handle).__name__,
    )
    expect_equal(ran, ["kept"], "cancelling the Handle did not prevent the call")


@scope.check(
    "call_soon_threadsafe",
    "args_and_context",
    requirement="call_soon_threadsafe passes positional arguments and honours context=, like call_soon.",
    covers=("call_soon_threadsafe.1", "call_soon_threadsafe.3"),
)
def test_call_soon_threadsafe_args_and_context(loop):
    ctx = contextvars.Context()
    ctx.run(VAR.set, "in-ctx")
    seen = []
    ran = loop.create_future()

    def callback(*args):
        seen.append((args, VAR.get()))
        ran.set_result(None)

    def other_thread():
        loop.call_soon_threadsafe(callback, 1, 2, context=ctx)

    thread = threading.Thread(target=other_thread, name="loopconf-threadsafe")
    thread.start()
    thread.join()
    # Run until the callback has run (bounded): the clause is about its arguments and context, not
    # about how many iterations a cross-thread hand-off takes.
    try:
        run_until_bounded(loop, ran)
    except Exception:  # the watchdog: judged below by what the callback saw
        pass
    expect_equal(
        seen,
        [((1, 2), "in-ctx")],
        "call_soon_threadsafe(cb, 1, 2, context=ctx): wrong arguments or context for the callback, or it never ran",
    )


# -- Handle (loop page, Handle section) ------------------------------------------------------


@handle_scope.check(
    "Handle.cancel",
    "no_effect_after_run",
    topic="cancel",
    note="handle-cancel-after-run",
    requirement="Cancelling a Handle whose callback already ran, or cancelling twice, raises "
    "nothing and has no effect on the loop.",
    covers=("handle.cancel.1",),
)
def test_handle_cancel_no_effect_after_run(loop):
    ran = []
    done = loop.call_soon(ran.append, "done")
    twice = loop.call_soon(ran.append, "twice")
    twice.cancel()
    run_once(loop)
    done.cancel()
    twice.cancel()
    run_once(loop)
    expect_equal(ran, ["done"], "the callbacks ran a wrong number of times")


@handle_scope.check(
    "Handle.cancelled",
    "reports",
    topic="cancelled",
    requirement="Handle.cancelled() is False for a pending callback and True once it was cancelled.",
    covers=("handle.cancelled.1",),
)
def test_handle_cancelled_reports(loop):
    handle = loop.call_soon(lambda: None)
    before = handle.cancelled()
    handle.cancel()
    expect_equal((before, handle.cancelled()), (False, True), "Handle.cancelled() is wrong")
    run_once(loop)


@handle_scope.check(
    "Handle.cancelled",
    "timer_reports",
    topic="cancelled",
    requirement="cancelled() of the TimerHandle returned by call_later / call_at is False "
    "while pending and True once cancelled.",
    covers=("handle.cancelled.1",),
)
def test_handle_cancelled_timer_reports(loop):
    observed = {}
    for name, make in (
        ("call_later", lambda: loop.call_later(10, lambda: None)),
        ("call_at", lambda: loop.call_at(loop.time() + 10, lambda: None)),
    ):
        handle = make()
        before = handle.cancelled()
        handle.cancel()
        observed[name] = (before, handle.cancelled())
    run_once(loop)
    expect_equal(
        observed,
        {"call_later": (False, True), "call_at": (False, True)},
        "TimerHandle.cancelled() is wrong (before, after cancel())",
    )


@handle_scope.check(
    "Handle.get_context",
    "returns_context",
    topic="get_context",
    since="3.12",
    requirement="Handle.get_context() returns the contextvars.Context the handle's callback "
    "runs in: the one given with context=, or the copy made at scheduling time "
    "(changes the callback made are visible in it), for call_soon, "
    "call_soon_threadsafe, call_later and call_at handles.",
    covers=("handle.get_context.1",),
)
def test_handle_get_context(loop):
    given = contextvars.Context()
    makers = {
        "call_soon": lambda cb, **kw: loop.call_soon(cb, **kw),
        "call_soon_threadsafe": lambda cb, **kw: loop.call_soon_threadsafe(cb, **kw),
        "call_later": lambda cb, **kw: loop.call_later(0, cb, **kw),
        "call_at": lambda cb, **kw: loop.call_at(loop.time(), cb, **kw),
    }
    handles = {}
    for name, make in makers.items():
        handles[name, "given"] = make(lambda n=name: VAR.set(f"given-{n}"), context=given)
        handles[name, "copied"] = make(lambda n=name: VAR.set(f"copied-{n}"))
    loop.call_later(0.001, loop.stop)
    run_forever_bounded(loop)
    wrong = {}
    for (name, how), handle in handles.items():
        ctx = handle.get_context()
        if how == "given" and ctx is not given:
            wrong[f"{name}(context=ctx)"] = f"returned {ctx!r}, not the Context given"
        elif how == "copied" and (not isinstance(ctx, contextvars.Context) or ctx.get(VAR) != f"copied-{name}"):
            wrong[f"{name}()"] = "returned a Context the callback did not run in"
    expect_equal(wrong, {}, "Handle.get_context() does not return the callback's context")


@scope.check(
    "call_soon_threadsafe",
    "from_signal_handler",
    since="3.12",
    platforms=checks.UNIX,
    requirement="call_soon_threadsafe may be called from a signal handler (installed with "
    "signal.signal, running in the loop's thread while the loop waits for I/O): the "
    "loop wakes up and runs the callback, each time.",
    covers=("call_soon_threadsafe.5",),
)
def test_call_soon_threadsafe_from_signal_handler(loop):
    import signal

    if threading.current_thread() is not threading.main_thread():
        import pytest

        pytest.skip("signal handlers need the main thread")
    ran = []
    main_ident = threading.get_ident()
    previous = signal.getsignal(signal.SIGUSR1)
    try:
        for attempt in range(3):
            done = threading.Event()

            def callback():
                done.set()  # noqa: B023
                loop.stop()

            def kill_then_watch():
                time.sleep(0.02)  # the loop is waiting for I/O by now (no timer pending)
                # Aimed at the loop's (main) thread, so its I/O wait is interrupted there.
                signal.pthread_kill(main_ident, signal.SIGUSR1)
                if not done.wait(3.0):  # noqa: B023
                    watchdog.append(True)  # noqa: B023
                    loop.call_soon_threadsafe(loop.stop)  # watchdog from another thread

            before = len(ran)
            watchdog = []
            signal.signal(
                signal.SIGUSR1,
                lambda signum, frame: loop.call_soon_threadsafe(lambda: (ran.append(signum), callback())),
            )
            thread = threading.Thread(target=kill_then_watch, daemon=True)
            thread.start()
            try:
                loop.run_forever()
            finally:
                # the handler stays installed until the thread has sent its signal, even when
                # run_forever() raised: the default action of SIGUSR1 would end the process
                thread.join(5.0)
            expect(
                not watchdog and len(ran) == before + 1,
                f"signal {attempt + 1}: a callback scheduled with call_soon_threadsafe from a signal "
                "handler did not wake the loop",
                expected="the callback ran",
                observed="watchdog stopped the loop",
            )
    finally:
        signal.signal(signal.SIGUSR1, previous)
