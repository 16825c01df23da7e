"""Broken loops for 19.5.1.13 (connect pipes); each breaks one guarantee.

They hook stock asyncio's pipe-transport constructors (``_make_read_pipe_transport`` /
``_make_write_pipe_transport``) to wrap the protocol or the transport they produce.
"""

import asyncio
import os

from tests.broken import breaks


class _ProtocolProxy:
    """Forwards everything to the real protocol; subclasses override one callback."""

    def __init__(self, protocol, transport_ref):
        self._protocol = protocol
        self._ref = transport_ref

    def __getattr__(self, name):
        return getattr(self._protocol, name)


class _HookedLoop(asyncio.SelectorEventLoop):
    read_proxy = None  # _ProtocolProxy subclass wrapping read-pipe protocols
    write_proxy = None

    def _make_read_pipe_transport(self, pipe, protocol, waiter=None, extra=None):
        ref = []
        if self.read_proxy is not None:
            protocol = self.read_proxy(protocol, ref)
        transport = super()._make_read_pipe_transport(pipe, protocol, waiter, extra)
        ref.append(transport)
        self.patch_read(transport)
        return transport

    def _make_write_pipe_transport(self, pipe, protocol, waiter=None, extra=None):
        ref = []
        if self.write_proxy is not None:
            protocol = self.write_proxy(protocol, ref)
        transport = super()._make_write_pipe_transport(pipe, protocol, waiter, extra)
        ref.append(transport)
        self.patch_write(transport)
        return transport

    def patch_read(self, transport):
        pass

    def patch_write(self, transport):
        pass


class _NoEof(_ProtocolProxy):
    def eof_received(self):
        return None


@breaks("pipes.connect_read_pipe.eof_received")
class NoEofReadPipeLoop(_HookedLoop):
    """The read-pipe protocol never gets eof_received."""

    read_proxy = _NoEof


class _LostTwice(_ProtocolProxy):
    def connection_lost(self, exc):
        self._protocol.connection_lost(exc)
        self._protocol.connection_lost(exc)


@breaks("pipes.connect_read_pipe.connection_lost_once", "pipes.connect_read_pipe.close")
class DoubleLostReadPipeLoop(_HookedLoop):
    """The read-pipe protocol's connection_lost is called twice."""

    read_proxy = _LostTwice


class _FirstReadOnly(_ProtocolProxy):
    def data_received(self, data):
        self._protocol.data_received(data)
        self._ref[0].pause_reading()


@breaks("pipes.connect_read_pipe.data_received", "pipes.connect_read_pipe.subprocess_stdout")
class StopsAfterFirstReadLoop(_HookedLoop):
    """The read-pipe transport stops reading after the first chunk."""

    read_proxy = _FirstReadOnly


@breaks("pipes.connect_read_pipe.pause_resume_reading")
class PauseIgnoredReadPipeLoop(_HookedLoop):
    """pause_reading on a read-pipe transport does nothing."""

    def patch_read(self, transport):
        transport.pause_reading = lambda: None


@breaks("pipes.connect_read_pipe.close")
class CloseIgnoredReadPipeLoop(_HookedLoop):
    """close() on a read-pipe transport does nothing."""

    def patch_read(self, transport):
        transport.close = lambda: None


@breaks("pipes.connect_read_pipe.extra_info_pipe", "pipes.connect_write_pipe.extra_info_pipe")
class NoPipeExtraInfoLoop(_HookedLoop):
    """Pipe transports answer get_extra_info('pipe') with None."""

    def _hide_pipe(self, transport):
        real = transport.get_extra_info
        transport.get_extra_info = lambda name, default=None: default if name == "pipe" else real(name, default)

    patch_read = patch_write = _hide_pipe


@breaks("pipes.connect_read_pipe.sets_non_blocking", "pipes.connect_write_pipe.sets_non_blocking")
class BlockingPipesLoop(asyncio.SelectorEventLoop):
    """connect_read_pipe / connect_write_pipe leave (put back) the pipe in blocking mode."""

    async def connect_read_pipe(self, protocol_factory, pipe):
        result = await super().connect_read_pipe(protocol_factory, pipe)
        os.set_blocking(pipe.fileno(), True)
        return result

    async def connect_write_pipe(self, protocol_factory, pipe):
        result = await super().connect_write_pipe(protocol_factory, pipe)
        os.set_blocking(pipe.fileno(), True)
        return result


@breaks("pipes.connect_read_pipe.returns_pair", "pipes.connect_write_pipe.returns_pair")
class SwappedPipePairLoop(asyncio.SelectorEventLoop):
    """connect_read_pipe / connect_write_pipe return (protocol, transport)."""

    async def connect_read_pipe(self, protocol_factory, pipe):
        transport, protocol = await super().connect_read_pipe(protocol_factory, pipe)
        return protocol, transport

    async def connect_write_pipe(self, protocol_factory, pipe):
        transport, protocol = await super().connect_write_pipe(protocol_factory, pipe)
        return protocol, transport


@breaks("pipes.connect_write_pipe.delivers_data")
class CloseAbortsWritePipeLoop(_HookedLoop):
    """close() on a write-pipe transport discards buffered data (behaves like abort())."""

    def patch_write(self, transport):
        transport.close = transport.abort


class _ErrorHidden(_ProtocolProxy):
    def connection_lost(self, exc):
        self._protocol.connection_lost(None)


@breaks("pipes.connect_write_pipe.broken_pipe_error")
class BrokenPipeHiddenLoop(_HookedLoop):
    """A write-pipe transport ending on a write error passes None to connection_lost."""

    write_proxy = _ErrorHidden


class _ErrorSwallowed(_ProtocolProxy):
    def connection_lost(self, exc):
        if exc is None:
            self._protocol.connection_lost(None)


@breaks("pipes.connect_write_pipe.reader_closed_connection_lost")
class BrokenPipeSwallowedLoop(_HookedLoop):
    """A write-pipe transport ending on a write error never calls connection_lost."""

    write_proxy = _ErrorSwallowed


@breaks(
    "pipes.connect_read_pipe.is_coroutine",
    "pipes.connect_write_pipe.is_coroutine",
    keeps=["pipes.connect_read_pipe.returns_pair", "pipes.connect_write_pipe.returns_pair"],
)
class TaskPipesLoop(asyncio.SelectorEventLoop):
    """connect_read_pipe / connect_write_pipe return Tasks (awaitable, but not coroutines)."""

    def connect_read_pipe(self, protocol_factory, pipe):
        return self.create_task(super().connect_read_pipe(protocol_factory, pipe))

    def connect_write_pipe(self, protocol_factory, pipe):
        return self.create_task(super().connect_write_pipe(protocol_factory, pipe))
