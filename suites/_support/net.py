"""Networking helpers for the 19.5.1.6-7 and Server-object suites.

- :class:`Recorder`: a Protocol that records every callback, in order, with futures to wait on.
- :class:`DatagramRecorder`: the same for datagram endpoints.
- :class:`Factory`: a protocol factory that counts its calls and what it saw when called.
- :class:`Net`: per-check resource tracker. Everything a check opens (raw sockets, transports,
  servers, temp dirs) is registered with it and released at the end, even when the check
  fails, so a failing loop does not also produce fd-leak noise.

Peers are plain sockets on 127.0.0.1 / ::1 / UNIX paths in short temp dirs, always port 0.
Blocking calls on raw sockets are used only where the kernel completes them on its own
(connect to a listening socket, accept of a completed connection, small sends); anything that
needs the loop to make progress goes through the loop under test with a timeout.
"""

from __future__ import annotations

import asyncio
import os
import select
import shutil
import socket
import tempfile
import threading

import pytest

from loopconf.evidence import Violation
from loopconf.preconditions import precondition

from .limits import TIMEOUT

LOOPBACK = {socket.AF_INET: "127.0.0.1", socket.AF_INET6: "::1"}
CHUNK_SIZE = 65536


def ipv6_available() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


def require_family(family) -> None:
    """Skip the check when the loopback address of ``family`` cannot be bound here."""
    if family == socket.AF_INET6 and not ipv6_available():
        pytest.skip("IPv6 loopback ::1 cannot be bound on this machine")


def require_reuseport() -> None:
    if not hasattr(socket, "SO_REUSEPORT"):
        pytest.skip("socket.SO_REUSEPORT is not defined on this platform")


class Recorder(asyncio.Protocol):
    """Records protocol callbacks as (name, detail) tuples, in call order."""

    def __init__(self, loop):
        self.loop = loop
        self.events = []
        self.transport = None
        self.made = loop.create_future()
        self.lost = loop.create_future()
        self.eof = loop.create_future()
        self.data = bytearray()
        self._data_waiters = []
        self.paused_writing = loop.create_future()
        self.resumed_writing = loop.create_future()
        self.eof_result = None  # what eof_received returns (None: let the transport close)

    # -- callbacks ---------------------------------------------------------------------
    def connection_made(self, transport):
        self.events.append(("connection_made", transport))
        self.transport = transport
        if not self.made.done():
            self.made.set_result(transport)

    def data_received(self, data):
        self.events.append(("data_received", bytes(data)))
        self.data += data
        for size, fut in list(self._data_waiters):
            if len(self.data) >= size and not fut.done():
                fut.set_result(bytes(self.data))
                self._data_waiters.remove((size, fut))

    def eof_received(self):
        self.events.append(("eof_received", None))
        if not self.eof.done():
            self.eof.set_result(None)
        return self.eof_result

    def connection_lost(self, exc):
        self.events.append(("connection_lost", exc))
        if not self.lost.done():
            self.lost.set_result(exc)

    def pause_writing(self):
        self.events.append(("pause_writing", None))
        if not self.paused_writing.done():
            self.paused_writing.set_result(None)

    def resume_writing(self):
        self.events.append(("resume_writing", None))
        if not self.resumed_writing.done():
            self.resumed_writing.set_result(None)

    # -- helpers -----------------------------------------------------------------------
    def received(self, size: int):
        """Future resolved once at least ``size`` bytes have been received."""
        fut = self.loop.create_future()
        if len(self.data) >= size:
            fut.set_result(bytes(self.data))
        else:
            self._data_waiters.append((size, fut))
        return fut

    def names(self):
        return [name for name, _ in self.events]

    def count(self, name):
        return self.names().count(name)


class DatagramRecorder(asyncio.DatagramProtocol):
    """Records datagram callbacks; ``queue`` holds (data, addr) pairs."""

    def __init__(self, loop):
        self.loop = loop
        self.events = []
        self.transport = None
        self.made = loop.create_future()
        self.lost = loop.create_future()
        self.queue = asyncio.Queue()
        self.errors = asyncio.Queue()

    def connection_made(self, transport):
        self.events.append(("connection_made", transport))
        self.transport = transport
        if not self.made.done():
            self.made.set_result(transport)

    def datagram_received(self, data, addr):
        self.events.append(("datagram_received", (data, addr)))
        self.queue.put_nowait((data, addr))

    def error_received(self, exc):
        self.events.append(("error_received", exc))
        self.errors.put_nowait(exc)

    def connection_lost(self, exc):
        self.events.append(("connection_lost", exc))
        if not self.lost.done():
            self.lost.set_result(exc)


class Factory:
    """Protocol factory that counts calls and records their arguments.

    ``on_call`` (optional) is called with no arguments just before the protocol is built,
    so a check can record what had already happened when the factory ran.
    """

    def __init__(self, loop, proto_class=Recorder, on_call=None):
        self.loop = loop
        self.proto_class = proto_class
        self.on_call = on_call
        self.calls = []  # (args, kwargs) per call
        self.protocols = []
        self.new_protocol = asyncio.Queue()

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        if self.on_call is not None:
            self.on_call()
        proto = self.proto_class(self.loop)
        self.protocols.append(proto)
        self.new_protocol.put_nowait(proto)
        return proto


class Net:
    """Tracks what a check opens and releases it afterwards (use as a context manager)."""

    def __init__(self, loop):
        self.loop = loop
        self._socks = []
        self._transports = []
        self._servers = []
        self._factories = []
        self._dirs = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()
        return False

    # -- running -----------------------------------------------------------------------
    def run(self, aw, timeout: float = TIMEOUT, what: str = ""):
        """Run ``aw`` on the loop under test, failing the check if it takes over ``timeout``."""

        async def bounded():
            return await asyncio.wait_for(aw, timeout)

        try:
            return self.loop.run_until_complete(bounded())
        except asyncio.TimeoutError:
            raise Violation(f"timed out after {timeout:g}s" + (f": {what}" if what else "")) from None

    def outcome(self, call, *args, timeout: float = TIMEOUT, what: str = ""):
        """Run ``call(*args)`` (a coroutine function) on the loop like :meth:`run`, but return the
        exception it raises, also synchronously, instead of raising it.

        NotImplementedError (a missing method) and a timeout (a Violation) still propagate.
        """

        async def attempt():
            try:
                return await call(*args)
            except NotImplementedError:
                raise
            except Exception as exc:
                return exc

        return self.run(attempt(), timeout, what)

    # -- tracking ----------------------------------------------------------------------
    def sock(self, *args, **kwargs) -> socket.socket:
        s = socket.socket(*args, **kwargs)
        self._socks.append(s)
        return s

    def adopt(self, obj):
        """Track a socket, transport, server or Factory (its protocols' transports); returns it."""
        if isinstance(obj, Factory):
            self._factories.append(obj)
        elif isinstance(obj, socket.socket):
            self._socks.append(obj)
        elif hasattr(obj, "get_extra_info"):
            self._transports.append(obj)
        elif obj is not None:
            self._servers.append(obj)
        return obj

    def pair(self, result):
        """Track the transport of a (transport, protocol) pair; returns the pair."""
        transport, protocol = result
        self.adopt(transport)
        return transport, protocol

    def tempdir(self) -> str:
        """A short directory for AF_UNIX paths (well under the 108-byte limit)."""
        path = tempfile.mkdtemp(prefix="lc", dir="/tmp")
        self._dirs.append(path)
        return path

    # -- peers ---------------------------------------------------------------------------
    def listener(self, family=socket.AF_INET, backlog: int = 100) -> socket.socket:
        """A raw listening TCP socket on the loopback of ``family``, port 0."""
        s = self.sock(family, socket.SOCK_STREAM)
        s.bind((LOOPBACK[family], 0))
        s.listen(backlog)
        return s

    def unix_listener(self, path) -> socket.socket:
        s = self.sock(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.listen(100)
        return s

    def accept(self, listener: socket.socket) -> socket.socket:
        """Accept a connection the kernel has already completed (blocking, bounded)."""
        listener.settimeout(TIMEOUT)
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            raise Violation("no connection reached the peer's listening socket") from None
        self._socks.append(conn)
        conn.settimeout(TIMEOUT)
        return conn

    def connect(self, address, family=socket.AF_INET) -> socket.socket:
        """A raw client connected to ``address`` (the kernel completes it via the backlog)."""
        s = self.sock(family, socket.SOCK_STREAM)
        s.settimeout(TIMEOUT)
        s.connect(address)
        return s

    def tcp_pair(self) -> tuple[socket.socket, socket.socket]:
        """A connected TCP pair over 127.0.0.1: (client, accepted), both blocking and bounded;
        the caller makes the end it hands to the loop non-blocking."""
        listener = self.listener()
        client = self.connect(listener.getsockname())
        return client, self.accept(listener)

    def connect_nb(self, address, family=socket.AF_INET) -> socket.socket:
        """A raw non-blocking socket (connect separately, e.g. with loop.sock_connect)."""
        s = self.sock(family, socket.SOCK_STREAM)
        s.setblocking(False)
        return s

    def free_port(self, family=socket.AF_INET, type=socket.SOCK_STREAM) -> int:
        """A port number that was free a moment ago (bound to port 0, then released)."""
        with socket.socket(family, type) as s:
            s.bind((LOOPBACK[family], 0))
            return s.getsockname()[1]

    # -- cleanup -----------------------------------------------------------------------
    def cleanup(self):
        loop = self.loop
        usable = not loop.is_closed() and not loop.is_running()
        for server in self._servers:
            try:
                server.close()
            except Exception:
                pass
        for factory in self._factories:
            for proto in factory.protocols:
                if proto.transport is not None:
                    self._transports.append(proto.transport)
        for transport in self._transports:
            try:
                if not transport.is_closing():
                    transport.abort()
            except Exception:
                try:
                    transport.close()
                except Exception:
                    pass
        for s in self._socks:
            try:
                s.close()
            except OSError:
                pass
        if usable:
            try:
                # let connection_lost callbacks run and close their sockets
                loop.run_until_complete(asyncio.wait_for(io_rounds(loop, 2), TIMEOUT))
            except Exception:
                pass
            for server in self._servers:
                try:
                    loop.run_until_complete(asyncio.wait_for(server.wait_closed(), 1.0))
                except Exception:
                    pass
        for path in self._dirs:
            shutil.rmtree(path, ignore_errors=True)
        self._servers.clear()
        self._factories.clear()
        self._transports.clear()
        self._socks.clear()
        self._dirs.clear()


#: The check that owns a transport's 'socket' extra info (used on the way by other checks).
EXTRA_INFO_SOCKET = "connections.create_connection.extra_info_socket"
#: The check that owns loop.sock_recv (used on the way by io_rounds).
SOCK_RECV = "sockets.sock_recv.returns_bytes"


def extra_socket(transport, optional: bool = False):
    """``transport.get_extra_info('socket')`` for a check that only needs it on the way.

    If the transport gives no socket-like object (None unless ``optional``, or an object without
    the socket interface), the check ends ``blocked`` by the extra-info check, which reports it.
    """
    with precondition(EXTRA_INFO_SOCKET, "transport.get_extra_info('socket')"):
        sock = transport.get_extra_info("socket")
        if sock is None:
            if optional:
                return None
            raise Violation("returned None")
        for attr in ("family", "type", "fileno", "getsockopt"):
            getattr(sock, attr)
    return sock


async def io_rounds(loop, rounds: int = 2):
    """Return after the loop has polled for I/O at least ``rounds`` times.

    Each round makes a socketpair end readable and waits for the loop to notice it, which
    needs a poll; anything already readable or writable before the poll is reported in the
    same poll, and the extra sleep(0) lets the callbacks scheduled by it run. The witness is
    loop.sock_recv: a loop whose sock_recv fails blocks the calling check (``blocked``).
    """
    a, b = socket.socketpair()
    try:
        a.setblocking(False)
        b.setblocking(False)
        for _ in range(rounds):
            b.send(b"x")
            with precondition(SOCK_RECV, "loop.sock_recv as an I/O-poll witness"):
                got = await loop.sock_recv(a, 1)
                if got != b"x":
                    raise Violation(f"sock_recv returned {got!r}, not b'x'")
            await asyncio.sleep(0)
            await asyncio.sleep(0)
    finally:
        a.close()
        b.close()


async def _read_in_thread(sock: socket.socket, size: int, to_eof: bool) -> bytes:
    """Read from a raw peer socket in a plain thread while the loop keeps running.

    The peer is not the API under test: reading it through the loop (sock_recv) would make the
    check depend on another method. The coroutine waits with sleep(0.001) steps; cancelling it
    (a watchdog) stops the thread within one select() period.
    """
    sock.setblocking(False)
    chunks = bytearray()
    done = threading.Event()
    stop = threading.Event()

    def reader():
        try:
            while len(chunks) < size and not stop.is_set():
                readable, _, _ = select.select([sock], [], [], 0.02)
                if not readable:
                    continue
                try:
                    data = sock.recv(min(65536, size - len(chunks)))
                except (BlockingIOError, InterruptedError):
                    continue
                except (ConnectionResetError, OSError):
                    if to_eof:
                        break
                    raise
                if not data:
                    break
                chunks.extend(data)
        except OSError:
            pass
        finally:
            done.set()

    thread = threading.Thread(target=reader, name="loopconf-peer-reader", daemon=True)
    thread.start()
    try:
        while not done.is_set():
            await asyncio.sleep(0.001)
    finally:
        stop.set()
        thread.join()
    return bytes(chunks)


async def read_exactly(loop, sock: socket.socket, size: int) -> bytes:
    """Read ``size`` bytes from a raw peer socket (stops early at EOF), in a plain thread."""
    return await _read_in_thread(sock, size, to_eof=False)


async def read_to_eof(loop, sock: socket.socket, limit: int = 1 << 26) -> bytes:
    """Read from a raw peer socket until EOF (or a reset, treated as EOF), in a plain thread."""
    return await _read_in_thread(sock, limit, to_eof=True)


def sockopt(sock_like, option, level=socket.SOL_SOCKET) -> int:
    return sock_like.getsockopt(level, option)


def short_unix_path(net: Net, name: str = "s") -> str:
    return os.path.join(net.tempdir(), name)
