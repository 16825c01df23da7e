"""Broken loops for 19.5.1.7 (creating listening connections) and the Server object.

Each breaks ONE guarantee. Server behaviour is changed by switching the returned server to a
small subclass of asyncio's own Server class (dunder methods are looked up on the type).
"""

import asyncio
import asyncio.base_events
import os
import socket

from tests.broken import breaks
from tests.broken._overrides import on_dup_sock
from tests.broken.connections import ProtoProxy, proxied

Server = asyncio.base_events.Server


class _ServerClassLoop(asyncio.SelectorEventLoop):
    """create_server / create_unix_server return an instance of ``server_class``."""

    server_class = Server

    def _rebrand(self, server):
        server.__class__ = self.server_class
        return server

    async def create_server(self, *args, **kwargs):
        return self._rebrand(await super().create_server(*args, **kwargs))

    async def create_unix_server(self, *args, **kwargs):
        return self._rebrand(await super().create_unix_server(*args, **kwargs))


# -- create_server --------------------------------------------------------------------------


@breaks("servers.create_server.start_serving_false", keeps=["servers.create_server.returns_server"])
class ServesAnywayLoop(asyncio.SelectorEventLoop):
    """create_server ignores start_serving=False and serves at once."""

    async def create_server(self, *args, start_serving=True, **kwargs):
        return await super().create_server(*args, **kwargs)


@breaks("servers.create_server.factory_per_connection", keeps=["servers.create_server.reuse_address_default"])
class DoubleFactoryServerLoop(asyncio.SelectorEventLoop):
    """create_server calls protocol_factory twice per accepted connection."""

    async def create_server(self, protocol_factory, *args, **kwargs):
        def factory():
            protocol_factory()
            return protocol_factory()

        return await super().create_server(factory, *args, **kwargs)


@breaks("servers.create_server.family", keeps=["servers.create_server.flags"])
class IgnoreFamilyServerLoop(asyncio.SelectorEventLoop):
    """create_server does not pass family to resolution."""

    async def create_server(self, *args, family=socket.AF_UNSPEC, **kwargs):
        return await super().create_server(*args, **kwargs)


@breaks("servers.create_server.flags", keeps=["servers.create_server.family"])
class IgnoreFlagsServerLoop(asyncio.SelectorEventLoop):
    """create_server does not pass flags to resolution."""

    async def create_server(self, *args, flags=socket.AI_PASSIVE, **kwargs):
        return await super().create_server(*args, **kwargs)


@breaks("servers.create_server.host_sequence", keeps=["servers.create_server.returns_server"])
class FirstHostOnlyLoop(asyncio.SelectorEventLoop):
    """create_server binds only the first host of a sequence."""

    async def create_server(self, protocol_factory, host=None, *args, **kwargs):
        if isinstance(host, (list, tuple)):
            host = host[0]
        return await super().create_server(protocol_factory, host, *args, **kwargs)


@breaks(
    "servers.create_server.all_interfaces[none]",
    "servers.create_server.all_interfaces[empty]",
    keeps=["servers.create_server.returns_server"],
)
class LoopbackForAllLoop(asyncio.SelectorEventLoop):
    """create_server binds 127.0.0.1 when asked for all interfaces."""

    async def create_server(self, protocol_factory, host=None, *args, **kwargs):
        if host in (None, ""):
            host = "127.0.0.1"
        return await super().create_server(protocol_factory, host, *args, **kwargs)


@breaks(
    "servers.create_server.sock_exclusive[host]",
    "servers.create_server.sock_exclusive[port]",
    keeps=["servers.create_server.sock"],
)
class SockWithHostServerLoop(asyncio.SelectorEventLoop):
    """create_server drops host/port when sock is given instead of rejecting them."""

    async def create_server(self, protocol_factory, host=None, port=None, *, sock=None, **kwargs):
        if sock is not None:
            host = port = None
        return await super().create_server(protocol_factory, host, port, sock=sock, **kwargs)


@breaks("servers.create_server.reuse_address_default", keeps=["servers.create_server.reuse_address_false"])
class NoReuseAddressServerLoop(asyncio.SelectorEventLoop):
    """create_server defaults reuse_address to False."""

    async def create_server(self, *args, reuse_address=None, **kwargs):
        return await super().create_server(*args, reuse_address=bool(reuse_address), **kwargs)


@breaks("servers.create_server.reuse_address_false", keeps=["servers.create_server.reuse_address_default"])
class AlwaysReuseAddressServerLoop(asyncio.SelectorEventLoop):
    """create_server sets SO_REUSEADDR even with reuse_address=False."""

    async def create_server(self, *args, reuse_address=None, **kwargs):
        return await super().create_server(*args, reuse_address=True, **kwargs)


@breaks("servers.create_server.reuse_port", keeps=["servers.create_server.backlog"])
class NoReusePortServerLoop(asyncio.SelectorEventLoop):
    """create_server ignores reuse_port."""

    async def create_server(self, *args, reuse_port=None, **kwargs):
        return await super().create_server(*args, **kwargs)


class _NoEofServer(ProtoProxy):
    def eof_received(self):
        return None


@breaks("servers.create_server.callback_order", keeps=["servers.create_server.many_clients"])
class NoEofServerLoop(asyncio.SelectorEventLoop):
    """Accepted connections never call eof_received."""

    async def create_server(self, protocol_factory, *args, **kwargs):
        def factory():
            return _NoEofServer(self, protocol_factory())

        return await super().create_server(factory, *args, **kwargs)


@breaks("servers.create_server.many_clients", keeps=["servers.create_server.factory_per_connection"])
class SerialServerLoop(asyncio.SelectorEventLoop):
    """create_server serves at most 10 connections; later clients are never served."""

    async def create_server(self, protocol_factory, *args, **kwargs):
        count = [0]

        def factory():
            count[0] += 1
            if count[0] > 10:
                return asyncio.Protocol()  # the caller's protocol never sees the connection
            return protocol_factory()

        return await super().create_server(factory, *args, **kwargs)


@breaks(
    "servers.create_unix_server.path[bytes]",
    keeps=["servers.create_unix_server.path[str]", "servers.create_unix_server.path[pathlib]"],
)
class UnixServerNoBytesLoop(asyncio.SelectorEventLoop):
    """create_unix_server rejects bytes paths."""

    async def create_unix_server(self, protocol_factory, path=None, **kwargs):
        if isinstance(path, bytes):
            raise TypeError("bytes paths are not supported")
        return await super().create_unix_server(protocol_factory, path, **kwargs)


@breaks("servers.create_unix_server.abstract", keeps=["servers.create_unix_server.sock"])
class UnixServerNoAbstractLoop(asyncio.SelectorEventLoop):
    """create_unix_server rejects abstract socket names."""

    async def create_unix_server(self, protocol_factory, path=None, **kwargs):
        if isinstance(path, str) and path.startswith("\0"):
            raise OSError("abstract sockets are not supported")
        return await super().create_unix_server(protocol_factory, path, **kwargs)


@breaks("servers.create_unix_server.path_required", keeps=["servers.create_unix_server.sock"])
class UnixServerPathRequiredTypeLoop(asyncio.SelectorEventLoop):
    """create_unix_server without path or sock raises TypeError instead of ValueError."""

    async def create_unix_server(self, protocol_factory, path=None, *, sock=None, **kwargs):
        if path is None and sock is None:
            raise TypeError("path is required")
        return await super().create_unix_server(protocol_factory, path, sock=sock, **kwargs)


@breaks(
    "servers.connect_accepted_socket.pair",
    "servers.connect_accepted_socket.unix",
    keeps=["servers.create_server.returns_server"],
)
class AcceptedSocketNoMadeLoop(asyncio.SelectorEventLoop):
    """connect_accepted_socket never calls connection_made on the caller's protocol."""

    async def connect_accepted_socket(self, protocol_factory, sock, **kwargs):
        class NoMade(ProtoProxy):
            def connection_made(self, transport):
                self.transport = transport

        factory, holder = proxied(self, protocol_factory, NoMade)
        transport, _ = await super().connect_accepted_socket(factory, sock, **kwargs)
        return transport, holder["inner"]


# -- Server objects -------------------------------------------------------------------------


class _KeepListening(Server):
    def close(self):
        # a second descriptor keeps the listening socket open in the kernel
        kept = getattr(self._loop, "_kept", [])
        kept.extend(s.dup() for s in (self._sockets or ()))
        self._loop._kept = kept
        super().close()


@breaks("server.close.stops_listening", keeps=["server.close.keeps_connections"])
class CloseKeepsListeningLoop(_ServerClassLoop):
    """Server.close() leaves the port listening."""

    server_class = _KeepListening

    def close(self):
        for s in getattr(self, "_kept", ()):
            s.close()
        super().close()


class _CloseAll(Server):
    def close(self):
        super().close()
        for transport in list(getattr(self, "_lc_transports", ())):
            transport.close()


@breaks("server.close.keeps_connections", keeps=["server.close.stops_listening"])
class CloseClosesConnectionsLoop(asyncio.SelectorEventLoop):
    """Server.close() also closes the existing client connections."""

    async def create_server(self, protocol_factory, *args, **kwargs):
        transports = []

        class Track(ProtoProxy):
            def connection_made(self, transport):
                transports.append(transport)
                super().connection_made(transport)

        server = await super().create_server(lambda: Track(self, protocol_factory()), *args, **kwargs)
        server.__class__ = _CloseAll
        server._lc_transports = transports
        return server


class _StaleSockets(Server):
    @property
    def sockets(self):
        if self._sockets is None:
            return tuple(getattr(self, "_lc_old", ()))
        self._lc_old = tuple(self._sockets)
        return self._lc_old


@breaks("server.close.sockets_cleared", keeps=["server.sockets.listening"])
class StaleSocketsLoop(_ServerClassLoop):
    """Server.sockets still lists the closed sockets after close()."""

    server_class = _StaleSockets


class _ImmediateWaitClosed(Server):
    async def wait_closed(self):
        return None


@breaks("server.wait_closed.until_closed", keeps=["server.close.stops_listening"])
@breaks("server.wait_closed.active_connections", python=">=3.12.1")
class WaitClosedImmediateLoop(_ServerClassLoop):
    """Server.wait_closed() returns at once, even while the server is open."""

    server_class = _ImmediateWaitClosed


class _AlwaysServing(Server):
    def is_serving(self):
        return True


@breaks("server.is_serving.state", keeps=["server.get_loop.loop"])
class AlwaysServingLoop(_ServerClassLoop):
    """Server.is_serving() is always True."""

    server_class = _AlwaysServing


class _NoLoop(Server):
    def get_loop(self):
        return None


@breaks("server.get_loop.loop", keeps=["server.is_serving.state"])
class GetLoopNoneLoop(_ServerClassLoop):
    """Server.get_loop() returns None."""

    server_class = _NoLoop


class _StartOnce(Server):
    async def start_serving(self):
        if getattr(self, "_lc_started", False):
            raise RuntimeError("already serving")
        self._lc_started = True
        await super().start_serving()


@breaks("server.start_serving.idempotent", keeps=["servers.create_server.start_serving_false"])
class StartServingOnceLoop(_ServerClassLoop):
    """Server.start_serving() fails when awaited a second time."""

    server_class = _StartOnce


class _ForeverNoClose(Server):
    async def serve_forever(self):
        await self.start_serving()
        await self._loop.create_future()


@breaks("server.serve_forever.cancel_closes", keeps=["server.start_serving.idempotent"])
class ServeForeverNoCloseLoop(_ServerClassLoop):
    """Cancelling serve_forever() leaves the server open."""

    server_class = _ForeverNoClose


class _ManyForever(Server):
    async def serve_forever(self):
        await self.start_serving()
        try:
            await self._loop.create_future()
        except asyncio.CancelledError:
            self.close()
            raise


@breaks("server.serve_forever.only_one", keeps=["server.serve_forever.cancel_closes"])
class ServeForeverTwiceLoop(_ServerClassLoop):
    """Several serve_forever() calls may run at once."""

    server_class = _ManyForever


class _NoCloseOnExit(Server):
    async def __aexit__(self, *exc):
        return None


@breaks("server.async_with.closes", keeps=["server.close.stops_listening"])
class AsyncWithNoCloseLoop(_ServerClassLoop):
    """Leaving 'async with server' does not close the server."""

    server_class = _NoCloseOnExit


class _CloseClientsNoop(Server):
    def close_clients(self):
        pass


@breaks("server.close_clients.closes", keeps=["server.abort_clients.aborts"], python=">=3.13")
class CloseClientsNoopLoop(_ServerClassLoop):
    """Server.close_clients() (3.13) does nothing."""

    server_class = _CloseClientsNoop


class _AbortIsClose(Server):
    def abort_clients(self):
        self.close_clients()


@breaks("server.abort_clients.aborts", keeps=["server.close_clients.closes"], python=">=3.13")
class AbortClientsClosesLoop(_ServerClassLoop):
    """Server.abort_clients() (3.13) closes gracefully instead of aborting."""

    server_class = _AbortIsClose


@breaks("servers.create_unix_server.cleanup_socket", keeps=["servers.create_unix_server.sock"], python=">=3.13")
class UnixServerNoCleanupLoop(asyncio.SelectorEventLoop):
    """create_unix_server leaves the socket file behind after close (3.13 cleanup_socket)."""

    async def create_unix_server(self, *args, **kwargs):
        kwargs["cleanup_socket"] = False
        return await super().create_unix_server(*args, **kwargs)


class _NotAServer:
    """Delegates to a real server but is not an asyncio.AbstractServer."""

    def __init__(self, server):
        self._server = server

    def __getattr__(self, name):
        return getattr(self._server, name)


@breaks("servers.create_server.returns_server", keeps=["servers.create_server.backlog"])
class NotAbstractServerLoop(asyncio.SelectorEventLoop):
    """create_server returns an object that is not an asyncio.AbstractServer."""

    async def create_server(self, *args, **kwargs):
        return _NotAServer(await super().create_server(*args, **kwargs))


@breaks("servers.create_server.sock", keeps=["servers.create_server.returns_server"])
class ServerSockIgnoredLoop(asyncio.SelectorEventLoop):
    """create_server(sock=...) listens on a new socket instead of the given one."""

    async def create_server(self, protocol_factory, host=None, port=None, *, sock=None, **kwargs):
        if sock is not None:
            sock.close()
            return await super().create_server(protocol_factory, "127.0.0.1", 0, **kwargs)
        return await super().create_server(protocol_factory, host, port, **kwargs)


@breaks("servers.create_server.backlog", keeps=["servers.create_server.returns_server"])
class BacklogRejectedLoop(asyncio.SelectorEventLoop):
    """create_server does not accept the backlog argument."""

    async def create_server(self, *args, backlog=None, **kwargs):
        if backlog is not None:
            raise TypeError("backlog is not supported")
        return await super().create_server(*args, **kwargs)


@breaks("servers.create_unix_server.sock", keeps=["servers.create_unix_server.path[str]"])
class UnixServerNoSockLoop(asyncio.SelectorEventLoop):
    """create_unix_server cannot use an existing socket."""

    async def create_unix_server(self, protocol_factory, path=None, *, sock=None, **kwargs):
        if sock is not None:
            raise OSError("sock= is not supported")
        return await super().create_unix_server(protocol_factory, path, **kwargs)


class _NoSocketsServer(Server):
    @property
    def sockets(self):
        return ()


@breaks("server.sockets.listening", keeps=["servers.create_unix_server.path_required"])
class NoSocketsLoop(_ServerClassLoop):
    """Server.sockets is empty even while serving."""

    server_class = _NoSocketsServer


@breaks("servers.create_server.tcp_nodelay", keeps=["servers.create_server.returns_server"])
class ServerNoNodelayLoop(asyncio.SelectorEventLoop):
    """Accepted TCP connections leave Nagle's algorithm on (TCP_NODELAY cleared)."""

    async def create_server(self, protocol_factory, *args, **kwargs):
        class Clear(ProtoProxy):
            def connection_made(self, transport):
                transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
                super().connection_made(transport)

        return await super().create_server(lambda: Clear(self, protocol_factory()), *args, **kwargs)


@breaks("servers.create_server.keep_alive", keeps=["servers.create_server.returns_server"], python=">=3.13")
class IgnoreKeepAliveLoop(asyncio.SelectorEventLoop):
    """create_server ignores keep_alive (3.13)."""

    async def create_server(self, *args, keep_alive=None, **kwargs):
        return await super().create_server(*args, **kwargs)


class _SharedSocketsList(Server):
    @property
    def sockets(self):
        return self._sockets if self._sockets is not None else ()


@breaks("server.sockets.copy", keeps=["servers.create_server.returns_server"])
class SocketsNotCopiedLoop(_ServerClassLoop):
    """Server.sockets returns the internal list itself."""

    server_class = _SharedSocketsList


# -- issue #16 gaps: backlog, start_serving for UNIX, sock ownership, cleanup_socket, port None --


@breaks(
    "servers.create_server.backlog_listen[given]",
    "servers.create_unix_server.backlog[given]",
    keeps=["servers.create_server.backlog_listen[default]", "servers.create_unix_server.backlog[default]"],
    platforms=["linux"],
)
class IgnoreBacklogLoop(asyncio.SelectorEventLoop):
    """create_server / create_unix_server drop backlog and always listen(100)."""

    async def create_server(self, *args, backlog=100, **kwargs):
        return await super().create_server(*args, **kwargs)

    async def create_unix_server(self, *args, backlog=100, **kwargs):
        return await super().create_unix_server(*args, **kwargs)


@breaks(
    "servers.create_server.backlog_listen[default]",
    "servers.create_unix_server.backlog[default]",
    keeps=["servers.create_server.backlog_listen[given]", "servers.create_unix_server.backlog[given]"],
    platforms=["linux"],
)
class SmallDefaultBacklogLoop(asyncio.SelectorEventLoop):
    """The default backlog is 5 instead of 100."""

    async def create_server(self, *args, backlog=5, **kwargs):
        return await super().create_server(*args, backlog=backlog, **kwargs)

    async def create_unix_server(self, *args, backlog=5, **kwargs):
        return await super().create_unix_server(*args, backlog=backlog, **kwargs)


@breaks("servers.create_unix_server.start_serving_false", keeps=["servers.create_server.start_serving_false"])
class UnixServesAnywayLoop(asyncio.SelectorEventLoop):
    """create_unix_server ignores start_serving=False and serves at once."""

    async def create_unix_server(self, *args, start_serving=True, **kwargs):
        return await super().create_unix_server(*args, **kwargs)


class _ForeverWithoutServing(Server):
    async def serve_forever(self):
        await self._loop.create_future()  # waits, but never starts accepting


@breaks(
    "servers.create_unix_server.start_serving_false_serve_forever",
    keeps=["servers.create_unix_server.start_serving_false"],
)
class UnixServeForeverIdleLoop(_ServerClassLoop):
    """The UNIX server's serve_forever() never starts accepting."""

    async def create_unix_server(self, *args, **kwargs):
        server = await super().create_unix_server(*args, **kwargs)
        server.__class__ = _ForeverWithoutServing
        return server


@breaks(
    "servers.create_server.sock_closed_by_close[tcp]",
    "servers.create_server.sock_closed_by_close[unix]",
    keeps=["servers.create_server.sock", "servers.create_unix_server.sock"],
    python=">=3.11",
)
class ServerSockDupLoop(asyncio.SelectorEventLoop):
    """create_server / create_unix_server serve on a dup() of the socket passed with sock=, so
    closing the server leaves the caller's socket open."""

    create_server = on_dup_sock("create_server")
    create_unix_server = on_dup_sock("create_unix_server")


@breaks(
    "servers.connect_accepted_socket.sock_closed_by_close",
    keeps=["servers.connect_accepted_socket.pair"],
    python=">=3.11",
)
class AcceptedSocketDupLoop(asyncio.SelectorEventLoop):
    """connect_accepted_socket wraps a dup() of the socket, leaving the caller's socket open."""

    async def connect_accepted_socket(self, protocol_factory, sock, **kwargs):
        return await super().connect_accepted_socket(protocol_factory, sock.dup(), **kwargs)


class _AlwaysUnlink(Server):
    def close(self):
        for sock in self._sockets or ():
            path = sock.getsockname()
            if isinstance(path, str) and path and not path.startswith("\0"):
                try:
                    os.unlink(path)
                except OSError:
                    pass
        super().close()


@breaks(
    "servers.create_unix_server.cleanup_socket_false",
    "servers.create_unix_server.cleanup_socket_replaced",
    keeps=["servers.create_unix_server.cleanup_socket"],
    python=">=3.13",
)
class UnixServerAlwaysUnlinkLoop(_ServerClassLoop):
    """Closing a UNIX server always unlinks the path, whatever cleanup_socket says or owns it now."""

    async def create_unix_server(self, *args, **kwargs):
        server = await super().create_unix_server(*args, **kwargs)
        server.__class__ = _AlwaysUnlink
        return server


@breaks("servers.create_server.port_none", keeps=["servers.create_server.returns_server"])
class PortNoneRejectedLoop(asyncio.SelectorEventLoop):
    """create_server refuses port=None when a host is given."""

    async def create_server(self, protocol_factory, host=None, port=None, **kwargs):
        if host is not None and port is None and kwargs.get("sock") is None:
            raise TypeError("port must be an integer")
        return await super().create_server(protocol_factory, host, port, **kwargs)


@breaks(
    "servers.create_server.is_coroutine",
    "servers.create_unix_server.is_coroutine",
    "servers.connect_accepted_socket.is_coroutine",
    "sendfile.sendfile.is_coroutine",
    "tls.start_tls.is_coroutine",
    keeps=[
        "servers.create_server.returns_server",
        "servers.connect_accepted_socket.pair",
        "sendfile.sendfile.returns_total",
        "tls.start_tls.returns_new_transport",
    ],
)
class TaskNotCoroutineLoop(asyncio.SelectorEventLoop):
    """create_server, create_unix_server, connect_accepted_socket, sendfile and start_tls return a
    Task (awaitable, already scheduled) instead of a coroutine object."""

    def create_server(self, *args, **kwargs):
        return asyncio.ensure_future(super().create_server(*args, **kwargs), loop=self)

    def create_unix_server(self, *args, **kwargs):
        return asyncio.ensure_future(super().create_unix_server(*args, **kwargs), loop=self)

    def connect_accepted_socket(self, *args, **kwargs):
        return asyncio.ensure_future(super().connect_accepted_socket(*args, **kwargs), loop=self)

    def sendfile(self, *args, **kwargs):
        return asyncio.ensure_future(super().sendfile(*args, **kwargs), loop=self)

    def start_tls(self, *args, **kwargs):
        return asyncio.ensure_future(super().start_tls(*args, **kwargs), loop=self)
