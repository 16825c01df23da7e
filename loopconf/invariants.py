"""Process-level invariants checked after every check: no leaked threads, fds or children.

A snapshot is taken before the loop under test is created; after the loop is closed the
state must be back to the snapshot. Threads and children get a short bounded grace period
to finish (the default executor is shut down without waiting, by design), then count as leaks.
Threads whose names match ``--allow-thread`` globs (a loop's own long-lived pool) are exempt.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import signal
import threading
import time

GRACE_SECONDS = 2.0


@dataclasses.dataclass
class Snapshot:
    fds: set
    threads: set
    children: set


def _open_fds() -> set:
    try:
        return {int(name) for name in os.listdir("/proc/self/fd")}
    except OSError:
        return set()


def _children() -> set:
    pids = set()
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return pids
    for tid in tasks:
        try:
            with open(f"/proc/self/task/{tid}/children") as f:
                pids.update(int(p) for p in f.read().split())
        except OSError:
            continue
    return pids


def take() -> Snapshot:
    return Snapshot(fds=_open_fds(), threads=set(threading.enumerate()), children=_children())


def _describe_fd(fd: int) -> str:
    try:
        return f"{fd} -> {os.readlink(f'/proc/self/fd/{fd}')}"
    except OSError:
        return str(fd)


def _own_threads(threads) -> list:
    """Real threads only: gevent and other foreign 'dummy' threads cannot be joined or judged."""
    return [t for t in threads if not isinstance(t, threading._DummyThread)]


def leaks(before: Snapshot, clean_up: bool = True, allowed_threads=()) -> list[str]:
    """Return one message per broken invariant.

    With ``clean_up``, leaked children are killed and reaped afterwards; without it the call only
    looks (and waits the grace period), so it can be repeated after a garbage collection.
    """
    problems = []
    deadline = time.monotonic() + GRACE_SECONDS
    new_threads = [t for t in _own_threads(threading.enumerate())
                   if t not in before.threads and t.is_alive()
                   and not any(fnmatch.fnmatchcase(t.name, glob) for glob in allowed_threads)]
    for thread in new_threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    alive = [t.name for t in new_threads if t.is_alive()]
    if alive:
        problems.append(f"threads still running after the loop was closed: {', '.join(sorted(alive))}")

    children = _children() - before.children
    while children and time.monotonic() < deadline:
        for pid in list(children):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid  # reaped elsewhere
            if done:
                children.discard(pid)
        if children:
            time.sleep(0.01)
        children &= _children()
    if children:
        problems.append(f"child processes left running: {sorted(children)}")
    if children and clean_up:
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass

    leaked_fds = sorted(_open_fds() - before.fds)
    if leaked_fds:
        problems.append("file descriptors left open: " + ", ".join(_describe_fd(fd) for fd in leaked_fds))
    return problems
