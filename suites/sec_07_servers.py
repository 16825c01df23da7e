"""19.5.1.7 Creating listening connections: create_server, create_unix_server and
connect_accepted_socket (plain sockets; TLS is checked in the TLS suites).

Clients are raw sockets: a blocking connect to a listening socket completes in the kernel
(backlog) without the loop's help, so client setup never depends on the loop under test.
"""

import asyncio
import os
import pathlib
import socket
import struct
import uuid

import pytest

from loopconf import checks
from loopconf.checks import LINUX, POSIX, SHOULD, UNIX
from loopconf.evidence import expect, expect_equal, expect_raises

from ._support.net import (
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

scope = checks.scope(area="servers", section="19.5.1.7")


def _server(net, loop, factory=None, *args, **kwargs):
    factory = net.adopt(factory or Factory(loop))
    server = net.adopt(net.run(loop.create_server(factory, *args, **kwargs), what="create_server"))
    return server, factory


def _addresses(server):
    return [s.getsockname() for s in server.sockets]


async def _served(loop, net, factory, address, family=socket.AF_INET):
    """Connect a raw client to ``address`` and return (client, server-side protocol)."""
    client = net.connect(address, family)
    proto = await factory.new_protocol.get()
    await proto.made
    return client, proto


def _roundtrip(net, loop, client, proto):
    client.sendall(b"ping")
    expect_equal(
        net.run(proto.received(4), what="server protocol receiving"), b"ping", "bytes the server protocol received"
    )
    proto.transport.write(b"pong")
    expect_equal(net.run(read_exactly(loop, client, 4)), b"pong", "bytes the client received")


# -- create_server --------------------------------------------------------------------------


@scope.check(
    "create_server",
    "returns_server",
    requirement="create_server returns a Server (asyncio.AbstractServer) whose sockets attribute "
    "lists the listening sockets bound to host and port.",
    covers=(
        "create_server.2",
        "create_server.3",
        "create_server.4",
        "create_server.6",
        "create_server.23",
        "create_server.30:partial",
        "create_server.1:partial",
    ),
)
def test_create_server_returns_server(loop):
    with Net(loop) as net:
        server, factory = _server(net, loop, None, "127.0.0.1", 0)
        expect(
            isinstance(server, asyncio.AbstractServer),
            "the result is not an asyncio.AbstractServer",
            observed=type(server),
        )
        addresses = _addresses(server)
        expect_equal(len(addresses), 1, "listening sockets for host='127.0.0.1'")
        expect(addresses[0][0] == "127.0.0.1" and addresses[0][1] > 0, "listening address", observed=addresses[0])
        sock = server.sockets[0]
        expect_equal((sock.family, sock.type), (socket.AF_INET, socket.SOCK_STREAM), "listening socket kind")
        client, proto = net.run(_served(loop, net, factory, addresses[0]), what="a client being served")
        _roundtrip(net, loop, client, proto)


@pytest.mark.parametrize("host", [None, ""], ids=["none", "empty"])
@scope.check(
    "create_server",
    "all_interfaces",
    requirement="With host None or '', the server binds all interfaces: every listening socket is "
    "bound to a wildcard address (one socket per address family).",
    covers=("create_server.8", "create_server.10"),
)
def test_create_server_all_interfaces(loop, host):
    """Made with start_serving=False so nothing listens on the wildcard address during the check
    (network checks stay on loopback); binding is what the clause is about.
    """
    with Net(loop) as net:
        server, _ = _server(net, loop, None, host, 0, start_serving=False)
        sockets = list(server.sockets)
        expect(sockets, "no sockets for an all-interfaces server")
        wildcard = {socket.AF_INET: "0.0.0.0", socket.AF_INET6: "::"}
        for sock in sockets:
            expect_equal(sock.getsockname()[0], wildcard.get(sock.family), "bound address of a socket")
        families = [s.family for s in sockets]
        expect_equal(len(families), len(set(families)), "one socket per address family")


@scope.check(
    "create_server",
    "host_sequence",
    requirement="With host a sequence of strings, the server is bound to every host of the sequence "
    "and serves clients on each.",
    covers=("create_server.7", "create_server.10", "create_server.30:partial"),
)
def test_create_server_host_sequence(loop):
    require_family(socket.AF_INET6)
    with Net(loop) as net:
        server, factory = _server(net, loop, None, ["127.0.0.1", "::1"], 0)
        by_host = {s.getsockname()[0]: s for s in server.sockets}
        expect_equal(sorted(by_host), ["127.0.0.1", "::1"], "bound hosts")
        for host, sock in by_host.items():  # noqa: B007
            client, proto = net.run(_served(loop, net, factory, sock.getsockname()[:2], sock.family))
            _roundtrip(net, loop, client, proto)


@scope.check(
    "create_server",
    "family",
    requirement="family forces the address family: family=AF_INET with 'localhost' binds only IPv4 "
    "sockets; family=AF_INET6 with an IPv4 literal cannot resolve (OSError).",
    covers=("create_server.9",),
)
def test_create_server_family(loop):
    with Net(loop) as net:
        server, _ = _server(net, loop, None, "localhost", 0, family=socket.AF_INET)
        families = {s.family for s in server.sockets}
        expect_equal(families, {socket.AF_INET}, "socket families with family=AF_INET")

        def mismatch():
            return _server(net, loop, None, "127.0.0.1", 0, family=socket.AF_INET6)

        expect_raises(OSError, mismatch, what="family=AF_INET6 with an IPv4 literal was accepted")


@scope.check(
    "create_server",
    "flags",
    requirement="flags is passed to getaddrinfo(): flags=AI_NUMERICHOST makes a host name unresolvable (OSError).",
    covers=("create_server.11",),
)
def test_create_server_flags(loop):
    with Net(loop) as net:
        _server(net, loop, None, "127.0.0.1", 0, flags=socket.AI_PASSIVE | socket.AI_NUMERICHOST)

        def run():
            return _server(net, loop, None, "localhost", 0, flags=socket.AI_PASSIVE | socket.AI_NUMERICHOST)

        expect_raises(OSError, run, what="flags=AI_NUMERICHOST was ignored for 'localhost'")


@scope.check(
    "create_server", "sock", requirement="sock= serves on a pre-existing bound socket.", covers=("create_server.12",)
)
def test_create_server_sock(loop):
    with Net(loop) as net:
        sock = net.sock(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        address = sock.getsockname()
        server, factory = _server(net, loop, None, sock=sock)
        expect_equal(_addresses(server), [address], "server sockets with sock=")
        client, proto = net.run(_served(loop, net, factory, address))
        _roundtrip(net, loop, client, proto)


@pytest.mark.parametrize("extra", ["host", "port"])
@scope.check(
    "create_server",
    "sock_exclusive",
    level=SHOULD,
    note="server-sock-exclusive-caller-obligation",
    requirement="sock= together with host or port is rejected with ValueError (they must be None).",
    covers=("create_server.13",),
)
def test_create_server_sock_exclusive(loop, extra):
    with Net(loop) as net:
        sock = net.sock(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        kwargs = {"host": "127.0.0.1"} if extra == "host" else {"port": 0}

        def run():
            return _server(net, loop, None, sock=sock, **kwargs)

        expect_raises(ValueError, run, what=f"sock together with {extra} was accepted")


@scope.check(
    "create_server",
    "backlog",
    requirement="backlog is accepted and the server serves as many queued clients as the backlog allows.",
    covers=("create_server.14:partial",),
)
def test_create_server_backlog(loop):
    with Net(loop) as net:
        server, factory = _server(net, loop, None, "127.0.0.1", 0, backlog=5)
        address = _addresses(server)[0]
        clients = [net.connect(address) for _ in range(5)]

        async def all_served():
            return [await factory.new_protocol.get() for _ in clients]

        protos = net.run(all_served(), what="5 queued clients served with backlog=5")
        expect_equal(len(protos), 5, "protocols created")


@scope.check(
    "create_server",
    "reuse_address_default",
    platforms=POSIX,
    requirement="Without reuse_address, SO_REUSEADDR is set on the listening sockets on UNIX.",
    covers=("create_server.17", "create_server.18"),
)
def test_create_server_reuse_address_default(loop):
    with Net(loop) as net:
        server, _ = _server(net, loop, None, "127.0.0.1", 0)
        for sock in server.sockets:
            expect(sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) != 0, "SO_REUSEADDR is not set by default")


@scope.check(
    "create_server",
    "reuse_address_false",
    requirement="reuse_address=False leaves SO_REUSEADDR unset on the listening sockets.",
    covers=("create_server.17",),
)
def test_create_server_reuse_address_false(loop):
    with Net(loop) as net:
        server, _ = _server(net, loop, None, "127.0.0.1", 0, reuse_address=False)
        for sock in server.sockets:
            expect(
                sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) == 0,
                "SO_REUSEADDR is set with reuse_address=False",
            )


@scope.check(
    "create_server",
    "reuse_port",
    requirement="reuse_port=True sets SO_REUSEPORT, so a second server that also sets it can bind "
    "the same address and port.",
    covers=("create_server.19",),
)
def test_create_server_reuse_port(loop):
    require_reuseport()
    with Net(loop) as net:
        first, _ = _server(net, loop, None, "127.0.0.1", 0, reuse_port=True)
        host, port = _addresses(first)[0]
        second, _ = _server(net, loop, None, host, port, reuse_port=True)
        expect_equal(_addresses(second), [(host, port)], "second server's address")
        for server in (first, second):
            for sock in server.sockets:
                expect(
                    sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) != 0,
                    "SO_REUSEPORT is not set with reuse_port=True",
                )


@scope.check(
    "create_server",
    "start_serving_false",
    requirement="With start_serving=False no connection is accepted (protocol_factory is not "
    "called) until start_serving() is awaited; then clients are served.",
    covers=("create_server.24",),
)
def test_create_server_start_serving_false(loop):
    with Net(loop) as net:
        server, factory = _server(net, loop, None, "127.0.0.1", 0, start_serving=False)
        address = _addresses(server)[0]
        expect(server.is_serving() is False, "is_serving() with start_serving=False", observed=server.is_serving())
        early = net.connect_nb(address)

        async def try_connect():
            try:
                await asyncio.wait_for(loop.sock_connect(early, address), 1.0)
            except (ConnectionRefusedError, asyncio.TimeoutError):
                pass  # nothing listens yet: refused (or left in SYN_SENT)
            await io_rounds(loop, 3)

        net.run(try_connect())
        expect_equal(len(factory.calls), 0, "protocol_factory calls before start_serving()")
        net.run(server.start_serving(), what="Server.start_serving()")
        expect(server.is_serving() is True, "is_serving() after start_serving()")
        client, proto = net.run(_served(loop, net, factory, address), what="a client served after start_serving()")
        _roundtrip(net, loop, client, proto)


@scope.check(
    "create_server",
    "factory_per_connection",
    requirement="protocol_factory is called once, without arguments, for each accepted connection, "
    "and each connection gets its own protocol.",
    covers=("create_server.2",),
)
def test_create_server_factory_per_connection(loop):
    with Net(loop) as net:
        server, factory = _server(net, loop, None, "127.0.0.1", 0)
        address = _addresses(server)[0]
        served = [net.run(_served(loop, net, factory, address)) for _ in range(3)]
        net.run(io_rounds(loop, 2))
        expect_equal(factory.calls, [((), {})] * 3, "protocol_factory calls (args, kwargs)")
        expect_equal(len({id(p) for _, p in served}), 3, "distinct protocols")
        for client, proto in served:
            expect_equal(proto.count("connection_made"), 1, "connection_made calls per protocol")
            expect_equal(proto.transport.get_extra_info("peername"), client.getsockname(), "server transport peername")


class _Echo(Recorder):
    def data_received(self, data):
        super().data_received(data)
        self.transport.write(data)


@scope.check(
    "create_server",
    "many_clients",
    requirement="A server serves many concurrent clients (50): each one gets its own echoed data back.",
    covers=("create_server.2",),
)
def test_create_server_many_clients(loop):
    with Net(loop) as net:
        server, factory = _server(net, loop, Factory(loop, _Echo), "127.0.0.1", 0)
        address = _addresses(server)[0]
        clients = [net.connect(address) for _ in range(50)]
        for i, client in enumerate(clients):
            client.sendall(b"client-%03d" % i)

        async def collect():
            return await asyncio.gather(*(read_exactly(loop, c, 10) for c in clients))

        replies = net.run(collect(), timeout=5.0, what="echo replies for 50 clients")
        expect_equal(replies, [b"client-%03d" % i for i in range(50)], "echo replies")
        expect_equal(len(factory.calls), 50, "protocol_factory calls")


@scope.check(
    "create_server",
    "callback_order",
    requirement="Server-side protocol callbacks run in the order connection_made, data_received*, "
    "eof_received, connection_lost (once) when the client sends and closes.",
    covers=("create_server.2",),
)
def test_create_server_callback_order(loop):
    with Net(loop) as net:
        server, factory = _server(net, loop, None, "127.0.0.1", 0)
        client, proto = net.run(_served(loop, net, factory, _addresses(server)[0]))
        client.sendall(b"abc")
        client.sendall(b"def")
        client.shutdown(socket.SHUT_WR)
        net.run(asyncio.shield(proto.lost), what="connection_lost after the client's EOF")
        net.run(io_rounds(loop, 2))
        expect_equal(bytes(proto.data), b"abcdef", "bytes delivered")
        expected = (
            ["connection_made"] + ["data_received"] * proto.count("data_received") + ["eof_received", "connection_lost"]
        )
        expect_equal(proto.names(), expected, "server protocol callback sequence")


class _KeepOpenOnEof(Recorder):
    """A recording protocol whose eof_received() asks to keep the transport open."""

    def __init__(self, loop):
        super().__init__(loop)
        self.eof_result = True


@scope.check(
    "create_server",
    "eof_keep_open",
    requirement="On an accepted connection, when the protocol's eof_received() returns a true value "
    "the transport stays open for writing after the client's EOF; the protocol closes "
    "it.",
    covers=("create_server.2",),
)
def test_create_server_eof_keep_open(loop):
    """(Protocol.eof_received, asyncio protocols)."""
    with Net(loop) as net:
        server, factory = _server(net, loop, Factory(loop, proto_class=_KeepOpenOnEof), "127.0.0.1", 0)
        client, proto = net.run(_served(loop, net, factory, _addresses(server)[0]))
        client.sendall(b"request")
        client.shutdown(socket.SHUT_WR)
        net.run(asyncio.shield(proto.eof), what="eof_received after the client's EOF")
        net.run(io_rounds(loop, 2))
        expect(
            not proto.lost.done() and not proto.transport.is_closing(),
            "the server transport closed itself although eof_received() returned True",
            expected="transport still open",
            observed=f"is_closing()={proto.transport.is_closing()}, connection_lost called={proto.lost.done()}",
        )
        proto.transport.write(b"reply after eof")
        proto.transport.close()
        expect_equal(
            net.run(read_to_eof(loop, client)),
            b"reply after eof",
            "what the client read after its EOF (the server protocol kept the transport open)",
        )
        net.run(asyncio.shield(proto.lost), what="connection_lost after close()")


# -- create_unix_server ---------------------------------------------------------------------

PATH_KINDS = {"str": str, "bytes": os.fsencode, "pathlib": pathlib.Path}


def _unix_served(net, loop, factory, path):
    client = net.sock(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(3.0)
    client.connect(path)

    async def wait():
        proto = await factory.new_protocol.get()
        await proto.made
        return proto

    return client, net.run(wait(), what="a UNIX client being served")


@pytest.mark.parametrize("kind", list(PATH_KINDS))
@scope.check(
    "create_unix_server",
    "path",
    platforms=UNIX,
    requirement="create_unix_server listens on an AF_UNIX path given as str, bytes or pathlib.Path "
    "and serves clients connecting to it.",
    covers=("create_unix_server.2", "create_unix_server.6", "create_unix_server.1:partial"),
)
def test_unix_server_path(loop, kind):
    with Net(loop) as net:
        path = short_unix_path(net)
        factory = net.adopt(Factory(loop))
        server = net.adopt(net.run(loop.create_unix_server(factory, PATH_KINDS[kind](path))))
        expect(isinstance(server, asyncio.AbstractServer), "result is not an AbstractServer")
        sock = server.sockets[0]
        expect_equal((sock.family, sock.type), (socket.AF_UNIX, socket.SOCK_STREAM), "listening socket kind")
        client, proto = _unix_served(net, loop, factory, path)
        _roundtrip(net, loop, client, proto)


@scope.check(
    "create_unix_server",
    "abstract",
    platforms=LINUX,
    requirement="create_unix_server listens on a Linux abstract socket name (leading NUL byte).",
    covers=("create_unix_server.5",),
)
def test_unix_server_abstract(loop):
    with Net(loop) as net:
        name = "\0loopconf-" + uuid.uuid4().hex
        factory = net.adopt(Factory(loop))
        net.adopt(net.run(loop.create_unix_server(factory, name)))
        client, proto = _unix_served(net, loop, factory, name)
        _roundtrip(net, loop, client, proto)


@scope.check(
    "create_unix_server",
    "sock",
    platforms=UNIX,
    requirement="create_unix_server(sock=...) serves on a pre-existing bound AF_UNIX socket.",
    covers=("create_unix_server.4",),
)
def test_unix_server_sock(loop):
    with Net(loop) as net:
        path = short_unix_path(net)
        sock = net.sock(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(path)
        factory = net.adopt(Factory(loop))
        net.adopt(net.run(loop.create_unix_server(factory, sock=sock)))
        client, proto = _unix_served(net, loop, factory, path)
        _roundtrip(net, loop, client, proto)


@scope.check(
    "create_unix_server",
    "path_required",
    platforms=UNIX,
    level=SHOULD,
    note="unix-server-path-required-caller-obligation",
    requirement="create_unix_server without path and without sock raises ValueError.",
    covers=("create_unix_server.3",),
)
def test_unix_server_path_required(loop):
    with Net(loop) as net:

        def run():
            return net.adopt(net.run(loop.create_unix_server(lambda: Recorder(loop))))

        expect_raises(ValueError, run, what="create_unix_server() without path or sock")


@scope.check(
    "create_unix_server",
    "cleanup_socket",
    since="3.13",
    platforms=UNIX,
    requirement="By default (cleanup_socket=True) closing the server removes its socket file.",
    covers=("create_unix_server.12",),
)
def test_unix_server_cleanup_socket(loop):
    with Net(loop) as net:
        path = short_unix_path(net)
        server = net.adopt(net.run(loop.create_unix_server(lambda: Recorder(loop), path)))
        expect(os.path.exists(path), "the socket file does not exist while serving")
        server.close()
        net.run(server.wait_closed())
        expect(not os.path.exists(path), "the socket file remains after Server.close()")


# -- connect_accepted_socket ----------------------------------------------------------------


@scope.check(
    "connect_accepted_socket",
    "pair",
    anchor="asyncio.BaseEventLoop.connect_accepted_socket",
    requirement="A socket accepted outside the loop becomes a (transport, protocol) pair: the "
    "factory's protocol gets connection_made and data flows both ways.",
    covers=(
        "connect_accepted_socket.2",
        "connect_accepted_socket.7",
        "connect_accepted_socket.3",
        "connect_accepted_socket.1:partial",
    ),
)
def test_connect_accepted_socket(loop):
    with Net(loop) as net:
        client, accepted = net.tcp_pair()
        accepted.setblocking(False)
        factory = net.adopt(Factory(loop))
        result = net.run(loop.connect_accepted_socket(factory, accepted))
        expect(
            isinstance(result, tuple) and len(result) == 2,
            "result is not a (transport, protocol) pair",
            observed=result,
        )
        transport, proto = net.pair(result)
        expect(factory.protocols and proto is factory.protocols[0], "the returned protocol is not the factory's")
        expect_equal(proto.names()[:1], ["connection_made"], "first protocol callback")
        expect(proto.transport is transport, "connection_made got another transport")
        expect_equal(transport.get_extra_info("peername"), client.getsockname(), "peername")
        _roundtrip(net, loop, client, proto)


@scope.check(
    "connect_accepted_socket",
    "unix",
    platforms=UNIX,
    anchor="asyncio.BaseEventLoop.connect_accepted_socket",
    requirement="connect_accepted_socket also works with an accepted AF_UNIX socket.",
    covers=("connect_accepted_socket.2",),
)
def test_connect_accepted_socket_unix(loop):
    with Net(loop) as net:
        path = short_unix_path(net)
        listener = net.unix_listener(path)
        client = net.sock(socket.AF_UNIX, socket.SOCK_STREAM)
        client.settimeout(3.0)
        client.connect(path)
        accepted = net.accept(listener)
        accepted.setblocking(False)
        factory = net.adopt(Factory(loop))
        transport, proto = net.pair(net.run(loop.connect_accepted_socket(factory, accepted)))
        _roundtrip(net, loop, client, proto)


@scope.check(
    "create_server",
    "tcp_nodelay",
    requirement="Accepted TCP connections have TCP_NODELAY set by default (transports changed in 3.6).",
    covers=("create_server.28",),
)
def test_create_server_tcp_nodelay(loop):
    if not hasattr(socket, "TCP_NODELAY"):
        pytest.skip("socket.TCP_NODELAY is not defined on this platform")
    with Net(loop) as net:
        server, factory = _server(net, loop, None, "127.0.0.1", 0)
        _, proto = net.run(_served(loop, net, factory, _addresses(server)[0]))
        sock = extra_socket(proto.transport)
        expect(sock is not None, "get_extra_info('socket') returned None")
        expect(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0, "TCP_NODELAY is not set")


@scope.check(
    "create_server",
    "keep_alive",
    since="3.13",
    requirement="keep_alive=True enables SO_KEEPALIVE, so accepted connections send keep-alive "
    "probes; without it SO_KEEPALIVE stays off.",
    covers=("create_server.27",),
)
def test_create_server_keep_alive(loop):
    with Net(loop) as net:
        for keep_alive in (True, False):
            server, factory = _server(net, loop, None, "127.0.0.1", 0, keep_alive=keep_alive)
            _, proto = net.run(_served(loop, net, factory, _addresses(server)[0]))
            sock = extra_socket(proto.transport)
            expect(sock is not None, "get_extra_info('socket') returned None")
            expect_equal(
                bool(sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)),
                keep_alive,
                f"SO_KEEPALIVE on an accepted connection with keep_alive={keep_alive}",
            )


# -- backlog (issue #16: the value reaches listen()) ------------------------------------------


def _somaxconn() -> int:
    """The kernel's cap on listen() backlogs (Linux); a larger backlog is silently lowered."""
    try:
        with open("/proc/sys/net/core/somaxconn") as f:
            return int(f.read())
    except (OSError, ValueError):
        return 1 << 16


def _tcp_listen_backlog(sock) -> int:
    """The accept-queue limit of a listening TCP socket, read from the kernel (Linux TCP_INFO:
    for a socket in LISTEN state, tcpi_sacked holds the backlog given to listen())."""
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    (state,) = struct.unpack_from("B", info, 0)
    expect_equal(state, 10, "TCP state of the server socket (10 = LISTEN)")
    return struct.unpack_from("I", info, 28)[0]


def _unix_queue_room(path) -> int:
    """How many non-blocking connects a UNIX listener at ``path`` takes before refusing with
    EAGAIN while nobody accepts (Linux: backlog + 1). The clients are closed again."""
    clients = []
    try:
        while len(clients) < 4 * 1024:
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.setblocking(False)
            try:
                c.connect(path)
            except BlockingIOError:
                c.close()
                break
            except OSError:
                c.close()
                raise
            clients.append(c)
        return len(clients)
    finally:
        for c in clients:
            c.close()


@pytest.mark.parametrize("backlog", [7, None], ids=["given", "default"])
@scope.check(
    "create_server",
    "backlog_listen",
    platforms=LINUX,
    requirement="backlog is what create_server hands to listen() as the accept-queue limit of its "
    "sockets, 100 when not given (read back from the kernel; capped by somaxconn).",
    covers=("create_server.14", "create_server.15"),
)
def test_create_server_backlog_listen(loop, backlog):
    """Linux reports a listening socket's backlog in TCP_INFO, so the value is read back exactly;
    no client is needed (counting queued clients cannot tell backlog 5 from 100)."""
    kwargs = {} if backlog is None else {"backlog": backlog}
    expected = min(100 if backlog is None else backlog, _somaxconn())
    with Net(loop) as net:
        server, _ = _server(net, loop, None, "127.0.0.1", 0, **kwargs)
        expect_equal(
            _tcp_listen_backlog(server.sockets[0]),
            expected,
            f"listen() backlog of the server socket with {kwargs or 'no backlog argument'}",
        )


@pytest.mark.parametrize("backlog", [3, None], ids=["given", "default"])
@scope.check(
    "create_unix_server",
    "backlog",
    platforms=LINUX,
    requirement="create_unix_server hands backlog to listen() (100 when not given): while nobody "
    "accepts, the socket queues backlog (+1 on Linux) connections and refuses the next.",
    covers=("create_unix_server.7",),
)
def test_unix_server_backlog(loop, backlog):
    """Clients connect without the loop running, so the server cannot accept and the queue fills;
    Linux refuses a non-blocking UNIX connect to a full queue with EAGAIN at once."""
    kwargs = {} if backlog is None else {"backlog": backlog}
    limit = min(100 if backlog is None else backlog, _somaxconn())
    with Net(loop) as net:
        path = short_unix_path(net)
        net.adopt(net.run(loop.create_unix_server(lambda: Recorder(loop), path, **kwargs)))
        room = _unix_queue_room(path)
        expect(
            room in (limit, limit + 1),
            f"connections queued by a UNIX server nobody accepts from, with {kwargs or 'no backlog argument'}",
            expected=f"{limit} or {limit + 1} (backlog {limit})",
            observed=room,
        )


# -- create_unix_server start_serving ---------------------------------------------------------


@scope.check(
    "create_unix_server",
    "start_serving_false",
    platforms=UNIX,
    requirement="create_unix_server(start_serving=False) accepts no connection (protocol_factory "
    "not called) until start_serving() is awaited; then clients are served.",
    covers=("create_unix_server.10",),
)
def test_unix_server_start_serving_false(loop):
    with Net(loop) as net:
        path = short_unix_path(net)
        factory = net.adopt(Factory(loop))
        server = net.adopt(net.run(loop.create_unix_server(factory, path, start_serving=False)))
        expect(server.is_serving() is False, "is_serving() with start_serving=False", observed=server.is_serving())
        early = net.sock(socket.AF_UNIX, socket.SOCK_STREAM)
        early.setblocking(False)
        try:
            early.connect(path)  # queued if the socket already listens, refused if it does not
        except OSError:
            pass
        net.run(io_rounds(loop, 3))
        expect_equal(len(factory.calls), 0, "protocol_factory calls before start_serving()")
        net.run(server.start_serving(), what="Server.start_serving()")
        expect(server.is_serving() is True, "is_serving() after start_serving()")
        client, proto = _unix_served(net, loop, factory, path)
        _roundtrip(net, loop, client, proto)


@scope.check(
    "create_unix_server",
    "start_serving_false_serve_forever",
    platforms=UNIX,
    requirement="After create_unix_server(start_serving=False), awaiting serve_forever() starts accepting.",
    covers=("create_unix_server.10",),
)
def test_unix_server_start_serving_false_serve_forever(loop):
    with Net(loop) as net:
        path = short_unix_path(net)
        factory = net.adopt(Factory(loop))
        server = net.adopt(net.run(loop.create_unix_server(factory, path, start_serving=False)))
        task = loop.create_task(server.serve_forever())
        try:
            net.run(io_rounds(loop, 2))
            expect(server.is_serving() is True, "is_serving() while serve_forever() runs")
            client, proto = _unix_served(net, loop, factory, path)
            _roundtrip(net, loop, client, proto)
        finally:
            task.cancel()
            try:
                net.run(task)
            except (asyncio.CancelledError, Exception):
                pass


# -- sockets passed with sock= belong to the loop (3.11) --------------------------------------


def _fd_closed(sock, fd) -> bool:
    """True when ``sock`` (whose descriptor was ``fd``) is closed: the object says so, or the
    descriptor is no longer open in this process."""
    if sock.fileno() == -1:
        return True
    try:
        os.fstat(fd)
    except OSError:
        return True
    return False


@pytest.mark.parametrize("kind", ["tcp", "unix"])
@scope.check(
    "create_server",
    "sock_closed_by_close",
    since="3.11",
    requirement="A socket passed to create_server/create_unix_server with sock= belongs to the "
    "server: after Server.close() and wait_closed() it is closed.",
    covers=("create_server.29",),
)
def test_create_server_sock_closed_by_close(loop, kind):
    with Net(loop) as net:
        if kind == "tcp":
            sock = net.sock(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            server = net.adopt(net.run(loop.create_server(lambda: Recorder(loop), sock=sock)))
        else:
            sock = net.sock(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.bind(short_unix_path(net))
            server = net.adopt(net.run(loop.create_unix_server(lambda: Recorder(loop), sock=sock)))
        fd = sock.fileno()
        server.close()
        net.run(server.wait_closed(), what="Server.wait_closed() after close()")
        expect(
            _fd_closed(sock, fd),
            "the socket passed with sock= is still open after Server.close()",
            expected="sock.fileno() == -1 (or its descriptor closed)",
            observed=f"fileno() = {sock.fileno()}",
        )


@scope.check(
    "connect_accepted_socket",
    "sock_closed_by_close",
    since="3.11",
    anchor="asyncio.BaseEventLoop.connect_accepted_socket",
    requirement="The socket passed to connect_accepted_socket belongs to the transport: after "
    "transport.close() (connection_lost called) it is closed.",
    covers=("connect_accepted_socket.9",),
)
def test_connect_accepted_socket_sock_closed_by_close(loop):
    with Net(loop) as net:
        _, accepted = net.tcp_pair()
        accepted.setblocking(False)
        fd = accepted.fileno()
        factory = net.adopt(Factory(loop))
        transport, proto = net.pair(net.run(loop.connect_accepted_socket(factory, accepted)))
        transport.close()
        net.run(asyncio.shield(proto.lost), what="connection_lost after transport.close()")
        expect(
            _fd_closed(accepted, fd),
            "the accepted socket is still open after transport.close()",
            expected="sock.fileno() == -1 (or its descriptor closed)",
            observed=f"fileno() = {accepted.fileno()}",
        )


# -- cleanup_socket=False and replaced socket files (3.13) ------------------------------------


@scope.check(
    "create_unix_server",
    "cleanup_socket_false",
    since="3.13",
    platforms=UNIX,
    requirement="With cleanup_socket=False, closing the server leaves its socket file in place.",
    covers=("create_unix_server.13",),
)
def test_unix_server_cleanup_socket_false(loop):
    with Net(loop) as net:
        path = short_unix_path(net)
        server = net.adopt(net.run(loop.create_unix_server(lambda: Recorder(loop), path, cleanup_socket=False)))
        server.close()
        net.run(server.wait_closed())
        expect(os.path.exists(path), "the socket file was removed although cleanup_socket=False")


@scope.check(
    "create_unix_server",
    "cleanup_socket_replaced",
    since="3.13",
    platforms=UNIX,
    requirement="Closing the server does not remove a socket file that replaced its own at the path "
    "since the server was created (cleanup_socket left True).",
    covers=("create_unix_server.13",),
)
def test_unix_server_cleanup_socket_replaced(loop):
    with Net(loop) as net:
        path = short_unix_path(net)
        server = net.adopt(net.run(loop.create_unix_server(lambda: Recorder(loop), path)))
        os.unlink(path)
        other = net.unix_listener(path)  # another socket now owns the path
        server.close()
        net.run(server.wait_closed())
        expect(os.path.exists(path), "closing the server removed a socket file it did not create")
        client = net.sock(socket.AF_UNIX, socket.SOCK_STREAM)
        client.settimeout(3.0)
        client.connect(path)
        net.accept(other)


# -- port None (3.8 docs) --------------------------------------------------------------------


@scope.check(
    "create_server",
    "port_none",
    docs="3.8",
    requirement="port=None (like 0) makes the server pick unused ports: with a sequence of hosts "
    "every socket gets a non-zero port and serves clients.",
    covers=("create_server.30",),
)
def test_create_server_port_none(loop):
    with Net(loop) as net:
        hosts = ["127.0.0.1"]
        try:
            require_family(socket.AF_INET6)
            hosts.append("::1")
        except pytest.skip.Exception:
            pass
        server, factory = _server(net, loop, None, hosts, None)
        by_host = {s.getsockname()[0]: s for s in server.sockets}
        expect_equal(sorted(by_host), sorted(hosts), "bound hosts with port=None")
        for host, sock in by_host.items():
            port = sock.getsockname()[1]
            expect(port > 0, f"port of the socket for {host} with port=None", observed=port)
            client, proto = net.run(_served(loop, net, factory, sock.getsockname()[:2], sock.family))
            _roundtrip(net, loop, client, proto)
