"""Auto-check for chapter 7's exercise: clipping by the global norm (Pascanu et al. 2013, Algorithm 1).

The student writes ``clip_by_norm(grads, threshold)``: ``grads`` is a dict mapping parameter names
to gradient arrays; the function returns a new dict in which, if ‖g‖ ≥ θ (‖g‖ the norm of all
arrays together), every array is multiplied by θ/‖g‖, and otherwise the arrays are unchanged.
The reference is :func:`rnnlib.clip_by_global_norm`.
"""

from __future__ import annotations

import numpy as np

from rnnlib.clipping import clip_by_global_norm, clip_by_parameter_norm, clip_by_value, global_norm
from rnnlib.params import RNNParams

from . import Case, compare, run_check


def _random_grads(rng, D, H, O, scale, dominant=None) -> RNNParams:
    g = RNNParams(
        rng.standard_normal((H, D)),
        rng.standard_normal((H, H)),
        rng.standard_normal((O, H)),
        rng.standard_normal(H),
        rng.standard_normal(O),
    )
    g = scale * g
    if dominant is not None:  # one block much larger than the rest: per-parameter clipping then differs clearly
        g = g.replace(**{dominant: 50.0 * dict(g)[dominant]})
    return g


def _as_dict(g: RNNParams) -> dict:
    return {name: value.copy() for name, value in g}


def _cases(seed):
    rng = np.random.default_rng(seed)
    specs = [
        ("‖g‖ well above θ", dict(D=2, H=4, O=1, scale=3.0), 1.0, None),
        ("one parameter's gradient much larger than the others", dict(D=3, H=5, O=2, scale=1.0), 2.0, "W_s"),
        ("‖g‖ below θ: nothing to clip", dict(D=2, H=3, O=1, scale=0.05), 5.0, None),
        ("large gradient, small θ", dict(D=1, H=6, O=1, scale=100.0), 0.5, "b_h"),
        ("elements below θ but ‖g‖ above θ", dict(D=4, H=8, O=3, scale=0.4), 1.5, None),
    ]
    cases = []
    for description, sizes, threshold, dominant in specs:
        g = _random_grads(rng, sizes["D"], sizes["H"], sizes["O"], sizes["scale"], dominant)
        grads = _as_dict(g)
        expected = {
            "clipped": _as_dict(clip_by_global_norm(g, threshold).grads),
            "per_parameter": _as_dict(clip_by_parameter_norm(g, threshold).grads),
            "value": _as_dict(clip_by_value(g, threshold).grads),
            "original": _as_dict(g),
            # Algorithm 1 with another "norm": the squared norm ‖g‖² (no square root), and the
            # root-mean-square (a mean over the elements instead of their sum)
            "squared": _rescaled(g, threshold, global_norm(g) ** 2),
            "rms": _rescaled(g, threshold, global_norm(g) / np.sqrt(sum(v.size for _, v in g))),
            "norm": global_norm(g),
            "threshold": threshold,
        }
        cases.append(Case(f"{description}, θ = {threshold:g}", {"grads": grads, "threshold": threshold}, expected))
    return cases


def _rescaled(g: RNNParams, threshold: float, norm: float) -> dict:
    """Algorithm 1 with ``norm`` in place of ‖g‖: what a wrong norm gives."""
    factor = threshold / norm if norm >= threshold else 1.0
    return {name: value * factor for name, value in g}


def _matches(got, ref, rtol=1e-9):
    return all(compare(name, got[name], ref[name], rtol) is None for name in ref)


def _outputs(got, expected):
    problems = []
    if not isinstance(got, dict):
        return [f"expected a dict of gradients (name -> array), got a {type(got).__name__}"]
    missing = [name for name in expected["clipped"] if name not in got]
    if missing:
        return [f"the returned dict is missing {missing}: return every parameter's gradient"]
    for name, ref in expected["clipped"].items():
        message = compare(name, got[name], ref, rtol=1e-9)
        if message is not None and "relative error" not in message:  # wrong shape, not numbers, NaN
            problems.append(message)
            return problems
    if _matches(got, expected["clipped"]):
        return problems
    should_clip = expected["norm"] >= expected["threshold"]
    if _matches(got, expected["per_parameter"]):
        problems.append(
            "each parameter's gradient was rescaled by its own norm; Algorithm 1 rescales all of "
            "them by the same factor θ/‖g‖, with ‖g‖ the norm of all gradients taken together"
        )
    elif _matches(got, expected["value"]) and should_clip:
        problems.append(
            "the elements were clipped into [−θ, θ] (clipping by value); clip by the norm instead: "
            "multiply every array by θ/‖g‖ when ‖g‖ ≥ θ"
        )
    elif not _matches(expected["squared"], expected["clipped"]) and _matches(got, expected["squared"]):
        problems.append(
            "your rescaling uses the squared norm ‖g‖² = Σ g_i² where Algorithm 1 has the norm "
            "‖g‖ = sqrt(Σ g_i²): take the square root, in the test against θ and in the factor θ/‖g‖"
        )
    elif not _matches(expected["rms"], expected["clipped"]) and _matches(got, expected["rms"]):
        problems.append(
            "your norm averages the squares (np.mean) instead of summing them: ‖g‖ = sqrt(Σ g_i²) over "
            "every element of every array"
        )
    elif should_clip and _matches(got, expected["original"]):
        problems.append(
            "the gradient came back unchanged although its norm ‖g‖ is at least θ: it should be rescaled to norm θ"
        )
    elif not should_clip:
        problems.append("the gradient's norm is below θ, so it must come back unchanged")
    else:
        norm = float(np.sqrt(sum(np.sum(np.asarray(got[n], dtype=float) ** 2) for n in expected["clipped"])))
        err = abs(norm - expected["threshold"]) / expected["threshold"]
        if err > 1e-9:
            problems.append(
                f"the clipped gradient should have norm θ; yours has a norm off by a relative {err:.2e} "
                "(is the `threshold` argument used, both in the test ‖g‖ ≥ θ and in the factor θ/‖g‖?)"
            )
        else:
            problems.append(
                "the clipped gradient has norm θ but points in another direction: multiply every "
                "array by the same factor θ/‖g‖"
            )
    return problems


def check_clip_by_norm(clip_by_norm, seed=7, raise_on_failure=True):
    """Check ``clip_by_norm(grads, threshold) -> dict`` against :func:`rnnlib.clip_by_global_norm`.

    Five randomized cases: gradients above and below θ, one dominating block (to tell the global
    norm from per-parameter norms), elements below θ with a norm above it (to tell clipping by
    norm from clipping by value). Also checks that the input dict is not modified.
    """
    return run_check(
        "clip_by_norm",
        clip_by_norm,
        _cases(seed),
        _outputs,
        raise_on_failure=raise_on_failure,
        hint="reread Algorithm 1 of Pascanu et al. (eq-ch7-clip-norm): which norm is compared with θ, "
        "and which arrays share one rescaling?",
    )
