"""19.5.1.5 Tasks: create_task, set_task_factory, get_task_factory."""

import asyncio
import contextvars

from loopconf import checks
from loopconf.checks import SHOULD
from loopconf.evidence import expect, expect_equal, expect_raises

from ._support.sched import VAR, run_once, run_until_bounded

scope = checks.scope(area="tasks", section="19.5.1.5")


async def _value(value):
    return value


@scope.check(
    "create_task",
    "returns_task",
    requirement="create_task(coro) returns an asyncio.Task (or a subclass) of this loop that runs "
    "the coroutine to completion.",
    covers=("create_task.2", "create_task.3"),
)
def test_create_task_returns_task(loop):
    task = loop.create_task(_value("result"))
    expect(
        isinstance(task, asyncio.Task),
        "create_task() did not return an asyncio.Task",
        expected="asyncio.Task",
        observed=type(task).__name__,
    )
    expect(task.get_loop() is loop, "the Task belongs to another loop")
    expect_equal(run_until_bounded(loop, task), "result", "the Task did not run the coroutine")


@scope.check(
    "create_task",
    "scheduled",
    requirement="create_task() schedules the coroutine: it does not start inside create_task(), and "
    "starts once the loop runs, even if nobody awaits the Task.",
    covers=("create_task.1",),
)
def test_create_task_scheduled(loop):
    started = []

    async def body():
        started.append("started")

    task = loop.create_task(body())
    during = list(started)
    run_once(loop)
    expect_equal(during, [], "the coroutine started inside create_task()")
    expect_equal(started, ["started"], "the coroutine did not start when the loop ran")
    expect(task.done(), "the Task is not done although its coroutine finished")


@scope.check(
    "create_task",
    "name",
    since="3.8",
    requirement="create_task(coro, name=...) gives the Task that name.",
    covers=("create_task.4",),
)
def test_create_task_name(loop):
    task = loop.create_task(_value(None), name="loopconf-task")
    run_until_bounded(loop, task)
    expect_equal(task.get_name(), "loopconf-task", "the Task did not get the given name")


@scope.check(
    "create_task",
    "name_each",
    since="3.8",
    requirement="Every create_task(coro, name=...) call names its own Task, not only the first.",
    covers=("create_task.4",),
)
def test_create_task_name_each(loop):
    names = [f"loopconf-task-{i}" for i in range(3)]
    tasks = [loop.create_task(_value(None), name=n) for n in names]
    for task in tasks:
        run_until_bounded(loop, task)
    expect_equal([t.get_name() for t in tasks], names, "a Task did not get its given name")


@scope.check(
    "create_task",
    "context",
    since="3.11",
    requirement="create_task(coro, context=ctx) runs the coroutine in the given Context: it sees "
    "the Context's values and its changes stay there.",
    covers=("create_task.5",),
)
def test_create_task_context(loop):
    ctx = contextvars.Context()
    ctx.run(VAR.set, "in-ctx")

    async def body():
        seen = VAR.get()
        VAR.set("changed-by-task")
        return seen

    token = VAR.set("caller")
    try:
        task = loop.create_task(body(), context=ctx)
        expect_equal(run_until_bounded(loop, task), "in-ctx", "the Task did not run in the given Context")
        expect_equal(ctx[VAR], "changed-by-task", "the Task's change is not in the given Context")
        expect_equal(VAR.get(), "caller", "the Task's change leaked into the caller's context")
    finally:
        VAR.reset(token)


@scope.check(
    "create_task",
    "current_context",
    requirement="Without a context argument, a Task runs in a copy of the context current at "
    "create_task() (Task semantics, PEP 567).",
    covers=("create_task.5",),
)
def test_create_task_current_context(loop):
    async def body():
        return VAR.get()

    def register():
        VAR.set("at-creation")
        task = loop.create_task(body())
        VAR.set("after-creation")
        return task

    task = contextvars.copy_context().run(register)
    expect_equal(run_until_bounded(loop, task), "at-creation", "the Task did not see the creating context")


# -- task factory ----------------------------------------------------------------------------


def _recording_factory(calls):
    def factory(loop, coro, **kwargs):
        task = asyncio.Task(coro, loop=loop, **kwargs)
        calls.append({"loop": loop, "coro": coro, "kwargs": kwargs, "task": task})
        return task

    return factory


@scope.check(
    "get_task_factory",
    "default_none",
    requirement="get_task_factory() returns None while the default task factory is in use.",
    covers=("get_task_factory.2",),
)
def test_get_task_factory_default_none(loop):
    expect_equal(loop.get_task_factory(), None, "a new loop reports a task factory")


@scope.check(
    "set_task_factory",
    "roundtrip",
    requirement="get_task_factory() returns the factory given to set_task_factory(); "
    "set_task_factory(None) restores the default (get_task_factory() is None again and "
    "create_task() no longer calls the factory).",
    covers=("set_task_factory.2", "get_task_factory.1", "get_task_factory.2"),
)
def test_set_task_factory_roundtrip(loop):
    calls = []
    factory = _recording_factory(calls)
    loop.set_task_factory(factory)
    expect(loop.get_task_factory() is factory, "get_task_factory() did not return the factory set")
    loop.set_task_factory(None)
    expect_equal(loop.get_task_factory(), None, "set_task_factory(None) did not restore the default")
    task = loop.create_task(_value(1))
    run_until_bounded(loop, task)
    expect_equal(calls, [], "create_task() still used the factory after set_task_factory(None)")
    expect(isinstance(task, asyncio.Task), "the default factory did not make a Task")


@scope.check(
    "set_task_factory",
    "used",
    requirement="After set_task_factory(f), create_task(coro) calls f(loop, coro) with this loop "
    "and the coroutine object, and returns what f returned.",
    covers=("set_task_factory.1", "set_task_factory.3"),
)
def test_set_task_factory_used(loop):
    calls = []
    loop.set_task_factory(_recording_factory(calls))
    coro = _value("via-factory")
    task = loop.create_task(coro)
    expect_equal(len(calls), 1, "create_task() did not call the task factory exactly once")
    call = calls[0]
    expect(call["loop"] is loop, "the factory was not given this loop")
    expect(call["coro"] is coro, "the factory was not given the coroutine object")
    expect(task is call["task"], "create_task() did not return the factory's result")
    expect_equal(run_until_bounded(loop, task), "via-factory", "the factory's Task did not run")


@scope.check(
    "set_task_factory",
    "context_kwarg",
    since="3.11",
    requirement="create_task(coro, context=ctx) passes context=ctx on to the task factory.",
    covers=("set_task_factory.5",),
)
def test_set_task_factory_context_kwarg(loop):
    calls = []
    loop.set_task_factory(_recording_factory(calls))
    ctx = contextvars.Context()
    task = loop.create_task(_value(None), context=ctx)
    run_until_bounded(loop, task)
    expect_equal(len(calls), 1, "create_task() did not call the task factory exactly once")
    expect(
        calls[0]["kwargs"].get("context") is ctx,
        "the factory did not receive context=",
        observed=repr(calls[0]["kwargs"]),
    )


@scope.check(
    "set_task_factory",
    "name_applied",
    since="3.8",
    requirement="create_task(coro, name=...) with a task factory set still gives the Task that name.",
    covers=("create_task.4",),
)
def test_set_task_factory_name_applied(loop):
    loop.set_task_factory(_recording_factory([]))
    task = loop.create_task(_value(None), name="loopconf-named")
    run_until_bounded(loop, task)
    expect_equal(task.get_name(), "loopconf-named", "the factory-made Task did not get the name")


@scope.check(
    "set_task_factory",
    "rejects_non_callable",
    level=SHOULD,
    note="task-factory-non-callable-typeerror",
    requirement="set_task_factory() refuses a factory that is neither None nor callable with "
    "TypeError and keeps the previous factory (the doc requires a callable or None).",
    covers=("set_task_factory.4",),
)
def test_set_task_factory_rejects_non_callable(loop):
    expect_raises(
        TypeError, loop.set_task_factory, "not callable", what="set_task_factory() accepted a non-callable factory"
    )
    expect_equal(loop.get_task_factory(), None, "the rejected factory was installed")
    task = loop.create_task(_value(2))
    expect_equal(run_until_bounded(loop, task), 2, "create_task() broke after the rejected factory")


@scope.check(
    "create_task",
    "passes_keywords",
    since="3.13.4",
    requirement="Keyword arguments of create_task() reach the task factory (called as "
    "factory(loop, coro, **kwargs)) or, without a factory, the Task constructor: "
    "eager_start=False is accepted and arrives as given.",
    covers=("create_task.6",),
)
def test_create_task_passes_keywords(loop):
    seen = []

    def factory(lp, coro, **kwargs):
        seen.append(dict(kwargs))
        return asyncio.Task(coro, loop=lp, **kwargs)

    plain = loop.create_task(_value("plain"), eager_start=False)
    loop.set_task_factory(factory)
    try:
        made = loop.create_task(_value("factory"), eager_start=False)
    finally:
        loop.set_task_factory(None)
    results = loop.run_until_complete(asyncio.gather(plain, made))
    expect_equal(results, ["plain", "factory"], "the tasks made with extra keywords did not run")
    expect_equal(
        [kw.get("eager_start") for kw in seen],
        [False],
        "create_task() did not pass eager_start=False on to the task factory",
    )
