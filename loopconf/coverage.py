"""Spec coverage: which promise statements the checks cover fully, partly, or not at all.

A promise counts as *covered* when at least one MUST or SHOULD check declares it fully (a failing
check would flag a loop that breaks it), *partial* when such checks cover only part of it, and
*uncovered* otherwise. INFO checks never fail, so they cover nothing. A check's statements come from
its ``covers=`` declaration.
"""

from __future__ import annotations

import collections

from loopconf import statements as st
from loopconf.checks import SECTIONS

COUNTING_LEVELS = ("MUST", "SHOULD")
STATUSES = ("covered", "partial", "uncovered")


def check_covers(checks: dict) -> dict[str, tuple[list[str], list[str]]]:
    """check base ID -> (full, partial), from each check's ``covers=`` declaration."""
    return {check_id: st.parse_covers(meta.get("covers") or ()) for check_id, meta in checks.items()}


def compute(statements: dict, checks: dict, covers: dict) -> dict:
    """Per-promise status and the checks behind it.

    ``checks``: base ID -> meta dict (needs ``level``); ``covers``: base ID -> (full, partial).
    Returns {statement ID: {"status", "full": [checks], "partial": [checks]}} for every promise.
    """
    full, partial = collections.defaultdict(list), collections.defaultdict(list)
    for check_id, (f, p) in covers.items():
        if checks.get(check_id, {}).get("level") not in COUNTING_LEVELS:
            continue
        for sid in f:
            full[sid].append(check_id)
        for sid in p:
            partial[sid].append(check_id)
    out = {}
    for sid, s in statements.items():
        if not s.is_promise:
            continue
        status = "covered" if full[sid] else "partial" if partial[sid] else "uncovered"
        out[sid] = {"status": status, "full": sorted(full[sid]), "partial": sorted(partial[sid])}
    return out


def over_strict_candidates(statements: dict, checks: dict, covers: dict) -> list[str]:
    """MUST checks that cover no promise at all: the docs do not promise what they require."""
    out = []
    for check_id, meta in sorted(checks.items()):
        if meta.get("level") != "MUST":
            continue
        f, p = covers.get(check_id, ([], []))
        if not any(statements[s].is_promise for s in (*f, *p) if s in statements):
            out.append(check_id)
    return out


def _bucket(s: st.Statement) -> str:
    if s.on_37_page:
        return "3.7 page"
    return "later docs" if s.docs != "3.7" else "other pages (3.7)"


def summarize(statements: dict, status: dict) -> dict:
    """Figures: totals per bucket (3.7 page / later docs / other pages) and per section."""

    def counts(ids):
        c = collections.Counter(status[i]["status"] for i in ids)
        total = sum(c.values())
        return {
            "promises": total,
            **{k: c[k] for k in STATUSES},
            "percent_covered": round(100 * c["covered"] / total, 1) if total else 100.0,
        }

    by_bucket, by_section = collections.defaultdict(list), collections.defaultdict(list)
    for sid in status:
        by_bucket[_bucket(statements[sid])].append(sid)
        by_section[statements[sid].section].append(sid)
    return {
        "totals": {b: counts(ids) for b, ids in sorted(by_bucket.items())},
        "all": counts(list(status)),
        "sections": {sec: {"title": SECTIONS[sec], **counts(by_section[sec])} for sec in SECTIONS if sec in by_section},
    }


def collect_checks() -> dict:
    """Every check's meta dict by base ID (the same catalogue ``loopconf list`` shows)."""
    from loopconf import runner

    return {e["meta"]["id"]: e["meta"] for e in runner.collect(runner.Selection())}


def report(checks: dict | None = None) -> dict:
    """Everything ``loopconf coverage`` shows, as plain data (also used for the HTML report / README)."""
    statements = st.load()
    checks = collect_checks() if checks is None else checks
    covers = check_covers(checks)
    status = compute(statements, checks, covers)
    order = {sec: i for i, sec in enumerate(SECTIONS)}
    ranked = sorted(status, key=lambda sid: order[statements[sid].section])  # stable: catalogue order within
    return {
        "figures": summarize(statements, status),
        "statements": {sid: {**statements[sid].to_dict(), **status[sid]} for sid in ranked},
        "unknown_references": st.unknown_references(statements, covers),
        "over_strict_candidates": over_strict_candidates(statements, checks, covers),
    }


def of_run(results) -> dict | None:
    """The coverage figures of a run's own checks, for its HTML report; None for a run of a selection.

    A run that selected nothing (no ``--check``, ``--section`` or ``-k``) carries the whole catalogue
    in ``results.checks``, so its figures are those ``loopconf coverage`` prints for the same loopconf,
    at no extra cost. A selection's checks are a subset: no figure (rather than a wrong one).
    """
    selection = (results.run or {}).get("selection")
    if selection is None or any(selection.get(k) for k in ("checks", "sections", "keyword")):
        return None
    try:
        return report(checks=results.checks)["figures"]
    except st.CatalogueError:
        return None


def headline(figures: dict) -> str:
    """One line for the README / HTML report, e.g. '3.7 page: 213/258 promises covered (83%), 28 partial'."""
    parts = []
    for bucket in ("3.7 page", "later docs"):
        t = figures["totals"].get(bucket)
        if t:
            parts.append(
                f"{bucket}: {t['covered']}/{t['promises']} promises covered ({t['percent_covered']:g}%), "
                f"{t['partial']} partial, {t['uncovered']} uncovered"
            )
    return "; ".join(parts)


def print_report(data: dict, uncovered: bool = False, console=None) -> None:
    from rich.table import Table

    from loopconf.report_terminal import make_console

    console = console or make_console()
    if uncovered:
        rows = [(sid, s) for sid, s in data["statements"].items() if s["status"] != "covered"]
        table = Table(title=f"Promises not fully covered ({len(rows)})")
        for col in ("statement", "status", "docs", "section", "text", "partial checks"):
            table.add_column(col, overflow="fold")
        for sid, s in rows:
            table.add_row(sid, s["status"], s["docs"], s["section"], s["text"], ", ".join(s["partial"]))
        console.print(table)
        return
    fig = data["figures"]
    table = Table(title="loopconf spec coverage (promise statements)")
    for col in ("section", "title", "promises", "covered", "partial", "uncovered", "%"):
        table.add_column(col, justify="right" if col not in ("section", "title") else "left")
    for sec, c in fig["sections"].items():
        table.add_row(
            sec,
            c["title"],
            str(c["promises"]),
            str(c["covered"]),
            str(c["partial"]),
            str(c["uncovered"]),
            f"{c['percent_covered']:g}",
        )
    for bucket, c in fig["totals"].items():
        table.add_row(
            "",
            f"[bold]{bucket}[/bold]",
            str(c["promises"]),
            str(c["covered"]),
            str(c["partial"]),
            str(c["uncovered"]),
            f"{c['percent_covered']:g}",
        )
    console.print(table)
    console.print(headline(fig))
    for msg in data["unknown_references"]:
        console.print(f"[red]unknown statement reference[/red] {msg}")


def cmd(args) -> int:
    """``loopconf coverage [--json] [--uncovered]``; exit 0, or 3 when a covers entry names no statement."""
    import json

    try:
        data = report()
    except st.CatalogueError as exc:
        import sys

        print(f"loopconf: internal error: statement catalogue: {exc}", file=sys.stderr)
        return 3
    if args.json:
        if args.uncovered:
            data = {**data, "statements": {k: v for k, v in data["statements"].items() if v["status"] != "covered"}}
        print(json.dumps(data, indent=1))
    else:
        print_report(data, uncovered=args.uncovered)
    return 3 if data["unknown_references"] else 0
