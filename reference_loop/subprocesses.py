"""Reference loop: subprocess_exec / subprocess_shell (subprocess page, referenced by 19.5.1.13).

The child is started with subprocess.Popen in the loop thread; its pipes become pipe
transports of this same loop (connect_read_pipe / connect_write_pipe), and its exit is
noticed and reaped by reference_loop.child_watch.  The transport is
reference_loop.subprocess_transport.SubprocessPipesTransport.
"""

from __future__ import annotations

import subprocess

from . import child_watch
from .subprocess_transport import SubprocessPipesTransport


def _refuse_text_options(universal_newlines, bufsize, text, encoding, errors):
    """The pipes carry bytes, unbuffered: refuse every option that would change that."""
    if universal_newlines:
        raise ValueError("universal_newlines must be False")
    if bufsize != 0:
        raise ValueError("bufsize must be 0")
    if text:
        raise ValueError("text must be False")
    if encoding is not None:
        raise ValueError("encoding must be None")
    if errors is not None:
        raise ValueError("errors must be None")


class SubprocessMixin:
    """subprocess_exec / subprocess_shell for the reference loop (subprocess page)."""

    async def subprocess_exec(
        self,
        protocol_factory,
        program,
        *args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=False,
        shell=False,
        bufsize=0,
        encoding=None,
        errors=None,
        text=None,
        **kwargs,
    ):
        """Subprocess page, loop.subprocess_exec: run ``program`` with ``args`` (no shell).

        Text-mode options (universal_newlines, text, encoding, errors), bufsize != 0 and
        shell=True raise ValueError.  Other keyword arguments go to subprocess.Popen.
        Returns (SubprocessTransport, protocol) once connection_made() has run.
        """
        if shell:
            raise ValueError("shell must be False")
        _refuse_text_options(universal_newlines, bufsize, text, encoding, errors)
        protocol = protocol_factory()
        transport = await _start(self, protocol, (program,) + args, False, stdin, stdout, stderr, bufsize, kwargs)
        return transport, protocol

    async def subprocess_shell(
        self,
        protocol_factory,
        cmd,
        *,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=False,
        shell=True,
        bufsize=0,
        encoding=None,
        errors=None,
        text=None,
        **kwargs,
    ):
        """Subprocess page, loop.subprocess_shell: run ``cmd`` (str or bytes) with the platform shell.

        A non-string cmd, shell=False, text-mode options and bufsize != 0 raise ValueError.
        Returns (SubprocessTransport, protocol) once connection_made() has run.
        """
        if not isinstance(cmd, (bytes, str)):
            raise ValueError("cmd must be a string")
        if not shell:
            raise ValueError("shell must be True")
        _refuse_text_options(universal_newlines, bufsize, text, encoding, errors)
        protocol = protocol_factory()
        transport = await _start(self, protocol, cmd, True, stdin, stdout, stderr, bufsize, kwargs)
        return transport, protocol

    def close(self):
        """19.5.1.1 close, subprocess part: children still watched are reaped in the background.

        Their exit can no longer be reported (the loop is closed), but they must not stay zombies
        and their pidfds must not leak.
        """
        super().close()
        child_watch.release_loop(self)


async def _start(loop, protocol, args, shell, stdin, stdout, stderr, bufsize, kwargs):
    """Spawn the child and connect its pipes; on failure kill it and wait until it is reaped."""
    transport = SubprocessPipesTransport(loop, protocol)
    transport._spawn(args, shell, stdin, stdout, stderr, bufsize, kwargs)
    try:
        await transport._connect()
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException:
        transport._abandon()
        await transport._wait_exited()
        raise
    return transport
