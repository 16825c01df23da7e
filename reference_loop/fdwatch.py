"""Reference loop: 19.5.1.10 watching file descriptors, on top of the ``selectors`` module.

Each registered file object carries ``(reader_handle, writer_handle)`` as its selector data;
a ready event queues the matching Handle on the ready queue.

Internal API for the other mixins (no closed-loop check, return the Handle / a bool):
``_add_reader(fd, cb, *args)``, ``_remove_reader(fd)``, ``_add_writer(fd, cb, *args)``,
``_remove_writer(fd)``; the selector is ``self._selector``.
"""

from __future__ import annotations

import selectors
from .handles import Handle

_READ = selectors.EVENT_READ
_WRITE = selectors.EVENT_WRITE


class FdWatchMixin:
    """add_reader / remove_reader / add_writer / remove_writer."""

    def _init_fdwatch(self, selector=None):
        self._selector = selector if selector is not None else selectors.DefaultSelector()

    def _close_selector(self):
        if self._selector is not None:
            self._selector.close()
            self._selector = None

    def _process_events(self, event_list):
        """Queue the callbacks of the file objects the selector reported ready."""
        append = self._ready.append
        for key, mask in event_list:
            reader, writer = key.data
            if mask & _READ and reader is not None:
                if reader._cancelled:
                    self._remove_reader(key.fileobj)
                else:
                    append(reader)
            if mask & _WRITE and writer is not None:
                if writer._cancelled:
                    self._remove_writer(key.fileobj)
                else:
                    append(writer)

    # ------------------------------------------------------------------ internal API

    def _add_reader(self, fd, callback, *args):
        handle = Handle(callback, args, self, None)
        selector = self._selector
        try:
            key = selector.get_key(fd)
        except KeyError:
            selector.register(fd, _READ, (handle, None))
        else:
            old_reader, writer = key.data
            selector.modify(fd, key.events | _READ, (handle, writer))
            if old_reader is not None:
                old_reader.cancel()
        return handle

    def _remove_reader(self, fd):
        if self._selector is None:
            return False
        try:
            key = self._selector.get_key(fd)
        except KeyError:
            return False
        reader, writer = key.data
        events = key.events & ~_READ
        if events:
            self._selector.modify(fd, events, (None, writer))
        else:
            self._selector.unregister(fd)
        if reader is not None:
            reader.cancel()
            return True
        return False

    def _add_writer(self, fd, callback, *args):
        handle = Handle(callback, args, self, None)
        selector = self._selector
        try:
            key = selector.get_key(fd)
        except KeyError:
            selector.register(fd, _WRITE, (None, handle))
        else:
            reader, old_writer = key.data
            selector.modify(fd, key.events | _WRITE, (reader, handle))
            if old_writer is not None:
                old_writer.cancel()
        return handle

    def _remove_writer(self, fd):
        if self._selector is None:
            return False
        try:
            key = self._selector.get_key(fd)
        except KeyError:
            return False
        reader, writer = key.data
        events = key.events & ~_WRITE
        if events:
            self._selector.modify(fd, events, (reader, None))
        else:
            self._selector.unregister(fd)
        if writer is not None:
            writer.cancel()
            return True
        return False

    # ------------------------------------------------------------------ public API

    def add_reader(self, fd, callback, *args):
        """19.5.1.10 add_reader: call ``callback(*args)`` whenever ``fd`` is readable."""
        self._check_closed()
        self._add_reader(fd, callback, *args)

    def remove_reader(self, fd):
        """19.5.1.10 remove_reader: stop watching ``fd`` for reading; True if it was watched."""
        if self._closed:
            return False
        return self._remove_reader(fd)

    def add_writer(self, fd, callback, *args):
        """19.5.1.10 add_writer: call ``callback(*args)`` whenever ``fd`` is writable."""
        self._check_closed()
        self._add_writer(fd, callback, *args)

    def remove_writer(self, fd):
        """19.5.1.10 remove_writer: stop watching ``fd`` for writing; True if it was watched."""
        if self._closed:
            return False
        return self._remove_writer(fd)
