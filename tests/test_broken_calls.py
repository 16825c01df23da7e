"""Each broken loop for 19.5.1.2 is flagged on the intended check."""

from tests.support import run_checks


def test_lifo_call_soon_is_flagged():
    rec = run_checks("tests.broken.calls:LifoCallSoonLoop", "calls.call_soon.fifo")
    assert rec["calls.call_soon.fifo"]["outcome"] == "fail"
