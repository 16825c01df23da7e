"""Private host names for the 19.5.1.6 resolution checks, without real DNS.

:class:`FakeNames` replaces ``socket.getaddrinfo`` for the duration of a check. A host name it
knows (names end in ``.loopconf.invalid``, a reserved TLD that never resolves for real)
resolves to the addresses the check configured, in that order, each with its own port if
given; every other call goes to the real function. Each call for a known name is recorded
(host, port, family, type, proto, flags), so a check can see what the loop passed.

A loop whose resolver never calls ``socket.getaddrinfo`` (a native resolver) cannot be
steered this way: :meth:`FakeNames.require_used` skips the check, saying so.

Addresses are loopback only (127.0.0.1, ::1). The original function is always restored.
"""

from __future__ import annotations

import socket
import threading

import pytest

SUFFIX = ".loopconf.invalid"


def name(label: str) -> str:
    return label + SUFFIX


class FakeNames:
    def __init__(self, names: dict):
        """``names``: host name -> list of (family, ip) or (family, ip, port) entries, in order."""
        self.names = names
        self.calls: list[dict] = []
        self.real = socket.getaddrinfo
        self._lock = threading.Lock()

    def _patched(self, host, port, family=0, type=0, proto=0, flags=0):
        key = host.decode() if isinstance(host, bytes) else host
        if key not in self.names:
            return self.real(host, port, family, type, proto, flags)
        with self._lock:
            self.calls.append(
                {
                    "host": key,
                    "port": port,
                    "family": int(family),
                    "type": int(type),
                    "proto": int(proto),
                    "flags": int(flags),
                }
            )
        if flags & socket.AI_NUMERICHOST:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        kind = type or socket.SOCK_STREAM
        default_proto = socket.IPPROTO_UDP if kind == socket.SOCK_DGRAM else socket.IPPROTO_TCP
        out = []
        for entry in self.names[key]:
            fam, ip = entry[0], entry[1]
            p = entry[2] if len(entry) > 2 else int(port or 0)
            if family and fam != family:
                continue
            addr = (ip, p) if fam == socket.AF_INET else (ip, p, 0, 0)
            out.append((fam, kind, proto or default_proto, "", addr))
        if not out:
            raise socket.gaierror(
                socket.EAI_ADDRFAMILY if hasattr(socket, "EAI_ADDRFAMILY") else socket.EAI_NONAME,
                "no address of the requested family",
            )
        return out

    def require_used(self, what: str = "the loop") -> None:
        if not self.calls:
            pytest.skip(
                f"{what} did not call socket.getaddrinfo for a host name; its resolution cannot be "
                "steered to private test names without real DNS"
            )

    def __enter__(self):
        socket.getaddrinfo = self._patched
        return self

    def __exit__(self, *exc):
        socket.getaddrinfo = self.real
        return False
