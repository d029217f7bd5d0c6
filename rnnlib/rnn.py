"""The forward pass and full backpropagation through time (chapters 1–4).

Each backward rule sits beside the forward computation it inverts. Equation
labels refer to chapter 3:

    a_t = W_s h_{t-1} + W_x x_t + b_h                 (forward pass)
    h_t = f(a_t),  o_t = W_y h_t + b_y,  ŷ_t = g(o_t)
    δ_t = ∂L/∂h_t = W_yᵀ ∂L/∂o_t + W_sᵀ (f′(a_{t+1}) ⊙ δ_{t+1})     (eq. delta-recursion)
    ∂L/∂W_s = Σ_t (f′(a_t) ⊙ δ_t) h_{t-1}ᵀ,  ∂L/∂W_x = Σ_t (f′(a_t) ⊙ δ_t) x_tᵀ   (eq. weight-gradients)

Indexing. Arrays are batch-first: ``x[:, t-1]`` is x_t (t = 1..T) and
``h[:, t]`` is h_t (t = 0..T, so ``h[:, 0]`` is h_0). Likewise ``a[:, t-1]`` is
a_t and ``delta[:, t]`` is δ_t = ∂L/∂h_t. Shapes use N batch, T time, D input,
H hidden, O output.

Speed. The input projection W_x x_t + b_h is one matrix product over all steps;
the loop writes into preallocated time-major arrays; the weight gradients are
single products over all steps. Only the recurrence itself is a Python loop.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _validate as check
from .activations import Activation, get_activation
from .losses import check_model, loss_and_grad, prepare_targets, readout
from .params import RNNParams


# --- one step, for the unrolled view (chapter 1) -------------------------------------------------

def step_forward(params: RNNParams, x_t, h_prev, activation="tanh"):
    """One step of the recurrence: a_t = W_s h_{t-1} + W_x x_t + b_h, h_t = f(a_t).

    Parameters
    ----------
    params : RNNParams
    x_t : ndarray, shape (N, D)
    h_prev : ndarray, shape (N, H)
        h_{t-1}.
    activation : str

    Returns
    -------
    h_t : ndarray, shape (N, H)
    cache : tuple
        ``(x_t, h_prev, a_t, h_t, activation)`` for :func:`step_backward`.
    """
    act = get_activation(activation)
    x_t = check.array("x_t", x_t, (None, params.D), ("N", "D"))
    h_prev = check.array("h_prev", h_prev, (x_t.shape[0], params.H), ("N", "H"))
    a_t = h_prev @ params.W_s.T + x_t @ params.W_x.T + params.b_h
    h_t = act(a_t)
    return h_t, (x_t, h_prev, a_t, h_t, act)


def step_backward(params: RNNParams, dh_t, cache):
    """Backward through one step: from δ = ∂L/∂h_t to the step's gradients.

    Parameters
    ----------
    dh_t : ndarray, shape (N, H)
        The gradient arriving at h_t.
    cache : tuple from :func:`step_forward`

    Returns
    -------
    dict with ``dh_prev`` (N, H), ``dx`` (N, D), ``W_x`` (H, D), ``W_s`` (H, H), ``b_h`` (H,):
    the gradient passed to h_{t-1} and this step's contributions to the weight gradients.
    """
    x_t, h_prev, a_t, h_t, act = cache
    dh_t = check.array("dh_t", dh_t, h_t.shape, ("N", "H"))
    da = dh_t * act.df(a_t, h_t)  # ∂L/∂a_t = f′(a_t) ⊙ δ_t
    return {
        "dh_prev": da @ params.W_s,  # W_sᵀ applied to column vectors = row vectors times W_s
        "dx": da @ params.W_x,
        "W_x": da.T @ x_t,
        "W_s": da.T @ h_prev,
        "b_h": da.sum(axis=0),
    }


# --- the whole sequence ---------------------------------------------------------------------------

@dataclass
class ForwardPass:
    """Everything the forward pass computed, kept for the backward pass.

    The arrays are stored time-major (``_a``: (T, N, H), ``_h``: (T+1, N, H), ...)
    because the loop walks over time; the properties give batch-first views.
    BPTT must keep every h_t: memory grows like N·T·H (chapter 4).
    """

    _x: np.ndarray  # (T, N, D)
    _a: np.ndarray  # (T, N, H)
    _h: np.ndarray  # (T+1, N, H)
    _o: np.ndarray  # (T, N, O)
    _y_hat: np.ndarray  # (T, N, O)
    _d: np.ndarray | None  # (T, N, O) or (T, N) labels
    _mask: np.ndarray | None  # (T, N)
    _E: np.ndarray | None  # (T, N)
    _dO: np.ndarray | None  # (T, N, O)
    loss: float | None
    activation: Activation
    output: str
    loss_name: str
    h0_given: bool  # True when the caller passed h0 for this batch (state carried from a previous chunk)

    @property
    def x(self):
        """x, shape (N, T, D); ``x[:, t-1]`` is x_t."""
        return self._x.transpose(1, 0, 2)

    @property
    def a(self):
        """Pre-activations, shape (N, T, H); ``a[:, t-1]`` is a_t."""
        return self._a.transpose(1, 0, 2)

    @property
    def h(self):
        """Hidden states, shape (N, T+1, H); ``h[:, t]`` is h_t and ``h[:, 0]`` is h_0."""
        return self._h.transpose(1, 0, 2)

    @property
    def o(self):
        """Outputs before the read-out, shape (N, T, O)."""
        return self._o.transpose(1, 0, 2)

    @property
    def y_hat(self):
        """Predictions ŷ_t = g(o_t), shape (N, T, O)."""
        return self._y_hat.transpose(1, 0, 2)

    @property
    def step_losses(self):
        """Per-step losses E_t, shape (N, T), at the steps that carry a target (0 elsewhere)."""
        if self._E is None:
            return None
        return (self._E * self._mask).T

    @property
    def mask(self):
        """Boolean (N, T): which steps carry a target."""
        return None if self._mask is None else self._mask.T.astype(bool)

    @property
    def N(self):
        return self._x.shape[1]

    @property
    def T(self):
        return self._x.shape[0]


def _check_inputs(params, x, h0):
    x = check.array("x", x, (None, None, params.D), ("N", "T", "D"))
    N, T, _ = x.shape
    if N == 0 or T == 0:
        raise ValueError(f"x must have at least one sequence and one step; got shape {x.shape}")
    if h0 is None:
        h0_arr = np.broadcast_to(params.h0, (N, params.H))
    else:
        h0_arr = check.array("h0", h0, (N, params.H), ("N", "H"))
    return x, h0_arr


def forward(params: RNNParams, x, d=None, *, activation="tanh", output="linear", loss="squared",
            targets="all", h0=None) -> ForwardPass:
    """Run the RNN over a batch of sequences and, if targets are given, compute the loss.

    Implements a_t = W_s h_{t-1} + W_x x_t + b_h, h_t = f(a_t), o_t = W_y h_t + b_y,
    ŷ_t = g(o_t), L = (1/N) Σ_n Σ_t m_t E_t (chapter 2, eq. total-loss).

    Parameters
    ----------
    params : RNNParams
    x : ndarray, shape (N, T, D)
    d : ndarray, optional
        Targets; shape depends on ``loss`` and ``targets`` (see :func:`rnnlib.losses.prepare_targets`):
        (N, T, O) for squared error at every step, (N, O) for ``targets="last"``; integer labels
        (N, T) or (N,) for cross-entropy. Without ``d`` only the forward pass is run.
    activation : {"tanh", "sigmoid", "relu", "identity"}
    output : {"linear", "softmax"}
    loss : {"squared", "cross_entropy"}
    targets : "all", "last" or boolean mask (T,) or (N, T)
    h0 : ndarray, shape (N, H), optional
        Initial states for this batch (e.g. carried over from the previous chunk in truncated
        BPTT). Defaults to ``params.h0`` for every sequence.

    Returns
    -------
    ForwardPass
    """
    act = get_activation(activation)
    check_model(output, loss)
    x, h0_arr = _check_inputs(params, x, h0)
    N, T, _ = x.shape
    H, O = params.H, params.O

    x_tm = np.ascontiguousarray(x.transpose(1, 0, 2))
    # Input projection for every step at once: one (T·N, D) × (D, H) product.
    a = np.matmul(x_tm.reshape(T * N, -1), params.W_x.T).reshape(T, N, H)
    a += params.b_h
    h = np.empty((T + 1, N, H))
    h[0] = h0_arr
    W_s_T = np.ascontiguousarray(params.W_s.T)
    rec = np.empty((N, H))
    for t in range(T):
        np.matmul(h[t], W_s_T, out=rec)
        a[t] += rec  # a_t = W_s h_{t-1} + (W_x x_t + b_h)
        act.f(a[t], out=h[t + 1])  # h_t = f(a_t)

    o = np.matmul(h[1:].reshape(T * N, H), params.W_y.T).reshape(T, N, O)
    o += params.b_y
    y_hat = readout(o, output)

    fp = ForwardPass(x_tm, a, h, o, y_hat, None, None, None, None, None, act, output, loss, h0 is not None)
    if d is not None:
        fp._d, fp._mask = prepare_targets(d, targets, loss, N, T, O)
        fp.loss, fp._E, fp._dO = loss_and_grad(o, y_hat, fp._d, fp._mask, output, loss)
    return fp


@dataclass
class BPTTResult:
    """Gradients from full BPTT.

    Attributes
    ----------
    grads : RNNParams
        ∂L/∂θ for W_x, W_s, W_y, b_h, b_y, and h0 (H,) when ``params.h0_mode == "trainable"``.
    delta : ndarray, shape (N, T+1, H)
        δ_t = ∂L/∂h_t for t = 0..T (``delta[:, 0]`` is ∂L/∂h_0 for each sequence).
    da : ndarray, shape (N, T, H)
        ∂L/∂a_t = f′(a_t) ⊙ δ_t (``da[:, t-1]`` for step t).
    """

    grads: RNNParams
    delta: np.ndarray
    da: np.ndarray
    loss: float

    @property
    def dh0(self):
        """∂L/∂h_0 per sequence, shape (N, H)."""
        return self.delta[:, 0]


def _sweep(W_s, act, a, h, dh_out, start, stop, carry_scale=None, dA=None, delta=None):
    """The δ recursion over the steps ``start..stop-1`` (0-based), backwards.

    ``dh_out[i]`` (N, H) is the gradient reaching h at state index i+1 from the read-out.
    No gradient enters from beyond ``stop`` (the window's end). Writes ∂L/∂a into
    ``dA[i]`` and δ into ``delta[i+1]``; returns the message into state index ``start``
    (∂L/∂h_start), which is h_0's gradient when ``start == 0``.

    ``carry_scale`` (stop - start,) optionally multiplies the message into state index
    start+j: randomized truncation's compensation factors.
    """
    N, H = a.shape[1], a.shape[2]
    dA[start:stop] = act.df(a[start:stop], h[start + 1:stop + 1])  # f′(a_t) for every step at once
    carry = np.zeros((N, H))
    scratch = np.empty((N, H))
    for i in range(stop - 1, start - 1, -1):
        d_h = delta[i + 1] if delta is not None else scratch
        np.add(dh_out[i], carry, out=d_h)  # δ at state i+1: from the read-out and from step i+2
        dA[i] *= d_h  # ∂L/∂a = f′(a) ⊙ δ
        np.matmul(dA[i], W_s, out=carry)  # W_sᵀ (f′ ⊙ δ) in column-vector notation
        if carry_scale is not None:
            carry *= carry_scale[i - start]
    return carry


def _weight_grads(dA, h_prev, x, start, stop):
    """Σ over steps start..stop-1 of the per-step gradients, as single matrix products."""
    n_steps, N, H = stop - start, dA.shape[1], dA.shape[2]
    dA_flat = dA[start:stop].reshape(n_steps * N, H)
    dW_s = dA_flat.T @ h_prev[start:stop].reshape(n_steps * N, H)
    dW_x = dA_flat.T @ x[start:stop].reshape(n_steps * N, -1)
    db_h = dA_flat.sum(axis=0)
    return dW_x, dW_s, db_h


def _output_grads(fp, W_y):
    T, N, O = fp._dO.shape
    H = fp._h.shape[2]
    dO_flat = fp._dO.reshape(T * N, O)
    dW_y = dO_flat.T @ fp._h[1:].reshape(T * N, H)
    db_y = dO_flat.sum(axis=0)
    dh_out = np.matmul(dO_flat, W_y).reshape(T, N, H)  # W_yᵀ ∂L/∂o_t for every step at once
    return dW_y, db_y, dh_out


def _gradients(params, dW_x, dW_s, dW_y, db_h, db_y, dh0_batch, h0_given=False):
    """Collect the gradients; params.h0 gets ∂L/∂h_0 only if it is trainable and was actually used
    (a forward pass given its own h0, e.g. a carried state, does not depend on params.h0)."""
    h0_mode = "trainable" if params.h0_mode == "trainable" else "zeros"
    g_h0 = None
    if h0_mode == "trainable":
        g_h0 = np.zeros(params.H) if h0_given else dh0_batch.sum(axis=0)
    return RNNParams(dW_x, dW_s, dW_y, db_h, db_y, h0=g_h0, h0_mode=h0_mode)


def backward(params: RNNParams, fp: ForwardPass) -> BPTTResult:
    """Full BPTT: exact gradients of L with respect to every parameter (chapter 3, eq. delta-recursion).

    Parameters
    ----------
    params : RNNParams
        The parameters the forward pass used.
    fp : ForwardPass
        From :func:`forward` called with targets ``d``.

    Returns
    -------
    BPTTResult
        ``grads`` (same shapes as ``params``), ``delta`` (N, T+1, H), ``da`` (N, T, H).
    """
    if not isinstance(fp, ForwardPass):
        raise ValueError(f"fp must be the ForwardPass returned by forward(); got {type(fp).__name__}")
    if fp._dO is None:
        raise ValueError("fp has no loss: call forward(params, x, d, ...) with targets d before backward()")
    if fp._h.shape[2] != params.H or fp._x.shape[2] != params.D or fp._o.shape[2] != params.O:
        raise ValueError(f"params (D={params.D}, H={params.H}, O={params.O}) do not match the forward pass "
                         f"(D={fp._x.shape[2]}, H={fp._h.shape[2]}, O={fp._o.shape[2]})")
    T, N, H = fp._a.shape
    dW_y, db_y, dh_out = _output_grads(fp, params.W_y)
    dA = np.empty((T, N, H))
    delta = np.empty((T + 1, N, H))
    delta[0] = _sweep(params.W_s, fp.activation, fp._a, fp._h, dh_out, 0, T, dA=dA, delta=delta)
    dW_x, dW_s, db_h = _weight_grads(dA, fp._h[:-1], fp._x, 0, T)
    grads = _gradients(params, dW_x, dW_s, dW_y, db_h, db_y, delta[0], fp.h0_given)
    return BPTTResult(grads, delta.transpose(1, 0, 2), dA.transpose(1, 0, 2), fp.loss)


def loss_and_gradients(params: RNNParams, x, d, **model) -> tuple[float, RNNParams]:
    """Forward pass and full BPTT in one call: returns ``(L, grads)``.

    ``model`` takes the keyword arguments of :func:`forward` (activation, output, loss,
    targets, h0).
    """
    fp = forward(params, x, d, **model)
    return fp.loss, backward(params, fp).grads


def loss(params: RNNParams, x, d, **model) -> float:
    """The loss L alone (what finite differences perturb)."""
    return forward(params, x, d, **model).loss
