"""The pytest plugin as a first-class entry point, in a temporary project of a loop author:
own tests untouched, no loop -> clear refusal, LOOPCONF_LOOP gates like the option, -k and
verbose output speak check IDs, --loopconf-expect works as `loopconf run --expect`."""

import os
import subprocess
import sys

import pytest

from tests.support import REPO

LIFO = "tests.broken.calls:LifoCallSoonLoop"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "test_own.py").write_text("def test_mine():\n    assert True\n")
    (tmp_path / "conftest.py").write_text(
        "from loopconf.fixtures import handler_calls, loop, loop_factory, new_loop  # noqa: F401\n"
    )
    (tmp_path / "test_conformance.py").write_text(
        "from suites.sec_02_calls import test_call_soon_fifo  # noqa: F401\n"
        "from suites.page_server import test_wait_closed_active_connections  # noqa: F401\n"
    )
    return tmp_path


def pytest_in(project, *args, env=None):
    full_env = {k: v for k, v in os.environ.items() if k != "LOOPCONF_LOOP"}
    full_env["PYTHONPATH"] = str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:faulthandler", "-rsxX", *args],
        cwd=project,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_own_tests_are_never_deselected(project):
    proc = pytest_in(project, "test_own.py", "--loopconf-loop", "asyncio")
    assert proc.returncode == 0, proc.stdout
    assert "1 passed" in proc.stdout and "deselected" not in proc.stdout


def test_checks_without_a_loop_are_refused(project):
    proc = pytest_in(project)
    assert proc.returncode != 0
    assert "no loop under test" in proc.stderr + proc.stdout and "--loopconf-loop" in proc.stderr + proc.stdout
    assert "passed" not in proc.stdout and "failed" not in proc.stdout
    own = pytest_in(project, "test_own.py")  # a session without loopconf checks is left alone
    assert own.returncode == 0 and "1 passed" in own.stdout


def test_env_variable_activates_gating_and_k_matches_ids(project):
    proc = pytest_in(
        project, "-v", "-k", "calls.call_soon.fifo or server.wait_closed", env={"LOOPCONF_LOOP": "asyncio"}
    )
    assert proc.returncode == 0, proc.stdout
    assert "test_call_soon_fifo PASSED [calls.call_soon.fifo]" in proc.stdout
    assert "test_own.py" not in proc.stdout  # deselected by -k, as pytest does; never by loopconf
    # Version gating is on: the check applies only from Python 3.12.1.
    if sys.version_info < (3, 12, 1):
        assert "applies to Python >=3.12.1" in proc.stdout
    else:
        assert "test_wait_closed_active_connections PASSED" in proc.stdout


def test_expectations_make_known_deviations_xfail(project):
    expect = project / "expect.toml"
    expect.write_text(
        '[[expected]]\nloop = "tests.broken.calls:*"\ncheck = "calls.call_soon.fifo"\n'
        'outcome = "fail"\nreason = "LIFO on purpose"\n'
    )
    plain = pytest_in(project, "test_conformance.py", "--loopconf-loop", LIFO)
    assert plain.returncode == 1 and "1 failed" in plain.stdout
    gated = pytest_in(project, "test_conformance.py", "--loopconf-loop", LIFO, "--loopconf-expect", str(expect))
    assert gated.returncode == 0, gated.stdout
    assert "1 xfailed" in gated.stdout and "LIFO on purpose" in gated.stdout
    assert "regressions 0, expected 1" in gated.stdout
    # Listed but passing: XPASS, and a failure with --loopconf-strict-expectations (under xdist too).
    expect.write_text('[[expected]]\nloop = "asyncio"\ncheck = "calls.call_soon.fifo"\noutcome = "fail"\n')
    xpass = pytest_in(project, "test_conformance.py", "--loopconf-loop", "asyncio", "--loopconf-expect", str(expect))
    assert xpass.returncode == 0 and "1 xpassed" in xpass.stdout
    strict = pytest_in(
        project,
        "test_conformance.py",
        "--loopconf-loop",
        "asyncio",
        "--loopconf-expect",
        str(expect),
        "--loopconf-strict-expectations",
        "-n",
        "2",
    )
    assert strict.returncode == 1 and "XPASS(strict)" in strict.stdout


def test_bad_expectations_file_is_a_usage_error(project):
    proc = pytest_in(project, "--loopconf-loop", "asyncio", "--loopconf-expect", str(project / "nope.toml"))
    assert proc.returncode == 4  # pytest's usage error
    assert "does not exist" in proc.stderr + proc.stdout
