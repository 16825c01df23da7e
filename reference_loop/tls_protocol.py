"""Reference loop: TLS over a plain stream transport (19.5.1.6-7 ssl=..., 19.5.1.9 start_tls).

``TLSProtocol`` is the protocol of a raw (plain TCP or UNIX) stream transport. It runs TLS in
memory with ``ssl.MemoryBIO`` + ``SSLContext.wrap_bio``: bytes from the network go into the
``incoming`` BIO, the ``ssl.SSLObject`` turns them into plaintext, and whatever OpenSSL produces
in the ``outgoing`` BIO is written to the raw transport. The application protocol talks to a
``TLSTransport`` (reference_loop/tls_transport.py) stored in ``app_transport``.

Life cycle (``state``)::

    NEW --connection_made--> HANDSHAKING --ok--> OPEN --close()/close_notify--> CLOSING --> CLOSED
                                  \\--failure/timeout/EOF-----------------------------------/

Application callbacks: connection_made (after the handshake, unless ``call_connection_made`` is
False as for start_tls) -> data_received* -> eof_received (peer's close_notify or EOF) ->
connection_lost, exactly once, when the raw transport is gone.
"""

from __future__ import annotations

import asyncio
import collections
import enum
import ssl

from .tls_transport import TLSTransport, resolve_write_limits

#: 19.5.1.6/19.5.1.7/19.5.1.9: handshake timeout when ssl_handshake_timeout is None.
DEFAULT_HANDSHAKE_TIMEOUT = 60.0
#: 3.11+ ssl_shutdown_timeout default: how long close() waits for the peer's close_notify.
DEFAULT_SHUTDOWN_TIMEOUT = 30.0
#: Largest plaintext chunk read from the SSL object at a time.
READ_CHUNK = 256 * 1024
#: Largest piece of TLS records handed to the raw transport at a time (so its back-pressure
#: is noticed between pieces and the rest stays counted in our write buffer).
SEND_PIECE = 64 * 1024


class State(enum.Enum):
    NEW = "NEW"  # no raw transport yet
    HANDSHAKING = "HANDSHAKING"
    OPEN = "OPEN"  # handshake done, application data flows
    CLOSING = "CLOSING"  # our close_notify sent (or about to be); waiting for the peer's
    CLOSED = "CLOSED"  # finished or failed; only the raw connection_lost is still expected


class AppState(enum.Enum):
    INIT = "INIT"  # connection_made not called yet
    MADE = "MADE"
    EOF = "EOF"  # eof_received called
    LOST = "LOST"  # connection_lost called


def check_timeout(name, value, default):
    """19.5.1.6/19.5.1.9: None means the default; a timeout must be a positive number."""
    if value is None:
        return default
    if value <= 0:
        raise ValueError(f"{name} should be a positive number, got {value}")
    return value


def default_client_context(server_hostname):
    """19.5.1.6 ssl=True: a context with default (secure) settings for a client; hostname
    matching is off when server_hostname is empty (the caller opted out of it)."""
    context = ssl.create_default_context()
    if not server_hostname:
        context.check_hostname = False
    return context


class TLSProtocol(asyncio.Protocol):
    """TLS engine: protocol of the raw transport, driver of the app's TLSTransport.

    19.5.1.6 create_connection / 19.5.1.7 create_server (ssl option) and 19.5.1.9 start_tls.
    ``waiter`` (a future or None) gets None once the handshake succeeds, or the handshake's
    exception: ssl.SSLError (ssl.SSLCertVerificationError for a bad certificate or host name),
    ConnectionResetError when the peer goes away, ConnectionAbortedError on handshake timeout.
    """

    def __init__(
        self,
        loop,
        app_protocol,
        sslcontext,
        waiter,
        *,
        server_side=False,
        server_hostname=None,
        call_connection_made=True,
        ssl_handshake_timeout=None,
        ssl_shutdown_timeout=None,
    ):
        self._handshake_timeout = check_timeout(
            "ssl_handshake_timeout", ssl_handshake_timeout, DEFAULT_HANDSHAKE_TIMEOUT
        )
        self._shutdown_timeout = check_timeout("ssl_shutdown_timeout", ssl_shutdown_timeout, DEFAULT_SHUTDOWN_TIMEOUT)
        if not isinstance(sslcontext, ssl.SSLContext):
            if server_side:
                raise ValueError("Server side SSL needs a valid SSLContext")
            sslcontext = default_client_context(server_hostname)
        # An empty server_hostname means "no hostname to check" (19.5.1.6 server_hostname='').
        hostname = server_hostname if (server_hostname and not server_side) else None

        self._loop = loop
        self._waiter = waiter
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        self._sslobj = sslcontext.wrap_bio(
            self._incoming, self._outgoing, server_side=server_side, server_hostname=hostname
        )
        self._extra = {"sslcontext": sslcontext}

        self.state = State.NEW
        self.app_state = AppState.INIT if call_connection_made else AppState.MADE
        self.app_protocol = None
        self.set_app_protocol(app_protocol)
        self.app_transport = TLSTransport(self)
        self.app_closing = False
        self.raw = None  # the plain transport under us

        self._backlog = collections.deque()  # plaintext not yet encrypted
        self._backlog_size = 0
        self._fatal_exc = None  # reported to connection_lost when we tore the connection down
        self._handshake_timer = None
        self._shutdown_timer = None
        self._peer_eof = False  # the raw transport reported EOF

        self._app_reading_paused = False
        self.app_writing_paused = False
        self._raw_writing_paused = False  # the raw transport asked us to stop writing
        self.write_high_water, self.write_low_water = resolve_write_limits()

    @property
    def state_name(self):
        """The life-cycle state, for repr()."""
        return self.state.value

    # ==========================================================================================
    # Raw transport -> us (asyncio.Protocol callbacks)
    # ==========================================================================================

    def connection_made(self, transport):
        """19.5.1.6/19.5.1.9: the raw connection exists: start the TLS handshake."""
        self.raw = transport
        if self.app_closing:  # the app transport was closed before the connection existed
            self.state = State.CLOSED
            transport.abort()
            return
        self.state = State.HANDSHAKING
        self._handshake_timer = self._loop.call_later(self._handshake_timeout, self._on_handshake_timeout)
        self._step_handshake()

    def data_received(self, data):
        """19.5.1.6: TLS records from the peer: feed them to OpenSSL and act on the result."""
        self._incoming.write(data)
        if self.state is State.HANDSHAKING:
            self._step_handshake()
        elif self.state is State.OPEN:
            self._pump_plaintext()
        elif self.state is State.CLOSING:
            self._step_shutdown()
        # NEW/CLOSED: nothing more to do with the bytes.

    def eof_received(self):
        """19.5.1.6: the peer closed its sending side of the raw stream."""
        self._peer_eof = True
        if self.state is State.HANDSHAKING:
            self._fail_handshake(
                ConnectionResetError("Connection lost during the TLS handshake (EOF from peer)"), graceful=False
            )
        elif self.state is State.OPEN:
            # Deliver what is left (possibly the close_notify); a bare EOF is a "ragged" close.
            if not self._app_reading_paused:
                self._pump_plaintext()
            if self.state is State.OPEN and not self._app_reading_paused:
                self._on_peer_finished()
        elif self.state is State.CLOSING:
            self._finish_closing()
        # We close the raw transport ourselves when ready.
        return True

    def connection_lost(self, exc):
        """19.5.1.6: the raw transport is closed: report connection_lost to the app, once."""
        self._cancel_timers()
        self._backlog.clear()
        self._backlog_size = 0
        self._outgoing.read()  # drop undelivered records
        exc = self._fatal_exc if self._fatal_exc is not None else exc
        # Still waiting for the handshake: it failed.
        self._settle_waiter(exc or ConnectionResetError("Connection lost during the TLS handshake"))
        self.state = State.CLOSED
        self.app_closing = True
        if self.app_state in (AppState.MADE, AppState.EOF):
            self.app_state = AppState.LOST
            self.app_protocol.connection_lost(exc)
        self.raw = None

    def pause_writing(self):
        """19.5.1.6: the raw transport's buffer is full: keep new TLS records with us."""
        self._raw_writing_paused = True

    def resume_writing(self):
        """19.5.1.6: the raw transport drained: pass on the TLS records we kept."""
        self._raw_writing_paused = False
        self._send_records()

    # ==========================================================================================
    # Handshake
    # ==========================================================================================

    def _step_handshake(self):
        try:
            self._sslobj.do_handshake()
        except ssl.SSLWantReadError:
            self._send_records(force=True)  # our next handshake flight, if any
            return
        except ssl.SSLError as exc:  # includes SSLCertVerificationError (host name mismatch)
            self._fail_handshake(exc, graceful=True)
            return
        self._handshake_done()

    def _handshake_done(self):
        self._cancel_timers()
        self.state = State.OPEN
        sslobj = self._sslobj
        self._extra.update(
            peercert=sslobj.getpeercert(), cipher=sslobj.cipher(), compression=sslobj.compression(), ssl_object=sslobj
        )
        self._send_records(force=True)  # last handshake flight (e.g. the client's Finished)
        if self.app_state is AppState.INIT:
            self.app_state = AppState.MADE
            self.app_protocol.connection_made(self.app_transport)
        self._settle_waiter(None)
        if self._app_reading_paused and self.state is State.OPEN and self.raw is not None:
            self.raw.pause_reading()  # the app paused reading before the session was up
        if self.state is State.OPEN:
            self._encrypt_backlog()
        if self.state is State.OPEN and not self._app_reading_paused:
            self._pump_plaintext()  # application data that came with the last handshake flight
            if self._peer_eof and self.state is State.OPEN and not self._app_reading_paused:
                self._on_peer_finished()

    def _on_handshake_timeout(self):
        self._handshake_timer = None
        if self.state is State.HANDSHAKING:
            self._fail_handshake(
                ConnectionAbortedError(
                    f"SSL handshake is taking longer than {self._handshake_timeout} seconds: aborting the connection"
                ),
                graceful=False,
            )

    def _fail_handshake(self, exc, *, graceful):
        """Report ``exc`` to the waiter; the app (if made, as after start_tls) gets it in
        connection_lost. ``graceful`` sends OpenSSL's alert before closing the raw stream."""
        self._cancel_timers()
        self._fatal_exc = exc
        self._settle_waiter(exc)
        self.state = State.CLOSED
        self.app_closing = True
        if graceful:
            self._send_records(force=True)
            self.raw.close()
        else:
            self.raw.abort()

    # ==========================================================================================
    # Reading
    # ==========================================================================================

    def _pump_plaintext(self):
        """Decrypt what OpenSSL can, deliver it to the app while it is reading (state OPEN)."""
        while self.state is State.OPEN and not self._app_reading_paused:
            try:
                chunk = self._sslobj.read(READ_CHUNK)
            except ssl.SSLZeroReturnError:
                chunk = b""
            except (ssl.SSLWantReadError, ssl.SSLSyscallError):
                break  # need more records (SyscallError: raw EOF without close_notify)
            except ssl.SSLError as exc:
                self._fatal(exc)
                return
            if not chunk:  # the peer's close_notify
                self._on_peer_finished()
                return
            self._deliver(chunk)
        if self.state is State.OPEN:
            # Reading may have unblocked writes (renegotiation) or produced records to send.
            self._encrypt_backlog()

    def _deliver(self, chunk):
        protocol = self.app_protocol
        if isinstance(protocol, asyncio.BufferedProtocol):
            view = memoryview(chunk)
            while view:
                buf = memoryview(protocol.get_buffer(len(view))).cast("B")
                if not len(buf):
                    raise RuntimeError("get_buffer() returned an empty buffer")
                n = min(len(buf), len(view))
                buf[:n] = view[:n]
                protocol.buffer_updated(n)
                view = view[n:]
        else:
            protocol.data_received(chunk)

    def _on_peer_finished(self):
        """The peer sent close_notify, or EOF: tell the app (eof_received) and close our side."""
        if self.app_state is AppState.MADE:
            self.app_state = AppState.EOF
            self.app_protocol.eof_received()  # a true result cannot keep TLS half-open
        if self.state is State.OPEN:
            self._start_closing()

    # ==========================================================================================
    # Writing
    # ==========================================================================================

    def write_app_data(self, chunks):
        """TLSTransport.write/writelines: queue plaintext and encrypt it when the session is up."""
        if self.app_closing or self.state in (State.CLOSING, State.CLOSED):
            return  # as stock asyncio: writes after close() are dropped
        for chunk in chunks:
            self._backlog.append(chunk)
            self._backlog_size += len(chunk)
        if self.state is State.OPEN:
            self._encrypt_backlog()
        else:
            self._update_app_writing()

    def _encrypt_backlog(self):
        try:
            while self._backlog:
                chunk = self._backlog[0]
                self._sslobj.write(chunk)  # SSLObject.write takes all of it, or raises
                self._backlog.popleft()
                self._backlog_size -= len(chunk)
        except ssl.SSLWantReadError:
            pass  # renegotiation in progress: retried after the next read
        except ssl.SSLError as exc:
            self._fatal(exc)
            return
        self._send_records()

    def _send_records(self, force=False):
        """Move TLS records from the outgoing BIO to the raw transport, piece by piece until the
        raw transport asks us to pause (``force``: everything, for handshake and close_notify)."""
        while (
            self._outgoing.pending
            and self.raw is not None
            and not self.raw.is_closing()
            and (force or not self._raw_writing_paused)
        ):
            self.raw.write(self._outgoing.read(-1 if force else SEND_PIECE))
        self._update_app_writing()

    def get_write_buffer_size(self):
        """Plaintext not yet encrypted plus records not yet handed to the raw transport."""
        return self._backlog_size + self._outgoing.pending

    def set_write_buffer_limits(self, high, low):
        """TLSTransport.set_write_buffer_limits: new water marks, applied at once."""
        self.write_high_water, self.write_low_water = resolve_write_limits(high, low)
        self._update_app_writing()

    def _update_app_writing(self):
        size = self.get_write_buffer_size()
        if not self.app_writing_paused and size > self.write_high_water:
            self.app_writing_paused = True
            self._call_flow_control("pause_writing")
        elif self.app_writing_paused and size <= self.write_low_water:
            self.app_writing_paused = False
            self._call_flow_control("resume_writing")

    def _call_flow_control(self, name):
        try:
            getattr(self.app_protocol, name)()
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._loop.call_exception_handler(
                {
                    "message": f"protocol.{name}() failed",
                    "exception": exc,
                    "transport": self.app_transport,
                    "protocol": self.app_protocol,
                }
            )

    # ==========================================================================================
    # Closing
    # ==========================================================================================

    def close(self):
        """TLSTransport.close: flush, send close_notify, wait for the peer's, close the raw stream."""
        if self.app_closing:
            return
        self.app_closing = True
        if self.state is State.NEW:
            self.state = State.CLOSED
        elif self.state is State.HANDSHAKING:
            self._fatal_exc = ConnectionAbortedError("TLS transport closed during the handshake")
            self._settle_waiter(self._fatal_exc)
            self.state = State.CLOSED
            self.raw.abort()
        elif self.state is State.OPEN:
            self._start_closing()

    def abort(self):
        """TLSTransport.abort: drop everything and abort the raw transport."""
        self.app_closing = True
        if self.state is State.NEW:
            self.state = State.CLOSED
        elif self.state is not State.CLOSED or self.raw is not None:
            if self.state is State.HANDSHAKING:
                self._settle_waiter(ConnectionAbortedError("TLS transport aborted"))
            self.state = State.CLOSED
            if self.raw is not None:
                self.raw.abort()

    def _start_closing(self):
        self.state = State.CLOSING
        self.app_closing = True
        self._encrypt_backlog()
        if self.state is not State.CLOSING:
            return
        if self._app_reading_paused and self.raw is not None:
            self.raw.resume_reading()  # the peer's close_notify must get through
        self._shutdown_timer = self._loop.call_later(self._shutdown_timeout, self._on_shutdown_timeout)
        self._step_shutdown()

    def _discard_late_data(self):
        """After close(), the peer may still send data before its close_notify: read it away
        (the app gets no more data) so that it does not break the TLS shutdown."""
        while True:
            try:
                if not self._sslobj.read(READ_CHUNK):
                    return  # the peer's close_notify
            except ssl.SSLZeroReturnError:
                return  # the peer's close_notify, after ours
            except (ssl.SSLWantReadError, ssl.SSLSyscallError):
                return

    def _step_shutdown(self):
        try:
            self._discard_late_data()
            self._sslobj.unwrap()  # sends our close_notify; completes with the peer's
        except (ssl.SSLWantReadError, ssl.SSLSyscallError):
            self._send_records(force=True)
            if self._peer_eof:  # no close_notify will ever come
                self._finish_closing()
            return
        except ssl.SSLError as exc:
            self._fatal(exc)
            return
        self._send_records(force=True)
        if self.app_state is AppState.MADE:  # the peer's close_notify ends its stream
            self.app_state = AppState.EOF
            self.app_protocol.eof_received()
        self._finish_closing()

    def _finish_closing(self):
        self._cancel_timers()
        if self.state is State.CLOSED:
            return
        self.state = State.CLOSED
        if self.raw is not None:
            self.raw.close()

    def _on_shutdown_timeout(self):
        self._shutdown_timer = None
        if self.state is State.CLOSING:
            self._fatal(TimeoutError("SSL shutdown timed out"))

    # ==========================================================================================
    # Flow control of reading
    # ==========================================================================================

    def is_reading(self):
        """TLSTransport.is_reading: delivering data (not paused, not closing)."""
        return not self._app_reading_paused and not self.app_closing

    def pause_reading(self):
        """TLSTransport.pause_reading: stop delivering; the raw transport stops reading too,
        so the peer feels the back-pressure."""
        if self.app_closing or self._app_reading_paused:
            return
        self._app_reading_paused = True
        if self.raw is not None and self.state is State.OPEN:
            self.raw.pause_reading()

    def resume_reading(self):
        """TLSTransport.resume_reading: read again; already decrypted data is delivered soon
        (call_soon), not from inside this call."""
        if self.app_closing or not self._app_reading_paused:
            return
        self._app_reading_paused = False
        if self.raw is not None and self.state is State.OPEN:
            self.raw.resume_reading()
            self._loop.call_soon(self._resume_delivery)

    def _resume_delivery(self):
        if self.state is State.OPEN and not self._app_reading_paused:
            self._pump_plaintext()
            if self._peer_eof and self.state is State.OPEN and not self._app_reading_paused:
                self._on_peer_finished()

    # ==========================================================================================
    # Helpers
    # ==========================================================================================

    def set_app_protocol(self, protocol):
        """TLSTransport.set_protocol: later callbacks go to ``protocol``."""
        self.app_protocol = protocol

    def get_extra_info(self, name, default=None):
        """TLSTransport.get_extra_info: TLS keys first, then the raw transport's keys."""
        if name in self._extra:
            return self._extra[name]
        if self.raw is not None:
            return self.raw.get_extra_info(name, default)
        return default

    def _fatal(self, exc):
        """Tear the connection down after an error; the app gets ``exc`` in connection_lost."""
        if self._fatal_exc is None:
            self._fatal_exc = exc
        self._cancel_timers()
        self.state = State.CLOSED
        self.app_closing = True
        if self.raw is not None:
            self.raw.abort()

    def _settle_waiter(self, exc):
        waiter, self._waiter = self._waiter, None
        if waiter is None or waiter.done():
            return
        if exc is None:
            waiter.set_result(None)
        else:
            waiter.set_exception(exc)

    def _cancel_timers(self):
        for name in ("_handshake_timer", "_shutdown_timer"):
            timer = getattr(self, name)
            if timer is not None:
                timer.cancel()
                setattr(self, name, None)
