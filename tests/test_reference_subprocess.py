"""Smoke tests of reference_loop's subprocess support (subprocess page: subprocess_exec,
subprocess_shell, SubprocessTransport, SubprocessProtocol call order).

Small pipeline programs: echo through `cat`, exit codes, closing stdin, kill, and the child
watcher's thread fallback. Every test checks that no child, thread or fd is left behind.
"""

import asyncio
import os
import signal
import subprocess
import sys

import pytest

import reference_loop
from loopconf import invariants
from reference_loop import child_watch

TIMEOUT = 10.0


@pytest.fixture
def loop():
    before = invariants.take()
    loop = reference_loop.new_event_loop()
    yield loop
    loop.close()
    assert invariants.leaks(before) == []


@pytest.fixture(params=["pidfd", "thread"])
def watch_mode(request, monkeypatch):
    """Run a test with each child-watching strategy (pidfd where available, the thread always)."""
    if request.param == "thread":
        monkeypatch.setattr(child_watch.ChildWatch, "_watch_pidfd", lambda self: False)
    elif not hasattr(os, "pidfd_open"):
        pytest.skip("os.pidfd_open is not available on this platform")
    return request.param


def run(loop, coro):
    return loop.run_until_complete(asyncio.wait_for(coro, TIMEOUT))


class Recorder(asyncio.SubprocessProtocol):
    def __init__(self, loop):
        self.events = []
        self.data = {1: b"", 2: b""}
        self.transport = None
        self.lost = loop.create_future()
        self.exited = loop.create_future()

    def connection_made(self, transport):
        self.transport = transport
        self.events.append(("connection_made",))

    def pipe_data_received(self, fd, data):
        self.events.append(("pipe_data_received", fd))
        self.data[fd] += data

    def pipe_connection_lost(self, fd, exc):
        self.events.append(("pipe_connection_lost", fd, exc))

    def process_exited(self):
        self.events.append(("process_exited",))
        self.exited.set_result(self.transport.get_returncode())

    def connection_lost(self, exc):
        self.events.append(("connection_lost", exc))
        self.lost.set_result(exc)

    def names(self):
        return [e[0] for e in self.events]


def check_order(proto, pipes=(0, 1, 2)):
    names = proto.names()
    assert names[0] == "connection_made"
    assert names[-1] == "connection_lost"
    assert names.count("connection_made") == 1
    assert names.count("process_exited") == 1
    assert names.count("connection_lost") == 1
    lost_fds = sorted(e[1] for e in proto.events if e[0] == "pipe_connection_lost")
    assert lost_fds == sorted(pipes)
    for fd in (1, 2):
        data_at = [i for i, e in enumerate(proto.events) if e[:2] == ("pipe_data_received", fd)]
        lost_at = [i for i, e in enumerate(proto.events) if e[:2] == ("pipe_connection_lost", fd)]
        if data_at and lost_at:
            assert max(data_at) < lost_at[0]


def py(code):
    return (sys.executable, "-c", code)


def test_echo_through_cat(loop, watch_mode):
    proto = Recorder(loop)

    async def main():
        transport, p = await loop.subprocess_exec(lambda: proto, "cat")
        assert p is proto and proto.names() == ["connection_made"]
        assert isinstance(transport, asyncio.SubprocessTransport)
        stdin = transport.get_pipe_transport(0)
        assert isinstance(stdin, asyncio.WriteTransport)
        assert isinstance(transport.get_pipe_transport(1), asyncio.ReadTransport)
        assert isinstance(transport.get_pipe_transport(2), asyncio.ReadTransport)
        assert transport.get_pipe_transport(3) is None
        assert transport.get_returncode() is None
        popen = transport.get_extra_info("subprocess")
        assert isinstance(popen, subprocess.Popen) and popen.pid == transport.get_pid()
        stdin.write(b"ping\n")
        stdin.writelines([b"po", b"ng\n"])
        stdin.close()  # cat sees EOF and exits
        await proto.lost
        return transport

    transport = run(loop, main())
    assert proto.data == {1: b"ping\npong\n", 2: b""}
    assert transport.get_returncode() == 0
    check_order(proto)
    transport.close()


@pytest.mark.parametrize("code", [0, 1, 7, 255])
def test_exit_codes(loop, code):
    proto = Recorder(loop)

    async def main():
        transport, _ = await loop.subprocess_shell(lambda: proto, f"exit {code}")
        returncode = await proto.exited
        await proto.lost
        transport.close()
        return returncode, transport.get_returncode()

    assert run(loop, main()) == (code, code)
    check_order(proto)


@pytest.mark.parametrize(
    "how, expected", [("kill", -signal.SIGKILL), ("terminate", -signal.SIGTERM), ("send_signal", -signal.SIGINT)]
)
def test_signals_give_negative_returncodes(loop, watch_mode, how, expected):
    proto = Recorder(loop)

    async def main():
        # The child announces it is ready so the signal is not delivered during interpreter start-up.
        code = "import signal,sys,time; signal.signal(signal.SIGINT, signal.SIG_DFL); print('ready', flush=True); time.sleep(30)"  # noqa: E501
        transport, _ = await loop.subprocess_exec(lambda: proto, *py(code))
        while b"ready" not in proto.data[1]:
            await asyncio.sleep(0.005)
        if how == "send_signal":
            transport.send_signal(signal.SIGINT)
        else:
            getattr(transport, how)()
        await proto.lost
        transport.close()
        return transport.get_returncode()

    assert run(loop, main()) == expected
    check_order(proto)


def test_kill_after_exit_and_after_connection_lost(loop):
    proto = Recorder(loop)
    outcomes = []

    class KillOnExit(Recorder):
        def process_exited(self):
            super().process_exited()
            self.transport.kill()  # exited but not finished: no error
            outcomes.append("kill ok")

    proto = KillOnExit(loop)

    async def main():
        transport, _ = await loop.subprocess_exec(lambda: proto, "true")
        await proto.lost
        return transport

    transport = run(loop, main())
    assert outcomes == ["kill ok"]
    for method in (transport.kill, transport.terminate, lambda: transport.send_signal(signal.SIGTERM)):
        with pytest.raises(ProcessLookupError):
            method()
    transport.close()


def test_close_kills_a_running_child_and_reaps_it(loop, watch_mode):
    proto = Recorder(loop)

    async def main():
        transport, _ = await loop.subprocess_exec(lambda: proto, "sleep", "30")
        pid = transport.get_pid()
        transport.close()
        assert transport.is_closing()
        assert all(transport.get_pipe_transport(fd).is_closing() for fd in (0, 1, 2))
        await proto.lost
        return transport, pid

    transport, pid = run(loop, main())
    assert transport.get_returncode() == -signal.SIGKILL
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: no zombie
    check_order(proto)


def test_stdin_close_and_stderr_to_stdout(loop):
    proto = Recorder(loop)

    async def main():
        code = "import sys; data = sys.stdin.read(); sys.stderr.write('err:' + data); sys.stderr.flush()"
        transport, _ = await loop.subprocess_exec(lambda: proto, *py(code), stderr=subprocess.STDOUT)
        assert transport.get_pipe_transport(2) is None
        transport.get_pipe_transport(0).write(b"abc")
        transport.get_pipe_transport(0).write_eof()
        await proto.lost
        transport.close()
        return transport.get_returncode()

    assert run(loop, main()) == 0
    assert proto.data[1] == b"err:abc"
    check_order(proto, pipes=(0, 1))


def test_no_pipes_at_all(loop):
    proto = Recorder(loop)

    async def main():
        transport, _ = await loop.subprocess_exec(
            lambda: proto, "true", stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        assert [transport.get_pipe_transport(fd) for fd in (0, 1, 2)] == [None, None, None]
        await proto.lost
        transport.close()

    run(loop, main())
    assert proto.names() == ["connection_made", "process_exited", "connection_lost"]


def test_pipes_over_os_pipe(loop):
    """A child writing into an os.pipe() read through connect_read_pipe, stdout redirected to it."""
    rfd, wfd = os.pipe()
    proto = Recorder(loop)
    received = []

    class Reader(asyncio.Protocol):
        def __init__(self):
            self.done = loop.create_future()

        def data_received(self, data):
            received.append(data)

        def connection_lost(self, exc):
            self.done.set_result(exc)

    async def main():
        reader = Reader()
        await loop.connect_read_pipe(lambda: reader, open(rfd, "rb", buffering=0))
        transport, _ = await loop.subprocess_shell(lambda: proto, "echo via-os-pipe", stdout=wfd)
        os.close(wfd)  # the child holds the only write end now
        await reader.done
        await proto.lost
        transport.close()

    run(loop, main())
    assert b"".join(received) == b"via-os-pipe\n"
    check_order(proto, pipes=(0, 2))


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(universal_newlines=True),
        dict(text=True),
        dict(bufsize=1),
        dict(encoding="utf-8"),
        dict(errors="strict"),
        dict(shell=True),
    ],
    ids=lambda kw: next(iter(kw)),
)
def test_exec_rejects_options(loop, kwargs):
    made = []
    with pytest.raises(ValueError):
        run(loop, loop.subprocess_exec(lambda: made.append(1), "true", **kwargs))
    assert made == []


@pytest.mark.parametrize(
    "cmd, kwargs",
    [("true", dict(shell=False)), ("true", dict(text=True)), ("true", dict(bufsize=-1)), (["true"], {}), (None, {})],
)
def test_shell_rejects_options(loop, cmd, kwargs):
    with pytest.raises(ValueError):
        run(loop, loop.subprocess_shell(Recorder, cmd, **kwargs))


def test_shell_accepts_bytes(loop):
    proto = Recorder(loop)

    async def main():
        transport, _ = await loop.subprocess_shell(lambda: proto, b"echo bytes")
        await proto.lost
        transport.close()

    run(loop, main())
    assert proto.data[1] == b"bytes\n"


def test_missing_program_raises_and_leaks_nothing(loop):
    with pytest.raises(FileNotFoundError):
        run(loop, loop.subprocess_exec(lambda: Recorder(loop), "/nonexistent/program-xyz"))


def test_cancelled_while_connecting_kills_and_reaps(loop):
    async def main():
        proto = Recorder(loop)
        task = loop.create_task(loop.subprocess_exec(lambda: proto, "sleep", "30"))
        await asyncio.sleep(0)  # the child is spawned in the task's first step
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return proto

    proto = run(loop, main())
    assert "connection_made" not in proto.names()


def test_many_children_concurrently(loop):
    async def one(i):
        proto = Recorder(loop)
        transport, _ = await loop.subprocess_shell(lambda: proto, f"echo {i}; exit {i % 5}")
        await proto.lost
        transport.close()
        return proto.data[1], transport.get_returncode()

    async def main():
        return await asyncio.gather(*(one(i) for i in range(8)))

    results = run(loop, main())
    assert results == [(f"{i}\n".encode(), i % 5) for i in range(8)]


def test_loop_closed_before_child_exit_reaps_in_background(watch_mode):
    """close() kills the child; the loop closes before the exit is seen: no zombie, fd or thread stays."""
    before = invariants.take()
    loop = reference_loop.new_event_loop()

    async def main():
        transport, _ = await loop.subprocess_exec(asyncio.SubprocessProtocol, "sleep", "30")
        transport.close()
        return transport.get_extra_info("subprocess")

    popen = run(loop, main())
    loop.close()
    assert invariants.leaks(before) == []
    assert popen.returncode == -signal.SIGKILL


def test_high_level_create_subprocess_exec_communicate(loop):
    """asyncio.subprocess.Process runs on the reference loop (it relies on the transport's _wait)."""

    async def main():
        proc = await asyncio.create_subprocess_exec(
            "cat", stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        out, err = await proc.communicate(b"through cat")
        return out, err, proc.returncode, await proc.wait()

    assert run(loop, main()) == (b"through cat", b"", 0, 0)


def test_high_level_create_subprocess_shell_wait(loop):
    async def main():
        proc = await asyncio.create_subprocess_shell("exit 3")
        return await proc.wait()

    assert run(loop, main()) == 3


def test_close_after_unnoticed_exit_keeps_the_real_returncode(loop, watch_mode):
    """close() of a child that exited before the loop noticed must not reap it behind the watcher's
    back (stock 3.12+/pidfd reports 255 there); the real exit status is reported."""
    import time

    proto = Recorder(loop)

    async def main():
        transport, _ = await loop.subprocess_shell(lambda: proto, "sleep 0.1; exit 4")
        pid = transport.get_pid()
        # Block the loop until the child has exited, without reaping it.
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
        time.sleep(0.01)
        transport.close()
        await proto.lost
        return transport.get_returncode()

    assert run(loop, main()) == 4
