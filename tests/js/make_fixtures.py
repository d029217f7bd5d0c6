"""Write the fixtures the JavaScript engine is tested against: every quantity it computes, from rnnlib.

    PYTHONPATH=. .venv/bin/python tests/js/make_fixtures.py [--out _build/js-fixtures]

Each case draws its weights and inputs from a seeded numpy Generator, runs rnnlib's public API
(``import rnnlib as rl``) and stores inputs, weights and results as JSON; the engine receives the
same weights and inputs and must reproduce the results (tests/js/engine.test.mjs). Nothing here
is computed by hand: every expected number is rnnlib's. The cases cover the four activations,
both read-outs and losses, the three target patterns, the three h0 modes, shapes from H = 1 to 64,
and scales from vanishing (σ_max = 0.5) to exploding (ρ = 3 with identity and ReLU, values up to
about 1e60 but finite), plus the cliff of Pascanu et al. (2013), Figure 6.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

import numpy as np

# The rnnlib of this checkout, whatever the environment has installed: a worktree's engine must be
# tested against the rnnlib beside it, not against another copy that an editable install points to.
ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import rnnlib as rl  # noqa: E402
from rnnlib import cliff  # noqa: E402

# The explorer's settings for the cliff (chapter 7): inputs of the fixture, not expected values.
CLIFF_START = (4.5, -2.32)
CLIFF_LR = 0.05
CLIFF_STEPS = 40
CLIFF_WINDOW = ((4.1, 4.9), (-2.7, -1.9))


def as_list(value):
    """numpy arrays and scalars, RNNParams (as {name: array}), dicts and lists → JSON-ready values."""
    if isinstance(value, rl.RNNParams):
        return {name: np.asarray(arr).tolist() for name, arr in value.items()}
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    if isinstance(value, dict):
        return {k: as_list(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_list(v) for v in value]
    return value


def recurrent(kind, H, scale, rng):
    """W_s of the requested kind and scale (what the case's name says)."""
    if kind == "rho":
        return rl.gaussian_spectral(H, scale, rng)
    if kind == "sigma":
        return rl.gaussian_sigma(H, scale, rng)
    if kind == "orthogonal":
        return rl.orthogonal(H, scale, rng)
    if kind == "nonnormal":  # upper triangular, distinct eigenvalues, strong coupling: transient growth
        W = np.triu(rng.standard_normal((H, H)), k=1) * 1.5
        W[np.diag_indices(H)] = np.linspace(-scale, scale, H)
        return W
    raise ValueError(kind)


def targets_for(spec, rng, N, T, O):
    """Targets d and the ``targets`` argument for the case's loss and target pattern."""
    pattern, loss = spec["targets"], spec["loss"]
    if loss == "cross_entropy":
        labels = rng.integers(0, O, size=(N, T))
        return (labels[:, -1] if pattern == "last" else labels), pattern
    if pattern == "last":
        return rng.standard_normal((N, O)), "last"
    d = rng.standard_normal((N, T, O))
    if pattern == "mask":
        mask = np.zeros(T, dtype=bool)
        mask[T // 3 :: 2] = True
        return d, mask
    return d, "all"


def refuse_cancellation(spec, y_hat, d, mask):
    """Refuse a draw whose prediction nearly equals its target at a loss step.

    There ŷ − d cancels: its relative error is (|ŷ| + |d|)/|ŷ − d| times that of ŷ, so E_t and
    every δ_t inherit it, and a 1e-12 comparison would measure the subtraction's conditioning
    instead of the engine. Such a case gets another seed rather than a looser tolerance.
    """
    d_full = d[:, None, :] * np.ones_like(y_hat) if d.ndim == 2 else d  # targets="last": d is (N, O)
    if d.ndim == 2:
        mask = np.zeros(mask.shape, dtype=bool)
        mask[:, -1] = True
    y, t = y_hat[mask], d_full[mask]
    closeness = np.min(np.abs(y - t) / (np.abs(y) + np.abs(t)))
    if closeness < 0.005:  # amplification above 200
        raise SystemExit(
            f"case {spec['name']!r}: ŷ − d cancels (|ŷ − d| = {closeness:.1e} (|ŷ| + |d|)); choose another seed"
        )


def model_case(spec):
    """One RNN case: weights, inputs, and everything rnnlib computes from them."""
    rng = np.random.default_rng(spec["seed"])
    N, T, D, H, O = (spec[k] for k in ("N", "T", "D", "H", "O"))
    W_s = recurrent(spec["kind"], H, spec["scale"], rng)
    h0_mode = spec.get("h0_mode", "zeros")
    params = rl.RNNParams(
        rl.glorot((H, D), 1.0, rng),
        W_s,
        rl.glorot((O, H), 1.0, rng),
        0.1 * rng.standard_normal(H),
        0.1 * rng.standard_normal(O),
        h0=None if h0_mode == "zeros" else 0.5 * rng.standard_normal(H),
        h0_mode=h0_mode,
    )
    x = rng.standard_normal((N, T, D))
    d, targets = targets_for(spec, rng, N, T, O)
    model = {"activation": spec["activation"], "output": spec["output"], "loss_name": spec["loss"], "targets": targets}
    fp = rl.forward(params, x, d, **model)
    if spec["loss"] == "squared":
        refuse_cancellation(spec, fp.y_hat, d, fp.mask)
    bp = rl.backward(params, fp)
    big = H * T * N > 20000  # the explorer-sized case: keep the fixture small, store the summaries only
    expected = {
        "loss": fp.loss,
        "delta_norms": rl.delta_norms(bp.delta),
        "grads": as_list(bp.grads),
        "sigma_max": rl.sigma_max(W_s),
        "singular_values": rl.singular_values(W_s),
        "spectral_radius": rl.spectral_radius(W_s),
        "eigenvalues": {"re": np.linalg.eigvals(W_s).real, "im": np.linalg.eigvals(W_s).imag},
        "eta": rl.eta(W_s, spec["activation"]),
        "pascanu_bound": rl.pascanu_bound(W_s, spec["activation"], np.arange(T + 1)),
        "contribution_norms": np.linalg.norm(rl.contributions(params, fp).by_step["W_s"], axis=(1, 2)),
    }
    norms = rl.jacobian_norms(params, fp, sequence=N - 1)
    expected["jacobian_norms_last_row"] = {"sequence": N - 1, "t": T, "values": norms[T]}
    expected["jacobian_norms_middle_row"] = {"sequence": N - 1, "t": T // 2, "values": norms[T // 2, : T // 2 + 1]}
    if not big:
        expected |= {
            "a": fp.a,
            "h": fp.h,
            "o": fp.o,
            "y_hat": fp.y_hat,
            "step_losses": fp.step_losses,
            "delta": bp.delta,
            "da": bp.da,
            "jacobian_norms": {"sequence": N - 1, "values": norms},
            "norms_by_distance": rl.norms_by_distance(norms),
            "effective_horizon": rl.effective_horizon(rl.norms_by_distance(norms), 1e-3),
            "step_jacobian": {"sequence": 0, "t": T, "values": rl.step_jacobians(params, fp)[0, T - 1]},
            "jacobian_product": {
                "sequence": 0,
                "t": T,
                "k": T // 3,
                "values": rl.jacobian_product(params, fp, T, T // 3)[0],
            },
        }
        # Truncated BPTT: several (k1, k2), the explorer's k1 = k2, and the bias curve with k1 = 1.
        pairs = sorted({(1, 1), (1, 3), (2, 5), (3, 3), (4, 7), (T // 2, T // 2), (T, T), (1, T + 5)})
        expected["truncated"] = []
        for k1, k2 in pairs:
            if k1 > T or k2 < k1:
                continue
            r = rl.truncated_bptt(params, x, d, k1, k2, **model)
            expected["truncated"].append(
                {
                    "k1": k1,
                    "k2": k2,
                    "loss": r.loss,
                    "grads": as_list(r.grads),
                    "backward_steps": r.backward_steps,
                    "h_last": r.h_last,
                    "relative_error": rl.relative_gradient_error(r.grads, bp.grads),
                }
            )
        k2_values = [1, 2, 4, T // 2, T]
        errors, cosines = rl.bias_by_k2(params, x, d, k2_values, **model)
        expected["bias_by_k2"] = {"k2": k2_values, "errors": errors, "cosines": cosines}
    else:
        # What the truncation explorer shows: k1 = k2, the gap to the full gradient.
        k2_values = [1, 5, 25, T]
        expected["truncation_explorer"] = {
            "k2": k2_values,
            "errors": [
                rl.relative_gradient_error(rl.truncated_bptt(params, x, d, k, k, **model).grads, bp.grads)
                for k in k2_values
            ],
        }
    # Clipping the full gradient: thresholds below and above its norm, every mode (small cases only:
    # six copies of the explorer-sized gradient would be most of the fixture file).
    norm = rl.global_norm(bp.grads)
    biggest = max(float(np.max(np.abs(g))) for _, g in bp.grads.items())
    settings = (
        []
        if big
        else [
            ("norm", 0.5 * norm),
            ("norm", 2.0 * norm),
            ("parameter_norm", 0.3 * norm),
            ("value", 0.25 * biggest),
            ("value", 2.0 * biggest),
            (None, None),
        ]
    )
    expected["clipping"] = []
    for mode, threshold in settings:
        c = rl.clip(bp.grads, mode, threshold)
        expected["clipping"].append(
            {
                "mode": mode,
                "threshold": threshold,
                "grads": as_list(c.grads),
                "norm": c.norm,
                "norms": c.norms,
                "clipped": c.clipped,
                "cosine": rl.cosine(c.grads, bp.grads),
            }
        )
    return {
        "name": spec["name"],
        "kind": "rnn",
        "model": {
            "activation": spec["activation"],
            "output": spec["output"],
            "loss": spec["loss"],
            "targets": as_list(targets),
        },
        "params": {
            **{name: getattr(params, name).tolist() for name in ("W_x", "W_s", "W_y", "b_h", "b_y", "h0")},
            "h0Mode": h0_mode,
        },
        "x": x.tolist(),
        "d": as_list(d),
        "expected": as_list(expected),
    }


CASES = [
    dict(
        name="tanh-vanishing-all-trainable-h0",
        activation="tanh",
        output="linear",
        loss="squared",
        targets="all",
        kind="sigma",
        scale=0.5,
        N=2,
        T=12,
        D=3,
        H=5,
        O=2,
        seed=1,
        h0_mode="trainable",
    ),
    dict(
        name="tanh-edge-orthogonal-last",
        activation="tanh",
        output="linear",
        loss="squared",
        targets="last",
        kind="orthogonal",
        scale=1.0,
        N=3,
        T=20,
        D=2,
        H=6,
        O=1,
        seed=2,
    ),
    dict(
        name="sigmoid-large-sigma-mask-given-h0",
        activation="sigmoid",
        output="linear",
        loss="squared",
        targets="mask",
        kind="sigma",
        scale=4.5,
        N=3,
        T=10,
        D=2,
        H=4,
        O=3,
        seed=3,
        h0_mode="given",
    ),
    dict(
        name="relu-exploding-rho3-last",
        activation="relu",
        output="linear",
        loss="squared",
        targets="last",
        kind="rho",
        scale=3.0,
        N=2,
        T=40,
        D=2,
        H=6,
        O=1,
        seed=18,
    ),
    dict(
        name="identity-exploding-rho3-all",
        activation="identity",
        output="linear",
        loss="squared",
        targets="all",
        kind="rho",
        scale=3.0,
        N=1,
        T=60,
        D=1,
        H=3,
        O=1,
        seed=5,
    ),
    dict(
        name="tanh-softmax-cross-entropy",
        activation="tanh",
        output="softmax",
        loss="cross_entropy",
        targets="all",
        kind="rho",
        scale=1.2,
        N=2,
        T=8,
        D=3,
        H=4,
        O=3,
        seed=6,
    ),
    dict(
        name="sigmoid-softmax-squared-last",
        activation="sigmoid",
        output="softmax",
        loss="squared",
        targets="last",
        kind="rho",
        scale=2.0,
        N=2,
        T=9,
        D=2,
        H=5,
        O=3,
        seed=7,
    ),
    dict(
        name="tanh-nonnormal-mask",
        activation="tanh",
        output="linear",
        loss="squared",
        targets="mask",
        kind="nonnormal",
        scale=0.9,
        N=2,
        T=16,
        D=2,
        H=7,
        O=2,
        seed=8,
    ),
    dict(
        name="relu-irnn-cross-entropy-last",
        activation="relu",
        output="softmax",
        loss="cross_entropy",
        targets="last",
        kind="orthogonal",
        scale=1.0,
        N=3,
        T=14,
        D=2,
        H=5,
        O=4,
        seed=9,
    ),
    dict(
        name="tanh-single-unit",
        activation="tanh",
        output="linear",
        loss="squared",
        targets="all",
        kind="rho",
        scale=0.9,
        N=1,
        T=6,
        D=1,
        H=1,
        O=1,
        seed=10,
    ),
    dict(
        name="tanh-spectral-explorer-size",
        activation="tanh",
        output="linear",
        loss="squared",
        targets="last",
        kind="rho",
        scale=1.05,
        N=4,
        T=100,
        D=1,
        H=64,
        O=1,
        seed=11,
    ),
]


def linalg_cases():
    """Matrices alone: explorer-sized Gaussian, orthogonal, rank-deficient, rectangular, triangular."""
    rng = np.random.default_rng(100)
    mats = {
        "gaussian-64": rng.standard_normal((64, 64)) / 8.0,
        "orthogonal-32-scaled": rl.orthogonal(32, 1.3, rng),
        "rank-deficient-8": np.outer(rng.standard_normal(8), rng.standard_normal(8)) + 1e-3 * np.eye(8),
        "tall-9x3": rng.standard_normal((9, 3)),
        "wide-2x7": rng.standard_normal((2, 7)),
        "nonnormal-12": recurrent("nonnormal", 12, 0.8, rng),
        "rotation-2": np.array([[0.0, -1.1], [1.1, 0.0]]),
        "diagonal-5": np.diag([3.0, -2.0, 0.5, 0.0, 1e-3]),
        "scaled-large-6": 1e150 * rng.standard_normal((6, 6)),
    }
    out = []
    for name, M in mats.items():
        entry = {
            "name": name,
            "kind": "linalg",
            "matrix": M.tolist(),
            "expected": {"singular_values": rl.singular_values(M).tolist(), "sigma_max": rl.sigma_max(M)},
        }
        if M.shape[0] == M.shape[1]:
            ev = np.linalg.eigvals(M)
            entry["expected"] |= {
                "eigenvalues": {"re": ev.real.tolist(), "im": ev.imag.tolist()},
                "spectral_radius": rl.spectral_radius(M),
            }
        out.append(entry)
    return out


def cliff_case():
    """The cliff: error and gradient at points across it, the surface on a grid, descent paths."""
    (w_lo, w_hi), (b_lo, b_hi) = CLIFF_WINDOW
    ws, bs = np.linspace(w_lo, w_hi, 13), np.linspace(b_lo, b_hi, 9)
    points = [(w, b) for w in (3.0, 4.3, 4.5, 4.7, 6.0) for b in (-2.6, -2.32, -2.0)]
    values = [cliff.cliff_loss_and_grad(w, b) for w, b in points]
    paths = []
    for mode, threshold in (
        (None, None),
        ("norm", 0.5),
        ("norm", 2.0),
        ("value", 0.5),
        ("value", 2.0),
        ("parameter_norm", 1.0),
    ):
        p = cliff.descent_path(*CLIFF_START, CLIFF_LR, CLIFF_STEPS, mode, threshold)
        # How much rnnlib's own path moves when w0 moves by one ulp: near the cliff, gradient descent
        # amplifies a rounding difference by orders of magnitude, so the engine's path as a whole can
        # only be held to this sensitivity (each single step is held to 1e-12 by the test).
        q = cliff.descent_path(
            np.nextafter(CLIFF_START[0], np.inf), CLIFF_START[1], CLIFF_LR, CLIFF_STEPS, mode, threshold
        )
        sensitivity = max(
            float(np.max(np.abs(p.points - q.points)) / np.max(np.abs(p.points))),
            float(np.max(np.abs(p.losses - q.losses) / np.abs(p.losses))),
        )
        paths.append(
            {
                "mode": mode,
                "threshold": threshold,
                "points": p.points.tolist(),
                "losses": p.losses.tolist(),
                "grad_norms": p.grad_norms.tolist(),
                "clipped": p.clipped.tolist(),
                "step_lengths": p.step_lengths.tolist(),
                "ulp_sensitivity": sensitivity,
            }
        )
    E_short, g_short = cliff.cliff_loss_and_grad(4.5, -2.3, T=7)  # another T than the paper's 50
    return {
        "name": "cliff",
        "kind": "cliff",
        "T": cliff.CLIFF_T,
        "start": CLIFF_START,
        "lr": CLIFF_LR,
        "steps": CLIFF_STEPS,
        "points": points,
        "ws": ws.tolist(),
        "bs": bs.tolist(),
        "expected": {
            "loss": [float(E) for E, _ in values],
            "grad": [g.tolist() for _, g in values],
            "surface": cliff.cliff_surface(ws, bs).tolist(),
            "paths": paths,
            "short_T": {"T": 7, "loss_and_grad": [float(E_short), *g_short.tolist()]},
        },
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="_build/js-fixtures", help="directory for fixtures.json")
    out = pathlib.Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    fixtures = {
        "rnnlib_version": rl.__version__,
        "numpy_version": np.__version__,
        "cases": [model_case(spec) for spec in CASES] + linalg_cases() + [cliff_case()],
    }
    path = out / "fixtures.json"
    text = json.dumps(fixtures, allow_nan=False)
    path.write_text(text)
    print(
        f"wrote {path} ({len(text) / 1e6:.2f} MB, {len(fixtures['cases'])} cases) "
        f"from {pathlib.Path(rl.__file__).parent}"
    )


if __name__ == "__main__":
    main()
