"""Issue #14: findings are data, loop-wide findings are reported once, preconditions block.

Each broken loop (tests/broken/hygiene.py) is run through ``loopconf run`` (the runner judges
findings after the whole run) and its results.json is read back and validated against schema 2.
"""

from __future__ import annotations

import json
import pathlib

import jsonschema
import pytest

from loopconf import attribution
from loopconf.results import Result
from tests.support import loopconf

SCHEMA = json.loads((pathlib.Path(__file__).parent.parent / "loopconf" / "schema" / "results.schema.json").read_text())
BROKEN = "tests.broken.hygiene:"
EXTRA_INFO = "connections.create_connection.extra_info_socket"


def run(tmp_path, loop: str, *selection: str, mode: str = "attributed", workers: str = "2") -> dict:
    out = tmp_path / f"out-{mode}"
    proc = loopconf(
        "run", "--loop", loop, *selection, "-n", workers, "--invariants", mode, "--out", str(out), "--quiet"
    )
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads((out / "results.json").read_text())
    jsonschema.validate(data, SCHEMA)
    assert data["run"]["invariants"] == mode
    return data


def by_id(data) -> dict:
    return {r["check_id"]: r for r in data["results"]}


def failing(data) -> set:
    return {r["check_id"] for r in data["results"] if r["outcome"] == "fail"}


# -- unit: the judgement itself -----------------------------------------------------------------
def _rec(cid, outcome="pass", findings=()):
    return Result(loop="l", check_id=cid, nodeid=cid, outcome=outcome, findings=list(findings))


FD = {"kind": "fd", "resource": "anon_inode:[eventfd]", "detail": "fd 9"}
LISTEN = {"kind": "fd", "resource": "socket AF_INET SOCK_STREAM LISTEN", "detail": "fd 10"}
HANDLER = {"kind": "handler_call", "resource": "boom", "detail": "1 call(s)"}


def test_attribute_moves_probe_findings_and_keeps_the_rest():
    recs = [
        _rec("hygiene.close.releases_fds", "fail", [FD]),
        _rec("a", findings=[FD]),
        _rec("b", findings=[FD, LISTEN]),
        _rec("c", "missing", [LISTEN]),
        _rec("d", findings=[HANDLER]),
        _rec("e"),
    ]
    wide = attribution.attribute(recs, "l")
    got = {r.check_id: (r.outcome, r.attributed_to) for r in recs}
    assert got == {
        "hygiene.close.releases_fds": ("fail", "hygiene.close.releases_fds"),
        "a": ("pass", "hygiene.close.releases_fds"),
        "b": ("fail", "hygiene.close.releases_fds"),
        "c": ("missing", ""),
        "d": ("fail", ""),
        "e": ("pass", ""),
    }
    assert wide == [
        {
            "loop": "l",
            "check_id": "hygiene.close.releases_fds",
            "kind": "fd",
            "resource": "anon_inode:[eventfd]",
            "detail": "fd 9",
            "seen_in": ["a", "b"],
            "count": 2,
        }
    ]
    assert "socket AF_INET SOCK_STREAM LISTEN" in recs[2].message


@pytest.mark.parametrize(
    "mode, expected",
    [("strict", {"a": "fail", "c": "missing", "u": "pass"}), ("off", {"a": "pass", "c": "missing", "u": "pass"})],
)
def test_strict_and_off(mode, expected):
    unmeasured = {"kind": "unmeasured", "resource": "fd", "detail": "not measured on this platform"}
    recs = [_rec("a", findings=[FD]), _rec("c", "missing", [FD]), _rec("u", findings=[unmeasured])]
    assert attribution.apply_mode(recs, "l", mode) == []
    assert {r.check_id: r.outcome for r in recs} == expected


# -- done-when (a): an eventfd kept after every close() ------------------------------------------
def test_loop_wide_fd_fails_only_the_hygiene_check(tmp_path):
    data = run(tmp_path, BROKEN + "EventfdAfterCloseLoop", "--section", "19.5.1.1", "--section", "19.5.1.2")
    # running.close.releases_resources judges exactly this clause itself (its own verdict).
    assert failing(data) == {"hygiene.close.releases_fds", "running.close.releases_resources"}
    wide = [f for f in data["loop_findings"] if f["check_id"] == "hygiene.close.releases_fds"]
    assert len(wide) == 1 and wide[0]["kind"] == "fd" and len(wide[0]["seen_in"]) > 20
    for cid in wide[0]["seen_in"]:
        rec = by_id(data)[cid]
        assert rec["attributed_to"] == "hygiene.close.releases_fds"
        assert rec["outcome"] != "fail" or cid == "running.close.releases_resources"


def test_strict_mode_fails_every_check_that_saw_it(tmp_path):
    data = run(tmp_path, BROKEN + "EventfdAfterCloseLoop", "--section", "19.5.1.2", mode="strict")
    recs = [r for r in data["results"] if r["outcome"] != "skip"]
    assert recs and all(r["outcome"] == "fail" and r["message"].startswith("invariant broken") for r in recs)
    assert data["loop_findings"] == []


# -- FP-1b: process-wide resources opened on a loop's first run / first signal handler -------------
@pytest.mark.parametrize("mode", ["attributed", "strict"])
def test_first_use_resources_are_not_charged_to_the_first_check(tmp_path, mode):
    data = run(tmp_path, BROKEN + "FirstUseResourcesLoop", "--section", "19.5.1.2", "--section", "19.5.1.14", mode=mode)
    assert failing(data) == set()
    assert not [r["check_id"] for r in data["results"] if r["findings"] and r["findings"][0]["kind"] == "fd"]
    assert data["loop_findings"] == []


# -- (b): Server.close() leaks the listening socket ----------------------------------------------
def test_server_leak_stays_on_server_checks(tmp_path):
    data = run(tmp_path, BROKEN + "LeakyServerLoop", "--section", "19.5.1.7", "--section", "19.5.1.2")
    failed = failing(data)
    section = {r["check_id"]: data["checks"][r["check_id"]]["section"] for r in data["results"]}
    assert failed and all(section[cid] == "19.5.1.7" for cid in failed), failed
    for cid in failed:
        assert any(f["resource"].startswith("socket") for f in by_id(data)[cid]["findings"]), cid
    assert data["loop_findings"] == []
    assert all(r["outcome"] == "pass" for r in data["results"] if r["check_id"].startswith("hygiene."))


# -- (c): is_running() forever ---------------------------------------------------------------------
def test_running_forever_does_not_cascade(tmp_path):
    data = run(tmp_path, BROKEN + "RunningForeverLoop", "--section", "19.5.1.2")
    assert "hygiene.lifecycle.not_running_after_run" in failing(data)
    calls = [r for r in data["results"] if r["check_id"].startswith("calls.")]
    assert calls and all(r["outcome"] in ("pass", "skip") for r in calls), [
        (r["check_id"], r["message"]) for r in calls if r["outcome"] not in ("pass", "skip")
    ]
    touched = [r for r in calls if attribution.failing(r["findings"])]
    assert touched and all(r["attributed_to"] == "hygiene.lifecycle.not_running_after_run" for r in touched)
    kinds = {f["kind"] for f in data["loop_findings"]}
    assert kinds == {"running"}, data["loop_findings"]  # close() was still tried: no fd cascade


# -- (d): get_extra_info('socket') is not a socket -------------------------------------------------
def test_extra_info_socket_blocks_the_checks_using_it(tmp_path):
    users = [
        "connections.create_connection.tcp_nodelay",
        "servers.create_server.tcp_nodelay",
        "connections.create_datagram_endpoint.allow_broadcast",
        "connections.create_connection.host_port*",
    ]
    sel = [arg for cid in [EXTRA_INFO, *users] for arg in ("--check", cid)]
    data = run(tmp_path, BROKEN + "NotASocketExtraInfoLoop", *sel)
    recs = by_id(data)
    assert recs[EXTRA_INFO]["outcome"] == "fail"
    blocked = [r for r in data["results"] if r["outcome"] == "blocked"]
    assert len(blocked) >= 4
    assert all(r["blocked_by"] == EXTRA_INFO for r in blocked)
    assert {
        r["outcome"]
        for r in data["results"]
        if not r["check_id"].startswith("hygiene.") and r["check_id"] != EXTRA_INFO
    } <= {"blocked", "skip"}


# -- (e): sock_sendfile missing, fds freed only when collected ------------------------------------
@pytest.mark.parametrize("mode", ["attributed", "strict"])
def test_missing_is_not_turned_into_fail(tmp_path, mode):
    data = run(tmp_path, BROKEN + "NoSockSendfileCollectedLoop", "--check", "sockets.sock_sendfile.*", mode=mode)
    # is_coroutine only looks at what the call returns (a coroutine, even if awaiting it would raise)
    recs = [
        r
        for r in data["results"]
        if r["check_id"].startswith("sockets.sock_sendfile.") and r["check_id"] != "sockets.sock_sendfile.is_coroutine"
    ]
    assert recs and {r["outcome"] for r in recs} <= {"missing", "skip"}
    assert "missing" in {r["outcome"] for r in recs}
    # the stored traceback does not keep the loop (and its pipe) alive
    assert all(not attribution.failing(r["findings"]) for r in recs), [r["findings"] for r in recs]


# -- FP-7/FP-7b: a logged exception must not keep a collectable loop (and its fds) alive -------------
def test_logged_exceptions_do_not_keep_a_collectable_loop_alive(tmp_path):
    checks = (
        "errors.set_exception_handler.none_restores_default",
        "errors.default_exception_handler.logs_traceback",
        "calls.call_soon.error_keeps_others",
    )
    args = [a for c in checks for a in ("--check", c)]
    data = run(tmp_path, BROKEN + "CollectedFdsLoop", *args, mode="strict", workers="0")
    assert {r["check_id"]: r["outcome"] for r in data["results"] if r["check_id"] in checks} == dict.fromkeys(
        checks, "pass"
    )


# -- reports and the wire --------------------------------------------------------------------------
def _results(mode="attributed"):
    from loopconf.results import LoopInfo, Results

    recs = [
        _rec("hygiene.close.releases_fds", "fail", [FD]),
        _rec("a", findings=[FD]),
        _rec("b", "blocked"),
        _rec("c", findings=[{"kind": "unmeasured", "resource": "child", "detail": ""}]),
    ]
    recs[2].blocked_by = "x.owner"
    wide = attribution.apply_mode(recs, "l", mode)
    checks = {r.check_id: {"level": "MUST", "section": "19.5.1.1"} for r in recs}
    return Results(
        run={"invariants": mode}, loops=[LoopInfo(key="l", spec="l")], checks=checks, results=recs, loop_findings=wide
    )


def test_terminal_report_shows_mode_and_loop_wide_findings_first():
    import io

    from rich.console import Console

    from loopconf.report_terminal import print_report, score

    res = _results()
    buf = io.StringIO()
    print_report(Console(file=buf, width=200, no_color=True), res)
    text = buf.getvalue()
    assert text.index("invariants: attributed") < text.index("LOOP-WIDE") < text.index("outcomes by spec section")
    assert text.count("LOOP-WIDE") == 1 and "hygiene.close.releases_fds" in text and ": a" in text
    assert "child leaks not measured on this platform" in text
    s = score(res, "l")
    assert (s["blocked"], s["must_applicable"], s["must_pass"], s["hygiene_fail"]) == (1, 3, 2, 1)


def test_one_reproducer_for_runner_and_plugin():
    from loopconf import plugin, runner, wire

    assert not hasattr(plugin, "reproducer") or plugin.reproducer is wire.reproducer
    assert not hasattr(runner, "reproduce_prefix") or runner.reproduce_prefix is wire.reproduce_prefix
    assert (
        wire.reproducer(wire.reproduce_prefix("my loop:f", "strict"), "a.b[x]")
        == "loopconf run --loop 'my loop:f' --invariants strict --check 'a.b[x]' -n 0"
    )
    assert wire.reproducer(wire.reproduce_prefix("asyncio"), "a.b") == "loopconf run --loop asyncio --check a.b -n 0"
    assert set(wire.OUTCOMES) == {"pass", "fail", "missing", "skip", "blocked", "timeout", "crash", "error"}
