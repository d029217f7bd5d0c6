"""Student assignments and the student website, made from the chapter notebooks (instructor tooling).

The chapter notebooks keep each reference solution between nbgrader's markers,
``### BEGIN SOLUTION`` and ``### END SOLUTION`` (in Markdown cells inside an HTML
comment, ``<!-- ### BEGIN SOLUTION -->``, so the website does not show the markers).
The book shows those solutions behind toggles; instructors get:

- ``python -m rnnlib.course.assignments notebooks``: one student notebook per chapter, made by
  nbgrader's own ``ClearSolutions`` and ``ClearOutput`` preprocessors (solution regions
  become ``raise NotImplementedError()`` / "YOUR ANSWER HERE"; prose and checks stay).
  Cells that now raise, and the checks after them, are tagged ``raises-exception`` so
  that the student notebook still runs top to bottom under nbval and Jupyter Book.
- ``python -m rnnlib.course.assignments student-site``: the source of a website without
  solutions in ``_build/student-src``: the book's pages, with sphinx-exercise's
  ``hide_solutions`` switched on for the written solutions, and the code solutions
  (which sit between ``solution-start``/``solution-end``, a gated form that
  ``hide_solutions`` does not handle) executed but removed from the page (``remove-cell``).
- ``python -m rnnlib.course.assignments mark``: gives solution and check cells nbgrader's cell
  metadata, so nbgrader users can feed the chapter notebooks to nbgrader unchanged.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

BEGIN = "BEGIN SOLUTION"
END = "END SOLUTION"
# ``checks.chapter4.check_step_backward(`` after ``from rnnlib.course import checks``, or fully qualified;
# in a grade cell ``fresh("chapter4").check_step_backward(`` (checks re-imported, see checks.fresh).
CHECK_CALL = re.compile(
    r"(?:(?<![\w.])(?:rnnlib\.course\.)?checks\.\w+|(?<![\w.])fresh\([\"']chapter\d+[\"']\))\.(?P<check>check_\w+)\("
)
FRESH_IMPORT = "from rnnlib.course.checks import fresh  # the checks as on disk: no cell above can replace them\n"


def solution_lines(source: str) -> list[str]:
    """The lines strictly inside the solution regions of a cell's source."""
    lines, inside = [], False
    for line in source.splitlines():
        if BEGIN in line:
            inside = True
        elif END in line:
            inside = False
        elif inside:
            lines.append(line)
    return lines


def has_solution(cell) -> bool:
    return BEGIN in cell.source


def is_check(cell) -> bool:
    """A cell that calls one of rnnlib's checks (on a student's function or, in a demo, on a wrong one)."""
    return cell.cell_type == "code" and bool(CHECK_CALL.search(cell.source))


def student_functions(nb) -> set[str]:
    """Names of the functions whose bodies are solution regions: what the student writes."""
    return {
        name
        for c in nb.cells
        if c.cell_type == "code" and has_solution(c)
        for name in re.findall(r"^def (\w+)\(", c.source, re.M)
    }


def is_student_check(cell, functions: set[str]) -> bool:
    """A check cell whose first argument is one of the student's functions (an exercise's check)."""
    if cell.cell_type != "code":
        return False
    return any(m.group("arg") in functions for m in re.finditer(CHECK_CALL.pattern + r"\s*(?P<arg>\w+)", cell.source))


MARK_SCHEME = "### BEGIN MARK SCHEME"


def answer_label(cell) -> str | None:
    """The exercise label of a written answer cell (its ``{solution} <label>`` fence), if any."""
    found = re.search(r"```\{solution\}[ \t]+([\w-]+)", cell.source)
    return found.group(1) if found else None


def mark(nb, stem: str) -> bool:
    """Add nbgrader cell metadata to solution and check cells; returns whether anything changed."""
    changed = False
    n_solution = n_check = 0
    rubric_ids: list[str] = []
    functions = student_functions(nb)
    for cell in nb.cells:
        want = None
        if has_solution(cell):
            n_solution += 1
            want = {
                "solution": True,
                "grade": False,
                "locked": False,
                "grade_id": f"{stem}-solution-{n_solution}",
                "schema_version": 3,
            }
            if cell.cell_type == "markdown":  # nbgrader: a written answer is a manually graded cell
                want.update(grade=True, points=1)
                label = answer_label(cell)
                if label:
                    want["grade_id"] = f"{stem}-answer-{label}"
        elif cell.cell_type == "markdown" and MARK_SCHEME in cell.source:
            # The statement of a written exercise with its rubric: nbgrader keeps mark schemes in
            # task cells; the points are on the answer cell, so the task carries none.
            found = EXERCISE.findall(cell.source)
            rubric_id = f"{stem}-rubric-{found[0] if found else len(rubric_ids) + 1}"
            rubric_ids.append(rubric_id)
            want = {
                "solution": False,
                "grade": False,
                "locked": True,
                "task": True,
                "points": 0,
                "grade_id": rubric_id,
                "schema_version": 3,
            }
        elif is_student_check(cell, functions):
            n_check += 1
            want = {
                "solution": False,
                "grade": True,
                "locked": True,
                "points": 1,
                "grade_id": f"{stem}-check-{n_check}",
                "schema_version": 3,
            }
        if want is not None and "points" in want and not want.get("task"):
            # The instructor's points stay: set them in the notebook (by hand, or nbgrader's
            # formgrader), and `mark` only fills in the default for a cell that has none.
            old = cell.metadata.get("nbgrader", {}).get("points")
            if isinstance(old, (int, float)) and not isinstance(old, bool) and old >= 0:
                want["points"] = old
        if want is not None and not want["solution"] and "out_of=" in cell.source:
            # A check with partial credit is told its points: keep the call in step with the metadata.
            synced = re.sub(r"out_of=[0-9.]+", f"out_of={want['points']:g}", cell.source)
            if synced != cell.source:
                cell.source = synced
                changed = True
        if want is not None and cell.metadata.get("nbgrader") != want:
            cell.metadata["nbgrader"] = want
            changed = True
        elif want is None and "nbgrader" in cell.metadata:
            del cell.metadata["nbgrader"]
            changed = True
    return changed


RUBRIC = """<!--
### BEGIN MARK SCHEME
Rubric (1 point per question unless the table in the instructor's guide says otherwise): full
marks for an answer that makes each point of the reference answer (the answer cell's solution) with its
reason; half for the right conclusion without its reason, or with one point missing; none for an
answer that does not address the question.
### END MARK SCHEME
-->"""


def split_written_answers(nb) -> bool:
    """Give every written exercise its own cells: a Markdown cell that holds chapter prose together
    with ``{exercise}``/``{solution}`` pairs becomes the prose, then per exercise the statement (with
    :data:`RUBRIC` as its mark scheme) and the answer cell (the ``{solution}`` fence alone). Run
    ``mark`` afterwards. Returns whether anything changed."""
    out, changed = [], False
    for cell in nb.cells:
        if not (cell.cell_type == "markdown" and has_solution(cell)) or (
            len(FENCE.findall(cell.source)) == 1 and FENCE.sub("", cell.source).strip() == ""
        ):
            out.append(cell)
            continue
        changed = True
        pos = 0
        buf: list[str] = []

        def flush():
            text = "".join(buf).strip("\n")
            buf.clear()
            if text.strip():
                out.append(nbformat.v4.new_markdown_cell(text))

        for m in FENCE.finditer(cell.source):
            if m.group("name") not in ("exercise", "solution"):
                continue
            buf.append(cell.source[pos : m.start()])
            pos = m.end()
            flush()
            out.append(nbformat.v4.new_markdown_cell(m.group(0).strip("\n")))
            if m.group("name") == "exercise" and MARK_SCHEME not in cell.source[pos : pos + 200]:
                out[-1].source += "\n\n" + RUBRIC
        buf.append(cell.source[pos:])
        flush()
    nb.cells = out
    return changed


def points_table(src: Path) -> list[dict]:
    """One row per graded cell of the chapter notebooks: chapter, grade id, kind (``check``: graded
    by code; ``written``: graded by hand), the exercise it belongs to, and its points (from the
    cell's nbgrader metadata, the one place points are set)."""
    rows = []
    for path in chapter_notebooks(src):
        nb = nbformat.read(path, as_version=4)
        label = None
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                found = EXERCISE.findall(cell.source)
                label = found[-1] if found else label
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and cell.cell_type == "markdown":
                label = answer_label(cell) or label
            if meta.get("grade"):
                rows.append(
                    {
                        "chapter": path.stem,
                        "grade_id": meta["grade_id"],
                        "kind": "written" if cell.cell_type == "markdown" else "check",
                        "exercise": label,
                        "points": meta.get("points", 0),
                    }
                )
    return rows


# A MyST directive fence: ```{name} argument, then :option: lines, then the body, closed by as many backticks.
FENCE = re.compile(
    r"^(?P<ticks>`{3,})\{(?P<name>[\w:-]+)\}(?P<arg>[^\n]*)\n(?P<opts>(?:[ \t]*:[^\n]*\n)*)(?P<body>.*?)^(?P=ticks)[ \t]*$\n?",
    re.M | re.S,
)
# An opening or closing fence without a body (the gated form: exercise-start, solution-start, ...-end).
GATED = re.compile(
    r"^`{3,}\{(?P<name>(?:exercise|solution)-(?:start|end))\}(?P<arg>[^\n]*)\n(?P<opts>(?:[ \t]*:[^\n]*\n)*)`{3,}[ \t]*$\n?",
    re.M,
)


def _label(opts: str) -> str:
    found = re.search(r":label:\s*([\w-]+)", opts)
    return f" ({found.group(1)})" if found else ""


def plain_markdown(source: str) -> str:
    """A Markdown cell's exercise and solution directives as plain Markdown, for JupyterLab and
    nbgrader (which show MyST fences as code blocks): ``**Exercise (ex-ch7-x).**`` and the
    statement as text; a solution's body becomes the answer region itself, so what a student
    types (LaTeX included) is ordinary Markdown."""

    def gated(m):
        if m.group("name") == "exercise-start":
            return f"**Exercise{_label(m.group('opts'))}.**\n"
        return ""

    def fenced(m):
        name, body = m.group("name"), m.group("body").strip("\n")
        if name == "exercise":
            return f"**Exercise{_label(m.group('opts'))}.** " + body + "\n"
        if name == "solution":
            return f"**Your answer ({m.group('arg').strip()}):**\n\n" + body + "\n"
        return m.group(0)

    out = GATED.sub(gated, source)
    out = FENCE.sub(fenced, out)
    return re.sub(r"\n{3,}", "\n\n", out).strip("\n")


def plain_notebook(nb):
    """The notebook with :func:`plain_markdown` applied to every Markdown cell (others untouched);
    cells left empty (a gate's end) are dropped."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and ("{exercise" in cell.source or "{solution" in cell.source):
            cell.source = plain_markdown(cell.source)
            if not cell.source.strip() and "nbgrader" not in cell.metadata:
                continue
        cells.append(cell)
    nb.cells = cells
    return nb


def student_notebook(nb):
    """The student version of a chapter notebook: solutions cleared by nbgrader, no outputs."""
    from nbgrader.preprocessors import ClearMarkScheme, ClearOutput, ClearSolutions

    nb = plain_notebook(nb)
    stub_cells = {i for i, c in enumerate(nb.cells) if c.cell_type == "code" and has_solution(c)}
    # Functions the student writes: any later cell that calls or checks one raises until they are written.
    functions = student_functions(nb)
    calls = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(functions))) + r")\b") if functions else None
    nb, _ = ClearSolutions().preprocess(nb, {})
    nb, _ = ClearMarkScheme().preprocess(nb, {})
    nb, _ = ClearOutput().preprocess(nb, {})
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = re.sub(r"\n*<!--\s*-->", "", cell.source)  # what is left of a rubric's comment
    for i, cell in enumerate(nb.cells):
        uses_stub = calls is not None and cell.cell_type == "code" and calls.search(cell.source)
        if i in stub_cells or is_student_check(cell, functions) or uses_stub:
            tags = cell.metadata.setdefault("tags", [])
            if "raises-exception" not in tags:
                tags.append("raises-exception")
    return nb


def nbgrader_config(cell_timeout: int | None = None) -> str:
    """The text of an ``nbgrader_config.py`` that fits the checks' limits (see rnnlib.course.checks):
    a cell may run for the longest check (``CHECK_TIME_LIMIT``) plus a margin, so a correct but
    slow solution is graded instead of timed out at nbgrader's default of 30 s."""
    from rnnlib.course import checks

    timeout = cell_timeout if cell_timeout is not None else int(checks.CHECK_TIME_LIMIT * 1.5 + 30)
    return f"""# nbgrader configuration for the course's chapters (written by python -m rnnlib.course.assignments).
c = get_config()  # noqa: F821

# A check stops the student's code after {checks.TIME_LIMIT:g} s per call and {checks.CHECK_TIME_LIMIT:g} s per check
# (rnnlib.course.checks.TIME_LIMIT, CHECK_TIME_LIMIT); a cell may take that long and more, because a
# chapter's own cells (training runs, figures) run too. nbgrader's default, 30 s, fails correct slow code.
c.ExecutePreprocessor.timeout = {timeout}
c.ExecutePreprocessor.interrupt_on_timeout = True
# A student's notebook keeps what it prints; the checks cap their own (OUTPUT_LIMIT characters).
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
"""


def write_nbgrader_course(src: Path, dst: Path, chapters: list[str] | None = None) -> list[Path]:
    """A ready nbgrader course in ``dst``: ``nbgrader_config.py`` and ``source/<chapter>/<chapter>.ipynb``
    for each chapter (all, or the stems in ``chapters``), from the chapter notebooks as they are
    (solutions and checks marked by ``mark``), with exercise directives made plain Markdown so that
    JupyterLab and nbgrader's feedback show them as text. Then ``nbgrader generate_assignment``,
    ``autograde`` and ``generate_feedback`` work as usual."""
    dst = Path(dst)
    dst.mkdir(parents=True, exist_ok=True)
    (dst / "nbgrader_config.py").write_text(nbgrader_config())
    written = []
    for path in chapter_notebooks(src):
        if chapters is not None and path.stem not in chapters:
            continue
        nb = nbformat.read(path, as_version=4)
        mark(nb, path.stem)
        out = dst / "source" / path.stem / path.name
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(plain_notebook(nb), out)
        written.append(out)
    if chapters is not None and len(written) != len(chapters):
        found = {p.parent.name for p in written}
        raise ValueError(
            f"chapters: expected chapter notebook stems of {src}, got unknown {sorted(set(chapters) - found)}"
        )
    return written


def chapter_notebooks(src: Path) -> list[Path]:
    return sorted(p for p in Path(src).glob("[0-9][0-9]_*.ipynb"))


def write_notebooks(src: Path, dst: Path) -> list[Path]:
    dst.mkdir(parents=True, exist_ok=True)
    written = []
    for path in chapter_notebooks(src):
        nb = nbformat.read(path, as_version=4)
        out = dst / path.name
        nbformat.write(student_notebook(nb), out)
        written.append(out)
    return written


# A gate's start or end marker: the fenced directive with its options and no body.
GATE = re.compile(r"^[ \t]*```\{solution-(?:start|end)\}[^\n]*\n(?:[ \t]*:[^\n]*\n)*[ \t]*```[ \t]*$\n?", re.M)


MARK_SCHEME_REGION = re.compile(r"(?:<!--\s*)?### BEGIN MARK SCHEME.*?### END MARK SCHEME(?:\s*-->)?", re.S)


def student_site_notebook(nb):
    """A chapter notebook for the student website: code solutions run but are not shown."""
    nb = copy.deepcopy(nb)
    functions = student_functions(nb)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and MARK_SCHEME in cell.source:
            cell.source = MARK_SCHEME_REGION.sub("", cell.source).rstrip()  # the rubric is for graders
        if cell.cell_type == "markdown" and GATE.search(cell.source):
            cell.source = GATE.sub("", cell.source).rstrip()  # hide_solutions cannot handle gates
            if not cell.source.strip():
                continue
        if cell.cell_type == "code" and (has_solution(cell) or is_student_check(cell, functions)):
            tags = cell.metadata.setdefault("tags", [])
            tag = "remove-cell" if has_solution(cell) else "remove-output"
            if tag not in tags:
                tags.append(tag)
        cells.append(cell)
    nb.cells = cells
    return nb


def write_student_site(root: Path, dst: Path) -> Path:
    """Copy the book into ``dst`` as the source of the student website (see the module docstring)."""
    import shutil

    import yaml

    root, dst = Path(root).resolve(), Path(dst).resolve()
    if dst.exists():
        shutil.rmtree(dst)
    (dst / "book").mkdir(parents=True)
    for path in (root / "book").iterdir():
        if path.name.startswith("instructor_guide"):
            continue
        if path.suffix == ".ipynb":
            nbformat.write(student_site_notebook(nbformat.read(path, as_version=4)), dst / "book" / path.name)
        elif path.suffix == ".md":
            # The guide is not part of the student site: a link to it becomes its name.
            text = re.sub(r"\{doc\}`(?:[^`<]*<)?instructor_guide>?`", "instructor's guide", path.read_text())
            (dst / "book" / path.name).write_text(text)
        elif path.is_file():
            shutil.copy2(path, dst / "book" / path.name)
        elif path.is_dir() and not path.name.startswith((".", "_build")):  # book/_ext: Sphinx extensions
            shutil.copytree(
                path, dst / "book" / path.name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")
            )
    toc = (root / "_toc.yml").read_text()
    # The guide holds the rubrics and the solutions' handout: not for students.
    toc = re.sub(r"^[ \t]*- file: book/instructor_guide[ \t]*\n", "", toc, flags=re.M)
    (dst / "_toc.yml").write_text(toc)
    data = yaml.safe_load((root / "_config.yml").read_text())
    data.setdefault("sphinx", {}).setdefault("config", {})["hide_solutions"] = True
    data["title"] = data.get("title", "") + " (student edition)"
    # Share the main book's execution cache: the code is the same, so nothing runs twice.
    data.setdefault("execute", {})["cache"] = str(root / "_build" / ".jupyter_cache")
    (dst / "_config.yml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return dst


SOLUTION_FENCE = re.compile(r"^[ \t]*```\{solution\}[^\n]*\n(.*?)^[ \t]*```[ \t]*$", re.M | re.S)


def secret_lines(nb) -> set[str]:
    """Distinctive lines of a notebook's solutions (code between the markers, written answers in
    ``{solution}`` blocks): stripped, with two letters or digits in a row, and found nowhere else in the
    notebook, so finding one in a student file means that solution leaked."""
    inside: set[str] = set()
    outside: set[str] = set()
    for cell in nb.cells:
        sol = solution_text(cell)
        inside.update(line.strip() for line in sol)
        outside.update(line.strip() for line in cell.source.splitlines() if line not in sol)
    inside -= outside
    return {
        line
        for line in inside
        if re.search(r"[A-Za-z0-9]{2}", line)
        and len(line) >= 10
        and "SOLUTION" not in line
        and not line.startswith(":")
    }


def book_secrets(src: Path) -> set[str]:
    """The secret lines of every chapter (:func:`secret_lines`), less any that the book's other
    pages (notation, glossary, intro...) show openly."""
    secrets = set().union(*(secret_lines(nbformat.read(p, as_version=4)) for p in chapter_notebooks(src)))
    public = "\n".join(path.read_text() for path in Path(src).glob("*.md"))
    return {line for line in secrets if line not in public}


def solution_text(cell) -> list[str]:
    """A cell's solution lines: between nbgrader's markers, and inside ``{solution}`` fences."""
    lines = solution_lines(cell.source)
    if cell.cell_type == "markdown":
        for body in SOLUTION_FENCE.findall(cell.source):
            lines.extend(body.splitlines())
    return lines


def _variants(line: str) -> set[str]:
    """How a line can appear in a file: as written, HTML-escaped, JSON-escaped (with or without
    ASCII escapes)."""
    import html
    import json

    return {
        line,
        html.escape(line, quote=False),
        html.escape(line),
        json.dumps(line)[1:-1],
        json.dumps(line, ensure_ascii=False)[1:-1],
    }


def find_leaks(paths, secrets: set[str]) -> list[tuple[Path, str]]:
    """Every (file, secret line) such that the line occurs in a file under ``paths``.

    Reads every file as text (UTF-8, undecodable bytes dropped), so HTML, JavaScript, JSON,
    notebooks, search indexes and copied sources are all scanned; compressed files (the
    wheel, images) are read too but cannot match.
    """
    wanted = {variant: line for line in secrets for variant in _variants(line)}
    found = []
    for root in paths:
        root = Path(root)
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            text = path.read_bytes().decode("utf-8", errors="ignore")
            for variant, line in wanted.items():
                if _occurs_as_line(text, variant):
                    found.append((path, line))
    return sorted(set(found))


def _occurs_as_line(text: str, line: str) -> bool:
    """Whether ``line`` occurs in ``text`` as a whole line: the character after it ends a line
    (newline, an escaped newline, a closing tag or quote), the one before is no identifier character;
    so ``return delta`` does not match inside ``return delta, da``."""
    start = text.find(line)
    while start != -1:
        end = start + len(line)
        before = text[start - 1] if start else "\n"
        after = text[end] if end < len(text) else "\n"
        if not (before.isalnum() or before == "_") and (after.isspace() or after in "<\"\\'"):
            return True
        start = text.find(line, start + 1)
    return False


def scrub_student_site(site: Path, src: Path) -> list[Path]:
    """After the student site is built: every chapter notebook that Sphinx copied into
    ``_sources`` (the page's download button) becomes the student notebook, without solutions."""
    replaced = []
    for path in chapter_notebooks(src):
        for copy_ in Path(site).rglob(f"_sources/**/{path.name}"):
            nbformat.write(student_notebook(nbformat.read(path, as_version=4)), copy_)
            replaced.append(copy_)
    return replaced


EXERCISE = re.compile(r"```\{exercise(?:-start)?\}[^\n]*\n(?::[^\n]*\n)*?:label: ([\w-]+)")


def exercises(path: Path) -> list[dict]:
    """The exercises of a chapter notebook: label, whether it is a coding exercise, its check.

    A coding exercise has a solution code cell; it is auto-checked when a check cell
    (``checks.chapterN.check_...``) follows its solution.
    """
    nb = nbformat.read(path, as_version=4)
    functions = student_functions(nb)
    found, current = [], None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for label in EXERCISE.findall(cell.source):
                current = {"label": label, "coding": False, "check": None}
                found.append(current)
        elif current is not None and has_solution(cell):
            current["coding"] = True
        elif (
            current is not None and is_student_check(cell, functions) and current["coding"] and current["check"] is None
        ):
            call = CHECK_CALL.search(cell.source)
            current["check"] = call.group("check") if call else None
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnnlib.course.assignments", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("notebooks", help="write one student notebook per chapter")
    p.add_argument("--src", default="book", type=Path)
    p.add_argument("--dst", default="_build/assignments", type=Path)
    p = sub.add_parser("student-site", help="write the source of the website without solutions")
    p.add_argument("--root", default=".", type=Path)
    p.add_argument("--dst", default="_build/student-src", type=Path)
    p = sub.add_parser(
        "scrub-site", help="after building the student site: its notebook downloads become student notebooks"
    )
    p.add_argument("--site", default="_build/student/_build/html", type=Path)
    p.add_argument("--src", default="book", type=Path)
    p = sub.add_parser("leaks", help="scan every file under the given folders for solution text; exit 1 if found")
    p.add_argument("--src", default="book", type=Path)
    p.add_argument("paths", nargs="+", type=Path)
    p = sub.add_parser("mark", help="add nbgrader metadata to solution and check cells (in place)")
    p.add_argument("--src", default="book", type=Path)
    p.add_argument("--check", action="store_true", help="only report; exit 1 if a notebook needs marking")
    p = sub.add_parser("nbgrader-course", help="write an nbgrader course (config and source/) from the chapters")
    p.add_argument("--src", default="book", type=Path)
    p.add_argument("--dst", default="_build/nbgrader-course", type=Path)
    p.add_argument("chapters", nargs="*", help="chapter stems, e.g. 04_implementing_bptt (default: all)")
    p = sub.add_parser("split-answers", help="one cell per written question, rubric beside it (in place), then mark")
    p.add_argument("--src", default="book", type=Path)
    p = sub.add_parser("points", help="print the points of every graded cell (a Markdown table)")
    p.add_argument("--src", default="book", type=Path)
    args = parser.parse_args(argv)

    if args.command == "notebooks":
        for out in write_notebooks(args.src, args.dst):
            print(f"wrote {out}")
    elif args.command == "student-site":
        print(f"wrote {write_student_site(args.root, args.dst)}")
    elif args.command == "nbgrader-course":
        for out in write_nbgrader_course(args.src, args.dst, args.chapters or None):
            print(f"wrote {out}")
        print(f"wrote {args.dst / 'nbgrader_config.py'}")
    elif args.command == "split-answers":
        for path in chapter_notebooks(args.src):
            nb = nbformat.read(path, as_version=4)
            if split_written_answers(nb):
                mark(nb, path.stem)
                nbformat.write(nb, path)
                print(f"split: {path}")
    elif args.command == "points":
        rows = points_table(args.src)
        print("| chapter | grade id | graded | exercise | points |\n|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['chapter']} | {r['grade_id']} | {r['kind']} | {r['exercise']} | {r['points']} |")
        print(f"| total | | | | {sum(r['points'] for r in rows)} |")
    elif args.command == "scrub-site":
        for out in scrub_student_site(args.site, args.src):
            print(f"student notebook in place of the source: {out}")
    elif args.command == "leaks":
        secrets = book_secrets(args.src)
        leaks = find_leaks(args.paths, secrets)
        for path, line in leaks:
            print(f"solution text in {path}: {line}")
        print(f"scanned {', '.join(map(str, args.paths))} for {len(secrets)} solution lines: {len(leaks)} found")
        return 1 if leaks else 0
    else:
        unmarked = []
        for path in chapter_notebooks(args.src):
            nb = nbformat.read(path, as_version=4)
            if mark(nb, path.stem):
                unmarked.append(path)
                if not args.check:
                    nbformat.write(nb, path)
        verb = "needs marking" if args.check else "marked"
        for path in unmarked:
            print(f"{verb}: {path}")
        if args.check and unmarked:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
