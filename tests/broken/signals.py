"""Broken loops for 19.5.1.14 (UNIX signals): one guarantee broken each.

All of them still install a real Python-level handler whenever they accept a signal, so the
checks can send signals to the worker safely.
"""

import asyncio
import signal
import threading

from tests.broken import breaks


@breaks(
    "signals.add_signal_handler.invalid_signal[0]",
    "signals.add_signal_handler.invalid_signal[10000]",
    "signals.add_signal_handler.invalid_signal[NSIG]",
)
class InvalidSignalRuntimeErrorLoop(asyncio.SelectorEventLoop):
    """Invalid signal numbers raise RuntimeError instead of ValueError."""

    def add_signal_handler(self, sig, callback, *args):
        try:
            return super().add_signal_handler(sig, callback, *args)
        except ValueError as exc:
            raise RuntimeError(str(exc)) from None


@breaks("signals.add_signal_handler.uncatchable[SIGKILL]", "signals.add_signal_handler.uncatchable[SIGSTOP]")
class AcceptsUncatchableLoop(asyncio.SelectorEventLoop):
    """Uncatchable signals are silently "accepted" (registered, nothing installed)."""

    def add_signal_handler(self, sig, callback, *args):
        if sig in (signal.SIGKILL, signal.SIGSTOP):
            self._signal_handlers[sig] = asyncio.Handle(callback, args, self, None)
            return None
        return super().add_signal_handler(sig, callback, *args)

    def remove_signal_handler(self, sig):
        if sig in (signal.SIGKILL, signal.SIGSTOP):
            return self._signal_handlers.pop(sig, None) is not None
        return super().remove_signal_handler(sig)


@breaks("signals.add_signal_handler.off_main_thread")
class OffMainThreadSilentLoop(asyncio.SelectorEventLoop):
    """Off the main thread, add_signal_handler pretends to succeed."""

    def add_signal_handler(self, sig, callback, *args):
        if threading.current_thread() is not threading.main_thread():
            return None
        return super().add_signal_handler(sig, callback, *args)


@breaks("signals.remove_signal_handler.returns_true", "signals.remove_signal_handler.returns_false")
class RemoveReturnsNoneLoop(asyncio.SelectorEventLoop):
    """remove_signal_handler returns None instead of True/False."""

    def remove_signal_handler(self, sig):
        super().remove_signal_handler(sig)
        return None


@breaks("signals.remove_signal_handler.returns_false")
class RemoveAlwaysTrueLoop(asyncio.SelectorEventLoop):
    """remove_signal_handler returns True even when nothing was removed."""

    def remove_signal_handler(self, sig):
        super().remove_signal_handler(sig)
        return True


@breaks(
    "signals.remove_signal_handler.restores_default[SIGUSR1]", "signals.remove_signal_handler.restores_default[SIGUSR2]"
)
class RemoveIgnoresLoop(asyncio.SelectorEventLoop):
    """After removal the signal is left ignored (SIG_IGN), not at its default."""

    def remove_signal_handler(self, sig):
        removed = super().remove_signal_handler(sig)
        if removed and sig != signal.SIGINT:
            signal.signal(sig, signal.SIG_IGN)
        return removed


@breaks("signals.remove_signal_handler.restores_sigint")
class SigintNotRestoredLoop(asyncio.SelectorEventLoop):
    """After removing a SIGINT handler, SIGINT is left at SIG_DFL instead of default_int_handler."""

    def remove_signal_handler(self, sig):
        removed = super().remove_signal_handler(sig)
        if removed and sig == signal.SIGINT:
            signal.signal(sig, signal.SIG_DFL)
        return removed


@breaks("signals.add_signal_handler.replaces")
class KeepsFirstHandlerLoop(asyncio.SelectorEventLoop):
    """Re-adding a handler for a signal keeps the first one."""

    def add_signal_handler(self, sig, callback, *args):
        if sig in self._signal_handlers:
            return None
        return super().add_signal_handler(sig, callback, *args)


@breaks("signals.add_signal_handler.runs_callback")
class DropsArgsLoop(asyncio.SelectorEventLoop):
    """The signal callback is called without its arguments."""

    def add_signal_handler(self, sig, callback, *args):
        return super().add_signal_handler(sig, lambda: callback())


@breaks("signals.add_signal_handler.independent_signals")
class OneHandlerForAllLoop(asyncio.SelectorEventLoop):
    """Every signal runs the most recently added callback."""

    def add_signal_handler(self, sig, callback, *args):
        super().add_signal_handler(sig, callback, *args)
        for other in self._signal_handlers:
            self._signal_handlers[other] = asyncio.Handle(callback, args, self, None)


@breaks("signals.add_signal_handler.wakes_selector")
class NoWakeupLoop(asyncio.SelectorEventLoop):
    """No wakeup fd: a signal is only noticed when the selector wakes up for another reason."""

    def add_signal_handler(self, sig, callback, *args):
        super().add_signal_handler(sig, callback, *args)
        signal.set_wakeup_fd(-1)


@breaks("signals.close.removes_handlers")
class CloseKeepsHandlersLoop(asyncio.SelectorEventLoop):
    """close() forgets the signal handlers without uninstalling them."""

    def close(self):
        self._signal_handlers.clear()
        super().close()


@breaks("signals.add_signal_handler.callback_error_to_handler")
class ErrorRemovesHandlerLoop(asyncio.SelectorEventLoop):
    """A signal callback that raises is silently dropped together with its handler."""

    def add_signal_handler(self, sig, callback, *args):
        def guarded():
            try:
                callback(*args)
            except Exception:
                self.remove_signal_handler(sig)

        return super().add_signal_handler(sig, guarded)
