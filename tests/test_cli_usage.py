"""Bad user input ends in one clear line on stderr and exit code 2, never a traceback."""

import pytest

from tests.support import loopconf

FEW = ("--check", "calls.call_soon.fifo", "-n", "0")


def _one_line_error(proc, needle):
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("loopconf: error:")]
    assert len(errors) == 1, proc.stderr
    assert needle in errors[0], errors[0]


@pytest.mark.parametrize(
    "spec, needle",
    [
        ("no_such_module_xyz:factory", "cannot import module 'no_such_module_xyz'"),
        ("asyncio:no_such_attr", "has no attribute 'no_such_attr'"),
        ("tests.broken.hostile:NOT_CALLABLE", "is not callable"),
        ("tests.broken.hostile:raising_factory", "the factory raised RuntimeError: no display available"),
        ("tests.broken.hostile:not_a_loop_factory", "not an asyncio.AbstractEventLoop"),
        ("tests.broken.hostile:same_loop_factory", "returned the same loop twice"),
        ("justaword", "expected 'module:attr'"),
    ],
)
def test_bad_loop_spec(tmp_path, spec, needle):
    proc = loopconf("run", "--loop", spec, "--out", str(tmp_path), *FEW)
    _one_line_error(proc, needle)
    # No loop ran: no report (an earlier one is never replaced by an empty one) and no table.
    assert not (tmp_path / "results.json").exists()
    assert not (tmp_path / "report.html").exists()
    assert "outcomes by spec section" not in proc.stdout


def test_bad_loop_does_not_stop_the_others(tmp_path):
    proc = loopconf("run", "--loop", "no_such_module_xyz:f", "--loop", "asyncio", "--out", str(tmp_path), *FEW)
    _one_line_error(proc, "cannot import module")
    from tests.support import outcome_map, read_results

    assert outcome_map(read_results(tmp_path)) == {("asyncio", "calls.call_soon.fifo"): "pass"}


def test_unwritable_report_dir(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    proc = loopconf("run", "--loop", "asyncio", "--out", str(blocker / "sub"), *FEW)
    _one_line_error(proc, "cannot write reports to")


@pytest.mark.parametrize(
    "content, needle",
    [
        (None, "does not exist"),
        ("this is = = not toml", "is not valid TOML"),
        ('[[expected]]\nloop = "asyncio"\ncheck = "x"\noutcome = "sometimes"\n', "outcome must be"),
        ('[[expected]]\nloop = "asyncio"\noutcome = "fail"\n', "missing 'check'"),
        (
            '[[expected]]\nloop = "asyncio"\ncheck = "x"\noutcome = "fail"\npython = "three"\n',
            "not a version specifier",
        ),
        ('[[expected]]\nloop = "asyncio"\ncheck = "x"\noutcome = "fail"\ncolour = "red"\n', "unknown keys: colour"),
    ],
)
def test_bad_expectations_file(tmp_path, content, needle):
    path = tmp_path / "expect.toml"
    if content is not None:
        path.write_text(content)
    proc = loopconf("run", "--loop", "asyncio", "--expect", str(path), "--out", str(tmp_path / "out"), *FEW)
    _one_line_error(proc, needle)


def test_selection_matching_nothing(tmp_path):
    proc = loopconf("run", "--loop", "asyncio", "--check", "no.such.check", "--out", str(tmp_path))
    _one_line_error(proc, "no check matches")


def test_bad_worker_count(tmp_path):
    proc = loopconf("run", "--loop", "asyncio", "-n", "lots", "--out", str(tmp_path))
    _one_line_error(proc, "-n takes a number")


def test_missing_results_file_for_diff(tmp_path):
    proc = loopconf("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    _one_line_error(proc, "no such file")
