"""Broken loops for 19.5.1.6 (creating connections): each breaks ONE guarantee.

Most wrap the protocol in a small proxy that forwards every callback except the one being
broken, and hand the caller's own protocol back, so only the targeted behaviour changes.
"""

import asyncio
import socket

from tests.broken import breaks
from tests.broken._overrides import on_dup_sock


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


@breaks("connections.create_connection.factory_once", keeps=["connections.create_connection.host_port[ipv4]"])
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


@breaks("connections.create_connection.synopsis_order", keeps=["connections.create_connection.factory_once"])
class LateConnectionMadeLoop(_ProxyLoop):
    """connection_made reaches the protocol only after create_connection has returned."""

    proxy_class = _LateMade


@breaks(
    "connections.create_connection.refused",
    "connections.create_connection.synopsis_order",
    keeps=["connections.create_connection.returns_pair"],
)
class EagerFactoryLoop(asyncio.SelectorEventLoop):
    """create_connection calls protocol_factory before connecting (even when refused)."""

    async def create_connection(self, protocol_factory, *args, **kwargs):
        proto = protocol_factory()
        return await super().create_connection(lambda: proto, *args, **kwargs)


@breaks("connections.create_connection.local_addr", keeps=["connections.create_connection.returns_pair"])
class IgnoreLocalAddrLoop(asyncio.SelectorEventLoop):
    """create_connection ignores local_addr."""

    async def create_connection(self, protocol_factory, *args, local_addr=None, **kwargs):
        return await super().create_connection(protocol_factory, *args, **kwargs)


@breaks("connections.create_connection.family", keeps=["connections.create_connection.flags_proto"])
class IgnoreFamilyLoop(asyncio.SelectorEventLoop):
    """create_connection does not pass family to resolution."""

    async def create_connection(self, protocol_factory, *args, family=0, **kwargs):
        return await super().create_connection(protocol_factory, *args, **kwargs)


@breaks("connections.create_connection.flags_proto", keeps=["connections.create_connection.family"])
class IgnoreFlagsLoop(asyncio.SelectorEventLoop):
    """create_connection does not pass flags to resolution."""

    async def create_connection(self, protocol_factory, *args, flags=0, **kwargs):
        return await super().create_connection(protocol_factory, *args, **kwargs)


@breaks(
    "connections.create_connection.sock_exclusive[host]",
    "connections.create_connection.sock_exclusive[port]",
    keeps=["connections.create_connection.sock"],
)
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


@breaks(
    "connections.create_connection.callback_order",
    "connections.create_connection.peer_reset_lost_once",
    keeps=["connections.create_connection.returns_pair"],
)
class DoubleConnectionLostLoop(_ProxyLoop):
    """connection_lost is delivered twice."""

    proxy_class = _DoubleLost


class _NoEof(ProtoProxy):
    def eof_received(self):
        return None


@breaks("connections.create_connection.callback_order", keeps=["connections.create_connection.peer_reset_lost_once"])
class NoEofReceivedLoop(_ProxyLoop):
    """The peer's EOF closes the transport without calling eof_received."""

    proxy_class = _NoEof


class _NoFlowControl(ProtoProxy):
    def pause_writing(self):
        pass

    def resume_writing(self):
        pass


@breaks("connections.create_connection.flow_control", keeps=["connections.create_connection.write_buffer"])
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


@breaks("connections.create_connection.extra_info_addresses", keeps=["connections.create_connection.extra_info_socket"])
class NoPeernameLoop(_TransportPatchLoop):
    """get_extra_info('peername') returns None."""

    def patch(self, t):
        orig = t.get_extra_info
        _patch(t, get_extra_info=lambda name, default=None: None if name == "peername" else orig(name, default))


@breaks("connections.create_connection.extra_info_socket", keeps=["connections.create_connection.extra_info_addresses"])
class NoSocketInfoLoop(_TransportPatchLoop):
    """get_extra_info('socket') returns None."""

    def patch(self, t):
        orig = t.get_extra_info
        _patch(t, get_extra_info=lambda name, default=None: None if name == "socket" else orig(name, default))


@breaks("connections.create_connection.write_writelines", keeps=["connections.create_connection.close"])
class WritelinesDropsLastLoop(_TransportPatchLoop):
    """writelines() forgets the last item."""

    def patch(self, t):
        _patch(t, writelines=lambda items: [t.write(x) for x in list(items)[:-1]])


@breaks("connections.create_connection.write_eof", keeps=["connections.create_connection.close"])
class NoWriteEofLoop(_TransportPatchLoop):
    """can_write_eof() is False for TCP."""

    def patch(self, t):
        _patch(t, can_write_eof=lambda: False)


@breaks("connections.create_connection.close", keeps=["connections.create_connection.abort"])
class CloseDiscardsLoop(_TransportPatchLoop):
    """close() discards buffered data (behaves like abort())."""

    def patch(self, t):
        _patch(t, close=t.abort)


@breaks("connections.create_connection.abort", keeps=["connections.create_connection.close"])
class AbortFlushesLoop(_TransportPatchLoop):
    """abort() waits for buffered data to be flushed (behaves like close())."""

    def patch(self, t):
        _patch(t, abort=t.close)


@breaks("connections.create_connection.pause_reading", keeps=["connections.create_connection.write_eof"])
class PauseReadingNoopLoop(_TransportPatchLoop):
    """pause_reading() does nothing."""

    def patch(self, t):
        _patch(t, pause_reading=lambda: None)


@breaks("connections.create_connection.write_buffer", keeps=["connections.create_connection.pause_reading"])
class BadBufferLimitsLoop(_TransportPatchLoop):
    """get_write_buffer_limits() returns (high, low) instead of (low, high)."""

    def patch(self, t):
        orig = t.get_write_buffer_limits
        _patch(t, get_write_buffer_limits=lambda: tuple(reversed(orig())))


# -- datagrams ------------------------------------------------------------------------------


class _NoSenderAddr(ProtoProxy):
    def datagram_received(self, data, addr):
        self.inner.datagram_received(data, None)


@breaks(
    "connections.create_datagram_endpoint.local_addr",
    "connections.create_datagram_endpoint.remote_addr",
    "connections.create_datagram_endpoint.sock",
    keeps=["connections.create_datagram_endpoint.allow_broadcast"],
)
class DatagramNoAddrLoop(asyncio.SelectorEventLoop):
    """datagram_received gets None instead of the sender's address."""

    async def create_datagram_endpoint(self, protocol_factory, *args, **kwargs):
        factory, holder = proxied(self, protocol_factory, _NoSenderAddr)
        transport, _ = await super().create_datagram_endpoint(factory, *args, **kwargs)
        return transport, holder["inner"]


@breaks(
    "connections.create_datagram_endpoint.sock_exclusive[local_addr]",
    "connections.create_datagram_endpoint.sock_exclusive[remote_addr]",
    keeps=["connections.create_datagram_endpoint.sock"],
)
class DatagramSockWithAddrLoop(asyncio.SelectorEventLoop):
    """create_datagram_endpoint drops local_addr/remote_addr when sock is given."""

    async def create_datagram_endpoint(
        self, protocol_factory, local_addr=None, remote_addr=None, *, sock=None, **kwargs
    ):
        if sock is not None:
            local_addr = remote_addr = None
        return await super().create_datagram_endpoint(protocol_factory, local_addr, remote_addr, sock=sock, **kwargs)


@breaks(
    "connections.create_datagram_endpoint.allow_broadcast", keeps=["connections.create_datagram_endpoint.local_addr"]
)
class DatagramNoBroadcastLoop(asyncio.SelectorEventLoop):
    """create_datagram_endpoint ignores allow_broadcast."""

    async def create_datagram_endpoint(self, *args, allow_broadcast=None, **kwargs):
        return await super().create_datagram_endpoint(*args, **kwargs)


@breaks("connections.create_datagram_endpoint.reuse_port", keeps=["connections.create_datagram_endpoint.local_addr"])
class DatagramNoReusePortLoop(asyncio.SelectorEventLoop):
    """create_datagram_endpoint ignores reuse_port."""

    async def create_datagram_endpoint(self, *args, reuse_port=None, **kwargs):
        return await super().create_datagram_endpoint(*args, **kwargs)


@breaks(
    "connections.create_datagram_endpoint.no_reuse_address", keeps=["connections.create_datagram_endpoint.local_addr"]
)
@breaks("connections.create_datagram_endpoint.reuse_address_removed", python=">=3.11")
@breaks("connections.create_datagram_endpoint.reuse_address_rejected", python="<3.11")
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


@breaks(
    "connections.create_datagram_endpoint.error_received", keeps=["connections.create_datagram_endpoint.remote_addr"]
)
class DatagramNoErrorReceivedLoop(asyncio.SelectorEventLoop):
    """Send errors never reach error_received."""

    async def create_datagram_endpoint(self, protocol_factory, *args, **kwargs):
        factory, holder = proxied(self, protocol_factory, _NoErrors)
        transport, _ = await super().create_datagram_endpoint(factory, *args, **kwargs)
        return transport, holder["inner"]


@breaks("connections.create_datagram_endpoint.unix", keeps=["connections.create_datagram_endpoint.local_addr"])
class DatagramNoUnixLoop(asyncio.SelectorEventLoop):
    """create_datagram_endpoint refuses AF_UNIX."""

    async def create_datagram_endpoint(self, *args, family=0, **kwargs):
        if family == socket.AF_UNIX:
            raise OSError("AF_UNIX datagrams not supported")
        return await super().create_datagram_endpoint(*args, family=family, **kwargs)


# -- UNIX connections -----------------------------------------------------------------------


@breaks(
    "connections.create_unix_connection.path[bytes]",
    keeps=["connections.create_unix_connection.path[str]", "connections.create_unix_connection.path[pathlib]"],
)
class UnixNoBytesPathLoop(asyncio.SelectorEventLoop):
    """create_unix_connection rejects bytes paths."""

    async def create_unix_connection(self, protocol_factory, path=None, **kwargs):
        if isinstance(path, bytes):
            raise TypeError("bytes paths are not supported")
        return await super().create_unix_connection(protocol_factory, path, **kwargs)


@breaks("connections.create_unix_connection.abstract", keeps=["connections.create_unix_connection.path[str]"])
class UnixNoAbstractLoop(asyncio.SelectorEventLoop):
    """create_unix_connection rejects abstract socket names."""

    async def create_unix_connection(self, protocol_factory, path=None, **kwargs):
        if isinstance(path, str) and path.startswith("\0"):
            raise OSError("abstract sockets are not supported")
        return await super().create_unix_connection(protocol_factory, path, **kwargs)


@breaks(
    "connections.create_unix_connection.sock",
    "connections.create_unix_connection.path_required",
    keeps=["connections.create_unix_connection.path[str]"],
)
class UnixNoSockLoop(asyncio.SelectorEventLoop):
    """create_unix_connection ignores sock= and fails without a path."""

    async def create_unix_connection(self, protocol_factory, path=None, *, sock=None, **kwargs):
        if path is None:
            raise TypeError("path is required")
        return await super().create_unix_connection(protocol_factory, path, **kwargs)


# -- more create_connection breakages ---------------------------------------------------------


@breaks("connections.create_connection.returns_pair", keeps=["connections.create_unix_connection.path_required"])
class SwappedPairLoop(asyncio.SelectorEventLoop):
    """create_connection returns (protocol, transport) instead of (transport, protocol)."""

    async def create_connection(self, *args, **kwargs):
        transport, protocol = await super().create_connection(*args, **kwargs)
        return protocol, transport


@breaks("connections.create_connection.host_port[ipv6]", keeps=["connections.create_connection.host_port[ipv4]"])
class NoIPv6Loop(asyncio.SelectorEventLoop):
    """create_connection refuses IPv6 hosts."""

    async def create_connection(self, protocol_factory, host=None, *args, **kwargs):
        if isinstance(host, str) and ":" in host:
            raise OSError("IPv6 is not supported by this loop")
        return await super().create_connection(protocol_factory, host, *args, **kwargs)


@breaks("connections.create_connection.sock", keeps=["connections.create_connection.local_addr"])
class NoTcpSockLoop(asyncio.SelectorEventLoop):
    """create_connection cannot use an existing socket."""

    async def create_connection(self, protocol_factory, host=None, port=None, *, sock=None, **kwargs):
        if sock is not None:
            raise OSError("sock= is not supported")
        return await super().create_connection(protocol_factory, host, port, **kwargs)


@breaks("connections.create_connection.refused_type", keeps=["connections.create_connection.refused"])
class RefusedAsPlainOSErrorLoop(asyncio.SelectorEventLoop):
    """A refused connection raises a plain OSError instead of ConnectionRefusedError."""

    async def create_connection(self, *args, **kwargs):
        try:
            return await super().create_connection(*args, **kwargs)
        except ConnectionRefusedError as exc:
            raise OSError(f"connect failed: {exc}") from None


@breaks("connections.create_connection.is_reading", keeps=["connections.create_connection.returns_pair"])
class AlwaysReadingLoop(_TransportPatchLoop):
    """is_reading() stays True after pause_reading()."""

    def patch(self, t):
        _patch(t, is_reading=lambda: True)


@breaks("connections.create_connection.tcp_nodelay", keeps=["connections.create_connection.returns_pair"])
class NoNodelayLoop(_TransportPatchLoop):
    """TCP transports leave Nagle's algorithm on (TCP_NODELAY cleared)."""

    def patch(self, t):
        t.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)


@breaks("connections.create_connection.happy_eyeballs", keeps=["connections.create_connection.returns_pair"])
class NoHappyEyeballsLoop(asyncio.SelectorEventLoop):
    """create_connection rejects happy_eyeballs_delay / interleave (3.8 parameters)."""

    async def create_connection(self, *args, happy_eyeballs_delay=None, interleave=None, **kwargs):
        if happy_eyeballs_delay is not None or interleave is not None:
            raise TypeError("happy_eyeballs_delay/interleave are not supported")
        return await super().create_connection(*args, **kwargs)


@breaks("connections.create_connection.all_errors", keeps=["connections.create_connection.refused"], python=">=3.12")
class IgnoreAllErrorsLoop(asyncio.SelectorEventLoop):
    """create_connection ignores all_errors=True (3.12) and raises the bare error."""

    async def create_connection(self, *args, all_errors=False, **kwargs):
        return await super().create_connection(*args, **kwargs)


class _DatagramLostTwice(ProtoProxy):
    def connection_lost(self, exc):
        self.inner.connection_lost(exc)
        self.loop.call_soon(self.inner.connection_lost, exc)


@breaks("connections.create_datagram_endpoint.close", keeps=["connections.create_datagram_endpoint.local_addr"])
class DatagramLostTwiceLoop(asyncio.SelectorEventLoop):
    """Closing a datagram transport calls connection_lost twice."""

    async def create_datagram_endpoint(self, protocol_factory, *args, **kwargs):
        factory, holder = proxied(self, protocol_factory, _DatagramLostTwice)
        transport, _ = await super().create_datagram_endpoint(factory, *args, **kwargs)
        return transport, holder["inner"]


# -- gap #16: resolution/connect without blocking, names, Happy Eyeballs, sock= ownership -------


@breaks(
    "connections.create_connection.does_not_block[resolving]",
    keeps=["connections.create_connection.does_not_block[connecting]"],
    platforms=["linux"],
)
class BlockingResolveLoop(asyncio.SelectorEventLoop):
    """getaddrinfo runs socket.getaddrinfo on the loop thread (blocks the loop while resolving)."""

    async def getaddrinfo(self, host, port, *, family=0, type=0, proto=0, flags=0):
        return socket.getaddrinfo(host, port, family, type, proto, flags)


@breaks(
    "connections.create_connection.does_not_block[connecting]",
    keeps=["connections.create_connection.does_not_block[resolving]"],
    platforms=["linux"],
)
class BlockingConnectLoop(asyncio.SelectorEventLoop):
    """sock_connect (used by create_connection) connects in blocking mode on the loop thread."""

    async def sock_connect(self, sock, address):
        sock.setblocking(True)
        try:
            sock.connect(address)
        finally:
            sock.setblocking(False)


@breaks("connections.create_connection.local_addr_resolved", keeps=["connections.create_connection.local_addr"])
class UnresolvedLocalAddrLoop(asyncio.SelectorEventLoop):
    """create_connection binds local_addr as given, without resolving its host through getaddrinfo."""

    async def create_connection(self, protocol_factory, host=None, port=None, *, local_addr=None, **kwargs):
        if local_addr is None:
            return await super().create_connection(protocol_factory, host, port, **kwargs)
        infos = await self.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, type_, proto, _, address = infos[0]
        sock = socket.socket(family, type_, proto)
        try:
            sock.setblocking(False)
            sock.bind(local_addr)
            await self.sock_connect(sock, address)
        except BaseException:
            sock.close()
            raise
        return await super().create_connection(protocol_factory, sock=sock, **kwargs)


@breaks(
    "connections.create_connection.happy_eyeballs_parallel",
    keeps=["connections.create_connection.interleave[default]"],
    python=">=3.8",
    platforms=["linux"],
)
class SequentialEyeballsLoop(asyncio.SelectorEventLoop):
    """happy_eyeballs_delay is accepted and ignored: addresses are tried one after the other."""

    async def create_connection(self, *args, happy_eyeballs_delay=None, **kwargs):
        return await super().create_connection(*args, **kwargs)


@breaks(
    "connections.create_connection.interleave[one]",
    keeps=[
        "connections.create_connection.interleave[default]",
        "connections.create_connection.interleave[delay_default]",
    ],
    python=">=3.8",
)
class IgnoreInterleaveLoop(asyncio.SelectorEventLoop):
    """An explicit interleave is ignored (the default still applies)."""

    async def create_connection(self, *args, interleave=None, **kwargs):
        return await super().create_connection(*args, **kwargs)


@breaks(
    "connections.create_connection.interleave[delay_default]",
    keeps=["connections.create_connection.interleave[one]"],
    python=">=3.8",
)
class NoDefaultInterleaveLoop(asyncio.SelectorEventLoop):
    """With happy_eyeballs_delay and no interleave, the addresses keep the getaddrinfo order (default 0)."""

    async def create_connection(self, *args, interleave=None, **kwargs):
        return await super().create_connection(*args, interleave=interleave or 0, **kwargs)


@breaks(
    "connections.create_connection.errors_combined[different]",
    keeps=["connections.create_connection.errors_combined[same]"],
    python=">=3.12",
)
class LastErrorOnlyLoop(asyncio.SelectorEventLoop):
    """A connection that fails on every address raises only the last attempt's error."""

    async def create_connection(self, *args, all_errors=False, **kwargs):
        if all_errors:
            return await super().create_connection(*args, all_errors=True, **kwargs)
        try:
            return await super().create_connection(*args, all_errors=True, **kwargs)
        except ExceptionGroup as group:  # noqa: F821
            raise group.exceptions[-1] from None


@breaks(
    "connections.create_connection.sock_closed_with_transport",
    keeps=["connections.create_connection.sock"],
    python=">=3.11",
)
class DupTcpSockLoop(asyncio.SelectorEventLoop):
    """create_connection(sock=) works on a dup() of the socket, so closing the transport leaves it open."""

    create_connection = on_dup_sock("create_connection")


@breaks(
    "connections.create_datagram_endpoint.sock_closed_with_transport",
    keeps=["connections.create_datagram_endpoint.sock"],
    python=">=3.11",
)
class DupDatagramSockLoop(asyncio.SelectorEventLoop):
    """create_datagram_endpoint(sock=) works on a dup() of the socket."""

    create_datagram_endpoint = on_dup_sock("create_datagram_endpoint")


@breaks("connections.create_datagram_endpoint.ipv6", keeps=["connections.create_datagram_endpoint.local_addr"])
class DatagramIPv4OnlyLoop(asyncio.SelectorEventLoop):
    """create_datagram_endpoint refuses IPv6 addresses and family=AF_INET6."""

    async def create_datagram_endpoint(self, protocol_factory, local_addr=None, remote_addr=None, **kwargs):
        for addr in (local_addr, remote_addr):
            if isinstance(addr, tuple) and ":" in str(addr[0]):
                raise OSError("IPv6 datagrams are not supported")
        if kwargs.get("family") == socket.AF_INET6:
            raise OSError("IPv6 datagrams are not supported")
        return await super().create_datagram_endpoint(protocol_factory, local_addr, remote_addr, **kwargs)


@breaks(
    "connections.create_datagram_endpoint.names_resolved",
    keeps=["connections.create_datagram_endpoint.local_addr", "connections.create_datagram_endpoint.remote_addr"],
)
class DatagramUnresolvedLocalLoop(asyncio.SelectorEventLoop):
    """create_datagram_endpoint binds local_addr as given (its host never goes through getaddrinfo)."""

    async def create_datagram_endpoint(self, protocol_factory, local_addr=None, remote_addr=None, **kwargs):
        if local_addr is None or remote_addr is None:
            return await super().create_datagram_endpoint(protocol_factory, local_addr, remote_addr, **kwargs)
        infos = await self.getaddrinfo(*remote_addr, type=socket.SOCK_DGRAM)
        sock = socket.socket(infos[0][0], socket.SOCK_DGRAM)
        try:
            sock.setblocking(False)
            sock.bind(local_addr)
            sock.connect(infos[0][4])
        except BaseException:
            sock.close()
            raise
        return await super().create_datagram_endpoint(protocol_factory, sock=sock)


@breaks(
    "connections.create_datagram_endpoint.family_proto_flags",
    keeps=["connections.create_datagram_endpoint.remote_addr"],
)
class DatagramDropsFlagsLoop(asyncio.SelectorEventLoop):
    """create_datagram_endpoint does not pass proto and flags to resolution."""

    async def create_datagram_endpoint(self, *args, proto=0, flags=0, **kwargs):
        return await super().create_datagram_endpoint(*args, **kwargs)
