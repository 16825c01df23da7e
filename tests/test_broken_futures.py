"""Each broken loop for 19.5.1.4 is flagged on the intended check."""

import pytest

from tests.support import run_checks

CASES = [
    ("ConcurrentFutureLoop", ["futures.create_future.is_future"]),
    ("SharedFutureLoop", ["futures.create_future.is_future"]),
    ("ForeignFutureLoop", ["futures.create_future.attached"]),
    ("EagerCallbacksLoop", ["futures.create_future.callbacks_on_loop"]),
    ("DeafFutureLoop", ["futures.create_future.awaitable"]),
]


@pytest.mark.parametrize("loop_class, flagged", CASES, ids=[c[0] for c in CASES])
def test_broken_futures_loop_is_flagged(loop_class, flagged):
    records = run_checks(f"tests.broken.futures:{loop_class}", *flagged)
    for check_id in flagged:
        assert check_id in records, f"{check_id} did not run: {sorted(records)}"
        assert records[check_id]["outcome"] == "fail", (check_id, records[check_id]["message"])
