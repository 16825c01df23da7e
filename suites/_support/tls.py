"""TLS helpers for the 19.5.1.6-9 TLS suites (sec_09_tls.py, tls_parameters.py).

- :func:`certs`: a module-scoped pytest fixture with in-memory trustme certificates (a CA, a
  server certificate for localhost/127.0.0.1/::1, a client certificate for mutual TLS, a
  certificate for another name, and a certificate from a CA nobody trusts). Pure data, no
  loop work, nothing written to disk.
- :class:`TLSPeer`: a blocking TLS endpoint over a raw socket, driven by ssl.MemoryBIO and
  SSLObject, so the peer sees the raw bytes on the wire and can tell a clean close_notify
  (:class:`CleanClose`) from an abrupt end of the TCP stream (:class:`RaggedClose`).
- :class:`PeerThread`: runs a peer script in a helper thread; ``result()`` joins it (bounded)
  and returns the script's value or re-raises its exception. The :class:`Threads` tracker
  shuts the peers' sockets down and joins every thread before the check ends.
"""

from __future__ import annotations

import socket
import ssl
import threading
import types

import pytest
import trustme

from loopconf.evidence import Violation

from .limits import TIMEOUT

#: The explicit ssl_handshake_timeout / ssl_shutdown_timeout of the timeout checks. "Not before the
#: timeout" is judged strictly (limits.waited_at_least); "ignored" shows as still waiting after
#: HANDSHAKE_TIMEOUT + limits.TIMEOUT. A conforming loop spends about this long per check, so it is
#: short, yet far above a timer's granularity and ten times a timeout that fires ten times early.
HANDSHAKE_TIMEOUT = 0.1
SERVER_NAMES = ("localhost", "127.0.0.1", "::1")
OTHER_NAME = "other.example"
CLIENT_NAME = "client.example"


@pytest.fixture(scope="module")
def certs():
    """In-memory certificates for one suite module (see the module docstring)."""
    ca = trustme.CA()
    rogue = trustme.CA()  # a CA no context trusts
    return types.SimpleNamespace(
        ca=ca,
        server=ca.issue_cert(*SERVER_NAMES),
        client=ca.issue_cert(CLIENT_NAME),
        other=ca.issue_cert(OTHER_NAME),
        untrusted=rogue.issue_cert(*SERVER_NAMES),
    )


def server_context(certs, cert=None, require_client_cert=False) -> ssl.SSLContext:
    """A server-side context presenting ``cert`` (default: the localhost certificate)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    (cert or certs.server).configure_cert(ctx)
    if require_client_cert:
        certs.ca.configure_trust(ctx)
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def client_context(certs, client_cert=False) -> ssl.SSLContext:
    """A client context verifying the server and its name (as create_default_context does),
    trusting only the test CA (loading the system's CA bundle would only cost time)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    certs.ca.configure_trust(ctx)
    if client_cert:
        certs.client.configure_cert(ctx)
    return ctx


class CleanClose(Exception):
    """The peer's TLS stream ended with a close_notify alert."""


class RaggedClose(Exception):
    """The peer's TCP stream ended (or was reset) without a close_notify alert."""


class TLSPeer:
    """A blocking TLS endpoint over ``sock`` using SSLObject and memory BIOs.

    ``initial`` holds raw bytes already read from the socket (e.g. what followed a plaintext
    line). ``wire`` accumulates every raw byte received from the socket after construction.
    """

    def __init__(
        self,
        sock: socket.socket,
        ctx: ssl.SSLContext,
        *,
        server_side: bool,
        server_hostname: str | None = None,
        initial: bytes = b"",
    ):
        self.sock = sock
        sock.settimeout(TIMEOUT)
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.obj = ctx.wrap_bio(self.incoming, self.outgoing, server_side=server_side, server_hostname=server_hostname)
        self.wire = bytearray(initial)
        if initial:
            self.incoming.write(initial)

    def _flush(self):
        data = self.outgoing.read()
        if data:
            self.sock.sendall(data)

    def _fill(self):
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if chunk:
            self.wire += chunk
            self.incoming.write(chunk)
        else:
            self.incoming.write_eof()

    def _call(self, func, *args):
        while True:
            try:
                result = func(*args)
            except ssl.SSLWantReadError:
                self._flush()
                self._fill()
                continue
            except ssl.SSLZeroReturnError:
                self._flush()
                raise CleanClose("close_notify received") from None
            except ssl.SSLEOFError as exc:
                raise RaggedClose(f"the TCP stream ended without close_notify ({exc})") from None
            except ssl.SSLSyscallError as exc:
                raise RaggedClose(f"the TCP stream ended without close_notify ({exc})") from None
            self._flush()
            return result

    def handshake(self):
        self._call(self.obj.do_handshake)

    def send(self, data: bytes):
        view = memoryview(data)
        while view:
            n = self._call(self.obj.write, view)
            view = view[n:]

    def recv(self, size: int = 65536) -> bytes:
        """Decrypted bytes; raises CleanClose / RaggedClose at the end of the stream."""
        data = self._call(self.obj.read, size)
        if not data:  # OpenSSL may report a clean close as an empty read
            raise CleanClose("close_notify received")
        return data

    def recv_exactly(self, size: int) -> bytes:
        buf = bytearray()
        while len(buf) < size:
            buf += self.recv(size - len(buf))
        return bytes(buf)

    def recv_until_closed(self) -> tuple[bytes, str]:
        """Read to the end of the stream; returns (data, 'clean' or 'ragged: ...').

        A close_notify is answered with ours (the loop may wait for it before closing).
        """
        buf = bytearray()
        while True:
            try:
                buf += self.recv()
            except CleanClose:
                self.close_notify()  # answer, as a well-behaved TLS peer does
                return bytes(buf), "clean"
            except RaggedClose as exc:
                return bytes(buf), f"ragged: {exc}"

    def close_notify(self):
        """Send close_notify (without waiting for the answer)."""
        try:
            self.obj.unwrap()
        except ssl.SSLWantReadError:
            pass
        except ssl.SSLError:
            pass
        self._flush()


def read_line(sock: socket.socket) -> tuple[bytes, bytes]:
    """Read a plaintext line from a raw socket; returns (line, bytes received after it)."""
    sock.settimeout(TIMEOUT)
    buf = bytearray()
    while b"\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise Violation("the connection ended before a plaintext line arrived", observed=bytes(buf))
        buf += chunk
    line, _, rest = bytes(buf).partition(b"\n")
    return line + b"\n", rest


def read_raw_to_eof(sock: socket.socket) -> bytes:
    """Raw bytes until EOF or reset (bounded by the socket timeout)."""
    sock.settimeout(TIMEOUT)
    buf = bytearray()
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return bytes(buf)
        if not chunk:
            return bytes(buf)
        buf += chunk


class PeerThread:
    """Runs ``func(*args)`` in a thread; ``result()`` joins and returns or re-raises."""

    def __init__(self, threads: Threads, func, *args):
        self._value = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(func, args), daemon=True, name="loopconf-tls-peer")
        threads.add(self)
        self._thread.start()

    def _run(self, func, args):
        try:
            self._value = func(*args)
        except BaseException as exc:  # handed to the check by result()
            self._error = exc

    def done(self) -> bool:
        return not self._thread.is_alive()

    def join(self, timeout: float = TIMEOUT + 1):
        self._thread.join(timeout)

    def result(self, timeout: float = TIMEOUT + 1):
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise Violation(f"the TLS peer did not finish within {timeout:g}s")
        if self._error is not None:
            raise self._error
        return self._value


class Threads:
    """Tracks peer threads and their sockets; on exit shuts the sockets down and joins."""

    def __init__(self):
        self._threads = []
        self._socks = []

    def add(self, peer: PeerThread):
        self._threads.append(peer)

    def sock(self, s: socket.socket) -> socket.socket:
        self._socks.append(s)
        return s

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        alive = [t for t in self._threads if not t.done()]
        if alive:
            for s in self._socks:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        for t in self._threads:
            t.join()
        for s in self._socks:
            try:
                s.close()
            except OSError:
                pass
        return False
