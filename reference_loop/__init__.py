"""reference_loop: a readable pure-Python asyncio event loop, the executable form of the spec
(the Python 3.7 asyncio event loop documentation, sections 19.5.1.1-19.5.1.16)."""

from .loop import ReferenceEventLoop

__all__ = ["ReferenceEventLoop", "new_event_loop"]


def new_event_loop():
    """Return a new ReferenceEventLoop."""
    return ReferenceEventLoop()
