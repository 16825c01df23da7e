"""TLS options of the connection and server methods: ssl=, server_hostname and
ssl_handshake_timeout of create_connection / create_unix_connection (19.5.1.6), create_server /
create_unix_server / connect_accepted_socket (19.5.1.7), and sendfile over TLS (19.5.1.8).

start_tls (19.5.1.9) is in sec_09_tls.py. The peers run in helper threads (suites/_support/tls.py)
and speak TLS through memory BIOs, so they see the raw wire and can tell a clean close_notify
from an abrupt close. Certificates come from trustme and stay in memory.
"""

import asyncio
import inspect
import os
import socket
import ssl
import sys

import pytest

from loopconf.checks import INFO, SHOULD, check
from loopconf.evidence import Violation, expect, expect_equal
from ._support.net import TIMEOUT, Factory, Net, Recorder, io_rounds, read_to_eof, short_unix_path
from ._support.peers import data_file, payload
from ._support.tls import (HANDSHAKE_TIMEOUT, OTHER_NAME, PeerThread, TLSPeer, Threads,  # noqa: F401
                           certs, client_context, read_raw_to_eof, server_context)

CONN, SERV, FILE = "19.5.1.6", "19.5.1.7", "19.5.1.8"
CC = "create_connection"
UC = "create_unix_connection"
CS = "create_server"
US = "create_unix_server"
CA = "connect_accepted_socket"
CA_ANCHOR = "asyncio.BaseEventLoop.connect_accepted_socket"


# -- peers ----------------------------------------------------------------------------------

def tls_server(threads, listener, ctx, script=None):
    """Accept one connection on ``listener`` in a thread, do the TLS handshake, run ``script``."""
    threads.sock(listener)

    def run():
        listener.settimeout(TIMEOUT)
        conn, _ = listener.accept()
        threads.sock(conn)
        peer = TLSPeer(conn, ctx, server_side=True)
        peer.handshake()
        return script(peer) if script else None

    return PeerThread(threads, run)


def failing_tls_server(threads, listener, ctx):
    """Accept one connection and attempt the handshake; returns (handshake error, how it closed)."""
    threads.sock(listener)

    def run():
        listener.settimeout(TIMEOUT)
        conn, _ = listener.accept()
        threads.sock(conn)
        peer = TLSPeer(conn, ctx, server_side=True)
        try:
            peer.handshake()
        except Exception as exc:  # the client refused us: expected
            error = exc
        else:
            error = None
        try:
            rest = read_raw_to_eof(conn)
        except socket.timeout:
            return error, "still open"
        return error, f"closed ({len(rest)} more bytes)"

    return PeerThread(threads, run)


def silent_server(threads, listener):
    """Accept one TCP connection, never speak TLS; returns True once the client closed it."""
    threads.sock(listener)

    def run():
        listener.settimeout(TIMEOUT)
        conn, _ = listener.accept()
        threads.sock(conn)
        try:
            read_raw_to_eof(conn)
        except socket.timeout:
            return False
        return True

    return PeerThread(threads, run)


def tls_client(threads, address, ctx, script=None, family=socket.AF_INET, server_hostname="localhost"):
    """Connect to ``address`` in a thread, do the TLS handshake, run ``script``."""

    def run():
        s = threads.sock(socket.socket(family, socket.SOCK_STREAM))
        s.settimeout(TIMEOUT)
        s.connect(address)
        peer = TLSPeer(s, ctx, server_side=False, server_hostname=server_hostname)
        peer.handshake()
        return script(peer) if script else None

    return PeerThread(threads, run)


def echo_upper(peer):
    """Peer script: answer 4 bytes with their upper-case form, then read to the end of the stream."""
    data = peer.recv_exactly(4)
    peer.send(data.upper())
    return peer.recv_until_closed()


def _exchange(net, loop, transport, protocol, peer_thread):
    """Data both ways over an established TLS transport, then close; returns how the peer saw the end."""
    transport.write(b"ping")
    expect_equal(net.run(protocol.received(4), what="the TLS peer's answer"), b"PING",
                 "decrypted bytes the protocol received from the TLS peer")
    transport.close()
    net.run(protocol.lost, what="connection_lost after close()")
    rest, how = peer_thread.result()
    expect_equal(rest, b"", "bytes the peer received after its answer")
    return how


def _connect_fails(net, loop, coro_factory, factory):
    """Run a create_connection-like call that must fail; returns the exception."""
    try:
        result = net.run(coro_factory())
    except (Violation, NotImplementedError):
        raise
    except Exception as exc:
        return exc
    net.pair(result)
    raise Violation("the connection was established although it must fail", observed=result)


def _expect_no_callbacks(factory, what):
    made = [p.names() for p in factory.protocols if p.events]
    expect(not made, f"protocol callbacks ran although {what}", expected=[], observed=made)


# -- create_connection ----------------------------------------------------------------------

@check("tls.create_connection.ssl_context", section=CONN, method=CC,
       requirement="create_connection(ssl=<SSLContext>) makes a TLS transport using that context: the "
                   "handshake with a TLS server completes and application data flows both ways encrypted.")
def test_create_connection_ssl_context(loop, certs):
    """19.5.1.6 create_connection, ssl: an SSLContext is used to create a TLS transport."""
    with Net(loop) as net, Threads() as threads:
        listener = net.listener()
        peer = tls_server(threads, listener, server_context(certs), echo_upper)
        protocol = Recorder(loop)
        transport, _ = net.pair(net.run(loop.create_connection(
            lambda: protocol, "localhost", listener.getsockname()[1], ssl=client_context(certs))))
        _exchange(net, loop, transport, protocol, peer)
        expect_equal(protocol.count("connection_lost"), 1, "connection_lost calls")


@check("tls.create_connection.ssl_true_default_context", section=CONN, method=CC,
       requirement="create_connection(ssl=True) makes a TLS transport with a default context that "
                   "uses the system's default trust store (here pointed at the test CA with SSL_CERT_FILE).")
def test_create_connection_ssl_true(loop, certs, monkeypatch):
    """19.5.1.6 create_connection, ssl=True: a context with default settings is used."""
    with Net(loop) as net, Threads() as threads:
        cafile = os.path.join(net.tempdir(), "ca.pem")
        certs.ca.cert_pem.write_to_path(cafile)
        monkeypatch.setenv("SSL_CERT_FILE", cafile)
        listener = net.listener()
        peer = tls_server(threads, listener, server_context(certs), echo_upper)
        protocol = Recorder(loop)
        transport, _ = net.pair(net.run(loop.create_connection(
            lambda: protocol, "localhost", listener.getsockname()[1], ssl=True)))
        expect(transport.get_extra_info("ssl_object") is not None or transport.get_extra_info("cipher"),
               "ssl=True produced a transport without TLS extra info")
        _exchange(net, loop, transport, protocol, peer)


@check("tls.create_connection.ssl_true_verifies", section=CONN, method=CC,
       requirement="The default context of ssl=True verifies the server: a certificate from a CA the "
                   "system does not trust fails with ssl.SSLCertVerificationError, and no protocol "
                   "callback runs.")
def test_create_connection_ssl_true_verifies(loop, certs, monkeypatch):
    """19.5.1.6 create_connection, ssl=True (see SSL/TLS security considerations: verify by default)."""
    with Net(loop) as net, Threads() as threads:
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        listener = net.listener()
        peer = failing_tls_server(threads, listener, server_context(certs, cert=certs.untrusted))
        factory = net.adopt(Factory(loop))
        exc = _connect_fails(net, loop, lambda: loop.create_connection(
            factory, "localhost", listener.getsockname()[1], ssl=True), factory)
        expect(isinstance(exc, ssl.SSLCertVerificationError),
               "ssl=True accepted (or failed differently on) a certificate from an untrusted CA",
               expected="ssl.SSLCertVerificationError", observed=f"{type(exc).__name__}: {exc}")
        _expect_no_callbacks(factory, "the handshake failed")
        _, how = peer.result()
        expect(how.startswith("closed"), "the failed connection was left open", observed=how)


@check("tls.create_connection.extra_info", section=CONN, method=CC,
       anchor="asyncio.BaseTransport.get_extra_info",
       requirement="A TLS transport offers the TLS extra info: 'sslcontext' (the context used), "
                   "'peercert' (dict), 'cipher' (3-tuple), 'ssl_object' (with version()), 'compression' "
                   "(None or str).")
def test_create_connection_extra_info(loop, certs):
    """19.5.1.6 create_connection, ssl: the TLS transport's documented get_extra_info keys."""
    with Net(loop) as net, Threads() as threads:
        listener = net.listener()
        peer = tls_server(threads, listener, server_context(certs), echo_upper)
        ctx = client_context(certs)
        protocol = Recorder(loop)
        transport, _ = net.pair(net.run(loop.create_connection(
            lambda: protocol, "localhost", listener.getsockname()[1], ssl=ctx)))
        expect(transport.get_extra_info("sslcontext") is ctx, "'sslcontext' is not the context passed as ssl",
               observed=transport.get_extra_info("sslcontext"))
        peercert = transport.get_extra_info("peercert")
        expect(isinstance(peercert, dict) and peercert.get("subjectAltName"),
               "'peercert' is not the server certificate as a dict", observed=peercert)
        expect(("DNS", "localhost") in peercert["subjectAltName"],
               "'peercert' does not name the server certificate's identities", observed=peercert)
        cipher = transport.get_extra_info("cipher")
        expect(isinstance(cipher, tuple) and len(cipher) == 3, "'cipher' is not a 3-tuple", observed=cipher)
        obj = transport.get_extra_info("ssl_object")
        expect(obj is not None and callable(getattr(obj, "version", None)),
               "'ssl_object' has no version()", observed=obj)
        expect(obj.version() in ("TLSv1.2", "TLSv1.3"), "'ssl_object'.version() is not a TLS version",
               observed=obj.version())
        expect_equal(cipher[1], obj.version(), "protocol version in 'cipher' vs ssl_object.version()")
        compression = transport.get_extra_info("compression")
        expect(compression is None or isinstance(compression, str), "'compression' is not None or str",
               observed=compression)
        _exchange(net, loop, transport, protocol, peer)


@check("tls.create_connection.server_hostname_defaults_to_host", section=CONN, method=CC,
       requirement="Without server_hostname the host argument is the name the certificate is matched "
                   "against (and sent as SNI): 'localhost' matches a localhost certificate, while "
                   "'127.0.0.1' does not match a certificate for another name.")
def test_create_connection_server_hostname_default(loop, certs):
    """19.5.1.6 create_connection, server_hostname: by default the value of host is used."""
    with Net(loop) as net, Threads() as threads:
        listener = net.listener()
        sctx = server_context(certs)
        sni = []
        sctx.sni_callback = lambda obj, name, ctx: sni.append(name)
        peer = tls_server(threads, listener, sctx, echo_upper)
        protocol = Recorder(loop)
        transport, _ = net.pair(net.run(loop.create_connection(
            lambda: protocol, "localhost", listener.getsockname()[1], ssl=client_context(certs))))
        _exchange(net, loop, transport, protocol, peer)
        expect_equal(sni, ["localhost"], "server name (SNI) the server received")

        listener = net.listener()
        peer = failing_tls_server(threads, listener, server_context(certs, cert=certs.other))
        factory = net.adopt(Factory(loop))
        exc = _connect_fails(net, loop, lambda: loop.create_connection(
            factory, "127.0.0.1", listener.getsockname()[1], ssl=client_context(certs)), factory)
        expect(isinstance(exc, ssl.SSLCertVerificationError),
               f"host '127.0.0.1' was not matched against a certificate for {OTHER_NAME}",
               expected="ssl.SSLCertVerificationError", observed=f"{type(exc).__name__}: {exc}")
        peer.result()


@check("tls.create_connection.server_hostname_override", section=CONN, method=CC,
       requirement="server_hostname overrides host for certificate matching: host '127.0.0.1' with "
                   "server_hostname naming the certificate's identity connects.")
def test_create_connection_server_hostname_override(loop, certs):
    """19.5.1.6 create_connection, server_hostname: sets or overrides the name to match."""
    with Net(loop) as net, Threads() as threads:
        listener = net.listener()
        sctx = server_context(certs, cert=certs.other)
        sni = []
        sctx.sni_callback = lambda obj, name, ctx: sni.append(name)
        peer = tls_server(threads, listener, sctx, echo_upper)
        protocol = Recorder(loop)
        transport, _ = net.pair(net.run(loop.create_connection(
            lambda: protocol, "127.0.0.1", listener.getsockname()[1], ssl=client_context(certs),
            server_hostname=OTHER_NAME)))
        _exchange(net, loop, transport, protocol, peer)
        expect_equal(sni, [OTHER_NAME], "server name (SNI) the server received")


@check("tls.create_connection.server_hostname_mismatch", section=CONN, method=CC,
       requirement="A server_hostname the certificate does not match fails the connection with "
                   "ssl.SSLCertVerificationError; connection_made is never called and the TCP "
                   "connection is closed.")
def test_create_connection_server_hostname_mismatch(loop, certs):
    """19.5.1.6 create_connection, server_hostname: the certificate is matched against it."""
    with Net(loop) as net, Threads() as threads:
        listener = net.listener()
        peer = failing_tls_server(threads, listener, server_context(certs))
        factory = net.adopt(Factory(loop))
        exc = _connect_fails(net, loop, lambda: loop.create_connection(
            factory, "127.0.0.1", listener.getsockname()[1], ssl=client_context(certs),
            server_hostname="wrong.example"), factory)
        expect(isinstance(exc, ssl.SSLCertVerificationError),
               "a certificate not valid for server_hostname was accepted (or failed differently)",
               expected="ssl.SSLCertVerificationError", observed=f"{type(exc).__name__}: {exc}")
        _expect_no_callbacks(factory, "the handshake failed")
        _, how = peer.result()
        expect(how.startswith("closed"), "the failed connection was left open", observed=how)


@check("tls.create_connection.server_hostname_empty", section=CONN, method=CC, versions="<3.13.16",
       requirement="server_hostname='' disables hostname matching: a certificate for another name from "
                   "a trusted CA is accepted (the chain is still verified).")
def test_create_connection_server_hostname_empty(loop, certs):
    """19.5.1.6 create_connection, server_hostname: an empty string disables hostname matching."""
    with Net(loop) as net, Threads() as threads:
        listener = net.listener()
        peer = tls_server(threads, listener, server_context(certs, cert=certs.other), echo_upper)
        protocol = Recorder(loop)
        transport, _ = net.pair(net.run(loop.create_connection(
            lambda: protocol, "127.0.0.1", listener.getsockname()[1], ssl=client_context(certs),
            server_hostname="")))
        _exchange(net, loop, transport, protocol, peer)

        listener = net.listener()
        peer = failing_tls_server(threads, listener, server_context(certs, cert=certs.untrusted))
        factory = net.adopt(Factory(loop))
        exc = _connect_fails(net, loop, lambda: loop.create_connection(
            factory, "127.0.0.1", listener.getsockname()[1], ssl=client_context(certs),
            server_hostname=""), factory)
        expect(isinstance(exc, ssl.SSLCertVerificationError),
               "with server_hostname='' an untrusted certificate chain was accepted",
               expected="ssl.SSLCertVerificationError", observed=f"{type(exc).__name__}: {exc}")
        peer.result()


@check("tls.create_connection.server_hostname_required", section=CONN, method=CC,
       requirement="With ssl and no host (sock=...) and no server_hostname, create_connection raises "
                   "ValueError.")
def test_create_connection_server_hostname_required(loop, certs):
    """19.5.1.6 create_connection: if host is empty you must pass server_hostname."""
    with Net(loop) as net:
        listener = net.listener()
        sock = net.connect(listener.getsockname())
        net.accept(listener)
        factory = net.adopt(Factory(loop))
        exc = _connect_fails(net, loop, lambda: loop.create_connection(
            factory, sock=sock, ssl=client_context(certs)), factory)
        expect(isinstance(exc, ValueError), "ssl without host or server_hostname was not refused with ValueError",
               expected="ValueError", observed=f"{type(exc).__name__}: {exc}")
        _expect_no_callbacks(factory, "the call was refused")


@check("tls.create_connection.server_hostname_requires_ssl", section=CONN, method=CC,
       requirement="server_hostname without ssl is refused with ValueError.")
def test_create_connection_server_hostname_requires_ssl(loop):
    """19.5.1.6 create_connection: server_hostname is only for use together with ssl."""
    with Net(loop) as net:
        listener = net.listener()
        factory = net.adopt(Factory(loop))
        exc = _connect_fails(net, loop, lambda: loop.create_connection(
            factory, "127.0.0.1", listener.getsockname()[1], server_hostname="localhost"), factory)
        expect(isinstance(exc, ValueError), "server_hostname without ssl was not refused with ValueError",
               expected="ValueError", observed=f"{type(exc).__name__}: {exc}")


def _timed_failure(net, loop, coro_factory):
    """Run a call that must give up after HANDSHAKE_TIMEOUT; returns (exception, elapsed loop time)."""
    start = loop.time()
    try:
        result = net.run(coro_factory(), timeout=HANDSHAKE_TIMEOUT + TIMEOUT,
                         what=f"the call with ssl_handshake_timeout={HANDSHAKE_TIMEOUT} never gave up")
    except (Violation, NotImplementedError):
        raise
    except Exception as exc:
        return exc, loop.time() - start
    net.pair(result)
    raise Violation("the handshake with a silent peer succeeded", observed=result)


def _expect_timed(exc, elapsed):
    expect(elapsed >= HANDSHAKE_TIMEOUT, "the handshake was aborted before ssl_handshake_timeout",
           expected=f">= {HANDSHAKE_TIMEOUT}s", observed=f"{elapsed:.3f}s ({type(exc).__name__}: {exc})")
    expect(isinstance(exc, (OSError, asyncio.TimeoutError)),
           "the aborted handshake raised an unexpected exception type",
           expected="ConnectionAbortedError / TimeoutError / OSError", observed=f"{type(exc).__name__}: {exc}")


@check("tls.create_connection.handshake_timeout", section=CONN, method=CC,
       requirement="With ssl_handshake_timeout, a server that accepts TCP but never answers the TLS "
                   "handshake makes create_connection fail no earlier than the timeout, close the "
                   "connection, and call no protocol callback.")
def test_create_connection_handshake_timeout(loop, certs):
    """19.5.1.6 create_connection, ssl_handshake_timeout: abort the connection after the timeout."""
    with Net(loop) as net, Threads() as threads:
        listener = net.listener()
        peer = silent_server(threads, listener)
        factory = net.adopt(Factory(loop))
        exc, elapsed = _timed_failure(net, loop, lambda: loop.create_connection(
            factory, "localhost", listener.getsockname()[1], ssl=client_context(certs),
            ssl_handshake_timeout=HANDSHAKE_TIMEOUT))
        _expect_timed(exc, elapsed)
        _expect_no_callbacks(factory, "the handshake timed out")
        expect(peer.result(), "the connection was not closed after the handshake timeout")


@check("tls.create_connection.handshake_timeout_requires_ssl", section=CONN, method=CC,
       requirement="ssl_handshake_timeout without ssl is refused with ValueError.")
def test_create_connection_handshake_timeout_requires_ssl(loop):
    """19.5.1.6 create_connection: ssl_handshake_timeout is for an SSL connection."""
    with Net(loop) as net:
        listener = net.listener()
        factory = net.adopt(Factory(loop))
        exc = _connect_fails(net, loop, lambda: loop.create_connection(
            factory, "127.0.0.1", listener.getsockname()[1], ssl_handshake_timeout=1.0), factory)
        expect(isinstance(exc, ValueError), "ssl_handshake_timeout without ssl was not refused with ValueError",
               expected="ValueError", observed=f"{type(exc).__name__}: {exc}")


@pytest.mark.parametrize("value", [0, -1], ids=["zero", "negative"])
@check("tls.create_connection.handshake_timeout_positive", section=CONN, method=CC, level=SHOULD,
       note="tls-handshake-timeout-validation",
       requirement="A zero or negative ssl_handshake_timeout is refused with ValueError.")
def test_create_connection_handshake_timeout_positive(loop, certs, value):
    """19.5.1.6 create_connection, ssl_handshake_timeout: a time in seconds (must be positive)."""
    with Net(loop) as net:
        listener = net.listener()
        factory = net.adopt(Factory(loop))
        exc = _connect_fails(net, loop, lambda: loop.create_connection(
            factory, "localhost", listener.getsockname()[1], ssl=client_context(certs),
            ssl_handshake_timeout=value), factory)
        expect(isinstance(exc, ValueError), f"ssl_handshake_timeout={value} was not refused with ValueError",
               expected="ValueError", observed=f"{type(exc).__name__}: {exc}")


@check("tls.create_connection.handshake_timeout_default", section=CONN, method=CC, level=INFO,
       requirement="ssl_handshake_timeout defaults to None (meaning 60 s, not waited for here): where the "
                   "signature names it its default is None, and a handshake with None completes normally.")
def test_create_connection_handshake_timeout_default(loop, certs):
    """19.5.1.6 create_connection, ssl_handshake_timeout: 60.0 seconds if None (only the default is checked)."""
    try:  # judged only when the signature names the parameter (wrappers may take **kwargs)
        param = inspect.signature(loop.create_connection).parameters.get("ssl_handshake_timeout")
    except (ValueError, TypeError):
        param = None
    if param is not None:
        expect(param.default is None, "the signature default of ssl_handshake_timeout is not None",
               observed=param.default)
    with Net(loop) as net, Threads() as threads:
        listener = net.listener()
        peer = tls_server(threads, listener, server_context(certs), echo_upper)
        protocol = Recorder(loop)
        transport, _ = net.pair(net.run(loop.create_connection(
            lambda: protocol, "localhost", listener.getsockname()[1], ssl=client_context(certs),
            ssl_handshake_timeout=None)))
        _exchange(net, loop, transport, protocol, peer)


@check("tls.create_connection.close_notify", section=CONN, method=CC,
       requirement="close() on a TLS transport ends the TLS session cleanly: buffered data is sent, then "
                   "close_notify, and connection_lost(None) is called once.")
def test_create_connection_close_notify(loop, certs):
    """19.5.1.6 create_connection, ssl: closing a TLS transport (clean TLS shutdown)."""
    with Net(loop) as net, Threads() as threads:
        listener = net.listener()
        peer = tls_server(threads, listener, server_context(certs), lambda p: p.recv_until_closed())
        protocol = Recorder(loop)
        transport, _ = net.pair(net.run(loop.create_connection(
            lambda: protocol, "localhost", listener.getsockname()[1], ssl=client_context(certs))))
        transport.write(b"last words")
        transport.close()
        expect_equal(net.run(protocol.lost, what="connection_lost after close()"), None,
                     "connection_lost argument after close()")
        data, how = peer.result()
        expect_equal(data, b"last words", "bytes the peer received before the end of the stream")
        expect_equal(how, "clean", "how the peer saw the TLS stream end (close_notify expected)")
        net.run(io_rounds(loop, 2))
        expect_equal(protocol.count("connection_lost"), 1, "connection_lost calls")


@check("tls.create_connection.peer_close_notify_lost_once", section=CONN, method=CC,
       requirement="When the TLS peer sends close_notify and closes, the protocol gets the data sent "
                   "before it and connection_lost(None) exactly once.")
def test_create_connection_peer_close_notify(loop, certs):
    """19.5.1.6 create_connection, ssl: the peer ends the TLS session."""
    with Net(loop) as net, Threads() as threads:
        listener = net.listener()

        def script(p):
            p.send(b"bye")
            p.close_notify()
            return p.recv_until_closed()

        peer = tls_server(threads, listener, server_context(certs), script)
        protocol = Recorder(loop)
        net.pair(net.run(loop.create_connection(
            lambda: protocol, "localhost", listener.getsockname()[1], ssl=client_context(certs))))
        expect_equal(net.run(protocol.lost, what="connection_lost after the peer's close_notify"), None,
                     "connection_lost argument after the peer's close_notify")
        peer.result()
        net.run(io_rounds(loop, 2))
        expect_equal(bytes(protocol.data), b"bye", "data received before the peer's close_notify")
        expect_equal(protocol.count("connection_lost"), 1, "connection_lost calls")


@check("tls.create_connection.peer_close_notify_eof_received", section=CONN, method=CC,
       versions=">=3.11", docs="3.11", anchor="asyncio.Protocol.eof_received",
       note="tls-close-notify-eof-received",
       requirement="When the TLS peer sends close_notify, the protocol's eof_received is called (once, "
                   "before connection_lost).")
def test_create_connection_peer_close_notify_eof(loop, certs):
    """19.5.1.6 create_connection, ssl: eof_received signals the peer's close_notify."""
    with Net(loop) as net, Threads() as threads:
        listener = net.listener()

        def script(p):
            p.close_notify()
            return p.recv_until_closed()

        peer = tls_server(threads, listener, server_context(certs), script)
        protocol = Recorder(loop)
        net.pair(net.run(loop.create_connection(
            lambda: protocol, "localhost", listener.getsockname()[1], ssl=client_context(certs))))
        net.run(protocol.lost, what="connection_lost after the peer's close_notify")
        peer.result()
        names = [n for n in protocol.names() if n in ("eof_received", "connection_lost")]
        expect_equal(names, ["eof_received", "connection_lost"],
                     "eof_received / connection_lost after the peer's close_notify")


@check("tls.create_connection.write_eof", section=CONN, method=CC, level=INFO,
       anchor="asyncio.WriteTransport.write_eof",
       requirement="What a TLS transport does with can_write_eof()/write_eof() (stock asyncio: False, and "
                   "write_eof raises NotImplementedError); recorded, not required.")
def test_create_connection_write_eof(loop, certs):
    """19.5.1.6 create_connection, ssl: half-close of a TLS transport (left open by the docs)."""
    with Net(loop) as net, Threads() as threads:
        listener = net.listener()
        peer = tls_server(threads, listener, server_context(certs), lambda p: p.recv_until_closed())
        protocol = Recorder(loop)
        transport, _ = net.pair(net.run(loop.create_connection(
            lambda: protocol, "localhost", listener.getsockname()[1], ssl=client_context(certs))))
        can = transport.can_write_eof()
        try:
            transport.write_eof()
            observed = "write_eof() returned"
        except NotImplementedError:
            observed = "NotImplementedError"
        except Exception as exc:
            observed = f"{type(exc).__name__}: {exc}"
        transport.close()
        net.run(protocol.lost)
        peer.result()
        expect(can is False or observed == "write_eof() returned",
               "can_write_eof() is True but write_eof() failed", observed=(can, observed))
        expect(can is True or observed == "NotImplementedError",
               "can_write_eof() is False but write_eof() did not raise NotImplementedError",
               observed=(can, observed))


@check("tls.create_connection.ssl_shutdown_timeout", section=CONN, method=CC,
       versions=">=3.11", docs="3.11",
       requirement="ssl_shutdown_timeout bounds the wait for the peer's close_notify after close(): a "
                   "peer that never answers is cut off no earlier than the timeout; without ssl it is "
                   "refused with ValueError.")
def test_create_connection_ssl_shutdown_timeout(loop, certs):
    """19.5.1.6 create_connection (3.11 docs), ssl_shutdown_timeout."""
    with Net(loop) as net, Threads() as threads:
        listener = net.listener()
        factory = net.adopt(Factory(loop))
        exc = _connect_fails(net, loop, lambda: loop.create_connection(
            factory, "127.0.0.1", listener.getsockname()[1], ssl_shutdown_timeout=1.0), factory)
        expect(isinstance(exc, ValueError), "ssl_shutdown_timeout without ssl was not refused with ValueError",
               expected="ValueError", observed=f"{type(exc).__name__}: {exc}")

        listener = net.listener()

        def script(p):
            p.send(b"x")
            try:
                p.recv()  # the loop's close_notify; we never answer
            except Exception as exc:
                first = type(exc).__name__
            else:
                first = "data"
            rest = read_raw_to_eof(p.sock)
            return first, rest

        peer = tls_server(threads, listener, server_context(certs), script)
        protocol = Recorder(loop)
        transport, _ = net.pair(net.run(loop.create_connection(
            lambda: protocol, "localhost", listener.getsockname()[1], ssl=client_context(certs),
            ssl_shutdown_timeout=HANDSHAKE_TIMEOUT)))
        net.run(protocol.received(1))
        start = loop.time()
        transport.close()
        net.run(protocol.lost, timeout=HANDSHAKE_TIMEOUT + TIMEOUT,
                what="connection_lost after close() with a peer that never answers close_notify")
        elapsed = loop.time() - start
        first, _ = peer.result()
        expect_equal(first, "CleanClose", "what the peer read after close() (close_notify expected)")
        expect(elapsed >= HANDSHAKE_TIMEOUT, "the TLS shutdown was cut off before ssl_shutdown_timeout",
               expected=f">= {HANDSHAKE_TIMEOUT}s", observed=f"{elapsed:.3f}s")


# -- create_unix_connection -----------------------------------------------------------------

@check("tls.create_unix_connection.ssl", section=CONN, method=UC, platforms=("linux", "darwin", "freebsd"),
       requirement="create_unix_connection(ssl=<SSLContext>, server_hostname=...) makes a TLS transport "
                   "over a UNIX socket; data flows both ways and close() sends close_notify.")
def test_create_unix_connection_ssl(loop, certs):
    """19.5.1.6 create_unix_connection: the ssl parameters of create_connection apply."""
    with Net(loop) as net, Threads() as threads:
        path = short_unix_path(net)
        listener = net.unix_listener(path)
        peer = tls_server(threads, listener, server_context(certs), echo_upper)
        protocol = Recorder(loop)
        transport, _ = net.pair(net.run(loop.create_unix_connection(
            lambda: protocol, path, ssl=client_context(certs), server_hostname="localhost")))
        expect_equal(_exchange(net, loop, transport, protocol, peer), "clean",
                     "how the peer saw the TLS stream end")


@check("tls.create_unix_connection.server_hostname_required", section=CONN, method=UC,
       platforms=("linux", "darwin", "freebsd"),
       requirement="create_unix_connection with ssl and no server_hostname raises ValueError (there is "
                   "no host to default to).")
def test_create_unix_connection_server_hostname_required(loop, certs):
    """19.5.1.6 create_unix_connection (create_connection parameters): host is empty, so
    server_hostname must be given."""
    with Net(loop) as net:
        path = short_unix_path(net)
        net.unix_listener(path)
        factory = net.adopt(Factory(loop))
        exc = _connect_fails(net, loop, lambda: loop.create_unix_connection(
            factory, path, ssl=client_context(certs)), factory)
        expect(isinstance(exc, ValueError), "ssl without server_hostname was not refused with ValueError",
               expected="ValueError", observed=f"{type(exc).__name__}: {exc}")


# -- create_server / create_unix_server -----------------------------------------------------

def _serve(net, loop, ctx, **kwargs):
    factory = net.adopt(Factory(loop))
    server = net.adopt(net.run(loop.create_server(factory, "127.0.0.1", 0, ssl=ctx, **kwargs)))
    return factory, server, server.sockets[0].getsockname()


def _server_exchange(net, loop, factory, peer):
    """Server side of echo_upper, reversed: the client thread sends 4 bytes, we answer upper-case."""
    protocol = net.run(factory.new_protocol.get(), what="a protocol for the TLS client")
    net.run(protocol.made, what="connection_made for the TLS client")
    data = net.run(protocol.received(4), what="the TLS client's bytes")
    expect_equal(data, b"ping", "decrypted bytes the server protocol received")
    protocol.transport.write(data.upper())
    return protocol


def client_ping(p):
    p.send(b"ping")
    answer = p.recv_exactly(4)
    return answer, p.recv_until_closed()


@check("tls.create_server.ssl_context", section=SERV, method=CS,
       requirement="create_server(ssl=<SSLContext>) serves TLS: a TLS client completes the handshake, data "
                   "flows both ways, and the server transport reports the server context as 'sslcontext'.")
def test_create_server_ssl_context(loop, certs):
    """19.5.1.7 create_server, ssl: enable SSL over the accepted connections."""
    with Net(loop) as net, Threads() as threads:
        sctx = server_context(certs)
        factory, _, address = _serve(net, loop, sctx)
        peer = tls_client(threads, address, client_context(certs), client_ping)
        protocol = _server_exchange(net, loop, factory, peer)
        expect(protocol.transport.get_extra_info("sslcontext") is sctx,
               "server transport 'sslcontext' is not the server's context",
               observed=protocol.transport.get_extra_info("sslcontext"))
        protocol.transport.close()
        net.run(protocol.lost)
        answer, (rest, how) = peer.result()
        expect_equal(answer, b"PING", "bytes the TLS client received")
        expect_equal(how, "clean", "how the client saw the TLS stream end (close_notify expected)")


@check("tls.create_server.handshake_timeout", section=SERV, method=CS,
       requirement="With ssl_handshake_timeout, a client that connects but never sends a ClientHello is "
                   "disconnected by the server no earlier than the timeout, and the protocol's "
                   "connection_made is never called.")
def test_create_server_handshake_timeout(loop, certs):
    """19.5.1.7 create_server, ssl_handshake_timeout: abort the connection after the timeout."""
    with Net(loop) as net:
        factory, _, address = _serve(net, loop, server_context(certs), ssl_handshake_timeout=HANDSHAKE_TIMEOUT)
        start = loop.time()
        client = net.connect(address)
        net.run(read_to_eof(loop, client), timeout=HANDSHAKE_TIMEOUT + TIMEOUT,
                what="the server never dropped a client that does not start the handshake")
        elapsed = loop.time() - start
        expect(elapsed >= HANDSHAKE_TIMEOUT, "the server dropped the client before ssl_handshake_timeout",
               expected=f">= {HANDSHAKE_TIMEOUT}s", observed=f"{elapsed:.3f}s")
        _expect_no_callbacks(factory, "the handshake never happened")


@check("tls.create_server.handshake_timeout_requires_ssl", section=SERV, method=CS,
       requirement="create_server with ssl_handshake_timeout but no ssl is refused with ValueError.")
def test_create_server_handshake_timeout_requires_ssl(loop):
    """19.5.1.7 create_server: ssl_handshake_timeout is for an SSL server."""
    with Net(loop) as net:
        factory = net.adopt(Factory(loop))
        exc = _connect_fails(net, loop, lambda: loop.create_server(
            factory, "127.0.0.1", 0, ssl_handshake_timeout=1.0), factory)
        expect(isinstance(exc, ValueError), "ssl_handshake_timeout without ssl was not refused with ValueError",
               expected="ValueError", observed=f"{type(exc).__name__}: {exc}")


@check("tls.create_server.peer_close_notify", section=SERV, method=CS,
       requirement="When a TLS client sends close_notify, the server protocol gets the data sent before "
                   "it and connection_lost(None) exactly once.")
def test_create_server_peer_close_notify(loop, certs):
    """19.5.1.7 create_server, ssl: the client ends the TLS session."""
    with Net(loop) as net, Threads() as threads:
        factory, _, address = _serve(net, loop, server_context(certs))

        def script(p):
            p.send(b"ping")
            p.close_notify()
            return p.recv_until_closed()

        peer = tls_client(threads, address, client_context(certs), script)
        protocol = net.run(factory.new_protocol.get())
        expect_equal(net.run(protocol.lost, what="connection_lost after the client's close_notify"), None,
                     "connection_lost argument")
        peer.result()
        net.run(io_rounds(loop, 2))
        expect_equal(bytes(protocol.data), b"ping", "data received before the client's close_notify")
        expect_equal(protocol.count("connection_lost"), 1, "connection_lost calls")


@check("tls.create_server.mutual_tls_accepts", section=SERV, method=CS,
       requirement="A server context requiring client certificates accepts a client presenting one from "
                   "the trusted CA, and the server transport's 'peercert' is that client certificate.")
def test_create_server_mutual_tls_accepts(loop, certs):
    """19.5.1.7 create_server, ssl: the server's SSLContext (client certificates required) is used."""
    with Net(loop) as net, Threads() as threads:
        factory, _, address = _serve(net, loop, server_context(certs, require_client_cert=True))
        peer = tls_client(threads, address, client_context(certs, client_cert=True), client_ping)
        protocol = _server_exchange(net, loop, factory, peer)
        peercert = protocol.transport.get_extra_info("peercert")
        expect(isinstance(peercert, dict) and ("DNS", "client.example") in peercert.get("subjectAltName", ()),
               "server 'peercert' is not the client's certificate", observed=peercert)
        protocol.transport.close()
        net.run(protocol.lost)
        answer, _ = peer.result()
        expect_equal(answer, b"PING", "bytes the TLS client received")


@check("tls.create_server.mutual_tls_refuses", section=SERV, method=CS,
       requirement="A server context requiring client certificates refuses a client without one: the "
                   "client's TLS session fails and the server protocol's connection_made is never called.")
def test_create_server_mutual_tls_refuses(loop, certs):
    """19.5.1.7 create_server, ssl: the server's SSLContext (client certificates required) is enforced."""
    with Net(loop) as net, Threads() as threads:
        factory, _, address = _serve(net, loop, server_context(certs, require_client_cert=True))

        def script(p):
            # TLS 1.3: the client's handshake may finish before the server checks the certificate
            try:
                p.send(b"ping")
                return p.recv_until_closed()
            except Exception as exc:
                return b"", f"error: {type(exc).__name__}"

        def run():
            s = threads.sock(socket.socket())
            s.settimeout(TIMEOUT)
            s.connect(address)
            p = TLSPeer(s, client_context(certs), server_side=False, server_hostname="localhost")
            try:
                p.handshake()
            except Exception as exc:
                return b"", f"error: {type(exc).__name__}"
            return script(p)

        peer = PeerThread(threads, run)
        net.run(_wait_thread(loop, peer), what="the refused TLS client finishing")
        data, how = peer.result()
        expect(how != "clean" or data, "the client without a certificate was served", observed=how)
        net.run(io_rounds(loop, 2))
        _expect_no_callbacks(factory, "the client presented no certificate")


async def _wait_thread(loop, peer, step=0.01):
    while not peer.done():
        await asyncio.sleep(step)


@check("tls.create_unix_server.ssl", section=SERV, method=US, platforms=("linux", "darwin", "freebsd"),
       requirement="create_unix_server(ssl=<SSLContext>) serves TLS over a UNIX socket: a TLS client "
                   "completes the handshake and data flows both ways.")
def test_create_unix_server_ssl(loop, certs):
    """19.5.1.7 create_unix_server: like create_server, including ssl."""
    with Net(loop) as net, Threads() as threads:
        path = short_unix_path(net)
        factory = net.adopt(Factory(loop))
        net.adopt(net.run(loop.create_unix_server(factory, path, ssl=server_context(certs))))
        peer = tls_client(threads, path, client_context(certs), client_ping, family=socket.AF_UNIX)
        protocol = _server_exchange(net, loop, factory, peer)
        protocol.transport.close()
        net.run(protocol.lost)
        answer, (rest, how) = peer.result()
        expect_equal(answer, b"PING", "bytes the TLS client received")
        expect_equal(how, "clean", "how the client saw the TLS stream end (close_notify expected)")


# -- connect_accepted_socket ----------------------------------------------------------------

@check("tls.connect_accepted_socket.ssl", section=SERV, method=CA, anchor=CA_ANCHOR,
       requirement="connect_accepted_socket(sock, ssl=<SSLContext>) does the server side of TLS on an "
                   "accepted socket: the client completes the handshake and data flows both ways.")
def test_connect_accepted_socket_ssl(loop, certs):
    """19.5.1.7 connect_accepted_socket, ssl: enable SSL over the accepted connection."""
    with Net(loop) as net, Threads() as threads:
        listener = net.listener()
        peer = tls_client(threads, listener.getsockname(), client_context(certs), client_ping)
        conn = net.accept(listener)
        conn.setblocking(False)
        protocol = Recorder(loop)
        transport, _ = net.pair(net.run(loop.connect_accepted_socket(
            lambda: protocol, conn, ssl=server_context(certs))))
        expect_equal(net.run(protocol.received(4)), b"ping", "decrypted bytes the protocol received")
        transport.write(b"PING")
        transport.close()
        net.run(protocol.lost)
        answer, (rest, how) = peer.result()
        expect_equal(answer, b"PING", "bytes the TLS client received")
        expect_equal(how, "clean", "how the client saw the TLS stream end (close_notify expected)")


@check("tls.connect_accepted_socket.handshake_timeout", section=SERV, method=CA, anchor=CA_ANCHOR,
       requirement="With ssl_handshake_timeout, a client that never sends a ClientHello makes "
                   "connect_accepted_socket fail no earlier than the timeout and close the connection.")
def test_connect_accepted_socket_handshake_timeout(loop, certs):
    """19.5.1.7 connect_accepted_socket, ssl_handshake_timeout: abort after the timeout."""
    with Net(loop) as net:
        listener = net.listener()
        client = net.connect(listener.getsockname())
        conn = net.accept(listener)
        conn.setblocking(False)
        factory = net.adopt(Factory(loop))
        exc, elapsed = _timed_failure(net, loop, lambda: loop.connect_accepted_socket(
            factory, conn, ssl=server_context(certs), ssl_handshake_timeout=HANDSHAKE_TIMEOUT))
        _expect_timed(exc, elapsed)
        _expect_no_callbacks(factory, "the handshake timed out")
        net.run(read_to_eof(loop, client), what="EOF on the client after the handshake timeout")


@check("tls.connect_accepted_socket.handshake_timeout_requires_ssl", section=SERV, method=CA,
       anchor=CA_ANCHOR,
       requirement="connect_accepted_socket with ssl_handshake_timeout but no ssl is refused with ValueError.")
def test_connect_accepted_socket_handshake_timeout_requires_ssl(loop):
    """19.5.1.7 connect_accepted_socket: ssl_handshake_timeout is for an SSL connection."""
    with Net(loop) as net:
        listener = net.listener()
        net.connect(listener.getsockname())
        conn = net.accept(listener)
        conn.setblocking(False)
        factory = net.adopt(Factory(loop))
        exc = _connect_fails(net, loop, lambda: loop.connect_accepted_socket(
            factory, conn, ssl_handshake_timeout=1.0), factory)
        expect(isinstance(exc, ValueError), "ssl_handshake_timeout without ssl was not refused with ValueError",
               expected="ValueError", observed=f"{type(exc).__name__}: {exc}")


# -- sendfile over TLS ----------------------------------------------------------------------

SENDFILE_SIZE = 300_000


@check("tls.sendfile.fallback_over_tls", section=FILE, method="sendfile",
       requirement="sendfile on a TLS transport (no sendfile syscall possible) falls back to reading and "
                   "sending the file: the peer decrypts exactly the file, and the byte count is returned.")
def test_sendfile_fallback_over_tls(loop, certs):
    """19.5.1.8 sendfile: fallback=True sends the file manually, e.g. over an SSL socket."""
    with Net(loop) as net, Threads() as threads:
        listener = net.listener()
        peer = tls_server(threads, listener, server_context(certs), lambda p: p.recv_until_closed())
        protocol = Recorder(loop)
        transport, _ = net.pair(net.run(loop.create_connection(
            lambda: protocol, "localhost", listener.getsockname()[1], ssl=client_context(certs))))
        with data_file(SENDFILE_SIZE) as f:
            sent = net.run(loop.sendfile(transport, f), what="sendfile over a TLS transport")
            position = f.tell()
        expect_equal(sent, SENDFILE_SIZE, "sendfile() return value over TLS")
        expect_equal(position, SENDFILE_SIZE, "file position after sendfile() over TLS")
        transport.close()
        net.run(protocol.lost)
        data, how = peer.result()
        expect(data == payload(SENDFILE_SIZE), "the peer did not decrypt exactly the file",
               expected=f"{SENDFILE_SIZE} bytes of the file", observed=f"{len(data)} bytes")


@check("tls.sendfile.no_fallback_refused", section=FILE, method="sendfile", level=SHOULD,
       note="tls-sendfile-no-fallback-runtimeerror",
       requirement="sendfile(fallback=False) on a TLS transport refuses with SendfileNotAvailableError (or "
                   "its base RuntimeError, as stock asyncio does) and sends nothing.")
def test_sendfile_no_fallback_over_tls(loop, certs):
    """19.5.1.8 sendfile: SendfileNotAvailableError when sendfile is impossible and fallback is False."""
    with Net(loop) as net, Threads() as threads:
        listener = net.listener()
        peer = tls_server(threads, listener, server_context(certs), lambda p: p.recv_until_closed())
        protocol = Recorder(loop)
        transport, _ = net.pair(net.run(loop.create_connection(
            lambda: protocol, "localhost", listener.getsockname()[1], ssl=client_context(certs))))
        with data_file(4096) as f:
            try:
                result = net.run(loop.sendfile(transport, f, fallback=False))
            except (Violation, NotImplementedError):
                raise
            except Exception as exc:
                result = exc
            position = f.tell()
        transport.close()
        net.run(protocol.lost)
        data, _ = peer.result()
        expect(isinstance(result, RuntimeError),
               "sendfile(fallback=False) over TLS did not refuse with SendfileNotAvailableError/RuntimeError",
               expected="SendfileNotAvailableError", observed=repr(result))
        expect_equal(data, b"", "bytes the peer received from the refused sendfile")
        expect_equal(position, 0, "file position after the refused sendfile")
