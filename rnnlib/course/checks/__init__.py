"""Auto-checks for the exercises: run a student's function against rnnlib's reference.

A check runs the student's code on several randomized cases and answers with a
clear pass, or a failure that says what is wrong (which output, which shape, the
relative error, which case) without printing the reference answer. A student
function that raises, returns the wrong shape or returns NaN gets a message, not a
traceback from inside rnnlib.

The chapters' checks live in the submodules (``rnnlib.course.checks.chapter3`` and so on)
and are built from :func:`run_check`.

Limits of a check (the instructor's guide repeats them; ``nbgrader_config.py`` fits them):

- each call of the student's function may take at most :data:`TIME_LIMIT` seconds, and one
  check at most :data:`CHECK_TIME_LIMIT` seconds in all; past that, the check fails with a
  message that says so (a SIGALRM interrupts an endless loop in the student's code);
- what the student's function prints is kept up to :data:`OUTPUT_LIMIT` characters per check;
  the rest is dropped with a note, so a print in a loop cannot flood the notebook;
- a failure is one message (no traceback through rnnlib); when the student's code raises, the
  message names the line of the student's own code;
- grade cells call :func:`fresh`, which re-imports the checks from disk and verifies that the
  rnnlib functions they compare with are rnnlib's own, so a cell that replaced a check or a
  reference function (``checks.chapter7.check_clip_by_norm = ...``, ``rl.clip = ...``) gains nothing;
- ``forbidden=`` names rnnlib functions the exercise forbids; calling one fails the check.

Mistakes every check names on its own (the chapters' checks add the ones of their exercise):

- a result in float32 (or shorter): "your result is float32; compute in float64", not a relative error;
- a function that changed its input arrays (arrays, dicts, lists of them, and rnnlib's parameter objects);
- code that works for one sequence only: a case with ``Case(batch=1)`` that passed, followed by a
  failure on a case with ``batch > 1``, adds :data:`N1_ONLY` to the message.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import io
import re
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rnnlib.gradcheck import relative_error

TIME_LIMIT = 20.0  # seconds per call of the student's function
CHECK_TIME_LIMIT = 60.0  # seconds for all the calls of one check
OUTPUT_LIMIT = 2000  # characters of the student's own printing kept per check

#: The note added when a check's function is right on a single sequence and wrong on a batch.
N1_ONLY = (
    "your function is right for a single sequence (N = 1) but not for a batch: keep the batch axis, "
    "every array of a step has shape (N, …), and do not index or reshape it away"
)

_RNNLIB_DIR = str(Path(__file__).resolve().parents[2]) + "/"  # rnnlib's own folder


class CheckFailed(AssertionError):
    """Raised by a check whose student function is wrong; the message says what to fix."""

    def _render_traceback_(self):
        # IPython (and so nbgrader's feedback) shows this instead of a traceback through rnnlib.
        return str(self).splitlines()


class _TimedOut(BaseException):
    """Raised inside the student's code when a call outlasts its time limit (not an Exception,
    so a bare ``except Exception`` in the student's code cannot swallow it)."""


class _CappedOutput(io.TextIOBase):
    """A stdout that keeps the first ``limit`` characters and counts the rest."""

    def __init__(self, limit: int):
        self.limit, self.dropped = limit, 0
        self.kept: list[str] = []
        self.size = 0

    def write(self, text):
        room = self.limit - self.size
        if room > 0:
            self.kept.append(text[:room])
            self.size += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def text(self) -> str:
        out = "".join(self.kept)
        if self.dropped:
            out += f"\n… {self.dropped} more characters of your function's output not shown (limit {self.limit})\n"
        return out


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Interrupt the block after ``seconds`` (SIGALRM; only in the main thread on POSIX, else no limit)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or seconds <= 0:
        yield
        return

    def _alarm(signum, frame):
        raise _TimedOut()

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _student_frame(tb):
    """The innermost frame of the traceback that is not inside rnnlib or numpy: the student's line."""
    frames = traceback.extract_tb(tb)
    numpy_dir = str(Path(np.__file__).resolve().parent)
    own = [f for f in frames if not f.filename.startswith((_RNNLIB_DIR, numpy_dir + "/"))]
    return own[-1] if own else (frames[-1] if frames else None)


def _where_in_student_code(exc) -> str:
    frame = _student_frame(exc.__traceback__)
    if frame is None:
        return ""
    line = (frame.line or "").strip()
    return f" at line {frame.lineno} of your code" + (f": `{line}`" if line else "")


def _snapshot(value):
    """A deep copy of the arrays in ``value`` (arrays, dicts, lists and tuples of them), to see
    afterwards whether the student's function modified its arguments."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_snapshot(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # rnnlib.RNNParams and the like
        return _Fields({f.name: _snapshot(getattr(value, f.name, None)) for f in dataclasses.fields(value)})
    return None


class _Fields(dict):
    """The snapshot of a dataclass's fields (an RNNParams), told apart from a snapshot of a dict."""


def _modified(before, after) -> bool:
    if isinstance(before, _Fields):
        return any(_modified(v, getattr(after, k, None)) for k, v in before.items())
    if isinstance(before, np.ndarray):
        return not (
            isinstance(after, np.ndarray)
            and after.shape == before.shape
            and np.array_equal(after, before, equal_nan=before.dtype.kind in "fc")
        )
    if isinstance(before, dict):
        return (
            not isinstance(after, dict)
            or before.keys() != after.keys()
            or any(_modified(before[k], after[k]) for k in before)
        )
    if isinstance(before, list):
        return (
            not isinstance(after, (list, tuple))
            or len(after) != len(before)
            or any(_modified(b, a) for b, a in zip(before, after, strict=True))
        )
    return False


def _raised_message(name: str, exc: BaseException, case, where: str) -> str:
    """The message for a student's function that raised: the student's own line, or, when the
    call itself failed (no frame of the student's), the parameters the exercise expects."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if not f.filename.startswith(_RNNLIB_DIR)]
    if isinstance(exc, TypeError) and not own:
        wanted = ", ".join(case.kwargs)
        return (
            f"✗ {name}: your function could not be called as {name}({wanted}): {exc}. "
            "Keep the parameter names and their order as the exercise gives them."
        )
    return f"✗ {name}: your function raised {type(exc).__name__}: {exc}{_where_in_student_code(exc)}, on {where}"


def _calls_forbidden(student, forbidden: dict[str, Callable]) -> list[str]:
    """Names of the forbidden rnnlib functions that the student's function (or a function it
    defines or reaches through its globals) refers to."""
    found, seen = [], set()
    codes = {id(f.__code__) for f in forbidden.values() if hasattr(f, "__code__")}

    def visit(fn, depth=0):
        code = getattr(fn, "__code__", None)
        if code is None or id(code) in seen or depth > 3:
            return
        seen.add(id(code))
        glob = dict(getattr(fn, "__globals__", {}))
        for name, cell in zip(code.co_freevars, getattr(fn, "__closure__", None) or (), strict=False):
            try:
                glob[name] = cell.cell_contents  # a helper defined around the function
            except ValueError:  # an empty cell
                pass
        stack = [code]
        while stack:
            co = stack.pop()
            stack.extend(c for c in co.co_consts if hasattr(c, "co_names"))
            for name in co.co_names + co.co_freevars:
                if name in forbidden:
                    found.append(name)
                value = glob.get(name)
                if callable(value) and hasattr(value, "__code__"):
                    if id(value.__code__) in codes:
                        found.append(name)
                    elif getattr(value, "__module__", "") == getattr(fn, "__module__", None):
                        visit(value, depth + 1)  # a helper the student wrote

    visit(getattr(student, "__wrapped__", student))  # a check that wraps the student sets __wrapped__
    return sorted(set(found))


@dataclass
class Case:
    """One test case: keyword arguments for the student's function and a description for messages."""

    description: str
    kwargs: dict
    expected: Any = None  # the reference output, never shown to the student
    batch: int | None = None  # the number of sequences, where the exercise has a batch (see N1_ONLY)


@dataclass
class CheckResult:
    name: str
    passed: bool
    message: str
    cases: int
    details: list = field(default_factory=list)
    fraction: float | None = None  # share of a check's independent parts that are right (see run_check)

    def __post_init__(self):
        if self.fraction is None:
            self.fraction = 1.0 if self.passed else 0.0

    def __bool__(self):
        return self.passed

    def __repr__(self):
        return self.message


class Score(float):
    """Points earned, shown as a bare number: the last value of an nbgrader grade cell, which nbgrader
    reads as partial credit."""

    def __repr__(self):
        return f"{float(self):g}"


def partial_score(result: CheckResult, out_of: float) -> Score:
    """``out_of`` times the share of the parts that are right; raises :class:`CheckFailed` (so nbgrader
    gives 0) when none is. ``result`` comes from ``run_check(..., raise_on_failure=False, parts=...)``."""
    if not (isinstance(out_of, (int, float)) and out_of > 0):
        raise ValueError(f"out_of: expected a positive number of points, got {out_of!r}")
    if not result.fraction:
        raise CheckFailed(result.message)
    return Score(round(out_of * float(result.fraction), 6))


def describe(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"a {type(value).__name__}"


def low_precision(got) -> str:
    """A note when ``got`` is in a float type too short for the check's tolerance (float32, float16)."""
    dtype = getattr(got, "dtype", None)
    if dtype is not None and np.issubdtype(dtype, np.floating) and np.finfo(dtype).bits < 64:
        return (
            f" — your result is {dtype} (about {np.finfo(dtype).precision} digits); the check needs float64: "
            "do not convert to a lower precision (astype, dtype=...)"
        )
    return ""


def _low_precision_arrays(value, label="", depth=0) -> list[tuple[str, str]]:
    """(where, dtype) of every float array or number in ``value`` (arrays, numbers, tuples, lists,
    dicts, dataclasses such as RNNParams) whose type is shorter than float64."""
    if depth > 4:
        return []
    dtype = getattr(value, "dtype", None)
    if isinstance(value, (np.ndarray, np.generic)) and dtype is not None:
        if np.issubdtype(dtype, np.floating) and np.finfo(dtype).bits < 64:
            return [(label, str(dtype))]
        return []
    found: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            found += _low_precision_arrays(v, f"{label}[{k!r}]" if label else str(k), depth + 1)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            found += _low_precision_arrays(v, f"{label}[{i}]" if label else f"item {i}", depth + 1)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            found += _low_precision_arrays(
                getattr(value, f.name, None), f"{label}.{f.name}" if label else f.name, depth + 1
            )
    return found


def float_precision_problem(got) -> str:
    """The message for a result that holds float32 (or float16) numbers, or "" when all are float64."""
    short = _low_precision_arrays(got)
    if not short:
        return ""
    dtypes = sorted({d for _, d in short})
    where = ", ".join(w for w, _ in short if w)
    return (
        f"your result is {' and '.join(dtypes)}; compute in float64{' (' + where + ')' if where else ''}: "
        "do not convert to a lower precision (astype, dtype=np.float32, np.float32(...)); the check's "
        "tolerance is below what float32 can represent"
    )


def compare(label: str, got, expected, rtol=1e-7) -> str | None:
    """``None`` when ``got`` matches ``expected`` (relative error ≤ rtol), else a message without the
    answer; a mismatch of a float32 (or shorter) result says that its precision is the cause."""
    if expected is None:
        return None if got is None else f"{label}: expected None, got {describe(got)}"
    if np.isscalar(expected) or (isinstance(expected, np.ndarray) and expected.ndim == 0):
        try:
            got_f = float(np.asarray(got))
        except (TypeError, ValueError):
            return f"{label}: expected a number, got {describe(got)}"
        if not np.isfinite(got_f):
            return f"{label}: got {got_f} (not finite)"
        err = relative_error(got_f, float(expected))  # type: ignore[arg-type]
        if err <= rtol:
            return None
        if low_precision(got):
            return f"{label}: {float_precision_problem(got)}"
        return f"{label}: relative error {err:.2e} (tolerance {rtol:.0e})"
    expected = np.asarray(expected)
    try:
        got_arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"{label}: expected an array of shape {expected.shape}, got {describe(got)}"
    if got_arr.shape != expected.shape:
        hint = ""
        if got_arr.shape == expected.shape[::-1] and got_arr.ndim == 2:
            hint = " (transposed?)"
        return f"{label}: shape {got_arr.shape}, expected {expected.shape}{hint}"
    if not np.all(np.isfinite(got_arr)):
        return f"{label}: contains NaN or infinity"
    err = relative_error(got_arr, expected)
    if err > rtol:
        if low_precision(got):
            return f"{label}: {float_precision_problem(got)}"
        if err < 1e-5 and _float32_values(got_arr) and not _float32_values(np.asarray(expected, dtype=np.float64)):
            # float64 arrays holding float32 numbers: computed in float32, converted back (RNNParams does)
            return (
                f"{label}: {float_precision_problem(got_arr.astype(np.float32))} (its numbers were rounded to float32)"
            )
        return f"{label}: relative error {err:.2e} (tolerance {rtol:.0e})"
    return None


def _float32_values(arr: np.ndarray) -> bool:
    """Every number of ``arr`` is a float32 number (and not all are zero): rounded to float32 on the way."""
    if arr.size == 0 or not np.any(arr):
        return False
    with np.errstate(over="ignore"):
        return bool(np.array_equal(arr, arr.astype(np.float32).astype(np.float64)))


#: A problem as :func:`compare` words it, without a named mistake: the N = 1 note may explain it.
_PLAIN = re.compile(r": (relative error|shape \(|contains NaN|expected an array|expected a number)")


def _plain(problem: str) -> bool:
    return bool(_PLAIN.search(problem)) and " — " not in problem and "looks like" not in problem.lower()


def run_check(
    name: str,
    student: Callable,
    cases: list[Case],
    outputs: Callable[[Any, Any], list],
    *,
    raise_on_failure=True,
    hint: str = "",
    forbidden: dict[str, Callable] | None = None,
    time_limit: float | None = None,
    check_time_limit: float | None = None,
    parts: tuple[str, ...] = (),
) -> CheckResult:
    """Run ``student(**case.kwargs)`` on every case and compare with ``case.expected``.

    ``outputs(got, expected)`` returns a list of failure messages (empty when all match);
    build it with :func:`compare`. Prints the verdict when it passes (or when
    ``raise_on_failure`` is false); on failure raises :class:`CheckFailed`, whose message is
    the verdict, shown once and without a traceback. ``forbidden`` maps names to rnnlib
    functions the exercise forbids calling. ``time_limit`` (seconds per call, default
    :data:`TIME_LIMIT`) and ``check_time_limit`` (seconds in all, :data:`CHECK_TIME_LIMIT`)
    bound the student's code; its printing is capped at :data:`OUTPUT_LIMIT` characters.
    ``parts`` names independent outputs (problems start with ``"<part>:"``): then every case runs,
    and the result's ``fraction`` is the share of parts right on all cases (partial credit).
    """
    failed_parts: set[str] = set()
    first_failure = None
    single_passed = False  # a case of one sequence passed: a batch failure then names N = 1-only code
    per_call = TIME_LIMIT if time_limit is None else time_limit
    in_all = CHECK_TIME_LIMIT if check_time_limit is None else check_time_limit
    captured = _CappedOutput(OUTPUT_LIMIT)
    used = _calls_forbidden(student, forbidden) if forbidden and callable(student) else []
    result: CheckResult | None = None
    if not callable(student):
        result = CheckResult(name, False, f"✗ {name}: expected a function, got {describe(student)}", 0)
    elif used:
        result = CheckResult(
            name,
            False,
            f"✗ {name}: your function calls rnnlib's {', '.join(used)}, which this exercise asks you "
            "to write yourself; use numpy only.",
            0,
        )
    else:
        started = time.perf_counter()
        for i, case in enumerate(cases, start=1):
            where = f"case {i} of {len(cases)} ({case.description})"
            left = in_all - (time.perf_counter() - started)
            before = {k: _snapshot(v) for k, v in case.kwargs.items()}
            try:
                with (
                    np.errstate(all="ignore"),
                    contextlib.redirect_stdout(captured),
                    _time_limit(max(min(per_call, left), 1e-3)),
                ):
                    got = student(**case.kwargs)
            except _TimedOut:
                elapsed = time.perf_counter() - started
                limit = f"{per_call:g} s per call" if left > per_call else f"{in_all:g} s for the whole check"
                result = CheckResult(
                    name,
                    False,
                    f"✗ {name}: stopped on {where} after {elapsed:.1f} s: over the time limit "
                    f"({limit}). Look for a loop that never ends, or work that grows much faster than it should.",
                    i,
                )
                break
            except NotImplementedError:
                result = CheckResult(
                    name,
                    False,
                    f"✗ {name}: not implemented yet (your function raised "
                    f"NotImplementedError). Replace the `raise` with your code.",
                    i,
                )
                break
            except Exception as exc:  # the student's bug, reported as a message
                message = _raised_message(name, exc, case, where)
                if single_passed and (case.batch or 0) > 1 and isinstance(exc, (ValueError, IndexError)):
                    message += f"\n  {N1_ONLY[0].upper()}{N1_ONLY[1:]}."
                result = CheckResult(name, False, message, i)
                break
            touched = [k for k, v in before.items() if v is not None and _modified(v, case.kwargs[k])]
            if touched:
                result = CheckResult(
                    name,
                    False,
                    f"✗ {name}: your function modified its argument {', '.join(map(repr, touched))} in place "
                    f"(on {where}): compute into new arrays (g * c, not g *= c) and leave the inputs untouched.",
                    i,
                )
                break
            short = float_precision_problem(got)
            if short:
                result = CheckResult(name, False, f"✗ {name}: {short} (on {where}).", i, [short])
                break
            try:
                problems = outputs(got, case.expected)
            except Exception as exc:
                problems = [f"could not read what your function returned ({describe(got)}): {exc}"]
            if not problems and case.batch == 1:
                single_passed = True
            if problems and single_passed and (case.batch or 0) > 1 and all(map(_plain, problems)):
                problems = [*problems, N1_ONLY]
            if problems:
                msg = f"✗ {name}: wrong on {where}:\n  - " + "\n  - ".join(problems)
                if hint:
                    msg += f"\n  Hint: {hint}"
                if not parts:
                    result = CheckResult(name, False, msg, i, problems)
                    break
                named = {p for p in parts if any(prob.startswith(p + ":") for prob in problems)}
                failed_parts |= named or set(parts)  # a problem of the whole answer fails every part
                if first_failure is None:
                    first_failure = (msg, i, problems)
        if result is None and first_failure is not None:
            msg, i, problems = first_failure
            right = [p for p in parts if p not in failed_parts]
            if right:
                msg += f"\n  Right on every case: {', '.join(right)}."
            result = CheckResult(name, False, msg, i, problems, fraction=len(right) / len(parts))
        if result is None:
            result = CheckResult(name, True, f"✓ {name}: correct on all {len(cases)} cases.", len(cases))
    assert result is not None
    printed = captured.text()
    if printed:
        sys.stdout.write(printed)
    if not result.passed and raise_on_failure:
        raise CheckFailed(result.message) from None
    print(result.message)
    return result


def _verify_core() -> list[str]:
    """Public functions of rnnlib's core whose code is not the code of their module's file:
    replaced from a notebook cell (``rl.clip_by_global_norm = ...``)."""
    import importlib.util

    import rnnlib

    replaced = []
    pristine_codes: dict[str, set] = {}  # name -> the code of every core function of that name
    for modname in sorted(
        m for m in list(sys.modules) if m.startswith("rnnlib.") and not m.startswith("rnnlib.course")
    ):
        module = sys.modules[modname]
        path = getattr(module, "__file__", None)
        if not path:
            continue
        spec = importlib.util.spec_from_file_location(f"_rnnlib_pristine_{modname.replace('.', '_')}", path)
        if spec is None or spec.loader is None:
            continue
        pristine = importlib.util.module_from_spec(spec)
        pristine.__package__ = module.__package__
        sys.modules[spec.name] = pristine  # dataclasses look their module up while the class is made
        try:
            spec.loader.exec_module(pristine)
        except Exception:  # a module that cannot load twice is not one a check compares with
            continue
        finally:
            del sys.modules[spec.name]
        for attr, value in vars(pristine).items():
            code = getattr(value, "__code__", None)
            if attr.startswith("_") or code is None or getattr(value, "__module__", None) != pristine.__name__:
                continue
            live = getattr(module, attr, None)
            if getattr(getattr(live, "__code__", None), "co_code", None) != code.co_code:
                replaced.append(f"{modname}.{attr}")
            pristine_codes.setdefault(attr, set()).add(code.co_code)
    # rnnlib.<name> must be one of the core's functions of that name: several modules define
    # a forward or a backward (rnnlib.rnn and rnnlib.gated), and the package face re-exports one.
    for attr, codes in pristine_codes.items():
        top = getattr(rnnlib, attr, None)
        if top is not None and getattr(getattr(top, "__code__", None), "co_code", None) not in codes:
            replaced.append(f"rnnlib.{attr}")
    return sorted(set(replaced))


def fresh(chapter: str):
    """The chapter's check module re-imported from disk, for a grade cell.

    Drops every cached ``rnnlib.course.checks`` module and imports them again, so a check or a
    helper replaced by an earlier cell is gone; then verifies that rnnlib's core functions are
    rnnlib's own. If one was replaced, returns a module whose checks all fail with a message that
    names the replaced function (no points). Usage in a grade cell::

        from rnnlib.course.checks import fresh
        fresh("chapter7").check_clip_by_norm(clip_by_norm)
    """
    if not (isinstance(chapter, str) and chapter.startswith("chapter") and chapter[7:].isdigit()):
        raise ValueError(f"chapter: expected a name like 'chapter7', got {chapter!r}")
    for modname in [m for m in sys.modules if m == __name__ or m.startswith(__name__ + ".")]:
        del sys.modules[modname]
    module = importlib.import_module(f"{__name__}.{chapter}")
    replaced = _verify_core()
    if not replaced:
        return module
    message = (
        f"✗ tampering: {', '.join(replaced)} is no longer rnnlib's own function (replaced by a cell "
        "of this notebook), so no check can be trusted here. Remove the replacement and restart the kernel."
    )

    class _Refused:
        def __getattr__(self, attr):
            def refuse(*args, **kwargs):
                raise CheckFailed(message)

            return refuse

    return _Refused()


def __getattr__(name):
    # ``rl.checks.chapter4.check_step_backward(...)`` works after a plain ``import rnnlib as rl``.
    if name.startswith("chapter"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CHECK_TIME_LIMIT",
    "OUTPUT_LIMIT",
    "TIME_LIMIT",
    "Case",
    "CheckFailed",
    "CheckResult",
    "N1_ONLY",
    "compare",
    "describe",
    "Score",
    "float_precision_problem",
    "fresh",
    "low_precision",
    "partial_score",
    "run_check",
]
