"""Broken loops for 19.5.1.2 (calls)."""

import asyncio


class LifoCallSoonLoop(asyncio.SelectorEventLoop):
    """call_soon runs callbacks in reverse registration order (breaks FIFO)."""

    def call_soon(self, callback, *args, context=None):
        handle = super().call_soon(callback, *args, context=context)
        self._ready.remove(handle)
        self._ready.appendleft(handle)
        return handle
