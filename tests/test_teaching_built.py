"""On the built website no chapter shows the reader an ``assert`` or a ``glue(`` call.

The source test (``test_teaching.py``) reads the notebooks' tags; this one reads what the reader
gets, the HTML of every chapter page of the full site and of the student site, so that a tag the
build ignores (``hide-input`` shows the code behind a toggle) cannot hide scaffolding from the test.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITES = {
    "full": ROOT / "_build" / "html" / "book",
    "student": ROOT / "_build" / "student" / "_build" / "html" / "book",
}
CHAPTERS = sorted(p.stem for p in (ROOT / "book").glob("0[1-9]_*.ipynb"))
_ASSERT = re.compile(r"(^|[;:]\s*)assert\b", re.MULTILINE)
_GLUE = re.compile(r"\bglue\(")


class _CodeInputs(HTMLParser):
    """The text of every ``div.cell_input`` (MyST-NB's code cell input) of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inputs: list[str] = []
        self._depth = 0  # div nesting inside the current cell_input, 0 outside

    def handle_starttag(self, tag, attrs):
        if tag != "div":
            return
        if self._depth:
            self._depth += 1
        elif "cell_input" in (dict(attrs).get("class") or "").split():
            self._depth = 1
            self.inputs.append("")

    def handle_endtag(self, tag):
        if tag == "div" and self._depth:
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.inputs[-1] += data


def code_inputs(html: str) -> list[str]:
    parser = _CodeInputs()
    parser.feed(html)
    return parser.inputs


def scaffolding_shown(html: str) -> list[str]:
    """``[i] assert`` / ``[i] glue(`` for every code input i on the page that shows them."""
    found = []
    for i, text in enumerate(code_inputs(html)):
        code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
        if _ASSERT.search(code):
            found.append(f"[{i}] assert")
        if _GLUE.search(code):
            found.append(f"[{i}] glue(")
    return found


def test_scaffolding_shown_finds_assert_and_glue_in_a_page():
    page = (
        '<div class="cell docutils container"><div class="cell_input docutils container">'
        '<div class="highlight"><pre><span class="k">assert</span> x == 1\n'
        '<span class="n">glue</span><span class="p">(</span>"a", 1)</pre></div></div>'
        '<div class="cell_output">assert in the output is not code</div></div>'
        '<div class="cell_input"><pre>y = 2  # assert nothing</pre></div>'
    )
    assert code_inputs(page)[1] == "y = 2  # assert nothing"
    assert scaffolding_shown(page) == ["[0] assert", "[0] glue("]


@pytest.mark.built
@pytest.mark.parametrize("site", sorted(SITES))
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_chapter_page_shows_assert_or_glue(site, chapter):
    page = SITES[site] / f"{chapter}.html"
    assert page.exists(), f"{page} missing: run `make book` and `make student-book` first"
    html = page.read_text(encoding="utf-8")
    assert code_inputs(html), f"{site} site, {chapter}: no code cell found; has the page layout changed?"
    found = scaffolding_shown(html)
    assert not found, f"{site} site, {chapter}: visible code cells show test scaffolding: {found}"
