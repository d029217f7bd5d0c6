"""nbgrader end to end, as an instructor runs it: a throwaway course made from the chapter
notebooks (chapters 4 and 7), ``generate_assignment``, submissions (the reference solutions,
realistic wrong ones, the untouched stub, two tamperings, a correct but slow one), ``autograde``
and ``generate_feedback``; the grades are what the design says.

Marked ``built`` (``make test`` runs it after the builds); about two minutes on 2 cores.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from rnnlib.course import assignments

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ["04_implementing_bptt", "07_clipping"]
BIN = Path(sys.executable).parent

STEP_BACKWARD = """def step_backward(dh, cache):
    da = dh * (1.0 - cache["h"] ** 2)
    return da @ cache["W_s"], da @ cache["W_x"], da.T @ cache["x"], da.T @ cache["h_prev"], da.sum(axis=0)
"""
STEP_BACKWARD_NO_FPRIME = """def step_backward(dh, cache):
    return dh @ cache["W_s"], dh @ cache["W_x"], dh.T @ cache["x"], dh.T @ cache["h_prev"], dh.sum(axis=0)
"""
BPTT = """def bptt(caches, dh_out, weights):
    dW_x, dW_s = np.zeros_like(caches[0]["W_x"]), np.zeros_like(caches[0]["W_s"])
    db_h, message = np.zeros(caches[0]["W_s"].shape[0]), np.zeros_like(dh_out[0])
    for t in {order}:
        message, _, gx, gs, gb = step_backward(weights[t] * dh_out[t] + message, caches[t])
        dW_x, dW_s, db_h = dW_x + gx, dW_s + gs, db_h + gb
    return dW_x, dW_s, db_h, message
"""
CLIP = """def clip_by_norm(grads, threshold):
    {extra}norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    scale = threshold / norm if norm >= threshold else 1.0
    return {{name: g * scale for name, g in grads.items()}}
"""
CLIP_PER_PARAMETER = """def clip_by_norm(grads, threshold):
    out = {}
    for name, g in grads.items():
        norm = np.sqrt(np.sum(g * g))
        out[name] = g * (threshold / norm if norm >= threshold else 1.0)
    return out
"""
# The reported attack: replace the check from the solution cell, then hand back the gradient unclipped.
CLIP_TAMPER_CHECK = """import rnnlib.course.checks.chapter7 as _c7
_c7.check_clip_by_norm = lambda *a, **k: print("✓ clip_by_norm: correct on all 5 cases.")
from rnnlib.course import checks
checks.chapter7.check_clip_by_norm = _c7.check_clip_by_norm

def clip_by_norm(grads, threshold):
    return grads
"""
# Replace the reference the check compares with, so that a zero answer "matches".
STEP_TAMPER_REFERENCE = """import rnnlib.rnn
rnnlib.rnn.step_backward = lambda params, dh, cache: tuple(0 * a for a in (dh, cache[0], params.W_x, params.W_s, params.b_h))

def step_backward(dh, cache):
    return 0 * dh, 0 * cache["x"], 0 * cache["W_x"], 0 * cache["W_s"], 0 * cache["W_s"][0]
"""

# dW_s transposed, the four other outputs right: four fifths of the step_backward check's point.
STEP_BACKWARD_DWS_TRANSPOSED = STEP_BACKWARD.replace('da.T @ cache["h_prev"]', '(da.T @ cache["h_prev"]).T')
REVERSED = "range(len(caches) - 1, -1, -1)"
SUBMISSIONS = {
    "reference": {
        "step_backward": STEP_BACKWARD,
        "bptt": BPTT.format(order=REVERSED),
        "clip_by_norm": CLIP.format(extra=""),
    },
    "wrong": {
        "step_backward": STEP_BACKWARD_NO_FPRIME,
        "bptt": BPTT.format(order="range(len(caches))"),
        "clip_by_norm": CLIP_PER_PARAMETER,
    },
    "partial": {"step_backward": STEP_BACKWARD_DWS_TRANSPOSED, "bptt": BPTT.format(order="range(len(caches))")},
    "stub": {},
    "tamper": {
        "step_backward": STEP_TAMPER_REFERENCE,
        "bptt": BPTT.format(order=REVERSED),
        "clip_by_norm": CLIP_TAMPER_CHECK,
    },
    # 6.5 s per call, 5 calls: over nbgrader's default 30 s cell timeout, inside the checks' limits.
    "slow": {"clip_by_norm": CLIP.format(extra="import time; time.sleep(6.5)\n    ")},
}
# Expected autograded points per (student, check cell); checks are worth 1 point each by default.
EXPECTED = {
    "reference": {"04_implementing_bptt-check-1": 1, "04_implementing_bptt-check-2": 1, "07_clipping-check-1": 1},
    "wrong": {"04_implementing_bptt-check-1": 0, "04_implementing_bptt-check-2": 0, "07_clipping-check-1": 0},
    "partial": {"04_implementing_bptt-check-1": 0.8, "04_implementing_bptt-check-2": 0, "07_clipping-check-1": 0},
    "stub": {"04_implementing_bptt-check-1": 0, "04_implementing_bptt-check-2": 0, "07_clipping-check-1": 0},
    "tamper": {"04_implementing_bptt-check-1": 0, "04_implementing_bptt-check-2": 0, "07_clipping-check-1": 0},
    "slow": {"07_clipping-check-1": 1},
}


def _run(course: Path, *args: str):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run(
        [str(BIN / "nbgrader"), *args], cwd=course, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _submit(course: Path, student: str, chapter: str, code: dict[str, str]):
    release = course / "release" / chapter / f"{chapter}.ipynb"
    nb = nbformat.read(release, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            for name, source in code.items():
                if f"def {name}(" in cell.source:
                    cell.source = source
    out = course / "submitted" / student / chapter / f"{chapter}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    (out.parent / "timestamp.txt").write_text("2026-01-01 00:00:00.000000 UTC")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("nbgrader-course")
    assignments.write_nbgrader_course(ROOT / "book", course, CHAPTERS)
    for chapter in CHAPTERS:
        _run(course, "db", "assignment", "add", chapter)
        _run(course, "generate_assignment", chapter, "--force")
    for student, code in SUBMISSIONS.items():
        _run(course, "db", "student", "add", student)
        for chapter in CHAPTERS:
            functions = {n: c for n, c in code.items() if (n == "clip_by_norm") == chapter.startswith("07")}
            if student == "slow" and not chapter.startswith("07"):
                continue
            _submit(course, student, chapter, functions)
    import time

    course_times = {}
    for chapter in CHAPTERS:
        started = time.perf_counter()
        _run(course, "autograde", chapter, "--force")
        course_times[chapter] = time.perf_counter() - started
        _run(course, "generate_feedback", chapter, "--force")
    (course / "autograde_seconds.json").write_text(__import__("json").dumps(course_times))
    yield course
    shutil.rmtree(course, ignore_errors=True)


def _grades(course: Path, student: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grades = {}
        for chapter in CHAPTERS:
            try:
                sub = gb.find_submission_notebook(chapter, chapter, student)
            except Exception:
                continue
            for grade in sub.grades:
                if grade.name.startswith(f"{chapter}-check"):
                    grades[grade.name] = grade.score
        return grades


@pytest.mark.built
@pytest.mark.parametrize("student", list(EXPECTED))
def test_autograde_gives_the_designed_points(course, student):
    assert _grades(course, student) == EXPECTED[student]


@pytest.mark.built
def test_the_tampering_is_named_in_the_graded_notebook(course):
    nb = nbformat.read(course / "autograded" / "tamper" / "04_implementing_bptt" / "04_implementing_bptt.ipynb", 4)
    text = "".join(
        o.get("evalue", "") + "".join(o.get("traceback", [])) for c in nb.cells for o in c.get("outputs", [])
    )
    assert "tampering: rnnlib.rnn.step_backward" in text


@pytest.mark.built
def test_feedback_shows_exercise_statements_as_text_not_fences(course):
    page = (course / "feedback" / "reference" / "07_clipping" / "07_clipping.html").read_text()
    assert "Exercise (ex-ch7-clip-by-norm)." in page
    assert "{exercise" not in page and "{solution" not in page
    failed = (course / "feedback" / "wrong" / "07_clipping" / "07_clipping.html").read_text()
    assert "each parameter" in failed and "rnnlib/course/checks" not in failed


@pytest.mark.built
def test_autograding_costs_per_student_stay_bounded(course):
    # The instructor's guide promises these bounds: a chapter re-runs whole for every student.
    import json

    seconds = json.loads((course / "autograde_seconds.json").read_text())
    for chapter, total in seconds.items():
        students = len(list((course / "autograded").glob(f"*/{chapter}/{chapter}.ipynb")))
        assert students >= 5
        slow_extra = 6.5 * 5 if chapter.startswith("07") else 0.0  # the slow submission sleeps on purpose
        assert (total - slow_extra) / students < 60, (chapter, total, students)
    for graded in (course / "autograded").glob("*/*/*.ipynb"):
        assert graded.stat().st_size < 3_000_000, graded
