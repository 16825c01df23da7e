"""Broken loops for 19.5.1.16 (error handling API): one guarantee broken each."""

import asyncio
import logging

from tests.broken import breaks


class _StripKey(asyncio.SelectorEventLoop):
    """Base: call_exception_handler drops one context key before dispatching."""

    key = ""

    def call_exception_handler(self, context):
        super().call_exception_handler({k: v for k, v in context.items() if k != self.key})


class _CustomHandlerCall(asyncio.SelectorEventLoop):
    """Base: with a custom handler set, call_exception_handler calls it through
    ``call_custom(handler, context)`` (the broken part); without one, the stock path."""

    def call_exception_handler(self, context):
        handler = self.get_exception_handler()
        if handler is None:
            return super().call_exception_handler(context)
        self.call_custom(handler, context)

    def call_custom(self, handler, context):
        raise NotImplementedError


@breaks(
    "errors.context.call_soon_callback",
    "errors.context.call_later_callback",
    keeps=["errors.context.message_and_exception"],
)
class NoHandleContextLoop(_StripKey):
    """Contexts lose 'handle' (callback and timer errors)."""

    key = "handle"


@breaks("errors.context.future_never_retrieved", "errors.context.task_never_retrieved")
class NoFutureContextLoop(_StripKey):
    """Contexts lose 'future' (unretrieved future/task exceptions)."""

    key = "future"


@breaks("errors.context.protocol_data_received")
class NoTransportContextLoop(_StripKey):
    """Contexts lose 'transport' (protocol callback errors)."""

    key = "transport"


@breaks("errors.context.asyncgen_aclose")
class NoAsyncgenContextLoop(_StripKey):
    """Contexts lose 'asyncgen' (async generator finalisation errors)."""

    key = "asyncgen"


@breaks(
    "errors.context.call_soon_callback",
    "errors.context.future_never_retrieved",
    "errors.context.protocol_connection_made",
    "errors.context.message_and_exception",
)
class WrongExceptionContextLoop(asyncio.SelectorEventLoop):
    """Contexts carry a copy of the exception instead of the raised instance."""

    def call_exception_handler(self, context):
        exc = context.get("exception")
        if exc is not None:
            context = dict(context, exception=type(exc)(*exc.args))
        super().call_exception_handler(context)


@breaks("errors.set_exception_handler.none_restores_default")
class NoneNotRestoringLoop(asyncio.SelectorEventLoop):
    """set_exception_handler(None) keeps the previous handler."""

    def set_exception_handler(self, handler):
        if handler is None:
            return
        super().set_exception_handler(handler)


@breaks("errors.get_exception_handler.returns_handler")
class GetHandlerNoneLoop(asyncio.SelectorEventLoop):
    """get_exception_handler always reports the default (None)."""

    def get_exception_handler(self):
        return None


@breaks("errors.set_exception_handler.rejects_non_callable")
class AcceptsNonCallableLoop(asyncio.SelectorEventLoop):
    """set_exception_handler stores anything, callable or not."""

    def set_exception_handler(self, handler):
        self._exception_handler = handler


@breaks(
    "errors.set_exception_handler.called_with_loop_and_context", "errors.call_exception_handler.calls_current_handler"
)
class WrongLoopArgumentLoop(_CustomHandlerCall):
    """The handler receives None instead of the loop."""

    def call_custom(self, handler, context):
        handler(None, context)


@breaks(
    "errors.default_exception_handler.logs_message",
    "errors.call_exception_handler.default_when_unset",
    "errors.set_exception_handler.none_restores_default",
    "errors.default_exception_handler.asyncio_logger",
)
class SilentDefaultHandlerLoop(asyncio.SelectorEventLoop):
    """default_exception_handler logs nothing."""

    def default_exception_handler(self, context):
        pass


@breaks("errors.default_exception_handler.logs_traceback")
class NoTracebackDefaultHandlerLoop(asyncio.SelectorEventLoop):
    """default_exception_handler logs the message without the exception."""

    def default_exception_handler(self, context):
        super().default_exception_handler({"message": context.get("message", "")})


_OTHER_LOGGER = logging.getLogger("lcx.broken.otherlogger")
_OTHER_LOGGER.propagate = False  # the hardest case for a capture at the root logger


@breaks(
    "errors.default_exception_handler.asyncio_logger",
    keeps=[
        "errors.default_exception_handler.logs_message",
        "errors.default_exception_handler.logs_traceback",
        "errors.call_exception_handler.default_when_unset",
        "errors.set_exception_handler.none_restores_default",
    ],
)
class OtherLoggerDefaultHandlerLoop(asyncio.SelectorEventLoop):
    """default_exception_handler logs message and traceback on its own (non-propagating) logger.

    Allowed by the page (it names no logger): passes the MUST logging checks, fails only the
    SHOULD check asking for the 'asyncio' logger.
    """

    def default_exception_handler(self, context):
        exc = context.get("exception")
        exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
        _OTHER_LOGGER.error(context.get("message", "Unhandled exception in event loop"), exc_info=exc_info)


@breaks("errors.call_exception_handler.calls_current_handler")
class IgnoresCustomHandlerLoop(asyncio.SelectorEventLoop):
    """call_exception_handler always uses the default handler."""

    def call_exception_handler(self, context):
        self.default_exception_handler(context)


@breaks("errors.set_exception_handler.handler_error_contained")
class HandlerErrorPropagatesLoop(_CustomHandlerCall):
    """An exception raised by the custom handler escapes from the loop."""

    def call_custom(self, handler, context):
        handler(self, context)  # no protection


@breaks("errors.set_exception_handler.handler_error_logged")
class HandlerErrorUnloggedLoop(_CustomHandlerCall):
    """An exception raised by the custom handler is silently swallowed."""

    def call_custom(self, handler, context):
        try:
            handler(self, context)
        except Exception:
            pass


@breaks("errors.handler.not_called_for_normal_callbacks")
class ReportsNormalCallbacksLoop(asyncio.SelectorEventLoop):
    """Every callback, even one that returns normally, is reported to the handler."""

    def call_soon(self, callback, *args, context=None):
        def wrapped(*a):
            callback(*a)
            self.call_exception_handler({"message": "callback ran"})

        return super().call_soon(wrapped, *args, context=context)


class _AlwaysReportingFuture(asyncio.Future):
    def __del__(self):
        if self.done() and not self.cancelled() and self.exception() is not None:
            self.get_loop().call_exception_handler(
                {"message": "exception (retrieved or not)", "exception": self.exception(), "future": self}
            )


@breaks("errors.handler.not_called_for_retrieved_exception")
class ReportsRetrievedExceptionLoop(asyncio.SelectorEventLoop):
    """Futures report their exception when collected even after it was retrieved."""

    def create_future(self):
        return _AlwaysReportingFuture(loop=self)


@breaks("errors.context.protocol_connection_made_keys")
class WrongProtocolContextLoop(asyncio.SelectorEventLoop):
    """Contexts of callback errors carry a 'protocol' that is not the failing protocol."""

    def call_exception_handler(self, context):
        if "handle" in context:
            context = dict(context, protocol=asyncio.Protocol())
        super().call_exception_handler(context)


@breaks(
    "errors.context.message_and_exception[call_soon]",
    "errors.context.message_and_exception[call_later]",
    keeps=["errors.context.message_and_exception[future_gc]", "errors.context.protocol_connection_made"],
)
class WrongHandleContextLoop(asyncio.SelectorEventLoop):
    """Contexts carry a fresh Handle under 'handle', not the one that failed."""

    def call_exception_handler(self, context):
        handle = context.get("handle")
        if handle is not None:
            context = dict(context, handle=type(handle).__new__(type(handle)))
        super().call_exception_handler(context)


@breaks(
    "errors.handler.runs_in_context",
    python=">=3.12",
    keeps=[
        "errors.set_exception_handler.called_with_loop_and_context",
        "errors.context.message_and_exception[call_soon]",
    ],
)
class HandlerOutsideContextLoop(_CustomHandlerCall):
    """The custom handler is called in the context of whoever reports the error (3.11 behaviour),
    not in the failing Handle's or Task's context."""

    def call_custom(self, handler, context):
        try:
            handler(self, context)
        except Exception:
            self.default_exception_handler({"message": "handler failed", "context": context})


@breaks("errors.context.pending_task_destroyed", keeps=["errors.context.task_never_retrieved"], python=">=3.13")
class NoTaskContextLoop(_StripKey):
    """Contexts lose 'task' (a pending task that was garbage-collected)."""

    key = "task"


@breaks("errors.context.source_traceback_debug", keeps=["errors.context.call_soon_callback"], python=">=3.13")
class NoSourceTracebackContextLoop(_StripKey):
    """Contexts lose 'source_traceback' (debug mode)."""

    key = "source_traceback"


@breaks(
    "errors.context.accept_out_of_resources",
    keeps=["errors.context.call_soon_callback", "errors.context.protocol_data_received"],
    platforms=["linux", "darwin"],
)
class NoSocketContextLoop(_StripKey):
    """Contexts lose 'socket' (a server's accept() out of file descriptors)."""

    key = "socket"


@breaks(
    "errors.context.accept_out_of_resources", keeps=["errors.context.call_soon_callback"], platforms=["linux", "darwin"]
)
class WrongSocketContextLoop(asyncio.SelectorEventLoop):
    """Contexts carry the loop's own self-pipe socket under 'socket', not the listening socket."""

    def call_exception_handler(self, context):
        if "socket" in context:
            context = {**context, "socket": self._ssock}
        super().call_exception_handler(context)
