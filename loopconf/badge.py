"""A status badge in shields.io's endpoint format (``--badge FILE``).

Publish the file anywhere reachable (a gist, GitHub Pages) and point
``https://img.shields.io/endpoint?url=...`` at it. The badge shows the MUST score of the run and
is red on a regression, green when every applicable MUST check passed, yellow when the run
passes only thanks to the expectations file, grey when nothing (or not everything) ran.
"""

from __future__ import annotations

import json

from loopconf.report_terminal import score


def make(results, label: str = "asyncio conformance") -> dict:
    ran = [loop for loop in results.loops if loop.status == "ok"]
    if not ran:
        return {"schemaVersion": 1, "label": label, "message": "not run", "color": "lightgrey", "isError": True}
    scores = [score(results, loop.key) for loop in ran]
    regressions = sum(s["regressions"] for s in scores)
    if len(ran) == 1:
        s = scores[0]
        message = f"MUST {s['must_pass']}/{s['must_applicable']}"
    else:
        clean = sum(s["must_pass"] == s["must_applicable"] for s in scores)
        message = f"{clean}/{len(ran)} loops pass every MUST check"
    if regressions:
        message += f", {regressions} regression{'s' if regressions != 1 else ''}"
        color = "red"
    elif all(s["must_pass"] == s["must_applicable"] for s in scores):
        color = "brightgreen"
    else:
        color = "yellow"
    if results.run.get("incomplete") or len(ran) != len(results.loops):
        message += " (incomplete)"
        color = "lightgrey" if not regressions else color
    return {"schemaVersion": 1, "label": label, "message": message, "color": color}


def write(results, path: str, label: str = "asyncio conformance") -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(make(results, label), f, indent=1)
        f.write("\n")
