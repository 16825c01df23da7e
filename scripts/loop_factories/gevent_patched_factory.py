"""Loop factory for asyncio-gevent in a gevent.monkey.patch_all()-ed process.

Used by scripts/publish-reports for the "asyncio-gevent-patched" row. Importing this module
patches the process (socket, threading, selectors, time, ...) before the first loop is created;
loopconf imports the factory inside each pytest worker, so the suite's own start-up (pytest,
pytest-xdist, execnet) is not patched: patching at interpreter start-up deadlocks xdist's workers.
"""

from gevent import monkey

if not monkey.is_module_patched("socket"):
    monkey.patch_all()

import asyncio_gevent  # noqa: E402


def new_event_loop():
    """A new asyncio_gevent.EventLoop."""
    if not monkey.is_module_patched("socket"):
        raise RuntimeError("gevent did not patch the socket module")
    return asyncio_gevent.EventLoop()
