"""Broken loops for 19.5.1.11 (low-level socket operations); each breaks one guarantee.

The sock_sendfile breaks live in tests/broken/sendfile.py (shared with loop.sendfile).
"""

import asyncio
import socket


class RecvReturnsBytearrayLoop(asyncio.SelectorEventLoop):
    """sock_recv returns a bytearray instead of bytes."""

    async def sock_recv(self, sock, n):
        return bytearray(await super().sock_recv(sock, n))


class RecvIgnoresNbytesLoop(asyncio.SelectorEventLoop):
    """sock_recv reads up to 64 KiB whatever nbytes says."""

    async def sock_recv(self, sock, n):
        return await super().sock_recv(sock, max(n, 65536))


class RecvDoesNotWaitLoop(asyncio.SelectorEventLoop):
    """sock_recv returns b'' at once when no data is waiting (as if at EOF)."""

    async def sock_recv(self, sock, n):
        try:
            return sock.recv(n)
        except BlockingIOError:
            return b""


class RecvEofRaisesLoop(asyncio.SelectorEventLoop):
    """sock_recv raises ConnectionResetError at end of stream instead of returning b''."""

    async def sock_recv(self, sock, n):
        data = await super().sock_recv(sock, n)
        if not data:
            raise ConnectionResetError("end of stream")
        return data


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


class RecvIntoReturnsBytesLoop(asyncio.SelectorEventLoop):
    """sock_recv_into returns the received bytes instead of their count."""

    async def sock_recv_into(self, sock, buf):
        n = await super().sock_recv_into(sock, buf)
        return bytes(buf[:n])


class RecvIntoOffsetLoop(asyncio.SelectorEventLoop):
    """sock_recv_into writes one byte into the buffer instead of at its start."""

    async def sock_recv_into(self, sock, buf):
        return await super().sock_recv_into(sock, memoryview(buf)[1:])


class SendallReturnsCountLoop(asyncio.SelectorEventLoop):
    """sock_sendall returns the number of bytes sent instead of None."""

    async def sock_sendall(self, sock, data):
        await super().sock_sendall(sock, data)
        return len(data)


class SendallPartialLoop(asyncio.SelectorEventLoop):
    """sock_sendall sends only the first 64 KiB and returns as if done."""

    async def sock_sendall(self, sock, data):
        await super().sock_sendall(sock, data[:65536])


class ConnectNoopLoop(asyncio.SelectorEventLoop):
    """sock_connect returns without connecting."""

    async def sock_connect(self, sock, address):
        return None


class ConnectNeedsResolvedLoop(asyncio.SelectorEventLoop):
    """sock_connect refuses host names (the pre-3.5.2 behaviour)."""

    async def sock_connect(self, sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                socket.inet_pton(sock.family, address[0])
            except OSError:
                raise ValueError(f"address must be resolved: {address!r}") from None
        return await super().sock_connect(sock, address)


class AcceptWrongAddressLoop(asyncio.SelectorEventLoop):
    """sock_accept returns the listening socket's own address instead of the peer's."""

    async def sock_accept(self, sock):
        conn, _ = await super().sock_accept(sock)
        return conn, sock.getsockname()


class AcceptUnusableConnLoop(asyncio.SelectorEventLoop):
    """sock_accept returns a connection already shut down in both directions."""

    async def sock_accept(self, sock):
        conn, address = await super().sock_accept(sock)
        conn.shutdown(socket.SHUT_RDWR)
        return conn, address


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


class SendallSwallowsErrorsLoop(asyncio.SelectorEventLoop):
    """sock_sendall returns None when sending fails."""

    async def sock_sendall(self, sock, data):
        try:
            await super().sock_sendall(sock, data)
        except OSError:
            return None


class ConnectSwallowsErrorsLoop(asyncio.SelectorEventLoop):
    """sock_connect returns None when the connection is refused."""

    async def sock_connect(self, sock, address):
        try:
            return await super().sock_connect(sock, address)
        except OSError:
            return None
