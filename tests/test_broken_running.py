"""Each broken loop for 19.5.1.1 is flagged on the intended check (and only loops, not stock
asyncio, fail those checks: see the suite runs in the final report)."""

import pytest

from tests.support import run_checks

CASES = [
    ("EarlyExitLoop", ["running.run_forever.until_stop"]),
    ("IgnoresEarlyStopLoop", ["running.stop.before_run_forever_runs_ready",
                              "running.stop.before_run_forever_exits_promptly"]),
    ("NoIoPollOnEarlyStopLoop", ["running.stop.before_run_forever_polls_io"]),
    ("DropsBatchOnStopLoop", ["running.stop.current_batch_completes"]),
    ("RunsScheduledOnStopLoop", ["running.stop.scheduled_by_batch_deferred"]),
    ("LostDeferredLoop", ["running.stop.scheduled_by_batch_deferred"]),
    ("StickyStopLoop", ["running.stop.resets_after_exit"]),
    ("NestedRunLoop", ["running.run_forever.reentrant_raises[run_forever]",
                       "running.run_forever.reentrant_raises[run_until_complete]"]),
    ("TasklessCoroutineLoop", ["running.run_until_complete.coroutine_as_task"]),
    ("SwallowsExceptionLoop", ["running.run_until_complete.raises[coroutine]",
                               "running.run_until_complete.raises[future]"]),
    ("WrongResultLoop", ["running.run_until_complete.coroutine",
                         "running.run_until_complete.future",
                         "running.run_until_complete.task"]),
    ("BareCoroutineLoop", ["running.run_until_complete.coroutine_uses_task_factory"]),
    ("LingeringLoop", ["running.run_until_complete.returns_when_done"]),
    ("StickyRunningLoop", ["running.is_running.status"]),
    ("ClosedTooEarlyLoop", ["running.is_closed.status"]),
    ("ClosesWhileRunningLoop", ["running.close.while_running_raises"]),
    ("FlushOnCloseLoop", ["running.close.drops_pending"]),
    ("FdsUntilCollectedLoop", ["running.close.releases_resources"]),
    ("KeepsQueuesLoop", ["running.close.clears_queues"]),
    ("CloseTwiceFailsLoop", ["running.close.idempotent"]),
    ("ReopensLoop", ["running.close.irreversible"]),
    ("LenientClosedLoop", ["running.close.methods_after_close_raise[call_soon]"]),
    ("WaitsForExecutorLoop", ["running.close.executor_not_waited"]),
    ("NoAsyncgenShutdownLoop", ["running.shutdown_asyncgens.acloses_open"]),
    ("NoAsyncgenWarningLoop", ["running.shutdown_asyncgens.warns_after"]),
]


@pytest.mark.parametrize("loop_class, flagged", CASES, ids=[c[0] for c in CASES])
def test_broken_running_loop_is_flagged(loop_class, flagged):
    # Parametrized checks are selected by base ID (a "[" would be a glob character class).
    records = run_checks(f"tests.broken.running:{loop_class}",
                         *sorted({cid.split("[")[0] for cid in flagged}))
    for check_id in flagged:
        assert check_id in records, f"{check_id} did not run: {sorted(records)}"
        assert records[check_id]["outcome"] == "fail", (check_id, records[check_id]["message"])


def test_fds_until_collected_flagged_only_by_its_own_check():
    """FP-3: a loop that frees an fd only when collected fails running.close.releases_resources
    on its requirement, and the fd invariant does not blame other checks for it."""
    spec = "tests.broken.running:FdsUntilCollectedLoop"
    records = run_checks(spec, "running.close.releases_resources", "running.close.idempotent",
                         "running.is_closed.status")
    own = records["running.close.releases_resources"]
    assert own["outcome"] == "fail" and not own["message"].startswith("invariant broken"), own["message"]
    for other in ("running.close.idempotent", "running.is_closed.status"):
        assert records[other]["outcome"] == "pass", (other, records[other]["message"])
