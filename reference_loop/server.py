"""Reference loop: the Server object returned by create_server/create_unix_server (page.server, 19.5.1.7).

A server owns its listening sockets.  It listens and accepts only while serving (immediately with
start_serving=True, else after start_serving()/serve_forever()); each accepted connection gets
its own protocol from protocol_factory and a stream transport.  close() stops listening and
closes the listening sockets; wait_closed() waits as the running Python's Server does.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import sys

logger = logging.getLogger("reference_loop")

_RESOURCE_ERRORS = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)
_ACCEPT_RETRY_DELAY = 1.0


class Server(asyncio.AbstractServer):
    """page.server: listening sockets plus the connections accepted on them."""

    def __init__(
        self,
        loop,
        sockets,
        protocol_factory,
        ssl_context,
        backlog,
        ssl_handshake_timeout,
        ssl_shutdown_timeout=None,
        unix_paths=None,
    ):
        self._loop = loop
        self._sockets = list(sockets)
        self._protocol_factory = protocol_factory
        self._ssl_context = ssl_context
        self._backlog = backlog
        self._ssl_handshake_timeout = ssl_handshake_timeout
        self._ssl_shutdown_timeout = ssl_shutdown_timeout
        self._unix_paths = unix_paths or {}  # sock -> (path, inode) to unlink on close (3.13)
        self._clients = set()
        self._waiters = []
        self._serving = False
        self._serving_forever_fut = None

    def __repr__(self):
        return f"<{type(self).__name__} sockets={self.sockets!r}>"

    # -- bookkeeping of accepted connections
    def _attach(self, transport):
        self._clients.add(transport)

    def _detach(self, transport):
        self._clients.discard(transport)
        if not self._clients and self._sockets is None:
            self._wakeup()

    def _wakeup(self):
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    # -- public API
    def get_loop(self):
        """Server.get_loop: the loop the server runs on."""
        return self._loop

    def is_serving(self):
        """Server.is_serving: True while accepting new connections."""
        return self._serving

    @property
    def sockets(self):
        """Server.sockets: the listening sockets (empty once closed)."""
        if self._sockets is None:
            return ()
        return tuple(self._sockets)

    def close(self):
        """Server.close: stop listening and close the listening sockets; connections stay open."""
        sockets = self._sockets
        if sockets is None:
            return
        self._sockets = None
        for sock in sockets:
            self._loop.remove_reader(sock.fileno())
            self._unlink_unix_path(sock)
            sock.close()
        self._serving = False
        if self._serving_forever_fut is not None and not self._serving_forever_fut.done():
            self._serving_forever_fut.cancel()
            self._serving_forever_fut = None
        if not self._clients:
            self._wakeup()

    def _unlink_unix_path(self, sock):
        entry = self._unix_paths.pop(sock, None)
        if entry is None:
            return
        path, inode = entry
        try:
            if os.stat(path).st_ino == inode:
                os.unlink(path)
        except OSError:
            pass

    def close_clients(self):
        """Server.close_clients (docs 3.13): close every accepted connection's transport."""
        for transport in list(self._clients):
            transport.close()

    def abort_clients(self):
        """Server.abort_clients (docs 3.13): abort every accepted connection's transport."""
        for transport in list(self._clients):
            transport.abort()

    async def start_serving(self):
        """Server.start_serving: start accepting connections (no-op if already serving)."""
        self._start_serving()
        await asyncio.sleep(0)

    async def serve_forever(self):
        """Server.serve_forever: accept until cancelled; cancellation closes the server."""
        if self._serving_forever_fut is not None:
            raise RuntimeError(f"server {self!r} is already being awaited on serve_forever()")
        if self._sockets is None:
            raise RuntimeError(f"server {self!r} is closed")
        self._start_serving()
        self._serving_forever_fut = self._loop.create_future()
        try:
            await self._serving_forever_fut
        except asyncio.CancelledError:
            try:
                self.close()
                await self.wait_closed()
            finally:
                raise
        finally:
            self._serving_forever_fut = None

    async def wait_closed(self):
        """Server.wait_closed: wait until the server is closed (3.12.1+: and its connections gone).

        Up to 3.11 CPython returns at once when the server is already closed; from 3.12.1 on it
        waits for both the close and the last accepted connection; this mirrors the running
        Python.
        """
        if self._waiters is None:
            return
        if sys.version_info < (3, 12) and self._sockets is None:
            return
        waiter = self._loop.create_future()
        self._waiters.append(waiter)
        await waiter

    # -- accepting
    def _start_serving(self):
        if self._serving or self._sockets is None:
            return
        self._serving = True
        for sock in self._sockets:
            sock.listen(self._backlog)
            self._loop.add_reader(sock.fileno(), self._accept_ready, sock)

    def _accept_ready(self, sock):
        """Accept the waiting connections (page.server, 19.5.1.7 create_server).

        An accept() that fails for want of resources (EMFILE, ENFILE, ENOBUFS, ENOMEM) is reported to
        the exception handler with 'message', 'exception' and 'socket', the listening socket
        (19.5.1.16 call_exception_handler: 'socket' is one of the context's optional keys); accepting
        on that socket pauses and resumes after a delay.
        """
        for _ in range(self._backlog or 1):
            if self._sockets is None:
                return
            try:
                conn, addr = sock.accept()
                conn.setblocking(False)
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            except OSError as exc:
                if exc.errno in _RESOURCE_ERRORS:
                    self._loop.call_exception_handler(
                        {
                            "message": "socket.accept() out of system resource",
                            "exception": exc,
                            "socket": sock,
                        }
                    )
                    self._loop.remove_reader(sock.fileno())
                    self._loop.call_later(_ACCEPT_RETRY_DELAY, self._resume_accepting, sock)
                    return
                raise
            self._loop._ref_accepted(conn, addr, self)

    def _resume_accepting(self, sock):
        if self._serving and self._sockets is not None and sock in self._sockets:
            self._loop.add_reader(sock.fileno(), self._accept_ready, sock)
