"""A SubprocessProtocol that records every callback, for the subprocess transport checks."""

from __future__ import annotations

import asyncio
import sys


class RecordingSubprocessProtocol(asyncio.SubprocessProtocol):
    """Records (event, args) for each callback; ``done`` resolves at connection_lost."""

    def __init__(self, loop):
        self.events: list = []
        self.data = {1: b"", 2: b""}
        self.transport = None
        self.done = loop.create_future()
        self.exited = loop.create_future()

    def connection_made(self, transport):
        self.transport = transport
        self.events.append(("connection_made", transport))

    def pipe_data_received(self, fd, data):
        self.events.append(("pipe_data_received", fd))
        self.data[fd] = self.data.get(fd, b"") + data

    def pipe_connection_lost(self, fd, exc):
        self.events.append(("pipe_connection_lost", fd, exc))

    def process_exited(self):
        self.events.append(("process_exited",))
        if not self.exited.done():
            self.exited.set_result(None)

    def connection_lost(self, exc):
        self.events.append(("connection_lost", exc))
        if not self.done.done():
            self.done.set_result(exc)

    def names(self) -> list:
        return [e[0] for e in self.events]


def py(code: str) -> tuple:
    """Arguments for subprocess_exec running ``code`` in a fresh copy of this interpreter."""
    return (sys.executable, "-c", code)
