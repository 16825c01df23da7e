"""Reference loop: the scheduler (19.5.1.1 running, 19.5.1.2 calls, 19.5.1.3 delayed calls,
19.5.1.4 futures, 19.5.1.5 tasks).

State:
- ``_ready``: a deque of Handles to run, FIFO (19.5.1.2).
- ``_timers``: a heap of ``(when, seq, TimerHandle)`` tuples; ``seq`` keeps equal deadlines
  in scheduling order and keeps the comparison in C (no TimerHandle.__lt__ calls).
- ``_stopping``: set by stop(); checked after each iteration of run_forever (19.5.1.1).

One iteration (``_run_once``): poll the selector (zero timeout if callbacks are ready or a stop
is pending, else until the earliest timer), queue the I/O callbacks, move due timers to the
ready queue (a timer is due only when ``when <= time()``: never early), then run exactly the
callbacks that were ready at that point; callbacks they schedule wait for the next iteration.
"""

from __future__ import annotations

import asyncio
import collections
import heapq
import itertools
import logging
import sys
import threading
import time as _time_module
from asyncio import Future, Task, ensure_future, events, isfuture

from .debug import COROUTINE_ORIGIN_DEPTH
from .handles import Handle, TimerHandle

logger = logging.getLogger("asyncio")

_monotonic = _time_module.monotonic
_heappush = heapq.heappush
_heappop = heapq.heappop

# A poll never blocks longer than this (the spec advises timeouts of at most one day).
MAX_POLL_TIMEOUT = 24 * 3600
# Rebuild the timer heap when cancelled timers exceed this count and this fraction of it.
_MIN_CANCELLED_TO_PURGE = 100
_CANCELLED_FRACTION_TO_PURGE = 0.5


def _stop_when_done(future):
    """Done-callback of run_until_complete: stop the loop that runs ``future``."""
    if not future.cancelled():
        exc = future.exception()
        if isinstance(exc, (SystemExit, KeyboardInterrupt)):
            # The exception propagates out of run_forever by itself.
            return
    future.get_loop().stop()


def _set_task_name(task, name):
    """Name a task made by a custom factory, if it supports names."""
    if name is not None:
        try:
            set_name = task.set_name
        except AttributeError:
            return
        set_name(name)


class SchedulingMixin:
    """Ready queue, timers, the run loop, futures and tasks."""

    def _init_scheduling(self):
        self._ready = collections.deque()
        self._timers = []
        self._timer_seq = itertools.count()
        self._cancelled_timers = 0
        self._stopping = False
        self._closed = False
        self._thread_id = None
        self._task_factory = None

    # ------------------------------------------------------------------ 19.5.1.1 running

    def _check_closed(self):
        if self._closed:
            raise RuntimeError("Event loop is closed")

    def _check_running(self):
        if self._thread_id is not None:
            raise RuntimeError("This event loop is already running")
        if events._get_running_loop() is not None:
            raise RuntimeError("Cannot run the event loop while another loop is running")

    def run_forever(self):
        """19.5.1.1 run_forever: run iterations until stop() is called.

        A stop() issued before the call makes exactly one iteration (zero-timeout poll, run what
        is ready); a stop() during the run lets the current batch finish, then returns.
        """
        self._check_closed()
        self._check_running()
        self._thread_id = threading.get_ident()
        old_hooks = self._install_asyncgen_hooks()
        old_depth = sys.get_coroutine_origin_tracking_depth()
        if self._debug:
            sys.set_coroutine_origin_tracking_depth(COROUTINE_ORIGIN_DEPTH)
        events._set_running_loop(self)
        try:
            run_once = self._run_once
            while True:
                run_once()
                if self._stopping:
                    break
        finally:
            self._stopping = False
            self._thread_id = None
            events._set_running_loop(None)
            sys.set_coroutine_origin_tracking_depth(old_depth)
            sys.set_asyncgen_hooks(*old_hooks)

    def run_until_complete(self, future):
        """19.5.1.1 run_until_complete: run until ``future`` is done; return its result.

        A coroutine is wrapped with ensure_future(); the future's exception is raised; stopping
        the loop before the future completes raises RuntimeError.
        """
        self._check_closed()
        self._check_running()
        new_task = not isfuture(future)
        future = ensure_future(future, loop=self)
        if new_task:
            # The caller cannot see this task: do not warn if it stays pending.
            future._log_destroy_pending = False
        future.add_done_callback(_stop_when_done)
        try:
            self.run_forever()
        except BaseException:
            if new_task and future.done() and not future.cancelled():
                # The exception is being raised: mark it retrieved.
                future.exception()
            raise
        finally:
            future.remove_done_callback(_stop_when_done)
        if not future.done():
            raise RuntimeError("Event loop stopped before Future completed.")
        return future.result()

    def stop(self):
        """19.5.1.1 stop: make run_forever return after the current batch of callbacks."""
        self._stopping = True

    def is_running(self):
        """19.5.1.1 is_running: True while run_forever (or run_until_complete) runs."""
        return self._thread_id is not None

    def is_closed(self):
        """19.5.1.1 is_closed: True once close() was called."""
        return self._closed

    def close(self):
        """19.5.1.1 close: drop pending callbacks, release resources; idempotent, final.

        Refused while running. Removes signal handlers, shuts the default executor down without
        waiting, closes the self-pipe and the selector.
        """
        if self._thread_id is not None:
            raise RuntimeError("Cannot close a running event loop")
        if self._closed:
            return
        if self._debug:
            logger.debug("Close %r", self)
        self._close_signals()
        self._closed = True
        self._ready.clear()
        for _, _, timer in self._timers:
            timer._scheduled = False
        self._timers.clear()
        self._cancelled_timers = 0
        self._close_executor()
        self._close_self_pipe()
        self._close_selector()

    # ------------------------------------------------------------------ one iteration

    def _run_once(self):
        """Poll I/O, collect due timers, run the callbacks ready at this point."""
        ready = self._ready
        timers = self._timers

        while timers and timers[0][2]._cancelled:
            _heappop(timers)[2]._scheduled = False
            self._cancelled_timers -= 1

        if ready or self._stopping:
            timeout = 0
        elif timers:
            timeout = timers[0][0] - _monotonic()
            if timeout < 0:
                timeout = 0
            elif timeout > MAX_POLL_TIMEOUT:
                timeout = MAX_POLL_TIMEOUT
        else:
            timeout = None

        event_list = self._selector.select(timeout)
        if event_list:
            self._process_events(event_list)

        if timers:
            now = _monotonic()
            while timers and timers[0][0] <= now:
                timer = _heappop(timers)[2]
                timer._scheduled = False
                if timer._cancelled:
                    self._cancelled_timers -= 1
                else:
                    ready.append(timer)

        ntodo = len(ready)
        if self._debug:
            self._run_ready_debug(ntodo)
            return
        popleft = ready.popleft
        for _ in range(ntodo):
            handle = popleft()
            if handle._cancelled:
                continue
            try:
                handle._context.run(handle._callback, *handle._args)
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                self._callback_failed(handle, exc)

    def _callback_failed(self, handle, exc):
        """Report an exception raised by a callback to the exception handler (19.5.1.16)."""
        context = {
            "message": f"Exception in callback {handle._callback!r}",
            "exception": exc,
            "handle": handle,
        }
        if handle._source_traceback:
            context["source_traceback"] = handle._source_traceback
        self.call_exception_handler(context)

    # ------------------------------------------------------------------ 19.5.1.2 calls

    def call_soon(self, callback, *args, context=None):
        """19.5.1.2 call_soon: queue ``callback(*args)`` (FIFO) in ``context``; return a Handle."""
        if self._closed:
            raise RuntimeError("Event loop is closed")
        if self._debug:
            self._check_callback(callback, "call_soon")
            handle = asyncio.Handle(callback, args, self, context)
        else:
            handle = Handle(callback, args, self, context)
        self._ready.append(handle)
        return handle

    def call_soon_threadsafe(self, callback, *args, context=None):
        """19.5.1.2 call_soon_threadsafe: call_soon from any thread; wakes a blocked poll."""
        if self._closed:
            raise RuntimeError("Event loop is closed")
        if self._debug:
            self._check_callback(callback, "call_soon_threadsafe")
            handle = asyncio.Handle(callback, args, self, context)
        else:
            handle = Handle(callback, args, self, context)
        self._ready.append(handle)  # deque.append is atomic
        self._write_to_self()
        return handle

    # ------------------------------------------------------------------ 19.5.1.3 delayed calls

    def time(self):
        """19.5.1.3 time: the loop's clock (time.monotonic, seconds as a float)."""
        return _monotonic()

    def call_later(self, delay, callback, *args, context=None):
        """19.5.1.3 call_later: run ``callback(*args)`` after ``delay`` seconds; a TimerHandle."""
        if delay is None:
            raise TypeError("delay must not be None")
        return self.call_at(_monotonic() + delay, callback, *args, context=context)

    def call_at(self, when, callback, *args, context=None):
        """19.5.1.3 call_at: run ``callback(*args)`` once time() >= ``when``; a TimerHandle."""
        if when is None:
            raise TypeError("when cannot be None")
        if self._closed:
            raise RuntimeError("Event loop is closed")
        if self._debug:
            self._check_callback(callback, "call_at")
            timer = asyncio.TimerHandle(when, callback, args, self, context)
        else:
            timer = TimerHandle(when, callback, args, self, context)
        _heappush(self._timers, (when, next(self._timer_seq), timer))
        timer._scheduled = True
        return timer

    def _timer_handle_cancelled(self, handle):
        """Hook called by TimerHandle.cancel(): count it, purge the heap when it pays off."""
        if not handle._scheduled:
            return
        self._cancelled_timers += 1
        timers = self._timers
        if (
            self._cancelled_timers > _MIN_CANCELLED_TO_PURGE
            and self._cancelled_timers > _CANCELLED_FRACTION_TO_PURGE * len(timers)
        ):
            kept = []
            for entry in timers:
                if entry[2]._cancelled:
                    entry[2]._scheduled = False
                else:
                    kept.append(entry)
            heapq.heapify(kept)
            self._timers = kept
            self._cancelled_timers = 0

    # ------------------------------------------------------------------ 19.5.1.4 futures

    def create_future(self):
        """19.5.1.4 create_future: a new asyncio.Future attached to this loop."""
        return Future(loop=self)

    # ------------------------------------------------------------------ 19.5.1.5 tasks

    if sys.version_info >= (3, 14):

        def create_task(self, coro, **kwargs):
            """19.5.1.5 create_task: wrap ``coro`` in a Task (or the factory's object).

            As the 3.14 docs say: every keyword given (name, context, eager_start, ...) goes on
            unchanged, None values included, to the Task or to the custom factory, called as
            factory(loop, coro, **kwargs); eager_start is honoured by the Task itself.
            """
            self._check_closed()
            factory = self._task_factory
            if factory is None:
                return Task(coro, loop=self, **kwargs)
            return factory(self, coro, **kwargs)
    elif sys.version_info >= (3, 13, 4):

        def create_task(self, coro, *, name=None, context=None, **kwargs):
            """19.5.1.5 create_task: wrap ``coro`` in a Task (or the factory's object).

            As the 3.13.4+ docs say: extra keywords go on to the Task or the custom factory; a
            factory gets context= only when one is given and never name=, which is then applied
            with set_name() (when not None).
            """
            self._check_closed()
            factory = self._task_factory
            if factory is None:
                return Task(coro, loop=self, name=name, context=context, **kwargs)
            if context is not None:
                kwargs["context"] = context
            task = factory(self, coro, **kwargs)
            _set_task_name(task, name)
            return task
    elif sys.version_info >= (3, 13, 3):

        def create_task(self, coro, *, name=None, context=None, **kwargs):
            """19.5.1.5 create_task: wrap ``coro`` in a Task (or the factory's object).

            As CPython 3.13.3+ does, the given keywords (name, context, ...) go to the Task or
            to the custom factory, called as factory(loop, coro, **kwargs).
            """
            self._check_closed()
            if name is not None:
                kwargs["name"] = name
            if context is not None:
                kwargs["context"] = context
            factory = self._task_factory
            if factory is None:
                return Task(coro, loop=self, **kwargs)
            return factory(self, coro, **kwargs)
    elif sys.version_info >= (3, 11):

        def create_task(self, coro, *, name=None, context=None):
            """19.5.1.5 create_task: wrap ``coro`` in a Task (or the factory's object).

            A custom factory is called as factory(loop, coro), plus context= when one is given
            (as CPython 3.11+ does); ``name`` is then applied with set_name().
            """
            self._check_closed()
            factory = self._task_factory
            if factory is None:
                return Task(coro, loop=self, name=name, context=context)
            if context is None:
                task = factory(self, coro)
            else:
                task = factory(self, coro, context=context)
            _set_task_name(task, name)
            return task
    else:

        def create_task(self, coro, *, name=None):
            """19.5.1.5 create_task: wrap ``coro`` in a Task (or the factory's object).

            A custom factory is called as factory(loop, coro); ``name`` is then applied.
            """
            self._check_closed()
            factory = self._task_factory
            if factory is None:
                return Task(coro, loop=self, name=name)
            task = factory(self, coro)
            _set_task_name(task, name)
            return task

    def set_task_factory(self, factory):
        """19.5.1.5 set_task_factory: install ``factory`` for create_task; None restores the default."""
        if factory is not None and not callable(factory):
            raise TypeError("task factory must be a callable or None")
        self._task_factory = factory

    def get_task_factory(self):
        """19.5.1.5 get_task_factory: the installed factory, or None for the default."""
        return self._task_factory
