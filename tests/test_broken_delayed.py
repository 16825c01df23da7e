"""Each broken loop for 19.5.1.3 is flagged on the intended check."""

import pytest

from tests.support import run_checks

BOTH = ("call_later", "call_at")
CASES = [
    ("EarlyTimerLoop", [f"delayed.{m}.not_early" for m in BOTH]),
    ("FastClockLoop", [f"delayed.{m}.real_time_not_early" for m in BOTH]),
    ("TwiceTimerLoop", [f"delayed.{m}.exactly_once" for m in BOTH]),
    ("NoTimerHandleLoop", [f"delayed.{m}.returns_timerhandle" for m in BOTH]),
    ("RegistrationOrderTimersLoop", [f"delayed.{m}.deadline_order" for m in BOTH]),
    ("DetachedTimerHandleLoop", [f"delayed.{m}.cancel" for m in BOTH]),
    ("TimerDropsArgsLoop", [f"delayed.{m}.args" for m in BOTH]),
    ("TimerContextIgnoredLoop", [f"delayed.{m}.context" for m in BOTH]),
    ("TimerSharedContextLoop", [f"delayed.{m}.current_context" for m in BOTH]),
    ("IntRejectedLoop", [f"delayed.{m}.int_and_float" for m in BOTH]),
    ("DueTimersDroppedLoop", [f"delayed.{m}.{g}" for m in BOTH for g in ("zero_delay", "past_deadline")]),
    ("DueTimerFirstLoop", [f"delayed.{m}.due_after_ready" for m in BOTH]),
    ("LateWhenLoop", ["delayed.call_later.when"]),
    ("RoundedWhenLoop", ["delayed.call_at.when"]),
    ("IntClockLoop", ["delayed.time.float"]),
    ("BackwardsClockLoop", ["delayed.time.monotonic"]),
    ("SlowClockLoop", ["delayed.time.advances"]),
    ("WallClockLoop", ["delayed.time.not_wall_clock"]),
]


@pytest.mark.parametrize("loop_class, flagged", CASES, ids=[c[0] for c in CASES])
def test_broken_delayed_loop_is_flagged(loop_class, flagged):
    records = run_checks(f"tests.broken.delayed:{loop_class}", *flagged)
    for check_id in flagged:
        assert check_id in records, f"{check_id} did not run: {sorted(records)}"
        assert records[check_id]["outcome"] == "fail", (check_id, records[check_id]["message"])
