"""19.5.1.3 Delayed calls: call_later, call_at, time (and the TimerHandle they return).

call_later and call_at are documented to behave alike, so most guarantees are one check per
method, built from one body: ``delayed.call_later.<guarantee>`` and ``delayed.call_at.<guarantee>``.
Timing is judged with tolerance on the late side only: a timer may fire late, never early.
"""

import asyncio
import contextvars
import math
import random
import threading
import time

from loopconf import checks
from loopconf.checks import INFO, MUST, SHOULD
from loopconf.evidence import expect, expect_equal

from ._support.limits import CLOCK_SLACK, TIMEOUT
from ._support.sched import VAR, run_for, run_forever_bounded, run_once, run_until_bounded

scope = checks.scope(area="delayed", section="19.5.1.3")
METHODS = ("call_later", "call_at")

#: Slack between the loop's clock and time.monotonic() readings (two clocks read in turn).
REAL_SLACK = 1e-3
#: Float rounding allowed when comparing computed deadlines.
FLOAT_SLACK = 1e-9


def schedule(loop, method, delay, callback, *args, context=None):
    """Schedule ``callback`` ``delay`` seconds from now with call_later or call_at."""
    kwargs = {} if context is None else {"context": context}
    if method == "call_later":
        return loop.call_later(delay, callback, *args, **kwargs)
    return loop.call_at(loop.time() + delay, callback, *args, **kwargs)


def _declare(guarantee, requirement, level=MUST, note="", anchor=None, covers=None, since=""):
    """Declare ``delayed.<method>.<guarantee>`` for both methods from one body.

    ``covers`` maps each method to the statements its check covers.
    """

    def decorate(body):
        for method in METHODS:

            def test(loop, _method=method):
                body(loop, _method)

            test.__name__ = f"test_{method}_{guarantee}"
            globals()[test.__name__] = scope.check(
                method,
                guarantee,
                level=level,
                note=note,
                anchor=anchor,
                **({"since": since} if since else {}),
                covers=(covers or {}).get(method, ()),
                requirement=requirement.format(method=method),
            )(test)
        return body

    return decorate


@_declare(
    "not_early",
    note="timer-clock-resolution",
    requirement="A {method} callback is never called before its deadline as measured by loop.time().",
    covers={"call_later": ("delayed.intro.1", "call_later.1"), "call_at": ("delayed.intro.1", "call_at.1")},
)
def _not_early(loop, method):
    # Short and longer delays, close together: a loop may treat short and long timers apart.
    delays = [0.05, 0.01, 0.04, 0.02, 0.03, 0.015, 0.025, 0.08, 0.065, 0.1]
    fired = {}
    planned = {}
    for delay in delays:
        before = loop.time()
        handle = schedule(loop, method, delay, lambda d=delay: fired.setdefault(d, loop.time()))
        planned[delay] = max(before + delay, handle.when())
    run_for(loop, 0.12)
    early = {d: f"fired {planned[d] - t:.6f}s early" for d, t in fired.items() if t < planned[d] - CLOCK_SLACK}
    expect_equal(early, {}, f"{method} callbacks fired before their deadline")
    expect_equal(sorted(fired), sorted(delays), f"some {method} callbacks did not fire")


@_declare(
    "real_time_not_early",
    "A {method} callback for a delay of d seconds is never called before d real seconds "
    "have passed (the loop's clock runs at the pace of real time; the page measures delays "
    "by the loop's own clock only, so a virtual-time loop may differ).",
    level=SHOULD,
    note="loop-clock-real-time",
    covers={"call_later": ("call_later.1",), "call_at": ("call_at.1",)},
)
def _real_time_not_early(loop, method):
    delays = [0.05, 0.02, 0.035]
    fired = {}
    started = {}
    for delay in delays:
        started[delay] = time.monotonic()
        schedule(loop, method, delay, lambda d=delay: fired.setdefault(d, time.monotonic()))
    run_for(loop, 0.07)
    early = {d: f"after {t - started[d]:.4f}s" for d, t in fired.items() if t - started[d] < d - REAL_SLACK}
    expect_equal(early, {}, f"{method} callbacks fired before their delay had passed in real time")
    expect_equal(sorted(fired), sorted(delays), f"some {method} callbacks did not fire")


@_declare(
    "exactly_once",
    "A {method} callback is called exactly once.",
    covers={"call_later": ("call_later.5",), "call_at": ("call_at.3",)},
)
def _exactly_once(loop, method):
    counts = {}

    def hit(i):
        counts[i] = counts.get(i, 0) + 1

    for i, delay in enumerate([0, 0.005, 0.01, 0.02]):
        schedule(loop, method, delay, hit, i)
    run_for(loop, 0.04)
    run_once(loop)
    expect_equal(counts, {0: 1, 1: 1, 2: 1, 3: 1}, f"{method} callbacks ran a wrong number of times")


@_declare(
    "returns_timerhandle",
    "{method} returns an asyncio.TimerHandle.",
    covers={"call_later": ("call_later.3",), "call_at": ("call_at.4",)},
)
def _returns_timerhandle(loop, method):
    handle = schedule(loop, method, 0, lambda: None)
    run_once(loop)
    expect(
        isinstance(handle, asyncio.TimerHandle),
        f"{method} did not return an asyncio.TimerHandle",
        expected="asyncio.TimerHandle",
        observed=type(handle).__name__,
    )


@_declare(
    "deadline_order",
    "{method} callbacks with different deadlines are called in deadline order, whatever "
    "the order they were scheduled in.",
    covers={"call_later": ("call_later.7",), "call_at": ("call_at.1", "call_at.3")},
)
def _deadline_order(loop, method):
    delays = [0.001 * i for i in range(1, 31)]
    random.Random(7).shuffle(delays)
    fired = []
    # delay -> (earliest, latest) possible deadline, bracketing the scheduling call, on the loop's
    # clock and on the monotonic clock.
    bounds, real = {}, {}
    for delay in delays:
        before, real_before = loop.time(), time.monotonic()
        schedule(loop, method, delay, fired.append, delay)
        bounds[delay] = (before + delay, loop.time() + delay)
        real[delay] = (real_before + delay, time.monotonic() + delay)
    run_for(loop, 0.05)
    expect_equal(sorted(fired), sorted(delays), f"some {method} callbacks did not run")
    # Only pairs whose deadlines are certainly ordered are judged: a slow scheduling call may push a
    # later-registered deadline past an earlier one, and deadlines that only differ by float noise are
    # the same deadline (a loop with a millisecond clock gives 21 ms scheduled one tick later the
    # deadline of 22 ms; equal deadlines may run in either order). "Certainly" on the monotonic clock
    # too, so that a virtual or cached loop clock cannot turn a scheduling stall into a wrong order.
    position = {d: i for i, d in enumerate(fired)}

    def certainly_before(a, b):
        return bounds[a][1] + CLOCK_SLACK < bounds[b][0] and real[a][1] < real[b][0]

    wrong = [(a, b) for a in delays for b in delays if certainly_before(a, b) and position[a] > position[b]]
    expect_equal(
        wrong[:3], [], f"{method} callbacks ran out of deadline order (pairs: earlier deadline ran after later one)"
    )


@_declare(
    "due_deadline_order",
    "{method} callbacks that are all already due when the loop looks at its timers still run "
    "in deadline order: a timer scheduled due at once, after an earlier timer's deadline has "
    "passed, runs after that earlier timer (it does not jump the queue).",
    covers={"call_later": ("call_later.7",), "call_at": ("call_at.3",)},
)
def _due_deadline_order(loop, method):
    fired = []
    done = loop.create_future()

    def hit(tag):
        fired.append(tag)
        if len(fired) == 2 and not done.done():
            done.set_result(None)

    deadlines = {}

    def block_then_schedule():
        # The earlier timer is set here, inside the first callback of the run, so that it cannot
        # already be due when the run begins (however late the run starts on a loaded
        # machine). Block until its deadline has certainly passed on the loop's own clock
        # (bounded in real time for a loop whose clock stands still while a callback runs),
        # then schedule a timer that is due at once: both are due when the loop next looks.
        earlier = deadlines["earlier"] = loop.time() + 0.002
        if method == "call_later":
            loop.call_later(0.002, hit, "earlier")
        else:
            loop.call_at(earlier, hit, "earlier")
        stop_waiting = time.monotonic() + 0.5
        while loop.time() < earlier + 0.002 and time.monotonic() < stop_waiting:
            time.sleep(0.001)
        deadlines["now"] = loop.time()
        schedule(loop, method, 0, hit, "due-now")

    loop.call_soon(block_then_schedule)
    run_until_bounded(loop, done)
    expect_equal(sorted(fired), ["due-now", "earlier"], f"some {method} callbacks did not run")
    earlier = deadlines["earlier"]
    if deadlines["now"] > earlier + FLOAT_SLACK:
        expected = ["earlier", "due-now"]
    elif deadlines["now"] < earlier - FLOAT_SLACK:  # a clock that stood still: due-now is earlier
        expected = ["due-now", "earlier"]
    else:
        return  # the same deadline: the order is left open (call_later.6)
    expect_equal(fired, expected, f"a {method} timer due at once overtook a timer whose deadline had passed earlier")


def _record_after_stop(loop, ran):
    """Helpers for stop_defers_scheduled: callbacks that log to ``ran`` ("stop", "run <tag>")."""

    def stop():
        ran.append("stop")
        loop.stop()

    def schedule_soon(tag):
        ran.append(f"schedule {tag}")
        loop.call_soon(ran.append, f"run {tag}")

    return stop, schedule_soon


def _run_after_stop_deferred(loop, method, ran, label):
    """Run until the scenario's stop(), then judge: nothing scheduled after stop() ran in that run,
    and it all runs, in order, in the next run."""
    run_forever_bounded(loop)
    first = list(ran)
    stop_at = first.index("stop") if "stop" in first else len(first)
    scheduled_after = [e.split(" ", 1)[1] for e in first[stop_at:] if e.startswith("schedule ")]
    ran_anyway = [tag for tag in scheduled_after if f"run {tag}" in first]
    expect_equal(
        ran_anyway,
        [],
        f"{label}: callbacks queued with call_soon by a {method} callback after stop() ran in the run that stop() "
        "ended (they must wait for the next run_forever)",
    )
    run_once(loop)
    deferred = [e.split(" ", 1)[1] for e in ran[len(first) :] if e.startswith("run ")]
    expect_equal(
        deferred, scheduled_after, f"{label}: the callbacks deferred by stop() did not run, in order, in the next run"
    )


@_declare(
    "stop_defers_scheduled",
    anchor="asyncio.AbstractEventLoop.run_forever",
    requirement="When stop() is called from a {method} callback, callbacks queued with call_soon after "
    "that call (by the stopping callback itself, or by another timer that is due in the same "
    "batch) do not run in that run_forever(); they run in the next one, in order.",
    covers={"call_later": ("run_forever.6", "run_forever.7"), "call_at": ("run_forever.6", "run_forever.7")},
)
def _stop_defers_scheduled(loop, method):
    # 19.5.1.1 run_forever: a stop() lets the current batch finish; callbacks scheduled by the
    # batch wait for the next run. Timer callbacks are part of the batch like any other callback,
    # so a loop that runs timer callbacks in a phase of their own (before its ready queue) must
    # still not run what they queue after the stop() call.
    ran = []
    stop, schedule_soon = _record_after_stop(loop, ran)

    def stop_then_schedule():
        stop()
        schedule_soon("by-stopper-1")
        schedule_soon("by-stopper-2")

    schedule(loop, method, 0.001, stop_then_schedule)
    _run_after_stop_deferred(loop, method, ran, "the stopping timer")

    # Two timers due in the same batch: the first stops the loop, the second queues callbacks.
    # The first callback of the run sets both timers (so neither can be due before it runs,
    # however late the run starts) and blocks until both deadlines have passed on the loop's
    # clock (bounded in real time): both are due when the loop next looks at its timers.
    ran.clear()

    def block_past_deadlines():
        schedule(loop, method, 0.001, stop)
        schedule(loop, method, 0.002, schedule_soon, "by-later-timer")
        # past both deadlines, without TimerHandle.when() (that clause is delayed.*.when's)
        until = loop.time() + 0.002 + 0.001
        stop_waiting = time.monotonic() + 0.5
        while loop.time() < until and time.monotonic() < stop_waiting:
            time.sleep(0.001)

    loop.call_soon(block_past_deadlines)
    _run_after_stop_deferred(loop, method, ran, "two timers due together")
    expect("stop" in ran, f"the stopping {method} callback never ran")


#: Delays beyond the one-day limit of the 3.7 docs: just over a day, past 2**31 ms (a 32-bit
#: millisecond timeout wraps there) and ten years.
LONG_DELAYS = (86400 * 1.5, 86400 * 30, 86400 * 3650)


@_declare(
    "longer_than_a_day",
    since="3.8",
    requirement="{method} accepts a deadline more than one day ahead: the TimerHandle reports it "
    "(when()), the callback does not run early, cancelling it works, and the loop "
    "still sleeps and wakes normally while only such a timer is pending.",
    covers={"call_later": ("call_later.12",), "call_at": ("call_at.6",)},
)
def _longer_than_a_day(loop, method):
    ran = []
    handles = []
    for delay in LONG_DELAYS:
        before = loop.time()
        handle = schedule(loop, method, delay, ran.append, delay)
        after = loop.time()
        handles.append(handle)
        when = handle.when()
        expect(
            before + delay - 1e-6 <= when <= after + delay + 1e-6,
            f"{method} with a deadline {delay:g} s ahead reported a different deadline",
            expected=f"between {before + delay!r} and {after + delay!r}",
            observed=when,
        )

    # Only the long timers are pending: the loop must block in its I/O wait with a timeout over
    # a day, and be woken by another thread (no timer of ours shortens that wait).
    def wake(delay):
        time.sleep(delay)
        loop.call_soon_threadsafe(loop.stop)

    waker = threading.Thread(target=wake, args=(0.05,), daemon=True)
    waker.start()
    try:
        loop.run_forever()
    finally:
        waker.join(TIMEOUT)
    run_for(loop, 0.01)
    expect_equal(ran, [], f"a {method} callback more than a day ahead ran early")
    for handle in handles:
        handle.cancel()
    expect(all(h.cancelled() for h in handles), f"cancelling a {method} TimerHandle a day ahead failed")


@_declare(
    "cancel",
    "Cancelling the TimerHandle returned by {method} before the deadline (from outside "
    "the loop or from an earlier callback) prevents the call.",
    covers={"call_later": ("call_later.4",), "call_at": ("call_at.3", "call_at.4")},
)
def _cancel(loop, method):
    ran = []
    handles = {}
    # The canceller is scheduled first, so its deadline precedes its victim's however slow
    # the scheduling calls are.
    schedule(loop, method, 0.005, lambda: handles["inside"].cancel())
    handles["inside"] = schedule(loop, method, 0.02, ran.append, "cancelled-inside")
    outside = schedule(loop, method, 0.01, ran.append, "cancelled-outside")
    schedule(loop, method, 0.015, ran.append, "kept")
    outside.cancel()
    run_for(loop, 0.04)
    expect_equal(ran, ["kept"], f"a cancelled {method} callback ran (or the kept one did not)")


@_declare(
    "args",
    "Positional arguments given to {method} after the callback are passed to it, in order.",
    covers={"call_later": ("call_later.8",), "call_at": ("call_at.3",)},
)
def _args(loop, method):
    # Each callback records under its own name and the run ends once both ran: only the
    # arguments are judged, not the order of the two timers (a loop that runs a due timer ahead
    # of a delay-0 call is judged by the deadline_order checks, and load decides whether the
    # 1 ms timer is already due when the loop first looks).
    seen = {}
    both = loop.create_future()

    def recorder(name):
        def record(*args):
            seen.setdefault(name, []).append(args)
            if len(seen) == 2 and not both.done():
                both.set_result(None)

        return record

    schedule(loop, method, 0, recorder("no arguments"))
    schedule(loop, method, 0.001, recorder("three arguments"), 1, "two", None)
    run_until_bounded(loop, both)
    expect_equal(
        seen,
        {"no arguments": [()], "three arguments": [(1, "two", None)]},
        f"{method} callbacks received wrong arguments",
    )


@_declare(
    "context",
    "With context=, the {method} callback runs in that contextvars.Context; values it sets stay there.",
    covers={"call_later": ("call_later.10",), "call_at": ("call_at.5",)},
)
def _context(loop, method):
    ctx = contextvars.Context()
    ctx.run(VAR.set, "in-ctx")
    seen = []

    def cb():
        seen.append(VAR.get())
        VAR.set("changed-by-callback")

    token = VAR.set("caller")
    try:
        schedule(loop, method, 0, cb, context=ctx)
        run_for(loop, 0.005)
        expect_equal(seen, ["in-ctx"], f"the {method} callback did not run in the given Context")
        expect_equal(ctx[VAR], "changed-by-callback", "the callback's change is not in the given Context")
        expect_equal(VAR.get(), "caller", "the callback's change leaked into the caller's context")
    finally:
        VAR.reset(token)


@_declare(
    "current_context",
    note="call-soon-context-copy",
    requirement="Without context=, the {method} callback runs in (a copy of) the context current "
    "when it was scheduled.",
    covers={"call_later": ("call_later.11",), "call_at": ("call_at.5",)},
)
def _current_context(loop, method):
    seen = []

    def register():
        VAR.set("at-registration")
        schedule(loop, method, 0, lambda: seen.append(VAR.get()))
        VAR.set("after-registration")

    contextvars.copy_context().run(register)
    run_for(loop, 0.005)
    expect_equal(seen, ["at-registration"], f"the {method} callback did not see the registering context")


@_declare(
    "zero_delay",
    "A {method} callback whose deadline is now (delay 0) is called.",
    covers={"call_later": ("call_later.1",), "call_at": ("call_at.3",)},
)
def _zero_delay(loop, method):
    ran = []
    if method == "call_later":
        loop.call_later(0, ran.append, "zero")
    else:
        loop.call_at(loop.time(), ran.append, "zero")
    run_for(loop, 0.01)
    expect_equal(ran, ["zero"], f"a {method} callback due immediately did not run")


@_declare(
    "past_deadline",
    level=INFO,
    note="timer-due-undocumented",
    requirement="A {method} callback whose deadline has already passed (negative delay) is "
    "called as soon as possible (the doc does not cover past deadlines).",
    covers={"call_later": ("call_later.13",), "call_at": ("call_at.7",)},
)
def _past_deadline(loop, method):
    ran = []
    if method == "call_later":
        loop.call_later(-1, ran.append, "past")
    else:
        loop.call_at(loop.time() - 10, ran.append, "past")
    run_for(loop, 0.01)
    expect_equal(ran, ["past"], f"a {method} callback with a past deadline did not run")


@_declare(
    "due_after_ready",
    level=INFO,
    note="timer-due-undocumented",
    requirement="A {method} callback that is due at once runs after the call_soon "
    "callbacks already queued before it was scheduled (the doc is silent).",
    covers={"call_later": ("call_later.14",), "call_at": ("call_later.14",)},
)
def _due_after_ready(loop, method):
    ran = []
    loop.call_soon(ran.append, "soon-1")
    loop.call_soon(ran.append, "soon-2")
    if method == "call_later":
        loop.call_later(0, ran.append, "timer")
    else:
        loop.call_at(loop.time(), ran.append, "timer")
    run_for(loop, 0.01)
    expect_equal(ran, ["soon-1", "soon-2", "timer"], "the due timer overtook queued callbacks")


@scope.check(
    "call_later",
    "int_and_float",
    requirement="call_later accepts the delay as an int or a float.",
    covers=("call_later.2",),
)
def test_call_later_int_and_float(loop):
    ran = []
    loop.call_later(0, ran.append, "int")
    loop.call_later(0.002, ran.append, "float")
    run_for(loop, 0.02)
    # Only that both ran is judged: their order is the deadline_order checks' business.
    expect_equal(sorted(ran), ["float", "int"], "int or float delays were not honoured")


@scope.check(
    "call_at", "int_and_float", requirement="call_at accepts the deadline as an int or a float.", covers=("call_at.2",)
)
def test_call_at_int_and_float(loop):
    ran = []
    now = loop.time()
    loop.call_at(math.floor(now), ran.append, "int")
    loop.call_at(now + 0.002, ran.append, "float")
    run_for(loop, 0.02)
    expect_equal(sorted(ran), ["float", "int"], "int or float deadlines were not honoured")


@scope.check(
    "call_later",
    "when",
    anchor="asyncio.TimerHandle.when",
    requirement="The TimerHandle returned by call_later reports (when()) a deadline equal to "
    "loop.time() at the call plus the delay.",
    covers=("timer_handle.when.1",),
)
def test_call_later_when(loop):
    for delay in (0, 0.5, 2, 30.25):
        before = loop.time()
        handle = loop.call_later(delay, lambda: None)
        after = loop.time()
        when = handle.when()
        expect(
            before + delay - FLOAT_SLACK <= when <= after + delay + FLOAT_SLACK,
            f"call_later({delay}) reported a deadline that is not loop.time() + delay",
            expected=f"between {before + delay!r} and {after + delay!r}",
            observed=when,
        )
        handle.cancel()


@scope.check(
    "call_at",
    "when",
    anchor="asyncio.TimerHandle.when",
    note="timerhandle-when-type",
    requirement="The TimerHandle returned by call_at reports (when()) exactly the deadline it was given.",
    covers=("call_at.1", "timer_handle.when.1"),
)
def test_call_at_when(loop):
    now = loop.time()
    # Deadlines off any millisecond boundary too: a loop that rounds them to its clock's tick
    # reports another deadline every time, not only when a tick passes during the call.
    for when in (now + 0.5, now + 30.125, math.floor(now) + 5, now + 0.2503, math.floor(now) + 7.0004):
        handle = loop.call_at(when, lambda: None)
        expect_equal(handle.when(), when, "call_at reported a different deadline")
        handle.cancel()


@scope.check(
    "time", "float", requirement="time() returns the loop clock's current time as a float.", covers=("time.1",)
)
def test_time_float(loop):
    value = loop.time()
    expect(isinstance(value, float), "time() did not return a float", observed=type(value).__name__)


@scope.check(
    "time",
    "monotonic",
    level=SHOULD,
    requirement="time() never goes backwards (the doc wishes for a monotonic clock).",
    covers=("delayed.intro.2", "delayed.intro.5"),
)
def test_time_monotonic(loop):
    readings = [loop.time() for _ in range(2000)]
    backwards = [(a, b) for a, b in zip(readings, readings[1:]) if b < a]
    expect_equal(backwards[:3], [], "time() went backwards")


@scope.check(
    "time",
    "advances",
    level=SHOULD,
    note="loop-clock-real-time",
    requirement="time() advances at the pace of real time (it is the loop's clock, not a counter or "
    "a constant; the page does not tie that clock to real time, CPython uses "
    "time.monotonic()).",
    covers=("time.2",),
)
def test_time_advances(loop):
    # Nested readings: outer real >= loop >= inner real, whatever preemption happens between them.
    outer_start = time.monotonic()
    first = loop.time()
    inner_start = time.monotonic()
    time.sleep(0.02)
    inner_end = time.monotonic()
    second = loop.time()
    outer_end = time.monotonic()
    low, high = inner_end - inner_start, outer_end - outer_start
    expect(
        low - 0.01 - REAL_SLACK <= second - first <= high + REAL_SLACK,
        "time() did not advance in step with real time",
        expected=f"between {low:.4f}s and {high:.4f}s",
        observed=f"{second - first:.4f}s",
    )


@scope.check(
    "time",
    "current_in_callback",
    level=SHOULD,
    note="loop-clock-real-time",
    requirement="time() is the current time of the loop's clock: it advances while a callback runs "
    "(not a value cached at the start of the loop iteration).",
    covers=("time.2",),
)
def test_time_current_in_callback(loop):
    seen = []

    def blocking():
        t0, m0 = loop.time(), time.monotonic()
        time.sleep(0.05)
        seen.append((loop.time() - t0, time.monotonic() - m0))

    loop.call_soon(blocking)
    run_once(loop)
    expect(
        seen and seen[0][0] >= 0.04,
        "loop.time() did not advance while a callback blocked for 50 ms",
        expected=">= 0.04 s",
        observed=f"loop.time() advanced {seen[0][0] if seen else None!r} s "
        f"(real time {seen[0][1] if seen else None!r} s)",
    )


@scope.check(
    "call_later",
    "measured_from_call",
    level=SHOULD,
    note="loop-clock-real-time",
    requirement="The delay of call_later is measured from the call: a timer set by a callback that "
    "already ran for a while does not fire before the delay has passed in real time "
    "since the call_later call.",
    covers=("call_later.1",),
)
def test_call_later_measured_from_call(loop):
    fired = loop.create_future()
    set_at = []

    def blocking_then_schedule():
        time.sleep(0.1)
        set_at.append(time.monotonic())
        loop.call_later(0.05, lambda: fired.set_result(time.monotonic()))

    loop.call_soon(blocking_then_schedule)
    at = run_until_bounded(loop, fired)
    expect(
        at - set_at[0] >= 0.05 - REAL_SLACK,
        "the timer fired before its delay had passed since call_later was called",
        expected=">= 0.05 s after the call",
        observed=f"{at - set_at[0]:.4f} s",
    )


@scope.check(
    "time",
    "not_wall_clock",
    level=INFO,
    requirement="The loop's clock is generally a different clock than time.time().",
    covers=("delayed.intro.3",),
)
def test_time_not_wall_clock(loop):
    expect(abs(loop.time() - time.time()) > 1.0, "time() reads the wall clock (time.time())")
