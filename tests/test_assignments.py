"""Homework tooling: student notebooks and the student website carry no solutions, and the checks
fail on the stubs.

The tests marked ``built`` read what ``make book``, ``make student-book`` and ``make assignments``
produced; ``make test`` runs them after those targets.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest

from rnnlib.course import assignments

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
STUDENT_NOTEBOOKS = ROOT / "_build" / "assignments"
SITE = ROOT / "_build" / "html" / "book"
STUDENT_SITE = ROOT / "_build" / "student" / "_build" / "html" / "book"
FULL_SITE_ROOT = ROOT / "_build" / "html"
STUDENT_SITE_ROOT = ROOT / "_build" / "student" / "_build" / "html"
CHAPTERS = assignments.chapter_notebooks(BOOK)


def _solution_lines(nb) -> set[str]:
    """Distinctive lines of the solution regions: not blank, not bare punctuation, and not found
    anywhere else in the notebook (so finding one elsewhere means the solution leaked)."""
    inside, outside = set(), set()
    for cell in nb.cells:
        sol = assignments.solution_lines(cell.source)
        inside.update(line.strip() for line in sol)
        outside.update(line.strip() for line in cell.source.splitlines() if line not in sol)
    return {line for line in inside - outside if re.search(r"[A-Za-z0-9]{2}", line)}


def _notebook(cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = cells
    return nb


SOURCE = _notebook(
    [
        nbformat.v4.new_markdown_cell(
            "```{solution} ex-x\n:class: dropdown\n\n<!-- ### BEGIN SOLUTION -->\n"
            "Because the product shrinks.\n<!-- ### END SOLUTION -->\n```"
        ),
        nbformat.v4.new_markdown_cell("Write `f`.\n\n```{solution-start} ex-y\n:class: dropdown\n```"),
        nbformat.v4.new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"),
        nbformat.v4.new_markdown_cell("```{solution-end}\n```"),
        nbformat.v4.new_code_cell("checks.chapter9.check_f(f)"),
    ]
)


def test_student_notebook_replaces_solution_regions_with_stubs():
    nb = SOURCE
    assignments.mark(nb, "09_x")
    student = assignments.student_notebook(nb)
    text = "\n".join(c.source for c in student.cells)
    assert "return 2 * x" not in text and "product shrinks" not in text
    assert "raise NotImplementedError()" in student.cells[2].source
    assert "YOUR ANSWER HERE" in student.cells[0].source
    assert "raises-exception" in student.cells[2].metadata["tags"]
    assert "raises-exception" in student.cells[3].metadata["tags"]  # the check (the gate's end is gone)
    assert "tags" not in student.cells[1].metadata
    # Directives become plain Markdown: the answer cell is one a student can type into.
    assert "```" not in text and student.cells[1].source == "Write `f`."


def test_plain_markdown_turns_exercise_and_solution_fences_into_text():
    source = (
        "## Exercises\n\n```{exercise}\n:label: ex-a\n\nWhy does $x$ shrink?\n```\n\n"
        "```{solution} ex-a\n:class: dropdown\n\nBecause.\n```\n\n"
        "```{exercise-start}\n:label: ex-b\n```\n\nWrite `f`.\n\n```{exercise-end}\n```\n\n"
        "```{admonition} Note\nkept\n```"
    )
    assert assignments.plain_markdown(source) == (
        "## Exercises\n\n**Exercise (ex-a).** Why does $x$ shrink?\n\n**Your answer (ex-a):**\n\nBecause.\n\n"
        "**Exercise (ex-b).**\n\nWrite `f`.\n\n```{admonition} Note\nkept\n```"
    )


def test_mark_keeps_the_points_an_instructor_set():
    nb = _notebook([c.copy() for c in SOURCE.cells])
    assignments.mark(nb, "09_x")
    nb.cells[4].metadata["nbgrader"]["points"] = 3
    nb.cells[0].metadata["nbgrader"]["points"] = 2.5
    assert assignments.mark(nb, "09_x") is False
    assert nb.cells[4].metadata["nbgrader"]["points"] == 3 and nb.cells[0].metadata["nbgrader"]["points"] == 2.5


def test_nbgrader_config_fits_the_checks_time_limit():
    from rnnlib.course import checks

    text = assignments.nbgrader_config()
    timeout = int(re.search(r"ExecutePreprocessor.timeout = (\d+)", text).group(1))
    assert timeout >= checks.CHECK_TIME_LIMIT + 30


def test_mark_gives_nbgrader_metadata_to_solution_and_check_cells():
    nb = _notebook([c.copy() for c in SOURCE.cells])
    for c in nb.cells:
        c.metadata = {}
    assert assignments.mark(nb, "09_x") is True
    assert nb.cells[2].metadata["nbgrader"]["solution"] is True
    assert nb.cells[4].metadata["nbgrader"]["grade"] is True
    assert assignments.mark(nb, "09_x") is False  # idempotent


def test_student_site_notebook_hides_code_solutions_and_drops_the_gates():
    site = assignments.student_site_notebook(SOURCE)
    sources = [c.source for c in site.cells]
    assert not any("solution-start" in s or "solution-end" in s for s in sources)
    assert "Write `f`." in sources  # the text around a gate stays
    code = [c for c in site.cells if c.cell_type == "code"]
    assert "remove-cell" in code[0].metadata["tags"]
    assert "remove-output" in code[1].metadata["tags"]


def test_exercises_lists_labels_and_finds_the_check_after_a_coding_solution():
    nb = _notebook(
        [nbformat.v4.new_markdown_cell("```{exercise}\n:label: ex-a\n\nWhy?\n```")] + [c.copy() for c in SOURCE.cells]
    )
    nb.cells.insert(2, nbformat.v4.new_markdown_cell("```{exercise-start}\n:label: ex-b\n```"))
    path = Path(__file__).parent / "_tmp_exercises.ipynb"
    try:
        nbformat.write(nb, path)
        found = assignments.exercises(path)
    finally:
        path.unlink()
    assert found == [
        {"label": "ex-a", "coding": False, "check": None},
        {"label": "ex-b", "coding": True, "check": "check_f"},
    ]


def test_every_chapter_has_an_exercise_checked_by_code():
    assert CHAPTERS, "no chapter notebooks found in book/"
    for path in CHAPTERS:
        nb = nbformat.read(path, as_version=4)
        assert any(assignments.has_solution(c) for c in nb.cells if c.cell_type == "code"), path.name
        functions = assignments.student_functions(nb)
        assert any(assignments.is_student_check(c, functions) for c in nb.cells), path.name
        assert any(ex["check"] for ex in assignments.exercises(path)), path.name


def test_chapter_notebooks_carry_nbgrader_metadata():
    assert assignments.main(["mark", "--src", str(BOOK), "--check"]) == 0


# --- what the builds produced ------------------------------------------------------------------


@pytest.mark.built
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_solution_line_in_student_notebook(path):
    student_path = STUDENT_NOTEBOOKS / path.name
    assert student_path.exists(), f"{student_path} missing: run `make assignments`"
    solution = _solution_lines(nbformat.read(path, as_version=4))
    assert solution, f"{path.name} has no solution lines to check"
    student = nbformat.read(student_path, as_version=4)
    student_lines = {line.strip() for c in student.cells for line in c.source.splitlines()}
    assert not solution & student_lines
    assert all(c.get("outputs", []) == [] for c in student.cells if c.cell_type == "code")


@pytest.mark.built
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_student_notebook_runs_and_every_check_fails_on_the_stub(path):
    from nbclient import NotebookClient

    nb = nbformat.read(STUDENT_NOTEBOOKS / path.name, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(BOOK)}}).execute()
    functions = assignments.student_functions(nbformat.read(path, as_version=4))
    checks = [c for c in nb.cells if assignments.is_student_check(c, functions)]
    assert checks
    for cell in checks:
        text = "".join(o.get("text", "") + o.get("evalue", "") for o in cell.outputs)
        assert "✗" in text and "not implemented" in text, cell.source


def _page_text(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))


@pytest.mark.built
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_student_site_shows_no_solution_text(path):
    solution = _solution_lines(nbformat.read(path, as_version=4))
    page = f"{path.stem}.html"
    full = {line.strip() for line in _page_text(SITE / page).splitlines()}
    student = {line.strip() for line in _page_text(STUDENT_SITE / page).splitlines()}
    shown = solution & full
    assert shown, f"none of {path.name}'s solution lines found on the full site: the test would prove nothing"
    assert not shown & student


def test_find_leaks_finds_a_solution_line_in_any_file_as_written_escaped_or_in_json(tmp_path):
    secrets = assignments.secret_lines(SOURCE)
    assert "return 2 * x" in secrets and "Because the product shrinks." in secrets
    (tmp_path / "page.html").write_text("<pre>    return 2 * x</pre>")
    (tmp_path / "index.js").write_text('Search.setIndex({"t": "Because the product shrinks.\\n"})')
    (tmp_path / "clean.txt").write_text("return 2 * x_other, and nothing else")
    found = assignments.find_leaks([tmp_path], secrets)
    assert {(p.name, line) for p, line in found} == {
        ("page.html", "return 2 * x"),
        ("index.js", "Because the product shrinks."),
    }


def test_student_site_drops_the_instructor_guide(tmp_path):
    dst = assignments.write_student_site(ROOT, tmp_path / "src")
    assert "instructor_guide" not in (dst / "_toc.yml").read_text()
    assert not list((dst / "book").glob("instructor_guide*"))


@pytest.mark.built
def test_no_file_of_the_student_site_or_notebooks_holds_solution_text():
    secrets = assignments.book_secrets(BOOK)
    assert len(secrets) > 100, "too few solution lines to scan for: the test would prove little"
    # The same scan on the full site finds them: the test can fail.
    assert FULL_SITE_ROOT.exists(), "run `make book` first"
    on_full_site = assignments.find_leaks([FULL_SITE_ROOT], secrets)
    assert len({line for _, line in on_full_site}) > len(secrets) // 2
    assert STUDENT_SITE_ROOT.exists() and STUDENT_NOTEBOOKS.exists(), "run `make student-book assignments`"
    leaks = assignments.find_leaks([STUDENT_SITE_ROOT, STUDENT_NOTEBOOKS], secrets)
    assert not leaks, "\n".join(f"{path}: {line}" for path, line in leaks[:20])


@pytest.mark.built
def test_student_site_download_is_the_student_notebook():
    for path in CHAPTERS:
        copy = STUDENT_SITE_ROOT / "_sources" / "book" / path.name
        assert copy.exists(), copy
        nb = nbformat.read(copy, as_version=4)
        assert any("raise NotImplementedError()" in c.source for c in nb.cells), path.name


def test_shipped_nbgrader_config_is_the_generated_one():
    assert (ROOT / "nbgrader_config.py").read_text() == assignments.nbgrader_config()


def test_each_written_answer_has_its_own_cell_with_points_and_a_rubric_beside_it():
    for path in CHAPTERS:
        nb = nbformat.read(path, as_version=4)
        answers = [c for c in nb.cells if c.cell_type == "markdown" and assignments.has_solution(c)]
        assert answers, path.name
        for i, cell in enumerate(nb.cells):
            if not (cell.cell_type == "markdown" and assignments.has_solution(cell)):
                continue
            # One {solution} fence and nothing else: no chapter prose a student could edit.
            assert len(assignments.FENCE.findall(cell.source)) == 1, cell.source[:200]
            assert assignments.FENCE.sub("", cell.source).strip() == "", cell.source[:200]
            meta = cell.metadata["nbgrader"]
            assert meta["grade"] and meta["solution"] and meta["points"] > 0
            label = assignments.answer_label(cell)
            statement = nb.cells[i - 1]
            assert f":label: {label}" in statement.source and assignments.MARK_SCHEME in statement.source
            assert statement.metadata["nbgrader"]["task"] is True


def test_student_notebook_and_site_drop_the_rubrics():
    nb = nbformat.read(CHAPTERS[6], as_version=4)
    for out in (assignments.student_notebook(nb), assignments.student_site_notebook(nb)):
        assert not any("MARK SCHEME" in c.source or "Rubric" in c.source for c in out.cells)


def test_mark_tells_a_partial_credit_check_its_points():
    nb = _notebook([c.copy() for c in SOURCE.cells])
    nb.cells[4] = nbformat.v4.new_code_cell("checks.chapter9.check_f(f, out_of=1)")
    assignments.mark(nb, "09_x")
    nb.cells[4].metadata["nbgrader"]["points"] = 5
    assert assignments.mark(nb, "09_x") is True
    assert nb.cells[4].source == "checks.chapter9.check_f(f, out_of=5)"
    assert assignments.mark(nb, "09_x") is False


def test_split_written_answers_gives_each_question_its_cells_and_keeps_the_prose():
    nb = _notebook(
        [
            nbformat.v4.new_markdown_cell(
                "## Summary\n\n- a point.\n\n## Exercises\n\n```{exercise}\n:label: ex-a\n\nWhy?\n```\n\n"
                "```{solution} ex-a\n:class: dropdown\n\n<!-- ### BEGIN SOLUTION -->\nBecause.\n"
                "<!-- ### END SOLUTION -->\n```\n\n```{exercise}\n:label: ex-b\n\nHow?\n```\n\n"
                "```{solution} ex-b\n:class: dropdown\n\n<!-- ### BEGIN SOLUTION -->\nSo.\n<!-- ### END SOLUTION -->\n```"
            )
        ]
    )
    assert assignments.split_written_answers(nb) is True
    assignments.mark(nb, "09_x")
    kinds = [
        (
            "prose"
            if "Summary" in c.source
            else "task"
            if "nbgrader" in c.metadata and c.metadata["nbgrader"].get("task")
            else "answer"
            if assignments.has_solution(c)
            else "?"
        )
        for c in nb.cells
    ]
    assert kinds == ["prose", "task", "answer", "task", "answer"]
    assert [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if assignments.has_solution(c)] == [
        "09_x-answer-ex-a",
        "09_x-answer-ex-b",
    ]
    assert assignments.split_written_answers(nb) is False  # already split
