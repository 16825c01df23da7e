"""Capture log records during part of a check (caplog-like).

:func:`asyncio_log` listens to the 'asyncio' logger only (CPython's logger); :func:`any_log`
listens to every logger, for requirements the page states without naming a logger.
"""

from __future__ import annotations

import contextlib
import logging


class _ListHandler(logging.Handler):
    def __init__(self, unique: bool = False):
        super().__init__(level=logging.DEBUG)
        self.records: list = []
        self.unique = unique

    def emit(self, record):
        if self.unique and any(r is record for r in self.records):
            return
        self.records.append(record)


@contextlib.contextmanager
def asyncio_log(level=logging.DEBUG):
    """Yield a list receiving every record the 'asyncio' logger emits at ``level`` or above.

    The logger's level is lowered for the duration (and restored) so records are not filtered
    out before reaching our handler; propagation is switched off meanwhile so the records do
    not clutter the worker's output.
    """
    logger = logging.getLogger("asyncio")
    handler = _ListHandler()
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


@contextlib.contextmanager
def any_log(level=logging.DEBUG):
    """Yield a list receiving every record emitted on any logger at ``level`` or above.

    A record travels up its logger's ancestors until a logger with ``propagate`` False, or the
    root: the handler sits on the root and on every existing non-propagating logger (the
    'asyncio' logger included when it does not propagate), so each record reaches it once
    (duplicates are dropped anyway). The root's and the 'asyncio' logger's levels are lowered
    for the duration (and restored) so records are not filtered before reaching it.
    """
    handler = _ListHandler(unique=True)
    root = logging.getLogger()
    asyncio_logger = logging.getLogger("asyncio")
    targets = [root] + [
        lg
        for lg in list(logging.root.manager.loggerDict.values())
        if isinstance(lg, logging.Logger) and not lg.propagate
    ]
    levels = {lg: lg.level for lg in (root, asyncio_logger)}
    for lg in targets:
        lg.addHandler(handler)
    for lg in levels:
        lg.setLevel(level)
    try:
        yield handler.records
    finally:
        for lg in targets:
            lg.removeHandler(handler)
        for lg, old in levels.items():
            lg.setLevel(old)


def rendered(record: logging.LogRecord) -> str:
    """The record as a formatter would print it, traceback included."""
    return logging.Formatter("%(message)s").format(record)
