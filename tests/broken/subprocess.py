"""Broken loops for the subprocess transports: one guarantee broken each.

They patch the protocol or transport of each new subprocess (instance attributes), on top of
stock asyncio's _make_subprocess_transport.
"""

import asyncio

from tests.broken import breaks


class _Patching(asyncio.SelectorEventLoop):
    def patch_protocol(self, protocol):
        pass

    def patch_transport(self, transport):
        pass

    async def _make_subprocess_transport(self, protocol, *args, **kwargs):
        self.patch_protocol(protocol)
        transport = await super()._make_subprocess_transport(protocol, *args, **kwargs)
        self.patch_transport(transport)
        return transport


@breaks("subprocess.protocol.callback_order")
class ProcessExitedTwiceLoop(_Patching):
    """process_exited is called twice."""

    def patch_protocol(self, protocol):
        orig = protocol.process_exited

        def twice():
            orig()
            orig()

        protocol.process_exited = twice


@breaks("subprocess.protocol.pipe_data_received")
class SwappedFdLoop(_Patching):
    """stdout data is reported on fd 2 and stderr data on fd 1."""

    def patch_protocol(self, protocol):
        orig = protocol.pipe_data_received
        protocol.pipe_data_received = lambda fd, data: orig(3 - fd, data)


@breaks("subprocess.protocol.pipe_connection_lost")
class NoPipeConnectionLostLoop(_Patching):
    """pipe_connection_lost is never delivered."""

    def patch_protocol(self, protocol):
        protocol.pipe_connection_lost = lambda fd, exc: None


@breaks("subprocess.protocol.callback_order")
class ConnectionMadeLateLoop(_Patching):
    """connection_made is delivered after the other callbacks, at connection_lost time."""

    def patch_protocol(self, protocol):
        made, lost = protocol.connection_made, protocol.connection_lost
        pending = []
        protocol.connection_made = pending.append

        def late_lost(exc):
            for transport in pending:
                made(transport)
            lost(exc)

        protocol.connection_lost = late_lost


@breaks("subprocess.transport.get_pid")
class WrongPidLoop(_Patching):
    """get_pid reports a pid that is not the child's."""

    def patch_transport(self, transport):
        real = transport.get_pid
        transport.get_pid = lambda: real() + 1


@breaks("subprocess.transport.get_returncode")
class EarlyReturncodeLoop(_Patching):
    """get_returncode reports 0 while the child is still running."""

    def patch_transport(self, transport):
        real = transport.get_returncode
        transport.get_returncode = lambda: 0 if real() is None else real()


@breaks(
    "subprocess.transport.signals[kill]",
    "subprocess.transport.signals[terminate]",
    "subprocess.transport.signals[send_signal]",
)
class PositiveSignalReturncodeLoop(_Patching):
    """get_returncode reports the signal number as a positive exit status."""

    def patch_transport(self, transport):
        real = transport.get_returncode
        transport.get_returncode = lambda: None if real() is None else abs(real())


@breaks("subprocess.transport.get_pipe_transport")
class NoPipeTransportsLoop(_Patching):
    """get_pipe_transport returns the stdout transport for every fd."""

    def patch_transport(self, transport):
        real = transport.get_pipe_transport
        transport.get_pipe_transport = lambda fd: real(1)


@breaks("subprocess.transport.stdin_write")
class StdinDroppedLoop(_Patching):
    """Writes to the stdin pipe transport are dropped."""

    def patch_transport(self, transport):
        stdin = transport.get_pipe_transport(0)
        if stdin is not None:
            stdin.write = lambda data: None


@breaks("subprocess.transport.close_kills")
class CloseDoesNotKillLoop(_Patching):
    """SubprocessTransport.close() leaves a running child alone (until it is killed explicitly)."""

    def patch_transport(self, transport):
        real_close = transport.close

        def close():
            if transport.get_returncode() is not None:
                real_close()

        transport.close = close


@breaks("subprocess.subprocess_exec.rejects_arguments[shell]")
class AcceptsShellLoop(asyncio.SelectorEventLoop):
    """subprocess_exec ignores shell=True instead of refusing it."""

    async def subprocess_exec(self, protocol_factory, program, *args, shell=False, **kwargs):
        return await super().subprocess_exec(protocol_factory, program, *args, **kwargs)


@breaks("subprocess.subprocess_shell.rejects_non_string")
class ShellAcceptsListLoop(asyncio.SelectorEventLoop):
    """subprocess_shell joins a list command instead of refusing it."""

    async def subprocess_shell(self, protocol_factory, cmd, **kwargs):
        if isinstance(cmd, list):
            cmd = " ".join(cmd)
        return await super().subprocess_shell(protocol_factory, cmd, **kwargs)


@breaks("subprocess.subprocess_exec.returns_transport_protocol")
class SwappedPairLoop(asyncio.SelectorEventLoop):
    """subprocess_exec returns (protocol, transport) instead of (transport, protocol)."""

    async def subprocess_exec(self, *args, **kwargs):
        transport, protocol = await super().subprocess_exec(*args, **kwargs)
        return protocol, transport


@breaks("subprocess.subprocess_shell.returns_transport_protocol")
class NoShellLoop(asyncio.SelectorEventLoop):
    """subprocess_shell splits the command and executes it directly, without a shell."""

    async def subprocess_shell(self, protocol_factory, cmd, *, shell=True, **kwargs):
        import shlex

        if not isinstance(cmd, (str, bytes)):
            raise ValueError("cmd must be a string")
        if not shell:
            raise ValueError("shell must be True")
        return await self.subprocess_exec(protocol_factory, *shlex.split(cmd), **kwargs)
