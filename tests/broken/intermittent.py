"""A loop whose deviation shows in every other process: the model of an intermittent failure.

Each new pytest process that builds one of these loops takes a turn from a counter file named by
``LOOPCONF_TEST_FLIP_FILE``: in odd turns ``call_soon`` runs callbacks in reverse order (breaking
``calls.call_soon.fifo``), in even turns the loop is correct. Stability mode (``--repeat N``) must
report the check as ``flaky`` with both outcomes; without the variable the loop is always broken.
"""

import asyncio
import fcntl
import os

from tests.broken import breaks

_TURN = None


def _turn() -> int:
    global _TURN
    if _TURN is None:
        path = os.environ.get("LOOPCONF_TEST_FLIP_FILE")
        if not path:
            _TURN = 1
        else:
            with open(path, "a+") as f:
                fcntl.flock(f, fcntl.LOCK_EX)
                f.seek(0)
                _TURN = int(f.read() or 0) + 1
                f.seek(0)
                f.truncate()
                f.write(str(_TURN))
    return _TURN


@breaks("calls.call_soon.fifo", keeps=["calls.call_soon.exactly_once"])  # always broken without the variable
class AlternatingFifoLoop(asyncio.SelectorEventLoop):
    """call_soon is LIFO in odd processes, FIFO in even ones."""

    def call_soon(self, callback, *args, context=None):
        handle = super().call_soon(callback, *args, context=context)
        if _turn() % 2 == 1 and len(self._ready) > 1:
            self._ready.rotate(1)  # the newest callback jumps the queue
        return handle
