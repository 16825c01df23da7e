"""Reference loop: 19.5.1.6-7, 19.5.1.8, 19.5.1.11-12 (connections, servers, sendfile, socket operations, resolution).

NetworkMixin uses only the public loop API of ``self`` (call_soon, call_later, create_future,
create_task, add_reader/remove_reader/add_writer/remove_writer, run_in_executor,
call_exception_handler, get_debug, time), so it works on top of any core.

TLS is delegated to ``reference_loop.tls.TLSProtocol`` (imported lazily): the raw stream
transport carries a TLSProtocol, whose ``app_transport`` is what the application sees.
"""

from __future__ import annotations

import asyncio
import collections.abc
import errno
import io
import logging
import os
import socket
import stat
import sys

from .datagram_transport import DatagramTransport
from .server import Server
from .sockops import SocketOpsMixin, check_plain_socket, check_sendfile_args
from .stream_transport import StreamTransport, ready_or_close

logger = logging.getLogger("reference_loop")

_FALLBACK_CHUNK = 16 * 1024
_HAS_UNIX = hasattr(socket, "AF_UNIX")
_UNSET = object()


def _interleave(infos, first_family_count):
    """Reorder addrinfos so that address families alternate (create_connection interleave)."""
    by_family: dict = {}
    for info in infos:
        by_family.setdefault(info[0], []).append(info)
    groups = list(by_family.values())
    ordered = []
    if first_family_count > 1 and groups:
        ordered.extend(groups[0][: first_family_count - 1])
        groups[0] = groups[0][first_family_count - 1 :]
    longest = max((len(g) for g in groups), default=0)
    for i in range(longest):
        for group in groups:
            if i < len(group):
                ordered.append(group[i])
    return ordered


def _raise_connect_errors(errors, all_errors=False):
    if all_errors:
        raise ExceptionGroup("create_connection failed", errors)  # noqa: F821 (3.11+)
    if len(errors) == 1:
        raise errors[0]
    model = str(errors[0])
    if all(str(exc) == model for exc in errors):
        raise errors[0]
    raise OSError("Multiple exceptions: {}".format(", ".join(str(exc) for exc in errors)))


def _set_reuse_port(sock):
    if not hasattr(socket, "SO_REUSEPORT"):
        raise ValueError("reuse_port not supported by socket module")
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    except OSError:
        raise ValueError("reuse_port not supported by socket module, SO_REUSEPORT defined but not implemented.")


class _FallbackDrain(asyncio.Protocol):
    """Temporarily stands in for the app protocol during a sendfile fallback (19.5.1.8).

    It learns about write back-pressure and connection loss through the public protocol
    callbacks, so the fallback works on any transport (plain or TLS).
    """

    def __init__(self, loop, transport):
        self._loop = loop
        self._transport = transport
        self._proto = transport.get_protocol()
        self._was_reading = transport.is_reading()
        self._resume_fut = None
        self._lost = None
        self._restored = False
        transport.pause_reading()
        transport.set_protocol(self)
        # The app protocol may already be paused (buffer above the high-water mark): then the
        # transport's resume_writing() would reach us, so the app is resumed in restore().
        self._app_paused = transport.get_write_buffer_size() > transport.get_write_buffer_limits()[1]
        if self._app_paused:
            self._resume_fut = loop.create_future()

    async def drain(self):
        if self._lost is not None:
            raise ConnectionError("Connection closed by peer")
        if self._transport.is_closing():
            raise ConnectionError("Connection closed by peer")
        if self._resume_fut is not None:
            await self._resume_fut

    def connection_made(self, transport):
        raise RuntimeError("Invalid state: connection should have been established already.")

    def connection_lost(self, exc):
        self._lost = exc if exc is not None else ConnectionError("Connection is closed by peer")
        if self._resume_fut is not None and not self._resume_fut.done():
            self._resume_fut.set_exception(self._lost)
        self._proto.connection_lost(exc)

    def pause_writing(self):
        if self._resume_fut is None:
            self._resume_fut = self._loop.create_future()

    def resume_writing(self):
        if self._resume_fut is not None and not self._resume_fut.done():
            self._resume_fut.set_result(False)
        self._resume_fut = None

    def data_received(self, data):
        raise RuntimeError("Invalid state: reading should be paused")

    def eof_received(self):
        raise RuntimeError("Invalid state: reading should be paused")

    async def restore(self):
        self._transport.set_protocol(self._proto)
        if self._was_reading:
            self._transport.resume_reading()
        if self._resume_fut is not None:
            self._resume_fut.cancel()
        if self._app_paused:
            self._proto.resume_writing()


class NetworkMixin(SocketOpsMixin):
    """19.5.1.6 connections, 19.5.1.7 servers, 19.5.1.8 sendfile, 19.5.1.11-12 sockets/resolution."""

    # ------------------------------------------------------------------ transports
    async def _ref_stream_pair(
        self,
        sock,
        protocol_factory,
        ssl,
        server_hostname,
        *,
        server_side=False,
        ssl_handshake_timeout=None,
        ssl_shutdown_timeout=None,
        owns_sock=False,
    ):
        """Make (transport, protocol) on a connected stream socket, plain or TLS; the synopsis of
        19.5.1.6: transport created, protocol_factory() once, connection_made, then return."""
        sock.setblocking(False)
        waiter = self.create_future()
        tls = None
        try:
            protocol = protocol_factory()
            if ssl:
                tls = self._ref_tls_protocol(
                    protocol,
                    ssl,
                    waiter,
                    server_side=server_side,
                    server_hostname=server_hostname,
                    ssl_handshake_timeout=ssl_handshake_timeout,
                    ssl_shutdown_timeout=ssl_shutdown_timeout,
                )
        except BaseException:
            if owns_sock:  # a socket we connected ourselves must not leak
                sock.close()
            raise
        if tls is not None:
            await ready_or_close(StreamTransport(self, sock, tls), waiter)
            return tls.app_transport, protocol
        transport = StreamTransport(self, sock, protocol, waiter)
        await ready_or_close(transport, waiter)
        return transport, protocol

    def _ref_tls_protocol(
        self,
        app_protocol,
        ssl,
        waiter,
        *,
        server_side,
        server_hostname,
        ssl_handshake_timeout,
        ssl_shutdown_timeout=None,
    ):
        """A TLSProtocol (reference_loop/tls.py) for the ssl option of 19.5.1.6/19.5.1.7.

        ssl=True means a default client context; TLSProtocol builds it (with hostname checking
        off when server_hostname is ''), and refuses it on the server side (ValueError).
        """
        import ssl as ssl_module

        from .tls import TLSProtocol  # lazy: tls.py is written separately

        context = ssl if isinstance(ssl, ssl_module.SSLContext) else None
        if context is None and server_side:
            raise ValueError("Server side SSL needs a valid SSLContext")
        kwargs = {}
        if ssl_shutdown_timeout is not None:
            kwargs["ssl_shutdown_timeout"] = ssl_shutdown_timeout
        return TLSProtocol(
            self,
            app_protocol,
            context,
            waiter,
            server_side=server_side,
            server_hostname=server_hostname,
            call_connection_made=True,
            ssl_handshake_timeout=ssl_handshake_timeout,
            **kwargs,
        )

    # ------------------------------------------------------------------ 19.5.1.6
    async def create_connection(
        self,
        protocol_factory,
        host=None,
        port=None,
        *,
        ssl=None,
        family=0,
        proto=0,
        flags=0,
        sock=None,
        local_addr=None,
        server_hostname=None,
        ssl_handshake_timeout=None,
        ssl_shutdown_timeout=None,
        happy_eyeballs_delay=None,
        interleave=None,
        all_errors=False,
    ):
        """19.5.1.6 create_connection: connect a TCP stream and return (transport, protocol)."""
        if server_hostname is not None and not ssl:
            raise ValueError("server_hostname is only meaningful with ssl")
        if server_hostname is None and ssl:
            if not host:
                raise ValueError("You must set server_hostname when using ssl without a host")
            server_hostname = host
        if ssl_handshake_timeout is not None and not ssl:
            raise ValueError("ssl_handshake_timeout is only meaningful with ssl")
        if ssl_shutdown_timeout is not None and not ssl:
            raise ValueError("ssl_shutdown_timeout is only meaningful with ssl")
        if sock is not None:
            check_plain_socket(sock)
        if happy_eyeballs_delay is not None and interleave is None:
            interleave = 1

        if host is not None or port is not None:
            if sock is not None:
                raise ValueError("host/port and sock can not be specified at the same time")
            infos = await self._ref_resolve(
                (host, port), family=family, type=socket.SOCK_STREAM, proto=proto, flags=flags
            )
            if not infos:
                raise OSError("getaddrinfo() returned empty list")
            local_infos = None
            if local_addr is not None:
                local_infos = await self._ref_resolve(
                    local_addr, family=family, type=socket.SOCK_STREAM, proto=proto, flags=flags
                )
                if not local_infos:
                    raise OSError("getaddrinfo() returned empty list")
            if interleave:
                infos = _interleave(infos, interleave)
            errors: list = []
            if happy_eyeballs_delay is None:
                for info in infos:
                    try:
                        sock = await self._ref_connect_one(errors, info, local_infos)
                        break
                    except OSError:
                        continue
            else:
                sock = await self._ref_staggered_connect(errors, infos, local_infos, happy_eyeballs_delay)
            if sock is None:
                try:
                    _raise_connect_errors(errors, all_errors)
                finally:
                    errors = None
            owns_sock = True
        else:
            owns_sock = False
            if sock is None:
                raise ValueError("host and port was not specified and no sock specified")
            # The spec says none of these may accompany sock; CPython silently ignores them,
            # the reference refuses them like host/port.
            if family or proto or flags or local_addr is not None:
                raise ValueError("family, proto, flags and local_addr can not be specified together with sock")
            if sock.type != socket.SOCK_STREAM:
                raise ValueError(f"A Stream Socket was expected, got {sock!r}")
        return await self._ref_stream_pair(
            sock,
            protocol_factory,
            ssl,
            server_hostname,
            ssl_handshake_timeout=ssl_handshake_timeout,
            ssl_shutdown_timeout=ssl_shutdown_timeout,
            owns_sock=owns_sock,
        )

    async def _ref_connect_one(self, errors, info, local_infos):
        """Create, optionally bind, and connect one socket for one addrinfo entry."""
        family, type_, proto, _, address = info
        sock = None
        try:
            sock = socket.socket(family=family, type=type_, proto=proto)
            sock.setblocking(False)
            if local_infos is not None:
                bind_errors = []
                for lfamily, _, _, _, laddr in local_infos:
                    if lfamily != family:
                        continue
                    try:
                        sock.bind(laddr)
                        break
                    except OSError as exc:
                        bind_errors.append(
                            OSError(
                                exc.errno,
                                f"error while attempting to bind on address {laddr!r}: {(exc.strerror or '').lower()}",
                            )
                        )
                else:
                    if bind_errors:
                        raise bind_errors[-1]
                    raise OSError(f"no matching local address with family={family!r} found")
            await self.sock_connect(sock, address)
            return sock
        except OSError as exc:
            errors.append(exc)
            if sock is not None:
                sock.close()
            raise
        except BaseException:
            if sock is not None:
                sock.close()
            raise

    async def _ref_staggered_connect(self, errors, infos, local_infos, delay):
        """Happy eyeballs: start the next attempt when the previous fails or after `delay`;
        the first connected socket wins and the other attempts are cancelled."""
        winner = None
        tasks = []
        done_event = self.create_future()

        async def attempt(info, previous_failed, my_failed):
            nonlocal winner
            if previous_failed is not None:
                try:
                    await asyncio.wait_for(asyncio.shield(previous_failed), delay)
                except asyncio.TimeoutError:
                    pass
                except asyncio.CancelledError:
                    raise
            if winner is not None:
                my_failed.set_result(None)
                return
            try:
                sock = await self._ref_connect_one(errors, info, local_infos)
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException:
                if not my_failed.done():
                    my_failed.set_result(None)
                return
            if winner is None:
                winner = sock
                if not done_event.done():
                    done_event.set_result(None)
            else:
                sock.close()

        previous = None
        for info in infos:
            failed = self.create_future()
            tasks.append(self.create_task(attempt(info, previous, failed)))
            previous = failed
        all_done = asyncio.gather(*tasks, return_exceptions=True)
        try:
            await asyncio.wait([done_event, all_done], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if not done_event.done():
                done_event.cancel()
        return winner

    async def create_unix_connection(
        self,
        protocol_factory,
        path=None,
        *,
        ssl=None,
        sock=None,
        server_hostname=None,
        ssl_handshake_timeout=None,
        ssl_shutdown_timeout=None,
    ):
        """19.5.1.6 create_unix_connection: connect an AF_UNIX stream (str, bytes, Path, abstract)."""
        if ssl:
            if server_hostname is None:
                raise ValueError("you have to pass server_hostname when using ssl")
        else:
            if server_hostname is not None:
                raise ValueError("server_hostname is only meaningful with ssl")
            if ssl_handshake_timeout is not None:
                raise ValueError("ssl_handshake_timeout is only meaningful with ssl")
            if ssl_shutdown_timeout is not None:
                raise ValueError("ssl_shutdown_timeout is only meaningful with ssl")
        if path is not None:
            if sock is not None:
                raise ValueError("path and sock can not be specified at the same time")
            path = os.fspath(path)
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM, 0)
            owns_sock = True
            try:
                sock.setblocking(False)
                await self.sock_connect(sock, path)
            except BaseException:
                sock.close()
                raise
        else:
            if sock is None:
                raise ValueError("no path and sock were specified")
            if sock.family != socket.AF_UNIX or sock.type != socket.SOCK_STREAM:
                raise ValueError(f"A UNIX Domain Stream Socket was expected, got {sock!r}")
            sock.setblocking(False)
            owns_sock = False
        return await self._ref_stream_pair(
            sock,
            protocol_factory,
            ssl,
            server_hostname,
            ssl_handshake_timeout=ssl_handshake_timeout,
            ssl_shutdown_timeout=ssl_shutdown_timeout,
            owns_sock=owns_sock,
        )

    async def connect_accepted_socket(
        self, protocol_factory, sock, *, ssl=None, ssl_handshake_timeout=None, ssl_shutdown_timeout=None
    ):
        """19.5.1.7 connect_accepted_socket: wrap an already-accepted socket as (transport, protocol)."""
        if sock.type != socket.SOCK_STREAM:
            raise ValueError(f"A Stream Socket was expected, got {sock!r}")
        if ssl_handshake_timeout is not None and not ssl:
            raise ValueError("ssl_handshake_timeout is only meaningful with ssl")
        if ssl_shutdown_timeout is not None and not ssl:
            raise ValueError("ssl_shutdown_timeout is only meaningful with ssl")
        check_plain_socket(sock)
        return await self._ref_stream_pair(
            sock,
            protocol_factory,
            ssl,
            "",
            server_side=True,
            ssl_handshake_timeout=ssl_handshake_timeout,
            ssl_shutdown_timeout=ssl_shutdown_timeout,
        )

    # ------------------------------------------------------------------ datagrams
    async def create_datagram_endpoint(
        self,
        protocol_factory,
        local_addr=None,
        remote_addr=None,
        *,
        family=0,
        proto=0,
        flags=0,
        reuse_address=_UNSET,
        reuse_port=None,
        allow_broadcast=None,
        sock=None,
    ):
        """19.5.1.6 create_datagram_endpoint: a datagram transport bound and/or connected.

        reuse_address follows the running Python: 3.10 rejects True (ValueError) and warns on
        False; from 3.11 the parameter no longer exists (TypeError).
        """
        if reuse_address is not _UNSET:
            if sys.version_info >= (3, 11):
                raise TypeError("create_datagram_endpoint() got an unexpected keyword argument 'reuse_address'")
            if reuse_address:
                raise ValueError(
                    "Passing `reuse_address=True` is no longer supported, as the "
                    "usage of SO_REUSEPORT in UDP poses a significant security concern."
                )
            import warnings

            warnings.warn(
                "The *reuse_address* parameter has been deprecated as of 3.5.10 and is scheduled for removal in 3.11.",
                DeprecationWarning,
                stacklevel=2,
            )

        r_addr = None
        if sock is not None:
            if sock.type != socket.SOCK_DGRAM:
                raise ValueError(f"A UDP Socket was expected, got {sock!r}")
            if local_addr or remote_addr or family or proto or flags or reuse_port or allow_broadcast:
                opts = dict(
                    local_addr=local_addr,
                    remote_addr=remote_addr,
                    family=family,
                    proto=proto,
                    flags=flags,
                    reuse_port=reuse_port,
                    allow_broadcast=allow_broadcast,
                )
                problems = ", ".join(f"{k}={v}" for k, v in opts.items() if v)
                raise ValueError(
                    f"socket modifier keyword arguments can not be used when sock is specified. ({problems})"
                )
            sock.setblocking(False)
            owns_sock = False
        else:
            owns_sock = True
            sock, r_addr = await self._ref_datagram_socket(
                local_addr, remote_addr, family, proto, flags, reuse_port, allow_broadcast
            )
        try:
            protocol = protocol_factory()
        except BaseException:
            if owns_sock:
                sock.close()
            raise
        waiter = self.create_future()
        transport = DatagramTransport(self, sock, protocol, r_addr, waiter)
        await ready_or_close(transport, waiter)
        return transport, protocol

    async def _ref_datagram_socket(self, local_addr, remote_addr, family, proto, flags, reuse_port, allow_broadcast):
        if not (local_addr or remote_addr):
            if family == 0:
                raise ValueError("unexpected address family")
            pairs = [((family, proto), (None, None))]
        elif _HAS_UNIX and family == socket.AF_UNIX:
            for addr in (local_addr, remote_addr):
                if addr is not None and not isinstance(addr, str):
                    raise TypeError("string is expected")
            if local_addr and local_addr[0] not in (0, "\x00"):
                _remove_stale_socket(local_addr)
            pairs = [((family, proto), (local_addr, remote_addr))]
        else:
            by_key: dict = {}
            for index, addr in ((0, local_addr), (1, remote_addr)):
                if addr is None:
                    continue
                if not (isinstance(addr, tuple) and len(addr) == 2):
                    raise TypeError("2-tuple is expected")
                infos = await self._ref_resolve(addr, family=family, type=socket.SOCK_DGRAM, proto=proto, flags=flags)
                if not infos:
                    raise OSError("getaddrinfo() returned empty list")
                for fam, _, pro, _, address in infos:
                    by_key.setdefault((fam, pro), [None, None])
                    if by_key[(fam, pro)][index] is None:
                        by_key[(fam, pro)][index] = address
            pairs = [
                (key, pair)
                for key, pair in by_key.items()
                if not ((local_addr and pair[0] is None) or (remote_addr and pair[1] is None))
            ]
            if not pairs:
                raise ValueError("can not get address information")

        errors = []
        for (fam, pro), (local_address, remote_address) in pairs:
            sock = None
            try:
                sock = socket.socket(family=fam, type=socket.SOCK_DGRAM, proto=pro)
                if reuse_port:
                    _set_reuse_port(sock)
                if allow_broadcast:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
                sock.setblocking(False)
                if local_addr:
                    sock.bind(local_address)
                r_addr = None
                if remote_addr:
                    if not allow_broadcast:
                        await self.sock_connect(sock, remote_address)
                    r_addr = remote_address
                return sock, r_addr
            except OSError as exc:
                if sock is not None:
                    sock.close()
                errors.append(exc)
            except BaseException:
                if sock is not None:
                    sock.close()
                raise
        raise errors[0]

    # ------------------------------------------------------------------ 19.5.1.7
    async def create_server(
        self,
        protocol_factory,
        host=None,
        port=None,
        *,
        family=socket.AF_UNSPEC,
        flags=socket.AI_PASSIVE,
        sock=None,
        backlog=100,
        ssl=None,
        reuse_address=None,
        reuse_port=None,
        keep_alive=None,
        ssl_handshake_timeout=None,
        ssl_shutdown_timeout=None,
        start_serving=True,
    ):
        """19.5.1.7 create_server: bind TCP listening socket(s) and return a Server."""
        if isinstance(ssl, bool):
            raise TypeError("ssl argument must be an SSLContext or None")
        if ssl_handshake_timeout is not None and ssl is None:
            raise ValueError("ssl_handshake_timeout is only meaningful with ssl")
        if ssl_shutdown_timeout is not None and ssl is None:
            raise ValueError("ssl_shutdown_timeout is only meaningful with ssl")
        if sock is not None:
            check_plain_socket(sock)

        if host is not None or port is not None:
            if sock is not None:
                raise ValueError("host/port and sock can not be specified at the same time")
            if reuse_address is None:
                reuse_address = os.name == "posix" and sys.platform != "cygwin"
            if host == "":
                hosts = [None]
            elif isinstance(host, str) or not isinstance(host, collections.abc.Iterable):
                hosts = [host]
            else:
                hosts = list(host)
            infos = []
            for one_host in hosts:
                found = await self._ref_resolve((one_host, port), family=family, type=socket.SOCK_STREAM, flags=flags)
                if not found:
                    raise OSError("getaddrinfo() returned empty list")
                for info in found:
                    if info not in infos:
                        infos.append(info)
            sockets = []
            completed = False
            try:
                for af, socktype, proto, _, sa in infos:
                    try:
                        listener = socket.socket(af, socktype, proto)
                    except OSError:
                        continue  # e.g. IPv6 address family not supported by the kernel
                    sockets.append(listener)
                    if reuse_address:
                        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, True)
                    if reuse_port:
                        _set_reuse_port(listener)
                    if keep_alive:
                        listener.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, True)
                    if af == getattr(socket, "AF_INET6", None) and hasattr(socket, "IPPROTO_IPV6"):
                        listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, True)
                    try:
                        listener.bind(sa)
                    except OSError as err:
                        msg = f"error while attempting to bind on address {sa!r}: {(err.strerror or str(err)).lower()}"
                        if err.errno == errno.EADDRNOTAVAIL:
                            msg += " (maybe the address is not available)"
                        raise OSError(err.errno, msg) from None
                completed = True
            finally:
                if not completed:
                    for listener in sockets:
                        listener.close()
        else:
            if sock is None:
                raise ValueError("Neither host/port nor sock were specified")
            if sock.type != socket.SOCK_STREAM:
                raise ValueError(f"A Stream Socket was expected, got {sock!r}")
            sockets = [sock]
        for listener in sockets:
            listener.setblocking(False)
        server = Server(
            self,
            sockets,
            protocol_factory,
            ssl,
            backlog,
            ssl_handshake_timeout,
            ssl_shutdown_timeout=ssl_shutdown_timeout,
        )
        if start_serving:
            server._start_serving()
            await asyncio.sleep(0)
        return server

    async def create_unix_server(
        self,
        protocol_factory,
        path=None,
        *,
        sock=None,
        backlog=100,
        ssl=None,
        ssl_handshake_timeout=None,
        ssl_shutdown_timeout=None,
        start_serving=True,
        cleanup_socket=True,
    ):
        """19.5.1.7 create_unix_server: an AF_UNIX stream Server (str, bytes, Path, abstract paths).

        A stale socket file at path is removed first; on 3.13+ (cleanup_socket=True) the socket
        file is removed again when the server closes, if it is still ours.
        """
        if isinstance(ssl, bool):
            raise TypeError("ssl argument must be an SSLContext or None")
        if ssl_handshake_timeout is not None and not ssl:
            raise ValueError("ssl_handshake_timeout is only meaningful with ssl")
        if ssl_shutdown_timeout is not None and not ssl:
            raise ValueError("ssl_shutdown_timeout is only meaningful with ssl")
        if path is not None:
            if sock is not None:
                raise ValueError("path and sock can not be specified at the same time")
            path = os.fspath(path)
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            if path[0] not in (0, "\x00"):
                _remove_stale_socket(path)
            try:
                sock.bind(path)
            except OSError as exc:
                sock.close()
                if exc.errno == errno.EADDRINUSE:
                    raise OSError(errno.EADDRINUSE, f"Address {path!r} is already in use") from None
                raise
            except BaseException:
                sock.close()
                raise
        else:
            if sock is None:
                raise ValueError("path was not specified, and no sock specified")
            if sock.family != socket.AF_UNIX or sock.type != socket.SOCK_STREAM:
                raise ValueError(f"A UNIX Domain Stream Socket was expected, got {sock!r}")
        unix_paths = {}
        if cleanup_socket and sys.version_info >= (3, 13):
            bound = sock.getsockname()
            if bound and (
                isinstance(bound, str) and bound[0] != "\x00" or isinstance(bound, bytes) and bound[:1] != b"\x00"
            ):
                try:
                    unix_paths[sock] = (bound, os.stat(bound).st_ino)
                except OSError:
                    pass
        sock.setblocking(False)
        server = Server(
            self,
            [sock],
            protocol_factory,
            ssl,
            backlog,
            ssl_handshake_timeout,
            ssl_shutdown_timeout=ssl_shutdown_timeout,
            unix_paths=unix_paths,
        )
        if start_serving:
            server._start_serving()
            await asyncio.sleep(0)
        return server

    def _ref_accepted(self, conn, addr, server):
        """One accepted connection: protocol_factory() once, then a transport (TLS if configured)."""
        extra = {"peername": addr}
        try:
            protocol = server._protocol_factory()
            if server._ssl_context:
                waiter = self.create_future()
                tls = self._ref_tls_protocol(
                    protocol,
                    server._ssl_context,
                    waiter,
                    server_side=True,
                    server_hostname=None,
                    ssl_handshake_timeout=server._ssl_handshake_timeout,
                    ssl_shutdown_timeout=server._ssl_shutdown_timeout,
                )
                raw = StreamTransport(self, conn, tls, extra=extra, server=server)

                def handshake_done(fut, raw=raw):
                    if fut.cancelled() or fut.exception() is not None:
                        raw.close()

                waiter.add_done_callback(handshake_done)
            else:
                StreamTransport(self, conn, protocol, extra=extra, server=server)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            conn.close()
            if self.get_debug():
                self.call_exception_handler(
                    {
                        "message": "Error on transport creation for incoming connection",
                        "exception": exc,
                    }
                )

    # ------------------------------------------------------------------ 19.5.1.8
    async def sendfile(self, transport, file, offset=0, count=None, *, fallback=True):
        """19.5.1.8 sendfile: send a file over a transport (os.sendfile if possible, else
        read+write); return the number of bytes sent and leave the file position after them.

        Raises SendfileNotAvailableError (a RuntimeError) when fallback is False and the
        transport cannot use os.sendfile (e.g. TLS).
        """
        if transport.is_closing():
            raise RuntimeError("Transport is closing")
        if not _sendfile_capable(transport):
            raise RuntimeError(f"sendfile is not supported for transport {transport!r}")
        check_sendfile_args(file, offset, count)
        if isinstance(transport, StreamTransport) and transport._loop is self:
            try:
                return await self._ref_transport_sendfile_native(transport, file, offset, count)
            except asyncio.SendfileNotAvailableError:
                if not fallback:
                    raise
        elif not fallback:
            raise asyncio.SendfileNotAvailableError(
                f"fallback is disabled and native sendfile is not supported for transport {transport!r}"
            )
        return await self._ref_transport_sendfile_fallback(transport, file, offset, count)

    async def _ref_transport_sendfile_native(self, transport, file, offset, count):
        try:
            file.fileno()
        except (AttributeError, io.UnsupportedOperation):
            raise asyncio.SendfileNotAvailableError("not a regular file") from None
        was_reading = transport.is_reading()
        transport.pause_reading()
        try:
            await transport._ref_wait_flushed()
            return await self.sock_sendfile(transport._sock, file, offset, count, fallback=False)
        finally:
            transport._ref_end_sendfile()
            if was_reading:
                transport.resume_reading()

    async def _ref_transport_sendfile_fallback(self, transport, file, offset, count):
        if offset:
            file.seek(offset)
        chunk = min(count, _FALLBACK_CHUNK) if count else _FALLBACK_CHUNK
        buf = bytearray(chunk)
        total = 0
        drain = _FallbackDrain(self, transport)
        try:
            while True:
                size = chunk
                if count:
                    size = min(count - total, chunk)
                    if size <= 0:
                        return total
                view = memoryview(buf)[:size]
                read = await self.run_in_executor(None, file.readinto, view)
                if not read:
                    return total
                await drain.drain()
                transport.write(bytes(view[:read]))
                total += read
        finally:
            if total > 0 and hasattr(file, "seek"):
                file.seek(offset + total)
            await drain.restore()


def _sendfile_capable(transport):
    """A bidirectional stream transport whose protocol can be swapped while the file goes out."""
    return (
        isinstance(transport, asyncio.Transport)
        and not isinstance(transport, asyncio.DatagramTransport)
        and all(
            callable(getattr(transport, name, None))
            for name in (
                "write",
                "set_protocol",
                "get_protocol",
                "is_reading",
                "pause_reading",
                "resume_reading",
                "get_write_buffer_size",
                "get_write_buffer_limits",
            )
        )
    )


def _remove_stale_socket(path):
    """Remove a leftover socket file at path (not a regular file), as CPython does."""
    try:
        if stat.S_ISSOCK(os.stat(path).st_mode):
            os.remove(path)
    except FileNotFoundError:
        pass
    except OSError as err:
        logger.error("Unable to check or remove stale UNIX socket %r: %r", path, err)
