"""19.5.1.6 Creating connections: create_connection, create_datagram_endpoint,
create_unix_connection (plain sockets; TLS is checked in the TLS suites).

The create_connection transport checks (write, close, abort, flow control, ...) cite 19.5.1.6:
the clause promises an implementation-dependent bidirectional stream, and the transport
methods it must offer are the documented asyncio transport interface.
"""

import asyncio
import os
import pathlib
import select
import socket
import threading
import time
import uuid

import pytest

from loopconf import checks
from loopconf.checks import INFO, LINUX, SHOULD, UNIX
from loopconf.evidence import Violation, expect, expect_equal, expect_raises

from ._support import backlog, names
from ._support.net import (
    LOOPBACK,
    TIMEOUT,
    DatagramRecorder,
    Factory,
    Net,
    Recorder,
    extra_socket,
    io_rounds,
    read_exactly,
    read_to_eof,
    require_family,
    require_reuseport,
    short_unix_path,
)
from ._support.resolver import BLOCK_LIMIT, SlowResolver

scope = checks.scope(area="connections", section="19.5.1.6")
CHUNK = b"\x5a" * 65536
FILL_LIMIT = 256 * 1024 * 1024


# -- helpers --------------------------------------------------------------------------------


def _connect(net, loop, factory=None, family=socket.AF_INET):
    """create_connection to a raw listener; returns (transport, protocol, peer socket)."""
    listener = net.listener(family)
    factory = factory or Factory(loop)
    transport, protocol = net.pair(
        net.run(
            loop.create_connection(factory, LOOPBACK[family], listener.getsockname()[1]),
            what="create_connection to a listening loopback socket",
        )
    )
    peer = net.accept(listener)
    return transport, protocol, peer


def _fill(transport, above: int = 0) -> int:
    """Write until the transport buffers more than ``above`` bytes (peer not reading)."""
    total = 0
    while transport.get_write_buffer_size() <= above:
        if total >= FILL_LIMIT:
            raise Violation(
                "get_write_buffer_size() stayed at or below the target although the peer reads nothing",
                expected=f"> {above}",
                observed=transport.get_write_buffer_size(),
            )
        transport.write(CHUNK)
        total += len(CHUNK)
    return total


def _peer_send(peer, *chunks, shut=False):
    for chunk in chunks:
        peer.sendall(chunk)
    if shut:
        peer.shutdown(socket.SHUT_WR)


# -- create_connection: the call itself -----------------------------------------------------


@scope.check(
    "create_connection",
    "returns_pair",
    requirement="On success create_connection returns a (transport, protocol) pair whose protocol "
    "is the instance the factory returned.",
    covers=("create_connection.2", "create_connection.8", "create_connection.14", "create_connection.1:partial"),
)
def test_create_connection_returns_pair(loop):
    with Net(loop) as net:
        listener = net.listener()
        factory = Factory(loop)
        result = net.run(loop.create_connection(factory, "127.0.0.1", listener.getsockname()[1]))
        if isinstance(result, tuple) and len(result) == 2:
            net.adopt(result[0])
        net.accept(listener)
        expect(
            isinstance(result, tuple) and len(result) == 2,
            "result is not a 2-tuple",
            expected="(transport, protocol)",
            observed=result,
        )
        transport, protocol = result
        expect(
            factory.protocols and protocol is factory.protocols[0],
            "the returned protocol is not the one the factory built",
            observed=protocol,
        )
        expect(
            hasattr(transport, "write") and hasattr(transport, "close"),
            "the returned transport has no write()/close()",
            observed=transport,
        )


@scope.check(
    "create_connection",
    "factory_once",
    requirement="protocol_factory is called exactly once, without arguments, per connection.",
    covers=("create_connection.10",),
)
def test_create_connection_factory_once(loop):
    with Net(loop) as net:
        factory = Factory(loop)
        _connect(net, loop, factory)
        net.run(io_rounds(loop, 2))
        expect_equal(factory.calls, [((), {})], "protocol_factory calls (args, kwargs)")


@scope.check(
    "create_connection",
    "synopsis_order",
    requirement="The connection is established before protocol_factory is called; connection_made "
    "receives the returned transport and runs before the coroutine returns.",
    covers=("create_connection.9", "create_connection.11", "create_connection.12"),
)
def test_create_connection_synopsis_order(loop):
    with Net(loop) as net:
        listener = net.listener()
        state = {"returned": False, "factory": None, "made": None}

        def on_factory():
            # the peer's listening socket becomes readable once the connection is established
            ready, _, _ = select.select([listener], [], [], 1.0)
            state["factory"] = {"connection_established": bool(ready), "returned": state["returned"]}

        class Proto(Recorder):
            def connection_made(self, transport):
                if state["made"] is None:
                    state["made"] = {"returned": state["returned"]}
                super().connection_made(transport)

        factory = Factory(loop, Proto, on_call=on_factory)

        async def go():
            result = await loop.create_connection(factory, "127.0.0.1", listener.getsockname()[1])
            state["returned"] = True
            return result

        transport, protocol = net.pair(net.run(go()))
        net.accept(listener)
        expect(state["factory"] is not None, "protocol_factory was never called")
        expect(
            state["factory"]["connection_established"],
            "protocol_factory was called before the connection was established",
        )
        expect(not state["factory"]["returned"], "protocol_factory was called after the coroutine returned")
        expect(
            state["made"] is not None and not state["made"]["returned"],
            "connection_made did not run before create_connection returned",
            observed=state["made"],
        )
        expect(
            protocol.events and protocol.events[0][0] == "connection_made",
            "connection_made was not the first protocol callback",
            observed=protocol.names(),
        )
        expect(
            protocol.events[0][1] is transport,
            "connection_made received a different transport than the one returned",
            expected=transport,
            observed=protocol.events[0][1],
        )


@pytest.mark.parametrize("family", [socket.AF_INET, socket.AF_INET6], ids=["ipv4", "ipv6"])
@scope.check(
    "create_connection",
    "host_port",
    requirement="create_connection(host, port) connects a stream socket of the host's family (IPv4 "
    "or IPv6) to host:port, and data flows both ways.",
    covers=("create_connection.2", "create_connection.3", "create_connection.5", "create_connection.13"),
)
def test_create_connection_host_port(loop, family):
    require_family(family)
    with Net(loop) as net:
        transport, protocol, peer = _connect(net, loop, family=family)
        sock = extra_socket(transport, optional=True)
        if sock is not None:
            expect_equal(sock.family, family, "socket family of the connection")
            expect_equal(sock.type, socket.SOCK_STREAM, "socket type of the connection")
        transport.write(b"ping")
        expect_equal(net.run(read_exactly(loop, peer, 4)), b"ping", "bytes the peer received")
        peer.sendall(b"pong")
        expect_equal(net.run(protocol.received(4)), b"pong", "bytes the protocol received")


@scope.check(
    "create_connection",
    "family",
    requirement="family is passed to host resolution: family=AF_INET with 'localhost' yields an "
    "AF_INET connection, and family=AF_INET6 with an IPv4 literal cannot resolve "
    "(OSError).",
    covers=("create_connection.4", "create_connection.23"),
)
def test_create_connection_family(loop):
    with Net(loop) as net:
        listener = net.listener(socket.AF_INET)
        port = listener.getsockname()[1]
        transport, _ = net.pair(
            net.run(loop.create_connection(lambda: Recorder(loop), "localhost", port, family=socket.AF_INET))
        )
        net.accept(listener)
        expect_equal(
            transport.get_extra_info("peername")[:2],
            ("127.0.0.1", port),
            "peer of a family=AF_INET connection to 'localhost'",
        )
        sock = extra_socket(transport, optional=True)
        if sock is not None:
            expect_equal(sock.family, socket.AF_INET, "socket family with family=AF_INET")
        factory = Factory(loop)

        async def mismatch():
            return await loop.create_connection(factory, "127.0.0.1", port, family=socket.AF_INET6)

        try:
            result = net.run(mismatch())
        except OSError:
            result = None
        if result is not None:
            net.pair(result)
            net.accept(listener)
            raise Violation(
                "family=AF_INET6 was ignored: an IPv4 literal was connected",
                expected="OSError from resolution",
                observed=result,
            )
        expect_equal(len(factory.calls), 0, "protocol_factory calls after a failed resolution")


@scope.check(
    "create_connection",
    "flags_proto",
    requirement="proto and flags are passed to host resolution: proto=IPPROTO_TCP is accepted, and "
    "flags=AI_NUMERICHOST makes a host name unresolvable (OSError) but not a literal.",
    covers=("create_connection.23",),
)
def test_create_connection_flags_proto(loop):
    with Net(loop) as net:
        listener = net.listener()
        port = listener.getsockname()[1]
        net.pair(
            net.run(
                loop.create_connection(
                    lambda: Recorder(loop), "127.0.0.1", port, proto=socket.IPPROTO_TCP, flags=socket.AI_NUMERICHOST
                )
            )
        )
        net.accept(listener)
        try:
            result = net.run(
                loop.create_connection(lambda: Recorder(loop), "localhost", port, flags=socket.AI_NUMERICHOST)
            )
        except OSError:
            result = None
        if result is not None:
            net.pair(result)
            raise Violation(
                "flags=AI_NUMERICHOST was ignored: 'localhost' was resolved and connected",
                expected="OSError from resolution",
                observed=result,
            )


@scope.check(
    "create_connection",
    "sock",
    requirement="With sock=, an already connected socket is used by the transport: data flows both "
    "ways and peername is the socket's peer.",
    covers=("create_connection.25",),
)
def test_create_connection_sock(loop):
    with Net(loop) as net:
        client, peer = net.tcp_pair()
        client.setblocking(False)
        transport, protocol = net.pair(net.run(loop.create_connection(lambda: Recorder(loop), sock=client)))
        expect_equal(transport.get_extra_info("peername"), peer.getsockname(), "peername with sock=")
        transport.write(b"ping")
        expect_equal(net.run(read_exactly(loop, peer, 4)), b"ping", "bytes the peer received")
        peer.sendall(b"pong")
        expect_equal(net.run(protocol.received(4)), b"pong", "bytes the protocol received")


@pytest.mark.parametrize("extra", ["host", "port"])
@scope.check(
    "create_connection",
    "sock_exclusive",
    level=SHOULD,
    note="sock-exclusive-caller-obligation",
    requirement="sock must not be combined with host or port; a loop should reject the combination "
    "with ValueError rather than pick one silently.",
    covers=("create_connection.26",),
)
def test_create_connection_sock_exclusive(loop, extra):
    with Net(loop) as net:
        client, peer = net.tcp_pair()
        client.setblocking(False)
        port = peer.getsockname()[1]
        kwargs = {"host": "127.0.0.1", "port": port} if extra == "host" else {"port": port}

        async def call():
            return await loop.create_connection(lambda: Recorder(loop), sock=client, **kwargs)

        def run():
            result = net.run(call())
            net.pair(result)
            return result

        expect_raises(ValueError, run, what=f"sock together with {extra} was accepted")


@scope.check(
    "create_connection",
    "local_addr",
    requirement="local_addr=(host, port) binds the socket locally before connecting: its sockname "
    "is that address and the peer sees it as the remote address.",
    covers=("create_connection.27", "create_connection.28:partial"),
)
def test_create_connection_local_addr(loop):
    with Net(loop) as net:
        listener = net.listener()
        local = ("127.0.0.1", net.free_port())
        transport, _ = net.pair(
            net.run(
                loop.create_connection(lambda: Recorder(loop), "127.0.0.1", listener.getsockname()[1], local_addr=local)
            )
        )
        peer = net.accept(listener)
        expect_equal(transport.get_extra_info("sockname"), local, "sockname with local_addr")
        expect_equal(peer.getpeername(), local, "remote address seen by the peer")


@scope.check(
    "create_connection",
    "refused",
    requirement="When the connection cannot be established (refused), the coroutine raises OSError "
    "and protocol_factory is never called.",
    covers=("create_connection.9", "create_connection.37:partial"),
)
def test_create_connection_refused(loop):
    with Net(loop) as net:
        port = net.free_port()
        factory = Factory(loop)

        def run():
            result = net.run(loop.create_connection(factory, "127.0.0.1", port))
            net.pair(result)
            return result

        exc = expect_raises(OSError, run, what="connecting to a closed port did not fail")
        expect(not isinstance(exc, asyncio.TimeoutError), "connecting to a closed port hung")
        expect_equal(len(factory.calls), 0, "protocol_factory calls on a refused connection")


@scope.check(
    "create_connection",
    "refused_type",
    level=INFO,
    requirement="A refused connection to a single address raises ConnectionRefusedError (the "
    "OSError subclass for ECONNREFUSED).",
    covers=("create_connection.41",),
)
def test_create_connection_refused_type(loop):
    with Net(loop) as net:
        port = net.free_port()

        def run():
            result = net.run(loop.create_connection(lambda: Recorder(loop), "127.0.0.1", port))
            net.pair(result)
            return result

        expect_raises(ConnectionRefusedError, run, what="refusal was not ConnectionRefusedError")


@scope.check(
    "create_connection",
    "tcp_nodelay",
    requirement="TCP transports have TCP_NODELAY set by default (transports changed in 3.6).",
    covers=("create_connection.38",),
)
def test_create_connection_tcp_nodelay(loop):
    if not hasattr(socket, "TCP_NODELAY"):
        pytest.skip("socket.TCP_NODELAY is not defined on this platform")
    with Net(loop) as net:
        transport, _, _ = _connect(net, loop)
        sock = extra_socket(transport)
        expect(sock is not None, "get_extra_info('socket') returned None")
        expect(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0, "TCP_NODELAY is not set")


@scope.check(
    "create_connection",
    "happy_eyeballs",
    since="3.8",
    requirement="create_connection accepts happy_eyeballs_delay and interleave and still connects "
    "to the resolved address.",
    covers=("create_connection.32:partial",),
)
def test_create_connection_happy_eyeballs(loop):
    with Net(loop) as net:
        listener = net.listener()
        port = listener.getsockname()[1]
        transport, _ = net.pair(
            net.run(
                loop.create_connection(
                    lambda: Recorder(loop),
                    "localhost",
                    port,
                    family=socket.AF_INET,
                    happy_eyeballs_delay=0.25,
                    interleave=1,
                )
            )
        )
        net.accept(listener)
        expect_equal(transport.get_extra_info("peername"), ("127.0.0.1", port), "peername")


@scope.check(
    "create_connection",
    "all_errors",
    since="3.12",
    requirement="With all_errors=True a failed connection raises an ExceptionGroup holding every "
    "error, even a single ConnectionRefusedError.",
    covers=("create_connection.36",),
)
def test_create_connection_all_errors(loop):
    with Net(loop) as net:
        port = net.free_port()

        def run():
            return net.pair(net.run(loop.create_connection(lambda: Recorder(loop), "127.0.0.1", port, all_errors=True)))

        group = expect_raises(ExceptionGroup, run, what="all_errors=True did not raise an ExceptionGroup")  # noqa: F821
        expect(
            any(isinstance(e, ConnectionRefusedError) for e in group.exceptions),
            "the ExceptionGroup does not hold the ConnectionRefusedError",
            observed=group.exceptions,
        )


# -- create_connection: protocol callbacks --------------------------------------------------


@scope.check(
    "create_connection",
    "callback_order",
    requirement="Protocol callbacks run in the order connection_made, data_received*, eof_received, "
    "connection_lost; connection_lost exactly once when the peer closes.",
    covers=("create_connection.13",),
)
def test_create_connection_callback_order(loop):
    with Net(loop) as net:
        transport, protocol, peer = _connect(net, loop)
        _peer_send(peer, b"hello ", b"world", shut=True)
        net.run(asyncio.shield(protocol.lost), what="connection_lost after the peer's EOF")
        peer.close()
        net.run(io_rounds(loop, 2))
        names = protocol.names()
        expect_equal(bytes(protocol.data), b"hello world", "bytes delivered to data_received")
        expected = (
            ["connection_made"]
            + ["data_received"] * protocol.count("data_received")
            + ["eof_received", "connection_lost"]
        )
        expect_equal(names, expected, "protocol callback sequence")
        expect_equal(protocol.events[-1][1], None, "connection_lost argument after a clean EOF")


@scope.check(
    "create_connection",
    "peer_reset_lost_once",
    requirement="When the peer aborts the connection, connection_lost is called exactly once and no "
    "callback follows it.",
    covers=("create_connection.13",),
)
def test_create_connection_peer_reset(loop):
    with Net(loop) as net:
        transport, protocol, peer = _connect(net, loop)
        peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        peer.close()  # linger 0: RST
        net.run(asyncio.shield(protocol.lost), what="connection_lost after the peer's reset")
        net.run(io_rounds(loop, 2))
        expect_equal(protocol.count("connection_lost"), 1, "connection_lost calls")
        expect_equal(protocol.names()[-1], "connection_lost", "last protocol callback")


# -- create_connection: extra info ----------------------------------------------------------


@scope.check(
    "create_connection",
    "extra_info_addresses",
    requirement="transport.get_extra_info('peername') and ('sockname') return the connection's "
    "remote and local addresses.",
    covers=("create_connection.13",),
)
def test_create_connection_extra_info_addresses(loop):
    with Net(loop) as net:
        transport, _, peer = _connect(net, loop)
        expect_equal(transport.get_extra_info("peername"), peer.getsockname(), "get_extra_info('peername')")
        expect_equal(transport.get_extra_info("sockname"), peer.getpeername(), "get_extra_info('sockname')")
        marker = object()
        expect(
            transport.get_extra_info("no-such-key", marker) is marker,
            "get_extra_info did not return the default for an unknown key",
        )


@scope.check(
    "create_connection",
    "extra_info_socket",
    level=SHOULD,
    note="extra-info-socket-wrapper",
    requirement="transport.get_extra_info('socket') returns the connection's socket (a socket-like "
    "object whose family, type, fileno and addresses match the connection).",
    covers=("create_connection.13",),
)
def test_create_connection_extra_info_socket(loop):
    """The transport docs name socket.socket; CPython 3.8+ returns a TransportSocket wrapper, so
    this check accepts any object with the socket interface (spec note extra-info-socket-wrapper).
    """
    with Net(loop) as net:
        transport, _, peer = _connect(net, loop)
        sock = transport.get_extra_info("socket")
        expect(sock is not None, "get_extra_info('socket') returned None")
        expect_equal(sock.family, socket.AF_INET, "socket family")
        expect_equal(sock.type, socket.SOCK_STREAM, "socket type")
        expect(isinstance(sock.fileno(), int) and sock.fileno() >= 0, "socket fileno()", observed=sock.fileno())
        expect_equal(sock.getsockname(), peer.getpeername(), "socket getsockname()")
        expect_equal(sock.getpeername(), peer.getsockname(), "socket getpeername()")


# -- create_connection: the transport -------------------------------------------------------


@scope.check(
    "create_connection",
    "write_writelines",
    requirement="The transport is a bidirectional stream: write() and writelines() deliver their "
    "bytes to the peer in order.",
    covers=("create_connection.13",),
)
def test_create_connection_write_writelines(loop):
    with Net(loop) as net:
        transport, _, peer = _connect(net, loop)
        transport.write(b"one,")
        transport.writelines([b"two,", bytearray(b"three,"), memoryview(b"four")])
        transport.write(b"")
        expected = b"one,two,three,four"
        expect_equal(net.run(read_exactly(loop, peer, len(expected))), expected, "bytes the peer received")


@scope.check(
    "create_connection",
    "write_eof",
    requirement="The TCP transport supports half-close: can_write_eof() is True and write_eof() "
    "flushes written data then sends EOF, while data from the peer is still received.",
    covers=("create_connection.13",),
)
def test_create_connection_write_eof(loop):
    with Net(loop) as net:
        transport, protocol, peer = _connect(net, loop)
        expect(
            transport.can_write_eof() is True,
            "can_write_eof() is not True for a TCP transport",
            observed=transport.can_write_eof(),
        )
        transport.write(b"last words")
        transport.write_eof()
        expect_equal(net.run(read_to_eof(loop, peer)), b"last words", "bytes before the EOF")
        peer.sendall(b"reply")
        expect_equal(net.run(protocol.received(5)), b"reply", "data received after write_eof")
        expect(not protocol.lost.done(), "connection_lost after write_eof alone")


@scope.check(
    "create_connection",
    "eof_keep_open",
    requirement="When the protocol's eof_received() returns a true value the transport stays open "
    "for writing (closing it is left to the protocol); with a false value it closes "
    "itself.",
    covers=("create_connection.13",),
)
def test_create_connection_eof_keep_open(loop):
    """transport closes itself on EOF from the peer (Protocol.eof_received, asyncio protocols)."""
    with Net(loop) as net:
        factory = Factory(loop)
        transport, protocol, peer = _connect(net, loop, factory=factory)
        protocol.eof_result = True
        _peer_send(peer, shut=True)
        net.run(asyncio.shield(protocol.eof), what="eof_received after the peer's EOF")
        net.run(io_rounds(loop, 2))
        expect(
            not protocol.lost.done() and not transport.is_closing(),
            "the transport closed itself although eof_received() returned True",
            expected="transport still open",
            observed=f"is_closing()={transport.is_closing()}, connection_lost called={protocol.lost.done()}",
        )
        transport.write(b"reply after eof")
        transport.close()
        expect_equal(
            net.run(read_to_eof(loop, peer)),
            b"reply after eof",
            "what the peer read after its EOF (the protocol kept the transport open)",
        )
        net.run(asyncio.shield(protocol.lost), what="connection_lost after close()")


@scope.check(
    "create_connection",
    "close",
    requirement="transport.close() makes is_closing() True, flushes buffered data to the peer, then "
    "the peer sees EOF and connection_lost(None) is called exactly once.",
    covers=("create_connection.13",),
)
def test_create_connection_close(loop):
    with Net(loop) as net:
        transport, protocol, peer = _connect(net, loop)
        expect(transport.is_closing() is False, "is_closing() before close()", observed=transport.is_closing())
        total = _fill(transport)
        transport.close()
        expect(transport.is_closing() is True, "is_closing() after close()", observed=transport.is_closing())
        data = net.run(read_to_eof(loop, peer), what="peer reading until EOF")
        expect_equal(len(data), total, "bytes the peer received before EOF (buffered data must be flushed)")
        net.run(asyncio.shield(protocol.lost), what="connection_lost after close()")
        net.run(io_rounds(loop, 2))
        expect_equal(protocol.count("connection_lost"), 1, "connection_lost calls")
        expect_equal(protocol.lost.result(), None, "connection_lost argument after close()")
        transport.close()  # idempotent
        net.run(io_rounds(loop, 1))
        expect_equal(protocol.count("connection_lost"), 1, "connection_lost calls after a second close()")


@scope.check(
    "create_connection",
    "no_data_after_close",
    requirement="Once transport.close() has been called the protocol receives no more data, even "
    "while buffered outgoing data is still being flushed to the peer.",
    covers=("create_connection.13",),
)
def test_create_connection_no_data_after_close(loop):
    with Net(loop) as net:
        transport, protocol, peer = _connect(net, loop)
        _fill(transport)  # the peer reads nothing yet: the transport stays closing, not closed
        transport.close()
        before = protocol.count("data_received")
        _peer_send(peer, b"sent-after-close")
        net.run(io_rounds(loop, 3))
        after = protocol.count("data_received")
        transport.abort()  # end the pending flush; the peer never reads
        net.run(asyncio.shield(protocol.lost), what="connection_lost after abort() of a closing transport")
        expect_equal(after - before, 0, "data_received calls after close() (peer data sent after the close)")


@scope.check(
    "create_connection",
    "abort",
    requirement="transport.abort() closes at once: buffered data is discarded and connection_lost "
    "is called without waiting for the peer to read.",
    covers=("create_connection.13",),
)
def test_create_connection_abort(loop):
    with Net(loop) as net:
        transport, protocol, peer = _connect(net, loop)
        total = _fill(transport)
        transport.abort()
        expect(transport.is_closing() is True, "is_closing() after abort()")
        net.run(
            asyncio.shield(protocol.lost),
            timeout=1.0,
            what="connection_lost after abort() while the peer reads nothing",
        )
        data = net.run(read_to_eof(loop, peer), what="peer reading until EOF")
        expect(
            len(data) < total,
            "the peer received all buffered data: abort() did not discard it",
            expected=f"< {total}",
            observed=len(data),
        )
        net.run(io_rounds(loop, 1))
        expect_equal(protocol.count("connection_lost"), 1, "connection_lost calls")


@scope.check(
    "create_connection",
    "pause_reading",
    requirement="After pause_reading() no data_received is delivered; after resume_reading() the pending data arrives.",
    covers=("create_connection.13",),
)
def test_create_connection_pause_reading(loop):
    with Net(loop) as net:
        transport, protocol, peer = _connect(net, loop)
        transport.pause_reading()
        peer.sendall(b"while paused")
        sock = extra_socket(transport, optional=True)
        if sock is not None:
            select.select([sock.fileno()], [], [], TIMEOUT)  # the data is there to read
        net.run(io_rounds(loop, 3))
        expect_equal(protocol.count("data_received"), 0, "data_received calls while reading is paused")
        transport.resume_reading()
        expect_equal(
            net.run(protocol.received(12), what="data after resume_reading()"),
            b"while paused",
            "bytes delivered after resume_reading()",
        )


@scope.check(
    "create_connection",
    "pause_reading_after_data",
    requirement="pause_reading() also takes effect on a stream that has already received data, and "
    "again after a resume_reading(): no data_received until reading is resumed.",
    covers=("create_connection.13",),
)
def test_create_connection_pause_reading_after_data(loop):
    with Net(loop) as net:
        transport, protocol, peer = _connect(net, loop)
        sock = extra_socket(transport, optional=True)
        expected = b""
        for round_ in (1, 2):
            chunk = f"before pause {round_};".encode()
            peer.sendall(chunk)
            expected += chunk
            net.run(protocol.received(len(expected)), what=f"data before pause_reading() #{round_}")
            transport.pause_reading()
            count = protocol.count("data_received")
            chunk = f"while paused {round_};".encode()
            peer.sendall(chunk)
            expected += chunk
            if sock is not None:
                select.select([sock.fileno()], [], [], TIMEOUT)  # the data is there to read
            net.run(io_rounds(loop, 3))
            expect_equal(
                protocol.count("data_received") - count,
                0,
                f"data_received calls during pause #{round_} (the stream had received data)",
            )
            transport.resume_reading()
            net.run(protocol.received(len(expected)), what=f"data after resume_reading() #{round_}")
        expect_equal(bytes(protocol.data), expected, "bytes received over the pauses")


@scope.check(
    "create_connection",
    "is_reading",
    requirement="transport.is_reading() is True while the transport receives data, False after "
    "pause_reading() and True again after resume_reading().",
    covers=("create_connection.13",),
)
def test_create_connection_is_reading(loop):
    with Net(loop) as net:
        transport, _, _ = _connect(net, loop)
        states = [transport.is_reading()]
        transport.pause_reading()
        states.append(transport.is_reading())
        transport.resume_reading()
        states.append(transport.is_reading())
        expect_equal(states, [True, False, True], "is_reading() before pause, after pause, after resume")


@scope.check(
    "create_connection",
    "write_buffer",
    requirement="get_write_buffer_size() is 0 when nothing is pending and grows when the peer does "
    "not read; set_write_buffer_limits(high, low) is reflected by "
    "get_write_buffer_limits() as (low, high).",
    covers=("create_connection.13",),
)
def test_create_connection_write_buffer(loop):
    with Net(loop) as net:
        transport, _, peer = _connect(net, loop)
        expect_equal(transport.get_write_buffer_size(), 0, "get_write_buffer_size() of an idle transport")
        transport.set_write_buffer_limits(high=8192, low=2048)
        expect_equal(tuple(transport.get_write_buffer_limits()), (2048, 8192), "get_write_buffer_limits()")
        transport.set_write_buffer_limits(high=65536)
        low, high = transport.get_write_buffer_limits()
        expect(
            high == 65536 and 0 <= low <= high, "limits after set_write_buffer_limits(high=65536)", observed=(low, high)
        )
        _fill(transport)
        expect(transport.get_write_buffer_size() > 0, "buffer size with unread data")


@scope.check(
    "create_connection",
    "flow_control_paired",
    requirement="pause_writing() and resume_writing() come in pairs: pause once when the buffer "
    "goes over the high-water mark (even if later writes grow it further), resume once "
    "when it is drained to the low-water mark; the cycle can repeat.",
    covers=("create_connection.13",),
)
def test_create_connection_flow_control_paired(loop):
    with Net(loop) as net:
        transport, protocol, peer = _connect(net, loop)
        transport.set_write_buffer_limits(high=65536, low=16384)
        for cycle in (1, 2):
            protocol.paused_writing = loop.create_future()
            protocol.resumed_writing = loop.create_future()
            total = _fill(transport, above=65536)
            for _ in range(4):  # keep writing while paused: no second pause_writing()
                transport.write(CHUNK)
                total += len(CHUNK)
            net.run(asyncio.shield(protocol.paused_writing), timeout=1.0, what=f"pause_writing() in cycle {cycle}")
            net.run(io_rounds(loop, 1))

            async def drain():
                data = await read_exactly(loop, peer, total)  # noqa: B023
                await protocol.resumed_writing
                return data

            net.run(drain(), what=f"resume_writing() after the peer drained the buffer (cycle {cycle})")
            calls = [n for n in protocol.names() if n in ("pause_writing", "resume_writing")]
            expect_equal(calls, ["pause_writing", "resume_writing"] * cycle, f"flow control calls after cycle {cycle}")


@scope.check(
    "create_connection",
    "flow_control",
    requirement="When the write buffer exceeds the high-water mark the protocol's pause_writing() "
    "is called; when the peer drains it to the low-water mark or below, "
    "resume_writing().",
    covers=("create_connection.13",),
)
def test_create_connection_flow_control(loop):
    with Net(loop) as net:
        high, low = 65536, 16384
        sizes = {}

        class Proto(Recorder):
            def pause_writing(self):
                sizes.setdefault("pause", self.transport.get_write_buffer_size())
                super().pause_writing()

            def resume_writing(self):
                sizes.setdefault("resume", self.transport.get_write_buffer_size())
                super().resume_writing()

        transport, protocol, peer = _connect(net, loop, Factory(loop, Proto))
        transport.set_write_buffer_limits(high=high, low=low)
        total = _fill(transport, above=high)
        net.run(
            asyncio.shield(protocol.paused_writing),
            timeout=1.0,
            what="pause_writing() with the buffer above the high-water mark",
        )
        expect(not protocol.resumed_writing.done(), "resume_writing() before the peer read anything")
        expect(
            sizes["pause"] > high,
            "buffer size when pause_writing() was called",
            expected=f"> {high}",
            observed=sizes["pause"],
        )

        async def drain():
            data = await read_exactly(loop, peer, total)
            await protocol.resumed_writing
            return data

        data = net.run(drain(), what="resume_writing() after the peer drained the buffer")
        expect_equal(len(data), total, "bytes the peer received")
        expect(
            sizes["resume"] <= low,
            "buffer size when resume_writing() was called",
            expected=f"<= {low}",
            observed=sizes["resume"],
        )
        expect_equal(protocol.names().count("pause_writing"), 1, "pause_writing calls")


# -- create_datagram_endpoint ---------------------------------------------------------------


def _udp_peer(net, family=socket.AF_INET):
    peer = net.sock(family, socket.SOCK_DGRAM)
    peer.bind((LOOPBACK[family], 0))
    peer.settimeout(TIMEOUT)
    return peer


def _endpoint(net, loop, **kwargs):
    return net.pair(net.run(loop.create_datagram_endpoint(lambda: DatagramRecorder(loop), **kwargs)))


@scope.check(
    "create_datagram_endpoint",
    "local_addr",
    requirement="local_addr binds the datagram socket; datagrams sent to it reach datagram_received "
    "with the sender's address, and sendto(data, addr) reaches addr.",
    covers=(
        "create_datagram_endpoint.3",
        "create_datagram_endpoint.6",
        "create_datagram_endpoint.5",
        "create_datagram_endpoint.1:partial",
        "create_datagram_endpoint.2:partial",
        "create_datagram_endpoint.7:partial",
    ),
)
def test_datagram_local_addr(loop):
    with Net(loop) as net:
        port = net.free_port(type=socket.SOCK_DGRAM)
        transport, protocol = _endpoint(net, loop, local_addr=("127.0.0.1", port))
        expect_equal(transport.get_extra_info("sockname"), ("127.0.0.1", port), "sockname with local_addr")
        peer = _udp_peer(net)
        peer.sendto(b"ping", ("127.0.0.1", port))
        got = net.run(protocol.queue.get(), what="datagram_received")
        expect_equal(got, (b"ping", peer.getsockname()), "datagram_received(data, addr)")
        transport.sendto(b"pong", peer.getsockname())
        net.run(io_rounds(loop, 1))
        expect_equal(peer.recvfrom(100), (b"pong", ("127.0.0.1", port)), "datagram the peer received")


@scope.check(
    "create_datagram_endpoint",
    "remote_addr",
    requirement="remote_addr connects the datagram socket: sendto(data) without an address reaches "
    "it, its datagrams are received, and peername is that address.",
    covers=(
        "create_datagram_endpoint.3",
        "create_datagram_endpoint.8",
        "create_datagram_endpoint.5",
        "create_datagram_endpoint.9:partial",
        "create_datagram_endpoint.10:partial",
    ),
)
def test_datagram_remote_addr(loop):
    with Net(loop) as net:
        peer = _udp_peer(net)
        transport, protocol = _endpoint(net, loop, remote_addr=peer.getsockname())
        expect_equal(transport.get_extra_info("peername"), peer.getsockname(), "peername with remote_addr")
        transport.sendto(b"ping")
        net.run(io_rounds(loop, 1))
        data, addr = peer.recvfrom(100)
        expect_equal(data, b"ping", "datagram the remote received")
        expect_equal(addr, transport.get_extra_info("sockname"), "sender address seen by the remote")
        peer.sendto(b"pong", addr)
        expect_equal(net.run(protocol.queue.get()), (b"pong", peer.getsockname()), "datagram_received")


@scope.check(
    "create_datagram_endpoint",
    "sock",
    requirement="sock= uses an existing, connected datagram socket for the transport.",
    covers=("create_datagram_endpoint.3", "create_datagram_endpoint.16"),
)
def test_datagram_sock(loop):
    with Net(loop) as net:
        peer = _udp_peer(net)
        sock = net.sock(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.connect(peer.getsockname())
        sock.setblocking(False)
        transport, protocol = _endpoint(net, loop, sock=sock)
        expect_equal(transport.get_extra_info("sockname"), sock.getsockname(), "sockname with sock=")
        transport.sendto(b"ping")
        net.run(io_rounds(loop, 1))
        expect_equal(peer.recvfrom(100), (b"ping", sock.getsockname()), "datagram the peer received")
        peer.sendto(b"pong", sock.getsockname())
        expect_equal(net.run(protocol.queue.get()), (b"pong", peer.getsockname()), "datagram_received")


@pytest.mark.parametrize("extra", ["local_addr", "remote_addr"])
@scope.check(
    "create_datagram_endpoint",
    "sock_exclusive",
    level=SHOULD,
    note="sock-exclusive-caller-obligation",
    requirement="sock= together with local_addr or remote_addr should be rejected with ValueError "
    "(the caller must leave them None when sock is given).",
    covers=("create_datagram_endpoint.17",),
)
def test_datagram_sock_exclusive(loop, extra):
    with Net(loop) as net:
        peer = _udp_peer(net)
        sock = net.sock(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.setblocking(False)
        addr = ("127.0.0.1", 0) if extra == "local_addr" else peer.getsockname()

        def run():
            result = _endpoint(net, loop, sock=sock, **{extra: addr})
            return result

        expect_raises(ValueError, run, what=f"sock together with {extra} was accepted")


@scope.check(
    "create_datagram_endpoint",
    "error_received",
    level=SHOULD,
    platforms=LINUX,
    note="datagram-error-received-undocumented",
    requirement="On a connected datagram endpoint, an ICMP port-unreachable reported by the kernel "
    "reaches the protocol as error_received(ConnectionRefusedError), without closing it.",
    covers=("create_datagram_endpoint.8:partial",),
)
def test_datagram_error_received(loop):
    with Net(loop) as net:
        port = net.free_port(type=socket.SOCK_DGRAM)
        transport, protocol = _endpoint(net, loop, remote_addr=("127.0.0.1", port))

        async def provoke():
            for _ in range(5):
                transport.sendto(b"anyone?")
                try:
                    return await asyncio.wait_for(protocol.errors.get(), 0.5)
                except asyncio.TimeoutError:
                    continue
            return None

        exc = net.run(provoke(), timeout=TIMEOUT + 1)
        expect(
            isinstance(exc, ConnectionRefusedError),
            "error_received argument",
            expected="ConnectionRefusedError",
            observed=exc,
        )
        expect(not protocol.lost.done(), "the endpoint was closed by an ICMP error")


@scope.check(
    "create_datagram_endpoint",
    "reuse_port",
    requirement="reuse_port=True sets SO_REUSEPORT, so two endpoints that both set it can bind the "
    "same address and port.",
    covers=("create_datagram_endpoint.13",),
)
def test_datagram_reuse_port(loop):
    require_reuseport()
    with Net(loop) as net:
        first, _ = _endpoint(net, loop, local_addr=("127.0.0.1", 0), reuse_port=True)
        addr = first.get_extra_info("sockname")
        second, _ = _endpoint(net, loop, local_addr=addr, reuse_port=True)
        expect_equal(second.get_extra_info("sockname"), addr, "second endpoint's sockname")
        for t in (first, second):
            sock = extra_socket(t, optional=True)
            if sock is not None:
                expect(
                    sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) != 0,
                    "SO_REUSEPORT is not set with reuse_port=True",
                )


@scope.check(
    "create_datagram_endpoint",
    "allow_broadcast",
    requirement="allow_broadcast=True sets SO_BROADCAST on the endpoint's socket; it is not set otherwise.",
    covers=("create_datagram_endpoint.15",),
)
def test_datagram_allow_broadcast(loop):
    with Net(loop) as net:
        on, _ = _endpoint(net, loop, local_addr=("127.0.0.1", 0), allow_broadcast=True)
        off, _ = _endpoint(net, loop, local_addr=("127.0.0.1", 0))
        for transport, expected in ((on, True), (off, False)):
            sock = extra_socket(transport)
            expect(sock is not None, "get_extra_info('socket') returned None")
            expect_equal(
                bool(sock.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST)),
                expected,
                f"SO_BROADCAST with allow_broadcast={'True' if expected else 'unset'}",
            )


@scope.check(
    "create_datagram_endpoint",
    "unix",
    platforms=UNIX,
    requirement="family=AF_UNIX creates UNIX datagram endpoints: local_addr/remote_addr are paths, "
    "and datagrams carry the sender's path.",
    covers=("create_datagram_endpoint.2:partial", "create_datagram_endpoint.10:partial"),
)
def test_datagram_unix(loop):
    with Net(loop) as net:
        server_path = short_unix_path(net, "srv")
        client_path = short_unix_path(net, "cli")
        server, server_proto = _endpoint(net, loop, family=socket.AF_UNIX, local_addr=server_path)
        client, client_proto = _endpoint(
            net, loop, family=socket.AF_UNIX, local_addr=client_path, remote_addr=server_path
        )
        client.sendto(b"ping")
        expect_equal(net.run(server_proto.queue.get()), (b"ping", client_path), "datagram at the server")
        server.sendto(b"pong", client_path)
        data, _ = net.run(client_proto.queue.get())
        expect_equal(data, b"pong", "datagram at the client")


@scope.check(
    "create_datagram_endpoint",
    "close",
    requirement="Closing a datagram transport makes is_closing() True and calls connection_lost(None) exactly once.",
    covers=("create_datagram_endpoint.5",),
)
def test_datagram_close(loop):
    with Net(loop) as net:
        transport, protocol = _endpoint(net, loop, local_addr=("127.0.0.1", 0))
        expect(transport.is_closing() is False, "is_closing() before close()")
        transport.close()
        expect(transport.is_closing() is True, "is_closing() after close()")
        net.run(asyncio.shield(protocol.lost), what="connection_lost after close()")
        net.run(io_rounds(loop, 2))
        expect_equal(
            [e for e in protocol.events if e[0] == "connection_lost"],
            [("connection_lost", None)],
            "connection_lost calls",
        )


def _reuseaddr(transport):
    sock = extra_socket(transport)
    expect(sock is not None, "get_extra_info('socket') returned None")
    return bool(sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR))


@scope.check(
    "create_datagram_endpoint",
    "reuse_address_default",
    versions="<3.8.1",
    platforms=UNIX,
    note="datagram-reuse-address",
    requirement="Without reuse_address, SO_REUSEADDR is set on UNIX (3.7 text; withdrawn in 3.8.1).",
    covers=("create_datagram_endpoint.12",),
)
def test_datagram_reuse_address_default_37(loop):
    with Net(loop) as net:
        transport, _ = _endpoint(net, loop, local_addr=("127.0.0.1", 0))
        expect(_reuseaddr(transport), "SO_REUSEADDR is not set by default")


@scope.check(
    "create_datagram_endpoint",
    "no_reuse_address",
    since="3.8.1",
    note="datagram-reuse-address",
    requirement="Since 3.8.1 a datagram endpoint does not set SO_REUSEADDR (a security fix replacing the 3.7 default).",
    covers=("create_datagram_endpoint.19",),
)
def test_datagram_no_reuse_address(loop):
    with Net(loop) as net:
        transport, _ = _endpoint(net, loop, local_addr=("127.0.0.1", 0))
        expect(not _reuseaddr(transport), "SO_REUSEADDR is set on a datagram endpoint")


@scope.check(
    "create_datagram_endpoint",
    "reuse_address_rejected",
    versions=">=3.8.1,<3.11",
    docs="3.10",
    note="datagram-reuse-address",
    requirement="Passing reuse_address=True raises an exception instead of setting SO_REUSEADDR.",
    covers=("create_datagram_endpoint.19",),
)
def test_datagram_reuse_address_rejected(loop):
    with Net(loop) as net:

        def run():
            return _endpoint(net, loop, local_addr=("127.0.0.1", 0), reuse_address=True)

        expect_raises(Exception, run, what="reuse_address=True was accepted")


@scope.check(
    "create_datagram_endpoint",
    "reuse_address_removed",
    since="3.11",
    note="datagram-reuse-address",
    requirement="The reuse_address parameter is removed; passing it raises TypeError like any "
    "unknown keyword argument.",
    covers=("create_datagram_endpoint.20",),
)
def test_datagram_reuse_address_removed(loop):
    with Net(loop) as net:
        for value in (True, False):

            def run():
                return _endpoint(net, loop, local_addr=("127.0.0.1", 0), reuse_address=value)  # noqa: B023

            expect_raises(TypeError, run, what=f"reuse_address={value} was accepted")


# -- create_unix_connection -----------------------------------------------------------------

PATH_KINDS = {"str": str, "bytes": os.fsencode, "pathlib": pathlib.Path}


def _unix_roundtrip(net, loop, transport, protocol, peer):
    transport.write(b"ping")
    expect_equal(net.run(read_exactly(loop, peer, 4)), b"ping", "bytes the peer received")
    peer.sendall(b"pong")
    expect_equal(net.run(protocol.received(4)), b"pong", "bytes the protocol received")


@pytest.mark.parametrize("kind", list(PATH_KINDS))
@scope.check(
    "create_unix_connection",
    "path",
    platforms=UNIX,
    requirement="create_unix_connection connects an AF_UNIX stream to path given as str, bytes or "
    "pathlib.Path; data flows both ways.",
    covers=(
        "create_unix_connection.2",
        "create_unix_connection.3",
        "create_unix_connection.6",
        "create_unix_connection.1:partial",
    ),
)
def test_unix_connection_path(loop, kind):
    with Net(loop) as net:
        path = short_unix_path(net)
        listener = net.unix_listener(path)
        transport, protocol = net.pair(
            net.run(loop.create_unix_connection(lambda: Recorder(loop), PATH_KINDS[kind](path)))
        )
        peer = net.accept(listener)
        sock = extra_socket(transport, optional=True)
        if sock is not None:
            expect_equal((sock.family, sock.type), (socket.AF_UNIX, socket.SOCK_STREAM), "socket family/type")
        _unix_roundtrip(net, loop, transport, protocol, peer)


@scope.check(
    "create_unix_connection",
    "abstract",
    platforms=LINUX,
    requirement="create_unix_connection accepts a Linux abstract socket name (leading NUL byte).",
    covers=("create_unix_connection.5",),
)
def test_unix_connection_abstract(loop):
    with Net(loop) as net:
        name = "\0loopconf-" + uuid.uuid4().hex
        listener = net.unix_listener(name)
        transport, protocol = net.pair(net.run(loop.create_unix_connection(lambda: Recorder(loop), name)))
        peer = net.accept(listener)
        _unix_roundtrip(net, loop, transport, protocol, peer)


@scope.check(
    "create_unix_connection",
    "sock",
    platforms=UNIX,
    requirement="create_unix_connection(sock=...) uses an already connected AF_UNIX socket.",
    covers=("create_unix_connection.3", "create_unix_connection.7"),
)
def test_unix_connection_sock(loop):
    with Net(loop) as net:
        path = short_unix_path(net)
        listener = net.unix_listener(path)
        client = net.sock(socket.AF_UNIX, socket.SOCK_STREAM)
        client.connect(path)
        client.setblocking(False)
        peer = net.accept(listener)
        transport, protocol = net.pair(net.run(loop.create_unix_connection(lambda: Recorder(loop), sock=client)))
        _unix_roundtrip(net, loop, transport, protocol, peer)


@scope.check(
    "create_unix_connection",
    "path_required",
    platforms=UNIX,
    level=SHOULD,
    note="unix-path-required-valueerror",
    requirement="create_unix_connection without path and without sock should raise ValueError.",
    covers=("create_unix_connection.4",),
)
def test_unix_connection_path_required(loop):
    with Net(loop) as net:

        def run():
            return net.pair(net.run(loop.create_unix_connection(lambda: Recorder(loop))))

        expect_raises(ValueError, run, what="create_unix_connection() without path or sock")


# -- create_connection: resolution and connecting without blocking the loop (gap #16) ---------


def _wait_thread(thread):
    thread.join(TIMEOUT + BLOCK_LIMIT)


def _slow_resolution(net, loop):
    """create_connection to a private name whose getaddrinfo is held until a loop callback runs."""
    listener = net.listener()
    host = names.name("slow")
    with (
        names.FakeNames({host: [(socket.AF_INET, "127.0.0.1")]}),
        SlowResolver(loop, "getaddrinfo", lambda args, kw: bool(args) and args[0] == host) as slow,
    ):

        async def scenario():
            slow.poll()
            return await loop.create_connection(lambda: Recorder(loop), host, listener.getsockname()[1])

        try:
            net.pair(
                net.run(
                    scenario(),
                    timeout=BLOCK_LIMIT + TIMEOUT,
                    what="create_connection while its name resolution is held back",
                )
            )
        except OSError:
            if not slow.entered.is_set():
                pytest.skip("the loop does not call socket.getaddrinfo; a slow resolution cannot be simulated")
            raise
    if not slow.entered.is_set():
        pytest.skip("the loop does not call socket.getaddrinfo; a slow resolution cannot be simulated")
    net.accept(listener)
    expect(
        not slow.blocked_loop,
        f"create_connection resolved the host on the loop thread: no callback ran "
        f"while getaddrinfo was in progress (held {BLOCK_LIMIT:g}s)",
        expected="resolution off the loop thread",
    )
    expect(slow.released_by_loop, "no loop callback ran while create_connection was resolving")


def _slow_connect(net, loop):
    """create_connection to a listener whose full accept queue keeps the attempt pending until a loop
    callback, run while the attempt is pending (SYN_SENT), frees the queue."""
    listener = backlog.full_listener(net)
    port = listener.getsockname()[1]
    lock = threading.Lock()
    state = {"by": None}

    def release(by):
        with lock:
            if state["by"] is None:
                state["by"] = by
                backlog.drain(net, listener)

    def poll():
        if state["by"] is not None:
            return
        if backlog.syn_sent_to(port):
            release("loop")
        else:
            loop.call_later(0.001, poll)

    def guard():
        deadline = time.monotonic() + BLOCK_LIMIT
        while state["by"] is None and time.monotonic() < deadline:
            time.sleep(0.01)
        release("guard")

    thread = threading.Thread(target=guard, daemon=True)
    thread.start()
    try:

        async def scenario():
            poll()
            return await loop.create_connection(lambda: Recorder(loop), "127.0.0.1", port)

        net.pair(
            net.run(
                scenario(),
                timeout=BLOCK_LIMIT + 2 * TIMEOUT,
                what="create_connection to a listener that answers only after its queue is freed",
            )
        )
    finally:
        release("cleanup")
        _wait_thread(thread)
    net.accept(listener)
    expect(
        state["by"] == "loop",
        "create_connection blocked the loop while connecting: no callback ran "
        f"while the connection attempt was pending (released after {BLOCK_LIMIT:g}s "
        "by a helper thread)",
        expected="callbacks run during the connect",
        observed=f"released by the {state['by']}",
    )


@pytest.mark.parametrize("phase", ["resolving", "connecting"])
@scope.check(
    "create_connection",
    "does_not_block",
    platforms=LINUX,
    requirement="create_connection does not block the loop: other callbacks run while it resolves the "
    "host and while the connection attempt is pending.",
    covers=("create_connection.7",),
)
def test_create_connection_does_not_block(loop, phase):
    with Net(loop) as net:
        (_slow_resolution if phase == "resolving" else _slow_connect)(net, loop)


@scope.check(
    "create_connection",
    "local_addr_resolved",
    requirement="The host of local_addr is resolved through getaddrinfo like host is: a name that "
    "only the resolver knows is bound as its address.",
    covers=("create_connection.28",),
)
def test_create_connection_local_addr_resolved(loop):
    with Net(loop) as net:
        listener = net.listener()
        host, local = names.name("remote"), names.name("local")
        with names.FakeNames({host: [(socket.AF_INET, "127.0.0.1")], local: [(socket.AF_INET, "127.0.0.1")]}) as fake:
            try:
                transport, _ = net.pair(
                    net.run(
                        loop.create_connection(
                            lambda: Recorder(loop), host, listener.getsockname()[1], local_addr=(local, 0)
                        )
                    )
                )
            except OSError as exc:
                fake.require_used()
                raise Violation(
                    "create_connection failed with a local_addr host name the resolver knows",
                    observed=f"{type(exc).__name__}: {exc}",
                ) from None
        peer = net.accept(listener)
        expect(
            any(c["host"] == local for c in fake.calls),
            "local_addr's host was not passed to getaddrinfo",
            observed=fake.calls,
        )
        expect_equal(transport.get_extra_info("sockname")[0], "127.0.0.1", "local address with a local_addr name")
        expect_equal(peer.getpeername(), transport.get_extra_info("sockname"), "remote address seen by the peer")


@scope.check(
    "create_connection",
    "happy_eyeballs_parallel",
    since="3.8",
    platforms=LINUX,
    requirement="With happy_eyeballs_delay, when the first address's attempt has not completed after "
    "the delay the next address is tried in parallel: a name resolving to a pending "
    "address, then a listening one, connects to the second without waiting for the first.",
    covers=("create_connection.32",),
)
def test_create_connection_happy_eyeballs_parallel(loop):
    with Net(loop) as net:
        stuck = backlog.full_listener(net)
        good = net.listener()
        host = names.name("eyeballs")
        with names.FakeNames(
            {
                host: [
                    (socket.AF_INET, "127.0.0.1", stuck.getsockname()[1]),
                    (socket.AF_INET, "127.0.0.1", good.getsockname()[1]),
                ]
            }
        ) as fake:
            try:
                transport, _ = net.pair(
                    net.run(
                        loop.create_connection(
                            lambda: Recorder(loop), host, good.getsockname()[1], happy_eyeballs_delay=0.05
                        ),
                        what="create_connection with happy_eyeballs_delay=0.05 (first address never answers)",
                    )
                )
            except OSError:
                fake.require_used()
                raise
        net.accept(good)
        expect_equal(
            transport.get_extra_info("peername"), good.getsockname(), "address connected to (the second, listening one)"
        )
        net.run(io_rounds(loop, 3))
        expect(
            not backlog.syn_sent_to(stuck.getsockname()[1]),
            "the losing attempt to the first address was left pending after the race was won",
        )


def _interleave_names(net):
    """[::1 refusing, ::1 listening, 127.0.0.1 listening]: which listener is reached shows the order tried."""
    require_family(socket.AF_INET6)
    v6 = net.listener(socket.AF_INET6)
    v4 = net.listener(socket.AF_INET)
    host = names.name("interleave")
    entries = [
        (socket.AF_INET6, "::1", net.free_port(socket.AF_INET6)),
        (socket.AF_INET6, "::1", v6.getsockname()[1]),
        (socket.AF_INET, "127.0.0.1", v4.getsockname()[1]),
    ]
    return host, entries, {socket.AF_INET6: v6, socket.AF_INET: v4}


INTERLEAVE_CASES = {
    "default": ({}, socket.AF_INET6),
    "zero": ({"interleave": 0}, socket.AF_INET6),
    "one": ({"interleave": 1}, socket.AF_INET),
    "delay_default": ({"happy_eyeballs_delay": 30.0}, socket.AF_INET),
}


@pytest.mark.parametrize("case", list(INTERLEAVE_CASES))
@scope.check(
    "create_connection",
    "interleave",
    since="3.8",
    requirement="interleave reorders the resolved addresses by family: 0 (the default without "
    "happy_eyeballs_delay) keeps the getaddrinfo order, 1 (the default with it) alternates "
    "families, so after a refused first IPv6 address the next attempt is IPv6 or IPv4 "
    "accordingly.",
    covers=("create_connection.33",),
)
def test_create_connection_interleave(loop, case):
    kwargs, family = INTERLEAVE_CASES[case]
    with Net(loop) as net:
        host, entries, listeners = _interleave_names(net)
        with names.FakeNames({host: entries}) as fake:
            try:
                transport, _ = net.pair(
                    net.run(
                        loop.create_connection(lambda: Recorder(loop), host, 1, **kwargs),
                        what=f"create_connection({kwargs})",
                    )
                )
            except OSError:
                fake.require_used()
                raise
        peer = transport.get_extra_info("peername")
        expect_equal(
            peer[:2],
            listeners[family].getsockname()[:2],
            f"address connected to with {kwargs or 'no interleave/happy_eyeballs_delay'} after the "
            "first (IPv6) address refused",
        )
        net.accept(listeners[family])


@pytest.mark.parametrize("case", ["same", "different"])
@scope.check(
    "create_connection",
    "errors_combined",
    since="3.12",
    requirement="Without all_errors, when every address fails: the same error on every attempt "
    "raises that error; different errors raise one OSError whose message holds each "
    "attempt's message.",
    covers=("create_connection.37",),
)
def test_create_connection_errors_combined(loop, case):
    with Net(loop) as net:
        p1, p2 = net.free_port(), net.free_port()
        ports = [p1, p1] if case == "same" else [p1, p2]
        host = names.name("refusing")
        with names.FakeNames({host: [(socket.AF_INET, "127.0.0.1", p) for p in ports]}) as fake:

            def run():
                return net.pair(net.run(loop.create_connection(lambda: Recorder(loop), host, p1)))

            exc = expect_raises(OSError, run, what="connecting to two refusing addresses did not fail")
            fake.require_used()
        expect(
            not isinstance(exc, BaseExceptionGroup),  # noqa: F821
            "without all_errors the failure was an ExceptionGroup",
            observed=repr(exc),
        )
        if case == "same":
            expect(
                isinstance(exc, ConnectionRefusedError),
                "two identical refusals did not raise that refusal itself",
                expected="ConnectionRefusedError",
                observed=repr(exc),
            )
        else:
            text = str(exc)
            expect(
                str(p1) in text and str(p2) in text,
                "the combined OSError's message does not hold both attempts' messages (both ports)",
                observed=text,
            )


# -- sock= ownership (3.11) ---------------------------------------------------------------------


def _fd_closed(sock):
    return sock.fileno() == -1


@scope.check(
    "create_connection",
    "sock_closed_with_transport",
    since="3.11",
    requirement="A socket passed with sock= belongs to the transport: once the transport is closed "
    "(connection_lost called) the socket object is closed too.",
    covers=("create_connection.40",),
)
def test_create_connection_sock_closed_with_transport(loop):
    with Net(loop) as net:
        client, _ = net.tcp_pair()
        client.setblocking(False)
        transport, protocol = net.pair(net.run(loop.create_connection(lambda: Recorder(loop), sock=client)))
        transport.close()
        net.run(asyncio.shield(protocol.lost), what="connection_lost after close()")
        net.run(io_rounds(loop, 1))
        expect(
            _fd_closed(client),
            "the socket passed with sock= is still open after the transport closed",
            observed=f"fileno()={client.fileno()}",
        )


@scope.check(
    "create_datagram_endpoint",
    "sock_closed_with_transport",
    since="3.11",
    requirement="A socket passed with sock= belongs to the datagram transport: once it is closed "
    "(connection_lost called) the socket object is closed too.",
    covers=("create_datagram_endpoint.21",),
)
def test_datagram_sock_closed_with_transport(loop):
    with Net(loop) as net:
        sock = net.sock(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.setblocking(False)
        transport, protocol = _endpoint(net, loop, sock=sock)
        transport.close()
        net.run(asyncio.shield(protocol.lost), what="connection_lost after close()")
        net.run(io_rounds(loop, 1))
        expect(
            _fd_closed(sock),
            "the socket passed with sock= is still open after the transport closed",
            observed=f"fileno()={sock.fileno()}",
        )


# -- datagram endpoints: IPv6, names, family/proto/flags ------------------------------------------


@scope.check(
    "create_datagram_endpoint",
    "ipv6",
    requirement="An IPv6 local address makes an AF_INET6 datagram endpoint (as does family=AF_INET6 "
    "with a remote address); datagrams flow both ways over ::1.",
    covers=("create_datagram_endpoint.2",),
)
def test_datagram_ipv6(loop):
    require_family(socket.AF_INET6)
    with Net(loop) as net:
        transport, protocol = _endpoint(net, loop, local_addr=("::1", 0))
        sock = transport.get_extra_info("socket")
        if sock is not None:
            expect_equal(sock.family, socket.AF_INET6, "socket family of a ('::1', 0) endpoint")
        here = transport.get_extra_info("sockname")
        expect_equal(here[0], "::1", "sockname host of a ('::1', 0) endpoint")
        peer = _udp_peer(net, socket.AF_INET6)
        peer.sendto(b"ping", here[:2])
        data, addr = net.run(protocol.queue.get(), what="datagram_received over IPv6")
        expect_equal((data, addr[:2]), (b"ping", peer.getsockname()[:2]), "datagram_received(data, addr)")
        client, client_proto = _endpoint(net, loop, remote_addr=("::1", peer.getsockname()[1]), family=socket.AF_INET6)
        client.sendto(b"pong")
        net.run(io_rounds(loop, 1))
        expect_equal(peer.recvfrom(100)[0], b"pong", "datagram the IPv6 peer received")
        csock = client.get_extra_info("socket")
        if csock is not None:
            expect_equal(csock.family, socket.AF_INET6, "socket family with family=AF_INET6")


@scope.check(
    "create_datagram_endpoint",
    "names_resolved",
    requirement="The hosts of local_addr and remote_addr are resolved through getaddrinfo: names only "
    "the resolver knows are bound and connected to as their addresses.",
    covers=("create_datagram_endpoint.7", "create_datagram_endpoint.9"),
)
def test_datagram_names_resolved(loop):
    with Net(loop) as net:
        peer = _udp_peer(net)
        local, remote = names.name("dgram-local"), names.name("dgram-remote")
        with names.FakeNames({local: [(socket.AF_INET, "127.0.0.1")], remote: [(socket.AF_INET, "127.0.0.1")]}) as fake:
            try:
                transport, protocol = _endpoint(
                    net, loop, local_addr=(local, 0), remote_addr=(remote, peer.getsockname()[1])
                )
            except OSError as exc:
                fake.require_used()
                raise Violation(
                    "create_datagram_endpoint failed with host names the resolver knows",
                    observed=f"{type(exc).__name__}: {exc}",
                ) from None
        asked = {c["host"] for c in fake.calls}
        expect(
            asked == {local, remote},
            "local_addr/remote_addr hosts passed to getaddrinfo",
            expected=sorted({local, remote}),
            observed=sorted(asked),
        )
        expect_equal(transport.get_extra_info("peername"), peer.getsockname(), "peername with a remote_addr name")
        expect_equal(transport.get_extra_info("sockname")[0], "127.0.0.1", "sockname host with a local_addr name")
        transport.sendto(b"ping")
        net.run(io_rounds(loop, 1))
        expect_equal(peer.recvfrom(100), (b"ping", transport.get_extra_info("sockname")), "datagram the peer got")


@scope.check(
    "create_datagram_endpoint",
    "family_proto_flags",
    requirement="family, proto and flags reach getaddrinfo when the addresses are resolved "
    "(AI_NUMERICHOST then makes a host name unresolvable).",
    covers=("create_datagram_endpoint.10",),
)
def test_datagram_family_proto_flags(loop):
    with Net(loop) as net:
        peer = _udp_peer(net)
        remote = names.name("dgram-flags")
        with names.FakeNames({remote: [(socket.AF_INET, "127.0.0.1")]}) as fake:
            try:
                _endpoint(
                    net,
                    loop,
                    remote_addr=(remote, peer.getsockname()[1]),
                    family=socket.AF_INET,
                    proto=socket.IPPROTO_UDP,
                    flags=socket.AI_CANONNAME,
                )
            except OSError:
                fake.require_used()
                raise
            calls = list(fake.calls)
            fake.calls.clear()
            try:
                result = _endpoint(net, loop, remote_addr=(remote, peer.getsockname()[1]), flags=socket.AI_NUMERICHOST)
            except OSError:
                result = None
        expect(calls, "getaddrinfo was not called for remote_addr's host")
        seen = calls[-1]
        expect_equal(
            (seen["family"], seen["proto"], bool(seen["flags"] & socket.AI_CANONNAME)),
            (socket.AF_INET, socket.IPPROTO_UDP, True),
            "(family, proto, AI_CANONNAME set) passed to getaddrinfo",
        )
        expect(result is None, "flags=AI_NUMERICHOST was ignored: a host name was resolved", observed=result)
