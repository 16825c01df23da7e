"""TLS parameters of the entry points of 19.5.1.6-8: ssl=, server_hostname,
ssl_handshake_timeout and ssl_shutdown_timeout of create_connection / create_unix_connection
(19.5.1.6), create_server / create_unix_server / connect_accepted_socket (19.5.1.7), and
sendfile over TLS (19.5.1.8). IDs are ``tls.<method>.<guarantee>``; each check cites its own
section.

Why one file for three sections: the TLS parameters are one feature documented once per entry
point, checked with the same peers and scenarios (suites/_support/tls_scenarios.py), and a new
TLS parameter (a new Python's ``ssl_*`` option) belongs next to the others, for every entry
point at once. The plain (non-TLS) behaviour of these methods is in sec_06/sec_07/sec_08;
the TLS upgrade, start_tls (19.5.1.9), is in sec_09_tls.py.

The peers run in helper threads (suites/_support/tls.py) and speak TLS through memory BIOs, so
they see the raw wire and can tell a clean close_notify from an abrupt close. Certificates come
from trustme and stay in memory.
"""

import asyncio
import os
import socket
import ssl
import sys

import pytest

from loopconf import checks
from loopconf.checks import INFO, SHOULD, UNIX
from loopconf.evidence import expect, expect_equal, expect_instance

from ._support import tls_scenarios as tls
from ._support.limits import DEFAULT_PROBE, TIMEOUT
from ._support.net import Factory, Net, Recorder, io_rounds, read_to_eof, short_unix_path
from ._support.peers import data_file, payload
from ._support.tls import (
    HANDSHAKE_TIMEOUT,
    OTHER_NAME,
    Threads,  # noqa: F401
    certs,  # noqa: F401  (pytest fixture)
    client_context,
    server_context,
)
from ._support.tls_scenarios import (
    client_ping,
    connect_fails,
    echo_upper,
    expect_no_callbacks,
    failing_tls_server,
    serve_exchange,
    silent_server,
    tls_client,
    tls_server,
)

scope = checks.scope(area="tls", section="19.5.1.6")

# -- openers --------------------------------------------------------------------------------


def _connector(net, loop, unix=False, host="localhost"):
    """A raw listening socket and ``connect(factory, **kwargs)``: create_connection to it by
    ``host``, or (``unix``) create_unix_connection to its path with server_hostname='localhost'."""
    if unix:
        path = short_unix_path(net)
        listener = net.unix_listener(path)
        return listener, lambda factory, **kw: loop.create_unix_connection(
            factory, path, **{"server_hostname": "localhost", **kw}
        )
    listener = net.listener()
    port = listener.getsockname()[1]
    return listener, lambda factory, **kw: loop.create_connection(factory, host, port, **kw)


def _client_opener(net, loop, threads, certs, unix=False, host="localhost", sctx=None, stall=0.0, **kwargs):
    """Opener (see tls_scenarios): create_connection / create_unix_connection(ssl=<client context>,
    **kwargs) to a TLS server thread (context ``sctx``, holding the handshake back ``stall`` s)
    running ``script``; yields the client side's transport and protocol."""

    def open_tls(script):
        listener, connect = _connector(net, loop, unix=unix, host=host)
        peer = tls_server(threads, listener, sctx or server_context(certs), script, stall=stall)
        protocol = Recorder(loop)
        call = connect(lambda: protocol, **{"ssl": client_context(certs), **kwargs})
        what = f"a TLS handshake held back by the server for {stall:g} s" if stall else "a TLS connection"
        transport, _ = net.pair(net.run(call, timeout=stall + TIMEOUT, what=what))
        return transport, protocol, peer.result

    return open_tls


def _failed_connection(net, loop, threads, certs, cert=None, host="127.0.0.1", **kwargs):
    """create_connection(ssl=<client context>, **kwargs) by ``host`` to a server presenting ``cert``
    that must fail; returns (the exception raised, the protocol factory, the server peer)."""
    listener, connect = _connector(net, loop, host=host)
    peer = failing_tls_server(threads, listener, server_context(certs, cert=cert))
    factory = net.adopt(Factory(loop))
    exc = connect_fails(net, lambda: connect(factory, **{"ssl": client_context(certs), **kwargs}))
    return exc, factory, peer


# -- create_connection ----------------------------------------------------------------------


@scope.check(
    "create_connection",
    "ssl_context",
    requirement="create_connection(ssl=<SSLContext>) makes a TLS transport using that context: the "
    "handshake with a TLS server completes and application data flows both ways "
    "encrypted.",
    covers=("create_connection.15", "create_connection.16"),
)
def test_create_connection_ssl_context(loop, certs):
    with Net(loop) as net, Threads() as threads:
        transport, protocol, result = _client_opener(net, loop, threads, certs)(echo_upper)
        tls.exchange(net, transport, protocol, result)
        expect_equal(protocol.count("connection_lost"), 1, "connection_lost calls")


@scope.check(
    "create_connection",
    "ssl_true_default_context",
    requirement="create_connection(ssl=True) makes a TLS transport with a default context that uses "
    "the system's default trust store (here pointed at the test CA with SSL_CERT_FILE).",
    covers=("create_connection.17", "create_connection.39"),
)
def test_create_connection_ssl_true(loop, certs, monkeypatch):
    with Net(loop) as net, Threads() as threads:
        cafile = os.path.join(net.tempdir(), "ca.pem")
        certs.ca.cert_pem.write_to_path(cafile)
        monkeypatch.setenv("SSL_CERT_FILE", cafile)
        transport, protocol, result = _client_opener(net, loop, threads, certs, ssl=True)(echo_upper)
        expect(
            transport.get_extra_info("ssl_object") is not None or transport.get_extra_info("cipher"),
            "ssl=True produced a transport without TLS extra info",
        )
        tls.exchange(net, transport, protocol, result)


@scope.check(
    "create_connection",
    "ssl_true_verifies",
    since="3.8",
    note="tls-cert-error-class",
    requirement="The default context of ssl=True verifies the server: a certificate from a CA the "
    "system does not trust fails the connection (an ssl.SSLError, or another OSError), "
    "and no protocol callback runs.",
    covers=("create_connection.39",),
)
def test_create_connection_ssl_true_verifies(loop, certs, monkeypatch):
    with Net(loop) as net, Threads() as threads:
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        exc, factory, peer = _failed_connection(net, loop, threads, certs, certs.untrusted, host="localhost", ssl=True)
        expect_instance(
            exc,
            OSError,
            "ssl=True accepted (or failed differently on) a certificate from an untrusted CA",
            expected="ssl.SSLError (an OSError)",
        )
        expect_no_callbacks(factory, "the handshake failed")
        _, how = peer.result()
        expect(how.startswith("closed"), "the failed connection was left open", observed=how)


@scope.check(
    "create_connection",
    "extra_info",
    anchor="asyncio.BaseTransport.get_extra_info",
    requirement="A TLS transport offers the TLS extra info: 'sslcontext' (the context used), "
    "'peercert' (dict), 'cipher' (3-tuple), 'ssl_object' (with version()), "
    "'compression' (None or str).",
    covers=("create_connection.16",),
)
def test_create_connection_extra_info(loop, certs):
    with Net(loop) as net, Threads() as threads:
        ctx = client_context(certs)
        transport, protocol, result = _client_opener(net, loop, threads, certs, ssl=ctx)(echo_upper)
        expect(
            transport.get_extra_info("sslcontext") is ctx,
            "'sslcontext' is not the context passed as ssl",
            observed=transport.get_extra_info("sslcontext"),
        )
        peercert = transport.get_extra_info("peercert")
        expect(
            isinstance(peercert, dict) and peercert.get("subjectAltName"),
            "'peercert' is not the server certificate as a dict",
            observed=peercert,
        )
        expect(
            ("DNS", "localhost") in peercert["subjectAltName"],
            "'peercert' does not name the server certificate's identities",
            observed=peercert,
        )
        cipher = transport.get_extra_info("cipher")
        expect(isinstance(cipher, tuple) and len(cipher) == 3, "'cipher' is not a 3-tuple", observed=cipher)
        obj = transport.get_extra_info("ssl_object")
        expect(
            obj is not None and callable(getattr(obj, "version", None)), "'ssl_object' has no version()", observed=obj
        )
        expect(
            obj.version() in ("TLSv1.2", "TLSv1.3"),
            "'ssl_object'.version() is not a TLS version",
            observed=obj.version(),
        )
        expect_equal(cipher[1], obj.version(), "protocol version in 'cipher' vs ssl_object.version()")
        compression = transport.get_extra_info("compression")
        expect(
            compression is None or isinstance(compression, str),
            "'compression' is not None or str",
            observed=compression,
        )
        tls.exchange(net, transport, protocol, result)


@scope.check(
    "create_connection",
    "server_hostname_defaults_to_host",
    note="tls-cert-error-class",
    requirement="Without server_hostname the host argument is the name the certificate is matched "
    "against (and sent as SNI): 'localhost' matches a localhost certificate, while "
    "'127.0.0.1' does not match a certificate for another name.",
    covers=("create_connection.20",),
)
def test_create_connection_server_hostname_default(loop, certs):
    with Net(loop) as net, Threads() as threads:
        sctx = server_context(certs)
        sni = []
        sctx.sni_callback = lambda obj, name, ctx: sni.append(name)
        transport, protocol, result = _client_opener(net, loop, threads, certs, sctx=sctx)(echo_upper)
        tls.exchange(net, transport, protocol, result)
        expect_equal(sni, ["localhost"], "server name (SNI) the server received")

        exc, _, peer = _failed_connection(net, loop, threads, certs, certs.other)
        expect_instance(
            exc,
            OSError,
            f"host '127.0.0.1' was not matched against a certificate for {OTHER_NAME}",
            expected="ssl.SSLError (an OSError)",
        )
        peer.result()


@scope.check(
    "create_connection",
    "server_hostname_override",
    requirement="server_hostname overrides host for certificate matching: host '127.0.0.1' with "
    "server_hostname naming the certificate's identity connects.",
    covers=("create_connection.19",),
)
def test_create_connection_server_hostname_override(loop, certs):
    with Net(loop) as net, Threads() as threads:
        sctx = server_context(certs, cert=certs.other)
        sni = []
        sctx.sni_callback = lambda obj, name, ctx: sni.append(name)
        opener = _client_opener(net, loop, threads, certs, host="127.0.0.1", sctx=sctx, server_hostname=OTHER_NAME)
        transport, protocol, result = opener(echo_upper)
        tls.exchange(net, transport, protocol, result)
        expect_equal(sni, [OTHER_NAME], "server name (SNI) the server received")


@scope.check(
    "create_connection",
    "server_hostname_mismatch",
    note="tls-cert-error-class",
    requirement="A server_hostname the certificate does not match fails the connection (an "
    "ssl.SSLError, or another OSError); connection_made is never called and the TCP "
    "connection is closed.",
    covers=("create_connection.19",),
)
def test_create_connection_server_hostname_mismatch(loop, certs):
    with Net(loop) as net, Threads() as threads:
        exc, factory, peer = _failed_connection(net, loop, threads, certs, server_hostname="wrong.example")
        expect_instance(
            exc,
            OSError,
            "a certificate not valid for server_hostname was accepted (or failed differently)",
            expected="ssl.SSLError (an OSError)",
        )
        expect_no_callbacks(factory, "the handshake failed")
        _, how = peer.result()
        expect(how.startswith("closed"), "the failed connection was left open", observed=how)


#: Pythons whose ssl module refuses a check_hostname context without a name to check (SSLContext.wrap_bio
#: validates like wrap_socket): 3.13.16+, 3.14.8+ and 3.15. 3.14.0-3.14.7 predate the change.
CHECK_HOSTNAME_NEEDS_NAME = ">=3.13.16,<3.14 || >=3.14.8"
CHECK_HOSTNAME_WITHOUT_NAME_OK = "<3.13.16 || >=3.14,<3.14.8"


@scope.check(
    "create_connection",
    "server_hostname_empty",
    versions=CHECK_HOSTNAME_WITHOUT_NAME_OK,
    note="ssl-check-hostname-needs-server-hostname",
    requirement="server_hostname='' disables hostname matching: a certificate for another name from "
    "a trusted CA is accepted (the chain is still verified).",
    covers=("create_connection.22",),
)
def test_create_connection_server_hostname_empty(loop, certs):
    with Net(loop) as net, Threads() as threads:
        other = server_context(certs, cert=certs.other)
        opener = _client_opener(net, loop, threads, certs, host="127.0.0.1", sctx=other, server_hostname="")
        tls.exchange(net, *opener(echo_upper))

        exc, _, peer = _failed_connection(net, loop, threads, certs, certs.untrusted, server_hostname="")
        expect_instance(
            exc,
            OSError,
            "with server_hostname='' an untrusted certificate chain was accepted",
            expected="ssl.SSLError (an OSError)",
        )
        peer.result()


@scope.check(
    "create_connection",
    "server_hostname_empty_no_check_hostname",
    note="ssl-check-hostname-needs-server-hostname",
    requirement="With a context whose check_hostname is off (certificates still required), "
    "server_hostname='' is accepted: a certificate for another name from a trusted CA is "
    "accepted and an untrusted chain is still refused.",
    covers=("create_connection.22", "create_connection.46"),
)
def test_create_connection_server_hostname_empty_no_check_hostname(loop, certs):
    def context():
        ctx = client_context(certs)
        ctx.check_hostname = False  # verify_mode stays CERT_REQUIRED
        return ctx

    with Net(loop) as net, Threads() as threads:
        other = server_context(certs, cert=certs.other)
        opener = _client_opener(
            net, loop, threads, certs, host="127.0.0.1", sctx=other, ssl=context(), server_hostname=""
        )
        tls.exchange(net, *opener(echo_upper))

        exc, _, peer = _failed_connection(net, loop, threads, certs, certs.untrusted, ssl=context(), server_hostname="")
        expect_instance(
            exc,
            ssl.SSLCertVerificationError,
            "with server_hostname='' and check_hostname off an untrusted certificate chain was accepted",
            expected="ssl.SSLCertVerificationError",
        )
        peer.result()


@scope.check(
    "create_connection",
    "server_hostname_empty_refused",
    versions=CHECK_HOSTNAME_NEEDS_NAME,
    docs="3.14",
    note="ssl-check-hostname-needs-server-hostname",
    requirement="With a context whose check_hostname is on, server_hostname='' leaves no name to check: "
    "create_connection raises ValueError before any handshake (3.13.16, 3.14.8, 3.15).",
    covers=("create_connection.45",),
)
def test_create_connection_server_hostname_empty_refused(loop, certs):
    with Net(loop) as net:
        _, connect = _connector(net, loop, host="127.0.0.1")
        factory = net.adopt(Factory(loop))
        exc = connect_fails(
            net,
            lambda: connect(
                factory, ssl=client_context(certs), server_hostname="", ssl_handshake_timeout=HANDSHAKE_TIMEOUT
            ),
        )
        expect_instance(
            exc,
            ValueError,
            "server_hostname='' with a check_hostname context was not refused with ValueError",
            expected="ValueError",
        )
        expect_no_callbacks(factory, "the call was refused")


@scope.check(
    "create_connection",
    "server_hostname_required",
    level=SHOULD,
    note="server-hostname-caller-obligation",
    requirement="With ssl and no host (sock=...) and no server_hostname, create_connection should "
    "refuse the call with ValueError.",
    covers=("create_connection.21",),
)
def test_create_connection_server_hostname_required(loop, certs):
    with Net(loop) as net:
        listener = net.listener()
        sock = net.connect(listener.getsockname())
        net.accept(listener)
        factory = net.adopt(Factory(loop))
        exc = connect_fails(net, lambda: loop.create_connection(factory, sock=sock, ssl=client_context(certs)))
        expect_instance(
            exc,
            ValueError,
            "ssl without host or server_hostname was not refused with ValueError",
            expected="ValueError",
        )
        expect_no_callbacks(factory, "the call was refused")


@scope.check(
    "create_connection",
    "server_hostname_requires_ssl",
    level=SHOULD,
    note="server-hostname-caller-obligation",
    requirement="server_hostname without ssl should be refused with ValueError.",
    covers=("create_connection.18",),
)
def test_create_connection_server_hostname_requires_ssl(loop):
    with Net(loop) as net:
        port = net.listener().getsockname()[1]
        tls.refused_without_ssl(
            net,
            loop,
            lambda factory: loop.create_connection(factory, "127.0.0.1", port, server_hostname="localhost"),
            "server_hostname without ssl",
        )


def _handshake_times_out(net, loop, threads, certs, unix=False):
    """create_connection / create_unix_connection(ssl_handshake_timeout=HANDSHAKE_TIMEOUT) to a server
    that never answers the handshake: tls_scenarios.handshake_timeout, then the server saw it closed."""
    listener, connect = _connector(net, loop, unix=unix)
    peer = silent_server(threads, listener)
    tls.handshake_timeout(
        net,
        loop,
        lambda factory: connect(factory, ssl=client_context(certs), ssl_handshake_timeout=HANDSHAKE_TIMEOUT),
    )
    expect(peer.result(), "the connection was not closed after the handshake timeout")


@scope.check(
    "create_connection",
    "handshake_timeout",
    requirement="With ssl_handshake_timeout, a server that accepts TCP but never answers the TLS "
    "handshake makes create_connection fail no earlier than the timeout, close the "
    "connection, and call no protocol callback.",
    covers=("create_connection.29",),
)
def test_create_connection_handshake_timeout(loop, certs):
    with Net(loop) as net, Threads() as threads:
        _handshake_times_out(net, loop, threads, certs)


@scope.check(
    "create_connection",
    "handshake_timeout_requires_ssl",
    level=SHOULD,
    note="handshake-timeout-without-ssl",
    requirement="ssl_handshake_timeout without ssl should be refused with ValueError.",
    covers=("create_connection.43",),
)
def test_create_connection_handshake_timeout_requires_ssl(loop):
    with Net(loop) as net:
        port = net.listener().getsockname()[1]
        tls.refused_without_ssl(
            net,
            loop,
            lambda factory: loop.create_connection(factory, "127.0.0.1", port, ssl_handshake_timeout=1.0),
            "ssl_handshake_timeout without ssl",
        )


@pytest.mark.parametrize("value", [0, -1], ids=["zero", "negative"])
@scope.check(
    "create_connection",
    "handshake_timeout_positive",
    level=SHOULD,
    note="tls-handshake-timeout-validation",
    requirement="A zero or negative ssl_handshake_timeout is refused with ValueError.",
    covers=("create_connection.42",),
)
def test_create_connection_handshake_timeout_positive(loop, certs, value):
    with Net(loop) as net:
        _, connect = _connector(net, loop)
        factory = net.adopt(Factory(loop))
        exc = connect_fails(net, lambda: connect(factory, ssl=client_context(certs), ssl_handshake_timeout=value))
        expect_instance(
            exc, ValueError, f"ssl_handshake_timeout={value} was not refused with ValueError", expected="ValueError"
        )


@scope.check(
    "create_connection",
    "handshake_timeout_default",
    level=INFO,
    requirement="ssl_handshake_timeout defaults to None (meaning 60 s, not waited for here): where "
    "the signature names it its default is None, and a handshake with None completes "
    "normally.",
    covers=("create_connection.30",),
)
def test_create_connection_handshake_timeout_default(loop, certs):
    tls.expect_none_default(loop.create_connection, "ssl_handshake_timeout", "create_connection")
    with Net(loop) as net, Threads() as threads:
        tls.exchange(net, *_client_opener(net, loop, threads, certs, ssl_handshake_timeout=None)(echo_upper))


@scope.check(
    "create_connection",
    "close_notify",
    requirement="close() on a TLS transport ends the TLS session cleanly: buffered data is sent, "
    "then close_notify, and connection_lost(None) is called once.",
    covers=("create_connection.15",),
)
def test_create_connection_close_notify(loop, certs):
    with Net(loop) as net, Threads() as threads:
        tls.close_notify(net, loop, _client_opener(net, loop, threads, certs))


@scope.check(
    "create_connection",
    "peer_close_notify_lost_once",
    requirement="When the TLS peer sends close_notify and closes, the protocol gets the data sent "
    "before it and connection_lost(None) exactly once.",
    covers=("create_connection.15",),
)
def test_create_connection_peer_close_notify(loop, certs):
    with Net(loop) as net, Threads() as threads:
        tls.peer_close_notify(net, loop, _client_opener(net, loop, threads, certs))


@scope.check(
    "create_connection",
    "peer_close_notify_eof_received",
    since="3.11",
    anchor="asyncio.Protocol.eof_received",
    note="tls-close-notify-eof-received",
    requirement="When the TLS peer sends close_notify, the protocol's eof_received is called (once, "
    "before connection_lost).",
    covers=("create_connection.15",),
)
def test_create_connection_peer_close_notify_eof(loop, certs):
    with Net(loop) as net, Threads() as threads:

        def script(p):
            p.close_notify()
            return p.recv_until_closed()

        _, protocol, result = _client_opener(net, loop, threads, certs)(script)
        net.run(protocol.lost, what="connection_lost after the peer's close_notify")
        result()
        names = [n for n in protocol.names() if n in ("eof_received", "connection_lost")]
        expect_equal(
            names, ["eof_received", "connection_lost"], "eof_received / connection_lost after the peer's close_notify"
        )


@scope.check(
    "create_connection",
    "write_eof",
    level=INFO,
    anchor="asyncio.WriteTransport.write_eof",
    requirement="What a TLS transport does with can_write_eof()/write_eof() (stock asyncio: False, "
    "and write_eof raises NotImplementedError); recorded, not required.",
    covers=("create_connection.44",),
)
def test_create_connection_write_eof(loop, certs):
    with Net(loop) as net, Threads() as threads:
        transport, protocol, result = _client_opener(net, loop, threads, certs)(lambda p: p.recv_until_closed())
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
        result()
        expect(
            can is False or observed == "write_eof() returned",
            "can_write_eof() is True but write_eof() failed",
            observed=(can, observed),
        )
        expect(
            can is True or observed == "NotImplementedError",
            "can_write_eof() is False but write_eof() did not raise NotImplementedError",
            observed=(can, observed),
        )


@scope.check(
    "create_connection",
    "ssl_shutdown_timeout",
    since="3.11",
    note="ssl-shutdown-timeout-bound",
    requirement="ssl_shutdown_timeout bounds the TLS shutdown: after close() the loop sends "
    "close_notify, and a peer that never answers it is cut off (connection_lost) within "
    "the timeout (late-side slack only).",
    covers=("create_connection.34",),
)
def test_create_connection_ssl_shutdown_timeout(loop, certs):
    with Net(loop) as net, Threads() as threads:
        opener = _client_opener(net, loop, threads, certs, ssl_shutdown_timeout=HANDSHAKE_TIMEOUT)
        tls.shutdown_timeout(net, loop, opener)


@scope.check(
    "create_connection",
    "ssl_shutdown_timeout_waits",
    since="3.11",
    level=SHOULD,
    note="ssl-shutdown-timeout-bound",
    requirement="With ssl_shutdown_timeout, a loop should wait up to the timeout for the peer's "
    "close_notify before cutting the connection off.",
    covers=("create_connection.34",),
)
def test_create_connection_ssl_shutdown_timeout_waits(loop, certs):
    with Net(loop) as net, Threads() as threads:
        opener = _client_opener(net, loop, threads, certs, ssl_shutdown_timeout=HANDSHAKE_TIMEOUT)
        tls.shutdown_not_early(net, loop, opener)


@scope.check(
    "create_connection",
    "ssl_shutdown_timeout_default",
    since="3.11",
    note="tls-default-timeouts-lower-bound",
    requirement="Without ssl_shutdown_timeout (None: 30 s, not waited for here) the client still waits "
    f"for the server's close_notify {DEFAULT_PROBE:g} s after close(); connection_lost follows once the server "
    "drops the connection; a signature that names the parameter defaults it to None.",
    covers=("create_connection.35",),
)
def test_create_connection_ssl_shutdown_timeout_default(loop, certs):
    tls.expect_none_default(loop.create_connection, "ssl_shutdown_timeout", "create_connection")
    with Net(loop) as net, Threads() as threads:
        tls.shutdown_timeout_default(net, loop, _client_opener(net, loop, threads, certs))


@scope.check(
    "create_unix_connection",
    "ssl_shutdown_timeout_default",
    since="3.11",
    platforms=UNIX,
    note="tls-default-timeouts-lower-bound",
    requirement="Without ssl_shutdown_timeout (None: 30 s) a TLS connection over a UNIX socket still "
    f"waits for the server's close_notify {DEFAULT_PROBE:g} s after close().",
    covers=("create_unix_connection.12",),
)
def test_create_unix_connection_ssl_shutdown_timeout_default(loop, certs):
    tls.expect_none_default(loop.create_unix_connection, "ssl_shutdown_timeout", "create_unix_connection")
    with Net(loop) as net, Threads() as threads:
        tls.shutdown_timeout_default(net, loop, _client_opener(net, loop, threads, certs, unix=True))


@scope.check(
    "create_connection",
    "ssl_shutdown_timeout_requires_ssl",
    since="3.11",
    level=SHOULD,
    note="handshake-timeout-without-ssl",
    requirement="ssl_shutdown_timeout without ssl should be refused with ValueError.",
    covers=("create_connection.34",),
)
def test_create_connection_ssl_shutdown_timeout_requires_ssl(loop):
    with Net(loop) as net:
        port = net.listener().getsockname()[1]
        tls.refused_without_ssl(
            net,
            loop,
            lambda factory: loop.create_connection(factory, "127.0.0.1", port, ssl_shutdown_timeout=1.0),
            "ssl_shutdown_timeout without ssl",
        )


@scope.check(
    "create_connection",
    "cert_error_class",
    level=SHOULD,
    note="tls-cert-error-class",
    requirement="A certificate that fails verification (name mismatch) should raise "
    "ssl.SSLCertVerificationError specifically.",
    covers=("create_connection.19",),
)
def test_create_connection_cert_error_class(loop, certs):
    with Net(loop) as net, Threads() as threads:
        exc, factory, peer = _failed_connection(net, loop, threads, certs, server_hostname="wrong.example")
        peer.result()
        expect_instance(
            exc,
            ssl.SSLCertVerificationError,
            "a certificate name mismatch raised another class",
            expected="ssl.SSLCertVerificationError",
        )


@scope.check(
    "create_connection",
    "handshake_default_not_early",
    note="tls-handshake-timeout-default",
    requirement="Without ssl_handshake_timeout (default None, documented as 60 s) a handshake the "
    f"server holds back for {DEFAULT_PROBE:g} s is not aborted: the connection is made and data flows.",
    covers=("create_connection.30",),
)
def test_create_connection_handshake_default_not_early(loop, certs):
    with Net(loop) as net, Threads() as threads:
        tls.handshake_default_not_early(net, loop, _client_opener(net, loop, threads, certs, stall=DEFAULT_PROBE))


# -- create_unix_connection -----------------------------------------------------------------


@scope.check(
    "create_unix_connection",
    "ssl",
    platforms=UNIX,
    requirement="create_unix_connection(ssl=<SSLContext>, server_hostname=...) makes a TLS "
    "transport over a UNIX socket; data flows both ways and close() sends close_notify.",
    covers=("create_unix_connection.8", "create_unix_connection.9"),
)
def test_create_unix_connection_ssl(loop, certs):
    with Net(loop) as net, Threads() as threads:
        how = tls.exchange(net, *_client_opener(net, loop, threads, certs, unix=True)(echo_upper))
        expect_equal(how, "clean", "how the peer saw the TLS stream end")


@scope.check(
    "create_unix_connection",
    "server_hostname_required",
    platforms=UNIX,
    level=SHOULD,
    note="server-hostname-caller-obligation",
    requirement="create_unix_connection with ssl and no server_hostname should raise ValueError "
    "(there is no host to default to).",
    covers=("create_connection.21",),
)
def test_create_unix_connection_server_hostname_required(loop, certs):
    """server_hostname must be given."""
    with Net(loop) as net:
        path = short_unix_path(net)
        net.unix_listener(path)
        factory = net.adopt(Factory(loop))
        exc = connect_fails(net, lambda: loop.create_unix_connection(factory, path, ssl=client_context(certs)))
        expect_instance(
            exc, ValueError, "ssl without server_hostname was not refused with ValueError", expected="ValueError"
        )


@scope.check(
    "create_unix_connection",
    "handshake_timeout",
    platforms=UNIX,
    requirement="create_unix_connection(ssl_handshake_timeout=...) bounds the TLS handshake as "
    "create_connection does: a server that never answers makes the call fail no earlier "
    "than the timeout, with no protocol callback, and the connection is closed.",
    covers=("create_unix_connection.14",),
)
def test_create_unix_connection_handshake_timeout(loop, certs):
    with Net(loop) as net, Threads() as threads:
        _handshake_times_out(net, loop, threads, certs, unix=True)


@scope.check(
    "create_unix_connection",
    "handshake_default_not_early",
    platforms=UNIX,
    note="tls-handshake-timeout-default",
    requirement="Without ssl_handshake_timeout a TLS handshake over a UNIX socket that the server "
    f"holds back for {DEFAULT_PROBE:g} s is not aborted.",
    covers=("create_unix_connection.10",),
)
def test_create_unix_connection_handshake_default_not_early(loop, certs):
    with Net(loop) as net, Threads() as threads:
        opener = _client_opener(net, loop, threads, certs, unix=True, stall=DEFAULT_PROBE)
        tls.handshake_default_not_early(net, loop, opener)


@scope.check(
    "create_unix_connection",
    "ssl_shutdown_timeout",
    since="3.11",
    platforms=UNIX,
    note="ssl-shutdown-timeout-bound",
    requirement="create_unix_connection accepts ssl_shutdown_timeout with the create_connection "
    "meaning: after close() a peer that never answers close_notify is cut off within it.",
    covers=("create_unix_connection.12",),
)
def test_create_unix_connection_ssl_shutdown_timeout(loop, certs):
    with Net(loop) as net, Threads() as threads:
        opener = _client_opener(net, loop, threads, certs, unix=True, ssl_shutdown_timeout=HANDSHAKE_TIMEOUT)
        tls.shutdown_timeout(net, loop, opener)


# -- create_server / create_unix_server -----------------------------------------------------


def _serve(net, loop, ctx, **kwargs):
    factory = net.adopt(Factory(loop))
    server = net.adopt(net.run(loop.create_server(factory, "127.0.0.1", 0, ssl=ctx, **kwargs)))
    return factory, server, server.sockets[0].getsockname()


def _server_kind(loop, kind):
    """create_server (``kind`` "tcp") or create_unix_server ("unix"; skipped off UNIX platforms)."""
    if kind == "unix" and not sys.platform.startswith(UNIX):
        pytest.skip("AF_UNIX servers need a UNIX platform")
    return loop.create_server if kind == "tcp" else loop.create_unix_server


def _tls_serve(net, loop, certs, unix=False, **kwargs):
    """create_server / create_unix_server(ssl=<server context>, **kwargs); returns (the protocol
    factory, the address, its socket family)."""
    if unix:
        factory = net.adopt(Factory(loop))
        address = short_unix_path(net)
        net.adopt(net.run(loop.create_unix_server(factory, address, ssl=server_context(certs), **kwargs)))
        return factory, address, socket.AF_UNIX
    factory, _, address = _serve(net, loop, server_context(certs), **kwargs)
    return factory, address, socket.AF_INET


def _silent_client(net, loop, certs, unix=False, **kwargs):
    """A TLS server (see _tls_serve) and a raw client connected to it that never sends a
    ClientHello; returns (the protocol factory, the client socket)."""
    factory, address, family = _tls_serve(net, loop, certs, unix=unix, **kwargs)
    return factory, net.connect(address, family)


def _accepted_raw(net):
    """A raw client connected to a raw listener and the non-blocking accepted socket: (client, conn)."""
    listener = net.listener()
    client = net.connect(listener.getsockname())
    conn = net.accept(listener)
    conn.setblocking(False)
    return client, conn


@scope.check(
    "create_server",
    "ssl_context",
    section="19.5.1.7",
    requirement="create_server(ssl=<SSLContext>) serves TLS: a TLS client completes the handshake, "
    "data flows both ways, and the server transport reports the server context as "
    "'sslcontext'.",
    covers=("create_server.16",),
)
def test_create_server_ssl_context(loop, certs):
    with Net(loop) as net, Threads() as threads:
        sctx = server_context(certs)
        factory, _, address = _serve(net, loop, sctx)
        peer = tls_client(threads, address, client_context(certs), client_ping)
        protocol = serve_exchange(net, factory, peer)
        expect(
            protocol.transport.get_extra_info("sslcontext") is sctx,
            "server transport 'sslcontext' is not the server's context",
            observed=protocol.transport.get_extra_info("sslcontext"),
        )
        tls.expect_client_saw_clean_end(net, protocol, peer)


@scope.check(
    "create_server",
    "handshake_timeout",
    section="19.5.1.7",
    requirement="With ssl_handshake_timeout, a client that connects but never sends a ClientHello "
    "is disconnected by the server no earlier than the timeout, and the protocol's "
    "connection_made is never called.",
    covers=("create_server.21",),
)
def test_create_server_handshake_timeout(loop, certs):
    with Net(loop) as net:
        factory, client = _silent_client(net, loop, certs, ssl_handshake_timeout=HANDSHAKE_TIMEOUT)
        tls.silent_client_dropped(net, loop, factory, client)


@scope.check(
    "create_server",
    "handshake_timeout_requires_ssl",
    section="19.5.1.7",
    level=SHOULD,
    note="server-handshake-timeout-without-ssl",
    requirement="create_server with ssl_handshake_timeout but no ssl is refused with ValueError.",
    covers=("create_server.31",),
)
def test_create_server_handshake_timeout_requires_ssl(loop):
    with Net(loop) as net:
        tls.refused_without_ssl(
            net,
            loop,
            lambda factory: loop.create_server(factory, "127.0.0.1", 0, ssl_handshake_timeout=1.0),
            "ssl_handshake_timeout without ssl",
        )


@scope.check(
    "create_server",
    "peer_close_notify",
    section="19.5.1.7",
    requirement="When a TLS client sends close_notify, the server protocol gets the data sent "
    "before it and connection_lost(None) exactly once.",
    covers=("create_server.16",),
)
def test_create_server_peer_close_notify(loop, certs):
    with Net(loop) as net, Threads() as threads:
        factory, _, address = _serve(net, loop, server_context(certs))

        def script(p):
            p.send(b"ping")
            p.close_notify()
            return p.recv_until_closed()

        peer = tls_client(threads, address, client_context(certs), script)
        protocol = net.run(factory.new_protocol.get())
        expect_equal(
            net.run(protocol.lost, what="connection_lost after the client's close_notify"),
            None,
            "connection_lost argument",
        )
        peer.result()
        net.run(io_rounds(loop, 2))
        expect_equal(bytes(protocol.data), b"ping", "data received before the client's close_notify")
        expect_equal(protocol.count("connection_lost"), 1, "connection_lost calls")


@scope.check(
    "create_server",
    "mutual_tls_accepts",
    section="19.5.1.7",
    requirement="A server context requiring client certificates accepts a client presenting one "
    "from the trusted CA, and the server transport's 'peercert' is that client "
    "certificate.",
    covers=("create_server.16",),
)
def test_create_server_mutual_tls_accepts(loop, certs):
    with Net(loop) as net, Threads() as threads:
        factory, _, address = _serve(net, loop, server_context(certs, require_client_cert=True))
        peer = tls_client(threads, address, client_context(certs, client_cert=True), client_ping)
        protocol = serve_exchange(net, factory, peer)
        peercert = protocol.transport.get_extra_info("peercert")
        expect(
            isinstance(peercert, dict) and ("DNS", "client.example") in peercert.get("subjectAltName", ()),
            "server 'peercert' is not the client's certificate",
            observed=peercert,
        )
        protocol.transport.close()
        net.run(protocol.lost)
        answer, _ = peer.result()
        expect_equal(answer, b"PING", "bytes the TLS client received")


@scope.check(
    "create_server",
    "mutual_tls_refuses",
    section="19.5.1.7",
    requirement="A server context requiring client certificates refuses a client without one: the "
    "client's TLS session fails and the server protocol's connection_made is never "
    "called.",
    covers=("create_server.16",),
)
def test_create_server_mutual_tls_refuses(loop, certs):
    with Net(loop) as net, Threads() as threads:
        factory, _, address = _serve(net, loop, server_context(certs, require_client_cert=True))

        def refused(exc):
            return b"", f"error: {type(exc).__name__}"

        def script(p):
            # TLS 1.3: the client's handshake may finish before the server checks the certificate
            try:
                p.send(b"ping")
                return p.recv_until_closed()
            except Exception as exc:
                return refused(exc)

        peer = tls_client(threads, address, client_context(certs), script, refused=refused)
        net.run(_wait_thread(loop, peer), what="the refused TLS client finishing")
        data, how = peer.result()
        expect(how != "clean" or data, "the client without a certificate was served", observed=how)
        net.run(io_rounds(loop, 2))
        expect_no_callbacks(factory, "the client presented no certificate")


async def _wait_thread(loop, peer, step=0.01):
    while not peer.done():
        await asyncio.sleep(step)


@scope.check(
    "create_unix_server",
    "ssl",
    section="19.5.1.7",
    platforms=UNIX,
    requirement="create_unix_server(ssl=<SSLContext>) serves TLS over a UNIX socket: a TLS client "
    "completes the handshake and data flows both ways.",
    covers=("create_unix_server.8",),
)
def test_create_unix_server_ssl(loop, certs):
    with Net(loop) as net, Threads() as threads:
        path = short_unix_path(net)
        factory = net.adopt(Factory(loop))
        net.adopt(net.run(loop.create_unix_server(factory, path, ssl=server_context(certs))))
        peer = tls_client(threads, path, client_context(certs), client_ping, family=socket.AF_UNIX)
        protocol = serve_exchange(net, factory, peer)
        tls.expect_client_saw_clean_end(net, protocol, peer)


# -- connect_accepted_socket ----------------------------------------------------------------


@scope.check(
    "connect_accepted_socket",
    "ssl",
    section="19.5.1.7",
    anchor="asyncio.BaseEventLoop.connect_accepted_socket",
    requirement="connect_accepted_socket(sock, ssl=<SSLContext>) does the server side of TLS on an "
    "accepted socket: the client completes the handshake and data flows both ways.",
    covers=("connect_accepted_socket.4",),
)
def test_connect_accepted_socket_ssl(loop, certs):
    with Net(loop) as net, Threads() as threads:
        transport, protocol, result = _accepted_opener(net, loop, threads, certs)(client_ping)
        expect_equal(net.run(protocol.received(4)), b"ping", "decrypted bytes the protocol received")
        transport.write(b"PING")
        transport.close()
        net.run(protocol.lost)
        answer, (rest, how) = result()
        expect_equal(answer, b"PING", "bytes the TLS client received")
        expect_equal(how, "clean", "how the client saw the TLS stream end (close_notify expected)")


@scope.check(
    "connect_accepted_socket",
    "handshake_timeout",
    section="19.5.1.7",
    anchor="asyncio.BaseEventLoop.connect_accepted_socket",
    requirement="With ssl_handshake_timeout, a client that never sends a ClientHello makes "
    "connect_accepted_socket fail no earlier than the timeout and close the connection.",
    covers=("connect_accepted_socket.5",),
)
def test_connect_accepted_socket_handshake_timeout(loop, certs):
    with Net(loop) as net:
        client, conn = _accepted_raw(net)
        tls.handshake_timeout(
            net,
            loop,
            lambda factory: loop.connect_accepted_socket(
                factory, conn, ssl=server_context(certs), ssl_handshake_timeout=HANDSHAKE_TIMEOUT
            ),
        )
        net.run(read_to_eof(loop, client), what="EOF on the client after the handshake timeout")


@scope.check(
    "connect_accepted_socket",
    "handshake_timeout_requires_ssl",
    section="19.5.1.7",
    level=SHOULD,
    note="server-handshake-timeout-without-ssl",
    anchor="asyncio.BaseEventLoop.connect_accepted_socket",
    requirement="connect_accepted_socket with ssl_handshake_timeout but no ssl is refused with ValueError.",
    covers=("connect_accepted_socket.10",),
)
def test_connect_accepted_socket_handshake_timeout_requires_ssl(loop):
    with Net(loop) as net:
        _, conn = _accepted_raw(net)
        tls.refused_without_ssl(
            net,
            loop,
            lambda factory: loop.connect_accepted_socket(factory, conn, ssl_handshake_timeout=1.0),
            "ssl_handshake_timeout without ssl",
        )


# -- sendfile over TLS ----------------------------------------------------------------------

SENDFILE_SIZE = 300_000


@scope.check(
    "sendfile",
    "fallback_over_tls",
    section="19.5.1.8",
    requirement="sendfile on a TLS transport (no sendfile syscall possible) falls back to reading "
    "and sending the file: the peer decrypts exactly the file, and the byte count is "
    "returned.",
    covers=("sendfile.8", "sendfile.10", "sendfile.12"),
)
def test_sendfile_fallback_over_tls(loop, certs):
    with Net(loop) as net, Threads() as threads:
        transport, protocol, result = _client_opener(net, loop, threads, certs)(lambda p: p.recv_until_closed())
        with data_file(SENDFILE_SIZE) as f:
            sent = net.run(loop.sendfile(transport, f), what="sendfile over a TLS transport")
            position = f.tell()
        expect_equal(sent, SENDFILE_SIZE, "sendfile() return value over TLS")
        expect_equal(position, SENDFILE_SIZE, "file position after sendfile() over TLS")
        transport.close()
        net.run(protocol.lost)
        data, how = result()
        expect(
            data == payload(SENDFILE_SIZE),
            "the peer did not decrypt exactly the file",
            expected=f"{SENDFILE_SIZE} bytes of the file",
            observed=f"{len(data)} bytes",
        )


@scope.check(
    "sendfile",
    "no_fallback_refused",
    section="19.5.1.8",
    level=SHOULD,
    note="tls-sendfile-no-fallback-runtimeerror",
    requirement="sendfile(fallback=False) on a TLS transport refuses with SendfileNotAvailableError "
    "(or its base RuntimeError, as stock asyncio does) and sends nothing.",
    covers=("sendfile.11",),
)
def test_sendfile_no_fallback_over_tls(loop, certs):
    with Net(loop) as net, Threads() as threads:
        transport, protocol, peer_result = _client_opener(net, loop, threads, certs)(lambda p: p.recv_until_closed())
        with data_file(4096) as f:
            outcome = tls.outcome(net, loop.sendfile(transport, f, fallback=False))
            position = f.tell()
        transport.close()
        net.run(protocol.lost)
        data, _ = peer_result()
        expect_instance(
            outcome,
            RuntimeError,
            "sendfile(fallback=False) over TLS did not refuse with SendfileNotAvailableError/RuntimeError",
            expected="SendfileNotAvailableError",
        )
        expect_equal(data, b"", "bytes the peer received from the refused sendfile")
        expect_equal(position, 0, "file position after the refused sendfile")


# -- server side: default and explicit TLS timeouts (issue #16) -----------------------------


def _server_opener(net, loop, threads, certs, unix=False, **kwargs):
    """Opener (see tls_scenarios): a TLS client thread served by create_server or
    create_unix_server(ssl=..., **kwargs); yields the server side's transport and protocol."""

    def open_tls(script):
        factory, address, family = _tls_serve(net, loop, certs, unix=unix, **kwargs)
        peer = tls_client(threads, address, client_context(certs), script, family=family)
        protocol = net.run(factory.new_protocol.get(), what="a protocol for the TLS client")
        net.run(protocol.made, what="connection_made for the TLS client")
        return protocol.transport, protocol, peer.result

    return open_tls


def _accepted_opener(net, loop, threads, certs, **kwargs):
    """Opener: connect_accepted_socket(ssl=..., **kwargs) on a socket a TLS client connected to."""

    def open_tls(script):
        listener = net.listener()
        peer = tls_client(threads, listener.getsockname(), client_context(certs), script)
        conn = net.accept(listener)
        conn.setblocking(False)
        protocol = Recorder(loop)
        transport, _ = net.pair(
            net.run(loop.connect_accepted_socket(lambda: protocol, conn, ssl=server_context(certs), **kwargs))
        )
        return transport, protocol, peer.result

    return open_tls


@scope.check(
    "create_unix_server",
    "handshake_timeout",
    section="19.5.1.7",
    platforms=UNIX,
    requirement="create_unix_server(ssl=..., ssl_handshake_timeout=...) drops a UNIX client that "
    "never sends a ClientHello no earlier than the timeout, and the protocol's "
    "connection_made is never called.",
    covers=("create_unix_server.9",),
)
def test_create_unix_server_handshake_timeout(loop, certs):
    with Net(loop) as net:
        factory, client = _silent_client(net, loop, certs, unix=True, ssl_handshake_timeout=HANDSHAKE_TIMEOUT)
        tls.silent_client_dropped(net, loop, factory, client)


@pytest.mark.parametrize("kind", ["tcp", "unix"])
@scope.check(
    "create_server",
    "handshake_timeout_default",
    section="19.5.1.7",
    note="tls-default-timeouts-lower-bound",
    requirement="Without ssl_handshake_timeout (None: 60 s) a TLS server keeps a client stalled in "
    f"the handshake connected well past a short timeout (probed after {DEFAULT_PROBE:g} s), without "
    "protocol callbacks; a signature that names the parameter defaults it to None.",
    covers=("create_server.22",),
)
def test_create_server_handshake_timeout_default(loop, certs, kind):
    method = _server_kind(loop, kind)
    tls.expect_none_default(method, "ssl_handshake_timeout", method.__name__)
    with Net(loop) as net:
        factory, client = _silent_client(net, loop, certs, unix=kind == "unix")
        tls.silent_client_still_pending(net, loop, factory, client, method.__name__)


@scope.check(
    "connect_accepted_socket",
    "handshake_timeout_default",
    section="19.5.1.7",
    anchor="asyncio.BaseEventLoop.connect_accepted_socket",
    note="tls-default-timeouts-lower-bound",
    requirement="Without ssl_handshake_timeout (None: 60 s), connect_accepted_socket(ssl=...) is still "
    f"waiting for a silent client's handshake after {DEFAULT_PROBE:g} s; a signature that names the "
    "parameter defaults it to None.",
    covers=("connect_accepted_socket.6",),
)
def test_connect_accepted_socket_handshake_timeout_default(loop, certs):
    tls.expect_none_default(loop.connect_accepted_socket, "ssl_handshake_timeout", "connect_accepted_socket")
    with Net(loop) as net:
        client, conn = _accepted_raw(net)
        factory = net.adopt(Factory(loop))
        tls.call_still_pending(
            net,
            loop,
            loop.connect_accepted_socket(factory, conn, ssl=server_context(certs)),
            "connect_accepted_socket(ssl=...)",
            client=client,
        )
        expect_no_callbacks(factory, "the handshake never happened")


@pytest.mark.parametrize("kind", ["tcp", "unix"])
@scope.check(
    "create_server",
    "ssl_shutdown_timeout",
    section="19.5.1.7",
    since="3.11",
    requirement="ssl_shutdown_timeout of create_server / create_unix_server bounds the TLS shutdown "
    "of accepted connections: after close(), a client that never answers the "
    "close_notify is cut off within the bound (connection_lost follows).",
    covers=("create_server.26", "create_unix_server.11"),
)
def test_create_server_ssl_shutdown_timeout(loop, certs, kind):
    _server_kind(loop, kind)
    with Net(loop) as net, Threads() as threads:
        tls.shutdown_timeout(
            net,
            loop,
            _server_opener(net, loop, threads, certs, unix=kind == "unix", ssl_shutdown_timeout=HANDSHAKE_TIMEOUT),
        )


@pytest.mark.parametrize("kind", ["tcp", "unix"])
@scope.check(
    "create_server",
    "ssl_shutdown_timeout_default",
    section="19.5.1.7",
    since="3.11",
    note="tls-default-timeouts-lower-bound",
    requirement="Without ssl_shutdown_timeout (None: 30 s) a TLS server still waits for the client's "
    f"close_notify {DEFAULT_PROBE:g} s after close(); connection_lost follows once the client drops the "
    "connection.",
    covers=("create_server.26", "create_unix_server.11"),
)
def test_create_server_ssl_shutdown_timeout_default(loop, certs, kind):
    method = _server_kind(loop, kind)
    tls.expect_none_default(method, "ssl_shutdown_timeout", method.__name__)
    with Net(loop) as net, Threads() as threads:
        tls.shutdown_timeout_default(net, loop, _server_opener(net, loop, threads, certs, unix=kind == "unix"))


@scope.check(
    "connect_accepted_socket",
    "ssl_shutdown_timeout",
    section="19.5.1.7",
    since="3.11",
    anchor="asyncio.BaseEventLoop.connect_accepted_socket",
    requirement="ssl_shutdown_timeout of connect_accepted_socket bounds the TLS shutdown: after "
    "close(), a client that never answers the close_notify is cut off within the bound.",
    covers=("connect_accepted_socket.8",),
)
def test_connect_accepted_socket_ssl_shutdown_timeout(loop, certs):
    with Net(loop) as net, Threads() as threads:
        tls.shutdown_timeout(
            net, loop, _accepted_opener(net, loop, threads, certs, ssl_shutdown_timeout=HANDSHAKE_TIMEOUT)
        )


@scope.check(
    "connect_accepted_socket",
    "ssl_shutdown_timeout_default",
    section="19.5.1.7",
    since="3.11",
    anchor="asyncio.BaseEventLoop.connect_accepted_socket",
    note="tls-default-timeouts-lower-bound",
    requirement="Without ssl_shutdown_timeout (None: 30 s) connect_accepted_socket's TLS transport "
    f"still waits for the client's close_notify {DEFAULT_PROBE:g} s after close().",
    covers=("connect_accepted_socket.8",),
)
def test_connect_accepted_socket_ssl_shutdown_timeout_default(loop, certs):
    tls.expect_none_default(loop.connect_accepted_socket, "ssl_shutdown_timeout", "connect_accepted_socket")
    with Net(loop) as net, Threads() as threads:
        tls.shutdown_timeout_default(net, loop, _accepted_opener(net, loop, threads, certs))
