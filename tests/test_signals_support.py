"""suites/_support/signals.py: deciding whether a signal is caught (FP-5: C-level handlers)."""

import ctypes
import signal
import sys

import pytest

from suites._support import signals

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/status SigCgt is Linux-only")


@linux_only
def test_python_handler_seen_by_both_views():
    old = signal.getsignal(signal.SIGUSR1)
    try:
        signal.signal(signal.SIGUSR1, signal.SIG_DFL)
        assert signals.caught_by_os(signal.SIGUSR1) is False
        assert not signals.python_handler(signal.SIGUSR1)
        assert not signals.installed(signal.SIGUSR1)
        signal.signal(signal.SIGUSR1, lambda *a: None)
        assert signals.caught_by_os(signal.SIGUSR1) is True
        assert signals.python_handler(signal.SIGUSR1)
        assert signals.installed(signal.SIGUSR1)
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)
        assert signals.caught_by_os(signal.SIGUSR1) is False
        assert not signals.installed(signal.SIGUSR1)
    finally:
        signal.signal(signal.SIGUSR1, old)


@linux_only
def test_c_level_handler_is_installed_though_getsignal_says_default():
    """A handler set with libc's signal() (as GLib does) is invisible to signal.getsignal()."""
    libc = ctypes.CDLL(None, use_errno=True)
    handler_type = ctypes.CFUNCTYPE(None, ctypes.c_int)
    libc.signal.restype = ctypes.c_void_p
    libc.signal.argtypes = [ctypes.c_int, ctypes.c_void_p]
    c_handler = handler_type(lambda signum: None)  # never delivered here
    old = signal.getsignal(signal.SIGUSR2)
    signal.signal(signal.SIGUSR2, signal.SIG_DFL)
    try:
        libc.signal(signal.SIGUSR2, ctypes.cast(c_handler, ctypes.c_void_p).value)
        assert signal.getsignal(signal.SIGUSR2) == signal.SIG_DFL
        assert not signals.python_handler(signal.SIGUSR2)
        assert signals.caught_by_os(signal.SIGUSR2) is True
        assert signals.installed(signal.SIGUSR2)
    finally:
        libc.signal(signal.SIGUSR2, 0)  # SIG_DFL at the C level
        signal.signal(signal.SIGUSR2, old)
    assert not signals.installed(signal.SIGUSR2)


def test_fallback_without_proc(monkeypatch):
    """Where /proc/self/status cannot be read, the Python-level view decides."""
    import builtins

    real_open = builtins.open

    def no_proc(path, *args, **kw):
        if str(path) == "/proc/self/status":
            raise FileNotFoundError(path)
        return real_open(path, *args, **kw)

    monkeypatch.setattr(builtins, "open", no_proc)
    assert signals.caught_by_os(signal.SIGUSR1) is None
    old = signal.getsignal(signal.SIGUSR1)
    try:
        signal.signal(signal.SIGUSR1, lambda *a: None)
        assert signals.installed(signal.SIGUSR1)
        signal.signal(signal.SIGUSR1, signal.SIG_DFL)
        assert not signals.installed(signal.SIGUSR1)
    finally:
        signal.signal(signal.SIGUSR1, old)
