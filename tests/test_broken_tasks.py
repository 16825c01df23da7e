"""Each broken loop for 19.5.1.5 is flagged on the intended check."""

import sys

import pytest

from tests.support import run_checks

PY311 = sys.version_info >= (3, 11)

CASES = [
    ("NotATaskLoop", ["tasks.create_task.returns_task"]),
    ("EagerTaskLoop", ["tasks.create_task.scheduled"]),
    ("NamelessTaskLoop", ["tasks.create_task.name"]),
    ("TaskSharedContextLoop", ["tasks.create_task.current_context"]),
    ("FactoryIgnoredLoop", ["tasks.set_task_factory.used"]),
    ("FactoryWrongArgsLoop", ["tasks.set_task_factory.used"]),
    ("FactoryNotResetLoop", ["tasks.set_task_factory.roundtrip"]),
    ("FactoryNotReportedLoop", ["tasks.set_task_factory.roundtrip"]),
    ("DefaultNotNoneLoop", ["tasks.get_task_factory.default_none"]),
    ("FactoryNameDroppedLoop", ["tasks.set_task_factory.name_applied"]),
    ("AcceptsAnyFactoryLoop", ["tasks.set_task_factory.rejects_non_callable"]),
]
if PY311:  # context= exists from Python 3.11 on
    CASES += [
        ("TaskContextIgnoredLoop", ["tasks.create_task.context"]),
        ("FactoryContextDroppedLoop", ["tasks.set_task_factory.context_kwarg"]),
    ]


@pytest.mark.parametrize("loop_class, flagged", CASES, ids=[c[0] for c in CASES])
def test_broken_tasks_loop_is_flagged(loop_class, flagged):
    records = run_checks(f"tests.broken.tasks:{loop_class}", *flagged)
    for check_id in flagged:
        assert check_id in records, f"{check_id} did not run: {sorted(records)}"
        assert records[check_id]["outcome"] == "fail", (check_id, records[check_id]["message"])
