"""The ``loopconf`` command: run, list, explain, baseline, diff, report.

Exit codes (every subcommand; README "Exit codes"):

0    success: ``run`` conformant (every applicable MUST check passed, or failed only as the
     expectations file says); ``list``, ``explain``, ``baseline``, ``report`` done; ``diff``
     found no regression
1    ``run``: conformance failures; ``diff``: a regression
2    usage or factory error (bad option or input file, a loop that could not be built)
3    internal error (a check ended in ``error``: a bug in loopconf)
130  interrupted (Ctrl-C); ``run`` still writes what finished, marked incomplete

User mistakes end in one clear line on stderr, never a traceback. Output cut short by a closed
pipe (``loopconf diff ... | head``) ends quietly with the command's own exit code.

Never overwrite or mislead: a partial run (``--check``/``--section``/``-k``, or interrupted)
whose ``--out`` folder holds a fuller report is written beside it, in
``<out>/partial/<selection>/``; a run where no loop could be built writes no report.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import sys
import tempfile
import time

from loopconf import __version__, runner, stability
from loopconf.expectations import (
    EXIT_FAIL,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    ExpectationsError,
    apply,
    baseline_toml,
    exit_code,
    load,
)
from loopconf.results import Results, merge, run_info
from loopconf.spec_notes import notes_for

EXIT_INTERRUPTED = 130
DOCS = "README.md and docs/ci.md of the loopconf repository"


class UsageError(Exception):
    """A mistake in how loopconf was called; printed as one line, exit code 2."""


# -- parser ------------------------------------------------------------------------------------
def _add_selection(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-k",
        dest="keyword",
        default="",
        metavar="EXPR",
        help="pytest -k expression; names include each check ID, so -k delayed.call_later selects by ID substring",
    )
    p.add_argument(
        "--section",
        action="append",
        default=[],
        metavar="SECTION",
        help="only checks of this spec section, e.g. 19.5.1.2 (repeatable)",
    )
    p.add_argument(
        "--check",
        action="append",
        default=[],
        metavar="ID",
        help="only this check ID or glob, e.g. 'calls.call_soon.*' (repeatable)",
    )


def _add_run_options(p: argparse.ArgumentParser, loop_required: bool = True) -> None:
    p.add_argument(
        "--loop",
        action="append",
        default=[],
        required=loop_required,
        metavar="SPEC",
        help="loop factory: module:attr, or asyncio / reference / uvloop (repeatable)",
    )
    _add_selection(p)
    p.add_argument(
        "-n",
        dest="workers",
        default="auto",
        metavar="N",
        help="parallel worker processes per loop: a number, 0 for none, or auto (default)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="seconds one check may take before it is a timeout (default 10)",
    )
    p.add_argument("--thorough", action="store_true", help="model-based checks generate many more examples")
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="stability mode: run the selection N times in fresh workers and report every "
        "check whose outcome changed (verdict 'flaky'); use before writing a baseline",
    )
    p.add_argument(
        "--allow-thread",
        action="append",
        default=[],
        metavar="GLOB",
        help="thread names (glob) the loop may leave running after close, e.g. its own "
        "worker pool; exempt from the leaked-thread invariant (repeatable)",
    )
    p.add_argument(
        "--invariants",
        choices=("attributed", "strict", "off"),
        default="attributed",
        help="what leaks and lifecycle faults seen after a check do: attributed (default; a "
        "loop-wide one fails its hygiene check once), strict (any fails the check), off "
        "(recorded only)",
    )


def _add_ci_outputs(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--summary-md",
        metavar="FILE",
        help="append a Markdown summary (scores, regressions, loop-wide findings, links) to FILE, "
        'e.g. "$GITHUB_STEP_SUMMARY"',
    )
    p.add_argument("--badge", metavar="FILE", help="write a shields.io endpoint badge (JSON) to FILE")
    p.add_argument(
        "--report-url",
        metavar="URL",
        default="",
        help="link to the published report used in the summary (default on GitHub Actions: the run's page)",
    )


EXIT_EPILOG = {
    "run": "exit codes: 0 conformant, 1 conformance failures, 2 usage or factory error, "
    "3 internal error, 130 interrupted (a partial report marked incomplete is written)",
    "list": "exit codes: 0 done, 2 usage error",
    "explain": "exit codes: 0 done, 2 unknown check ID or unreadable results file",
    "baseline": "exit codes: 0 file written, 2 usage or factory error, or a partial run without --partial, "
    "130 interrupted",
    "diff": "exit codes: 0 no regression, 1 at least one regression, 2 unreadable input",
    "report": "exit codes: 0 reports written, 2 unreadable input or unwritable folder",
    "coverage": "exit codes: 0 done",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="loopconf",
        description="Conformance suite for asyncio event loops.",
        epilog="examples:\n  loopconf run --loop asyncio --loop mypkg:factory\n"
        "  loopconf explain calls.call_soon.fifo\n"
        f"exit codes: see `loopconf COMMAND --help`; docs: {DOCS}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"loopconf {__version__}", help="print loopconf's version and exit"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, help_text, description=""):
        return sub.add_parser(name, help=help_text, description=description or help_text, epilog=EXIT_EPILOG[name])

    run = add("run", "run the suite against one or more loops and write reports")
    _add_run_options(run)
    run.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="folder for results.json, junit.xml and report.html (default ./loopconf-report); "
        "a partial run never replaces a fuller report there, it goes to DIR/partial/...",
    )
    run.add_argument("--expect", metavar="FILE", help="expectations file (TOML) listing known deviations")
    run.add_argument("--strict", action="store_true", help="failing SHOULD checks also fail the run")
    run.add_argument(
        "--strict-expectations", action="store_true", help="an expected failure that now passes fails the run"
    )
    run.add_argument("--quiet", action="store_true", help="no progress and no tables: only the headline")
    run.add_argument(
        "--json",
        action="store_true",
        help="print a JSON summary (scores and the failing check IDs with verdicts) instead of tables",
    )
    run.add_argument(
        "--tag",
        default="",
        metavar="TEXT",
        help="append @TEXT to every loop's label (e.g. --tag py3.12-linux), so shards of a CI "
        "matrix merge side by side with `loopconf report`",
    )
    _add_ci_outputs(run)

    lst = add("list", "print the check catalogue")
    _add_selection(lst)
    lst.add_argument(
        "--method",
        action="append",
        default=[],
        metavar="NAME",
        help="only checks of this loop method, e.g. call_later (repeatable)",
    )
    lst.add_argument("--json", action="store_true", help="print JSON instead of a table")

    exp = add("explain", "what one check checks: requirement, clause, docs link, level, spec note, code")
    exp.add_argument("check_id", metavar="CHECK_ID", help="a check ID, e.g. delayed.call_later.returns_timerhandle")
    exp.add_argument(
        "--results", metavar="RESULTS_JSON", help="also show the outcome this results.json recorded for the check"
    )
    exp.add_argument("--json", action="store_true", help="print JSON")

    base = add("baseline", "write an expectations file from a run (or a results.json)")
    base.add_argument(
        "--from", dest="from_results", metavar="RESULTS_JSON", help="use saved results instead of running"
    )
    base.add_argument(
        "--partial",
        action="store_true",
        help="accept results that cover only part of the suite (a selection or an interrupted run)",
    )
    _add_run_options(base, loop_required=False)
    base.add_argument(
        "--output",
        "-o",
        default="loopconf-expectations.toml",
        metavar="FILE",
        help="expectations file to write (default ./loopconf-expectations.toml)",
    )

    diff = add("diff", "compare two results.json files; exit 1 on a regression")
    diff.add_argument("old", metavar="OLD", help="results.json of the earlier run")
    diff.add_argument("new", metavar="NEW", help="results.json of the later run")
    diff.add_argument("--json", action="store_true", help="print the changes as JSON")

    rep = add(
        "report",
        "re-render (and merge) saved results.json files",
        "Re-render reports from saved results.json files, merging runs of different loops or "
        "shards (e.g. one CI job each) into one report. Exits 0 once written, whatever the verdicts.",
    )
    rep.add_argument("results", nargs="+", metavar="RESULTS_JSON", help="results.json files to merge")
    rep.add_argument("--out", required=True, metavar="DIR", help="folder for the merged reports")
    rep.add_argument("--expect", metavar="FILE", help="expectations file applied to the merged results")
    _add_ci_outputs(rep)

    cov = add("coverage", "promise statements of the docs covered / partial / uncovered by checks")
    cov.add_argument("--json", action="store_true", help="print JSON")
    cov.add_argument("--uncovered", action="store_true", help="list the promises not fully covered")
    return parser


# -- output that survives a closed pipe -----------------------------------------------------
class _PipeSafe:
    """Wraps stdout: once the reader has gone (``| head``), further output is dropped quietly."""

    def __init__(self, stream):
        self._stream = stream
        self.broken = False

    def write(self, text):
        if self.broken:
            return len(text)
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._silence()
            return len(text)

    def flush(self):
        if self.broken:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._silence()

    def _silence(self):
        self.broken = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass

    def __getattr__(self, name):
        return getattr(self._stream, name)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not isinstance(sys.stdout, _PipeSafe):
        sys.stdout = _PipeSafe(sys.stdout)
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
        return EXIT_INTERRUPTED
    finally:
        try:
            sys.stdout.flush()
        except Exception:
            pass


# -- run ---------------------------------------------------------------------------------------
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


def _selection(args) -> runner.Selection:
    """The checks to run. Attributed mode compares findings with the hygiene probes: they come along
    with every section or -k selection and full run; an explicit --check list runs only what it
    names (a reproducer stays exact)."""
    with_hygiene = (
        getattr(args, "invariants", "attributed") == "attributed" and hasattr(args, "loop") and not args.check
    )
    return runner.Selection(checks=args.check, sections=args.section, keyword=args.keyword, with_hygiene=with_hygiene)


def _selection_text(args) -> str:
    parts = [f"--check {c!r}" for c in args.check] + [f"--section {s!r}" for s in args.section]
    if args.keyword:
        parts.append(f"-k {args.keyword!r}")
    return " ".join(parts)


def _collect(args) -> list:
    """The selected catalogue; a selection matching nothing is a usage error naming its inputs."""
    from loopconf.checks import SECTIONS

    selection = _selection(args)
    catalogue = runner.collect(selection)
    if selection.with_hygiene and all(e["check_id"].startswith("hygiene.") for e in catalogue):
        # only the probes matched: the user's selection itself matched nothing
        catalogue = catalogue if runner.collect(dataclasses.replace(selection, with_hygiene=False)) else []
    if catalogue:
        return catalogue
    hint = ""
    unknown = [s for s in args.section if not any(k == s or k.startswith(s + ".") for k in SECTIONS)]
    if unknown:
        hint = f"; sections are {', '.join(SECTIONS)}"
    elif args.check:
        from loopconf.explain import suggestions

        close = [m for c in args.check for m in suggestions(runner.collect(runner.Selection()), c)]
        if close:
            hint = f"; did you mean {', '.join(close)}?"
    raise UsageError(f"no check matches the selection {_selection_text(args)} (see `loopconf list`){hint}")


def execute(args, argv, log_dir: str = "") -> Results:
    """Probe, collect and run; return the results (every check accounted for).

    On Ctrl-C during the checks, the results so far come back with ``run.incomplete`` set and
    the loops that did not finish marked ``aborted``.
    """
    from loopconf.report_terminal import LiveProgress, make_console

    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    repeat = getattr(args, "repeat", 1)
    if repeat < 1:
        raise UsageError("--repeat takes a whole number of runs, 1 or more")
    invariants = getattr(args, "invariants", "attributed")
    selection = _selection(args)
    config = runner.RunConfig(
        invariants=invariants,
        selection=selection,
        workers=_workers(args.workers),
        timeout=args.timeout,
        hypothesis_profile="thorough" if args.thorough else "default",
        log_dir=log_dir,
        allow_threads=getattr(args, "allow_thread", []),
    )
    console = make_console(quiet=getattr(args, "quiet", False) or getattr(args, "json", False), stream=sys.stderr)
    started = time.time()
    infos, seen = [], {}
    for spec in args.loop:
        info = runner.probe(spec)
        seen[spec] = seen.get(spec, 0) + 1
        if seen[spec] > 1:
            info.key = f"{spec}#{seen[spec]}"
        if getattr(args, "tag", ""):
            info.key = f"{info.key}@{args.tag}"
        if info.status != "ok":
            print(f"loopconf: error: {info.error}", file=sys.stderr)
        infos.append(info)
    catalogue = _collect(args)
    checks = {entry["check_id"]: entry["meta"] for entry in catalogue}
    notes = notes_for(meta.get("note") for meta in checks.values())
    sections = {entry["check_id"]: entry["meta"]["section"] for entry in catalogue}
    runs: list = []
    interrupted = False
    with LiveProgress(console, enabled=True) as live:
        for _ in range(repeat):
            rep_started, rep_results, loop_findings = time.time(), [], []
            for index, info in enumerate(infos):
                if info.status != "ok":
                    continue
                got: list = []

                def on_result(r, got=got):
                    got.append(r)
                    live.result(r, sections.get(r.check_id, ""))

                live.start_loop(info.key, len(catalogue))  # a fresh bar per repeat
                try:
                    rep_results += runner.run_loop(
                        info, catalogue, config, on_result=on_result, loop_findings=loop_findings
                    )
                except KeyboardInterrupt:
                    interrupted = True
                    rep_results += got
                    info.status, info.error = "aborted", f"interrupted after {len(got)} of {len(catalogue)} checks"
                    for later in infos[index + 1 :]:
                        if later.status == "ok":
                            later.status, later.error = "aborted", "interrupted before this loop started"
                    break
            runs.append(
                Results(
                    run=run_info(["loopconf", *argv], rep_started, time.time(), invariants=invariants),
                    loops=infos,
                    checks=checks,
                    results=rep_results,
                    spec_notes=notes,
                    loop_findings=loop_findings,
                )
            )
            if interrupted:
                break
    results = runs[0] if len(runs) == 1 else stability.combine(runs)
    run = results.run
    run.update(run_info(["loopconf", *argv], started, time.time(), invariants=invariants))
    if repeat > 1:
        run["repeat"] = len(runs)
    run["partial"] = bool(args.check or args.section or args.keyword) or interrupted
    run["selection"] = {"checks": list(args.check), "sections": list(args.section), "keyword": args.keyword}
    run["incomplete"] = interrupted
    from loopconf import reproduce

    reproduce.rewrite(results, args)
    return results


def is_partial(results: Results) -> bool:
    """True if the run covered part of the suite: a selection, an interrupt, or a loop not run.

    Results written before loopconf recorded ``run.partial`` are judged by their command line.
    """
    run = results.run
    if run.get("incomplete") or any(loop.status != "ok" for loop in results.loops):
        return True
    if "partial" in run:
        return bool(run["partial"])
    argv = run.get("argv") or []
    return any(a in ("--check", "--section", "-k") or a.startswith(("--check=", "--section=")) for a in argv)


def destination(out: str, results: Results) -> str:
    """Where this run's reports go: ``out``, or beside a fuller report already in ``out``.

    A complete run always writes to ``out``. A partial one writes to ``out`` unless the report
    already there covers (loop, check) pairs this run does not; then to
    ``out/partial/<selection>/``, so a reproducer never replaces a full run's evidence.
    """
    if not is_partial(results):
        return out
    existing = os.path.join(out, "results.json")
    try:
        old = Results.read(existing)
    except (OSError, ValueError, KeyError, TypeError):
        return out
    new_pairs = {(r.loop, r.check_id) for r in results.results}
    if {(r.loop, r.check_id) for r in old.results} <= new_pairs:
        return out
    sel = results.run.get("selection") or {}
    words = ["interrupted"] if results.run.get("incomplete") else []
    words += list(sel.get("checks") or []) + [f"section-{s}" for s in sel.get("sections") or []]
    if sel.get("keyword"):
        words.append(f"k-{sel['keyword']}")
    slug = "".join(c if c.isalnum() or c in "-_." else "_" for c in "+".join(words) or "subset")[:80]
    return os.path.join(out, "partial", slug)


def write_reports(results: Results, out: str, *, strict: bool = False, strict_expectations: bool = False) -> None:
    from loopconf import report_html, report_junit

    results.write(os.path.join(out, "results.json"))
    report_junit.write(results, os.path.join(out, "junit.xml"), strict=strict, strict_expectations=strict_expectations)
    report_html.write(results, os.path.join(out, "report.html"))


def _move_logs(tmp_logs: str, out: str) -> None:
    """Replace ``out/logs`` with this run's logs (never append to another run's)."""
    logs = os.path.join(out, "logs")
    shutil.rmtree(logs, ignore_errors=True)
    try:
        shutil.copytree(tmp_logs, logs)
    except OSError:
        pass


def _report_url() -> str:
    server, repo, run_id = (os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    return f"{server}/{repo}/actions/runs/{run_id}" if server and repo and run_id else ""


def write_ci_outputs(results: Results, args) -> None:
    from loopconf import badge, summary_md

    try:
        if getattr(args, "summary_md", None):
            summary_md.write(
                results,
                args.summary_md,
                report_url=args.report_url or _report_url(),
                artifact=os.environ.get("LOOPCONF_ARTIFACT", ""),
            )
        if getattr(args, "badge", None):
            badge.write(results, args.badge)
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename}: {exc.strerror or exc}") from None


def _failing(results: Results, key: str) -> list:
    return [
        {
            "check": r.check_id,
            "outcome": r.outcome,
            "verdict": r.verdict,
            "level": results.meta(r.check_id).get("level", ""),
        }
        for r in results.for_loop(key)
        if r.verdict not in ("ok", "")
    ]


def cmd_run(args, argv) -> int:
    from loopconf.report_terminal import headline, make_console, print_report, score

    explicit_out = args.out is not None
    out = _prepare_out(args.out if explicit_out else "loopconf-report")
    expectations = load(args.expect) if args.expect else []
    with tempfile.TemporaryDirectory(prefix="loopconf-logs-") as tmp_logs:
        try:
            results = execute(args, argv, log_dir=tmp_logs)
        except KeyboardInterrupt:
            print("loopconf: interrupted before any check finished; no report written", file=sys.stderr)
            return EXIT_INTERRUPTED
        if not any(loop.status == "ok" for loop in results.loops) and not results.run.get("incomplete"):
            # Every factory failed: the one-line errors were printed; no table, no empty report.
            if args.json:
                print(
                    json.dumps(
                        {
                            "exit_code": EXIT_USAGE,
                            "out": None,
                            "loops": {loop.key: {"status": loop.status, "error": loop.error} for loop in results.loops},
                        },
                        indent=1,
                    )
                )
            print("loopconf: no loop could be built; no report written", file=sys.stderr)
            return EXIT_USAGE
        known = None
        if expectations and results.run.get("partial"):
            known = [e["check_id"] for e in runner.collect(runner.Selection())]
        unused = apply(results, expectations, known=known)
        dest = destination(out, results)
        if dest != out:
            os.makedirs(dest, exist_ok=True)
        write_reports(results, dest, strict=args.strict, strict_expectations=args.strict_expectations)
        _move_logs(tmp_logs, dest)
    write_ci_outputs(results, args)
    if results.run.get("incomplete"):
        code = EXIT_INTERRUPTED
    else:
        code = exit_code(results, strict=args.strict, strict_expectations=args.strict_expectations)
    where = f"{dest}/ (report.html, results.json, junit.xml)"
    if dest != out:
        where += f"; {out}/ holds a fuller report, left as it was"
    if args.json:
        print(
            json.dumps(
                {
                    "exit_code": code,
                    "out": dest,
                    "partial": results.run["partial"],
                    "incomplete": results.run["incomplete"],
                    "loops": {
                        loop.key: {
                            "status": loop.status,
                            "error": loop.error,
                            **(score(results, loop.key) if loop.status != "factory-error" else {}),
                            "failing": _failing(results, loop.key),
                        }
                        for loop in results.loops
                    },
                },
                indent=1,
            )
        )
    else:
        console = make_console()
        if args.quiet:
            for line in headline(results):
                print(line)
        else:
            print_report(console, results)
        for e in unused:
            print(f"loopconf: warning: expectation for {e.check!r} matches no check", file=sys.stderr)
        if results.run.get("incomplete"):
            print(
                "loopconf: interrupted: the report covers only the checks that finished (marked incomplete)",
                file=sys.stderr,
            )
        print(f"reports written to {where}")
    return code


# -- list --------------------------------------------------------------------------------------
def cmd_list(args, argv) -> int:
    entries = runner.collect(_selection(args))
    if args.method:
        entries = [e for e in entries if e["meta"]["method"] in args.method]
    if args.json:
        print(
            json.dumps(
                [
                    {
                        **e["meta"],
                        "id": e["check_id"],
                        "id_base": e["meta"]["id"],
                        "not_applicable": e["not_applicable"],
                    }
                    for e in entries
                ],
                indent=1,
            )
        )
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


# -- explain -----------------------------------------------------------------------------------
def cmd_explain(args, argv) -> int:
    from loopconf import explain

    results = _read_results(args.results) if args.results else None
    catalogue = runner.collect(runner.Selection())
    entries = explain.find(catalogue, args.check_id)
    if not entries:
        close = explain.suggestions(catalogue, args.check_id)
        hint = f"; did you mean {', '.join(close)}?" if close else " (see `loopconf list`)"
        raise UsageError(f"no check has the ID {args.check_id!r}{hint}")
    info = explain.describe(entries, results)
    if args.json:
        print(json.dumps(info, indent=1))
    else:
        print(explain.render(info, args.results or ""))
    return EXIT_OK


# -- baseline ----------------------------------------------------------------------------------
def cmd_baseline(args, argv) -> int:
    if args.from_results:
        results = _read_results(args.from_results)
        if is_partial(results) and not args.partial:
            sel = results.run.get("selection") or {}
            what = (
                "was interrupted"
                if results.run.get("incomplete")
                else (
                    "did not build every loop"
                    if any(loop.status != "ok" for loop in results.loops)
                    else f"covered only a selection ({len(results.checks)} checks"
                    f"{': ' + ', '.join(sel.get('checks') or sel.get('sections') or []) if sel else ''})"
                )
            )
            raise UsageError(
                f"{args.from_results}: the run {what}; a baseline from it would miss the rest "
                "of the suite (pass --partial to accept that)"
            )
    else:
        if not args.loop:
            raise UsageError("baseline needs --loop SPEC (or --from RESULTS_JSON)")
        args.quiet, args.json, args.expect = True, False, None
        results = execute(args, argv)
        if any(loop.status != "ok" for loop in results.loops):
            return EXIT_INTERRUPTED if results.run.get("incomplete") else EXIT_USAGE
        apply(results, [])
    text = baseline_toml(results)
    try:
        with open(args.output, "w") as f:
            f.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    count = text.count("[[expected]]")
    scope = f" (a partial run: {len(results.checks)} checks)" if is_partial(results) else ""
    print(f"wrote {args.output} with {count} expected deviation{'s' if count != 1 else ''}{scope}")
    return EXIT_OK


# -- diff --------------------------------------------------------------------------------------
def cmd_diff(args, argv) -> int:
    from loopconf.diff import compare, print_diff

    old, new = _read_results(args.old), _read_results(args.new)
    changes = compare(old, new)
    if args.json:
        print(json.dumps(changes, indent=1))
    else:
        print_diff(changes)
    return EXIT_FAIL if changes["regressions"] else EXIT_OK


# -- report ------------------------------------------------------------------------------------
def cmd_report(args, argv) -> int:
    results = merge([_read_results(p) for p in args.results])
    expectations = load(args.expect) if args.expect else []
    for e in apply(results, expectations):
        print(f"loopconf: warning: expectation for {e.check!r} matches no check", file=sys.stderr)
    out = _prepare_out(args.out)
    write_reports(results, out)
    write_ci_outputs(results, args)
    from loopconf.report_terminal import headline

    for line in headline(results):
        print(line)
    print(f"reports written to {out}/ (report.html, results.json, junit.xml)")
    return EXIT_OK


def _read_results(path: str) -> Results:
    try:
        return Results.read(path)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a folder; give its results.json") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{path}: not a loopconf results.json ({exc})") from None


def cmd_coverage(args, argv) -> int:
    from loopconf import coverage

    return coverage.cmd(args)


COMMANDS = {
    "run": cmd_run,
    "list": cmd_list,
    "explain": cmd_explain,
    "baseline": cmd_baseline,
    "diff": cmd_diff,
    "report": cmd_report,
    "coverage": cmd_coverage,
}

if __name__ == "__main__":
    sys.exit(main())
