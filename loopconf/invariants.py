"""Process-level invariants measured after every check: threads, fds and children left behind.

A snapshot is taken before the loop under test is created; after the loop is closed the state
is compared with the snapshot and every difference becomes a *finding*
(``{"kind", "resource", "detail"}``, results.json schema 2). Threads and children get a short
bounded grace period to finish (the default executor is shut down without waiting, by design).
Threads whose names match ``--allow-thread`` globs (a loop's own long-lived pool) are exempt.

``resource`` is a description that is the same for the same kind of leak in every check (an
``anon_inode:[eventfd]``, a ``pipe``, a ``socket AF_INET SOCK_STREAM LISTEN``, a thread name with
its counters replaced by ``N``); ``detail`` holds what differs (fd number, pid, address).
Attribution (``loopconf.attribution``) compares findings by kind and resource.

Measurement is portable: children through psutil (on Linux read from the kernel's per-thread
``children`` lists when it has them, which is the same set and far cheaper), fds by listing ``/proc/self/fd`` (Linux) or
``/dev/fd`` (macOS, BSD) and describing each with psutil's socket table and ``os.fstat``.
A kind the platform cannot measure yields an ``unmeasured`` finding instead of silently passing.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import re
import signal
import socket
import stat
import threading
import time

try:
    import psutil
except ImportError:  # pragma: no cover - a declared dependency; degrade to unmeasured
    psutil = None

GRACE_SECONDS = 2.0
KINDS = ("fd", "thread", "child", "running", "not_closed", "handler_call", "unmeasured")
NOT_MEASURED = "not measured on this platform"


def finding(kind: str, resource: str, detail: str = "") -> dict:
    assert kind in KINDS, kind
    return {"kind": kind, "resource": resource, "detail": detail}


def describe(f: dict) -> str:
    """One human line for a finding."""
    if f["kind"] == "unmeasured":
        return f"{f['resource']}: {NOT_MEASURED}"
    text = {
        "fd": "file descriptor left open",
        "thread": "thread still running after close()",
        "child": "child process left running",
        "running": "loop still running after the check",
        "not_closed": "loop not closed after close()",
        "handler_call": "exception handler called unexpectedly",
    }[f["kind"]]
    return f"{text}: {f['resource']}" + (f" ({f['detail']})" if f.get("detail") else "")


@dataclasses.dataclass
class Snapshot:
    fds: set | None
    threads: set
    children: set | None


# -- fds -------------------------------------------------------------------------------------
def _fd_dir() -> str | None:
    for path in ("/proc/self/fd", "/dev/fd"):
        if os.path.isdir(path):
            return path
    return None


def _open_fds() -> set | None:
    path = _fd_dir()
    if path is None:
        return None
    try:
        names = os.listdir(path)
    except OSError:
        return None
    fds = set()
    for name in names:
        try:
            fd = int(name)
            os.fstat(fd)  # drops the listing's own (now closed) descriptor
        except (ValueError, OSError):
            continue
        fds.add(fd)
    return fds


def _socket_table() -> dict:
    """fd -> 'socket FAMILY TYPE [STATUS]' from psutil, with the local address as detail."""
    if psutil is None:
        return {}
    proc = psutil.Process()
    try:
        conns = (proc.net_connections if hasattr(proc, "net_connections") else proc.connections)(kind="all")
    except (psutil.Error, OSError):
        return {}
    table = {}
    for c in conns:
        family = getattr(c.family, "name", str(c.family))
        kind = getattr(c.type, "name", str(c.type))
        status = c.status if c.status and c.status != "NONE" else ""
        table[c.fd] = (
            " ".join(filter(None, ["socket", family, kind, status])),
            f"laddr={c.laddr!r}" if c.laddr else "",
        )
    return table


_INODE = re.compile(r"^(pipe|socket):\[\d+\]$")


def _describe_fd(fd: int, sockets: dict) -> tuple[str, str]:
    if fd in sockets:
        resource, addr = sockets[fd]
        return resource, f"fd {fd}" + (f", {addr}" if addr else "")
    try:
        target = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        target = ""
    if target:
        m = _INODE.match(target)
        if m and m.group(1) == "socket":
            return _describe_socket(fd), f"fd {fd} -> {target}"
        if m:
            return m.group(1), f"fd {fd} -> {target}"
        return target, f"fd {fd}"
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return "fd", f"fd {fd}"
    if stat.S_ISSOCK(mode):
        return _describe_socket(fd), f"fd {fd}"
    for test, name in (
        (stat.S_ISFIFO, "pipe"),
        (stat.S_ISREG, "file"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISDIR, "directory"),
    ):
        if test(mode):
            return name, f"fd {fd}"
    return "fd", f"fd {fd}"


def _describe_socket(fd: int) -> str:
    """'socket FAMILY TYPE [LISTEN]' for a socket psutil's table did not list (e.g. wildcard-bound)."""
    try:
        dup = socket.socket(fileno=os.dup(fd))
    except OSError:
        return "socket"
    try:
        family = getattr(dup.family, "name", str(dup.family))
        kind = getattr(dup.type, "name", str(dup.type))
        listening = ""
        if hasattr(socket, "SO_ACCEPTCONN"):
            try:
                listening = "LISTEN" if dup.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) else ""
            except OSError:
                pass
        return " ".join(filter(None, ["socket", family, kind, listening]))
    finally:
        dup.close()


# -- children --------------------------------------------------------------------------------
_TASKS = "/proc/self/task"


def _kernel_lists_children() -> bool:
    """Linux with ``/proc/<pid>/task/<tid>/children`` (CONFIG_PROC_CHILDREN, on by default)."""
    return os.path.exists(f"{_TASKS}/{os.getpid()}/children")


_KERNEL_CHILDREN = _kernel_lists_children()


def _kernel_children() -> set | None:
    """This process's direct children as the kernel lists them for each of its threads.

    The same set as psutil's ``children()``, read from a handful of files instead of every
    process's ``/proc/<pid>/stat`` (psutil's way: milliseconds per call on a busy machine, twice
    per check).
    """
    try:
        tids = os.listdir(_TASKS)
    except OSError:
        return None
    pids = set()
    for tid in tids:
        try:
            with open(f"{_TASKS}/{tid}/children") as f:
                pids.update(int(pid) for pid in f.read().split())
        except OSError:
            continue  # the thread ended since the listing; its children moved to another thread
    return pids


def _children() -> set | None:
    if _KERNEL_CHILDREN:
        found = _kernel_children()
        if found is not None:
            return found
    if psutil is not None:
        try:
            return {p.pid for p in psutil.Process().children()}
        except psutil.Error:
            return None
    return None


def _child_name(pid: int) -> str:
    if psutil is not None:
        try:
            return psutil.Process(pid).name() or "process"
        except psutil.Error:
            pass
    return "process"


# -- threads ---------------------------------------------------------------------------------
def _own_threads(threads) -> list:
    """Real threads only: gevent and other foreign 'dummy' threads cannot be joined or judged."""
    return [t for t in threads if not isinstance(t, threading._DummyThread)]


def _thread_resource(name: str) -> str:
    return re.sub(r"\d+", "N", name)


def take() -> Snapshot:
    return Snapshot(fds=_open_fds(), threads=set(threading.enumerate()), children=_children())


def unmeasured(before: Snapshot) -> list:
    """One ``unmeasured`` finding per kind this platform cannot measure."""
    out = []
    if before.fds is None:
        out.append(finding("unmeasured", "fd", NOT_MEASURED))
    if before.children is None:
        out.append(finding("unmeasured", "child", NOT_MEASURED))
    return out


def findings(before: Snapshot, clean_up: bool = True, allowed_threads=()) -> list[dict]:
    """What the process holds now that it did not hold at ``before``, as findings.

    With ``clean_up``, leaked children are killed and reaped afterwards; without it the call only
    looks (and waits the grace period), so it can be repeated after a garbage collection.
    """
    out = []
    deadline = time.monotonic() + GRACE_SECONDS
    new_threads = [
        t
        for t in _own_threads(threading.enumerate())
        if t not in before.threads
        and t.is_alive()
        and not any(fnmatch.fnmatchcase(t.name, glob) for glob in allowed_threads)
    ]
    for thread in new_threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    for t in sorted((t for t in new_threads if t.is_alive()), key=lambda t: t.name):
        out.append(finding("thread", _thread_resource(t.name), t.name))

    if before.children is not None:
        children = (_children() or set()) - before.children
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
            children &= _children() or set()
        for pid in sorted(children):
            out.append(finding("child", _child_name(pid), f"pid {pid}"))
        if children and clean_up:
            for pid in children:
                try:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                except OSError:
                    pass

    if before.fds is not None:
        leaked = sorted((_open_fds() or set()) - before.fds)
        sockets = _socket_table() if leaked else {}
        for fd in leaked:
            resource, detail = _describe_fd(fd, sockets)
            out.append(finding("fd", resource, detail))
    return out


def leaks(before: Snapshot, clean_up: bool = True, allowed_threads=()) -> list[str]:
    """One message per leak (threads, children, fds); [] when the process is back to ``before``."""
    return [describe(f) for f in findings(before, clean_up=clean_up, allowed_threads=allowed_threads)]
