"""Broken loops for 19.5.1.6 (creating connections): each breaks ONE guarantee.

Most wrap the protocol in a small proxy that forwards every callback except the one being
broken, and hand the caller's own protocol back, so only the targeted behaviour changes.
"""

import asyncio
import socket


class ProtoProxy(asyncio.Protocol, asyncio.DatagramProtocol):
    """Forwards protocol callbacks to ``inner``; subclasses break one of them."""

    def __init__(self, loop, inner):
        self.loop = loop
        self.inner = inner
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        self.inner.connection_made(transport)

    def data_received(self, data):
        self.inner.data_received(data)

    def eof_received(self):
        return self.inner.eof_received()

    def connection_lost(self, exc):
        self.inner.connection_lost(exc)

    def pause_writing(self):
        self.inner.pause_writing()

    def resume_writing(self):
        self.inner.resume_writing()

    def datagram_received(self, data, addr):
        self.inner.datagram_received(data, addr)

    def error_received(self, exc):
        self.inner.error_received(exc)


def proxied(loop, protocol_factory, proxy_class):
    """A factory building ``proxy_class`` around the user's protocol; ``holder`` gets the inner one."""
    holder = {}

    def factory():
        inner = protocol_factory()
        holder["inner"] = inner
        return proxy_class(loop, inner)

    return factory, holder


class _ProxyLoop(asyncio.SelectorEventLoop):
    proxy_class = ProtoProxy

    async def create_connection(self, protocol_factory, *args, **kwargs):
        factory, holder = proxied(self, protocol_factory, self.proxy_class)
        transport, _ = await super().create_connection(factory, *args, **kwargs)
        return transport, holder["inner"]


class DoubleFactoryLoop(asyncio.SelectorEventLoop):
    """create_connection calls protocol_factory twice."""

    async def create_connection(self, protocol_factory, *args, **kwargs):
        def factory():
            protocol_factory()
            return protocol_factory()
        return await super().create_connection(factory, *args, **kwargs)


class _LateMade(ProtoProxy):
    def connection_made(self, transport):
        self.transport = transport
        self.loop.call_later(0.05, self.inner.connection_made, transport)


class LateConnectionMadeLoop(_ProxyLoop):
    """connection_made reaches the protocol only after create_connection has returned."""

    proxy_class = _LateMade


class EagerFactoryLoop(asyncio.SelectorEventLoop):
    """create_connection calls protocol_factory before connecting (even when refused)."""

    async def create_connection(self, protocol_factory, *args, **kwargs):
        proto = protocol_factory()
        return await super().create_connection(lambda: proto, *args, **kwargs)


class IgnoreLocalAddrLoop(asyncio.SelectorEventLoop):
    """create_connection ignores local_addr."""

    async def create_connection(self, protocol_factory, *args, local_addr=None, **kwargs):
        return await super().create_connection(protocol_factory, *args, **kwargs)


class IgnoreFamilyLoop(asyncio.SelectorEventLoop):
    """create_connection does not pass family to resolution."""

    async def create_connection(self, protocol_factory, *args, family=0, **kwargs):
        return await super().create_connection(protocol_factory, *args, **kwargs)


class IgnoreFlagsLoop(asyncio.SelectorEventLoop):
    """create_connection does not pass flags to resolution."""

    async def create_connection(self, protocol_factory, *args, flags=0, **kwargs):
        return await super().create_connection(protocol_factory, *args, **kwargs)


class SockWithHostLoop(asyncio.SelectorEventLoop):
    """create_connection silently drops host/port when sock is given instead of rejecting them."""

    async def create_connection(self, protocol_factory, host=None, port=None, *, sock=None, **kwargs):
        if sock is not None:
            host = port = None
        return await super().create_connection(protocol_factory, host, port, sock=sock, **kwargs)


class _DoubleLost(ProtoProxy):
    def connection_lost(self, exc):
        self.inner.connection_lost(exc)
        self.loop.call_soon(self.inner.connection_lost, exc)


class DoubleConnectionLostLoop(_ProxyLoop):
    """connection_lost is delivered twice."""

    proxy_class = _DoubleLost


class _NoEof(ProtoProxy):
    def eof_received(self):
        return None


class NoEofReceivedLoop(_ProxyLoop):
    """The peer's EOF closes the transport without calling eof_received."""

    proxy_class = _NoEof


class _NoFlowControl(ProtoProxy):
    def pause_writing(self):
        pass

    def resume_writing(self):
        pass


class NoFlowControlLoop(_ProxyLoop):
    """pause_writing/resume_writing never reach the protocol."""

    proxy_class = _NoFlowControl


def _patch(transport, **methods):
    for name, func in methods.items():
        setattr(transport, name, func)
    return transport


class _TransportPatchLoop(asyncio.SelectorEventLoop):
    """Applies ``patch(transport)`` to every stream transport create_connection returns."""

    def patch(self, transport):
        raise NotImplementedError

    async def create_connection(self, *args, **kwargs):
        transport, protocol = await super().create_connection(*args, **kwargs)
        self.patch(transport)
        return transport, protocol


class NoPeernameLoop(_TransportPatchLoop):
    """get_extra_info('peername') returns None."""

    def patch(self, t):
        orig = t.get_extra_info
        _patch(t, get_extra_info=lambda name, default=None: None if name == "peername" else orig(name, default))


class NoSocketInfoLoop(_TransportPatchLoop):
    """get_extra_info('socket') returns None."""

    def patch(self, t):
        orig = t.get_extra_info
        _patch(t, get_extra_info=lambda name, default=None: None if name == "socket" else orig(name, default))


class WritelinesDropsLastLoop(_TransportPatchLoop):
    """writelines() forgets the last item."""

    def patch(self, t):
        _patch(t, writelines=lambda items: [t.write(x) for x in list(items)[:-1]])


class NoWriteEofLoop(_TransportPatchLoop):
    """can_write_eof() is False for TCP."""

    def patch(self, t):
        _patch(t, can_write_eof=lambda: False)


class CloseDiscardsLoop(_TransportPatchLoop):
    """close() discards buffered data (behaves like abort())."""

    def patch(self, t):
        _patch(t, close=t.abort)


class AbortFlushesLoop(_TransportPatchLoop):
    """abort() waits for buffered data to be flushed (behaves like close())."""

    def patch(self, t):
        _patch(t, abort=t.close)


class PauseReadingNoopLoop(_TransportPatchLoop):
    """pause_reading() does nothing."""

    def patch(self, t):
        _patch(t, pause_reading=lambda: None)


class BadBufferLimitsLoop(_TransportPatchLoop):
    """get_write_buffer_limits() returns (high, low) instead of (low, high)."""

    def patch(self, t):
        orig = t.get_write_buffer_limits
        _patch(t, get_write_buffer_limits=lambda: tuple(reversed(orig())))


# -- datagrams ------------------------------------------------------------------------------

class _NoSenderAddr(ProtoProxy):
    def datagram_received(self, data, addr):
        self.inner.datagram_received(data, None)


class DatagramNoAddrLoop(asyncio.SelectorEventLoop):
    """datagram_received gets None instead of the sender's address."""

    async def create_datagram_endpoint(self, protocol_factory, *args, **kwargs):
        factory, holder = proxied(self, protocol_factory, _NoSenderAddr)
        transport, _ = await super().create_datagram_endpoint(factory, *args, **kwargs)
        return transport, holder["inner"]


class DatagramSockWithAddrLoop(asyncio.SelectorEventLoop):
    """create_datagram_endpoint drops local_addr/remote_addr when sock is given."""

    async def create_datagram_endpoint(self, protocol_factory, local_addr=None, remote_addr=None, *,
                                       sock=None, **kwargs):
        if sock is not None:
            local_addr = remote_addr = None
        return await super().create_datagram_endpoint(protocol_factory, local_addr, remote_addr, sock=sock,
                                                      **kwargs)


class DatagramNoBroadcastLoop(asyncio.SelectorEventLoop):
    """create_datagram_endpoint ignores allow_broadcast."""

    async def create_datagram_endpoint(self, *args, allow_broadcast=None, **kwargs):
        return await super().create_datagram_endpoint(*args, **kwargs)


class DatagramNoReusePortLoop(asyncio.SelectorEventLoop):
    """create_datagram_endpoint ignores reuse_port."""

    async def create_datagram_endpoint(self, *args, reuse_port=None, **kwargs):
        return await super().create_datagram_endpoint(*args, **kwargs)


class DatagramReuseAddressLoop(asyncio.SelectorEventLoop):
    """create_datagram_endpoint still accepts reuse_address and sets SO_REUSEADDR by default."""

    async def create_datagram_endpoint(self, *args, reuse_address=True, **kwargs):
        transport, protocol = await super().create_datagram_endpoint(*args, **kwargs)
        sock = transport.get_extra_info("socket")
        if reuse_address and sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        return transport, protocol


class _NoErrors(ProtoProxy):
    def error_received(self, exc):
        pass


class DatagramNoErrorReceivedLoop(asyncio.SelectorEventLoop):
    """Send errors never reach error_received."""

    async def create_datagram_endpoint(self, protocol_factory, *args, **kwargs):
        factory, holder = proxied(self, protocol_factory, _NoErrors)
        transport, _ = await super().create_datagram_endpoint(factory, *args, **kwargs)
        return transport, holder["inner"]


class DatagramNoUnixLoop(asyncio.SelectorEventLoop):
    """create_datagram_endpoint refuses AF_UNIX."""

    async def create_datagram_endpoint(self, *args, family=0, **kwargs):
        if family == socket.AF_UNIX:
            raise OSError("AF_UNIX datagrams not supported")
        return await super().create_datagram_endpoint(*args, family=family, **kwargs)


# -- UNIX connections -----------------------------------------------------------------------

class UnixNoBytesPathLoop(asyncio.SelectorEventLoop):
    """create_unix_connection rejects bytes paths."""

    async def create_unix_connection(self, protocol_factory, path=None, **kwargs):
        if isinstance(path, bytes):
            raise TypeError("bytes paths are not supported")
        return await super().create_unix_connection(protocol_factory, path, **kwargs)


class UnixNoAbstractLoop(asyncio.SelectorEventLoop):
    """create_unix_connection rejects abstract socket names."""

    async def create_unix_connection(self, protocol_factory, path=None, **kwargs):
        if isinstance(path, str) and path.startswith("\0"):
            raise OSError("abstract sockets are not supported")
        return await super().create_unix_connection(protocol_factory, path, **kwargs)


class UnixNoSockLoop(asyncio.SelectorEventLoop):
    """create_unix_connection ignores sock= and fails without a path."""

    async def create_unix_connection(self, protocol_factory, path=None, *, sock=None, **kwargs):
        if path is None:
            raise TypeError("path is required")
        return await super().create_unix_connection(protocol_factory, path, **kwargs)


# -- more create_connection breakages ---------------------------------------------------------

class SwappedPairLoop(asyncio.SelectorEventLoop):
    """create_connection returns (protocol, transport) instead of (transport, protocol)."""

    async def create_connection(self, *args, **kwargs):
        transport, protocol = await super().create_connection(*args, **kwargs)
        return protocol, transport


class NoIPv6Loop(asyncio.SelectorEventLoop):
    """create_connection refuses IPv6 hosts."""

    async def create_connection(self, protocol_factory, host=None, *args, **kwargs):
        if isinstance(host, str) and ":" in host:
            raise OSError("IPv6 is not supported by this loop")
        return await super().create_connection(protocol_factory, host, *args, **kwargs)


class NoTcpSockLoop(asyncio.SelectorEventLoop):
    """create_connection cannot use an existing socket."""

    async def create_connection(self, protocol_factory, host=None, port=None, *, sock=None, **kwargs):
        if sock is not None:
            raise OSError("sock= is not supported")
        return await super().create_connection(protocol_factory, host, port, **kwargs)


class RefusedAsPlainOSErrorLoop(asyncio.SelectorEventLoop):
    """A refused connection raises a plain OSError instead of ConnectionRefusedError."""

    async def create_connection(self, *args, **kwargs):
        try:
            return await super().create_connection(*args, **kwargs)
        except ConnectionRefusedError as exc:
            raise OSError(f"connect failed: {exc}") from None


class AlwaysReadingLoop(_TransportPatchLoop):
    """is_reading() stays True after pause_reading()."""

    def patch(self, t):
        _patch(t, is_reading=lambda: True)


class NoNodelayLoop(_TransportPatchLoop):
    """TCP transports leave Nagle's algorithm on (TCP_NODELAY cleared)."""

    def patch(self, t):
        t.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)


class NoHappyEyeballsLoop(asyncio.SelectorEventLoop):
    """create_connection rejects happy_eyeballs_delay / interleave (3.8 parameters)."""

    async def create_connection(self, *args, happy_eyeballs_delay=None, interleave=None, **kwargs):
        if happy_eyeballs_delay is not None or interleave is not None:
            raise TypeError("happy_eyeballs_delay/interleave are not supported")
        return await super().create_connection(*args, **kwargs)


class IgnoreAllErrorsLoop(asyncio.SelectorEventLoop):
    """create_connection ignores all_errors=True (3.12) and raises the bare error."""

    async def create_connection(self, *args, all_errors=False, **kwargs):
        return await super().create_connection(*args, **kwargs)


class _DatagramLostTwice(ProtoProxy):
    def connection_lost(self, exc):
        self.inner.connection_lost(exc)
        self.loop.call_soon(self.inner.connection_lost, exc)


class DatagramLostTwiceLoop(asyncio.SelectorEventLoop):
    """Closing a datagram transport calls connection_lost twice."""

    async def create_datagram_endpoint(self, protocol_factory, *args, **kwargs):
        factory, holder = proxied(self, protocol_factory, _DatagramLostTwice)
        transport, _ = await super().create_datagram_endpoint(factory, *args, **kwargs)
        return transport, holder["inner"]
