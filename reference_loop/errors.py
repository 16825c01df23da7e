"""Reference loop: 19.5.1.16 error handling API.

The default handler logs one error record on the ``asyncio`` logger: the message, every other
context key (``key: repr(value)``) and the exception's traceback. An exception raised by a
custom handler is logged through the default handler, never propagated to the loop.
"""

from __future__ import annotations

import logging
import sys
import traceback

logger = logging.getLogger("asyncio")


class ErrorsMixin:
    """set/get/default/call_exception_handler."""

    def _init_errors(self):
        self._exception_handler = None

    def set_exception_handler(self, handler):
        """19.5.1.16 set_exception_handler: install ``handler(loop, context)``; None restores
        the default; anything else that is not callable is a TypeError."""
        if handler is not None and not callable(handler):
            raise TypeError(f"A callable object or None is expected, got {handler!r}")
        self._exception_handler = handler

    def get_exception_handler(self):
        """19.5.1.16 get_exception_handler: the custom handler, or None for the default."""
        return self._exception_handler

    def default_exception_handler(self, context):
        """19.5.1.16 default_exception_handler: log ``context`` on the 'asyncio' logger."""
        message = context.get("message") or "Unhandled exception in event loop"
        exception = context.get("exception")
        if exception is not None:
            exc_info = (type(exception), exception, exception.__traceback__)
        else:
            exc_info = False

        current = self._current_handle
        if "source_traceback" not in context and current is not None and current._source_traceback:
            context["handle_traceback"] = current._source_traceback

        lines = [message]
        for key in sorted(context):
            if key in ("message", "exception"):
                continue
            value = context[key]
            if key == "source_traceback":
                value = "Object created at (most recent call last):\n" + "".join(traceback.format_list(value)).rstrip()
            elif key == "handle_traceback":
                value = "Handle created at (most recent call last):\n" + "".join(traceback.format_list(value)).rstrip()
            else:
                value = repr(value)
            lines.append(f"{key}: {value}")
        logger.error("\n".join(lines), exc_info=exc_info)

    def call_exception_handler(self, context):
        """19.5.1.16 call_exception_handler: pass ``context`` to the current handler.

        Errors raised by the handler are logged (via the default handler), not propagated.
        """
        handler = self._exception_handler
        if handler is None:
            try:
                self.default_exception_handler(context)
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException:
                logger.error("Exception in default exception handler", exc_info=True)
            return
        try:
            run_in = _context_of(context)
            if run_in is not None:
                run_in.run(handler, self, context)
            else:
                handler(self, context)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            try:
                self.default_exception_handler(
                    {
                        "message": "Unhandled error in exception handler",
                        "exception": exc,
                        "context": context,
                    }
                )
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException:
                logger.error(
                    "Exception in default exception handler while handling an "
                    "unexpected error in custom exception handler",
                    exc_info=True,
                )


def _context_of(context):
    """3.12+: a custom handler runs in the contextvars context of the task/future/handle."""
    if sys.version_info < (3, 12):
        return None
    for key in ("task", "future", "handle"):
        thing = context.get(key)
        if thing is not None:
            get_context = getattr(thing, "get_context", None)
            if get_context is None:
                return None
            ctx = get_context()
            return ctx if hasattr(ctx, "run") else None
    return None
