"""The website in a real browser (headless Chromium driven by Playwright), served from 127.0.0.1.

Marked ``built``: ``make test`` runs it after ``make book``. Outside CI, when no Chromium is
installed, the tests skip and say how to get one; in CI (``CI`` set) a missing browser fails.
Screenshots of every page at 1280 px and 390 px (light and dark) go to ``_build/screenshots``.
"""
from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.built

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
MAX_PAGE_BYTES = 3 * 1024 * 1024
PAGES = sorted(str(p.relative_to(SITE)) for p in [SITE / "index.html", *SITE.glob("book/*.html")]) \
    if SITE.exists() else []
CHAPTER = re.compile(r"book/0\d_")


def _browser_path():
    if Path(CHROMIUM).exists():
        return CHROMIUM
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    message = ("no Chromium found: install it with `apt-get install chromium` (Debian) or set CHROMIUM "
               "to its path; .ci/run installs it in CI")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def server():
    assert SITE.exists(), "_build/html missing: run `make book` first"
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    executable = _browser_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


class Visit:
    """A page load with every request, response size and console error recorded."""

    def __init__(self, browser, url, width=1280, dark=False):
        self.context = browser.new_context(viewport={"width": width, "height": 900},
                                           color_scheme="dark" if dark else "light")
        self.page = self.context.new_page()
        self.requests, self.errors, self.bytes = [], [], 0
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("response", self._count)
        # Anything not on this server is blocked (and recorded above): the site must not need it.
        self.page.route(re.compile(r"^(?!http://127\.0\.0\.1)(?!data:)(?!blob:).*"), lambda route: route.abort())
        self.page.goto(url, wait_until="load")
        self.page.wait_for_timeout(300)

    def _count(self, response):
        try:
            self.bytes += len(response.body())
        except Exception:  # redirects and aborted requests have no body
            pass

    def close(self):
        self.context.close()


def _wait_for_math(page):
    if page.locator("div.math, span.math").count():
        # attached, not visible: the first formula may sit in a collapsed solution
        page.wait_for_selector("mjx-container", state="attached", timeout=60000)


@pytest.mark.parametrize("name", PAGES)
def test_page_is_offline_error_free_accessible_and_light(server, browser, name):
    v = Visit(browser, f"{server}/{name}")
    try:
        page = v.page
        foreign = [u for u in v.requests if urlparse(u).scheme in ("http", "https")
                   and urlparse(u).hostname != "127.0.0.1"]
        assert not foreign, f"requests leaving the site: {foreign}"
        assert not v.errors, f"console errors: {v.errors}"

        _wait_for_math(page)
        text = page.inner_text("article") if page.locator("article").count() else page.inner_text("body")
        assert "$$" not in text and "\\[" not in text and "\\begin{" not in text, "raw TeX left in the page"
        if page.locator("div.math, span.math").count():
            assert page.locator("mjx-container").count() > 0, "math present but MathJax rendered nothing"

        for img in page.locator("article img").all():
            alt = img.get_attribute("alt")
            assert alt and alt.strip(), f"image without alt text: {img.get_attribute('src')[:80]}"

        levels = [int(h.evaluate("e => e.tagName")[1]) for h in page.locator("article h1, article h2, "
                                                                               "article h3, article h4").all()]
        assert levels.count(1) <= 1, f"more than one h1: {levels}"
        for a, b in zip(levels, levels[1:]):
            assert b <= a + 1, f"heading level jumps from h{a} to h{b}: {levels}"

        outputs = " ".join(o.inner_text() for o in page.locator(".cell_output").all())
        for bad in ("Traceback (most recent call last)", "Warning:", "RuntimeWarning", "DeprecationWarning"):
            assert bad not in outputs, f"a cell output shows {bad!r}"

        dead = page.locator(".jupyter-widgets, .widget-area, script[type='application/vnd.jupyter.widget-view+json']")
        assert dead.count() == 0, "an ipywidgets control without a kernel is on the page"

        assert v.bytes < MAX_PAGE_BYTES, f"page weight {v.bytes / 1e6:.2f} MB exceeds 3 MB"

        if CHAPTER.match(name):
            assert page.locator("a[href$='.ipynb']").count() > 0, "no download-as-notebook link"
    finally:
        v.close()


@pytest.mark.parametrize("name", PAGES)
def test_screenshots_at_desktop_and_phone_width(server, browser, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    stem = name.replace("/", "_").removesuffix(".html")
    for label, width, dark in (("desktop", 1280, False), ("phone", 390, False), ("desktop-dark", 1280, True)):
        v = Visit(browser, f"{server}/{name}", width=width, dark=dark)
        try:
            if dark:  # the theme follows its own switch, stored in localStorage
                v.page.evaluate("document.documentElement.dataset.theme = 'dark'")
            _wait_for_math(v.page)
            v.page.screenshot(path=str(SHOTS / f"{stem}-{label}.png"), full_page=True)
            overflow = v.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{label}: the page is {overflow}px wider than the window"
        finally:
            v.close()


def _twin_pages():
    return [n for n in PAGES if "bptt-twin" in (SITE / n).read_text()]


def test_some_page_has_a_static_twin():
    assert _twin_pages(), "no page carries a static twin of an interactive figure"


@pytest.mark.parametrize("name", _twin_pages() if PAGES else [])
def test_static_twins_respond_to_slider_and_play(server, browser, name):
    v = Visit(browser, f"{server}/{name}")
    try:
        twins = v.page.locator("figure.bptt-twin")
        assert twins.count() > 0
        for i in range(twins.count()):
            twin = twins.nth(i)
            twin.scroll_into_view_if_needed()
            img, out = twin.locator("img.bptt-frame"), twin.locator("output").first
            slider = twin.locator("input[type=range], select").first
            before = (img.get_attribute("src"), out.inner_text(), twin.get_attribute("data-frame"))
            slider.focus()
            v.page.keyboard.press("ArrowRight" if slider.evaluate("e => e.tagName") == "INPUT" else "ArrowDown")
            after = (img.get_attribute("src"), out.inner_text(), twin.get_attribute("data-frame"))
            if after == before:  # at the end of its range: move the other way
                v.page.keyboard.press("ArrowLeft" if slider.evaluate("e => e.tagName") == "INPUT" else "ArrowUp")
                after = (img.get_attribute("src"), out.inner_text(), twin.get_attribute("data-frame"))
            assert after[0] != before[0], "moving the slider did not change the frame"
            assert after[1] != before[1], "moving the slider did not change the value shown"
            assert img.get_attribute("alt"), "frame without alt text"
            frame = twin.get_attribute("data-frame")
            twin.locator("button.bptt-play").click()
            v.page.wait_for_timeout(1600)
            assert twin.get_attribute("data-frame") != frame, "play did not advance the frames"
            twin.locator("button.bptt-play").click()
    finally:
        v.close()


def test_search_finds_a_term_from_a_chapter(server, browser):
    v = Visit(browser, f"{server}/search.html?q=truncation")
    try:
        v.page.wait_for_selector("#search-results li", timeout=20000)
        hrefs = [a.get_attribute("href") for a in v.page.locator("#search-results li a").all()]
        assert any("05_truncated_bptt" in (h or "") for h in hrefs), hrefs
    finally:
        v.close()


def test_front_page_says_how_to_run_locally(server, browser):
    v = Visit(browser, f"{server}/index.html")
    try:
        text = v.page.inner_text("body")
        assert "make lab" in text and "make book" in text
    finally:
        v.close()
