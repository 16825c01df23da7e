"""19.5.1.11 Low-level socket operations: sock_recv, sock_recv_into, sock_sendall,
sock_connect, sock_accept, sock_sendfile, and (documented from 3.11) sock_recvfrom,
sock_recvfrom_into, sock_sendto.

Peers are plain sockets (socketpair, 127.0.0.1, ::1, UNIX paths in short temp dirs, port 0)
that the check drives itself; bulk transfers are drained by a helper thread so they do not
depend on any other loop method. Sockets handed to the loop are non-blocking, as the clause
requires of the caller; the blocking-socket checks are INFO (see their docstrings).
"""

import asyncio
import socket
import threading

import pytest

from loopconf import checks
from loopconf.checks import INFO, SHOULD
from loopconf.evidence import Violation, expect, expect_equal, expect_instance

from ._support import sendfile as sf
from ._support.net import Net, io_rounds, require_family, short_unix_path
from ._support.peers import TIMEOUT, ThreadReader, payload
from ._support.resolver import BLOCK_LIMIT, SlowResolver

scope = checks.scope(area="sockets", section="19.5.1.11")
BLOCKING_NOTE = "sockets-nonblocking-debug-only"


def _pair(net):
    a, b = socket.socketpair()
    net.adopt(a)
    net.adopt(b)
    a.setblocking(False)
    b.settimeout(TIMEOUT)
    return a, b


def _listener(net, where):
    """A listening socket for ``where`` in ipv4/ipv6/unix; returns (listener, family, address)."""
    if where == "unix":
        s = net.unix_listener(short_unix_path(net))
        return s, socket.AF_UNIX, s.getsockname()
    family = socket.AF_INET if where == "ipv4" else socket.AF_INET6
    require_family(family)
    s = net.listener(family)
    return s, family, s.getsockname()


# -- sock_recv ------------------------------------------------------------------------------


@scope.check(
    "sock_recv",
    "returns_bytes",
    requirement="sock_recv returns a bytes object holding the data received.",
    covers=("sock_recv.3",),
)
def test_sock_recv_returns_bytes(loop):
    with Net(loop) as net:
        a, b = _pair(net)
        b.sendall(b"hello")
        data = net.run(loop.sock_recv(a, 100), what="sock_recv with data already waiting")
        expect(
            type(data) is bytes,
            "sock_recv did not return a bytes object",
            expected="bytes",
            observed=type(data).__name__,
        )
        expect_equal(data, b"hello", "sock_recv returned other data than was sent")


@scope.check(
    "sock_recv",
    "at_most_nbytes",
    requirement="sock_recv returns at most nbytes bytes per call; the rest stays for later calls, in order.",
    covers=("sock_recv.4",),
)
def test_sock_recv_at_most_nbytes(loop):
    sent = payload(1000)
    with Net(loop) as net:
        a, b = _pair(net)
        b.sendall(sent)
        got = bytearray()
        while len(got) < len(sent):
            chunk = net.run(loop.sock_recv(a, 10), what="sock_recv(sock, 10)")
            expect(
                0 < len(chunk) <= 10,
                "sock_recv(sock, 10) returned more than 10 bytes (or none before EOF)",
                expected="1..10 bytes",
                observed=f"{len(chunk)} bytes",
            )
            got += chunk
        expect_equal(bytes(got), sent, "successive sock_recv calls did not return the stream in order")


@scope.check(
    "sock_recv",
    "waits_for_data",
    requirement="sock_recv on a socket with no data waiting returns the data that arrives later.",
    covers=("sock_recv.1", "sock_recv.2"),
)
def test_sock_recv_waits_for_data(loop):
    with Net(loop) as net:
        a, b = _pair(net)

        async def scenario():
            pending = loop.create_task(loop.sock_recv(a, 100))
            await io_rounds(loop, 1)  # the call has started and the loop has polled
            if pending.done():
                raise Violation(
                    "sock_recv returned before any data was sent",
                    expected="still waiting",
                    observed=repr(pending.result()),
                )
            b.sendall(b"late")
            return await pending

        data = net.run(scenario(), what="sock_recv waiting for data sent later")
        expect_equal(data, b"late", "sock_recv did not return the data that arrived later")


@scope.check(
    "sock_recv",
    "eof_returns_empty",
    requirement="sock_recv returns an empty bytes object once the peer has closed the connection.",
    covers=("sock_recv.2",),
)
def test_sock_recv_eof_returns_empty(loop):
    with Net(loop) as net:
        a, b = _pair(net)
        b.close()
        data = net.run(loop.sock_recv(a, 100), what="sock_recv after the peer closed")
        expect_equal(data, b"", "sock_recv at end of stream did not return b''")


@scope.check(
    "sock_recv",
    "cancel_leaves_socket_usable",
    requirement="Cancelling a pending sock_recv consumes nothing: a later sock_recv on the same "
    "socket receives the data sent after the cancellation.",
    covers=("sock_recv.1", "sock_recv.2"),
)
def test_sock_recv_cancel_leaves_socket_usable(loop):
    with Net(loop) as net:
        a, b = _pair(net)

        async def scenario():
            pending = loop.create_task(loop.sock_recv(a, 100))
            await io_rounds(loop, 1)  # the call is now waiting for readiness
            expect(not pending.done(), "sock_recv finished although no data was sent")
            pending.cancel()
            try:
                await pending
            except asyncio.CancelledError:
                pass
            else:
                raise Violation("the cancelled sock_recv did not end cancelled")
            b.sendall(b"after-cancel")
            await io_rounds(loop, 2)  # a stale watcher, if any, would fire now
            return await loop.sock_recv(a, 100)

        data = net.run(scenario(), what="sock_recv after a cancelled sock_recv on the same socket")
        expect_equal(
            data, b"after-cancel", "data sent after cancelling a sock_recv was not received by the next sock_recv"
        )


# -- sock_recv_into ---------------------------------------------------------------------------


@scope.check(
    "sock_recv_into",
    "returns_count",
    requirement="sock_recv_into returns the number of bytes written into the buffer, as an int.",
    covers=("sock_recv_into.4",),
)
def test_sock_recv_into_returns_count(loop):
    with Net(loop) as net:
        a, b = _pair(net)
        b.sendall(b"hello")
        n = net.run(loop.sock_recv_into(a, bytearray(100)), what="sock_recv_into")
        expect(
            isinstance(n, int) and not isinstance(n, bool),
            "sock_recv_into did not return an int",
            expected="int",
            observed=f"{type(n).__name__}: {n!r}",
        )
        expect_equal(n, 5, "sock_recv_into returned a count other than the bytes received")


@scope.check(
    "sock_recv_into",
    "writes_buffer",
    requirement="sock_recv_into writes the received data at the start of the given buffer and "
    "leaves the rest of it untouched.",
    covers=("sock_recv_into.2", "sock_recv_into.1:partial"),
)
def test_sock_recv_into_writes_buffer(loop):
    with Net(loop) as net:
        a, b = _pair(net)
        b.sendall(b"hello")
        buf = bytearray(b"\xee" * 16)
        n = net.run(loop.sock_recv_into(a, buf), what="sock_recv_into")
        expect_equal(
            bytes(buf),
            b"hello" + b"\xee" * 11,
            f"the buffer after sock_recv_into (returned {n!r}) does not hold the data",
        )


@scope.check(
    "sock_recv_into",
    "waits_for_data",
    covers=("sock_recv_into.3",),
    requirement="sock_recv_into on a socket with no data waiting waits (other callbacks run) and "
    "then writes the data that arrives later.",
)
def test_sock_recv_into_waits_for_data(loop):
    """19.5.1.11 sock_recv_into: modeled after blocking recv_into(), so it waits for data; a single
    non-blocking attempt (BlockingIOError, or 0 returned at once) fails.
    """
    with Net(loop) as net:
        a, b = _pair(net)
        buf = bytearray(16)

        async def scenario():
            pending = loop.create_task(loop.sock_recv_into(a, buf))
            await io_rounds(loop, 1)  # the call has started and the loop has polled
            if pending.done():
                raise Violation(
                    "sock_recv_into finished before any data was sent",
                    expected="still waiting",
                    observed=_ended(pending),
                )
            b.sendall(b"late")
            return await pending

        n = net.run(scenario(), what="sock_recv_into waiting for data sent later")
        expect_equal((n, bytes(buf[:4])), (4, b"late"), "sock_recv_into did not write the data that arrived later")


@scope.check(
    "sock_recv_into",
    "cancel_leaves_socket_usable",
    covers=("sock_recv_into.3",),
    requirement="Cancelling a waiting sock_recv_into consumes nothing: a later sock_recv_into on the "
    "same socket receives the data sent after the cancellation.",
)
def test_sock_recv_into_cancel_leaves_socket_usable(loop):
    with Net(loop) as net:
        a, b = _pair(net)
        stale = bytearray(16)

        async def scenario():
            pending = loop.create_task(loop.sock_recv_into(a, stale))
            await io_rounds(loop, 1)
            if pending.done():
                raise Violation("sock_recv_into finished although no data was sent", observed=_ended(pending))
            await _cancel(pending, "sock_recv_into")
            b.sendall(b"after-cancel")
            await io_rounds(loop, 2)  # a stale watcher, if any, would fire now
            buf = bytearray(32)
            n = await loop.sock_recv_into(a, buf)
            return bytes(buf[:n])

        data = net.run(scenario(), what="sock_recv_into after a cancelled sock_recv_into on the same socket")
        expect_equal(
            data,
            b"after-cancel",
            "data sent after cancelling a sock_recv_into was not received by the next sock_recv_into",
        )


def _ended(task):
    """How a finished task ended, for evidence.

    A method the loop does not implement (NotImplementedError) did not "stop waiting": the check
    ends ``missing``, like every other check of that method, instead of failing its waiting clause.
    """
    if task.cancelled():
        return "cancelled"
    exc = task.exception()
    if isinstance(exc, NotImplementedError):
        raise exc
    return f"raised {type(exc).__name__}: {exc}" if exc is not None else f"returned {task.result()!r}"


async def _cancel(task, method):
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        return
    except Exception as exc:
        raise Violation(f"the cancelled {method} did not end cancelled", observed=repr(exc)) from None
    raise Violation(f"the cancelled {method} did not end cancelled", observed=f"returned {task.result()!r}")


# -- sock_sendall -----------------------------------------------------------------------------


@scope.check(
    "sock_sendall",
    "returns_none",
    requirement="sock_sendall returns None on success.",
    covers=("sock_sendall.2", "sock_sendall.5", "sock_sendall.1:partial"),
)
def test_sock_sendall_returns_none(loop):
    with Net(loop) as net:
        a, b = _pair(net)
        result = net.run(loop.sock_sendall(a, b"hello"), what="sock_sendall of 5 bytes")
        expect(result is None, "sock_sendall returned something other than None", expected=None, observed=repr(result))
        expect_equal(b.recv(100), b"hello", "the peer did not receive what sock_sendall sent")


@scope.check(
    "sock_sendall",
    "sends_everything",
    requirement="sock_sendall sends all the data, even far more than the socket buffers hold, before it returns.",
    covers=("sock_sendall.2", "sock_sendall.4"),
)
def test_sock_sendall_sends_everything(loop):
    data = payload(4 << 20)
    with Net(loop) as net:
        a, b = _pair(net)
        reader = ThreadReader(sock=b)
        net.run(loop.sock_sendall(a, data), timeout=10, what="sock_sendall of 4 MiB while the peer reads")
        a.shutdown(socket.SHUT_WR)
        got = reader.join()
        expect(reader.finished, "the peer saw no end of stream after sock_sendall and shutdown")
        expect(
            got == data,
            "the peer did not receive exactly the data given to sock_sendall",
            expected=f"{len(data)} bytes",
            observed=f"{len(got)} bytes" + ("" if len(got) != len(data) else " (different content)"),
        )


class GatedReader:
    """Reads ``sock`` to EOF in a thread, but only after ``open()`` (or TIMEOUT, so a loop that
    blocks in sock_sendall cannot hang the check)."""

    def __init__(self, sock):
        self.sock = sock
        self.data = bytearray()
        self.gate = threading.Event()
        sock.setblocking(True)
        sock.settimeout(TIMEOUT * 2)
        self._thread = threading.Thread(target=self._run, name="loopconf-gated-reader", daemon=True)
        self._thread.start()

    def _run(self):
        self.gate.wait(TIMEOUT)
        try:
            while chunk := self.sock.recv(1 << 16):
                self.data += chunk
        except OSError:
            pass

    def open(self):
        self.gate.set()

    def join(self):
        self.gate.set()
        self._thread.join(TIMEOUT * 2)
        return bytes(self.data)


@scope.check(
    "sock_sendall",
    "waits_for_room",
    covers=("sock_sendall.4", "sock_sendall.2"),
    requirement="sock_sendall of more data than the socket buffers hold, to a peer that is not "
    "reading yet, waits without blocking the loop (other callbacks run) and completes "
    "once the peer reads.",
)
def test_sock_sendall_waits_for_room(loop):
    """19.5.1.11 sock_sendall: keeps sending until all data is sent, modeled after sendall(), on a
    non-blocking socket. Returning early (a partial send), raising BlockingIOError, or sending with
    a blocking call on the loop thread all fail.
    """
    data = payload(4 << 20)
    with Net(loop) as net:
        a, b = _pair(net)
        reader = GatedReader(b)
        try:

            async def scenario():
                pending = loop.create_task(loop.sock_sendall(a, data))
                await io_rounds(loop, 2)  # other callbacks run while sock_sendall waits
                if pending.done():
                    raise Violation(
                        "sock_sendall of 4 MiB finished before the peer read anything (it gave up, "
                        "sent part, or blocked the loop until the peer read)",
                        expected="still waiting",
                        observed=_ended(pending),
                    )
                reader.open()
                return await pending

            result = net.run(scenario(), timeout=10, what="sock_sendall of 4 MiB to a peer that reads later")
            a.shutdown(socket.SHUT_WR)
        finally:
            got = reader.join()
        expect(result is None, "sock_sendall returned something other than None", observed=repr(result))
        expect(
            got == data,
            "the peer did not receive exactly the data given to sock_sendall",
            expected=f"{len(data)} bytes",
            observed=f"{len(got)} bytes",
        )


@scope.check(
    "sock_sendall",
    "error_raises",
    requirement="When sending fails (the peer has closed the connection), sock_sendall raises an "
    "exception instead of returning.",
    covers=("sock_sendall.6",),
)
def test_sock_sendall_error_raises(loop):
    with Net(loop) as net:
        a, b = _pair(net)
        b.close()

        exc = net.outcome(loop.sock_sendall, a, payload(1 << 20), what="sock_sendall of 1 MiB to a closed peer")
        expect_instance(
            exc,
            OSError,
            "sock_sendall to a closed peer did not raise the send error",
            expected="an OSError (BrokenPipeError, ConnectionResetError...)",
        )


# -- sock_connect -----------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["ipv4", "ipv6", "unix"])
@scope.check(
    "sock_connect",
    "connects",
    requirement="sock_connect connects the socket to a listening socket at the given (already resolved) address.",
    covers=("sock_connect.2", "sock_connect.1:partial"),
)
def test_sock_connect_connects(loop, where):
    with Net(loop) as net:
        listener, family, address = _listener(net, where)
        s = net.sock(family, socket.SOCK_STREAM)
        s.setblocking(False)
        net.run(loop.sock_connect(s, address), what=f"sock_connect to {address!r}")
        expect_equal(s.getpeername(), address, "after sock_connect the socket is not connected to the address")
        conn = net.accept(listener)
        expect_equal(conn.getpeername(), s.getsockname(), "the listener accepted a different peer")


@scope.check(
    "sock_connect",
    "resolves_hostname",
    requirement="sock_connect accepts an address whose host is a name ('localhost') and resolves it before connecting.",
    covers=("sock_connect.3:partial",),
)
def test_sock_connect_resolves_hostname(loop):
    with Net(loop) as net:
        listener = net.listener(socket.AF_INET)
        port = listener.getsockname()[1]
        try:
            infos = socket.getaddrinfo("localhost", port, socket.AF_INET, socket.SOCK_STREAM)
        except socket.gaierror as exc:
            pytest.skip(f"'localhost' does not resolve on this machine: {exc}")
        if not infos or infos[0][4][0] != "127.0.0.1":
            pytest.skip("'localhost' does not resolve to 127.0.0.1 first on this machine")
        s = net.sock(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        net.run(loop.sock_connect(s, ("localhost", port)), what="sock_connect to ('localhost', port)")
        expect_equal(
            s.getpeername(), ("127.0.0.1", port), "sock_connect to ('localhost', port) did not connect to 127.0.0.1"
        )
        net.accept(listener)


@scope.check(
    "sock_connect",
    "resolves_without_blocking",
    covers=("sock_connect.3",),
    requirement="sock_connect to ('localhost', port) resolves the name off the loop thread (as "
    "loop.getaddrinfo does): other callbacks run while a slow resolution is in progress.",
)
def test_sock_connect_resolves_without_blocking(loop):
    """19.5.1.11 sock_connect: a host name is resolved through loop.getaddrinfo(), which does not
    block the loop (19.5.1.12). socket.getaddrinfo is held back until a loop callback runs (see
    _support/resolver.py); a loop that resolves on its own thread cannot run it.
    """
    with Net(loop) as net:
        listener = net.listener(socket.AF_INET)
        port = listener.getsockname()[1]
        s = net.sock(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)

        def marked(args, kwargs):
            return args[:2] == ("localhost", port) or (args[:1] == ("localhost",) and kwargs.get("port") == port)

        with SlowResolver(loop, "getaddrinfo", marked) as slow:

            async def scenario():
                slow.poll()
                await loop.sock_connect(s, ("localhost", port))

            net.run(
                scenario(),
                timeout=BLOCK_LIMIT + 3,
                what="sock_connect to ('localhost', port), name resolution held back until a loop callback runs",
            )
        if not slow.entered.is_set():
            pytest.skip(
                "the loop's sock_connect does not call socket.getaddrinfo; a slow resolution cannot be "
                "simulated for it without real DNS"
            )
        if slow.blocked_loop:
            raise Violation(
                "sock_connect resolved 'localhost' on the loop thread: no callback ran while the "
                f"resolution was in progress (held {BLOCK_LIMIT:g}s)",
                expected="resolution through loop.getaddrinfo (off the loop thread)",
                observed="socket.getaddrinfo blocked the loop",
            )
        expect(slow.released_by_loop, "no loop callback ran while sock_connect resolved its host name")
        expect_equal(s.getpeername()[1], port, "sock_connect did not connect to the listener's port")
        net.accept(listener)


@scope.check(
    "sock_connect",
    "refused_raises",
    requirement="sock_connect to an address where nothing listens raises ConnectionRefusedError, as "
    "a blocking connect does.",
    covers=("sock_connect.2",),
)
def test_sock_connect_refused_raises(loop):
    with Net(loop) as net:
        closed = net.sock(socket.AF_INET, socket.SOCK_STREAM)
        closed.bind(("127.0.0.1", 0))  # bound, not listening: the port stays reserved and refuses
        s = net.sock(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)

        exc = net.outcome(
            loop.sock_connect, s, closed.getsockname(), what="sock_connect to a port where nothing listens"
        )
        expect(
            isinstance(exc, ConnectionRefusedError),
            "sock_connect to a closed port did not raise ConnectionRefusedError",
            expected="ConnectionRefusedError",
            observed=repr(exc),
        )


# -- sock_accept ------------------------------------------------------------------------------


def _accepted(net, loop, where):
    listener, family, address = _listener(net, where)
    listener.setblocking(False)
    client = net.connect(address, family)
    result = net.run(loop.sock_accept(listener), what="sock_accept of a completed connection")
    return client, result


@scope.check(
    "sock_accept",
    "returns_usable_pair",
    requirement="sock_accept returns a pair (conn, address) where conn is a new socket that can "
    "send and receive on the accepted connection.",
    covers=("sock_accept.4", "sock_accept.1:partial", "sock_accept.2:partial"),
)
def test_sock_accept_returns_usable_pair(loop):
    with Net(loop) as net:
        client, result = _accepted(net, loop, "ipv4")
        expect(
            isinstance(result, tuple) and len(result) == 2,
            "sock_accept did not return a pair",
            expected="(conn, address)",
            observed=repr(result),
        )
        conn, _ = result
        expect(
            isinstance(conn, socket.socket),
            "the first item of sock_accept's result is not a socket",
            observed=type(conn).__name__,
        )
        net.adopt(conn)
        conn.settimeout(TIMEOUT)
        client.sendall(b"ping")
        expect_equal(conn.recv(100), b"ping", "the accepted socket did not receive what the client sent")
        conn.sendall(b"pong")
        expect_equal(client.recv(100), b"pong", "the client did not receive what the accepted socket sent")


@scope.check(
    "sock_accept",
    "waits_for_connection",
    covers=("sock_accept.2",),
    requirement="sock_accept on a listening socket with no pending connection waits (other callbacks "
    "run) and returns the connection made later.",
)
def test_sock_accept_waits_for_connection(loop):
    """19.5.1.11 sock_accept: modeled after blocking accept(), so it waits for a connection; a single
    non-blocking attempt (BlockingIOError, None) fails.
    """
    with Net(loop) as net:
        listener, family, address = _listener(net, "ipv4")
        listener.setblocking(False)

        async def scenario():
            pending = loop.create_task(loop.sock_accept(listener))
            await io_rounds(loop, 1)
            if pending.done():
                if not pending.cancelled() and pending.exception() is None and isinstance(pending.result(), tuple):
                    net.adopt(pending.result()[0])
                raise Violation(
                    "sock_accept finished before any client connected",
                    expected="still waiting",
                    observed=_ended(pending),
                )
            client = net.connect(address, family)
            return client, await pending

        client, result = net.run(scenario(), what="sock_accept waiting for a later connection")
        expect(
            isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], socket.socket),
            "sock_accept did not return (conn, address)",
            observed=repr(result),
        )
        conn = net.adopt(result[0])
        expect_equal(conn.getpeername(), client.getsockname(), "sock_accept returned another connection")


@scope.check(
    "sock_accept",
    "cancel_leaves_socket_usable",
    covers=("sock_accept.2",),
    requirement="Cancelling a waiting sock_accept accepts nothing: a later sock_accept on the same "
    "listener returns the connection made after the cancellation.",
)
def test_sock_accept_cancel_leaves_socket_usable(loop):
    with Net(loop) as net:
        listener, family, address = _listener(net, "ipv4")
        listener.setblocking(False)

        async def scenario():
            pending = loop.create_task(loop.sock_accept(listener))
            await io_rounds(loop, 1)
            if pending.done():
                raise Violation("sock_accept finished although no client connected", observed=_ended(pending))
            await _cancel(pending, "sock_accept")
            client = net.connect(address, family)
            await io_rounds(loop, 2)  # a stale watcher, if any, would take the connection now
            return client, await loop.sock_accept(listener)

        client, (conn, _) = net.run(scenario(), what="sock_accept after a cancelled sock_accept")
        net.adopt(conn)
        expect_equal(
            conn.getpeername(),
            client.getsockname(),
            "the sock_accept after a cancelled one did not return the new connection",
        )


@pytest.mark.parametrize("where", ["ipv4", "ipv6"])
@scope.check(
    "sock_accept",
    "address_is_peer",
    requirement="The address returned by sock_accept is the address the connecting socket is bound to.",
    covers=("sock_accept.5",),
)
def test_sock_accept_address_is_peer(loop, where):
    with Net(loop) as net:
        client, (conn, address) = _accepted(net, loop, where)
        net.adopt(conn)
        expect_equal(address, client.getsockname(), "sock_accept's address is not the client's address")


# -- sock_sendfile (same scenarios as loop.sendfile, _support/sendfile.py) ----------------------

SF = "sock_sendfile"
SOCK = "socket"


@scope.check(
    "sock_sendfile",
    "returns_total",
    requirement="sock_sendfile returns the total number of bytes it sent (the whole file when no "
    "offset or count is given).",
    covers=("sock_sendfile.3", "sock_sendfile.1:partial"),
)
def test_sock_sendfile_returns_total(loop):
    sf.returns_total(loop, SOCK)


@pytest.mark.parametrize("kind", ["unix", "tcp"])
@scope.check(
    "sock_sendfile",
    "peer_receives_file",
    requirement="After sock_sendfile returns, the peer receives exactly the file's bytes.",
    covers=("sock_sendfile.4",),
)
def test_sock_sendfile_peer_receives_file(loop, kind):
    sf.peer_receives_file(loop, SOCK, kind)


@scope.check(
    "sock_sendfile",
    "offset_and_count",
    requirement="With offset and count, sock_sendfile sends exactly count bytes starting at offset and returns count.",
    covers=("sock_sendfile.7", "sock_sendfile.8"),
)
def test_sock_sendfile_offset_and_count(loop):
    sf.offset_and_count(loop, SOCK)


@scope.check(
    "sock_sendfile",
    "offset_to_eof",
    requirement="With an offset and no count, sock_sendfile sends from offset until the end of the file.",
    covers=("sock_sendfile.7",),
)
def test_sock_sendfile_offset_to_eof(loop):
    sf.offset_to_eof(loop, SOCK)


@scope.check(
    "sock_sendfile",
    "file_position_on_return",
    requirement="When sock_sendfile returns, the file position is offset plus the number of bytes sent.",
    covers=("sock_sendfile.9",),
)
def test_sock_sendfile_file_position_on_return(loop):
    sf.file_position_on_return(loop, SOCK)


@scope.check(
    "sock_sendfile",
    "fallback_when_unavailable",
    requirement="With fallback=True, sock_sendfile still sends the whole file when the sendfile "
    "syscall is not supported.",
    covers=("sock_sendfile.11",),
)
def test_sock_sendfile_fallback_when_unavailable(loop):
    sf.fallback_when_unavailable(loop, SOCK)


@scope.check(
    "sock_sendfile",
    "no_fallback_raises",
    requirement="With fallback=False, sock_sendfile raises SendfileNotAvailableError when the "
    "sendfile syscall is not supported.",
    covers=("sock_sendfile.12",),
)
def test_sock_sendfile_no_fallback_raises(loop):
    sf.no_fallback_raises(loop, SOCK)


@scope.check(
    "sock_sendfile",
    "file_position_on_error",
    requirement="When sock_sendfile fails, the file position is offset plus the bytes the peer received.",
    covers=("sock_sendfile.10:partial",),
)
def test_sock_sendfile_file_position_on_error(loop):
    sf.file_position_on_error(loop, SOCK)


@scope.check(
    "sock_sendfile",
    "fallback_by_default",
    covers=("sock_sendfile.13",),
    requirement="Without a fallback argument, sock_sendfile falls back to reading and sending the file "
    "itself where the sendfile syscall is not supported (fallback defaults to True).",
)
def test_sock_sendfile_fallback_by_default(loop):
    sf.fallback_when_unavailable(loop, SOCK, by_default=True)


@scope.check(
    "sock_sendfile",
    "uses_os_sendfile",
    level=SHOULD,
    note="sock-sendfile-uses-os-sendfile",
    covers=("sock_sendfile.2",),
    requirement="sock_sendfile of a regular file over a UNIX stream socket uses os.sendfile.",
)
def test_sock_sendfile_uses_os_sendfile(loop):
    sf.uses_os_sendfile(loop, SOCK)


@scope.check(
    "sock_sendfile",
    "file_position_after_midway_failure",
    covers=("sock_sendfile.10",),
    requirement="When sock_sendfile fails in the middle of the file (the peer stops reading), "
    "file.tell() is offset plus the bytes that went into the connection.",
)
def test_sock_sendfile_file_position_after_midway_failure(loop):
    """19.5.1.11 sock_sendfile: the file position is updated also when the call raises. The loop
    sends the way it chooses (os.sendfile where it uses it)."""
    sf.file_position_on_midway_error(loop, SOCK, must_fail=True)


@scope.check(
    "sock_sendfile",
    "fallback_position_after_midway_failure",
    note="sendfile-fallback-position",
    covers=("sock_sendfile.10",),
    requirement="On the read-and-send fallback (sendfile syscall unavailable, fallback=True), when "
    "sock_sendfile fails in the middle of the file, file.tell() has moved past offset and "
    "not beyond offset plus the bytes that went into the connection.",
)
def test_sock_sendfile_fallback_position_after_midway_failure(loop):
    """19.5.1.11 sock_sendfile on its fallback path. Bounded, not exact: see the spec note (stock
    asyncio counts only whole blocks there)."""
    sf.file_position_on_midway_error(loop, SOCK, path="fallback", must_fail=True)


@scope.check(
    "sock_sendfile",
    "text_file_refused",
    level=SHOULD,
    note="sendfile-caller-obligations",
    requirement="sock_sendfile refuses (raises) a file opened in text mode instead of sending it.",
    covers=("sock_sendfile.6",),
)
def test_sock_sendfile_text_file_refused(loop):
    """Caller obligation without a documented exception: SHOULD. Stock asyncio 3.10-3.13 raises
    ValueError.
    """
    sf.text_file_refused(loop, SOCK)


@scope.check(
    "sock_sendfile",
    "non_regular_refused_without_fallback",
    level=SHOULD,
    note="sendfile-caller-obligations",
    requirement="With fallback=False, sock_sendfile refuses (raises) a file that is not a regular file.",
    covers=("sock_sendfile.6",),
)
def test_sock_sendfile_non_regular_refused_without_fallback(loop):
    """Caller obligation: SHOULD. Stock asyncio 3.10-3.13 raises SendfileNotAvailableError."""
    sf.non_regular_refused_without_fallback(loop, SOCK)


@scope.check(
    "sock_sendfile",
    "non_stream_socket_refused",
    level=SHOULD,
    note="sendfile-caller-obligations",
    requirement="sock_sendfile refuses (raises) a socket that is not of type SOCK_STREAM.",
    covers=("sock_sendfile.5",),
)
def test_sock_sendfile_non_stream_socket_refused(loop):
    """Caller obligation without a documented exception: SHOULD. Stock asyncio 3.10-3.13 raises
    ValueError.
    """
    with Net(loop) as net, sf.data_file(1000) as f:
        u = net.sock(socket.AF_INET, socket.SOCK_DGRAM)
        u.setblocking(False)
        peer = net.sock(socket.AF_INET, socket.SOCK_DGRAM)
        peer.bind(("127.0.0.1", 0))
        u.connect(peer.getsockname())

        result = net.outcome(loop.sock_sendfile, u, f, what="sock_sendfile on a datagram socket")
        expect(
            isinstance(result, Exception),
            "sock_sendfile accepted a SOCK_DGRAM socket",
            expected="an exception",
            observed=f"returned {result!r}",
        )


# -- datagram operations (documented from 3.11) ------------------------------------------------


def _udp_pair(net):
    a = net.sock(socket.AF_INET, socket.SOCK_DGRAM)
    b = net.sock(socket.AF_INET, socket.SOCK_DGRAM)
    a.bind(("127.0.0.1", 0))
    b.bind(("127.0.0.1", 0))
    a.setblocking(False)
    b.settimeout(TIMEOUT)
    return a, b


@scope.check(
    "sock_recvfrom",
    "returns_data_and_address",
    since="3.11",
    requirement="sock_recvfrom returns (data, address): the datagram received and the sender's address.",
    covers=("sock_recvfrom.1",),
)
def test_sock_recvfrom_returns_data_and_address(loop):
    with Net(loop) as net:
        a, b = _udp_pair(net)
        b.sendto(b"datagram", a.getsockname())
        result = net.run(loop.sock_recvfrom(a, 100), what="sock_recvfrom of a waiting datagram")
        expect_equal(result, (b"datagram", b.getsockname()), "sock_recvfrom did not return (data, sender)")
        expect(type(result[0]) is bytes, "sock_recvfrom's data is not bytes", observed=type(result[0]).__name__)


@scope.check(
    "sock_recvfrom_into",
    "returns_count_and_address",
    since="3.11",
    requirement="sock_recvfrom_into writes the datagram into the buffer and returns (count, address).",
    covers=("sock_recvfrom_into.1:partial",),
)
def test_sock_recvfrom_into_returns_count_and_address(loop):
    with Net(loop) as net:
        a, b = _udp_pair(net)
        b.sendto(b"datagram", a.getsockname())
        buf = bytearray(b"\xee" * 12)
        result = net.run(loop.sock_recvfrom_into(a, buf), what="sock_recvfrom_into of a waiting datagram")
        expect_equal(result, (8, b.getsockname()), "sock_recvfrom_into did not return (count, sender)")
        expect_equal(bytes(buf), b"datagram" + b"\xee" * 4, "sock_recvfrom_into did not write the datagram into buf")


@scope.check(
    "sock_recvfrom_into",
    "nbytes_limits",
    since="3.11",
    covers=("sock_recvfrom_into.1",),
    requirement="sock_recvfrom_into(sock, buf, nbytes) writes at most nbytes bytes of the datagram "
    "and leaves the rest of buf untouched; it returns (count, address).",
)
def test_sock_recvfrom_into_nbytes_limits(loop):
    with Net(loop) as net:
        a, b = _udp_pair(net)
        b.sendto(b"0123456789", a.getsockname())
        buf = bytearray(b"\xee" * 12)
        result = net.run(
            loop.sock_recvfrom_into(a, buf, 4), what="sock_recvfrom_into(sock, buf, 4) of a 10-byte datagram"
        )
        expect_equal(
            (result, bytes(buf)),
            (((4, b.getsockname())), b"0123" + b"\xee" * 8),
            "sock_recvfrom_into with nbytes=4 did not write exactly 4 bytes and return (4, sender)",
        )


@scope.check(
    "sock_recvfrom",
    "waits_for_datagram",
    since="3.11",
    covers=("sock_recvfrom.1",),
    requirement="sock_recvfrom on a socket with no datagram waiting waits (other callbacks run) and "
    "returns the datagram sent later.",
)
def test_sock_recvfrom_waits_for_datagram(loop):
    with Net(loop) as net:
        a, b = _udp_pair(net)

        async def scenario():
            pending = loop.create_task(loop.sock_recvfrom(a, 100))
            await io_rounds(loop, 1)
            if pending.done():
                raise Violation(
                    "sock_recvfrom finished before any datagram was sent",
                    expected="still waiting",
                    observed=_ended(pending),
                )
            b.sendto(b"late", a.getsockname())
            return await pending

        result = net.run(scenario(), what="sock_recvfrom waiting for a later datagram")
        expect_equal(result, (b"late", b.getsockname()), "sock_recvfrom did not return the later datagram")


@scope.check(
    "sock_sendto",
    "sends_datagram",
    since="3.11",
    requirement="sock_sendto sends the data as one datagram to the address and returns the number of bytes sent.",
    covers=("sock_sendto.1",),
)
def test_sock_sendto_sends_datagram(loop):
    with Net(loop) as net:
        a, b = _udp_pair(net)
        result = net.run(loop.sock_sendto(a, b"datagram", b.getsockname()), what="sock_sendto")
        expect_equal(b.recvfrom(100), (b"datagram", a.getsockname()), "the peer did not receive the datagram")
        expect_equal(result, 8, "sock_sendto did not return the number of bytes sent")


# -- blocking sockets (INFO: the doc makes non-blocking the caller's duty) ------------------------


def _blocking_case(net, loop, method):
    """A blocking socket ready for ``method`` so that, if accepted, the call cannot hang."""
    a, b = socket.socketpair()
    net.adopt(a)
    net.adopt(b)
    b.sendall(b"x" * 10)
    a.settimeout(TIMEOUT)  # blocking (timeout mode): gettimeout() != 0
    if method == "sock_recv":
        return loop.sock_recv(a, 10)
    if method == "sock_recv_into":
        return loop.sock_recv_into(a, bytearray(10))
    if method == "sock_sendall":
        return loop.sock_sendall(a, b"y")
    if method == "sock_accept":
        listener = net.listener(socket.AF_INET)
        net.connect(listener.getsockname())
        listener.settimeout(TIMEOUT)
        return loop.sock_accept(listener)
    if method == "sock_connect":
        listener = net.listener(socket.AF_INET)
        s = net.sock(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(TIMEOUT)
        return loop.sock_connect(s, listener.getsockname())
    raise AssertionError(method)


def _blocking_check(method, statement):
    @scope.check(
        method,
        "blocking_socket_refused_in_debug",
        level=INFO,
        note=BLOCKING_NOTE,
        covers=(statement,),
        requirement=f"In debug mode, {method} refuses a blocking socket with ValueError.",
    )
    def test(loop):
        """With SelectorEventLoop the socket must be non-blocking.

        The doc states a caller obligation; stock asyncio 3.10-3.13 enforces it only in debug
        mode (ValueError) and silently blocks the loop otherwise, so this is INFO.
        """
        with Net(loop) as net:
            loop.set_debug(True)
            aw = _blocking_case(net, loop, method)
            result = net.outcome(lambda: aw, what=f"{method} on a blocking socket in debug mode")
            if isinstance(result, tuple) and result and isinstance(result[0], socket.socket):
                net.adopt(result[0])
            expect_instance(
                result, ValueError, f"{method} accepted a blocking socket in debug mode", expected="ValueError"
            )

    test.__name__ = f"test_{method}_blocking_socket_refused_in_debug"
    return test


#: The non-blocking-socket obligation of each method (statement catalogue).
_BLOCKING_STATEMENTS = {
    "sock_recv": "sock_recv.5",
    "sock_recv_into": "sock_recv_into.5",
    "sock_sendall": "sock_sendall.8",
    "sock_accept": "sock_accept.6",
    "sock_connect": "sock_connect.4",
}
for _m, _s in _BLOCKING_STATEMENTS.items():
    globals()[f"test_{_m}_blocking_socket_refused_in_debug"] = _blocking_check(_m, _s)
del _m, _s
