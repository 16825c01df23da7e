"""Judge invariant findings: which check does a leak, a running loop or a handler call fail?

Every record carries the findings the invariants saw after its check (``loopconf.invariants``).
How they affect outcomes depends on the run's ``--invariants`` mode:

``strict``      any finding (other than ``unmeasured``) turns a passing check into ``fail``
                (loopconf 0.1 behaviour; judged per record by the plugin, :func:`judge`).
``off``         findings are recorded and never change an outcome.
``attributed``  (default) a *loop-wide* finding fails its hygiene check once per loop and leaves the
                other checks' outcomes alone; every other finding fails the check it was seen in
                (:func:`attribute`, run by the runner once a loop's checks are all recorded).

Recurrence rule. A finding is loop-wide for a loop when the dedicated hygiene probes
(``suites/sec_01_hygiene.py``: create a loop, run one trivial coroutine, close it) show the same kind
and the same resource description for that loop. The probes are the minimal lifecycle every
check goes through, so what they leave behind is, by construction, not caused by what any other
check exercised. A leak that needs a feature to appear (a server's listening socket, a
transport's socket, an executor thread) is not in the probes and stays on the checks that show
it, however many there are. Counting recurrences instead would blame the loop for a leak shared
by all server checks, and would depend on which checks were selected.

Unexpected exception-handler calls are always the check's own: the handler is called with a
context describing what went wrong while the check's own code ran, which is evidence about the
behaviour the check exercised (``handler_call`` findings are never attributed).

An outcome the check decided itself (``missing``, ``skip``, ``blocked``) or a failure of its own is
never replaced: only a ``pass`` becomes ``fail``.
"""

from __future__ import annotations

from loopconf.invariants import describe
from loopconf.outcomes import DECIDED_BY_CHECK

#: Finding kind -> the hygiene check that owns it when it is loop-wide.
HYGIENE_CHECKS = {
    "fd": "hygiene.close.releases_fds",
    "thread": "hygiene.close.stops_threads",
    "child": "hygiene.close.reaps_children",
    "running": "hygiene.lifecycle.not_running_after_run",
    "not_closed": "hygiene.close.marks_closed",
}
HYGIENE_PREFIX = "hygiene."
INVARIANT_PREFIX = "invariant broken after the check: "


def is_hygiene(check_id: str | None) -> bool:
    return bool(check_id) and check_id.startswith(HYGIENE_PREFIX)


def failing(findings) -> list:
    """The findings that can fail a check (``unmeasured`` only informs)."""
    return [f for f in findings or () if f["kind"] != "unmeasured"]


def judge(outcome: str, message: str, findings, own) -> tuple[str, str]:
    """Outcome and message of a record once its ``own`` findings are charged to it."""
    if outcome != "pass" or not own or outcome in DECIDED_BY_CHECK:
        return outcome, message
    return "fail", INVARIANT_PREFIX + "; ".join(describe(f) for f in own)


def judge_strict(outcome: str, message: str, findings) -> tuple[str, str]:
    return judge(outcome, message, findings, failing(findings))


def _key(f: dict) -> tuple:
    return f["kind"], f["resource"]


def loop_wide(records) -> dict:
    """{(kind, resource): finding} seen by the hygiene probes of one loop."""
    found = {}
    for r in records:
        if is_hygiene(r.check_id):
            for f in failing(r.findings):
                if f["kind"] in HYGIENE_CHECKS:
                    found.setdefault(_key(f), f)
    return found


def attribute(records, loop_key: str) -> list:
    """Apply attributed mode to one loop's records (in place); return its loop-wide findings."""
    wide = loop_wide(records)
    seen: dict = {key: [] for key in wide}
    for r in records:
        own, moved = [], []
        for f in failing(r.findings):
            (moved if f["kind"] in HYGIENE_CHECKS and _key(f) in wide else own).append(f)
        if moved:
            r.attributed_to = HYGIENE_CHECKS[moved[0]["kind"]]
            if not is_hygiene(r.check_id):
                for key in dict.fromkeys(_key(f) for f in moved):
                    seen[key].append(r.check_id)
        r.outcome, r.message = judge(r.outcome, r.message, r.findings, own)
    return [
        {
            "loop": loop_key,
            "check_id": HYGIENE_CHECKS[kind],
            "kind": kind,
            "resource": resource,
            "detail": wide[(kind, resource)].get("detail", ""),
            "seen_in": seen[(kind, resource)],
            "count": len(seen[(kind, resource)]),
        }
        for (kind, resource) in wide
    ]


def apply_mode(records, loop_key: str, mode: str) -> list:
    """Judge one loop's records under ``mode``; return its loop-wide findings."""
    if mode == "attributed":
        return attribute(records, loop_key)
    if mode == "strict":
        for r in records:
            r.outcome, r.message = judge_strict(r.outcome, r.message, r.findings)
    return []
