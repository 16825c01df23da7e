"""loopconf.publish (scripts/publish-reports): the loop table, commands, trimming, summary and index,
without the package index.

Only stock asyncio and reference_loop are run (``--no-install``: this interpreter, no venv), on one
check, so the test is fast; the real publishing run (every third-party loop) is never part of CI.
"""

import json
import os
import pathlib
import subprocess
import sys

import pytest

from loopconf import publish
from loopconf.results import SCHEMA_VERSION, LoopInfo, Result, Results

REPO = pathlib.Path(__file__).resolve().parent.parent
TABLE = REPO / "reports" / "loops.toml"


def _results(loop_key, outcomes):
    """A minimal results.json dict: outcomes is [(check_id, level, outcome)]."""
    checks = {cid.split("[")[0]: {"level": level} for cid, level, _ in outcomes}
    records = [
        Result(
            loop=loop_key, check_id=cid, nodeid=cid, outcome=outcome, traceback="x" * 5000 if outcome != "pass" else ""
        )
        for cid, _, outcome in outcomes
    ]
    loop = LoopInfo(key=loop_key, spec=loop_key, python="3.11.7", version="1.0")
    return Results(
        run={"started": 0, "finished": 1, "duration": 1}, loops=[loop], checks=checks, results=records
    ).to_dict()


def _table(tmp_path, text):
    path = tmp_path / "loops.toml"
    path.write_text(text)
    return path


# -- the loop table --------------------------------------------------------------------------------
def test_the_repository_table_parses_and_keeps_the_published_rows():
    rows = {row.key: row for row in publish.load_rows(TABLE)}
    assert list(rows)[:2] == ["asyncio", "reference_loop"]
    assert rows["uvloop"].requirements == ["uvloop==0.23.0"]
    assert rows["qasync"].requirements == ["qasync==0.28.0", "PySide6-Essentials==6.12.0"]
    assert rows["qasync"].env == {"QT_QPA_PLATFORM": "offscreen"}
    assert rows["gbulb"].pre_install == ("PyGObject<3.51",)
    assert rows["trio-asyncio"].options == ("--allow-thread", "Trio thread *")
    assert rows["asyncio"].options == () and rows["asyncio"].requirements == []
    assert rows["reference_loop"].package == "loopconf" and rows["reference_loop"].requirements == []
    assert rows["blazio"].python == "3.12"
    assert rows["asyncio-gevent-patched"].requirements == ["asyncio-gevent==0.2.5"]
    # the existing folder names are kept: <name>-<version>
    assert rows["uvloop"].folder("0.23.0") == "uvloop-0.23.0"
    for folder in (REPO / "reports").iterdir():
        if (folder / "results.json").exists():
            assert publish.row_of(folder, list(rows.values())) is not None, folder.name


def test_one_row_adds_a_loop_and_shared_names_get_the_python_in_the_folder(tmp_path):
    rows = publish.load_rows(
        _table(
            tmp_path,
            """
[[loop]]
name = "uvloop"
factory = "uvloop:new_event_loop"
package = "uvloop"
version = "0.23.0"
python = "3.14"

[[loop]]
name = "uvloop"
factory = "uvloop:new_event_loop"
package = "uvloop"
version = "0.23.0"
python = "3.15"

[[loop]]
name = "asyncio"
factory = "asyncio"
""",
        )
    )
    assert [row.key for row in rows] == ["uvloop@3.14", "uvloop@3.15", "asyncio"]
    assert rows[0].folder("0.23.0") == "uvloop-0.23.0-py3.14"
    assert rows[2].folder("3.14.0") == "asyncio-3.14.0"
    assert publish.select(rows, "uvloop") == rows[:2]
    assert publish.select(rows, "uvloop@3.15,asyncio") == rows[1:]
    for name, row in [
        ("uvloop-0.23.0-py3.15", rows[1]),
        ("uvloop-0.23.0-py3.14", rows[0]),
        ("uvloop-0.23.0", None),
        ("asyncio-3.14.0", rows[2]),
    ]:
        (tmp_path / name).mkdir()
        assert publish.row_of(tmp_path / name, rows) is row


@pytest.mark.parametrize(
    "text, error",
    [
        ('[[loop]]\nname = "x"\n', "name and factory are required"),
        ('[[loop]]\nname = "x"\nfactory = "x:y"\npackages = ["x"]\n', "unknown field(s) packages"),
        ('[[loop]]\nname = "x"\nfactory = "x:y"\noptions = "--allow-thread"\n', "options must be a list of strings"),
        ('[[loop]]\nname = "x"\nfactory = "x:y"\nversion = "1.0"\n', "version needs a package"),
        ('[[loop]]\nname = "x"\nfactory = "a"\n[[loop]]\nname = "x"\nfactory = "b"\n', "must each give python as X.Y"),
        (
            '[[loop]]\nname = "x"\nfactory = "a"\npython = "3.12"\n[[loop]]\nname = "x"\nfactory = "b"\npython = "3.12"\n',  # noqa: E501
            "duplicate row(s) x@3.12",
        ),
        ("[[loop]\n", "loops.toml"),
    ],
)
def test_bad_tables_are_one_line_errors(tmp_path, text, error):
    with pytest.raises(publish.PublishError) as info:
        publish.load_rows(_table(tmp_path, text))
    assert error in str(info.value) and "\n" not in str(info.value)


def test_unknown_loop_is_a_one_line_error_not_a_traceback(capsys):
    assert publish.main(["--loops", "no-such-loop", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("publish: unknown loop(s): no-such-loop") and "Traceback" not in err


# -- interpreters ----------------------------------------------------------------------------------
def test_python_resolution_explicit_override_env_path_and_pyenv(tmp_path):
    assert publish.resolve_python("") == sys.executable
    assert publish.resolve_python("3.14", {"3.14": "/opt/py314/bin/python3"}) == "/opt/py314/bin/python3"
    env = {"LOOPCONF_PYTHON_3_14": "/from/env/python3", "PATH": ""}
    assert publish.resolve_python("3.14", environ=env) == "/from/env/python3"
    assert publish.resolve_python(sys.executable, environ={"PATH": ""}) == sys.executable
    # a version found in a pyenv tree (PYENV_ROOT): the interpreter must report that version
    here = f"{sys.version_info[0]}.{sys.version_info[1]}"
    fake = tmp_path / "versions" / f"{here}.99" / "bin"
    fake.mkdir(parents=True)
    (fake / "python3").symlink_to(sys.executable)
    env = {"PYENV_ROOT": str(tmp_path), "PATH": ""}
    assert publish.resolve_python(here, environ=env, repo=tmp_path) == str(fake / "python3")


def test_python_resolution_failure_says_how_to_give_it(tmp_path):
    with pytest.raises(publish.PublishError) as info:
        publish.resolve_python("3.99", environ={"PYENV_ROOT": str(tmp_path), "PATH": ""}, repo=tmp_path)
    assert "--python 3.99=PATH" in str(info.value) and "LOOPCONF_PYTHON_3_99" in str(info.value)
    with pytest.raises(publish.PublishError, match="not an executable"):
        publish.resolve_python(str(tmp_path / "nope"))


def test_python_resolution_asks_scripts_get_python_last(tmp_path):
    here = f"{sys.version_info[0]}.{sys.version_info[1]}"
    helper = tmp_path / "scripts" / "get-python"
    helper.parent.mkdir()
    helper.write_text(f"#!/bin/sh\necho installing >&2\necho {sys.executable}\n")
    helper.chmod(0o755)
    env = {"PYENV_ROOT": str(tmp_path / "none"), "PATH": ""}
    assert publish.resolve_python(here, environ=env, repo=tmp_path) == sys.executable


# -- commands ----------------------------------------------------------------------------------------
def test_install_and_run_commands_of_a_row(tmp_path):
    rows = {row.key: row for row in publish.load_rows(TABLE)}
    settings = publish.Settings(reports=tmp_path, workers="2", timeout=10, extra=["--check", "calls.*"])
    venv = tmp_path / "venvs" / "gbulb"
    cmds = publish.install_commands(rows["gbulb"], "/usr/bin/python3", venv, "/src")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    assert cmds == [
        ["/usr/bin/python3", "-m", "venv", str(venv)],
        [*pip, "PyGObject<3.51"],
        [*pip, "/src", "gbulb==0.6.6"],
    ]
    out = tmp_path / "trio-asyncio-0.16.0"
    cmd = publish.run_command(rows["trio-asyncio"], "/v/bin/python", out, settings)
    assert cmd == [
        "/v/bin/python",
        "-m",
        "loopconf",
        "run",
        "--loop",
        "trio_asyncio._sync:SyncTrioEventLoop",
        "--out",
        str(out),
        "-n",
        "2",
        "--timeout",
        "10",
        "--quiet",
        "--allow-thread",
        "Trio thread *",
        "--check",
        "calls.*",
    ]
    out.mkdir()
    (out / "expectations.toml").write_text("")
    assert publish.run_command(rows["trio-asyncio"], "/v/bin/python", out, settings)[-2:] == [
        "--expect",
        str(out / "expectations.toml"),
    ]
    env = publish.run_environment(rows["qasync"], settings, base={"PYTHONPATH": "/mine"})
    assert env["QT_QPA_PLATFORM"] == "offscreen"
    assert env["PYTHONPATH"].split(":") == [str(REPO / "scripts" / "loop_factories"), "/mine"]


def test_dry_run_prints_commands_and_runs_nothing(tmp_path, capsys):
    code = publish.main(
        [
            "--dry-run",
            "--loops",
            "blazio,asyncio",
            "--reports",
            str(tmp_path / "r"),
            "--python",
            f"3.12={sys.executable}",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and not (tmp_path / "r").exists()
    assert f"# blazio: python 3.12 -> {sys.executable}" in out
    assert "blazio==0.1.0" in out and "--loop blazio:new_event_loop" in out
    assert out.index("# asyncio") < out.index("# blazio")  # table order


def test_no_install_refuses_rows_with_packages(tmp_path, capsys):
    assert publish.main(["--loops", "uvloop", "--no-install", "--reports", str(tmp_path)]) == 2
    assert "--no-install cannot run uvloop: it needs uvloop==0.23.0" in capsys.readouterr().err


# -- trimming, scoring, summary, index ----------------------------------------------------------------
def test_trim_keeps_short_and_shortens_long_strings_everywhere():
    assert publish.trim("short", 10) == "short"
    long = "a" * 60 + "b" * 60
    out = publish.trim(long, 30)
    assert out.startswith("a" * 20) and out.endswith("b" * 10) and "90 characters trimmed" in out
    nested = publish.trim({"k": ["c" * 100, 3]}, 30)
    assert "trimmed" in nested["k"][0] and nested["k"][1] == 3


def test_trim_results_trims_evidence_fields_only():
    data = _results("x:y", [("a.b.c", "MUST", "fail")])
    data["results"][0]["check_id_extra"] = "z" * 5000
    publish.trim_results(data, 100)
    rec = data["results"][0]
    assert len(rec["traceback"]) < 200 and "trimmed" in rec["traceback"]
    assert rec["check_id_extra"] == "z" * 5000


def test_score_counts_levels_and_outcomes():
    from loopconf.results import score

    data = _results(
        "x:y",
        [
            ("a.m.one", "MUST", "pass"),
            ("a.m.two[1]", "MUST", "fail"),
            ("a.m.three", "MUST", "skip"),
            ("a.m.four", "SHOULD", "pass"),
            ("a.m.five", "MUST", "missing"),
            ("a.m.six", "INFO", "timeout"),
            ("a.m.seven", "MUST", "crash"),
        ],
    )
    s = score(Results.from_dict(data), "x:y")
    assert (s["must_pass"], s["must_applicable"]) == (1, 4)  # a.m.two[1] takes the level of a.m.two
    assert (s["should_pass"], s["should_applicable"], s["info"]) == (1, 1, 1)
    assert (s["missing"], s["fail"], s["timeout"], s["crash"], s["skipped"]) == (1, 1, 1, 1, 1)
    assert s["failing"] == 3 and s["total"] == 7


def test_summary_markdown_rows_and_not_run_row(tmp_path):
    rows = publish.load_rows(TABLE)
    ok = tmp_path / "uvloop-0.23.0"
    ok.mkdir()
    (ok / "deviations.md").write_text("# triage\n")
    data = _results("uvloop:new_event_loop", [("a.m.one", "MUST", "pass"), ("a.m.two", "MUST", "fail")])
    bad = tmp_path / "blazio-not-run"
    bad.mkdir()
    (bad / "status.json").write_text(json.dumps({"loop": "blazio", "reason": "install failed (boom)"}))
    table = publish.summary_markdown([(ok, data), (bad, None)], rows)
    lines = table.splitlines()
    assert lines[0].startswith("| loop | version | Python | MUST passed / applicable")
    row = next(line for line in lines if line.startswith("| uvloop |"))
    assert "| 0.23.0 | 3.11.7 | 1 / 2 (50.0%) |" in row
    assert "[deviations](uvloop-0.23.0/deviations.md)" in row and "`uvloop:new_event_loop`" in row
    assert "1 (1 / 0 / 0)" in row
    assert any(line.startswith("| blazio |") and "install failed (boom)" in line for line in lines)


def test_summary_shows_the_recorded_loopconf_commit(tmp_path):
    folder = tmp_path / "uvloop-0.23.0"
    folder.mkdir()
    (folder / publish.COMMIT_FILE).write_text("abc1234\n")
    data = _results("uvloop:new_event_loop", [("a.m.one", "MUST", "pass")])
    table = publish.summary_markdown([(folder, data)], publish.load_rows(TABLE))
    row = next(line for line in table.splitlines() if line.startswith("| uvloop |"))
    assert row.endswith("| `abc1234` |")


def test_index_only_renders_saved_results_in_table_order_and_keeps_readme_prose(tmp_path):
    """--index-only from results.json files already in the folder: no run, no network."""
    assert SCHEMA_VERSION  # the files below are written by the current model
    for folder, key, outcome in [
        ("uvloop-0.23.0", "uvloop:new_event_loop", "fail"),
        ("asyncio-3.11.7", "asyncio", "pass"),
    ]:
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "results.json").write_text(
            json.dumps(_results(key, [("calls.call_soon.fifo", "MUST", outcome)]))
        )
    (tmp_path / "README.md").write_text(f"# Mine\n\nHand-written prose.\n\n{publish.README_MARK}\n\nold table\n")
    assert publish.main(["--index-only", "--reports", str(tmp_path), "--table", str(TABLE)]) == 0
    readme = (tmp_path / "README.md").read_text()
    assert readme.startswith("# Mine\n\nHand-written prose.\n") and "old table" not in readme
    table = [line for line in readme.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [line.split(" | ")[0] for line in table] == ["| asyncio", "| uvloop"]
    assert "| 0 / 1 (0.0%) |" in table[1]
    index = (tmp_path / "index.html").read_text()  # one row per loop and Python, then the merged matrix
    assert "uvloop" in index and "asyncio" in index and "calls.call_soon.fifo" in index


def test_no_install_run_publishes_trimmed_reports_and_index(tmp_path, tmp_path_factory):
    """End to end on stock asyncio and reference_loop, one check, this interpreter: no index needed."""
    table = _table(
        tmp_path_factory.mktemp("table"),
        '[[loop]]\nname = "asyncio"\nfactory = "asyncio"\n\n'
        '[[loop]]\nname = "reference_loop"\nfactory = "reference"\npackage = "loopconf"\n',
    )
    code = publish.main(
        [
            "--table",
            str(table),
            "--no-install",
            "-n",
            "0",
            "--reports",
            str(tmp_path),
            "--",
            "--check",
            "calls.call_soon.fifo",
        ]
    )
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
    assert readme.count("| 1 / 1 (100.0%) |") == 2


def test_wrapper_script_runs_the_module(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "publish-reports"),
            "--dry-run",
            "--loops",
            "asyncio",
            "--reports",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "--loop asyncio" in proc.stdout


def test_committed_source_is_head_without_uncommitted_files():
    """Venvs get loopconf from `git archive HEAD`: untracked files of the checkout are not in it."""
    if not publish.head_commit(REPO):
        pytest.skip("not a git checkout")
    with publish.committed_source(REPO) as (src, commit):
        root = pathlib.Path(src)
        assert commit and (root / "pyproject.toml").exists() and (root / "loopconf").is_dir()
        tracked = subprocess.run(
            ["git", "-C", str(REPO), "ls-files", "--", "scripts"], capture_output=True, text=True, check=True
        ).stdout.split()
        assert sorted(str(p.relative_to(root)) for p in (root / "scripts").rglob("*") if p.is_file()) == sorted(tracked)
    assert not root.exists()


# -- reports/repro.py: standalone reproducers keyed by check ID --------------------------------------
REPRO = REPO / "reports" / "repro.py"


@pytest.fixture(scope="module")
def repro():
    import importlib.util

    spec = importlib.util.spec_from_file_location("loopconf_repro", REPRO)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_repro_cases_are_keyed_by_catalogue_check_ids(repro):
    from loopconf import runner

    catalogue = {entry["meta"]["id"] for entry in runner.collect(runner.Selection())}
    assert repro.CASES and set(repro.CASES) <= catalogue, sorted(set(repro.CASES) - catalogue)
    every_case = {f for functions in repro.CASES.values() for f in functions}
    assert every_case == set(repro.BY_NAME.values())  # every case reproduces at least one check
    assert repro.cases_for("calls.call_soon.returns_handle") == [repro.BY_NAME["handles"]]
    assert repro.cases_for("running.close.releases_resources[x]") == repro.CASES["running.close.releases_resources"]
    assert repro.cases_for("handles") == [repro.BY_NAME["handles"]]  # the names quoted in deviations.md
    assert repro.cases_for("no.such.check") == []


def test_repro_runs_a_check_id_against_stock_asyncio_without_loopconf(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-I", str(REPRO), "asyncio", "calls.call_soon.returns_handle"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("call_soon -> asyncio.Handle: True | call_later(0) -> TimerHandle: True")
    proc = subprocess.run(
        [sys.executable, "-I", str(REPRO), "asyncio", "no.such.check"], capture_output=True, text=True, cwd=tmp_path
    )
    assert proc.returncode == 2 and proc.stderr.startswith("no reproducer for 'no.such.check'")


def test_install_marker_of_a_dead_installer_is_stale(tmp_path):
    """--reuse-venvs waits for a live installer's marker only; a killed installer's marker is stale."""
    marker = tmp_path / "row.installing"
    marker.write_text(str(_dead_pid()))
    assert not publish._installer_alive(marker)
    marker.write_text(str(os.getpid()))
    assert publish._installer_alive(marker)
    marker.write_text("not a pid")
    assert not publish._installer_alive(marker)


def _dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid
