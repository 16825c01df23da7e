"""Shared scenarios for loop.sendfile (19.5.1.8) and loop.sock_sendfile (19.5.1.11).

Both methods promise the same things (total returned, offset/count honoured, file position
updated on return and on error, fallback and SendfileNotAvailableError); the suites declare
one check per method and guarantee and call the scenario functions here with a *sender*:

- ``transport``: loop.sendfile on a transport made by create_connection(sock=...) over one
  end of a stream pair;
- ``socket``: loop.sock_sendfile on one end of a stream pair, set non-blocking.

The other end is drained to EOF by a :class:`ThreadReader`, independent of the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import io
import os
import socket

import pytest

from loopconf.evidence import Violation, expect, expect_equal

from .net import Net
from .peers import TIMEOUT, ThreadReader, data_file, payload, stream_pair

CALLER_NOTE = "sendfile-caller-obligations"  # spec note of the refusal checks (SHOULD)
SIZE = 300_000  # larger than a socket buffer: the transfer needs several rounds


class Sender:
    """One end of a stream pair, sending through ``api`` ("transport" or "socket").

    Use as a context manager: leaving the block always stops and joins the peer reader.
    """

    def __init__(self, loop, net: Net, api: str, kind: str = "unix"):
        self.loop = loop
        self.net = net
        self.api = api
        self.sock, self.peer = stream_pair(kind)
        net.adopt(self.sock)
        net.adopt(self.peer)
        self.reader = ThreadReader(sock=self.peer)
        self.transport = self.protocol = None
        try:
            self.sock.setblocking(False)
            if api == "transport":
                self.protocol = _Proto(loop)
                self.transport, _ = net.pair(
                    net.run(
                        loop.create_connection(lambda: self.protocol, sock=self.sock),
                        what="create_connection(sock=...) over a connected stream socket",
                    )
                )
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc) -> bool:
        self.close()
        return False

    def close(self) -> None:
        """End both directions of the pair and join the peer reader (idempotent, never raises).

        Runs on every exit of a scenario, also when the loop raised (NotImplementedError for a
        missing method, a Violation, anything): the reader thread must not outlive the check,
        or the fixture would report a leaked thread instead of the check's own outcome.
        Shutting the sockets down (not closing them) wakes the reader's blocking recv at once
        and leaves the fds to their owners (the transport, or :class:`Net`'s cleanup).
        """
        for sock in (self.sock, self.peer):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.reader.join(TIMEOUT)

    def call(self, file, offset=0, count=None, **kw):
        """The sendfile / sock_sendfile awaitable for this end."""
        if self.api == "transport":
            return self.loop.sendfile(self.transport, file, offset, count, **kw)
        return self.loop.sock_sendfile(self.sock, file, offset, count, **kw)

    def send(self, file, offset=0, count=None, **kw):
        """Run one sendfile call to completion (bounded); returns its result."""
        return self.net.run(self.call(file, offset, count, **kw), what=f"{self.method} of a {SIZE}-byte file")

    def attempt(self, file, offset=0, count=None, **kw):
        """Like :meth:`send`, but returns the exception the call raises (see Net.outcome)."""
        return self.net.outcome(lambda: self.call(file, offset, count, **kw), what=f"{self.method} of a file")

    @property
    def method(self) -> str:
        return "sendfile" if self.api == "transport" else "sock_sendfile"

    def finish(self) -> bytes:
        """Close our end and return everything the peer received up to EOF."""
        if self.transport is not None:
            self.transport.close()
            try:
                self.net.run(self.protocol.lost, what="connection_lost after transport.close()")
            except Violation:
                pass
        else:
            try:
                self.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        data = self.reader.join(TIMEOUT)
        if not self.reader.finished:
            self.sock.close()
            self.reader.join(TIMEOUT)
            raise Violation(
                f"the peer saw no end of stream after {self.method} returned and our end "
                f"was closed ({len(data)} bytes received)"
            )
        return data


class _Proto(asyncio.Protocol):
    def __init__(self, loop):
        self.lost = loop.create_future()

    def connection_lost(self, exc):
        if not self.lost.done():
            self.lost.set_result(exc)


@contextlib.contextmanager
def _os_sendfile_replaced(body):
    """Replace os.sendfile by a function that logs each call's arguments, then returns
    ``body(real_os_sendfile, *args)``; yields the log and puts the real function back."""
    calls = []
    real = os.sendfile

    def replacement(*args):
        calls.append(args)
        return body(real, *args)

    os.sendfile = replacement
    try:
        yield calls
    finally:
        os.sendfile = real


def _enosys(real, *args):
    raise OSError(errno.ENOSYS, os.strerror(errno.ENOSYS))


def sendfile_syscall_unavailable():
    """Make os.sendfile fail as on a system without the syscall (ENOSYS); yields the call log.

    A loop that does not go through ``os.sendfile`` cannot be put in that situation from
    outside: the scenarios skip when the log stays empty.
    """
    return _os_sendfile_replaced(_enosys)


def counting_os_sendfile():
    """Count the calls to os.sendfile (they still go to the real function); yields the log."""
    return _os_sendfile_replaced(lambda real, *args: real(*args))


def _require_called(calls, method):
    if not calls:
        pytest.skip(
            f"the loop's {method} did not call os.sendfile, so an unsupported sendfile "
            "syscall cannot be simulated for it"
        )


# -- scenarios -------------------------------------------------------------------------------


def returns_total(loop, api):
    with Net(loop) as net, data_file(SIZE) as f, Sender(loop, net, api) as s:
        sent = s.send(f)
        s.finish()
        expect_equal(sent, SIZE, f"{s.method} did not return the total number of bytes sent")


def peer_receives_file(loop, api, kind):
    with Net(loop) as net, data_file(SIZE) as f, Sender(loop, net, api, kind) as s:
        s.send(f)
        got = s.finish()
        _expect_bytes(got, payload(SIZE), f"the peer did not receive exactly the file's bytes ({kind})")


def offset_and_count(loop, api):
    offset, count = 1000, 100_000
    with Net(loop) as net, data_file(SIZE) as f, Sender(loop, net, api) as s:
        sent = s.send(f, offset, count)
        got = s.finish()
        expect_equal(sent, count, f"{s.method}(offset={offset}, count={count}) returned a different total")
        _expect_bytes(
            got,
            payload(SIZE)[offset : offset + count],
            f"the peer did not receive bytes [{offset}:{offset + count}] of the file",
        )


def offset_to_eof(loop, api):
    offset = 12_345
    with Net(loop) as net, data_file(SIZE) as f, Sender(loop, net, api) as s:
        sent = s.send(f, offset)
        got = s.finish()
        expect_equal(sent, SIZE - offset, f"{s.method}(offset={offset}) without count returned a different total")
        _expect_bytes(got, payload(SIZE)[offset:], f"the peer did not receive the file from offset {offset} to EOF")


def file_position_on_return(loop, api):
    offset, count = 1000, 100_000
    with Net(loop) as net, data_file(SIZE) as f, Sender(loop, net, api) as s:
        sent = s.send(f, offset, count)
        s.finish()
        expect_equal(
            f.tell(),
            offset + sent,
            f"file.tell() after {s.method}(offset={offset}, count={count}) is not offset + bytes sent",
        )


def fallback_when_unavailable(loop, api, by_default=False):
    """The whole file still arrives when the syscall is missing: with fallback=True, or (for
    ``by_default``) with no fallback argument at all (sock_sendfile's default is True)."""
    how, kw = (" without a fallback argument", {}) if by_default else ("(fallback=True)", {"fallback": True})
    with Net(loop) as net, data_file(SIZE) as f, Sender(loop, net, api) as s:
        with sendfile_syscall_unavailable() as calls:
            try:
                sent = s.send(f, **kw)
            except asyncio.SendfileNotAvailableError as exc:
                raise Violation(
                    f"{s.method}{how} raised SendfileNotAvailableError instead of falling back to "
                    "reading and sending the file" + (" (fallback defaults to True)" if by_default else ""),
                    observed=repr(exc),
                ) from None
        got = s.finish()
        _require_called(calls, s.method)
        expect_equal(sent, SIZE, f"{s.method}{how} without the syscall returned a different total")
        _expect_bytes(got, payload(SIZE), f"{s.method}{how} without the syscall delivered other bytes")
        if not by_default:
            expect_equal(f.tell(), SIZE, "file.tell() after the fallback transfer is not offset + bytes sent")


def no_fallback_raises(loop, api):
    with Net(loop) as net, data_file(SIZE) as f, Sender(loop, net, api) as s:
        with sendfile_syscall_unavailable() as calls:
            result = s.attempt(f, fallback=False)
        s.finish()
        _require_called(calls, s.method)
        if not isinstance(result, Exception):
            raise Violation(
                f"{s.method}(fallback=False) without the sendfile syscall did not raise",
                expected="SendfileNotAvailableError",
                observed=f"returned {result!r}",
            )
        if not isinstance(result, asyncio.SendfileNotAvailableError):
            raise Violation(
                f"{s.method}(fallback=False) without the sendfile syscall raised another exception",
                expected="SendfileNotAvailableError",
                observed=f"{type(result).__name__}: {result}",
            )


def file_position_on_error(loop, api):
    offset = 1000
    with Net(loop) as net, data_file(SIZE) as f, Sender(loop, net, api) as s:
        f.seek(offset)
        with sendfile_syscall_unavailable() as calls:
            try:
                result = s.send(f, offset, fallback=False)
            except asyncio.SendfileNotAvailableError:
                result = None
        got = s.finish()
        _require_called(calls, s.method)
        if result is not None:
            pytest.skip(f"{s.method}(fallback=False) did not fail here; no error path to observe")
        expect_equal(
            f.tell(),
            offset + len(got),
            f"file.tell() after a failed {s.method} is not offset + bytes the peer received",
        )


def text_file_refused(loop, api):
    with Net(loop) as net, data_file(1000, mode="w+") as f, Sender(loop, net, api) as s:
        _expect_refused(s, f, f"{s.method} accepted a file opened in text mode")


def non_regular_refused_without_fallback(loop, api):
    with Net(loop) as net, Sender(loop, net, api) as s:
        f = io.BytesIO(payload(1000))
        _expect_refused(s, f, f"{s.method}(fallback=False) accepted an in-memory (non-regular) file", fallback=False)


def _expect_refused(s: Sender, f, what: str, **kw) -> None:
    """The call must raise (any exception): the doc states a caller obligation, no error type."""
    result = s.attempt(f, **kw)
    got = s.finish()
    if not isinstance(result, Exception):
        raise Violation(what, expected="an exception", observed=f"returned {result!r}; peer got {len(got)} bytes")


def _expect_bytes(observed: bytes, expected: bytes, what: str) -> None:
    if observed == expected:
        return
    first = next((i for i, (a, b) in enumerate(zip(observed, expected)) if a != b), min(len(observed), len(expected)))
    raise Violation(
        what, expected=f"{len(expected)} bytes", observed=f"{len(observed)} bytes, first difference at byte {first}"
    )


# -- os.sendfile in use; file position after a failure mid-transfer (issue #16) ---------------


def uses_os_sendfile(loop, api):
    """On a plain stream socket (UNIX socketpair) with a regular file the transfer goes through
    os.sendfile, and the peer still receives exactly the file."""
    with Net(loop) as net, data_file(SIZE) as f, Sender(loop, net, api) as s:
        with counting_os_sendfile() as calls:
            sent = s.send(f)
        got = s.finish()
        expect_equal(sent, SIZE, f"{s.method} did not return the total number of bytes sent")
        _expect_bytes(got, payload(SIZE), "the peer did not receive exactly the file's bytes")
        if not calls:
            raise Violation(
                f"{s.method} on a plain UNIX stream socket with a regular file never called "
                "os.sendfile (it read and sent the file itself)",
                expected="at least one os.sendfile call",
                observed="0 calls",
            )


MIDWAY_SIZE = 4 << 20  # far more than a UNIX socket pair buffers: the transfer is cut mid-way
MIDWAY_CUT = 512 << 10  # the peer stops receiving after this many bytes


def file_position_on_midway_error(loop, api, path="default", must_fail=False):
    """The peer stops receiving after MIDWAY_CUT bytes (shutdown SHUT_RD), so the transfer fails
    part-way with a connection error; file.tell() must then be offset plus the bytes that went
    into the connection (exactly what the peer drained: after SHUT_RD nothing more is queued).
    The file starts at position 0, not at offset, so a position computed from the old position
    shows up too.

    ``path``: "default" (the loop's own way, os.sendfile where it uses it) or "fallback"
    (os.sendfile made unavailable, fallback=True: the read-and-send path, where the position is
    only bounded: past offset and within offset + bytes sent; see the spec note).
    ``must_fail``: the method has to raise (sock_sendfile); otherwise it may raise or return.
    """
    offset = 1000
    method = "sendfile" if api == "transport" else "sock_sendfile"
    what = f"{method} of 4 MiB to a peer that stops receiving after {MIDWAY_CUT >> 10} KiB"
    with Net(loop) as net, data_file(MIDWAY_SIZE + offset) as f:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        net.adopt(ours)
        net.adopt(theirs)
        ours.setblocking(False)
        reader = ThreadReader(sock=theirs, stop_after=MIDWAY_CUT)
        try:
            if api == "transport":
                protocol = _Proto(loop)
                transport, _ = net.pair(net.run(loop.create_connection(lambda: protocol, sock=ours)))
            fallback = sendfile_syscall_unavailable() if path == "fallback" else contextlib.nullcontext([None])
            with fallback as calls:
                if api == "transport":
                    call = lambda: loop.sendfile(transport, f, offset, fallback=True)  # noqa: E731
                else:
                    call = lambda: loop.sock_sendfile(ours, f, offset, fallback=True)  # noqa: E731
                result = net.outcome(call, timeout=10, what=what)
        finally:
            try:
                ours.shutdown(socket.SHUT_RDWR)  # ends the peer's drain even if the call failed early
            except OSError:
                pass
            got = reader.join()
        if path == "fallback":
            _require_called(calls, method)
        expect(
            reader.finished and reader.error is None and len(got) >= MIDWAY_CUT,
            "the peer did not read up to the cut and drain the rest (harness)",
            observed=f"{len(got)} bytes, error {reader.error!r}",
        )
        raised = result if isinstance(result, Exception) else None
        if must_fail and raised is None:
            raise Violation(
                f"{method} returned although the peer stopped reading in the middle of the file",
                expected="an exception (BrokenPipeError...)",
                observed=f"returned {result!r}",
            )
        outcome = f"raised {type(raised).__name__}: {raised}" if raised is not None else f"returned {result!r}"
        if path == "fallback":
            position = f.tell()
            expect(
                offset < position <= offset + len(got),
                f"file.tell() after {method} failed on its fallback path ({outcome}) is not past offset and "
                "within offset + bytes sent into the connection",
                expected=f"{offset + 1}..{offset + len(got)}",
                observed=position,
            )
            return
        expect_equal(
            f.tell(),
            offset + len(got),
            f"file.tell() after {method}(offset={offset}) {outcome} is not offset + bytes sent into the "
            f"connection (peer received {len(got)} bytes)",
        )
