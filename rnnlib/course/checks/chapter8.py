"""Checks for the exercises of chapter 8 (Long-term dependencies and their remedies).

- :func:`check_adding_problem`: a generator for the adding problem, against the definition that
  :func:`rnnlib.adding_problem` implements.

The student's function has the signature ``adding_problem(n, T, rng)`` with ``rng`` a
``numpy.random.Generator``, and returns ``(x, d)``: inputs x of shape (n, T, 2) (channel 0 the
values drawn from U[0, 1], channel 1 the markers) and targets d of shape (n, 1). A
:class:`rnnlib.Task` (with ``.x`` and ``.d``) is accepted too.

Random generators differ in the order in which they draw, so a correct answer need not reproduce
rnnlib's numbers draw for draw. The check therefore tests what defines the task, on several random
cases: the shapes, the range of the values, exactly two markers per sequence with one in each half
(positions 0..T//2−1 and T//2..T−1, as in rnnlib), the target equal to the sum of the two marked
values, that all the randomness comes from ``rng`` (same seed, same batch; new seed, new batch),
and, on a large batch, that the targets average about 1 and the markers move around, as rnnlib's do.
"""

from __future__ import annotations

import numpy as np

from . import Case, run_check

_HINT = (
    "x[:, :, 0] holds the values drawn from U[0, 1], x[:, :, 1] the markers (exactly two 1s per "
    "sequence: one at a position in 0..T//2-1, one in T//2..T-1), and d[:, 0] the sum of the two "
    "marked values; draw everything from rng."
)


def _unpack(got):
    if hasattr(got, "x") and hasattr(got, "d"):
        return np.asarray(got.x), np.asarray(got.d)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise TypeError("expected a tuple (x, d)")
    return np.asarray(got[0], dtype=np.float64), np.asarray(got[1], dtype=np.float64)


def _structure(x, d, n, T):
    """Failure messages about shapes, values, markers and targets (empty when all hold)."""
    if x.shape != (n, T, 2):
        hint = " (time and channel axes swapped?)" if x.shape == (n, 2, T) else ""
        return [f"x: shape {x.shape}, expected (n, T, 2) = ({n}, {T}, 2){hint}"]
    if d.shape != (n, 1):
        hint = " (keep the output axis: d[:, None])" if d.shape == (n,) else ""
        return [f"d: shape {d.shape}, expected (n, 1) = ({n}, 1){hint}"]
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(d))):
        return ["x or d contains NaN or infinity"]
    values, markers = x[:, :, 0], x[:, :, 1]
    problems = []
    if np.any(values < 0) or np.any(values > 1):
        problems.append("values (channel 0): outside [0, 1]; draw them from U[0, 1]")
    if not np.all((markers == 0) | (markers == 1)):
        problems.append("markers (channel 1): must be 0 or 1")
        return problems
    count = markers.sum(axis=1)
    if np.any(count != 2):
        bad = int(np.argmax(count != 2))
        problems.append(f"markers: sequence {bad} has {int(count[bad])} markers, expected exactly 2")
        return problems
    half = T // 2
    in_first = markers[:, :half].sum(axis=1)
    if np.any(in_first != 1):
        bad = int(np.argmax(in_first != 1))
        problems.append(
            f"markers: sequence {bad} has {int(in_first[bad])} markers in the first half "
            f"(positions 0..{half - 1}), expected one there and one in positions {half}..{T - 1}"
        )
        return problems
    target = np.sum(values * markers, axis=1)
    err = np.max(np.abs(d[:, 0] - target))
    if err > 1e-12 * max(1.0, float(np.max(np.abs(target)))):
        if np.allclose(d[:, 0], target / 2, rtol=1e-12, atol=1e-15):
            problems.append("d: the mean of the two marked values; the target is their sum (it averages 1, not 1/2)")
        else:
            problems.append(f"d: not the sum of the two marked values (largest difference {err:.2e})")
    return problems


class _Failed:
    """A property of the student's batch found wrong while calling it (reported as a failure)."""

    def __init__(self, message):
        self.message = message


def _statistics(x, d, n, T):
    """On a large batch: the targets average about 1 and both markers visit every position."""
    problems = []
    mean, sem = float(d.mean()), float(d.std() / np.sqrt(n))
    if abs(mean - 1.0) > 6 * sem + 1e-12:
        problems.append(
            f"d: the targets average {mean:.3f} over {n} sequences, but the sum of two U[0, 1] values averages 1"
        )
    first = np.argmax(x[:, :, 1], axis=1)
    second = T - 1 - np.argmax(x[:, ::-1, 1], axis=1)
    for name, pos, count in (("first", first, T // 2), ("second", second, T - T // 2)):
        visited = len(np.unique(pos))
        if visited < count:
            problems.append(
                f"markers: over {n} sequences the {name} marker visits only {visited} of its "
                f"{count} possible positions; draw its position uniformly"
            )
    return problems


def _cases():
    # (n, T): T = 2 leaves one position per half; odd T puts the extra step in the second half.
    # The last case is a large batch whose statistics are compared with rnnlib's task.
    shapes = [(1, 9), (7, 9), (5, 2), (16, 20), (3, 51), (4000, 12)]  # one sequence first (N = 1-only code)
    cases = []
    for i, (n, T) in enumerate(shapes):
        statistical = i == len(shapes) - 1
        what = "statistics of a large batch" if statistical else "structure"
        cases.append(
            Case(
                f"n={n}, T={T}, seed {800 + i}, {what}", {"n": n, "T": T, "seed": 800 + i}, (n, T, statistical), batch=n
            )
        )
    return cases


def check_adding_problem(adding_problem_fn, *, raise_on_failure=True):
    """Check a student's ``adding_problem(n, T, rng) -> (x, d)`` (exercise ex-ch8-adding).

    Random cases test shapes, values, marker placement, targets and the use of ``rng``; the last
    case, a large batch, tests that the targets average about 1 (as in rnnlib's
    :func:`rnnlib.adding_problem`, whose mean target is 1 in expectation) and that the markers
    visit every position.
    """
    if not callable(adding_problem_fn):
        return run_check("adding_problem", adding_problem_fn, [], lambda g, e: [], raise_on_failure=raise_on_failure)

    def student(n, T, seed):
        got = adding_problem_fn(n, T, np.random.default_rng(seed))
        try:
            x, d = _unpack(got)
        except Exception:
            return got  # reported by outputs()
        if _structure(x, d, n, T):
            return got
        again = _unpack(adding_problem_fn(n, T, np.random.default_rng(seed)))
        if not (np.array_equal(again[0], x) and np.array_equal(again[1], d)):
            return _Failed(
                "the same seed gave a different batch: draw every random number from rng "
                "(not from np.random or a new generator)"
            )
        other = _unpack(adding_problem_fn(n, T, np.random.default_rng(seed + 1000)))
        if np.array_equal(other[0], x):
            return _Failed("a different seed gave the same batch: draw every random number from rng")
        return got

    def outputs(got, expected):
        n, T, statistical = expected
        if isinstance(got, _Failed):
            return [got.message]
        x, d = _unpack(got)
        problems = _structure(x, d, n, T)
        if not problems and statistical:
            problems = _statistics(x, d, n, T)
        return problems

    return run_check("adding_problem", student, _cases(), outputs, raise_on_failure=raise_on_failure, hint=_HINT)
