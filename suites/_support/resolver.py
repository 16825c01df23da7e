"""A deterministic "slow resolver" for the 19.5.1.12 non-blocking checks, without real DNS.

:class:`SlowResolver` replaces ``socket.getaddrinfo`` (or ``socket.getnameinfo``) for the
duration of a check. A call carrying the marker arguments blocks on a threading.Event until
:meth:`poll` -- a callback the check schedules on the loop under test -- sees that the call has
started and releases it. So:

- a loop that resolves off its thread lets ``poll`` run while the call is in flight: the call
  is released at once and returns the real answer;
- a loop that calls the function on its own thread cannot run ``poll``: the call gives up
  after :data:`BLOCK_LIMIT` seconds and records that it blocked the loop;
- a loop that never calls the socket function (a native resolver) leaves ``entered`` unset:
  the check cannot slow it down and skips, saying so.

Unmarked calls (from anything else in the process) go straight to the real function. The
original function is always restored and every blocked call released on exit.
"""

from __future__ import annotations

import socket
import threading

BLOCK_LIMIT = 2.0


class SlowResolver:
    def __init__(self, loop, name: str, is_marked):
        self.loop = loop
        self.name = name
        self.is_marked = is_marked
        self.real = getattr(socket, name)
        self.entered = threading.Event()
        self.release = threading.Event()
        self.blocked_loop = False
        self.threads: list[int] = []
        self.released_by_loop = False
        self._done = False

    def _patched(self, *args, **kwargs):
        if self.is_marked(args, kwargs):
            self.threads.append(threading.get_ident())
            self.entered.set()
            if not self.release.wait(BLOCK_LIMIT):
                self.blocked_loop = True
        return self.real(*args, **kwargs)

    def poll(self):
        """Loop callback: release the marked call once it has started; else look again soon."""
        if self._done:
            return
        if self.entered.is_set():
            self.released_by_loop = True
            self.release.set()
            return
        self.loop.call_later(0.001, self.poll)

    def __enter__(self):
        setattr(socket, self.name, self._patched)
        return self

    def __exit__(self, *exc):
        self._done = True
        self.release.set()
        setattr(socket, self.name, self.real)
        return False
