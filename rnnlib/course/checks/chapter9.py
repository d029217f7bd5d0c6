"""Auto-check for chapter 9's capstone exercise: one complete training update.

The student writes ``train_step(params, x, d, lr, threshold)``: a forward pass, full BPTT, one
clip of the whole gradient by its global norm (Pascanu et al. 2013, Algorithm 1), and one step
of plain gradient descent, returning the new parameters as an :class:`rnnlib.RNNParams`
(tanh RNN, linear read-out, squared error at every step). The reference chains rnnlib's
``forward``, ``backward``, ``clip_by_global_norm`` and ``sgd_step``.
"""

from __future__ import annotations

import numpy as np

from rnnlib.clipping import clip, clip_by_global_norm
from rnnlib.initialisation import init_params
from rnnlib.params import RNNParams
from rnnlib.rnn import backward, forward
from rnnlib.training import sgd_step

from . import Case, compare, run_check


def _step(params, x, d, lr, threshold, mode="norm", sign=1.0):
    grads = backward(params, forward(params, x, d)).grads
    clipped = clip(grads, mode, None if mode is None else threshold).grads  # no threshold without a mode
    return sgd_step(params, sign * clipped, lr)[0]


def _cases():
    rng = np.random.default_rng(2013)
    specs = [  # one sequence first: code that then fails on a batch is named as N = 1-only
        ("one sequence", 1, 4, 3, 5, 1, 0.1, 0.2),
        ("gradient above θ", 3, 8, 2, 6, 4, 0.1, 0.5),
        ("gradient below θ", 2, 5, 1, 4, 3, 0.05, 1e3),
        ("spectral radius 1.3", 2, 6, 1, 10, 2, 0.2, 1.0),
    ]
    cases = []
    for description, D, H, O, T, N, lr, threshold in specs:
        params = init_params(
            D, H, O, rng=rng, recurrent="gaussian_spectral", scale=1.3 if "1.3" in description else 0.9
        )
        x, d = rng.standard_normal((N, T, D)), rng.standard_normal((N, T, O))
        expected = {
            "new": _step(params, x, d, lr, threshold),
            "unclipped": _step(params, x, d, lr, threshold, mode=None),
            "per_parameter": _step(params, x, d, lr, threshold, mode="parameter_norm"),
            "ascent": _step(params, x, d, lr, threshold, sign=-1.0),
            "clipped": clip_by_global_norm(backward(params, forward(params, x, d)).grads, threshold).clipped,
            "original": params.copy(),
        }
        cases.append(
            Case(
                f"{description}: N={N}, T={T}, D={D}, H={H}, O={O}, lr={lr:g}, θ={threshold:g}",
                {"params": params, "x": x, "d": d, "lr": lr, "threshold": threshold},
                expected,
                batch=N,
            )
        )
    return cases


def _same(got, ref):
    return all(compare(name, getattr(got, name), r, rtol=1e-9) is None for name, r in ref)


def _outputs(got, expected):
    if not isinstance(got, RNNParams):
        return [f"return the new parameters as an rnnlib.RNNParams; got {type(got).__name__}"]
    ref = expected["new"]
    problems = [m for m in (compare(f"new {name}", getattr(got, name), r, rtol=1e-9) for name, r in ref) if m]
    if not problems:
        return []
    if _same(got, expected["original"]):
        return ["the parameters did not change: take the step θ ← θ − lr·g"]
    if _same(got, expected["ascent"]):
        return ["the step goes uphill: gradient descent subtracts lr·g"]
    if expected["clipped"] and _same(got, expected["unclipped"]):
        return ["the gradient was not clipped although its norm exceeds θ"]
    if expected["clipped"] and _same(got, expected["per_parameter"]):
        return ["each parameter's gradient was clipped on its own: clip the whole gradient by its global norm"]
    factor = _step_factor(got, expected)
    if factor is not None:
        return [
            f"your step points the right way but is {factor:.3g} times as long as it should be: is an argument "
            "ignored? The step is lr times the clipped gradient, and the clipping uses the `threshold` argument"
        ]
    return problems


def _step_factor(got, expected) -> float | None:
    """c when the student's step, got − params, is c times the expected one (c ≠ 1): a learning rate
    or a threshold other than the arguments."""
    old, new = expected["original"], expected["new"]
    try:
        mine = np.concatenate([np.ravel(np.asarray(getattr(got, n), float) - v) for n, v in old])
        right = np.concatenate([np.ravel(np.asarray(getattr(new, n), float) - v) for n, v in old])
    except (TypeError, ValueError):
        return None
    if mine.shape != right.shape or not np.all(np.isfinite(mine)) or not np.any(right):
        return None
    c = float(mine @ right / (right @ right))
    if c > 0 and abs(c - 1) > 1e-6 and np.allclose(mine, c * right, rtol=1e-8, atol=1e-14):
        return c
    return None


def check_train_step(train_step, *, raise_on_failure=True):
    """Check ``train_step(params, x, d, lr, threshold) -> RNNParams`` on four randomized cases.

    The exercise asks for the update written from its parts, so a function that calls rnnlib's
    ``clip_by_global_norm``, ``clip`` or ``sgd_step`` fails. Raises
    :class:`~rnnlib.course.checks.CheckFailed` on failure unless ``raise_on_failure`` is false.
    """

    def call(params, x, d, lr, threshold):  # positional, as the exercise's signature is written
        return train_step(params, x, d, lr, threshold)

    call.__wrapped__ = train_step
    return run_check(  # run_check names a function that modified params, x or d in place
        "train_step",
        call if callable(train_step) else train_step,
        _cases(),
        _outputs,
        raise_on_failure=raise_on_failure,
        forbidden={"clip_by_global_norm": clip_by_global_norm, "clip": clip, "sgd_step": sgd_step},
        hint="one update is the chain of chapter 9's cheat sheet: gradient (chapter 4), one clip of the "
        "whole gradient (eq-ch7-clip-norm), one descent step with learning rate α.",
    )
