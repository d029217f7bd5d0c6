"""The clipping explorer (chapter 7): threshold θ and clipping mode on the cliff of Pascanu et al. (2013).

The error surface of the single unit x_t = w σ(x_{t−1}) + b is computed once, when the explorer
is built (:func:`rnnlib.cliff.cliff_surface`); every redraw runs gradient descent on (w, b)
from the same start with the chosen clipping (:func:`rnnlib.cliff.descent_path`, which calls
:func:`rnnlib.forward`, :func:`rnnlib.backward` and :func:`rnnlib.clip`) and draws its path.
"""

from __future__ import annotations

import numpy as np

from rnnlib.cliff import cliff_surface, descent_path

from ..plotting.clipping import MODE_COLOURS, cliff_colorbar, draw_cliff_surface, draw_path
from ..widgets import Control, Explorer

#: Defaults shared with chapter 7: a start just above the cliff, where an unclipped step hits the wall.
START = (4.5, -2.32)
LR = 0.05
STEPS = 40
WINDOW = ((4.1, 4.9), (-2.7, -1.9))
THRESHOLDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
MODES = ("none", "norm", "value")

_MODE_TEXT = {"none": "no clipping", "norm": "clip by norm", "value": "clip by value"}


def clipping_explorer(
    *,
    start=START,
    lr=LR,
    steps=STEPS,
    thresholds=THRESHOLDS,
    window=WINDOW,
    resolution=(160, 160),
    initial=None,
    dpi=72,
) -> Explorer:
    """An :class:`rnnlib.course.widgets.Explorer` with controls θ and clipping mode, drawing descent paths on the cliff.

    Parameters
    ----------
    start : (float, float)
        (w_0, b_0), the start of every path.
    lr : float
        Learning rate of gradient descent.
    steps : int
        Updates per path.
    thresholds : sequence of float
        The grid of θ (ignored when the mode is "none").
    window : ((w_min, w_max), (b_min, b_max))
        The part of the (w, b) plane shown.
    resolution : (int, int)
        Grid points of the surface along w and b.
    initial : dict, optional
        Starting control values, e.g. ``{"mode": "norm", "threshold": 2.0}``.
    """
    (w_lo, w_hi), (b_lo, b_hi) = window
    ws = np.linspace(w_lo, w_hi, resolution[0])
    bs = np.linspace(b_lo, b_hi, resolution[1])
    E = cliff_surface(ws, bs)  # once: every frame shares the surface
    reference = descent_path(start[0], start[1], lr, steps)  # the unclipped path, drawn faintly for comparison
    drawn = {}  # the path of each frame drawn so far, so that its alt text describes exactly that path

    def path_for(mode, threshold):
        clip_mode = None if mode == "none" else mode
        drawn[mode, threshold] = descent_path(
            start[0], start[1], lr, steps, clip_mode, threshold if clip_mode else None
        )
        return drawn[mode, threshold]

    def render(fig, mode, threshold):
        # Fixed axes instead of constrained layout: laying out the log colour bar costs more than the path.
        fig.set_layout_engine("none")
        ax = fig.add_axes((0.11, 0.11, 0.70, 0.80))
        cax = fig.add_axes((0.84, 0.11, 0.03, 0.80))
        draw_cliff_surface(ax, ws, bs, E, colorbar=False)
        cliff_colorbar(fig, ax.images[0], cax=cax)
        pts = reference.points
        ax.plot(pts[:, 0], pts[:, 1], "--", color="white", lw=1.2, alpha=0.8, label="no clipping (reference)")
        path = path_for(mode, threshold)  # computed on every draw
        label = _MODE_TEXT[mode] + ("" if mode == "none" else f", θ = {threshold:g}")
        draw_path(
            ax,
            path,
            label=f"{label}\nlargest step {path.step_lengths.max():.2g}, final error {path.losses[-1]:.2g}",
            colour=MODE_COLOURS[mode],
        )
        ax.locator_params(nbins=5)  # few tick labels: text layout is most of a redraw's cost
        ax.legend(loc="lower left", framealpha=0.9, fontsize=9)

    def alt(mode, threshold):
        path = drawn.get((mode, threshold)) or path_for(mode, threshold)
        w_end, b_end = path.points[-1]
        where = "inside the window" if w_lo <= w_end <= w_hi and b_lo <= b_end <= b_hi else "outside the window"
        how = "without clipping" if mode == "none" else f"{_MODE_TEXT[mode]} at threshold {threshold:g}"
        return (
            f"Error surface of the single-unit RNN over w from {w_lo:g} to {w_hi:g} and b from {b_lo:g} to "
            f"{b_hi:g}: a high plateau below a sharp cliff and a low valley above it. Gradient descent from "
            f"w = {start[0]:g}, b = {start[1]:g} {how}: the largest step has length "
            f"{path.step_lengths.max():.3g} and the path ends at w = {w_end:.3g}, b = {b_end:.3g} ({where}) "
            f"with error {path.losses[-1]:.2g}."
        )

    controls = [
        Control("mode", "clipping", list(MODES), "{}"),
        Control("threshold", "threshold θ", list(thresholds), "{:g}"),
    ]

    def live():  # the website's live explorer: the same start, rate, steps and window, any θ
        first = initial or {"mode": "norm", "threshold": 2.0}
        return {
            "kind": "clipping",
            "start": [float(start[0]), float(start[1])],
            "lr": float(lr),
            "steps": int(steps),
            "window": [[float(w_lo), float(w_hi)], [float(b_lo), float(b_hi)]],
            "resolution": [int(resolution[0]), int(resolution[1])],
            "modes": list(MODES),
            "mode": first["mode"],
            # θ on a log scale: 10^-2 … 10^1.5 in steps of 0.01 (351 positions)
            "log10_threshold": {"min": -2.0, "max": 1.5, "step": 0.01, "value": float(np.log10(first["threshold"]))},
        }

    paths: dict[tuple, dict] = {}  # (mode, θ) -> frame: a reader comes back to the same positions

    def lab_path(mode, threshold):
        """The clipped path, reusing the reference path up to the first step clipping can change:
        while ‖g‖ < θ neither mode alters g (|g_i| ≤ ‖g‖ < θ), so those steps are the reference's."""
        key = (mode, threshold)
        if key in paths:
            return paths[key]
        ref = reference
        if mode == "none":
            k, rest = steps, None
        else:
            over = np.flatnonzero(ref.grad_norms >= threshold)
            k = int(over[0]) if over.size else steps
            rest = None if k == steps else descent_path(*ref.points[k], lr, steps - k, mode, threshold)
        points = ref.points if rest is None else np.concatenate([ref.points[:k], rest.points])
        losses = ref.losses if rest is None else np.concatenate([ref.losses[:k], rest.losses])
        clipped = [False] * k + ([] if rest is None else [bool(c) for c in rest.clipped])
        frame = {
            "points": points.tolist(),
            "losses": losses,
            "stepLengths": np.linalg.norm(np.diff(points, axis=0), axis=1),
            "clipped": clipped,
        }
        if len(paths) > 1024:
            paths.clear()
        paths[key] = frame
        return frame

    def frame(settings):  # JupyterLab: one move of the browser front end, computed by rnnlib here
        mode = settings["mode"]
        return lab_path(mode, 10.0 ** float(settings["theta"]))

    def lab_extra():  # sent once: the surface and the reference path
        return {"surface": {"ws": ws, "bs": bs, "E": E.ravel()}, "reference": reference.points.tolist()}

    return Explorer(
        controls,
        render,
        alt=alt,
        live=live,
        lab=(live, frame, lab_extra),
        initial=initial or {"mode": "norm", "threshold": 2.0},
        figsize=(6.0, 4.4),
        dpi=dpi,
        caption=(
            "Gradient descent on the cliff of Pascanu et al. (2013), Figure 6, from the white "
            "star. The dashed white line is the unclipped path; the coloured one uses the "
            "chosen clipping mode and threshold θ (θ has no effect without clipping)."
        ),
    )
