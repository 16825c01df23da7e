"""19.5.1.15 Executor: run_in_executor, set_default_executor, and the default executor's shutdown.

Every executor a check creates is shut down before the check ends, and every blocking job waits
on an Event with a bound, so a broken loop cannot leave a thread behind for long.
"""

import asyncio
import concurrent.futures
import os
import threading
import time
import warnings

from loopconf import checks
from loopconf.checks import SHOULD
from loopconf.evidence import expect, expect_equal

from ._support.sched import LIMIT, run_until_bounded

scope = checks.scope(area="executor", section="19.5.1.15")
WAIT = 5.0


class LcxError(Exception):
    pass


def _await(loop, fut, timeout=WAIT):
    async def waiter():
        return await asyncio.wait_for(fut, timeout)

    return loop.run_until_complete(waiter())


@scope.check(
    "run_in_executor",
    "returns_asyncio_future",
    requirement="run_in_executor returns an asyncio.Future that resolves to the function's return value.",
    covers=("run_in_executor.5",),
)
def test_returns_asyncio_future(loop):
    fut = loop.run_in_executor(None, pow, 2, 10)
    is_future = isinstance(fut, asyncio.Future)
    if not is_future and isinstance(fut, concurrent.futures.Future):
        fut.result(WAIT)  # do not leave the job running behind the failure
    expect(is_future, "run_in_executor did not return an asyncio.Future", observed=type(fut).__name__)
    expect_equal(_await(loop, fut), 1024, "the future did not resolve to the function's result")


@scope.check(
    "run_in_executor",
    "other_thread_with_args",
    requirement="With executor None, func runs in a thread other than the loop's, called with the "
    "positional arguments given.",
    covers=("executor.intro.1", "run_in_executor.3", "run_in_executor.4"),
)
def test_other_thread_with_args(loop):
    def job(*args):
        return args, threading.get_ident()

    args, ident = _await(loop, loop.run_in_executor(None, job, "x", 2, None))
    expect_equal(args, ("x", 2, None), "func did not receive the positional arguments")
    expect(ident != threading.get_ident(), "func ran in the loop's own thread, not in an executor thread")


def _default_max_workers():
    """ThreadPoolExecutor's own max_workers default: min(32, cpu count + 4) (3.8+; 3.13 counts the CPUs
    this process may use)."""
    count = getattr(os, "process_cpu_count", os.cpu_count)() or 1
    return min(32, count + 4)


@scope.check(
    "run_in_executor",
    "default_pool_size",
    requirement="The default executor runs as many jobs at once as ThreadPoolExecutor's default "
    "max_workers (min(32, cpus + 4)): that many jobs meeting at one barrier all get through.",
    covers=("run_in_executor.6",),
)
def test_default_pool_size(loop):
    workers = _default_max_workers()
    barrier = threading.Barrier(workers, timeout=WAIT)  # a smaller pool breaks it after WAIT, no thread left

    def job():
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            return False
        return True

    async def all_jobs():
        futs = [loop.run_in_executor(None, job) for _ in range(workers)]
        return await asyncio.wait_for(asyncio.gather(*futs), WAIT * 2)

    passed = loop.run_until_complete(all_jobs())
    expect(
        all(passed),
        f"{workers} default-executor jobs waiting for each other did not all run at once",
        expected=f"{workers} concurrent jobs (ThreadPoolExecutor's default max_workers)",
        observed=f"{sum(passed)} got through the barrier within {WAIT:g}s",
    )


@scope.check(
    "run_in_executor",
    "uses_given_executor",
    requirement="run_in_executor(executor, func) runs func in the executor passed, not the default one.",
    covers=("run_in_executor.1",),
)
def test_uses_given_executor(loop):
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="lcx-given")
    try:
        name = _await(loop, loop.run_in_executor(pool, lambda: threading.current_thread().name))
    finally:
        pool.shutdown(wait=True)
    expect(
        name.startswith("lcx-given"),
        "func did not run in the executor passed to run_in_executor",
        expected="a thread named lcx-given*",
        observed=name,
    )


@scope.check(
    "set_default_executor",
    "used_for_none",
    requirement="After set_default_executor(executor), run_in_executor(None, func) runs func in that executor.",
    covers=("run_in_executor.3", "set_default_executor.1"),
)
def test_set_default_used(loop):
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="lcx-default")
    try:
        loop.set_default_executor(pool)
        name = _await(loop, loop.run_in_executor(None, lambda: threading.current_thread().name))
    finally:
        pool.shutdown(wait=True)
    expect(
        name.startswith("lcx-default"),
        "run_in_executor(None) did not use the executor set as default",
        expected="a thread named lcx-default*",
        observed=name,
    )


class _InlineExecutor(concurrent.futures.Executor):
    """An Executor that is not a ThreadPoolExecutor (runs nothing; owns no threads)."""

    def submit(self, fn, *args, **kwargs):
        fut = concurrent.futures.Future()
        fut.set_result(fn(*args, **kwargs))
        return fut


@scope.check(
    "set_default_executor",
    "rejects_non_thread_pool",
    since="3.11",
    level=SHOULD,
    note="executor-must-be-thread-pool",
    anchor="asyncio.loop.set_default_executor",
    requirement="From 3.11, set_default_executor rejects an executor that is not a "
    "ThreadPoolExecutor with TypeError (the docs make it the caller's obligation).",
    covers=("set_default_executor.2",),
)
def test_rejects_non_thread_pool(loop):
    try:
        loop.set_default_executor(_InlineExecutor())
    except TypeError:
        return
    except NotImplementedError:
        raise
    except Exception as exc:
        raise AssertionError(
            f"set_default_executor(non-thread-pool) raised {type(exc).__name__}, not TypeError"
        ) from exc
    raise AssertionError("set_default_executor accepted an executor that is not a ThreadPoolExecutor")


@scope.check(
    "run_in_executor",
    "exception_propagates",
    requirement="An exception raised by func is the exception of the returned future.",
    covers=("run_in_executor.5",),
)
def test_exception_propagates(loop):
    def job():
        raise LcxError("from the executor", 7)

    fut = loop.run_in_executor(None, job)
    try:
        _await(loop, fut)
    except LcxError as exc:
        expect_equal(exc.args, ("from the executor", 7), "the propagated exception lost its arguments")
    else:
        raise AssertionError("awaiting the run_in_executor future did not raise func's exception")


@scope.check(
    "close",
    "default_executor_not_awaited",
    section="19.5.1.1",
    requirement="close() shuts the default executor down without waiting: it returns while a job is "
    "still running, and the job's thread then ends on its own.",
    covers=("close.4", "close.5"),
)
def test_close_does_not_wait(loop):
    started, release = threading.Event(), threading.Event()
    finished, threads = [], []

    def job():
        threads.append(threading.current_thread())
        started.set()
        release.wait(2.0)  # bounded: a loop that waits here costs 2 s, not a hang
        finished.append(True)

    fut = loop.run_in_executor(None, job)
    try:
        expect(started.wait(WAIT), "the executor job never started")
        fut.cancel()  # nobody will collect the result once the loop is closed
        t0 = time.monotonic()
        loop.close()
        took = time.monotonic() - t0
        done_at_close = bool(finished)
    finally:
        release.set()
    expect(
        not done_at_close,
        "close() waited for the running executor job",
        expected="close returns while the job runs",
        observed=f"close took {took:.3f} s",
    )
    threads[0].join(WAIT)
    expect(not threads[0].is_alive(), "the executor thread kept running: close() did not shut it down")


@scope.check(
    "shutdown_default_executor",
    "waits",
    since="3.9",
    anchor="asyncio.loop.shutdown_default_executor",
    requirement="shutdown_default_executor completes only after the default executor's running jobs "
    "finished and its threads were joined.",
    covers=("shutdown_default_executor.1",),
)
def test_shutdown_waits(loop):
    release = threading.Event()
    finished, threads = [], []

    def job():
        threads.append(threading.current_thread())
        release.wait(WAIT)
        finished.append(True)

    async def main():
        fut = loop.run_in_executor(None, job)
        loop.call_later(0.05, release.set)
        await asyncio.wait_for(loop.shutdown_default_executor(), WAIT)
        observed = (bool(finished), [t.is_alive() for t in threads])
        await fut
        return observed

    try:
        done, alive = loop.run_until_complete(main())
    finally:
        release.set()
    expect(done, "shutdown_default_executor returned before the running job finished")
    expect(not any(alive), "shutdown_default_executor returned before the executor thread was joined")


@scope.check(
    "shutdown_default_executor",
    "refuses_new_work",
    since="3.9",
    anchor="asyncio.loop.shutdown_default_executor",
    requirement="After shutdown_default_executor, run_in_executor(None, ...) raises RuntimeError.",
    covers=("shutdown_default_executor.2",),
)
def test_shutdown_refuses(loop):
    _await(loop, loop.run_in_executor(None, int))
    loop.run_until_complete(asyncio.wait_for(loop.shutdown_default_executor(), WAIT))
    try:
        fut = loop.run_in_executor(None, int)
    except RuntimeError:
        return
    except NotImplementedError:
        raise
    try:
        _await(loop, fut)
    except Exception:
        pass
    raise AssertionError("run_in_executor(None) after shutdown_default_executor did not raise RuntimeError")


@scope.check(
    "shutdown_default_executor",
    "timeout",
    since="3.12.2",
    anchor="asyncio.loop.shutdown_default_executor",
    note="executor-shutdown-timeout-3.12.1",
    requirement="shutdown_default_executor(timeout=t) returns after about t seconds even if a job "
    "is still running, emitting a RuntimeWarning (CPython 3.12.0-3.12.1 ignore the "
    "timeout until the executor has joined; the check applies from 3.12.2).",
    covers=("shutdown_default_executor.3",),
)
def test_shutdown_timeout(loop):
    started, release = threading.Event(), threading.Event()
    finished, threads = [], []

    def job():
        threads.append(threading.current_thread())
        started.set()
        release.wait(2.0)  # bounded: a loop ignoring the timeout costs 2 s
        finished.append(True)

    async def main():
        fut = loop.run_in_executor(None, job)
        expect(started.wait(WAIT), "the executor job never started")
        t0 = time.monotonic()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            await asyncio.wait_for(loop.shutdown_default_executor(timeout=0.1), WAIT)
        took = time.monotonic() - t0
        result = (bool(finished), took, [w.category for w in caught])
        fut.cancel()
        return result

    try:
        done, took, categories = loop.run_until_complete(main())
    finally:
        release.set()
        for t in threads:
            t.join(WAIT)
    expect(
        not done,
        "shutdown_default_executor(timeout=0.1) waited for the job to finish",
        observed=f"returned after {took:.3f} s",
    )
    expect(
        took >= 0.1 * 0.9,
        "shutdown_default_executor(timeout=0.1) returned before the timeout",
        observed=f"{took:.3f} s",
    )
    expect(
        RuntimeWarning in categories,
        "no RuntimeWarning when the timeout was reached",
        observed=[c.__name__ for c in categories],
    )


@scope.check(
    "close",
    "shuts_down_set_default_executor",
    requirement="The default executor that close() shuts down is also one installed with "
    "set_default_executor: after close() its idle worker threads end.",
    covers=("close.4",),
)
def test_close_shuts_down_set_default_executor(loop):
    """whoever created it."""
    import concurrent.futures

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="lcx-user-default")
    workers = []
    try:
        loop.set_default_executor(pool)
        run_until_bounded(loop, loop.run_in_executor(None, lambda: workers.append(threading.current_thread())))
        loop.close()
        workers[0].join(LIMIT)
        alive = workers[0].is_alive()
    finally:
        pool.shutdown(wait=True)
    expect(
        not alive,
        "the executor given to set_default_executor was not shut down by close()",
        expected="its worker thread ended",
        observed=f"{workers[0].name} still alive after {LIMIT}s",
    )
