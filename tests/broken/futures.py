"""Broken loops for 19.5.1.4 (futures): each breaks exactly one guarantee."""

import asyncio
import concurrent.futures

from tests.broken import breaks


@breaks("futures.create_future.is_future")
class ConcurrentFutureLoop(asyncio.SelectorEventLoop):
    """create_future returns a concurrent.futures.Future, not an asyncio.Future."""

    def create_future(self):
        return concurrent.futures.Future()


class _Elsewhere(asyncio.AbstractEventLoop):
    """A stand-in loop object that futures can be attached to."""

    def get_debug(self):
        return False


@breaks("futures.create_future.attached")
class ForeignFutureLoop(asyncio.SelectorEventLoop):
    """create_future returns a Future attached to another loop object."""

    def create_future(self):
        return asyncio.Future(loop=_Elsewhere())


class _EagerCallbacksFuture(asyncio.Future):
    """A Future that calls its done callbacks synchronously, bypassing the loop."""

    def __init__(self, *, loop):
        super().__init__(loop=loop)
        self._eager = []

    def add_done_callback(self, fn, *, context=None):
        self._eager.append(fn)

    def set_result(self, result):
        super().set_result(result)
        for fn in self._eager:
            fn(self)


@breaks("futures.create_future.callbacks_on_loop")
class EagerCallbacksLoop(asyncio.SelectorEventLoop):
    """Futures from create_future call their done callbacks inside set_result()."""

    def create_future(self):
        return _EagerCallbacksFuture(loop=self)


class _NeverDoneFuture(asyncio.Future):
    """A Future whose set_result is silently ignored."""

    def set_result(self, result):
        pass


@breaks("futures.create_future.awaitable")
class DeafFutureLoop(asyncio.SelectorEventLoop):
    """create_future returns Futures that ignore set_result (awaiting them never ends)."""

    def create_future(self):
        return _NeverDoneFuture(loop=self)


@breaks("futures.create_future.is_future")
class SharedFutureLoop(asyncio.SelectorEventLoop):
    """create_future returns the same Future every time."""

    _shared = None

    def create_future(self):
        if self._shared is None:
            self._shared = super().create_future()
        return self._shared
