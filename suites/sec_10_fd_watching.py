"""19.5.1.10 Watch file descriptors: add_reader, remove_reader, add_writer, remove_writer.

Each check watches one end of a socketpair or an os.pipe(), makes it ready itself, and drives
the loop with a bounded run. "Nothing was called" is judged after the loop has polled for I/O
several times (io_rounds), with the watched fd already ready before the first poll.

Later docs add two promises the 3.7 text leaves implicit: remove_reader/remove_writer return
whether the fd was being watched (docs of 3.10 on, backported there), and adding a callback for
an fd that already has one replaces it (docs of 3.12 on).
"""

import contextlib
import os
import socket

import pytest

from loopconf import checks
from loopconf.checks import SHOULD
from loopconf.evidence import expect, expect_equal

from ._support.net import Net, io_rounds

scope = checks.scope(area="fdwatch", section="19.5.1.10")


class Watched:
    """One fd pair: ``fd`` is watched; ``make_readable()`` puts data on it."""

    def __init__(self, net, kind):
        self.net = net
        self.kind = kind
        self._fds = []
        if kind == "socket":
            a, b = socket.socketpair()
            net.adopt(a)
            net.adopt(b)
            a.setblocking(False)
            self.read_fd = self.write_fd = a.fileno()
            self.sock, self.peer = a, b
        else:
            r, w = os.pipe()
            self._fds = [r, w]
            os.set_blocking(r, False)
            os.set_blocking(w, False)
            self.read_fd, self.write_fd = r, w
            self.peer = None

    def make_readable(self):
        if self.peer is not None:
            self.peer.sendall(b"x")
        else:
            os.write(self.write_fd, b"x")

    def close(self, loop):
        if not loop.is_closed():
            for fd in {self.read_fd, self.write_fd}:
                loop.remove_reader(fd)
                loop.remove_writer(fd)
        for fd in self._fds:
            os.close(fd)
        self._fds = []


class Calls:
    """Callback recorder; ``first`` resolves on the first call."""

    def __init__(self, loop, on_call=None):
        self.args = []
        self.first = loop.create_future()
        self.on_call = on_call

    def __call__(self, *args):
        self.args.append(args)
        if self.on_call is not None:
            self.on_call()
        if not self.first.done():
            self.first.set_result(args)


@contextlib.contextmanager
def _watching(loop, kind="socket"):
    """Yields (net, Watched); on the way out every watch on its fds is removed."""
    with Net(loop) as net:
        w = Watched(net, kind)
        try:
            yield net, w
        finally:
            w.close(loop)


def _scenario(loop, kind, body):
    with _watching(loop, kind) as (net, w):
        body(net, w)


def _settle(net, loop):
    net.run(io_rounds(loop, 3), what="letting the loop poll for I/O")


# -- add_reader ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["socket", "pipe"])
@scope.check(
    "add_reader",
    "calls_with_args",
    requirement="Once the watched fd is readable, the loop calls the add_reader callback with the "
    "positional arguments given to add_reader (sockets and pipes).",
    covers=("add_reader.1", "add_reader.3"),
)
def test_add_reader_calls_with_args(loop, kind):
    def body(net, w):
        calls = Calls(loop, on_call=lambda: loop.remove_reader(w.read_fd))
        loop.add_reader(w.read_fd, calls, 1, "two", None)
        w.make_readable()
        args = net.run(calls.first, what=f"add_reader callback on a readable {kind}")
        expect_equal(args, (1, "two", None), "the add_reader callback got other arguments")

    _scenario(loop, kind, body)


@scope.check(
    "add_reader",
    "replaces_callback",
    docs="3.12",
    requirement="add_reader for an fd that already has a reader callback replaces it: only the new callback runs.",
    covers=("add_reader.4",),
)
def test_add_reader_replaces_callback(loop):
    def body(net, w):
        old = Calls(loop)
        new = Calls(loop, on_call=lambda: loop.remove_reader(w.read_fd))
        loop.add_reader(w.read_fd, old, "old")
        loop.add_reader(w.read_fd, new, "new")
        w.make_readable()
        net.run(new.first, what="the replacing add_reader callback")
        _settle(net, loop)
        expect_equal(old.args, [], "the replaced add_reader callback still ran")

    _scenario(loop, "socket", body)


class Counter:
    """Callback recorder for persistence checks: ``reached(n)`` resolves once it ran n times."""

    def __init__(self, loop, action=None):
        self.loop = loop
        self.count = 0
        self.action = action
        self._waiters = {}

    def __call__(self, *args):
        self.count += 1
        if self.action is not None:
            self.action()
        for n, fut in list(self._waiters.items()):
            if self.count >= n and not fut.done():
                fut.set_result(self.count)

    def reached(self, n):
        fut = self._waiters.setdefault(n, self.loop.create_future())
        if self.count >= n and not fut.done():
            fut.set_result(self.count)
        return fut


def _drain(sock):
    """Read everything queued on a non-blocking socket."""
    while True:
        try:
            if not sock.recv(65536):
                return
        except (BlockingIOError, InterruptedError):
            return


def _fill(sock):
    """Write to a non-blocking socket until its buffers are full."""
    chunk = b"f" * 65536
    while True:
        try:
            sock.send(chunk)
        except (BlockingIOError, InterruptedError):
            return


@scope.check(
    "add_reader",
    "persists",
    covers=("add_reader.2",),
    requirement="A reader stays registered until remove_reader: its callback runs again for each "
    "new read readiness (three in a row), without being added again.",
)
def test_add_reader_persists(loop):
    """19.5.1.10 add_reader: monitoring starts with add_reader and ends with remove_reader.

    The callback reads everything queued each time, so every call answers a fresh readiness:
    a one-shot registration (dropped after its first dispatch) or an edge that is never re-armed
    ends with fewer calls than readiness events.
    """
    with _watching(loop) as (net, w):
        calls = Counter(loop, action=lambda: _drain(w.sock))
        loop.add_reader(w.read_fd, calls)
        for n in (1, 2, 3):
            w.make_readable()
            net.run(
                calls.reached(n),
                what=f"reader callback for readiness #{n} (called {calls.count} times so far, never removed)",
            )


@scope.check(
    "add_reader",
    "repeats_while_readable",
    level=SHOULD,
    note="fdwatch-level-triggered",
    covers=("add_reader.2",),
    requirement="While the watched fd stays readable (the data is never read), the reader callback "
    "keeps being called on later polls.",
)
def test_add_reader_repeats_while_readable(loop):
    """19.5.1.10 add_reader: the fd stays available for reading, so a persistent watch reports it
    again; an edge-triggered loop (once per arrival) misses this. SHOULD: the doc does not name
    level or edge triggering.
    """
    with _watching(loop) as (net, w):
        calls = Counter(loop)
        loop.add_reader(w.read_fd, calls)
        w.make_readable()
        net.run(calls.reached(3), what=f"reader callback three times on unread data (called {calls.count} times)")


@scope.check(
    "add_writer",
    "persists",
    covers=("add_writer.2",),
    requirement="A writer stays registered until remove_writer: its callback runs again each time "
    "the fd becomes writable again (three in a row), without being added again.",
)
def test_add_writer_persists(loop):
    """19.5.1.10 add_writer: monitoring lasts until remove_writer.

    Each callback fills the socket until it would block; the check then drains the peer, which
    makes the fd writable again. A one-shot writer stops after the first fill.
    """
    with _watching(loop) as (net, w):
        w.peer.setblocking(False)
        calls = Counter(loop, action=lambda: _fill(w.sock))
        loop.add_writer(w.write_fd, calls)
        for n in (1, 2, 3):
            net.run(
                calls.reached(n),
                what=f"writer callback for writability #{n} (called {calls.count} times so far, never removed)",
            )
            _drain(w.peer)


@scope.check(
    "add_writer",
    "repeats_while_writable",
    level=SHOULD,
    note="fdwatch-level-triggered",
    covers=("add_writer.2",),
    requirement="While the watched fd stays writable, the writer callback keeps being called on later polls.",
)
def test_add_writer_repeats_while_writable(loop):
    """19.5.1.10 add_writer: a socket with room in its buffer stays available for writing, so a
    persistent watch reports it again. SHOULD: the doc does not name level or edge triggering.
    """
    with _watching(loop) as (net, w):
        calls = Counter(loop)
        loop.add_writer(w.write_fd, calls)
        net.run(calls.reached(3), what=f"writer callback three times on a writable socket (called {calls.count} times)")


@scope.check(
    "add_reader",
    "readd_in_callback_no_duplicates",
    docs="3.12",
    covers=("add_reader.4",),
    requirement="A reader callback that adds itself again for its fd (an identical registration) "
    "still runs once per readiness, not twice.",
)
def test_add_reader_readd_in_callback_no_duplicates(loop):
    """19.5.1.10 add_reader (3.12 docs): adding a reader for an fd that has one replaces it, so
    re-adding from inside the callback must not stack a second registration.
    """
    with _watching(loop) as (net, w):
        drained = []

        def again():
            drained.append(_recv_all(w.sock))
            loop.add_reader(w.read_fd, calls)

        calls = Counter(loop, action=again)
        loop.add_reader(w.read_fd, calls)
        for n in (1, 2, 3):
            w.make_readable()
            net.run(calls.reached(n), what=f"re-added reader callback for readiness #{n}")
            _settle(net, loop)
        expect_equal(
            drained,
            [b"x", b"x", b"x"],
            "a reader re-added from its own callback ran other than once per readiness "
            "(an empty read means a duplicate call)",
        )


def _recv_all(sock):
    got = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return got
        if not chunk:
            return got
        got += chunk


# -- remove_reader ------------------------------------------------------------------------------


@scope.check(
    "remove_reader",
    "returns_true",
    docs="3.10",
    requirement="remove_reader returns True when the fd was being watched for reading.",
    covers=("remove_reader.2",),
)
def test_remove_reader_returns_true(loop):
    def body(net, w):
        loop.add_reader(w.read_fd, Calls(loop))
        result = loop.remove_reader(w.read_fd)
        expect(result is True, "remove_reader of a watched fd did not return True", expected=True, observed=result)

    _scenario(loop, "socket", body)


@scope.check(
    "remove_reader",
    "returns_false",
    docs="3.10",
    requirement="remove_reader returns False when the fd was not being watched for reading (never "
    "added, already removed, or watched only for writing).",
    covers=("remove_reader.2",),
)
def test_remove_reader_returns_false(loop):
    def body(net, w):
        observed = {"never added": loop.remove_reader(w.read_fd)}
        loop.add_reader(w.read_fd, Calls(loop))
        loop.remove_reader(w.read_fd)
        observed["already removed"] = loop.remove_reader(w.read_fd)
        loop.add_writer(w.read_fd, Calls(loop))
        observed["watched for writing only"] = loop.remove_reader(w.read_fd)
        expect_equal(
            observed, {k: False for k in observed}, "remove_reader did not return False for an fd without a reader"
        )

    _scenario(loop, "socket", body)


@scope.check(
    "remove_reader",
    "stops_callbacks",
    requirement="After remove_reader, the removed callback is not called even though the fd is readable.",
    covers=("remove_reader.1",),
)
def test_remove_reader_stops_callbacks(loop):
    def body(net, w):
        calls = Calls(loop)
        loop.add_reader(w.read_fd, calls)
        w.make_readable()
        loop.remove_reader(w.read_fd)
        _settle(net, loop)
        expect_equal(calls.args, [], "the reader callback ran after remove_reader")

    _scenario(loop, "socket", body)


@scope.check(
    "remove_reader",
    "keeps_writer",
    requirement="remove_reader stops only read watching: a writer callback on the same fd still runs.",
    covers=("remove_reader.1",),
)
def test_remove_reader_keeps_writer(loop):
    def body(net, w):
        writer = Calls(loop, on_call=lambda: loop.remove_writer(w.write_fd))
        loop.add_writer(w.write_fd, writer)
        loop.add_reader(w.read_fd, Calls(loop))
        loop.remove_reader(w.read_fd)
        net.run(writer.first, what="the writer callback after remove_reader on the same fd")

    _scenario(loop, "socket", body)


# -- add_writer ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["socket", "pipe"])
@scope.check(
    "add_writer",
    "calls_with_args",
    requirement="Once the watched fd is writable, the loop calls the add_writer callback with the "
    "positional arguments given to add_writer (sockets and pipes).",
    covers=("add_writer.1", "add_writer.3"),
)
def test_add_writer_calls_with_args(loop, kind):
    def body(net, w):
        calls = Calls(loop, on_call=lambda: loop.remove_writer(w.write_fd))
        loop.add_writer(w.write_fd, calls, 1, "two", None)
        args = net.run(calls.first, what=f"add_writer callback on a writable {kind}")
        expect_equal(args, (1, "two", None), "the add_writer callback got other arguments")

    _scenario(loop, kind, body)


@scope.check(
    "add_writer",
    "replaces_callback",
    docs="3.12",
    requirement="add_writer for an fd that already has a writer callback replaces it: only the new callback runs.",
    covers=("add_writer.4",),
)
def test_add_writer_replaces_callback(loop):
    def body(net, w):
        old = Calls(loop)
        new = Calls(loop, on_call=lambda: loop.remove_writer(w.write_fd))
        loop.add_writer(w.write_fd, old, "old")
        loop.add_writer(w.write_fd, new, "new")
        net.run(new.first, what="the replacing add_writer callback")
        _settle(net, loop)
        expect_equal(old.args, [], "the replaced add_writer callback still ran")

    _scenario(loop, "socket", body)


# -- remove_writer ------------------------------------------------------------------------------


@scope.check(
    "remove_writer",
    "returns_true",
    docs="3.10",
    requirement="remove_writer returns True when the fd was being watched for writing.",
    covers=("remove_writer.2",),
)
def test_remove_writer_returns_true(loop):
    def body(net, w):
        loop.add_writer(w.write_fd, Calls(loop))
        result = loop.remove_writer(w.write_fd)
        expect(result is True, "remove_writer of a watched fd did not return True", expected=True, observed=result)

    _scenario(loop, "socket", body)


@scope.check(
    "remove_writer",
    "returns_false",
    docs="3.10",
    requirement="remove_writer returns False when the fd was not being watched for writing (never "
    "added, already removed, or watched only for reading).",
    covers=("remove_writer.2",),
)
def test_remove_writer_returns_false(loop):
    def body(net, w):
        observed = {"never added": loop.remove_writer(w.write_fd)}
        loop.add_writer(w.write_fd, Calls(loop))
        loop.remove_writer(w.write_fd)
        observed["already removed"] = loop.remove_writer(w.write_fd)
        loop.add_reader(w.write_fd, Calls(loop))
        observed["watched for reading only"] = loop.remove_writer(w.write_fd)
        expect_equal(
            observed, {k: False for k in observed}, "remove_writer did not return False for an fd without a writer"
        )

    _scenario(loop, "socket", body)


@scope.check(
    "remove_writer",
    "stops_callbacks",
    requirement="After remove_writer, the removed callback is not called even though the fd is writable.",
    covers=("remove_writer.1",),
)
def test_remove_writer_stops_callbacks(loop):
    def body(net, w):
        calls = Calls(loop)
        loop.add_writer(w.write_fd, calls)
        loop.remove_writer(w.write_fd)
        _settle(net, loop)
        expect_equal(calls.args, [], "the writer callback ran after remove_writer")

    _scenario(loop, "socket", body)


@scope.check(
    "remove_writer",
    "keeps_reader",
    requirement="remove_writer stops only write watching: a reader callback on the same fd still runs.",
    covers=("remove_writer.1",),
)
def test_remove_writer_keeps_reader(loop):
    def body(net, w):
        reader = Calls(loop, on_call=lambda: loop.remove_reader(w.read_fd))
        loop.add_reader(w.read_fd, reader)
        loop.add_writer(w.write_fd, Calls(loop))
        loop.remove_writer(w.write_fd)
        w.make_readable()
        net.run(reader.first, what="the reader callback after remove_writer on the same fd")

    _scenario(loop, "socket", body)


@scope.check(
    "remove_reader",
    "returns_true_with_writer",
    docs="3.10",
    requirement="remove_reader/remove_writer return True for a watched fd also when the fd is "
    "watched in the other direction too.",
    covers=("remove_reader.2",),
)
def test_remove_reader_returns_true_with_writer(loop):
    with _watching(loop) as (_, w):
        fd = w.read_fd
        loop.add_reader(fd, lambda: None)
        loop.add_writer(fd, lambda: None)
        first = loop.remove_reader(fd)
        loop.add_reader(fd, lambda: None)
        second = loop.remove_writer(fd)
        third = loop.remove_reader(fd)
        observed = {
            "remove_reader (writer also set)": first,
            "remove_writer (reader also set)": second,
            "remove_reader (alone)": third,
        }
        expect_equal(
            observed,
            dict.fromkeys(observed, True),
            "remove_reader/remove_writer did not return True for a removed callback",
        )
