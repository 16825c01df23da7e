"""Signal helpers for 19.5.1.14 checks: never leave a disposition changed, never kill ourselves.

The checks run inside a pytest(-xdist) worker: a SIGUSR1 delivered while its disposition is
SIG_DFL would terminate the worker, so :func:`send_to_self` refuses unless a handler is installed
(at the Python level, or at the C level as the OS reports it: see :func:`installed`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading

from loopconf.evidence import Violation

WATCHED = ("SIGUSR1", "SIGUSR2", "SIGINT", "SIGTERM", "SIGHUP")


def default_disposition(signum: int):
    """What CPython restores after removal: default_int_handler for SIGINT, else SIG_DFL."""
    return signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL


@contextlib.contextmanager
def preserved_dispositions():
    """Restore the dispositions of the signals checks use, and the wakeup fd, afterwards.

    Enter only in the main thread (see :func:`require_main_thread`).
    """
    saved = {}
    wakeup = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(wakeup)
    for name in WATCHED:
        num = getattr(signal, name, None)
        if num is not None:
            saved[num] = signal.getsignal(num)
    try:
        yield
    finally:
        for num, handler in saved.items():
            if handler is not None and signal.getsignal(num) is not handler:
                signal.signal(num, handler)
        # a loop that forgot its handlers may leave its (closed) self-pipe as the wakeup fd
        signal.set_wakeup_fd(wakeup)


def require_main_thread():
    """Signal dispositions can only be changed from the main thread: refuse to run otherwise."""
    if threading.current_thread() is not threading.main_thread():
        import pytest

        pytest.skip("the check must run in the worker's main thread to set signal handlers")


def python_handler(signum: int) -> bool:
    """True if signal.getsignal shows a Python-level handler for ``signum``."""
    return signal.getsignal(signum) not in (signal.SIG_DFL, signal.SIG_IGN, None)


def caught_by_os(signum: int) -> bool | None:
    """Whether the OS has a handler for ``signum`` (any level), or None where unknown.

    On Linux the kernel lists the caught signals of the process in the ``SigCgt`` line of
    /proc/self/status (a hex mask, bit ``signum - 1``). This also sees handlers installed in C
    (e.g. by GLib's sigaction, as gbulb does), which signal.getsignal() cannot see.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("SigCgt:"):
                    return bool((int(line.split()[1], 16) >> (signum - 1)) & 1)
    except (OSError, ValueError, IndexError):
        return None
    return None


def installed(signum: int) -> bool:
    """True if delivering ``signum`` to this process would not take the default action.

    Either view suffices: a Python-level handler (signal.getsignal) or, on Linux, the kernel's
    caught-signals mask (handlers installed at the C level). Elsewhere only getsignal is used.
    """
    return python_handler(signum) or bool(caught_by_os(signum))


def send_to_self(signum: int) -> None:
    """os.kill(getpid(), signum), but only while a handler is installed (else: a Violation)."""
    if not installed(signum):
        raise Violation(
            f"no handler installed for signal {signum} after add_signal_handler; not sending it",
            expected="a handler (Python-level, or caught per /proc/self/status SigCgt on Linux)",
            observed=f"getsignal: {signal.getsignal(signum)!r}; caught by the OS: {caught_by_os(signum)}",
        )
    os.kill(os.getpid(), signum)
