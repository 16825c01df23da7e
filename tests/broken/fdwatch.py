"""Broken loops for 19.5.1.10 (watch file descriptors); each breaks one guarantee."""

import asyncio

from tests.broken import breaks


@breaks("fdwatch.remove_reader.returns_true", "fdwatch.remove_reader.returns_false")
class RemoveReaderReturnsNoneLoop(asyncio.SelectorEventLoop):
    """remove_reader removes the callback but returns None instead of True/False."""

    def remove_reader(self, fd):
        super().remove_reader(fd)


@breaks("fdwatch.remove_writer.returns_true", "fdwatch.remove_writer.returns_false")
class RemoveWriterReturnsNoneLoop(asyncio.SelectorEventLoop):
    """remove_writer removes the callback but returns None instead of True/False."""

    def remove_writer(self, fd):
        super().remove_writer(fd)


@breaks("fdwatch.remove_reader.returns_false")
class RemoveReaderAlwaysTrueLoop(asyncio.SelectorEventLoop):
    """remove_reader returns True even when no reader was registered."""

    def remove_reader(self, fd):
        super().remove_reader(fd)
        return True


@breaks("fdwatch.remove_writer.returns_false")
class RemoveWriterAlwaysTrueLoop(asyncio.SelectorEventLoop):
    """remove_writer returns True even when no writer was registered."""

    def remove_writer(self, fd):
        super().remove_writer(fd)
        return True


class _Chaining(asyncio.SelectorEventLoop):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._chains = {}

    def _chain(self, key, add, fd, callback, args):
        old = self._chains.get(key)
        self._chains[key] = (callback, args)
        if old is None:
            return add(fd, callback, *args)

        def both():
            old[0](*old[1])
            callback(*args)

        return add(fd, both)


@breaks(
    "fdwatch.add_reader.replaces_callback",
    "fdwatch.add_reader.readd_in_callback_no_duplicates",
    keeps=["fdwatch.add_reader.persists"],
)
class AddReaderKeepsOldLoop(_Chaining):
    """add_reader on an fd that already has a reader keeps calling the old callback too."""

    def add_reader(self, fd, callback, *args):
        return self._chain(("r", fd), super().add_reader, fd, callback, args)

    def remove_reader(self, fd):
        self._chains.pop(("r", fd), None)
        return super().remove_reader(fd)


@breaks("fdwatch.add_writer.replaces_callback")
class AddWriterKeepsOldLoop(_Chaining):
    """add_writer on an fd that already has a writer keeps calling the old callback too."""

    def add_writer(self, fd, callback, *args):
        return self._chain(("w", fd), super().add_writer, fd, callback, args)

    def remove_writer(self, fd):
        self._chains.pop(("w", fd), None)
        return super().remove_writer(fd)


@breaks("fdwatch.remove_reader.stops_callbacks")
class RemoveReaderNoopLoop(asyncio.SelectorEventLoop):
    """remove_reader reports success but keeps watching the fd."""

    def remove_reader(self, fd):
        return True


@breaks("fdwatch.remove_writer.stops_callbacks")
class RemoveWriterNoopLoop(asyncio.SelectorEventLoop):
    """remove_writer reports success but keeps watching the fd."""

    def remove_writer(self, fd):
        return True


@breaks("fdwatch.remove_reader.keeps_writer")
class RemoveReaderDropsWriterLoop(asyncio.SelectorEventLoop):
    """remove_reader also removes the writer of the same fd."""

    def remove_reader(self, fd):
        super().remove_writer(fd)
        return super().remove_reader(fd)


@breaks("fdwatch.remove_writer.keeps_reader")
class RemoveWriterDropsReaderLoop(asyncio.SelectorEventLoop):
    """remove_writer also removes the reader of the same fd."""

    def remove_writer(self, fd):
        super().remove_reader(fd)
        return super().remove_writer(fd)


@breaks("fdwatch.add_reader.calls_with_args", "fdwatch.add_writer.calls_with_args")
class DropsCallbackArgsLoop(asyncio.SelectorEventLoop):
    """add_reader and add_writer call the callback without the given arguments."""

    def add_reader(self, fd, callback, *args):
        return super().add_reader(fd, callback)

    def add_writer(self, fd, callback, *args):
        return super().add_writer(fd, callback)


def _one_shot(direction):
    """add_<direction> whose registration removes itself (stock remove_<direction>) before the
    first callback runs."""
    stock_add = getattr(asyncio.SelectorEventLoop, f"add_{direction}")
    stock_remove = getattr(asyncio.SelectorEventLoop, f"remove_{direction}")

    def add(self, fd, callback, *args):
        def once(*a):
            stock_remove(self, fd)
            callback(*a)

        return stock_add(self, fd, once, *args)

    add.__name__ = add.__qualname__ = f"add_{direction}"
    return add


@breaks(
    "fdwatch.add_reader.persists",
    "fdwatch.add_reader.repeats_while_readable",
    keeps=[
        "fdwatch.add_reader.calls_with_args",
        "fdwatch.add_reader.readd_in_callback_no_duplicates",
        "fdwatch.add_reader.replaces_callback",
        "fdwatch.remove_reader.*",
        "fdwatch.add_writer.persists",
    ],
)
class OneShotReaderLoop(asyncio.SelectorEventLoop):
    """add_reader stops watching the fd after the first callback."""

    add_reader = _one_shot("reader")


@breaks(
    "fdwatch.add_writer.persists",
    "fdwatch.add_writer.repeats_while_writable",
    keeps=[
        "fdwatch.add_writer.calls_with_args",
        "fdwatch.add_writer.replaces_callback",
        "fdwatch.remove_writer.*",
        "fdwatch.add_reader.persists",
    ],
)
class OneShotWriterLoop(asyncio.SelectorEventLoop):
    """add_writer stops watching the fd after the first callback."""

    add_writer = _one_shot("writer")


@breaks(
    "fdwatch.add_reader.repeats_while_readable",
    keeps=[
        "fdwatch.add_reader.persists",
        "fdwatch.add_reader.calls_with_args",
        "fdwatch.add_reader.replaces_callback",
        "fdwatch.add_reader.readd_in_callback_no_duplicates",
    ],
)
class EdgeTriggeredReaderLoop(asyncio.SelectorEventLoop):
    """add_reader calls back once per arrival of data: data left unread is not reported again.

    Models an edge-triggered poller: after a callback the fd is parked until a byte arrives that
    was not queued at callback time (checked with MSG_PEEK on sockets).
    """

    def add_reader(self, fd, callback, *args):
        import os
        import socket as _socket
        import stat

        if not stat.S_ISSOCK(os.fstat(fd).st_mode):
            return super().add_reader(fd, callback, *args)
        seen = [0]

        def queued():
            peek = _socket.socket(fileno=fd)
            try:
                return len(peek.recv(1 << 20, _socket.MSG_PEEK | _socket.MSG_DONTWAIT))
            except OSError:
                return 0
            finally:
                peek.detach()

        def edge(*a):
            now = queued()
            if now and now <= seen[0]:
                return  # nothing new since the last callback
            callback(*a)
            seen[0] = queued()

        return super().add_reader(fd, edge, *args)
