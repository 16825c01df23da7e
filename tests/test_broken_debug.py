"""Each broken loop for debug mode is flagged on the intended check."""

import pytest

from tests.support import assert_outcomes

B = "tests.broken.debug:"

CASES = [
    ("IntDebugLoop", ["debug.get_debug.returns_bool"]),
    ("SetDebugIgnoredLoop", ["debug.set_debug.round_trip"]),
    ("DebugAlwaysOnLoop", ["debug.get_debug.default_from_environment"]),
    ("NoSlowCallbackReportLoop", ["debug.slow_callback.logged"]),
    ("NoThreadCheckLoop", ["debug.call_soon.wrong_thread"]),
    ("NoSourceTracebackLoop", ["debug.context.source_traceback"]),
]


@pytest.mark.parametrize("loop_name,check_ids", CASES, ids=[c[0] for c in CASES])
def test_broken_loop_is_flagged(loop_name, check_ids):
    assert_outcomes(B + loop_name, check_ids, "fail")


def test_stock_loop_passes_the_same_checks():
    """Control: the checks above pass on the unbroken SelectorEventLoop."""
    assert_outcomes("asyncio:SelectorEventLoop", [cid for _, ids in CASES for cid in ids], "pass")