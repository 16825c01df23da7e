"""Broken loops for 19.5.1.3 (delayed calls): each breaks exactly one guarantee."""

import asyncio
import contextvars
import heapq
import itertools
import selectors
import time

from tests.broken import breaks


@breaks("delayed.call_later.not_early", "delayed.call_at.not_early", "model.delayed.trace")
class EarlyTimerLoop(asyncio.SelectorEventLoop):
    """Timers due within the next 20 ms fire together with the first due one (early)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clock_resolution = 0.02


@breaks("delayed.call_later.real_time_not_early", "delayed.call_at.real_time_not_early")
class FastClockLoop(asyncio.SelectorEventLoop):
    """The loop's clock runs twice as fast as real time."""

    def time(self):
        return 2 * time.monotonic()


@breaks("delayed.call_later.exactly_once", "delayed.call_at.exactly_once")
class TwiceTimerLoop(asyncio.SelectorEventLoop):
    """Every timer callback fires twice."""

    def call_at(self, when, callback, *args, context=None):
        super().call_at(when, callback, *args, context=context)
        return super().call_at(when, callback, *args, context=context)


@breaks("delayed.call_later.returns_timerhandle", "delayed.call_at.returns_timerhandle")
class NoTimerHandleLoop(asyncio.SelectorEventLoop):
    """call_later / call_at return a plain Handle instead of a TimerHandle."""

    def call_at(self, when, callback, *args, context=None):
        super().call_at(when, callback, *args, context=context)
        return asyncio.Handle(callback, args, self, context)


class _SeqTimerHandle(asyncio.TimerHandle):
    __slots__ = ("seq",)
    _counter = itertools.count()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seq = next(self._counter)

    def __lt__(self, other):
        return self.seq < other.seq

    def __le__(self, other):
        return self.seq <= other.seq

    def __gt__(self, other):
        return self.seq > other.seq

    def __ge__(self, other):
        return self.seq >= other.seq


@breaks("delayed.call_later.deadline_order", "delayed.call_at.deadline_order", "model.delayed.trace")
class RegistrationOrderTimersLoop(asyncio.SelectorEventLoop):
    """Timers run in registration order (a FIFO, not a deadline heap): never early, but a
    timer registered later with an earlier deadline waits for the ones before it."""

    def call_at(self, when, callback, *args, context=None):
        self._check_closed()
        timer = _SeqTimerHandle(when, callback, args, self, context)
        heapq.heappush(self._scheduled, timer)
        timer._scheduled = True
        return timer


@breaks("delayed.call_later.cancel", "delayed.call_at.cancel")
class DetachedTimerHandleLoop(asyncio.SelectorEventLoop):
    """The returned TimerHandle is a copy: cancelling it does not cancel the timer."""

    def call_at(self, when, callback, *args, context=None):
        super().call_at(when, callback, *args, context=context)
        return asyncio.TimerHandle(when, callback, args, self, context)


@breaks("delayed.call_later.args", "delayed.call_at.args")
class TimerDropsArgsLoop(asyncio.SelectorEventLoop):
    """Timer callbacks are called without their positional arguments."""

    def call_at(self, when, callback, *args, context=None):
        return super().call_at(when, callback, context=context)


@breaks("delayed.call_later.context", "delayed.call_at.context")
class TimerContextIgnoredLoop(asyncio.SelectorEventLoop):
    """call_later / call_at ignore the context argument."""

    def call_at(self, when, callback, *args, context=None):
        return super().call_at(when, callback, *args)


@breaks("delayed.call_later.current_context", "delayed.call_at.current_context")
class TimerSharedContextLoop(asyncio.SelectorEventLoop):
    """Timers without context= run in one context captured when the loop was created."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._loop_context = contextvars.copy_context()

    def call_at(self, when, callback, *args, context=None):
        return super().call_at(when, callback, *args, context=context or self._loop_context)


@breaks("delayed.call_later.int_and_float", "delayed.call_at.int_and_float")
class IntRejectedLoop(asyncio.SelectorEventLoop):
    """call_later / call_at reject int values."""

    def call_later(self, delay, callback, *args, context=None):
        if isinstance(delay, int):
            raise TypeError("delay must be a float")
        return super().call_later(delay, callback, *args, context=context)

    def call_at(self, when, callback, *args, context=None):
        if isinstance(when, int):
            raise TypeError("when must be a float")
        return super().call_at(when, callback, *args, context=context)


@breaks(
    "delayed.call_later.zero_delay",
    "delayed.call_later.past_deadline",
    "delayed.call_at.zero_delay",
    "delayed.call_at.past_deadline",
)
class DueTimersDroppedLoop(asyncio.SelectorEventLoop):
    """A timer that is already due when scheduled is silently dropped."""

    def call_at(self, when, callback, *args, context=None):
        if when <= self.time():
            return asyncio.TimerHandle(when, callback, args, self, context)
        return super().call_at(when, callback, *args, context=context)


@breaks("delayed.call_later.due_after_ready", "delayed.call_at.due_after_ready")
class DueTimerFirstLoop(asyncio.SelectorEventLoop):
    """A timer that is already due jumps ahead of the queued call_soon callbacks."""

    def call_at(self, when, callback, *args, context=None):
        if when <= self.time():
            self._check_closed()
            handle = asyncio.TimerHandle(when, callback, args, self, context)
            self._ready.appendleft(handle)
            return handle
        return super().call_at(when, callback, *args, context=context)


@breaks("delayed.call_later.when")
class LateWhenLoop(asyncio.SelectorEventLoop):
    """call_later schedules 5 ms later than asked (never early, but the deadline is wrong)."""

    def call_later(self, delay, callback, *args, context=None):
        return self.call_at(self.time() + delay + 0.005, callback, *args, context=context)


@breaks("delayed.call_at.when")
class RoundedWhenLoop(asyncio.SelectorEventLoop):
    """call_at rounds the deadline up to the next millisecond."""

    def call_at(self, when, callback, *args, context=None):
        return super().call_at(int(when * 1000 + 1) / 1000, callback, *args, context=context)


@breaks("delayed.time.float")
class IntClockLoop(asyncio.SelectorEventLoop):
    """time() returns an int (nanoseconds)."""

    def time(self):
        return time.monotonic_ns()


@breaks("delayed.time.monotonic")
class BackwardsClockLoop(asyncio.SelectorEventLoop):
    """time() steps back by 1 ms on every other reading."""

    _flip = False

    def time(self):
        self._flip = not self._flip
        return super().time() - (0.001 if self._flip else 0.0)


@breaks("delayed.time.advances")
class SlowClockLoop(asyncio.SelectorEventLoop):
    """time() runs at a tenth of real time (timers fire late; the clock is not real time)."""

    def time(self):
        return time.monotonic() / 10


@breaks("delayed.time.not_wall_clock")
class WallClockLoop(asyncio.SelectorEventLoop):
    """time() is the wall clock."""

    def time(self):
        return time.time()


@breaks(
    "delayed.call_later.due_deadline_order",
    "delayed.call_at.due_deadline_order",
    keeps=[
        "delayed.call_later.deadline_order",
        "delayed.call_at.deadline_order",
        "delayed.call_later.returns_timerhandle",
        "delayed.call_at.returns_timerhandle",
    ],
)
class DueZeroJumpsQueueLoop(asyncio.SelectorEventLoop):
    """call_later/call_at with a deadline already reached put the TimerHandle straight on the
    ready queue, overtaking due timers still waiting in the heap."""

    def call_at(self, when, callback, *args, context=None):
        handle = super().call_at(when, callback, *args, context=context)
        if when <= self.time():
            handle._scheduled = False
            self._scheduled.remove(handle)
            heapq.heapify(self._scheduled)
            self._ready.append(handle)
        return handle


@breaks(
    "delayed.call_later.returns_timerhandle",
    "delayed.call_later.due_deadline_order",
    keeps=[
        "delayed.call_at.returns_timerhandle",
        "delayed.call_at.due_deadline_order",
        "delayed.call_later.zero_delay",
        "delayed.call_later.exactly_once",
    ],
)
class ZeroDelayViaCallSoonLoop(asyncio.SelectorEventLoop):
    """call_later(0) is short-cut to call_soon: the callback runs, but the result is a plain
    Handle and it joins the ready queue ahead of timers already due."""

    def call_later(self, delay, callback, *args, context=None):
        if delay <= 0:
            return self.call_soon(callback, *args, context=context)
        return super().call_later(delay, callback, *args, context=context)


@breaks(
    "delayed.call_later.longer_than_a_day",
    "delayed.call_at.longer_than_a_day",
    python=">=3.8",
    keeps=["delayed.call_later.when", "delayed.call_at.when"],
)
class OneDayClampLoop(asyncio.SelectorEventLoop):
    """Deadlines are clamped to one day ahead (the 3.7 docs' limit kept as a hard cap)."""

    def call_at(self, when, callback, *args, context=None):
        return super().call_at(min(when, self.time() + 86400), callback, *args, context=context)


class _DayLimitSelector(selectors.DefaultSelector):
    def select(self, timeout=None):
        if timeout is not None and timeout > 86400 * 1.25:
            raise OverflowError(f"timeout {timeout} too large")
        return super().select(timeout)


@breaks(
    "delayed.call_later.longer_than_a_day",
    "delayed.call_at.longer_than_a_day",
    python=">=3.8",
    keeps=["delayed.call_later.when", "delayed.call_at.when", "delayed.call_later.not_early"],
)
class UncappedPollTimeoutLoop(asyncio.SelectorEventLoop):
    """The I/O wait is given the full time to the next timer, and the selector refuses
    timeouts over a day: a loop with only a far-off timer pending crashes in its poll."""

    def __init__(self):
        super().__init__(selector=_DayLimitSelector())

    def _run_once(self):
        saved = asyncio.base_events.MAXIMUM_SELECT_TIMEOUT
        asyncio.base_events.MAXIMUM_SELECT_TIMEOUT = float("inf")
        try:
            super()._run_once()
        finally:
            asyncio.base_events.MAXIMUM_SELECT_TIMEOUT = saved


@breaks(
    "delayed.call_later.stop_defers_scheduled",
    "delayed.call_at.stop_defers_scheduled",
    "model.running.trace",
    keeps=[
        "running.stop.scheduled_by_batch_deferred",
        "running.stop.current_batch_completes",
        "delayed.call_later.exactly_once",
        "delayed.call_later.deadline_order",
    ],
)
class TimerPhaseLoop(asyncio.SelectorEventLoop):
    """Timer callbacks run in a phase of their own, and what they queue with call_soon runs in the
    same loop iteration, even after a stop() (the uvloop 0.23 behaviour): a stop() from a timer
    callback does not defer the callbacks that timer callbacks queued after it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._in_timer = False
        self._queued_by_timers = []

    def call_at(self, when, callback, *args, context=None):
        def timer_phase(*call_args):
            self._in_timer = True
            try:
                callback(*call_args)
            finally:
                self._in_timer = False

        return super().call_at(when, timer_phase, *args, context=context)

    def call_soon(self, callback, *args, context=None):
        handle = super().call_soon(callback, *args, context=context)
        if self._in_timer:
            self._queued_by_timers.append(handle)
        return handle

    def _run_once(self):
        super()._run_once()
        queued, self._queued_by_timers = self._queued_by_timers, []
        if not self._stopping:
            return  # they run in the next iteration: indistinguishable from the same one
        for handle in queued:
            if handle in self._ready:
                self._ready.remove(handle)
                if not handle.cancelled():
                    handle._run()
