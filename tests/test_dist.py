"""The offline bundle (``make dist``): one zip that opens from disk with no network.

Marked ``built``. The archive is extracted into a temporary folder, nothing of the repository is
used, and Chromium opens the website both from disk (``file://``) and through the one-line server
the bundle's README gives, with every network request outside the bundle aborted.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
import zipfile
from pathlib import Path

import nbformat
import pytest
from test_assignments import CHAPTERS, _solution_lines
from test_site_browser import _browser_path, wait_for_math

pytestmark = pytest.mark.built

ROOT = Path(__file__).resolve().parents[1]
with open(ROOT / "pyproject.toml", "rb") as _f:
    VERSION = tomllib.load(_f)["project"]["version"]
BUNDLE = ROOT / "_build" / "dist" / f"bptt-course-{VERSION}.zip"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    assert BUNDLE.exists(), f"{BUNDLE} missing: run `make dist` first"
    where = tmp_path_factory.mktemp("bundle")
    with zipfile.ZipFile(BUNDLE) as z:
        z.extractall(where)
    top = where / f"bptt-course-{VERSION}"
    assert top.is_dir(), f"the archive has no top folder bptt-course-{VERSION}/"
    return top


def test_bundle_has_every_part_and_says_how_to_open_it(bundle):
    readme = (bundle / "README.txt").read_text()
    assert f"version {VERSION}" in readme and "site/index.html" in readme
    assert "python3 -m http.server --directory site 8000" in readme
    for part in ("site/index.html", "site/book/06_vanishing_exploding.html", "LICENSE", "LICENSE-TEXT", "CITATION.cff"):
        assert (bundle / part).is_file(), f"the bundle lacks {part}"
    for pdf in ("bptt-course.pdf", "bptt-course-student.pdf"):
        assert (bundle / "pdf" / pdf).read_bytes()[:5] == b"%PDF-", f"pdf/{pdf} is not a PDF"
    wheels = list((bundle / "wheel").glob(f"rnnlib-{VERSION}-*.whl"))
    assert len(wheels) == 1, wheels
    with zipfile.ZipFile(wheels[0]) as w:
        names = w.namelist()
    assert "rnnlib/__init__.py" in names and "rnnlib/rnn.py" in names
    assert wheels[0].name in readme


def test_bundle_notebooks_are_the_student_notebooks(bundle):
    for path in CHAPTERS:
        student = bundle / "notebooks" / path.name
        assert student.is_file(), f"the bundle lacks notebooks/{path.name}"
        text = student.read_text()
        leaked = [line for line in _solution_lines(nbformat.read(path, as_version=4)) if line in text]
        assert not leaked, f"notebooks/{path.name} contains solution lines: {leaked[:3]}"


def _open_offline(url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=_browser_path(),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        try:
            page = browser.new_page()
            errors, foreign = [], []
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.on("pageerror", lambda e: errors.append(str(e)))
            local = re.compile(r"^(file:|data:|blob:|http://127\.0\.0\.1[:/])")
            page.route(
                re.compile(".*"),
                lambda r: r.continue_() if local.match(r.request.url) else (foreign.append(r.request.url), r.abort()),
            )
            page.goto(url, wait_until="load", timeout=60_000)
            wait_for_math(page)
            page.evaluate("() => document.fonts.ready.then(() => true)")
            broken = page.evaluate(
                "() => [...document.images].filter(i => i.complete && i.naturalWidth === 0)"
                ".map(i => i.src.slice(0, 80))"
            )
            figures = page.locator("article img").count()
            return errors, foreign, broken, figures, page.locator("mjx-container").count()
        finally:
            browser.close()


def test_bundle_site_opens_from_disk_offline(bundle):
    errors, foreign, broken, figures, math = _open_offline((bundle / "site/book/06_vanishing_exploding.html").as_uri())
    assert not foreign, f"the site asked the network for {foreign[:3]}"
    assert not errors, f"console errors: {errors[:3]}"
    assert figures > 3 and not broken, f"{len(broken)} of {figures} images did not load: {broken[:3]}"
    assert math > 50, f"only {math} formulas rendered"


def test_bundle_site_works_through_the_readme_server(bundle):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", "site", str(port)],
        cwd=bundle,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("waited 30 s for the README's `python3 -m http.server` to answer")
                time.sleep(0.2)  # poll interval
        errors, foreign, broken, figures, math = _open_offline(f"http://127.0.0.1:{port}/book/07_clipping.html")
        assert not foreign and not errors and not broken, (foreign[:3], errors[:3], broken[:3])
        assert figures > 2 and math > 20
    finally:
        server.terminate()
        server.wait(timeout=10)
