"""Version gating of the checks for what the 3.14/3.15 docs changed (issue #17).

- In process: each gated check's CheckMeta.applies() gives the skip reason on the Pythons before
  its change and None from it on, with the exact boundaries of the 3.13.16/3.14.8 ssl change.
- Across interpreters: ``loopconf run --check <a 3.14 check>`` reports ``skip`` with that reason on
  CPython 3.13 and runs it (pass, stock asyncio) on CPython 3.14; and the broken loops of
  tests/broken/py314.py, which only apply from 3.14, are run by tests/test_broken_loops.py on 3.14.
  3.13 comes from /root/.pyenv, 3.14 from scripts/get-python; a test whose interpreter cannot be
  had here is skipped and says why. The venvs live in .venvs/py<minor>, shared with
  scripts/check-pythons.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import json
import os
import subprocess
import tempfile

import pytest

import suites.sec_314_additions  # noqa: F401  (registers the checks)
import suites.tls_parameters  # noqa: F401
from loopconf.checks import REGISTRY, python_matches
from tests.support import REPO

SINCE_314 = [
    "tasks.create_task.eager_start_true",
    "tasks.create_task.eager_start_false",
    "tasks.create_task.eager_factory_mode",
    "tasks.set_task_factory.kwargs_passed_unchanged",
    "executor.set_default_executor.interpreter_pool",
]
EMPTY_OK = "tls.create_connection.server_hostname_empty"
EMPTY_REFUSED = "tls.create_connection.server_hostname_empty_refused"
EMPTY_NO_CHECK = "tls.create_connection.server_hostname_empty_no_check_hostname"
FILTERED_3134 = "tasks.set_task_factory.kwargs_filtered_3134"


@pytest.mark.parametrize("check_id", SINCE_314)
def test_314_check_skips_before_314_with_its_reason(check_id):
    meta = REGISTRY[check_id]
    assert (meta.versions, meta.docs) == (">=3.14", "3.14")
    assert meta.applies((3, 13, 9)) == "applies to Python >=3.14; running 3.13.9"
    assert meta.applies((3, 11, 7)) == "applies to Python >=3.14; running 3.11.7"
    assert meta.applies((3, 14, 0)) is None
    assert meta.applies((3, 15, 2)) is None


# (python, server_hostname_empty applies, server_hostname_empty_refused applies, kwargs_filtered_3134 applies)
BOUNDARIES = [
    ((3, 10, 13), True, False, False),
    ((3, 12, 9), True, False, False),
    ((3, 13, 0), True, False, False),
    ((3, 13, 3), True, False, False),
    ((3, 13, 4), True, False, True),
    ((3, 13, 15), True, False, True),
    ((3, 13, 16), False, True, True),
    ((3, 13, 18), False, True, True),
    ((3, 14, 0), True, False, False),
    ((3, 14, 7), True, False, False),
    ((3, 14, 8), False, True, False),
    ((3, 14, 10), False, True, False),
    ((3, 15, 0), False, True, False),
    ((3, 16, 0), False, True, False),
]


@pytest.mark.parametrize(
    "python,empty_ok,refused,filtered", BOUNDARIES, ids=[".".join(map(str, b[0])) for b in BOUNDARIES]
)
def test_gates_follow_the_exact_releases(python, empty_ok, refused, filtered):
    """'' with check_hostname on: accepted before 3.13.16 and on 3.14.0-3.14.7, refused from 3.13.16,
    3.14.8 and 3.15 (never both); the check_hostname-off variant applies everywhere."""
    assert (REGISTRY[EMPTY_OK].applies(python) is None) is empty_ok
    assert (REGISTRY[EMPTY_REFUSED].applies(python) is None) is refused
    assert empty_ok != refused
    assert REGISTRY[EMPTY_NO_CHECK].applies(python) is None
    assert (REGISTRY[FILTERED_3134].applies(python) is None) is filtered


def test_either_of_several_specifier_sets():
    assert python_matches("<3.13.16 || >=3.14,<3.14.8", "3.14.3")
    assert not python_matches("<3.13.16 || >=3.14,<3.14.8", "3.13.16")
    assert python_matches(">=3.12", "3.12.0")
    assert not python_matches(">=3.12", "3.11.9")


# -- across interpreters ---------------------------------------------------------------------------


def _interpreter(minor: str):
    """(path, None) of a CPython ``minor``, or (None, why it is not available here)."""
    if minor in ("3.14", "3.15"):
        try:
            proc = subprocess.run(
                [str(REPO / "scripts" / "get-python"), minor],
                capture_output=True,
                text=True,
                timeout=1800,
                env=dict(os.environ, GET_PYTHON_QUIET="1"),
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, f"scripts/get-python {minor} did not run: {exc}"
        lines = proc.stdout.strip().splitlines()
        if proc.returncode == 0 and lines and os.access(lines[-1], os.X_OK):
            return lines[-1], None
        return None, f"scripts/get-python {minor} could not provide CPython {minor}: " + (
            proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"]
        )[-1]
    found = sorted(glob.glob(f"/root/.pyenv/versions/{minor}.*/bin/python3"))
    if found:
        return found[-1], None
    return None, f"no CPython {minor} under /root/.pyenv/versions"


@contextlib.contextmanager
def _locked(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _venv(minor: str) -> str:
    """The python of .venvs/py<minor> with this checkout installed (made or refreshed as needed)."""
    base, why = _interpreter(minor)
    if base is None:
        pytest.skip(why)
    venv = REPO / ".venvs" / f"py{minor}"
    python = venv / "bin" / "python"
    with _locked(str(REPO / ".venvs" / f"py{minor}.lock")):
        probe = (
            subprocess.run(
                [str(python), "-c", "import loopconf, xdist; print(loopconf.__file__)"], capture_output=True, text=True
            )
            if python.exists()
            else None
        )
        if probe is None or probe.returncode != 0 or not probe.stdout.startswith(str(REPO)):
            if not python.exists():
                subprocess.run([base, "-m", "venv", str(venv)], check=True, capture_output=True)
            install = subprocess.run(
                [str(venv / "bin" / "pip"), "install", "-q", "-e", str(REPO)], capture_output=True, text=True
            )
            assert install.returncode == 0, f"pip install into {venv} failed:\n{install.stderr[-2000:]}"
    return str(python)


def _in_repo(args: list, timeout: float, **kwargs) -> subprocess.CompletedProcess:
    """Run ``args`` from the checkout root, output captured as text, no stdin."""
    return subprocess.run(
        args, cwd=str(REPO), capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, **kwargs
    )


def _run_one(python: str, check_id: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        run = ["run", "--loop", "asyncio", "--check", check_id, "-n", "0", "--out", out, "--quiet"]
        proc = _in_repo(
            [python, "-m", "loopconf", *run],
            timeout=600,
            env=dict(os.environ, NO_COLOR="1"),
        )
        assert os.path.exists(os.path.join(out, "results.json")), proc.stdout[-1500:] + proc.stderr[-1500:]
        with open(os.path.join(out, "results.json")) as f:
            results = json.load(f)["results"]
    mine = [r for r in results if r["check_id"] == check_id]
    assert len(mine) == 1, f"{check_id} not run once on {python}: {proc.stdout[-1500:]}{proc.stderr[-1500:]}"
    return mine[0]


CLI_CHECK = "tasks.create_task.eager_start_true"


def test_314_check_is_skip_with_its_reason_on_313():
    python = _venv("3.13")
    rec = _run_one(python, CLI_CHECK)
    assert rec["outcome"] == "skip", rec
    assert "applies to Python >=3.14; running 3.13." in (rec["reason"] or rec["message"]), rec


def test_314_check_runs_and_passes_on_314():
    python = _venv("3.14")
    rec = _run_one(python, CLI_CHECK)
    assert rec["outcome"] == "pass", rec


def test_314_broken_loops_are_flagged_on_314():
    """tests/broken/py314.py on CPython 3.14: every loop flagged on what it breaks, stock passes."""
    python = _venv("3.14")
    proc = _in_repo(
        [python, "-m", "pytest", "tests/test_broken_loops.py", "-k", "py314", "-q", "-rs", "-n", "2"]
        + ["-p", "no:cacheprovider"],
        timeout=1200,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    summary = proc.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary, summary
    # On 3.14 only the 3.13.4-3.13.x loop may be skipped; everything gated >=3.14 must have run.
    skipped = [line for line in proc.stdout.splitlines() if line.startswith("SKIPPED")]
    assert all("3.13.4" in line for line in skipped), skipped
