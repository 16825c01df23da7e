"""Broken loops for the lifecycle and timers-under-load models (19.5.1.1, 19.5.1.3).

Each breaks exactly one guarantee.
"""

import asyncio

from tests.broken import breaks


@breaks("model.lifecycle.state_machine")
class ReversibleCloseLoop(asyncio.SelectorEventLoop):
    """run_forever() on a closed loop undoes the close: is_closed() is False again."""

    _reopened = False

    def run_forever(self):
        if self.is_closed():
            self._closed = False  # broken: closing is not irreversible
            self._reopened = True
            return None
        return super().run_forever()

    def close(self):
        if self._reopened:  # resources were already released by the first close
            self._closed = True
            return
        super().close()


# The model check's derandomized examples depend on its source, so whether they reach this case
# can change with an edit; the deterministic check owns the clause (close drops pending callbacks).
@breaks("running.close.drops_pending")
class CloseRunsPendingLoop(asyncio.SelectorEventLoop):
    """close() runs the callbacks still pending instead of dropping them."""

    def close(self):
        if not self.is_closed() and not self.is_running():
            while self._ready:  # broken: pending callbacks run at close
                handle = self._ready.popleft()
                if not handle._cancelled:
                    handle._run()
        super().close()


@breaks("model.lifecycle.state_machine")
class CloseTwiceRaisesLoop(asyncio.SelectorEventLoop):
    """A second close() raises instead of doing nothing."""

    def close(self):
        if self.is_closed():
            raise RuntimeError("loop already closed")  # broken: close is not idempotent
        super().close()


@breaks("model.delayed.timers_under_load")
class TimerEarlyUnderLoadLoop(asyncio.SelectorEventLoop):
    """call_later fires 2 ms early while more than 50 timers are pending."""

    def call_later(self, delay, callback, *args, context=None):
        if len(self._scheduled) > 50:
            delay -= 0.002  # broken: early under load
        return super().call_later(delay, callback, *args, context=context)


class _StubbornTimer(asyncio.TimerHandle):
    __slots__ = ()

    def cancel(self):
        if getattr(self._loop, "_in_timer_callback", False):
            return  # broken: a cancel made from inside a timer callback is ignored
        super().cancel()


@breaks("model.delayed.timers_under_load")
class CancelIgnoredUnderLoadLoop(asyncio.SelectorEventLoop):
    """Timers cancelled from inside another timer's callback still fire."""

    _in_timer_callback = False

    def call_at(self, when, callback, *args, context=None):
        def timer_callback(*cb_args):
            self._in_timer_callback = True
            try:
                return callback(*cb_args)
            finally:
                self._in_timer_callback = False

        handle = super().call_at(when, timer_callback, *args, context=context)
        handle.__class__ = _StubbornTimer
        return handle
