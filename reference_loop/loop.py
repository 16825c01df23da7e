"""Reference loop: the assembled event loop class.

``ReferenceEventLoop`` combines one mixin per concern of the spec (19.5.1, Base Event Loop):

- scheduling.py  19.5.1.1-5  running, calls, delayed calls, futures, tasks
- debug.py       page.debug  debug mode
- fdwatch.py     19.5.1.10   add/remove reader/writer (selectors)
- wakeup.py      self-pipe for call_soon_threadsafe and signal delivery
- signals.py     19.5.1.14   UNIX signals
- executor.py    19.5.1.15   executors
- errors.py      19.5.1.16   exception handlers
- asyncgens.py   19.5.1.1    shutdown_asyncgens and the async generator hooks
- network.py, tls.py, pipes.py, subprocesses.py: transports (other owners)

Internal API the transport mixins can rely on:
``_check_closed()``, ``_ready`` (deque of Handles; append to queue), ``_add_reader(fd, cb,
*args)`` / ``_remove_reader(fd)`` / ``_add_writer`` / ``_remove_writer`` (no closed check; the
removers return a bool), ``_selector``, ``_write_to_self()``, ``_debug``. A mixin needing
setup or teardown defines ``__init__``/``close`` and calls ``super()``: the core's state exists
before their ``__init__`` body runs, and the core's close() runs when their close() calls super.
"""

from __future__ import annotations

import asyncio
import warnings

from .asyncgens import AsyncGensMixin
from .debug import DebugMixin
from .errors import ErrorsMixin
from .executor import ExecutorMixin
from .fdwatch import FdWatchMixin
from .network import NetworkMixin
from .pipes import PipesMixin
from .scheduling import SchedulingMixin
from .signals import SignalsMixin
from .subprocesses import SubprocessMixin
from .tls import TLSMixin
from .wakeup import WakeupMixin


class ReferenceEventLoop(
    NetworkMixin,
    TLSMixin,
    PipesMixin,
    SubprocessMixin,
    SchedulingMixin,
    FdWatchMixin,
    WakeupMixin,
    SignalsMixin,
    ExecutorMixin,
    ErrorsMixin,
    AsyncGensMixin,
    DebugMixin,
    asyncio.AbstractEventLoop,
):
    """A pure-Python asyncio event loop written from the 19.5.1 spec."""

    def __init__(self, selector=None):
        self._init_debug()
        self._init_errors()
        self._init_scheduling()
        self._init_fdwatch(selector)
        self._init_signals()
        self._init_executor()
        self._init_asyncgens()
        self._init_wakeup()
        super().__init__()

    def __del__(self, _warn=warnings.warn):
        # Like CPython: an unclosed loop warns (ResourceWarning) and releases its resources.
        if not getattr(self, "_closed", True):
            _warn(f"unclosed event loop {self!r}", ResourceWarning, source=self)
            if not self.is_running():
                self.close()

    def __repr__(self):
        return f"<{type(self).__name__} running={self.is_running()} closed={self.is_closed()} debug={self.get_debug()}>"
