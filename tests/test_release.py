"""Releasable: `python -m build` makes an sdist and a wheel, `twine check` passes, and the wheel,
installed in a fresh venv, runs a smoke selection with its own suites, templates and schema.

Marked ``slow`` (about a minute: an isolated build plus one venv); CI runs it like every test.
"""

import json
import os
import pathlib
import subprocess
import sys
import venv

import jsonschema
import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent


def _run(cmd, **kwargs):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, **kwargs)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.mark.slow
def test_build_check_install_and_smoke(tmp_path):
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "build", "--outdir", str(dist), str(REPO)])
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, os.listdir(dist)
    _run([sys.executable, "-m", "twine", "check", "--strict", *map(str, wheels + sdists)])

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "-q", "--no-compile", "--disable-pip-version-check", str(wheels[0])])

    # Run from an empty folder with a clean environment: nothing may come from the checkout.
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["NO_COLOR"] = "1"
    loopconf = str(env_dir / "bin" / "loopconf")
    version = _run([loopconf, "--version"], cwd=work, env=env)
    assert version.stdout.startswith("loopconf ")
    where = _run(
        [str(python), "-c", "import loopconf, suites, reference_loop; print(loopconf.__file__)"], cwd=work, env=env
    )
    assert str(env_dir) in where.stdout and str(REPO) not in where.stdout

    out = work / "report"
    _run(
        [
            loopconf,
            "run",
            "--loop",
            "reference",
            "--check",
            "calls.call_soon.fifo",
            "--check",
            "delayed.call_later.returns_timerhandle",
            "-n",
            "0",
            "--out",
            str(out),
        ],
        cwd=work,
        env=env,
    )
    results = json.loads((out / "results.json").read_text())
    assert {(r["loop"], r["check_id"]): r["outcome"] for r in results["results"]} == {
        ("reference", "calls.call_soon.fifo"): "pass",
        ("reference", "delayed.call_later.returns_timerhandle"): "pass",
    }
    # The schema and the HTML template ship inside the wheel.
    schema_path = _run(
        [
            str(python),
            "-c",
            "import importlib.resources as r; print(r.files('loopconf') / 'schema' / 'results.schema.json')",
        ],
        cwd=work,
        env=env,
    )
    jsonschema.validate(results, json.loads(pathlib.Path(schema_path.stdout.strip()).read_text()))
    assert "<html" in (out / "report.html").read_text().lower()
    explain = _run([loopconf, "explain", "calls.call_soon.fifo"], cwd=work, env=env)
    assert str(env_dir) in explain.stdout  # the code location is the installed suite
