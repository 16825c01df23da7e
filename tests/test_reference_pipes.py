"""Smoke tests of reference_loop's pipe transports (19.5.1.13 connect_read_pipe / connect_write_pipe).

The conformance suites are the real judge; these pin down the reference behaviour directly
(event order, flow control, peer-closed detection) and check nothing leaks.
"""

import asyncio
import os
import socket
import tempfile

import pytest

import reference_loop
from loopconf import invariants

TIMEOUT = 5.0


@pytest.fixture
def loop():
    before = invariants.take()
    loop = reference_loop.new_event_loop()
    yield loop
    loop.close()
    assert invariants.leaks(before) == []


def run(loop, coro):
    return loop.run_until_complete(asyncio.wait_for(coro, TIMEOUT))


class Recorder(asyncio.Protocol):
    """Records every callback as a tuple; ``lost`` resolves at connection_lost."""

    def __init__(self, loop):
        self.events = []
        self.data = b""
        self.lost = loop.create_future()

    def connection_made(self, transport):
        self.events.append(("connection_made",))

    def data_received(self, data):
        self.events.append(("data_received",))
        self.data += data

    def eof_received(self):
        self.events.append(("eof_received",))

    def pause_writing(self):
        self.events.append(("pause_writing",))

    def resume_writing(self):
        self.events.append(("resume_writing",))

    def connection_lost(self, exc):
        self.events.append(("connection_lost", exc))
        self.lost.set_result(exc)

    def names(self):
        return [e[0] for e in self.events]


def is_open(fd):
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


# -- connect_read_pipe ---------------------------------------------------------------------


def test_read_pipe_delivers_data_then_eof_then_lost(loop):
    rfd, wfd = os.pipe()
    pipe = open(rfd, "rb", buffering=0)
    proto = Recorder(loop)

    async def main():
        transport, p = await loop.connect_read_pipe(lambda: proto, pipe)
        assert p is proto
        assert proto.names() == ["connection_made"]
        assert isinstance(transport, asyncio.ReadTransport)
        assert transport.get_extra_info("pipe") is pipe
        assert os.get_blocking(rfd) is False
        assert transport.is_reading()
        os.write(wfd, b"hello ")
        os.write(wfd, b"world")
        os.close(wfd)
        exc = await proto.lost
        return transport, exc

    transport, exc = run(loop, main())
    assert exc is None
    assert proto.data == b"hello world"
    names = proto.names()
    assert names[0] == "connection_made"
    assert names[-2:] == ["eof_received", "connection_lost"]
    assert names.count("connection_lost") == 1
    assert transport.is_closing()
    assert pipe.closed


def test_read_pipe_close_calls_connection_lost_once(loop):
    rfd, wfd = os.pipe()
    proto = Recorder(loop)

    async def main():
        transport, _ = await loop.connect_read_pipe(lambda: proto, open(rfd, "rb", buffering=0))
        transport.close()
        transport.close()
        assert transport.is_closing()
        assert not transport.is_reading()
        await proto.lost
        await asyncio.sleep(0)

    run(loop, main())
    os.close(wfd)
    assert proto.names() == ["connection_made", "connection_lost"]
    assert not is_open(rfd)


def test_read_pipe_pause_and_resume(loop):
    rfd, wfd = os.pipe()
    proto = Recorder(loop)

    async def main():
        transport, _ = await loop.connect_read_pipe(lambda: proto, open(rfd, "rb", buffering=0))
        transport.pause_reading()
        assert not transport.is_reading()
        os.write(wfd, b"x")
        for _ in range(5):
            await asyncio.sleep(0)
        assert proto.data == b""
        transport.resume_reading()
        assert transport.is_reading()
        while not proto.data:
            await asyncio.sleep(0.001)
        transport.close()
        await proto.lost

    run(loop, main())
    os.close(wfd)
    assert proto.data == b"x"


def test_read_pipe_rejects_regular_file_and_leaves_it_open(loop):
    with tempfile.TemporaryFile() as f:
        with pytest.raises(ValueError):
            run(loop, loop.connect_read_pipe(lambda: Recorder(loop), f))
        with pytest.raises(ValueError):
            run(loop, loop.connect_write_pipe(lambda: Recorder(loop), f))
        assert not f.closed


def test_read_pipe_over_socket(loop):
    a, b = socket.socketpair()
    proto = Recorder(loop)

    async def main():
        transport, _ = await loop.connect_read_pipe(lambda: proto, a)
        b.sendall(b"over a socket")
        b.close()
        await proto.lost

    run(loop, main())
    assert proto.data == b"over a socket"
    assert proto.names()[-2:] == ["eof_received", "connection_lost"]
    assert a.fileno() == -1


# -- connect_write_pipe --------------------------------------------------------------------


def test_write_pipe_writes_and_write_eof(loop):
    rfd, wfd = os.pipe()
    pipe = open(wfd, "wb", buffering=0)
    proto = Recorder(loop)

    async def main():
        transport, _ = await loop.connect_write_pipe(lambda: proto, pipe)
        assert isinstance(transport, asyncio.WriteTransport)
        assert transport.get_extra_info("pipe") is pipe
        assert os.get_blocking(wfd) is False
        assert transport.can_write_eof()
        transport.write(b"abc")
        transport.write(bytearray(b"def"))
        transport.write(memoryview(b"ghi"))
        transport.writelines([b"jk", b"l"])
        transport.write(b"")
        with pytest.raises(TypeError):
            transport.write("text")
        transport.write_eof()
        assert transport.is_closing()
        return await proto.lost

    assert run(loop, main()) is None
    with open(rfd, "rb") as r:
        assert r.read() == b"abcdefghijkl"
    assert pipe.closed
    assert proto.names() == ["connection_made", "connection_lost"]


def test_write_pipe_flow_control_and_flush_on_close(loop):
    rfd, wfd = os.pipe()
    proto = Recorder(loop)
    payload = os.urandom(1024 * 1024)  # far more than a pipe's kernel buffer

    async def main():
        transport, _ = await loop.connect_write_pipe(lambda: proto, open(wfd, "wb", buffering=0))
        transport.set_write_buffer_limits(high=1024)
        assert transport.get_write_buffer_limits() == (256, 1024)
        transport.write(payload)
        assert transport.get_write_buffer_size() > 0
        assert proto.names() == ["connection_made", "pause_writing"]
        transport.close()  # must flush first
        received = bytearray()
        reader = loop.create_future()

        def readable():
            chunk = os.read(rfd, 65536)
            if chunk:
                received.extend(chunk)
            else:
                loop.remove_reader(rfd)
                reader.set_result(None)

        loop.add_reader(rfd, readable)
        await reader
        await proto.lost
        return bytes(received), transport.get_write_buffer_size()

    received, size = run(loop, main())
    os.close(rfd)
    assert received == payload
    assert size == 0
    assert proto.names() == ["connection_made", "pause_writing", "resume_writing", "connection_lost"]


def test_write_pipe_buffer_limits_validation(loop):
    rfd, wfd = os.pipe()
    proto = Recorder(loop)

    async def main():
        transport, _ = await loop.connect_write_pipe(lambda: proto, open(wfd, "wb", buffering=0))
        with pytest.raises(ValueError):
            transport.set_write_buffer_limits(high=1, low=2)
        with pytest.raises(ValueError):
            transport.set_write_buffer_limits(low=-1)
        transport.set_write_buffer_limits(low=100)
        assert transport.get_write_buffer_limits() == (100, 400)
        transport.close()
        await proto.lost

    run(loop, main())
    os.close(rfd)


@pytest.mark.parametrize("pending", [False, True], ids=["idle", "buffered"])
def test_write_pipe_notices_reader_closing(loop, pending):
    rfd, wfd = os.pipe()
    proto = Recorder(loop)

    async def main():
        transport, _ = await loop.connect_write_pipe(lambda: proto, open(wfd, "wb", buffering=0))
        if pending:
            transport.write(b"x" * (1024 * 1024))
            assert transport.get_write_buffer_size() > 0
        os.close(rfd)
        return await proto.lost

    exc = run(loop, main())
    if pending:
        assert isinstance(exc, BrokenPipeError)
    else:
        assert exc is None
    assert proto.names().count("connection_lost") == 1
    assert not is_open(wfd)


def test_write_pipe_write_to_broken_pipe_reports_broken_pipe(loop):
    rfd, wfd = os.pipe()
    proto = Recorder(loop)

    async def main():
        transport, _ = await loop.connect_write_pipe(lambda: proto, open(wfd, "wb", buffering=0))
        os.close(rfd)
        transport.write(b"data")  # fails at once with EPIPE
        return await proto.lost

    exc = run(loop, main())
    assert isinstance(exc, BrokenPipeError)
    assert proto.names().count("connection_lost") == 1


def test_write_pipe_abort_discards_and_loses_once(loop):
    rfd, wfd = os.pipe()
    proto = Recorder(loop)

    async def main():
        transport, _ = await loop.connect_write_pipe(lambda: proto, open(wfd, "wb", buffering=0))
        transport.write(b"y" * (1024 * 1024))
        transport.close()
        transport.abort()
        transport.abort()
        assert transport.get_write_buffer_size() == 0
        await proto.lost
        for _ in range(3):
            await asyncio.sleep(0)

    run(loop, main())
    os.close(rfd)
    assert proto.names().count("connection_lost") == 1
    assert not is_open(wfd)


def test_write_after_close_is_dropped(loop):
    rfd, wfd = os.pipe()
    proto = Recorder(loop)

    async def main():
        transport, _ = await loop.connect_write_pipe(lambda: proto, open(wfd, "wb", buffering=0))
        transport.close()
        transport.write(b"late")
        await proto.lost

    run(loop, main())
    with open(rfd, "rb") as r:
        assert r.read() == b""


def test_close_after_the_loop_closed_releases_the_pipe():
    """A transport closed after its loop closed cannot call connection_lost, but frees its pipe."""
    before = invariants.take()
    loop = reference_loop.new_event_loop()
    rfd, wfd = os.pipe()
    proto = Recorder(loop)
    transport, _ = run(loop, loop.connect_read_pipe(lambda: proto, open(rfd, "rb", buffering=0)))
    loop.close()
    transport.close()
    os.close(wfd)
    assert proto.names() == ["connection_made"]
    assert invariants.leaks(before) == []
