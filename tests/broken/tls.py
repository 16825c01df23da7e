"""Broken loops for the TLS suites (19.5.1.6-9 ssl options, sendfile over TLS, start_tls).

Each is a stock asyncio.SelectorEventLoop subclass breaking ONE TLS guarantee, usually by
rewriting an argument before calling the stock method, or by patching the TLS transports it
makes (through the selector loop's private _make_ssl_transport hook, which is fine for a test
loop: the suites themselves never touch private attributes).
"""

import asyncio
import os
import ssl

from tests.broken import breaks
from tests.broken.connections import ProtoProxy, proxied


class _TransportWrapper:
    """Forwards everything to the real transport; subclasses override a method or two."""

    def __init__(self, real):
        self._real = real

    def __getattr__(self, name):
        return getattr(self._real, name)


class _PatchTlsTransportsLoop(asyncio.SelectorEventLoop):
    """Calls ``_patch`` on every TLS transport it makes (ssl= connections and start_tls)."""

    def _patch(self, transport):
        raise NotImplementedError

    def _make_ssl_transport(self, *args, **kwargs):
        transport = super()._make_ssl_transport(*args, **kwargs)
        self._patch(transport)
        return transport

    async def start_tls(self, *args, **kwargs):
        transport = await super().start_tls(*args, **kwargs)
        self._patch(transport)
        return transport


# -- keyword rewriting ----------------------------------------------------------------------

#: The entry points doing the client side of TLS (start_tls aside).
CLIENT_SIDE = ("create_connection", "create_unix_connection")
#: The entry points doing the server side of TLS, and start_tls.
SERVER_SIDE = ("create_server", "create_unix_server", "connect_accepted_socket", "start_tls")
#: Every entry point taking ssl_handshake_timeout that the handshake checks call with a timeout.
HANDSHAKE_CALLS = ("create_connection", "create_server", "connect_accepted_socket", "start_tls")
#: A rewrite result that removes the keyword from the call.
DROP = object()


def _ignored(value):
    """A positive timeout becomes 60 s: the caller's timeout is ignored."""
    return 60.0 if value is not None and value > 0 else value


def _early(value):
    """A positive timeout fires ten times too early."""
    return value / 10 if value is not None and value > 0 else value


def _default(tiny):
    """The default (None) becomes ``tiny`` seconds (a unit error or a tiny hard-coded default)."""
    return lambda value: tiny if value is None else value


def _drop(value):
    return DROP


def _rewriting(name):
    async def method(self, *args, **kwargs):
        tls = name == "start_tls" or bool(kwargs.get("ssl"))
        if self.calls == "all" or (self.calls == "tls") == tls:
            old = kwargs.get(self.keyword)
            new = self.rewrite(old)
            if new is DROP:
                kwargs.pop(self.keyword, None)
            elif new is not old:
                kwargs[self.keyword] = new
        return await getattr(asyncio.SelectorEventLoop, name)(self, *args, **kwargs)

    method.__name__ = name
    return method


class _KeywordRewriteLoop(asyncio.SelectorEventLoop):
    """Rewrites keyword ``keyword`` with ``rewrite(value)`` (None when absent; DROP removes it) in
    every call to ``methods``: of the calls doing TLS (``calls = "tls"``, start_tls always does),
    of the plain ones ("plain"), or of all ("all")."""

    keyword = ""
    methods: tuple = ()
    calls = "tls"

    @staticmethod
    def rewrite(value):
        return value

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in cls.methods:
            setattr(cls, name, _rewriting(name))


# -- closing --------------------------------------------------------------------------------


@breaks(
    "tls.create_connection.close_notify",
    "tls.start_tls.close_notify",
    "tls.create_server.ssl_context",
    "tls.create_unix_server.ssl",
    "tls.connect_accepted_socket.ssl",
    keeps=["tls.create_connection.peer_close_notify_lost_once"],
)
class AbortOnCloseLoop(_PatchTlsTransportsLoop):
    """close() on a TLS transport aborts it: no close_notify is sent."""

    def _patch(self, transport):
        transport.close = transport.abort


class _DoubleLost(ProtoProxy):
    def connection_lost(self, exc):
        self.inner.connection_lost(exc)
        self.inner.connection_lost(exc)


class _NoEof(ProtoProxy):
    def eof_received(self):
        return None


class _TlsProxyLoop(asyncio.SelectorEventLoop):
    """Puts ``proxy_class`` between TLS transports and the user's protocol."""

    proxy_class = ProtoProxy

    async def create_connection(self, protocol_factory, *args, **kwargs):
        if not kwargs.get("ssl"):
            return await super().create_connection(protocol_factory, *args, **kwargs)
        factory, holder = proxied(self, protocol_factory, self.proxy_class)
        transport, _ = await super().create_connection(factory, *args, **kwargs)
        return transport, holder["inner"]

    async def create_server(self, protocol_factory, *args, **kwargs):
        if kwargs.get("ssl"):
            factory, _ = proxied(self, protocol_factory, self.proxy_class)
            return await super().create_server(factory, *args, **kwargs)
        return await super().create_server(protocol_factory, *args, **kwargs)

    async def start_tls(self, transport, protocol, *args, **kwargs):
        return await super().start_tls(transport, self.proxy_class(self, protocol), *args, **kwargs)


@breaks(
    "tls.create_connection.peer_close_notify_lost_once",
    "tls.create_server.peer_close_notify",
    "tls.start_tls.peer_close_notify",
    keeps=["tls.create_connection.extra_info"],
)
class DoubleLostTlsLoop(_TlsProxyLoop):
    """TLS connections call connection_lost twice."""

    proxy_class = _DoubleLost


@breaks(
    "tls.create_connection.peer_close_notify_eof_received",
    keeps=["tls.create_connection.peer_close_notify_lost_once"],
    python=">=3.11",
)
class NoEofReceivedTlsLoop(_TlsProxyLoop):
    """TLS connections never call eof_received (the peer's close_notify goes unreported)."""

    proxy_class = _NoEof


@breaks("tls.create_connection.ssl_shutdown_timeout", keeps=["tls.create_connection.close_notify"], python=">=3.11")
class IgnoreShutdownTimeoutLoop(_KeywordRewriteLoop):
    """ssl_shutdown_timeout is replaced by 60 s (3.11+)."""

    keyword, methods, rewrite = "ssl_shutdown_timeout", ("create_connection",), staticmethod(_ignored)


# -- ssl= ignored ---------------------------------------------------------------------------


def _drop_ssl(kwargs):
    for key in ("ssl", "server_hostname", "ssl_handshake_timeout"):
        kwargs.pop(key, None)
    return kwargs


@breaks("tls.create_connection.ssl_context", keeps=["tls.create_server.ssl_context"])
class ClientIgnoresSslLoop(asyncio.SelectorEventLoop):
    """create_connection makes a plain connection whatever ssl says."""

    async def create_connection(self, *args, **kwargs):
        return await super().create_connection(*args, **_drop_ssl(kwargs))


@breaks("tls.create_server.ssl_context", keeps=["tls.create_connection.ssl_context"])
class ServerIgnoresSslLoop(asyncio.SelectorEventLoop):
    """create_server serves plain TCP whatever ssl says."""

    async def create_server(self, *args, **kwargs):
        return await super().create_server(*args, **_drop_ssl(kwargs))


@breaks("tls.create_unix_connection.ssl", keeps=["tls.create_unix_server.ssl"])
class UnixConnectionIgnoresSslLoop(asyncio.SelectorEventLoop):
    """create_unix_connection makes a plain connection whatever ssl says."""

    async def create_unix_connection(self, *args, **kwargs):
        return await super().create_unix_connection(*args, **_drop_ssl(kwargs))


@breaks("tls.create_unix_server.ssl", keeps=["tls.create_unix_connection.ssl"])
class UnixServerIgnoresSslLoop(asyncio.SelectorEventLoop):
    """create_unix_server serves plain connections whatever ssl says."""

    async def create_unix_server(self, *args, **kwargs):
        return await super().create_unix_server(*args, **_drop_ssl(kwargs))


@breaks("tls.connect_accepted_socket.ssl", keeps=["tls.create_connection.ssl_context"])
class AcceptedIgnoresSslLoop(asyncio.SelectorEventLoop):
    """connect_accepted_socket makes a plain transport whatever ssl says."""

    async def connect_accepted_socket(self, *args, **kwargs):
        return await super().connect_accepted_socket(*args, **_drop_ssl(kwargs))


@breaks("tls.create_connection.ssl_true_verifies", keeps=["tls.create_connection.ssl_true_default_context"])
class SslTrueNoVerifyLoop(asyncio.SelectorEventLoop):
    """ssl=True uses a context that verifies nothing."""

    async def create_connection(self, *args, **kwargs):
        if kwargs.get("ssl") is True:
            kwargs["ssl"] = ssl._create_unverified_context()
        return await super().create_connection(*args, **kwargs)


@breaks("tls.create_connection.extra_info", keeps=["tls.create_connection.ssl_context"])
class NoTlsExtraInfoLoop(_PatchTlsTransportsLoop):
    """TLS transports answer None for 'peercert' and 'cipher'."""

    def _patch(self, transport):
        real = transport.get_extra_info

        def get_extra_info(name, default=None):
            if name in ("peercert", "cipher"):
                return default
            return real(name, default)

        transport.get_extra_info = get_extra_info


@breaks(
    "tls.create_server.mutual_tls_refuses",
    "tls.create_server.mutual_tls_accepts",
    keeps=["tls.create_server.ssl_context"],
)
class ServerIgnoresClientCertLoop(asyncio.SelectorEventLoop):
    """create_server stops requiring client certificates (verify_mode forced to CERT_NONE)."""

    async def create_server(self, *args, **kwargs):
        ctx = kwargs.get("ssl")
        if isinstance(ctx, ssl.SSLContext):
            ctx.verify_mode = ssl.CERT_NONE
        return await super().create_server(*args, **kwargs)


# -- server_hostname ------------------------------------------------------------------------


def _host_of(args, kwargs):
    return kwargs.get("host", args[1] if len(args) > 1 else None)


@breaks(
    "tls.create_connection.server_hostname_mismatch",
    "tls.create_connection.server_hostname_defaults_to_host",
    "tls.start_tls.server_hostname_mismatch",
    keeps=["tls.create_connection.server_hostname_override", "tls.start_tls.server_hostname_match"],
)
class NoHostnameCheckLoop(asyncio.SelectorEventLoop):
    """Certificates are never matched against the server name (check_hostname disabled)."""

    async def create_connection(self, *args, **kwargs):
        if isinstance(kwargs.get("ssl"), ssl.SSLContext):
            kwargs["ssl"].check_hostname = False
        return await super().create_connection(*args, **kwargs)

    async def start_tls(self, transport, protocol, sslcontext, **kwargs):
        if isinstance(sslcontext, ssl.SSLContext):
            sslcontext.check_hostname = False
        return await super().start_tls(transport, protocol, sslcontext, **kwargs)


@breaks(
    "tls.create_connection.server_hostname_defaults_to_host", keeps=["tls.create_connection.server_hostname_override"]
)
class HostNotUsedLoop(asyncio.SelectorEventLoop):
    """Without server_hostname, the host is not used as the name to match (nor sent as SNI)."""

    async def create_connection(self, *args, **kwargs):
        if kwargs.get("ssl") and kwargs.get("server_hostname") is None and _host_of(args, kwargs):
            kwargs["server_hostname"] = ""
        return await super().create_connection(*args, **kwargs)


@breaks(
    "tls.create_connection.server_hostname_override", keeps=["tls.create_connection.server_hostname_defaults_to_host"]
)
class ServerHostnameIgnoredLoop(asyncio.SelectorEventLoop):
    """server_hostname is replaced by host (no override)."""

    async def create_connection(self, *args, **kwargs):
        host = _host_of(args, kwargs)
        if kwargs.get("ssl") and kwargs.get("server_hostname") and host:
            kwargs["server_hostname"] = host
        return await super().create_connection(*args, **kwargs)


@breaks(
    "tls.create_connection.server_hostname_empty",
    keeps=["tls.create_connection.server_hostname_override"],
    python="<3.13.16 || >=3.14,<3.14.8",
)  # the check's gate (spec note ssl-check-hostname-needs-server-hostname)
class EmptyServerHostnameLoop(asyncio.SelectorEventLoop):
    """server_hostname='' falls back to host instead of disabling hostname matching."""

    async def create_connection(self, *args, **kwargs):
        host = _host_of(args, kwargs)
        if kwargs.get("ssl") and kwargs.get("server_hostname") == "" and host:
            kwargs["server_hostname"] = host
        return await super().create_connection(*args, **kwargs)


@breaks(
    "tls.create_connection.server_hostname_required",
    "tls.create_unix_connection.server_hostname_required",
    keeps=["tls.create_connection.ssl_context"],
)
class NoServerHostnameRequiredLoop(asyncio.SelectorEventLoop):
    """ssl without host and server_hostname is accepted ('localhost' is assumed)."""

    async def create_connection(self, *args, **kwargs):
        if kwargs.get("ssl") and kwargs.get("server_hostname") is None and not _host_of(args, kwargs):
            kwargs["server_hostname"] = "localhost"
        return await super().create_connection(*args, **kwargs)

    async def create_unix_connection(self, *args, **kwargs):
        if kwargs.get("ssl") and kwargs.get("server_hostname") is None:
            kwargs["server_hostname"] = "localhost"
        return await super().create_unix_connection(*args, **kwargs)


@breaks(
    "tls.create_connection.server_hostname_requires_ssl", keeps=["tls.create_connection.handshake_timeout_requires_ssl"]
)
class ServerHostnameWithoutSslLoop(_KeywordRewriteLoop):
    """server_hostname without ssl is silently ignored instead of refused."""

    keyword, methods, calls, rewrite = "server_hostname", ("create_connection",), "plain", staticmethod(_drop)


# -- ssl_handshake_timeout ------------------------------------------------------------------


@breaks(
    "tls.create_connection.handshake_timeout",
    "tls.create_server.handshake_timeout",
    "tls.connect_accepted_socket.handshake_timeout",
    "tls.start_tls.handshake_timeout",
    "tls.start_tls.server_side_handshake_timeout",
    keeps=["tls.create_connection.handshake_timeout_default"],
)
class IgnoreHandshakeTimeoutLoop(_KeywordRewriteLoop):
    """ssl_handshake_timeout is replaced by 60 s."""

    keyword, methods, calls, rewrite = "ssl_handshake_timeout", HANDSHAKE_CALLS, "all", staticmethod(_ignored)


@breaks(
    "tls.create_connection.handshake_timeout",
    "tls.create_server.handshake_timeout",
    "tls.connect_accepted_socket.handshake_timeout",
    "tls.start_tls.handshake_timeout",
    "tls.start_tls.server_side_handshake_timeout",
    keeps=["tls.create_connection.handshake_timeout_default"],
)
class EarlyHandshakeTimeoutLoop(_KeywordRewriteLoop):
    """ssl_handshake_timeout fires ten times too early."""

    keyword, methods, calls, rewrite = "ssl_handshake_timeout", HANDSHAKE_CALLS, "all", staticmethod(_early)


@breaks(
    "tls.create_connection.handshake_timeout_requires_ssl",
    "tls.create_server.handshake_timeout_requires_ssl",
    "tls.connect_accepted_socket.handshake_timeout_requires_ssl",
    keeps=["tls.create_connection.handshake_timeout"],
)
class HandshakeTimeoutWithoutSslLoop(_KeywordRewriteLoop):
    """ssl_handshake_timeout without ssl is silently ignored instead of refused."""

    keyword, calls, rewrite = "ssl_handshake_timeout", "plain", staticmethod(_drop)
    methods = ("create_connection", "create_server", "connect_accepted_socket")


@breaks(
    "tls.create_connection.handshake_timeout_positive[zero]",
    "tls.create_connection.handshake_timeout_positive[negative]",
    "tls.start_tls.handshake_timeout_positive[zero]",
    "tls.start_tls.handshake_timeout_positive[negative]",
    keeps=["tls.create_connection.handshake_timeout"],
)
class NoTimeoutValidationLoop(_KeywordRewriteLoop):
    """A zero or negative ssl_handshake_timeout is taken as 'use the default'."""

    keyword, methods, calls = "ssl_handshake_timeout", HANDSHAKE_CALLS, "all"

    @staticmethod
    def rewrite(value):
        return None if value is not None and value <= 0 else value


# -- start_tls ------------------------------------------------------------------------------


@breaks("tls.start_tls.returns_new_transport", keeps=["tls.start_tls.sslcontext_type"])
class StartTlsReturnsOldLoop(asyncio.SelectorEventLoop):
    """start_tls upgrades the connection but returns the transport it was given."""

    async def start_tls(self, transport, *args, **kwargs):
        await super().start_tls(transport, *args, **kwargs)
        return transport


class _WritesPlain(_TransportWrapper):
    def __init__(self, real, plain):
        super().__init__(real)
        self._plain = plain

    def write(self, data):
        self._plain.write(data)


@breaks("tls.start_tls.encrypted_after_upgrade", keeps=["tls.start_tls.handshake_timeout"])
class StartTlsPlainAfterLoop(asyncio.SelectorEventLoop):
    """The transport returned by start_tls writes through the old, plain transport."""

    async def start_tls(self, transport, *args, **kwargs):
        new = await super().start_tls(transport, *args, **kwargs)
        return _WritesPlain(new, transport)


@breaks("tls.start_tls.protocol_continues", keeps=["tls.start_tls.handshake_failure_closes"])
class StartTlsWrongProtocolLoop(asyncio.SelectorEventLoop):
    """After start_tls the decrypted data goes to a fresh protocol, not the caller's."""

    async def start_tls(self, transport, protocol, *args, **kwargs):
        return await super().start_tls(transport, asyncio.Protocol(), *args, **kwargs)


@breaks("tls.start_tls.server_side", keeps=["tls.start_tls.returns_new_transport"])
class StartTlsServerSideIgnoredLoop(asyncio.SelectorEventLoop):
    """start_tls always does the client side of the handshake."""

    async def start_tls(self, *args, **kwargs):
        kwargs["server_side"] = False
        return await super().start_tls(*args, **kwargs)


@breaks("tls.start_tls.sslcontext_type", keeps=["tls.start_tls.returns_new_transport"])
class StartTlsBadContextAcceptedLoop(asyncio.SelectorEventLoop):
    """start_tls with something that is not an SSLContext returns the plain transport."""

    async def start_tls(self, transport, protocol, sslcontext, **kwargs):
        if not isinstance(sslcontext, ssl.SSLContext):
            return transport
        return await super().start_tls(transport, protocol, sslcontext, **kwargs)


class _DeferredWrites(_TransportWrapper):
    def write(self, data):
        self._real._loop.call_later(0.1, self._real.write, data)


@breaks("tls.start_tls.plaintext_before_upgrade", keeps=["tls.start_tls.sslcontext_type"])
class DeferredPlainWriteLoop(asyncio.SelectorEventLoop):
    """Plain writes are sent 0.1 s late, so data written before start_tls follows the ClientHello."""

    async def create_connection(self, *args, **kwargs):
        transport, protocol = await super().create_connection(*args, **kwargs)
        if kwargs.get("ssl"):
            return transport, protocol
        return _DeferredWrites(transport), protocol

    async def start_tls(self, transport, *args, **kwargs):
        if isinstance(transport, _DeferredWrites):
            transport = transport._real
        return await super().start_tls(transport, *args, **kwargs)


class _NeverCloses(_TransportWrapper):
    def close(self):
        pass

    def abort(self):
        pass

    def _force_close(self, exc):
        pass


@breaks(
    "tls.start_tls.server_hostname_mismatch",
    "tls.start_tls.handshake_failure_closes",
    keeps=["tls.start_tls.sslcontext_type"],
)
class NoCloseOnFailureLoop(asyncio.SelectorEventLoop):
    """A failed start_tls handshake leaves the TCP connection open (half-open)."""

    async def start_tls(self, transport, *args, **kwargs):
        return await super().start_tls(_NeverCloses(transport), *args, **kwargs)


# -- sendfile over TLS ----------------------------------------------------------------------


def _is_tls(transport):
    return transport.get_extra_info("sslcontext") is not None


@breaks("tls.sendfile.fallback_over_tls", keeps=["tls.sendfile.no_fallback_refused"])
class TlsSendfileShortLoop(asyncio.SelectorEventLoop):
    """sendfile over TLS sends half the file but reports all of it as sent."""

    async def sendfile(self, transport, file, offset=0, count=None, *, fallback=True):
        if not _is_tls(transport):
            return await super().sendfile(transport, file, offset, count, fallback=fallback)
        total = count if count is not None else os.fstat(file.fileno()).st_size - offset
        await super().sendfile(transport, file, offset, total // 2, fallback=fallback)
        file.seek(offset + total)
        return total


@breaks("tls.sendfile.no_fallback_refused", keeps=["tls.sendfile.fallback_over_tls"])
class TlsSendfileNoFallbackSendsLoop(asyncio.SelectorEventLoop):
    """sendfile(fallback=False) over TLS falls back anyway instead of refusing."""

    async def sendfile(self, transport, file, offset=0, count=None, *, fallback=True):
        if _is_tls(transport):
            fallback = True
        return await super().sendfile(transport, file, offset, count, fallback=fallback)


# -- gap #16: connection-side TLS parameters ------------------------------------------------


@breaks(
    "tls.create_connection.handshake_default_not_early",
    "tls.create_unix_connection.handshake_default_not_early",
    keeps=["tls.create_connection.handshake_timeout", "tls.create_unix_connection.handshake_timeout"],
)
class TinyDefaultHandshakeTimeoutLoop(_KeywordRewriteLoop):
    """ssl_handshake_timeout=None (the default) means 60 ms (60 s read as milliseconds)."""

    keyword, methods, rewrite = "ssl_handshake_timeout", CLIENT_SIDE, staticmethod(_default(0.06))


@breaks(
    "tls.create_unix_connection.handshake_timeout",
    keeps=["tls.create_unix_connection.ssl", "tls.create_connection.handshake_timeout"],
)
class UnixIgnoreHandshakeTimeoutLoop(_KeywordRewriteLoop):
    """create_unix_connection replaces ssl_handshake_timeout by 60 s."""

    keyword, methods, rewrite = "ssl_handshake_timeout", ("create_unix_connection",), staticmethod(_ignored)


@breaks(
    "tls.create_unix_connection.ssl_shutdown_timeout",
    keeps=["tls.create_unix_connection.ssl", "tls.create_connection.ssl_shutdown_timeout"],
    python=">=3.11",
)
class UnixIgnoreShutdownTimeoutLoop(_KeywordRewriteLoop):
    """create_unix_connection replaces ssl_shutdown_timeout by 60 s (3.11+)."""

    keyword, methods, rewrite = "ssl_shutdown_timeout", ("create_unix_connection",), staticmethod(_ignored)


@breaks(
    "tls.create_connection.ssl_shutdown_timeout_waits",
    keeps=["tls.create_connection.ssl_shutdown_timeout"],
    python=">=3.11",
)
class EarlyShutdownTimeoutLoop(_KeywordRewriteLoop):
    """ssl_shutdown_timeout fires ten times too early (3.11+)."""

    keyword, methods, rewrite = "ssl_shutdown_timeout", ("create_connection",), staticmethod(_early)


@breaks(
    "tls.create_connection.ssl_shutdown_timeout_default",
    "tls.create_unix_connection.ssl_shutdown_timeout_default",
    keeps=["tls.create_connection.ssl_shutdown_timeout", "tls.create_unix_connection.ssl_shutdown_timeout"],
    python=">=3.11",
)
class ClientTinyDefaultShutdownTimeoutLoop(_KeywordRewriteLoop):
    """ssl_shutdown_timeout=None means 30 ms (30 s read as milliseconds) on the client side (3.11+)."""

    keyword, methods, rewrite = "ssl_shutdown_timeout", CLIENT_SIDE, staticmethod(_default(0.03))


@breaks(
    "tls.create_connection.ssl_shutdown_timeout_requires_ssl",
    keeps=["tls.create_connection.ssl_shutdown_timeout"],
    python=">=3.11",
)
class ShutdownTimeoutWithoutSslLoop(_KeywordRewriteLoop):
    """ssl_shutdown_timeout without ssl is silently ignored instead of refused (3.11+)."""

    keyword, methods, calls, rewrite = "ssl_shutdown_timeout", ("create_connection",), "plain", staticmethod(_drop)


@breaks("tls.create_connection.cert_error_class", keeps=["tls.create_connection.server_hostname_mismatch"])
class PlainSslErrorLoop(asyncio.SelectorEventLoop):
    """A failed certificate verification is reported as a plain ssl.SSLError."""

    async def create_connection(self, *args, **kwargs):
        try:
            return await super().create_connection(*args, **kwargs)
        except ssl.SSLCertVerificationError as exc:
            raise ssl.SSLError(f"verification failed: {exc}") from None


# -- server side and start_tls: default timeouts, ssl_shutdown_timeout (issue #16, gapC) -----


@breaks(
    "tls.create_server.handshake_timeout_default[tcp]",
    "tls.create_server.handshake_timeout_default[unix]",
    "tls.connect_accepted_socket.handshake_timeout_default",
    "tls.start_tls.handshake_timeout_default",
    keeps=["tls.create_server.handshake_timeout", "tls.start_tls.handshake_timeout", "tls.create_server.ssl_context"],
)
class ServerTinyDefaultHandshakeTimeoutLoop(_KeywordRewriteLoop):
    """ssl_handshake_timeout=None means 60 ms (60 s read as milliseconds) on the server side and in start_tls."""

    keyword, methods, rewrite = "ssl_handshake_timeout", SERVER_SIDE, staticmethod(_default(0.06))


@breaks(
    "tls.create_unix_server.handshake_timeout",
    keeps=["tls.create_server.handshake_timeout", "tls.create_unix_server.ssl"],
)
class UnixServerIgnoresHandshakeTimeoutLoop(_KeywordRewriteLoop):
    """create_unix_server replaces ssl_handshake_timeout by 60 s."""

    keyword, methods, rewrite = "ssl_handshake_timeout", ("create_unix_server",), staticmethod(_ignored)


@breaks(
    "tls.create_server.ssl_shutdown_timeout[tcp]",
    "tls.create_server.ssl_shutdown_timeout[unix]",
    "tls.connect_accepted_socket.ssl_shutdown_timeout",
    "tls.start_tls.ssl_shutdown_timeout",
    keeps=["tls.create_server.ssl_shutdown_timeout_default[tcp]", "tls.start_tls.close_notify"],
    python=">=3.11",
)
class ServerIgnoresShutdownTimeoutLoop(_KeywordRewriteLoop):
    """An explicit ssl_shutdown_timeout is replaced by 60 s on the server side and in start_tls."""

    keyword, methods, rewrite = "ssl_shutdown_timeout", SERVER_SIDE, staticmethod(_ignored)


@breaks(
    "tls.create_server.ssl_shutdown_timeout_default[tcp]",
    "tls.create_server.ssl_shutdown_timeout_default[unix]",
    "tls.connect_accepted_socket.ssl_shutdown_timeout_default",
    "tls.start_tls.ssl_shutdown_timeout_default",
    keeps=["tls.create_server.ssl_shutdown_timeout[tcp]", "tls.start_tls.ssl_shutdown_timeout"],
    python=">=3.11",
)
class TinyDefaultShutdownTimeoutLoop(_KeywordRewriteLoop):
    """ssl_shutdown_timeout=None means 30 ms (30 s read as milliseconds) on the server side and in start_tls."""

    keyword, methods, rewrite = "ssl_shutdown_timeout", SERVER_SIDE, staticmethod(_default(0.03))


@breaks(
    "tls.start_tls.handshake_timeout_default",
    "tls.connect_accepted_socket.handshake_timeout_default",
    outcome="missing",
)
class NoTlsUpgradeLoop(asyncio.SelectorEventLoop):
    """start_tls and connect_accepted_socket are not implemented (the coroutine raises
    NotImplementedError): the default-timeout checks, which see the call end at once, report
    ``missing`` like every other check of those methods, not an early abort."""

    async def start_tls(
        self,
        transport,
        protocol,
        sslcontext,
        *,
        server_side=False,
        server_hostname=None,
        ssl_handshake_timeout=None,
        ssl_shutdown_timeout=None,
    ):
        raise NotImplementedError

    async def connect_accepted_socket(
        self, protocol_factory, sock, *, ssl=None, ssl_handshake_timeout=None, ssl_shutdown_timeout=None
    ):
        raise NotImplementedError
