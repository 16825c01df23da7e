"""Wait for one child process to exit and reap it, without blocking the loop.

Used by the subprocess transport (subprocess page: process_exited / get_returncode).
Two strategies, both ending with the child reaped by os.waitpid in the loop's thread:

* Linux, Python 3.9+: a pidfd (os.pidfd_open) becomes readable when the child exits;
  it is watched with the loop's public add_reader().
* elsewhere (or if pidfd_open fails): a daemon thread blocks in os.waitid(..., WNOWAIT)
  until the child exits *without* reaping it, then wakes the loop with
  call_soon_threadsafe().  Reaping stays in the loop thread, so the pid cannot be
  recycled while the transport may still signal it.

The exit status is converted the way subprocess does it: the exit code, or minus the
signal number for a child killed by a signal.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref

logger = logging.getLogger("reference_loop.subprocess")

#: Reported when someone else reaped the child, as CPython does.
UNKNOWN_RETURNCODE = 255

#: loop -> pidfd watches still registered with it (see release_loop).
_pidfd_watches = weakref.WeakKeyDictionary()


def _exit_code(status: int) -> int:
    if hasattr(os, "waitstatus_to_exitcode"):
        return os.waitstatus_to_exitcode(status)
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def reap(pid: int) -> int:
    """Collect the exit status of the (already exited) child ``pid``; return its returncode."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        logger.warning("child process %d was reaped by someone else; reporting returncode %d", pid, UNKNOWN_RETURNCODE)
        return UNKNOWN_RETURNCODE
    return _exit_code(status)


def release_loop(loop) -> None:
    """Called when ``loop`` closes: give up its pidfd watches (thread watches notice by themselves)."""
    for watch in list(_pidfd_watches.pop(loop, ())):
        watch._abandon()


class ChildWatch:
    """Call ``on_exit(returncode)`` in the loop thread once the child has exited and been reaped.

    ``process`` is the child's subprocess.Popen object: its returncode is filled in when the
    child is reaped, so Popen never waits for (or warns about) a pid that no longer exists.
    """

    def __init__(self, loop, process, on_exit):
        self._loop = loop
        self._process = process
        self._pid = process.pid
        self._on_exit = on_exit
        self._pidfd = None
        self._done = False
        if not self._watch_pidfd():
            self._watch_with_thread()

    # -- pidfd strategy -------------------------------------------------------------------
    def _watch_pidfd(self) -> bool:
        if not hasattr(os, "pidfd_open"):
            return False
        try:
            self._pidfd = os.pidfd_open(self._pid)
        except OSError:
            return False
        self._loop.add_reader(self._pidfd, self._pidfd_ready)
        _pidfd_watches.setdefault(self._loop, set()).add(self)
        return True

    def _pidfd_ready(self):
        self._loop.remove_reader(self._pidfd)
        self._close_pidfd()
        self._finish()

    def _close_pidfd(self):
        os.close(self._pidfd)
        self._pidfd = None
        _pidfd_watches.get(self._loop, set()).discard(self)

    def _abandon(self):
        """The loop closed before the child exited: reap it from a thread so no zombie remains."""
        self._close_pidfd()
        self._done = True
        self._on_exit = None  # do not keep the transport alive: it can be collected and closed
        threading.Thread(target=self._reap, daemon=True, name=f"reference_loop-reap-{self._pid}").start()

    # -- thread strategy ------------------------------------------------------------------
    def _watch_with_thread(self):
        thread = threading.Thread(target=self._wait_in_thread, daemon=True, name=f"reference_loop-waitpid-{self._pid}")
        thread.start()

    def _wait_in_thread(self):
        if hasattr(os, "waitid") and hasattr(os, "WNOWAIT"):
            try:
                os.waitid(os.P_PID, self._pid, os.WEXITED | os.WNOWAIT)
            except ChildProcessError:
                pass  # reaped elsewhere: reap() below reports it
            try:
                self._loop.call_soon_threadsafe(self._finish)
            except RuntimeError:
                # The loop is closed: nobody will be told, but the child must not stay a zombie.
                self._reap()
        else:
            returncode = self._reap()
            try:
                self._loop.call_soon_threadsafe(self._deliver, returncode)
            except RuntimeError:
                pass

    # -- common ---------------------------------------------------------------------------
    def _reap(self):
        returncode = reap(self._pid)
        if self._process.returncode is None:
            self._process.returncode = returncode
        return returncode

    def _finish(self):
        self._deliver(self._reap())

    def _deliver(self, returncode):
        if self._done:
            return
        self._done = True
        self._on_exit(returncode)
