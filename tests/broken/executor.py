"""Broken loops for 19.5.1.15 (executor): one guarantee broken each."""

import asyncio
import concurrent.futures

from tests.broken import breaks


@breaks("executor.run_in_executor.returns_asyncio_future")
class ConcurrentFutureLoop(asyncio.SelectorEventLoop):
    """run_in_executor returns the executor's concurrent.futures.Future, not an asyncio.Future."""

    def run_in_executor(self, executor, func, *args):
        if executor is None:
            if self._default_executor is None:
                self._default_executor = concurrent.futures.ThreadPoolExecutor()
            executor = self._default_executor
        return executor.submit(func, *args)


@breaks("executor.run_in_executor.other_thread_with_args")
class SameThreadLoop(asyncio.SelectorEventLoop):
    """run_in_executor calls func inline, in the loop's thread."""

    def run_in_executor(self, executor, func, *args):
        fut = self.create_future()
        try:
            fut.set_result(func(*args))
        except Exception as exc:
            fut.set_exception(exc)
        return fut


@breaks("executor.run_in_executor.default_pool_size", keeps=["executor.run_in_executor.other_thread_with_args"])
class SingleWorkerDefaultExecutorLoop(asyncio.SelectorEventLoop):
    """The default executor the loop creates has max_workers=1."""

    def run_in_executor(self, executor, func, *args):
        if executor is None and self._default_executor is None:
            self._default_executor = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        return super().run_in_executor(executor, func, *args)


@breaks("executor.run_in_executor.uses_given_executor")
class IgnoresExecutorLoop(asyncio.SelectorEventLoop):
    """run_in_executor always uses the default executor."""

    def run_in_executor(self, executor, func, *args):
        return super().run_in_executor(None, func, *args)


@breaks("executor.set_default_executor.used_for_none")
class IgnoresSetDefaultLoop(asyncio.SelectorEventLoop):
    """set_default_executor does nothing."""

    def set_default_executor(self, executor):
        pass


@breaks("executor.set_default_executor.rejects_non_thread_pool", python=">=3.11")
class AcceptsAnyExecutorLoop(asyncio.SelectorEventLoop):
    """set_default_executor accepts executors that are not thread pools (3.11+ rejects them)."""

    def set_default_executor(self, executor):
        self._default_executor = executor


@breaks("executor.run_in_executor.exception_propagates")
class SwallowsExceptionLoop(asyncio.SelectorEventLoop):
    """The future of a failing func resolves to None instead of raising."""

    def run_in_executor(self, executor, func, *args):
        def safe():
            try:
                return func(*args)
            except Exception:
                return None

        return super().run_in_executor(executor, safe)


@breaks("executor.close.default_executor_not_awaited")
class WaitingCloseLoop(asyncio.SelectorEventLoop):
    """close() waits for the default executor's running jobs."""

    def close(self):
        if self._default_executor is not None:
            self._default_executor.shutdown(wait=True)
        super().close()


@breaks("executor.shutdown_default_executor.waits")
class NoWaitShutdownLoop(asyncio.SelectorEventLoop):
    """shutdown_default_executor returns at once, without waiting for running jobs."""

    async def shutdown_default_executor(self, timeout=None):
        self._executor_shutdown_called = True
        if self._default_executor is not None:
            self._default_executor.shutdown(wait=False)


@breaks("executor.shutdown_default_executor.refuses_new_work")
class AcceptsWorkAfterShutdownLoop(asyncio.SelectorEventLoop):
    """run_in_executor(None) keeps working after shutdown_default_executor."""

    def run_in_executor(self, executor, func, *args):
        if executor is None and self._executor_shutdown_called:
            self._executor_shutdown_called = False
            self._default_executor = None
        return super().run_in_executor(executor, func, *args)


@breaks("executor.shutdown_default_executor.timeout", python=">=3.12.2")
class IgnoresTimeoutLoop(asyncio.SelectorEventLoop):
    """shutdown_default_executor ignores its timeout and waits for every job."""

    async def shutdown_default_executor(self, timeout=None):
        return await super().shutdown_default_executor()
