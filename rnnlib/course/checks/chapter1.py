"""Auto-checks for the exercises of chapter 1 (Sequences and the recurrent unit).

``check_step_forward(step_forward)`` checks a student's single step of the recurrence,

    a_t = W_s h_{t-1} + W_x x_t + b_h,    h_t = tanh(a_t),

written for column vectors: ``step_forward(x_t, h_prev, W_x, W_s, b_h) -> (a_t, h_t)`` with
x_t (D,), h_prev (H,), W_x (H, D), W_s (H, H), b_h (H,). The reference is
:func:`rnnlib.step_forward` (run on a batch of one sequence).
"""

from __future__ import annotations

import numpy as np

from rnnlib.params import RNNParams
from rnnlib.rnn import step_forward as _reference_step

from . import Case, compare, describe, run_check

#: (D, H) of the cases: D ≠ H (a transposed W_x fails loudly) and D = H (it would fail silently).
_SHAPES = ((3, 4), (4, 4), (2, 5), (5, 3), (6, 6))


def _case(D, H, seed):
    rng = np.random.default_rng(seed)
    W_x = rng.standard_normal((H, D)) / np.sqrt(D)
    W_s = rng.standard_normal((H, H)) / np.sqrt(H)
    b_h = 0.1 * rng.standard_normal(H)
    x_t = rng.standard_normal(D)
    h_prev = np.tanh(rng.standard_normal(H))
    params = RNNParams(W_x, W_s, np.zeros((1, H)), b_h, np.zeros(1))
    h_t, cache = _reference_step(params, x_t[None], h_prev[None], activation="tanh")
    a_t = cache[2][0]
    # Values that common mistakes produce, to name the mistake (never shown as numbers).
    mistakes = {
        "W_s transposed (W_s.T @ h_prev): the recurrent matrix maps h_{t-1} to a_t as W_s @ h_prev": W_s.T @ h_prev
        + W_x @ x_t
        + b_h,
        "the bias b_h is missing": W_s @ h_prev + W_x @ x_t,
        "the recurrent term W_s h_{t-1} is missing": W_x @ x_t + b_h,
        "only the diagonal of W_s is used (an element-wise product with a vector of weights); "
        "use the matrix-vector product W_s @ h_prev": np.diag(W_s) * h_prev + W_x @ x_t + b_h,
    }
    if D == H:
        mistakes["W_x transposed (W_x.T @ x_t): W_x has shape (H, D) and acts as W_x @ x_t"] = (
            W_s @ h_prev + W_x.T @ x_t + b_h
        )
    expected = {"a_t": a_t, "h_t": h_t[0], "mistakes": mistakes, "H": H, "D": D}
    kwargs = {"x_t": x_t.copy(), "h_prev": h_prev.copy(), "W_x": W_x.copy(), "W_s": W_s.copy(), "b_h": b_h.copy()}
    return Case(f"D = {D}, H = {H}, seed {seed}", kwargs, expected)


def _diagnose(a_got, expected):
    """Name the mistake whose result the student's a_t reproduces, if any."""
    H = expected["H"]
    if a_got.shape == (H, H):
        return (
            "a_t is an (H, H) matrix: W_s * h_prev multiplies element by element and numpy broadcasts "
            "h_prev across the rows. The recurrence needs the matrix-vector product W_s @ h_prev, a vector (H,)."
        )
    if a_got.shape == (H,) and np.all(np.isfinite(a_got)):
        for mistake, value in expected["mistakes"].items():
            if np.allclose(a_got, value, rtol=1e-9, atol=1e-12):
                return f"Looks like {mistake}."
    return ""


def _outputs(got, expected):
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return [f"expected a tuple (a_t, h_t), got {describe(got)}"]
    a_got, h_got = got
    try:
        a_arr, h_arr = np.asarray(a_got, dtype=np.float64), np.asarray(h_got, dtype=np.float64)
        swapped = (
            a_arr.shape == h_arr.shape == expected["a_t"].shape
            and np.allclose(a_arr, expected["h_t"], rtol=1e-9, atol=1e-12)
            and np.allclose(h_arr, expected["a_t"], rtol=1e-9, atol=1e-12)
        )
    except (TypeError, ValueError):
        swapped = False
    if swapped:
        return ["a_t and h_t are swapped: return (a_t, h_t), the pre-activation first"]
    problems = []
    msg_a = compare("a_t", a_got, expected["a_t"], rtol=1e-9)
    if msg_a:
        problems.append(msg_a)
        try:
            hint = _diagnose(np.asarray(a_got, dtype=np.float64), expected)
        except (TypeError, ValueError):
            hint = ""
        if hint:
            problems.append(hint)
    msg_h = compare("h_t", h_got, expected["h_t"], rtol=1e-9)
    if msg_h:
        problems.append(msg_h)
        if not msg_a:
            h_arr = np.asarray(h_got, dtype=np.float64)
            if h_arr.shape == expected["a_t"].shape and np.allclose(h_arr, expected["a_t"]):
                problems.append("h_t equals a_t: apply the activation, h_t = tanh(a_t).")
            elif h_arr.shape == expected["a_t"].shape and np.allclose(
                h_arr, 1.0 / (1.0 + np.exp(-expected["a_t"])), rtol=1e-9, atol=1e-12
            ):
                problems.append("h_t is the sigmoid of a_t: this chapter's unit uses f = tanh.")
    return problems


def check_step_forward(step_forward, *, raise_on_failure=True):
    """Check ``step_forward(x_t, h_prev, W_x, W_s, b_h) -> (a_t, h_t)`` against :func:`rnnlib.step_forward`.

    Five cases with different (D, H) and seeds, including D = H, where a transposed W_x would not
    raise. Prints the verdict; raises :class:`~rnnlib.course.checks.CheckFailed` on failure unless
    ``raise_on_failure`` is false. Returns a :class:`~rnnlib.course.checks.CheckResult`.
    """
    cases = [_case(D, H, seed) for seed, (D, H) in enumerate(_SHAPES, start=101)]
    return run_check(
        "step_forward",
        step_forward,
        cases,
        _outputs,
        raise_on_failure=raise_on_failure,
        hint="reread the pre-activation eq-ch1-preactivation and the state update eq-ch1-state: "
        "which products are matrix-vector products, and where does f act?",
    )


__all__ = ["check_step_forward"]
