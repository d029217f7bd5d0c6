"""The whole book as one PDF, printed by Chromium from the built website.

    python book/_ext/bptt_pdf.py --site _build/html --out _build/pdf/bptt-course.pdf
    python book/_ext/bptt_pdf.py --site _build/student/_build/html --student --out ...

Why this route: Jupyter Book 1's ``pdfhtml`` builder downloads its own browser (impossible
here), its ``singlehtml`` builder cannot write MyST-NB's folded code cells, and the LaTeX route
needs a TeX installation of several hundred MB. The HTML build already has everything a reader
sees (figures with captions, numbered equations and exercises, MathJax), so this script loads one
chapter page as a shell, replaces its article with the articles of every page in the order of
``_toc.yml``, lets MathJax typeset the result once, and prints it with Debian's Chromium
(through Playwright) in a single print job, so page numbers run through the book and Chromium
writes the PDF outline (bookmarks) from the headings.

The full variant moves every solution into an appendix at the end; the student variant is
printed from the student site, which has no solutions, and leaves out the instructor's guide.
Cells folded on the website (bookkeeping: glue and asserts) are left out; interactive figures
print their first precomputed frame.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import html
import http.server
import os
import re
import threading
import tomllib
from pathlib import Path

import yaml

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TIMEOUT_MS = 120_000
ARTICLE = re.compile(r'<article class="bd-article">(.*?)</article>', re.S)
TITLE = re.compile(r"<h1>(.*?)<a class=\"headerlink\"", re.S)

PRINT_CSS = """
@page { size: A4; margin: 16mm 15mm 18mm 15mm; }
html, body { background: white !important; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .header-article, .bd-header-article,
.prev-next-area, .bd-footer, .bd-footer-article, .bd-footer-content, footer, .headerlink,
#pst-back-to-top, .search-button__wrapper, details.hide.above-input, .bptt-twin .bptt-controls,
.bptt-twin input, .bptt-twin select, .bptt-twin button, .bptt-twin label, .bptt-twin output,
.copybtn, .skip-link, #jb-print-docs-body { display: none !important; }
/* the theme's print style hides the first h1 of a page: here every page's title must show */
.bd-main .bd-content .bd-article h1:first-of-type { display: block !important; }
.bd-main .bd-content table { break-inside: auto; font-size: 7.5pt; width: 100% !important; }
.pst-scrollable-table-container, .table-wrapper { overflow: visible !important; }
.bd-main .bd-content { margin-left: 0 !important; }
.bd-main, .bd-content, .bd-article-container, .bd-article, .bd-page-width, .bd-container,
.bd-container__inner { max-width: none !important; width: auto !important; padding: 0 !important;
  margin: 0 !important; display: block !important; }
body { font-size: 10.5pt; }
.pdf-page { break-before: page; }
.pdf-page:first-of-type { break-before: auto; }
figure, img, .math, mjx-container[display="true"], .admonition, table, pre { break-inside: avoid; }
h1, h2, h3 { break-after: avoid; }
img { max-width: 100% !important; height: auto !important; }
.figure-img, figure img { max-height: 120mm; width: auto !important; }
pre { white-space: pre-wrap !important; word-break: break-word; font-size: 8.5pt; }
.pdf-title { height: 240mm; display: flex; flex-direction: column; justify-content: center; text-align: center; }
.pdf-title h1 { font-size: 30pt; margin-bottom: 6mm; }
.pdf-title p { font-size: 12pt; margin: 2mm 0; }
.pdf-contents { break-before: page; }
.pdf-contents ol { list-style: none; padding-left: 0; font-size: 12pt; line-height: 1.9; }
.pdf-solutions-appendix .solution { break-inside: auto; }
"""


def toc_pages(toc_file: Path, student: bool) -> list[str]:
    """The pages of ``_toc.yml`` in reading order (``book/...`` without suffix)."""
    toc = yaml.safe_load(toc_file.read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [c["file"] for c in part.get("chapters", [])]
    if student:
        pages = [p for p in pages if not p.endswith("instructor_guide")]
    return pages


def _article(site: Path, page: str) -> tuple[str, str]:
    text = (site / f"{page}.html").read_text(encoding="utf-8")
    found = ARTICLE.search(text)
    if not found:
        raise ValueError(f'{page}.html has no <article class="bd-article">; is {site} a Jupyter Book build?')
    body = found.group(1)
    title = TITLE.search(body)
    return body, re.sub(r"<[^>]+>", "", title.group(1)).strip() if title else page


def _anchor(page: str) -> str:
    return "page-" + page.replace("/", "-")


def _relink(body: str, pages: list[str]) -> str:
    """Links between pages become links inside the one document."""
    names = {Path(p).name: p for p in pages}

    def fix(m):
        target, frag = m.group(1), m.group(2)
        page = names.get(Path(target).name.removesuffix(".html"))
        if page is None:
            return m.group(0)
        return f'href="#{frag}"' if frag else f'href="#{_anchor(page)}"'

    return re.sub(r'href="((?:\.\./|\./)?(?:book/)?[\w-]+\.html)(?:#([^"]*))?"', fix, body)


def combined_html(site: Path, pages: list[str], student: bool) -> str:
    with open(ROOT / "pyproject.toml", "rb") as f:
        version = tomllib.load(f)["project"]["version"]
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    date = (
        (datetime.datetime.fromtimestamp(int(epoch), datetime.UTC) if epoch else datetime.datetime.now(datetime.UTC))
        .date()
        .isoformat()
    )
    parts, contents = [], []
    for page in pages:
        body, title = _article(site, page)
        contents.append(f'<li><a href="#{_anchor(page)}">{title}</a></li>')
        parts.append(f'<section class="pdf-page" id="{_anchor(page)}">{_relink(body, pages)}</section>')
    if not student:
        contents.append('<li><a href="#pdf-solutions">Appendix: solutions to the exercises</a></li>')
    variant = "Student edition (without solutions)" if student else "With solutions to the exercises"
    title_page = (
        '<section class="pdf-title"><h1>Backpropagation Through Time</h1>'
        "<p>An interactive course on training recurrent neural networks</p>"
        f"<p><em>{variant}</em></p><p>The BPTT course authors</p>"
        f"<p>Version {html.escape(version)}, {date}</p>"
        '<p style="font-size:9pt;margin-top:12mm">Text and figures: CC BY 4.0. Code: MIT.</p></section>'
        f'<section class="pdf-contents"><h1>Contents</h1><ol>{"".join(contents)}</ol></section>'
    )
    return title_page + "".join(parts)


# Runs in the page: solutions to an appendix (full variant), then one MathJax typeset of it all.
_FINISH = """async (student) => {
  if (!student) {
    const appendix = document.createElement('section');
    appendix.className = 'pdf-page pdf-solutions-appendix';
    appendix.id = 'pdf-solutions';
    appendix.innerHTML = '<h1>Appendix: solutions to the exercises</h1>';
    document.querySelectorAll('article.bd-article div.solution').forEach(s => appendix.appendChild(s));
    document.querySelector('article.bd-article').appendChild(appendix);
  }
  MathJax.typesetClear();
  await MathJax.typesetPromise();
  await document.fonts.ready;
  await Promise.all([...document.images].map(i => i.complete ? 0 : new Promise(r => { i.onload = i.onerror = r; })));
  return document.querySelectorAll('article.bd-article .math:not(:has(mjx-container))').length;
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def print_pdf(site: Path, out: Path, student: bool, toc_file: Path) -> Path:
    from playwright.sync_api import sync_playwright

    pages = toc_pages(toc_file, student)
    body = combined_html(site, pages, student)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
            )
            page = browser.new_page()
            page.route(re.compile(r"^(?!http://127\.0\.0\.1)(?!data:)(?!blob:).*"), lambda r: r.abort())
            page.goto(
                f"http://127.0.0.1:{httpd.server_address[1]}/{pages[1]}.html", wait_until="load", timeout=TIMEOUT_MS
            )
            page.wait_for_function(
                "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=TIMEOUT_MS
            )
            page.evaluate("() => MathJax.startup.promise.then(() => true)")
            page.evaluate("(html) => { document.querySelector('article.bd-article').innerHTML = html; }", body)
            page.add_style_tag(content=PRINT_CSS)
            left = page.evaluate(_FINISH, student)
            if left:
                raise RuntimeError(f"MathJax left {left} formula(s) untypeset; not printing a PDF with raw TeX")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.emulate_media(media="print")
            page.pdf(
                path=str(out),
                format="A4",
                print_background=True,
                outline=True,
                tagged=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template='<div style="font-size:8px;width:100%;text-align:center;color:#555">'
                '<span class="pageNumber"></span> / <span class="totalPages"></span></div>',
                margin={"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"},
            )
            browser.close()
    finally:
        httpd.shutdown()
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, required=True, help="a built website (the html folder)")
    parser.add_argument("--out", type=Path, required=True, help="the PDF to write")
    parser.add_argument("--student", action="store_true", help="the student edition: no solutions, no guide")
    parser.add_argument("--toc", type=Path, default=ROOT / "_toc.yml")
    args = parser.parse_args(argv)
    out = print_pdf(args.site, args.out, args.student, args.toc)
    print(f"PDF written: {out} ({out.stat().st_size / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
