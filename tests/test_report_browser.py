"""The HTML reports work in a real browser: triage list, heat-map, matrix filters in the URL hash,
sticky column, keyboard, evidence, escaping, no network.

Drives Debian's headless Chromium with Playwright (pointed at /usr/bin/chromium, so nothing is
downloaded). `.ci/run` installs chromium; elsewhere the test is skipped when it is absent.
Screenshots (1400 px and 390 px wide) go to $LOOPCONF_SCREENSHOTS, else a temporary folder.
"""

import json
import os
import pathlib
import re
import shutil
import time
from urllib.parse import unquote

import pytest

from loopconf import report_html, report_model
from tests.report_samples import PUBLISHED, THREE, published, synthetic_v2
from tests.support import loopconf, read_results

HOSTILE = "tests.broken.hostile:HostileMessageLoop"
LIFO = "tests.broken.calls:LifoCallSoonLoop"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BAD = {"regression", "fail", "timeout", "crash", "error", "missing", "blocked", "flaky", "xpass"}


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = os.environ.get("LOOPCONF_SCREENSHOTS")
    path = pathlib.Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A real run: 4 loops (one LIFO, one with markup in its messages), two sections, no expectations."""
    out = tmp_path_factory.mktemp("browser-report")
    proc = loopconf(
        "run",
        "--loop",
        "asyncio",
        "--loop",
        "reference",
        "--loop",
        LIFO,
        "--loop",
        HOSTILE,
        "-n",
        "2",
        "--out",
        str(out),
        "--section",
        "19.5.1.2",
        "--section",
        "19.5.1.16",
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return out


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    """The published asyncio, uvloop and rloop results in one report: 3 loops x the full suite."""
    path = tmp_path_factory.mktemp("three") / "report.html"
    runs = [published(name) for name in THREE]
    path.write_text(report_html.render(report_model.combine(runs)))
    return path, runs


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    path = tmp_path_factory.mktemp("synthetic") / "report.html"
    path.write_text(report_html.render(synthetic_v2()))
    return path


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    """The published index rebuilt from reports/ (14 loops), written next to the report folders' copies."""
    out = tmp_path_factory.mktemp("index")
    rows, runs = [], []
    for folder in sorted(d for d in PUBLISHED.iterdir() if (d / "results.json").exists()):
        copy = out / folder.name
        shutil.copytree(folder, copy)
        data = json.loads((copy / "results.json").read_text())
        rows.append((copy, data))
        runs.append(data)
    report_html.render_index(rows, runs, out / "index.html")
    return out / "index.html", rows


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium package)")
        pytest.skip("chromium is not installed here (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class Page:
    """A page plus everything it tried: script errors, dialogs, requests other than the file itself."""

    def __init__(self, browser, path, width=1400, fragment=""):
        self.page = browser.new_page(viewport={"width": width, "height": 1000})
        self.errors, self.dialogs, self.requests = [], [], []
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", lambda req: self.requests.append(req.url) if not req.url.startswith("file:") else None)
        self.page.goto(pathlib.Path(path).as_uri() + fragment)

    def visible_ids(self):
        return set(self.page.locator("#mx tr.row:not([hidden]) th.cid").all_inner_texts())

    def clean(self):
        assert self.requests == [] and self.dialogs == [] and self.errors == []


def _wait_for(condition, timeout=5.0):
    """Poll (the page's CSP forbids wait_for_function's eval)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met"
        time.sleep(0.05)


def _status(results_dicts, loop_key):
    """{check_id: display status} of one loop, computed the way the page does (no expectations)."""
    model = report_model.build(report_model.combine(results_dicts))
    i = [lp.key for lp in model["loops"]].index(loop_key)
    return {row["id"]: row["cells"][i][0] for row in model["rows"]}


def test_live_report_escapes_and_shows_evidence(live, browser, shots):
    results = read_results(live)
    total = len({r["check_id"] for r in results["results"]})
    p = Page(browser, live / "report.html")
    page = p.page
    assert page.title().startswith("loopconf report")
    assert page.inner_text("#count") == f"{total} of {total} checks shown"
    # First run, no expectations file: failures read "fail", never "regression".
    assert page.locator("#mx td.s-r").count() == 0 and page.locator("#mx td.s-f").count() > 0
    assert "no expectations file" in page.inner_text("header")
    # Open the LIFO loop's FIFO failure: requirement, labelled expected/observed, reproducer, and a
    # traceback without loopconf's own helper frames.
    page.goto(
        (live / "report.html").as_uri() + f"#loop={LIFO}&st=fail&q=calls.call_soon.fifo&open=calls.call_soon.fifo"
    )
    detail = page.locator("#mx tr.detail")
    text = detail.inner_text()
    assert "Requirement:" in text and "reproduce:" in text and "loopconf run --loop" in text
    assert detail.locator("dl.eo dt").all_inner_texts() == ["expected", "observed"]
    tb = detail.locator("details.tb")
    assert "loopconf helper frame" in tb.locator("summary").inner_text()
    tb.locator("summary").click()
    shown = tb.locator("pre").inner_text()
    assert "loopconf/evidence.py" not in shown and "E " in shown and "suites/" in shown.replace("sec_", "suites/sec_")
    # The hostile loop's markup is text, not run.
    page.goto((live / "report.html").as_uri() + f"#loop={HOSTILE}&q=calls.call_soon.fifo&open=calls.call_soon.fifo")
    assert '<script>document.title="pwned"</script>' in page.locator("#mx tr.detail").inner_text()
    assert "pwned" not in page.title() and page.locator("img[src=x]").count() == 0
    p.clean()


def test_heatmap_cell_filters_matrix(three, browser):
    path, runs = three
    p = Page(browser, path)
    page = p.page
    rloop = "rloop:new_event_loop"
    status = _status(runs, rloop)
    sections = {cid: meta["section"] for run in runs for cid, meta in run["checks"].items()}
    cell = page.locator("table.heat a.hm[href*='sec=19.5.1.3'][href*='loop=rloop']")
    cell.click()
    want = {cid for cid, st in status.items() if sections.get(cid.split("[")[0]) == "19.5.1.3" and st in BAD}
    assert want and p.visible_ids() == want
    assert "loop=rloop" in page.evaluate("location.hash") and "sec=19.5.1.3" in page.evaluate("location.hash")
    assert page.locator("#mx thead th.lcol", has_text="uvloop").is_hidden()
    assert page.locator("#mx thead th.lcol", has_text="rloop").is_visible()
    assert page.input_value("#f-sec") == "19.5.1.3" and page.input_value("#f-loop") == rloop
    # A loop card's count badge is a filter too.
    page.locator(".card[data-loop='uvloop:new_event_loop'] .badges a", has_text="missing").click()
    uv = _status(runs, "uvloop:new_event_loop")
    assert p.visible_ids() == {cid for cid, st in uv.items() if st == "missing"}
    p.clean()


def test_url_hash_restores_filters_after_reload(three, browser):
    path, _ = three
    p = Page(browser, path)
    page = p.page
    page.select_option("#f-loop", "uvloop:new_event_loop")
    page.locator(".chip[data-st='fail']").click()
    page.fill("#search", "call_later")
    _wait_for(lambda: "q=call_later" in page.evaluate("location.hash"))
    before = p.visible_ids()
    assert 0 < len(before) < 30
    hash_ = page.evaluate("location.hash")
    page.reload()
    assert p.visible_ids() == before
    assert page.input_value("#search") == "call_later" and page.input_value("#f-loop") == "uvloop:new_event_loop"
    assert page.get_attribute(".chip[data-st='fail']", "aria-pressed") == "true"
    # The same link opened fresh (shared with a colleague) shows the same rows.
    q = Page(browser, path, fragment=hash_)
    assert q.visible_ids() == before
    p.clean(), q.clean()


def test_attention_groups_identical_failures(three, synthetic, browser):
    p = Page(browser, synthetic)
    page = p.page
    groups = page.locator("#attention details.group")
    same = groups.filter(has_text="same message: callback ran on the wrong thread")
    assert same.count() == 1 and same.locator(".gcount").inner_text() == "3"
    assert page.locator("#attention h3").first.inner_text().startswith("Regressions")
    same.locator("summary").click()
    links = same.locator("ul.members a")
    assert links.all_inner_texts() == ["calls.call_soon.one", "calls.call_soon.three", "calls.call_soon.two"]
    links.first.click()
    assert p.visible_ids() == {"calls.call_soon.one"}
    assert page.locator("#mx tr.detail").is_visible()
    # Blocked checks are grouped by the check that blocked them; the loop-wide finding is one card.
    assert (
        groups.filter(has_text="blocked: sockets.sock_connect.basic is broken").locator(".gcount").inner_text() == "2"
    )
    assert page.locator("#attention .finding").count() == 1
    assert "hygiene.close.releases_fds" in page.locator("#attention .finding").inner_text()
    p.clean()
    # Published rloop: the fds every closed loop keeps are one loop-wide card (its hygiene check, seen
    # in hundreds of checks), not hundreds of failure lines.
    q = Page(browser, three[0])
    card = q.page.locator("#attention .finding", has_text="rloop")
    assert card.count() == 1 and "hygiene.close.releases_fds" in card.inner_text()
    assert max(int(n) for n in re.findall(r"seen in (\d+) checks", card.inner_text())) >= 300
    q.clean()


def test_statuses_have_distinct_styles_and_filters(synthetic, browser):
    p = Page(browser, synthetic)
    page = p.page
    colours = {}
    for st in ("regression", "expected", "xpass", "flaky", "missing", "blocked", "pass"):
        chip = page.locator(f".chip[data-st='{st}']")
        colours[st] = chip.evaluate("e => getComputedStyle(e).backgroundColor + getComputedStyle(e).boxShadow")
        chip.click()
        ids = p.visible_ids()
        code = report_model.CODES[st]
        expected = {row for row in page.locator(f"#mx tr.row:has(td.s-{code}) th.cid").all_inner_texts()}
        assert ids == expected and ids, st
        chip.click()
    assert len(set(colours.values())) == len(colours)
    p.clean()


def test_sticky_column_and_keyboard(index, browser, shots):
    path, rows = index
    for width in (1400, 390):
        p = Page(browser, path, width=width)
        page = p.page
        page.locator("#matrix").scroll_into_view_if_needed()
        wrap = page.locator("#mwrap")
        assert page.evaluate(
            "document.getElementById('mwrap').scrollWidth > document.getElementById('mwrap').clientWidth"
        )
        first = page.locator("#mx tbody tr.row").first
        x0 = first.locator("th.cid").bounding_box()["x"]
        loopcell = first.locator("td.c").last.bounding_box()["x"]
        page.evaluate("document.getElementById('mwrap').scrollLeft = 100000")
        page.wait_for_timeout(50)
        assert first.locator("th.cid").bounding_box()["x"] == pytest.approx(x0, abs=1)
        assert first.locator("td.c").last.bounding_box()["x"] < loopcell - 100
        # ...and the header stays on top when scrolling down.
        head_y = page.locator("#mx thead th.cid").bounding_box()["y"]
        page.evaluate("document.getElementById('mwrap').scrollTop = 3000")
        page.wait_for_timeout(50)
        assert page.locator("#mx thead th.cid").bounding_box()["y"] == pytest.approx(head_y, abs=1)
        page.evaluate("document.getElementById('mwrap').scrollTop = 0; document.getElementById('mwrap').scrollLeft = 0")
        assert wrap.is_visible()
        p.clean()
    # Keyboard: "/" searches, Enter moves into the rows, j/k move, Enter opens the evidence.
    p = Page(browser, path)
    page = p.page
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search"
    page.keyboard.type("call_soon")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.classList.contains('row')")
    first = page.evaluate("document.activeElement.querySelector('th').textContent")
    page.keyboard.press("j")
    second = page.evaluate("document.activeElement.querySelector('th').textContent")
    assert first != second and "call_soon" in second
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.querySelector('th').textContent") == first
    page.keyboard.press("Enter")
    assert page.locator("#mx tr.detail").count() == 1 and f"open={first}" in unquote(page.evaluate("location.hash"))
    p.clean()


def test_published_index_rows_and_links(index, browser):
    path, rows = index
    p = Page(browser, path)
    page = p.page
    body = page.locator("table.index tbody tr")
    assert body.count() == len(rows)
    # one row per loop and Python: the uvloop row of the publisher's own Python
    uv = body.filter(has=page.locator('a[href="uvloop-0.23.0/report.html"]'))
    assert uv.count() == 1
    assert uv.locator("a", has_text="deviations").get_attribute("href") == "uvloop-0.23.0/deviations.md"
    commit = (PUBLISHED / "uvloop-0.23.0" / "loopconf-commit.txt").read_text().strip()
    assert commit in uv.inner_text()
    assert page.locator("table.heat thead th.lcol").count() == len(rows)
    assert page.locator("#mx thead th.lcol").count() == len(rows)
    assert page.locator("#mx thead th.lcol", has_text="uvloop 0.23.0").count() == 1  # the others name their Python
    uv.locator("a.score").click()
    assert "loop=uvloop" in page.evaluate("location.hash")
    p.clean()


def test_screenshots(three, synthetic, index, browser, shots):
    """Screenshots for people to look at (not asserted beyond being written)."""
    taken = []
    for name, path, fragment in (
        ("report-3loops", three[0], ""),
        ("report-synthetic", synthetic, ""),
        ("index", index[0], ""),
        (
            "report-3loops-filtered",
            three[0],
            "#loop=uvloop:new_event_loop&st=bad&q=call_later&open=delayed.call_later.returns_timerhandle",
        ),
    ):
        for width in (1400, 390):
            p = Page(browser, path, width=width, fragment=fragment)
            if fragment:
                p.page.wait_for_timeout(100)
            target = shots / f"{name}-{width}.png"
            p.page.screenshot(path=str(target), full_page=False)
            taken.append(target)
            p.clean()
    assert all(t.stat().st_size > 10_000 for t in taken)
