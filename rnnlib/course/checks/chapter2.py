"""Auto-checks for the exercises of chapter 2 (Unrolling).

``check_total_loss(total_loss)`` checks a student's total loss computed from the per-step
outputs,

    L = (1/N) Σ_n Σ_t m_t E_t,    E_t = Σ_o (ŷ_{t,o} − d_{t,o})²,

with m_t = 1 at every step (``targets="all"``, many-to-many) or only at the last step
(``targets="last"``, many-to-one): ``total_loss(y_hat, d, targets) -> float`` with y_hat
(N, T, O) and d (N, T, O) for "all" or (N, O) for "last". The reference is the loss of
:func:`rnnlib.forward` on the same network and data.
"""

from __future__ import annotations

import numpy as np

from rnnlib.initialisation import init_params
from rnnlib.rnn import forward

from . import Case, compare, run_check

_CASES = (  # one sequence first: code that then fails on a batch is named as N = 1-only
    ("all", 1, 5, 2, 2),
    ("all", 4, 6, 2, 3),
    ("last", 4, 6, 2, 3),
    ("all", 3, 9, 1, 1),
    ("last", 5, 7, 3, 2),
    ("last", 2, 8, 1, 4),
)


def _case(targets, N, T, O, D, seed):
    rng = np.random.default_rng(seed)
    params = init_params(D, 5, O, rng=rng, recurrent="orthogonal", scale=0.9)
    x = rng.standard_normal((N, T, D))
    d = rng.standard_normal((N, T, O)) if targets == "all" else rng.standard_normal((N, O))
    fp = forward(params, x, d, targets=targets)
    y_hat = fp.y_hat.copy()
    diff = y_hat - (d if targets == "all" else d[:, None, :])  # (N, T, O); "last": every step against d
    E = np.sum(diff**2, axis=2)  # (N, T)
    last_only = np.sum(E[:, -1]) / N
    mistakes = {
        "you did not divide by the number of sequences N (L is the sum over steps, averaged over the batch)": fp.loss
        * N,
        "you averaged over the time steps: L sums the per-step losses E_t": fp.loss / (T if targets == "all" else 1),
        "you included a factor 1/2: in this course E_t = Σ_o (ŷ_{t,o} − d_{t,o})², without ½": fp.loss / 2,
        "you averaged over the output components: E_t sums (ŷ_t − d_t)² over them": fp.loss / O,
    }
    if targets == "last":
        mistakes["you compared every step with the target: with targets='last' only step T carries one"] = np.sum(E) / N
    else:
        mistakes["you used only the last step: with targets='all' every step carries a target"] = last_only
    kwargs = {"y_hat": y_hat, "d": d.copy(), "targets": targets}
    return Case(
        f'targets="{targets}", N = {N}, T = {T}, O = {O}',
        kwargs,
        {"L": fp.loss, "mistakes": {k: v for k, v in mistakes.items() if not np.isclose(v, fp.loss)}},
        batch=N,
    )


def _outputs(got, expected):
    if isinstance(got, np.ndarray) and got.size != 1:
        return [f"L: expected a single number, got an array of shape {got.shape} (sum over n, t and o)"]
    msg = compare("L", got, expected["L"], rtol=1e-9)
    if not msg:
        return []
    problems = [msg]
    try:
        value = float(np.asarray(got))
    except (TypeError, ValueError):
        return problems
    for mistake, wrong in expected["mistakes"].items():
        if np.isclose(value, wrong, rtol=1e-9, atol=0.0):
            problems.append(f"Looks like {mistake}.")
            break
    return problems


def check_total_loss(total_loss, *, raise_on_failure=True):
    """Check ``total_loss(y_hat, d, targets) -> float`` against the loss of :func:`rnnlib.forward`.

    Six cases, many-to-many and many-to-one, with different N, T, O. Prints the verdict; raises
    :class:`~rnnlib.course.checks.CheckFailed` on failure unless ``raise_on_failure`` is false.
    """
    cases = [_case(*spec, seed) for seed, spec in enumerate(_CASES, start=201)]
    return run_check(
        "total_loss",
        total_loss,
        cases,
        _outputs,
        raise_on_failure=raise_on_failure,
        hint="E_t = Σ_o (ŷ_t − d_t)² at the steps that carry a target; L = (sum over sequences and those steps) / N.",
    )


__all__ = ["check_total_loss"]
