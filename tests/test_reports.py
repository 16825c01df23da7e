"""Reports: schema-valid results.json, parseable JUnit, escaped HTML, diff, report merge, baseline."""

import json
import pathlib
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from tests.support import loopconf, outcome_map, read_results

SCHEMA = json.loads((pathlib.Path(__file__).parent.parent / "loopconf" / "schema" / "results.schema.json").read_text())
CHECKS = ("--check", "calls.call_soon.fifo", "--check", "errors.set_exception_handler.rejects_non_callable")
HOSTILE = "tests.broken.hostile:HostileMessageLoop"
LIFO = "tests.broken.calls:LifoCallSoonLoop"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    proc = loopconf("run", "--loop", "asyncio", "--loop", HOSTILE, "--loop", LIFO, "-n", "0",
                    "--out", str(out), *CHECKS)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return out


def test_results_json_matches_schema(run_dir):
    results = read_results(run_dir)
    jsonschema.validate(results, SCHEMA)
    assert outcome_map(results) == {
        ("asyncio", "calls.call_soon.fifo"): "pass",
        ("asyncio", "errors.set_exception_handler.rejects_non_callable"): "pass",
        (HOSTILE, "calls.call_soon.fifo"): "fail",
        (HOSTILE, "errors.set_exception_handler.rejects_non_callable"): "pass",
        (LIFO, "calls.call_soon.fifo"): "fail",
        (LIFO, "errors.set_exception_handler.rejects_non_callable"): "pass",
    }
    lifo = next(r for r in results["results"] if r["loop"] == LIFO and r["outcome"] == "fail")
    assert lifo["expected"] == list(range(10)) and lifo["observed"] != lifo["expected"]
    assert lifo["verdict"] == "regression"
    assert results["checks"]["calls.call_soon.fifo"]["anchor"] == "asyncio.AbstractEventLoop.call_soon"


def test_junit_is_parseable(run_dir):
    root = ET.parse(run_dir / "junit.xml").getroot()
    cases = root.findall(".//testcase")
    assert len(cases) == 6
    failures = [c for c in cases if c.find("failure") is not None]
    assert {c.get("classname").split(" ")[0] for c in failures} <= {f"{HOSTILE}.19.5.1.2", f"{LIFO}.19.5.1.2"}
    assert len(failures) == 2


def test_html_escapes_loop_output(run_dir):
    html = (run_dir / "report.html").read_text()
    assert '<script>document.title="pwned"' not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;document.title=" in html
    assert "http://" not in html.replace("http://www.w3.org", "") or "cdn" not in html.lower()
    assert 'src="http' not in html and "<link" not in html  # self-contained


def test_report_rerenders_and_merges(run_dir, tmp_path):
    other = tmp_path / "other"
    proc = loopconf("run", "--loop", "reference", "-n", "0", "--out", str(other), "--check", "calls.call_soon.fifo")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    merged = tmp_path / "merged"
    proc = loopconf("report", str(run_dir / "results.json"), str(other / "results.json"), "--out", str(merged))
    assert proc.returncode == 0, proc.stdout + proc.stderr  # re-rendering succeeded (verdicts don't matter)
    results = read_results(merged)
    jsonschema.validate(results, SCHEMA)
    assert {loop["key"] for loop in results["loops"]} == {"asyncio", HOSTILE, LIFO, "reference"}
    assert (merged / "report.html").exists() and (merged / "junit.xml").exists()


def test_diff_reports_regressions(run_dir, tmp_path):
    old = read_results(run_dir)
    new = json.loads(json.dumps(old))
    for r in new["results"]:
        if r["loop"] == "asyncio" and r["check_id"] == "calls.call_soon.fifo":
            r["outcome"] = "fail"
        if r["loop"] == LIFO and r["check_id"] == "calls.call_soon.fifo":
            r["outcome"] = "pass"
    (tmp_path / "new.json").write_text(json.dumps(new))
    proc = loopconf("diff", str(run_dir / "results.json"), str(tmp_path / "new.json"), "--json")
    assert proc.returncode == 1
    changes = json.loads(proc.stdout)
    assert changes["regressions"] == [{"loop": "asyncio", "check": "calls.call_soon.fifo", "old": "pass", "new": "fail"}]
    assert changes["fixes"] == [{"loop": LIFO, "check": "calls.call_soon.fifo", "old": "fail", "new": "pass"}]
    same = loopconf("diff", str(run_dir / "results.json"), str(run_dir / "results.json"))
    assert same.returncode == 0 and "Regressions: 0" in same.stdout


def test_baseline_then_gate(run_dir, tmp_path):
    expect = tmp_path / "expect.toml"
    # run_dir ran a selection: a baseline from it needs --partial (see tests/test_cli_safety.py).
    proc = loopconf("baseline", "--from", str(run_dir / "results.json"), "-o", str(expect), "--partial")
    assert proc.returncode == 0, proc.stderr
    text = expect.read_text()
    assert text.count("[[expected]]") == 2 and LIFO in text and HOSTILE in text
    # With the baseline, the same loops pass the gate...
    out = tmp_path / "gated"
    proc = loopconf("run", "--loop", LIFO, "--loop", "asyncio", "-n", "0", "--expect", str(expect),
                    "--out", str(out), *CHECKS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    verdicts = {(r["loop"], r["check_id"]): r["verdict"] for r in read_results(out)["results"]}
    assert verdicts[(LIFO, "calls.call_soon.fifo")] == "expected"
    # ...and a listed failure that now passes is an unexpected pass, fatal under --strict-expectations.
    expect.write_text('[[expected]]\nloop = "asyncio"\ncheck = "calls.call_soon.*"\noutcome = "fail"\n'
                      'reason = "pretend"\n\n[[expected]]\nloop = "*"\ncheck = "no.such.check"\noutcome = "fail"\n')
    out = tmp_path / "gated2"  # a fresh folder: a smaller run would be written beside the fuller one
    proc = loopconf("run", "--loop", "asyncio", "-n", "0", "--expect", str(expect), "--out", str(out),
                    "--check", "calls.call_soon.fifo")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "matches no check" in proc.stderr
    proc = loopconf("run", "--loop", "asyncio", "-n", "0", "--expect", str(expect), "--out", str(out),
                    "--check", "calls.call_soon.fifo", "--strict-expectations")
    assert proc.returncode == 1
    assert read_results(out)["results"][0]["verdict"] == "unexpected-pass"


def test_list_json_catalogue():
    proc = loopconf("list", "--json", "--section", "19.5.1.2")
    assert proc.returncode == 0, proc.stderr
    entries = json.loads(proc.stdout)
    assert entries and all(e["section"] == "19.5.1.2" for e in entries)
    assert {"id", "level", "method", "anchor", "requirement", "versions", "docs"} <= set(entries[0])
