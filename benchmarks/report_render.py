"""How heavy and how fast the HTML reports are: render time, file size, load and interaction in Chromium.

    python benchmarks/report_render.py [--checks 1000] [--loops 3]   # synthetic results
    python benchmarks/report_render.py --published [--browser]       # 3 published loops + the index

Synthetic: every tenth result fails with a 2 kB traceback, so the HTML carries realistic evidence.
Published: reports/{asyncio,uvloop,rloop}/results.json merged into one report (3 loops x the full
suite), and reports/index.html rebuilt from every published folder (render_index).
Targets (issue 19): report.html for 3 loops x the full suite under 1.5 MB and interactive in under
1 s in Chromium on this machine. "Interactive" = the page's script has finished wiring (it stamps
``data-ready`` with performance.now() on <html>); "load" = Playwright's load event.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import tempfile
import time

from loopconf import report_html, report_junit, report_model
from loopconf.checks import SECTIONS
from loopconf.expectations import apply
from loopconf.results import LoopInfo, Result, Results

REPO = pathlib.Path(__file__).resolve().parent.parent
THREE = ("asyncio-3.11.7", "uvloop-0.23.0", "rloop-0.5.0")


def synthetic(n_checks: int, n_loops: int) -> Results:
    sections = [s for s in SECTIONS if s.startswith("19.5.1.")]
    checks = {}
    for i in range(n_checks):
        section = sections[i % len(sections)]
        cid = f"area{i % 16}.method{i % 40}.guarantee{i}"
        checks[cid] = {
            "id": cid,
            "section": section,
            "section_title": SECTIONS[section],
            "method": f"method{i % 40}",
            "requirement": "A requirement stated in our own words " * 2,
            "level": ("MUST", "SHOULD", "INFO")[i % 3 if i % 7 == 0 else 0],
            "anchor": f"asyncio.AbstractEventLoop.method{i % 40}",
            "docs_url": "https://docs.python.org/",
            "versions": "",
            "docs": "3.7",
            "platforms": [],
            "note": "",
            "handler_calls": False,
        }
    loops = [
        LoopInfo(key=f"loop{j}", spec=f"pkg{j}:factory", cls=f"pkg{j}.Loop", version="1.0") for j in range(n_loops)
    ]
    results = []
    for j, loop in enumerate(loops):
        for i, cid in enumerate(checks):
            failing = (i + j) % 10 == 0
            results.append(
                Result(
                    loop=loop.key,
                    check_id=cid,
                    nodeid=f"sec.py::test_{i}",
                    outcome="fail" if failing else "pass",
                    duration=0.01,
                    message=f"observed something else ({i})" if failing else "",
                    expected=[1, 2, 3] if failing else None,
                    observed=[3, 2, 1] if failing else None,
                    traceback=(f"Traceback line {i}\n" * 140) if failing else "",
                    reproducer=f"loopconf run --loop {loop.spec} --check {cid} -n 0",
                )
            )
    res = Results(
        run={
            "python": "3.11.7",
            "sys_platform": "linux",
            "spec": "asyncio-eventloop-3.7",
            "loopconf_version": "0",
            "platform": "linux",
            "started": time.time(),
            "finished": time.time(),
            "duration": 1.0,
            "python_implementation": "CPython",
        },
        loops=loops,
        checks=checks,
        results=results,
    )
    apply(res, [])
    return res


def timed(label: str, func, path: str, note: str = "") -> None:
    start = time.perf_counter()
    func(path)
    elapsed = time.perf_counter() - start
    print(f"{label:24} render {elapsed:5.2f} s  {os.path.getsize(path) / 1e6:6.2f} MB  {note}")


def published(tmp: str, browser: bool) -> None:
    runs = [json.loads((REPO / "reports" / name / "results.json").read_text()) for name in THREE]
    report = os.path.join(tmp, "report.html")
    timed(
        "report.html (3 loops)",
        lambda p: report_html.write(report_model.combine(runs), p),
        report,
        f"{', '.join(THREE)} x {len(runs[0]['results'])} checks",
    )
    out = pathlib.Path(tmp) / "reports"
    rows, datas = [], []
    for folder in sorted(d for d in (REPO / "reports").iterdir() if (d / "results.json").exists()):
        shutil.copytree(folder, out / folder.name)
        data = json.loads((folder / "results.json").read_text())
        rows.append((out / folder.name, data))
        datas.append(data)
    index = str(out / "index.html")
    timed("index.html (published)", lambda p: report_html.render_index(rows, datas, p), index, f"{len(rows)} loops")
    if browser:
        browser_timings(report, "#loop=uvloop:new_event_loop&st=fail")
        browser_timings(index, "#loop=uvloop%200.23.0&st=bad")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=1000)
    parser.add_argument("--loops", type=int, default=3)
    parser.add_argument("--published", action="store_true", help="3 published loops and the published index")
    parser.add_argument(
        "--browser",
        action="store_true",
        help="also time loading and filtering the page in headless Chromium (needs playwright)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.published:
            published(tmp, args.browser)
            return
        res = synthetic(args.checks, args.loops)
        for name, write in (
            ("results.json", res.write),
            ("report.html", lambda p: report_html.write(res, p)),
            ("junit.xml", lambda p: report_junit.write(res, p)),
        ):
            timed(name, write, os.path.join(tmp, name), f"({args.checks} checks x {args.loops} loops)")
        if args.browser:
            browser_timings(os.path.join(tmp, "report.html"), "#q=guarantee99")


def browser_timings(path: str, fragment: str, runs: int = 3) -> None:
    from playwright.sync_api import sync_playwright

    name = os.path.basename(path)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        loads, ready, filters, shared = [], [], [], []
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            start = time.perf_counter()
            page.goto(pathlib.Path(path).as_uri(), wait_until="load")
            loads.append(time.perf_counter() - start)
            ready.append(float(page.get_attribute("html", "data-ready")) / 1000)
            start = time.perf_counter()
            page.locator(".chip[data-st='fail']").click()
            page.locator("#count").inner_text()
            filters.append(time.perf_counter() - start)
            page.close()
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            start = time.perf_counter()
            page.goto(pathlib.Path(path).as_uri() + fragment, wait_until="load")
            shared.append(time.perf_counter() - start)
            page.close()
        browser.close()
    best = min
    print(
        f"  {name:22} browser: load {best(loads):5.2f} s, interactive at {best(ready):5.2f} s "
        f"(performance.now), status filter {best(filters) * 1000:4.0f} ms, shared link {best(shared):5.2f} s "
        f"(best of {runs})"
    )


if __name__ == "__main__":
    main()
