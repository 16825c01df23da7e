"""``loopconf explain CHECK_ID``: what one check checks, where the spec says so, where its code is.

Shows the requirement, the clause (section, method, docs anchor and link), the level and the
spec note behind a grading decision, the statements of the docs it covers, the check's source
location, and, with ``--results FILE``, the outcome that file recorded for it per loop.
"""

from __future__ import annotations

import difflib
import re

from loopconf.spec_notes import notes_for


def find(catalogue: list, check_id: str) -> list:
    """Catalogue entries for ``check_id``: the exact ID, or every parameter of a base ID."""
    exact = [e for e in catalogue if e["check_id"] == check_id]
    return exact or [e for e in catalogue if e["meta"]["id"] == check_id]


def suggestions(catalogue: list, check_id: str, n: int = 3) -> list:
    ids = sorted({e["meta"]["id"] for e in catalogue})
    return difflib.get_close_matches(check_id, ids, n=n, cutoff=0.5)


def code_location(nodeid: str) -> str:
    """``<suites>/file.py:LINE (function)`` for a pytest node ID of the suites."""
    from loopconf.runner import suites_dir

    file, _, rest = nodeid.partition("::")
    func = rest.split("[", 1)[0].split("::")[-1]
    path = suites_dir() / file
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return str(path)
    pattern = re.compile(rf"^\s*(async\s+)?def {re.escape(func)}\(")
    for number, line in enumerate(lines, 1):
        if pattern.match(line):
            return f"{path}:{number} ({func})"
    return f"{path} ({func})"


def describe(entries: list, results=None) -> dict:
    """A JSON-able description of one check (all parameters of a base ID share the metadata)."""
    meta = entries[0]["meta"]
    notes = notes_for([meta.get("note")] if meta.get("note") else [])
    info = {
        "id": meta["id"],
        "parameters": [e["check_id"] for e in entries]
        if len(entries) > 1 or entries[0]["check_id"] != meta["id"]
        else [],
        "requirement": meta["requirement"],
        "level": meta["level"],
        "section": meta["section"],
        "section_title": meta.get("section_title", ""),
        "method": meta["method"],
        "anchor": meta.get("anchor", ""),
        "docs": meta.get("docs", ""),
        "docs_url": meta.get("docs_url", ""),
        "versions": meta.get("versions", ""),
        "platforms": meta.get("platforms", []),
        "not_applicable_here": entries[0].get("not_applicable"),
        "spec_note": notes[0] if notes else None,
        "covers": list(meta.get("covers") or ()),
        "code": code_location(entries[0]["nodeid"]),
        "nodeids": [e["nodeid"] for e in entries],
        "recorded": [],
    }
    if results is not None:
        ids = {e["check_id"] for e in entries}
        for r in results.results:
            if r.check_id in ids:
                info["recorded"].append(
                    {
                        "loop": r.loop,
                        "check_id": r.check_id,
                        "outcome": r.outcome,
                        "verdict": r.verdict,
                        "message": r.message,
                        "reproducer": r.reproducer,
                    }
                )
    return info


def render(info: dict, results_path: str = "") -> str:
    out = [
        info["id"],
        "",
        f"  requirement  {info['requirement']}",
        f"  level        {info['level']}",
        f"  clause       {info['section']} {info['section_title']} — {info['method']}"
        f" (docs {info['docs']}, anchor {info['anchor']})",
        f"  docs         {info['docs_url']}",
    ]
    if info["versions"] or info["platforms"]:
        out.append(
            f"  applies to   Python {info['versions'] or 'any'}"
            f"{', on ' + ', '.join(info['platforms']) if info['platforms'] else ''}"
        )
    if info["not_applicable_here"]:
        out.append(f"  here         not applicable: {info['not_applicable_here']}")
    note = info["spec_note"]
    if note:
        out.append(f"  spec note    {note['id']} ({note['clause']})")
        for key in ("doc", "cpython", "decision"):
            out.append(f"    {key + ':':10} {note[key]}")
    if info["covers"]:
        out.append("  covers       " + "\n               ".join(str(c) for c in info["covers"]))
    else:
        out.append("  covers       (no statement list recorded for this check)")
    out.append(f"  code         {info['code']}")
    if info["parameters"]:
        out.append(f"  parameters   {', '.join(info['parameters'])}")
    if results_path:
        if info["recorded"]:
            out.append(f"  recorded in  {results_path}:")
            for rec in info["recorded"]:
                line = f"    {rec['loop']}  {rec['check_id']}: {rec['outcome']} ({rec['verdict'] or 'no verdict'})"
                if rec["message"]:
                    line += f" — {rec['message'].splitlines()[0][:200]}"
                out.append(line)
        else:
            out.append(f"  recorded in  {results_path}: no record of this check")
    return "\n".join(out)
