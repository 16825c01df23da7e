"""A loopback listener that holds connection attempts pending (Linux), for checks that need a
connect() which does not complete at once.

Linux drops an incoming SYN while a listener's accept queue is full; the client's connect
stays in SYN_SENT and retries about a second later. :func:`full_listener` makes a listener
with ``listen(0)`` and fills its queue with one completed connection, so the next attempt to
reach it hangs until the check calls :func:`drain` (accepting the filler frees the queue; the
attempt completes on its next SYN retry). The kernel's TCP table (/proc/net/tcp, tcp6) shows
when an attempt is pending: :func:`syn_sent_to`. No timing is involved in telling states apart.
"""

from __future__ import annotations

import socket
import time

from loopconf.evidence import Violation

from .limits import TIMEOUT

SYN_SENT, LISTEN = "02", "0A"


def _rows():
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 5:
                continue
            local, remote, state, queues = fields[1], fields[2], fields[3], fields[4]
            yield int(local.rsplit(":", 1)[1], 16), int(remote.rsplit(":", 1)[1], 16), state, queues


def syn_sent_to(port: int) -> bool:
    """True while some local socket is trying to connect (SYN_SENT) to ``port``."""
    return any(state == SYN_SENT and rport == port for _, rport, state, _ in _rows())


def accept_queue(port: int) -> int:
    """Completed connections waiting in the accept queue of the listener on ``port``."""
    for lport, _, state, queues in _rows():
        if state == LISTEN and lport == port:
            return int(queues.split(":")[1], 16)
    return 0


def full_listener(net, family=socket.AF_INET) -> socket.socket:
    """A listener whose accept queue is full: the next connection attempt to it stays pending."""
    listener = net.listener(family, backlog=0)
    address = listener.getsockname()
    net.connect(address, family=family)
    deadline = time.monotonic() + TIMEOUT
    while accept_queue(address[1]) < 1:
        if time.monotonic() > deadline:
            raise Violation("could not fill a loopback listener's accept queue (test setup)")
        time.sleep(0.001)
    return listener


def drain(net, listener) -> None:
    """Accept one queued connection, freeing the queue (the pending attempt completes on retry)."""
    listener.settimeout(TIMEOUT)
    conn, _ = listener.accept()
    net.adopt(conn)
