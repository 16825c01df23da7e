"""SubprocessTransport for the reference loop (subprocess page: subprocess_exec / subprocess_shell).

One transport owns one child process (a subprocess.Popen object) and up to three pipe
transports (stdin = fd 0, stdout = fd 1, stderr = fd 2) made with the loop's own
connect_write_pipe / connect_read_pipe.

Order of protocol calls:
  connection_made(transport)                          first, exactly once
  pipe_data_received(fd, data), pipe_connection_lost(fd, exc), process_exited()
                                                      in the order the events happen
                                                      (process_exited may precede the pipes' closing)
  connection_lost(None)                               last, exactly once, after the process
                                                      exited AND every pipe closed
Events that happen before connection_made() has been delivered are queued and replayed after it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import warnings

from .child_watch import ChildWatch

logger = logging.getLogger("reference_loop.subprocess")

STDIN, STDOUT, STDERR = 0, 1, 2

#: asyncio.subprocess.Process.wait() (via the transport's _wait) returns once the whole transport
#: is finished on Python 3.11+, but as soon as the child exited on 3.10.
WAIT_UNTIL_FINISHED = sys.version_info >= (3, 11)


def _set_result_unless_cancelled(fut):
    if not fut.cancelled():
        fut.set_result(None)


class _PipeEndpoint(asyncio.Protocol):
    """Protocol of one pipe transport; forwards its events to the subprocess transport."""

    def __init__(self, owner, fd):
        self.owner = owner
        self.fd = fd

    def data_received(self, data):
        self.owner._pipe_data_received(self.fd, data)

    def eof_received(self):
        return None  # let the pipe transport close itself

    def connection_lost(self, exc):
        self.owner._pipe_connection_lost(self.fd, exc)

    def pause_writing(self):
        self.owner._protocol.pause_writing()

    def resume_writing(self):
        self.owner._protocol.resume_writing()


class SubprocessPipesTransport(asyncio.SubprocessTransport):
    """A child process plus its pipes, reported to a SubprocessProtocol."""

    def __init__(self, loop, protocol, extra=None):
        super().__init__(extra)
        self._loop = loop
        self._protocol = protocol
        self._proc = None  # the Popen object; None again once connection_lost() ran
        self._pid = None
        self._returncode = None
        self._pipes = {}  # fd -> pipe transport (None until connected)
        self._open_pipes = set()  # fds whose pipe transport has not called connection_lost
        self._pending = []  # protocol calls held back until connection_made; then None
        self._closed = False  # close() was called
        self._finished = False  # connection_lost() scheduled
        self._exited = loop.create_future()  # resolved with the returncode once reaped
        self._wait_waiters = []  # futures of _wait() callers

    # -- start-up (used by SubprocessMixin) ----------------------------------------------
    def _spawn(self, args, shell, stdin, stdout, stderr, bufsize, kwargs):
        """Start the child; watch it for exit straight away."""
        self._proc = subprocess.Popen(
            args,
            shell=shell,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            universal_newlines=False,
            bufsize=bufsize,
            **kwargs,
        )
        self._pid = self._proc.pid
        self._extra["subprocess"] = self._proc
        for fd, stream in enumerate((self._proc.stdin, self._proc.stdout, self._proc.stderr)):
            if stream is not None:
                self._pipes[fd] = None
                self._open_pipes.add(fd)
        ChildWatch(self._loop, self._proc, self._process_exited)

    async def _connect(self):
        """Wrap the child's pipes in pipe transports, then deliver connection_made()."""
        loop = self._loop
        proc = self._proc
        streams = (
            (STDIN, proc.stdin, loop.connect_write_pipe),
            (STDOUT, proc.stdout, loop.connect_read_pipe),
            (STDERR, proc.stderr, loop.connect_read_pipe),
        )
        for fd, stream, connect in streams:
            if stream is None:
                continue
            transport, _ = await connect(lambda fd=fd: _PipeEndpoint(self, fd), stream)
            self._pipes[fd] = transport
            if self._closed:
                transport.close()
        loop.call_soon(self._protocol.connection_made, self)
        pending, self._pending = self._pending, None
        for callback, args in pending:
            loop.call_soon(callback, *args)
        # Return once connection_made() (and the queued events) have run.
        ready = loop.create_future()
        loop.call_soon(_set_result_unless_cancelled, ready)
        await ready

    def _abandon(self):
        """Start-up failed: close everything; the protocol hears nothing if connection_made is pending."""
        if self._pending is not None:
            self._pending = []
        for fd, stream in enumerate((self._proc.stdin, self._proc.stdout, self._proc.stderr)):
            if self._pipes.get(fd) is None and stream is not None:
                stream.close()
                self._open_pipes.discard(fd)
        self.close()

    # -- events ---------------------------------------------------------------------------
    def _call(self, callback, *args):
        if self._pending is not None:
            self._pending.append((callback, args))
        else:
            self._loop.call_soon(callback, *args)

    def _pipe_data_received(self, fd, data):
        self._call(self._protocol.pipe_data_received, fd, data)

    def _pipe_connection_lost(self, fd, exc):
        self._open_pipes.discard(fd)
        self._call(self._protocol.pipe_connection_lost, fd, exc)
        self._maybe_finish()

    def _process_exited(self, returncode):
        self._returncode = returncode
        if not self._exited.done():
            self._exited.set_result(returncode)
        if not WAIT_UNTIL_FINISHED:
            self._wake_waiters()
        if self._loop.get_debug():
            logger.info("%r exited with return code %r", self, returncode)
        self._call(self._protocol.process_exited)
        self._maybe_finish()

    def _maybe_finish(self):
        if self._finished or self._returncode is None or self._open_pipes:
            return
        self._finished = True
        self._call(self._call_connection_lost)

    def _call_connection_lost(self):
        try:
            self._protocol.connection_lost(None)
        finally:
            self._proc = None
            self._wake_waiters()

    async def _wait_exited(self):
        return await self._exited

    def _wake_waiters(self):
        waiters, self._wait_waiters = self._wait_waiters, []
        for waiter in waiters:
            if not waiter.cancelled():
                waiter.set_result(self._returncode)

    async def _wait(self):
        """Return the returncode once the child exited (and, on 3.11+, the transport finished).

        Not part of the SubprocessTransport interface: the high-level asyncio.subprocess.Process
        calls this private method for Process.wait(), so every loop has to provide it.
        """
        if self._returncode is not None:
            return self._returncode
        waiter = self._loop.create_future()
        self._wait_waiters.append(waiter)
        return await waiter

    # -- BaseTransport --------------------------------------------------------------------
    def get_protocol(self):
        """Return the current protocol (BaseTransport.get_protocol)."""
        return self._protocol

    def set_protocol(self, protocol):
        """Switch to a new protocol (BaseTransport.set_protocol)."""
        self._protocol = protocol

    def is_closing(self):
        """True once close() has been called (BaseTransport.is_closing)."""
        return self._closed

    def close(self):
        """Subprocess page, SubprocessTransport.close: close the pipes; kill the child if it still runs."""
        if self._closed:
            return
        self._closed = True
        for transport in self._pipes.values():
            if transport is not None:
                transport.close()
        if self._proc is not None and self._returncode is None:
            if self._loop.get_debug():
                logger.warning("closing a running child process: killing %r", self)
            try:
                os.kill(self._pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    # -- SubprocessTransport --------------------------------------------------------------
    def get_pid(self):
        """Subprocess page, get_pid: the child's process id."""
        return self._pid

    def get_returncode(self):
        """Subprocess page, get_returncode: the exit code, negative signal number, or None while running."""
        return self._returncode

    def get_pipe_transport(self, fd):
        """Subprocess page, get_pipe_transport: the transport of pipe 0/1/2, or None if it is not a pipe."""
        return self._pipes.get(fd)

    def send_signal(self, signal):
        """Subprocess page, send_signal: send ``signal`` to the child (ProcessLookupError once finished)."""
        if self._proc is None:
            raise ProcessLookupError()
        if self._returncode is not None:
            return  # already exited and reaped: the pid may belong to someone else now
        try:
            os.kill(self._pid, signal)
        except ProcessLookupError:
            pass

    def terminate(self):
        """Subprocess page, terminate: send SIGTERM to the child."""
        self.send_signal(signal.SIGTERM)

    def kill(self):
        """Subprocess page, kill: send SIGKILL to the child."""
        self.send_signal(signal.SIGKILL)

    def __del__(self, _warn=warnings.warn):
        if not getattr(self, "_closed", True) and getattr(self, "_proc", None) is not None:
            _warn(f"unclosed transport {self!r}", ResourceWarning, source=self)
            self.close()

    def __repr__(self):
        state = "closed" if self._closed else "open"
        if self._returncode is not None:
            run = f"returncode={self._returncode}"
        else:
            run = "running" if self._pid is not None else "not started"
        return f"<{type(self).__name__} {state} pid={self._pid} {run}>"
