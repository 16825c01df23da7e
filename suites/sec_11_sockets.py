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

import pytest

from loopconf import checks
from loopconf.checks import INFO, SHOULD
from loopconf.evidence import Violation, expect, expect_equal, expect_instance

from ._support import sendfile as sf
from ._support.net import Net, io_rounds, require_family, short_unix_path
from ._support.peers import TIMEOUT, ThreadReader, payload

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

@scope.check("sock_recv", "returns_bytes",
             requirement="sock_recv returns a bytes object holding the data received.", covers=("sock_recv.3",))
def test_sock_recv_returns_bytes(loop):
    with Net(loop) as net:
        a, b = _pair(net)
        b.sendall(b"hello")
        data = net.run(loop.sock_recv(a, 100), what="sock_recv with data already waiting")
        expect(type(data) is bytes, "sock_recv did not return a bytes object",
               expected="bytes", observed=type(data).__name__)
        expect_equal(data, b"hello", "sock_recv returned other data than was sent")


@scope.check("sock_recv", "at_most_nbytes",
             requirement="sock_recv returns at most nbytes bytes per call; the rest stays for later calls, "
                         "in order.", covers=("sock_recv.4",))
def test_sock_recv_at_most_nbytes(loop):
    sent = payload(1000)
    with Net(loop) as net:
        a, b = _pair(net)
        b.sendall(sent)
        got = bytearray()
        while len(got) < len(sent):
            chunk = net.run(loop.sock_recv(a, 10), what="sock_recv(sock, 10)")
            expect(0 < len(chunk) <= 10, "sock_recv(sock, 10) returned more than 10 bytes (or none before EOF)",
                   expected="1..10 bytes", observed=f"{len(chunk)} bytes")
            got += chunk
        expect_equal(bytes(got), sent, "successive sock_recv calls did not return the stream in order")


@scope.check("sock_recv", "waits_for_data",
             requirement="sock_recv on a socket with no data waiting returns the data that arrives later.", covers=("sock_recv.1", "sock_recv.2"))
def test_sock_recv_waits_for_data(loop):
    with Net(loop) as net:
        a, b = _pair(net)

        async def scenario():
            pending = loop.create_task(loop.sock_recv(a, 100))
            await io_rounds(loop, 1)  # the call has started and the loop has polled
            if pending.done():
                raise Violation("sock_recv returned before any data was sent",
                                expected="still waiting", observed=repr(pending.result()))
            b.sendall(b"late")
            return await pending

        data = net.run(scenario(), what="sock_recv waiting for data sent later")
        expect_equal(data, b"late", "sock_recv did not return the data that arrived later")


@scope.check("sock_recv", "eof_returns_empty",
             requirement="sock_recv returns an empty bytes object once the peer has closed the connection.", covers=("sock_recv.2",))
def test_sock_recv_eof_returns_empty(loop):
    with Net(loop) as net:
        a, b = _pair(net)
        b.close()
        data = net.run(loop.sock_recv(a, 100), what="sock_recv after the peer closed")
        expect_equal(data, b"", "sock_recv at end of stream did not return b''")


@scope.check("sock_recv", "cancel_leaves_socket_usable",
             requirement="Cancelling a pending sock_recv consumes nothing: a later sock_recv on the same "
                         "socket receives the data sent after the cancellation.", covers=("sock_recv.1", "sock_recv.2"))
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
        expect_equal(data, b"after-cancel", "data sent after cancelling a sock_recv was not received by "
                                            "the next sock_recv")


# -- sock_recv_into ---------------------------------------------------------------------------

@scope.check("sock_recv_into", "returns_count",
             requirement="sock_recv_into returns the number of bytes written into the buffer, as an int.", covers=("sock_recv_into.4",))
def test_sock_recv_into_returns_count(loop):
    with Net(loop) as net:
        a, b = _pair(net)
        b.sendall(b"hello")
        n = net.run(loop.sock_recv_into(a, bytearray(100)), what="sock_recv_into")
        expect(isinstance(n, int) and not isinstance(n, bool), "sock_recv_into did not return an int",
               expected="int", observed=f"{type(n).__name__}: {n!r}")
        expect_equal(n, 5, "sock_recv_into returned a count other than the bytes received")


@scope.check("sock_recv_into", "writes_buffer",
             requirement="sock_recv_into writes the received data at the start of the given buffer and "
                         "leaves the rest of it untouched.", covers=("sock_recv_into.2", "sock_recv_into.1:partial"))
def test_sock_recv_into_writes_buffer(loop):
    with Net(loop) as net:
        a, b = _pair(net)
        b.sendall(b"hello")
        buf = bytearray(b"\xee" * 16)
        n = net.run(loop.sock_recv_into(a, buf), what="sock_recv_into")
        expect_equal(bytes(buf), b"hello" + b"\xee" * 11,
                     f"the buffer after sock_recv_into (returned {n!r}) does not hold the data")


# -- sock_sendall -----------------------------------------------------------------------------

@scope.check("sock_sendall", "returns_none", requirement="sock_sendall returns None on success.", covers=("sock_sendall.2", "sock_sendall.5", "sock_sendall.1:partial"))
def test_sock_sendall_returns_none(loop):
    with Net(loop) as net:
        a, b = _pair(net)
        result = net.run(loop.sock_sendall(a, b"hello"), what="sock_sendall of 5 bytes")
        expect(result is None, "sock_sendall returned something other than None",
               expected=None, observed=repr(result))
        expect_equal(b.recv(100), b"hello", "the peer did not receive what sock_sendall sent")


@scope.check("sock_sendall", "sends_everything",
             requirement="sock_sendall sends all the data, even far more than the socket buffers hold, "
                         "before it returns.", covers=("sock_sendall.2", "sock_sendall.4"))
def test_sock_sendall_sends_everything(loop):
    data = payload(4 << 20)
    with Net(loop) as net:
        a, b = _pair(net)
        reader = ThreadReader(sock=b)
        net.run(loop.sock_sendall(a, data), timeout=10, what="sock_sendall of 4 MiB while the peer reads")
        a.shutdown(socket.SHUT_WR)
        got = reader.join()
        expect(reader.finished, "the peer saw no end of stream after sock_sendall and shutdown")
        expect(got == data, "the peer did not receive exactly the data given to sock_sendall",
               expected=f"{len(data)} bytes", observed=f"{len(got)} bytes"
               + ("" if len(got) != len(data) else " (different content)"))


@scope.check("sock_sendall", "error_raises",
             requirement="When sending fails (the peer has closed the connection), sock_sendall raises an "
                         "exception instead of returning.", covers=("sock_sendall.6",))
def test_sock_sendall_error_raises(loop):
    with Net(loop) as net:
        a, b = _pair(net)
        b.close()

        async def attempt():
            try:
                await loop.sock_sendall(a, payload(1 << 20))
            except NotImplementedError:
                raise
            except Exception as exc:
                return exc
            return None

        exc = net.run(attempt(), what="sock_sendall of 1 MiB to a closed peer")
        expect_instance(exc, OSError,
                        "sock_sendall to a closed peer did not raise the send error",
                        expected="an OSError (BrokenPipeError, ConnectionResetError...)")


# -- sock_connect -----------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["ipv4", "ipv6", "unix"])
@scope.check("sock_connect", "connects",
             requirement="sock_connect connects the socket to a listening socket at the given (already "
                         "resolved) address.", covers=("sock_connect.2", "sock_connect.1:partial"))
def test_sock_connect_connects(loop, where):
    with Net(loop) as net:
        listener, family, address = _listener(net, where)
        s = net.sock(family, socket.SOCK_STREAM)
        s.setblocking(False)
        net.run(loop.sock_connect(s, address), what=f"sock_connect to {address!r}")
        expect_equal(s.getpeername(), address, "after sock_connect the socket is not connected to the address")
        conn = net.accept(listener)
        expect_equal(conn.getpeername(), s.getsockname(), "the listener accepted a different peer")


@scope.check("sock_connect", "resolves_hostname",
             requirement="sock_connect accepts an address whose host is a name ('localhost') and resolves it "
                         "before connecting.", covers=("sock_connect.3:partial",))
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
        expect_equal(s.getpeername(), ("127.0.0.1", port),
                     "sock_connect to ('localhost', port) did not connect to 127.0.0.1")
        net.accept(listener)


@scope.check("sock_connect", "refused_raises",
             requirement="sock_connect to an address where nothing listens raises ConnectionRefusedError, as "
                         "a blocking connect does.", covers=("sock_connect.2",))
def test_sock_connect_refused_raises(loop):
    with Net(loop) as net:
        closed = net.sock(socket.AF_INET, socket.SOCK_STREAM)
        closed.bind(("127.0.0.1", 0))  # bound, not listening: the port stays reserved and refuses
        s = net.sock(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)

        async def attempt():
            try:
                await loop.sock_connect(s, closed.getsockname())
            except NotImplementedError:
                raise
            except Exception as exc:
                return exc
            return None

        exc = net.run(attempt(), what="sock_connect to a port where nothing listens")
        expect(isinstance(exc, ConnectionRefusedError), "sock_connect to a closed port did not raise "
               "ConnectionRefusedError", expected="ConnectionRefusedError", observed=repr(exc))


# -- sock_accept ------------------------------------------------------------------------------

def _accepted(net, loop, where):
    listener, family, address = _listener(net, where)
    listener.setblocking(False)
    client = net.connect(address, family)
    result = net.run(loop.sock_accept(listener), what="sock_accept of a completed connection")
    return client, result


@scope.check("sock_accept", "returns_usable_pair",
             requirement="sock_accept returns a pair (conn, address) where conn is a new socket that can "
                         "send and receive on the accepted connection.", covers=("sock_accept.4", "sock_accept.1:partial", "sock_accept.2:partial"))
def test_sock_accept_returns_usable_pair(loop):
    with Net(loop) as net:
        client, result = _accepted(net, loop, "ipv4")
        expect(isinstance(result, tuple) and len(result) == 2, "sock_accept did not return a pair",
               expected="(conn, address)", observed=repr(result))
        conn, _ = result
        expect(isinstance(conn, socket.socket), "the first item of sock_accept's result is not a socket",
               observed=type(conn).__name__)
        net.adopt(conn)
        conn.settimeout(TIMEOUT)
        client.sendall(b"ping")
        expect_equal(conn.recv(100), b"ping", "the accepted socket did not receive what the client sent")
        conn.sendall(b"pong")
        expect_equal(client.recv(100), b"pong", "the client did not receive what the accepted socket sent")


@pytest.mark.parametrize("where", ["ipv4", "ipv6"])
@scope.check("sock_accept", "address_is_peer",
             requirement="The address returned by sock_accept is the address the connecting socket is bound "
                         "to.", covers=("sock_accept.5",))
def test_sock_accept_address_is_peer(loop, where):
    with Net(loop) as net:
        client, (conn, address) = _accepted(net, loop, where)
        net.adopt(conn)
        expect_equal(address, client.getsockname(), "sock_accept's address is not the client's address")


# -- sock_sendfile (same scenarios as loop.sendfile, _support/sendfile.py) ----------------------

SF = "sock_sendfile"
SOCK = "socket"


@scope.check("sock_sendfile", "returns_total",
             requirement="sock_sendfile returns the total number of bytes it sent (the whole file when no "
                         "offset or count is given).", covers=("sock_sendfile.3", "sock_sendfile.1:partial"))
def test_sock_sendfile_returns_total(loop):
    sf.returns_total(loop, SOCK)


@pytest.mark.parametrize("kind", ["unix", "tcp"])
@scope.check("sock_sendfile", "peer_receives_file",
             requirement="After sock_sendfile returns, the peer receives exactly the file's bytes.", covers=("sock_sendfile.4",))
def test_sock_sendfile_peer_receives_file(loop, kind):
    sf.peer_receives_file(loop, SOCK, kind)


@scope.check("sock_sendfile", "offset_and_count",
             requirement="With offset and count, sock_sendfile sends exactly count bytes starting at offset "
                         "and returns count.", covers=("sock_sendfile.7", "sock_sendfile.8"))
def test_sock_sendfile_offset_and_count(loop):
    sf.offset_and_count(loop, SOCK)


@scope.check("sock_sendfile", "offset_to_eof",
             requirement="With an offset and no count, sock_sendfile sends from offset until the end of the "
                         "file.", covers=("sock_sendfile.7",))
def test_sock_sendfile_offset_to_eof(loop):
    sf.offset_to_eof(loop, SOCK)


@scope.check("sock_sendfile", "file_position_on_return",
             requirement="When sock_sendfile returns, the file position is offset plus the number of bytes "
                         "sent.", covers=("sock_sendfile.9",))
def test_sock_sendfile_file_position_on_return(loop):
    sf.file_position_on_return(loop, SOCK)


@scope.check("sock_sendfile", "fallback_when_unavailable",
             requirement="With fallback=True, sock_sendfile still sends the whole file when the sendfile "
                         "syscall is not supported.", covers=("sock_sendfile.11",))
def test_sock_sendfile_fallback_when_unavailable(loop):
    sf.fallback_when_unavailable(loop, SOCK)


@scope.check("sock_sendfile", "no_fallback_raises",
             requirement="With fallback=False, sock_sendfile raises SendfileNotAvailableError when the "
                         "sendfile syscall is not supported.", covers=("sock_sendfile.12",))
def test_sock_sendfile_no_fallback_raises(loop):
    sf.no_fallback_raises(loop, SOCK)


@scope.check("sock_sendfile", "file_position_on_error",
             requirement="When sock_sendfile fails, the file position is offset plus the bytes the peer "
                         "received.", covers=("sock_sendfile.10:partial",))
def test_sock_sendfile_file_position_on_error(loop):
    sf.file_position_on_error(loop, SOCK)


@scope.check("sock_sendfile", "text_file_refused", level=SHOULD, note="sendfile-caller-obligations",
             requirement="sock_sendfile refuses (raises) a file opened in text mode instead of sending it.", covers=("sock_sendfile.6",))
def test_sock_sendfile_text_file_refused(loop):
    """Caller obligation without a documented exception: SHOULD. Stock asyncio 3.10-3.13 raises
    ValueError.
    """
    sf.text_file_refused(loop, SOCK)


@scope.check("sock_sendfile", "non_regular_refused_without_fallback", level=SHOULD,
             note="sendfile-caller-obligations",
             requirement="With fallback=False, sock_sendfile refuses (raises) a file that is not a regular "
                         "file.", covers=("sock_sendfile.6",))
def test_sock_sendfile_non_regular_refused_without_fallback(loop):
    """Caller obligation: SHOULD. Stock asyncio 3.10-3.13 raises SendfileNotAvailableError."""
    sf.non_regular_refused_without_fallback(loop, SOCK)


@scope.check("sock_sendfile", "non_stream_socket_refused", level=SHOULD, note="sendfile-caller-obligations",
             requirement="sock_sendfile refuses (raises) a socket that is not of type SOCK_STREAM.", covers=("sock_sendfile.5",))
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

        async def attempt():
            try:
                return await loop.sock_sendfile(u, f)
            except NotImplementedError:
                raise
            except Exception as exc:
                return exc

        result = net.run(attempt(), what="sock_sendfile on a datagram socket")
        expect(isinstance(result, Exception), "sock_sendfile accepted a SOCK_DGRAM socket",
               expected="an exception", observed=f"returned {result!r}")


# -- datagram operations (documented from 3.11) ------------------------------------------------

def _udp_pair(net):
    a = net.sock(socket.AF_INET, socket.SOCK_DGRAM)
    b = net.sock(socket.AF_INET, socket.SOCK_DGRAM)
    a.bind(("127.0.0.1", 0))
    b.bind(("127.0.0.1", 0))
    a.setblocking(False)
    b.settimeout(TIMEOUT)
    return a, b


@scope.check("sock_recvfrom", "returns_data_and_address", since="3.11",
             requirement="sock_recvfrom returns (data, address): the datagram received and the sender's "
                         "address.", covers=("sock_recvfrom.1",))
def test_sock_recvfrom_returns_data_and_address(loop):
    with Net(loop) as net:
        a, b = _udp_pair(net)
        b.sendto(b"datagram", a.getsockname())
        result = net.run(loop.sock_recvfrom(a, 100), what="sock_recvfrom of a waiting datagram")
        expect_equal(result, (b"datagram", b.getsockname()), "sock_recvfrom did not return (data, sender)")
        expect(type(result[0]) is bytes, "sock_recvfrom's data is not bytes", observed=type(result[0]).__name__)


@scope.check("sock_recvfrom_into", "returns_count_and_address", since="3.11",
             requirement="sock_recvfrom_into writes the datagram into the buffer and returns (count, "
                         "address).", covers=("sock_recvfrom_into.1:partial",))
def test_sock_recvfrom_into_returns_count_and_address(loop):
    with Net(loop) as net:
        a, b = _udp_pair(net)
        b.sendto(b"datagram", a.getsockname())
        buf = bytearray(b"\xee" * 12)
        result = net.run(loop.sock_recvfrom_into(a, buf), what="sock_recvfrom_into of a waiting datagram")
        expect_equal(result, (8, b.getsockname()), "sock_recvfrom_into did not return (count, sender)")
        expect_equal(bytes(buf), b"datagram" + b"\xee" * 4, "sock_recvfrom_into did not write the datagram into buf")


@scope.check("sock_sendto", "sends_datagram", since="3.11",
             requirement="sock_sendto sends the data as one datagram to the address and returns the number "
                         "of bytes sent.", covers=("sock_sendto.1",))
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
    @scope.check(method, "blocking_socket_refused_in_debug", level=INFO, note=BLOCKING_NOTE, covers=(statement,),
                 requirement=f"In debug mode, {method} refuses a blocking socket with ValueError.")
    def test(loop):
        """With SelectorEventLoop the socket must be non-blocking.

        The doc states a caller obligation; stock asyncio 3.10-3.13 enforces it only in debug
        mode (ValueError) and silently blocks the loop otherwise, so this is INFO.
        """
        with Net(loop) as net:
            loop.set_debug(True)
            aw = _blocking_case(net, loop, method)

            async def attempt():
                try:
                    return await aw
                except NotImplementedError:
                    raise
                except Exception as exc:
                    return exc

            result = net.run(attempt(), what=f"{method} on a blocking socket in debug mode")
            if isinstance(result, tuple) and result and isinstance(result[0], socket.socket):
                net.adopt(result[0])
            expect_instance(result, ValueError,
                            f"{method} accepted a blocking socket in debug mode",
                            expected="ValueError")

    test.__name__ = f"test_{method}_blocking_socket_refused_in_debug"
    return test


#: The non-blocking-socket obligation of each method (statement catalogue).
_BLOCKING_STATEMENTS = {"sock_recv": "sock_recv.5", "sock_recv_into": "sock_recv_into.5",
                        "sock_sendall": "sock_sendall.8", "sock_accept": "sock_accept.6",
                        "sock_connect": "sock_connect.4"}
for _m, _s in _BLOCKING_STATEMENTS.items():
    globals()[f"test_{_m}_blocking_socket_refused_in_debug"] = _blocking_check(_m, _s)
del _m, _s
