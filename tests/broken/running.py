"""Broken loops for 19.5.1.1 (run an event loop): each breaks exactly one guarantee."""

import asyncio
import os

from tests.broken import breaks


@breaks("running.run_forever.until_stop")
class EarlyExitLoop(asyncio.SelectorEventLoop):
    """run_forever returns after the first batch of callbacks instead of waiting for stop()."""

    def run_forever(self):
        self.call_soon(self.stop)
        super().run_forever()


@breaks("running.stop.before_run_forever_runs_ready", "running.stop.before_run_forever_exits_promptly")
class IgnoresEarlyStopLoop(asyncio.SelectorEventLoop):
    """stop() called before run_forever() is forgotten when run_forever starts."""

    def run_forever(self):
        self._stopping = False
        super().run_forever()


@breaks("running.stop.before_run_forever_polls_io")
class NoIoPollOnEarlyStopLoop(asyncio.SelectorEventLoop):
    """stop() before run_forever(): ready callbacks run but the selector is not polled."""

    def run_forever(self):
        if self._stopping:
            self._stopping = False
            ready = list(self._ready)
            self._ready.clear()
            for handle in ready:
                if not handle._cancelled:
                    handle._run()
            return
        super().run_forever()


@breaks("running.stop.current_batch_completes", "model.running.trace")
class DropsBatchOnStopLoop(asyncio.SelectorEventLoop):
    """stop() from a callback discards the rest of the current batch."""

    def stop(self):
        super().stop()
        if self.is_running():
            for handle in self._ready:
                handle.cancel()


@breaks("running.stop.scheduled_by_batch_deferred", "model.running.trace")
class RunsScheduledOnStopLoop(asyncio.SelectorEventLoop):
    """stop() from a callback takes effect one batch late (runs callbacks the batch scheduled)."""

    def stop(self):
        if self.is_running():
            self.call_soon(super().stop)
        else:
            super().stop()


@breaks("running.stop.scheduled_by_batch_deferred", "model.running.trace")
class LostDeferredLoop(asyncio.SelectorEventLoop):
    """After stop() ends run_forever, callbacks scheduled by the last batch are dropped."""

    def run_forever(self):
        super().run_forever()
        self._ready.clear()


@breaks("running.stop.resets_after_exit")
class StickyStopLoop(asyncio.SelectorEventLoop):
    """A stop() issued before run_forever() also ends the following run_forever()."""

    _sticky = False

    def stop(self):
        if not self.is_running():
            self._sticky = True
        super().stop()

    def run_forever(self):
        if self._sticky:
            self.call_soon(super().stop)
        super().run_forever()


@breaks("running.run_until_complete.raises[coroutine]", "running.run_until_complete.raises[future]")
class SwallowsExceptionLoop(asyncio.SelectorEventLoop):
    """run_until_complete returns None instead of raising the Future's exception."""

    def run_until_complete(self, future):
        try:
            return super().run_until_complete(future)
        except Exception:
            return None


@breaks("running.run_until_complete.coroutine", "running.run_until_complete.future", "running.run_until_complete.task")
class WrongResultLoop(asyncio.SelectorEventLoop):
    """run_until_complete returns the Future object instead of its result."""

    def run_until_complete(self, future):
        future = asyncio.ensure_future(future, loop=self)
        super().run_until_complete(future)
        return future


@breaks("running.run_until_complete.coroutine_uses_task_factory")
class BareCoroutineLoop(asyncio.SelectorEventLoop):
    """run_until_complete wraps a coroutine in a Task created directly, bypassing create_task."""

    def run_until_complete(self, future):
        if asyncio.iscoroutine(future):
            future = asyncio.Task(future, loop=self)
        return super().run_until_complete(future)


@breaks("running.run_until_complete.returns_when_done")
class LingeringLoop(asyncio.SelectorEventLoop):
    """run_until_complete keeps running until no timer is pending (up to 2s)."""

    def run_until_complete(self, future):
        result = super().run_until_complete(future)
        deadline = self.time() + 2.0
        while self._scheduled and self.time() < deadline:
            super().run_until_complete(asyncio.sleep(0.05))
        return result


@breaks("running.is_running.status")
class StickyRunningLoop(asyncio.SelectorEventLoop):
    """is_running() stays True after the loop stopped."""

    _ran = False

    def run_forever(self):
        self._ran = True
        super().run_forever()

    def is_running(self):
        return self._ran or super().is_running()


@breaks("running.is_closed.status")
class ClosedTooEarlyLoop(asyncio.SelectorEventLoop):
    """is_closed() reports True for a loop that has been run once."""

    _ran = False

    def run_forever(self):
        super().run_forever()
        self._ran = True

    def is_closed(self):
        return self._ran or super().is_closed()


@breaks("running.close.while_running_raises")
class ClosesWhileRunningLoop(asyncio.SelectorEventLoop):
    """close() on a running loop returns silently instead of raising RuntimeError."""

    def close(self):
        if self.is_running():
            return
        super().close()


@breaks("running.close.drops_pending")
class FlushOnCloseLoop(asyncio.SelectorEventLoop):
    """close() runs the ready callbacks before closing."""

    def close(self):
        while self._ready:
            handle = self._ready.popleft()
            if not handle._cancelled:
                handle._run()
        super().close()


@breaks("running.close.clears_queues")
class KeepsQueuesLoop(asyncio.SelectorEventLoop):
    """close() keeps references to the pending callbacks."""

    def close(self):
        self._kept = list(self._ready) + list(self._scheduled)
        super().close()


@breaks("running.close.idempotent")
class CloseTwiceFailsLoop(asyncio.SelectorEventLoop):
    """A second close() raises."""

    def close(self):
        if self.is_closed():
            raise RuntimeError("already closed")
        super().close()


@breaks("running.close.irreversible")
class ReopensLoop(asyncio.SelectorEventLoop):
    """call_soon() on a closed loop reopens it."""

    def call_soon(self, callback, *args, context=None):
        self._closed = False
        return super().call_soon(callback, *args, context=context)


@breaks("running.close.methods_after_close_raise[call_soon]")
class LenientClosedLoop(asyncio.SelectorEventLoop):
    """call_soon() on a closed loop returns a handle instead of raising RuntimeError."""

    def call_soon(self, callback, *args, context=None):
        if self.is_closed():
            return asyncio.Handle(callback, args, self, context)
        return super().call_soon(callback, *args, context=context)


@breaks("running.close.executor_not_waited")
class WaitsForExecutorLoop(asyncio.SelectorEventLoop):
    """close() waits for the default executor's jobs to finish."""

    def close(self):
        executor = self._default_executor
        super().close()
        if executor is not None:
            executor.shutdown(wait=True)


@breaks("running.shutdown_asyncgens.acloses_open")
class NoAsyncgenShutdownLoop(asyncio.SelectorEventLoop):
    """shutdown_asyncgens() does nothing."""

    async def shutdown_asyncgens(self):
        return None


@breaks("running.shutdown_asyncgens.warns_after")
class NoAsyncgenWarningLoop(asyncio.SelectorEventLoop):
    """After shutdown_asyncgens(), new asynchronous generators are accepted silently."""

    def _asyncgen_firstiter_hook(self, agen):
        if not self._asyncgens_shutdown_called:
            self._asyncgens.add(agen)


@breaks("running.run_forever.reentrant_raises[run_forever]", "running.run_forever.reentrant_raises[run_until_complete]")
class NestedRunLoop(asyncio.SelectorEventLoop):
    """run_forever() / run_until_complete() inside a running loop return silently instead of
    raising RuntimeError."""

    def run_forever(self):
        if self.is_running():
            return None
        super().run_forever()

    def run_until_complete(self, future):
        if self.is_running():
            return None
        return super().run_until_complete(future)


@breaks("running.run_until_complete.coroutine_as_task")
class TasklessCoroutineLoop(asyncio.SelectorEventLoop):
    """run_until_complete drives a coroutine argument by hand instead of wrapping it in a Task."""

    def run_until_complete(self, future):
        if asyncio.iscoroutine(future):
            coro, result = future, self.create_future()

            def step(value=None):
                try:
                    yielded = coro.send(value)
                except StopIteration as stop:
                    result.set_result(stop.value)
                except BaseException as exc:
                    result.set_exception(exc)
                else:
                    yielded._asyncio_future_blocking = False
                    yielded.add_done_callback(lambda f: step(f.result()))

            self.call_soon(step)
            future = result
        return super().run_until_complete(future)


@breaks("running.close.releases_resources", keeps=["running.close.idempotent", "running.is_closed.status"])
class FdsUntilCollectedLoop(asyncio.SelectorEventLoop):
    """close() keeps one fd (a dup of its selector's) open until the loop object is collected."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self._held_fd = os.dup(self._selector.fileno())

    def __del__(self):
        fd, self._held_fd = getattr(self, "_held_fd", -1), -1
        if fd >= 0:
            os.close(fd)
        super().__del__()


@breaks(
    "running.stop.deferred_run_by_run_until_complete",
    python=">=3.8",
    keeps=[
        "running.stop.scheduled_by_batch_deferred",
        "running.run_until_complete.coroutine",
        "running.run_until_complete.result_identity",
    ],
)
class DeferredDroppedByRunUntilCompleteLoop(asyncio.SelectorEventLoop):
    """Callbacks left over by stop() run at the next run_forever(), but run_until_complete()
    discards them before it starts."""

    _left_over = ()

    def run_forever(self):
        try:
            super().run_forever()
        finally:
            self._left_over = list(self._ready)

    def run_until_complete(self, future):
        for handle in self._left_over:
            handle.cancel()
        self._left_over = ()
        return super().run_until_complete(future)
