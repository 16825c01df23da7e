"""Each broken loop for 19.5.1.2 (and the Handle it returns) is flagged on the intended check."""

import pytest

from tests.support import run_checks

CASES = [
    ("LifoCallSoonLoop", ["calls.call_soon.fifo"]),
    ("FifoOnlyAtStartLoop", ["calls.call_soon.fifo_while_running"]),
    ("TwiceLoop", ["calls.call_soon.exactly_once"]),
    ("SynchronousLoop", ["calls.call_soon.after_return"]),
    ("DropsArgsLoop", ["calls.call_soon.args"]),
    ("KeywordsLoop", ["calls.call_soon.no_callback_keywords"]),
    ("NoHandleLoop", ["calls.call_soon.returns_handle"]),
    ("DetachedHandleLoop", ["calls.call_soon.cancel"]),
    ("CancelWhileRunningIgnoredLoop", ["calls.call_soon.cancel_same_batch"]),
    ("ContextIgnoredLoop", ["calls.call_soon.context"]),
    ("SharedContextLoop", ["calls.call_soon.current_context"]),
    ("NoWakeupLoop", ["calls.call_soon_threadsafe.wakes_loop"]),
    ("LifoThreadsafeLoop", ["calls.call_soon_threadsafe.fifo_per_thread"]),
    ("ThreadsafeNoHandleLoop", ["calls.call_soon_threadsafe.returns_handle"]),
    ("ThreadsafeContextIgnoredLoop", ["calls.call_soon_threadsafe.args_and_context"]),
    ("RerunAfterCancelLoop", ["handle.cancel.no_effect_after_run"]),
    ("CancelledNotReportedLoop", ["handle.cancelled.reports"]),
]


@pytest.mark.parametrize("loop_class, flagged", CASES, ids=[c[0] for c in CASES])
def test_broken_calls_loop_is_flagged(loop_class, flagged):
    records = run_checks(f"tests.broken.calls:{loop_class}", *flagged)
    for check_id in flagged:
        assert check_id in records, f"{check_id} did not run: {sorted(records)}"
        assert records[check_id]["outcome"] == "fail", (check_id, records[check_id]["message"])
