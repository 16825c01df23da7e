"""Preconditions: a check that needs another documented API on the way to its own clause.

When that other API misbehaves, the check cannot judge its own requirement. It ends
``blocked`` (like web-platform-tests' PRECONDITION_FAILED), naming the check that owns the
broken clause, instead of failing under the wrong ID::

    with precondition("connections.create_connection.extra_info_socket"):
        sock = transport.get_extra_info("socket")
        sock.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST)

Anything the block raises (a wrong result, an AttributeError, NotImplementedError) becomes
:class:`Blocked`; the record's ``blocked_by`` is the named check, which reports the deviation once.
"""

from __future__ import annotations

import contextlib


class Blocked(Exception):
    """The running check could not reach its own clause: ``blocked_by`` broke on the way."""

    def __init__(self, blocked_by: str, detail: str):
        super().__init__(f"{blocked_by}: {detail}")
        self.blocked_by = blocked_by
        self.detail = detail


@contextlib.contextmanager
def precondition(check_id: str, what: str = ""):
    """Turn any failure inside the block into :class:`Blocked` naming ``check_id``."""
    try:
        yield
    except Blocked:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure on the way is the precondition's
        text = str(exc).strip().splitlines()
        detail = f"{type(exc).__name__}{': ' + text[0] if text else ''}"
        raise Blocked(check_id, f"{what + ': ' if what else ''}{detail}") from exc
