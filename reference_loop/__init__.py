"""reference_loop: a readable pure-Python asyncio event loop, the executable form of the spec
(/work/shared/spec/asyncio-eventloop-3.7.txt, 19.5.1)."""

from .loop import ReferenceEventLoop

__all__ = ["ReferenceEventLoop", "new_event_loop"]


def new_event_loop():
    """Return a new ReferenceEventLoop."""
    return ReferenceEventLoop()
