"""Every coroutine method of the loop page is a coroutine (asyncio.iscoroutine holds for what it returns).

The page marks each of these methods "coroutine" (19.5.1.1, 19.5.1.6-19.5.1.9, 19.5.1.11-19.5.1.13,
19.5.1.15 and the subprocess methods; sock_sendall and sock_accept are async def since 3.7). A loop
that returns a Future, a Task or some other awaitable passes every check that only awaits the
result, yet breaks code that hands the object to asyncio.iscoroutine-based APIs or expects nothing
to start before it is awaited. Hence one body for all of them, here in one place; each method's
check is declared in its own section and area (``connections.create_connection.is_coroutine``...),
so the verdict lands where the method is documented and the ID matches the existing
``resolution.getaddrinfo.is_coroutine`` (getaddrinfo/getnameinfo keep their own checks, which
also await the result).

The returned object is never awaited: a coroutine is closed unstarted, so nothing is opened or
connected; the arguments are nevertheless valid ones, so a loop that validates eagerly is not
judged on its argument checking. A non-coroutine result (a Future/Task) is cancelled.
"""

import asyncio
import os
import socket
import ssl
import sys
import tempfile

from loopconf import checks
from loopconf.checks import UNIX
from loopconf.evidence import expect

from ._support.net import Factory, Net
from ._support.sched import run_once

SCOPES = {
    area: checks.scope(area=area, section=section)
    for area, section in (
        ("running", "19.5.1.1"),
        ("connections", "19.5.1.6"),
        ("servers", "19.5.1.7"),
        ("sendfile", "19.5.1.8"),
        ("tls", "19.5.1.9"),
        ("sockets", "19.5.1.11"),
        ("pipes", "19.5.1.13"),
        ("executor", "19.5.1.15"),
    )
}
SCOPES["subprocess"] = checks.scope(
    area="subprocess", section="subprocess", anchor="asyncio.loop.{method}", docs="3.10"
)


class _Fixture:
    """What the arguments of one call need: sockets, a transport, a file, pipe ends."""

    def __init__(self, loop, net):
        self.loop, self.net = loop, net
        self._files = []
        self._fds = []

    def stream_pair(self):
        a, b = socket.socketpair()
        self.net.adopt(a), self.net.adopt(b)
        a.setblocking(False)
        return a, b

    def udp(self):
        s = self.net.sock(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.setblocking(False)
        return s

    def transport(self):
        a, _ = self.stream_pair()
        transport, _ = self.net.pair(
            self.net.run(
                self.loop.connect_accepted_socket(asyncio.Protocol, a), what="connect_accepted_socket for a transport"
            )
        )
        return transport

    def real_file(self):
        f = tempfile.TemporaryFile()
        f.write(b"x" * 16)
        f.seek(0)
        self._files.append(f)
        return f

    def pipe_end(self, mode):
        r, w = os.pipe()
        keep, other = (r, w) if mode == "rb" else (w, r)
        self._fds.append(other)
        f = open(keep, mode, buffering=0)
        self._files.append(f)
        return f

    def close(self):
        for f in self._files:
            f.close()
        for fd in self._fds:
            os.close(fd)


def _cases():
    """method -> (area, since, platforms, covers, make(fx) -> (args, kwargs))."""
    P = asyncio.Protocol
    D = asyncio.DatagramProtocol
    return {
        "shutdown_asyncgens": ("running", "", (), ("shutdown_asyncgens.1",), lambda fx: ((), {})),
        "shutdown_default_executor": (
            "executor",
            "3.9",
            (),
            ("shutdown_default_executor.1:partial",),
            lambda fx: ((), {}),
        ),
        "create_connection": (
            "connections",
            "",
            (),
            ("create_connection.1",),
            lambda fx: ((P, "127.0.0.1", fx.net.free_port()), {}),
        ),
        "create_datagram_endpoint": (
            "connections",
            "",
            (),
            ("create_datagram_endpoint.1",),
            lambda fx: ((D,), {"local_addr": ("127.0.0.1", 0)}),
        ),
        "create_unix_connection": (
            "connections",
            "",
            UNIX,
            ("create_unix_connection.1",),
            lambda fx: ((P, os.path.join(fx.net.tempdir(), "s")), {}),
        ),
        "create_server": ("servers", "", (), ("create_server.1",), lambda fx: ((P, "127.0.0.1", 0), {})),
        "create_unix_server": (
            "servers",
            "",
            UNIX,
            ("create_unix_server.1",),
            lambda fx: ((P, os.path.join(fx.net.tempdir(), "s")), {}),
        ),
        "connect_accepted_socket": (
            "servers",
            "",
            (),
            ("connect_accepted_socket.1",),
            lambda fx: ((P, fx.stream_pair()[0]), {}),
        ),
        "sendfile": ("sendfile", "", (), ("sendfile.1",), lambda fx: ((fx.transport(), fx.real_file()), {})),
        "start_tls": (
            "tls",
            "",
            (),
            ("start_tls.1",),
            lambda fx: ((fx.transport(), P(), ssl.create_default_context()), {"server_hostname": "localhost"}),
        ),
        "sock_recv": ("sockets", "", (), ("sock_recv.1",), lambda fx: ((fx.stream_pair()[0], 1), {})),
        "sock_recv_into": (
            "sockets",
            "",
            (),
            ("sock_recv_into.1",),
            lambda fx: ((fx.stream_pair()[0], bytearray(1)), {}),
        ),
        "sock_sendall": ("sockets", "", (), ("sock_sendall.1",), lambda fx: ((fx.stream_pair()[0], b"x"), {})),
        "sock_connect": (
            "sockets",
            "",
            (),
            ("sock_connect.1",),
            lambda fx: ((fx.net.connect_nb(("127.0.0.1", 0)), ("127.0.0.1", fx.net.free_port())), {}),
        ),
        "sock_accept": ("sockets", "", (), ("sock_accept.1",), lambda fx: ((_nonblocking(fx.net.listener()),), {})),
        "sock_sendfile": (
            "sockets",
            "",
            (),
            ("sock_sendfile.1",),
            lambda fx: ((fx.stream_pair()[0], fx.real_file()), {}),
        ),
        "sock_recvfrom": ("sockets", "3.11", (), ("sock_recvfrom.1:partial",), lambda fx: ((fx.udp(), 1), {})),
        "sock_recvfrom_into": (
            "sockets",
            "3.11",
            (),
            ("sock_recvfrom_into.1:partial",),
            lambda fx: ((fx.udp(), bytearray(1)), {}),
        ),
        "sock_sendto": (
            "sockets",
            "3.11",
            (),
            ("sock_sendto.1:partial",),
            lambda fx: ((fx.udp(), b"x", ("127.0.0.1", fx.net.free_port(type=socket.SOCK_DGRAM))), {}),
        ),
        "connect_read_pipe": ("pipes", "", UNIX, ("connect_read_pipe.1",), lambda fx: ((P, fx.pipe_end("rb")), {})),
        "connect_write_pipe": ("pipes", "", UNIX, ("connect_write_pipe.1",), lambda fx: ((P, fx.pipe_end("wb")), {})),
        "subprocess_exec": (
            "subprocess",
            "",
            UNIX,
            ("subprocess_exec.1:partial",),
            lambda fx: ((asyncio.SubprocessProtocol, sys.executable, "-c", "pass"), {}),
        ),
        "subprocess_shell": (
            "subprocess",
            "",
            UNIX,
            ("subprocess_shell.1:partial",),
            lambda fx: ((asyncio.SubprocessProtocol, "exit 0"), {}),
        ),
    }


def _nonblocking(sock):
    sock.setblocking(False)
    return sock


def _discard(loop, obj):
    """Release what a call returned without running it: close a coroutine, cancel a Future."""
    if asyncio.iscoroutine(obj):
        obj.close()
    elif isinstance(obj, asyncio.Future) or asyncio.isfuture(obj):
        obj.cancel()
        run_once(loop)
        if obj.done() and not obj.cancelled():
            obj.exception()  # retrieved: no "never retrieved" report


def _is_coroutine(loop, method, make):
    with Net(loop) as net:
        fx = _Fixture(loop, net)
        try:
            args, kwargs = make(fx)
            obj = getattr(loop, method)(*args, **kwargs)
            try:
                expect(
                    asyncio.iscoroutine(obj),
                    f"{method}() did not return a coroutine",
                    expected="a coroutine (asyncio.iscoroutine)",
                    observed=type(obj).__name__,
                )
            finally:
                _discard(loop, obj)
        finally:
            fx.close()


def _declare():
    for method, (area, since, platforms, covers, make) in _cases().items():
        fields = {"covers": covers}
        if since:
            fields["since"] = since
        if platforms:
            fields["platforms"] = platforms

        def test(loop, _method=method, _make=make):
            _is_coroutine(loop, _method, _make)

        test.__name__ = f"test_{method}_is_coroutine"
        globals()[test.__name__] = SCOPES[area].check(
            method,
            "is_coroutine",
            requirement=f"{method}() is a coroutine method: calling it returns a coroutine object "
            "(asyncio.iscoroutine holds), not a Future, Task or other awaitable.",
            **fields,
        )(test)


_declare()
