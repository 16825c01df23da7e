"""CLI polish: --version, explain, -k over check IDs, selection-aware expectation warnings,
help text on every option, documented exit codes, BrokenPipe-safe output, report exits 0."""

import argparse
import json
import pathlib
import subprocess

import pytest

from loopconf.cli import EXIT_EPILOG, build_parser
from loopconf.expectations import apply, parse
from loopconf.results import LoopInfo, Result, Results
from tests.support import REPO, loopconf


def test_version():
    proc = loopconf("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("loopconf ")


def _subparsers(parser):
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


def test_every_help_entry_has_text_and_every_command_documents_exit_codes():
    parser = build_parser()
    subs = _subparsers(parser)
    assert set(subs) == set(EXIT_EPILOG)
    for name, sub in [("loopconf", parser), *subs.items()]:
        for action in sub._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            assert action.help and action.help.strip(), f"{name} {action.option_strings or action.dest} has no help"
        if name != "loopconf":
            assert "exit codes: 0" in (sub.epilog or ""), name
    readme = (REPO / "README.md").read_text()
    exits = readme.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    for name in subs:
        assert f"`{name}`" in exits, f"README exit codes do not mention {name}"


def test_explain_text_json_and_recorded_outcome(tmp_path):
    proc = loopconf("explain", "calls.call_soon.fifo")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    for needle in (
        "requirement",
        "MUST",
        "19.5.1.2",
        "call_soon",
        "https://docs.python.org/",
        "sec_02_calls.py:",
        "covers",
    ):
        assert needle in text, needle
    results = Results(
        run={"python": "3.11.7", "sys_platform": "linux"},
        loops=[LoopInfo(key="x", spec="x")],
        checks={},
        results=[
            Result(
                loop="x",
                check_id="calls.call_soon.fifo",
                nodeid="n",
                outcome="fail",
                message="ran out of order",
                verdict="regression",
            )
        ],
    )
    path = tmp_path / "results.json"
    results.write(str(path))
    proc = loopconf("explain", "calls.call_soon.fifo", "--results", str(path), "--json")
    info = json.loads(proc.stdout)
    assert info["level"] == "MUST" and info["section"] == "19.5.1.2" and info["docs_url"].startswith("https://")
    assert info["code"].split(":")[0].endswith("sec_02_calls.py") and isinstance(info["covers"], list)
    assert info["recorded"] == [
        {
            "loop": "x",
            "check_id": "calls.call_soon.fifo",
            "outcome": "fail",
            "verdict": "regression",
            "message": "ran out of order",
            "reproducer": "",
        }
    ]


def test_explain_shows_the_spec_note():
    entries = json.loads(loopconf("list", "--json").stdout)
    noted = next(e for e in entries if e.get("note"))
    proc = loopconf("explain", noted["id_base"])
    assert proc.returncode == 0 and f"spec note    {noted['note']}" in proc.stdout


def test_explain_unknown_id_suggests():
    proc = loopconf("explain", "calls.call_son.fifo")
    assert proc.returncode == 2 and "did you mean calls.call_soon.fifo" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_k_matches_check_ids():
    proc = loopconf("list", "--json", "-k", "delayed.call_later.returns_timerhandle")
    assert proc.returncode == 0, proc.stderr
    assert [e["id"] for e in json.loads(proc.stdout)] == ["delayed.call_later.returns_timerhandle"]
    broad = json.loads(loopconf("list", "--json", "-k", "delayed.call_later").stdout)
    assert broad and all("delayed.call_later" in e["id"] for e in broad)


def test_selection_matching_nothing_names_its_inputs(tmp_path):
    proc = loopconf("run", "--loop", "asyncio", "--section", "99", "--out", str(tmp_path))
    assert proc.returncode == 2 and "--section '99'" in proc.stderr and "19.5.1.16" in proc.stderr


def test_expectations_outside_the_selection_are_not_warned_about():
    expectations = parse(
        {
            "expected": [
                {"loop": "*", "check": "delayed.call_later.when", "outcome": "fail"},
                {"loop": "*", "check": "no.such.check", "outcome": "fail"},
            ]
        }
    )
    results = Results(
        run={"python": "3.11.7", "sys_platform": "linux"},
        loops=[LoopInfo(key="x", spec="x")],
        checks={"calls.call_soon.fifo": {"level": "MUST"}},
        results=[Result(loop="x", check_id="calls.call_soon.fifo", nodeid="n", outcome="pass")],
    )
    full_catalogue = ["calls.call_soon.fifo", "delayed.call_later.when"]
    assert [e.check for e in apply(results, expectations, known=full_catalogue)] == ["no.such.check"]
    # Without the full catalogue (the old behaviour) the unselected entry looked unknown.
    assert [e.check for e in apply(results, expectations)] == ["delayed.call_later.when", "no.such.check"]


def _many_results(path: pathlib.Path, outcome: str) -> None:
    results = Results(
        run={"python": "3.11.7", "sys_platform": "linux", "started": 0, "finished": 1, "duration": 1},
        loops=[LoopInfo(key="x", spec="x")],
        checks={},
        results=[Result(loop="x", check_id=f"c{i}", nodeid="n", outcome=outcome) for i in range(3000)],
    )
    results.write(str(path))


def test_broken_pipe_is_quiet_and_keeps_the_exit_code(tmp_path):
    _many_results(tmp_path / "old.json", "pass")
    _many_results(tmp_path / "new.json", "fail")
    env_cmd = f"cd {REPO} && PYTHONPATH={REPO} python3 -m loopconf diff {tmp_path}/old.json {tmp_path}/new.json"
    import sys

    env_cmd = env_cmd.replace("python3", sys.executable)
    proc = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {env_cmd} | head -2"], capture_output=True, text=True, timeout=120
    )
    assert proc.stdout.splitlines()[0] == "Regressions: 3000"
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr
    assert proc.returncode == 1  # the diff's own verdict survives the closed pipe


def test_report_exits_zero_and_writes_ci_outputs(tmp_path):
    _many_results(tmp_path / "a.json", "fail")
    out = tmp_path / "merged"
    proc = loopconf(
        "report",
        str(tmp_path / "a.json"),
        "--out",
        str(out),
        "--summary-md",
        str(tmp_path / "s.md"),
        "--badge",
        str(tmp_path / "b.json"),
    )
    assert proc.returncode == 0, proc.stderr
    assert "## loopconf conformance" in (tmp_path / "s.md").read_text()
    assert json.loads((tmp_path / "b.json").read_text())["schemaVersion"] == 1
    assert (out / "junit.xml").exists()


@pytest.mark.parametrize("command", sorted(EXIT_EPILOG))
def test_help_lists_exit_codes(command):
    proc = loopconf(command, "--help")
    assert proc.returncode == 0 and "exit codes: 0" in proc.stdout.replace("\n", " ")
