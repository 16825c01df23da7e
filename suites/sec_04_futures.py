"""19.5.1.4 Futures: create_future."""

import asyncio

from loopconf import checks
from loopconf.evidence import expect, expect_equal

from ._support.sched import run_once, run_until_bounded

scope = checks.scope(area="futures", section="19.5.1.4")


@scope.check(
    "create_future",
    "is_future",
    requirement="create_future() returns a new, pending asyncio.Future (an instance of "
    "asyncio.Future or a subclass), a distinct one on every call.",
    covers=("create_future.1",),
)
def test_create_future_is_future(loop):
    first, second = loop.create_future(), loop.create_future()
    expect(
        isinstance(first, asyncio.Future),
        "create_future() did not return an asyncio.Future",
        expected="asyncio.Future",
        observed=type(first).__name__,
    )
    expect(first is not second, "create_future() returned the same object twice")
    expect(not first.done() and not first.cancelled(), "the new Future is not pending")


@scope.check(
    "create_future",
    "attached",
    requirement="The Future from create_future() is attached to the loop that made it (get_loop() is that loop).",
    covers=("create_future.2",),
)
def test_create_future_attached(loop):
    fut = loop.create_future()
    expect(
        fut.get_loop() is loop,
        "the Future is attached to another loop",
        expected=repr(loop),
        observed=repr(fut.get_loop()),
    )


@scope.check(
    "create_future",
    "callbacks_on_loop",
    requirement="Done callbacks of a Future from create_future() are scheduled on its loop: they "
    "run when the loop runs, not inside set_result().",
    covers=("create_future.2",),
)
def test_create_future_callbacks_on_loop(loop):
    fut = loop.create_future()
    seen = []
    fut.add_done_callback(lambda f: seen.append((f is fut, loop.is_running())))
    fut.set_result("value")
    during = list(seen)
    run_once(loop)
    expect_equal(during, [], "the done callback ran inside set_result()")
    expect_equal(seen, [(True, True)], "the done callback did not run on the loop")


@scope.check(
    "create_future",
    "awaitable",
    requirement="A coroutine running on the loop can await a Future from create_future() and gets "
    "its result when it is set.",
    covers=("create_future.2",),
)
def test_create_future_awaitable(loop):
    fut = loop.create_future()

    async def waiter():
        return await fut

    task = loop.create_task(waiter())
    loop.call_later(0.005, fut.set_result, 7)
    expect_equal(run_until_bounded(loop, task), 7, "awaiting the Future gave a wrong result")
