"""The website's JavaScript engine inside Chromium, against rnnlib's fixtures.

``node --test tests/js/`` (``make js-test``) checks the engine under Node; this runs the same
comparison (tests/js/compare.mjs) in headless Chromium, importing book/_static/bptt/engine.js as
an ES module the way a page does, with every request that leaves 127.0.0.1 blocked. Marked
``built``: it reads the fixtures that ``make js-test`` writes to _build/js-fixtures, and ``make
test`` runs js-test first. Without Chromium it skips outside CI and fails in CI, like
test_site_browser.py.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.built

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "_build" / "js-fixtures" / "fixtures.json"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _browser_path():
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    message = "no Chromium found: install it with `apt-get install chromium` or set CHROMIUM; .ci/run installs it"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def test_engine_in_chromium_matches_rnnlib_fixtures():
    assert FIXTURES.exists(), f"{FIXTURES} missing: run `make js-test` (it writes the fixtures) first"
    executable = _browser_path()
    from playwright.sync_api import sync_playwright

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(ROOT)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    blocked = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=executable, headless=True, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
            )
            page = browser.new_page()

            def route(r):
                if urlparse(r.request.url).hostname == "127.0.0.1":
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.goto(f"{base}/book/_static/bptt/engine.js")
            result = page.evaluate("""async () => {
                const engine = await import('/book/_static/bptt/engine.js');
                const compare = await import('/tests/js/compare.mjs');
                const fixtures = await (await fetch('/_build/js-fixtures/fixtures.json')).json();
                const results = compare.checkAll(engine, fixtures);
                return {count: results.length, tolerance: compare.TOLERANCE,
                        failures: results.filter((r) => !(r.error <= compare.TOLERANCE))};
            }""")
            browser.close()
    finally:
        httpd.shutdown()
    assert blocked == []
    assert result["count"] > 400
    assert result["failures"] == [], f"in Chromium the engine differs from rnnlib: {result['failures'][:5]}"
