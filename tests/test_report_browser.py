"""The HTML report works in a real browser: filters, expanders, no console errors, no injected script.

Drives Debian's headless Chromium with Playwright (pointed at /usr/bin/chromium, so nothing is
downloaded). `.ci/run` installs chromium; elsewhere the test is skipped when it is absent.
"""

import os
import shutil

import pytest

from tests.support import loopconf, read_results

HOSTILE = "tests.broken.hostile:HostileMessageLoop"
LIFO = "tests.broken.calls:LifoCallSoonLoop"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser-report")
    proc = loopconf("run", "--loop", "asyncio", "--loop", "reference", "--loop", LIFO, "--loop", HOSTILE,
                    "-n", "2", "--out", str(out), "--section", "19.5.1.2", "--section", "19.5.1.16")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return out


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium package)")
        pytest.skip("chromium is not installed here (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


def test_report_in_browser(report, browser, tmp_path):
    results = read_results(report)
    total = len({r["check_id"] for r in results["results"]})
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors, dialogs, requests = [], [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda req: requests.append(req.url) if not req.url.startswith("file:") else None)
    page.goto((report / "report.html").as_uri())

    # Nothing hostile ran, nothing was fetched from the network, no script errors.
    assert page.title().startswith("loopconf report")
    assert dialogs == [] and requests == [] and errors == []
    assert page.locator("img[src=x]").count() == 0

    assert page.inner_text("#count") == f"{total} of {total} checks shown"
    # Outcome filter: only checks where some loop failed.
    for box in page.locator(".f-outcome").all():
        if box.get_attribute("value") != "fail":
            box.uncheck()
    failing = {r["check_id"] for r in results["results"] if r["outcome"] == "fail"}
    visible = page.locator("tr.check:not([hidden]) .toggle").all_inner_texts()
    assert set(visible) == failing and "calls.call_soon.fifo" in visible
    # Loop filter: only the LIFO loop's column, and only its failures.
    page.select_option("#f-loop", LIFO)
    visible = page.locator("tr.check:not([hidden]) .toggle").all_inner_texts()
    assert set(visible) == {r["check_id"] for r in results["results"] if r["loop"] == LIFO and r["outcome"] == "fail"}
    assert page.locator(f"th.loopcol[data-loop='{HOSTILE}']").is_hidden()
    assert page.locator(f"th.loopcol[data-loop='{LIFO}']").is_visible()
    # Expand a failure: requirement, expected vs observed and the reproducer are shown.
    page.locator("tr.check:not([hidden]) .toggle", has_text="calls.call_soon.fifo").first.click()
    detail = page.locator("tr.check:not([hidden]) + tr.detail:not([hidden])").first
    text = detail.inner_text()
    assert "Requirement:" in text and "expected:" in text and "reproduce: loopconf run --loop" in text
    # Search, with every outcome back on.
    page.select_option("#f-loop", "")
    for box in page.locator(".f-outcome").all():
        box.check()
    page.fill("#search", "exception handler")
    shown = page.locator("tr.check:not([hidden])").count()
    assert 0 < shown < total
    assert page.inner_text("#count") == f"{shown} of {total} checks shown"
    # The hostile loop's message is shown as text, not run.
    page.fill("#search", "")
    page.select_option("#f-loop", HOSTILE)
    page.locator("tr.check:not([hidden]) .toggle", has_text="calls.call_soon.fifo").first.click()
    assert '<script>document.title="pwned"</script>' in page.content().replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    assert "pwned" not in page.title() and dialogs == [] and errors == []
    page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
    assert (tmp_path / "report.png").stat().st_size > 10_000
