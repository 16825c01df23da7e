"""Reference loop: the self-pipe that wakes a blocked poll (19.5.1.2 call_soon_threadsafe,
19.5.1.14 signals).

A connected socket pair: the loop watches the reading end; call_soon_threadsafe writes a zero
byte to the other end, and ``signal.set_wakeup_fd`` makes the C signal handler write the
signal number there. Non-zero bytes read back are dispatched to ``_handle_signal``.
"""

from __future__ import annotations

import logging
import socket

logger = logging.getLogger("asyncio")


class WakeupMixin:
    """The self-pipe: ``_write_to_self`` from anywhere, ``_read_from_self`` on the loop."""

    def _init_wakeup(self):
        self._ssock, self._csock = socket.socketpair()
        self._ssock.setblocking(False)
        self._csock.setblocking(False)
        self._add_reader(self._ssock.fileno(), self._read_from_self)

    def _close_self_pipe(self):
        if self._ssock is None:
            return
        self._remove_reader(self._ssock.fileno())
        self._ssock.close()
        self._ssock = None
        self._csock.close()
        self._csock = None

    def _read_from_self(self):
        """Drain the self-pipe; dispatch signal numbers written by the C signal handler."""
        ssock = self._ssock
        while True:
            try:
                data = ssock.recv(4096)
                if not data:
                    break
            except InterruptedError:
                continue
            except (BlockingIOError, OSError):
                break
            for signum in data:
                if signum:
                    self._handle_signal(signum)

    def _write_to_self(self):
        """Wake the loop if it is blocked in its poll (safe from any thread)."""
        csock = self._csock
        if csock is None:
            return
        try:
            csock.send(b"\0")
        except OSError:
            # Full pipe: the loop is going to wake up anyway. Closed: nothing to wake.
            if self._debug:
                logger.debug("Fail to write a null byte into the self-pipe socket", exc_info=True)
