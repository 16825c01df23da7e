"""Reference loop: 19.5.1.9 start_tls and the ssl options of 19.5.1.6-7.

TLS runs in memory over ``ssl.MemoryBIO`` + ``SSLContext.wrap_bio`` (reference_loop/tls_protocol.py);
the application sees a ``TLSTransport`` (reference_loop/tls_transport.py). This module holds the
loop-facing part: ``TLSMixin.start_tls``.

How the network mixin uses TLS for create_connection / create_server / connect_accepted_socket
with ``ssl=``: build ``TLSProtocol(loop, app_protocol, sslcontext, waiter, server_side=...,
server_hostname=..., ssl_handshake_timeout=...)`` with ``waiter = loop.create_future()``, make the
raw stream transport with that TLSProtocol as its protocol, ``await waiter`` (on failure close the
raw transport and re-raise) and hand out ``tls_protocol.app_transport``.
"""

from __future__ import annotations

import asyncio
import ssl

from .stream_transport import ready_or_close
from .tls_protocol import (  # noqa: F401  (re-exported for the network mixin)
    DEFAULT_HANDSHAKE_TIMEOUT,
    DEFAULT_SHUTDOWN_TIMEOUT,
    TLSProtocol,
    default_client_context,
)
from .tls_transport import TLSTransport  # noqa: F401

__all__ = [
    "TLSMixin",
    "TLSProtocol",
    "TLSTransport",
    "default_client_context",
    "DEFAULT_HANDSHAKE_TIMEOUT",
    "DEFAULT_SHUTDOWN_TIMEOUT",
]


def upgradable(transport):
    """19.5.1.9: start_tls needs a live bidirectional stream transport whose protocol can be
    swapped (set_protocol) and whose reading can be paused."""
    return (
        isinstance(transport, asyncio.Transport)
        and not isinstance(transport, asyncio.DatagramTransport)
        and all(
            callable(getattr(transport, name, None))
            for name in ("set_protocol", "pause_reading", "resume_reading", "write")
        )
    )


class TLSMixin:
    """19.5.1.9 TLS upgrade for the reference loop (needs create_future/call_soon/call_later)."""

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
        """19.5.1.9 start_tls: upgrade a live connection to TLS and return the new transport.

        ``transport``/``protocol`` are a pair made by create_connection/create_server (or an
        earlier start_tls); ``sslcontext`` must be an ssl.SSLContext (TypeError otherwise).
        The handshake runs on the old transport's connection (bytes written to it earlier are
        sent first: the raw transport's buffer is FIFO); its timeout is ssl_handshake_timeout
        (60 s when None). On failure, timeout or cancellation the connection is closed and the
        error propagates. On success the returned transport replaces ``transport``, which must
        not be used again; ``protocol`` keeps receiving callbacks, now with decrypted data.
        ssl_shutdown_timeout (3.11+; 30 s when None) bounds close()'s wait for close_notify.
        """
        if not isinstance(sslcontext, ssl.SSLContext):
            raise TypeError(f"sslcontext is expected to be an instance of ssl.SSLContext, got {sslcontext!r}")
        if not upgradable(transport):
            raise TypeError(f"transport {transport!r} is not supported by start_tls()")
        if transport.is_closing():
            raise ConnectionResetError("start_tls(): the transport is closing or closed")

        waiter = self.create_future()
        tls_protocol = TLSProtocol(
            self,
            protocol,
            sslcontext,
            waiter,
            server_side=server_side,
            server_hostname=server_hostname,
            call_connection_made=False,
            ssl_handshake_timeout=ssl_handshake_timeout,
            ssl_shutdown_timeout=ssl_shutdown_timeout,
        )

        # Nothing may reach the TLS engine before it knows its transport.
        transport.pause_reading()
        transport.set_protocol(tls_protocol)
        tls_protocol.connection_made(transport)  # sends the ClientHello (client side)
        transport.resume_reading()
        await ready_or_close(transport, waiter)
        return tls_protocol.app_transport
