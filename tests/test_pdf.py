"""The book as a PDF: ``make pdf`` (with solutions, in an appendix) and ``make student-pdf``.

Marked ``built``: ``make test`` prints both PDFs (``book/_ext/bptt_pdf.py``) before running
these. The text is extracted with pypdf and compared with what the website shows.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from pathlib import Path

import nbformat
import pytest
from test_assignments import CHAPTERS, _solution_lines

pytestmark = pytest.mark.built

ROOT = Path(__file__).resolve().parents[1]
PDFS = ROOT / "_build" / "pdf"
FULL, STUDENT = PDFS / "bptt-course.pdf", PDFS / "bptt-course-student.pdf"
SITE = ROOT / "_build" / "html"


def _flat(text: str) -> str:
    """NFKC (ligatures such as 'ﬁ' become 'fi') and every run of whitespace one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


@functools.cache
def _pdf(path: Path):
    assert path.exists(), f"{path} missing: run `make pdf student-pdf` first"
    from pypdf import PdfReader

    reader = PdfReader(path)
    return reader, _flat(" ".join(page.extract_text() for page in reader.pages))


def _html_text(fragment: str) -> str:
    return _flat(html.unescape(re.sub(r"<[^>]+>", " ", fragment)))


def _chapter_titles() -> list[str]:
    titles = []
    for path in CHAPTERS:
        page = (SITE / "book" / f"{path.stem}.html").read_text()
        article = re.search(r'<article class="bd-article">(.*?)</article>', page, re.S).group(1)
        title = re.search(r"<h1>(.*?)<a class=\"headerlink\"", article, re.S)
        titles.append(_html_text(title.group(1)))
    return titles


def _captions(limit_words: int = 6) -> list[str]:
    """The first words of every figure caption on the website, up to the first formula."""
    found = []
    for path in CHAPTERS:
        page = (SITE / "book" / f"{path.stem}.html").read_text()
        for fig in re.findall(r"<figcaption>(.*?)</figcaption>", page, re.S):
            cap = re.sub(r'<span class="caption-number">.*?</span>', "", fig, flags=re.S)
            before_math = re.split(r'<span class="math', cap)[0]
            # tags become spaces, so "<a>(13)</a>, one" reads "(13) , one": close up before punctuation
            words = re.sub(r"\s+([,.;:])", r"\1", _html_text(before_math)).split()
            if len(words) >= 4:
                found.append(" ".join(words[:limit_words]))
    return found


def _plain_solution_lines() -> set[str]:
    """Solution lines that the PDF must reproduce verbatim if it contains them: no Markdown or
    TeX markup (which the website renders into other text), at least 20 characters."""
    lines = set()
    for path in CHAPTERS:
        for line in _solution_lines(nbformat.read(path, as_version=4)):
            if len(line) >= 20 and re.fullmatch(r"[A-Za-z0-9 ,.;:()'=+\-/]+", line):
                lines.add(_flat(line))
    return lines


@pytest.mark.parametrize("path", [FULL, STUDENT], ids=["full", "student"])
def test_pdf_has_a_title_page_contents_and_every_chapter(path):
    reader, text = _pdf(path)
    assert 40 <= len(reader.pages) <= 400, f"{path.name} has {len(reader.pages)} pages"
    first = _flat(reader.pages[0].extract_text())
    assert "Backpropagation Through Time" in first and "Version" in first, first
    assert "Contents" in _flat(reader.pages[1].extract_text())
    missing = [t for t in _chapter_titles() if t not in text]
    assert not missing, f"chapter titles missing from {path.name}: {missing}"
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert len(outline) >= len(CHAPTERS), f"the PDF outline (bookmarks) has only {outline}"


@pytest.mark.parametrize("path", [FULL, STUDENT], ids=["full", "student"])
def test_pdf_has_rendered_math_and_figure_captions(path):
    _, text = _pdf(path)
    # Delimiters MathJax removes when it typesets (code cells may hold TeX in strings, e.g. axis
    # labels, but no delimited formula).
    raw = [t for t in ("$$", "\\begin{", "\\(", "\\[") if t in text]
    assert not raw, f"raw TeX in {path.name}: {raw}"
    # MathJax's glyphs are real text in the PDF: the notation of the course survives printing.
    for symbol, at_least in (("∂", 100), ("δ", 30), ("σ", 30), ("ρ", 30), ("η", 10)):
        assert text.count(symbol) >= at_least, f"{symbol!r} appears {text.count(symbol)} times in {path.name}"
    captions = _captions()
    assert len(captions) >= 15, f"only {len(captions)} figure captions found on the website"
    missing = [c for c in captions if c not in text]
    assert not missing, f"figure captions missing from {path.name}: {missing[:5]}"


def test_full_pdf_has_the_solutions_in_an_appendix():
    _, text = _pdf(FULL)
    assert "Appendix: solutions to the exercises" in text
    solutions = _plain_solution_lines()
    shown = {line for line in solutions if line in text}
    assert len(shown) >= 10, f"only {len(shown)} of {len(solutions)} plain solution lines found in the full PDF"
    appendix = text[text.rindex("Appendix: solutions to the exercises") :]
    assert all(line in appendix for line in shown), "a solution is printed outside the appendix"


def test_student_pdf_contains_no_solution_line():
    _, full = _pdf(FULL)
    _, student = _pdf(STUDENT)
    solutions = _plain_solution_lines()
    assert {line for line in solutions if line in full}, "no solution line in the full PDF: this test proves nothing"
    leaked = sorted(line for line in solutions if line in student)
    assert not leaked, f"{len(leaked)} solution line(s) in the student PDF, e.g. {leaked[:3]}"
    assert "Appendix: solutions" not in student
    assert "Chapters at a glance" in full and "Chapters at a glance" not in student, (
        "the student PDF must leave out the instructor's guide"
    )
