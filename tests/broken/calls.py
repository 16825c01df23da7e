"""Broken loops for 19.5.1.2 (calls)."""

import asyncio
import contextvars
import functools
import threading

from tests.broken import breaks


@breaks("calls.call_soon.fifo", "model.calls.trace")
class LifoCallSoonLoop(asyncio.SelectorEventLoop):
    """call_soon runs callbacks in reverse registration order (breaks FIFO)."""

    def call_soon(self, callback, *args, context=None):
        handle = super().call_soon(callback, *args, context=context)
        self._ready.remove(handle)
        self._ready.appendleft(handle)
        return handle


@breaks("calls.call_soon.fifo_while_running")
class FifoOnlyAtStartLoop(asyncio.SelectorEventLoop):
    """call_soon from a running callback jumps the queue (LIFO for callbacks made while running)."""

    def call_soon(self, callback, *args, context=None):
        handle = super().call_soon(callback, *args, context=context)
        if self.is_running():
            self._ready.remove(handle)
            self._ready.appendleft(handle)
        return handle


@breaks("calls.call_soon.exactly_once", "model.calls.trace")
class TwiceLoop(asyncio.SelectorEventLoop):
    """Every call_soon callback is queued twice."""

    def call_soon(self, callback, *args, context=None):
        handle = super().call_soon(callback, *args, context=context)
        self._ready.append(handle)
        return handle


@breaks("calls.call_soon.after_return", "model.calls.trace")
class SynchronousLoop(asyncio.SelectorEventLoop):
    """call_soon calls the callback before returning."""

    def call_soon(self, callback, *args, context=None):
        handle = asyncio.Handle(callback, args, self, context)
        handle._run()
        return handle


@breaks("calls.call_soon.args")
class DropsArgsLoop(asyncio.SelectorEventLoop):
    """call_soon drops all but the first positional argument."""

    def call_soon(self, callback, *args, context=None):
        return super().call_soon(callback, *args[:1], context=context)


@breaks("calls.call_soon.no_callback_keywords")
class KeywordsLoop(asyncio.SelectorEventLoop):
    """call_soon forwards keyword arguments to the callback."""

    def call_soon(self, callback, *args, context=None, **kwargs):
        if kwargs:
            callback = functools.partial(callback, **kwargs)
        return super().call_soon(callback, *args, context=context)


@breaks("calls.call_soon.returns_handle")
class NoHandleLoop(asyncio.SelectorEventLoop):
    """call_soon returns None instead of a Handle."""

    def call_soon(self, callback, *args, context=None):
        super().call_soon(callback, *args, context=context)
        return None


@breaks("calls.call_soon.cancel", "model.calls.trace")
class DetachedHandleLoop(asyncio.SelectorEventLoop):
    """call_soon returns a Handle unrelated to the queued one: cancelling it has no effect."""

    def call_soon(self, callback, *args, context=None):
        super().call_soon(callback, *args, context=context)
        return asyncio.Handle(callback, args, self, context)


class _RunningCancelIgnored(asyncio.Handle):
    def cancel(self):
        if self._loop.is_running():
            return  # cancelling from inside a running callback is ignored
        super().cancel()


@breaks("calls.call_soon.cancel_same_batch")
class CancelWhileRunningIgnoredLoop(asyncio.SelectorEventLoop):
    """A Handle cancelled from a running callback still runs (cancel only works from outside)."""

    def call_soon(self, callback, *args, context=None):
        self._check_closed()
        handle = _RunningCancelIgnored(callback, args, self, context)
        self._ready.append(handle)
        return handle


@breaks("calls.call_soon.context")
class ContextIgnoredLoop(asyncio.SelectorEventLoop):
    """call_soon ignores the context argument."""

    def call_soon(self, callback, *args, context=None):
        return super().call_soon(callback, *args)


@breaks("calls.call_soon.current_context")
class SharedContextLoop(asyncio.SelectorEventLoop):
    """Callbacks without context= run in one context captured when the loop was created."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._loop_context = contextvars.copy_context()

    def call_soon(self, callback, *args, context=None):
        return super().call_soon(callback, *args, context=context or self._loop_context)


@breaks("calls.call_soon_threadsafe.wakes_loop")
class NoWakeupLoop(asyncio.SelectorEventLoop):
    """call_soon_threadsafe does not wake up the selector."""

    def _write_to_self(self):
        pass


@breaks("calls.call_soon_threadsafe.fifo_per_thread", "model.calls.trace")
class LifoThreadsafeLoop(asyncio.SelectorEventLoop):
    """call_soon_threadsafe puts the callback at the front of the queue."""

    def call_soon_threadsafe(self, callback, *args, context=None):
        handle = super().call_soon_threadsafe(callback, *args, context=context)
        self._ready.remove(handle)
        self._ready.appendleft(handle)
        return handle


@breaks("calls.call_soon_threadsafe.args_and_context")
class ThreadsafeContextIgnoredLoop(asyncio.SelectorEventLoop):
    """call_soon_threadsafe ignores the context argument."""

    def call_soon_threadsafe(self, callback, *args, context=None):
        return super().call_soon_threadsafe(callback, *args)


@breaks("calls.call_soon_threadsafe.returns_handle")
class ThreadsafeNoHandleLoop(asyncio.SelectorEventLoop):
    """call_soon_threadsafe returns None."""

    def call_soon_threadsafe(self, callback, *args, context=None):
        super().call_soon_threadsafe(callback, *args, context=context)
        return None


class _RerunOnCancel(asyncio.Handle):
    __slots__ = ("ran",)

    def _run(self):
        self.ran = True
        super()._run()

    def cancel(self):
        if getattr(self, "ran", False) and not self._cancelled:
            self._loop._ready.append(asyncio.Handle(self._callback, self._args, self._loop, self._context))
        super().cancel()


@breaks("handle.cancel.no_effect_after_run")
class RerunAfterCancelLoop(asyncio.SelectorEventLoop):
    """Cancelling a Handle whose callback already ran queues the callback again."""

    def call_soon(self, callback, *args, context=None):
        self._check_closed()
        handle = _RerunOnCancel(callback, args, self, context)
        self._ready.append(handle)
        return handle


@breaks("handle.cancelled.reports")
class CancelledNotReportedLoop(asyncio.SelectorEventLoop):
    """call_soon returns a Handle whose cancelled() is always False."""

    class _Handle(asyncio.Handle):
        def cancelled(self):
            return False

    def call_soon(self, callback, *args, context=None):
        handle = self._Handle(callback, args, self, context)
        self._ready.append(handle)
        return handle


@breaks(
    "calls.call_soon_threadsafe.from_signal_handler",
    python=">=3.12",
    keeps=["calls.call_soon_threadsafe.wakes_loop", "calls.call_soon_threadsafe.returns_handle"],
)
class MainThreadNoWakeLoop(asyncio.SelectorEventLoop):
    """call_soon_threadsafe skips the wake-up when called in the loop's own thread (assuming the
    loop is busy running callbacks then), so a signal handler's call is left waiting."""

    def call_soon_threadsafe(self, callback, *args, context=None):
        if threading.current_thread() is threading.main_thread():
            return self.call_soon(callback, *args, context=context)
        return super().call_soon_threadsafe(callback, *args, context=context)


class _CopyContextHandle(asyncio.Handle):
    __slots__ = ()

    def get_context(self):
        return self._context.copy()


@breaks(
    "handle.get_context.returns_context",
    python=">=3.12",
    keeps=["calls.call_soon.context", "calls.call_soon.returns_handle"],
)
class HandleContextCopyLoop(asyncio.SelectorEventLoop):
    """call_soon handles report a copy of their context from get_context(), not the context itself."""

    def call_soon(self, callback, *args, context=None):
        self._check_closed()
        handle = _CopyContextHandle(callback, args, self, context)
        self._ready.append(handle)
        return handle
