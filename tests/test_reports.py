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
    proc = loopconf(
        "run", "--loop", "asyncio", "--loop", HOSTILE, "--loop", LIFO, "-n", "0", "--out", str(out), *CHECKS
    )
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
    assert "\\u003cscript\\u003edocument.title=" in html  # evidence JSON: no raw "<" inside <script>
    assert html.count("<script") == 2  # the evidence JSON and the page's own script, nothing else
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
    assert changes["regressions"] == [
        {"loop": "asyncio", "check": "calls.call_soon.fifo", "old": "pass", "new": "fail"}
    ]
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
    proc = loopconf(
        "run", "--loop", LIFO, "--loop", "asyncio", "-n", "0", "--expect", str(expect), "--out", str(out), *CHECKS
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    verdicts = {(r["loop"], r["check_id"]): r["verdict"] for r in read_results(out)["results"]}
    assert verdicts[(LIFO, "calls.call_soon.fifo")] == "expected"
    # ...and a listed failure that now passes is an unexpected pass, fatal under --strict-expectations.
    expect.write_text(
        '[[expected]]\nloop = "asyncio"\ncheck = "calls.call_soon.*"\noutcome = "fail"\n'
        'reason = "pretend"\n\n[[expected]]\nloop = "*"\ncheck = "no.such.check"\noutcome = "fail"\n'
    )
    out = tmp_path / "gated2"  # a fresh folder: a smaller run would be written beside the fuller one
    gate = ("run", "--loop", "asyncio", "-n", "0", "--expect", str(expect), "--out", str(out))
    proc = loopconf(*gate, "--check", "calls.call_soon.fifo")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "matches no check" in proc.stderr
    proc = loopconf(*gate, "--check", "calls.call_soon.fifo", "--strict-expectations")
    assert proc.returncode == 1
    assert read_results(out)["results"][0]["verdict"] == "unexpected-pass"


def test_list_json_catalogue():
    proc = loopconf("list", "--json", "--section", "19.5.1.2")
    assert proc.returncode == 0, proc.stderr
    entries = json.loads(proc.stdout)
    assert entries and all(e["section"] == "19.5.1.2" for e in entries)
    assert {"id", "level", "method", "anchor", "requirement", "versions", "docs"} <= set(entries[0])


# -- HTML report model (loopconf.report_model / report_html) ---------------------------------------
def test_first_run_says_fail_and_expectations_say_regression():
    from loopconf import report_model
    from tests.report_samples import synthetic_v2

    data = synthetic_v2()
    gated = report_model.build(report_model.load(data))
    assert gated["gated"] and gated["attention"][0][0] == "Regressions"
    data["run"]["argv"] = ["loopconf", "run"]
    for r in data["results"]:
        r["expectation"] = ""
        if r["verdict"] in ("expected", "unexpected-pass"):
            r["verdict"] = "regression" if r["outcome"] != "pass" else "ok"
    first = report_model.build(report_model.load(data))
    assert not first["gated"] and first["counts"]["regression"] == 0 and first["counts"]["fail"] >= 4
    assert [title for title, _, _ in first["attention"]] == ["Flaky", "Failures"]


def test_attention_groups_by_message_blocker_and_loop_wide_card():
    from loopconf import report_model
    from tests.report_samples import SAME, synthetic_v2

    model = report_model.build(report_model.load(synthetic_v2()))
    groups = {g.title: g for _, _, gs in model["attention"] for g in gs}
    assert groups[SAME].kind == "message" and len(groups[SAME].members) == 3
    assert groups["blocked: sockets.sock_connect.basic is broken"].size == 2
    cards = model["findings_cards"]
    assert len(cards) == 1 and cards[0]["items"][0]["check"] == "hygiene.close.releases_fds"
    # schema 1: one loop-wide card from the published rloop run's invariant failures
    rloop = report_model.build(
        # rloop 0.5.0's invariant failures as published by loopconf 0.1 (schema 1), trimmed to them
        report_model.load(str(pathlib.Path(__file__).parent / "golden" / "rloop-0.5.0-schema1.json"))
    )
    (card,) = rloop["findings_cards"]
    assert card["items"][0]["count"] > 300 and "file descriptors" in card["items"][0]["resource"]


def test_traceback_hides_loopconf_helper_frames():
    from loopconf.report_model import split_traceback

    tb = (
        "loop = <L>\n\n    def test_x(loop):\n>       expect_equal(got, [1], 'order')\n\n"
        "suites/sec_02_calls.py:40: \n_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ \n\n"  # noqa: E501
        "    def expect_equal(observed, expected, what):\n>       raise Violation(what)\n"
        "E       loopconf.evidence.Violation: order\n\n"
        "/venv/lib/python3.11/site-packages/loopconf/evidence.py:35: Violation"
    )
    shown, hidden = split_traceback(tb)
    assert hidden == ["loopconf/evidence.py:35"]
    assert "def test_x" in shown and "E       loopconf.evidence.Violation: order" in shown
    assert "def expect_equal" not in shown
    only_ours = "    def check():\n>       raise X\nE   X\n\nloopconf/fixtures.py:133: X"
    assert split_traceback(only_ours) == (only_ours, [])


def test_render_index_rows_links_and_two_pythons(tmp_path):
    from loopconf import report_html
    from tests.report_samples import published

    rows, runs = [], []
    for name, python in (("asyncio-3.11.7", "3.11.7"), ("asyncio-3.12.1", "3.12.1")):
        folder = tmp_path / name
        folder.mkdir()
        data = published("asyncio-3.11.7")
        data["loops"][0]["python"] = python
        (folder / "report.html").write_text("x")
        (folder / "deviations.md").write_text("x")
        (folder / "loopconf-commit.txt").write_text("abc1234\n")
        rows.append((folder, data))
        runs.append(data)
    (tmp_path / "gone-not-run").mkdir()
    (tmp_path / "gone-not-run" / "status.json").write_text(json.dumps({"loop": "gone", "reason": "install failed"}))
    rows.append((tmp_path / "gone-not-run", None))
    html = report_html.render_index(rows, runs, tmp_path / "index.html")
    assert (tmp_path / "index.html").read_text() == html
    assert html.count('href="asyncio-3.12.1/deviations.md"') == 1 and html.count("abc1234") == 2
    assert "asyncio 3.11.7" in html and "asyncio 3.12.1" in html  # two columns, not merged into one
    assert "not run: install failed" in html
    assert 'src="http' not in html and "<link" not in html


def _header_coverage(html: str) -> str:
    import re

    found = re.search(r'<div class="meta" id="spec-coverage">(.*?)</div>', html, re.S)
    assert found, "the report header has no spec-coverage line"
    return found.group(1)


def test_html_header_shows_statement_coverage_of_a_full_run(tmp_path):
    """A run of the whole suite carries the whole catalogue: its report header shows the same
    per-bucket figures as `loopconf coverage --json`."""
    import re

    from loopconf import coverage, report_html
    from loopconf.results import Results

    proc = loopconf("coverage", "--json")
    assert proc.returncode == 0, proc.stderr
    totals = json.loads(proc.stdout)["figures"]["totals"]
    full = Results(
        run={"selection": {"checks": [], "sections": [], "keyword": ""}},
        loops=[],
        checks=coverage.collect_checks(),
        results=[],
    )
    line = _header_coverage(report_html.render(full))
    for bucket in ("3.7 page", "later docs"):
        shown = re.search(
            re.escape(bucket) + r": (\d+)/(\d+) promises covered .*?, (\d+) partial, (\d+) uncovered", line
        )
        assert shown, f"{bucket!r} missing from {line!r}"
        t = totals[bucket]
        assert tuple(map(int, shown.groups())) == (t["covered"], t["promises"], t["partial"], t["uncovered"])


def test_html_header_gives_no_coverage_figure_for_a_selection(run_dir):
    line = _header_coverage((run_dir / "report.html").read_text())
    assert "promises covered" not in line and "loopconf coverage" in line
