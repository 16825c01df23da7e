"""Reference loop: the TLS transport handed to application protocols.

The transport is a thin, documented facade over ``TLSProtocol`` (reference_loop/tls_protocol.py),
which owns the TLS state machine. Application protocols see an ordinary bidirectional stream
transport: the one promised by 19.5.1.6 create_connection(ssl=...), 19.5.1.7 create_server(ssl=...)
and returned by 19.5.1.9 start_tls.
"""

from __future__ import annotations

import asyncio

#: Default high-water mark of the write buffer (bytes); low water defaults to a quarter of it.
DEFAULT_WRITE_HIGH_WATER = 64 * 1024


def resolve_write_limits(high=None, low=None):
    """Turn optional (high, low) write-buffer limits into a validated (high, low) pair.

    Transport contract (set_write_buffer_limits): a missing high derives from low (or the default),
    a missing low is a quarter of high; the limits must satisfy high >= low >= 0, else ValueError.
    """
    if high is None:
        high = DEFAULT_WRITE_HIGH_WATER if low is None else 4 * low
    if low is None:
        low = high // 4
    if not high >= low >= 0:
        raise ValueError(f"high ({high!r}) must be >= low ({low!r}) must be >= 0")
    return high, low


class TLSTransport(asyncio.Transport):
    """Application-side TLS stream transport (19.5.1.6-7 ssl=..., 19.5.1.9 start_tls).

    Writes are encrypted into TLS records and sent over the raw (plain) transport; records
    received from the peer are decrypted and delivered to the application protocol.

    Sendfile: this transport has no socket of its own to hand to os.sendfile(), so it cannot
    do a native sendfile (``supports_native_sendfile`` is False). 19.5.1.8 sendfile must use
    its read-and-write fallback for it, and raise SendfileNotAvailableError when fallback=False.
    """

    #: 19.5.1.8: encrypted streams cannot use os.sendfile(); the loop must fall back to write().
    supports_native_sendfile = False

    def __init__(self, engine):
        super().__init__()
        self._engine = engine

    def __repr__(self):
        state = "closing" if self.is_closing() else "open"
        return f"<TLSTransport {state} {self._engine.state_name}>"

    # -- information ------------------------------------------------------------------------

    def get_extra_info(self, name, default=None):
        """19.5.1.6 ssl option: TLS details ('sslcontext', 'peercert', 'cipher', 'compression',
        'ssl_object') and everything the raw transport knows ('peername', 'sockname', 'socket'...)."""
        return self._engine.get_extra_info(name, default)

    def get_protocol(self):
        """19.5.1.9 start_tls: the application protocol currently served by this transport."""
        return self._engine.app_protocol

    def set_protocol(self, protocol):
        """19.5.1.9 start_tls: switch the application protocol that receives decrypted data."""
        self._engine.set_app_protocol(protocol)

    def is_closing(self):
        """19.5.1.6 ssl option: True once the transport is closing or closed."""
        return self._engine.app_closing

    # -- closing ----------------------------------------------------------------------------

    def close(self):
        """19.5.1.6 ssl option: flush buffered data, send TLS close_notify, then close the raw
        transport; the protocol's connection_lost() is called once, with None."""
        self._engine.close()

    def abort(self):
        """19.5.1.6 ssl option: close at once, dropping buffered data; connection_lost(None) follows."""
        self._engine.abort()

    # -- reading ----------------------------------------------------------------------------

    def is_reading(self):
        """19.5.1.6 ssl option: True while decrypted data is being delivered to the protocol."""
        return self._engine.is_reading()

    def pause_reading(self):
        """19.5.1.6 ssl option: stop calling data_received() until resume_reading()."""
        self._engine.pause_reading()

    def resume_reading(self):
        """19.5.1.6 ssl option: deliver received data again after pause_reading()."""
        self._engine.resume_reading()

    # -- writing ----------------------------------------------------------------------------

    def write(self, data):
        """19.5.1.6 ssl option: encrypt and send bytes; never blocks (data is buffered)."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data: expecting a bytes-like instance, got {type(data).__name__}")
        if data:
            self._engine.write_app_data([bytes(data)])

    def writelines(self, list_of_data):
        """19.5.1.6 ssl option: write every bytes-like item of the iterable, in order."""
        chunks = []
        for data in list_of_data:
            if not isinstance(data, (bytes, bytearray, memoryview)):
                raise TypeError(f"data: expecting a bytes-like instance, got {type(data).__name__}")
            if data:
                chunks.append(bytes(data))
        if chunks:
            self._engine.write_app_data(chunks)

    def can_write_eof(self):
        """19.5.1.6 ssl option: False: TLS has no half-close (close_notify ends both directions)."""
        return False

    def write_eof(self):
        """19.5.1.6 ssl option: unsupported on TLS; raises NotImplementedError like stock asyncio
        (can_write_eof() is False)."""
        raise NotImplementedError("TLS transports cannot half-close; use close()")

    def set_write_buffer_limits(self, high=None, low=None):
        """19.5.1.6 ssl option: set the high/low water marks driving pause_writing()/resume_writing()."""
        self._engine.set_write_buffer_limits(high, low)

    def get_write_buffer_limits(self):
        """19.5.1.6 ssl option: the current (low, high) water marks."""
        return self._engine.write_low_water, self._engine.write_high_water

    def get_write_buffer_size(self):
        """19.5.1.6 ssl option: bytes written but not yet handed to the raw transport."""
        return self._engine.get_write_buffer_size()

    def is_writing_paused(self):
        """19.5.1.8 sendfile fallback: True while the protocol has been told to pause writing."""
        return self._engine.app_writing_paused
