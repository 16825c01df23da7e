"""Reference loop: debug mode (the "Debug mode" part of the loop page, page.debug).

Off by default unless Python runs in development mode or PYTHONASYNCIODEBUG is set. When on:
callbacks are validated at registration (no coroutines, callable, right thread), handles record
where they were created, and callbacks running longer than ``slow_callback_duration`` seconds
are logged. The fast path of the scheduler checks the flag once per batch, nothing more.
"""

from __future__ import annotations

import inspect
import logging
import os
import sys
import threading
import time

logger = logging.getLogger("asyncio")

# Stack depth recorded for coroutine origins while debug mode is on.
COROUTINE_ORIGIN_DEPTH = 10


def debug_from_environment() -> bool:
    """Debug mode defaults to on in development mode or with PYTHONASYNCIODEBUG set."""
    return bool(sys.flags.dev_mode or (not sys.flags.ignore_environment and os.environ.get("PYTHONASYNCIODEBUG")))


class DebugMixin:
    """get_debug / set_debug, debug-mode callback checks and slow-callback logging."""

    #: Debug mode: callbacks slower than this many seconds are logged.
    slow_callback_duration = 0.1

    def _init_debug(self):
        self._debug = debug_from_environment()
        self._current_handle = None

    def get_debug(self):
        """Debug mode (page.debug): whether debug mode is enabled."""
        return self._debug

    def set_debug(self, enabled):
        """Debug mode (page.debug): enable or disable debug mode."""
        self._debug = bool(enabled)
        if self._thread_id is not None:
            sys.set_coroutine_origin_tracking_depth(COROUTINE_ORIGIN_DEPTH if self._debug else 0)

    def _check_callback(self, callback, method):
        """Debug-mode validation of a callback passed to ``method``."""
        if inspect.iscoroutine(callback) or inspect.iscoroutinefunction(callback):
            raise TypeError(f"coroutines cannot be used with {method}()")
        if not callable(callback):
            raise TypeError(f"a callable object was expected by {method}(), got {callback!r}")
        if (
            method != "call_soon_threadsafe"
            and self._thread_id is not None
            and self._thread_id != threading.get_ident()
        ):
            raise RuntimeError("Non-thread-safe operation invoked on an event loop other than the current one")

    def _run_ready_debug(self, ntodo):
        """Debug-mode variant of the scheduler's callback batch: tracks and times callbacks."""
        popleft = self._ready.popleft
        for _ in range(ntodo):
            handle = popleft()
            if handle._cancelled:
                continue
            self._current_handle = handle
            started = time.monotonic()
            try:
                handle._context.run(handle._callback, *handle._args)
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                self._callback_failed(handle, exc)
            finally:
                self._current_handle = None
            duration = time.monotonic() - started
            if duration >= self.slow_callback_duration:
                logger.warning("Executing %r took %.3f seconds", handle, duration)
