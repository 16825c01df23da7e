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
_SLOT = {_READ: 0, _WRITE: 1}  # where each event's handle sits in the key's (reader, writer) data


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

    def _watch(self, fd, event, callback, args):
        """Register ``callback(*args)`` for ``event`` on ``fd``, replacing the previous one."""
        handle = Handle(callback, args, self, None)
        slot = _SLOT[event]
        selector = self._selector
        try:
            key = selector.get_key(fd)
        except KeyError:
            data = [None, None]
            data[slot] = handle
            selector.register(fd, event, tuple(data))
        else:
            data = list(key.data)
            old, data[slot] = data[slot], handle
            selector.modify(fd, key.events | event, tuple(data))
            if old is not None:
                old.cancel()
        return handle

    def _unwatch(self, fd, event):
        """Stop watching ``fd`` for ``event``; True if a callback was registered for it."""
        if self._selector is None:
            return False
        try:
            key = self._selector.get_key(fd)
        except KeyError:
            return False
        slot = _SLOT[event]
        data = list(key.data)
        old, data[slot] = data[slot], None
        events = key.events & ~event
        if events:
            self._selector.modify(fd, events, tuple(data))
        else:
            self._selector.unregister(fd)
        if old is not None:
            old.cancel()
            return True
        return False

    def _add_reader(self, fd, callback, *args):
        return self._watch(fd, _READ, callback, args)

    def _remove_reader(self, fd):
        return self._unwatch(fd, _READ)

    def _add_writer(self, fd, callback, *args):
        return self._watch(fd, _WRITE, callback, args)

    def _remove_writer(self, fd):
        return self._unwatch(fd, _WRITE)

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
