"""Figures of truncated BPTT (chapter 5).

One function per kind of figure:

- :func:`step_contributions`: each step's contribution to the gradient against the step, on a log
  scale, with the window that truncated BPTT keeps shaded (the truncation explorer);
- :func:`bias_against_k2`: the relative error of the truncated gradient against k2, one curve per
  spectral radius, with a tolerance line;
- :func:`randomized_vs_deterministic`: randomized truncation's per-draw errors and the error of
  their running mean, beside deterministic truncation at the same average cost;
- :func:`horizons`: measured gradient horizons of several networks, with the band a rule of thumb
  claims.

Every function draws into ``ax`` (or ``axes``) when given one and otherwise makes a new figure in
the course style; it returns the figure. The numbers come from rnnlib (``rl.truncated_bptt``,
``rl.randomized_truncated_bptt``, ``rl.jacobian_norms``, ``rl.effective_horizon``).
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import NullLocator

from . import CYCLE, PALETTE, figure, figure_for, log_safe


def _check_same_length(**arrays):
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"arrays must have the same length; got lengths {lengths}")


def step_contributions(k, contributions, window_start, *, ax=None, title=None, figsize=(8.0, 3.4)):
    """Per-step contributions to the gradient (log scale) with the truncation window shaded.

    Parameters
    ----------
    k : array, shape (T,)
        The steps 1..T.
    contributions : array, shape (T,)
        ‖contribution of step k‖, e.g. ‖Σ_n (∂L/∂a_k) h_{k-1}ᵀ‖ for ∂L/∂W_s.
    window_start : int
        The first step truncated BPTT keeps; steps ``window_start..T`` are shaded as kept,
        the earlier ones drawn in grey as dropped.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Figure
    """
    k = np.asarray(k)
    c = log_safe(contributions)
    _check_same_length(k=k, contributions=c)
    fig, ax = figure_for(ax, figsize)
    kept = k >= window_start
    ax.axvspan(
        window_start - 0.5,
        k[-1] + 0.5,
        color=PALETTE["sky"],
        alpha=0.25,
        lw=0,
        label=f"kept by truncation (steps {window_start}–{k[-1]})",
    )
    ax.semilogy(k[~kept], c[~kept], "o", ms=3, color="0.55", label="dropped by truncation")
    ax.semilogy(k[kept], c[kept], "o", ms=3, color=PALETTE["blue"], label="kept")
    ax.set_xlim(k[0] - 1, k[-1] + 1)
    ax.yaxis.set_minor_locator(NullLocator())  # minor log ticks cost a third of a redraw and add nothing here
    ax.set_xlabel("step k")
    ax.set_ylabel("‖contribution of step k to ∂L/∂W_s‖")
    if title:
        ax.set_title(title)
    ax.legend(loc="lower right", frameon=True, framealpha=0.9)
    return fig


def bias_against_k2(k2_values, errors, *, tolerance=None, ax=None, title=None, figsize=(6.4, 3.8)):
    """Relative error of the truncated gradient against k2, one curve per setting, log-log.

    Parameters
    ----------
    k2_values : array, shape (K,)
    errors : dict label -> array (K,)
        ‖g_trunc − g_full‖ / ‖g_full‖ for each k2 (e.g. one entry per spectral radius).
        Zeros (truncation reached the start of the sequence) are not drawn.
    tolerance : float, optional
        A horizontal line, e.g. 0.01 for "within 1 % of the full gradient".
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Figure
    """
    k2_values = np.asarray(k2_values)
    fig, ax = figure_for(ax, figsize)
    for i, (label, values) in enumerate(dict(errors).items()):
        _check_same_length(k2_values=k2_values, errors=values)
        ax.loglog(k2_values, log_safe(values), "o-", color=CYCLE[i % len(CYCLE)], lw=2, ms=4, label=label)
    if tolerance is not None:
        ax.axhline(tolerance, color=PALETTE["black"], ls="--", lw=1, label=f"tolerance {tolerance:g}")
    ax.set_xlabel("k2 (steps each loss is back-propagated)")
    ax.set_ylabel("‖g_trunc − g_full‖ / ‖g_full‖")
    if title:
        ax.set_title(title)
    ax.legend(loc="lower left", frameon=True, framealpha=0.9)
    return fig


def randomized_vs_deterministic(
    draw_errors,
    running_errors,
    deterministic_error,
    *,
    axes=None,
    randomized_label="randomized",
    deterministic_label="deterministic",
    figsize=(9.0, 3.6),
):
    """Randomized truncation against deterministic truncation at the same average cost.

    Left: histogram of the relative errors of single randomized draws, with the deterministic
    error as a vertical line. Right: the relative error of the mean of the first n draws against
    n (log-log), beside the deterministic error, which no averaging changes, and a 1/√n guide.

    Parameters
    ----------
    draw_errors : array, shape (M,)
        ‖g_i − g_full‖ / ‖g_full‖ for each randomized draw i.
    running_errors : array, shape (M,)
        ‖mean(g_1..g_n) − g_full‖ / ‖g_full‖ for n = 1..M.
    deterministic_error : float
    axes : pair of matplotlib Axes, optional

    Returns
    -------
    matplotlib Figure
    """
    draw_errors = np.asarray(draw_errors, dtype=np.float64)
    running_errors = np.asarray(running_errors, dtype=np.float64)
    _check_same_length(draw_errors=draw_errors, running_errors=running_errors)
    if axes is None:
        fig, axes = figure(1, 2, figsize=figsize)
    else:
        fig = axes[0].figure
    left, right = axes
    left.hist(draw_errors, bins=30, color=PALETTE["blue"], alpha=0.8, label=f"{randomized_label}: one draw")
    left.axvline(deterministic_error, color=PALETTE["vermillion"], lw=2, label=deterministic_label)
    left.set_xlabel("‖g − g_full‖ / ‖g_full‖")
    left.set_ylabel("number of draws")
    left.legend(loc="upper right", frameon=True, framealpha=0.9, fontsize=9)

    n = np.arange(1, len(running_errors) + 1)
    right.loglog(n, log_safe(running_errors), color=PALETTE["blue"], lw=2, label=f"{randomized_label}: mean of n draws")
    right.loglog(n, running_errors[0] / np.sqrt(n), ":", color=PALETTE["black"], lw=1.2, label="1/√n")
    right.axhline(deterministic_error, color=PALETTE["vermillion"], lw=2, label=deterministic_label)
    right.set_xlabel("number of draws averaged, n")
    right.set_ylabel("‖mean − g_full‖ / ‖g_full‖")
    right.legend(loc="upper right", frameon=True, framealpha=0.9, fontsize=9)
    return fig


def horizons(labels, values, *, band=None, ax=None, xlabel="horizon (steps)", title=None, figsize=(7.6, 3.8)):
    """Horizontal bars of measured horizons, one per setting, with an optional shaded band.

    Parameters
    ----------
    labels : sequence of str, length K
    values : array, shape (K,)
    band : (low, high), optional
        A range to shade, e.g. the (8, 10) of a rule of thumb.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Figure
    """
    values = np.asarray(values, dtype=np.float64)
    _check_same_length(labels=labels, values=values)
    fig, ax = figure_for(ax, figsize)
    y = np.arange(len(labels))
    if band is not None:
        ax.axvspan(
            band[0], band[1], color=PALETTE["orange"], alpha=0.35, lw=0, label=f"“{band[0]:g} to {band[1]:g} steps”"
        )
    ax.barh(y, values, color=PALETTE["blue"], height=0.6)
    for yi, v in zip(y, values):
        ax.text(v, yi, f" {v:g}", va="center", fontsize=9)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    ax.set_xlim(0, 1.12 * max(values.max(), band[1] if band else 0))
    if title:
        ax.set_title(title)
    if band is not None:
        ax.legend(loc="upper right", frameon=True, framealpha=0.9)
    return fig
