"""Never overwrite or mislead: partial runs go beside fuller reports, a run with no loop writes
nothing, baseline refuses partial results, reproducers keep the verdict-changing options and are
printed unwrapped with a pytest --pdb route, Ctrl-C writes a report marked incomplete."""

import json
import os
import shlex
import signal
import subprocess
import sys
import time

import pytest

from tests.support import REPO, loopconf, read_results

LIFO = "tests.broken.calls:LifoCallSoonLoop"
LONG_GLOB = "a-very-long-thread-name-glob-that-pushes-the-reproducer-past-any-terminal-width-*"
FIFO = "calls.call_soon.fifo"
OTHER = "errors.set_exception_handler.rejects_non_callable"


def _env():
    return dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""), NO_COLOR="1")


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """A 'fuller' report: two checks, run with options that change verdicts, --json output."""
    work = tmp_path_factory.mktemp("work")
    expect = work / "expect.toml"
    expect.write_text('[[expected]]\nloop = "asyncio"\ncheck = "no.such.check"\noutcome = "fail"\n')
    out = work / "loopconf-report"
    proc = loopconf(
        "run",
        "--loop",
        LIFO,
        "--check",
        FIFO,
        "--check",
        OTHER,
        "-n",
        "0",
        "--out",
        str(out),
        "--timeout",
        "7",
        "--thorough",
        "--allow-thread",
        LONG_GLOB,
        "--expect",
        str(expect),
        "--json",
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return work, out, json.loads(proc.stdout)


def test_json_lists_failing_ids_with_verdicts(full):
    _, _, summary = full
    assert summary["exit_code"] == 1 and summary["partial"] is True
    assert summary["loops"][LIFO]["failing"] == [
        {"check": FIFO, "outcome": "fail", "verdict": "regression", "level": "MUST"}
    ]


def test_reproducer_keeps_options_and_never_replaces_the_fuller_report(full):
    work, out, _ = full
    rec = next(r for r in read_results(out)["results"] if r["check_id"] == FIFO)
    argv = shlex.split(rec["reproducer"])
    assert argv[:2] == ["loopconf", "run"] and "--out" not in argv
    for opt in (["--allow-thread", LONG_GLOB], ["--timeout", "7"], ["--thorough"], ["--check", FIFO], ["-n", "0"]):
        assert any(argv[i : i + len(opt)] == opt for i in range(len(argv))), (opt, argv)
    assert "--expect" in argv
    # Run the reproducer verbatim, from the folder whose ./loopconf-report is the fuller report.
    proc = subprocess.run(
        [sys.executable, "-m", "loopconf", *argv[1:]],
        cwd=work,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert len(read_results(out)["results"]) == 2, "the fuller report was replaced"
    beside = out / "partial" / FIFO
    assert [r["check_id"] for r in read_results(beside)["results"]] == [FIFO]
    assert f"{out}/ holds a fuller report" in proc.stdout
    # Printed on one line (no hard wrap), with the pytest node ID and --pdb for a debugger.
    lines = proc.stdout.splitlines()
    assert any(line.strip() == f"reproduce: {rec['reproducer']}" for line in lines), proc.stdout
    debug = next(line for line in lines if line.strip().startswith("debug:"))
    assert "sec_02_calls.py::test_call_soon_fifo" in debug and "--pdb" in debug and LIFO in debug
    # An entry naming no check at all is still reported (selection-aware warnings: test_cli_commands).
    assert "no.such.check" in proc.stderr


def test_baseline_from_partial_results_needs_partial(full, tmp_path):
    _, out, _ = full
    proc = loopconf("baseline", "--from", str(out / "results.json"), "-o", str(tmp_path / "b.toml"))
    assert proc.returncode == 2 and "covered only a selection" in proc.stderr and "--partial" in proc.stderr
    assert not (tmp_path / "b.toml").exists()
    proc = loopconf("baseline", "--from", str(out / "results.json"), "-o", str(tmp_path / "b.toml"), "--partial")
    assert proc.returncode == 0 and "partial run" in proc.stdout
    assert (tmp_path / "b.toml").read_text().count("[[expected]]") == 1


def test_no_loop_built_writes_nothing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_text("{}")  # whatever was there stays
    proc = loopconf("run", "--loop", "no_such_module_xyz:f", "--check", FIFO, "-n", "0", "--out", str(out))
    assert proc.returncode == 2
    assert proc.stderr.count("cannot import module 'no_such_module_xyz'") == 1
    assert "outcomes by spec section" not in proc.stdout and "not run" not in proc.stdout
    assert (out / "results.json").read_text() == "{}"
    assert not (out / "report.html").exists()


def test_ctrl_c_writes_a_partial_report_marked_incomplete(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "loopconf", "run", "--loop", "asyncio", "-n", "0", "--out", str(out)],
        cwd=REPO,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
        # a run started in the background of a non-interactive shell inherits SIGINT ignored, and
        # Python then installs no KeyboardInterrupt handler; Ctrl-C at a terminal is what is tested
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    # Interrupt once the checks run (the 'running N checks' line is printed as they start).
    deadline = time.monotonic() + 120
    line = ""
    while time.monotonic() < deadline and "running" not in line:
        line = proc.stderr.readline()
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stdout + stderr
    assert "Traceback" not in stderr
    results = read_results(out)
    assert results["run"]["incomplete"] is True and results["run"]["partial"] is True
    assert results["loops"][0]["status"] == "aborted" and "interrupted after" in results["loops"][0]["error"]
    assert len(results["results"]) < len(results["checks"])
    assert (out / "report.html").exists()
