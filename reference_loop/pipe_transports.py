"""Pipe transports for the reference loop (19.5.1.13 connect_read_pipe / connect_write_pipe).

Both transports drive a non-blocking file descriptor through the loop's public
add_reader / add_writer API only.  They own the pipe object they were given and
close it right after the protocol's connection_lost() has run.

The protocol sees, in order: connection_made(transport) (always first), then
data_received()/eof_received() (read side) or pause_writing()/resume_writing()
(write side), then connection_lost(exc) exactly once.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import stat
import warnings

from .stream_transport import FlowControlMixin

logger = logging.getLogger("reference_loop.pipes")

#: Most bytes read from a pipe in one readiness callback (keeps the loop fair).
READ_CHUNK = 256 * 1024
#: After this many writes to a lost pipe, log a warning (the writes themselves are dropped).
LOST_WRITES_WARNING_THRESHOLD = 5


def pipe_kind(fileno: int) -> str:
    """Classify ``fileno`` as 'fifo', 'socket' or 'char'; raise ValueError for anything else.

    Regular files and directories are refused: readiness notification is meaningless for them
    (they always poll ready), which is also why CPython rejects them.
    """
    mode = os.fstat(fileno).st_mode
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode):
        return "char"
    raise ValueError("pipe transports accept only pipes, FIFOs, sockets and character devices")


class _PipeTransportBase:
    """State shared by both directions: the pipe, the protocol and the single connection_lost()."""

    def _setup(self, loop, pipe, protocol):
        self._pipe = None  # not owned until validated: a refused pipe stays open
        self._fileno = pipe.fileno()
        self._kind = pipe_kind(self._fileno)
        self._loop = loop
        self._pipe = pipe
        self._protocol = protocol
        self._closing = False  # close()/abort()/EOF/error seen: no more I/O accepted
        self._lost_scheduled = False  # connection_lost() has been scheduled (it runs once)
        os.set_blocking(self._fileno, False)
        self._extra["pipe"] = pipe

    # -- BaseTransport ------------------------------------------------------------------
    def get_protocol(self):
        """Return the current protocol (BaseTransport.get_protocol)."""
        return self._protocol

    def set_protocol(self, protocol):
        """Switch to a new protocol (BaseTransport.set_protocol)."""
        self._protocol = protocol

    def is_closing(self):
        """True once the transport is closing or closed (BaseTransport.is_closing)."""
        return self._closing

    # -- shutdown -------------------------------------------------------------------------
    def _schedule_connection_lost(self, exc):
        """Stop all I/O and arrange for connection_lost(exc) to run exactly once."""
        self._closing = True
        if self._lost_scheduled:
            return
        self._lost_scheduled = True
        self._stop_watching()
        if self._loop.is_closed():
            # Nothing can run on a closed loop any more: just release the pipe.
            self._pipe.close()
            self._pipe = None
            return
        self._loop.call_soon(self._call_connection_lost, exc)

    def _stop_watching(self):
        raise NotImplementedError

    def _call_connection_lost(self, exc):
        try:
            self._protocol.connection_lost(exc)
        finally:
            self._pipe.close()
            self._pipe = None

    def _report_fatal(self, exc, message, quiet):
        """Report an I/O error to the loop's exception handler (unless ``quiet``) and shut down."""
        if quiet:
            if self._loop.get_debug():
                logger.debug("%r: %s", self, message, exc_info=(type(exc), exc, exc.__traceback__))
        else:
            self._loop.call_exception_handler(
                {
                    "message": message,
                    "exception": exc,
                    "transport": self,
                    "protocol": self._protocol,
                }
            )
        self._schedule_connection_lost(exc)

    def __del__(self, _warn=warnings.warn):
        pipe = getattr(self, "_pipe", None)
        if pipe is not None:
            _warn(f"unclosed transport {self!r}", ResourceWarning, source=self)
            pipe.close()

    def __repr__(self):
        if getattr(self, "_pipe", None) is None:
            state = "closed"
        else:
            state = "closing" if self._closing else "open"
        return f"<{type(self).__name__} fd={getattr(self, '_fileno', None)} {state}>"


class ReadPipeTransport(_PipeTransportBase, asyncio.ReadTransport):
    """Read side of a pipe: delivers data_received(), eof_received() then connection_lost()."""

    def __init__(self, loop, pipe, protocol, extra=None):
        super().__init__(extra)
        self._setup(loop, pipe, protocol)
        self._paused = False
        self._watching = False
        loop.call_soon(protocol.connection_made, self)
        # Start reading only after connection_made() has run.
        loop.call_soon(self._start_watching)

    def _start_watching(self):
        if self.is_reading() and not self._watching:
            self._watching = True
            self._loop.add_reader(self._fileno, self._read_ready)

    def _stop_watching(self):
        if self._watching:
            self._watching = False
            self._loop.remove_reader(self._fileno)

    def _read_ready(self):
        try:
            data = os.read(self._fileno, READ_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            # EIO is how a pseudo-terminal reports that its other side went away: not an error.
            self._report_fatal(exc, "Fatal read error on pipe transport", quiet=exc.errno == errno.EIO)
            return
        if data:
            self._protocol.data_received(data)
            return
        # End of file: the writer closed its end.
        self._closing = True
        self._stop_watching()
        self._loop.call_soon(self._protocol.eof_received)
        self._schedule_connection_lost(None)

    def is_reading(self):
        """True while the transport is receiving (ReadTransport.is_reading)."""
        return not self._paused and not self._closing

    def pause_reading(self):
        """Stop calling data_received() until resume_reading() (ReadTransport.pause_reading)."""
        if not self.is_reading():
            return
        self._paused = True
        self._stop_watching()

    def resume_reading(self):
        """Deliver data again after pause_reading() (ReadTransport.resume_reading)."""
        if self._closing or not self._paused:
            return
        self._paused = False
        self._start_watching()

    def close(self):
        """Stop reading, then call connection_lost(None) and close the pipe (BaseTransport.close)."""
        if not self._closing:
            self._schedule_connection_lost(None)


class WritePipeTransport(FlowControlMixin, _PipeTransportBase, asyncio.WriteTransport):
    """Write side of a pipe: buffered non-blocking writes with flow control (the water marks,
    pause_writing()/resume_writing() and get/set_write_buffer_limits() are the stream transport's
    FlowControlMixin)."""

    def __init__(self, loop, pipe, protocol, extra=None):
        super().__init__(extra)
        self._setup(loop, pipe, protocol)
        self._buffer = bytearray()
        self._writing = False  # add_writer() is active
        self._peer_watch = False  # add_reader() used to notice the reader going away
        self._lost_writes = 0
        self._init_flow_control()
        loop.call_soon(protocol.connection_made, self)
        # A pipe or socket whose reader has gone reports itself readable (POLLERR/POLLHUP):
        # watching for read events is how the transport learns that the peer closed.
        if self._kind in ("fifo", "socket"):
            loop.call_soon(self._start_peer_watch)

    # -- readiness ------------------------------------------------------------------------
    def _start_peer_watch(self):
        if not self._lost_scheduled and not self._peer_watch:
            self._peer_watch = True
            self._loop.add_reader(self._fileno, self._peer_closed)

    def _stop_watching(self):
        if self._peer_watch:
            self._peer_watch = False
            self._loop.remove_reader(self._fileno)
        if self._writing:
            self._writing = False
            self._loop.remove_writer(self._fileno)

    def _peer_closed(self):
        if self._loop.get_debug():
            logger.info("%r was closed by peer", self)
        exc = BrokenPipeError(errno.EPIPE, "the reading end of the pipe was closed") if self._buffer else None
        self._buffer.clear()
        self._schedule_connection_lost(exc)

    def _write_ready(self):
        try:
            sent = os.write(self._fileno, self._buffer)
        except (BlockingIOError, InterruptedError):
            return
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._buffer.clear()
            self._lost_writes += 1
            self._report_fatal(exc, "Fatal write error on pipe transport", quiet=isinstance(exc, OSError))
            return
        del self._buffer[:sent]
        if self._buffer:
            return
        self._writing = False
        self._loop.remove_writer(self._fileno)
        self._maybe_resume_protocol()  # may write more
        if self._closing and not self._buffer:
            self._schedule_connection_lost(None)

    # -- WriteTransport -------------------------------------------------------------------
    def write(self, data):
        """Queue ``data`` for writing without blocking (WriteTransport.write)."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data must be a bytes-like object, not {type(data).__name__}")
        if not data:
            return
        if self._closing or self._lost_writes:
            # Writing to a closed or failed pipe is silently dropped, with a warning if repeated.
            self._lost_writes += 1
            if self._lost_writes >= LOST_WRITES_WARNING_THRESHOLD:
                logger.warning("pipe closed by peer or os.write(pipe, data) raised exception.")
            return
        data = bytes(data)
        if not self._buffer:
            try:
                sent = os.write(self._fileno, data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                self._lost_writes += 1
                self._report_fatal(exc, "Fatal write error on pipe transport", quiet=isinstance(exc, OSError))
                return
            if sent == len(data):
                return
            data = data[sent:]
            self._writing = True
            self._loop.add_writer(self._fileno, self._write_ready)
        self._buffer += data
        self._maybe_pause_protocol()

    def can_write_eof(self):
        """Pipes support write_eof() (WriteTransport.can_write_eof)."""
        return True

    def write_eof(self):
        """Close the write end once the buffer is flushed (WriteTransport.write_eof)."""
        if self._closing:
            return
        self._closing = True
        if not self._buffer:
            self._schedule_connection_lost(None)

    def close(self):
        """Flush buffered data, then close the pipe and call connection_lost(None) (BaseTransport.close)."""
        if self._pipe is not None and not self._closing:
            self.write_eof()

    def abort(self):
        """Close immediately, discarding buffered data (WriteTransport.abort)."""
        self._buffer.clear()
        self._schedule_connection_lost(None)

    def _buffer_size(self):
        """Bytes waiting in the output buffer (FlowControlMixin: WriteTransport.get_write_buffer_size)."""
        return len(self._buffer)
