"""19.5.1.9 TLS upgrade: start_tls on live plain connections, client and server side.

The peer of each check runs in a helper thread (suites/_support/tls.py): it speaks plaintext
first, then TLS through memory BIOs, so it can check what crossed the wire before and after
the upgrade, and tell a clean close_notify from an abrupt close. The TLS options of the
connection and server methods are in tls_parameters.py; the scenarios both files share
(close_notify both ways, ...) are in suites/_support/tls_scenarios.py.
"""

import asyncio
import socket
import ssl

import pytest

from loopconf import checks
from loopconf.checks import INFO, SHOULD
from loopconf.evidence import Violation, expect, expect_equal, expect_instance

from ._support import tls_scenarios as tls
from ._support.limits import DEFAULT_PROBE
from ._support.net import TIMEOUT, Factory, Net, Recorder
from ._support.tls import (
    HANDSHAKE_TIMEOUT,
    PeerThread,
    Threads,
    TLSPeer,
    certs,  # noqa: F401
    client_context,
    read_line,
    read_raw_to_eof,
    server_context,
)

scope = checks.scope(area="tls", section="19.5.1.9")
HELLO = b"STARTTLS\n"
MARKER = b"plaintext-marker-7f3a9c"


# -- helpers --------------------------------------------------------------------------------


def upgrading_server(threads, listener, ctx, script):
    """Thread peer: accept, read a plaintext line, then TLS (server side) and run ``script``.

    Returns (line, script result).
    """

    def body(conn):
        line, rest = read_line(conn)
        return line, script(TLSPeer(conn, ctx, server_side=True, initial=rest))

    return tls.accept_one(threads, listener, body)


def _connect_upgrading(net, loop, threads, ctx, script):
    """A plain connection to an :func:`upgrading_server` thread (TLS context ``ctx``) running
    ``script``; returns (the peer thread, the plain transport, its protocol)."""
    listener = net.listener()
    peer = upgrading_server(threads, listener, ctx, script)
    return (peer, *plain_connection(net, loop, listener))


def _plain_pair(net, loop):
    """A plain connection to a raw socket that says nothing; returns (transport, protocol)."""
    listener = net.listener()
    transport, protocol = plain_connection(net, loop, listener)
    net.accept(listener)
    return transport, protocol


def _start_tls_outcome(net, coro):
    """Run a start_tls coroutine: the new transport (tracked), or the exception it raised."""
    new = tls.outcome(net, coro)
    if not isinstance(new, Exception):
        net.adopt(new)
    return new


def _ping_and_close(net, new, protocol):
    """Write b"ping" on the upgraded transport, read the 4-byte answer, close; returns the answer."""
    new.write(b"ping")
    answer = net.run(protocol.received(4), what="the peer's TLS answer")
    new.close()
    net.run(protocol.lost, what="connection_lost after closing the new transport")
    return answer


def plain_connection(net, loop, listener, protocol=None):
    protocol = protocol or Recorder(loop)
    transport, _ = net.pair(
        net.run(
            loop.create_connection(lambda: protocol, "127.0.0.1", listener.getsockname()[1]),
            what="a plain TCP connection",
        )
    )
    return transport, protocol


def upgrade(net, loop, transport, protocol, ctx, timeout=TIMEOUT, **kwargs):
    """Write the plaintext line, then start_tls at once; returns the new transport."""

    async def go():
        transport.write(HELLO)
        return await loop.start_tls(transport, protocol, ctx, **kwargs)

    new = net.run(go(), timeout=timeout, what="start_tls")
    return net.adopt(new)


def upgrade_fails(net, loop, transport, protocol, ctx, timeout=TIMEOUT, **kwargs):
    """Like upgrade() for an upgrade that must fail; returns (exception, elapsed loop time)."""
    start = loop.time()
    try:
        new = upgrade(net, loop, transport, protocol, ctx, timeout=timeout, **kwargs)
    except (Violation, NotImplementedError):
        raise
    except Exception as exc:
        return exc, loop.time() - start
    raise Violation("start_tls succeeded although the handshake must fail", observed=new)


def _upgraded(net, loop, threads, certs, **kwargs):
    """Opener (see tls_scenarios): a plain connection upgraded with start_tls (client side);
    ``kwargs`` go to start_tls."""

    def open_tls(script):

        def upgraded_script(peer):
            peer.handshake()
            return script(peer)

        peer, transport, protocol = _connect_upgrading(net, loop, threads, server_context(certs), upgraded_script)
        new = upgrade(net, loop, transport, protocol, client_context(certs), server_hostname="localhost", **kwargs)
        return new, protocol, lambda: peer.result()[1]

    return open_tls


def handshake_then_echo(peer):
    """Peer script: handshake, answer 4 bytes upper-cased, send MARKER, read to the end."""
    peer.handshake()
    data = peer.recv_exactly(4)
    peer.send(data.upper())
    return peer.recv_until_closed()


def failing_handshake(peer):
    """Peer script: a handshake the loop must refuse; returns how the connection ended."""
    try:
        peer.handshake()
    except Exception:
        pass
    try:
        read_raw_to_eof(peer.sock)
    except TimeoutError:
        return "still open"
    return "closed"


def silent(peer):
    """Peer script: never answer the ClientHello; True once the loop closed the connection."""
    return tls.closed_by_loop(peer.sock)


# -- client side ----------------------------------------------------------------------------


@scope.check(
    "start_tls",
    "returns_new_transport",
    requirement="start_tls returns a new transport (not the one passed in) that carries TLS: it "
    "offers 'ssl_object' and the server certificate as 'peercert'.",
    covers=("start_tls.3", "start_tls.1:partial"),
)
def test_start_tls_returns_new_transport(loop, certs):
    with Net(loop) as net, Threads() as threads:
        peer, transport, protocol = _connect_upgrading(net, loop, threads, server_context(certs), handshake_then_echo)
        new = upgrade(net, loop, transport, protocol, client_context(certs), server_hostname="localhost")
        expect(new is not transport, "start_tls returned the transport it was given", observed=new)
        expect(new.get_extra_info("ssl_object") is not None, "the new transport has no 'ssl_object'")
        expect(
            isinstance(new.get_extra_info("peercert"), dict),
            "the new transport has no 'peercert' dict",
            observed=new.get_extra_info("peercert"),
        )
        _ping_and_close(net, new, protocol)
        peer.result()


@scope.check(
    "start_tls",
    "protocol_continues",
    requirement="After start_tls the same protocol object keeps receiving: the peer's data sent "
    "over TLS arrives decrypted in its data_received, and writes on the new transport "
    "reach the peer decrypted.",
    covers=("start_tls.4",),
)
def test_start_tls_protocol_continues(loop, certs):
    with Net(loop) as net, Threads() as threads:
        peer, transport, protocol = _connect_upgrading(net, loop, threads, server_context(certs), handshake_then_echo)
        new = upgrade(net, loop, transport, protocol, client_context(certs), server_hostname="localhost")
        expect_equal(
            _ping_and_close(net, new, protocol),
            b"PING",
            "decrypted bytes the original protocol received after the upgrade",
        )
        line, (rest, how) = peer.result()
        expect_equal(rest, b"", "bytes the peer received after its answer")


@scope.check(
    "start_tls",
    "plaintext_before_upgrade",
    requirement="Data written on the plain transport just before start_tls reaches the peer as "
    "plaintext, ahead of the TLS handshake.",
    covers=("start_tls.2",),
)
def test_start_tls_plaintext_before(loop, certs):
    with Net(loop) as net, Threads() as threads:

        def script(peer):
            first = bytes(peer.wire[:1])  # what followed the plaintext line on the wire
            return first, handshake_then_echo(peer)

        peer, transport, protocol = _connect_upgrading(net, loop, threads, server_context(certs), script)
        new = upgrade(net, loop, transport, protocol, client_context(certs), server_hostname="localhost")
        _ping_and_close(net, new, protocol)
        line, (first, _) = peer.result()
        expect_equal(line, HELLO, "plaintext line the peer read before the handshake")
        expect(
            first in (b"", b"\x16"),
            "bytes after the plaintext line are not a TLS handshake record",
            expected="b'\\x16' (TLS handshake)",
            observed=first,
        )


@scope.check(
    "start_tls",
    "encrypted_after_upgrade",
    requirement="After start_tls, data written on the new transport is encrypted on the wire: the "
    "peer decrypts it, and the plaintext never appears in the raw bytes it received.",
    covers=("start_tls.2",),
)
def test_start_tls_encrypted_after(loop, certs):
    with Net(loop) as net, Threads() as threads:

        def script(peer):
            peer.handshake()
            data = peer.recv_exactly(len(MARKER))
            rest, how = peer.recv_until_closed()
            return data, bytes(peer.wire)

        peer, transport, protocol = _connect_upgrading(net, loop, threads, server_context(certs), script)
        new = upgrade(net, loop, transport, protocol, client_context(certs), server_hostname="localhost")
        new.write(MARKER)
        new.close()
        net.run(protocol.lost, what="connection_lost after closing the new transport")
        line, (data, wire) = peer.result()
        expect_equal(data, MARKER, "bytes the peer decrypted after the upgrade")
        expect(
            MARKER not in wire, "the data written after start_tls crossed the wire in plaintext", observed=wire[:200]
        )


@scope.check(
    "start_tls",
    "server_hostname_mismatch",
    requirement="start_tls matches the server certificate against server_hostname: a name it does "
    "not match fails with ssl.SSLCertVerificationError and the connection is closed (no "
    "half-open connection).",
    covers=("start_tls.9",),
)
def test_start_tls_server_hostname_mismatch(loop, certs):
    with Net(loop) as net, Threads() as threads:
        peer, transport, protocol = _connect_upgrading(net, loop, threads, server_context(certs), failing_handshake)
        exc, _ = upgrade_fails(net, loop, transport, protocol, client_context(certs), server_hostname="wrong.example")
        expect_instance(
            exc,
            ssl.SSLCertVerificationError,
            "a certificate not valid for server_hostname was accepted (or failed differently)",
            expected="ssl.SSLCertVerificationError",
        )
        _, how = peer.result()
        expect_equal(how, "closed", "the peer's view of the connection after the failed upgrade")
        expect(transport.is_closing(), "the old transport is not closing after the failed upgrade")


@scope.check(
    "start_tls",
    "server_hostname_match",
    requirement="start_tls sends server_hostname to the server (SNI) and accepts a certificate "
    "valid for it, here with host '127.0.0.1' and server_hostname 'localhost'.",
    covers=("start_tls.9",),
)
def test_start_tls_server_hostname_match(loop, certs):
    with Net(loop) as net, Threads() as threads:
        sctx = server_context(certs)
        sni = []
        sctx.sni_callback = lambda obj, name, ctx: sni.append(name)
        peer, transport, protocol = _connect_upgrading(net, loop, threads, sctx, handshake_then_echo)
        new = upgrade(net, loop, transport, protocol, client_context(certs), server_hostname="localhost")
        _ping_and_close(net, new, protocol)
        peer.result()
        expect_equal(sni, ["localhost"], "server name (SNI) the peer received")


@scope.check(
    "start_tls",
    "handshake_failure_closes",
    requirement="A failed start_tls handshake (certificate from an untrusted CA) raises "
    "ssl.SSLError and closes the connection: the peer sees it end.",
    covers=("start_tls.2",),
)
def test_start_tls_handshake_failure_closes(loop, certs):
    with Net(loop) as net, Threads() as threads:
        peer, transport, protocol = _connect_upgrading(
            net, loop, threads, server_context(certs, cert=certs.untrusted), failing_handshake
        )
        exc, _ = upgrade_fails(net, loop, transport, protocol, client_context(certs), server_hostname="localhost")
        expect_instance(exc, ssl.SSLError, "the failed handshake did not raise ssl.SSLError", expected="ssl.SSLError")
        _, how = peer.result()
        expect_equal(how, "closed", "the peer's view of the connection after the failed upgrade")


@scope.check(
    "start_tls",
    "handshake_timeout",
    requirement="With ssl_handshake_timeout, a peer that never answers the ClientHello makes "
    "start_tls fail no earlier than the timeout, and the connection is closed.",
    covers=("start_tls.10",),
)
def test_start_tls_handshake_timeout(loop, certs):
    with Net(loop) as net, Threads() as threads:
        peer, transport, protocol = _connect_upgrading(net, loop, threads, server_context(certs), silent)
        exc, elapsed = upgrade_fails(
            net,
            loop,
            transport,
            protocol,
            client_context(certs),
            timeout=HANDSHAKE_TIMEOUT + TIMEOUT,
            server_hostname="localhost",
            ssl_handshake_timeout=HANDSHAKE_TIMEOUT,
        )
        tls.expect_timed(exc, elapsed)
        _, closed = peer.result()
        expect(closed, "the connection was not closed after the handshake timeout")


@pytest.mark.parametrize("value", [0, -1], ids=["zero", "negative"])
@scope.check(
    "start_tls",
    "handshake_timeout_positive",
    level=SHOULD,
    note="tls-handshake-timeout-validation",
    requirement="start_tls refuses a zero or negative ssl_handshake_timeout with ValueError.",
    covers=("start_tls.13",),
)
def test_start_tls_handshake_timeout_positive(loop, certs, value):
    with Net(loop) as net:
        transport, protocol = _plain_pair(net, loop)
        new = _start_tls_outcome(
            net,
            loop.start_tls(
                transport, protocol, client_context(certs), server_hostname="localhost", ssl_handshake_timeout=value
            ),
        )
        expect_instance(
            new, ValueError, f"ssl_handshake_timeout={value} was not refused with ValueError", expected="ValueError"
        )


@scope.check(
    "start_tls",
    "sslcontext_type",
    level=SHOULD,
    note="tls-start-tls-argument-types",
    requirement="start_tls refuses an sslcontext that is not an ssl.SSLContext with TypeError, "
    "leaving the plain connection open.",
    covers=("start_tls.7",),
)
def test_start_tls_sslcontext_type(loop):
    with Net(loop) as net:
        transport, protocol = _plain_pair(net, loop)
        new = _start_tls_outcome(net, loop.start_tls(transport, protocol, "not a context", server_hostname="localhost"))
        expect_instance(
            new, TypeError, "a non-SSLContext sslcontext was not refused with TypeError", expected="TypeError"
        )
        expect(not transport.is_closing(), "the plain transport was closed by the refused start_tls")


# -- server side ----------------------------------------------------------------------------


def _upgrading_client(net, loop, threads, body):
    """A plain server (create_server) and a client thread that sends HELLO, reads the server's
    plaintext line, then returns ``body(sock, line, rest)``. Returns (the client thread, the server
    protocol) once HELLO has arrived."""
    factory = net.adopt(Factory(loop))
    server = net.adopt(net.run(loop.create_server(factory, "127.0.0.1", 0)))
    address = server.sockets[0].getsockname()

    def client():
        s = threads.sock(socket.socket())
        s.settimeout(TIMEOUT)
        s.connect(address)
        s.sendall(HELLO)
        return body(s, *read_line(s))

    peer = PeerThread(threads, client)
    protocol = net.run(factory.new_protocol.get(), what="a protocol for the client")
    net.run(protocol.received(len(HELLO)), what="the client's plaintext line")
    return peer, protocol


async def _server_side_upgrade(loop, protocol, ctx, **kwargs):
    """Answer the client's line with b"OK\\n", then start_tls(server_side=True, **kwargs)."""
    protocol.transport.write(b"OK\n")
    return await loop.start_tls(protocol.transport, protocol, ctx, server_side=True, **kwargs)


@scope.check(
    "start_tls",
    "server_side",
    requirement="start_tls(server_side=True) upgrades a connection accepted by create_server: after "
    "a plaintext exchange a TLS client completes the handshake, data flows both ways "
    "through the same protocol, and close() ends the session with close_notify.",
    covers=("start_tls.6", "start_tls.8"),
)
def test_start_tls_server_side(loop, certs):
    with Net(loop) as net, Threads() as threads:

        def client(s, line, rest):
            peer = TLSPeer(s, client_context(certs), server_side=False, server_hostname="localhost", initial=rest)
            peer.handshake()
            peer.send(b"ping")
            answer = peer.recv_exactly(4)
            return line, answer, peer.recv_until_closed()

        peer, protocol = _upgrading_client(net, loop, threads, client)
        transport = protocol.transport
        upgrading = _server_side_upgrade(loop, protocol, server_context(certs))
        new = net.adopt(net.run(upgrading, what="start_tls(server_side=True)"))
        expect(new is not transport, "start_tls returned the transport it was given")
        data = net.run(protocol.received(len(HELLO) + 4), what="the client's data over TLS")
        expect_equal(data[len(HELLO) :], b"ping", "decrypted bytes the server protocol received")
        new.write(b"PING")
        new.close()
        net.run(protocol.lost, what="connection_lost after closing the new transport")
        line, answer, (rest, how) = peer.result()
        expect_equal(line, b"OK\n", "plaintext line the client read before the handshake")
        expect_equal(answer, b"PING", "decrypted bytes the client received")
        expect_equal(how, "clean", "how the client saw the TLS stream end (close_notify expected)")


@scope.check(
    "start_tls",
    "server_side_handshake_timeout",
    requirement="start_tls(server_side=True, ssl_handshake_timeout=...) on an accepted connection "
    "whose client never sends a ClientHello fails no earlier than the timeout and "
    "closes the connection.",
    covers=("start_tls.8", "start_tls.10"),
)
def test_start_tls_server_side_handshake_timeout(loop, certs):
    with Net(loop) as net, Threads() as threads:
        # the client never starts the handshake; it waits for the server to give up
        peer, protocol = _upgrading_client(net, loop, threads, lambda s, line, rest: tls.closed_by_loop(s))
        upgrading = _server_side_upgrade(loop, protocol, server_context(certs), ssl_handshake_timeout=HANDSHAKE_TIMEOUT)
        start = loop.time()
        new = tls.outcome(
            net,
            upgrading,
            timeout=HANDSHAKE_TIMEOUT + TIMEOUT,
            what="start_tls(server_side=True) never gave up on a silent client",
        )
        elapsed = loop.time() - start
        if not isinstance(new, Exception):
            net.adopt(new)
        expect_instance(
            new,
            (OSError, asyncio.TimeoutError),
            "start_tls with a silent client did not fail with a connection error",
            expected="ConnectionAbortedError / TimeoutError / OSError",
        )
        tls.expect_timed(new, elapsed)
        expect(peer.result(), "the connection was not closed after the handshake timeout")


# -- closing --------------------------------------------------------------------------------


@scope.check(
    "start_tls",
    "close_notify",
    requirement="close() on the transport returned by start_tls sends pending data, then "
    "close_notify, and calls connection_lost(None) once.",
    covers=("start_tls.4",),
)
def test_start_tls_close_notify(loop, certs):
    with Net(loop) as net, Threads() as threads:
        tls.close_notify(net, loop, _upgraded(net, loop, threads, certs))


@scope.check(
    "start_tls",
    "peer_close_notify",
    requirement="When the peer ends the upgraded session with close_notify, the protocol gets the "
    "data sent before it and connection_lost(None) exactly once.",
    covers=("start_tls.4",),
)
def test_start_tls_peer_close_notify(loop, certs):
    with Net(loop) as net, Threads() as threads:
        tls.peer_close_notify(net, loop, _upgraded(net, loop, threads, certs))


# -- behaviour the docs leave open ----------------------------------------------------------


@scope.check(
    "start_tls",
    "old_transport_after_upgrade",
    level=INFO,
    requirement="The transport passed to start_tls must not be used again. Recorded: stock asyncio "
    "keeps it open and a write() on it puts raw bytes on the wire past TLS (breaking "
    "the session).",
    covers=("start_tls.5",),
)
def test_start_tls_old_transport(loop, certs):
    with Net(loop) as net, Threads() as threads:

        def script(peer):
            peer.handshake()
            try:
                peer.recv_until_closed()
            except ssl.SSLError:  # the raw bytes broke the TLS record layer
                pass
            peer.sock.close()
            return b"RAW-BYTES" in peer.wire

        peer, transport, protocol = _connect_upgrading(net, loop, threads, server_context(certs), script)
        new = upgrade(net, loop, transport, protocol, client_context(certs), server_hostname="localhost")
        closing = transport.is_closing()
        try:
            transport.write(b"RAW-BYTES")
            outcome = "write() returned"
        except Exception as exc:
            outcome = f"write() raised {type(exc).__name__}"
        new.close()
        net.run(protocol.lost, what="connection_lost after closing the new transport")
        _, raw_on_wire = peer.result()
        expect_equal(
            (closing, outcome, raw_on_wire),
            (False, "write() returned", True),
            "old transport: (is_closing(), write(), raw bytes on the wire) vs stock asyncio",
        )


@scope.check(
    "start_tls",
    "on_tls_transport",
    level=INFO,
    requirement="start_tls on a transport that is already TLS: stock asyncio 3.10 refuses with "
    "TypeError, 3.11+ layers a second TLS session inside the first; either is accepted.",
    covers=("start_tls.14",),
)
def test_start_tls_on_tls_transport(loop, certs):
    with Net(loop) as net:
        sctx = server_context(certs)
        inner = {}

        class Server(Recorder):
            """Upgrades its (already TLS) connection once the client's plaintext line arrives."""

            def data_received(self, data):
                super().data_received(data)
                if HELLO in self.data and "task" not in inner:
                    self.transport.pause_reading()  # nothing may slip past before start_tls
                    inner["started"] = loop.create_future()
                    inner["task"] = loop.create_task(self.upgrade())

            async def upgrade(self):
                inner["started"].set_result(None)
                try:
                    inner["server"] = await loop.start_tls(self.transport, self, sctx, server_side=True)
                except Exception as exc:
                    inner["server"] = exc

        factory = net.adopt(Factory(loop, Server))
        server = net.adopt(net.run(loop.create_server(factory, "127.0.0.1", 0, ssl=sctx)))
        protocol = Recorder(loop)
        outer, _ = net.pair(
            net.run(
                loop.create_connection(
                    lambda: protocol, "localhost", server.sockets[0].getsockname()[1], ssl=client_context(certs)
                )
            )
        )
        outer.write(HELLO)

        async def upgrade_client():
            while "started" not in inner:
                await asyncio.sleep(0.005)
            await inner["started"]
            return await loop.start_tls(outer, protocol, client_context(certs), server_hostname="localhost")

        try:
            result = net.run(upgrade_client())
        except (Violation, NotImplementedError):
            raise
        except Exception as exc:
            result = exc
        if isinstance(result, TypeError):
            if "task" in inner:
                inner["task"].cancel()
                net.run(asyncio.gather(inner["task"], return_exceptions=True))
            return
        expect(
            not isinstance(result, BaseException),
            "start_tls on a TLS transport failed with an unexpected exception",
            expected="TypeError or a TLS-in-TLS transport",
            observed=repr(result),
        )
        net.adopt(result)
        net.run(inner["task"], what="the server's inner start_tls")
        expect(hasattr(inner["server"], "write"), "the server's inner start_tls failed", observed=repr(inner["server"]))
        server_proto = factory.protocols[0]
        result.write(b"ping")
        expect_equal(
            net.run(server_proto.received(len(HELLO) + 4))[len(HELLO) :], b"ping", "bytes through the inner TLS session"
        )
        result.close()
        net.run(protocol.lost, what="connection_lost after closing the inner transport")


# -- default handshake timeout, ssl_shutdown_timeout (issue #16) ----------------------------


@scope.check(
    "start_tls",
    "handshake_timeout_default",
    note="tls-default-timeouts-lower-bound",
    requirement="Without ssl_handshake_timeout (None: 60 s), start_tls with a peer that never answers "
    f"the ClientHello is still waiting after {DEFAULT_PROBE:g} s and the connection stays open; a "
    "signature that names the parameter defaults it to None.",
    covers=("start_tls.11",),
)
def test_start_tls_handshake_timeout_default(loop, certs):
    tls.expect_none_default(loop.start_tls, "ssl_handshake_timeout", "start_tls")
    with Net(loop) as net, Threads() as threads:
        peer, transport, protocol = _connect_upgrading(net, loop, threads, server_context(certs), silent)
        transport.write(HELLO)
        tls.call_still_pending(
            net,
            loop,
            loop.start_tls(transport, protocol, client_context(certs), server_hostname="localhost"),
            "start_tls",
        )
        transport.close()
        _, closed = peer.result()
        expect(
            closed,
            "the peer did not see the connection end after the pending start_tls was cancelled "
            "and the transport closed",
        )


@scope.check(
    "start_tls",
    "ssl_shutdown_timeout",
    since="3.11",
    requirement="ssl_shutdown_timeout of start_tls bounds the TLS shutdown of the upgraded transport: "
    "after close(), a peer that never answers the close_notify is cut off within the "
    "bound.",
    covers=("start_tls.12",),
)
def test_start_tls_ssl_shutdown_timeout(loop, certs):
    with Net(loop) as net, Threads() as threads:
        tls.shutdown_timeout(net, loop, _upgraded(net, loop, threads, certs, ssl_shutdown_timeout=HANDSHAKE_TIMEOUT))


@scope.check(
    "start_tls",
    "ssl_shutdown_timeout_default",
    since="3.11",
    note="tls-default-timeouts-lower-bound",
    requirement="Without ssl_shutdown_timeout (None: 30 s) the upgraded transport still waits for the "
    f"peer's close_notify {DEFAULT_PROBE:g} s after close(); connection_lost follows once the peer drops "
    "the connection.",
    covers=("start_tls.12",),
)
def test_start_tls_ssl_shutdown_timeout_default(loop, certs):
    with Net(loop) as net, Threads() as threads:
        tls.shutdown_timeout_default(net, loop, _upgraded(net, loop, threads, certs))
