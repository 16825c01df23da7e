"""The HTML report: one self-contained file (no network), readable from disk.

Rendered with jinja2 and autoescaping: every string that came from a loop or a traceback is
escaped, so a loop whose exception message contains markup cannot run script in the report.
"""

from __future__ import annotations

import collections
import datetime

import jinja2

from loopconf.checks import SECTIONS
from loopconf.report_terminal import COLUMNS, score
from loopconf.results import section_order

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("loopconf", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(results) -> str:
    loops = [loop for loop in results.loops]
    table = results.by_check()
    checks = sorted(table, key=lambda cid: (section_order(results.meta(cid).get("section", "")), cid))
    rows = []
    for cid in checks:
        meta = results.meta(cid)
        cells = table[cid]
        rows.append({"id": cid, "meta": meta, "cells": [cells.get(loop.key) for loop in loops],
                     "outcomes": " ".join(sorted({r.outcome for r in cells.values()}))})
    by_method = collections.OrderedDict()
    for row in rows:
        key = (row["meta"].get("section", ""), row["meta"].get("method", ""))
        entry = by_method.setdefault(key, [collections.Counter() for _ in loops])
        for i, cell in enumerate(row["cells"]):
            if cell is not None:
                entry[i][cell.outcome] += 1
    sections = sorted({row["meta"].get("section", "") for row in rows}, key=section_order)
    run = results.run
    started = datetime.datetime.fromtimestamp(run.get("started", 0), datetime.timezone.utc)
    template = _ENV.get_template("report.html.j2")
    return template.render(
        run=run, started=started.strftime("%Y-%m-%d %H:%M:%S UTC"), loops=loops, rows=rows,
        scores=[score(results, loop.key) for loop in loops], by_method=by_method,
        sections=sections, section_titles=SECTIONS, outcomes=COLUMNS, notes=results.spec_notes,
    )


def write(results, path: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(render(results))
