"""Broken loops for 19.5.1.11 (low-level socket operations); each breaks one guarantee.

The sock_sendfile breaks shared with loop.sendfile live in tests/broken/sendfile.py; those of the
sock_sendfile-only checks (default fallback, os.sendfile, position after a mid-transfer failure) are here.
"""

import asyncio
import socket

from tests.broken import breaks


@breaks("sockets.sock_recv.returns_bytes")
class RecvReturnsBytearrayLoop(asyncio.SelectorEventLoop):
    """sock_recv returns a bytearray instead of bytes."""

    async def sock_recv(self, sock, n):
        return bytearray(await super().sock_recv(sock, n))


@breaks("sockets.sock_recv.at_most_nbytes")
class RecvIgnoresNbytesLoop(asyncio.SelectorEventLoop):
    """sock_recv reads up to 64 KiB whatever nbytes says."""

    async def sock_recv(self, sock, n):
        return await super().sock_recv(sock, max(n, 65536))


@breaks("sockets.sock_recv.waits_for_data")
class RecvDoesNotWaitLoop(asyncio.SelectorEventLoop):
    """sock_recv returns b'' at once when no data is waiting (as if at EOF)."""

    async def sock_recv(self, sock, n):
        try:
            return sock.recv(n)
        except BlockingIOError:
            return b""


@breaks("sockets.sock_recv.eof_returns_empty")
class RecvEofRaisesLoop(asyncio.SelectorEventLoop):
    """sock_recv raises ConnectionResetError at end of stream instead of returning b''."""

    async def sock_recv(self, sock, n):
        data = await super().sock_recv(sock, n)
        if not data:
            raise ConnectionResetError("end of stream")
        return data


def _leave_stale_reader(loop, sock, n):
    """What a cancelled receive leaves behind: a watcher that swallows the next ``n`` bytes."""
    fd = sock.fileno()

    def stale():
        try:
            sock.recv(n)
        except OSError:
            pass
        loop.remove_reader(fd)

    loop.add_reader(fd, stale)


@breaks("sockets.sock_recv.cancel_leaves_socket_usable")
class StaleRecvOnCancelLoop(asyncio.SelectorEventLoop):
    """A cancelled sock_recv leaves a watcher behind that swallows the next data."""

    async def sock_recv(self, sock, n):
        try:
            return await super().sock_recv(sock, n)
        except asyncio.CancelledError:
            _leave_stale_reader(self, sock, n)
            raise


@breaks("sockets.sock_recv_into.returns_count")
class RecvIntoReturnsBytesLoop(asyncio.SelectorEventLoop):
    """sock_recv_into returns the received bytes instead of their count."""

    async def sock_recv_into(self, sock, buf):
        n = await super().sock_recv_into(sock, buf)
        return bytes(buf[:n])


@breaks("sockets.sock_recv_into.writes_buffer")
class RecvIntoOffsetLoop(asyncio.SelectorEventLoop):
    """sock_recv_into writes one byte into the buffer instead of at its start."""

    async def sock_recv_into(self, sock, buf):
        return await super().sock_recv_into(sock, memoryview(buf)[1:])


@breaks("sockets.sock_sendall.returns_none")
class SendallReturnsCountLoop(asyncio.SelectorEventLoop):
    """sock_sendall returns the number of bytes sent instead of None."""

    async def sock_sendall(self, sock, data):
        await super().sock_sendall(sock, data)
        return len(data)


@breaks("sockets.sock_sendall.sends_everything")
class SendallPartialLoop(asyncio.SelectorEventLoop):
    """sock_sendall sends only the first 64 KiB and returns as if done."""

    async def sock_sendall(self, sock, data):
        await super().sock_sendall(sock, data[:65536])


@breaks("sockets.sock_connect.connects", may_skip=["*[ipv6]"])
class ConnectNoopLoop(asyncio.SelectorEventLoop):
    """sock_connect returns without connecting."""

    async def sock_connect(self, sock, address):
        return None


@breaks("sockets.sock_connect.resolves_hostname")
class ConnectNeedsResolvedLoop(asyncio.SelectorEventLoop):
    """sock_connect refuses host names (the pre-3.5.2 behaviour)."""

    async def sock_connect(self, sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                socket.inet_pton(sock.family, address[0])
            except OSError:
                raise ValueError(f"address must be resolved: {address!r}") from None
        return await super().sock_connect(sock, address)


@breaks("sockets.sock_accept.address_is_peer", may_skip=["*[ipv6]"])
class AcceptWrongAddressLoop(asyncio.SelectorEventLoop):
    """sock_accept returns the listening socket's own address instead of the peer's."""

    async def sock_accept(self, sock):
        conn, _ = await super().sock_accept(sock)
        return conn, sock.getsockname()


@breaks("sockets.sock_accept.returns_usable_pair")
class AcceptUnusableConnLoop(asyncio.SelectorEventLoop):
    """sock_accept returns a connection already shut down in both directions."""

    async def sock_accept(self, sock):
        conn, address = await super().sock_accept(sock)
        conn.shutdown(socket.SHUT_RDWR)
        return conn, address


@breaks(
    "sockets.sock_recvfrom.returns_data_and_address",
    "sockets.sock_recvfrom_into.returns_count_and_address",
    "sockets.sock_sendto.sends_datagram",
    python=">=3.11",
)
class DatagramOpsBrokenLoop(asyncio.SelectorEventLoop):
    """sock_recvfrom(_into) lose the sender address; sock_sendto returns None (3.11+ methods)."""

    async def sock_recvfrom(self, sock, bufsize):
        data, _ = await super().sock_recvfrom(sock, bufsize)
        return data, None

    async def sock_recvfrom_into(self, sock, buf, nbytes=0):
        n, _ = await super().sock_recvfrom_into(sock, buf, nbytes)
        return n, None

    async def sock_sendto(self, sock, data, address):
        await super().sock_sendto(sock, data, address)


@breaks(
    "sockets.sock_recv.blocking_socket_refused_in_debug",
    "sockets.sock_recv_into.blocking_socket_refused_in_debug",
    "sockets.sock_sendall.blocking_socket_refused_in_debug",
    "sockets.sock_accept.blocking_socket_refused_in_debug",
    "sockets.sock_connect.blocking_socket_refused_in_debug",
)
class BlockingSocketsAcceptedLoop(asyncio.SelectorEventLoop):
    """In debug mode, blocking sockets are silently switched to non-blocking instead of refused."""

    async def sock_recv(self, sock, n):
        sock.setblocking(False)
        return await super().sock_recv(sock, n)

    async def sock_recv_into(self, sock, buf):
        sock.setblocking(False)
        return await super().sock_recv_into(sock, buf)

    async def sock_sendall(self, sock, data):
        sock.setblocking(False)
        return await super().sock_sendall(sock, data)

    async def sock_accept(self, sock):
        sock.setblocking(False)
        return await super().sock_accept(sock)

    async def sock_connect(self, sock, address):
        sock.setblocking(False)
        return await super().sock_connect(sock, address)


@breaks("sockets.sock_sendall.error_raises")
class SendallSwallowsErrorsLoop(asyncio.SelectorEventLoop):
    """sock_sendall returns None when sending fails."""

    async def sock_sendall(self, sock, data):
        try:
            await super().sock_sendall(sock, data)
        except OSError:
            return None


@breaks("sockets.sock_connect.refused_raises")
class ConnectSwallowsErrorsLoop(asyncio.SelectorEventLoop):
    """sock_connect returns None when the connection is refused."""

    async def sock_connect(self, sock, address):
        try:
            return await super().sock_connect(sock, address)
        except OSError:
            return None


# -- waiting like the blocking models -----------------------------------------------------------


@breaks(
    "sockets.sock_recv_into.waits_for_data",
    "sockets.sock_recv_into.cancel_leaves_socket_usable",
    keeps=["sockets.sock_recv_into.returns_count", "sockets.sock_recv_into.writes_buffer"],
)
class RecvIntoDoesNotWaitLoop(asyncio.SelectorEventLoop):
    """sock_recv_into makes one non-blocking attempt (BlockingIOError when no data is queued)."""

    async def sock_recv_into(self, sock, buf):
        return sock.recv_into(buf)


@breaks(
    "sockets.sock_recv_into.cancel_leaves_socket_usable",
    keeps=["sockets.sock_recv_into.waits_for_data", "sockets.sock_recv_into.writes_buffer"],
)
class StaleRecvIntoOnCancelLoop(asyncio.SelectorEventLoop):
    """A cancelled sock_recv_into leaves a watcher behind that swallows the next data."""

    async def sock_recv_into(self, sock, buf):
        try:
            return await super().sock_recv_into(sock, buf)
        except asyncio.CancelledError:
            _leave_stale_reader(self, sock, len(buf))
            raise


@breaks(
    "sockets.sock_accept.waits_for_connection",
    "sockets.sock_accept.cancel_leaves_socket_usable",
    keeps=["sockets.sock_accept.returns_usable_pair", "sockets.sock_accept.address_is_peer[ipv4]"],
)
class AcceptDoesNotWaitLoop(asyncio.SelectorEventLoop):
    """sock_accept makes one non-blocking accept() (BlockingIOError when nobody has connected yet)."""

    async def sock_accept(self, sock):
        conn, address = sock.accept()
        conn.setblocking(False)
        return conn, address


@breaks(
    "sockets.sock_accept.cancel_leaves_socket_usable",
    keeps=["sockets.sock_accept.waits_for_connection", "sockets.sock_accept.returns_usable_pair"],
)
class StaleAcceptOnCancelLoop(asyncio.SelectorEventLoop):
    """A cancelled sock_accept leaves a watcher behind that accepts (and drops) the next connection."""

    async def sock_accept(self, sock):
        try:
            return await super().sock_accept(sock)
        except asyncio.CancelledError:
            fd = sock.fileno()

            def stale():
                try:
                    conn, _ = sock.accept()
                    conn.close()
                except OSError:
                    pass
                self.remove_reader(fd)

            self.add_reader(fd, stale)
            raise


@breaks(
    "sockets.sock_sendall.waits_for_room",
    keeps=[
        "sockets.sock_sendall.returns_none",
        "sockets.sock_sendall.sends_everything",
        "sockets.sock_sendall.error_raises",
    ],
)
class BlockingSendallLoop(asyncio.SelectorEventLoop):
    """sock_sendall switches the socket to blocking and sends on the loop thread (the loop stalls)."""

    async def sock_sendall(self, sock, data):
        timeout = sock.gettimeout()
        sock.setblocking(True)
        try:
            sock.sendall(data)
        finally:
            sock.settimeout(timeout)


@breaks(
    "sockets.sock_connect.resolves_without_blocking",
    keeps=["sockets.sock_connect.resolves_hostname", "sockets.sock_connect.connects[ipv4]"],
)
class ConnectResolvesInlineLoop(asyncio.SelectorEventLoop):
    """sock_connect resolves a host name with socket.getaddrinfo on the loop thread."""

    async def sock_connect(self, sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host, port = address[:2]
            info = socket.getaddrinfo(host, port, sock.family, socket.SOCK_STREAM)
            address = info[0][4]
        return await super().sock_connect(sock, address)


@breaks(
    "sockets.sock_recvfrom_into.nbytes_limits",
    python=">=3.11",
    keeps=["sockets.sock_recvfrom_into.returns_count_and_address"],
)
class RecvfromIntoIgnoresNbytesLoop(asyncio.SelectorEventLoop):
    """sock_recvfrom_into fills the whole buffer whatever nbytes says."""

    async def sock_recvfrom_into(self, sock, buf, nbytes=0):
        return await super().sock_recvfrom_into(sock, buf)


@breaks(
    "sockets.sock_recvfrom.waits_for_datagram",
    python=">=3.11",
    keeps=["sockets.sock_recvfrom.returns_data_and_address"],
)
class RecvfromDoesNotWaitLoop(asyncio.SelectorEventLoop):
    """sock_recvfrom makes one non-blocking attempt (BlockingIOError when no datagram is queued)."""

    async def sock_recvfrom(self, sock, bufsize):
        return sock.recvfrom(bufsize)


# -- coroutine methods --------------------------------------------------------------------------


@breaks(
    "sockets.sock_recv_into.is_coroutine",
    "sockets.sock_sendall.is_coroutine",
    "sockets.sock_connect.is_coroutine",
    "sockets.sock_accept.is_coroutine",
    "sockets.sock_sendfile.is_coroutine",
    keeps=[
        "sockets.sock_recv_into.returns_count",
        "sockets.sock_sendall.returns_none",
        "sockets.sock_connect.connects[ipv4]",
        "sockets.sock_accept.returns_usable_pair",
        "sockets.sock_sendfile.returns_total",
    ],
)
class TaskSockOpsLoop(asyncio.SelectorEventLoop):
    """The sock_* coroutine methods return Tasks (awaitable, but not coroutines)."""

    def sock_recv_into(self, sock, buf):
        return self.create_task(super().sock_recv_into(sock, buf))

    def sock_sendall(self, sock, data):
        return self.create_task(super().sock_sendall(sock, data))

    def sock_connect(self, sock, address):
        return self.create_task(super().sock_connect(sock, address))

    def sock_accept(self, sock):
        return self.create_task(super().sock_accept(sock))

    def sock_sendfile(self, sock, file, offset=0, count=None, *, fallback=True):
        return self.create_task(super().sock_sendfile(sock, file, offset, count, fallback=fallback))


# -- sock_sendfile-only checks ------------------------------------------------------------------


@breaks(
    "sockets.sock_sendfile.fallback_by_default",
    keeps=["sockets.sock_sendfile.fallback_when_unavailable", "sockets.sock_sendfile.returns_total"],
)
class SendfileNoFallbackByDefaultLoop(asyncio.SelectorEventLoop):
    """sock_sendfile's fallback defaults to False."""

    async def sock_sendfile(self, sock, file, offset=0, count=None, *, fallback=False):
        return await super().sock_sendfile(sock, file, offset, count, fallback=fallback)


@breaks(
    "sockets.sock_sendfile.uses_os_sendfile",
    keeps=["sockets.sock_sendfile.returns_total", "sockets.sock_sendfile.peer_receives_file[unix]"],
)
class SendfileAlwaysFallbackLoop(asyncio.SelectorEventLoop):
    """sock_sendfile never uses os.sendfile: it always reads and sends the file itself."""

    async def _sock_sendfile_native(self, sock, file, offset, count):
        raise asyncio.SendfileNotAvailableError("never uses os.sendfile")


@breaks(
    "sockets.sock_sendfile.file_position_after_midway_failure",
    "sockets.sock_sendfile.fallback_position_after_midway_failure",
    keeps=["sockets.sock_sendfile.file_position_on_return", "sockets.sock_sendfile.returns_total"],
)
class SendfileRewindsOnErrorLoop(asyncio.SelectorEventLoop):
    """When sock_sendfile fails, the file position is put back to offset (as if nothing was sent)."""

    async def sock_sendfile(self, sock, file, offset=0, count=None, *, fallback=True):
        try:
            return await super().sock_sendfile(sock, file, offset, count, fallback=fallback)
        except asyncio.SendfileNotAvailableError:
            raise
        except OSError:
            file.seek(offset)
            raise


@breaks(
    "sockets.sock_recvfrom.*",
    "sockets.sock_recvfrom_into.*",
    outcome="missing",
    # the methods are coroutine functions that raise when awaited (uvloop 0.23's shape)
    keeps=["sockets.sock_recvfrom.is_coroutine", "sockets.sock_recvfrom_into.is_coroutine"],
    python=">=3.11",
)
class NoSockRecvfromLoop(asyncio.SelectorEventLoop):
    """sock_recvfrom and sock_recvfrom_into are not implemented: every check of them is ``missing``,
    including the waiting checks, which see the call end at once (not a failure to wait)."""

    async def sock_recvfrom(self, sock, bufsize):
        raise NotImplementedError

    async def sock_recvfrom_into(self, sock, buf, nbytes=0):
        raise NotImplementedError
