"""Reference loop: 19.5.1.14 UNIX signals.

The Python-level handler installed for a watched signal does nothing; the signal number reaches
the loop through ``signal.set_wakeup_fd`` (the self-pipe), and the loop queues the registered
Handle like any other callback, so the user callback runs in the loop, not in the handler.
"""

from __future__ import annotations

import errno
import inspect
import logging
import signal
import sys
import warnings

from .handles import Handle

logger = logging.getLogger("asyncio")


def _noop_handler(signum, frame):
    """Python-level handler of watched signals: the wakeup fd does the work."""


def _uncatchable():
    return {getattr(signal, name) for name in ("SIGKILL", "SIGSTOP") if hasattr(signal, name)}


class SignalsMixin:
    """add_signal_handler / remove_signal_handler."""

    def _init_signals(self):
        self._signal_handlers = {}

    def _check_signal(self, sig):
        """ValueError unless ``sig`` is a valid signal number (19.5.1.14)."""
        if not isinstance(sig, int):
            raise TypeError(f"sig must be an int, not {sig!r}")
        if sig not in signal.valid_signals():
            raise ValueError(f"invalid signal number {sig}")

    def add_signal_handler(self, sig, callback, *args):
        """19.5.1.14 add_signal_handler: run ``callback(*args)`` in the loop when ``sig`` arrives.

        ValueError for an invalid or uncatchable signal; RuntimeError when the handler cannot
        be set up (e.g. not in the main thread).
        """
        if inspect.iscoroutine(callback) or inspect.iscoroutinefunction(callback):
            raise TypeError("coroutines cannot be used with add_signal_handler()")
        self._check_signal(sig)
        if sig in _uncatchable():
            raise ValueError(f"signal {sig} cannot be caught")
        self._check_closed()
        try:
            # Only the main thread may do this; it raises ValueError elsewhere.
            signal.set_wakeup_fd(self._csock.fileno())
        except (ValueError, OSError) as exc:
            raise RuntimeError(str(exc)) from None

        handle = Handle(callback, args, self, None)
        self._signal_handlers[sig] = handle
        try:
            signal.signal(sig, _noop_handler)
        except OSError as exc:
            del self._signal_handlers[sig]
            if not self._signal_handlers:
                self._clear_wakeup_fd()
            if exc.errno == errno.EINVAL:
                raise RuntimeError(f"sig {sig:d} cannot be caught") from None
            raise RuntimeError(str(exc)) from None
        except ValueError as exc:
            del self._signal_handlers[sig]
            if not self._signal_handlers:
                self._clear_wakeup_fd()
            raise RuntimeError(str(exc)) from None

    def remove_signal_handler(self, sig):
        """19.5.1.14 remove_signal_handler: True if a handler was removed, False if none was set.

        Restores the default disposition (SIGINT: Python's default_int_handler).
        """
        self._check_signal(sig)
        try:
            del self._signal_handlers[sig]
        except KeyError:
            return False
        default = signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL
        try:
            signal.signal(sig, default)
        except OSError as exc:
            if exc.errno == errno.EINVAL:
                raise RuntimeError(f"sig {sig:d} cannot be caught") from None
            raise
        except ValueError as exc:
            raise RuntimeError(str(exc)) from None
        if not self._signal_handlers:
            self._clear_wakeup_fd()
        return True

    def _clear_wakeup_fd(self):
        try:
            previous = signal.set_wakeup_fd(-1)
            if previous not in (-1, self._csock.fileno()):
                # Another owner had taken the wakeup fd over since: give it back.
                signal.set_wakeup_fd(previous)
        except (ValueError, OSError) as exc:
            logger.info("set_wakeup_fd(-1) failed: %s", exc)

    def _handle_signal(self, sig):
        """Called on the loop when the self-pipe delivers signal number ``sig``."""
        handle = self._signal_handlers.get(sig)
        if handle is None:
            return
        if handle._cancelled:
            self.remove_signal_handler(sig)
        else:
            self._ready.append(handle)

    def _close_signals(self):
        """At close: remove every handler this loop installed."""
        if not self._signal_handlers:
            return
        if sys.is_finalizing():
            warnings.warn(  # noqa: B028
                f"Closing the loop {self!r} on interpreter shutdown stage, skipping signal handler removal",
                ResourceWarning,
                source=self,
            )
            self._signal_handlers.clear()
            return
        for sig in list(self._signal_handlers):
            self.remove_signal_handler(sig)
