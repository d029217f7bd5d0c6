"""Checks for the exercises of chapter 3 (Deriving BPTT).

- :func:`check_output_gradient`: ∂L/∂W_y = Σ_t (∂L/∂o_t) h_tᵀ, the local gradient (eq-ch3-dWy).
- :func:`check_delta_recursion`: δ_t = W_yᵀ ∂L/∂o_t + W_sᵀ (f′(a_{t+1}) ⊙ δ_{t+1}) (eq-ch3-delta-recursion).

Both are single-sequence (N = 1) and column-vector shaped as in the chapter; the reference is
rnnlib's own BPTT (:func:`rnnlib.backward`) on randomized problems.
"""

from __future__ import annotations

import numpy as np

from rnnlib.initialisation import init_params
from rnnlib.rnn import backward, forward

from . import Case, compare, run_check


def _returned_none(got):
    return ["your function returned None: did you forget the `return`?"] if got is None else None


def _problem(seed, T, D, H, O, targets):
    rng = np.random.default_rng(seed)
    params = init_params(D, H, O, rng=rng, recurrent="gaussian_sigma", scale=0.9)
    params = params.replace(b_h=0.1 * rng.standard_normal(H), b_y=0.1 * rng.standard_normal(O))
    x = rng.standard_normal((1, T, D))
    d = rng.standard_normal((1, T, O))
    mask = np.ones(T, dtype=bool) if targets == "all" else (np.arange(T) == T - 1)
    fp = forward(params, x, d, targets=mask)
    return params, x, d, fp, backward(params, fp)


_SIZES = [  # (T, D, H, O, targets, description)
    (3, 1, 2, 1, "last", "T=3, H=2, one output, target only at t=3"),
    (4, 2, 3, 2, "all", "T=4, H=3, O=2, a target at every step"),
    (6, 3, 5, 1, "all", "T=6, H=5, one output, a target at every step"),
    (5, 2, 4, 3, "last", "T=5, H=4, O=3, target only at the last step"),
]


def _output_cases():
    cases = []
    for i, (T, D, H, O, targets, text) in enumerate(_SIZES):
        params, x, d, fp, res = _problem(300 + i, T, D, H, O, targets)
        dL_do = fp.dO_tm[:, 0, :].copy()  # (T, O): ∂L/∂o_t, zero where there is no target
        h = fp.h_tm[1:, 0, :].copy()  # (T, H): h_1..h_T
        cases.append(Case(text, {"h": h, "dL_do": dL_do}, res.grads.W_y))
    return cases


def check_output_gradient(dL_dWy, *, raise_on_failure=True):
    """Check ``dL_dWy(h, dL_do)`` → ∂L/∂W_y of shape (O, H).

    ``h`` has shape (T, H) (row t−1 is h_t) and ``dL_do`` has shape (T, O) (row t−1 is ∂L/∂o_t,
    zero at the steps without a target).
    """

    def outputs(got, expected):
        if got is None:
            return _returned_none(got)
        problem = compare("∂L/∂W_y", got, expected, rtol=1e-9)
        if problem and "relative error" in problem:
            got_arr = np.asarray(got, dtype=np.float64)
            case = next(c for c in cases if c.expected is expected)
            h, g = case.kwargs["h"], case.kwargs["dL_do"]
            earlier = np.vstack([np.zeros((1, h.shape[1])), h[:-1]])  # row t-1 is h_{t-1}, h_0 = 0
            if np.allclose(got_arr, -expected, rtol=1e-9, atol=1e-15):
                problem += " — the sign looks flipped"
            elif np.allclose(got_arr, g.T @ earlier, rtol=1e-9, atol=1e-15):
                problem += " — off by one step in time: ∂L/∂o_t pairs with h_t (the same row of h), not h_{t-1}"
            elif np.allclose(got_arr, expected / len(h), rtol=1e-9, atol=1e-15):
                problem += " — averaged over the steps: ∂L/∂W_y is a sum over t, not a mean"
        return [problem] if problem else []

    cases = _output_cases()

    return run_check(
        "∂L/∂W_y",
        dL_dWy,
        cases,
        outputs,
        raise_on_failure=raise_on_failure,
        hint="∂L/∂W_y sums, over every step t, the outer product of ∂L/∂o_t (a column) "
        "with h_t (a row): it depends on h_t only, not on earlier states.",
    )


def _delta_cases():
    cases = []
    for i, (T, D, H, O, targets, text) in enumerate(_SIZES):
        params, x, d, fp, res = _problem(400 + i, T, D, H, O, targets)
        fprime = fp.activation.df(fp.a_tm[:, 0, :], fp.h_tm[1:, 0, :])  # (T, H): f′(a_t)
        dL_do = fp.dO_tm[:, 0, :].copy()
        kwargs = {"W_s": params.W_s.copy(), "W_y": params.W_y.copy(), "fprime": fprime, "dL_do": dL_do}
        cases.append(Case(text, kwargs, res.delta[0, 1:].copy()))
    return cases


def _delta_variants(kw):
    """What common mistakes would have returned, to name the mistake (never shown as numbers)."""
    W_s, W_y, fp_, g = kw["W_s"], kw["W_y"], kw["fprime"], kw["dL_do"]
    T, H = fp_.shape

    def run(transpose=True, with_fprime=True, carry=True, forwards=False, fprime_shift=0):
        out = np.zeros((T, H))
        nxt = np.zeros(H)
        for t in range(T) if forwards else range(T - 1, -1, -1):
            out[t] = W_y.T @ g[t] + (nxt if carry else 0.0)
            j = min(max(t + fprime_shift, 0), T - 1)
            da = out[t] * fp_[j] if with_fprime else out[t]
            nxt = (W_s.T if transpose else W_s) @ da
        return out

    return {
        "W_s is not transposed: the message to h_{t-1} is W_sᵀ (f′(a_t) ⊙ δ_t)": run(transpose=False),
        "the factor f′(a_{t+1}) is missing from the message W_sᵀ (f′(a_{t+1}) ⊙ δ_{t+1})": run(with_fprime=False),
        "the message from step t+1 is never added: δ_t = W_yᵀ ∂L/∂o_t + W_sᵀ (f′(a_{t+1}) ⊙ δ_{t+1})": run(carry=False),
        "the loop runs forwards in time: δ_t needs δ_{t+1}, so walk t = T, …, 1": run(forwards=True),
        "f′ is taken one step off: the message from step t+1 carries f′(a_{t+1}), row t of fprime": run(
            fprime_shift=-1
        ),
    }


def check_delta_recursion(deltas, *, raise_on_failure=True):
    """Check ``deltas(W_s, W_y, fprime, dL_do)`` → δ of shape (T, H), row t−1 is δ_t = ∂L/∂h_t.

    ``fprime`` (T, H) holds f′(a_t) and ``dL_do`` (T, O) holds ∂L/∂o_t for t = 1..T.
    """
    cases = _delta_cases()

    def outputs(got, expected):
        if got is None:
            return _returned_none(got)
        problem = compare("δ", got, expected, rtol=1e-9)
        if not problem:
            return []
        got_arr = np.asarray(got, dtype=np.float64) if not isinstance(got, (str, bytes)) else None
        if got_arr is not None and got_arr.shape == expected.shape and np.all(np.isfinite(got_arr)):
            case = next(c for c in cases if c.expected is expected)
            if np.allclose(got_arr, -expected, rtol=1e-9, atol=1e-15):
                problem += " — the sign looks flipped"
            # On a case some mistakes give the same numbers (with one target, a forward loop and a
            # dropped message agree): name every one that fits.
            fits = [
                m for m, v in _delta_variants(case.kwargs).items() if np.allclose(got_arr, v, rtol=1e-9, atol=1e-15)
            ]
            if fits:
                problem += " — it looks like " + "; or ".join(fits)
            else:
                good = np.all(np.isclose(got_arr, expected, rtol=1e-9, atol=1e-12), axis=1)
                if good[-1] and not np.all(good):
                    first_bad = int(np.max(np.nonzero(~good)[0])) + 1
                    problem += f" — δ_T is right, but δ_{first_bad} (row {first_bad - 1}) is not"
                elif not good[-1]:
                    problem += " — already the last row δ_T = W_yᵀ ∂L/∂o_T is wrong"
        return [problem]

    return run_check(
        "δ recursion",
        deltas,
        cases,
        outputs,
        raise_on_failure=raise_on_failure,
        hint="start at t = T with nothing arriving from the future, and walk backwards; "
        "δ_t collects W_yᵀ ∂L/∂o_t from the read-out and a message from step t+1.",
    )
