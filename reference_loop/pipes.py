"""Reference loop: 19.5.1.13 (connect_read_pipe, connect_write_pipe).

The transports themselves live in reference_loop.pipe_transports; this mixin only builds them
and waits until the protocol's connection_made() has run before returning the pair.
Uses only the loop's public API (call_soon, create_future, add_reader/add_writer, ...).
"""

from __future__ import annotations

from .pipe_transports import ReadPipeTransport, WritePipeTransport


def _set_result_unless_cancelled(fut, result):
    if not fut.cancelled():
        fut.set_result(result)


async def _connected(loop, transport, protocol):
    """Wait one loop turn: the transport scheduled connection_made() first, so it has run."""
    ready = loop.create_future()
    loop.call_soon(_set_result_unless_cancelled, ready, None)
    try:
        await ready
    except BaseException:
        transport.close()
        raise
    return transport, protocol


class PipesMixin:
    """connect_read_pipe / connect_write_pipe for the reference loop (19.5.1.13)."""

    async def connect_read_pipe(self, protocol_factory, pipe):
        """19.5.1.13 connect_read_pipe: wrap the file-like ``pipe`` in a ReadTransport.

        The pipe (a pipe, FIFO, socket or character device; anything else raises ValueError)
        is put in non-blocking mode and owned by the transport, which closes it after
        connection_lost().  Returns (transport, protocol) once connection_made() has run.
        """
        protocol = protocol_factory()
        transport = ReadPipeTransport(self, pipe, protocol)
        return await _connected(self, transport, protocol)

    async def connect_write_pipe(self, protocol_factory, pipe):
        """19.5.1.13 connect_write_pipe: wrap the file-like ``pipe`` in a WriteTransport.

        The pipe is put in non-blocking mode; writes that cannot complete are buffered and
        flushed when the pipe becomes writable.  When the reading end goes away the transport
        closes itself (connection_lost with BrokenPipeError if data was still pending).
        Returns (transport, protocol) once connection_made() has run.
        """
        protocol = protocol_factory()
        transport = WritePipeTransport(self, pipe, protocol)
        return await _connected(self, transport, protocol)
