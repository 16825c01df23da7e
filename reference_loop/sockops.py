"""Reference loop: 19.5.1.11 (low-level socket operations) and 19.5.1.12 (host name resolution).

Every operation first tries the non-blocking system call directly; when the socket is not ready
it registers a reader or writer with the loop (public ``add_reader``/``add_writer``) and waits on
a future.  The reader/writer is always removed when the wait ends, whether the future got a
result, an exception or was cancelled, so a cancelled ``sock_recv`` leaves nothing behind.

Only the public loop API of ``self`` is used (create_future, add_reader, remove_reader,
add_writer, remove_writer, run_in_executor, get_debug).
"""

from __future__ import annotations

import asyncio
import errno
import io
import os
import socket
import ssl as _ssl_module
import sys

_FALLBACK_CHUNK = 256 * 1024


def check_plain_socket(sock) -> None:
    """TLS-wrapped sockets cannot be driven by the loop's raw operations (TypeError)."""
    if isinstance(sock, _ssl_module.SSLSocket):
        raise TypeError("Socket cannot be of type SSLSocket")


def _inet_families():
    families = [socket.AF_INET]
    if socket.has_ipv6:
        families.append(socket.AF_INET6)
    return families


def numeric_addrinfo(host, port, family, type_, proto):
    """Resolve a numeric (host, port) without the resolver, or return None if it is not numeric.

    Used to avoid a thread round-trip for addresses that are already resolved (19.5.1.11,
    sock_connect: an already-resolved address is used as is).
    """
    if type_ not in (socket.SOCK_STREAM, socket.SOCK_DGRAM) or host is None:
        return None
    if proto == 0:
        proto = socket.IPPROTO_TCP if type_ == socket.SOCK_STREAM else socket.IPPROTO_UDP
    elif proto not in (socket.IPPROTO_TCP, socket.IPPROTO_UDP):
        return None
    if port is None:
        port = 0
    elif isinstance(port, bytes) and port.isdigit():
        port = int(port)
    elif isinstance(port, str) and port.isdigit():
        port = int(port)
    elif not isinstance(port, int) or isinstance(port, bool):
        return None
    if isinstance(host, bytes):
        try:
            host = host.decode("idna")
        except UnicodeError:
            return None
    if not isinstance(host, str) or "%" in host:
        return None
    candidates = [family] if family else _inet_families()
    for af in candidates:
        if af not in _inet_families():
            return None
        try:
            socket.inet_pton(af, host)
        except (OSError, ValueError):
            continue
        addr = (host, port) if af == socket.AF_INET else (host, port, 0, 0)
        return [(af, type_, proto, "", addr)]
    return None


class SocketOpsMixin:
    """19.5.1.11 sock_* coroutines and 19.5.1.12 getaddrinfo/getnameinfo."""

    # ------------------------------------------------------------------ 19.5.1.12
    async def getaddrinfo(self, host, port, *, family=0, type=0, proto=0, flags=0):
        """19.5.1.12 getaddrinfo: socket.getaddrinfo run in the default executor."""
        return await self.run_in_executor(None, socket.getaddrinfo, host, port, family, type, proto, flags)

    async def getnameinfo(self, sockaddr, flags=0):
        """19.5.1.12 getnameinfo: socket.getnameinfo run in the default executor."""
        return await self.run_in_executor(None, socket.getnameinfo, sockaddr, flags)

    async def _ref_resolve(self, address, *, family=0, type=0, proto=0, flags=0):
        """Resolve a (host, port, ...) address: numeric fast path, else getaddrinfo()."""
        host, port = address[:2]
        infos = numeric_addrinfo(host, port, family, type, proto)
        if infos is not None:
            if len(address) > 2 and infos[0][0] == socket.AF_INET6:
                af, t, p, c, addr = infos[0]
                infos = [(af, t, p, c, (addr[0], addr[1]) + tuple(address[2:4]))]
            return infos
        return await self.getaddrinfo(host, port, family=family, type=type, proto=proto, flags=flags)

    # ------------------------------------------------------------------ helpers
    def _ref_check_sock(self, sock) -> None:
        check_plain_socket(sock)
        # CPython rejects blocking sockets only in debug mode; otherwise it just uses them.
        if self.get_debug() and sock.gettimeout() != 0:
            raise ValueError("the socket must be non-blocking")

    async def _ref_wait_io(self, sock, attempt, *, write=False):
        """Retry ``attempt()`` each time ``sock`` becomes ready until it stops raising
        BlockingIOError/InterruptedError; return its result.  The reader/writer is removed
        in every outcome (result, exception, cancellation)."""
        fd = sock.fileno()
        fut = self.create_future()

        def ready():
            if fut.done():
                return
            try:
                result = attempt()
            except (BlockingIOError, InterruptedError):
                return
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                fut.set_exception(exc)
            else:
                fut.set_result(result)

        add, remove = (self.add_writer, self.remove_writer) if write else (self.add_reader, self.remove_reader)
        add(fd, ready)
        try:
            return await fut
        finally:
            remove(fd)

    # ------------------------------------------------------------------ 19.5.1.11
    async def sock_recv(self, sock, nbytes):
        """19.5.1.11 sock_recv: receive up to nbytes, like socket.recv()."""
        self._ref_check_sock(sock)
        try:
            return sock.recv(nbytes)
        except (BlockingIOError, InterruptedError):
            pass
        return await self._ref_wait_io(sock, lambda: sock.recv(nbytes))

    async def sock_recv_into(self, sock, buf):
        """19.5.1.11 sock_recv_into: receive into a writable buffer, return the byte count."""
        self._ref_check_sock(sock)
        try:
            return sock.recv_into(buf)
        except (BlockingIOError, InterruptedError):
            pass
        return await self._ref_wait_io(sock, lambda: sock.recv_into(buf))

    async def sock_recvfrom(self, sock, bufsize):
        """sock_recvfrom (docs 3.11): receive a datagram, return (data, address)."""
        self._ref_check_sock(sock)
        try:
            return sock.recvfrom(bufsize)
        except (BlockingIOError, InterruptedError):
            pass
        return await self._ref_wait_io(sock, lambda: sock.recvfrom(bufsize))

    async def sock_recvfrom_into(self, sock, buf, nbytes=0):
        """sock_recvfrom_into (docs 3.11): receive a datagram into buf, return (nbytes, address)."""
        self._ref_check_sock(sock)
        if not nbytes:
            nbytes = len(buf)
        try:
            return sock.recvfrom_into(buf, nbytes)
        except (BlockingIOError, InterruptedError):
            pass
        return await self._ref_wait_io(sock, lambda: sock.recvfrom_into(buf, nbytes))

    async def sock_sendto(self, sock, data, address):
        """sock_sendto (docs 3.11): send one datagram to address, return the bytes sent."""
        self._ref_check_sock(sock)
        try:
            return sock.sendto(data, address)
        except (BlockingIOError, InterruptedError):
            pass
        return await self._ref_wait_io(sock, lambda: sock.sendto(data, address), write=True)

    async def sock_sendall(self, sock, data):
        """19.5.1.11 sock_sendall: send every byte of data, then return None."""
        self._ref_check_sock(sock)
        view = memoryview(data).cast("B")
        sent = 0
        try:
            sent = sock.send(view)
        except (BlockingIOError, InterruptedError):
            pass
        while sent < len(view):

            def attempt(offset=sent):
                return sock.send(view[offset:])

            sent += await self._ref_wait_io(sock, attempt, write=True)
        return None

    async def sock_connect(self, sock, address):
        """19.5.1.11 sock_connect: connect, resolving an unresolved host name first."""
        self._ref_check_sock(sock)
        if sock.family in _inet_families():
            infos = await self._ref_resolve(address, family=sock.family, type=sock.type, proto=sock.proto)
            if not infos:
                raise OSError("getaddrinfo() returned empty list")
            address = infos[0][4]
        try:
            sock.connect(address)
            return None
        except (BlockingIOError, InterruptedError):
            pass

        def finished():
            err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err in (errno.EINPROGRESS, errno.EALREADY, errno.EAGAIN):
                raise BlockingIOError(err, os.strerror(err))
            if err != 0:
                raise OSError(err, f"Connect call failed {address}")
            return None

        return await self._ref_wait_io(sock, finished, write=True)

    async def sock_accept(self, sock):
        """19.5.1.11 sock_accept: accept a connection, return (conn, address); conn is non-blocking."""
        self._ref_check_sock(sock)

        def attempt():
            conn, addr = sock.accept()
            conn.setblocking(False)
            return conn, addr

        try:
            return attempt()
        except (BlockingIOError, InterruptedError):
            pass
        return await self._ref_wait_io(sock, attempt)

    # ------------------------------------------------------------------ sock_sendfile
    async def sock_sendfile(self, sock, file, offset=0, count=None, *, fallback=True):
        """19.5.1.11 sock_sendfile: os.sendfile when possible, else read+sock_sendall.

        Raises SendfileNotAvailableError when os.sendfile cannot be used and fallback is False.
        """
        if self.get_debug() and sock.gettimeout() != 0:
            raise ValueError("the socket must be non-blocking")
        check_plain_socket(sock)
        check_sendfile_args(file, offset, count, sock=sock)
        try:
            return await self._ref_sendfile_native(sock, file, offset, count)
        except asyncio.SendfileNotAvailableError:
            if not fallback:
                raise
        return await self._ref_sendfile_fallback(sock, file, offset, count)

    async def _ref_sendfile_native(self, sock, file, offset, count):
        if not hasattr(os, "sendfile"):
            raise asyncio.SendfileNotAvailableError("os.sendfile() is not available")
        try:
            fileno = file.fileno()
        except (AttributeError, io.UnsupportedOperation):
            raise asyncio.SendfileNotAvailableError("not a regular file") from None
        try:
            size = os.fstat(fileno).st_size
        except OSError:
            raise asyncio.SendfileNotAvailableError("not a regular file") from None
        blocksize = count if count else size
        if not blocksize:
            return 0
        fd = sock.fileno()
        total = 0
        position = offset
        try:
            while True:
                if count:
                    blocksize = count - total
                    if blocksize <= 0:
                        break
                try:
                    sent = os.sendfile(fd, fileno, position, blocksize)
                except (BlockingIOError, InterruptedError):
                    await self._ref_wait_writable(fd)
                    continue
                except OSError as exc:
                    if total == 0:
                        raise asyncio.SendfileNotAvailableError("os.sendfile call failed") from exc
                    raise
                if sent == 0:
                    break
                total += sent
                position += sent
            return total
        finally:
            if total > 0:
                os.lseek(fileno, offset + total, os.SEEK_SET)

    async def _ref_wait_writable(self, fd):
        fut = self.create_future()

        def ready():
            if not fut.done():
                fut.set_result(None)

        self.add_writer(fd, ready)
        try:
            await fut
        finally:
            self.remove_writer(fd)

    async def _ref_sendfile_fallback(self, sock, file, offset, count):
        if offset:
            file.seek(offset)
        chunk = min(count, _FALLBACK_CHUNK) if count else _FALLBACK_CHUNK
        buf = bytearray(chunk)
        total = 0
        try:
            while True:
                size = chunk
                if count:
                    size = min(count - total, chunk)
                    if size <= 0:
                        break
                view = memoryview(buf)[:size]
                read = await self.run_in_executor(None, file.readinto, view)
                if not read:
                    break
                await self.sock_sendall(sock, view[:read])
                total += read
            return total
        finally:
            if total > 0 and hasattr(file, "seek"):
                file.seek(offset + total)


def check_sendfile_args(file, offset, count, *, sock=None) -> None:
    """Argument checks shared by sock_sendfile and sendfile (19.5.1.8, 19.5.1.11)."""
    if "b" not in getattr(file, "mode", "b"):
        raise ValueError("file should be opened in binary mode")
    if sock is not None and sock.type != socket.SOCK_STREAM:
        raise ValueError("only SOCK_STREAM type sockets are supported")
    if count is not None:
        if not isinstance(count, int):
            raise TypeError(f"count must be a positive integer (got {count!r})")
        if count <= 0:
            raise ValueError(f"count must be a positive integer (got {count!r})")
    if not isinstance(offset, int):
        raise TypeError(f"offset must be a non-negative integer (got {offset!r})")
    if offset < 0:
        raise ValueError(f"offset must be a non-negative integer (got {offset!r})")


if sys.version_info < (3, 11):  # the datagram sock_* methods are documented from 3.11 on
    del SocketOpsMixin.sock_recvfrom
    del SocketOpsMixin.sock_recvfrom_into
    del SocketOpsMixin.sock_sendto
