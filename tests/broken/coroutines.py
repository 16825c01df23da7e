"""Broken loops for the "is a coroutine" promise of every coroutine method (suites/page_coroutines.py)."""

import asyncio
import functools
import inspect

from tests.broken import breaks

#: The coroutine methods of the loop page (getaddrinfo/getnameinfo included), as the running
#: Python's AbstractEventLoop declares them.
COROUTINE_METHODS = tuple(
    name for name, attr in vars(asyncio.AbstractEventLoop).items() if inspect.iscoroutinefunction(attr)
)


def _as_task(name):
    coro_method = getattr(asyncio.SelectorEventLoop, name)

    @functools.wraps(coro_method)
    def method(self, *args, **kwargs):
        return self.create_task(coro_method(self, *args, **kwargs))

    return method


@breaks("*.*.is_coroutine", keeps=["calls.call_soon.fifo", "tasks.create_task.returns_task"])
class TaskReturningLoop(asyncio.SelectorEventLoop):
    """Every coroutine method is a plain method returning a Task that already wraps the work
    (awaitable, so code that only awaits it works, but not a coroutine)."""


for _name in COROUTINE_METHODS:
    if hasattr(asyncio.SelectorEventLoop, _name):
        setattr(TaskReturningLoop, _name, _as_task(_name))


@breaks(
    "sockets.sock_sendall.is_coroutine",
    keeps=[
        "sockets.sock_recv.is_coroutine",
        "sockets.sock_accept.is_coroutine",
        "connections.create_connection.is_coroutine",
    ],
)
class FutureSockSendallLoop(asyncio.SelectorEventLoop):
    """sock_sendall alone is the pre-3.7 style: a plain method returning a Future."""

    def sock_sendall(self, sock, data):
        return asyncio.ensure_future(super().sock_sendall(sock, data), loop=self)
