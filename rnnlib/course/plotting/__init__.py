"""Plotting helpers shared by the chapters: one function per kind of figure.

Colours are the Okabe–Ito palette (safe for the common forms of colour-blindness);
figures get a white background so they stay legible on the website's dark theme.
Kinds of figure live in submodules (``rnnlib.course.plotting.gradients`` and so on); this
module holds the style they share.
"""

from __future__ import annotations

import io

import matplotlib
import matplotlib.pyplot as plt

#: Okabe–Ito colour-blind-safe palette, in the order the chapters use it.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
CYCLE = [PALETTE[c] for c in ("blue", "orange", "green", "vermillion", "purple", "sky", "black")]
#: A sequential colour map that is perceptually uniform and colour-blind safe.
SEQUENTIAL = "viridis"
DIVERGING = "cividis"

STYLE = {
    "axes.prop_cycle": matplotlib.cycler(color=CYCLE),  # type: ignore[attr-defined]
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "savefig.bbox": "tight",
}


def use_style():
    """Apply the course's matplotlib style (colour-blind-safe colours, white background)."""
    plt.rcParams.update(STYLE)


def figure(nrows=1, ncols=1, *, figsize=(7.0, 3.6), **kwargs):
    """A new figure and axes in the course style; returns ``(fig, ax)`` like ``plt.subplots``."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(nrows, ncols, figsize=figsize, layout="constrained", **kwargs)
    return fig, ax


#: Below this a value is shown as missing on a log axis (log 0 is undefined).
TINY = 1e-300


def log_safe(values):
    """A float copy with non-positive entries replaced by NaN, which matplotlib skips on log axes."""
    import numpy as np

    values = np.array(values, dtype=np.float64)
    values[~(values > TINY)] = np.nan
    return values


def figure_for(ax, figsize):
    """``(fig, ax)``: the given axes and their figure, or a new figure in the course style."""
    if ax is None:
        return figure(figsize=figsize)
    return ax.figure, ax


def finish_axes(ax, xlabel, ylabel, title=None, legend=True):
    """Axis labels, an optional title and a frameless legend: how every line plot of the course ends."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(loc="best", frameon=False)


def to_png(fig, dpi=80, compact=False) -> bytes:
    """The figure as PNG bytes (for widgets and static twins).

    ``compact=True`` stores the image with a palette of at most 256 colours (plots use a few dozen),
    about half the bytes: the static twins embed every frame in the page, which must stay under 3 MB.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    if not compact:
        return buf.getvalue()
    from PIL import Image

    buf.seek(0)
    image = (
        Image.open(buf).convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


__all__ = [
    "CYCLE",
    "DIVERGING",
    "PALETTE",
    "SEQUENTIAL",
    "STYLE",
    "TINY",
    "figure",
    "figure_for",
    "finish_axes",
    "log_safe",
    "to_png",
    "use_style",
]
