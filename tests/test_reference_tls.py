"""Tests of reference_loop's TLS (19.5.1.6-7 ssl=..., 19.5.1.8 sendfile over TLS, 19.5.1.9 start_tls).

The conformance suite (suites/sec_09_tls.py) is the real judge; these pin down the reference
behaviour directly: callback order, close_notify on the wire, handshake failures and timeouts,
flow control, and that nothing leaks and the exception handler is never called.
"""

import asyncio
import os
import shutil
import socket
import ssl
import tempfile

import pytest
import trustme

import reference_loop
from loopconf import invariants
from reference_loop.tls import TLSTransport

TIMEOUT = 5.0


# ------------------------------------------------------------------------------------------
# fixtures and helpers
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certs():
    ca = trustme.CA()
    return ca, ca.issue_cert("localhost", "127.0.0.1", "::1")


@pytest.fixture
def server_ctx(certs):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certs[1].configure_cert(context)
    return context


@pytest.fixture(params=["TLSv1_3", "TLSv1_2"])
def client_ctx(request, certs):
    """Client context; every test runs with TLS 1.3 and with TLS 1.2 (their closing differs)."""
    context = ssl.create_default_context()
    context.maximum_version = getattr(ssl.TLSVersion, request.param)
    certs[0].configure_trust(context)
    return context


@pytest.fixture
def loop():
    before = invariants.take()
    loop = reference_loop.new_event_loop()
    handler_calls = []
    loop.set_exception_handler(lambda _loop, context: handler_calls.append(context))
    yield loop
    loop.close()
    assert handler_calls == [], "the exception handler was called"
    assert invariants.leaks(before) == []


def run(loop, coro):
    return loop.run_until_complete(asyncio.wait_for(coro, TIMEOUT))


class Recorder(asyncio.Protocol):
    """Records callbacks; ``lost`` resolves at connection_lost; optional echo."""

    def __init__(self, loop, echo=False):
        self.loop = loop
        self.echo = echo
        self.events = []
        self.data = bytearray()
        self.transport = None
        self.made = loop.create_future()
        self.lost = loop.create_future()
        self._want = None

    def connection_made(self, transport):
        self.events.append("connection_made")
        self.transport = transport
        self.made.set_result(transport)

    def data_received(self, data):
        if self.events[-1:] != ["data_received"]:
            self.events.append("data_received")
        self.data += data
        if self.echo:
            self.transport.write(data)
        self._check_want()

    def eof_received(self):
        self.events.append("eof_received")

    def pause_writing(self):
        self.events.append("pause_writing")

    def resume_writing(self):
        self.events.append("resume_writing")

    def connection_lost(self, exc):
        self.events.append("connection_lost")
        self.lost.set_result(exc)

    async def received(self, n):
        """Wait until at least ``n`` bytes arrived."""
        while len(self.data) < n:
            self._want = (n, self.loop.create_future())
            await self._want[1]

    def _check_want(self):
        if self._want and len(self.data) >= self._want[0] and not self._want[1].done():
            self._want[1].set_result(None)


class Buffered(asyncio.BufferedProtocol):
    def __init__(self, loop):
        self.buf = bytearray(7)  # small on purpose: many get_buffer/buffer_updated rounds
        self.data = bytearray()
        self.lost = loop.create_future()

    def get_buffer(self, sizehint):
        return self.buf

    def buffer_updated(self, nbytes):
        self.data += self.buf[:nbytes]

    def eof_received(self):
        pass

    def connection_lost(self, exc):
        self.lost.set_result(exc)


def tls_connect(loop, port, ssl, server_hostname="localhost", **kwargs):
    """create_connection(ssl=...) to 127.0.0.1:``port`` with a Recorder protocol."""
    return loop.create_connection(
        lambda: Recorder(loop), "127.0.0.1", port, ssl=ssl, server_hostname=server_hostname, **kwargs
    )


async def manual_peer_connection(loop, server_ctx, client_ctx):
    """A TLS connection from the loop to a ManualTLS server peer on a plain socket; returns
    (the peer, its raw socket, the client transport, the client protocol)."""
    listener = listening_socket()
    connect = loop.create_task(tls_connect(loop, listener.getsockname()[1], client_ctx))
    peer_sock, _ = await loop.sock_accept(listener)
    listener.close()
    peer = ManualTLS(loop, peer_sock, server_ctx, server_side=True)
    await peer.handshake()
    transport, client = await connect
    return peer, peer_sock, transport, client


async def tls_pair(loop, server_ctx, client_ctx, server_factory=None, client_factory=None):
    """A TLS server on 127.0.0.1 and one client connected to it."""
    servers = []

    def make_server_protocol():
        protocol = (server_factory or (lambda: Recorder(loop, echo=True)))()
        servers.append(protocol)
        return protocol

    server = await loop.create_server(make_server_protocol, "127.0.0.1", 0, ssl=server_ctx)
    port = server.sockets[0].getsockname()[1]
    transport, client = await loop.create_connection(
        client_factory or (lambda: Recorder(loop)), "127.0.0.1", port, ssl=client_ctx, server_hostname="localhost"
    )
    while not servers or not isinstance(servers[0], asyncio.BufferedProtocol) and not servers[0].made.done():
        await asyncio.sleep(0)
    return server, transport, client, servers[0]


async def close_server(server):
    server.close()
    await server.wait_closed()


class ManualTLS:
    """A TLS peer driven by hand over a non-blocking socket (MemoryBIO + loop.sock_* calls),
    so the test can see exactly what arrives on the wire."""

    def __init__(self, loop, sock, context, server_side, server_hostname=None):
        self.loop = loop
        self.sock = sock
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.obj = context.wrap_bio(
            self.incoming, self.outgoing, server_side=server_side, server_hostname=server_hostname
        )

    async def _flush(self):
        data = self.outgoing.read()
        if data:
            await self.loop.sock_sendall(self.sock, data)

    async def _feed(self):
        data = await self.loop.sock_recv(self.sock, 65536)
        if not data:
            self.incoming.write_eof()
        self.incoming.write(data) if data else None
        return data

    async def handshake(self):
        while True:
            try:
                self.obj.do_handshake()
            except ssl.SSLWantReadError:
                await self._flush()
                await self._feed()
            else:
                await self._flush()
                return

    async def read(self):
        """Plaintext, b'' on close_notify; raises ssl.SSLError on a ragged EOF."""
        while True:
            try:
                return self.obj.read(65536)
            except ssl.SSLZeroReturnError:
                return b""
            except ssl.SSLWantReadError:
                await self._feed()

    async def write(self, data):
        self.obj.write(data)
        await self._flush()

    async def send_close_notify(self):
        try:
            self.obj.unwrap()
        except ssl.SSLWantReadError:
            pass
        await self._flush()


def listening_socket():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.setblocking(False)
    return sock


# ------------------------------------------------------------------------------------------
# create_connection(ssl=) / create_server(ssl=)
# ------------------------------------------------------------------------------------------


def test_echo_and_extra_info(loop, server_ctx, client_ctx):
    """19.5.1.6/7 ssl option: TLS echo; TLS and raw-socket extra info; no half-close."""

    async def main():
        server, transport, client, served = await tls_pair(loop, server_ctx, client_ctx)
        assert isinstance(transport, TLSTransport)
        assert isinstance(transport, asyncio.Transport)
        transport.write(b"hello ")
        transport.writelines([b"tls", bytearray(b" "), memoryview(b"world")])
        await client.received(15)
        assert bytes(client.data) == b"hello tls world"
        assert transport.get_extra_info("sslcontext") is client_ctx
        assert transport.get_extra_info("peercert")["subjectAltName"]
        assert transport.get_extra_info("cipher")[1].startswith("TLS")
        assert isinstance(transport.get_extra_info("ssl_object"), ssl.SSLObject)
        assert "compression" in dir(transport.get_extra_info("ssl_object"))
        assert transport.get_extra_info("compression") is None
        assert transport.get_extra_info("peername")[0] == "127.0.0.1"
        assert transport.get_extra_info("sockname")[0] == "127.0.0.1"
        assert transport.get_extra_info("socket") is not None
        assert transport.get_extra_info("no such key", "dflt") == "dflt"
        assert served.transport.get_extra_info("peercert") is None  # no client certificate
        assert transport.can_write_eof() is False
        with pytest.raises(NotImplementedError):
            transport.write_eof()
        with pytest.raises(TypeError):
            transport.write("text")
        assert transport.get_protocol() is client
        transport.close()
        assert transport.is_closing()
        await client.lost
        await served.lost
        await close_server(server)
        return client, served

    client, served = run(loop, main())
    assert client.events == ["connection_made", "data_received", "eof_received", "connection_lost"]
    assert served.events == ["connection_made", "data_received", "eof_received", "connection_lost"]
    assert client.lost.result() is None and served.lost.result() is None


def test_server_close_reaches_client_as_eof(loop, server_ctx, client_ctx):
    """19.5.1.7 ssl option: server-side close() -> client eof_received then connection_lost(None)."""

    async def main():
        server, transport, client, served = await tls_pair(loop, server_ctx, client_ctx)
        served.transport.write(b"bye")
        served.transport.close()
        await client.lost
        await served.lost
        await close_server(server)
        return client

    client = run(loop, main())
    assert bytes(client.data) == b"bye"
    assert client.events == ["connection_made", "data_received", "eof_received", "connection_lost"]


def test_big_transfer_with_backpressure(loop, server_ctx, client_ctx):
    """19.5.1.6 ssl option: large writes are all delivered; a non-reading peer makes the
    writer's protocol pause, and it resumes once the peer reads again."""
    size = 4 * 1024 * 1024

    async def main():
        server, transport, client, served = await tls_pair(
            loop, server_ctx, client_ctx, server_factory=lambda: Recorder(loop)
        )
        served.transport.pause_reading()
        assert not served.transport.is_reading()
        transport.set_write_buffer_limits(high=64 * 1024)
        assert transport.get_write_buffer_limits() == (16 * 1024, 64 * 1024)
        with pytest.raises(ValueError):
            transport.set_write_buffer_limits(high=1, low=2)
        for _ in range(size // 65536):
            transport.write(b"x" * 65536)
        assert "pause_writing" in client.events
        assert transport.get_write_buffer_size() > 0
        await asyncio.sleep(0.05)
        assert len(served.data) == 0  # paused: nothing delivered
        served.transport.resume_reading()
        assert served.transport.is_reading()
        await served.received(size)
        while transport.get_write_buffer_size():
            await asyncio.sleep(0.01)
        transport.close()
        await client.lost
        await served.lost
        await close_server(server)
        return client, served

    client, served = run(loop, main())
    assert len(served.data) == size
    assert client.events.count("pause_writing") >= 1
    assert client.events.count("pause_writing") == client.events.count("resume_writing")


def test_buffered_protocol(loop, server_ctx, client_ctx):
    """19.5.1.6 ssl option: a BufferedProtocol app receives decrypted data via get_buffer."""

    async def main():
        server, transport, client, served = await tls_pair(
            loop, server_ctx, client_ctx, client_factory=lambda: Buffered(loop)
        )
        transport.write(b"0123456789" * 100)
        while len(client.data) < 1000:
            await asyncio.sleep(0.01)
        transport.close()
        await client.lost
        await served.lost
        await close_server(server)
        return client

    assert bytes(run(loop, main()).data) == b"0123456789" * 100


def test_abort(loop, server_ctx, client_ctx):
    """19.5.1.6 ssl option: abort() -> connection_lost(None) once, no eof_received."""

    async def main():
        server, transport, client, served = await tls_pair(loop, server_ctx, client_ctx)
        transport.abort()
        assert transport.is_closing()
        await client.lost
        await served.lost
        await close_server(server)
        return client

    client = run(loop, main())
    assert client.events == ["connection_made", "connection_lost"]


def test_unix_socket_tls(loop, server_ctx, client_ctx):
    """19.5.1.6/7 create_unix_server/create_unix_connection with ssl."""
    tmp = tempfile.mkdtemp(dir="/tmp")
    path = os.path.join(tmp, "s")

    async def main():
        served = []
        server = await loop.create_unix_server(
            lambda: served.append(Recorder(loop, echo=True)) or served[-1], path, ssl=server_ctx
        )
        transport, client = await loop.create_unix_connection(
            lambda: Recorder(loop), path, ssl=client_ctx, server_hostname="localhost"
        )
        transport.write(b"unix")
        await client.received(4)
        transport.close()
        await client.lost
        await served[0].lost
        await close_server(server)
        return client

    try:
        assert bytes(run(loop, main()).data) == b"unix"
    finally:
        shutil.rmtree(tmp)


# ------------------------------------------------------------------------------------------
# close_notify on the wire
# ------------------------------------------------------------------------------------------


def test_close_sends_close_notify(loop, server_ctx, client_ctx):
    """19.5.1.6 ssl option: close() flushes data then sends a TLS close_notify (a clean
    end of stream for the peer, not a ragged EOF); the reference then closes the socket."""

    async def main():
        peer, peer_sock, transport, client = await manual_peer_connection(loop, server_ctx, client_ctx)
        transport.write(b"last words")
        transport.close()
        got = b""
        while True:
            chunk = await peer.read()
            if not chunk:
                break  # close_notify: SSLZeroReturnError
            got += chunk
        await peer.send_close_notify()
        await client.lost
        assert await loop.sock_recv(peer_sock, 100) == b""  # the reference closed the socket
        peer_sock.close()
        return got, client

    got, client = run(loop, main())
    assert got == b"last words"
    assert client.events == ["connection_made", "eof_received", "connection_lost"]
    assert client.lost.result() is None


def test_peer_close_notify_gives_eof_and_close(loop, server_ctx, client_ctx):
    """19.5.1.6 ssl option: the peer's close_notify -> eof_received, a close_notify back,
    the socket closed, connection_lost(None)."""

    async def main():
        peer, peer_sock, transport, client = await manual_peer_connection(loop, server_ctx, client_ctx)
        await peer.write(b"data then close")
        await peer.send_close_notify()
        assert await peer.read() == b""  # the reference answered with close_notify
        await client.lost
        assert await loop.sock_recv(peer_sock, 100) == b""
        peer_sock.close()
        return client

    client = run(loop, main())
    assert bytes(client.data) == b"data then close"
    assert client.events == ["connection_made", "data_received", "eof_received", "connection_lost"]


def test_ragged_eof(loop, server_ctx, client_ctx):
    """19.5.1.6 ssl option: a TCP EOF without close_notify still ends the app protocol with
    eof_received then connection_lost, once."""

    async def main():
        peer, peer_sock, transport, client = await manual_peer_connection(loop, server_ctx, client_ctx)
        await peer.write(b"abc")
        await client.received(3)
        peer_sock.shutdown(socket.SHUT_WR)
        await client.lost
        peer_sock.close()
        return client

    client = run(loop, main())
    assert client.events == ["connection_made", "data_received", "eof_received", "connection_lost"]


# ------------------------------------------------------------------------------------------
# handshake failures
# ------------------------------------------------------------------------------------------


def test_hostname_mismatch_fails(loop, server_ctx, client_ctx):
    """19.5.1.6 server_hostname: the certificate is matched against it; mismatch -> error,
    and neither app protocol sees connection_made."""

    async def main():
        made = []
        server = await loop.create_server(
            lambda: made.append(Recorder(loop)) or made[-1], "127.0.0.1", 0, ssl=server_ctx
        )
        port = server.sockets[0].getsockname()[1]
        with pytest.raises(ssl.SSLCertVerificationError):
            await tls_connect(loop, port, client_ctx, server_hostname="wrong.example")
        await asyncio.sleep(0.05)
        await close_server(server)
        return made

    made = run(loop, main())
    assert all(protocol.events == [] for protocol in made)


def _ssl_refuses_empty_hostname(ctx) -> bool:
    """3.13.16+/3.14.8+: the ssl module refuses check_hostname without a server_hostname."""
    try:
        ctx.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname=None)
    except ValueError:
        return True
    return False


def test_empty_server_hostname_disables_matching(loop, server_ctx, client_ctx):
    """19.5.1.6 server_hostname='': no host name matching (the chain is still verified); where
    the ssl module refuses check_hostname without a name (3.13.16+, 3.14.8+), ValueError."""
    refuses = _ssl_refuses_empty_hostname(client_ctx)

    async def refused():
        ours, theirs = socket.socketpair()
        with ours, theirs:
            with pytest.raises(ValueError):
                await loop.create_connection(lambda: Recorder(loop), sock=ours, ssl=client_ctx, server_hostname="")

    async def main():
        if refuses:
            return await refused()
        server, first, first_client, _ = await tls_pair(loop, server_ctx, client_ctx)
        port = server.sockets[0].getsockname()[1]
        sock = socket.create_connection(("127.0.0.1", port))
        transport, client = await loop.create_connection(
            lambda: Recorder(loop), sock=sock, ssl=client_ctx, server_hostname=""
        )
        assert transport.get_extra_info("peercert")
        for each in (first, transport):
            each.close()
        await client.lost
        await first_client.lost
        await close_server(server)

    run(loop, main())


def test_untrusted_server_fails(loop, server_ctx):
    """19.5.1.6 ssl=True: default settings verify the server certificate."""

    async def main():
        server = await loop.create_server(lambda: Recorder(loop), "127.0.0.1", 0, ssl=server_ctx)
        port = server.sockets[0].getsockname()[1]
        with pytest.raises(ssl.SSLCertVerificationError):
            await tls_connect(loop, port, True)
        await asyncio.sleep(0.05)
        await close_server(server)

    run(loop, main())


def test_handshake_timeout_silent_peer(loop, client_ctx):
    """19.5.1.6 ssl_handshake_timeout: a peer that never answers -> the connection is
    aborted after the timeout (ConnectionAbortedError, as stock asyncio), not before."""

    async def main():
        listener = listening_socket()
        port = listener.getsockname()[1]
        start = loop.time()
        with pytest.raises(ConnectionAbortedError):
            await tls_connect(loop, port, client_ctx, ssl_handshake_timeout=0.3)
        elapsed = loop.time() - start
        peer, _ = await loop.sock_accept(listener)
        received = b""
        while True:  # everything the client sent, up to its close
            chunk = await loop.sock_recv(peer, 65536)
            if not chunk:
                break
            received += chunk
        peer.close()
        listener.close()
        return elapsed, received

    elapsed, received = run(loop, main())
    assert 0.3 <= elapsed < 2.0
    assert received[:1] == b"\x16"  # a TLS handshake record (ClientHello) was sent


def test_server_handshake_timeout(loop, server_ctx):
    """19.5.1.7 ssl_handshake_timeout: a silent client is dropped by the server, and its
    protocol never sees connection_made."""

    async def main():
        made = []
        server = await loop.create_server(
            lambda: made.append(Recorder(loop)) or made[-1], "127.0.0.1", 0, ssl=server_ctx, ssl_handshake_timeout=0.2
        )
        port = server.sockets[0].getsockname()[1]
        sock = socket.socket()
        sock.setblocking(False)
        await loop.sock_connect(sock, ("127.0.0.1", port))
        assert await loop.sock_recv(sock, 100) == b""  # the server gave up and closed
        sock.close()
        await close_server(server)
        return made

    made = run(loop, main())
    assert [protocol.events for protocol in made] == [[]]


def test_timeout_and_context_validation(loop, server_ctx, client_ctx):
    """19.5.1.6/19.5.1.9: ssl_handshake_timeout must be positive; start_tls needs an SSLContext."""

    async def main():
        server, transport, client, served = await tls_pair(loop, server_ctx, client_ctx)
        port = server.sockets[0].getsockname()[1]
        for bad in (0, -1):
            with pytest.raises(ValueError):
                await tls_connect(loop, port, client_ctx, ssl_handshake_timeout=bad)
        plain, protocol = await loop.create_connection(lambda: Recorder(loop), "127.0.0.1", port)
        with pytest.raises(TypeError):
            await loop.start_tls(plain, protocol, True)
        with pytest.raises(ValueError):
            await loop.start_tls(plain, protocol, client_ctx, ssl_handshake_timeout=0)
        assert not plain.is_closing()  # validation failures leave the transport alone
        plain.close()
        transport.close()
        await protocol.lost
        await client.lost
        await close_server(server)

    run(loop, main())


# ------------------------------------------------------------------------------------------
# start_tls
# ------------------------------------------------------------------------------------------


async def plain_pair(loop):
    served = []
    server = await loop.create_server(lambda: served.append(Recorder(loop)) or served[-1], "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport, client = await loop.create_connection(lambda: Recorder(loop), "127.0.0.1", port)
    while not served:
        await asyncio.sleep(0)
    await served[0].made
    return server, transport, client, served[0]


def test_start_tls_both_sides(loop, server_ctx, client_ctx):
    """19.5.1.9 start_tls: plain bytes first, then upgrade on both sides; new transports carry
    encrypted data to the same protocols; close ends both cleanly, connection_lost once."""

    async def main():
        server, plain_c, client, served = await plain_pair(loop)
        plain_c.write(b"STARTTLS\n")
        await served.received(9)
        server_tls = loop.create_task(loop.start_tls(served.transport, served, server_ctx, server_side=True))
        served.transport.write(b"GO\n")  # sent before the server's handshake records
        await client.received(3)
        tls_c = await loop.start_tls(plain_c, client, client_ctx, server_hostname="localhost")
        tls_s = await server_tls
        assert isinstance(tls_c, TLSTransport) and isinstance(tls_s, TLSTransport)
        assert tls_c is not plain_c
        assert tls_c.get_protocol() is client and tls_s.get_protocol() is served
        assert tls_c.get_extra_info("ssl_object") is not None
        assert tls_c.get_extra_info("peername") == plain_c.get_extra_info("peername")
        tls_c.write(b"secret")
        await served.received(9 + 6)
        tls_s.write(b"answer")
        await client.received(3 + 6)
        tls_c.close()
        await client.lost
        await served.lost
        await close_server(server)
        return client, served

    client, served = run(loop, main())
    assert bytes(served.data) == b"STARTTLS\nsecret"
    assert bytes(client.data) == b"GO\nanswer"
    for protocol in (client, served):
        assert protocol.events == ["connection_made", "data_received", "eof_received", "connection_lost"]


def test_start_tls_write_before_upgrade_is_sent_first(loop, server_ctx, client_ctx):
    """19.5.1.9 start_tls: data written on the plain transport just before the upgrade goes out
    before the handshake (the peer reads it in plain text)."""

    async def main():
        listener = listening_socket()
        port = listener.getsockname()[1]
        plain, client = await loop.create_connection(lambda: Recorder(loop), "127.0.0.1", port)
        peer_sock, _ = await loop.sock_accept(listener)
        listener.close()
        plain.write(b"P" * 300_000)  # more than the socket takes at once
        upgrade = loop.create_task(loop.start_tls(plain, client, client_ctx, server_hostname="localhost"))
        got = b""
        while len(got) < 300_000:
            got += await loop.sock_recv(peer_sock, 65536)
        assert got[:300_000] == b"P" * 300_000
        peer = ManualTLS(loop, peer_sock, server_ctx, server_side=True)
        peer.incoming.write(got[300_000:])
        await peer.handshake()
        tls = await upgrade
        tls.write(b"over tls")
        assert await peer.read() == b"over tls"
        tls.close()
        assert await peer.read() == b""
        await peer.send_close_notify()
        await client.lost
        peer_sock.close()

    run(loop, main())


def test_start_tls_hostname_mismatch(loop, server_ctx, client_ctx):
    """19.5.1.9 start_tls: a failed handshake raises on both sides and closes the connection;
    the protocols get connection_lost once."""

    async def main():
        server, plain_c, client, served = await plain_pair(loop)
        server_tls = loop.create_task(loop.start_tls(served.transport, served, server_ctx, server_side=True))
        with pytest.raises(ssl.SSLCertVerificationError):
            await loop.start_tls(plain_c, client, client_ctx, server_hostname="wrong.example")
        with pytest.raises((ssl.SSLError, ConnectionError)):
            await server_tls
        await client.lost
        await served.lost
        assert plain_c.is_closing()
        await close_server(server)
        return client, served

    client, served = run(loop, main())
    assert client.events == ["connection_made", "connection_lost"]
    assert served.events == ["connection_made", "connection_lost"]


def test_start_tls_timeout(loop, client_ctx):
    """19.5.1.9 ssl_handshake_timeout: a silent peer -> ConnectionAbortedError after the timeout,
    the connection is closed."""

    async def main():
        listener = listening_socket()
        port = listener.getsockname()[1]
        plain, client = await loop.create_connection(lambda: Recorder(loop), "127.0.0.1", port)
        peer, _ = await loop.sock_accept(listener)
        listener.close()
        start = loop.time()
        with pytest.raises(ConnectionAbortedError):
            await loop.start_tls(plain, client, client_ctx, server_hostname="localhost", ssl_handshake_timeout=0.3)
        elapsed = loop.time() - start
        await client.lost
        peer.close()
        return elapsed

    assert 0.3 <= run(loop, main()) < 2.0


def test_start_tls_cancelled(loop, client_ctx):
    """19.5.1.9 start_tls: cancelling the upgrade closes the connection."""

    async def main():
        listener = listening_socket()
        port = listener.getsockname()[1]
        plain, client = await loop.create_connection(lambda: Recorder(loop), "127.0.0.1", port)
        peer, _ = await loop.sock_accept(listener)
        listener.close()
        upgrade = loop.create_task(loop.start_tls(plain, client, client_ctx, server_hostname="localhost"))
        await asyncio.sleep(0.05)
        upgrade.cancel()
        with pytest.raises(asyncio.CancelledError):
            await upgrade
        await client.lost
        peer.close()

    run(loop, main())


# ------------------------------------------------------------------------------------------
# sendfile over TLS (19.5.1.8)
# ------------------------------------------------------------------------------------------


def test_sendfile_over_tls_uses_fallback(loop, server_ctx, client_ctx, tmp_path):
    """19.5.1.8 sendfile: a TLS transport cannot use os.sendfile: with fallback the file is
    read and written through the transport; without it SendfileNotAvailableError."""
    payload = os.urandom(300_000)
    path = tmp_path / "payload"
    path.write_bytes(payload)

    async def main():
        server, transport, client, served = await tls_pair(
            loop, server_ctx, client_ctx, server_factory=lambda: Recorder(loop)
        )
        assert TLSTransport.supports_native_sendfile is False
        with open(path, "rb") as file:
            with pytest.raises(asyncio.SendfileNotAvailableError):
                await loop.sendfile(transport, file, fallback=False)
            assert file.tell() == 0
            sent = await loop.sendfile(transport, file, offset=1000, count=200_000)
            assert sent == 200_000 and file.tell() == 201_000
        await served.received(200_000)
        transport.write(b"after")  # the app protocol keeps working afterwards
        await served.received(200_005)
        transport.close()
        await client.lost
        await served.lost
        await close_server(server)
        return bytes(served.data)

    assert run(loop, main()) == payload[1000:201_000] + b"after"


# ------------------------------------------------------------------------------------------
# closing corner cases
# ------------------------------------------------------------------------------------------


def test_close_while_peer_still_sending(loop, server_ctx, client_ctx):
    """19.5.1.6 ssl option: after close() no data reaches the app; data the peer sends before
    its close_notify does not turn the clean close into an error (connection_lost(None))."""

    async def main():
        peer, peer_sock, transport, client = await manual_peer_connection(loop, server_ctx, client_ctx)
        transport.close()
        for i in range(5):
            await peer.write(b"late %d" % i)
        assert await peer.read() == b""  # our close_notify
        await peer.send_close_notify()
        exc = await client.lost
        peer_sock.close()
        return exc, client

    exc, client = run(loop, main())
    assert exc is None
    assert client.events == ["connection_made", "eof_received", "connection_lost"]


def test_shutdown_timeout(loop, client_ctx, server_ctx):
    """19.5.1.9 start_tls ssl_shutdown_timeout (3.11+): a peer that never answers our
    close_notify -> the connection is dropped after the timeout, connection_lost(TimeoutError)."""

    async def main():
        listener = listening_socket()
        port = listener.getsockname()[1]
        plain, client = await loop.create_connection(lambda: Recorder(loop), "127.0.0.1", port)
        peer_sock, _ = await loop.sock_accept(listener)
        listener.close()
        peer = ManualTLS(loop, peer_sock, server_ctx, server_side=True)
        upgrade = loop.create_task(
            loop.start_tls(plain, client, client_ctx, server_hostname="localhost", ssl_shutdown_timeout=0.3)
        )
        await peer.handshake()
        transport = await upgrade
        start = loop.time()
        transport.close()
        exc = await client.lost
        elapsed = loop.time() - start
        peer_sock.close()
        return exc, elapsed

    exc, elapsed = run(loop, main())
    assert isinstance(exc, TimeoutError)
    assert 0.3 <= elapsed < 2.0


# ------------------------------------------------------------------------------------------
# client certificates, TLS inside TLS
# ------------------------------------------------------------------------------------------


def test_client_certificate(loop, certs, server_ctx, client_ctx):
    """19.5.1.7 ssl option: a server context requiring client certificates sees the client's
    certificate in get_extra_info('peercert')."""
    ca = certs[0]
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    ca.configure_trust(server_ctx)
    ca.issue_cert("client.example").configure_cert(client_ctx)

    async def main():
        server, transport, client, served = await tls_pair(loop, server_ctx, client_ctx)
        peercert = served.transport.get_extra_info("peercert")
        transport.close()
        await client.lost
        await served.lost
        await close_server(server)
        return peercert

    peercert = run(loop, main())
    assert ("DNS", "client.example") in peercert["subjectAltName"]


def test_start_tls_over_tls(loop, server_ctx, client_ctx):
    """19.5.1.9 start_tls: a TLS transport can itself be upgraded (TLS inside TLS)."""

    async def main():
        server, outer, client, served = await tls_pair(
            loop, server_ctx, client_ctx, server_factory=lambda: Recorder(loop)
        )
        server_side = loop.create_task(loop.start_tls(served.transport, served, server_ctx, server_side=True))
        inner = await loop.start_tls(outer, client, client_ctx, server_hostname="localhost")
        await server_side
        assert inner is not outer and isinstance(inner, TLSTransport)
        inner.write(b"inner")
        await served.received(5)
        inner.close()
        await client.lost
        await served.lost
        await close_server(server)
        return bytes(served.data)

    assert run(loop, main()) == b"inner"
