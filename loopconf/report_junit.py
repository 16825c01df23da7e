"""JUnit XML: one <testsuite> per loop and spec section, one <testcase> per check."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

from loopconf.results import section_order

_FAILING = {"fail": "failure", "timeout": "failure", "crash": "error", "error": "error", "missing": "failure"}


def write(results, path: str) -> None:
    root = ET.Element("testsuites", name="loopconf")
    for loop in results.loops:
        recs = sorted(results.for_loop(loop.key), key=lambda r: (section_order(results.meta(r.check_id).get("section", "")), r.check_id))
        for section, group in itertools.groupby(recs, key=lambda r: results.meta(r.check_id).get("section", "")):
            group = list(group)
            suite = ET.SubElement(root, "testsuite", name=f"{loop.key} {section}",
                                  tests=str(len(group)),
                                  failures=str(sum(r.outcome in ("fail", "timeout", "missing") for r in group)),
                                  errors=str(sum(r.outcome in ("crash", "error") for r in group)),
                                  skipped=str(sum(r.outcome == "skip" for r in group)))
            for r in group:
                meta = results.meta(r.check_id)
                case = ET.SubElement(suite, "testcase", classname=f"{loop.key}.{section}",
                                     name=r.check_id, time=f"{r.duration:.3f}")
                props = ET.SubElement(case, "properties")
                for key in ("level", "method", "anchor", "requirement"):
                    ET.SubElement(props, "property", name=key, value=str(meta.get(key, "")))
                ET.SubElement(props, "property", name="verdict", value=r.verdict)
                if r.outcome == "skip":
                    ET.SubElement(case, "skipped", message=_clean(r.message))
                elif r.outcome in _FAILING:
                    el = ET.SubElement(case, _FAILING[r.outcome], type=r.outcome, message=_clean(r.message))
                    el.text = _clean("\n".join(p for p in (
                        f"requirement: {meta.get('requirement', '')}",
                        f"expected: {r.expected!r}" if r.expected is not None else "",
                        f"observed: {r.observed!r}" if r.observed is not None else "",
                        f"reproduce: {r.reproducer}", r.traceback) if p))
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _clean(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (control characters from loop output)."""
    return "".join(c for c in str(text) if c in "\t\n\r" or ord(c) >= 0x20)
