"""CI outputs against golden files: JUnit (agreeing with the exit code), the Markdown step
summary and the shields.io badge. Regenerate with LOOPCONF_REGEN_GOLDEN=1 after a deliberate change."""

import json
import os
import pathlib
import xml.etree.ElementTree as ET

import pytest

from loopconf import badge, report_junit, summary_md
from loopconf.expectations import apply, parse
from loopconf.results import LoopInfo, Result, Results

GOLDEN = pathlib.Path(__file__).parent / "golden"


def _meta(cid, level="MUST", section="19.5.1.3", method="call_later"):
    return {
        "id": cid,
        "section": section,
        "section_title": "",
        "method": method,
        "level": level,
        "requirement": f"requirement of {cid}",
        "anchor": f"asyncio.loop.{method}",
        "docs_url": f"https://docs.python.org/3.7/library/asyncio-eventloop.html#asyncio.loop.{method}",
        "versions": "",
        "docs": "3.7",
        "platforms": [],
        "note": "",
    }


def sample() -> Results:
    checks = {
        cid: _meta(cid, level)
        for cid, level in [
            ("delayed.call_later.returns_timerhandle", "MUST"),
            ("delayed.call_later.when", "MUST"),
            ("delayed.call_later.order", "MUST"),
            ("delayed.call_later.fixed", "MUST"),
            ("delayed.call_later.late", "SHOULD"),
            ("delayed.call_later.info", "INFO"),
            ("delayed.call_later.unix_only", "MUST"),
        ]
    }
    loop = LoopInfo(
        key="myloop:MyLoop",
        spec="myloop:MyLoop",
        factory="myloop:MyLoop",
        cls="myloop.MyLoop",
        version="1.2",
        python="3.11.7",
    )
    bad = LoopInfo(
        key="typo:Loop",
        spec="typo:Loop",
        status="factory-error",
        error="--loop 'typo:Loop': cannot import module 'typo'",
        python="3.11.7",
    )

    def rec(cid, outcome, message=""):
        return Result(
            loop=loop.key,
            check_id=cid,
            nodeid=f"sec_03_delayed.py::test_{cid.split('.')[-1]}",
            outcome=outcome,
            message=message,
            duration=0.25,
            expected="asyncio.TimerHandle" if outcome == "fail" else None,
            observed="Handle" if outcome == "fail" else None,
            reproducer=f"loopconf run --loop myloop:MyLoop --check {cid} -n 0",
        )

    results = Results(
        run={"python": "3.11.7", "sys_platform": "linux", "loopconf_version": "0.1.0", "partial": False},
        loops=[loop, bad],
        checks=checks,
        results=[
            rec(
                "delayed.call_later.returns_timerhandle", "fail", "call_later(0, cb) returned Handle | not TimerHandle"
            ),
            rec(
                "delayed.call_later.when", "fail", "unexpected AttributeError: 'Handle' object has no attribute 'when'"
            ),
            rec("delayed.call_later.order", "pass"),
            rec("delayed.call_later.fixed", "pass"),
            rec("delayed.call_later.late", "fail", "fired 40 ms late"),
            rec("delayed.call_later.info", "fail", "left open by the docs"),
            rec("delayed.call_later.unix_only", "skip", "applies on win32; running on linux"),
        ],
    )
    apply(
        results,
        parse(
            {
                "expected": [
                    {
                        "loop": "myloop:*",
                        "check": "delayed.call_later.when",
                        "outcome": "fail",
                        "reason": "follows from #1",
                    },
                    {
                        "loop": "myloop.MyLoop",
                        "check": "delayed.call_later.fixed",
                        "outcome": "fail",
                        "reason": "was broken",
                    },
                ]
            }
        ),
    )
    results.loop_findings = [
        {
            "loop": loop.key,
            "check_id": "hygiene.close.releases_fds",
            "kind": "fd",
            "resource": "pipe:[1234]",
            "detail": "kept after close()",
            "seen_in": ["delayed.call_later.order", "delayed.call_later.fixed"],
            "count": 2,
        }
    ]
    return results


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("LOOPCONF_REGEN_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"{name} differs from the golden file (LOOPCONF_REGEN_GOLDEN=1 to update)"


def test_verdicts_of_the_sample():
    verdicts = {r.check_id.rsplit(".", 1)[1]: r.verdict for r in sample().results}
    assert verdicts == {
        "returns_timerhandle": "regression",
        "when": "expected",
        "order": "ok",
        "fixed": "unexpected-pass",
        "late": "non-strict",
        "info": "info",
        "unix_only": "ok",
    }


@pytest.mark.parametrize("strict_expectations", [False, True])
def test_junit_golden(tmp_path, strict_expectations):
    path = tmp_path / "junit.xml"
    report_junit.write(sample(), str(path), strict_expectations=strict_expectations)
    text = path.read_text()
    _golden(f"junit{'-strict-expectations' if strict_expectations else ''}.xml", text)
    cases = {c.get("name").rsplit(".", 1)[1]: c for c in ET.fromstring(text.encode()).iter("testcase")}
    # Red exactly where the exit code is: only the regression (and, strict, the unexpected pass).
    red = {name for name, c in cases.items() if c.find("failure") is not None or c.find("error") is not None}
    assert red == ({"returns_timerhandle", "fixed"} if strict_expectations else {"returns_timerhandle"})
    assert cases["returns_timerhandle"].find("failure").get("type") == "regression"
    expected = cases["when"].find("skipped")
    assert expected.get("type") == "expected" and "follows from #1" in expected.get("message")
    if not strict_expectations:
        assert "unexpected pass" in cases["fixed"].find("system-out").text
    props = {p.get("name"): p.get("value") for p in cases["fixed"].iter("property")}
    assert props["verdict"] == "unexpected-pass" and props["expectation"] == "fail"
    suite = ET.fromstring(text.encode()).find("testsuite")
    assert suite.get("failures") == ("2" if strict_expectations else "1") and suite.get("skipped") == "4"


def test_summary_md_golden(tmp_path):
    path = tmp_path / "summary.md"
    path.write_text("earlier step\n")
    summary_md.write(sample(), str(path), report_url="https://ci.example/runs/1", artifact="loopconf-report")
    text = path.read_text()
    assert text.startswith("earlier step\n")  # appended, as $GITHUB_STEP_SUMMARY expects
    _golden("summary.md", text[len("earlier step\n") :])
    assert "call_later(0, cb) returned Handle \\| not TimerHandle" in text  # pipes escaped
    assert "hygiene.close.releases_fds" in text and "2 checks" in text


def test_summary_md_without_findings_field():
    results = sample()
    del results.loop_findings  # results.json schema 1 has no loop_findings
    assert "### Loop-wide findings (0)" in summary_md.render(results)


def test_badge_golden(tmp_path):
    path = tmp_path / "badge.json"
    badge.write(sample(), str(path))
    _golden("badge.json", path.read_text())
    data = json.loads(path.read_text())
    assert data["schemaVersion"] == 1 and data["color"] == "red" and data["message"].startswith("MUST 2/4")


def test_badge_colours():
    results = sample()
    for r in results.results:
        if r.verdict == "regression":
            r.verdict = "expected"
    assert badge.make(results)["color"] == "lightgrey"  # one loop was not built: incomplete
    results.loops = results.loops[:1]
    assert badge.make(results)["color"] == "yellow"  # passes only thanks to expectations
    for r in results.results:
        r.outcome, r.verdict = "pass", "ok"
    assert badge.make(results) == {
        "schemaVersion": 1,
        "label": "asyncio conformance",
        "message": "MUST 5/5",
        "color": "brightgreen",
    }
    results.loops = []
    assert badge.make(results)["isError"] is True
