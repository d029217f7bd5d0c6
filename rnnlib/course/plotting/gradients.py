"""Figures of vanishing and exploding gradients (chapter 6, reused in chapters 5 and 8).

One function per kind of figure:

- :func:`norms_against_distance`: norms such as ‖W_s^k‖ or ‖∂h_t/∂h_k‖ against the distance
  t − k on a log scale, each beside its reference curve (ρ^k, or the bound η^(t−k));
- :func:`jacobian_heatmaps`: ‖∂h_t/∂h_k‖ over (t, k), viridis on a log colour scale;
- :func:`eigenvalue_plane`: the eigenvalues of W_s on the complex plane with the unit circle;
- :func:`gradient_by_step`: a per-step quantity (‖∂L/∂h_k‖, or the contribution of step k to
  ∂L/∂W_s) against k on a log scale, optionally with a bound beside it.

Every function draws into ``ax`` (or ``axes``) when given one and otherwise makes a new figure in
the course style; it returns the figure. The numbers come from rnnlib (``rl.jacobian_norms``,
``rl.norms_by_distance``, ``rl.pascanu_bound``, ``rl.delta_norms``, ``rl.contributions``).
"""

from __future__ import annotations

import matplotlib.colors as mcolors
import numpy as np

from . import CYCLE, PALETTE, SEQUENTIAL, TINY, figure, figure_for, finish_axes, log_safe


def norms_against_distance(
    distances,
    measured,
    references=None,
    *,
    ax=None,
    xlabel="distance t − k (steps)",
    ylabel="norm",
    title=None,
    reference_style="--",
    paired=True,
    figsize=(6.4, 3.6),
):
    """Measured norms against the distance, log y-axis, each beside its reference curve.

    Parameters
    ----------
    distances : array, shape (K,)
        The distances t − k (or the powers k).
    measured : dict label -> array (K,)
        Measured curves, drawn solid, one colour each.
    references : dict label -> array (K,), optional
        Reference curves (ρ^k, a bound η^(t−k)), drawn dashed. With ``paired=True`` each takes the
        colour of the measured curve at the same position in the dict (a reference with no partner
        is black); with ``paired=False`` they are black and grey, told apart by their dashes.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Figure
    """
    fig, ax = figure_for(ax, figsize)
    distances = np.asarray(distances)
    measured = dict(measured)
    references = dict(references or {})
    for i, (label, values) in enumerate(measured.items()):
        ax.semilogy(distances, log_safe(values), color=CYCLE[i % len(CYCLE)], lw=2, label=label)
    unpaired = [(PALETTE["black"], reference_style), ("0.45", ":"), (PALETTE["black"], "-."), ("0.45", "--")]
    for i, (label, values) in enumerate(references.items()):
        if paired:
            colour = CYCLE[i % len(CYCLE)] if i < len(measured) else PALETTE["black"]
            style = reference_style
        else:
            colour, style = unpaired[i % len(unpaired)]
        ax.semilogy(distances, log_safe(values), style, color=colour, lw=1.4, label=label)
    finish_axes(ax, xlabel, ylabel, title)
    return fig


def jacobian_heatmaps(norms, titles, *, axes=None, vmin=None, vmax=None, figsize=None):
    """Heat maps of ‖∂h_t/∂h_k‖₂ over (t, k), one panel per setting, on a shared log colour scale.

    Parameters
    ----------
    norms : list of arrays, each shape (T+1, T+1)
        From :func:`rnnlib.jacobian_norms`: row t, column k, zero above the diagonal (k > t,
        where h_t does not depend on h_k; drawn blank).
    titles : list of str
        One title per panel.
    axes : sequence of Axes, optional
    vmin, vmax : float, optional
        Limits of the log colour scale (default: the smallest and largest positive norm).

    Returns
    -------
    matplotlib Figure
    """
    norms = [np.asarray(n, dtype=np.float64) for n in norms]
    if len(titles) != len(norms):
        raise ValueError(f"titles must give one title per heat map ({len(norms)}); got {len(titles)}")
    if axes is None:
        fig, axes = figure(1, len(norms), figsize=figsize or (4.2 * len(norms) + 0.8, 3.8))
        axes = np.atleast_1d(axes)
    else:
        axes = np.atleast_1d(axes)
        fig = axes[0].figure
    lower = [n[np.tril_indices(n.shape[0])] for n in norms]
    positive = np.concatenate([v[v > TINY] for v in lower])
    vmin = float(positive.min()) if vmin is None else vmin
    vmax = float(positive.max()) if vmax is None else vmax
    scale = mcolors.LogNorm(vmin=vmin, vmax=vmax)
    image = None
    for ax, n, title in zip(axes, norms, titles):
        T1 = n.shape[0]
        t, k = np.indices(n.shape)
        shown = np.ma.masked_where((k > t) | ~(n > TINY), n)
        image = ax.imshow(
            shown,
            origin="lower",
            cmap=SEQUENTIAL,
            norm=scale,
            interpolation="nearest",
            extent=(-0.5, T1 - 0.5, -0.5, T1 - 0.5),
            aspect="equal",
        )
        ax.set_xlabel("k (earlier step)")
        ax.set_ylabel("t (later step)")
        ax.set_title(title)
        ax.grid(False)
    fig.colorbar(image, ax=list(axes), label="‖∂h_t/∂h_k‖₂ (log scale)", shrink=0.9)
    return fig


def eigenvalue_plane(W, *, ax=None, title=None, limit=None, legend=True, figsize=(3.8, 3.8)):
    """The eigenvalues of a square W on the complex plane, with the unit circle |λ| = 1.

    Eigenvalues inside the circle shrink their eigen-directions at every step of the linear
    recurrence, eigenvalues outside grow them. ``limit`` fixes the axes to [−limit, limit]
    (so frames of an explorer are comparable); by default it fits the eigenvalues and the circle.
    ``legend=False`` leaves the legend out (say what is drawn in the caption instead).

    Returns
    -------
    matplotlib Figure
    """
    fig, ax = figure_for(ax, figsize)
    lam = np.linalg.eigvals(np.asarray(W, dtype=np.float64))
    theta = np.linspace(0.0, 2.0 * np.pi, 256)
    ax.plot(np.cos(theta), np.sin(theta), color=PALETTE["black"], lw=1.2, label="unit circle")
    ax.scatter(lam.real, lam.imag, s=14, color=PALETTE["blue"], zorder=3, label="eigenvalues λ")
    if limit is None:
        limit = 1.1 * max(1.0, float(np.max(np.abs(lam))))
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_aspect("equal")
    ax.set_xlabel("Re λ")
    ax.set_ylabel("Im λ")
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(loc="upper right", frameon=True, fontsize=8, framealpha=0.9)
    return fig


def gradient_by_step(
    steps,
    values,
    bound=None,
    *,
    ax=None,
    label="measured",
    bound_label="bound",
    xlabel="step k",
    ylabel="‖∂L/∂h_k‖",
    title=None,
    shade=None,
    shade_label=None,
    figsize=(6.4, 3.6),
):
    """A per-step quantity against the step k on a log scale, with an optional bound beside it.

    Parameters
    ----------
    steps : array, shape (K,)
    values : array (K,) or dict label -> array (K,)
        E.g. ``rl.delta_norms(result.delta)`` or the norms of ``rl.contributions(...).by_step``.
    bound : array (K,), optional
        Drawn dashed in black.
    shade : (float, float), optional
        A range of steps to shade (e.g. "far from the loss").

    Returns
    -------
    matplotlib Figure
    """
    fig, ax = figure_for(ax, figsize)
    steps = np.asarray(steps)
    if not isinstance(values, dict):
        values = {label: values}
    if shade is not None:
        ax.axvspan(shade[0], shade[1], color=PALETTE["yellow"], alpha=0.25, lw=0, label=shade_label)
    for i, (name, v) in enumerate(values.items()):
        ax.semilogy(steps, log_safe(v), color=CYCLE[i % len(CYCLE)], lw=2, marker="o", ms=2.5, label=name)
    if bound is not None:
        ax.semilogy(steps, log_safe(bound), "--", color=PALETTE["black"], lw=1.4, label=bound_label)
    finish_axes(ax, xlabel, ylabel, title)
    return fig
