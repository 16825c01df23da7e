"""Method overrides shared by several broken-loop modules."""

import asyncio


def on_dup_sock(method: str):
    """An override of the coroutine method ``method`` (stock SelectorEventLoop behaviour) that
    hands the stock method a dup() of the ``sock=`` socket, so closing what it made leaves the
    caller's socket open."""
    stock = getattr(asyncio.SelectorEventLoop, method)

    async def override(self, *args, sock=None, **kwargs):
        return await stock(self, *args, sock=sock.dup() if sock is not None else None, **kwargs)

    override.__name__ = override.__qualname__ = method
    return override
