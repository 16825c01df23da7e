"""Broken loops for issue #14 (attribution, preconditions): each breaks one thing loop-wide or
on the way to other checks' clauses. Tested by tests/test_attribution.py."""

import asyncio
import os
import socket

#: Descriptors the broken loops keep on purpose (never closed: the leak is the point).
_KEPT: list = []


def _eventfd() -> int:
    if hasattr(os, "eventfd"):
        return os.eventfd(0)
    r, w = os.pipe()
    _KEPT.append(w)
    return r


class EventfdAfterCloseLoop(asyncio.SelectorEventLoop):
    """close() leaves an eventfd (a pipe where eventfd is missing) open, every time."""

    def close(self):
        if not self.is_closed():
            _KEPT.append(_eventfd())
        super().close()


class LeakyServerLoop(asyncio.SelectorEventLoop):
    """Server.close() leaves the listening socket open (a duplicate of it stays listening)."""

    async def create_server(self, *args, **kwargs):
        server = await super().create_server(*args, **kwargs)
        for sock in server.sockets or ():
            _KEPT.append(os.dup(sock.fileno()))
        return server


#: Process-wide resources FirstUseResourcesLoop opens once (what GLib does), by first use.
_FIRST_USE: dict = {}


class FirstUseResourcesLoop(asyncio.SelectorEventLoop):
    """Opens one process-wide eventfd the first time any loop runs and another the first time a
    signal handler is installed, and keeps both for the life of the process (GLib's wake-up and
    signal eventfds). Not a leak: no check may be failed for it (FALSE_POSITIVES.md FP-1b)."""

    def run_forever(self):
        if "run" not in _FIRST_USE:
            _FIRST_USE["run"] = _eventfd()
        super().run_forever()

    def add_signal_handler(self, sig, callback, *args):
        if "signal" not in _FIRST_USE:
            _FIRST_USE["signal"] = _eventfd()
        super().add_signal_handler(sig, callback, *args)


class RunningForeverLoop(asyncio.SelectorEventLoop):
    """Once run, is_running() stays True for good, even when the loop is stopped (close() still works)."""

    _closing = False
    _has_run = False

    def is_running(self):
        return self._has_run and not self._closing

    def run_forever(self):
        self._has_run = True
        super().run_forever()

    def _check_running(self):
        if self._thread_id is not None:
            raise RuntimeError("This event loop is already running")
        if asyncio.events._get_running_loop() is not None:
            raise RuntimeError("Cannot run the event loop while another loop is running")

    def close(self):
        self._closing = True
        try:
            super().close()
        finally:
            self._closing = False


class _NotASocket:
    """What get_extra_info('socket') returns: has a fileno, lacks the rest of the socket interface."""

    def __init__(self, sock):
        self._fileno = sock.fileno()

    def fileno(self):
        return self._fileno


class NotASocketExtraInfoLoop(asyncio.SelectorEventLoop):
    """transport.get_extra_info('socket') returns an object without getsockopt/family/..."""

    def _make_socket_transport(self, sock, *args, **kwargs):
        transport = super()._make_socket_transport(sock, *args, **kwargs)
        transport._extra["socket"] = _NotASocket(sock)
        return transport

    def _make_datagram_transport(self, sock, *args, **kwargs):
        transport = super()._make_datagram_transport(sock, *args, **kwargs)
        transport._extra["socket"] = _NotASocket(sock)
        return transport


class CollectedFdsLoop(asyncio.SelectorEventLoop):
    """Frees a pipe of its own only when the loop is collected (loopmini's shape). Not a deviation
    in itself: a check that logs an exception of this loop must not be charged with the pipe
    because a log record kept the loop alive (FALSE_POSITIVES.md FP-7, FP-7b)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._spare = os.pipe()
        self._cycle = self  # only the cycle collector frees the loop

    def __del__(self):
        for fd in getattr(self, "_spare", ()):
            os.close(fd)
        self._spare = ()
        super().__del__()


class NoSockSendfileCollectedLoop(CollectedFdsLoop):
    """sock_sendfile is not implemented, and the loop frees a pipe of its own only when collected."""

    async def sock_sendfile(self, sock, file, offset=0, count=None, *, fallback=True):
        raise NotImplementedError("sock_sendfile")
