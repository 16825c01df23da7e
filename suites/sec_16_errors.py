"""19.5.1.16 Error handling API: exception handlers and the context they receive.

Checks here install their own exception handler (replacing the fixture's recorder) when they
need to look at contexts, so they do not declare ``handler_calls``. Context checks assert
both the presence of each key and the identity/type of its value.
"""

import asyncio
import contextvars
import gc
import logging
import os
import socket
import types

import pytest

from loopconf import checks
from loopconf.checks import INFO, SHOULD, UNIX
from loopconf.evidence import Violation, expect, expect_equal, expect_raises

from ._support.logcapture import any_log, asyncio_log, rendered

scope = checks.scope(area="errors", section="19.5.1.16")
WAIT = 5.0  # generous bound on awaits that only a broken loop would exceed


class LcxError(Exception):
    """The exception checks raise on purpose (distinct from anything a loop raises itself)."""


def _run_callbacks(loop, *callbacks):
    """Run ``callbacks`` (via call_soon) in one batch, then stop the loop."""
    for cb in callbacks:
        loop.call_soon(cb)
    loop.call_soon(loop.stop)
    loop.run_forever()


def _raiser(exc):
    def fail():
        raise exc

    return fail


def _types(context) -> dict:
    return {k: type(v).__name__ for k, v in context.items()}


def _one_context(calls, what):
    expect_equal(len(calls), 1, f"the exception handler was not called exactly once for {what}")
    context = calls[0]
    expect(isinstance(context, dict), f"the context passed for {what} is not a dict", observed=type(context).__name__)
    return context


def _expect_message_and_exception(context, exc, what):
    expect("message" in context, f"context for {what} lacks 'message'", observed=_types(context))
    expect(
        isinstance(context["message"], str),
        f"context['message'] for {what} is not a str",
        observed=type(context["message"]).__name__,
    )
    expect("exception" in context, f"context for {what} lacks 'exception'", observed=_types(context))
    expect(
        context["exception"] is exc,
        f"context['exception'] for {what} is not the raised instance",
        expected=repr(exc),
        observed=repr(context["exception"]),
    )


# --- set_exception_handler / get_exception_handler -----------------------------------------------


@scope.check(
    "set_exception_handler",
    "called_with_loop_and_context",
    requirement="A handler set with set_exception_handler is called as handler(loop, context) with "
    "the loop itself and a dict context when a callback raises.",
    covers=("set_exception_handler.1", "set_exception_handler.3", "set_exception_handler.4"),
)
def test_handler_called_with_loop_and_context(loop):
    seen = []
    loop.set_exception_handler(lambda lp, ctx: seen.append((lp, ctx)))
    _run_callbacks(loop, _raiser(LcxError("cb")))
    expect_equal(len(seen), 1, "the custom exception handler was not called exactly once")
    got_loop, context = seen[0]
    expect(
        got_loop is loop, "the handler's first argument is not the loop", expected=repr(loop), observed=repr(got_loop)
    )
    expect(isinstance(context, dict), "the handler's context is not a dict", observed=type(context).__name__)


@scope.check(
    "get_exception_handler",
    "returns_handler",
    requirement="get_exception_handler returns the very handler installed by set_exception_handler.",
    covers=("get_exception_handler.1",),
)
def test_get_returns_handler(loop):
    def handler(lp, ctx):
        pass

    loop.set_exception_handler(handler)
    expect(
        loop.get_exception_handler() is handler,
        "get_exception_handler did not return the handler set",
        expected=repr(handler),
        observed=repr(loop.get_exception_handler()),
    )


@scope.check(
    "set_exception_handler",
    "none_restores_default",
    requirement="set_exception_handler(None) reinstates the default handler: get_exception_handler "
    "then returns None, the former handler is no longer called and errors are logged by "
    "the default handler (on any logger: the page names none).",
    covers=("set_exception_handler.2", "get_exception_handler.2", "default_exception_handler.1"),
)
def test_none_restores_default(loop):
    former = []
    loop.set_exception_handler(lambda lp, ctx: former.append(ctx))
    loop.set_exception_handler(None)
    expect(
        loop.get_exception_handler() is None,
        "get_exception_handler is not None after set_exception_handler(None)",
        observed=repr(loop.get_exception_handler()),
    )
    with any_log() as records:
        _run_callbacks(loop, _raiser(LcxError("lcx-default-marker")))
    expect_equal(former, [], "the former handler was still called after set_exception_handler(None)")
    expect(
        any("lcx-default-marker" in rendered(r) for r in records),
        "the default handler did not log the callback's exception (on any logger)",
        observed=[r.getMessage()[:80] for r in records],
    )


@scope.check(
    "set_exception_handler",
    "rejects_non_callable",
    level=SHOULD,
    requirement="set_exception_handler rejects a handler that is neither callable nor None with "
    "TypeError and keeps the handler it had (CPython behaviour: the page only says a "
    "handler is None or a callable taking (loop, context)).",
    covers=("set_exception_handler.6",),
)
def test_rejects_non_callable(loop):
    def handler(lp, ctx):
        pass

    loop.set_exception_handler(handler)
    expect_raises(TypeError, loop.set_exception_handler, 42, what="set_exception_handler(42) did not raise TypeError")
    expect(
        loop.get_exception_handler() is handler,
        "a rejected set_exception_handler call replaced the handler",
        observed=repr(loop.get_exception_handler()),
    )


@scope.check(
    "set_exception_handler",
    "handler_error_contained",
    level=SHOULD,
    note="exception-handler-raises",
    requirement="An exception raised by a custom exception handler does not propagate out of the "
    "loop: run_forever returns normally and later callbacks still run (CPython "
    "behaviour; the page does not say what happens).",
    covers=("set_exception_handler.7",),
)
def test_handler_error_contained(loop):
    def bad_handler(lp, ctx):
        raise LcxError("from the handler")

    loop.set_exception_handler(bad_handler)
    after = []
    with asyncio_log():
        try:
            _run_callbacks(loop, _raiser(LcxError("cb")), lambda: after.append(True))
        except LcxError as exc:
            raise Violation(
                "the handler's exception propagated out of run_forever",
                expected="run_forever returns normally",
                observed=repr(exc),
            ) from exc
    expect_equal(after, [True], "the callback after the failing one did not run")


@scope.check(
    "set_exception_handler",
    "handler_error_logged",
    level=SHOULD,
    requirement="An exception raised by a custom exception handler is reported on the 'asyncio' "
    "logger (CPython behaviour; the page only says how handlers are installed).",
    covers=("set_exception_handler.7",),
)
def test_handler_error_logged(loop):
    def bad_handler(lp, ctx):
        raise LcxError("lcx-handler-marker")

    loop.set_exception_handler(bad_handler)
    with asyncio_log() as records:
        try:
            _run_callbacks(loop, _raiser(LcxError("cb")))
        except LcxError:
            pass
    expect(
        any("lcx-handler-marker" in rendered(r) for r in records),
        "the handler's own exception was not logged on the 'asyncio' logger",
        observed=[r.getMessage()[:80] for r in records],
    )


# --- default_exception_handler / call_exception_handler ------------------------------------------


@scope.check(
    "default_exception_handler",
    "logs_message",
    requirement="default_exception_handler(context) logs the context's message at ERROR level or "
    "above (on any logger: the page names none).",
    covers=("default_exception_handler.2",),
)
def test_default_logs_message(loop):
    with any_log() as records:
        loop.default_exception_handler({"message": "lcx-message-marker"})
    hits = [r for r in records if "lcx-message-marker" in r.getMessage()]
    expect(
        hits,
        "default_exception_handler did not log the message (on any logger)",
        observed=[r.getMessage()[:80] for r in records],
    )
    expect(
        any(r.levelno >= logging.ERROR for r in hits),
        "default_exception_handler logged the message below ERROR level",
        observed=[r.levelname for r in hits],
    )


@scope.check(
    "default_exception_handler",
    "asyncio_logger",
    level=SHOULD,
    note="default-handler-logger",
    requirement="default_exception_handler(context) logs the message on the 'asyncio' logger, where "
    "CPython logs it and where applications look for it (the page names no logger).",
    covers=("default_exception_handler.4",),
)
def test_default_logs_on_asyncio_logger(loop):
    with any_log() as records:
        loop.default_exception_handler({"message": "lcx-logger-marker"})
    hits = [r for r in records if "lcx-logger-marker" in r.getMessage()]
    if not hits:
        raise Violation(
            "default_exception_handler logged nothing, so its logger cannot be judged",
            expected="a record on the 'asyncio' logger",
        )
    expect(
        any(r.name == "asyncio" for r in hits),
        "default_exception_handler logged the message on another logger than 'asyncio'",
        expected="asyncio",
        observed=sorted({r.name for r in hits}),
    )


def _raise_marker_frame():
    raise LcxError("lcx-tb-marker")


@scope.check(
    "default_exception_handler",
    "logs_traceback",
    requirement="When the context carries an exception, default_exception_handler logs it with its "
    "traceback (on any logger).",
    covers=("default_exception_handler.2",),
)
def test_default_logs_traceback(loop):
    try:
        _raise_marker_frame()
    except LcxError as caught:
        exc = caught
    with any_log() as records:
        loop.default_exception_handler({"message": "lcx-with-exception", "exception": exc})
    text = "\n".join(rendered(r) for r in records)
    expect("lcx-with-exception" in text, "the message was not logged", observed=text[:300])
    expect(
        "Traceback" in text and "_raise_marker_frame" in text and "lcx-tb-marker" in text,
        "the exception's traceback was not logged",
        observed=text[:600],
    )


@scope.check(
    "call_exception_handler",
    "calls_current_handler",
    requirement="call_exception_handler(context) calls the installed handler once with the loop and that context.",
    covers=("set_exception_handler.3", "call_exception_handler.1", "set_exception_handler.4"),
)
def test_call_exception_handler_custom(loop):
    seen = []
    loop.set_exception_handler(lambda lp, ctx: seen.append((lp, ctx)))
    exc = LcxError("direct")
    context = {"message": "lcx-direct", "exception": exc}
    loop.call_exception_handler(context)
    expect_equal(len(seen), 1, "the installed handler was not called exactly once")
    expect(seen[0][0] is loop, "the handler did not receive the loop", observed=repr(seen[0][0]))
    got = seen[0][1]
    expect(
        got.get("message") == "lcx-direct" and got.get("exception") is exc,
        "the handler did not receive the context passed to call_exception_handler",
        observed=got,
    )


@scope.check(
    "call_exception_handler",
    "default_when_unset",
    requirement="With no custom handler, call_exception_handler(context) uses the default handler, "
    "which logs the message (on any logger).",
    covers=("default_exception_handler.1", "call_exception_handler.1"),
)
def test_call_exception_handler_default(loop):
    loop.set_exception_handler(None)
    with any_log() as records:
        loop.call_exception_handler({"message": "lcx-default-route"})
    expect(
        any("lcx-default-route" in r.getMessage() for r in records),
        "call_exception_handler without a custom handler logged nothing",
        observed=[r.getMessage()[:80] for r in records],
    )


# --- context keys by source -----------------------------------------------------------------------


def _recording(loop):
    calls = []
    loop.set_exception_handler(lambda lp, ctx: calls.append(ctx))
    return calls


#: Optional context keys: their presence is SHOULD (note errors-optional-context-keys); a key
#: that is present must hold the right object, and 'message'/'exception' are required (MUST,
#: errors.context.message_and_exception).
OPTIONAL_KEYS_NOTE = "errors-optional-context-keys"


def _scenario_call_soon(loop):
    calls = _recording(loop)
    exc = LcxError("soon")
    handle = loop.call_soon(_raiser(exc))
    loop.call_soon(loop.stop)
    loop.run_forever()
    return _one_context(calls, "a failing call_soon callback"), exc, {"handle": (handle, asyncio.Handle)}


def _scenario_call_later(loop):
    calls = _recording(loop)
    exc = LcxError("later")
    handle = loop.call_later(0, _raiser(exc))
    loop.call_later(0.01, loop.stop)
    loop.run_forever()
    return (_one_context(calls, "a failing call_later callback"), exc, {"handle": (handle, asyncio.TimerHandle)})


class _ById:
    """Expected object known only by id() (it has been garbage-collected meanwhile)."""

    def __init__(self, obj_id):
        self.obj_id = obj_id

    def matches(self, obj):
        return id(obj) == self.obj_id


def _scenario_future_gc(loop):
    calls = _recording(loop)
    exc = LcxError("future")

    def make():
        fut = loop.create_future()
        fut.set_exception(exc)
        return id(fut)

    fut_id = make()
    gc.collect()
    context = _one_context(calls, "a collected future with an unretrieved exception")
    calls.clear()
    return context, exc, {"future": (_ById(fut_id), asyncio.Future)}


def _scenario_task_gc(loop):
    calls = _recording(loop)
    exc = LcxError("task")

    async def boom():
        raise exc

    def make():
        task = loop.create_task(boom())
        finished = loop.create_future()
        task.add_done_callback(lambda t: finished.set_result(None))
        loop.run_until_complete(asyncio.wait_for(finished, WAIT))
        task_id = id(task)
        del task  # the frames in exc's traceback must not keep the task alive
        return task_id

    task_id = make()
    exc.__traceback__ = None  # ditto: frames of the failed task reach back to this check
    gc.collect()
    context = _one_context(calls, "a collected task with an unretrieved exception")
    calls.clear()
    return context, exc, {"future": (_ById(task_id), asyncio.Task)}


def _expect_key(context, key, expected, what):
    """The optional ``key`` is present and holds ``expected`` = (object or _ById, type)."""
    expect(key in context, f"context for {what} lacks '{key}'", observed=_types(context))
    _expect_key_value(context, key, expected, what)


def _expect_key_value(context, key, expected, what):
    obj, kind = expected
    value = context[key]
    expect(
        isinstance(value, kind), f"context['{key}'] for {what} is not a {kind.__name__}", observed=type(value).__name__
    )
    same = obj.matches(value) if isinstance(obj, _ById) else value is obj
    expect(same, f"context['{key}'] for {what} is not the object concerned", observed=repr(value))


@scope.check(
    "call_exception_handler",
    "call_soon_callback",
    topic="context",
    level=SHOULD,
    note=OPTIONAL_KEYS_NOTE,
    requirement="An exception escaping a call_soon callback reaches the handler with 'message' "
    "(str), 'exception' (the raised instance) and 'handle' (the Handle call_soon "
    "returned; an optional key).",
    covers=("call_exception_handler.5",),
)
def test_context_call_soon(loop):
    context, exc, expected = _scenario_call_soon(loop)
    _expect_message_and_exception(context, exc, "a failing call_soon callback")
    _expect_key(context, "handle", expected["handle"], "a failing call_soon callback")


@scope.check(
    "call_exception_handler",
    "call_later_callback",
    topic="context",
    level=SHOULD,
    note=OPTIONAL_KEYS_NOTE,
    requirement="An exception escaping a call_later callback reaches the handler with 'message' "
    "(str), 'exception' (the raised instance) and 'handle' (the TimerHandle call_later "
    "returned; an optional key).",
    covers=("call_exception_handler.5",),
)
def test_context_call_later(loop):
    context, exc, expected = _scenario_call_later(loop)
    _expect_message_and_exception(context, exc, "a failing call_later callback")
    _expect_key(context, "handle", expected["handle"], "a failing call_later callback")


@scope.check(
    "call_exception_handler",
    "future_never_retrieved",
    topic="context",
    level=SHOULD,
    note=OPTIONAL_KEYS_NOTE,
    requirement="A future whose exception is never retrieved reports, when garbage-collected, "
    "'message' (str), 'exception' (its exception) and 'future' (the future itself; an "
    "optional key).",
    covers=("call_exception_handler.4",),
)
def test_context_future_gc(loop):
    context, exc, expected = _scenario_future_gc(loop)
    _expect_message_and_exception(context, exc, "an unretrieved future exception")
    _expect_key(context, "future", expected["future"], "an unretrieved future exception")


@scope.check(
    "call_exception_handler",
    "task_never_retrieved",
    topic="context",
    level=SHOULD,
    note=OPTIONAL_KEYS_NOTE,
    requirement="A task whose exception is never retrieved reports, when garbage-collected, "
    "'message' (str), 'exception' (its exception) and 'future' (the task itself, an "
    "optional key; CPython 3.10-3.13 add no 'task' key).",
    covers=("call_exception_handler.4",),
)
def test_context_task_gc(loop):
    context, exc, expected = _scenario_task_gc(loop)
    _expect_message_and_exception(context, exc, "an unretrieved task exception")
    _expect_key(context, "future", expected["future"], "an unretrieved task exception")


def _scenario_pending_task_gc(loop):
    """A task suspended on a future nobody resolves, dropped while pending: when it is collected
    the loop reports 'Task was destroyed but it is pending!'."""
    calls = _recording(loop)

    async def stuck(never):
        await never

    def make():
        never = loop.create_future()
        task = loop.create_task(stuck(never))
        loop.run_until_complete(asyncio.sleep(0))  # the task starts and suspends on ``never``
        loop.run_until_complete(asyncio.sleep(0))
        return id(task)

    task_id = make()
    gc.collect()
    context = _one_context(calls, "a pending task that was garbage-collected")
    calls.clear()
    return context, task_id


@scope.check(
    "call_exception_handler",
    "pending_task_destroyed",
    topic="context",
    level=SHOULD,
    since="3.13",
    note=OPTIONAL_KEYS_NOTE,
    requirement="A task garbage-collected while still pending is reported with 'message' (str) and "
    "'task' (that task; an optional key, documented since 3.13).",
    covers=("call_exception_handler.12",),
)
def test_context_pending_task_destroyed(loop):
    context, task_id = _scenario_pending_task_gc(loop)
    expect(isinstance(context.get("message"), str), "the context lacks a str 'message'", observed=_types(context))
    _expect_key(context, "task", (_ById(task_id), asyncio.Task), "a pending task that was garbage-collected")


def _marker_creates_callback(loop, callback):
    """Schedules ``callback``; its creation stack ends in this function (named in source_traceback)."""
    return loop.call_soon(callback)


@scope.check(
    "call_exception_handler",
    "source_traceback_debug",
    topic="context",
    level=SHOULD,
    since="3.13",
    note=OPTIONAL_KEYS_NOTE,
    requirement="In debug mode, an exception escaping a call_soon callback is reported with "
    "'source_traceback' (an optional key): the stack of frames where the callback was "
    "scheduled, ending at the call_soon caller.",
    covers=("call_exception_handler.13",),
)
def test_context_source_traceback(loop):
    loop.set_debug(True)
    calls = _recording(loop)
    exc = LcxError("traced")
    _marker_creates_callback(loop, _raiser(exc))
    loop.call_soon(loop.stop)
    loop.run_forever()
    context = _one_context(calls, "a failing callback in debug mode")
    what = "a failing callback scheduled in debug mode"
    expect("source_traceback" in context, f"context for {what} lacks 'source_traceback'", observed=_types(context))
    frames = context["source_traceback"]
    expect(isinstance(frames, list), f"context['source_traceback'] for {what} is not a list", observed=repr(frames))
    names = [getattr(f, "name", None) for f in frames]
    expect(
        "_marker_creates_callback" in names,
        f"context['source_traceback'] for {what} does not show where the callback was scheduled",
        expected="a frame of _marker_creates_callback",
        observed=names[-5:],
    )


class _Server(asyncio.Protocol):
    """Server side of the protocol-callback checks: greets, then waits for the client to go."""

    def __init__(self, loop, lost):
        self.lost = lost

    def connection_made(self, transport):
        transport.write(b"ping")

    def connection_lost(self, exc):
        if not self.lost.done():
            self.lost.set_result(None)


class _Client(asyncio.Protocol):
    def __init__(self, loop, exc, where):
        self.exc = exc
        self.where = where
        self.lost = loop.create_future()
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        if self.where == "connection_made":
            raise self.exc

    def data_received(self, data):
        if self.where == "data_received":
            raise self.exc

    def connection_lost(self, exc):
        if not self.lost.done():
            self.lost.set_result(None)


def _protocol_failure(loop, where):
    """Connect a client whose ``where`` callback raises; return (contexts, exc, transport, protocol)."""
    calls = []
    reported = loop.create_future()

    def handler(lp, ctx):
        calls.append(ctx)
        if not reported.done():
            reported.set_result(None)

    loop.set_exception_handler(handler)
    exc = LcxError(where)

    async def scenario():
        server_lost = loop.create_future()
        server = await loop.create_server(lambda: _Server(loop, server_lost), "127.0.0.1", 0)
        try:
            port = server.sockets[0].getsockname()[1]
            transport, protocol = await asyncio.wait_for(
                loop.create_connection(lambda: _Client(loop, exc, where), "127.0.0.1", port), WAIT
            )
            try:
                await asyncio.wait_for(asyncio.shield(reported), WAIT)
            except asyncio.TimeoutError:
                pass
            transport.close()
            await asyncio.wait_for(protocol.lost, WAIT)
            await asyncio.wait_for(server_lost, WAIT)
            return transport, protocol
        finally:
            server.close()
            await server.wait_closed()

    transport, protocol = loop.run_until_complete(scenario())
    return calls, exc, transport, protocol


def _scenario_data_received(loop):
    calls, exc, transport, protocol = _protocol_failure(loop, "data_received")
    return (
        _one_context(calls, "a failing data_received"),
        exc,
        {"transport": (transport, asyncio.BaseTransport), "protocol": (protocol, asyncio.BaseProtocol)},
    )


def _scenario_connection_made(loop):
    calls, exc, transport, protocol = _protocol_failure(loop, "connection_made")
    return (
        _one_context(calls, "a failing connection_made"),
        exc,
        {"transport": (transport, asyncio.BaseTransport), "protocol": (protocol, asyncio.BaseProtocol)},
    )


def _scenario_asyncgen(loop):
    calls = _recording(loop)
    exc = LcxError("aclose")

    async def agen():
        try:
            yield 1
        finally:
            raise exc

    async def start():
        gen = agen()
        await gen.__anext__()
        return gen

    gen = loop.run_until_complete(start())
    loop.run_until_complete(asyncio.wait_for(loop.shutdown_asyncgens(), WAIT))
    return (
        _one_context(calls, "an async generator whose aclose raised"),
        exc,
        {"asyncgen": (gen, types.AsyncGeneratorType)},
    )


@scope.check(
    "call_exception_handler",
    "protocol_data_received",
    topic="context",
    level=SHOULD,
    note=OPTIONAL_KEYS_NOTE,
    requirement="An exception escaping data_received of a stream transport made by "
    "create_connection reaches the handler with 'message', 'exception' (the instance), "
    "'transport' (that transport) and 'protocol' (that protocol; both optional keys).",
    covers=("call_exception_handler.6", "call_exception_handler.7"),
)
def test_context_data_received(loop):
    context, exc, expected = _scenario_data_received(loop)
    _expect_message_and_exception(context, exc, "a failing data_received")
    for key in ("transport", "protocol"):
        _expect_key(context, key, expected[key], "a failing data_received")


@scope.check(
    "call_exception_handler",
    "protocol_connection_made",
    topic="context",
    requirement="An exception escaping connection_made of a stream transport made by "
    "create_connection reaches the handler with 'message' (str) and 'exception' (the "
    "instance).",
    covers=("call_exception_handler.2", "call_exception_handler.3"),
)
def test_context_connection_made(loop):
    context, exc, _ = _scenario_connection_made(loop)
    _expect_message_and_exception(context, exc, "a failing connection_made")


@scope.check(
    "call_exception_handler",
    "protocol_connection_made_keys",
    topic="context",
    level=SHOULD,
    note="errors-connection-made-context",
    requirement="For an exception in connection_made, the optional keys 'transport', 'protocol' and "
    "'handle' hold the right objects when present (CPython reports only 'handle': "
    "connection_made runs as a scheduled callback, so presence of the other two is not "
    "asked).",
    covers=("call_exception_handler.6", "call_exception_handler.7"),
)
def test_context_connection_made_keys(loop):
    context, exc, expected = _scenario_connection_made(loop)
    for key in ("transport", "protocol"):
        if key in context:
            _expect_key_value(context, key, expected[key], "a failing connection_made")
    if "handle" in context:
        expect(
            isinstance(context["handle"], asyncio.Handle),
            "context['handle'] is not an asyncio.Handle",
            observed=type(context["handle"]).__name__,
        )


@scope.check(
    "call_exception_handler",
    "asyncgen_aclose",
    topic="context",
    docs="3.8",
    level=SHOULD,
    note=OPTIONAL_KEYS_NOTE,
    anchor="asyncio.loop.call_exception_handler",
    requirement="When shutdown_asyncgens closes an unfinished async generator whose aclose raises, "
    "the handler gets 'message' (str), 'exception' (the instance) and 'asyncgen' (that "
    "generator; an optional key documented from 3.8).",
    covers=("call_exception_handler.11",),
)
def test_context_asyncgen(loop):
    context, exc, expected = _scenario_asyncgen(loop)
    _expect_message_and_exception(context, exc, "an async generator whose aclose raised")
    _expect_key(context, "asyncgen", expected["asyncgen"], "an async generator whose aclose raised")


SCENARIOS = {
    "call_soon": (_scenario_call_soon, "a failing call_soon callback"),
    "call_later": (_scenario_call_later, "a failing call_later callback"),
    "future_gc": (_scenario_future_gc, "an unretrieved future exception"),
    "task_gc": (_scenario_task_gc, "an unretrieved task exception"),
    "data_received": (_scenario_data_received, "a failing data_received"),
    "asyncgen": (_scenario_asyncgen, "an async generator whose aclose raised"),
}


@pytest.mark.parametrize("source", list(SCENARIOS))
@scope.check(
    "call_exception_handler",
    "message_and_exception",
    topic="context",
    requirement="Whatever the source of the error (a callback, a timer, a collected future or "
    "task, a protocol callback, an async generator's aclose), the handler's context "
    "has 'message' (str) and 'exception' (the raised instance); every optional key "
    "the loop adds ('handle', 'future', 'transport', 'protocol', 'asyncgen') holds "
    "the object concerned.",
    covers=(
        "call_exception_handler.2",
        "call_exception_handler.3",
        "call_exception_handler.4:partial",
        "call_exception_handler.5:partial",
        "call_exception_handler.6:partial",
        "call_exception_handler.7:partial",
        "call_exception_handler.11:partial",
    ),
)
def test_context_message_and_exception(loop, source):
    scenario, what = SCENARIOS[source]
    context, exc, expected = scenario(loop)
    _expect_message_and_exception(context, exc, what)
    for key, value in expected.items():
        if key in context:
            _expect_key_value(context, key, value, what)


_CTX_VAR = contextvars.ContextVar("loopconf_errors_ctx", default="unset")


def _in_context_handle(loop, ctx):
    loop.call_soon(_raiser(LcxError("handle")), context=ctx)
    loop.call_soon(loop.stop)
    loop.run_forever()


def _in_context_timer(loop, ctx):
    loop.call_later(0, _raiser(LcxError("timer")), context=ctx)
    loop.call_later(0.005, loop.stop)
    loop.run_forever()


def _in_context_task(loop, ctx):
    async def boom():
        raise LcxError("task")

    def make():
        task = loop.create_task(boom(), context=ctx)
        finished = loop.create_future()
        task.add_done_callback(lambda t: finished.set_result(None))
        loop.run_until_complete(asyncio.wait_for(finished, WAIT))
        del task

    make()
    gc.collect()


IN_CONTEXT = {"handle": _in_context_handle, "timer": _in_context_timer, "task": _in_context_task}


@pytest.mark.parametrize("source", list(IN_CONTEXT))
@scope.check(
    "set_exception_handler",
    "runs_in_context",
    topic="handler",
    since="3.12",
    anchor="asyncio.loop.set_exception_handler",
    requirement="When the handler is called for a failing callback, timer or Task, it runs in that "
    "Handle's or Task's contextvars.Context (a value set in it is visible to the "
    "handler; the caller's value is not).",
    covers=("set_exception_handler.5",),
)
def test_handler_runs_in_context(loop, source):
    seen = []
    loop.set_exception_handler(lambda lp, context: seen.append(_CTX_VAR.get()))
    ctx = contextvars.Context()
    ctx.run(_CTX_VAR.set, f"{source}-context")
    token = _CTX_VAR.set("caller-context")
    try:
        IN_CONTEXT[source](loop, ctx)
    finally:
        _CTX_VAR.reset(token)
    expect_equal(
        seen, [f"{source}-context"], f"the exception handler for a failing {source} did not run in its context"
    )


# --- events the handler must not see ---------------------------------------------------------------


@scope.check(
    "set_exception_handler",
    "not_called_for_normal_callbacks",
    topic="handler",
    requirement="Callbacks and timers that return normally never reach the exception handler.",
    covers=("set_exception_handler.1",),
)
def test_not_called_for_normal(loop, handler_calls):
    ran = []
    loop.call_soon(ran.append, 1)
    loop.call_later(0, ran.append, 2)
    loop.call_later(0.01, loop.stop)
    loop.run_forever()
    expect_equal(sorted(ran), [1, 2], "the callbacks did not run")
    expect_equal(handler_calls, [], "the exception handler was called for callbacks that returned normally")


@scope.check(
    "set_exception_handler",
    "not_called_for_retrieved_exception",
    topic="handler",
    requirement="A future or task whose exception was retrieved does not reach the exception "
    "handler when garbage-collected.",
    covers=("set_exception_handler.1",),
)
def test_not_called_for_retrieved(loop, handler_calls):
    def make():
        fut = loop.create_future()
        fut.set_exception(LcxError("retrieved"))
        expect(isinstance(fut.exception(), LcxError), "future.exception() lost the exception")

        async def boom():
            raise LcxError("awaited")

        async def consume():
            task = loop.create_task(boom())
            try:
                await task
            except LcxError as exc:
                exc.__traceback__ = None  # its frames must not keep the task alive
                return True
            finally:
                del task
            return False

        expect(loop.run_until_complete(consume()), "awaiting the failing task did not raise its exception")

    make()
    gc.collect()
    loop.call_soon(loop.stop)
    loop.run_forever()
    expect_equal(
        [c.get("message") for c in handler_calls],
        [],
        "the exception handler was called for exceptions that were retrieved",
    )


# --- context key 'socket': a server whose accept() runs out of file descriptors ------------------


def _socket_identity(sock):
    """(fileno, address) of a socket or socket-like wrapper, or why it has none."""
    try:
        return (sock.fileno(), sock.getsockname())
    except Exception as exc:  # noqa: BLE001 - anything that is not a usable socket
        return f"not a usable socket ({type(exc).__name__}: {exc})"


class _NoFreeFileDescriptors:
    """Lower this process's soft RLIMIT_NOFILE to its lowest free descriptor number while inside,
    so that any call which needs a new file descriptor (accept() among them) fails with EMFILE;
    the previous limits are restored on exit. Nothing that was open is closed or affected."""

    def __enter__(self):
        import resource

        self._resource = resource
        self._saved = resource.getrlimit(resource.RLIMIT_NOFILE)
        probe = os.open(os.devnull, os.O_RDONLY)  # the lowest free descriptor number
        os.close(probe)
        resource.setrlimit(resource.RLIMIT_NOFILE, (probe, self._saved[1]))
        return self

    def __exit__(self, *exc_info):
        self._resource.setrlimit(self._resource.RLIMIT_NOFILE, self._saved)


def _scenario_accept_out_of_fds(loop):
    """A TCP server on 127.0.0.1 has a client connection waiting while the process can open no
    more descriptors: its accept() fails with EMFILE. Returns (contexts, the listening socket's
    (fileno, address), the (fileno, address) each context's 'socket' had while it was open)."""
    calls = []
    reported = loop.create_future()

    def handler(lp, ctx):
        calls.append(ctx)
        if not reported.done():
            reported.set_result(None)

    loop.set_exception_handler(handler)

    async def starve(address):
        # Inside the running loop: a loop may open descriptors when it starts running (a signal
        # wake-up pair), which must not be what fails.
        with _NoFreeFileDescriptors():
            client.connect(address)  # completed by the kernel: the connection waits in the backlog
            try:
                await asyncio.wait_for(asyncio.shield(reported), WAIT)
            except asyncio.TimeoutError:
                pass

    server = loop.run_until_complete(loop.create_server(asyncio.Protocol, "127.0.0.1", 0))
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listening = _socket_identity(server.sockets[0])
        client.settimeout(WAIT)
        loop.run_until_complete(starve(listening[1]))
        seen = [_socket_identity(ctx["socket"]) if "socket" in ctx else None for ctx in calls]
    finally:
        client.close()
        server.close()
        loop.run_until_complete(asyncio.wait_for(server.wait_closed(), WAIT))
    return calls, listening, seen


@scope.check(
    "call_exception_handler",
    "accept_out_of_resources",
    topic="context",
    level=SHOULD,
    note=OPTIONAL_KEYS_NOTE,
    platforms=UNIX,
    requirement="When a server created by create_server cannot accept a waiting connection because "
    "the process has no free file descriptor (EMFILE), the handler is called with 'message' (str) "
    "and 'socket' (an optional key): the listening socket concerned, or a wrapper with its file "
    "descriptor and address.",
    covers=("call_exception_handler.8",),
)
def test_context_accept_out_of_resources(loop):
    calls, listening, seen = _scenario_accept_out_of_fds(loop)
    what = "a server whose accept() failed with EMFILE"
    expect(calls, f"the exception handler was not called for {what}", expected="one call with 'socket'")
    context = calls[0]
    expect(isinstance(context.get("message"), str), "the context lacks a str 'message'", observed=_types(context))
    expect("socket" in context, f"context for {what} lacks 'socket'", observed=_types(context))
    expect_equal(seen[0], listening, f"context['socket'] for {what} is not the listening socket (fileno, address)")
