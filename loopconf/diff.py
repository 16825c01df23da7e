"""Compare two runs: regressions, fixes, new and removed checks (``loopconf diff``)."""

from __future__ import annotations

PASSING = ("pass", "skip")


def compare(old, new) -> dict:
    """Per (loop, check) changes between two Results; loops are matched by key."""
    before = {(r.loop, r.check_id): r.outcome for r in old.results}
    after = {(r.loop, r.check_id): r.outcome for r in new.results}
    out = {"regressions": [], "fixes": [], "changed": [], "new": [], "removed": []}
    for key in sorted(set(before) | set(after)):
        loop, cid = key
        a, b = before.get(key), after.get(key)
        entry = {"loop": loop, "check": cid, "old": a, "new": b}
        if a is None:
            out["new"].append(entry)
        elif b is None:
            out["removed"].append(entry)
        elif a == b:
            continue
        elif a in PASSING and b not in PASSING:
            out["regressions"].append(entry)
        elif a not in PASSING and b in PASSING:
            out["fixes"].append(entry)
        else:
            out["changed"].append(entry)
    return out


def print_diff(changes: dict) -> None:
    titles = {
        "regressions": "Regressions",
        "fixes": "Fixes",
        "changed": "Changed outcome",
        "new": "New checks",
        "removed": "Removed checks",
    }
    for kind, title in titles.items():
        entries = changes[kind]
        print(f"{title}: {len(entries)}")
        for e in entries:
            print(f"  {e['loop']}  {e['check']}: {e['old'] or '-'} -> {e['new'] or '-'}")
