"""The spectral-radius explorer (chapter 6): how the scale of W_s decides vanishing or exploding.

A many-to-one RNN (one loss term, at the last step T) is run forward and backward with rnnlib.
The left panel shows ‖∂L/∂h_k‖ = ‖δ_k‖ (``rl.backward(...).delta`` through ``rl.delta_norms``)
against k on a log scale, beside the bound of Pascanu et al. (2013),

    ‖δ_k‖ ≤ ‖∂h_T/∂h_k‖ ‖δ_T‖ ≤ η^(T−k) ‖δ_T‖,   η = γ σ_max(W_s),

and the right panel the eigenvalues of W_s with the unit circle. The controls set the scale of
W_s, whether that scale is its spectral radius ρ(W_s) or its largest singular value σ_max(W_s),
and the activation. W_s is always the same random Gaussian matrix, rescaled: only its size
changes between frames, never its shape.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from rnnlib import validate
from rnnlib.activations import get_activation
from rnnlib.diagnostics import delta_norms, pascanu_bound
from rnnlib.initialisation import sigma_max, spectral_radius
from rnnlib.rnn import backward, forward

from ..plotting.gradients import eigenvalue_plane, gradient_by_step
from ..widgets import Control, Explorer
from .model import MODES, ExplorerModel, live_spec

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power_of_ten(value, _pos):
    """Tick label 10ⁿ in plain unicode: matplotlib's default log labels go through mathtext,
    whose parser costs a noticeable share of a 100 ms redraw."""
    if value <= 0:
        return ""
    return "10" + str(int(round(np.log10(value)))).translate(_SUPERSCRIPT)


class SpectralModel(ExplorerModel):
    """The fixed network behind the explorer (:class:`~rnnlib.course.explorers.model.ExplorerModel`)."""

    def compute(self, scale, mode, activation, T=None):
        """Forward and backward pass for one setting; returns a dict of what the figure shows.

        ``T`` (default: the model's) runs the first T steps of the inputs only, with the loss at step T.
        Keys: ``W_s`` (H, H), ``rho``, ``sigma_max``, ``gamma``, ``eta`` (floats), ``k`` (T+1,),
        ``delta_norms`` (T+1,) = ‖∂L/∂h_k‖ averaged over the batch, ``bound`` (T+1,) =
        η^(T−k) ‖δ_T‖.
        """
        T = self.T if T is None else validate.positive_int("T", T, maximum=self.T)
        params = self.params(scale, mode)
        W_s = params.W_s
        fp = forward(params, self.x[:, :T], self.d, activation=activation, targets="last")
        norms = delta_norms(backward(params, fp).delta)
        k = np.arange(T + 1)
        gamma = get_activation(activation).gamma
        s_max = sigma_max(W_s)
        return {
            "W_s": W_s,
            "rho": spectral_radius(W_s),
            "sigma_max": s_max,
            "gamma": gamma,
            "eta": gamma * s_max,
            "k": k,
            "delta_norms": norms,
            "bound": norms[T] * pascanu_bound(W_s, activation, T - k),
        }


def spectral_explorer(
    H=64,
    T=100,
    N=4,
    *,
    scales=(0.5, 0.75, 1.0, 1.25, 1.5),
    modes=MODES,
    activations=("tanh", "sigmoid", "relu"),
    seed=0,
    dpi=72,
    live_seeds=5,
) -> Explorer:
    """The spectral-radius explorer of chapter 6: scale of W_s × what it sets × activation.

    Parameters
    ----------
    H, T, N : int
        Hidden size, sequence length (the loss sits at step T) and batch size.
    scales : sequence of float
        Values of ρ(W_s) or σ_max(W_s) on the slider.
    modes : sequence of str
        Subset of :data:`MODES`: whether the scale sets ρ or σ_max.
    activations : sequence of str
    seed : int
    dpi : int
        Resolution of the frames.
    live_seeds : int
        The website's live explorer offers seeds ``seed`` … ``seed + live_seeds − 1``: rnnlib draws
        each seed's network here and the page carries its arrays (about 45 KiB per seed at H = 64).

    Returns
    -------
    rnnlib.course.widgets.Explorer
        ``len(scales) * len(modes) * len(activations)`` frames in the static twin (30 by default).
    """
    for mode in modes:
        validate.choice("modes", mode, MODES)
    for act in activations:
        get_activation(act)
    model = SpectralModel(H=H, T=T, N=N, seed=seed)
    live_seeds = validate.positive_int("live_seeds", live_seeds)
    controls = [
        Control("scale", "scale of W_s", tuple(float(s) for s in scales), "{:.2f}"),
        Control("mode", "the scale sets", tuple(modes)),
        Control("activation", "activation f", tuple(activations)),
    ]
    limit = 1.1 * max(1.0, max(scales) * max(1.0, model.rho_G / model.sigma_G))

    # The static twin asks for every frame's alt text after drawing it: keep what each draw computed
    # so the alt text does not repeat the computation. A draw itself always recomputes.
    drawn = {}

    def render(fig, scale, mode, activation):
        r = drawn[(scale, mode, activation)] = model.compute(scale, mode, activation)
        # Fixed margins instead of constrained layout: the layout solver costs more than the
        # computation, and one slider move must stay within 100 ms.
        fig.set_layout_engine(None)  # no engine at all: savefig then draws once, not twice
        left, right = fig.subplots(
            1, 2, width_ratios=(1.75, 1.0), gridspec_kw=dict(left=0.08, right=0.98, bottom=0.14, top=0.9, wspace=0.25)
        )
        gradient_by_step(
            r["k"],
            r["delta_norms"],
            r["bound"],
            ax=left,
            label="‖∂L/∂h_k‖ (measured)",
            bound_label=f"bound η^(T−k)‖δ_T‖, η = {r['eta']:.2f}",
            title=f"{activation}: loss at step T = {model.T}",
        )
        # Frame the measured curve; an exploding bound may leave the panel at the top.
        n = r["delta_norms"][r["delta_norms"] > 0]
        left.set_ylim(max(n.min() / 10.0, 1e-300), n.max() * 1e3)
        left.yaxis.set_major_locator(LogLocator(base=10.0, numticks=6))
        left.yaxis.set_minor_locator(NullLocator())
        left.yaxis.set_major_formatter(FuncFormatter(_power_of_ten))
        eigenvalue_plane(
            r["W_s"], ax=right, limit=limit, legend=False, title=f"ρ = {r['rho']:.2f}, σ_max = {r['sigma_max']:.2f}"
        )

    def alt(scale, mode, activation):
        r = drawn.get((scale, mode, activation)) or model.compute(scale, mode, activation)
        n = r["delta_norms"]
        trend = "grows" if n[0] > n[model.T] else "shrinks"
        return (
            f"Left: with a {activation} RNN and {mode} = {scale:.2f} (so ρ = {r['rho']:.2f} and "
            f"σ_max = {r['sigma_max']:.2f}), the gradient norm ‖∂L/∂h_k‖ on a log scale {trend} from "
            f"{n[model.T]:.2g} at the loss (k = {model.T}) to {n[0]:.2g} at k = 0, under the dashed bound "
            f"η^(T−k)‖δ_T‖ with η = γσ_max = {r['eta']:.2f}. Right: the {model.H} eigenvalues of W_s on the "
            f"complex plane, all within radius {r['rho']:.2f} of the origin, with the unit circle."
        )

    caption = (
        f"Spectral-radius explorer ({model.H} hidden units, loss at the last of {model.T} steps). "
        "Left: ‖∂L/∂h_k‖ against k (log scale) with the bound η^(T−k)‖δ_T‖. Right: the eigenvalues "
        "of W_s (dots) and the unit circle."
    )

    def live(arrays=True):
        return live_spec(
            "spectral",
            model,
            (range(seed, seed + live_seeds), lambda s: SpectralModel(H=H, T=T, N=N, seed=s)),
            arrays=arrays,
            scale={"min": 0.05, "max": 2.0, "step": 0.01, "value": float(controls[0].values[len(scales) // 2])},
            modes=list(modes),
            activations=list(activations),
        )

    models = {seed: model}

    def frame(settings):  # JupyterLab: one move of the browser front end, computed by rnnlib here
        s = int(settings["seed"])
        m = models.get(s) or models.setdefault(s, SpectralModel(H=H, T=T, N=N, seed=s))
        t = int(settings["T"])
        r = m.compute(float(settings["scale"]), settings["mode"], settings["activation"], T=t)
        eig = np.linalg.eigvals(r["W_s"])
        n = r["delta_norms"]
        return {
            "norms": n,
            "bound": r["bound"],
            "eigRe": eig.real,
            "eigIm": eig.imag,
            "rho": r["rho"],
            "sigma": r["sigma_max"],
            "gamma": r["gamma"],
            "eta": r["eta"],
            "ratio": float(n[1] / n[t]),
        }

    return Explorer(
        controls,
        render,
        alt=alt,
        caption=caption,
        initial={"scale": controls[0].values[len(scales) // 2], "mode": modes[0], "activation": activations[0]},
        figsize=(8.6, 3.5),
        dpi=dpi,
        live=live,
        lab=(lambda: live(arrays=False), frame),
    )
