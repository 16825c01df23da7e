"""Reference loop: the Handle and TimerHandle objects the scheduler returns (19.5.1.2-3).

These are asyncio.Handle / asyncio.TimerHandle (subclasses, same names and reprs) with one
change: the constructor does not ask the loop for its debug flag. The loop builds them only
when debug mode is off; in debug mode it uses asyncio's own classes, which record where each
handle was created.
"""

from __future__ import annotations

import asyncio
from contextvars import copy_context


class Handle(asyncio.Handle):
    """asyncio.Handle built without a creation traceback (debug mode off)."""

    __slots__ = ()

    def __init__(self, callback, args, loop, context=None):
        self._context = copy_context() if context is None else context
        self._loop = loop
        self._callback = callback
        self._args = args
        self._cancelled = False
        self._repr = None
        self._source_traceback = None


class TimerHandle(asyncio.TimerHandle):
    """asyncio.TimerHandle built without a creation traceback (debug mode off)."""

    __slots__ = ()

    def __init__(self, when, callback, args, loop, context=None):
        self._context = copy_context() if context is None else context
        self._loop = loop
        self._callback = callback
        self._args = args
        self._cancelled = False
        self._repr = None
        self._source_traceback = None
        self._when = when
        self._scheduled = False
