"""The unrolling stepper (chapters 1 and 2): step through t and watch h_t computed from h_{t-1} and x_t.

The explorer runs :func:`rnnlib.forward` once; each frame then shows, for the chosen
step t,

- the unrolled graph with h_{t-1} and x_t (orange) feeding h_t (vermillion), later steps faded
  (:func:`rnnlib.course.plotting.unrolled.draw_unrolled_graph`);
- every hidden state computed so far, h_0..h_t, as a heat strip (unit against step), with the
  steps not yet computed left blank;
- the components of h_t as bars beside those of h_{t-1} (open markers).

On the website the stepper is computed in the reader's browser (``book/_static/bptt/live.js``: the
engine's forward pass on the weights, inputs and h_0 shipped in the page as float64) and in
JupyterLab drawn in the browser (the anywidget front end, :func:`rnnlib.course.widgets.browser_widget`)
from the states rnnlib computes in the kernel; both draw with ``templates/explorer_draw.js``, with
every step t offered, a Play button and the activation as a second control. The precomputed static
twin (at most ``max_frames`` matplotlib frames) stays the website's version without JavaScript.
"""

from __future__ import annotations

import numpy as np

from rnnlib import validate
from rnnlib.params import RNNParams
from rnnlib.rnn import forward

from ..plotting.unrolled import draw_state_bars, draw_state_heatmap, draw_unrolled_graph
from ..widgets import Control, Explorer

#: The static twin holds at most this many frames (one per shown step).
MAX_FRAMES = 30


def _steps_shown(T, max_frames):
    if T <= max_frames:
        return list(range(1, T + 1))
    return sorted(set(np.linspace(1, T, max_frames).round().astype(int).tolist()))


def unrolling_stepper(
    params: RNNParams,
    x,
    *,
    activation="tanh",
    sequence=0,
    targets=None,
    h0=None,
    max_frames=MAX_FRAMES,
    caption=None,
    figsize=(9.0, 4.6),
    dpi=72,
) -> Explorer:
    """An :class:`~rnnlib.course.widgets.Explorer` whose control is the time step t.

    Parameters
    ----------
    params : RNNParams
    x : ndarray, shape (T, D) or (N, T, D)
        The input sequence (or a batch, of which ``sequence`` is shown).
    activation : str
        Passed to :func:`rnnlib.forward`.
    sequence : int
        Which sequence of the batch to show.
    targets : {"all", "last"} or None
        Which steps the graph shows with an output and a loss term (None: none, only the recurrence).
    h0 : ndarray, shape (N, H), optional
        Initial states (default ``params.h0``).
    max_frames : int
        If T is larger, the control offers ``max_frames`` evenly spaced steps.
    caption, figsize, dpi
        As for :class:`~rnnlib.course.widgets.Explorer`.

    Returns
    -------
    Explorer
        Control ``t`` with values 1..T; ``render`` draws the graph, the heat strip of h_0..h_t
        and the bars of h_t against h_{t-1}, all from one call to :func:`rnnlib.forward`.
    """
    if not isinstance(params, RNNParams):
        raise ValueError(f"params must be an RNNParams; got {type(params).__name__}")
    arr = np.asarray(x)
    if arr.ndim == 2:
        arr = arr[None]
    x = validate.array("x", arr, (None, None, params.D), ("N", "T", "D"))
    sequence = validate.positive_int("sequence", sequence, minimum=0, maximum=x.shape[0] - 1)
    if targets is not None:
        validate.choice("targets", targets, ("all", "last"))
    max_frames = validate.positive_int("max_frames", max_frames, minimum=2)
    fp = forward(params, x, activation=activation, h0=h0)
    h = fp.h[sequence].copy()  # (T+1, H): h[t] is h_t
    T, H = fp.T, params.H
    limit = 1.05 * max(1e-12, float(np.max(np.abs(h))))

    sub = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")

    def name(symbol, t):
        return symbol + str(t).translate(sub)

    def render(fig, t):
        # Fixed axes positions instead of a layout engine: constrained layout measures every text
        # on every frame, which alone would exceed the 100 ms a slider move may take.
        fig.set_layout_engine(None)
        ax_graph = fig.add_axes((0.01, 0.47, 0.98, 0.45))
        draw_unrolled_graph(ax_graph, T, highlight=t, targets=targets, show_loss=False, weight_labels="active")
        ax_graph.set_title(
            f"step t = {t}:   {name('h', t)} = f(Wₛ {name('h', t - 1)} + Wₓ {name('x', t)} + b)", fontsize=11
        )
        ax_heat = fig.add_axes((0.08, 0.1, 0.42, 0.3))
        draw_state_heatmap(ax_heat, h, t, vmax=limit)
        ax_heat.set_title(f"states computed so far: h₀ … {name('h', t)}", fontsize=10)
        ax_bars = fig.add_axes((0.6, 0.1, 0.38, 0.3))
        draw_state_bars(ax_bars, h[t], h[t - 1], t=t, limit=limit, legend=False)
        ax_bars.set_title(f"{name('h', t)} (bars) and {name('h', t - 1)} (circles)", fontsize=10)

    def alt(t):
        change = float(np.linalg.norm(h[t] - h[t - 1]))
        return (
            f"Step t = {t} of {T}. The unrolled network is drawn with h_{t - 1} and x_{t} highlighted as the "
            f"inputs of h_{t}, and the later steps faded. Below, a heat strip of the hidden states h_0 to h_{t} "
            f"({H} units each; later columns blank) and a bar chart of the {H} components of h_{t}, which lie "
            f"between {h[t].min():.2f} and {h[t].max():.2f}, beside those of h_{t - 1}; "
            f"the state moved by {change:.2f} (Euclidean norm) in this step."
        )

    if caption is None:
        caption = (
            f"The unrolling stepper: move t from 1 to {T} to compute one step at a time. The same weights "
            f"W_s, W_x act at every step; h_t depends on h_(t-1) and x_t only."
        )
    control = Control("t", "time step t", _steps_shown(T, max_frames), play=True)
    activations = [activation, *(a for a in ("tanh", "sigmoid", "relu") if a != activation)]
    runs = {activation: (h, limit)}  # activation -> (states h_0..h_T of the shown sequence, value axis)

    def states(act):
        if act not in runs:
            validate.choice("activation", act, activations)
            hs = forward(params, x, activation=act, h0=h0).h[sequence]
            runs[act] = (hs, 1.05 * max(1e-12, float(np.max(np.abs(hs)))))
        return runs[act]

    def live(arrays=True):
        spec = {
            "kind": "unrolling",
            "H": H,
            "T": T,
            "D": params.D,
            "O": params.O,
            "t": {"min": 1, "max": T, "step": 1, "value": 1},
            "activations": activations,
            "interval_ms": 700,
        }
        if arrays:
            from ..widgets import float64_base64

            spec["arrays"] = {
                **{name: float64_base64(getattr(params, name)) for name in ("W_x", "W_s", "W_y", "b_h", "b_y")},
                "h0": float64_base64(h[0]),
                "x": float64_base64(x[sequence]),
            }
        return spec

    def frame(settings):  # JupyterLab: one move of the browser front end, computed by rnnlib here
        t = validate.positive_int("t", int(settings["t"]), minimum=1, maximum=T)
        hs, lim = states(settings["activation"])
        return {"states": hs[: t + 1], "limit": lim}

    return Explorer(
        [control],
        render,
        alt=alt,
        caption=caption,
        initial={"t": control.values[0]},
        figsize=figsize,
        dpi=dpi,
        live=live,
        lab=(lambda: live(arrays=False), frame),
    )


__all__ = ["unrolling_stepper", "MAX_FRAMES"]
