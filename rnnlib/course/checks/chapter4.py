"""Checks for the exercises of chapter 4 (Implementing and checking BPTT).

- :func:`check_step_backward`: one step backwards (CS231n's ``step_backward``), against
  :func:`rnnlib.step_backward`.
- :func:`check_bptt`: the full backward loop built from a step function, for a loss weighted over
  the time steps (L = Σ_t w_t E_t, a mask when the weights are 0 or 1), against :func:`rnnlib.backward`
  run on the weighted read-out gradients.

Batches are rows, as in rnnlib's code: ``x`` (N, D), ``h_prev`` (N, H), ``W_x`` (H, D),
``W_s`` (H, H), so a_t = h_prev @ W_sᵀ + x @ W_xᵀ + b_h and the activation is tanh.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from rnnlib.initialisation import init_params
from rnnlib.rnn import backward, forward, output_gradients, step_backward, step_forward

from . import Case, compare, partial_score, run_check

_OUTPUTS = ("dh_prev", "dx", "dW_x", "dW_s", "db_h")  # the order of rnnlib.step_backward


def make_cache(params, x_t, h_prev):
    """The cache the exercise's ``step_backward`` receives: a dict with ``x`` (N, D), ``h_prev`` (N, H),
    ``a`` (N, H) the pre-activation a_t, ``h`` (N, H) = tanh(a_t), ``W_x`` (H, D) and ``W_s`` (H, H).

    Returns ``(cache, rnnlib_cache)``; the second is what :func:`rnnlib.step_backward` takes.
    """
    h_t, rl_cache = step_forward(params, x_t, h_prev, activation="tanh")
    x, hp, a, h, _ = rl_cache
    cache = {
        "x": x.copy(),
        "h_prev": hp.copy(),
        "a": a.copy(),
        "h": h.copy(),
        "W_x": params.W_x.copy(),
        "W_s": params.W_s.copy(),
    }
    return cache, rl_cache


def _step_cases():
    cases = []
    for i in range(5):
        rng = np.random.default_rng(4000 + i)
        N, D, H = (int(v) for v in (rng.integers(1, 5), rng.integers(1, 5), rng.integers(2, 7)))
        N = 1 if i == 0 else max(N, 2)  # one sequence first, then batches: N = 1-only code is named
        params = init_params(D, H, 1, rng=rng, recurrent="gaussian_sigma", scale=1.5)
        params = params.replace(b_h=0.3 * rng.standard_normal(H))
        x_t = rng.standard_normal((N, D))
        h_prev = np.tanh(rng.standard_normal((N, H)))
        dh = rng.standard_normal((N, H))
        cache, rl_cache = make_cache(params, x_t, h_prev)
        expected = step_backward(params, dh, rl_cache)  # (dh_prev, dx, dW_x, dW_s, db_h)
        cases.append(Case(f"N={N}, D={D}, H={H}", {"dh": dh, "cache": cache}, expected, batch=N))
    return cases


def _diagnose(name, got, expected, kw):
    try:
        got_arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return ""
    if got_arr.shape != np.shape(expected) or not np.all(np.isfinite(got_arr)):
        return ""
    if np.allclose(got_arr, -expected, rtol=1e-9, atol=1e-14):
        return " — the sign looks flipped"
    c, dh = kw["cache"], kw["dh"]
    da = dh * (1.0 - c["h"] ** 2)
    candidates = {
        "dh_prev": [
            (
                da @ c["W_s"].T,
                "W_s is used untransposed: with batch rows, the message to h_{t-1} "
                "is da @ W_s (that is W_sᵀ da for a column da)",
            ),
            (dh @ c["W_s"], "the factor f′(a_t) = 1 − h_t² is missing"),
        ],
        "dx": [(dh @ c["W_x"], "the factor f′(a_t) = 1 − h_t² is missing")],
        "dW_x": [(dh.T @ c["x"], "the factor f′(a_t) = 1 − h_t² is missing")],
        "dW_s": [
            ((da.T @ c["h_prev"]).T, "dW_s is transposed: it is (∂L/∂a_t) h_{t-1}ᵀ, row index from a_t"),
            (dh.T @ c["h_prev"], "the factor f′(a_t) = 1 − h_t² is missing"),
            (da.T @ c["h"], "h_t is used where the previous state h_{t-1} belongs"),
        ],
        "db_h": [(dh.sum(axis=0), "the factor f′(a_t) = 1 − h_t² is missing")],
    }
    for value, text in candidates.get(name, []):
        if value.shape == got_arr.shape and np.allclose(got_arr, value, rtol=1e-9, atol=1e-14):
            return f" — {text}"
    return ""


def _step_mistake(got, kw) -> str:
    """Whole-answer mistakes of step_backward: sigmoid's derivative for tanh's, a mean over the
    batch instead of a sum, dh_prev and dx swapped."""
    c, dh = kw["cache"], kw["dh"]
    try:
        got = [np.asarray(g, dtype=np.float64) for g in got]
    except (TypeError, ValueError):
        return ""

    def same(values):
        return all(g.shape == v.shape and np.allclose(g, v, rtol=1e-9, atol=1e-14) for g, v in zip(got, values))

    def answer(da, weight_scale=1.0):
        return (
            da @ c["W_s"],
            da @ c["W_x"],
            weight_scale * (da.T @ c["x"]),
            weight_scale * (da.T @ c["h_prev"]),
            weight_scale * da.sum(axis=0),
        )

    da = dh * (1.0 - c["h"] ** 2)
    N = dh.shape[0]
    if same(answer(dh * c["h"] * (1.0 - c["h"]))):
        return "f′ is the sigmoid's, h(1 − h); the cell uses tanh, whose derivative is 1 − h_t²"
    if N > 1 and same(answer(da, 1.0 / N)):
        return "the weight gradients are averaged over the batch; L sums over the sequences, so do its gradients"
    right = answer(da)
    if same((right[1], right[0], *right[2:])):
        return "dh_prev and dx are swapped: return (dh_prev, dx, dW_x, dW_s, db_h) in that order"
    return ""


def check_step_backward(step_backward_fn, *, raise_on_failure=True, out_of=None):
    """Check ``step_backward_fn(dh, cache)`` → ``(dh_prev, dx, dW_x, dW_s, db_h)``, as :func:`rnnlib.step_backward`.

    ``dh`` (N, H) is ∂L/∂h_t; ``cache`` is the dict of :func:`make_cache`. Shapes of the answer:
    dh_prev (N, H), dx (N, D), dW_x (H, D), dW_s (H, H), db_h (H,).

    With ``out_of`` (the grade cell's points), the five outputs are graded apart: returns a
    :class:`~rnnlib.course.checks.Score`, ``out_of`` times the share of outputs right on every case,
    which nbgrader reads as partial credit (and raises when none is right).
    """
    if out_of is not None:
        import contextlib
        import io

        shown = io.StringIO()
        with contextlib.redirect_stdout(shown):
            result = _check_step_backward(step_backward_fn, raise_on_failure=False)
        text = shown.getvalue()
        if not result.fraction:  # partial_score raises with the verdict: show it once
            text = text.replace(result.message + "\n", "")
        print(text, end="")
        return partial_score(result, out_of)
    return _check_step_backward(step_backward_fn, raise_on_failure=raise_on_failure)


def _check_step_backward(step_backward_fn, *, raise_on_failure):
    cases = _step_cases()

    def outputs(got, expected):
        if got is None:
            return ["your function returned None: did you forget the `return`?"]
        if not isinstance(got, (tuple, list)) or len(got) != 5:
            return [
                f"expected a tuple (dh_prev, dx, dW_x, dW_s, db_h) of 5 arrays, got "
                f"{type(got).__name__}{' of length ' + str(len(got)) if isinstance(got, (tuple, list)) else ''}"
            ]
        case = next(c for c in cases if c.expected is expected)
        mistake = _step_mistake(got, case.kwargs)
        if mistake:
            return [mistake]
        problems = []
        for name, g, e in zip(_OUTPUTS, got, expected):
            problem = compare(name, g, e, rtol=1e-9)
            if problem:
                problems.append(problem + _diagnose(name, g, e, case.kwargs))
        return problems

    return run_check(
        "step_backward",
        step_backward_fn,
        cases,
        outputs,
        raise_on_failure=raise_on_failure,
        parts=_OUTPUTS,
        hint="the local rules of eq-ch3-weight-gradients: what does the gradient pass through "
        "before it reaches the weights, and what shape must each result have?",
    )


def _bptt_cases():
    """Three problems with a weighted loss L = Σ_t w_t E_t; the first has one sequence (N = 1)."""
    cases = []
    for i, N in enumerate((1, 3, 4)):
        rng = np.random.default_rng(5000 + i)
        T, D, H, O = 3 + 2 * i, 2, 3 + i, 1 + i
        params = init_params(D, H, O, rng=rng, recurrent="gaussian_sigma", scale=1.2)
        params = params.replace(b_h=0.2 * rng.standard_normal(H))
        x = rng.standard_normal((N, T, D))
        d = rng.standard_normal((N, T, O))
        weights = rng.uniform(0.2, 2.0, size=T)
        weights[rng.integers(0, T - 1)] = 0.0  # a step without a target: a mask is a weight of 0
        fp = forward(params, x, d, activation="tanh").targets_given()
        # the weighted loss's read-out gradients are w_t ∂E_t/∂o_t; rnnlib's BPTT does the rest
        weighted = dataclasses.replace(fp, dO_tm=fp.dO_tm * weights[:, None, None])
        res = backward(params, weighted)
        caches = [make_cache(params, fp.x_tm[t], fp.h_tm[t])[0] for t in range(T)]
        _, _, dh_out = output_gradients(fp.dO_tm, fp.h_tm[1:], params.W_y)  # (T, N, H): W_yᵀ ∂E_t/∂o_t, unweighted
        expected = (res.grads.W_x, res.grads.W_s, res.grads.b_h, res.delta[:, 0].copy())
        kwargs = {"caches": caches, "dh_out": dh_out, "weights": weights}
        cases.append(Case(f"N={N}, T={T}, D={D}, H={H}", kwargs, expected, batch=N))
    return cases


def _step_dict(dh, c):
    """The exercise's step_backward on a dict cache, in numpy (batch rows): the plain reference."""
    da = dh * (1.0 - c["h"] ** 2)
    return da @ c["W_s"], da.T @ c["x"], da.T @ c["h_prev"], da.sum(axis=0)


def _bptt_variant(caches, dh_out, weights, mistake=None):
    """The weighted backward loop of the exercise, right (``mistake=None``) or with one named mistake."""
    T = len(caches)
    N, H = dh_out.shape[1:]
    D = caches[0]["x"].shape[1]
    dW_x, dW_s, db_h = np.zeros((H, D)), np.zeros((H, H)), np.zeros(H)
    carried = np.zeros((N, H))
    order = range(T) if mistake == "forwards" else range(T - 1, -1, -1)
    for t in order:
        own = weights[t] * dh_out[t]
        if mistake == "unweighted":
            own = dh_out[t]
        elif mistake == "weight-shifted":
            own = (weights[t - 1] if t > 0 else 0.0) * dh_out[t]
        elif mistake == "off-by-one":
            own = weights[t - 1] * dh_out[t - 1] if t > 0 else np.zeros((N, H))
        if mistake == "no-carry":
            delta = own
        elif mistake == "weighted-carry":
            delta = weights[t] * (dh_out[t] + carried)
        else:
            delta = own + carried
        carried, gx, gs, gb = _step_dict(delta, caches[t])
        dW_x, dW_s, db_h = dW_x + gx, dW_s + gs, db_h + gb
    if mistake == "mean":
        dW_x, dW_s, db_h = dW_x / T, dW_s / T, db_h / T
    return dW_x, dW_s, db_h, carried


_BPTT_MISTAKES = {
    "weighted-carry": "the weight w_t multiplies the message carried back from step t+1 as well; w_t "
    "weighs only E_t, so only this step's read-out gradient dh_out[t] is scaled by it",
    "unweighted": "the weights are ignored: every step's read-out gradient counts fully, as if w_t = 1",
    "weight-shifted": "the weights are off by one step: dh_out[t] must be scaled by the weight of the same step",
    "forwards": "the loop runs forwards in time: BPTT walks t = T, T−1, …, 1, because δ_t needs δ_(t+1)",
    "no-carry": "the message carried back from step t+1 (the dh_prev it returned) is never added to "
    "the next step's incoming gradient",
    "off-by-one": "the read-out gradients are off by one step: step t must receive dh_out for the same t",
    "mean": "the weight gradients are averaged over the steps; L is a sum over t, so are its gradients",
}


def _bptt_mistake(got, kw) -> str:
    for mistake, text in _BPTT_MISTAKES.items():
        wrong = _bptt_variant(kw["caches"], kw["dh_out"], kw["weights"], mistake)
        try:
            if all(np.allclose(np.asarray(g, float), w, rtol=1e-9, atol=1e-14) for g, w in zip(got[:3], wrong[:3])):
                return f"this looks like a known mistake: {text}"
        except (TypeError, ValueError):
            return ""
    return ""


def check_bptt(bptt_fn, *, raise_on_failure=True):
    """Check ``bptt_fn(caches, dh_out, weights)`` → ``(dW_x, dW_s, db_h, dh0)`` for L = Σ_t w_t E_t.

    ``caches`` is a list of T caches (:func:`make_cache`), ``caches[t-1]`` for step t;
    ``dh_out`` (T, N, H) holds W_yᵀ ∂E_t/∂o_t, the gradient reaching h_t from the read-out of the
    unweighted loss term E_t (``rnnlib.rnn.output_gradients``); ``weights`` (T,) holds w_t ≥ 0
    (0 where a step has no target). ``dh0`` (N, H) is ∂L/∂h_0.
    The first case has N = 1, so code that only works for one sequence is named as such (run_check).
    """
    names = ("dW_x", "dW_s", "db_h", "dh0")
    cases = _bptt_cases()

    def outputs(got, expected):
        if got is None:
            return ["your function returned None: did you forget the `return`?"]
        if not isinstance(got, (tuple, list)) or len(got) != 4:
            return [f"expected a tuple (dW_x, dW_s, db_h, dh0) of 4 arrays, got {type(got).__name__}"]
        case = next(c for c in cases if c.expected is expected)
        problems = [compare(n, g, e, rtol=1e-9) for n, g, e in zip(names, got, expected)]
        problems = [p for p in problems if p]
        if problems:
            mistake = _bptt_mistake(got, case.kwargs)
            if mistake:
                problems.append(mistake)
        return problems

    return run_check(
        "bptt",
        bptt_fn,
        cases,
        outputs,
        raise_on_failure=raise_on_failure,
        hint="δ_t collects two things, the weighted read-out term of its own step and the message "
        "from step t+1 (eq-ch3-delta-recursion with w_t E_t in place of E_t): which of the two does "
        "w_t scale, and in which order must the steps run?",
    )
