"""Peers that run outside the loop under test, for the 19.5.1.8 / 19.5.1.11 / 19.5.1.13 suites.

- :class:`ThreadReader`: drains a blocking socket or pipe fd to EOF in a helper thread, so a
  transfer larger than the kernel buffers can finish without relying on any other loop method.
- :func:`stream_pair`: two connected stream sockets (UNIX socketpair or TCP over 127.0.0.1).
- :func:`data_file`: a temporary regular binary file with known, non-repeating content.

Every helper is bounded in time (:data:`TIMEOUT`) so a broken loop fails fast, and every
thread is joined before the check ends (the fixtures fail a check that leaks a thread).
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading

from .limits import TIMEOUT


class ThreadReader:
    """Reads ``sock`` (a socket) or ``fd`` (a pipe read end) until EOF in a thread.

    ``stop_after``: after that many bytes the reader shuts its reading side of ``sock`` down
    (the sender's next send fails with EPIPE) and drains what was already queued; ``data`` is
    then exactly what the sender got into the connection (AF_UNIX: a send either queues under
    the peer's lock before the shutdown, or fails).
    """

    def __init__(self, sock: socket.socket | None = None, fd: int | None = None, stop_after: int | None = None):
        self.sock = sock
        self.fd = fd
        self.stop_after = stop_after
        self.data = bytearray()
        self.error: BaseException | None = None
        if sock is not None:
            sock.setblocking(True)
            sock.settimeout(TIMEOUT)
        self._thread = threading.Thread(target=self._run, name="loopconf-peer-reader", daemon=True)
        self._thread.start()

    def _run(self):
        try:
            while True:
                size = 1 << 16
                if self.stop_after is not None:
                    if len(self.data) >= self.stop_after:
                        self.sock.shutdown(socket.SHUT_RD)
                        self.stop_after = None
                    else:
                        size = min(size, self.stop_after - len(self.data))
                if self.sock is not None:
                    chunk = self.sock.recv(size)
                else:
                    chunk = os.read(self.fd, size)
                if not chunk:
                    return
                self.data += chunk
        except BaseException as exc:  # recorded; the check decides what it means
            self.error = exc

    def join(self, timeout: float = TIMEOUT) -> bytes:
        """Wait for EOF (at most ``timeout``) and return what was read."""
        self._thread.join(timeout)
        return bytes(self.data)

    @property
    def finished(self) -> bool:
        return not self._thread.is_alive()


def stream_pair(kind: str = "unix") -> tuple[socket.socket, socket.socket]:
    """Two connected stream sockets: ``unix`` (socketpair) or ``tcp`` (127.0.0.1, port 0)."""
    if kind == "unix":
        return socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        client = socket.create_connection(listener.getsockname(), timeout=TIMEOUT)
        listener.settimeout(TIMEOUT)
        server, _ = listener.accept()
    client.settimeout(None)
    return client, server


def payload(size: int) -> bytes:
    """``size`` bytes in which no short pattern repeats at a small period (offsets show up)."""
    block = bytes((i * 7 + i // 256) % 251 for i in range(65536))
    out = (block * (size // len(block) + 1))[:size]
    return out


def data_file(size: int, mode: str = "w+b"):
    """A temporary regular file holding ``payload(size)``, positioned at 0."""
    f = tempfile.TemporaryFile(mode=mode)
    if "b" in mode:
        f.write(payload(size))
    else:
        f.write("x" * size)
    f.flush()
    f.seek(0)
    return f
