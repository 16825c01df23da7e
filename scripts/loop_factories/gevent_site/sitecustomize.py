"""Monkey-patch the whole interpreter with gevent at start-up (asyncio-gevent-patched row only).

scripts/publish-reports puts this folder on PYTHONPATH for that row, so patch_all() runs before
pytest or loopconf import socket, threading, selectors or subprocess.
"""

from gevent import monkey

monkey.patch_all()
