"""Each broken loop for debug mode is flagged on the intended check."""

import pytest

from tests.support import run_checks

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
    records = run_checks(B + loop_name, *check_ids)
    for cid in check_ids:
        assert cid in records, f"{cid} did not run against {loop_name}"
        assert records[cid]["outcome"] == "fail", (cid, records[cid]["outcome"], records[cid].get("message"))


def test_stock_loop_passes_the_same_checks():
    """Control: the checks above pass on the unbroken SelectorEventLoop."""
    ids = sorted({cid for _, ids in CASES for cid in ids})
    records = run_checks("asyncio:SelectorEventLoop", *ids)
    assert {cid: records[cid]["outcome"] for cid in ids} == {cid: "pass" for cid in ids}
