"""What the Python 3.14 and 3.15 event-loop docs promise beyond 3.13 (loop page, 19.5.1.5 and 19.5.1.15).

Every check here is version-gated (``since="3.14"`` or an explicit ``versions=``): on an older Python
it is reported ``skip`` with the range it applies to. The 3.13.4 rule for task-factory keywords, which
3.14 undid, is here too (kwargs_filtered_3134). The TLS change of 3.13.16/3.14.8 lives beside
the other server_hostname checks in tls_parameters.py.

Removed in 3.14 and deliberately not checked (spec note ``py314-removed-watchers-policies``): the
child watchers of the subprocess and policy pages are gone and the event-loop policies are
deprecated; no check uses either, loops are always built from the factory under test.
"""

import asyncio
import concurrent.futures
import contextvars
import warnings

from loopconf import checks
from loopconf.evidence import expect, expect_equal

from ._support.sched import run_until_bounded

tasks = checks.scope(area="tasks", section="19.5.1.5")
executor = checks.scope(area="executor", section="19.5.1.15")


def _probe(events):
    """A coroutine that records when it starts, suspends once, and records when it resumes."""

    async def body():
        events.append("started")
        await asyncio.sleep(0)
        events.append("resumed")
        return "done"

    return body()


def _inside(loop, create):
    """Call ``create(events)`` from a coroutine running on ``loop`` (eager start needs a running loop).

    Returns (events seen right after the call, the task's result, events at the end).
    """
    events = []

    async def main():
        task = create(events)
        seen = list(events)
        return seen, await task

    seen, result = run_until_bounded(loop, loop.create_task(main()))
    return seen, result, events


def _expect_start(loop, started: bool, what: str, **kw):
    """create_task(_probe(...), **kw) inside the running loop: the coroutine must have started
    inside the call exactly when ``started`` (else Violation ``what``). Returns (result, events)."""
    seen, result, events = _inside(loop, lambda ev: loop.create_task(_probe(ev), **kw))
    expect_equal(seen, ["started"] if started else [], what)
    return result, events


# -- create_task(eager_start=...) ------------------------------------------------------------------


@tasks.check(
    "create_task",
    "eager_start_true",
    since="3.14",
    covers=("create_task.7",),
    requirement="On a running loop, create_task(coro, eager_start=True) runs the coroutine before "
    "returning, up to its first suspension (a coroutine that never suspends is already "
    "done), and the rest runs later as usual.",
)
def test_create_task_eager_start_true(loop):
    result, events = _expect_start(
        loop,
        True,
        "create_task(eager_start=True) returned before the coroutine started (or ran past its first suspension)",
        eager_start=True,
    )
    expect_equal((result, events), ("done", ["started", "resumed"]), "the eagerly started task did not finish")

    async def immediate():
        return "immediate"

    async def main():
        task = loop.create_task(immediate(), eager_start=True)
        return task.done(), await task

    done, value = run_until_bounded(loop, loop.create_task(main()))
    expect(done, "create_task(eager_start=True) of a coroutine that never suspends returned an unfinished task")
    expect_equal(value, "immediate", "the eagerly finished task lost its result")


@tasks.check(
    "create_task",
    "eager_start_false",
    since="3.14",
    covers=("create_task.8:partial",),
    requirement="create_task(coro, eager_start=False) only schedules the coroutine: it has not started "
    "when create_task returns, and runs to completion afterwards.",
)
def test_create_task_eager_start_false(loop):
    result, events = _expect_start(
        loop, False, "create_task(eager_start=False) started the coroutine inside the call", eager_start=False
    )
    expect_equal((result, events), ("done", ["started", "resumed"]), "the scheduled task did not finish")


@tasks.check(
    "create_task",
    "eager_factory_mode",
    since="3.14",
    covers=("create_task.9", "create_task.8"),
    requirement="With asyncio.eager_task_factory installed, create_task(coro) without eager_start starts "
    "the coroutine eagerly (the factory's mode), while create_task(coro, eager_start=False) "
    "only schedules it.",
)
def test_create_task_eager_factory_mode(loop):
    loop.set_task_factory(asyncio.eager_task_factory)
    result, _ = _expect_start(loop, True, "with eager_task_factory and no eager_start the task did not start eagerly")
    expect_equal(result, "done", "the eager factory's task did not finish")
    result, _ = _expect_start(
        loop, False, "eager_start=False did not override the eager task factory", eager_start=False
    )
    expect_equal(result, "done", "the scheduled task did not finish")


# -- the task factory gets every keyword ---------------------------------------------------------


async def _none():
    return None


def _recording_factory(loop):
    """Install a task factory that records the keywords it gets; returns ``create(**kwargs)``,
    which runs create_task(coro, **kwargs) to completion, checks the factory was called exactly
    once, and returns (the keywords it received, the task)."""
    seen = []

    def factory(loop_, coro, **kwargs):
        seen.append(dict(kwargs))
        kwargs.pop("loopconf_extra", None)  # ours: the factory consumes it before building the Task
        return asyncio.Task(coro, loop=loop_, **kwargs)

    loop.set_task_factory(factory)

    def create(**kwargs):
        del seen[:]
        task = loop.create_task(_none(), **kwargs)
        run_until_bounded(loop, task)
        expect_equal(len(seen), 1, f"create_task(coro, **{kwargs!r}) did not call the task factory exactly once")
        return seen[0], task

    return create


@tasks.check(
    "set_task_factory",
    "kwargs_passed_unchanged",
    since="3.14",
    covers=("create_task.10", "set_task_factory.7"),
    requirement="With a task factory set, every keyword given to create_task() reaches the factory "
    "exactly as given: name and context also when None, eager_start, and a keyword unknown "
    "to asyncio; nothing the caller did not pass is added.",
)
def test_set_task_factory_kwargs_passed_unchanged(loop):
    create = _recording_factory(loop)
    ctx = contextvars.copy_context()
    cases = [
        {},
        {"name": None},
        {"name": "loopconf-n"},
        {"context": None},
        {"context": ctx},
        {"eager_start": False},
        {"loopconf_extra": 1},
        {"name": "loopconf-both", "context": ctx},
    ]
    for kwargs in cases:
        received, _ = create(**kwargs)
        expect_equal(received, kwargs, f"create_task(coro, **{kwargs!r}) passed other keywords to the task factory")


@tasks.check(
    "set_task_factory",
    "kwargs_filtered_3134",
    versions=">=3.13.4,<3.14",
    docs="3.13",
    covers=("create_task.6",),
    requirement="On 3.13.4 and later 3.13 releases, create_task() calls the task factory without name and "
    "with context only when it is not None, passing every other keyword unchanged; a name "
    "given is still applied to the task.",
)
def test_set_task_factory_kwargs_filtered_3134(loop):
    create = _recording_factory(loop)
    ctx = contextvars.copy_context()
    cases = [
        ({}, {}),
        ({"name": "loopconf-n"}, {}),
        ({"context": None}, {}),
        ({"context": ctx}, {"context": ctx}),
        ({"loopconf_extra": 1}, {"loopconf_extra": 1}),
        ({"name": "loopconf-both", "context": ctx, "loopconf_extra": 2}, {"context": ctx, "loopconf_extra": 2}),
    ]
    for given, expected in cases:
        received, task = create(**given)
        expect_equal(received, expected, f"create_task(coro, **{given!r}): keywords the task factory received")
        if "name" in given:
            expect_equal(task.get_name(), given["name"], f"create_task(coro, **{given!r}) did not name the task")


# -- InterpreterPoolExecutor ---------------------------------------------------------------------


@executor.check(
    "set_default_executor",
    "interpreter_pool",
    since="3.14",
    covers=("set_default_executor.3", "run_in_executor.8"),
    requirement="set_default_executor() accepts a concurrent.futures.InterpreterPoolExecutor without "
    "error or warning; run_in_executor(None, f, *args) then returns f's result computed "
    "there, as does run_in_executor(pool, f, *args).",
)
def test_set_default_executor_interpreter_pool(loop):
    pool = concurrent.futures.InterpreterPoolExecutor(max_workers=1)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loop.set_default_executor(pool)
        expect_equal([str(w.message) for w in caught], [], "set_default_executor(InterpreterPoolExecutor) warned")
        via_default = run_until_bounded(loop, loop.run_in_executor(None, pow, 2, 10))
        expect_equal(
            via_default, 1024, "run_in_executor(None, pow, 2, 10) with an InterpreterPoolExecutor as default executor"
        )
        explicit = run_until_bounded(loop, loop.run_in_executor(pool, pow, 3, 3))
        expect_equal(explicit, 27, "run_in_executor(InterpreterPoolExecutor, pow, 3, 3)")
    finally:
        pool.shutdown(wait=True)
