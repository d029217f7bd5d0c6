"""The paths of a gradient through the unrolled graph, one colour per path (chapter 3).

:func:`plot_gradient_paths` draws the graph unrolled up to the loss term E_t and, for every step
k ≤ t at which W_s is used, the path along which that use reaches E_t: from the W_s arrow into h_k
through h_{k+1}, …, h_t to ŷ_t and E_t. Each path is one term of eq-ch3-worked-Ws (and of
eq-ch3-sum-over-paths); :data:`PATH_COLOURS` gives the colours, so that the chapter can colour the
terms of its equation the same way.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch

from . import PALETTE, figure

#: Colour of the path of the use of W_s at step k, by its distance t − k (0: the immediate term).
PATH_COLOURS = (PALETTE["blue"], PALETTE["orange"], PALETTE["green"], PALETTE["purple"], PALETTE["vermillion"])
_GREY = "#555555"
_R = 0.23  # node radius


def path_term(t: int, k: int) -> str:
    """The term of eq-ch3-sum-over-paths for loss t through the use of W_s at step k, as LaTeX."""
    jac = "".join(rf"\frac{{\partial h_{{{j}}}}}{{\partial h_{{{j - 1}}}}}" for j in range(t, k, -1))
    return rf"$\frac{{\partial E_{{{t}}}}}{{\partial h_{{{t}}}}}{jac}\frac{{\partial^+ h_{{{k}}}}}{{\partial W_s}}$"


def _node(ax, xy, text, colour=_GREY, fill="white"):
    ax.add_patch(Circle(xy, _R, facecolor=fill, edgecolor=colour, linewidth=1.5, zorder=3))
    ax.text(*xy, text, ha="center", va="center", fontsize=11, zorder=4)


def _arrow(ax, a, b, colour=_GREY, width=1.2, label=None, offset=(0.0, 0.12)):
    a, b = np.asarray(a, float), np.asarray(b, float)
    u = (b - a) / np.linalg.norm(b - a)
    ax.add_patch(
        FancyArrowPatch(
            a + _R * u, b - _R * u, arrowstyle="-|>", mutation_scale=12, color=colour, linewidth=width, zorder=2
        )
    )
    if label:
        mid = (a + b) / 2 + np.asarray(offset)
        ax.text(*mid, label, ha="center", va="bottom", fontsize=9, color=colour)


def plot_gradient_paths(t: int = 3, *, norms=None, figsize=(8.0, 5.0)):
    """The unrolled graph up to E_t with the t paths of dE_t/dW_s coloured, one per use of W_s.

    Parameters
    ----------
    t : int, 1 to 5
        The loss term; the graph shows h_0, …, h_t, x_1, …, x_t, ŷ_t and E_t.
    norms : array (t,), optional
        ``norms[k-1]`` is the size of the term of step k (for example its Frobenius norm), shown in
        the legend beside the term.

    Returns
    -------
    matplotlib.figure.Figure
        Legend entries, from top to bottom, are the terms k = t, t−1, …, 1 in the order of
        eq-ch3-worked-Ws.
    """
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not 1 <= t <= len(PATH_COLOURS):
        raise ValueError(f"t must be an integer from 1 to {len(PATH_COLOURS)}; got {t!r}")
    t = int(t)
    if norms is not None:
        norms = np.asarray(norms, dtype=np.float64)
        if norms.shape != (t,) or not np.all(np.isfinite(norms)):
            raise ValueError(f"norms must be {t} finite numbers, one per step k = 1..{t}; got shape {norms.shape}")
    fig, ax = figure(figsize=figsize)
    ax.set_axis_off()
    ax.set_aspect("equal")
    dx = 1.6
    h = {k: (k * dx, 1.0) for k in range(t + 1)}
    xs = {k: (k * dx, -0.4) for k in range(1, t + 1)}
    y_hat, loss = (t * dx + 1.3, 1.0), (t * dx + 2.6, 1.0)
    for k in range(1, t + 1):
        _arrow(ax, h[k - 1], h[k], label="$W_s$", offset=(0.0, -0.32))
        _arrow(ax, xs[k], h[k], label="$W_x$", offset=(0.3, -0.1))
        _node(ax, xs[k], f"$x_{k}$")
    _arrow(ax, h[t], y_hat, label="$W_y$", offset=(0.0, -0.32))
    _arrow(ax, y_hat, loss)
    for k in range(t + 1):
        _node(ax, h[k], f"$h_{k}$")
    _node(ax, y_hat, rf"$\hat y_{t}$")
    _node(ax, loss, f"$E_{t}$")

    handles = []
    for k in range(t, 0, -1):
        colour = PATH_COLOURS[t - k]
        lift = 0.42 + 0.22 * (t - k)  # each path runs on its own level above the states
        start = ((k - 0.5) * dx, 1.0)  # the use of W_s at step k: the middle of the arrow into h_k
        points = [start, (start[0], 1.0 + lift), (t * dx, 1.0 + lift), (loss[0], 1.0 + lift), (loss[0], 1.0 + _R)]
        px, py = zip(*points, strict=True)
        (line,) = ax.plot(px, py, color=colour, linewidth=2.4, solid_capstyle="round", zorder=1)
        ax.plot(*start, marker="o", markersize=8, color=colour, zorder=5)
        for j in range(k, t + 1):  # the states the path passes through, joined to it by a thin line
            xj = j * dx + 0.09 * (t - k) - 0.09
            ax.plot([xj, xj], [1.0 + _R, 1.0 + lift], color=colour, linewidth=1.3, zorder=1)
        label = f"k = {k}: " + path_term(t, k)
        if norms is not None:
            label += f"   (size {norms[k - 1]:.2g})"
        line.set_label(label)
        handles.append(line)
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        frameon=False,
        fontsize=12,
        title_fontsize=11,
        title=rf"the {t} terms of $dE_{t}/dW_s$: the use of $W_s$ at step $k$ (dot) reaches $E_{t}$",
    )
    ax.set_xlim(-0.5, loss[0] + 0.5)
    ax.set_ylim(-0.8, 1.0 + 0.42 + 0.22 * t + 0.3)
    return fig


__all__ = ["PATH_COLOURS", "path_term", "plot_gradient_paths"]
