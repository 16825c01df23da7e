"""19.5.1.13 Connect pipes: connect_read_pipe and connect_write_pipe.

Pipes come from os.pipe() (wrapped in unbuffered file objects, as the clause asks for a
file-like object) or from a child process's stdout. The far end is driven by the check with
plain os.read / os.write (bulk reads by a helper thread). The transports must offer the
ReadTransport / WriteTransport interface the clause names; the protocol callbacks checked are
those of that interface (data_received, eof_received, connection_lost exactly once).

"The pipe is set to non-blocking mode" is promised for SelectorEventLoop only: graded SHOULD
for other loops (note pipes-nonblocking-selector-only).
"""

import asyncio
import os
import subprocess
import sys

from loopconf import checks
from loopconf.checks import SHOULD
from loopconf.evidence import Violation, expect, expect_equal, expect_instance

from ._support.net import Factory, Net, io_rounds
from ._support.peers import ThreadReader, payload

scope = checks.scope(area="pipes", section="19.5.1.13")
RP = "connect_read_pipe"
WP = "connect_write_pipe"
NONBLOCKING_NOTE = "pipes-nonblocking-selector-only"


class Pipes(Net):
    """Net plus os.pipe() bookkeeping: every pipe end not handed to a transport is closed."""

    def __init__(self, loop):
        super().__init__(loop)
        self._files = []
        self._fds = []

    def pipe(self):
        r, w = os.pipe()
        self._fds += [r, w]
        return r, w

    def file(self, fd, mode):
        """Wrap ``fd`` in a file object (the transport owns it from now on)."""
        self._fds.remove(fd)
        f = open(fd, mode, buffering=0)
        self._files.append(f)
        return f

    def close_fd(self, fd):
        self._fds.remove(fd)
        os.close(fd)

    def cleanup(self):
        super().cleanup()
        for f in self._files:
            try:
                f.close()
            except OSError:
                pass
        for fd in self._fds:
            os.close(fd)
        self._files.clear()
        self._fds.clear()


def _read_pipe(p, loop):
    """connect_read_pipe over a fresh os.pipe(); returns (transport, protocol, write fd, pipe file)."""
    r, w = p.pipe()
    pipe = p.file(r, "rb")
    factory = Factory(loop)
    transport, protocol = p.pair(p.run(loop.connect_read_pipe(factory, pipe), what="connect_read_pipe"))
    p.run(protocol.made, what="connection_made on the read-pipe protocol")
    return transport, protocol, w, pipe


def _write_pipe(p, loop):
    """connect_write_pipe over a fresh os.pipe(); returns (transport, protocol, read fd, pipe file)."""
    r, w = p.pipe()
    pipe = p.file(w, "wb")
    factory = Factory(loop)
    transport, protocol = p.pair(p.run(loop.connect_write_pipe(factory, pipe), what="connect_write_pipe"))
    p.run(protocol.made, what="connection_made on the write-pipe protocol")
    return transport, protocol, r, pipe


# -- connect_read_pipe ----------------------------------------------------------------------------


@scope.check(
    "connect_read_pipe",
    "returns_pair",
    requirement="connect_read_pipe returns (transport, protocol): the protocol the factory built "
    "and a transport offering the ReadTransport interface, passed to connection_made.",
    covers=("connect_read_pipe.5", "connect_read_pipe.1:partial"),
)
def test_connect_read_pipe_returns_pair(loop):
    with Pipes(loop) as p:
        r, _ = p.pipe()
        factory = Factory(loop)
        result = p.run(loop.connect_read_pipe(factory, p.file(r, "rb")), what="connect_read_pipe")
        expect(
            isinstance(result, tuple) and len(result) == 2,
            "connect_read_pipe did not return a pair",
            observed=repr(result),
        )
        transport, protocol = p.pair(result)
        expect_equal(factory.protocols, [protocol], "the returned protocol is not the one the factory built")
        made = p.run(protocol.made, what="connection_made")
        expect(made is transport, "connection_made got another transport than the one returned")
        missing = [
            m
            for m in ("pause_reading", "resume_reading", "close", "is_closing", "get_extra_info")
            if not callable(getattr(transport, m, None))
        ]
        expect_equal(missing, [], "the transport lacks ReadTransport methods")


@scope.check(
    "connect_read_pipe",
    "data_received",
    requirement="Bytes written into the pipe are delivered to the protocol's data_received, in order.",
    covers=("connect_read_pipe.2", "connect_read_pipe.4"),
)
def test_connect_read_pipe_data_received(loop):
    with Pipes(loop) as p:
        _, protocol, w, _ = _read_pipe(p, loop)
        os.write(w, b"hello ")
        p.run(protocol.received(6), what="data_received of the first write")
        os.write(w, b"pipe")
        data = p.run(protocol.received(10), what="data_received of the second write")
        expect_equal(data, b"hello pipe", "data_received did not deliver the pipe's bytes in order")


@scope.check(
    "connect_read_pipe",
    "eof_received",
    requirement="When the write end is closed, the protocol gets eof_received and then connection_lost(None).",
    covers=("connect_read_pipe.2",),
)
def test_connect_read_pipe_eof_received(loop):
    with Pipes(loop) as p:
        _, protocol, w, _ = _read_pipe(p, loop)
        os.write(w, b"last")
        p.close_fd(w)
        exc = p.run(protocol.lost, what="connection_lost after the write end closed")
        names = [
            n for i, n in enumerate(protocol.names()) if not (n == "data_received" and protocol.names()[i - 1] == n)
        ]
        expect_equal(
            names,
            ["connection_made", "data_received", "eof_received", "connection_lost"],
            "the protocol callbacks at end of pipe are not data, eof_received, connection_lost",
        )
        expect(exc is None, "connection_lost at end of pipe got an exception", expected=None, observed=repr(exc))


@scope.check(
    "connect_read_pipe",
    "connection_lost_once",
    requirement="connection_lost is called exactly once, whether the pipe ends or the transport is closed afterwards.",
    covers=("connect_read_pipe.5",),
)
def test_connect_read_pipe_connection_lost_once(loop):
    with Pipes(loop) as p:
        transport, protocol, w, _ = _read_pipe(p, loop)
        p.close_fd(w)
        p.run(protocol.lost, what="connection_lost after the write end closed")
        transport.close()
        p.run(io_rounds(loop, 3))
        expect_equal(protocol.count("connection_lost"), 1, "connection_lost was not called exactly once")


@scope.check(
    "connect_read_pipe",
    "close",
    requirement="transport.close() on a read pipe makes is_closing() true and leads to exactly one "
    "connection_lost(None); data written afterwards is not delivered.",
    covers=("connect_read_pipe.5",),
)
def test_connect_read_pipe_close(loop):
    with Pipes(loop) as p:
        transport, protocol, w, _ = _read_pipe(p, loop)
        transport.close()
        expect(transport.is_closing(), "is_closing() is False right after close()")
        exc = p.run(protocol.lost, what="connection_lost after transport.close()")
        try:
            os.write(w, b"too late")
        except BrokenPipeError:
            pass
        p.run(io_rounds(loop, 3))
        expect(exc is None, "connection_lost after close() got an exception", observed=repr(exc))
        expect_equal(protocol.count("connection_lost"), 1, "connection_lost was not called exactly once")
        expect_equal(protocol.count("data_received"), 0, "data_received ran after close()")


@scope.check(
    "connect_read_pipe",
    "pause_resume_reading",
    requirement="After pause_reading no data_received is called although data waits in the pipe; "
    "after resume_reading the waiting data is delivered.",
    covers=("connect_read_pipe.5",),
)
def test_connect_read_pipe_pause_resume_reading(loop):
    with Pipes(loop) as p:
        transport, protocol, w, _ = _read_pipe(p, loop)
        transport.pause_reading()
        os.write(w, b"held back")
        p.run(io_rounds(loop, 3))
        expect_equal(protocol.count("data_received"), 0, "data_received ran while reading was paused")
        transport.resume_reading()
        data = p.run(protocol.received(9), what="data_received after resume_reading")
        expect_equal(data, b"held back", "the data waiting during the pause was not delivered on resume")


@scope.check(
    "connect_read_pipe",
    "sets_non_blocking",
    level=SHOULD,
    note="pipes-nonblocking-selector-only",
    requirement="connect_read_pipe switches the pipe to non-blocking mode.",
    covers=("connect_read_pipe.6",),
)
def test_connect_read_pipe_sets_non_blocking(loop):
    """for other loops: the clause promises it for SelectorEventLoop only)."""
    with Pipes(loop) as p:
        r, _ = p.pipe()
        os.set_blocking(r, True)
        pipe = p.file(r, "rb")
        p.pair(p.run(loop.connect_read_pipe(Factory(loop), pipe), what="connect_read_pipe"))
        expect(not os.get_blocking(r), "the read pipe is still in blocking mode after connect_read_pipe")


@scope.check(
    "connect_read_pipe",
    "extra_info_pipe",
    requirement="The read-pipe transport's get_extra_info('pipe') returns the pipe object passed in.",
    covers=("connect_read_pipe.5",),
)
def test_connect_read_pipe_extra_info_pipe(loop):
    with Pipes(loop) as p:
        transport, _, _, pipe = _read_pipe(p, loop)
        expect(
            transport.get_extra_info("pipe") is pipe,
            "get_extra_info('pipe') is not the pipe passed in",
            expected=repr(pipe),
            observed=repr(transport.get_extra_info("pipe")),
        )


@scope.check(
    "connect_read_pipe",
    "subprocess_stdout",
    requirement="connect_read_pipe reads a child process's stdout pipe to its end.",
    covers=("connect_read_pipe.2",),
)
def test_connect_read_pipe_subprocess_stdout(loop):
    code = "import sys; sys.stdout.write('x' * 100000 + 'end'); sys.stdout.flush()"
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    try:
        with Net(loop) as net:
            factory = Factory(loop)
            _, protocol = net.pair(
                net.run(loop.connect_read_pipe(factory, proc.stdout), what="connect_read_pipe(child.stdout)")
            )
            net.run(protocol.lost, timeout=10, what="the child's stdout reaching EOF")
            expect_equal(len(protocol.data), 100003, "not all of the child's output was received")
            expect(bytes(protocol.data).endswith(b"end"), "the child's output arrived out of order")
    finally:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout and not proc.stdout.closed:
            proc.stdout.close()


# -- connect_write_pipe ---------------------------------------------------------------------------


@scope.check(
    "connect_write_pipe",
    "returns_pair",
    requirement="connect_write_pipe returns (transport, protocol): the protocol the factory built "
    "and a transport offering the WriteTransport interface, passed to connection_made.",
    covers=("connect_write_pipe.5", "connect_write_pipe.1:partial"),
)
def test_connect_write_pipe_returns_pair(loop):
    with Pipes(loop) as p:
        _, w = p.pipe()
        factory = Factory(loop)
        result = p.run(loop.connect_write_pipe(factory, p.file(w, "wb")), what="connect_write_pipe")
        expect(
            isinstance(result, tuple) and len(result) == 2,
            "connect_write_pipe did not return a pair",
            observed=repr(result),
        )
        transport, protocol = p.pair(result)
        expect_equal(factory.protocols, [protocol], "the returned protocol is not the one the factory built")
        made = p.run(protocol.made, what="connection_made")
        expect(made is transport, "connection_made got another transport than the one returned")
        missing = [
            m
            for m in (
                "write",
                "writelines",
                "write_eof",
                "can_write_eof",
                "abort",
                "get_write_buffer_size",
                "set_write_buffer_limits",
                "close",
                "is_closing",
                "get_extra_info",
            )
            if not callable(getattr(transport, m, None))
        ]
        expect_equal(missing, [], "the transport lacks WriteTransport methods")


@scope.check(
    "connect_write_pipe",
    "delivers_data",
    requirement="Everything written to a write-pipe transport (more than the pipe buffer holds) "
    "reaches the reader, and close() flushes it before connection_lost(None).",
    covers=("connect_write_pipe.2", "connect_write_pipe.5", "connect_write_pipe.4"),
)
def test_connect_write_pipe_delivers_data(loop):
    data = payload(1 << 20)
    with Pipes(loop) as p:
        transport, protocol, r, _ = _write_pipe(p, loop)
        for i in range(0, len(data), 65536):
            transport.write(data[i : i + 65536])
        transport.close()
        # Only now does anyone read: the pipe holds far less than 1 MiB, so most of the data is
        # still in the transport's buffer when close() is called, and close() must flush it.
        reader = ThreadReader(fd=r)
        exc = p.run(protocol.lost, timeout=10, what="connection_lost after close() with 1 MiB buffered")
        got = reader.join()
        expect(reader.finished, "the reader saw no end of pipe after the transport closed")
        expect(
            got == data,
            "the reader did not receive exactly the data written",
            expected=f"{len(data)} bytes",
            observed=f"{len(got)} bytes",
        )
        expect(exc is None, "connection_lost after a clean close got an exception", observed=repr(exc))
        expect_equal(protocol.count("connection_lost"), 1, "connection_lost was not called exactly once")


@scope.check(
    "connect_write_pipe",
    "sets_non_blocking",
    level=SHOULD,
    note="pipes-nonblocking-selector-only",
    requirement="connect_write_pipe switches the pipe to non-blocking mode.",
    covers=("connect_write_pipe.6",),
)
def test_connect_write_pipe_sets_non_blocking(loop):
    """for other loops)."""
    with Pipes(loop) as p:
        _, w = p.pipe()
        os.set_blocking(w, True)
        pipe = p.file(w, "wb")
        p.pair(p.run(loop.connect_write_pipe(Factory(loop), pipe), what="connect_write_pipe"))
        expect(not os.get_blocking(w), "the write pipe is still in blocking mode after connect_write_pipe")


@scope.check(
    "connect_write_pipe",
    "reader_closed_connection_lost",
    requirement="Writing to a pipe whose read end is closed ends the transport: connection_lost is "
    "called, exactly once.",
    covers=("connect_write_pipe.5",),
)
def test_connect_write_pipe_reader_closed_connection_lost(loop):
    with Pipes(loop) as p:
        transport, protocol, r, _ = _write_pipe(p, loop)
        p.close_fd(r)
        transport.write(b"nobody reads this")
        p.run(protocol.lost, what="connection_lost after writing to a pipe without reader")
        p.run(io_rounds(loop, 2))
        expect_equal(protocol.count("connection_lost"), 1, "connection_lost was not called exactly once")


@scope.check(
    "connect_write_pipe",
    "broken_pipe_error",
    level=SHOULD,
    note="pipes-write-error-argument",
    requirement="When a write fails because the read end is closed, connection_lost receives the "
    "OSError (BrokenPipeError or a similar connection error), not None.",
    covers=("connect_write_pipe.5",),
)
def test_connect_write_pipe_broken_pipe_error(loop):
    """SHOULD: the page does not spell out the argument; the protocol interface passes the error
    when the connection is lost for a reason other than EOF or our own close.
    """
    with Pipes(loop) as p:
        transport, protocol, r, _ = _write_pipe(p, loop)
        p.close_fd(r)
        transport.write(b"nobody reads this")
        exc = p.run(protocol.lost, what="connection_lost after writing to a pipe without reader")
        expect_instance(
            exc, OSError, "connection_lost did not receive the write error", expected="BrokenPipeError (an OSError)"
        )


@scope.check(
    "connect_write_pipe",
    "extra_info_pipe",
    requirement="The write-pipe transport's get_extra_info('pipe') returns the pipe object passed in.",
    covers=("connect_write_pipe.5",),
)
def test_connect_write_pipe_extra_info_pipe(loop):
    with Pipes(loop) as p:
        transport, _, _, pipe = _write_pipe(p, loop)
        expect(
            transport.get_extra_info("pipe") is pipe,
            "get_extra_info('pipe') is not the pipe passed in",
            expected=repr(pipe),
            observed=repr(transport.get_extra_info("pipe")),
        )
