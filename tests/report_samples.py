"""Report inputs for the HTML tests: published schema-1 results and a synthetic schema-2 run."""

from __future__ import annotations

import json
import pathlib

REPO = pathlib.Path(__file__).resolve().parent.parent
PUBLISHED = REPO / "reports"
THREE = ("asyncio-3.11.7", "uvloop-0.23.0", "rloop-0.5.0")  # 3 loops x the full suite


def published(name: str) -> dict:
    return json.loads((PUBLISHED / name / "results.json").read_text())


def _check(cid, section, method, level="MUST"):
    return {
        "id": cid,
        "section": section,
        "method": method,
        "level": level,
        "anchor": f"asyncio.loop.{method}",
        "docs_url": f"https://docs.python.org/3.7/library/asyncio-eventloop.html#{method}",
        "requirement": f"requirement of {cid} in our own words",
        "versions": "",
        "docs": "3.7",
        "note": "",
    }


SAME = "callback ran on the wrong thread: MainThread"
SYNTH_CHECKS = {
    "calls.call_soon.one": ("19.5.1.2", "call_soon"),
    "calls.call_soon.two": ("19.5.1.2", "call_soon"),
    "calls.call_soon.three": ("19.5.1.2", "call_soon"),
    "delayed.call_later.when": ("19.5.1.3", "call_later"),
    "delayed.call_at.order": ("19.5.1.3", "call_at"),
    "futures.create_future.type": ("19.5.1.4", "create_future"),
    "sockets.sock_recv.data": ("19.5.1.11", "sock_recv"),
    "sockets.sock_recv.eof": ("19.5.1.11", "sock_recv"),
    "errors.handler.context": ("19.5.1.16", "call_exception_handler"),
    "hygiene.close.releases_fds": ("19.5.1.1", "close"),
}


def synthetic_v2() -> dict:
    """Two loops: "good" passes everything but one flaky check; "odd" shows every status once or more."""
    odd = {
        "calls.call_soon.one": ("fail", "regression", SAME),
        "calls.call_soon.two": ("fail", "regression", SAME),
        "calls.call_soon.three": ("fail", "regression", SAME),
        "delayed.call_later.when": ("fail", "expected", "call_later(0) returned Handle"),
        "delayed.call_at.order": ("pass", "unexpected-pass", ""),
        "futures.create_future.type": ("missing", "regression", "NotImplementedError"),
        "sockets.sock_recv.data": ("blocked", "ok", "sock_connect failed first"),
        "sockets.sock_recv.eof": ("blocked", "ok", "sock_connect failed first"),
        "errors.handler.context": ("pass", "ok", ""),
        "hygiene.close.releases_fds": ("fail", "regression", "1 file descriptor left open after close()"),
    }
    results = []
    for loop in ("good", "odd"):
        for cid in SYNTH_CHECKS:
            outcome, verdict, message = ("pass", "ok", "") if loop == "good" else odd[cid]
            rec = {
                "loop": loop,
                "check_id": cid,
                "nodeid": f"x.py::{cid}",
                "outcome": outcome,
                "message": message,
                "expected": None,
                "observed": None,
                "traceback": "",
                "duration": 0.01,
                "reproducer": f"loopconf run --loop {loop} --check {cid} -n 0",
                "expectation": "",
                "verdict": verdict,
                "reason": "",
                "findings": [],
                "attributed_to": "",
                "reruns": 0,
                "outcomes_seen": [],
                "blocked_by": "",
            }
            if verdict in ("expected", "unexpected-pass"):
                rec["expectation"], rec["reason"] = "fail", "known: issue 7"
            if outcome == "blocked":
                rec["blocked_by"] = "sockets.sock_connect.basic"
            if cid == "calls.call_soon.one" and loop == "odd":
                rec["expected"], rec["observed"] = "the loop's thread", "MainThread"
            if loop == "good" and cid == "errors.handler.context":
                rec.update(
                    outcome="fail",
                    verdict="flaky",
                    outcomes_seen=["pass", "fail", "pass"],
                    message="handler called twice",
                )
            if loop == "odd" and cid == "errors.handler.context":
                rec["attributed_to"] = "hygiene.close.releases_fds"
                rec["findings"] = [{"kind": "fd", "resource": "pipe:[77]", "detail": "left open"}]
            results.append(rec)
    return {
        "schema_version": 2,
        "run": {
            "python": "3.11.7",
            "spec": "asyncio-eventloop-3.7",
            "loopconf_version": "0.1.0",
            "started": 0,
            "finished": 1,
            "duration": 1,
            "argv": ["loopconf", "run", "--expect", "x.toml"],
            "invariants": "attributed",
            "repeat": 3,
        },
        "loops": [
            {"key": k, "spec": k, "cls": f"{k}.Loop", "version": "1.0", "python": "3.11.7"} for k in ("good", "odd")
        ],
        "checks": {cid: _check(cid, s, m) for cid, (s, m) in SYNTH_CHECKS.items()},
        "results": results,
        "spec_notes": [],
        "loop_findings": [
            {
                "loop": "odd",
                "check_id": "hygiene.close.releases_fds",
                "kind": "fd",
                "resource": "pipe:[77]",
                "detail": "one pipe stays open after close()",
                "seen_in": ["errors.handler.context"],
                "count": 1,
            }
        ],
    }
