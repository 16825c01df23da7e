"""Reference loop: 19.5.1.15 executor (run_in_executor, set_default_executor) and
shutdown_default_executor (added in later Pythons).
"""

from __future__ import annotations

import concurrent.futures
import inspect
import sys
import threading
import warnings
from asyncio import wrap_future


class ExecutorMixin:
    """The default ThreadPoolExecutor and calls into executors."""

    def _init_executor(self):
        self._default_executor = None
        self._executor_shutdown_called = False

    def _close_executor(self):
        """At close: shut the default executor down without waiting for it (19.5.1.1)."""
        self._executor_shutdown_called = True
        executor = self._default_executor
        if executor is not None:
            self._default_executor = None
            executor.shutdown(wait=False)

    def run_in_executor(self, executor, func, *args):
        """19.5.1.15 run_in_executor: run ``func(*args)`` in ``executor`` (None: the default
        ThreadPoolExecutor); return an asyncio.Future for the result."""
        self._check_closed()
        if self._debug:
            if inspect.iscoroutine(func) or inspect.iscoroutinefunction(func):
                raise TypeError("coroutines cannot be used with run_in_executor()")
        if executor is None:
            executor = self._default_executor
            if executor is None:
                if self._executor_shutdown_called:
                    raise RuntimeError("Executor shutdown has been called")
                executor = concurrent.futures.ThreadPoolExecutor(thread_name_prefix="asyncio")
                self._default_executor = executor
        return wrap_future(executor.submit(func, *args), loop=self)

    def set_default_executor(self, executor):
        """19.5.1.15 set_default_executor: the executor run_in_executor(None, ...) uses.

        Python 3.11+ accepts only ThreadPoolExecutor (TypeError otherwise); 3.10 warns.
        """
        if not isinstance(executor, concurrent.futures.ThreadPoolExecutor):
            if sys.version_info >= (3, 11):
                raise TypeError("executor must be ThreadPoolExecutor instance")
            warnings.warn(
                "Using the default executor that is not an instance of "
                "ThreadPoolExecutor is deprecated and will be prohibited "
                "in Python 3.9",
                DeprecationWarning,
                2,
            )
        self._default_executor = executor

    def _join_default_executor(self, future):
        """Thread body of shutdown_default_executor: wait for the pool, report to the loop."""
        try:
            self._default_executor.shutdown(wait=True)
        except Exception as exc:  # report to the awaiting coroutine
            if not self._closed:
                self.call_soon_threadsafe(_set_exception_unless_done, future, exc)
        else:
            if not self._closed:
                self.call_soon_threadsafe(_set_result_unless_done, future, None)

    if sys.version_info >= (3, 12):

        async def shutdown_default_executor(self, timeout=None):
            """Executor (3.9+ docs) shutdown_default_executor: shut the default executor down
            and wait for its threads, at most ``timeout`` seconds (RuntimeWarning if exceeded);
            run_in_executor(None, ...) is refused afterwards."""
            self._executor_shutdown_called = True
            if self._default_executor is None:
                return
            future = self.create_future()
            thread = threading.Thread(target=self._join_default_executor, args=(future,))
            thread.start()
            try:
                await _wait_for(future, timeout, self)
            except TimeoutError:
                warnings.warn(
                    f"The executor did not finishing joining its threads within {timeout} seconds.",
                    RuntimeWarning,
                    stacklevel=2,
                )
                self._default_executor.shutdown(wait=False)
            else:
                thread.join()
    else:

        async def shutdown_default_executor(self):
            """Executor (3.9+ docs) shutdown_default_executor: shut the default executor down
            and wait for its threads; run_in_executor(None, ...) is refused afterwards."""
            self._executor_shutdown_called = True
            if self._default_executor is None:
                return
            future = self.create_future()
            thread = threading.Thread(target=self._join_default_executor, args=(future,))
            thread.start()
            try:
                await future
            finally:
                thread.join()


def _set_result_unless_done(future, result):
    if not future.done():
        future.set_result(result)


def _set_exception_unless_done(future, exc):
    if not future.done():
        future.set_exception(exc)


async def _wait_for(future, timeout, loop):
    """Await ``future`` for at most ``timeout`` seconds (None: no limit); TimeoutError after."""
    if timeout is None:
        await future
        return
    waiter = loop.create_future()
    timer = loop.call_later(timeout, _set_result_unless_done, waiter, False)
    future.add_done_callback(lambda _: _set_result_unless_done(waiter, True))
    try:
        finished = await waiter
    finally:
        timer.cancel()
    if not finished:
        raise TimeoutError
    future.result()
