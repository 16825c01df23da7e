"""Evidence a dead worker leaves behind: which check it was running, and how it died.

Each worker process writes ``current-<pid>.txt`` (the node ID of the check it is running) and
keeps ``fault-<pid>.txt`` open for :mod:`faulthandler`, which dumps every thread's stack there on
a fatal signal (segfault, abort) or when the per-check watchdog expires (a hang).
"""

from __future__ import annotations

import os


def classify(state_dir: str | None, nodeid: str | None = None) -> list:
    """[(nodeid, outcome, evidence)] for dead workers' checks (optionally only ``nodeid``).

    outcome is ``timeout`` when the watchdog fired, else ``crash``. The evidence files are
    removed once read, so each death is reported once.
    """
    found = []
    if not state_dir or not os.path.isdir(state_dir):
        return found
    for name in sorted(os.listdir(state_dir)):
        if not name.startswith("current-"):
            continue
        path = os.path.join(state_dir, name)
        try:
            with open(path) as f:
                current = f.read().strip()
        except OSError:
            continue
        if not current or (nodeid is not None and current != nodeid):
            continue
        fault_path = os.path.join(state_dir, name.replace("current-", "fault-", 1))
        try:
            with open(fault_path) as f:
                text = f.read()
        except OSError:
            text = ""
        text = "\n".join(line for line in text.splitlines() if not line.startswith("loopconf: ")).strip()
        outcome = "timeout" if "Timeout (" in text else "crash"
        found.append((current, outcome, text))
        os.unlink(path)
    return found


def mark_finished(state_dir: str | None, pid: int) -> None:
    """Forget the running check of a worker that finished it normally."""
    if state_dir:
        try:
            os.unlink(os.path.join(state_dir, f"current-{pid}.txt"))
        except OSError:
            pass


def death_message(outcome: str, timeout: float | None, evidence: str) -> str:
    """One line saying how the process running a check ended (``timeout`` or ``crash``)."""
    if outcome == "timeout":
        return f"the check did not finish within {timeout or 0:g}s; its process was ended"
    first = next((line for line in evidence.splitlines() if line.strip()), "")
    return "the process running the check died" + (f": {first}" if first else "")
