"""Broken loops for what the 3.14/3.15 docs added (suites/sec_314_additions.py) and the 3.13.16/3.14.8
server_hostname change (suites/tls_parameters.py): each breaks exactly one guarantee.

Most are gated to the Pythons their check applies to, so tests/test_broken_loops.py skips them on
the 3.11 of the test command; tests/test_version_gating.py runs them on CPython 3.14 when
scripts/get-python has provided it.
"""

import asyncio
import concurrent.futures
import ssl

from tests.broken import breaks

SINCE_314 = ">=3.14"


@breaks(
    "tasks.create_task.eager_start_true",
    keeps=["tasks.create_task.eager_start_false", "tasks.create_task.scheduled"],
    python=SINCE_314,
)
class EagerStartDroppedLoop(asyncio.SelectorEventLoop):
    """create_task drops eager_start, so eager_start=True only schedules the task."""

    def create_task(self, coro, *, eager_start=None, **kwargs):
        return super().create_task(coro, **kwargs)


@breaks(
    "tasks.create_task.eager_start_false",
    keeps=["tasks.create_task.eager_start_true", "tasks.create_task.scheduled"],
    python=SINCE_314,
)
class EagerStartAlwaysLoop(asyncio.SelectorEventLoop):
    """Any explicit eager_start (False too) starts the task eagerly."""

    def create_task(self, coro, **kwargs):
        if "eager_start" in kwargs:
            kwargs["eager_start"] = True
        return super().create_task(coro, **kwargs)


@breaks(
    "tasks.create_task.eager_factory_mode",
    keeps=["tasks.create_task.eager_start_true", "tasks.create_task.eager_start_false", "tasks.create_task.scheduled"],
    python=SINCE_314,
)
class EagerStartDefaultFalseLoop(asyncio.SelectorEventLoop):
    """create_task fills in eager_start=False when the caller gave none, overriding an eager factory."""

    def create_task(self, coro, **kwargs):
        kwargs.setdefault("eager_start", False)
        return super().create_task(coro, **kwargs)


@breaks(
    "tasks.set_task_factory.kwargs_passed_unchanged",
    keeps=[
        "tasks.set_task_factory.context_kwarg",
        "tasks.set_task_factory.name_applied",
        "tasks.set_task_factory.used",
    ],
    python=SINCE_314,
)
class FactoryKwargsFilteredLoop(asyncio.SelectorEventLoop):
    """Still applies the 3.13.4 rule on 3.14: the factory never gets name, nor context=None
    (the name is set on the task afterwards)."""

    def create_task(self, coro, *, name=None, context=None, **kwargs):
        if context is not None:
            kwargs["context"] = context
        task = super().create_task(coro, **kwargs)
        if name is not None:
            task.set_name(name)
        return task


@breaks(
    "executor.set_default_executor.interpreter_pool",
    keeps=["executor.set_default_executor.used_for_none", "executor.set_default_executor.rejects_non_thread_pool"],
    python=SINCE_314,
)
class InterpreterPoolRefusedLoop(asyncio.SelectorEventLoop):
    """set_default_executor accepts only a plain ThreadPoolExecutor, not its InterpreterPoolExecutor subclass."""

    def set_default_executor(self, executor):
        if isinstance(executor, concurrent.futures.InterpreterPoolExecutor):
            raise TypeError("executor must be a plain ThreadPoolExecutor")
        super().set_default_executor(executor)


@breaks(
    "tls.create_connection.server_hostname_empty_refused",
    keeps=[
        "tls.create_connection.server_hostname_required",
        "tls.create_connection.server_hostname_empty_no_check_hostname",
    ],
    python=">=3.14.8",
)
@breaks("tls.create_connection.server_hostname_empty_refused", python=">=3.13.16,<3.14")
class EmptyHostnameUnrefusedLoop(asyncio.SelectorEventLoop):
    """server_hostname='' switches the context's check_hostname off instead of being refused."""

    async def create_connection(self, *args, **kwargs):
        ctx = kwargs.get("ssl")
        if isinstance(ctx, ssl.SSLContext) and kwargs.get("server_hostname") == "":
            ctx.check_hostname = False
        return await super().create_connection(*args, **kwargs)


@breaks(
    "tls.create_connection.server_hostname_empty_no_check_hostname",
    keeps=["tls.create_connection.server_hostname_override", "tls.create_connection.ssl_context"],
)
class EmptyHostnameNoVerifyLoop(asyncio.SelectorEventLoop):
    """server_hostname='' with check_hostname off also turns certificate verification off."""

    async def create_connection(self, *args, **kwargs):
        ctx = kwargs.get("ssl")
        if isinstance(ctx, ssl.SSLContext) and kwargs.get("server_hostname") == "" and not ctx.check_hostname:
            ctx.verify_mode = ssl.CERT_NONE
        return await super().create_connection(*args, **kwargs)


@breaks(
    "tasks.set_task_factory.kwargs_filtered_3134",
    keeps=["tasks.set_task_factory.context_kwarg", "tasks.set_task_factory.name_applied"],
    python=">=3.13.4,<3.14",
)
class FactoryKwargsUnfilteredLoop(asyncio.SelectorEventLoop):
    """Applies the 3.14 rule on 3.13.4+: name and context=None reach the task factory."""

    def create_task(self, coro, **kwargs):
        factory = self.get_task_factory()
        if factory is None:
            return super().create_task(coro, **kwargs)
        return factory(self, coro, **kwargs)
