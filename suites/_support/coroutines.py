""""X is a coroutine" checks of the connection, server, sendfile and TLS methods (19.5.1.7-9).

The docs list these methods as coroutines: calling one returns a coroutine object
(``asyncio.iscoroutine`` holds) and nothing runs until it is awaited or wrapped in a task. A
loop returning a Future or Task instead passes every check that only awaits the result, so
the object is inspected unawaited. It is then closed (a coroutine that never started opened
nothing); anything else is run to completion so its resources are released, then reported.
"""

from __future__ import annotations

import asyncio

from loopconf.evidence import Violation


def expect_coroutine(net, make, what: str) -> None:
    """``make()`` calls the method once; the object it returns must be a coroutine."""
    obj = make()
    if asyncio.iscoroutine(obj):
        obj.close()
        return
    try:  # a Future/Task/awaitable: let it finish so whatever it opened is tracked and closed
        result = net.run(_settle(obj), what=f"settling the non-coroutine returned by {what}")
    except Violation:
        result = None
    if isinstance(result, tuple) and len(result) == 2 and hasattr(result[0], "get_extra_info"):
        net.pair(result)
    elif result is not None and not isinstance(result, (int, BaseException)):
        net.adopt(result)
    raise Violation(f"{what} did not return a coroutine object", expected="asyncio.iscoroutine(result) is True",
                    observed=type(obj).__name__)


async def _settle(obj):
    try:
        return await obj
    except Exception as exc:
        return exc
