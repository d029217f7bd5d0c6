"""The unrolled computational graph and the hidden states along it (chapters 1 and 2).

An RNN applied to a sequence x_1..x_T is, once unrolled, a deep feed-forward network
with one layer per time step and the same weights in every layer:

    x_t ──W_x──▶ h_t ◀──W_s── h_{t-1},     h_t ──W_y──▶ ŷ_t ──▶ E_t,    L = Σ_t E_t.

:func:`draw_unrolled_graph` draws that graph (many-to-many: a target at every step;
many-to-one: a target only at the last step) and can highlight the step t being
computed. :func:`draw_state_heatmap` and :func:`draw_state_bars` show the hidden
states themselves; the unrolling stepper (``rnnlib.course.explorers.unrolling``) combines
the three. :func:`plot_per_step` draws one bar per time step (per-step losses,
per-step gradient contributions); :func:`plot_state_distance` the distance between
two runs of the same network, step by step (how fast h_0 is forgotten).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, Rectangle
from matplotlib.ticker import MaxNLocator

from rnnlib import validate

from . import DIVERGING, PALETTE, STYLE, figure

#: Vertical position of each row of nodes.
_ROWS = {"x": 0.0, "h": 1.0, "y": 2.0, "E": 3.0}
_RADIUS = 0.27
_EDGE = {"x": PALETTE["green"], "h": PALETTE["blue"], "y": PALETTE["purple"], "E": PALETTE["purple"]}
_SYMBOL = {"x": "x", "h": "h", "y": "ŷ", "E": "E"}
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _label(kind, t):
    # Unicode subscripts, not mathtext: parsing a new TeX string per node and per frame would make
    # one frame of the stepper cost several hundred milliseconds.
    return _SYMBOL[kind] + str(t).translate(_SUBSCRIPTS)


def _node(ax, kind, t, col, state, fontsize):
    """One circle with its label; ``state`` is "past", "input", "current" or "future"."""
    face, text_colour, alpha, width = "white", "black", 1.0, 1.4
    if state == "input":
        face, width = PALETTE["orange"], 2.0
    elif state == "current":
        face, text_colour, width = PALETTE["vermillion"], "white", 2.4
    elif state == "future":
        alpha = 0.3
    circle = Circle(
        (col, _ROWS[kind]),
        _RADIUS,
        facecolor=face,
        edgecolor=_EDGE[kind],
        linewidth=width,
        alpha=alpha,
        zorder=3,
        gid=f"node:{kind}_{t}",
    )
    ax.add_artist(circle)  # not add_patch: the limits are set once at the end, which is much faster
    ax.text(
        col,
        _ROWS[kind],
        _label(kind, t),
        ha="center",
        va="center",
        fontsize=fontsize,
        color=text_colour,
        alpha=alpha,
        zorder=4,
    )
    return circle


def _edge(ax, start, end, state, label=None, label_side="above", fontsize=9):
    colour, width, alpha = "0.35", 1.1, 1.0
    if state == "active":
        colour, width = PALETTE["vermillion"], 2.6
    elif state == "future":
        alpha = 0.3
    # Stop the arrow at the circles' rims (in data units, so it does not depend on the figure size).
    (x0, y0), (x1, y1) = start, end
    length = np.hypot(x1 - x0, y1 - y0)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    arrow = FancyArrowPatch(
        (x0 + _RADIUS * ux, y0 + _RADIUS * uy),
        (x1 - _RADIUS * ux, y1 - _RADIUS * uy),
        arrowstyle="-|>",
        mutation_scale=10,
        color=colour,
        linewidth=width,
        alpha=alpha,
        shrinkA=0,
        shrinkB=0,
        zorder=2,
    )
    ax.add_artist(arrow)
    if label:
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        if label_side == "above":
            ax.text(mx, my + 0.1, label, ha="center", va="bottom", fontsize=fontsize, color=colour, alpha=alpha)
        else:
            ax.text(mx + 0.08, my, label, ha="left", va="center", fontsize=fontsize, color=colour, alpha=alpha)


def _window(T, highlight, max_steps):
    """The first and last step drawn: all of them, or ``max_steps`` steps around ``highlight``."""
    if T <= max_steps:
        return 1, T
    centre = T if highlight is None else highlight
    last = min(T, max(max_steps, centre + max_steps // 2))
    return last - max_steps + 1, last


def draw_unrolled_graph(ax, T, highlight=None, targets="all", *, max_steps=10, weight_labels=True, show_loss=True):
    """Draw the unrolled graph of an RNN over T steps into ``ax`` and return ``ax``.

    Rows, bottom to top: inputs x_t, hidden states h_0..h_T, and at each step that carries a
    target the prediction ŷ_t and the loss term E_t. Every recurrent arrow is labelled W_s and
    every input arrow W_x: the same matrices at every step.

    Parameters
    ----------
    ax : matplotlib Axes
    T : int
        Number of time steps.
    highlight : int, optional
        The step t being computed (1..T): h_{t-1} and x_t are filled orange, h_t vermillion, the
        two arrows into h_t drawn thick; later steps are faded.
    targets : {"all", "last"} or None
        Many-to-many (a target at every step), many-to-one (only at step T), or None: no outputs,
        only the recurrence.
    max_steps : int
        At most this many steps are drawn (a window around ``highlight``, with "…" where steps
        are left out), so long sequences stay legible.
    weight_labels : bool or "active"
        Label the arrows with W_s, W_x, W_y; ``"active"``: only the two arrows into the highlighted h_t
        (fewer texts, so a stepper frame draws faster).
    show_loss : bool
        Draw the bracket L = Σ_t E_t over the loss row.

    Returns
    -------
    ax
        Each node is a ``matplotlib.patches.Circle`` whose gid is ``"node:<kind>_<t>"`` with kind
        in x, h, y, E (e.g. ``"node:h_3"``).
    """
    T = validate.positive_int("T", T)
    if targets is not None:
        validate.choice("targets", targets, ("all", "last"))
    max_steps = validate.positive_int("max_steps", max_steps)
    if highlight is not None:
        highlight = validate.positive_int("highlight", highlight, minimum=1, maximum=T)
    if weight_labels not in (True, False, "active"):
        raise ValueError(f"weight_labels must be True, False or 'active'; got {weight_labels!r}")
    first, last = _window(T, highlight, max_steps)
    fontsize = 11 if last - first < 8 else 9

    def state(kind, t):
        if highlight is None or t < highlight - 1 or (t == highlight - 1 and kind != "h"):
            return "past"
        if t == highlight - 1 or (t == highlight and kind == "x"):
            return "input"
        if t == highlight and kind == "h":
            return "current"
        if t == highlight:  # ŷ_t and E_t are computed right after h_t
            return "past"
        return "future"

    def column(t):
        return float(t - first + 1)

    if targets is None:
        target_steps = []
    elif targets == "all":
        target_steps = list(range(first, last + 1))
    else:
        target_steps = [T] if last == T else []
    _node(ax, "h", first - 1, 0.0, state("h", first - 1), fontsize)
    for t in range(first, last + 1):
        c = column(t)
        future = highlight is not None and t > highlight
        active = highlight is not None and t == highlight
        edge_state = "active" if active else ("future" if future else "past")
        labelled = weight_labels is True or (weight_labels == "active" and active)
        _edge(ax, (c - 1, _ROWS["h"]), (c, _ROWS["h"]), edge_state, "$W_s$" if labelled else None, "above")
        _edge(ax, (c, _ROWS["x"]), (c, _ROWS["h"]), edge_state, "$W_x$" if labelled else None, "right")
        _node(ax, "x", t, c, state("x", t), fontsize)
        _node(ax, "h", t, c, state("h", t), fontsize)
        if t in target_steps:
            out_state = "future" if future else "past"
            _edge(ax, (c, _ROWS["h"]), (c, _ROWS["y"]), out_state, "$W_y$" if weight_labels is True else None, "right")
            _edge(ax, (c, _ROWS["y"]), (c, _ROWS["E"]), out_state)
            _node(ax, "y", t, c, state("y", t), fontsize)
            _node(ax, "E", t, c, state("E", t), fontsize)
    n_cols = last - first + 1
    if first > 1:
        ax.text(-0.55, _ROWS["h"], "…", ha="center", va="center", fontsize=14)
    if last < T:
        ax.text(n_cols + 0.6, _ROWS["h"], "…", ha="center", va="center", fontsize=14)
    if show_loss and target_steps:
        left, right = column(target_steps[0]) - 0.35, column(target_steps[-1]) + 0.35
        y = _ROWS["E"] + 0.45
        ax.plot([left, left, right, right], [y - 0.08, y, y, y - 0.08], color="0.3", linewidth=1.0)
        if targets == "last":
            text = f"$L = E_{{{T}}}$"
        elif first == 1 and last == T and T <= 3:
            text = "$L = " + " + ".join(f"E_{{{t}}}" for t in range(1, T + 1)) + "$"
        else:
            text = f"$L = E_1 + E_2 + \\cdots + E_{{{T}}}$"
        ax.text((left + right) / 2, y + 0.05, text, ha="center", va="bottom", fontsize=fontsize)
    top = _ROWS["E"] + 0.95 if target_steps else _ROWS["h"] + 0.5
    ax.set_xlim(-0.9, n_cols + 0.9)
    ax.set_ylim(_ROWS["x"] - 0.45, top)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def graph_nodes(ax):
    """The gids of the nodes :func:`draw_unrolled_graph` drew in ``ax`` (e.g. ``["node:h_0", ...]``)."""
    return [p.get_gid() for p in ax.patches if (p.get_gid() or "").startswith("node:")]


def unrolled_graphs_figure(T, targets=("all", "last"), *, highlight=None, figsize=None):
    """One panel per entry of ``targets`` (many-to-many and many-to-one), stacked; returns the figure."""
    n = len(targets)
    fig, axes = figure(n, 1, figsize=figsize or (1.0 + 0.75 * (T + 1), 3.1 * n))
    axes = np.atleast_1d(axes)
    titles = {"all": "many-to-many: a target at every step", "last": "many-to-one: a target only at the last step"}
    for ax, kind in zip(axes, targets):
        draw_unrolled_graph(ax, T, highlight=highlight, targets=kind)
        ax.set_title(titles[kind], loc="left")
    return fig


def draw_state_heatmap(ax, h, t=None, *, vmax=None):
    """The states h_0..h_T of one sequence as an image: unit i (rows) against step (columns).

    ``h`` has shape (T+1, H) with ``h[t]`` = h_t. With ``t`` given, the columns after t are left
    blank (not computed yet) and column t is framed. Returns the image.
    """
    h = validate.array("h", h, (None, None), ("T+1", "H"))
    T = h.shape[0] - 1
    shown = h.T.copy()
    if t is not None:
        t = validate.positive_int("t", t, minimum=0, maximum=T)
        shown[:, t + 1 :] = np.nan
    vmax = vmax if vmax is not None else max(1e-12, float(np.max(np.abs(h))))
    cmap = plt.get_cmap(DIVERGING).with_extremes(bad="white")
    image = ax.imshow(
        shown,
        aspect="auto",
        cmap=cmap,
        vmin=-vmax,
        vmax=vmax,
        interpolation="nearest",
        extent=(-0.5, T + 0.5, h.shape[1] - 0.5, -0.5),
    )
    if t is not None:
        ax.add_patch(
            Rectangle((t - 0.5, -0.5), 1.0, h.shape[1], fill=False, edgecolor=PALETTE["vermillion"], linewidth=2.0)
        )
    ax.set_xlabel("time step t")
    ax.set_ylabel("unit i of hₜ")
    ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))  # few tick labels: each costs a text draw
    ax.yaxis.set_major_locator(MaxNLocator(4, integer=True))
    ax.grid(False)
    return image


def draw_state_bars(ax, h_t, h_prev=None, *, t=None, limit=None, legend=True):
    """The components of h_t as bars, with h_{t-1} as open circles beside them; returns ``ax``.

    ``h_t`` and ``h_prev`` have shape (H,). Beyond H = 16 the bars are one step-patch (not H
    rectangles), so that the stepper redraws quickly even for H = 64.
    """
    h_t = validate.array("h_t", h_t, (None,), ("H",))
    H = h_t.shape[0]
    sub = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
    label = "hₜ" if t is None else "h" + str(t).translate(sub)
    if H <= 16:
        ax.bar(np.arange(H), h_t, width=0.7, color=PALETTE["vermillion"], label=label)
    else:  # one step-patch instead of H rectangles: much faster to draw
        ax.stairs(h_t, np.arange(H + 1) - 0.5, baseline=0.0, fill=True, color=PALETTE["vermillion"], label=label)
    if h_prev is not None:
        h_prev = validate.array("h_prev", h_prev, h_t.shape, ("H",))
        ax.plot(
            np.arange(H),
            h_prev,
            linestyle="none",
            marker="o",
            markersize=5,
            markerfacecolor="none",
            markeredgecolor=PALETTE["orange"],
            markeredgewidth=1.6,
            label="hₜ₋₁" if t is None else "h" + str(t - 1).translate(sub),
        )
    ax.axhline(0.0, color="0.3", linewidth=0.8)
    ax.set_xlim(-0.5, H - 0.5)
    if limit is not None:
        ax.set_ylim(-limit, limit)
    ax.set_xlabel("unit i")
    ax.set_ylabel("value")
    ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(4))
    if legend:
        ax.legend(loc="upper right", ncols=2, frameon=False)
    return ax


def plot_per_step(series, *, ylabel, xlabel="time step t", title=None, log=False, figsize=(7.0, 3.2)):
    """Grouped bars, one group per time step: ``series`` maps a label to an array of shape (T,).

    Used for per-step losses E_t and for the per-step contributions to a shared weight's gradient.
    Returns the figure.
    """
    if not series:
        raise ValueError("series must map at least one label to an array of shape (T,); got nothing")
    arrays = {label: validate.array(f"series[{label!r}]", v, (None,), ("T",)) for label, v in series.items()}
    T = len(next(iter(arrays.values())))
    if any(len(v) != T for v in arrays.values()):
        raise ValueError(f"every series must have the same length T; got {[len(v) for v in arrays.values()]}")
    fig, ax = figure(figsize=figsize)
    steps = np.arange(1, T + 1)
    width = 0.8 / len(arrays)
    for i, (label, values) in enumerate(arrays.items()):
        ax.bar(steps + (i - (len(arrays) - 1) / 2) * width, values, width=width, label=label)
    ax.set_xticks(steps)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if len(arrays) > 1:
        ax.legend(frameon=False)
    return fig


def plot_state_distance(distance, bound=None, *, bound_label="bound", others=None, figsize=(6.5, 3.2)):
    """‖h_t − h'_t‖ against t (log scale) for two runs that differ only in h_0, with an optional bound.

    ``distance`` and ``bound`` have shape (T+1,), index t = 0..T. ``others`` maps a legend label to
    a further curve of the same shape (drawn dotted, e.g. the linear network's distance).
    Returns the figure.
    """
    distance = validate.array("distance", distance, (None,), ("T+1",))
    if others is not None and not isinstance(others, dict):
        raise ValueError(f"others must be a dict of label -> array, or None; got {type(others).__name__}")
    fig, ax = figure(figsize=figsize)
    steps = np.arange(distance.shape[0])
    ax.semilogy(steps, distance, marker="o", color=PALETTE["blue"], label=r"$\|h_t - h'_t\|$ (measured)")
    if bound is not None:
        bound = validate.array("bound", bound, distance.shape, ("T+1",))
        ax.semilogy(steps, bound, linestyle="--", color=PALETTE["vermillion"], label=bound_label)
    colours = (PALETTE["green"], PALETTE["orange"], PALETTE["purple"])
    for i, (label, curve) in enumerate((others or {}).items()):
        curve = validate.array(f"others[{label!r}]", curve, distance.shape, ("T+1",))
        ax.semilogy(steps, curve, linestyle=":", linewidth=2, color=colours[i % 3], label=label)
    ax.set_xlabel("time step t")
    ax.set_ylabel("distance between the two states")
    ax.legend(frameon=False)
    return fig


__all__ = [
    "draw_unrolled_graph",
    "graph_nodes",
    "unrolled_graphs_figure",
    "draw_state_heatmap",
    "draw_state_bars",
    "plot_per_step",
    "plot_state_distance",
    "STYLE",
]
