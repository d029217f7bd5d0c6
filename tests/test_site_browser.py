"""The website in a real browser (headless Chromium driven by Playwright), served from 127.0.0.1.

Marked ``built``: ``make test`` runs it after ``make book``. Outside CI, when no Chromium is
installed, the tests skip and say how to get one; in CI (``CI`` set) a missing browser fails.
Screenshots of every page at 1280 px and 390 px (light and dark) go to ``_build/screenshots``.

Nothing here sleeps for a fixed time and then looks: every wait is on a condition that means
"done" (MathJax's own completion promise, ``document.fonts.ready``, no request in flight, the
search's "finished" message, a frame attribute that changed), with a generous timeout and a failure
message that says what was awaited. ``make test-repeat N=3`` runs these tests several times on one
build, which is how their stability is shown.

Page weight has two budgets, each with one definition, both counted as the size on disk of every
URL the browser fetched once the page has settled (so neither depends on timing or compression):

- the page's own bytes: the HTML and everything it loads from outside ``_static/`` (its figures,
  its data), at most ``MAX_PAGE_BYTES`` for every page;
- the shared assets: everything under ``_static/`` (theme, scripts, MathJax and its fonts), which
  a reader downloads once for the whole site; their union over all pages is measured once and
  must stay under ``MAX_SHARED_BYTES``.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
import time
import tomllib
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

pytestmark = pytest.mark.built

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
MAX_PAGE_BYTES = 3 * 1024 * 1024  # one page's own bytes: HTML, figures, data
MAX_SHARED_BYTES = 4 * 1024 * 1024  # theme, scripts, MathJax and fonts: the union over every page
TIMEOUT_MS = 60_000  # generous: a busy 2-core machine is slow, never wrong
QUIET_S = 0.5  # network idle: nothing in flight and nothing new for this long
PAGES = (
    sorted(str(p.relative_to(SITE)) for p in [SITE / "index.html", *SITE.glob("book/*.html")]) if SITE.exists() else []
)
with open(ROOT / "pyproject.toml", "rb") as _f:
    VERSION = tomllib.load(_f)["project"]["version"]
CHAPTER = re.compile(r"book/0\d_")
MATH = "div.math, span.math"
# axe-core, vendored (tests/vendor/axe-core/README.md), injected into each page: WCAG 2.0-2.2 A/AA.
AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _browser_path():
    if Path(CHROMIUM).exists():
        return CHROMIUM
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    message = (
        "no Chromium found: install it with `apt-get install chromium` (Debian) or set CHROMIUM "
        "to its path; .ci/run installs it in CI"
    )
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
        b = p.chromium.launch(
            executable_path=executable,
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
        yield b
        b.close()


class Visit:
    """A page load that has settled, with every request, its size on disk and every console error.

    When the constructor returns, the page is done: loaded, MathJax finished (if it has math), its
    fonts loaded, and no request in flight for ``QUIET_S``.
    """

    def __init__(self, browser, url, width=1280, dark=False, block=None):
        self.context = browser.new_context(
            viewport={"width": width, "height": 900}, color_scheme="dark" if dark else "light"
        )
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.fetched: dict[str, int] = {}  # URL -> bytes on disk, for every request that completed
        self._in_flight, self._last_activity = 0, time.monotonic()
        self.page.on("request", self._started)
        self.page.on("requestfinished", lambda r: self._ended(r, ok=True))
        self.page.on("requestfailed", lambda r: self._ended(r, ok=False))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        # Anything not on this server is blocked (and recorded above): the site must not need it.
        self.page.route(re.compile(r"^(?!http://127\.0\.0\.1)(?!data:)(?!blob:).*"), lambda route: route.abort())
        if block:  # a script this visit must do without (e.g. the live explorers, as over file://)
            self.page.route(re.compile(block), lambda route: route.abort())
        self.page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
        redirect = _meta_refresh_target(url)
        if redirect:  # the site's index.html is a meta refresh to the first page: wait for that page
            self.page.wait_for_url(re.compile(re.escape(redirect) + r"$"), wait_until="load", timeout=TIMEOUT_MS)
        self.settle()

    def _started(self, request):
        self.requests.append(request.url)
        self._in_flight += 1
        self._last_activity = time.monotonic()

    def _ended(self, request, ok):
        self._in_flight -= 1
        self._last_activity = time.monotonic()
        if ok:
            self.fetched[request.url] = _bytes_on_disk(request.url)

    def settle(self):
        """Wait until MathJax has typeset everything, the fonts are loaded and the network is idle."""
        wait_for_math(self.page)
        self.page.evaluate("() => document.fonts.ready.then(() => true)")
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while self._in_flight or time.monotonic() - self._last_activity < QUIET_S:
            if time.monotonic() > deadline:
                pytest.fail(
                    f"waited {TIMEOUT_MS / 1000:.0f} s for the network to go idle: "
                    f"{self._in_flight} request(s) still in flight"
                )
            self.page.wait_for_timeout(50)  # poll interval; the condition above decides

    @property
    def page_bytes(self) -> int:
        """The page's own bytes: the HTML and everything it loaded from outside ``_static/``."""
        return sum(n for u, n in self.fetched.items() if not _is_shared(u))

    @property
    def shared(self) -> dict[str, int]:
        """The shared assets (under ``_static/``) this page loaded: URL path -> bytes on disk."""
        return {urlparse(u).path: n for u, n in self.fetched.items() if _is_shared(u)}

    def close(self):
        self.context.close()


def _meta_refresh_target(url):
    """The page a ``<meta http-equiv="Refresh">`` file sends the browser on to, or None."""
    parts = urlparse(url)
    path = SITE / unquote(parts.path).lstrip("/")
    if not path.is_file():
        return None
    found = re.search(r'http-equiv="Refresh"\s+content="\d+;\s*url=([^"]+)"', path.read_text(), re.I)
    return found and found.group(1).split("/")[-1]


def _is_shared(url):
    return urlparse(url).path.startswith("/_static/")


def _bytes_on_disk(url):
    parts = urlparse(url)
    if parts.scheme not in ("http", "https"):
        return 0  # data: and blob: URLs: their bytes are part of the page that holds them
    path = SITE / unquote(parts.path).lstrip("/")
    if path.is_dir():
        path = path / "index.html"
    return path.stat().st_size if path.is_file() else 0


def wait_for_math(page):
    """Wait for MathJax's own completion signal, then check that no formula was left untypeset.

    ``MathJax.startup.promise`` resolves when MathJax 3 has finished its first typeset of the
    whole page; formulas inside collapsed solutions are typeset too (they are in the DOM).
    """
    if not page.locator(MATH).count():
        return
    try:
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=TIMEOUT_MS)
    except Exception:
        pytest.fail(f"the page has math but MathJax did not start within {TIMEOUT_MS / 1000:.0f} s")
    page.evaluate("() => MathJax.startup.promise.then(() => true)")
    left = page.evaluate(
        f"() => [...document.querySelectorAll({MATH!r})]"
        ".filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))"
    )
    assert not left, f"MathJax finished but left {len(left)} formula(s) untypeset, e.g. {left[:3]}"


def wait_until(page, condition, arg, what, timeout=TIMEOUT_MS):
    """``page.wait_for_function(condition, arg)``, failing with a message naming what was awaited."""
    try:
        page.wait_for_function(condition, arg=arg, timeout=timeout)
    except Exception as e:
        pytest.fail(f"waited {timeout / 1000:.0f} s for {what}: {type(e).__name__}")


@pytest.mark.parametrize("name", PAGES)
def test_page_is_offline_error_free_accessible_and_light(server, browser, name):
    v = Visit(browser, f"{server}/{name}")  # settled: MathJax done, fonts loaded, network idle
    try:
        page = v.page
        foreign = [
            u for u in v.requests if urlparse(u).scheme in ("http", "https") and urlparse(u).hostname != "127.0.0.1"
        ]
        assert not foreign, f"requests leaving the site: {foreign}"
        assert not v.errors, f"console errors: {v.errors}"

        text = page.inner_text("article") if page.locator("article").count() else page.inner_text("body")
        raw = [t for t in ("$$", "\\[", "\\begin{") if t in text]
        assert not raw, f"raw TeX left in the page: {raw}"
        if page.locator(MATH).count():
            assert page.locator("mjx-container").count() > 0, "math present but MathJax rendered nothing"

        for img in page.locator("article img").all():
            alt = img.get_attribute("alt")
            assert alt and alt.strip(), f"image without alt text: {img.get_attribute('src')[:80]}"

        levels = [
            int(h.evaluate("e => e.tagName")[1])
            for h in page.locator("article h1, article h2, article h3, article h4").all()
        ]
        assert levels.count(1) <= 1, f"more than one h1: {levels}"
        for a, b in zip(levels, levels[1:]):
            assert b <= a + 1, f"heading level jumps from h{a} to h{b}: {levels}"

        outputs = " ".join(o.inner_text() for o in page.locator(".cell_output").all())
        for bad in ("Traceback (most recent call last)", "Warning:", "RuntimeWarning", "DeprecationWarning"):
            assert bad not in outputs, f"a cell output shows {bad!r}"

        dead = page.locator(".jupyter-widgets, .widget-area, script[type='application/vnd.jupyter.widget-view+json']")
        assert dead.count() == 0, "an ipywidgets control without a kernel is on the page"

        assert v.page_bytes < MAX_PAGE_BYTES, (
            f"the page's own bytes (HTML, figures, data) are {v.page_bytes / 2**20:.2f} MiB, over the 3 MiB budget"
        )

        if CHAPTER.match(name):
            assert page.locator("a[href$='.ipynb']").count() > 0, "no download-as-notebook link"

        footer = page.locator(".bptt-footer")
        assert footer.count() == 1, "the footer with the licences and the version is missing"
        said = footer.inner_text()
        assert "CC BY 4.0" in said and "MIT" in said and f"Version {VERSION}," in said, said
        for link in footer.locator("a").all():
            target = _bytes_on_disk(urljoin(page.url, link.get_attribute("href")))
            assert target > 0, f"the footer links to {link.get_attribute('href')}, which the site does not have"
    finally:
        v.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_accessibility_violations(server, browser, name, theme):
    """axe-core's WCAG 2.x A and AA rules on the settled page, in the theme the reader's system asks for."""
    v = Visit(browser, f"{server}/{name}", dark=theme == "dark")
    try:
        assert v.page.evaluate("document.documentElement.dataset.theme") == theme
        v.page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        violations = v.page.evaluate(
            "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
            ".then(r => r.violations.map(x => ({id: x.id, impact: x.impact, help: x.help,"
            " nodes: x.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)})))",
            AXE_TAGS,
        )
        assert not violations, "\n".join(f"{x['id']} ({x['impact']}): {x['help']}; {x['nodes']}" for x in violations)
    finally:
        v.close()


def test_axe_finds_a_violation_it_is_shown(server, browser):
    """The accessibility check can fail: an image without alt text and a low-contrast link."""
    v = Visit(browser, f"{server}/book/intro.html")
    try:
        v.page.evaluate("""() => { const a = document.querySelector('article p');
            a.insertAdjacentHTML('beforeend', '<img src="data:image/png;base64,iVBORw0KGgo=">'
                + '<a href="#" style="color:#ddd;background:#fff">faint</a>'); }""")
        v.page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        ids = v.page.evaluate(
            "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(r => r.violations.map(x => x.id))",
            AXE_TAGS,
        )
        assert "image-alt" in ids and "color-contrast" in ids, ids
    finally:
        v.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_one_search_control_in_the_page_header(server, browser, width):
    v = Visit(browser, f"{server}/book/05_truncated_bptt.html", width=width)
    try:
        visible = [e for e in v.page.locator(".search-button-field, .search-button").all() if e.is_visible()]
        assert len(visible) == 1, f"{len(visible)} search controls visible at {width} px"
    finally:
        v.close()


def test_shared_assets_fit_their_budget(server, browser):
    """The theme, scripts, MathJax and fonts every page shares, downloaded once per site."""
    shared: dict[str, int] = {}
    for name in PAGES:
        v = Visit(browser, f"{server}/{name}")
        try:
            shared.update(v.shared)
        finally:
            v.close()
    assert any("mathjax" in u for u in shared), "no page loaded MathJax: the measurement saw nothing"
    total = sum(shared.values())
    heaviest = sorted(shared.items(), key=lambda kv: -kv[1])[:5]
    assert total < MAX_SHARED_BYTES, (
        f"shared assets weigh {total / 2**20:.2f} MiB over {len(shared)} files, "
        f"over the {MAX_SHARED_BYTES / 2**20:.0f} MiB budget; heaviest: {heaviest}"
    )


def test_page_weight_counts_settled_bytes_only_once(server, browser):
    """Two loads of the heaviest-math page fetch the same bytes: the measure does not depend on timing."""
    name = "book/06_vanishing_exploding.html" if "book/06_vanishing_exploding.html" in PAGES else PAGES[0]
    loads = []
    for _ in range(2):
        v = Visit(browser, f"{server}/{name}")
        try:
            loads.append((v.page_bytes, sum(v.shared.values())))
        finally:
            v.close()
    assert loads[0] == loads[1], f"two settled loads of {name} fetched different bytes: {loads}"


@pytest.mark.parametrize("name", PAGES)
def test_screenshots_at_desktop_and_phone_width(server, browser, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    stem = name.replace("/", "_").removesuffix(".html")
    for label, width, dark in (("desktop", 1280, False), ("phone", 390, False), ("desktop-dark", 1280, True)):
        v = Visit(browser, f"{server}/{name}", width=width, dark=dark)
        try:
            if dark:  # the theme follows its own switch, stored in localStorage
                v.page.evaluate("document.documentElement.dataset.theme = 'dark'")
                wait_until(
                    v.page,
                    "() => getComputedStyle(document.body).backgroundColor !== 'rgb(255, 255, 255)'",
                    None,
                    "the dark theme's background",
                )
            v.page.screenshot(path=str(SHOTS / f"{stem}-{label}.png"), full_page=True)
            overflow = v.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{label}: the page is {overflow}px wider than the window"
        finally:
            v.close()


def _twin_pages():
    return [n for n in PAGES if "bptt-twin" in (SITE / n).read_text()]


def test_some_page_has_a_static_twin():
    assert _twin_pages(), "no page carries a static twin of an interactive figure"


_CHANGED = "([el, attr, old]) => el.getAttribute(attr) !== old"


@pytest.mark.parametrize("name", _twin_pages() if PAGES else [])
def test_static_twins_respond_to_slider_and_play(server, browser, name):
    # Without the live explorers' module (as over file://, where browsers refuse ES modules) the twin works.
    v = Visit(browser, f"{server}/{name}", block=r"/_static/bptt/live\.js")
    try:
        twins = v.page.locator("figure.bptt-twin")
        assert twins.count() > 0
        for i in range(twins.count()):
            twin = twins.nth(i)
            twin.scroll_into_view_if_needed()
            img, out = twin.locator("img.bptt-frame"), twin.locator("output").first
            slider = twin.locator("input[type=range], select").first
            is_range = slider.evaluate("e => e.tagName") == "INPUT"
            at_end = slider.evaluate(
                "e => e.tagName === 'INPUT' ? +e.value >= +e.max : e.selectedIndex === e.options.length - 1"
            )
            key = {
                (True, False): "ArrowRight",
                (True, True): "ArrowLeft",
                (False, False): "ArrowDown",
                (False, True): "ArrowUp",
            }[(is_range, at_end)]
            before = (img.get_attribute("src"), out.inner_text(), twin.get_attribute("data-frame"))
            slider.focus()
            v.page.keyboard.press(key)
            wait_until(
                v.page,
                _CHANGED,
                [twin.element_handle(), "data-frame", before[2]],
                f"twin {i} on {name} to show another frame after {key}",
            )
            after = (img.get_attribute("src"), out.inner_text(), twin.get_attribute("data-frame"))
            assert after[0] != before[0], "moving the slider did not change the frame"
            assert after[1] != before[1], "moving the slider did not change the value shown"
            assert img.get_attribute("alt"), "frame without alt text"
            twin.locator("button.bptt-play").click()
            wait_until(
                v.page,
                _CHANGED,
                [twin.element_handle(), "data-frame", after[2]],
                f"twin {i} on {name} to advance a frame after Play",
                timeout=10_000,
            )
            twin.locator("button.bptt-play").click()
    finally:
        v.close()


def test_search_finds_a_term_from_a_chapter(server, browser):
    v = Visit(browser, f"{server}/search.html?q=truncation")
    try:
        # Sphinx's searchtools writes this summary only when the whole search has finished.
        wait_until(
            v.page,
            "() => /Search finished|did not match/.test("
            "document.querySelector('#search-results .search-summary')?.innerText ?? '')",
            None,
            "Sphinx's search to finish",
        )
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


# --- the live explorers (book/_static/bptt/live.js) -------------------------------------------------


def _live_pages():
    return [n for n in PAGES if "bptt-live-data" in (SITE / n).read_text()]


def _live_spec(name):
    import json

    found = re.search(
        r'<script type="application/json" class="bptt-live-data">(.*?)</script>', (SITE / name).read_text()
    )
    return json.loads(found.group(1).replace("<\\/", "</"))


def test_the_four_explorers_are_live_on_the_site():
    kinds = {_live_spec(n)["kind"] for n in _live_pages()}
    assert kinds == {"unrolling", "spectral", "truncation", "clipping"}, kinds


# Set one control (as a reader's input would) and return the time the page took to recompute and
# redraw (the handlers run synchronously: compute with the engine, draw on the canvas), the figure
# as a PNG data URL, the readout, its exact numbers, the control's aria-valuetext and the alt text.
_SET = """([fig, name, value]) => {
  const el = fig.querySelector(`[data-control="${name}"]`);
  const t0 = performance.now();
  el.value = String(value);
  el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input', {bubbles: true}));
  const ms = performance.now() - t0;
  if (el.tagName !== 'SELECT') el.dispatchEvent(new Event('change', {bubbles: true}));  // as a key press ends
  const canvas = fig.querySelector('canvas.bptt-live-figure'), readout = fig.querySelector('.bptt-readout');
  return {ms, png: canvas.toDataURL(), readout: readout.textContent, values: JSON.parse(readout.dataset.values),
          valuetext: el.getAttribute('aria-valuetext'), alt: canvas.getAttribute('aria-label'), set: el.value};
}"""


def _live(v):
    fig = v.page.locator("figure.bptt-twin[data-live]").first
    wait_until(
        v.page, "(f) => f.classList.contains('bptt-live-on')", fig.element_handle(), "the live explorer to start"
    )
    fig.scroll_into_view_if_needed()
    return fig


@pytest.mark.parametrize("name", _live_pages() if PAGES else [])
def test_live_explorer_responds_to_every_control_within_50_ms(server, browser, name):
    import hashlib
    import statistics

    v = Visit(browser, f"{server}/{name}")
    try:
        fig = _live(v)
        assert not v.errors, v.errors
        assert fig.locator("img.bptt-frame").is_hidden(), (
            "the static twin's frame is still shown beside the live figure"
        )
        times = []
        sliders = fig.locator(".bptt-live-controls input[type=range]")
        assert sliders.count() >= 1
        for i in range(sliders.count()):
            s = sliders.nth(i)
            control = s.get_attribute("data-control")
            lo, hi, step = (float(s.get_attribute(a)) for a in ("min", "max", "step"))
            positions = int(round((hi - lo) / step)) + 1
            if control in ("scale", "rho", "theta"):
                assert positions >= 100, f"{control} offers {positions} positions, fewer than 100"
            label = fig.locator(f"label[for='{s.get_attribute('id')}']").inner_text()
            assert label.strip(), f"slider {control} has no label"
            # 24 positions across the range; a slider with fewer (chapter 1's t has T = 8 steps) is
            # tested at every one of its positions, each of which must draw its own figure.
            moves = min(24, positions)
            seen_png, seen_text = set(), set()
            for j in range(moves):
                value = lo + round(j * (positions - 1) / (moves - 1)) * step
                r = v.page.evaluate(_SET, [fig.element_handle(), control, round(value, 10)])
                times.append(r["ms"])
                seen_png.add(hashlib.sha256(r["png"].encode()).hexdigest())
                seen_text.add(r["readout"])
                assert r["valuetext"] and r["valuetext"].strip(), f"{control} has no aria-valuetext"
                assert r["alt"] and re.search(r"\d", r["alt"]), (
                    f"the live figure's alt text has no number: {r['alt']!r}"
                )
            want = min(20, moves)
            assert len(seen_png) >= want, f"{control}: {moves} positions gave {len(seen_png)} different figures"
            assert len(seen_text) >= want, f"{control}: {moves} positions gave {len(seen_text)} different readouts"
        for sel in fig.locator(".bptt-live-controls select").all():
            control = sel.get_attribute("data-control")
            options = [o.get_attribute("value") for o in sel.locator("option").all()]
            pngs = {v.page.evaluate(_SET, [fig.element_handle(), control, o])["png"] for o in options}
            assert len(pngs) == len(options), f"the {control} menu's {len(options)} options drew {len(pngs)} figures"
        median = statistics.median(times)
        assert median <= 50, f"input to redraw takes {median:.1f} ms (median of {len(times)} moves), over 50 ms"
        assert not v.errors, v.errors
        print(f"{name}: input to redraw median {median:.1f} ms, max {max(times):.1f} ms over {len(times)} moves")
    finally:
        v.close()


@pytest.mark.parametrize("name", [n for n in _live_pages() if _live_spec(n)["kind"] == "unrolling"] if PAGES else [])
def test_live_stepper_plays_through_t(server, browser, name):
    """Chapter 1 says "Press Play": the live stepper's Play button steps t (and redraws) until it is paused.
    That a paused stepper stays put can only be seen over time: the one fixed wait of this module,
    two Play intervals long."""
    v = Visit(browser, f"{server}/{name}")
    try:
        fig = _live(v)
        slider, button = fig.locator("[data-control='t']"), fig.locator("button.bptt-live-play")
        assert button.inner_text().strip().endswith("Play") and button.get_attribute("aria-label").startswith("Play")
        readout, renders = fig.locator(".bptt-readout").inner_text(), fig.get_attribute("data-renders")
        button.click()
        wait_until(v.page, "(e) => +e.value >= 3", slider.element_handle(), "Play to step t from 1 to 3", 10_000)
        assert button.get_attribute("aria-label") == "Pause", "while playing, the button does not offer Pause"
        button.click()  # pause
        assert button.get_attribute("aria-label").startswith("Play")
        stopped = slider.input_value()
        v.page.wait_for_timeout(2 * _live_spec(name)["interval_ms"])
        assert slider.input_value() == stopped, "Pause did not stop the stepper"
        assert fig.get_attribute("data-renders") != renders and fig.locator(".bptt-readout").inner_text() != readout
        assert f"t = {stopped} of" in (slider.get_attribute("aria-valuetext") or "")
        assert f"unrolling=t:{stopped}" in unquote(v.page.url), "Play did not keep t in the URL"
        assert not v.errors, v.errors
    finally:
        v.close()


def _rnnlib_spectral(spec, seed, scale, mode, activation, T):
    import rnnlib as rl
    from rnnlib.activations import get_activation
    from rnnlib.course.explorers.spectral import SpectralModel
    from rnnlib.diagnostics import delta_norms
    from rnnlib.initialisation import sigma_max, spectral_radius

    m = SpectralModel(H=spec["H"], T=spec["T"], N=spec["N"], seed=seed)
    params = m.params(scale, mode)
    fp = rl.forward(params, m.x[:, :T], m.d, activation=activation, targets="last")
    norms = delta_norms(rl.backward(params, fp).delta)
    s_max = sigma_max(params.W_s)
    return {
        "rho": spectral_radius(params.W_s),
        "sigma_max": s_max,
        "eta": get_activation(activation).gamma * s_max,
        "ratio": norms[1] / norms[T],
        "delta_T": norms[T],
    }


def _rnnlib_truncation(spec, seed, rho, k2, activation):
    from rnnlib.course.explorers.truncation import TruncationModel

    r = TruncationModel(H=spec["H"], T=spec["T"], N=spec["N"], activation=activation, seed=seed).compute(k2, rho)
    return {"error": r["error"], "cosine": r["cosine"]}


def _rnnlib_unrolling(spec, t, activation):
    """rnnlib's forward pass on the network, inputs and h_0 the page ships (bit for bit rnnlib's arrays)."""
    import base64

    import numpy as np

    import rnnlib as rl

    def sent(name, *shape):
        return np.frombuffer(base64.b64decode(spec["arrays"][name]), dtype="<f8").reshape(shape)

    H, D, O, T = spec["H"], spec["D"], spec["O"], spec["T"]
    params = rl.RNNParams(sent("W_x", H, D), sent("W_s", H, H), sent("W_y", O, H), sent("b_h", H), sent("b_y", O))
    h = rl.forward(params, sent("x", 1, T, D), activation=activation, h0=sent("h0", 1, H)).h[0]
    return {
        "t": t,
        "norm_h": np.linalg.norm(h[t]),
        "change": np.linalg.norm(h[t] - h[t - 1]),
        "h_min": h[t].min(),
        "h_max": h[t].max(),
    }


def test_chapter_1_ships_its_stepper_s_network():
    import base64

    import numpy as np

    import rnnlib as rl

    (spec,) = [_live_spec(n) for n in _live_pages() if _live_spec(n)["kind"] == "unrolling"]
    # book/01_sequences.ipynb: params_demo and x_demo (a sine and a pulse at t = 3), h_0 = 0
    params = rl.init_params(D=2, H=6, O=1, rng=3, recurrent="orthogonal", scale=0.9)
    steps = np.arange(1, 9)
    x = np.stack([np.sin(0.8 * steps), np.where(steps == 3, 1.0, 0.0)], axis=1)
    for name, want in (("W_s", params.W_s), ("W_x", params.W_x), ("x", x), ("h0", np.zeros(6))):
        got = np.frombuffer(base64.b64decode(spec["arrays"][name]), dtype="<f8").reshape(want.shape)
        # to rounding: the orthogonal W_s comes from a QR whose last bits depend on this process's BLAS
        assert np.allclose(got, want, rtol=0, atol=1e-12), f"the page's {name} is not chapter 1's"


def _rnnlib_clipping(spec, mode, log10_theta):
    from rnnlib.cliff import descent_path

    clip = None if mode == "none" else mode
    p = descent_path(*spec["start"], spec["lr"], spec["steps"], clip, 10.0**log10_theta if clip else None)
    return {"largest_step": p.step_lengths.max(), "final_error": p.losses[-1], "w_end": p.points[-1][0]}


# Three settings per explorer (control name -> value), away from the defaults, one with a shorter sequence.
_SETTINGS = {
    "spectral": [
        {"scale": 1.03, "mode": 0, "activation": "tanh", "T": 100, "seed": 0},
        {"scale": 0.77, "mode": 1, "activation": "relu", "T": 100, "seed": 2},
        {"scale": 1.5, "mode": 0, "activation": "sigmoid", "T": 37, "seed": 4},
    ],
    "truncation": [
        {"k2": 7, "rho": 1.03, "activation": "tanh", "T": 100, "seed": 0},
        {"k2": 40, "rho": 1.12, "activation": "relu", "T": 100, "seed": 3},
        {"k2": 10, "rho": 1.9, "activation": "sigmoid", "T": 100, "seed": 1},
    ],
    "unrolling": [
        {"t": 3, "activation": "tanh"},
        {"t": 8, "activation": "relu"},
        {"t": 5, "activation": "sigmoid"},
    ],
    "clipping": [
        {"mode": "norm", "theta": 0.15},
        {"mode": "value", "theta": -1.23},
        {"mode": "none", "theta": 0.0},
    ],
}


@pytest.mark.parametrize("name", _live_pages() if PAGES else [])
def test_live_readouts_match_rnnlib_to_1e9(server, browser, name):
    spec = _live_spec(name)
    v = Visit(browser, f"{server}/{name}")
    try:
        fig = _live(v)
        for setting in _SETTINGS[spec["kind"]]:
            shown = {}
            for control, value in setting.items():
                if control == "mode" and spec["kind"] == "spectral":
                    value = spec["modes"][value]
                shown = v.page.evaluate(_SET, [fig.element_handle(), control, value])
                same = float(shown["set"]) == float(value) if isinstance(value, float | int) else shown["set"] == value
                assert same, f"the page refused {control} = {value!r} (it shows {shown['set']!r})"
            if spec["kind"] == "spectral":
                mode = spec["modes"][setting["mode"]]
                want = _rnnlib_spectral(
                    spec, setting["seed"], setting["scale"], mode, setting["activation"], setting["T"]
                )
            elif spec["kind"] == "truncation":
                assert setting["T"] == spec["T"]
                want = _rnnlib_truncation(spec, setting["seed"], setting["rho"], setting["k2"], setting["activation"])
            elif spec["kind"] == "unrolling":
                want = _rnnlib_unrolling(spec, setting["t"], setting["activation"])
            else:
                want = _rnnlib_clipping(spec, setting["mode"], setting["theta"])
            if spec["kind"] == "truncation":  # a gap of rounding noise would compare noise with noise
                assert want["error"] > 1e-8, f"{setting}: truncation changes nothing here; pick another setting"
            for key, expected in want.items():
                got = shown["values"][key]
                assert abs(got - expected) <= 1e-9 * abs(expected), (
                    f"{name} {setting}: the page shows {key} = {got!r}, rnnlib computes {expected!r}"
                )
        assert "?" in v.page.url and spec["kind"] in v.page.url, "the settings are not kept in the page's URL"
        shared = v.page.url
    finally:
        v.close()
    v = Visit(browser, shared)  # the shared URL opens the same configuration
    try:
        fig = _live(v)
        last = _SETTINGS[spec["kind"]][-1]
        for control, value in last.items():
            if control == "mode" and spec["kind"] == "spectral":
                value = spec["modes"][value]
            got = fig.locator(f"[data-control='{control}']").input_value()
            assert float(got) == float(value) if isinstance(value, float | int) else got == value, (control, got, value)
    finally:
        v.close()
