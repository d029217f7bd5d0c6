"""Auto-checks for the exercises: run a student's function against rnnlib's reference.

A check runs the student's code on several randomized cases and answers with a
clear pass, or a failure that says what is wrong (which output, which shape, the
relative error, which case) without printing the reference answer. A student
function that raises, returns the wrong shape or returns NaN gets a message, not a
traceback from inside rnnlib.

The chapters' checks live in the submodules (``rnnlib.course.checks.chapter3`` and so on)
and are built from :func:`run_check`.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rnnlib.gradcheck import relative_error


class CheckFailed(AssertionError):
    """Raised by a check whose student function is wrong; the message says what to fix."""


@dataclass
class Case:
    """One test case: keyword arguments for the student's function and a description for messages."""

    description: str
    kwargs: dict
    expected: Any = None  # the reference output, never shown to the student


@dataclass
class CheckResult:
    name: str
    passed: bool
    message: str
    cases: int
    details: list = field(default_factory=list)

    def __bool__(self):
        return self.passed

    def __repr__(self):
        return self.message


def describe(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"a {type(value).__name__}"


def compare(label: str, got, expected, rtol=1e-7) -> str | None:
    """``None`` when ``got`` matches ``expected`` (relative error ≤ rtol), else a message without the answer."""
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
        return None if err <= rtol else f"{label}: relative error {err:.2e} (tolerance {rtol:.0e})"
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
        return f"{label}: relative error {err:.2e} (tolerance {rtol:.0e})"
    return None


def run_check(
    name: str,
    student: Callable,
    cases: list[Case],
    outputs: Callable[[Any, Any], list],
    *,
    raise_on_failure=True,
    hint: str = "",
) -> CheckResult:
    """Run ``student(**case.kwargs)`` on every case and compare with ``case.expected``.

    ``outputs(got, expected)`` returns a list of failure messages (empty when all match);
    build it with :func:`compare`. Prints the verdict; raises :class:`CheckFailed` on failure
    unless ``raise_on_failure`` is false.
    """
    if not callable(student):
        result = CheckResult(name, False, f"✗ {name}: expected a function, got {describe(student)}", 0)
    else:
        result = None
        for i, case in enumerate(cases, start=1):
            where = f"case {i} of {len(cases)} ({case.description})"
            try:
                with np.errstate(all="ignore"):
                    got = student(**case.kwargs)
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
                frame = traceback.extract_tb(exc.__traceback__)[-1]
                result = CheckResult(
                    name,
                    False,
                    f"✗ {name}: your function raised {type(exc).__name__}: {exc} (line {frame.lineno}) on {where}",
                    i,
                )
                break
            try:
                problems = outputs(got, case.expected)
            except Exception as exc:
                problems = [f"could not read what your function returned ({describe(got)}): {exc}"]
            if problems:
                msg = f"✗ {name}: wrong on {where}:\n  - " + "\n  - ".join(problems)
                if hint:
                    msg += f"\n  Hint: {hint}"
                result = CheckResult(name, False, msg, i, problems)
                break
        if result is None:
            result = CheckResult(name, True, f"✓ {name}: correct on all {len(cases)} cases.", len(cases))
    print(result.message)
    if not result.passed and raise_on_failure:
        raise CheckFailed(result.message)
    return result


def __getattr__(name):
    # ``rl.checks.chapter4.check_step_backward(...)`` works after a plain ``import rnnlib as rl``.
    if name.startswith("chapter"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Case", "CheckFailed", "CheckResult", "compare", "describe", "run_check"]
