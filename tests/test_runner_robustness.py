"""The runner survives the loop under test: hangs are timeouts, segfaults are crashes, the run ends."""

import pytest

from loopconf import runner
from tests.support import loopconf, outcome_map, read_results

CHECKS = (
    "--check",
    "running.run_forever.until_stop",
    "--check",
    "calls.call_soon.fifo",
    "--check",
    "errors.set_exception_handler.rejects_non_callable",
)


@pytest.mark.parametrize("workers", ["0", "2"])
def test_hang_and_segfault_are_recorded(tmp_path, workers):
    proc = loopconf(
        "run",
        "--loop",
        "tests.broken.hostile:HangingLoop",
        "--loop",
        "tests.broken.hostile:SegfaultLoop",
        "--loop",
        "asyncio",
        "--timeout",
        "2",
        "-n",
        workers,
        "--out",
        str(tmp_path),
        *CHECKS,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    results = read_results(tmp_path)
    got = outcome_map(results)
    hang, segv = "tests.broken.hostile:HangingLoop", "tests.broken.hostile:SegfaultLoop"
    # Every check is accounted for, for every loop.
    assert len(got) == 9
    assert got[(hang, "running.run_forever.until_stop")] == "timeout"
    assert got[(hang, "calls.call_soon.fifo")] == "timeout"
    assert got[(hang, "errors.set_exception_handler.rejects_non_callable")] == "pass"
    assert got[(segv, "running.run_forever.until_stop")] == "crash"
    assert got[(segv, "calls.call_soon.fifo")] == "crash"
    assert got[(segv, "errors.set_exception_handler.rejects_non_callable")] == "pass"
    assert all(got[("asyncio", c)] == "pass" for c in CHECKS[1::2])
    by_key = {(r["loop"], r["check_id"]): r for r in results["results"]}
    timeout = by_key[(hang, "calls.call_soon.fifo")]
    assert "did not finish within 2s" in timeout["message"]
    assert "run_forever" in timeout["traceback"]  # the stack of the hung thread is the evidence
    crash = by_key[(segv, "calls.call_soon.fifo")]
    assert "Segmentation fault" in crash["message"] + crash["traceback"]
    assert crash["reproducer"].startswith(
        "loopconf run --loop tests.broken.hostile:SegfaultLoop --check calls.call_soon.fifo"
    )
    assert (tmp_path / "report.html").exists() and (tmp_path / "junit.xml").exists()


def test_a_suite_module_that_fails_to_import_stops_the_run(tmp_path, monkeypatch):
    """Collection errors never shrink the catalogue silently (e.g. a duplicate check ID)."""
    from loopconf import runner

    (tmp_path / "pytest.ini").write_text("[pytest]\npython_files = sec_*.py\n")
    (tmp_path / "sec_01_ok.py").write_text("def test_ok():\n    pass\n")
    (tmp_path / "sec_02_broken.py").write_text("raise ValueError('duplicate check ID x.y.z')\n")
    monkeypatch.setattr(runner, "suites_dir", lambda: tmp_path)
    with pytest.raises(runner.CatalogueError, match="duplicate check ID"):
        runner.collect(runner.Selection())


def test_probe_allows_the_warm_up_run_only_when_it_came_through():
    """A loop that crashes when first run is a working factory, but its workers must not warm up by
    running it (the crash would be charged to whichever check came first); stock asyncio may."""
    crashing = runner.probe("tests.broken.hostile:SegfaultLoop")
    assert crashing.status == "ok", crashing.error
    assert runner._WARM_RUN["tests.broken.hostile:SegfaultLoop"] is False
    assert runner.probe("asyncio").status == "ok"
    assert runner._WARM_RUN["asyncio"] is True
