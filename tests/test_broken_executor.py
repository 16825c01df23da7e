"""Each broken loop for 19.5.1.15 (executor) is flagged on the intended check."""

import sys

import pytest

from tests.support import assert_outcomes

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
    assert_outcomes(B + loop_name, check_ids, "fail")


def test_stock_loop_passes_the_same_checks():
    """Control: the checks above pass on the unbroken SelectorEventLoop."""
    assert_outcomes("asyncio:SelectorEventLoop", [cid for _, ids in CASES for cid in ids], "pass")