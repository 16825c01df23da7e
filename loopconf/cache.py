"""loopconf's own cache folder: derived files that only make later runs faster.

``$LOOPCONF_CACHE_DIR``, else ``$XDG_CACHE_HOME/loopconf``, else ``~/.cache/loopconf``.
``LOOPCONF_CACHE_DIR=off`` turns caching off. Nothing in it changes a verdict or a report: it
holds the suite processes' bytecode (pytest's rewritten modules too) and the compiled report
template, each keyed by its source, so a stale entry is never used.
"""

from __future__ import annotations

import os

OFF = "off"


def cache_dir(env=None) -> str | None:
    """The cache folder (not created here), or None when caching is off."""
    env = os.environ if env is None else env
    root = env.get("LOOPCONF_CACHE_DIR") or os.path.join(
        env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "loopconf"
    )
    return None if root == OFF else root


def folder(name: str) -> str | None:
    """``name`` inside the cache folder, created if possible; None when off or not writable."""
    root = cache_dir()
    if root is None:
        return None
    path = os.path.join(root, name)
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return None
    return path
