"""The ``loopconf`` command: run, list, baseline, diff, report.

Exit codes: 0 conformant (every applicable MUST check passed, or failed only as the
expectations file says), 1 conformance failures, 2 usage or factory error, 3 internal error.
User mistakes end in one clear line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from loopconf import __version__, runner, stability
from loopconf.expectations import (EXIT_FAIL, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, ExpectationsError,
                                   apply, baseline_toml, exit_code, load)
from loopconf.results import Results, merge, run_info
from loopconf.spec_notes import notes_for


class UsageError(Exception):
    """A mistake in how loopconf was called; printed as one line, exit code 2."""


def _add_selection(p: argparse.ArgumentParser) -> None:
    p.add_argument("-k", dest="keyword", default="", metavar="EXPR",
                   help="pytest -k expression over check names")
    p.add_argument("--section", action="append", default=[], metavar="SECTION",
                   help="only checks of this spec section, e.g. 19.5.1.2 (repeatable)")
    p.add_argument("--check", action="append", default=[], metavar="ID",
                   help="only this check ID or glob, e.g. 'calls.call_soon.*' (repeatable)")


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--loop", action="append", default=[], required=True, metavar="SPEC",
                   help="loop factory: module:attr, or asyncio / reference / uvloop (repeatable)")
    _add_selection(p)
    p.add_argument("-n", dest="workers", default="auto", metavar="N",
                   help="parallel worker processes per loop: a number, 0 for none, or auto (default)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                   help="seconds one check may take before it is a timeout (default 10)")
    p.add_argument("--thorough", action="store_true",
                   help="model-based checks generate many more examples")
    p.add_argument("--repeat", type=int, default=1, metavar="N",
                   help="stability mode: run the selection N times in fresh workers and report every "
                        "check whose outcome changed (verdict 'flaky'); use before writing a baseline")
    p.add_argument("--allow-thread", action="append", default=[], metavar="GLOB",
                   help="thread names (glob) the loop may leave running after close, e.g. its own "
                        "worker pool; exempt from the leaked-thread invariant (repeatable)")
    p.add_argument("--invariants", choices=("attributed", "strict", "off"), default="attributed",
                   help="what leaks and lifecycle faults seen after a check do: attributed (default; a "
                        "loop-wide one fails its hygiene check once), strict (any fails the check), off "
                        "(recorded only)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="loopconf", description="Conformance suite for asyncio event loops.")
    parser.add_argument("--version", action="version", version=f"loopconf {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the suite against one or more loops and write reports")
    _add_run_options(run)
    run.add_argument("--out", default="loopconf-report", metavar="DIR",
                     help="folder for results.json, junit.xml and report.html (default ./loopconf-report)")
    run.add_argument("--expect", metavar="FILE", help="expectations file (TOML) listing known deviations")
    run.add_argument("--strict", action="store_true", help="failing SHOULD checks also fail the run")
    run.add_argument("--strict-expectations", action="store_true",
                     help="an expected failure that now passes fails the run")
    run.add_argument("--quiet", action="store_true", help="no progress and no tables: only the headline")
    run.add_argument("--json", action="store_true", help="print a JSON summary instead of tables")

    lst = sub.add_parser("list", help="print the check catalogue")
    _add_selection(lst)
    lst.add_argument("--method", action="append", default=[], help="only checks of this method")
    lst.add_argument("--json", action="store_true", help="print JSON")

    base = sub.add_parser("baseline", help="write an expectations file from a run (or a results.json)")
    base.add_argument("--from", dest="from_results", metavar="RESULTS_JSON",
                      help="use saved results instead of running")
    base.add_argument("--loop", action="append", default=[], metavar="SPEC")
    _add_selection(base)
    base.add_argument("-n", dest="workers", default="auto")
    base.add_argument("--timeout", type=float, default=10.0)
    base.add_argument("--thorough", action="store_true")
    base.add_argument("--output", "-o", default="loopconf-expectations.toml", metavar="FILE")

    diff = sub.add_parser("diff", help="compare two results.json files; exit 1 on a regression")
    diff.add_argument("old")
    diff.add_argument("new")
    diff.add_argument("--json", action="store_true")

    rep = sub.add_parser("report", help="re-render (and merge) saved results.json files")
    rep.add_argument("results", nargs="+", metavar="RESULTS_JSON")
    rep.add_argument("--out", required=True, metavar="DIR")
    rep.add_argument("--expect", metavar="FILE")

    cov = sub.add_parser("coverage", help="promise statements of the docs covered / partial / uncovered by checks")
    cov.add_argument("--json", action="store_true", help="print JSON")
    cov.add_argument("--uncovered", action="store_true", help="list the promises not fully covered")
    return parser


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args, argv)
    except (UsageError, ExpectationsError) as exc:
        print(f"loopconf: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except runner.CatalogueError as exc:
        print(f"loopconf: internal error: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    except KeyboardInterrupt:
        print("loopconf: interrupted", file=sys.stderr)
        return 130


# -- run -------------------------------------------------------------------------------------
def _prepare_out(path: str) -> str:
    path = os.path.abspath(path)
    try:
        os.makedirs(path, exist_ok=True)
        probe = os.path.join(path, ".loopconf-write-test")
        with open(probe, "w"):
            pass
        os.unlink(probe)
    except OSError as exc:
        raise UsageError(f"cannot write reports to {path}: {exc.strerror or exc}") from None
    return path


def _workers(value: str) -> str:
    if value == "auto" or (value.isdigit()):
        return value
    raise UsageError(f"-n takes a number or 'auto', not {value!r}")


def execute(args, argv) -> Results:
    """Probe, collect and run; return the results (every check accounted for)."""
    from loopconf.report_terminal import LiveProgress, make_console

    invariants = getattr(args, "invariants", "attributed")
    selection = runner.Selection(checks=args.check, sections=args.section, keyword=args.keyword,
                                 with_hygiene=invariants == "attributed")
    config = runner.RunConfig(invariants=invariants, selection=selection, workers=_workers(args.workers), timeout=args.timeout,
                              hypothesis_profile="thorough" if args.thorough else "default",
                              log_dir=getattr(args, "log_dir", ""),
                              allow_threads=getattr(args, "allow_thread", []))
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    repeat = getattr(args, "repeat", 1)
    if repeat < 1:
        raise UsageError("--repeat takes a whole number of runs, 1 or more")
    console = make_console(quiet=getattr(args, "quiet", False) or getattr(args, "json", False), stream=sys.stderr)
    started = time.time()
    infos, seen = [], {}
    for spec in args.loop:
        info = runner.probe(spec)
        seen[spec] = seen.get(spec, 0) + 1
        if seen[spec] > 1:
            info.key = f"{spec}#{seen[spec]}"
        if info.status != "ok":
            print(f"loopconf: error: {info.error}", file=sys.stderr)
        infos.append(info)
    catalogue = runner.collect(selection)
    if not catalogue:
        raise UsageError("no check matches the selection (see `loopconf list`)")
    checks = {entry["check_id"]: entry["meta"] for entry in catalogue}
    notes = notes_for(meta.get("note") for meta in checks.values())
    sections = {entry["check_id"]: entry["meta"]["section"] for entry in catalogue}
    runs = []
    with LiveProgress(console, enabled=True) as live:
        for _ in range(repeat):
            rep_started, rep_results, loop_findings = time.time(), [], []
            for info in infos:
                if info.status != "ok":
                    continue
                live.start_loop(info.key, len(catalogue))  # a fresh bar per repeat
                rep_results += runner.run_loop(info, catalogue, config,
                                               on_result=lambda r: live.result(r, sections.get(r.check_id, "")),
                                               loop_findings=loop_findings)
            runs.append(Results(run=run_info(["loopconf", *argv], rep_started, time.time(), invariants=invariants),
                                loops=infos, checks=checks, results=rep_results, spec_notes=notes,
                                loop_findings=loop_findings))
    if repeat == 1:
        return runs[0]
    combined = stability.combine(runs)
    combined.run.update(run_info(["loopconf", *argv], started, time.time(), invariants=invariants), repeat=repeat)
    return combined


def write_reports(results: Results, out: str) -> None:
    from loopconf import report_html, report_junit

    results.write(os.path.join(out, "results.json"))
    report_junit.write(results, os.path.join(out, "junit.xml"))
    report_html.write(results, os.path.join(out, "report.html"))


def cmd_run(args, argv) -> int:
    from loopconf.report_terminal import make_console, print_report, score, headline

    out = _prepare_out(args.out)
    args.log_dir = os.path.join(out, "logs")
    os.makedirs(args.log_dir, exist_ok=True)
    expectations = load(args.expect) if args.expect else []
    results = execute(args, argv)
    unused = apply(results, expectations)
    write_reports(results, out)
    code = exit_code(results, strict=args.strict, strict_expectations=args.strict_expectations)
    if args.json:
        print(json.dumps({"exit_code": code, "out": out,
                          "loops": {loop.key: {"status": loop.status, "error": loop.error,
                                               **(score(results, loop.key) if loop.status == "ok" else {})}
                                    for loop in results.loops}}, indent=1))
    else:
        console = make_console()
        if args.quiet:
            for line in headline(results):
                print(line)
        else:
            print_report(console, results)
        for e in unused:
            print(f"loopconf: warning: expectation for {e.check!r} matches no check", file=sys.stderr)
        print(f"reports written to {out}/ (report.html, results.json, junit.xml)")
    return code


# -- list ------------------------------------------------------------------------------------
def cmd_list(args, argv) -> int:
    selection = runner.Selection(checks=args.check, sections=args.section, keyword=args.keyword)
    entries = runner.collect(selection)
    if args.method:
        entries = [e for e in entries if e["meta"]["method"] in args.method]
    if args.json:
        print(json.dumps([{"id": e["check_id"], "not_applicable": e["not_applicable"], **e["meta"],
                           "id_base": e["meta"]["id"]} for e in entries], indent=1))
        return EXIT_OK
    from rich.table import Table

    from loopconf.report_terminal import make_console

    table = Table(title=f"loopconf checks ({len(entries)})")
    for col in ("ID", "level", "section", "method", "requirement"):
        table.add_column(col, overflow="fold")
    for e in entries:
        m = e["meta"]
        req = m["requirement"] + (f"  [not applicable: {e['not_applicable']}]" if e["not_applicable"] else "")
        table.add_row(e["check_id"], m["level"], m["section"], m["method"], req)
    make_console().print(table)
    return EXIT_OK


# -- baseline --------------------------------------------------------------------------------
def cmd_baseline(args, argv) -> int:
    if args.from_results:
        results = _read_results(args.from_results)
    else:
        if not args.loop:
            raise UsageError("baseline needs --loop SPEC (or --from RESULTS_JSON)")
        args.quiet, args.json = True, False
        results = execute(args, argv)
        if any(loop.status != "ok" for loop in results.loops):
            return EXIT_USAGE
    text = baseline_toml(results)
    try:
        with open(args.output, "w") as f:
            f.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    count = text.count("[[expected]]")
    print(f"wrote {args.output} with {count} expected deviation{'s' if count != 1 else ''}")
    return EXIT_OK


# -- diff ------------------------------------------------------------------------------------
def cmd_diff(args, argv) -> int:
    from loopconf.diff import compare, print_diff

    old, new = _read_results(args.old), _read_results(args.new)
    changes = compare(old, new)
    if args.json:
        print(json.dumps(changes, indent=1))
    else:
        print_diff(changes)
    return EXIT_FAIL if changes["regressions"] else EXIT_OK


# -- report ----------------------------------------------------------------------------------
def cmd_report(args, argv) -> int:
    results = merge([_read_results(p) for p in args.results])
    expectations = load(args.expect) if args.expect else []
    apply(results, expectations)
    out = _prepare_out(args.out)
    write_reports(results, out)
    print(f"reports written to {out}/ (report.html, results.json, junit.xml)")
    return exit_code(results)


def _read_results(path: str) -> Results:
    try:
        return Results.read(path)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{path}: not a loopconf results.json ({exc})") from None


def cmd_coverage(args, argv) -> int:
    from loopconf import coverage
    return coverage.cmd(args)


COMMANDS = {"run": cmd_run, "list": cmd_list, "baseline": cmd_baseline, "diff": cmd_diff, "report": cmd_report,
            "coverage": cmd_coverage}

if __name__ == "__main__":
    sys.exit(main())
