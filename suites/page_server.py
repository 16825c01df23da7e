"""Server objects (loop page, after 19.5.1.16): the object create_server and
create_unix_server return. Anchors asyncio.Server.<method>.

Requirements are judged by the 3.7 text of the Server section unless a check says otherwise
(wait_closed's 3.12.1 change, close_clients/abort_clients added in 3.13).
"""

import asyncio
import socket

from loopconf import checks
from loopconf.checks import SHOULD
from loopconf.evidence import expect, expect_equal, expect_raises

from ._support.net import CHUNK_SIZE, Factory, Net, io_rounds, read_exactly, read_to_eof

scope = checks.scope(area="server", section="page.server", anchor="asyncio.Server.{method}")


def _anchor(name):
    return f"asyncio.Server.{name}"


def _server(net, loop, factory=None, **kwargs):
    factory = net.adopt(factory or Factory(loop))
    server = net.adopt(net.run(loop.create_server(factory, "127.0.0.1", 0, **kwargs), what="create_server"))
    return server, factory, server.sockets[0].getsockname()


async def _served(loop, net, factory, address):
    client = net.connect(address)
    proto = await factory.new_protocol.get()
    await proto.made
    return client, proto


def _refused(net, address) -> bool:
    try:
        net.connect(address)
    except ConnectionRefusedError:
        return True
    return False


def _roundtrip(net, loop, client, proto):
    client.sendall(b"ping")
    expect_equal(
        net.run(proto.received(4), what="server protocol receiving"), b"ping", "bytes the server protocol received"
    )
    proto.transport.write(b"pong")
    expect_equal(net.run(read_exactly(loop, client, 4)), b"pong", "bytes the client received")


# -- close / wait_closed --------------------------------------------------------------------


@scope.check(
    "close",
    "stops_listening",
    requirement="Server.close() closes the listening sockets: once wait_closed() returns, new "
    "connections are refused and is_serving() is False.",
    covers=("create_server.5",),
)
def test_close_stops_listening(loop):
    with Net(loop) as net:
        server, factory, address = _server(net, loop)
        server.close()
        net.run(server.wait_closed(), what="Server.wait_closed() after close()")
        expect(server.is_serving() is False, "is_serving() after close()")
        expect(_refused(net, address), "a new connection was accepted by the kernel after Server.close()")
        net.run(io_rounds(loop, 2))
        expect_equal(len(factory.calls), 0, "protocol_factory calls after close()")


@scope.check(
    "close",
    "keeps_connections",
    requirement="Server.close() leaves the existing client connections open: they keep exchanging data.",
    covers=("server.close.1",),
)
def test_close_keeps_connections(loop):
    with Net(loop) as net:
        server, factory, address = _server(net, loop)
        client, proto = net.run(_served(loop, net, factory, address))
        server.close()
        net.run(io_rounds(loop, 2))
        expect(not proto.lost.done(), "an existing connection was closed by Server.close()")
        _roundtrip(net, loop, client, proto)


@scope.check(
    "close",
    "sockets_cleared",
    level=SHOULD,
    note="server-sockets-after-close",
    requirement="After Server.close() the sockets attribute reports no listening socket (the docs "
    "say None; CPython gives an empty sequence; both are accepted).",
    covers=("server.close.2",),
)
def test_close_sockets_cleared(loop):
    with Net(loop) as net:
        server, _, _ = _server(net, loop)
        server.close()
        net.run(server.wait_closed())
        sockets = server.sockets
        expect(
            sockets is None or len(sockets) == 0,
            "sockets attribute after close()",
            expected="None or empty",
            observed=sockets,
        )


@scope.check(
    "wait_closed",
    "until_closed",
    requirement="wait_closed() does not complete while the server is open, and completes once "
    "close() has been called (no connections active).",
    covers=("server.wait_closed.1",),
)
def test_wait_closed_until_closed(loop):
    with Net(loop) as net:
        server, _, _ = _server(net, loop)
        waiter = loop.create_task(server.wait_closed())
        net.run(io_rounds(loop, 2))
        expect(not waiter.done(), "wait_closed() completed while the server was still open")
        server.close()
        net.run(waiter, what="wait_closed() after close()")


@scope.check(
    "wait_closed",
    "active_connections",
    since="3.12.1",
    requirement="After close(), wait_closed() also waits until every active connection has finished.",
    covers=("server.wait_closed.2",),
)
def test_wait_closed_active_connections(loop):
    with Net(loop) as net:
        server, factory, address = _server(net, loop)
        client, proto = net.run(_served(loop, net, factory, address))
        server.close()
        waiter = loop.create_task(server.wait_closed())
        net.run(io_rounds(loop, 3))
        expect(not waiter.done(), "wait_closed() completed while a connection was still active")
        client.close()
        net.run(asyncio.shield(proto.lost), what="server-side connection_lost after the client closed")
        net.run(waiter, what="wait_closed() after the last connection finished")


# -- is_serving / get_loop / start_serving / serve_forever ----------------------------------


@scope.check(
    "is_serving",
    "state",
    requirement="is_serving() is True while the server accepts new connections and False after close().",
    covers=("server.is_serving.1",),
)
def test_is_serving(loop):
    with Net(loop) as net:
        server, _, _ = _server(net, loop)
        expect(server.is_serving() is True, "is_serving() of a started server", observed=server.is_serving())
        server.close()
        expect(server.is_serving() is False, "is_serving() after close()", observed=server.is_serving())
        net.run(server.wait_closed())


@scope.check(
    "get_loop",
    "loop",
    requirement="get_loop() returns the event loop the server was created on.",
    covers=("server.get_loop.1",),
)
def test_get_loop(loop):
    with Net(loop) as net:
        server, _, _ = _server(net, loop)
        expect(server.get_loop() is loop, "get_loop() is not the creating loop", observed=server.get_loop())


@scope.check(
    "start_serving",
    "idempotent",
    requirement="start_serving() starts accepting connections and may be awaited again while serving.",
    covers=("server.start_serving.1",),
)
def test_start_serving_idempotent(loop):
    with Net(loop) as net:
        server, factory, address = _server(net, loop, start_serving=False)
        net.run(server.start_serving())
        net.run(server.start_serving())
        expect(server.is_serving() is True, "is_serving() after start_serving()")
        client, proto = net.run(_served(loop, net, factory, address), what="a client served")
        _roundtrip(net, loop, client, proto)
        expect_equal(len(factory.calls), 1, "protocol_factory calls for one client")


@scope.check(
    "serve_forever",
    "cancel_closes",
    requirement="serve_forever() starts accepting connections and runs until cancelled; cancelling "
    "it closes the server.",
    covers=("create_server.25", "server.serve_forever.1"),
)
def test_serve_forever_cancel(loop):
    with Net(loop) as net:
        server, factory, address = _server(net, loop, start_serving=False)
        task = loop.create_task(server.serve_forever())
        client, proto = net.run(_served(loop, net, factory, address), what="a client served by serve_forever()")
        _roundtrip(net, loop, client, proto)
        expect(not task.done(), "serve_forever() returned while serving")
        client.close()
        net.run(asyncio.shield(proto.lost), what="server-side connection_lost after the client closed")
        task.cancel()

        async def finish():
            try:
                await task
            except asyncio.CancelledError:
                return "cancelled"
            return "returned"

        expect_equal(
            net.run(finish(), what="serve_forever() after cancel()"),
            "cancelled",
            "outcome of the cancelled serve_forever()",
        )
        expect(server.is_serving() is False, "is_serving() after serve_forever() was cancelled")
        expect(_refused(net, address), "connections still accepted after serve_forever() was cancelled")


@scope.check(
    "serve_forever",
    "only_one",
    level=SHOULD,
    requirement="Only one serve_forever() may run per server: a second concurrent call should raise "
    "RuntimeError and leave the first one serving.",
    covers=("server.serve_forever.2",),
)
def test_serve_forever_only_one(loop):
    with Net(loop) as net:
        server, factory, address = _server(net, loop)
        first = loop.create_task(server.serve_forever())
        net.run(io_rounds(loop, 1))

        def second():
            return net.run(server.serve_forever(), timeout=1.0)

        try:
            expect_raises(RuntimeError, second, what="a second concurrent serve_forever() was accepted")
            expect(not first.done(), "the first serve_forever() ended")
            client, proto = net.run(_served(loop, net, factory, address))
            _roundtrip(net, loop, client, proto)
            client.close()
            net.run(asyncio.shield(proto.lost), what="server-side connection_lost after the client closed")
        finally:
            first.cancel()
            try:
                net.run(first)  # since 3.12.1 this also waits for active connections
            except asyncio.CancelledError:
                pass


# -- sockets / async with -------------------------------------------------------------------


@scope.check(
    "sockets",
    "listening",
    requirement="The sockets attribute lists socket objects for the addresses the server listens "
    "on; connecting to each one is served.",
    covers=("create_server.4", "server.sockets.1"),
)
def test_sockets_listening(loop):
    with Net(loop) as net:
        server, factory, _ = _server(net, loop)
        sockets = list(server.sockets)
        expect(sockets, "sockets is empty for a serving server")
        for sock in sockets:
            expect_equal(sock.type, socket.SOCK_STREAM, "listening socket type")
            client, proto = net.run(_served(loop, net, factory, sock.getsockname()))
            _roundtrip(net, loop, client, proto)


@scope.check(
    "__aexit__",
    "closes",
    topic="async_with",
    anchor="asyncio.Server",
    requirement="A Server is an asynchronous context manager: inside 'async with' it serves, and on "
    "exit it is closed and accepts no new connections.",
    covers=("server.async_with.1",),
)
def test_async_with(loop):
    with Net(loop) as net:
        server, factory, address = _server(net, loop)

        async def use():
            async with server as entered:
                serving = server.is_serving()
            return entered, serving

        entered, serving = net.run(use())
        expect(entered is server, "'async with server as x' did not bind the server", observed=entered)
        expect(serving is True, "not serving inside 'async with'")
        expect(server.is_serving() is False, "is_serving() after leaving 'async with'")
        expect(_refused(net, address), "connections accepted after leaving 'async with'")


# -- close_clients / abort_clients (3.13) ---------------------------------------------------


@scope.check(
    "close_clients",
    "closes",
    since="3.13",
    requirement="close_clients() closes every existing incoming connection gracefully: pending data "
    "is delivered, then the client sees EOF and the protocol gets connection_lost.",
    covers=("server.close_clients.1",),
)
def test_close_clients(loop):
    with Net(loop) as net:
        server, factory, address = _server(net, loop)
        served = [net.run(_served(loop, net, factory, address)) for _ in range(2)]
        server.close()
        for _, proto in served:
            proto.transport.write(b"bye")
        server.close_clients()
        for client, proto in served:
            expect_equal(net.run(read_to_eof(loop, client)), b"bye", "bytes before EOF at the client")
            net.run(asyncio.shield(proto.lost), what="connection_lost after close_clients()")
        net.run(server.wait_closed(), what="wait_closed() after close_clients()")


@scope.check(
    "abort_clients",
    "aborts",
    since="3.13",
    requirement="abort_clients() aborts every existing incoming connection at once: connection_lost "
    "is called even though unsent data is pending and the client reads nothing.",
    covers=("server.abort_clients.1",),
)
def test_abort_clients(loop):
    with Net(loop) as net:
        server, factory, address = _server(net, loop)
        client, proto = net.run(_served(loop, net, factory, address))
        chunk = b"\x5a" * CHUNK_SIZE
        total = 0
        while proto.transport.get_write_buffer_size() == 0 and total < (256 << 20):
            proto.transport.write(chunk)
            total += len(chunk)
        expect(proto.transport.get_write_buffer_size() > 0, "could not make the server transport buffer data")
        server.close()
        server.abort_clients()
        net.run(
            asyncio.shield(proto.lost),
            timeout=1.0,
            what="connection_lost after abort_clients() while the client reads nothing",
        )
        received = net.run(read_to_eof(loop, client))
        expect(
            len(received) < total,
            "all pending data was delivered: abort_clients() did not abort",
            expected=f"< {total}",
            observed=len(received),
        )
        net.run(server.wait_closed(), what="wait_closed() after abort_clients()")


@scope.check(
    "sockets",
    "copy",
    requirement="The sockets attribute returns a copy: changing the returned sequence does not "
    "change the server's sockets (changed in 3.7).",
    covers=("server.sockets.1",),
)
def test_sockets_copy(loop):
    with Net(loop) as net:
        server, _, address = _server(net, loop)
        first = server.sockets
        if isinstance(first, list):
            first.clear()
        second = server.sockets
        expect_equal([s.getsockname() for s in second], [address], "sockets after clearing a returned list")
        expect(first is not second, "sockets returned the same object twice (not a copy)")
