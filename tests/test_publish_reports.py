"""scripts/publish-reports: trimming, summary table and index building, without the package index.

Only stock asyncio and reference_loop are run (``--no-install``: this interpreter, no venv), on one
check, so the test is fast; the real publishing run (every third-party loop) is never part of CI.
"""

import importlib.machinery
import importlib.util
import json
import pathlib
import sys

import pytest

SCRIPT = pathlib.Path(__file__).resolve().parent.parent / "scripts" / "publish-reports"


@pytest.fixture(scope="module")
def publish():
    loader = importlib.machinery.SourceFileLoader("publish_reports", str(SCRIPT))
    spec = importlib.util.spec_from_loader("publish_reports", loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["publish_reports"] = module  # dataclasses look their module up
    try:
        loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("publish_reports", None)


def _results(loop_key, outcomes):
    """A minimal results.json dict: outcomes is [(check_id, level, outcome)]."""
    return {
        "schema_version": 1, "run": {"started": 0, "finished": 1, "duration": 1},
        "loops": [{"key": loop_key, "spec": loop_key, "python": "3.11.7", "version": "1.0"}],
        "checks": {cid.split("[")[0]: {"level": level} for cid, level, _ in outcomes},
        "results": [{"loop": loop_key, "check_id": cid, "nodeid": cid, "outcome": outcome,
                     "traceback": "x" * 5000 if outcome != "pass" else ""} for cid, level, outcome in outcomes],
        "spec_notes": [],
    }


def test_trim_keeps_short_and_shortens_long_strings_everywhere(publish):
    assert publish.trim("short", 10) == "short"
    long = "a" * 60 + "b" * 60
    out = publish.trim(long, 30)
    assert out.startswith("a" * 20) and out.endswith("b" * 10) and "90 characters trimmed" in out
    nested = publish.trim({"k": ["c" * 100, 3]}, 30)
    assert "trimmed" in nested["k"][0] and nested["k"][1] == 3


def test_trim_results_trims_evidence_fields_only(publish):
    data = _results("x:y", [("a.b.c", "MUST", "fail")])
    data["results"][0]["check_id_extra"] = "z" * 5000
    publish.trim_results(data, 100)
    rec = data["results"][0]
    assert len(rec["traceback"]) < 200 and "trimmed" in rec["traceback"]
    assert rec["check_id_extra"] == "z" * 5000


def test_score_counts_levels_and_outcomes(publish):
    data = _results("x:y", [("a.m.one", "MUST", "pass"), ("a.m.two[1]", "MUST", "fail"),
                            ("a.m.three", "MUST", "skip"), ("a.m.four", "SHOULD", "pass"),
                            ("a.m.five", "MUST", "missing"), ("a.m.six", "INFO", "timeout"),
                            ("a.m.seven", "MUST", "crash")])
    s = publish.score(data)
    assert (s["must_pass"], s["must_applicable"]) == (1, 4)
    assert (s["should_pass"], s["should_applicable"]) == (1, 1)
    assert (s["missing"], s["fail"], s["timeout"], s["crash"], s["skip"]) == (1, 1, 1, 1, 1)


def test_summary_markdown_rows_and_not_run_row(publish, tmp_path):
    ok = tmp_path / "uvloop-0.23.0"
    ok.mkdir()
    (ok / "deviations.md").write_text("# triage\n")
    data = _results("uvloop:new_event_loop", [("a.m.one", "MUST", "pass"), ("a.m.two", "MUST", "fail")])
    bad = tmp_path / "blazio-not-run"
    bad.mkdir()
    (bad / "status.json").write_text(json.dumps({"loop": "blazio", "reason": "install failed (boom)"}))
    table = publish.summary_markdown([(ok, data), (bad, None)])
    lines = table.splitlines()
    assert lines[0].startswith("| loop | version | Python | MUST passed / applicable")
    row = next(line for line in lines if line.startswith("| uvloop |"))
    assert "| 0.23.0 | 3.11.7 | 1 / 2 (50.0%) |" in row
    assert "[deviations](uvloop-0.23.0/deviations.md)" in row and "`uvloop:new_event_loop`" in row
    assert "1 (1 / 0 / 0)" in row
    assert any(line.startswith("| blazio |") and "install failed (boom)" in line for line in lines)


def test_no_install_run_publishes_trimmed_reports_and_index(publish, tmp_path):
    """End to end on stock asyncio and reference_loop, one check, this interpreter: no index needed."""
    code = publish.main(["--loops", "asyncio,reference_loop", "--no-install", "-n", "0",
                         "--reports", str(tmp_path), "--", "--check", "calls.call_soon.fifo"])
    assert code == 0
    folders = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert len(folders) == 2 and folders[0].startswith("asyncio-3.") and folders[1].startswith("reference_loop-")
    for name in folders:
        folder = tmp_path / name
        assert {p.name for p in folder.iterdir()} == {"results.json", "report.html", "junit.xml"}
        data = json.loads((folder / "results.json").read_text())
        assert [(r["check_id"], r["outcome"]) for r in data["results"]] == [("calls.call_soon.fifo", "pass")]
    index = (tmp_path / "index.html").read_text()
    assert "asyncio" in index and "reference" in index
    readme = (tmp_path / "README.md").read_text()
    assert "scripts/publish-reports" in readme
    assert readme.count("| 1 / 1 (100.0%) |") == 2


def test_committed_source_is_head_without_uncommitted_files(publish):
    """Venvs get loopconf from `git archive HEAD`: untracked files of the checkout are not in it."""
    if not publish.head_commit():
        pytest.skip("not a git checkout")
    with publish.committed_source() as src:
        root = pathlib.Path(src)
        assert (root / "pyproject.toml").exists() and (root / "loopconf").is_dir()
        tracked = publish.subprocess.run(["git", "-C", str(publish.REPO), "ls-files", "--", "scripts"],
                                         capture_output=True, text=True, check=True).stdout.split()
        assert sorted(str(p.relative_to(root)) for p in (root / "scripts").rglob("*") if p.is_file()) == sorted(tracked)
    assert not root.exists()


def test_loop_specific_run_options(publish):
    loops = {loop.name: loop for loop in publish.LOOPS}
    assert loops["trio-asyncio"].run_args == ["--allow-thread", "Trio thread *"]
    assert loops["asyncio"].run_args == []


def test_summary_shows_the_recorded_loopconf_commit(publish, tmp_path):
    folder = tmp_path / "uvloop-0.23.0"
    folder.mkdir()
    (folder / publish.COMMIT_FILE).write_text("abc1234\n")
    data = _results("uvloop:new_event_loop", [("a.m.one", "MUST", "pass")])
    row = next(line for line in publish.summary_markdown([(folder, data)]).splitlines() if line.startswith("| uvloop |"))
    assert row.endswith("| `abc1234` |")
