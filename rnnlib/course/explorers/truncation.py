"""The truncation explorer (chapter 5): how far the truncated gradient is from the full one.

A many-to-one RNN (one loss term E_T, at the last step) is run with full BPTT
(:func:`rnnlib.backward`) and with truncated BPTT (:func:`rnnlib.truncated_bptt` with
k1 = k2), which back-propagates E_T only through the last k2 steps. The figure shows the
contribution of each step k to ∂L/∂W_s,

    C_k = Σ_n (∂L/∂a_k) h_{k-1}ᵀ                      (one term of eq-ch5-tbptt),

on a log scale, with the k2 steps that truncation keeps shaded: the truncated gradient is
the sum of the shaded terms, the full gradient the sum of all of them. The title gives the
measured gap between the two, ‖g_trunc − g_full‖ / ‖g_full‖ and their cosine, over every
parameter. The controls are k2 and the spectral radius ρ(W_s); W_s is always the same
random Gaussian matrix rescaled, so only its size changes between frames.

The gap is measured by :func:`rnnlib.params.relative_gradient_error`.
"""

from __future__ import annotations

import numpy as np

from rnnlib import validate
from rnnlib.params import cosine, relative_gradient_error
from rnnlib.rnn import backward, forward
from rnnlib.truncation import truncated_bptt

from ..plotting.truncation import step_contributions
from ..widgets import Control, Explorer
from .model import ExplorerModel, live_spec


class TruncationModel(ExplorerModel):
    """The fixed network behind the explorer (:class:`~rnnlib.course.explorers.model.ExplorerModel`),
    with its activation; :meth:`params` (rho) rescales G to spectral radius ``rho``."""

    def __init__(self, H=64, T=100, N=4, D=1, activation="tanh", seed=0):
        super().__init__(H=H, T=T, N=N, D=D, seed=seed)
        self.activation = activation

    def compute(self, k2, rho, T=None) -> dict:
        """Full and truncated BPTT for one setting.

        Returns a dict with ``k`` (T,) the steps 1..T, ``contributions`` (T,) = ‖C_k‖_F (the
        contribution of step k to ∂L/∂W_s under full BPTT), ``window`` the first step truncation
        keeps (T − k2 + 1, or 1), ``error`` = ‖g_trunc − g_full‖/‖g_full‖, ``cosine``, and
        ``error_W_s`` the same gap on ∂L/∂W_s alone.
        """
        T = self.T if T is None else validate.positive_int("T", T, maximum=self.T)
        k2 = validate.positive_int("k2", k2, maximum=self.T)
        params = self.params(rho)
        x = self.x[:, :T]  # the first T steps (all of them by default)
        fp = forward(params, x, self.d, activation=self.activation, targets="last")
        full = backward(params, fp)
        # ‖C_k‖_F² with C_k = Σ_n da_{n,k} h_{n,k-1}ᵀ equals Σ_{n,m} (da_n · da_m)(h_n · h_m) at step k:
        # two (T, N, N) Gram arrays instead of T matrices of size H × H.
        da, h_prev = full.da, fp.h[:, :-1]
        gram = np.einsum("nki,mki->knm", da, da) * np.einsum("nki,mki->knm", h_prev, h_prev)
        norms = np.sqrt(np.maximum(gram.sum(axis=(1, 2)), 0.0))
        k2 = min(k2, T)
        trunc = truncated_bptt(params, x, self.d, k2, k2, activation=self.activation, targets="last").grads
        ref_W_s = np.linalg.norm(full.grads.W_s)
        return {
            "k": np.arange(1, T + 1),
            "contributions": norms,
            "window": max(1, T - k2 + 1),
            "error": relative_gradient_error(trunc, full.grads),
            "cosine": cosine(trunc, full.grads),
            "error_W_s": float(np.linalg.norm(trunc.W_s - full.grads.W_s) / ref_W_s),
        }


def truncation_explorer(
    H=64,
    T=100,
    N=4,
    *,
    k2_values=(5, 10, 25, 50),
    rho_values=(0.8, 0.95, 1.1),
    activation="tanh",
    seed=0,
    dpi=72,
    live_seeds=5,
) -> Explorer:
    """The truncation explorer of chapter 5: k2 × ρ(W_s).

    Parameters
    ----------
    H, T, N : int
        Hidden size, sequence length (one loss, at step T) and batch size.
    k2_values : sequence of int
        How many steps truncated BPTT back-propagates (each between 1 and T).
    rho_values : sequence of float
        Spectral radii of W_s.
    activation : str
    seed : int
    dpi : int
        Resolution of the frames.
    live_seeds : int
        The website's live explorer offers seeds ``seed`` … ``seed + live_seeds − 1`` (see
        :func:`rnnlib.course.explorers.model.live_spec`).

    Returns
    -------
    rnnlib.course.widgets.Explorer
        ``len(k2_values) * len(rho_values)`` frames in the static twin (12 by default).
    """
    model = TruncationModel(H=H, T=T, N=N, activation=activation, seed=seed)
    live_seeds = validate.positive_int("live_seeds", live_seeds)
    k2_values = tuple(validate.positive_int("k2_values", int(k), maximum=model.T) for k in k2_values)
    rho_values = tuple(validate.real("rho_values", float(r), minimum=0.0) for r in rho_values)
    controls = [
        Control("k2", "k2 (steps back-propagated)", k2_values, "{:d}"),
        Control("rho", "ρ(W_s)", rho_values, "{:.2f}"),
    ]

    drawn = {}  # the numbers of each frame drawn, so that its alt text need not recompute them

    def render(fig, k2, rho):
        r = model.compute(k2, rho)  # rnnlib runs on every draw
        drawn[(k2, rho)] = r
        # Fixed margins instead of the constrained layout: a quarter of the redraw time, same picture.
        fig.set_layout_engine("none")
        ax = fig.add_axes((0.09, 0.15, 0.89, 0.75))
        step_contributions(
            r["k"],
            r["contributions"],
            r["window"],
            ax=ax,
            title=(f"ρ(W_s) = {rho:.2f}, k2 = {k2}: relative error {r['error']:.1e}, cosine {r['cosine']:.3f}"),
        )

    def alt(k2, rho):
        r = drawn.get((k2, rho)) or model.compute(k2, rho)
        c = r["contributions"]
        return (
            f"For a {activation} RNN with ρ(W_s) = {rho:.2f} and one loss at step {model.T}, the contribution "
            f"of each step to the gradient of W_s, on a log scale, goes from {c[-1]:.2g} at step {model.T} to "
            f"{c[0]:.2g} at step 1. Truncated BPTT with k2 = {k2} keeps only steps {r['window']} to {model.T} "
            f"(shaded) and drops the rest; its gradient differs from the full one by a relative error of "
            f"{r['error']:.1e} (cosine {r['cosine']:.3f})."
        )

    caption = (
        f"Truncation explorer ({model.H} hidden {activation} units, one loss at the last of {model.T} "
        "steps). Each step's contribution to ∂L/∂W_s under full BPTT, on a log scale; truncated BPTT "
        "keeps the shaded last k2 steps only. The title gives the relative error and cosine between the "
        "truncated and full gradients."
    )

    def live(arrays=True):
        others = [a for a in ("tanh", "sigmoid", "relu") if a != activation]
        return live_spec(
            "truncation",
            model,
            (range(seed, seed + live_seeds), lambda s: TruncationModel(H=H, T=T, N=N, activation=activation, seed=s)),
            arrays=arrays,
            rho={"min": 0.05, "max": 2.0, "step": 0.01, "value": float(rho_values[len(rho_values) // 2])},
            k2={"min": 1, "max": model.T, "value": int(k2_values[len(k2_values) // 2])},
            activations=[activation, *others],
        )

    models = {(seed, activation): model}

    def frame(settings):  # JupyterLab: one move of the browser front end, computed by rnnlib here
        key = (int(settings["seed"]), settings["activation"])
        m = models.get(key) or models.setdefault(key, TruncationModel(H=H, T=T, N=N, activation=key[1], seed=key[0]))
        rho = float(settings["rho"])
        r = m.compute(int(settings["k2"]), rho, T=int(settings["T"]))
        return {
            "contributions": r["contributions"],
            "window": r["window"],
            "error": r["error"],
            "cosine": r["cosine"],
            "sigma": rho / m.rho_G * m.sigma_G,
        }

    return Explorer(
        controls,
        render,
        alt=alt,
        caption=caption,
        initial={"k2": k2_values[len(k2_values) // 2], "rho": rho_values[len(rho_values) // 2]},
        figsize=(8.0, 3.4),
        dpi=dpi,
        live=live,
        lab=(lambda: live(arrays=False), frame),
    )
