"""Figures of chapter 7 (gradient clipping): the cliff surface with descent paths, and training traces."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm

from . import PALETTE, SEQUENTIAL, figure

#: Colours of the clipping modes, shared by the figures and the explorer.
MODE_COLOURS = {
    None: PALETTE["vermillion"],
    "none": PALETTE["vermillion"],
    "norm": PALETTE["orange"],
    "value": PALETTE["sky"],
    "parameter_norm": PALETTE["purple"],
}


def draw_cliff_surface(ax, ws, bs, E, *, floor=1e-4, colorbar=True, contours=True):
    """Draw the error surface E (n_b, n_w) over (w, b) on ``ax``, log colour scale (viridis), with contours.

    Values below ``floor`` are shown at ``floor`` (the log scale cannot show 0, the valley's bottom).
    Returns the image.
    """
    ws, bs, E = np.asarray(ws), np.asarray(bs), np.asarray(E)
    vmax = float(E.max())
    norm = LogNorm(vmin=floor, vmax=vmax)
    Ec = np.maximum(E, floor)
    im = ax.imshow(
        Ec,
        origin="lower",
        extent=(ws[0], ws[-1], bs[0], bs[-1]),
        aspect="auto",
        cmap=SEQUENTIAL,
        norm=norm,
        interpolation="nearest",
    )
    if contours:
        levels = [lv for lv in (1e-3, 1e-2, 0.05, 0.1, 0.2, 0.3, 0.4) if floor < lv < vmax]
        ax.contour(ws, bs, Ec, levels=levels, colors="white", linewidths=0.6, alpha=0.6)
    ax.set_xlim(ws[0], ws[-1])
    ax.set_ylim(bs[0], bs[-1])
    ax.set_xlabel("recurrent weight w")
    ax.set_ylabel("bias b")
    ax.grid(False)
    if colorbar:
        cliff_colorbar(ax.figure, im, ax=ax)
    return im


def cliff_colorbar(fig, im, **where):
    """A colour bar for the cliff's error with plain-text labels (mathtext tick labels are slow to lay out)."""
    cbar = fig.colorbar(im, label="error (σ(x₅₀) − 0.7)²", **where)
    cbar.ax.minorticks_off()
    cbar.set_ticks([t for t in (1e-4, 1e-3, 1e-2, 1e-1) if im.norm.vmin <= t <= im.norm.vmax])
    cbar.ax.set_yticklabels([f"{t:g}" for t in cbar.get_ticks()])
    return cbar


def draw_path(ax, path, *, label, colour, marker="o", zorder=3):
    """Draw a :class:`rnnlib.cliff.DescentPath` on ``ax``: the points joined in order, start marked."""
    pts = path.points
    ax.plot(
        pts[:, 0],
        pts[:, 1],
        "-",
        color=colour,
        lw=1.6,
        marker=marker,
        ms=3.5,
        label=label,
        zorder=zorder,
        markeredgecolor="black",
        markeredgewidth=0.3,
    )
    ax.plot(pts[0, 0], pts[0, 1], marker="*", ms=13, color="white", markeredgecolor="black", zorder=zorder + 1)


def cliff_figure(ws, bs, E, paths, labels, colours=None, *, figsize=(7.0, 4.6), title=None):
    """The error surface of the cliff with gradient-descent paths drawn on it.

    Parameters
    ----------
    ws, bs : ndarray, shapes (n_w,), (n_b,)
    E : ndarray, shape (n_b, n_w)
        From :func:`rnnlib.cliff.cliff_surface`.
    paths : list of DescentPath
    labels : list of str
    colours : list of str, optional

    Returns
    -------
    fig
    """
    fig, ax = figure(figsize=figsize)
    draw_cliff_surface(ax, ws, bs, E)
    colours = colours or [PALETTE["vermillion"], PALETTE["orange"], PALETTE["sky"]]
    for path, label, colour in zip(paths, labels, colours):
        draw_path(ax, path, label=label, colour=colour)
    ax.legend(loc="lower right", framealpha=0.9)
    if title:
        ax.set_title(title)
    return fig


def training_traces_figure(histories, labels, colours=None, *, figsize=(8.0, 3.4)):
    """Loss and gradient norm per update for several :class:`rnnlib.History`, log scale; divergence marked ×.

    Returns
    -------
    fig
    """
    fig, (ax_loss, ax_norm) = figure(1, 2, figsize=figsize)
    colours = colours or [PALETTE["vermillion"], PALETTE["blue"], PALETTE["green"]]
    for history, label, colour in zip(histories, labels, colours):
        steps = np.arange(1, history.updates + 1)
        loss = np.asarray(history.loss, dtype=float)
        norms = np.asarray(history.grad_norm, dtype=float)
        ok_l, ok_n = np.isfinite(loss) & (loss > 0), np.isfinite(norms) & (norms > 0)
        ax_loss.plot(steps[ok_l], loss[ok_l], color=colour, label=label, lw=1.4)
        ax_norm.plot(steps[ok_n], norms[ok_n], color=colour, label=label, lw=1.4)
        if history.diverged:
            for ax, y, ok in ((ax_loss, loss, ok_l), (ax_norm, norms, ok_n)):
                if ok.any():
                    k = np.nonzero(ok)[0][-1]
                    ax.plot(steps[k], y[k], "x", color=colour, ms=10, mew=2.5)
    ax_loss.set_yscale("log")
    ax_norm.set_yscale("log")
    ax_loss.set_xlabel("update")
    ax_norm.set_xlabel("update")
    ax_loss.set_ylabel("training loss $L$")
    ax_norm.set_ylabel(r"gradient norm $\|g\|$ (before clipping)")
    ax_loss.legend(loc="best")
    return fig
