"""Reproducer commands: one shell line that re-runs one check exactly as the run judged it.

``loopconf run`` records, per non-passing check, a command that re-runs it alone. That command
keeps every option of the original run that can change the check's verdict (``--allow-thread``,
``--timeout``, ``--thorough``, ``--invariants``, ``--expect``, ``--strict``) and adds ``-n 0``
(one process, so a debugger or print works). It never names ``--out``: a single-check run is
written beside a fuller report, never over it (see ``loopconf.cli``).

``pytest_command`` is the route into a debugger: the check's pytest node ID, run in-process
with ``--pdb`` (no watchdog, so the debugger is not killed by the per-check timeout).
"""

from __future__ import annotations

import shlex

DEFAULT_TIMEOUT = 10.0


def verdict_options(args) -> list:
    """The options of a ``run`` invocation (argparse namespace) that can change a verdict."""
    opts: list = []
    for glob in getattr(args, "allow_thread", None) or []:
        opts += ["--allow-thread", glob]
    timeout = getattr(args, "timeout", DEFAULT_TIMEOUT)
    if timeout is not None and float(timeout) != DEFAULT_TIMEOUT:
        opts += ["--timeout", f"{float(timeout):g}"]
    if getattr(args, "thorough", False):
        opts.append("--thorough")
    invariants = getattr(args, "invariants", None)
    if invariants and invariants != "attributed":
        opts += ["--invariants", str(invariants)]
    if getattr(args, "expect", None):
        opts += ["--expect", args.expect]
    if getattr(args, "strict", False):
        opts.append("--strict")
    if getattr(args, "strict_expectations", False):
        opts.append("--strict-expectations")
    return opts


def command(spec: str, check_id: str, options=()) -> str:
    """``loopconf run --loop SPEC --check ID -n 0 [options]`` as one shell-quoted line (the line
    itself is spelled once, by :func:`loopconf.wire.reproducer`)."""
    from loopconf.wire import reproduce_prefix, reproducer

    line = reproducer(reproduce_prefix(spec), check_id)
    return f"{line} {shlex.join(options)}" if options else line


def pytest_command(spec: str, nodeid: str, allow_threads=()) -> str:
    """``python -m pytest <suites>/<file>::<test> --loopconf-loop SPEC --pdb``: step into a check."""
    from loopconf.runner import suites_dir

    target = f"{suites_dir() / nodeid.split('::', 1)[0]}::{nodeid.split('::', 1)[1]}" if "::" in nodeid else nodeid
    extra = [arg for glob in allow_threads for arg in ("--loopconf-allow-thread", glob)]
    return shlex.join(
        [
            "python",
            "-m",
            "pytest",
            target,
            "--loopconf-loop",
            spec,
            *extra,
            "-p",
            "no:faulthandler",
            "-p",
            "no:cacheprovider",
            "--pdb",
        ]
    )


def rewrite(results, args) -> None:
    """Give every record of ``results`` the reproducer of this invocation (``args``)."""
    options = verdict_options(args)
    specs = {loop.key: loop.spec for loop in results.loops}
    for r in results.results:
        spec = specs.get(r.loop, r.loop)
        r.reproducer = command(spec, r.check_id, options)
