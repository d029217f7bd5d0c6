"""The cliff of Pascanu, Mikolov & Bengio (2013), Figure 6, and where clipping goes (chapter 7).

The paper's single unit

    x_t = w σ(x_{t−1}) + b,   x_0 = 0.5,   error E = (σ(x_50) − 0.7)²,          (eq-ch7-cliff)

is an ordinary rnnlib RNN with one hidden unit and no input: a_t = x_t, h_t = σ(a_t),
W_s = [[w]], b_h = [b], h_0 = σ(0.5) (``h0_mode="given"``), a linear read-out
o_t = h_t (W_y = [[1]], b_y = [0]) and a squared loss at the last step with target 0.7.
So its error and gradient come from :func:`rnnlib.forward` and :func:`rnnlib.backward`,
and gradient descent on (w, b) is clipped with :func:`rnnlib.clip` like any other gradient.

The module also holds :func:`backward_with_per_step_clipping`, the mistake of clipping
δ_t "at each time step" inside the backward recursion (chapter 7, pitfall box), so that
the chapter can show that it computes a different gradient.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import validate
from .activations import sigmoid
from .clipping import CLIP_MODES, clip
from .params import RNNParams
from .rnn import BPTTResult, ForwardPass, backward, forward

#: The setting of Pascanu et al. (2013), Figure 6.
CLIFF_T = 50
CLIFF_X0 = 0.5
CLIFF_TARGET = 0.7


def cliff_params(w, b) -> RNNParams:
    """The single-unit RNN x_t = w σ(x_{t−1}) + b as :class:`RNNParams` (D = H = O = 1).

    W_s = [[w]], b_h = [b], W_x = [[0]] (there is no input), W_y = [[1]], b_y = [0],
    h_0 = σ(x_0) = σ(0.5) given (not trained).
    """
    w = validate.real("w", w)
    b = validate.real("b", b)
    return RNNParams(
        W_x=np.zeros((1, 1)),
        W_s=np.array([[w]]),
        W_y=np.ones((1, 1)),
        b_h=np.array([b]),
        b_y=np.zeros(1),
        h0=sigmoid(np.array([CLIFF_X0])),
        h0_mode="given",
    )


def cliff_task(T=CLIFF_T):
    """Inputs and target of the cliff: ``(x, d)`` with x zeros (1, T, 1) and d = [[0.7]] (1, 1)."""
    T = validate.positive_int("T", T)
    return np.zeros((1, T, 1)), np.array([[CLIFF_TARGET]])


#: Keyword arguments of :func:`rnnlib.forward` for the cliff.
CLIFF_MODEL = {"activation": "sigmoid", "output": "linear", "loss_name": "squared", "targets": "last"}


def cliff_forward(w, b, T=CLIFF_T) -> ForwardPass:
    """The forward pass of the cliff unit for one (w, b); ``fp.loss`` is (σ(x_T) − 0.7)²."""
    x, d = cliff_task(T)
    return forward(cliff_params(w, b), x, d, **CLIFF_MODEL)


def cliff_loss_and_grad(w, b, T=CLIFF_T):
    """The error E(w, b) = (σ(x_T) − 0.7)² and its gradient (∂E/∂w, ∂E/∂b) by full BPTT.

    Returns
    -------
    E : float
    grad : ndarray, shape (2,)
        (∂E/∂W_s, ∂E/∂b_h) from :func:`rnnlib.backward`.
    """
    params = cliff_params(w, b)
    x, d = cliff_task(T)
    fp = forward(params, x, d, **CLIFF_MODEL)
    g = backward(params, fp).grads
    return fp.loss, np.array([g.W_s[0, 0], g.b_h[0]])


def cliff_surface(ws, bs, T=CLIFF_T) -> np.ndarray:
    """The error (σ(x_T) − 0.7)² over a grid of (w, b), all points in one numpy sweep.

    Parameters
    ----------
    ws : ndarray, shape (n_w,)
    bs : ndarray, shape (n_b,)

    Returns
    -------
    E : ndarray, shape (n_b, n_w)
        ``E[i, j]`` is the error at w = ws[j], b = bs[i] (rows are b, as ``imshow`` draws them).
        The same recurrence as :func:`rnnlib.forward`, vectorised over the grid instead of a batch.
    """
    ws = validate.array("ws", ws, (None,), ("n_w",))
    bs = validate.array("bs", bs, (None,), ("n_b",))
    T = validate.positive_int("T", T)
    W, B = np.meshgrid(ws, bs)
    h = np.full(W.shape, sigmoid(np.array([CLIFF_X0]))[0])  # h_0 = σ(x_0)
    for _ in range(T):
        h = sigmoid(W * h + B)  # h_t = σ(a_t), a_t = w h_{t−1} + b
    return (h - CLIFF_TARGET) ** 2


@dataclass
class DescentPath:
    """A gradient-descent path on the cliff.

    Attributes
    ----------
    points : ndarray, shape (steps + 1, 2)
        (w, b) before every update and after the last.
    losses : ndarray, shape (steps + 1,)
        The error at each point.
    grad_norms : ndarray, shape (steps,)
        ‖∇E‖ before clipping, at each update.
    clipped : ndarray of bool, shape (steps,)
    """

    points: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray
    clipped: np.ndarray

    @property
    def step_lengths(self) -> np.ndarray:
        """Length of each update ‖(w, b)_{k+1} − (w, b)_k‖, shape (steps,)."""
        return np.linalg.norm(np.diff(self.points, axis=0), axis=1)


def descent_path(w0, b0, lr, steps, clip_mode=None, threshold=None, T=CLIFF_T) -> DescentPath:
    """Plain gradient descent on (w, b) from (w0, b0), clipping each gradient with :func:`rnnlib.clip`.

    Only w and b are trained: the gradient handed to :func:`rnnlib.clip` holds ∂E/∂W_s and
    ∂E/∂b_h and zeros for the read-out, so the global norm is ‖(∂E/∂w, ∂E/∂b)‖.

    Parameters
    ----------
    w0, b0 : float
        The start.
    lr : float
        The learning rate.
    steps : int
        The number of updates.
    clip_mode : {None, "norm", "value"}
        ``None`` does not clip. ("parameter_norm" is accepted too; on the cliff it clips |∂E/∂w|
        and |∂E/∂b| separately, like "value".)
    threshold : float
        θ, required with ``clip_mode``.
    """
    lr = validate.real("lr", lr, minimum=0.0, strict_minimum=True)
    steps = validate.positive_int("steps", steps)
    if clip_mode is not None:
        validate.choice("clip_mode", clip_mode, CLIP_MODES)
        if threshold is None:
            raise ValueError(f"threshold must be given with clip_mode={clip_mode!r}; got None")
        validate.real("threshold", threshold, minimum=0.0, strict_minimum=True)
    elif threshold is not None:
        raise ValueError(f"threshold must be None when clip_mode=None (nothing is clipped); got {threshold!r}")
    w, b = validate.real("w0", w0), validate.real("b0", b0)
    x, d = cliff_task(T)
    points = np.empty((steps + 1, 2))
    losses = np.empty(steps + 1)
    norms = np.empty(steps)
    clipped = np.zeros(steps, dtype=bool)
    params = cliff_params(w, b)
    for k in range(steps + 1):
        params.W_s[0, 0], params.b_h[0] = w, b  # in place: one RNNParams for the whole path
        fp = forward(params, x, d, **CLIFF_MODEL)
        points[k] = w, b
        losses[k] = fp.loss
        if k == steps:
            break
        g = backward(params, fp).grads
        g.W_y[...], g.b_y[...] = 0.0, 0.0  # only w and b are trained
        c = clip(g, clip_mode, threshold)
        norms[k], clipped[k] = c.norm, c.clipped
        w -= lr * c.grads.W_s[0, 0]
        b -= lr * c.grads.b_h[0]
    return DescentPath(points, losses, norms, clipped)


# --- the pitfall: clipping inside the recursion ---------------------------------------------------


def clip_each_delta(threshold, mode="norm"):
    """The hook that clips δ_t inside the recursion (for :func:`rnnlib.rnn.sweep`'s ``clip_delta``).

    ``mode="norm"``: δ_t ← θ δ_t/‖δ_t‖ for each sequence whose ‖δ_t‖ ≥ θ; ``mode="value"``: each
    element into [−θ, θ]. Returns a function (N, H) -> (N, H).
    """
    threshold = validate.real("threshold", threshold, minimum=0.0, strict_minimum=True)
    validate.choice("mode", mode, ("norm", "value"))

    def clip_delta(delta_t):
        if mode == "value":
            return np.clip(delta_t, -threshold, threshold)
        norms = np.linalg.norm(delta_t, axis=1, keepdims=True)
        return delta_t * np.where(norms >= threshold, threshold / np.maximum(norms, threshold), 1.0)

    return clip_delta


def backward_with_per_step_clipping(params: RNNParams, fp: ForwardPass, threshold, mode="norm") -> BPTTResult:
    """BPTT with δ_t clipped at every step inside the recursion: a common mistake (chapter 7).

    The recursion of :func:`rnnlib.backward` (eq-ch3-delta-recursion),

        δ_t = W_yᵀ ∂L/∂o_t + W_sᵀ (f′(a_{t+1}) ⊙ δ_{t+1}),

    but each δ_t is clipped before it is used (:func:`clip_each_delta`). The result is not the
    gradient of L, nor a rescaling of it: the steps where δ_t was clipped lose weight relative to
    the others, so the direction changes. Shown here only to be compared with clipping the whole
    gradient once, after BPTT (:func:`rnnlib.clip`). It is :func:`rnnlib.backward` with the hook
    ``clip_delta``, which :func:`rnnlib.rnn.sweep` applies in one line of its loop.

    Parameters
    ----------
    params : RNNParams
    fp : ForwardPass
        From :func:`rnnlib.forward` with targets.
    threshold : float
        θ > 0.
    mode : {"norm", "value"}

    Returns
    -------
    BPTTResult
        Same layout as :func:`rnnlib.backward`; ``delta`` holds the clipped δ_t.
    """
    return backward(params, fp, clip_delta=clip_each_delta(threshold, mode))
