"""The child-process invariant: the Linux fast path (the kernel's per-thread ``children`` lists)
finds exactly what psutil finds, and the portable psutil path still finds a leaked child."""

import subprocess
import sys
import threading

import psutil
import pytest

from loopconf import invariants


def _sleeper():
    return subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)


def _end(procs):
    for p in procs:
        p.stdin.close()
        p.wait()


@pytest.mark.skipif(not invariants._KERNEL_CHILDREN, reason="the kernel lists no children here")
def test_kernel_listing_matches_psutil_for_children_of_any_thread():
    procs = [_sleeper()]
    worker = threading.Thread(target=lambda: procs.append(_sleeper()))
    worker.start()
    worker.join()
    try:
        expected = {p.pid for p in psutil.Process().children()}
        assert {p.pid for p in procs} <= expected
        assert invariants._kernel_children() == expected
    finally:
        _end(procs)
    assert invariants._kernel_children() == {p.pid for p in psutil.Process().children()}


@pytest.mark.parametrize("kernel", [True, False], ids=["kernel", "psutil"])
def test_a_leaked_child_is_a_finding(monkeypatch, kernel):
    if kernel and not invariants._KERNEL_CHILDREN:
        pytest.skip("the kernel lists no children here")
    monkeypatch.setattr(invariants, "_KERNEL_CHILDREN", kernel)
    monkeypatch.setattr(invariants, "GRACE_SECONDS", 0.0)
    before = invariants.take()
    proc = _sleeper()
    try:
        found = invariants.findings(before, clean_up=False)
    finally:
        _end([proc])
    # (the child's stdin pipe is an fd finding beside it)
    assert [f["detail"] for f in found if f["kind"] == "child"] == [f"pid {proc.pid}"]
