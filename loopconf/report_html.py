"""The HTML reports: one self-contained file per run, and the published index of many runs.

Rendered with jinja2 and autoescaping: every string that came from a loop or a traceback is
escaped, so a loop whose exception message contains markup cannot run script in the report. The
evidence shown on demand travels as JSON inside the page (``<`` escaped) and is put into the page
with ``textContent`` only. No network: no fonts, scripts, styles or images from elsewhere.

Layout (triage first): loop cards with inline-SVG bars, "needs attention" (regressions, then
failures grouped by root cause, loop-wide findings one card per loop), the section x loop heat-map,
then the check x loop matrix whose filter state lives in the URL hash.
"""

from __future__ import annotations

import datetime
import json
import os
import pathlib
from importlib import resources

import jinja2
from markupsafe import Markup

from loopconf import cache, coverage, report_model
from loopconf.report_model import CODES, LABELS, NOT_PASSING, STATUSES, pct_text

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("loopconf", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
_COMPILED = cache.folder("templates")  # compiled once, not at every run (keyed by the template's source)
if _COMPILED:
    _ENV.bytecode_cache = jinja2.FileSystemBytecodeCache(_COMPILED)
_ENV.filters["pct"] = pct_text

#: Short cell labels in the matrix (full labels in the legend and chips).
SHORT = {
    "pass": "pass",
    "regression": "regr",
    "fail": "fail",
    "timeout": "timeout",
    "crash": "crash",
    "error": "error",
    "expected": "xfail",
    "xpass": "xpass",
    "flaky": "flaky",
    "missing": "missing",
    "blocked": "blocked",
    "skip": "skip",
    "none": "—",
}


def _asset(name: str) -> Markup:
    return Markup(resources.files("loopconf").joinpath("templates", name).read_text(encoding="utf-8"))


def _json(data) -> Markup:
    """JSON safe inside <script type="application/json">."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return Markup(
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _filter_hash(**state) -> str:
    from urllib.parse import quote

    parts = [f"{k}={quote(str(v), safe=',.:*')}" for k, v in state.items() if v]
    return "#" + "&".join(parts)


_ENV.globals["fhash"] = _filter_hash


def render(results, expectations=None, *, index_rows=None, labels=None, title=None, tracebacks=True) -> str:
    """The page for one Results (one or many loops). ``expectations``: whether an expectations
    file was applied (None: inferred from the run); without one, failures read "fail"."""
    results = report_model.load(results)
    model = report_model.build(results, expectations=expectations, labels=labels)
    payload = report_model.evidence(model, tracebacks=tracebacks)
    payload.update(
        {
            "keys": [loop.key for loop in model["loops"]],
            "labels": model["labels"],
            "codes": model["codes"],
            "names": {code: name for name, (code, _) in STATUSES.items()},
            "short": SHORT,
            "full": LABELS,
            "sections": report_model.SECTIONS,
        }
    )
    run = results.run or {}
    started = datetime.datetime.fromtimestamp(run.get("started", 0) or 0, datetime.timezone.utc)
    pythons = sorted(
        {loop.python for loop in model["loops"] if loop.python}
        | ({run["python"]} if run.get("python") and not index_rows else set())
    )
    template = _ENV.get_template("report.html.j2")
    return template.render(
        m=model,
        run=run,
        started=started.strftime("%Y-%m-%d %H:%M UTC"),
        pythons=pythons,
        index_rows=index_rows,
        title=title or ("loopconf report: " + ", ".join(model["labels"])),
        notes=results.spec_notes,
        coverage=coverage.headline(figures) if index_rows is None and (figures := coverage.of_run(results)) else "",
        codes=CODES,
        labels=LABELS,
        short=SHORT,
        statuses=list(STATUSES),
        not_passing=NOT_PASSING,
        css=_asset("report.css"),
        js=_asset("report.js"),
        data=_json(payload),
    )


def write(results, path: str, expectations=None) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(render(results, expectations))


# -- the published index --------------------------------------------------------------------------
COMMIT_FILE = "loopconf-commit.txt"


def index_row(folder, data, out_dir) -> dict:
    """One index row from a published report folder and its results.json dict (None: not run)."""
    folder = pathlib.Path(folder)
    rel = lambda name: os.path.relpath(folder / name, out_dir) if (folder / name).exists() else ""  # noqa: E731
    commit = (folder / COMMIT_FILE).read_text().strip() if (folder / COMMIT_FILE).exists() else ""
    row = {
        "folder": folder.name,
        "report": rel("report.html"),
        "deviations": rel("deviations.md"),
        "results": rel("results.json"),
        "commit": commit,
        "key": "",
        "status": "ok",
        "reason": "",
    }
    status_file = folder / "status.json"
    if data is None:
        st = json.loads(status_file.read_text()) if status_file.exists() else {}
        name = st.get("loop", folder.name)
        row.update(
            name=name,
            version=st.get("version") or folder.name[len(name) + 1 :],
            python=st.get("python", ""),
            factory=st.get("factory", ""),
            status="not run",
            reason=st.get("reason", ""),
        )
        return row
    info = (data.get("loops") or [{}])[0]
    key = info.get("key", folder.name)
    cls_pkg = folder.name.rsplit("-", 1)
    name = cls_pkg[0] if len(cls_pkg) == 2 else folder.name
    version = cls_pkg[1] if len(cls_pkg) == 2 else info.get("version", "")
    row.update(name=name, version=version, python=info.get("python", ""), factory=info.get("spec", key), key=key)
    if info.get("status", "ok") != "ok":
        row.update(status="not run", reason=info.get("error", ""))
    return row


def render_index(rows, results_list, out) -> str:
    """Write the published index (``reports/index.html``) and return its HTML.

    rows: one per loop and Python, either ``(folder, results dict or None)`` as
    ``scripts/publish-reports`` collects them, or dicts shaped like :func:`index_row`.
    results_list: the runs to merge into the matrix (Results, results.json dicts or paths), in
    row order; usually the rows' own (trimmed) results. out: the file to write.
    """
    out = pathlib.Path(out)
    out_dir = out.parent
    shaped = [r if isinstance(r, dict) else index_row(r[0], r[1], out_dir) for r in rows]
    runs = [report_model.load(r) for r in results_list]
    # One column per row: re-key every loop by its row label so that the same loop on two
    # Pythons (same --loop key) stays two columns.
    by_key = {}
    for row in shaped:
        row["label"] = f"{row['name']} {row['version']}".strip()
        by_key.setdefault(row.get("key") or row["name"], []).append(row)
    labels_seen = {}
    for row in shaped:
        labels_seen[row["label"]] = labels_seen.get(row["label"], 0) + 1
    for row in shaped:
        if labels_seen[row["label"]] > 1 and row.get("python"):
            row["label"] += f" py{row['python']}"
    pending = {k: list(v) for k, v in by_key.items()}
    for run in runs:
        for loop in run.loops:
            candidates = pending.get(loop.key) or []
            row = next((r for r in candidates if not r.get("python") or r["python"] == loop.python), None)
            if row is None:
                continue
            candidates.remove(row)
            old = loop.key
            loop.key = row["label"]
            for r in run.results:
                if r.loop == old:
                    r.loop = row["label"]
            for f in getattr(run, "loop_findings", []) or []:
                if f.get("loop") == old:
                    f["loop"] = row["label"]
            row["column"] = row["label"]
    merged = report_model.combine(runs) if runs else None
    if merged is None:
        merged = report_model.load({"run": {}, "loops": [], "checks": {}, "results": []})
    model_scores = report_model.build(merged)
    cols = {loop.key: i for i, loop in enumerate(model_scores["loops"])}
    for row in shaped:
        i = cols.get(row.get("column"))
        row["card"] = model_scores["loop_cards"][i] if i is not None else None
        row["loopwide"] = [it for card in model_scores["findings_cards"] if card["index"] == i for it in card["items"]]
    html = render(merged, index_rows=shaped, title="loopconf: published conformance reports", tracebacks=False)
    out.write_text(html, encoding="utf-8")
    return html


def main(argv=None) -> int:
    """``python -m loopconf.report_html REPORTS_DIR``: rebuild REPORTS_DIR/index.html from its
    published folders (each with results.json, or status.json for a loop that did not run)."""
    import argparse

    p = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    p.add_argument("reports")
    p.add_argument("--out", default="")
    args = p.parse_args(argv)
    base = pathlib.Path(args.reports)
    rows, runs = [], []
    for folder in sorted(d for d in base.iterdir() if d.is_dir()):
        if (folder / "results.json").exists():
            data = json.loads((folder / "results.json").read_text())
            rows.append((folder, data))
            runs.append(data)
        elif (folder / "status.json").exists():
            rows.append((folder, None))
    render_index(rows, runs, args.out or base / "index.html")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
