""""X is a coroutine" checks of the connection, server, sendfile and TLS methods (19.5.1.7-9).

The docs list these methods as coroutines: calling one returns a coroutine object
(``asyncio.iscoroutine`` holds) and nothing runs until it is awaited or wrapped in a task. A
loop returning a Future or Task instead passes every check that only awaits the result, so
the object is inspected before it is awaited; it is then awaited so its resources are released
(and an unimplemented method reports as missing).
"""

from __future__ import annotations

import asyncio

from loopconf.evidence import Violation


def expect_coroutine(net, make, what: str) -> None:
    """``make()`` calls the method once; the object it returns must be a coroutine. It is then
    awaited (bounded) so an unimplemented method (NotImplementedError) reports as missing and
    whatever it opened is tracked and released; other exceptions of the call do not matter."""
    obj = make()
    is_coroutine = asyncio.iscoroutine(obj)
    try:
        result = net.run(_settle(obj), what=f"awaiting the object returned by {what}")
    except Violation:
        result = None
    if isinstance(result, tuple) and len(result) == 2 and hasattr(result[0], "get_extra_info"):
        net.pair(result)
    elif result is not None and not isinstance(result, (int, BaseException)):
        net.adopt(result)
    if not is_coroutine:
        raise Violation(f"{what} did not return a coroutine object",
                        expected="asyncio.iscoroutine(result) is True", observed=type(obj).__name__)


async def _settle(obj):
    try:
        return await obj
    except NotImplementedError:
        raise
    except Exception as exc:
        return exc
