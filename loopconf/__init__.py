"""loopconf: the conformance suite and spec checker for asyncio event loops."""

__version__ = "0.1.0"
