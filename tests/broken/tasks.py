"""Broken loops for 19.5.1.5 (tasks): each breaks exactly one guarantee."""

import asyncio

from tests.broken import breaks


@breaks("tasks.create_task.returns_task")
class NotATaskLoop(asyncio.SelectorEventLoop):
    """create_task returns a plain Future that mirrors the Task's outcome."""

    def create_task(self, coro, **kwargs):
        task = super().create_task(coro, **kwargs)
        fut = self.create_future()

        def copy(t):
            if t.cancelled():
                fut.cancel()
            elif t.exception() is not None:
                fut.set_exception(t.exception())
            else:
                fut.set_result(t.result())

        task.add_done_callback(copy)
        fut._loopconf_task = task
        return fut


@breaks("tasks.create_task.scheduled")
class EagerTaskLoop(asyncio.SelectorEventLoop):
    """create_task runs the coroutine's first step before returning."""

    def create_task(self, coro, **kwargs):
        task = super().create_task(coro, **kwargs)
        self._run_once()
        return task


@breaks("tasks.create_task.name")
class NamelessTaskLoop(asyncio.SelectorEventLoop):
    """create_task ignores the name argument."""

    def create_task(self, coro, *, name=None, **kwargs):
        return super().create_task(coro, **kwargs)


@breaks("tasks.create_task.context", python=">=3.11")
class TaskContextIgnoredLoop(asyncio.SelectorEventLoop):
    """create_task ignores the context argument."""

    def create_task(self, coro, *, context=None, **kwargs):
        return super().create_task(coro, **kwargs)


@breaks("tasks.create_task.current_context")
class TaskSharedContextLoop(asyncio.SelectorEventLoop):
    """Tasks without context= run in one context captured when the loop was created."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        import contextvars

        self._loop_context = contextvars.copy_context()

    def create_task(self, coro, *, name=None, **kwargs):
        if kwargs.get("context") is not None:
            return super().create_task(coro, name=name, **kwargs)
        # A Task copies the context current at its creation: create it inside the loop's one.
        return self._loop_context.run(asyncio.Task, coro, loop=self, name=name)


@breaks("tasks.set_task_factory.used")
class FactoryIgnoredLoop(asyncio.SelectorEventLoop):
    """create_task never calls the task factory (get_task_factory still reports it)."""

    def create_task(self, coro, **kwargs):
        return asyncio.Task(coro, loop=self, **kwargs)


@breaks("tasks.set_task_factory.roundtrip")
class FactoryNotResetLoop(asyncio.SelectorEventLoop):
    """set_task_factory(None) is ignored: the previous factory stays in use."""

    def set_task_factory(self, factory):
        if factory is not None:
            super().set_task_factory(factory)


@breaks("tasks.set_task_factory.roundtrip")
class FactoryNotReportedLoop(asyncio.SelectorEventLoop):
    """get_task_factory always reports the default (None)."""

    def get_task_factory(self):
        return None


@breaks("tasks.set_task_factory.used")
class FactoryWrongArgsLoop(asyncio.SelectorEventLoop):
    """The task factory is called as factory(loop, coro) with a wrapper coroutine."""

    def create_task(self, coro, **kwargs):
        factory = self.get_task_factory()
        if factory is None:
            return super().create_task(coro, **kwargs)

        async def wrapper():
            return await coro

        return factory(self, wrapper())


@breaks("tasks.get_task_factory.default_none")
class DefaultNotNoneLoop(asyncio.SelectorEventLoop):
    """get_task_factory reports a callable for the default factory."""

    def get_task_factory(self):
        factory = super().get_task_factory()
        return factory if factory is not None else asyncio.Task


@breaks("tasks.set_task_factory.context_kwarg", python=">=3.11")
class FactoryContextDroppedLoop(asyncio.SelectorEventLoop):
    """create_task does not pass context= on to the task factory (runs the factory in it instead)."""

    def create_task(self, coro, *, name=None, context=None):
        factory = self.get_task_factory()
        if factory is None or context is None:
            return super().create_task(coro, name=name, context=context)
        task = context.run(factory, self, coro)
        if name is not None:
            task.set_name(name)
        return task


@breaks("tasks.set_task_factory.name_applied")
class FactoryNameDroppedLoop(asyncio.SelectorEventLoop):
    """With a task factory set, create_task drops the name argument."""

    def create_task(self, coro, *, name=None, **kwargs):
        if self.get_task_factory() is None:
            return super().create_task(coro, name=name, **kwargs)
        return super().create_task(coro, **kwargs)


@breaks("tasks.set_task_factory.rejects_non_callable")
class AcceptsAnyFactoryLoop(asyncio.SelectorEventLoop):
    """set_task_factory accepts a non-callable factory."""

    def set_task_factory(self, factory):
        self._task_factory = factory


@breaks("tasks.create_task.passes_keywords", python=">=3.13.4", keeps=["tasks.create_task.returns_task"])
class DropsTaskKeywordsLoop(asyncio.SelectorEventLoop):
    """create_task accepts extra keywords but drops them (factory(loop, coro) only)."""

    def create_task(self, coro, *, name=None, context=None, **kwargs):
        return super().create_task(coro, name=name, context=context)
