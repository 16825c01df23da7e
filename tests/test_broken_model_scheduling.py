"""The model-based scheduling checks flag the broken loops of 19.5.1.1-19.5.1.3."""

import pytest

from tests.support import run_checks

# One broken loop per rule of the model: fifo, exactly-once (twice / never), cancel,
# after-return, timer-early, timer-order, stop-batch (after stop / first batch).
CASES = [
    ("calls:LifoCallSoonLoop", "model.calls.trace"),
    ("calls:TwiceLoop", "model.calls.trace"),
    ("calls:DetachedHandleLoop", "model.calls.trace"),
    ("calls:LifoThreadsafeLoop", "model.calls.trace"),
    ("calls:SynchronousLoop", "model.calls.trace"),
    ("delayed:EarlyTimerLoop", "model.delayed.trace"),
    ("delayed:RegistrationOrderTimersLoop", "model.delayed.trace"),
    ("running:RunsScheduledOnStopLoop", "model.running.trace"),
    ("running:DropsBatchOnStopLoop", "model.running.trace"),
    ("running:LostDeferredLoop", "model.running.trace"),
]


@pytest.mark.parametrize("loop_spec, check_id", CASES, ids=[c[0] for c in CASES])
def test_model_flags_broken_loop(loop_spec, check_id):
    records = run_checks(f"tests.broken.{loop_spec}", check_id)
    assert records[check_id]["outcome"] == "fail", records[check_id]["message"]
