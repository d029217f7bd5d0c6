"""Figures of chapter 4: the gradient as a sum of per-step terms, and how to check it.

- :func:`plot_contributions`: the norms of the terms of eq-ch3-sum-over-paths (chapter 3),
  as bars per step k (``Contributions.by_step``) and as a heat map over (loss term t, step k)
  (``Contributions.terms``).
- :func:`plot_step_size`: relative error of a central-difference gradient check against the
  step h on log–log axes, the V of truncation error (∝ h²) and rounding error (∝ ε/h).

The helpers only draw: every number comes in from rnnlib (:func:`rnnlib.contributions`,
:func:`rnnlib.check_gradients`, :func:`rnnlib.relative_error`).
"""

from __future__ import annotations

import numpy as np

from . import PALETTE, SEQUENTIAL, figure

THROUGH_TIME = ("W_x", "W_s", "b_h")


def term_norms(contribs, name="W_s") -> np.ndarray:
    """Frobenius norms ‖term(t, k)‖ of the path terms of ``name``, shape (T, T), row t−1, column k−1.

    Entries with k > t are NaN: the loss E_t cannot depend on a later use of the weights.
    """
    if name not in THROUGH_TIME:
        raise ValueError(
            f"name must be one of {THROUGH_TIME} (the parameters used at every step inside the recursion); got {name!r}"
        )
    terms = np.asarray(contribs.terms[name])
    T = terms.shape[0]
    norms = np.sqrt(np.sum(terms.reshape(T, T, -1) ** 2, axis=-1))
    norms[np.triu_indices(T, k=1)] = np.nan
    return norms


def step_norms(contribs, name="W_s") -> np.ndarray:
    """‖by_step[name][k−1]‖ for k = 1..T: how much the copy of ``name`` used at step k contributes, shape (T,)."""
    by_step = np.asarray(contribs.by_step[name])
    T = by_step.shape[0]
    return np.sqrt(np.sum(by_step.reshape(T, -1) ** 2, axis=-1))


def plot_contributions(contribs, name="W_s", *, figsize=(9.0, 3.6)):
    """Two panels: bars of ‖Σ_t term(t, k)‖ per step k, and a heat map of ‖term(t, k)‖ (log colour scale).

    Parameters
    ----------
    contribs : rnnlib.Contributions
        From :func:`rnnlib.contributions` (one forward pass, T steps).
    name : {"W_s", "W_x", "b_h"}
        The parameter whose terms are drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.colors import LogNorm

    norms = term_norms(contribs, name)
    per_step = step_norms(contribs, name)
    T = per_step.shape[0]
    steps = np.arange(1, T + 1)
    fig, (ax_bar, ax_map) = figure(1, 2, figsize=figsize)

    ax_bar.bar(steps, per_step, color=PALETTE["blue"], width=0.7)
    ax_bar.set_xlabel("step k at which the weights were used")
    ax_bar.set_ylabel(f"‖contribution of step k to dL/d{name}‖")
    ax_bar.set_title("by step: Σ over loss terms t ≥ k")
    ax_bar.set_xticks(steps)

    finite = norms[np.isfinite(norms) & (norms > 0)]
    vmin, vmax = (finite.min(), finite.max()) if finite.size else (1e-12, 1.0)
    shown = np.where(np.isfinite(norms) & (norms > 0), norms, np.nan)
    image = ax_map.imshow(
        shown,
        origin="lower",
        cmap=SEQUENTIAL,
        norm=LogNorm(vmin=vmin, vmax=max(vmax, vmin * 1.0001)),
        extent=(0.5, T + 0.5, 0.5, T + 0.5),
    )
    ax_map.set_xlabel("step k (use of the weights)")
    ax_map.set_ylabel("loss term E_t")
    ax_map.set_title("path terms ‖term(t, k)‖ (k ≤ t)")
    ax_map.set_xticks(steps)
    ax_map.set_yticks(steps)
    ax_map.grid(False)
    fig.colorbar(image, ax=ax_map, label="Frobenius norm")
    return fig


def plot_step_size(h, errors: dict, *, best: dict | None = None, guides=True, figsize=(8.5, 4.0)):
    """Relative error of a gradient check against the finite-difference step h, log–log.

    Parameters
    ----------
    h : array, shape (S,)
        The steps tried, e.g. ``10.0 ** -np.arange(1, 13)``.
    errors : dict label -> array (S,)
        Relative errors (:func:`rnnlib.relative_error`) for each arithmetic, e.g.
        ``{"float64": ..., "loss rounded to float32": ...}``.
    best : dict label -> (h, error), optional
        Points to mark (the best step of each curve).
    guides : bool
        Draw dashed reference slopes ∝ h² (truncation) and ∝ 1/h (rounding) through the
        first curve's best point.

    Returns
    -------
    matplotlib.figure.Figure
    """
    h = np.asarray(h, dtype=np.float64)
    if h.ndim != 1 or h.size < 2 or np.any(h <= 0):
        raise ValueError(f"h must be a 1-D array of at least two positive steps; got {h!r}")
    fig, ax = figure(figsize=figsize)
    colours = [PALETTE["blue"], PALETTE["vermillion"], PALETTE["green"], PALETTE["purple"]]
    markers = ["o", "s", "^", "D"]
    for i, (label, err) in enumerate(errors.items()):
        err = np.asarray(err, dtype=np.float64)
        if err.shape != h.shape:
            raise ValueError(f"errors[{label!r}] must have the shape of h {h.shape}; got {err.shape}")
        ax.loglog(h, err, marker=markers[i % 4], color=colours[i % 4], label=label)
    if best:
        for i, (label, (h_b, e_b)) in enumerate(best.items()):
            ax.loglog(
                [h_b],
                [e_b],
                marker="*",
                markersize=16,
                color=colours[i % 4],
                linestyle="none",
                markeredgecolor="black",
                label=f"best step, {label}",
            )
    if guides and best:
        h_b, e_b = next(iter(best.values()))
        left, right = h[h <= h_b], h[h >= h_b]
        ax.loglog(right, e_b * (right / h_b) ** 2, "--", color=PALETTE["black"], linewidth=1, label="∝ h² (truncation)")
        ax.loglog(left, e_b * (h_b / left), ":", color=PALETTE["black"], linewidth=1.5, label="∝ 1/h (rounding)")
    ax.set_xlabel("finite-difference step h")
    ax.set_ylabel("relative error vs. BPTT")
    ax.invert_xaxis()
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    return fig
