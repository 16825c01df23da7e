"""Broken loops for 19.5.1.11 (low-level socket operations); each breaks one guarantee.

The sock_sendfile breaks live in tests/broken/sendfile.py (shared with loop.sendfile).
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


@breaks("sockets.sock_recv.cancel_leaves_socket_usable")
class StaleRecvOnCancelLoop(asyncio.SelectorEventLoop):
    """A cancelled sock_recv leaves a watcher behind that swallows the next data."""

    async def sock_recv(self, sock, n):
        try:
            return await super().sock_recv(sock, n)
        except asyncio.CancelledError:
            fd = sock.fileno()

            def stale():
                try:
                    sock.recv(n)
                except OSError:
                    pass
                self.remove_reader(fd)

            self.add_reader(fd, stale)
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


@breaks("sockets.sock_recvfrom.returns_data_and_address",
        "sockets.sock_recvfrom_into.returns_count_and_address", "sockets.sock_sendto.sends_datagram",
        python=">=3.11")
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


@breaks("sockets.sock_recv.blocking_socket_refused_in_debug",
        "sockets.sock_recv_into.blocking_socket_refused_in_debug",
        "sockets.sock_sendall.blocking_socket_refused_in_debug",
        "sockets.sock_accept.blocking_socket_refused_in_debug",
        "sockets.sock_connect.blocking_socket_refused_in_debug")
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
