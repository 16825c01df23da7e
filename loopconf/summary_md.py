"""A Markdown summary of a run for CI pages (``--summary-md FILE``, e.g. ``$GITHUB_STEP_SUMMARY``).

Contents: one score row per loop, the regressions (linked to the docs clause each one breaks),
the unexpected passes (entries to remove from the expectations file), the loop-wide findings
(results.json ``loop_findings``, when the run has them) and a link to the full report.
The text is appended to FILE, as GitHub expects of step summaries.
"""

from __future__ import annotations

from loopconf.report_terminal import score

MAX_ROWS = 50


def _cell(text, width: int = 160) -> str:
    """One Markdown table cell: first line only, pipes escaped, long text cut with an ellipsis."""
    line = str(text or "").strip().splitlines()[0] if str(text or "").strip() else ""
    if len(line) > width:
        line = line[: width - 1] + "…"
    return line.replace("\\", "\\\\").replace("|", "\\|")


def _code(text) -> str:
    return f"`{_cell(text).replace('`', '')}`" if text else ""


def _pct(num: int, den: int) -> str:
    return f"{num}/{den} ({100.0 * num / den:.1f}%)" if den else "0/0"


def _status(loop, s: dict) -> str:
    if loop.status != "ok":
        return f"not run: {_cell(loop.error, 100)}"
    if s["regressions"]:
        return "❌ regressions"
    if s["must_pass"] == s["must_applicable"]:
        return "✅ conformant"
    return "✅ only expected deviations"


def render(results, *, report_url: str = "", artifact: str = "") -> str:
    """The summary as Markdown text."""
    run = results.run
    lines = ["## loopconf conformance", ""]
    facts = [
        f"Python {run.get('python', '?')} on {run.get('sys_platform', '?')}",
        f"loopconf {run.get('loopconf_version', '?')}",
        f"{len(results.checks)} checks",
    ]
    lines += [" · ".join(facts), ""]
    if run.get("incomplete"):
        lines += ["> **Incomplete run** (interrupted): the numbers cover only the checks that finished.", ""]
    elif run.get("partial"):
        lines += ["> **Partial run**: only the selected checks ran.", ""]

    lines += [
        "| loop | class and version | MUST | SHOULD | missing | regressions | expected | unexpected passes | status |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for loop in results.loops:
        s = score(results, loop.key)
        if loop.status != "ok":
            lines.append(f"| {_code(loop.key)} | | | | | | | | {_status(loop, s)} |")
            continue
        lines.append(
            f"| {_code(loop.key)} | {_code(f'{loop.cls} {loop.version}'.strip())} | "
            f"{_pct(s['must_pass'], s['must_applicable'])} | {s['should_pass']}/{s['should_applicable']} | "
            f"{s['missing']} | {s['regressions']} | {s['expected']} | {s['unexpected_pass']} | "
            f"{_status(loop, s)} |"
        )
    lines.append("")

    def check_table(title: str, recs: list, note: str = "") -> None:
        lines.append(f"### {title} ({len(recs)})")
        lines.append("")
        if note:
            lines.extend([note, ""])
        if not recs:
            lines.extend(["None.", ""])
            return
        lines.extend(["| loop | check | level | clause | outcome | message |", "|---|---|---|---|---|---|"])
        for r in recs[:MAX_ROWS]:
            meta = results.meta(r.check_id)
            clause = f"{meta.get('section', '')} {meta.get('method', '')}".strip()
            if meta.get("docs_url"):
                clause = f"[{clause}]({meta['docs_url']})"
            lines.append(
                f"| {_code(r.loop)} | {_code(r.check_id)} | {meta.get('level', '')} | {clause} | "
                f"{r.outcome} | {_cell(r.message)} |"
            )
        if len(recs) > MAX_ROWS:
            lines.append(f"\n… and {len(recs) - MAX_ROWS} more in the full report.")
        lines.append("")

    check_table("Regressions", [r for r in results.results if r.verdict == "regression"])
    xpass = [r for r in results.results if r.verdict == "unexpected-pass"]
    if xpass:
        check_table(
            "Unexpected passes",
            xpass,
            "Listed as expected deviations, but they passed: remove their entries from the expectations file.",
        )
    flaky = [r for r in results.results if r.verdict == "flaky"]
    if flaky:
        check_table("Flaky", flaky, "The outcome differed between repeats of the same run.")

    findings = list(getattr(results, "loop_findings", None) or [])
    lines += [f"### Loop-wide findings ({len(findings)})", ""]
    if findings:
        lines += ["| loop | hygiene check | kind | resource | seen in |", "|---|---|---|---|---|"]
        for f in findings[:MAX_ROWS]:
            seen = f.get("seen_in") or []
            count = f.get("count", len(seen))
            lines.append(
                f"| {_code(f.get('loop'))} | {_code(f.get('check_id'))} | {_cell(f.get('kind'))} | "
                f"{_cell(f.get('resource'))} | {count} check{'s' if count != 1 else ''} |"
            )
    else:
        lines.append("None recorded.")
    lines.append("")

    links = []
    if report_url:
        links.append(
            f"[Full report]({report_url})" + (f" (artifact `{artifact}`: open `report.html`)" if artifact else "")
        )
    elif artifact:
        links.append(f"Full report: artifact `{artifact}` (open `report.html`)")
    if links:
        lines += ["### Links", "", *[f"- {link}" for link in links], ""]
    return "\n".join(lines) + "\n"


def write(results, path: str, **kwargs) -> None:
    """Append the summary to ``path`` (GitHub step summaries are appended to, never replaced)."""
    with open(path, "a", encoding="utf-8") as f:
        f.write(render(results, **kwargs))
