"""Capture records logged through the 'asyncio' logger during part of a check (caplog-like)."""

from __future__ import annotations

import contextlib
import logging


class _ListHandler(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list = []

    def emit(self, record):
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


def rendered(record: logging.LogRecord) -> str:
    """The record as a formatter would print it, traceback included."""
    return logging.Formatter("%(message)s").format(record)
