"""The gate: verdicts and exit codes from outcomes, levels and expectations (no subprocesses)."""

import pytest

from loopconf.expectations import ExpectationsError, apply, exit_code, parse
from loopconf.results import LoopInfo, Result, Results


def make(outcomes, levels=None):
    levels = levels or {}
    checks = {cid: {"level": levels.get(cid, "MUST"), "section": "19.5.1.2"} for cid in outcomes}
    return Results(
        run={"python": "3.11.7", "sys_platform": "linux"},
        loops=[LoopInfo(key="myloop", spec="pkg:factory", cls="pkg.MyLoop")],
        checks=checks,
        results=[Result(loop="myloop", check_id=cid, nodeid=cid, outcome=o) for cid, o in outcomes.items()],
    )


def test_must_failure_gates_should_only_when_strict_info_never():
    res = make(
        {"a.b.must": "pass", "a.b.should": "fail", "a.b.info": "fail"}, {"a.b.should": "SHOULD", "a.b.info": "INFO"}
    )
    apply(res, [])
    assert [r.verdict for r in res.results] == ["ok", "non-strict", "info"]
    assert exit_code(res) == 0
    assert exit_code(res, strict=True) == 1


@pytest.mark.parametrize("outcome", ["fail", "missing", "timeout", "crash"])
def test_non_passing_must_is_a_regression(outcome):
    res = make({"a.b.c": outcome})
    apply(res, [])
    assert res.results[0].verdict == "regression" and exit_code(res) == 1


def test_error_outcome_is_an_internal_error():
    res = make({"a.b.c": "error"})
    apply(res, [])
    assert exit_code(res) == 3


def test_factory_error_wins():
    res = make({"a.b.c": "fail"})
    res.loops.append(LoopInfo(key="bad", spec="bad:f", status="factory-error", error="x"))
    apply(res, [])
    assert exit_code(res) == 2


def test_expectations_match_by_glob_loop_class_python_and_platform():
    res = make({"a.b.c[1]": "fail", "a.b.d": "timeout", "a.x.y": "pass", "a.z.z": "fail"})
    exps = parse(
        {
            "expected": [
                {"loop": "pkg.MyLoop", "check": "a.b.c", "outcome": "fail", "reason": "known"},
                {"loop": "pkg:*", "check": "a.b.*", "outcome": ["fail", "timeout"]},
                {"loop": "*", "check": "a.x.y", "outcome": "fail"},
                {"loop": "*", "check": "a.z.z", "outcome": "fail", "python": ">=3.12"},
                {"loop": "*", "check": "a.z.z", "outcome": "fail", "platform": "win"},
                {"loop": "*", "check": "nothing.here.*", "outcome": "fail"},
            ]
        }
    )
    unused = apply(res, exps)
    verdicts = {r.check_id: r.verdict for r in res.results}
    assert verdicts == {"a.b.c[1]": "expected", "a.b.d": "expected", "a.x.y": "unexpected-pass", "a.z.z": "regression"}
    assert res.results[0].reason == "known"
    assert [e.check for e in unused] == ["nothing.here.*"]
    assert exit_code(res) == 1
    res.results[-1].outcome = "pass"
    apply(res, exps)
    assert exit_code(res) == 0 and exit_code(res, strict_expectations=True) == 1


def test_expected_outcome_that_changes_kind_is_a_regression():
    res = make({"a.b.c": "crash"})
    apply(res, parse({"expected": [{"loop": "*", "check": "a.b.c", "outcome": "fail"}]}))
    assert res.results[0].verdict == "regression"


@pytest.mark.parametrize(
    "data",
    [
        {"expected": "nope"},
        {"expected": [{"loop": "*", "check": "x", "outcome": []}]},
        {"expected": [], "extra": 1},
    ],
)
def test_malformed_expectations_are_rejected(data):
    with pytest.raises(ExpectationsError):
        parse(data)


def test_blocked_is_counted_apart_and_never_gates():
    res = make({"a.b.c": "blocked"})
    apply(res, [])
    assert res.results[0].verdict == "blocked" and exit_code(res) == 0
    assert exit_code(res, strict=True) == 0
