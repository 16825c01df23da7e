"""Reference loop: the stream transport behind 19.5.1.6/19.5.1.7 (TCP and UNIX stream sockets).

Protocol callbacks happen in this order: connection_made, data_received (or get_buffer +
buffer_updated for a BufferedProtocol) any number of times, eof_received at most once,
connection_lost exactly once.  Writes that cannot go out immediately are buffered; above the
high-water mark the protocol gets pause_writing(), below the low-water mark resume_writing().

Only the public loop API is used: call_soon, add_reader/remove_reader, add_writer/remove_writer,
create_future, call_exception_handler, get_debug.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import socket
import warnings

logger = logging.getLogger("reference_loop")

DEFAULT_HIGH_WATER = 64 * 1024
MAX_READ = 256 * 1024


class FlowControlMixin:
    """Write-buffer limits and pause_writing()/resume_writing() calls on the protocol."""

    def _init_flow_control(self):
        self._protocol_paused = False
        self._set_limits(None, None)

    def _buffer_size(self) -> int:
        raise NotImplementedError

    def _set_limits(self, high, low):
        if high is None:
            high = DEFAULT_HIGH_WATER if low is None else 4 * low
        if low is None:
            low = high // 4
        if not high >= low >= 0:
            raise ValueError(f"high ({high!r}) must be >= low ({low!r}) must be >= 0")
        self._high_water = high
        self._low_water = low

    def set_write_buffer_limits(self, high=None, low=None):
        """Transport.set_write_buffer_limits: high/low water marks for write flow control."""
        self._set_limits(high, low)
        self._maybe_pause_protocol()

    def get_write_buffer_limits(self):
        """Transport.get_write_buffer_limits: the (low, high) water marks."""
        return (self._low_water, self._high_water)

    def get_write_buffer_size(self):
        """Transport.get_write_buffer_size: bytes waiting in the write buffer."""
        return self._buffer_size()

    def _flow_error(self, what, exc):
        self._loop.call_exception_handler(
            {
                "message": f"protocol.{what}() failed",
                "exception": exc,
                "transport": self,
                "protocol": self._protocol,
            }
        )

    def _maybe_pause_protocol(self):
        if self._buffer_size() <= self._high_water or self._protocol_paused:
            return
        self._protocol_paused = True
        try:
            self._protocol.pause_writing()
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._flow_error("pause_writing", exc)

    def _maybe_resume_protocol(self):
        if self._protocol_paused and self._buffer_size() <= self._low_water:
            self._protocol_paused = False
            try:
                self._protocol.resume_writing()
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                self._flow_error("resume_writing", exc)


class SocketTransportBase(FlowControlMixin):
    """State shared by stream and datagram socket transports: closing and connection_lost."""

    def _init_base(self, loop, sock, protocol, extra, server=None):
        self._loop = loop
        self._sock = sock
        self._sock_fd = sock.fileno()
        self._protocol = protocol
        self._protocol_connected = True
        self._server = server
        self._closing = False
        self._paused = False
        self._conn_lost = 0
        self._extra = {"socket": sock}
        try:
            self._extra["sockname"] = sock.getsockname()
        except OSError:
            self._extra["sockname"] = None
        if "peername" not in (extra or {}):
            try:
                self._extra["peername"] = sock.getpeername()
            except OSError:
                self._extra["peername"] = None
        self._extra.update(extra or {})
        self._init_flow_control()
        if server is not None:
            server._attach(self)

    def __repr__(self):
        state = "closed" if self._sock is None else ("closing" if self._closing else "open")
        return f"<{type(self).__name__} fd={self._sock_fd} {state}>"

    def __del__(self, _warn=warnings.warn):
        # A transport dropped without close(): warn like CPython and release the socket.
        sock = getattr(self, "_sock", None)
        if sock is not None:
            _warn(f"unclosed transport {self!r}", ResourceWarning, source=self)
            sock.close()

    def get_extra_info(self, name, default=None):
        """BaseTransport.get_extra_info: socket, sockname, peername; default otherwise."""
        return self._extra.get(name, default)

    def is_closing(self):
        """BaseTransport.is_closing: True once close() or abort() was called."""
        return self._closing

    def set_protocol(self, protocol):
        """BaseTransport.set_protocol: switch the protocol receiving the callbacks."""
        self._protocol = protocol
        self._protocol_connected = True

    def get_protocol(self):
        """BaseTransport.get_protocol: the current protocol."""
        return self._protocol

    def is_reading(self):
        """ReadTransport.is_reading: True unless paused or closing."""
        return not self._paused and not self._closing

    def pause_reading(self):
        """ReadTransport.pause_reading: stop data_received calls until resume_reading()."""
        if self._closing or self._paused:
            return
        self._paused = True
        self._loop.remove_reader(self._sock_fd)

    def resume_reading(self):
        """ReadTransport.resume_reading: resume data_received calls."""
        if self._closing or not self._paused:
            return
        self._paused = False
        self._loop.add_reader(self._sock_fd, self._read_ready)

    def _start(self, waiter):
        self._loop.call_soon(self._protocol.connection_made, self)
        self._loop.call_soon(self._start_reading)
        if waiter is not None:
            self._loop.call_soon(_resolve_waiter, waiter)

    def _start_reading(self):
        if not self._closing and not self._paused:
            self._loop.add_reader(self._sock_fd, self._read_ready)

    def abort(self):
        """BaseTransport.abort: close now, dropping buffered data; connection_lost(None) soon."""
        self._force_close(None)

    def _fatal_error(self, exc, message):
        if not isinstance(exc, OSError):
            self._loop.call_exception_handler(
                {
                    "message": message,
                    "exception": exc,
                    "transport": self,
                    "protocol": self._protocol,
                }
            )
        elif self._loop.get_debug():
            logger.debug("%r: %s", self, message, exc_info=True)
        self._force_close(exc)

    def _force_close(self, exc):
        if self._conn_lost:
            return
        if self._has_buffer():
            self._clear_buffer()
            self._loop.remove_writer(self._sock_fd)
        if not self._closing:
            self._closing = True
            self._loop.remove_reader(self._sock_fd)
        self._conn_lost += 1
        self._loop.call_soon(self._call_connection_lost, exc)

    def _call_connection_lost(self, exc):
        try:
            if self._protocol_connected:
                self._protocol.connection_lost(exc)
        finally:
            # Reader and writer were already removed by close()/abort()/the last flush.
            self._sock.close()
            self._sock = None
            self._protocol = None
            server, self._server = self._server, None
            if server is not None:
                server._detach(self)

    def close(self):
        """BaseTransport.close: flush buffered data, then connection_lost(None)."""
        if self._closing:
            return
        self._closing = True
        self._loop.remove_reader(self._sock_fd)
        if not self._has_buffer():
            self._conn_lost += 1
            self._loop.remove_writer(self._sock_fd)
            self._loop.call_soon(self._call_connection_lost, None)


async def ready_or_close(transport, waiter):
    """Wait for ``waiter`` (the transport's set-up: connection_made, a TLS handshake); if that
    fails or is cancelled, close the transport and re-raise, so no half-made transport leaks."""
    try:
        await waiter
    except BaseException:
        transport.close()
        raise


def _resolve_waiter(waiter):
    if not waiter.done():
        waiter.set_result(None)


def _check_bytes(data):
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data argument must be a bytes-like object, not {type(data).__name__!r}")


class StreamTransport(SocketTransportBase, asyncio.Transport):
    """Transport over a connected SOCK_STREAM socket (TCP or UNIX)."""

    def __init__(self, loop, sock, protocol, waiter=None, extra=None, server=None):
        super().__init__(extra)
        self._init_base(loop, sock, protocol, extra, server)
        self._buffer = collections.deque()
        self._buffered = 0
        self._eof = False
        self._empty_waiter = None
        self._buffered_protocol = isinstance(protocol, asyncio.BufferedProtocol)
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        self._start(waiter)

    # -- buffer bookkeeping
    def _buffer_size(self):
        return self._buffered

    def _has_buffer(self):
        return bool(self._buffer)

    def _clear_buffer(self):
        self._buffer.clear()
        self._buffered = 0

    def set_protocol(self, protocol):
        """BaseTransport.set_protocol: switch the protocol (plain or buffered)."""
        self._buffered_protocol = isinstance(protocol, asyncio.BufferedProtocol)
        super().set_protocol(protocol)

    # -- reading
    def _read_ready(self):
        if self._sock is None:
            return
        if self._buffered_protocol:
            self._read_ready_buffered()
        else:
            self._read_ready_plain()

    def _read_ready_plain(self):
        try:
            data = self._sock.recv(MAX_READ)
        except (BlockingIOError, InterruptedError):
            return
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._fatal_error(exc, "Fatal read error on socket transport")
            return
        if not data:
            self._read_eof()
            return
        try:
            self._protocol.data_received(data)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._fatal_error(exc, "Fatal error: protocol.data_received() call failed.")

    def _read_ready_buffered(self):
        try:
            buf = self._protocol.get_buffer(-1)
            if not len(buf):
                raise RuntimeError("get_buffer() returned an empty buffer")
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._fatal_error(exc, "Fatal error: protocol.get_buffer() call failed.")
            return
        try:
            nbytes = self._sock.recv_into(buf)
        except (BlockingIOError, InterruptedError):
            return
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._fatal_error(exc, "Fatal read error on socket transport")
            return
        if not nbytes:
            self._read_eof()
            return
        try:
            self._protocol.buffer_updated(nbytes)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._fatal_error(exc, "Fatal error: protocol.buffer_updated() call failed.")

    def _read_eof(self):
        try:
            keep_open = self._protocol.eof_received()
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._fatal_error(exc, "Fatal error: protocol.eof_received() call failed.")
            return
        if keep_open:
            # Half-open: stop reading (nothing more will come) but keep writing possible.
            self._loop.remove_reader(self._sock_fd)
        else:
            self.close()

    # -- writing
    def write(self, data):
        """WriteTransport.write: send now if possible, else buffer (never blocks)."""
        _check_bytes(data)
        if self._eof:
            raise RuntimeError("Cannot call write() after write_eof()")
        if self._empty_waiter is not None:
            raise RuntimeError("unable to write; sendfile is in progress")
        if not data:
            return
        if self._conn_lost:
            if self._conn_lost >= 5:
                logger.warning("socket.send() raised exception.")
            self._conn_lost += 1
            return
        if not self._buffer:
            try:
                sent = self._sock.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                self._fatal_error(exc, "Fatal write error on socket transport")
                return
            data = memoryview(data)[sent:]
            if not data:
                return
            self._loop.add_writer(self._sock_fd, self._write_ready)
        self._buffer.append(bytes(data))
        self._buffered += len(data)
        self._maybe_pause_protocol()

    def writelines(self, list_of_data):
        """WriteTransport.writelines: write each item of an iterable of bytes-like objects."""
        self.write(b"".join(list_of_data))

    def _write_ready(self):
        if self._conn_lost or self._sock is None:
            return
        while self._buffer:
            chunk = self._buffer[0]
            try:
                sent = self._sock.send(chunk)
            except (BlockingIOError, InterruptedError):
                break
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                self._loop.remove_writer(self._sock_fd)
                self._clear_buffer()
                self._fatal_error(exc, "Fatal write error on socket transport")
                if self._empty_waiter is not None and not self._empty_waiter.done():
                    self._empty_waiter.set_exception(exc)
                return
            self._buffered -= sent
            if sent < len(chunk):
                self._buffer[0] = chunk[sent:]
                break
            self._buffer.popleft()
        self._maybe_resume_protocol()
        if self._buffer:
            return
        self._loop.remove_writer(self._sock_fd)
        if self._empty_waiter is not None and not self._empty_waiter.done():
            self._empty_waiter.set_result(None)
        if self._closing:
            self._conn_lost += 1
            self._call_connection_lost(None)
        elif self._eof:
            self._shutdown_write()

    def _shutdown_write(self):
        try:
            self._sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def write_eof(self):
        """WriteTransport.write_eof: half-close after the buffer is flushed."""
        if self._closing or self._eof:
            return
        self._eof = True
        if not self._buffer:
            self._shutdown_write()

    def can_write_eof(self):
        """WriteTransport.can_write_eof: stream sockets support half-close."""
        return True

    # -- sendfile support (19.5.1.8)
    async def _ref_wait_flushed(self):
        """Wait until the write buffer is empty; writes are refused meanwhile."""
        if self._empty_waiter is not None:
            raise RuntimeError("Empty waiter is already set")
        self._empty_waiter = self._loop.create_future()
        if not self._buffer:
            self._empty_waiter.set_result(None)
        await self._empty_waiter

    def _call_connection_lost(self, exc):
        try:
            super()._call_connection_lost(exc)
        finally:
            waiter = self._empty_waiter
            if waiter is not None and not waiter.done():
                waiter.set_exception(ConnectionError("Connection is closed by peer"))

    def _ref_end_sendfile(self):
        self._empty_waiter = None
