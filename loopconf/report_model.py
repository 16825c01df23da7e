"""Report data shaping: what the HTML report shows, computed from a Results model.

Pure functions, no HTML: display status per cell, the "needs attention" groups (regressions, then
failures grouped by root cause), loop-wide finding cards, the section x loop heat-map and the
compact per-check evidence the page renders on demand. Reads schema 1 and schema 2 records alike:
every schema-2 field (findings, attributed_to, blocked_by, outcomes_seen, reruns, loop_findings) is
optional here.
"""

from __future__ import annotations

import collections
import dataclasses
import re

from loopconf.checks import SECTIONS
from loopconf.results import LoopInfo, Result, Results, merge, section_order

# Display status of one check x loop cell: (code used in the page's data, label, CSS class).
STATUSES = {
    "pass": ("p", "pass"),
    "regression": ("r", "regression"),
    "fail": ("f", "fail"),
    "timeout": ("t", "timeout"),
    "crash": ("c", "crash"),
    "error": ("E", "error"),
    "expected": ("e", "expected fail"),
    "xpass": ("x", "unexpected pass"),
    "flaky": ("y", "flaky"),
    "missing": ("m", "missing"),
    "blocked": ("b", "blocked"),
    "skip": ("s", "skipped"),
    "none": ("-", "not run"),
}
CODES = {name: code for name, (code, _) in STATUSES.items()}
LABELS = {name: label for name, (_, label) in STATUSES.items()}
NOT_PASSING = ("regression", "fail", "timeout", "crash", "error", "missing", "blocked", "flaky", "xpass")
INVARIANT_PREFIX = "invariant broken after the check:"
_TB_SEPARATOR = re.compile(r"^(_ ){3,}_?\s*$")
_TB_LOCATION = re.compile(r"^(?P<path>\S.*?):(?P<line>\d+): (?P<exc>[\w.]+)$")
_OWN_FRAME = re.compile(r"(^|/)loopconf/[\w/]+\.py$")


def expectations_used(results, explicit=None) -> bool:
    """Was an expectations file applied? Without one, a failure is a "fail", not a "regression"."""
    if explicit is not None:
        return bool(explicit)
    run = results.run or {}
    if run.get("expect") or run.get("expectations"):
        return True
    if any(a == "--expect" or str(a).startswith("--expect=") for a in run.get("argv") or []):
        return True
    return any(getattr(r, "expectation", "") for r in results.results)


def status(r, level: str = "MUST", gated: bool = False) -> str:
    """The display status of a record (see STATUSES)."""
    verdict, outcome = getattr(r, "verdict", ""), r.outcome
    if verdict == "flaky":
        return "flaky"
    if verdict == "unexpected-pass":
        return "xpass"
    if verdict == "expected":
        return "expected"
    if outcome in ("pass", "skip", "missing", "blocked"):
        return outcome
    if gated and verdict == "regression":
        return "regression"
    return outcome if outcome in STATUSES else "fail"


def normalise_message(message: str) -> str:
    """The grouping key of a failure message: first line, numbers and addresses blanked."""
    line = (message or "").strip().splitlines()[0] if (message or "").strip() else ""
    line = re.sub(r"0x[0-9a-fA-F]+", "0x…", line)
    line = re.sub(r"\d+(\.\d+)?", "#", line)
    return line[:300]


def first_line(message: str, limit: int = 240) -> str:
    text = (message or "").strip().splitlines()[0] if (message or "").strip() else ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_traceback(text: str):
    """Drop loopconf's own helper frames from a pytest traceback, keeping the error lines.

    Returns (shown text, [hidden frame locations]). The check's frames (suites/) and the loop's
    stay; a frame in a loopconf module (evidence helpers, fixtures) is replaced by its ``E`` lines.
    When every frame is loopconf's (e.g. a fixture's invariant check), nothing is hidden.
    """
    if not text:
        return "", []
    chunks, current = [], []
    for line in text.splitlines():
        if _TB_SEPARATOR.match(line):
            chunks.append(current)
            current = []
        else:
            current.append(line)
    chunks.append(current)
    kept, hidden = [], []
    for chunk in chunks:
        loc = next((m for m in map(_TB_LOCATION.match, reversed(chunk)) if m), None)
        if loc and _OWN_FRAME.search(loc.group("path")) and "/suites/" not in loc.group("path"):
            name = loc.group("path").split("loopconf/", 1)[-1]
            hidden.append(f"loopconf/{name}:{loc.group('line')}")
            errors = [line for line in chunk if line.startswith("E ")]
            if kept and errors:
                kept[-1] = kept[-1] + errors
            elif errors:
                kept.append(errors)
            continue
        kept.append(chunk)
    if not hidden or not any(any(not line.startswith("E ") for line in c if line.strip()) for c in kept):
        return text, []
    return "\n_ _ _\n".join("\n".join(c).strip("\n") for c in kept), hidden


# -- loading --------------------------------------------------------------------------------------
_RESULT_FIELDS = {f.name for f in dataclasses.fields(Result)}
_LOOP_FIELDS = {f.name for f in dataclasses.fields(LoopInfo)}


def load(data) -> Results:
    """A Results from a Results, a results.json dict (schema 1 or 2) or a path to one.

    Schema-2 fields that the Results classes do not declare are kept as attributes.
    """
    if isinstance(data, Results):
        return data
    if not isinstance(data, dict):
        import json

        with open(data) as f:
            data = json.load(f)
    results = []
    for d in data.get("results", []):
        r = Result(**{k: v for k, v in d.items() if k in _RESULT_FIELDS})
        for k, v in d.items():
            if k not in _RESULT_FIELDS:
                setattr(r, k, v)
        results.append(r)
    res = Results(
        run=data.get("run", {}),
        loops=[LoopInfo(**{k: v for k, v in d.items() if k in _LOOP_FIELDS}) for d in data.get("loops", [])],
        checks=data.get("checks", {}),
        results=results,
        spec_notes=data.get("spec_notes", []),
    )
    res.loop_findings = list(data.get("loop_findings", []))
    return res


def combine(many: list) -> Results:
    """Merge several runs for one page (loop_findings kept)."""
    many = [load(m) for m in many]
    if len(many) == 1:
        return many[0]
    merged = merge(many)
    merged.loop_findings = [f for res in many for f in getattr(res, "loop_findings", [])]
    return merged


# -- the page model -------------------------------------------------------------------------------
@dataclasses.dataclass
class Group:
    """Failures sharing one root cause."""

    kind: str  # "message" | "method" | "blocked" | "single" | "xpass" | "flaky"
    title: str
    members: list  # [(check_id, loop_index, status, level)]
    levels: collections.Counter = dataclasses.field(default_factory=collections.Counter)

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def loops(self) -> list:
        return sorted({m[1] for m in self.members})


def build(results, *, expectations=None, labels=None) -> dict:
    """Everything the template needs. ``labels``: {loop key: column label} (default: the key)."""
    gated = expectations_used(results, expectations)
    loops = list(results.loops)
    index = {loop.key: i for i, loop in enumerate(loops)}
    labels = labels or {}
    table = results.by_check()
    check_ids = sorted(table, key=lambda cid: (section_order(results.meta(cid).get("section", "")), cid))
    rows, statuses, counts = [], [], collections.Counter()
    for cid in check_ids:
        meta = results.meta(cid)
        level = meta.get("level", "MUST")
        cells = []
        for loop in loops:
            r = table[cid].get(loop.key)
            st = status(r, level, gated) if r is not None else "none"
            cells.append((st, r))
            counts[st] += 1
        rows.append(
            {
                "id": cid,
                "meta": meta,
                "level": level,
                "section": meta.get("section", ""),
                "method": meta.get("method", ""),
                "cells": cells,
            }
        )
        statuses.append("".join(CODES[st] for st, _ in cells))

    sections = sorted({row["section"] for row in rows}, key=section_order)
    heat = _heatmap(rows, sections, loops)
    loop_cards = _loop_cards(results, rows, loops, sections, heat, labels)
    findings_cards, explained = _loop_findings(results, rows, loops, index)
    regressions, others = [], []
    for row in rows:
        for i, (st, r) in enumerate(row["cells"]):
            if r is None or st in ("pass", "skip", "expected", "none") or (row["id"], i) in explained:
                continue
            item = (row, i, st, r)
            (regressions if gated and r.verdict == "regression" else others).append(item)
    attention = []
    if regressions:
        attention.append(("Regressions", "gating failures not listed in the expectations file", _group(regressions)))
    xpass = [item for item in others if item[2] == "xpass"]
    flaky = [item for item in others if item[2] == "flaky"]
    rest = [item for item in others if item[2] not in ("xpass", "flaky")]
    if flaky:
        attention.append(
            (
                "Flaky",
                "the outcome changed between repeats in this run",
                [_make_group("flaky", "outcome differed between repeats", flaky)],
            )
        )
    if xpass:
        attention.append(
            (
                "Unexpected passes",
                "listed as expected failures, but they pass: remove them from the expectations file",
                [_make_group("xpass", "listed as expected to fail, now passes", xpass)],
            )
        )
    if rest:
        note = "grouped by root cause: identical message, blocking check, then same method"
        attention.append(("Other failures" if regressions else "Failures", note, _group(rest)))
    return {
        "gated": gated,
        "loops": loops,
        "labels": [labels.get(loop.key, loop.key) for loop in loops],
        "rows": rows,
        "codes": statuses,
        "counts": counts,
        "sections": sections,
        "section_titles": SECTIONS,
        "heat": heat,
        "loop_cards": loop_cards,
        "findings_cards": findings_cards,
        "attention": attention,
        "attention_total": sum(len(g.members) for _, _, groups in attention for g in groups),
    }


def _heatmap(rows, sections, loops) -> dict:
    """{(section, loop index): {"must": (pass, applicable), "should": (...), "bad": n}} plus totals."""
    heat = collections.defaultdict(lambda: {"must": [0, 0], "should": [0, 0], "bad": 0, "n": 0})
    for row in rows:
        for i, (st, r) in enumerate(row["cells"]):
            if r is None:
                continue
            for key in ((row["section"], i), ("*", i)):
                cell = heat[key]
                cell["n"] += 1
                if st in NOT_PASSING and st != "xpass":
                    cell["bad"] += 1
                if r.outcome == "skip":
                    continue
                level = row["level"].lower()
                if level in ("must", "should"):
                    cell[level][1] += 1
                    cell[level][0] += r.outcome == "pass"
    for cell in heat.values():
        for level in ("must", "should"):
            p, a = cell[level]
            cell[level + "_pct"] = (100.0 * p / a) if a else None
        cell["band"] = band(cell["must_pct"] if cell["must_pct"] is not None else cell["should_pct"])
    return dict(heat)


def band(pct) -> str:
    """A colour band for a pass percentage (CSS class suffix)."""
    if pct is None:
        return "na"
    if pct >= 100:
        return "100"
    if pct >= 95:
        return "95"
    if pct >= 80:
        return "80"
    if pct >= 50:
        return "50"
    if pct > 0:
        return "1"
    return "0"


def pct_text(pct) -> str:
    if pct is None:
        return "–"
    if pct >= 100:
        return "100%"
    return f"{min(pct, 99.9):.1f}%" if pct >= 10 else f"{pct:.1f}%"


def _loop_cards(results, rows, loops, sections, heat, labels) -> list:
    cards = []
    for i, loop in enumerate(loops):
        counts = collections.Counter(row["cells"][i][0] for row in rows if row["cells"][i][1] is not None)
        total = heat.get(("*", i)) or {
            "must": [0, 0],
            "should": [0, 0],
            "bad": 0,
            "n": 0,
            "must_pct": None,
            "should_pct": None,
            "band": "na",
        }
        bars = [
            (
                s,
                heat[(s, i)]["must_pct"] if heat[(s, i)]["must"][1] else heat[(s, i)]["should_pct"],
                heat[(s, i)]["band"],
            )
            for s in sections
            if (s, i) in heat.keys()
        ]
        cards.append(
            {
                "loop": loop,
                "label": labels.get(loop.key, loop.key),
                "counts": counts,
                "total": total,
                "bars": bars,
                "stack": [(st, counts[st]) for st in STATUSES if counts[st]],
                "n": sum(counts.values()),
                "band": total["band"],
            }
        )
    return cards


def _make_group(kind, title, items) -> Group:
    members = [(row["id"], i, st, row["level"]) for row, i, st, _ in items]
    levels = collections.Counter(row["level"] for row, *_ in items)
    order = {"MUST": 0, "SHOULD": 1, "INFO": 2}
    return Group(
        kind=kind,
        title=title,
        members=members,
        levels=collections.Counter(dict(sorted(levels.items(), key=lambda kv: order.get(kv[0], 3)))),
    )


def _group(items) -> list:
    """Group non-passing cells by root cause: blocking check, identical message, same method."""
    groups, left = [], []
    by_blocker = collections.defaultdict(list)
    for item in items:
        blocker = getattr(item[3], "blocked_by", "") if item[2] == "blocked" else ""
        (by_blocker[blocker].append(item) if item[2] == "blocked" else left.append(item))
    for blocker, members in by_blocker.items():
        title = f"blocked: {blocker} is broken" if blocker else "blocked by another broken API"
        groups.append(_make_group("blocked", title, members))
    by_message = collections.defaultdict(list)
    for item in left:
        msg = normalise_message(item[3].message) if item[3].message else ""
        by_message[(item[2] if item[2] in ("missing", "timeout", "crash") else "", msg)].append(item)
    remaining = []
    for (_, msg), members in by_message.items():
        if msg and len(members) > 1:
            groups.append(_make_group("message", first_line(members[0][3].message), members))
        else:
            remaining.extend(members)
    by_method = collections.defaultdict(list)
    for item in remaining:
        by_method[(item[0]["section"], item[0]["method"])].append(item)
    for (section, method), members in by_method.items():
        if len(members) > 1:
            groups.append(_make_group("method", f"{method} ({section})", members))
        else:
            row, i, st, r = members[0]
            groups.append(_make_group("single", first_line(r.message) or LABELS[st], members))
    level_rank = {"MUST": 0, "SHOULD": 1, "INFO": 2}
    groups.sort(key=lambda g: (min(level_rank.get(m[3], 3) for m in g.members), -len(g.members), g.members[0][0]))
    return groups


def _loop_findings(results, rows, loops, index) -> tuple:
    """One card per loop for loop-wide findings; returns (cards, {(check_id, loop index)} explained).

    Schema 2: the run's ``loop_findings``. Schema 1 (no such field): failures whose message says an
    invariant broke after the check are one loop-wide finding per distinct invariant.
    """
    cards = collections.OrderedDict()
    explained = set()
    for f in getattr(results, "loop_findings", None) or []:
        i = index.get(f.get("loop"))
        if i is None:
            continue
        card = cards.setdefault(i, {"loop": loops[i], "index": i, "items": []})
        seen = list(f.get("seen_in") or [])
        card["items"].append(
            {
                "check": f.get("check_id", ""),
                "kind": f.get("kind", ""),
                "resource": f.get("resource", ""),
                "detail": f.get("detail", ""),
                "seen_in": seen,
                "count": f.get("count", len(seen)),
            }
        )
        explained.update((cid, i) for cid in seen if getattr(_record(rows, cid, i), "attributed_to", ""))
    by_invariant = collections.defaultdict(list)
    for row in rows:
        for i, (st, r) in enumerate(row["cells"]):
            if r is not None and st not in ("pass", "expected") and (r.message or "").startswith(INVARIANT_PREFIX):
                what = r.message[len(INVARIANT_PREFIX) :].strip().split(":", 1)[0]
                by_invariant[(i, what)].append(row["id"])
    for (i, what), seen in by_invariant.items():
        if len(seen) < 2:
            continue
        card = cards.setdefault(i, {"loop": loops[i], "index": i, "items": []})
        card["items"].append(
            {
                "check": "",
                "kind": "invariant",
                "resource": what,
                "detail": f"every one of these checks failed only because this invariant broke "
                f"after it ({what}); the checks themselves are not judged",
                "seen_in": seen,
                "count": len(seen),
            }
        )
        explained.update((cid, i) for cid in seen)
    return list(cards.values()), explained


def _record(rows, cid, i):
    for row in rows:
        if row["id"] == cid:
            return row["cells"][i][1]
    return None


# -- evidence shown on demand ---------------------------------------------------------------------
class Strings:
    """A string table: repeated evidence (identical tracebacks, messages) is stored once."""

    def __init__(self):
        self.items, self._index = [], {}

    def __call__(self, text) -> int:
        text = "" if text is None else str(text)
        if text not in self._index:
            self._index[text] = len(self.items)
            self.items.append(text)
        return self._index[text]


def evidence(model: dict, tracebacks: bool = True) -> dict:
    """The compact JSON payload the page's script reads: statuses, requirement and evidence.

    ``tracebacks=False`` leaves tracebacks out (the published index links each loop's report).
    """
    s = Strings()
    checks, ev = [], {}
    for n, row in enumerate(model["rows"]):
        meta = row["meta"]
        checks.append(
            [
                s(meta.get("requirement", "")),
                s(meta.get("anchor", "")),
                s(meta.get("docs_url", "")),
                s(meta.get("docs", "")),
                s(meta.get("versions", "")),
                s(meta.get("note", "")),
            ]
        )
        cells = []
        for i, (st, r) in enumerate(row["cells"]):
            if r is None or st in ("pass", "skip") and not r.message:
                continue
            tb, hidden = split_traceback(r.traceback or "") if tracebacks else ("", [])
            rec = {"l": i, "d": round(r.duration or 0, 3)}
            for key, value in (
                ("m", r.message),
                ("tb", tb),
                ("rp", r.reproducer if st != "pass" else ""),
                ("x", r.expectation),
                ("rs", r.reason),
                ("v", r.verdict),
                ("bb", getattr(r, "blocked_by", "")),
                ("at", getattr(r, "attributed_to", "")),
            ):
                if value:
                    rec[key] = s(value)
            if r.expected is not None:
                rec["e"] = s(_show(r.expected))
            if r.observed is not None:
                rec["o"] = s(_show(r.observed))
            if hidden:
                rec["h"] = [s(h) for h in hidden]
            if getattr(r, "findings", None):
                rec["f"] = [
                    [s(f.get("kind", "")), s(f.get("resource", "")), s(f.get("detail", ""))] for f in r.findings
                ]
            if getattr(r, "outcomes_seen", None):
                rec["os"] = list(r.outcomes_seen)
            if getattr(r, "reruns", 0):
                rec["rr"] = r.reruns
            cells.append(rec)
        if cells:
            ev[n] = cells
    return {"checks": checks, "ev": ev, "S": s.items}


def _show(value) -> str:
    if isinstance(value, str):
        return value
    return repr(value) if not isinstance(value, (list, dict)) else _compact(value)


def _compact(value) -> str:
    import json

    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)
