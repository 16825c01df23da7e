"""Terminal output: live progress while checks run, then a per-section table and the failures."""

from __future__ import annotations

import collections
import os
import sys

from rich.console import Console, Group
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from loopconf.checks import SECTIONS
from loopconf.results import score, section_order

OUTCOME_STYLE = {
    "pass": "green",
    "fail": "red",
    "missing": "yellow",
    "skip": "dim",
    "blocked": "cyan",
    "timeout": "magenta",
    "crash": "bold red",
    "error": "bold magenta",
}
COLUMNS = ("pass", "fail", "missing", "skip", "blocked", "timeout", "crash", "error")
MODE_TEXT = {
    "attributed": "invariants: attributed (a loop-wide leak fails its hygiene check once)",
    "strict": "invariants: strict (any leak or lifecycle fault fails the check it followed)",
    "off": "invariants: off (findings recorded, never failing)",
}


def make_console(quiet: bool = False, stream=None) -> Console:
    stream = stream or sys.stdout
    no_color = bool(os.environ.get("NO_COLOR")) or not stream.isatty()
    return Console(file=stream, no_color=no_color, highlight=False, quiet=quiet, width=None if stream.isatty() else 120)


class LiveProgress:
    """While checks run: a progress bar per loop and live outcome counts per spec section.

    Silent (one plain line per loop) when quiet or not on a terminal.
    """

    def __init__(self, console: Console, enabled: bool):
        self.enabled = enabled and console.is_terminal and not console.quiet
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            console=console,
        )
        self.counts: dict = {}
        self.sections: dict = {}
        self.tasks: dict = {}
        self.current = None
        self.console = console
        self.live = Live(self, console=console, refresh_per_second=4, transient=False) if self.enabled else None

    def __enter__(self):
        if self.live:
            self.live.__enter__()
        return self

    def __exit__(self, *exc):
        if self.live:
            return self.live.__exit__(*exc)
        return False

    def __rich__(self):
        if self.current is None:
            return self.progress
        table = Table(box=None, padding=(0, 1), show_header=True, header_style="dim")
        table.add_column(f"sections ({self.current})")
        for o in COLUMNS:
            table.add_column(o, justify="right", style=OUTCOME_STYLE[o])
        for section in sorted(self.sections[self.current], key=section_order):
            c = self.sections[self.current][section]
            table.add_row(f"{section} {SECTIONS.get(section, '')}", *[str(c[o]) if c[o] else "" for o in COLUMNS])
        return Group(self.progress, table)

    def start_loop(self, key: str, total: int) -> None:
        self.counts[key] = collections.Counter()
        self.sections[key] = collections.defaultdict(collections.Counter)
        self.tasks[key] = self.progress.add_task(key, total=total, counts="")
        self.current = key
        if not self.enabled:
            self.console.print(f"running {total} checks against {key} ...")

    def result(self, r, section: str = "") -> None:
        counts = self.counts[r.loop]
        counts[r.outcome] += 1
        self.sections[r.loop][section or "?"][r.outcome] += 1
        text = " ".join(f"[{OUTCOME_STYLE[o]}]{o} {counts[o]}[/]" for o in COLUMNS if counts[o])
        self.progress.update(self.tasks[r.loop], advance=1, counts=text)


def summary_table(results) -> Table:
    """Outcome counts per spec section (rows): one column per outcome for a single loop, one
    compact column per loop when several loops are compared."""
    table = Table(title="loopconf: outcomes by spec section", show_lines=False)
    table.add_column("section")
    loops = results.loop_keys()
    single = len(loops) == 1
    if single:
        for o in COLUMNS:
            table.add_column(o, justify="right", style=OUTCOME_STYLE[o])
    else:
        for key in loops:
            table.add_column(key, overflow="fold")
    counts = collections.defaultdict(collections.Counter)
    for r in results.results:
        counts[(results.meta(r.check_id).get("section", "?"), r.loop)][r.outcome] += 1
    sections = sorted({s for s, _ in counts}, key=section_order)
    totals = {key: collections.Counter(r.outcome for r in results.for_loop(key)) for key in loops}
    for section in sections + ["total"]:
        label = "total" if section == "total" else f"{section} {SECTIONS.get(section, '')}".strip()
        cells = [totals[key] if section == "total" else counts[(section, key)] for key in loops]
        if single:
            row = [str(cells[0][o]) if cells[0][o] or section == "total" else "" for o in COLUMNS]
        else:
            row = ["  ".join(f"[{OUTCOME_STYLE[o]}]{c[o]} {o}[/]" for o in COLUMNS if c[o]) for c in cells]
        table.add_row(label, *row, style="bold" if section == "total" else None)
    return table


def mode_line(results) -> str:
    mode = results.run.get("invariants", "attributed")
    return MODE_TEXT.get(mode, f"invariants: {mode}")


def unmeasured_kinds(results, key: str) -> list:
    """Kinds the platform could not measure for this loop (``unmeasured`` findings)."""
    kinds = {f["resource"] for r in results.for_loop(key) for f in r.findings if f["kind"] == "unmeasured"}
    return sorted(kinds)


def loop_findings_lines(results, max_checks: int = 6) -> list:
    """Loop-wide findings first, once per loop, with the checks they touched."""
    from loopconf.invariants import describe

    lines = []
    for loop in results.loops:
        for f in results.findings_for(loop.key):
            seen = f["seen_in"]
            shown = ", ".join(seen[:max_checks]) + (
                f", ... (+{len(seen) - max_checks})" if len(seen) > max_checks else ""
            )
            lines.append(
                f"{loop.key}: LOOP-WIDE {describe(f)} -> fails {f['check_id']}; "
                f"also seen after {len(seen)} other check{'s' if len(seen) != 1 else ''}"
                + (f": {shown}" if seen else "")
            )
        for kind in unmeasured_kinds(results, loop.key):
            lines.append(f"{loop.key}: {kind} leaks not measured on this platform")
    return lines


def headline(results) -> list:
    """One line per loop: MUST passed / applicable, SHOULD, missing, blocked, verdict counts."""
    lines = []
    for loop in results.loops:
        if loop.status != "ok":
            lines.append(f"{loop.key}: not run — {loop.error}")
            continue
        s = score(results, loop.key)
        lines.append(
            f"{loop.key} ({loop.cls} {loop.version}): MUST {s['must_pass']}/{s['must_applicable']}, "
            f"SHOULD {s['should_pass']}/{s['should_applicable']}, missing {s['missing']}, blocked {s['blocked']}, "
            f"regressions {s['regressions']}, expected {s['expected']}, unexpected passes {s['unexpected_pass']}"
        )
    return lines


def print_unstable(console: Console, results) -> None:
    """Stability mode (``--repeat N``): every check whose outcome changed between repeats."""
    from loopconf.stability import describe, unstable

    repeat = results.run.get("repeat", 1)
    if repeat <= 1:
        return
    flips = unstable(results)
    console.print(f"\n[bold]Stability: {repeat} runs, {len(flips)} check(s) changed outcome[/]")
    for r in flips:
        console.print(f"  FLAKY    {r.loop}  {r.check_id}  ({describe(r.outcomes_seen)})", markup=False, soft_wrap=True)


def print_report(console: Console, results, *, max_failures: int = 50) -> None:
    console.print(mode_line(results), markup=False)
    wide = loop_findings_lines(results)
    if wide:
        console.print("[bold]Loop-wide findings:[/]")
        for line in wide:
            console.print("  " + line, markup=False)
    console.print(summary_table(results))
    print_unstable(console, results)
    bad = [r for r in results.results if r.verdict in ("regression", "flaky", "non-strict", "unexpected-pass")]
    if bad:
        console.print(f"\n[bold]Checks needing attention ({len(bad)}):[/]")
        for r in bad[:max_failures]:
            meta = results.meta(r.check_id)
            style = OUTCOME_STYLE.get(r.outcome, "")
            console.print(
                f"[{style}]{r.outcome.upper():8}[/] {r.loop}  {r.check_id}  "
                f"({meta.get('level', '')}, {meta.get('section', '')} {meta.get('method', '')})",
                markup=True,
            )
            if r.verdict == "unexpected-pass":
                console.print(f"         listed as expected {r.expectation}, but it passed", markup=False)
            elif r.outcome == "blocked":
                console.print(
                    f"         blocked by {r.blocked_by or 'another check'}: {r.message.splitlines()[0][:160]}",
                    markup=False,
                )
            elif r.message:
                console.print(f"         {r.message.splitlines()[0][:200]}", markup=False)
            console.print(f"         reproduce: {r.reproducer}", markup=False, soft_wrap=True)
            if r.nodeid and r.outcome not in ("pass", "skip"):
                from loopconf.reproduce import pytest_command

                spec = next((loop.spec for loop in results.loops if loop.key == r.loop), r.loop)
                console.print(f"         debug:     {pytest_command(spec, r.nodeid)}", markup=False, soft_wrap=True)
        if len(bad) > max_failures:
            console.print(f"... and {len(bad) - max_failures} more (see the HTML/JSON report)")
    console.print()
    for line in headline(results):
        console.print(line, markup=False)


def _short(key: str) -> str:
    return key if len(key) <= 16 else key[:7] + "…" + key[-8:]
