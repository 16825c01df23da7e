"""How long the reports take to render for a large run: N checks x L loops (synthetic results).

    python benchmarks/report_render.py [--checks 1000] [--loops 3]

Every tenth result fails with a 2 kB traceback, so the HTML carries realistic evidence.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from loopconf import report_html, report_junit
from loopconf.checks import SECTIONS
from loopconf.expectations import apply
from loopconf.results import LoopInfo, Result, Results


def synthetic(n_checks: int, n_loops: int) -> Results:
    sections = [s for s in SECTIONS if s.startswith("19.5.1.")]
    checks = {}
    for i in range(n_checks):
        section = sections[i % len(sections)]
        cid = f"area{i % 16}.method{i % 40}.guarantee{i}"
        checks[cid] = {"id": cid, "section": section, "section_title": SECTIONS[section],
                       "method": f"method{i % 40}", "requirement": "A requirement stated in our own words " * 2,
                       "level": ("MUST", "SHOULD", "INFO")[i % 3 if i % 7 == 0 else 0],
                       "anchor": f"asyncio.AbstractEventLoop.method{i % 40}", "docs_url": "https://docs.python.org/",
                       "versions": "", "docs": "3.7", "platforms": [], "note": "", "handler_calls": False}
    loops = [LoopInfo(key=f"loop{j}", spec=f"pkg{j}:factory", cls=f"pkg{j}.Loop", version="1.0") for j in range(n_loops)]
    results = []
    for j, loop in enumerate(loops):
        for i, cid in enumerate(checks):
            failing = (i + j) % 10 == 0
            results.append(Result(loop=loop.key, check_id=cid, nodeid=f"sec.py::test_{i}",
                                  outcome="fail" if failing else "pass", duration=0.01,
                                  message="observed something else" if failing else "",
                                  expected=[1, 2, 3] if failing else None, observed=[3, 2, 1] if failing else None,
                                  traceback=("Traceback line\n" * 140) if failing else "",
                                  reproducer=f"loopconf run --loop {loop.spec} --check {cid} -n 0"))
    res = Results(run={"python": "3.11.7", "sys_platform": "linux", "spec": "asyncio-eventloop-3.7",
                       "loopconf_version": "0", "platform": "linux", "started": time.time(),
                       "finished": time.time(), "duration": 1.0, "python_implementation": "CPython"},
                  loops=loops, checks=checks, results=results)
    apply(res, [])
    return res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=1000)
    parser.add_argument("--loops", type=int, default=3)
    parser.add_argument("--browser", action="store_true",
                        help="also time loading and filtering the page in headless Chromium (needs playwright)")
    args = parser.parse_args()
    res = synthetic(args.checks, args.loops)
    with tempfile.TemporaryDirectory() as tmp:
        for name, write in (("results.json", res.write), ("report.html", lambda p: report_html.write(res, p)),
                            ("junit.xml", lambda p: report_junit.write(res, p))):
            path = os.path.join(tmp, name)
            start = time.perf_counter()
            write(path)
            elapsed = time.perf_counter() - start
            print(f"{name:13} {elapsed:6.2f} s  {os.path.getsize(path) / 1e6:6.2f} MB "
                  f"({args.checks} checks x {args.loops} loops)")
        if args.browser:
            browser_timings(os.path.join(tmp, "report.html"))


def browser_timings(path: str) -> None:
    import pathlib
    import shutil

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        start = time.perf_counter()
        page.goto(pathlib.Path(path).as_uri(), wait_until="load")
        print(f"browser load  {time.perf_counter() - start:6.2f} s")
        start = time.perf_counter()
        page.fill("#search", "guarantee99")
        page.wait_for_function("document.getElementById('count').textContent.startsWith('11 of')")
        print(f"browser filter{time.perf_counter() - start:6.2f} s (search box, all rows re-evaluated)")
        browser.close()


if __name__ == "__main__":
    main()
