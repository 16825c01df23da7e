"""The lifecycle and timers-under-load model checks flag their broken loops (19.5.1.1, 19.5.1.3)."""

import pytest

from tests.support import run_checks

LIFECYCLE = "model.lifecycle.state_machine"
TIMERS = "model.delayed.timers_under_load"

CASES = [
    ("lifecycle:ReversibleCloseLoop", LIFECYCLE),
    ("lifecycle:CloseRunsPendingLoop", LIFECYCLE),
    ("lifecycle:CloseTwiceRaisesLoop", LIFECYCLE),
    ("lifecycle:TimerEarlyUnderLoadLoop", TIMERS),
    ("lifecycle:CancelIgnoredUnderLoadLoop", TIMERS),
]


@pytest.mark.parametrize("loop_spec, check_id", CASES, ids=[c[0] for c in CASES])
def test_model_flags_broken_loop(loop_spec, check_id):
    records = run_checks(f"tests.broken.{loop_spec}", check_id)
    assert records[check_id]["outcome"] == "fail", records[check_id]["message"]


def test_stock_asyncio_passes_both_models():
    records = run_checks("asyncio", LIFECYCLE, TIMERS)
    for check_id in (LIFECYCLE, TIMERS):
        assert records[check_id]["outcome"] == "pass", records[check_id]["message"]
