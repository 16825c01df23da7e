"""Loop factory for asyncio-gevent in a gevent.monkey.patch_all()-ed process.

Used by scripts/publish-reports for the "asyncio-gevent-patched" row. The patching itself happens
at interpreter start-up (gevent_site/sitecustomize.py on PYTHONPATH); importing this module patches
too, as a fallback, and the factory refuses to run unpatched.
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
