"""Reference loop: the datagram transport behind 19.5.1.6 create_datagram_endpoint.

Received datagrams go to protocol.datagram_received(data, addr); OSErrors from send or receive
(for instance ECONNREFUSED reported by ICMP on a connected UDP socket) go to
protocol.error_received(exc) and do not close the transport.
"""

from __future__ import annotations

import asyncio
import collections
import sys

from .stream_transport import MAX_READ, SocketTransportBase, _check_bytes, logger


class DatagramTransport(SocketTransportBase, asyncio.DatagramTransport):
    """Transport over a SOCK_DGRAM socket, optionally connected to a default remote address."""

    def __init__(self, loop, sock, protocol, address=None, waiter=None, extra=None):
        super().__init__(extra)
        self._init_base(loop, sock, protocol, extra)
        self._address = address
        self._buffer = collections.deque()
        self._buffered = 0
        self._start(waiter)

    def _buffer_size(self):
        return self._buffered

    def _has_buffer(self):
        return bool(self._buffer)

    def _clear_buffer(self):
        self._buffer.clear()
        self._buffered = 0

    def _read_ready(self):
        if self._sock is None:
            return
        try:
            data, addr = self._sock.recvfrom(MAX_READ)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._protocol.error_received(exc)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._fatal_error(exc, "Fatal read error on datagram transport")
        else:
            self._protocol.datagram_received(data, addr)

    def sendto(self, data, addr=None):
        """DatagramTransport.sendto: send one datagram (to addr, or the connected remote)."""
        _check_bytes(data)
        if not data and sys.version_info < (3, 13):
            return  # before 3.13 an empty datagram is silently dropped
        if self._address:
            if addr not in (None, self._address):
                raise ValueError(f"Invalid address: must be None or {self._address}")
            addr = self._address
        if self._conn_lost:
            if self._conn_lost >= 5:
                logger.warning("socket.send() raised exception.")
            self._conn_lost += 1
            return
        if not self._buffer:
            try:
                if self._extra.get("peername"):
                    self._sock.send(data)
                else:
                    self._sock.sendto(data, addr)
                return
            except (BlockingIOError, InterruptedError):
                self._loop.add_writer(self._sock_fd, self._sendto_ready)
            except OSError as exc:
                self._protocol.error_received(exc)
                return
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                self._fatal_error(exc, "Fatal write error on datagram transport")
                return
        self._buffer.append((bytes(data), addr))
        self._buffered += len(data)
        self._maybe_pause_protocol()

    def _sendto_ready(self):
        if self._sock is None:
            return
        while self._buffer:
            data, addr = self._buffer.popleft()
            self._buffered -= len(data)
            try:
                if self._extra.get("peername"):
                    self._sock.send(data)
                else:
                    self._sock.sendto(data, addr)
            except (BlockingIOError, InterruptedError):
                self._buffer.appendleft((data, addr))
                self._buffered += len(data)
                break
            except OSError as exc:
                self._protocol.error_received(exc)
                return
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                self._fatal_error(exc, "Fatal write error on datagram transport")
                return
        self._maybe_resume_protocol()
        if not self._buffer:
            self._loop.remove_writer(self._sock_fd)
            if self._closing:
                self._conn_lost += 1
                self._call_connection_lost(None)

    def abort(self):
        """BaseTransport.abort: close now, dropping queued datagrams."""
        self._force_close(None)
