"""Broken loops for debug mode (loop page, after 19.5.1.16): one guarantee broken each."""

import asyncio

from tests.broken import breaks


@breaks("debug.get_debug.returns_bool")
class IntDebugLoop(asyncio.SelectorEventLoop):
    """get_debug returns 1/0 instead of a bool."""

    def get_debug(self):
        return int(super().get_debug())


@breaks("debug.set_debug.round_trip")
class SetDebugIgnoredLoop(asyncio.SelectorEventLoop):
    """set_debug has no effect once the loop is constructed."""

    def set_debug(self, enabled):
        if not hasattr(self, "_debug"):
            super().set_debug(enabled)


@breaks("debug.get_debug.default_from_environment")
class DebugAlwaysOnLoop(asyncio.SelectorEventLoop):
    """New loops start in debug mode whatever the environment says."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        super().set_debug(True)


@breaks("debug.slow_callback.logged")
class NoSlowCallbackReportLoop(asyncio.SelectorEventLoop):
    """Slow callbacks are never reported (the threshold cannot be reached)."""

    @property
    def slow_callback_duration(self):
        return float("inf")

    @slow_callback_duration.setter
    def slow_callback_duration(self, value):
        pass


@breaks("debug.call_soon.wrong_thread")
class NoThreadCheckLoop(asyncio.SelectorEventLoop):
    """Debug mode does not refuse non-thread-safe calls from other threads."""

    def _check_thread(self):
        pass


@breaks("debug.context.source_traceback")
class NoSourceTracebackLoop(asyncio.SelectorEventLoop):
    """Debug-mode contexts lose 'source_traceback'."""

    def call_exception_handler(self, context):
        context = {k: v for k, v in context.items() if k != "source_traceback"}
        super().call_exception_handler(context)
