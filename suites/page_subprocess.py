"""Subprocess transports: loop.subprocess_exec / subprocess_shell and SubprocessTransport.

Referenced by 19.5.1.13 ("See also"); judged by the subprocess part of the loop page and the
SubprocessTransport / SubprocessProtocol documentation of 3.10 (unchanged through 3.13).
Children are copies of the running interpreter (``sys.executable -c``); every check waits for
its children to exit (killing them if needed) before it ends.
"""

import asyncio
import os
import shlex
import signal
import subprocess
import tempfile

import pytest

from loopconf import checks
from loopconf.checks import SHOULD, UNIX
from loopconf.evidence import expect, expect_equal

from ._support.subproc import RecordingSubprocessProtocol, py

scope = checks.scope(
    area="subprocess", section="subprocess", anchor="asyncio.loop.{method}", docs="3.10", platforms=UNIX
)
WAIT = 5.0

READY_THEN_WAIT = (
    "import signal, sys\n"
    "signal.signal(signal.SIGUSR2, signal.SIG_DFL)\n"
    "sys.stdout.write('ready'); sys.stdout.flush()\n"
    "sys.stdin.read()\n"
    "sys.exit(3)\n"
)


async def _spawn(loop, *args, shell=False, **kwargs):
    """subprocess_exec/shell with a recording protocol; returns (transport, protocol)."""
    holder = []

    def factory():
        holder.append(RecordingSubprocessProtocol(loop))
        return holder[-1]

    make = loop.subprocess_shell if shell else loop.subprocess_exec
    transport, protocol = await asyncio.wait_for(make(factory, *args, **kwargs), WAIT)
    return transport, protocol, holder


async def _finish(transport, protocol):
    """Make sure the child is gone and the transport closed (used in ``finally``)."""
    try:
        if transport.get_returncode() is None:
            transport.kill()
    except ProcessLookupError:
        pass
    try:
        await asyncio.wait_for(asyncio.shield(protocol.done), WAIT)
    except asyncio.TimeoutError:
        pass
    transport.close()


async def _wait_output(protocol, fd, text):
    for _ in range(int(WAIT / 0.005)):
        if text in protocol.data.get(fd, b""):
            return
        if protocol.done.done():
            break
        await asyncio.sleep(0.005)
    raise AssertionError(f"the child never wrote {text!r} on fd {fd}; got {protocol.data!r}")


def _run(loop, coro_fn):
    """Run ``coro_fn(state)`` where ``state`` collects (transport, protocol) to clean up."""

    async def main():
        spawned = []
        try:
            return await coro_fn(spawned)
        finally:
            for transport, protocol in spawned:
                await _finish(transport, protocol)

    return loop.run_until_complete(main())


# --- creation ----------------------------------------------------------------------------------------


@scope.check(
    "subprocess_exec",
    "returns_transport_protocol",
    requirement="subprocess_exec returns (transport, protocol): an asyncio.SubprocessTransport and "
    "the protocol instance built by the factory.",
    covers=("subprocess_exec.1",),
)
def test_exec_returns_pair(loop):
    async def body(spawned):
        transport, protocol, made = await _spawn(loop, *py("pass"), stdin=subprocess.DEVNULL)
        spawned.append((transport, protocol))
        expect(
            isinstance(transport, asyncio.SubprocessTransport),
            "subprocess_exec did not return an asyncio.SubprocessTransport",
            observed=type(transport).__name__,
        )
        expect(made and protocol is made[0], "subprocess_exec did not return the factory's protocol")
        await asyncio.wait_for(asyncio.shield(protocol.done), WAIT)

    _run(loop, body)


@scope.check(
    "subprocess_shell",
    "returns_transport_protocol",
    requirement="subprocess_shell runs the command through the shell and returns (transport, "
    "protocol): an asyncio.SubprocessTransport and the factory's protocol.",
    covers=("subprocess_shell.1",),
)
def test_shell_returns_pair(loop):
    async def body(spawned):
        transport, protocol, made = await _spawn(loop, "echo $((6*7))", shell=True, stdin=subprocess.DEVNULL)
        spawned.append((transport, protocol))
        expect(
            isinstance(transport, asyncio.SubprocessTransport),
            "subprocess_shell did not return an asyncio.SubprocessTransport",
            observed=type(transport).__name__,
        )
        expect(made and protocol is made[0], "subprocess_shell did not return the factory's protocol")
        await asyncio.wait_for(asyncio.shield(protocol.done), WAIT)
        expect_equal(protocol.data[1].strip(), b"42", "the command was not run by the shell")

    _run(loop, body)


# --- protocol callbacks -----------------------------------------------------------------------------


@scope.check(
    "subprocess_exec",
    "callback_order",
    topic="protocol",
    requirement="The protocol sees connection_made first, process_exited exactly once, and "
    "connection_lost exactly once, last.",
    covers=("subprocess_protocol.2",),
)
def test_callback_order(loop):
    async def body(spawned):
        transport, protocol, _ = await _spawn(loop, *py("print('x')"), stdin=subprocess.DEVNULL)
        spawned.append((transport, protocol))
        await asyncio.wait_for(asyncio.shield(protocol.done), WAIT)
        await asyncio.sleep(0)  # a duplicate callback scheduled at the end would show up now
        return protocol.names(), protocol.events

    names, events = _run(loop, body)
    expect(names and names[0] == "connection_made", "connection_made was not the first callback", observed=names)
    expect_equal(names.count("process_exited"), 1, "process_exited was not called exactly once")
    expect_equal(names.count("connection_lost"), 1, "connection_lost was not called exactly once")
    expect(names[-1] == "connection_lost", "connection_lost was not the last callback", observed=names)
    expect(events[0][1] is not None, "connection_made received no transport")


@scope.check(
    "subprocess_exec",
    "pipe_data_received",
    topic="protocol",
    requirement="Output of the child reaches pipe_data_received(fd, data) with fd 1 for stdout and "
    "fd 2 for stderr, as bytes.",
    covers=("subprocess_protocol.1",),
)
def test_pipe_data_received(loop):
    code = "import sys; sys.stdout.write('lcx-out'); sys.stdout.flush(); sys.stderr.write('lcx-err')"

    async def body(spawned):
        transport, protocol, _ = await _spawn(loop, *py(code), stdin=subprocess.DEVNULL)
        spawned.append((transport, protocol))
        await asyncio.wait_for(asyncio.shield(protocol.done), WAIT)
        return protocol

    protocol = _run(loop, body)
    fds = {e[1] for e in protocol.events if e[0] == "pipe_data_received"}
    expect(fds <= {1, 2}, "pipe_data_received got an fd other than 1 or 2", observed=sorted(fds))
    expect_equal(protocol.data.get(1), b"lcx-out", "stdout data did not arrive on fd 1")
    expect_equal(protocol.data.get(2), b"lcx-err", "stderr data did not arrive on fd 2")


@scope.check(
    "subprocess_exec",
    "pipe_connection_lost",
    topic="protocol",
    requirement="pipe_connection_lost(fd, exc) is called once for each of the child's stdout (1) "
    "and stderr (2) pipes, with exc None on a clean end of file, before connection_lost.",
    covers=("subprocess_protocol.1",),
)
def test_pipe_connection_lost(loop):
    async def body(spawned):
        transport, protocol, _ = await _spawn(loop, *py("pass"), stdin=subprocess.DEVNULL)
        spawned.append((transport, protocol))
        await asyncio.wait_for(asyncio.shield(protocol.done), WAIT)
        return protocol

    protocol = _run(loop, body)
    lost = [e for e in protocol.events if e[0] == "pipe_connection_lost"]
    expect_equal(sorted(e[1] for e in lost), [1, 2], "pipe_connection_lost was not called once for fd 1 and 2")
    expect(
        all(e[2] is None for e in lost),
        "pipe_connection_lost got an exception for a clean EOF",
        observed=[repr(e[2]) for e in lost],
    )
    names = protocol.names()
    expect(
        max(i for i, n in enumerate(names) if n == "pipe_connection_lost") < names.index("connection_lost"),
        "pipe_connection_lost came after connection_lost",
        observed=names,
    )


# --- transport methods ------------------------------------------------------------------------------


@scope.check(
    "subprocess_exec",
    "get_pid",
    topic="transport",
    requirement="SubprocessTransport.get_pid returns the child's process id.",
    covers=("subprocess_transport.1",),
)
def test_get_pid(loop):
    async def body(spawned):
        transport, protocol, _ = await _spawn(loop, *py("import os; print(os.getpid())"), stdin=subprocess.DEVNULL)
        spawned.append((transport, protocol))
        pid = transport.get_pid()
        await asyncio.wait_for(asyncio.shield(protocol.done), WAIT)
        return pid, protocol.data[1]

    pid, out = _run(loop, body)
    expect_equal(pid, int(out.strip() or b"-1"), "get_pid differs from the pid the child reported")


@scope.check(
    "subprocess_exec",
    "get_returncode",
    topic="transport",
    requirement="SubprocessTransport.get_returncode is None while the child runs and its exit "
    "status once it has exited.",
    covers=("subprocess_transport.2",),
)
def test_get_returncode(loop):
    async def body(spawned):
        transport, protocol, _ = await _spawn(loop, *py(READY_THEN_WAIT))
        spawned.append((transport, protocol))
        await _wait_output(protocol, 1, b"ready")
        running = transport.get_returncode()
        transport.get_pipe_transport(0).close()  # EOF on stdin: the child exits with status 3
        await asyncio.wait_for(asyncio.shield(protocol.exited), WAIT)
        return running, transport.get_returncode()

    running, exited = _run(loop, body)
    expect(running is None, "get_returncode was not None while the child was running", observed=running)
    expect_equal(exited, 3, "get_returncode after exit is not the child's exit status")


@scope.check(
    "subprocess_exec",
    "signals",
    topic="transport",
    requirement="kill(), terminate() and send_signal(sig) deliver SIGKILL, SIGTERM and sig to the "
    "child; get_returncode is then minus the signal number.",
    covers=("subprocess_transport.3",),
)
@pytest.mark.parametrize("how", ["kill", "terminate", "send_signal"])
def test_signals(loop, how):
    expected = {"kill": signal.SIGKILL, "terminate": signal.SIGTERM, "send_signal": signal.SIGUSR2}[how]

    async def body(spawned):
        transport, protocol, _ = await _spawn(loop, *py(READY_THEN_WAIT))
        spawned.append((transport, protocol))
        await _wait_output(protocol, 1, b"ready")
        if how == "send_signal":
            transport.send_signal(signal.SIGUSR2)
        else:
            getattr(transport, how)()
        await asyncio.wait_for(asyncio.shield(protocol.exited), WAIT)
        return transport.get_returncode()

    code = _run(loop, body)
    expect_equal(code, -int(expected), f"{how}() did not end the child with signal {int(expected)}")


@scope.check(
    "subprocess_exec",
    "get_pipe_transport",
    topic="transport",
    requirement="get_pipe_transport(0) is a WriteTransport for stdin, 1 and 2 are ReadTransports "
    "for stdout and stderr when those are pipes, and None for a stream that is not a "
    "pipe.",
    covers=("subprocess_transport.4",),
)
def test_get_pipe_transport(loop):
    async def body(spawned):
        transport, protocol, _ = await _spawn(loop, *py("import sys; sys.stdin.read()"))
        spawned.append((transport, protocol))
        kinds = [transport.get_pipe_transport(fd) for fd in (0, 1, 2)]
        # checked before waiting: the cleanup in _run kills the child if one fails
        expect(
            isinstance(kinds[0], asyncio.WriteTransport),
            "get_pipe_transport(0) is not a WriteTransport",
            observed=type(kinds[0]).__name__,
        )
        for fd in (1, 2):
            expect(
                isinstance(kinds[fd], asyncio.ReadTransport),
                f"get_pipe_transport({fd}) is not a ReadTransport",
                observed=type(kinds[fd]).__name__,
            )
        kinds[0].close()
        await asyncio.wait_for(asyncio.shield(protocol.done), WAIT)
        other, oprotocol, _ = await _spawn(loop, *py("pass"), stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        spawned.append((other, oprotocol))
        nones = (other.get_pipe_transport(0), other.get_pipe_transport(2))
        await asyncio.wait_for(asyncio.shield(oprotocol.done), WAIT)
        return nones

    nones = _run(loop, body)
    expect_equal(nones, (None, None), "get_pipe_transport of a non-pipe stream is not None")


@scope.check(
    "subprocess_exec",
    "stdin_write",
    topic="transport",
    requirement="Bytes written to the stdin pipe transport reach the child; closing it gives the child end of file.",
    covers=("subprocess_transport.4",),
)
def test_stdin_write(loop):
    cat = "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read())"

    async def body(spawned):
        transport, protocol, _ = await _spawn(loop, *py(cat))
        spawned.append((transport, protocol))
        stdin = transport.get_pipe_transport(0)
        stdin.write(b"lcx-")
        stdin.write(b"stdin" * 1000)
        stdin.close()
        await asyncio.wait_for(asyncio.shield(protocol.done), WAIT)
        return protocol.data[1]

    out = _run(loop, body)
    expect_equal(out, b"lcx-" + b"stdin" * 1000, "the child did not echo what was written to its stdin")


@scope.check(
    "subprocess_exec",
    "close_kills",
    topic="transport",
    requirement="SubprocessTransport.close() kills a child that is still running and closes its "
    "pipes; the protocol still learns that the process exited.",
    covers=("subprocess_transport.5",),
)
def test_close_kills(loop):
    async def body(spawned):
        transport, protocol, _ = await _spawn(loop, *py(READY_THEN_WAIT))
        spawned.append((transport, protocol))
        await _wait_output(protocol, 1, b"ready")
        transport.close()
        try:
            await asyncio.wait_for(asyncio.shield(protocol.exited), 2.0)
        except asyncio.TimeoutError:
            return None, protocol.names()
        return transport.get_returncode(), protocol.names()

    code, names = _run(loop, body)
    expect_equal(code, -int(signal.SIGKILL), "close() did not kill the running child")
    expect_equal(names.count("process_exited"), 1, "process_exited was not reported after close()")


# --- rejected arguments -----------------------------------------------------------------------------

EXEC_REJECTS = {
    "shell": True,
    "universal_newlines": True,
    "text": True,
    "bufsize": 1,
    "encoding": "utf-8",
    "errors": "strict",
}
SHELL_REJECTS = {
    "shell": False,
    "universal_newlines": True,
    "text": True,
    "bufsize": 1,
    "encoding": "utf-8",
    "errors": "strict",
}


def _expect_rejected(loop, make, args, kwargs, what):
    async def body(spawned):
        try:
            pair = await asyncio.wait_for(make(asyncio.SubprocessProtocol, *args, **kwargs), WAIT)
        except ValueError:
            return None
        except NotImplementedError:
            raise
        except Exception as exc:
            return f"raised {type(exc).__name__}: {exc}"
        transport = pair[0]
        try:
            transport.kill()
        except ProcessLookupError:
            pass
        for _ in range(int(WAIT / 0.01)):
            if transport.get_returncode() is not None:
                break
            await asyncio.sleep(0.01)
        transport.close()
        return "accepted (a child was started)"

    problem = _run(loop, body)
    expect(problem is None, f"{what} was not rejected with ValueError", expected="ValueError", observed=problem)


def _expect_argument_rejected(loop, name, args, rejects, arg):
    """loop.<name>(protocol_factory, *args, arg=rejects[arg], stdin=DEVNULL) must raise ValueError."""
    value = rejects[arg]
    kwargs = {arg: value, "stdin": subprocess.DEVNULL}
    _expect_rejected(loop, getattr(loop, name), args, kwargs, f"{name}({arg}={value!r})")


@scope.check(
    "subprocess_exec",
    "rejects_arguments",
    level=SHOULD,
    note="subprocess-text-args",
    requirement="subprocess_exec refuses shell=True and the text-mode/buffering arguments "
    "(universal_newlines, text, bufsize other than 0, encoding, errors) with ValueError.",
    covers=("subprocess_exec.3",),
)
@pytest.mark.parametrize("arg", sorted(EXEC_REJECTS))
def test_exec_rejects(loop, arg):
    _expect_argument_rejected(loop, "subprocess_exec", py("pass"), EXEC_REJECTS, arg)


@scope.check(
    "subprocess_shell",
    "rejects_arguments",
    level=SHOULD,
    note="subprocess-text-args",
    requirement="subprocess_shell refuses shell=False and the text-mode/buffering arguments "
    "(universal_newlines, text, bufsize other than 0, encoding, errors) with ValueError.",
    covers=("subprocess_exec.3",),
)
@pytest.mark.parametrize("arg", sorted(SHELL_REJECTS))
def test_shell_rejects(loop, arg):
    cmd = " ".join(shlex.quote(a) for a in py("pass"))
    _expect_argument_rejected(loop, "subprocess_shell", (cmd,), SHELL_REJECTS, arg)


@scope.check(
    "subprocess_shell",
    "rejects_non_string",
    level=SHOULD,
    note="subprocess-text-args",
    requirement="subprocess_shell takes the command as one str (or bytes); a list is refused with ValueError.",
    covers=("subprocess_shell.2",),
)
def test_shell_rejects_list(loop):
    _expect_rejected(
        loop, loop.subprocess_shell, (list(py("pass")),), {"stdin": subprocess.DEVNULL}, "subprocess_shell([...])"
    )


@scope.check(
    "subprocess_exec",
    "popen_kwargs",
    requirement="Keyword arguments subprocess_exec does not interpret itself (such as cwd and env) "
    "reach subprocess.Popen: the child runs in that directory with that environment.",
    covers=("subprocess_exec.2",),
)
def test_exec_popen_kwargs(loop):
    code = "import os, sys; sys.stdout.write(os.getcwd() + '|' + os.environ.get('LCX_AUDIT', '-'))"
    workdir = os.path.realpath(tempfile.mkdtemp(prefix="lcx-cwd-", dir="/tmp"))
    env = dict(os.environ, LCX_AUDIT="from-env-kwarg")

    async def body(spawned):
        transport, protocol, _ = await _spawn(
            loop, *py(code), stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir, env=env
        )
        spawned.append((transport, protocol))
        await asyncio.wait_for(asyncio.shield(protocol.done), WAIT)
        return protocol

    try:
        protocol = _run(loop, body)
    finally:
        os.rmdir(workdir)
    expect_equal(
        protocol.data.get(1, b"").decode(),
        f"{workdir}|from-env-kwarg",
        "the child's working directory and LCX_AUDIT variable (cwd=, env= given)",
    )
