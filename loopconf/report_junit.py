"""JUnit XML: one <testsuite> per loop and spec section, one <testcase> per check.

The XML agrees with the exit code: a test case is a ``<failure>``/``<error>`` exactly when its
verdict gates the run, so a CI test viewer is red exactly when the job is.

==================  ==========================================================================
verdict             JUnit
==================  ==========================================================================
ok (pass)           plain test case
ok (skip)           ``<skipped>`` with the reason the check does not apply
regression          ``<failure type="regression">`` (``<error>`` for crash/error outcomes)
expected            ``<skipped type="expected">``, message: the expected outcome and its reason
unexpected-pass     plain test case plus ``<system-out>`` saying so; ``<failure
                    type="unexpected-pass">`` with ``--strict-expectations``
non-strict          ``<skipped type="non-strict">`` (SHOULD); ``<failure>`` with ``--strict``
info                ``<skipped type="info">`` (INFO checks never gate)
flaky               ``<failure type="flaky">`` (never silently ok)
==================  ==========================================================================

Every test case carries properties: level, method, anchor, requirement, docs_url, outcome,
verdict and, for listed checks, the expectation and its reason.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

from loopconf.results import section_order

_ERROR_OUTCOMES = ("crash", "error")


def _gating(strict: bool, strict_expectations: bool) -> set:
    gating = {"regression", "flaky"}
    if strict:
        gating.add("non-strict")
    if strict_expectations:
        gating.add("unexpected-pass")
    return gating


def _evidence(r, meta) -> str:
    return _clean(
        "\n".join(
            p
            for p in (
                f"requirement: {meta.get('requirement', '')}",
                f"clause: {meta.get('section', '')} {meta.get('method', '')} ({meta.get('docs_url', '')})",
                f"expected: {r.expected!r}" if r.expected is not None else "",
                f"observed: {r.observed!r}" if r.observed is not None else "",
                f"reproduce: {r.reproducer}" if r.reproducer else "",
                r.traceback,
            )
            if p
        )
    )


def _case_body(case, r, meta, gating: set) -> str:
    """Add the child element for ``r``; return what it counts as: '', failure, error or skipped."""
    verdict = r.verdict or ("ok" if r.outcome in ("pass", "skip") else "regression")
    level = meta.get("level", "MUST")
    if verdict in gating:
        if verdict == "unexpected-pass":
            kind, message = (
                "failure",
                (
                    f"unexpected pass: listed as expected {r.expectation}, but it passed; "
                    "remove the entry from the expectations file"
                ),
            )
        else:
            kind = "error" if r.outcome in _ERROR_OUTCOMES else "failure"
            message = f"{verdict} ({level} {r.outcome}): {r.message}"
        el = ET.SubElement(case, kind, type=verdict, message=_clean(message))
        el.text = _evidence(r, meta)
        return kind
    if verdict == "expected":
        reason = f" ({r.reason})" if r.reason else ""
        ET.SubElement(
            case, "skipped", type="expected", message=_clean(f"expected {r.outcome}{reason}: {r.message}")
        ).text = _evidence(r, meta)
        return "skipped"
    if verdict in ("non-strict", "info"):
        why = "SHOULD check, gates only with --strict" if verdict == "non-strict" else "INFO check, never gates"
        ET.SubElement(
            case, "skipped", type=verdict, message=_clean(f"{r.outcome} ({why}): {r.message}")
        ).text = _evidence(r, meta)
        return "skipped"
    if verdict == "blocked":
        ET.SubElement(
            case,
            "skipped",
            type="blocked",
            message=_clean(f"blocked by {r.blocked_by or 'another check'}: {r.message}"),
        ).text = _evidence(r, meta)
        return "skipped"
    if r.outcome == "skip":
        ET.SubElement(case, "skipped", message=_clean(r.message))
        return "skipped"
    if verdict == "unexpected-pass":
        ET.SubElement(case, "system-out").text = _clean(
            f"unexpected pass: listed as expected {r.expectation}, but it passed; "
            "remove the entry from the expectations file"
        )
    return ""


def write(results, path: str, *, strict: bool = False, strict_expectations: bool = False) -> None:
    gating = _gating(strict, strict_expectations)
    root = ET.Element("testsuites", name="loopconf")
    for loop in results.loops:
        recs = sorted(
            results.for_loop(loop.key),
            key=lambda r: (section_order(results.meta(r.check_id).get("section", "")), r.check_id),
        )
        for section, group in itertools.groupby(recs, key=lambda r: results.meta(r.check_id).get("section", "")):
            group = list(group)
            suite = ET.SubElement(root, "testsuite", name=f"{loop.key} {section}", tests=str(len(group)))
            counts = {"failure": 0, "error": 0, "skipped": 0}
            for r in group:
                meta = results.meta(r.check_id)
                case = ET.SubElement(
                    suite, "testcase", classname=f"{loop.key}.{section}", name=r.check_id, time=f"{r.duration:.3f}"
                )
                props = ET.SubElement(case, "properties")
                for key in ("level", "method", "anchor", "requirement", "docs_url"):
                    ET.SubElement(props, "property", name=key, value=_clean(meta.get(key, "")))
                ET.SubElement(props, "property", name="outcome", value=r.outcome)
                ET.SubElement(props, "property", name="verdict", value=r.verdict)
                if r.expectation:
                    ET.SubElement(props, "property", name="expectation", value=_clean(r.expectation))
                    ET.SubElement(props, "property", name="reason", value=_clean(r.reason))
                kind = _case_body(case, r, meta, gating)
                if kind:
                    counts[kind] += 1
            suite.set("failures", str(counts["failure"]))
            suite.set("errors", str(counts["error"]))
            suite.set("skipped", str(counts["skipped"]))
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _clean(text) -> str:
    """Drop characters XML 1.0 cannot carry (control characters from loop output)."""
    return "".join(c for c in str(text) if c in "\t\n\r" or ord(c) >= 0x20)
