"""Loops that attack the runner itself: hangs, segfaults, hostile messages, broken factories."""

import asyncio
import ctypes
import threading


class HangingLoop(asyncio.SelectorEventLoop):
    """run_forever never returns: it blocks the thread without ever polling."""

    def run_forever(self):
        threading.Event().wait()


class SegfaultLoop(asyncio.SelectorEventLoop):
    """The first callback run by run_forever dereferences a NULL pointer."""

    def run_forever(self):
        self.call_soon(ctypes.string_at, 0)
        return super().run_forever()


class HostileMessageLoop(asyncio.SelectorEventLoop):
    """call_soon raises an error whose message is markup (it must be escaped in reports)."""

    def call_soon(self, callback, *args, context=None):
        raise ValueError('<script>document.title="pwned"</script><img src=x onerror=alert(1)>')


def raising_factory():
    raise RuntimeError("no display available")


def not_a_loop_factory():
    return object()


_SHARED = None


def same_loop_factory():
    global _SHARED
    if _SHARED is None:
        _SHARED = asyncio.new_event_loop()
    return _SHARED


NOT_CALLABLE = 42
