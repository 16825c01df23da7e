"""19.5.1.1 Run an event loop: run_forever, run_until_complete, is_running, stop, is_closed,
close, shutdown_asyncgens."""

import asyncio
import gc
import os
import socket
import threading
import time
import warnings
import weakref

import pytest

from loopconf import checks
from loopconf.calibration import late
from loopconf.checks import INFO, LINUX, SHOULD
from loopconf.evidence import expect, expect_equal, expect_raises

from ._support.sched import LIMIT, run_forever_bounded, run_until_bounded

scope = checks.scope(area="running", section="19.5.1.1")


# -- run_forever / stop ----------------------------------------------------------------------


@scope.check(
    "run_forever",
    "until_stop",
    requirement="run_forever() keeps running the loop (callbacks and timers) until stop() is "
    "called, and returns once stop() has taken effect.",
    covers=("run_forever.1", "stop.1"),
)
def test_run_forever_until_stop(loop):
    steps = []
    stopped_at = []

    def stop():
        stopped_at.append(loop.time())
        loop.stop()

    def step(i):
        steps.append(i)
        if i < 5:
            loop.call_soon(step, i + 1)
        else:  # the loop now idles until the timer calls stop()
            loop.call_later(0.03, stop)

    loop.call_soon(step, 0)
    watchdog = run_forever_bounded(loop)
    expect(not watchdog, "run_forever did not return after stop()")
    expect(stopped_at, "run_forever returned before stop() was called (the loop was idle, not stopped)")
    expect_equal(steps, list(range(6)), "callbacks scheduled while running did not all run")


@scope.check(
    "run_forever",
    "before_run_forever_runs_ready",
    topic="stop",
    requirement="If stop() is called before run_forever(), run_forever() still runs the callbacks "
    "already scheduled (before or after the stop() call), then returns.",
    covers=("run_forever.4",),
)
def test_stop_before_run_forever_runs_ready(loop):
    ran = []
    loop.call_soon(ran.append, "before-stop")
    loop.stop()
    loop.call_soon(ran.append, "after-stop")
    watchdog = run_forever_bounded(loop)
    expect(not watchdog, "run_forever did not return although stop() was called before it")
    expect_equal(ran, ["before-stop", "after-stop"], "already-scheduled callbacks did not run")


@scope.check(
    "run_forever",
    "before_run_forever_polls_io",
    topic="stop",
    requirement="If stop() is called before run_forever(), run_forever() polls for I/O once without "
    "blocking and runs the callbacks of the I/O events found ready.",
    covers=("run_forever.2", "run_forever.3"),
)
def test_stop_before_run_forever_polls_io(loop):
    a, b = socket.socketpair()
    try:
        a.setblocking(False)
        fired = []
        loop.add_reader(a.fileno(), lambda: fired.append(a.recv(16)))
        b.send(b"x")
        loop.stop()
        try:
            watchdog = run_forever_bounded(loop)
        finally:
            loop.remove_reader(a.fileno())
        expect(not watchdog, "run_forever did not return although stop() was called before it")
        expect_equal(fired, [b"x"], "the reader callback of a ready socket did not run during the single I/O poll")
    finally:
        a.close()
        b.close()


@scope.check(
    "run_forever",
    "before_run_forever_exits_promptly",
    topic="stop",
    requirement="If stop() is called before run_forever(), run_forever() returns after that single "
    "pass without waiting for a pending timer.",
    covers=("run_forever.2",),
)
def test_stop_before_run_forever_exits_promptly(loop):
    far = []
    loop.call_later(30, far.append, "far")
    loop.stop()
    start = time.monotonic()
    watchdog = run_forever_bounded(loop, limit=late(2.0))
    elapsed = time.monotonic() - start
    expect(
        not watchdog and elapsed < late(1.0),
        "run_forever waited for a pending timer although stop() was called before it",
        expected=f"returns within {late(1.0):g}s",
        observed=f"returned after {elapsed:.3f}s",
    )
    expect_equal(far, [], "a timer 30s away ran")


@scope.check(
    "stop",
    "resets_after_exit",
    requirement="A stop() is consumed by the run_forever() it ends: the next run_forever() runs "
    "again until the next stop().",
    covers=("stop.1",),
)
def test_stop_resets_after_exit(loop):
    loop.stop()
    run_forever_bounded(loop)
    ran = []
    loop.call_later(0.02, ran.append, "timer")
    loop.call_later(0.03, loop.stop)
    watchdog = run_forever_bounded(loop)
    expect(not watchdog, "the second run_forever did not return after its stop()")
    expect_equal(
        ran, ["timer"], "the second run_forever returned before its own stop() (a stale stop request ended it)"
    )


@scope.check(
    "stop",
    "current_batch_completes",
    anchor="asyncio.AbstractEventLoop.run_forever",
    requirement="stop() called from a callback lets the rest of the current batch of callbacks "
    "(those queued before the batch began) run before run_forever() exits.",
    covers=("run_forever.5",),
)
def test_stop_current_batch_completes(loop):
    ran = []

    def first():
        ran.append("first")
        loop.stop()

    loop.call_soon(first)
    loop.call_soon(ran.append, "second")
    loop.call_soon(ran.append, "third")
    watchdog = run_forever_bounded(loop)
    expect(not watchdog, "run_forever did not return after stop()")
    expect_equal(ran, ["first", "second", "third"], "callbacks of the batch in which stop() was called did not all run")


@scope.check(
    "stop",
    "scheduled_by_batch_deferred",
    anchor="asyncio.AbstractEventLoop.run_forever",
    requirement="When stop() is called while running, callbacks scheduled by the current batch do "
    "not run in that run_forever(); they run in the next run_forever().",
    covers=("run_forever.6", "run_forever.8:partial"),
)
def test_stop_scheduled_by_batch_deferred(loop):
    ran = []

    def first():
        ran.append("first")
        loop.call_soon(ran.append, "scheduled-by-first")
        loop.stop()

    def second():
        ran.append("second")
        loop.call_soon(ran.append, "scheduled-by-second")

    loop.call_soon(first)
    loop.call_soon(second)
    watchdog = run_forever_bounded(loop)
    expect(not watchdog, "run_forever did not return after stop()")
    expect_equal(ran, ["first", "second"], "the run that stop() ended ran callbacks scheduled by its last batch")
    loop.call_soon(loop.stop)
    watchdog = run_forever_bounded(loop)
    expect(not watchdog, "the next run_forever did not return after stop()")
    expect_equal(
        ran,
        ["first", "second", "scheduled-by-first", "scheduled-by-second"],
        "callbacks deferred by stop() did not run (in order) in the next run_forever",
    )


@scope.check(
    "run_forever",
    "reentrant_raises",
    level=INFO,
    note="running-reentry-undocumented",
    requirement="Calling run_forever() or run_until_complete() while the loop is running raises "
    "RuntimeError (undocumented; stock asyncio behaviour).",
    covers=("run_forever.9",),
)
@pytest.mark.parametrize("method", ["run_forever", "run_until_complete"])
def test_run_reentrant_raises(loop, method):
    seen = []

    def inner():
        fut = loop.create_future()
        fut.set_result(None)
        call = loop.run_forever if method == "run_forever" else (lambda: loop.run_until_complete(fut))
        try:
            call()
        except RuntimeError as exc:
            seen.append(exc)
        except BaseException as exc:  # record, judge outside the loop
            seen.append(exc)
        else:
            seen.append(None)
        loop.stop()

    loop.call_soon(inner)
    run_forever_bounded(loop)
    expect(
        seen and isinstance(seen[0], RuntimeError),
        f"{method}() inside a running loop did not raise RuntimeError",
        expected="RuntimeError",
        observed=repr(seen[0]) if seen else "inner callback never ran",
    )


# -- run_until_complete ----------------------------------------------------------------------


@scope.check(
    "run_until_complete",
    "coroutine",
    requirement="run_until_complete() accepts a coroutine object, runs it to completion and returns its result.",
    covers=("run_until_complete.2", "run_until_complete.3"),
)
def test_run_until_complete_coroutine(loop):
    async def work():
        fut = loop.create_future()
        loop.call_later(0.01, fut.set_result, 41)
        return await fut + 1

    expect_equal(loop.run_until_complete(work()), 42, "wrong result from run_until_complete(coro)")


@scope.check(
    "run_until_complete",
    "coroutine_as_task",
    requirement="A coroutine passed to run_until_complete() runs wrapped in a Task of this loop (as "
    "ensure_future() would wrap it).",
    covers=("run_until_complete.2",),
)
def test_run_until_complete_coroutine_as_task(loop):
    async def who():
        return asyncio.current_task(loop)

    task = loop.run_until_complete(who())
    expect(isinstance(task, asyncio.Task), "the coroutine did not run inside an asyncio.Task", observed=repr(task))
    expect(task.get_loop() is loop, "the wrapping Task belongs to another loop")


@scope.check(
    "run_until_complete",
    "coroutine_uses_task_factory",
    level=SHOULD,
    note="run-until-complete-task-factory",
    requirement="The Task that wraps a coroutine passed to run_until_complete() is made through the "
    "loop's task creation, so a task factory set on the loop is used.",
    covers=("run_until_complete.2",),
)
def test_run_until_complete_coroutine_uses_task_factory(loop):
    made = []

    def factory(lp, coro, **kwargs):
        task = asyncio.Task(coro, loop=lp, **kwargs)
        made.append(task)
        return task

    async def work():
        return "done"

    loop.set_task_factory(factory)
    expect_equal(loop.run_until_complete(work()), "done", "wrong result")
    expect_equal(len(made), 1, "the task factory was not used to wrap the coroutine")


@scope.check(
    "run_until_complete",
    "future",
    requirement="run_until_complete() on a Future runs the loop until the Future is done and returns its result.",
    covers=("run_until_complete.1", "run_until_complete.3"),
)
def test_run_until_complete_future(loop):
    fut = loop.create_future()
    loop.call_later(0.01, fut.set_result, "value")
    expect_equal(run_until_bounded(loop, fut), "value", "wrong result from run_until_complete(future)")
    expect(fut.done(), "run_until_complete returned before the Future was done")


@scope.check(
    "run_until_complete",
    "task",
    requirement="run_until_complete() on a Task runs the loop until the Task is done and returns its result.",
    covers=("run_until_complete.1", "run_until_complete.3"),
)
def test_run_until_complete_task(loop):
    async def work():
        await asyncio.sleep(0.01)
        return "task-result"

    task = loop.create_task(work())
    expect_equal(run_until_bounded(loop, task), "task-result", "wrong result from run_until_complete(task)")


@scope.check(
    "run_until_complete",
    "raises",
    requirement="run_until_complete() raises the exception of the Future (or coroutine) it ran.",
    covers=("run_until_complete.4",),
)
@pytest.mark.parametrize("kind", ["coroutine", "future"])
def test_run_until_complete_raises(loop, kind):
    error = ValueError("boom")
    if kind == "coroutine":

        async def work():
            await asyncio.sleep(0)
            raise error

        arg = work()
    else:
        arg = loop.create_future()
        loop.call_soon(arg.set_exception, error)
    raised = expect_raises(
        ValueError, loop.run_until_complete, arg, what="run_until_complete did not raise the Future's exception"
    )
    expect(
        raised is error,
        "run_until_complete raised a different exception object",
        expected=repr(error),
        observed=repr(raised),
    )


@scope.check(
    "run_until_complete",
    "result_identity",
    requirement="run_until_complete() returns the very object the Future or coroutine produced, "
    "falsy results (0, '', [], False) included.",
    covers=("run_until_complete.3",),
)
@pytest.mark.parametrize("kind", ["zero", "empty_str", "empty_list", "false"])
def test_run_until_complete_result_identity(loop, kind):
    value = {"zero": 0, "empty_str": "", "empty_list": [], "false": False}[kind]

    async def produce():
        return value

    fut = loop.create_future()
    loop.call_soon(fut.set_result, value)
    from_future = loop.run_until_complete(fut)
    from_coro = loop.run_until_complete(produce())
    expect(
        from_future is value and from_coro is value,
        "run_until_complete did not return the result object",
        expected=repr(value),
        observed=f"future: {from_future!r}, coroutine: {from_coro!r}",
    )


@scope.check(
    "run_until_complete",
    "returns_when_done",
    requirement="run_until_complete() returns as soon as its Future is done, without waiting for other pending timers.",
    covers=("run_until_complete.1",),
)
def test_run_until_complete_returns_when_done(loop):
    far = []
    loop.call_later(30, far.append, "far")
    fut = loop.create_future()
    loop.call_later(0.01, fut.set_result, None)
    start = time.monotonic()
    run_until_bounded(loop, fut, limit=late(2.0))
    elapsed = time.monotonic() - start
    expect(
        elapsed < late(1.0),
        "run_until_complete kept running after its Future was done",
        expected=f"returns within {late(1.0):g}s",
        observed=f"{elapsed:.3f}s",
    )
    expect_equal(far, [], "a timer 30s away ran")


# -- is_running / is_closed ------------------------------------------------------------------


@scope.check(
    "is_running",
    "status",
    requirement="is_running() is True while the loop runs (in callbacks and coroutines) and False "
    "before it runs and after run_forever()/run_until_complete() return.",
    covers=("is_running.1",),
)
def test_is_running_status(loop):
    observed = {"before": loop.is_running()}

    def in_callback():
        observed["callback"] = loop.is_running()
        loop.stop()

    loop.call_soon(in_callback)
    run_forever_bounded(loop)
    observed["after run_forever"] = loop.is_running()
    expect_equal(
        observed,
        {"before": False, "callback": True, "after run_forever": False},
        "is_running() reported the wrong status",
    )

    async def in_coroutine():
        observed["coroutine"] = loop.is_running()
        raise KeyError("x")

    try:
        loop.run_until_complete(in_coroutine())
    except KeyError:
        pass
    observed["after run_until_complete raised"] = loop.is_running()
    expect_equal(
        observed,
        {
            "before": False,
            "callback": True,
            "after run_forever": False,
            "coroutine": True,
            "after run_until_complete raised": False,
        },
        "is_running() reported the wrong status",
    )


@scope.check(
    "is_closed",
    "status",
    requirement="is_closed() is False for a new loop (also after running it) and True once close() has been called.",
    covers=("is_closed.1",),
)
def test_is_closed_status(loop):
    observed = {"new": loop.is_closed()}
    loop.call_soon(loop.stop)
    run_forever_bounded(loop)
    observed["after a run"] = loop.is_closed()
    loop.close()
    observed["after close"] = loop.is_closed()
    expect_equal(
        observed, {"new": False, "after a run": False, "after close": True}, "is_closed() reported the wrong status"
    )


# -- close -----------------------------------------------------------------------------------


@scope.check(
    "close",
    "while_running_raises",
    level=SHOULD,
    note="close-while-running-runtimeerror",
    requirement="close() on a running loop is refused with RuntimeError and leaves the loop open "
    "and running (the doc forbids closing a running loop).",
    covers=("close.1",),
)
def test_close_while_running_raises(loop):
    seen = []

    def attempt():
        try:
            loop.close()
        except RuntimeError as exc:
            seen.append(("raised", exc))
        except BaseException as exc:
            seen.append(("other", exc))
        else:
            seen.append(("returned", None))
        seen.append(("closed", loop.is_closed()))
        loop.call_soon(seen.append, ("still running", loop.is_running()))
        loop.call_soon(loop.stop)

    loop.call_soon(attempt)
    run_forever_bounded(loop)
    expect(
        seen and seen[0][0] == "raised",
        "close() on a running loop did not raise RuntimeError",
        expected="RuntimeError",
        observed=repr(seen[0]) if seen else "callback never ran",
    )
    expect_equal(
        seen[1:],
        [("closed", False), ("still running", True)],
        "the refused close() did not leave the loop open and running",
    )
    expect(not loop.is_closed(), "the loop is closed after a refused close()")


@scope.check(
    "close",
    "drops_pending",
    requirement="close() discards pending callbacks and timers: they are not run by close() nor "
    "ever afterwards (another loop is unaffected by them).",
    covers=("close.2",),
)
def test_close_drops_pending(loop, new_loop):
    ran = []
    loop.call_soon(ran.append, "soon")
    loop.call_later(0, ran.append, "later0")
    loop.call_later(0.01, ran.append, "later")
    loop.close()
    expect_equal(ran, [], "close() ran pending callbacks")
    other = new_loop()
    other.call_later(0.03, other.stop)
    run_forever_bounded(other)
    expect_equal(ran, [], "callbacks dropped by close() ran later")


class _Callback:
    def __call__(self):
        pass


@scope.check(
    "close",
    "clears_queues",
    requirement="close() clears the loop's queues: the loop keeps no reference to callbacks that "
    "were pending when it was closed.",
    covers=("close.3",),
)
def test_close_clears_queues(loop):
    soon, timer = _Callback(), _Callback()
    refs = [weakref.ref(soon), weakref.ref(timer)]
    loop.call_soon(soon)
    loop.call_later(10, timer)
    del soon, timer
    loop.close()
    gc.collect()
    alive = [i for i, ref in enumerate(refs) if ref() is not None]
    expect_equal(alive, [], "the closed loop still references pending callbacks (0 = call_soon, 1 = call_later)")


@scope.check(
    "close",
    "idempotent",
    requirement="close() may be called again on a closed loop; it has no further effect.",
    covers=("close.6",),
)
def test_close_idempotent(loop):
    loop.close()
    loop.close()
    loop.close()
    expect(loop.is_closed(), "is_closed() is False after repeated close()")


@scope.check(
    "close",
    "irreversible",
    requirement="A closed loop stays closed: is_closed() remains True whatever is called on it afterwards.",
    covers=("close.7",),
)
def test_close_irreversible(loop):
    loop.close()
    attempts = [
        ("call_soon", lambda: loop.call_soon(loop.stop)),
        ("call_later", lambda: loop.call_later(0, loop.stop)),
        ("call_at", lambda: loop.call_at(loop.time(), loop.stop)),
        ("run_forever", loop.run_forever),
    ]
    for name, attempt in attempts:
        try:
            attempt()
        except Exception:
            pass
        expect(loop.is_closed(), f"is_closed() became False after calling {name}() on a closed loop")


async def _never_awaited():
    return None


@scope.check(
    "close",
    "methods_after_close_raise",
    level=SHOULD,
    note="after-close-runtimeerror",
    requirement="After close(), scheduling or running methods raise RuntimeError (the doc only says "
    "they should not be called; stock asyncio raises RuntimeError).",
    covers=("close.8", "call_soon_threadsafe.4"),
)
@pytest.mark.parametrize(
    "method",
    ["run_forever", "run_until_complete", "call_soon", "call_soon_threadsafe", "call_later", "call_at", "create_task"],
)
def test_methods_after_close_raise(loop, method):
    loop.close()
    coro = _never_awaited()
    calls = {
        "run_forever": lambda: loop.run_forever(),
        "run_until_complete": lambda: loop.run_until_complete(coro),
        "call_soon": lambda: loop.call_soon(print),
        "call_soon_threadsafe": lambda: loop.call_soon_threadsafe(print),
        "call_later": lambda: loop.call_later(0, print),
        "call_at": lambda: loop.call_at(loop.time(), print),
        "create_task": lambda: loop.create_task(coro),
    }
    try:
        expect_raises(RuntimeError, calls[method], what=f"{method}() on a closed loop did not raise RuntimeError")
    finally:
        coro.close()


@scope.check(
    "close",
    "executor_not_waited",
    requirement="close() shuts the default executor down without waiting for running jobs: it "
    "returns while a job is still running, and the worker ends when the job does.",
    covers=("close.5",),
)
def test_close_executor_not_waited(loop):
    started, release, finished = threading.Event(), threading.Event(), threading.Event()

    def job():
        started.set()
        release.wait(2.0)
        finished.set()

    fut = loop.run_in_executor(None, job)
    try:
        expect(started.wait(LIMIT), "the executor job did not start")
        fut.cancel()  # nobody awaits it; the loop will be closed before the job ends
        start = time.monotonic()
        loop.close()
        elapsed = time.monotonic() - start
        still_running = not finished.is_set()
    finally:
        release.set()
    expect(
        elapsed < late(0.5) and still_running,
        "close() waited for the default executor's running job",
        expected=f"returns at once (< {late(0.5):g}s) while the job runs",
        observed=f"returned after {elapsed:.3f}s; job finished first: {not still_running}",
    )
    expect(finished.wait(LIMIT), "the executor job did not finish after being released")


def _fd_table() -> dict:
    """{fd: what it points to} for this process (Linux /proc), without the listing's own fd."""
    table = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            table[int(name)] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:  # the directory fd used for the listing, already closed
            continue
    return table


@scope.check(
    "close",
    "releases_resources",
    level=SHOULD,
    platforms=LINUX,
    note="close-releases-resources",
    requirement="close() itself releases the file descriptors the loop opened (selector, wake-up "
    "pipe...): none stays open while the closed loop is still referenced, waiting for "
    "garbage collection.",
    covers=("close.9",),
)
def test_close_releases_resources(new_loop):
    before = _fd_table()
    made = new_loop()
    run_until_bounded(made, made.create_task(asyncio.sleep(0)))
    made.close()
    left = {fd: target for fd, target in _fd_table().items() if before.get(fd) != target}
    expect_equal(
        left,
        {},
        "file descriptors opened by the loop stayed open after close() while the "
        "loop object was still referenced (released only on garbage collection, if at all)",
    )
    expect(made.is_closed(), "the loop is not closed after close()")  # keeps the reference until here


# -- shutdown_asyncgens ----------------------------------------------------------------------


@scope.check(
    "shutdown_asyncgens",
    "acloses_open",
    requirement="shutdown_asyncgens() closes every asynchronous generator still open on the loop "
    "with aclose(): their finally blocks run.",
    covers=("shutdown_asyncgens.2", "shutdown_asyncgens.1:partial"),
)
def test_shutdown_asyncgens_acloses_open(loop):
    finalized = []

    async def agen(tag):
        try:
            yield 1
            yield 2
        finally:
            finalized.append(tag)

    keep = [agen("a"), agen("b")]

    async def start():
        for gen in keep:
            await gen.__anext__()

    loop.run_until_complete(start())
    expect_equal(finalized, [], "a generator was finalized before shutdown_asyncgens()")
    loop.run_until_complete(asyncio.wait_for(loop.shutdown_asyncgens(), LIMIT))
    expect_equal(sorted(finalized), ["a", "b"], "shutdown_asyncgens() did not close the open asynchronous generators")


@scope.check(
    "shutdown_asyncgens",
    "warns_after",
    note="asyncgen-warning-category",
    requirement="After shutdown_asyncgens(), iterating a new asynchronous generator on the loop issues a warning.",
    covers=("shutdown_asyncgens.3",),
)
def test_shutdown_asyncgens_warns_after(loop):
    loop.run_until_complete(asyncio.wait_for(loop.shutdown_asyncgens(), LIMIT))

    async def agen():
        yield 1

    async def iterate():
        return [x async for x in agen()]

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = loop.run_until_complete(iterate())
    expect_equal(result, [1], "the new asynchronous generator did not iterate")
    expect(caught, "no warning was issued when a new asynchronous generator was iterated after shutdown_asyncgens()")


@scope.check(
    "stop",
    "scheduled_by_batch_deferred_many",
    requirement="However many callbacks the stopping batch schedules, none of them runs before "
    "run_forever() returns; they all run, in order, the next time the loop runs.",
    covers=("run_forever.6", "run_forever.7", "run_forever.8:partial"),
)
@pytest.mark.parametrize("count", [1, 5, 20])
def test_stop_scheduled_by_batch_deferred_many(loop, count):
    ran = []

    def last_batch():
        for i in range(count):
            loop.call_soon(ran.append, i)
        loop.stop()

    loop.call_soon(last_batch)
    run_forever_bounded(loop)
    first_run = list(ran)
    loop.call_soon(loop.stop)
    run_forever_bounded(loop)
    expect_equal(
        (first_run, ran),
        ([], list(range(count))),
        "callbacks scheduled by the stopping batch (during the stopping run, after the next run)",
    )


@scope.check(
    "stop",
    "deferred_run_by_run_until_complete",
    since="3.8",
    anchor="asyncio.loop.run_forever",
    requirement="Callbacks deferred by stop() (scheduled by the batch that was running when stop() "
    "was called) also run when the loop is next started with run_until_complete(), "
    "before the awaited future's own work.",
    covers=("run_forever.8",),
)
def test_stop_deferred_run_by_run_until_complete(loop):
    ran = []

    def first():
        ran.append("first")
        loop.call_soon(ran.append, "deferred")
        loop.stop()

    loop.call_soon(first)
    watchdog = run_forever_bounded(loop)
    expect(not watchdog, "run_forever did not return after stop()")
    expect_equal(ran, ["first"], "the run that stop() ended ran the callback scheduled by its last batch")

    async def main():
        ran.append("main")

    run_until_bounded(loop, loop.create_task(main()))
    expect_equal(
        ran,
        ["first", "deferred", "main"],
        "the callback deferred by stop() did not run (first) when run_until_complete() started the loop again",
    )
