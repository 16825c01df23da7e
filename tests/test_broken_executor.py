"""Each broken loop for 19.5.1.15 (executor) is flagged on the intended check."""

import sys

import pytest

from tests.support import run_checks

B = "tests.broken.executor:"

CASES = [
    ("ConcurrentFutureLoop", ["executor.run_in_executor.returns_asyncio_future"]),
    ("SameThreadLoop", ["executor.run_in_executor.other_thread_with_args"]),
    ("IgnoresExecutorLoop", ["executor.run_in_executor.uses_given_executor"]),
    ("IgnoresSetDefaultLoop", ["executor.set_default_executor.used_for_none"]),
    ("SwallowsExceptionLoop", ["executor.run_in_executor.exception_propagates"]),
    ("WaitingCloseLoop", ["executor.close.default_executor_not_awaited"]),
    ("NoWaitShutdownLoop", ["executor.shutdown_default_executor.waits"]),
    ("AcceptsWorkAfterShutdownLoop", ["executor.shutdown_default_executor.refuses_new_work"]),
]
if sys.version_info >= (3, 11):
    CASES.append(("AcceptsAnyExecutorLoop", ["executor.set_default_executor.rejects_non_thread_pool"]))
if sys.version_info >= (3, 12, 2):
    CASES.append(("IgnoresTimeoutLoop", ["executor.shutdown_default_executor.timeout"]))


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
