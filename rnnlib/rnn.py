"""The forward pass and full backpropagation through time (chapters 1–4).

Each backward rule sits beside the forward computation it inverts. Equation labels are the
book's (chapter 3):

    a_t = W_s h_{t-1} + W_x x_t + b_h,  h_t = f(a_t),  o_t = W_y h_t + b_y,  ŷ_t = g(o_t)   (eq-ch3-model)
    δ_T = W_yᵀ ∂E_T/∂o_T                                                            (eq-ch3-delta-init)
    δ_t = W_yᵀ ∂E_t/∂o_t + W_sᵀ (f′(a_{t+1}) ⊙ δ_{t+1})                             (eq-ch3-delta-recursion)
    dL/dW_s = Σ_k (f′(a_k) ⊙ δ_k) h_{k-1}ᵀ,  dL/dW_x = Σ_k (f′(a_k) ⊙ δ_k) x_kᵀ, ...  (eq-ch3-weight-gradients)

Two backward passes compute the same gradients:

- :func:`backward_reference` is the derivation as code: the reversed loop over
  :func:`step_backward` (CS231n's ``rnn_backward``), one step at a time. Chapter 4 teaches it.
- :func:`backward` is the same loop with three changes that make it fast (chapter 4): f′(a_t)
  for all steps at once before the loop, the loop writing into preallocated arrays, and the
  weight gradients as single matrix products after it. Its loop is :func:`sweep`, the one
  backward kernel of the package: truncated BPTT (:mod:`rnnlib.truncation`) runs it over windows,
  and the clipping pitfall (:mod:`rnnlib.cliff`) hands it a ``clip_delta`` hook.

Indexing. The public arrays are batch-first: ``x[:, t-1]`` is x_t (t = 1..T) and ``h[:, t]`` is
h_t (t = 0..T, so ``h[:, 0]`` is h_0); likewise ``a[:, t-1]`` is a_t and ``delta[:, t]`` is
δ_t = ∂L/∂h_t. :class:`ForwardPass` also gives the time-major arrays the loops walk over
(``fp.h_tm[t]`` is h_t for the whole batch). Shapes use N batch, T time, D input, H hidden, O output.

Overflow (chapter 7: what exploding looks like). Nothing here emits a numpy warning. When the
numbers exceed float64 (about 1.8e308), :func:`forward` still returns, with
``fp.overflowed = True``, ``fp.overflow_step`` the first step t whose h_t, o_t or E_t is not
finite, and ``fp.loss = inf`` if a step that carries a target overflowed (a step without a target
contributes exactly 0, whatever its value). :func:`backward` and :func:`backward_reference` then
raise :class:`ExplodingGradientError`, naming the step whose δ_t overflowed, or return the exact,
finite gradient when the overflow lies where no loss reaches (e.g. after the last target).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numpy as np

from . import validate
from .activations import Activation, get_activation
from .losses import check_model, loss_and_grad, prepare_targets, stable_softmax
from .params import RNNParams, check_params


class ExplodingGradientError(FloatingPointError):
    """The backward pass overflowed: the gradient is larger than float64 can hold (chapter 7).

    Raised by :func:`backward`, :func:`backward_reference` and truncated BPTT instead of a NaN
    gradient or numpy warnings. ``step`` is the step t (1-based) whose δ_t = ∂L/∂h_t first overflowed
    going backwards, or ``None`` when the weight gradients overflowed; ``norm`` is ‖δ_t‖ (inf or NaN);
    ``loss`` the loss of the pass being differentiated (when known).
    """

    def __init__(self, message: str, step: int | None = None, norm: float = float("inf"), loss: float | None = None):
        super().__init__(message)
        self.step = step
        self.norm = norm
        self.loss = loss  # the loss of the pass whose gradient overflowed, when the raiser knows it


REMEDY = "the network is exploding; clip the gradient, lower the learning rate or the spectral radius"


def check_delta(delta: np.ndarray, offset: int = 0, loss: float | None = None) -> None:
    """Raise :class:`ExplodingGradientError` if δ (n+1, N, H), time-major from step ``offset``, is not finite."""
    finite = np.isfinite(delta).all(axis=(1, 2))
    if finite.all():
        return
    j = int(np.nonzero(~finite)[0].max())  # the backward pass meets the last index first
    with np.errstate(over="ignore", invalid="ignore"):
        norm = float(np.max(np.abs(delta[j])))
    norm = float("inf") if not np.isnan(norm) else norm
    t = offset + j
    raise ExplodingGradientError(f"the gradient overflowed at step t = {t} (‖δ_{t}‖ = {norm}): {REMEDY}", t, norm, loss)


def check_step_cache(params: RNNParams, cache) -> tuple:
    """The cache of :func:`step_forward`, checked against ``params``: ``(x_t, h_prev, a_t, h_t, activation)``."""
    if not isinstance(cache, tuple) or len(cache) != 5:
        raise ValueError(
            "cache must be the tuple (x_t, h_prev, a_t, h_t, activation) returned by step_forward; "
            f"got {type(cache).__name__}{'' if not isinstance(cache, tuple) else ' of length ' + str(len(cache))}"
        )
    x_t, h_prev, a_t, h_t, act = cache
    if not isinstance(act, Activation):
        raise ValueError(f"cache[4] must be the Activation from step_forward; got {type(act).__name__}")
    x_t = validate.array("cache[0] (x_t)", x_t, (None, params.D), ("N", "D"), source="D from params")
    N = x_t.shape[0]
    h_prev = validate.array("cache[1] (h_prev)", h_prev, (N, params.H), ("N", "H"), source="H from params")
    a_t = validate.array("cache[2] (a_t)", a_t, (N, params.H), ("N", "H"), finite=False)
    h_t = validate.array("cache[3] (h_t)", h_t, (N, params.H), ("N", "H"), finite=False)
    return x_t, h_prev, a_t, h_t, act


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
    params = check_params("params", params)
    act = get_activation(activation)
    x_t = validate.array("x_t", x_t, (None, params.D), ("N", "D"), nonempty=True, source="D from params")
    h_prev = validate.array("h_prev", h_prev, (x_t.shape[0], params.H), ("N", "H"), source="N from x_t, H from params")
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow shows as inf in h_t, without a warning
        a_t = h_prev @ params.W_s.T + x_t @ params.W_x.T + params.b_h
        h_t = act(a_t)
    return h_t, (x_t, h_prev, a_t, h_t, act)


def step_backward(params: RNNParams, dh_t, cache):
    """Backward through one step: from δ_t = ∂L/∂h_t to the step's gradients (chapter 4).

    With ∂L/∂a_t = f′(a_t) ⊙ δ_t, the message to h_{t-1} is W_sᵀ ∂L/∂a_t (one term of
    eq-ch3-delta-recursion) and the step's shares of eq-ch3-weight-gradients are
    (∂L/∂a_t) x_tᵀ, (∂L/∂a_t) h_{t-1}ᵀ and ∂L/∂a_t, summed over the batch.

    Parameters
    ----------
    params : RNNParams
    dh_t : ndarray, shape (N, H)
        The gradient arriving at h_t.
    cache : tuple from :func:`step_forward`

    Returns
    -------
    dh_prev : ndarray, shape (N, H)
        W_sᵀ ∂L/∂a_t, the gradient passed to h_{t-1}.
    dx : ndarray, shape (N, D)
        W_xᵀ ∂L/∂a_t, the gradient reaching x_t.
    dW_x : ndarray, shape (H, D)
    dW_s : ndarray, shape (H, H)
    db_h : ndarray, shape (H,)
        This step's contributions to the weight gradients.
    """
    params = check_params("params", params)
    x_t, h_prev, a_t, h_t, act = check_step_cache(params, cache)
    dh_t = validate.array("dh_t", dh_t, h_t.shape, ("N", "H"))
    with np.errstate(over="ignore", invalid="ignore"):  # the callers check the results for overflow
        da_t = dh_t * act.df(a_t, h_t)  # ∂L/∂a_t = f′(a_t) ⊙ δ_t
        dh_prev = da_t @ params.W_s  # W_sᵀ ∂L/∂a_t for column vectors is (row) times W_s
        dx = da_t @ params.W_x
        dW_x = da_t.T @ x_t
        dW_s = da_t.T @ h_prev
        db_h = da_t.sum(axis=0)
    return dh_prev, dx, dW_x, dW_s, db_h


# --- the whole sequence ---------------------------------------------------------------------------


@dataclass
class ForwardPass:
    """Everything the forward pass computed, kept for the backward pass.

    The arrays are stored time-major, because the loops walk over time: ``x_tm`` (T, N, D),
    ``a_tm`` (T, N, H), ``h_tm`` (T+1, N, H) with ``h_tm[0]`` = h_0, ``o_tm`` and ``y_hat_tm``
    (T, N, O). With targets: ``d_tm`` (T, N, O), or (T, N) labels, ``mask_tm`` (T, N) (1.0 where a
    step carries a target), ``E_tm`` (T, N) the per-step losses and ``dO_tm`` (T, N, O) = ∂L/∂o_t.
    The properties ``x``, ``a``, ``h``, ... give batch-first views.
    BPTT must keep every h_t: memory grows like N·T·H (chapter 4).

    ``overflowed`` is True when some h_t, o_t or E_t exceeded float64 (the network exploded in
    the forward pass), and ``overflow_step`` is the first such step t (1-based); ``loss`` is then
    ``inf`` if a step that carries a target overflowed, and finite and exact otherwise.
    """

    x_tm: np.ndarray  # (T, N, D)
    a_tm: np.ndarray  # (T, N, H)
    h_tm: np.ndarray  # (T+1, N, H)
    o_tm: np.ndarray  # (T, N, O)
    y_hat_tm: np.ndarray  # (T, N, O)
    d_tm: np.ndarray | None  # (T, N, O) or (T, N) labels
    mask_tm: np.ndarray | None  # (T, N)
    E_tm: np.ndarray | None  # (T, N)
    dO_tm: np.ndarray | None  # (T, N, O)
    loss: float | None
    activation: Activation
    output: str
    loss_name: str
    h0_given: bool  # True when the caller passed h0 for this batch (state carried from a previous chunk)
    overflowed: bool = False  # some h_t, o_t or E_t exceeded float64: see overflow_step
    overflow_step: int | None = None  # the first step t (1-based) whose h_t, o_t or E_t is not finite

    @property
    def x(self) -> np.ndarray:
        """x, shape (N, T, D); ``x[:, t-1]`` is x_t."""
        return self.x_tm.transpose(1, 0, 2)

    @property
    def a(self) -> np.ndarray:
        """Pre-activations, shape (N, T, H); ``a[:, t-1]`` is a_t."""
        return self.a_tm.transpose(1, 0, 2)

    @property
    def h(self) -> np.ndarray:
        """Hidden states, shape (N, T+1, H); ``h[:, t]`` is h_t and ``h[:, 0]`` is h_0."""
        return self.h_tm.transpose(1, 0, 2)

    @property
    def o(self) -> np.ndarray:
        """Outputs before the read-out, shape (N, T, O)."""
        return self.o_tm.transpose(1, 0, 2)

    @property
    def y_hat(self) -> np.ndarray:
        """Predictions ŷ_t = g(o_t), shape (N, T, O)."""
        return self.y_hat_tm.transpose(1, 0, 2)

    @property
    def dO(self) -> np.ndarray:
        """∂L/∂o_t, shape (N, T, O) (zero at steps without a target); needs targets."""
        return self.targets_given().dO_tm.transpose(1, 0, 2)

    @property
    def step_losses(self) -> np.ndarray | None:
        """Per-step losses E_t, shape (N, T), at the steps that carry a target (0 elsewhere)."""
        if self.E_tm is None or self.mask_tm is None:
            return None
        return (self.E_tm * self.mask_tm).T

    @property
    def mask(self) -> np.ndarray | None:
        """Boolean (N, T): which steps carry a target."""
        return None if self.mask_tm is None else self.mask_tm.T.astype(bool)

    @property
    def N(self) -> int:
        return self.x_tm.shape[1]

    @property
    def T(self) -> int:
        return self.x_tm.shape[0]

    def targets_given(self) -> TargetsForwardPass:
        """This forward pass, checked to have been run with targets (so ``loss``, ``dO_tm``, ... are set)."""
        if self.dO_tm is None or self.d_tm is None or self.mask_tm is None or self.loss is None:
            raise ValueError("fp has no loss: call forward(params, x, d, ...) with targets d first")
        return cast(TargetsForwardPass, self)


class TargetsForwardPass(ForwardPass):
    """A :class:`ForwardPass` run with targets: for the type checker, its loss arrays are set."""

    d_tm: np.ndarray
    mask_tm: np.ndarray
    E_tm: np.ndarray
    dO_tm: np.ndarray
    loss: float


def validate_inputs(params: RNNParams, x, h0) -> tuple[np.ndarray, np.ndarray]:
    """``x`` as (N, T, D) floats and the initial states (N, H): ``h0`` if given, else ``params.h0``."""
    params = check_params("params", params)
    x = validate.array("x", x, (None, None, params.D), ("N", "T", "D"), source="D from params")
    N, T, _ = x.shape
    if N == 0 or T == 0:
        raise ValueError(f"x must have at least one sequence and one step; got shape {x.shape}")
    if h0 is None:
        h0_arr = np.broadcast_to(params.initial_state, (N, params.H))
    else:
        h0_arr = validate.array("h0", h0, (N, params.H), ("N", "H"), source="N from x, H from params")
    return x, h0_arr


def forward(
    params: RNNParams, x, d=None, *, activation="tanh", output="linear", loss_name="squared", targets="all", h0=None
) -> ForwardPass:
    """Run the RNN over a batch of sequences and, if targets are given, compute the loss.

    Implements a_t = W_s h_{t-1} + W_x x_t + b_h, h_t = f(a_t), o_t = W_y h_t + b_y,
    ŷ_t = g(o_t) (eq-ch3-model), L = (1/N) Σ_n Σ_t m_t E_t (eq-ch2-total-loss).

    Parameters
    ----------
    params : RNNParams
    x : ndarray, shape (N, T, D)
    d : ndarray, optional
        Targets; shape depends on ``loss_name`` and ``targets`` (see :func:`rnnlib.losses.prepare_targets`):
        (N, T, O) for squared error at every step, (N, O) for ``targets="last"``; integer labels
        (N, T) or (N,) for cross-entropy. Without ``d`` only the forward pass is run.
    activation : {"tanh", "sigmoid", "relu", "identity"}
    output : {"linear", "softmax"}
    loss_name : {"squared", "cross_entropy"}
    targets : "all", "last" or boolean mask (T,) or (N, T)
    h0 : ndarray, shape (N, H), optional
        Initial states for this batch (e.g. carried over from the previous chunk in truncated
        BPTT). Defaults to ``params.h0`` for every sequence.

    Returns
    -------
    ForwardPass
    """
    act = get_activation(activation)
    check_model(output, loss_name)
    x, h0_arr = validate_inputs(params, x, h0)
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
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported by fp.overflowed, not by warnings
        for t in range(T):
            np.matmul(h[t], W_s_T, out=rec)
            a[t] += rec  # a_t = W_s h_{t-1} + (W_x x_t + b_h)
            act.f(a[t], out=h[t + 1])  # h_t = f(a_t)

        o = np.matmul(h[1:].reshape(T * N, H), params.W_y.T).reshape(T, N, O)
        o += params.b_y
        y_hat = o if output == "linear" else stable_softmax(o.copy())

    fp = ForwardPass(x_tm, a, h, o, y_hat, None, None, None, None, None, act, output, loss_name, h0 is not None)
    if d is not None:
        fp.d_tm, fp.mask_tm = prepare_targets(d, targets, loss_name, N, T, O)
        fp.loss, fp.E_tm, fp.dO_tm = loss_and_grad(o, y_hat, fp.d_tm, fp.mask_tm, output, loss_name)
        if not np.isfinite(fp.loss):  # NaN only from inf − inf inside an overflowed pass: the loss is unbounded
            fp.loss = float("inf")
    _record_overflow(fp)
    return fp


def _record_overflow(fp: ForwardPass) -> None:
    """Set ``fp.overflowed`` and ``fp.overflow_step`` from h_t, o_t and E_t (one pass over each)."""
    bad = ~np.isfinite(fp.h_tm[1:]).all(axis=(1, 2)) | ~np.isfinite(fp.o_tm).all(axis=(1, 2))
    if fp.E_tm is not None:
        bad |= ~np.isfinite(fp.E_tm).all(axis=1)
    if bad.any():
        fp.overflowed = True
        fp.overflow_step = int(np.argmax(bad)) + 1


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
    loss : float
    """

    grads: RNNParams
    delta: np.ndarray
    da: np.ndarray
    loss: float

    @property
    def dh0(self) -> np.ndarray:
        """∂L/∂h_0 per sequence, shape (N, H)."""
        return self.delta[:, 0]


def check_forward_pass(params: RNNParams, fp, *, targets: bool = True) -> ForwardPass:
    """``fp`` checked to be a :class:`ForwardPass` of a network with the sizes of ``params``
    (and, with ``targets=True``, run with targets); ``params`` checked to be an :class:`RNNParams`."""
    params = check_params("params", params)
    if not isinstance(fp, ForwardPass):
        raise ValueError(f"fp must be the ForwardPass returned by forward(); got {type(fp).__name__}")
    if targets:
        fp = fp.targets_given()
    if fp.h_tm.shape[2] != params.H or fp.x_tm.shape[2] != params.D or fp.o_tm.shape[2] != params.O:
        raise ValueError(
            f"fp must come from a network of the sizes of params (D={params.D}, H={params.H}, O={params.O}); "
            f"got a forward pass with D={fp.x_tm.shape[2]}, H={fp.h_tm.shape[2]}, O={fp.o_tm.shape[2]}"
        )
    return fp


def _validate_backward(params: RNNParams, fp) -> TargetsForwardPass:
    return check_forward_pass(params, fp).targets_given()


def pack_gradients(params: RNNParams, dW_x, dW_s, dW_y, db_h, db_y, dh0, h0_given=False) -> RNNParams:
    """The gradients as an :class:`RNNParams` shaped like ``params``.

    ``dh0`` (N, H) is ∂L/∂h_0 per sequence. ``params.h0`` gets its sum over the batch only if it
    is trainable and was used: a forward pass given its own h0 (``h0_given``, e.g. a state carried
    over from the previous chunk) does not depend on ``params.h0``.
    """
    trainable = params.h0_mode == "trainable"
    g_h0 = (np.zeros(params.H) if h0_given else dh0.sum(axis=0)) if trainable else None
    return RNNParams(dW_x, dW_s, dW_y, db_h, db_y, h0=g_h0, h0_mode="trainable" if trainable else "zeros")


# --- the reference: the derivation as code (chapter 4 teaches this one) ----------------------------


def backward_reference(params: RNNParams, fp: ForwardPass) -> BPTTResult:
    """Full BPTT as chapter 3 derives it: the reversed loop over :func:`step_backward`.

    Walks t = T, ..., 1 and at each step forms

        δ_t = W_yᵀ ∂E_t/∂o_t + W_sᵀ (f′(a_{t+1}) ⊙ δ_{t+1})       (eq-ch3-delta-recursion)

    starting from δ_T = W_yᵀ ∂E_T/∂o_T (eq-ch3-delta-init: nothing arrives from a step T+1), then
    adds the step's terms of eq-ch3-weight-gradients. No buffers and no tricks: :func:`backward`
    computes the same result faster and is tested equal to this function.

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
    fp = _validate_backward(params, fp)
    N, T, H = fp.N, fp.T, params.H
    dW_x, dW_s, db_h = np.zeros_like(params.W_x), np.zeros_like(params.W_s), np.zeros_like(params.b_h)
    dW_y, db_y = np.zeros_like(params.W_y), np.zeros_like(params.b_y)
    delta = np.zeros((N, T + 1, H))  # delta[:, t] is δ_t
    da = np.zeros((N, T, H))  # da[:, t-1] is ∂L/∂a_t
    from_future = np.zeros((N, H))  # W_sᵀ (f′(a_{T+1}) ⊙ δ_{T+1}) = 0: there is no step T+1
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is checked below, not warned
        for t in range(T, 0, -1):
            dE_do_t = fp.dO[:, t - 1]  # ∂E_t/∂o_t, (N, O); zero where step t has no target
            delta_t = dE_do_t @ params.W_y + from_future  # eq-ch3-delta-recursion (row vectors)
            check_delta(delta_t[None], offset=t, loss=fp.loss)  # an exploding recursion is reported at its step
            cache = (fp.x[:, t - 1], fp.h[:, t - 1], fp.a[:, t - 1], fp.h[:, t], fp.activation)
            from_future, _, dW_x_t, dW_s_t, db_h_t = step_backward(params, delta_t, cache)
            dW_x += dW_x_t  # (f′(a_t) ⊙ δ_t) x_tᵀ
            dW_s += dW_s_t  # (f′(a_t) ⊙ δ_t) h_{t-1}ᵀ
            db_h += db_h_t  # f′(a_t) ⊙ δ_t
            dW_y += dE_do_t.T @ fp.h[:, t]  # (∂E_t/∂o_t) h_tᵀ
            db_y += dE_do_t.sum(axis=0)
            delta[:, t] = delta_t
            da[:, t - 1] = delta_t * fp.activation.df(fp.a[:, t - 1], fp.h[:, t])
        delta[:, 0] = from_future  # δ_0 = ∂L/∂h_0, the gradient of a trainable h_0
    check_delta(delta.transpose(1, 0, 2), loss=fp.loss)
    check_gradient_arrays(dW_x, dW_s, dW_y, db_h, db_y)
    grads = pack_gradients(params, dW_x, dW_s, dW_y, db_h, db_y, delta[:, 0], fp.h0_given)
    return BPTTResult(grads, delta, da, fp.loss)


def check_gradient_arrays(*arrays: np.ndarray, where: str = "") -> None:
    """Raise :class:`ExplodingGradientError` if a weight gradient (finite δ, huge states) overflowed."""
    if not all(np.all(np.isfinite(a)) for a in arrays):
        raise ExplodingGradientError(
            f"the weight gradients overflowed{where} (the sum over steps of δ-terms times states exceeds "
            f"float64): {REMEDY}"
        )


# --- the fast version: the same loop, with three changes -------------------------------------------


def sweep(
    W_s: np.ndarray,
    activation: Activation,
    a: np.ndarray,
    h: np.ndarray,
    dh_out: np.ndarray,
    *,
    carry_scale: np.ndarray | None = None,
    clip_delta: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The δ recursion (eq-ch3-delta-init, eq-ch3-delta-recursion) backwards over a window of n steps.

    The one backward kernel of rnnlib: :func:`backward` runs it over the whole sequence, truncated
    BPTT over each window (no gradient enters from beyond the window's end), and the clipping
    pitfall with ``clip_delta``. Time-major; the window covers steps s+1..s+n.

    Parameters
    ----------
    W_s : ndarray, shape (H, H)
    activation : Activation
    a : ndarray, shape (n, N, H)
        a_{s+1}, ..., a_{s+n}.
    h : ndarray, shape (n+1, N, H)
        h_s, ..., h_{s+n}.
    dh_out : ndarray, shape (n, N, H)
        W_yᵀ ∂E_t/∂o_t for those steps: what reaches h_t from the read-out.
    carry_scale : ndarray, shape (n,), optional
        Multiplies the message into h_{s+j} (j = 0..n-1): randomized truncation's compensation.
    clip_delta : callable, optional
        ``clip_delta(delta_t) -> delta_t`` applied to each δ_t (N, H) before it is used: the
        mistake of clipping inside the recursion (chapter 7). Not for real training.

    Returns
    -------
    delta : ndarray, shape (n+1, N, H)
        ``delta[j]`` is δ at h_{s+j}; ``delta[0]`` is the message into h_s (∂L/∂h_0 when s = 0).
    da : ndarray, shape (n, N, H)
        ∂L/∂a = f′(a) ⊙ δ for each step of the window.
    """
    n, N, H = a.shape
    delta = np.empty((n + 1, N, H))
    with np.errstate(over="ignore", invalid="ignore"):  # the callers check δ (check_delta): no warnings
        # Change 1: f′(a_t) for every step at once, from what the forward pass kept (1 − h_t² for tanh).
        da = activation.df(a, h[1:])
        from_future = np.zeros((N, H))
        for i in range(n - 1, -1, -1):
            # Change 2: every result is written into an array allocated once (out=, in place), no temporaries.
            delta_t = delta[i + 1]  # a view: δ_t is written straight into the result
            np.add(dh_out[i], from_future, out=delta_t)  # δ_t = W_yᵀ ∂E_t/∂o_t + W_sᵀ (f′(a_{t+1}) ⊙ δ_{t+1})
            if clip_delta is not None:
                delta_t[...] = clip_delta(delta_t)
            da[i] *= delta_t  # ∂L/∂a_t = f′(a_t) ⊙ δ_t
            np.matmul(da[i], W_s, out=from_future)  # W_sᵀ ∂L/∂a_t (row vectors times W_s)
            if carry_scale is not None:
                from_future *= carry_scale[i]
        delta[0] = from_future
        return delta, da


def weight_gradients(da: np.ndarray, h_prev: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """eq-ch3-weight-gradients for W_x, W_s, b_h: each sum over steps as one matrix product.

    Change 3 of :func:`backward`: instead of adding one step's terms at a time, flatten the
    (step, sequence) pairs into one axis; a product over that axis is the sum over time and batch.

    Parameters
    ----------
    da : ndarray, shape (n, N, H)
        ∂L/∂a_t for the steps.
    h_prev : ndarray, shape (n, N, H)
        h_{t-1} for the same steps (the state *before* each step).
    x : ndarray, shape (n, N, D)

    Returns
    -------
    dW_x (H, D), dW_s (H, H), db_h (H,)
    """
    n, N, H = da.shape
    da_flat, h_flat, x_flat = _reached_rows(da.reshape(n * N, H), h_prev.reshape(n * N, H), x.reshape(n * N, -1))
    with np.errstate(over="ignore", invalid="ignore"):  # the callers check for overflow
        dW_x = da_flat.T @ x_flat  # Σ_t (f′(a_t) ⊙ δ_t) x_tᵀ
        dW_s = da_flat.T @ h_flat  # Σ_t (f′(a_t) ⊙ δ_t) h_{t-1}ᵀ
        db_h = da_flat.sum(axis=0)
    return dW_x, dW_s, db_h


def _reached_rows(grad: np.ndarray, *states: np.ndarray) -> tuple[np.ndarray, ...]:
    """Drop the (step, sequence) rows that no gradient reaches when some state there overflowed.

    A row whose gradient is exactly zero contributes exactly zero, but 0 · inf would make it NaN
    (an overflowed forward pass past the last target). Only then are rows dropped; finite inputs
    pass through untouched, so the usual case costs one finiteness test.
    """
    if all(np.isfinite(s).all() for s in states):
        return (grad, *states)
    keep = np.any(grad != 0, axis=1)
    return (grad[keep], *(s[keep] for s in states))


def output_gradients(dO: np.ndarray, h: np.ndarray, W_y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The read-out's part: dL/dW_y, dL/db_y and W_yᵀ ∂E_t/∂o_t for every step at once.

    Parameters
    ----------
    dO : ndarray, shape (n, N, O)
        ∂E_t/∂o_t (time-major, ``fp.dO_tm``).
    h : ndarray, shape (n, N, H)
        h_t for the same steps.
    W_y : ndarray, shape (O, H)

    Returns
    -------
    dW_y (O, H), db_y (O,), dh_out (n, N, H)
    """
    n, N, O = dO.shape
    dO_flat = dO.reshape(n * N, O)
    with np.errstate(over="ignore", invalid="ignore"):  # the callers check for overflow
        dO_reached, h_reached = _reached_rows(dO_flat, h.reshape(n * N, -1))
        dW_y = dO_reached.T @ h_reached  # Σ_t (∂E_t/∂o_t) h_tᵀ
        db_y = dO_flat.sum(axis=0)
        dh_out = np.matmul(dO_flat, W_y).reshape(n, N, -1)  # W_yᵀ ∂E_t/∂o_t, the read-out's share of δ_t
    return dW_y, db_y, dh_out


def backward(
    params: RNNParams, fp: ForwardPass, *, clip_delta: Callable[[np.ndarray], np.ndarray] | None = None
) -> BPTTResult:
    """Full BPTT, fast: :func:`backward_reference`'s loop with three changes (chapter 4).

    The read-out's terms for all steps at once (:func:`output_gradients`), the δ recursion of
    eq-ch3-delta-recursion (:func:`sweep`), then eq-ch3-weight-gradients as single products
    (:func:`weight_gradients`). Equal to :func:`backward_reference` to rounding.

    Parameters
    ----------
    params : RNNParams
        The parameters the forward pass used.
    fp : ForwardPass
        From :func:`forward` called with targets ``d``.
    clip_delta : callable, optional
        Passed to :func:`sweep`: only for the chapter-7 pitfall
        (:func:`rnnlib.cliff.backward_with_per_step_clipping`); with it the result is not the gradient.

    Returns
    -------
    BPTTResult
        ``grads`` (same shapes as ``params``), ``delta`` (N, T+1, H), ``da`` (N, T, H).
    """
    fp = _validate_backward(params, fp)
    validate.callable_or_none("clip_delta", clip_delta)
    dW_y, db_y, dh_out = output_gradients(fp.dO_tm, fp.h_tm[1:], params.W_y)
    delta, da = sweep(params.W_s, fp.activation, fp.a_tm, fp.h_tm, dh_out, clip_delta=clip_delta)
    check_delta(delta, loss=fp.loss)
    dW_x, dW_s, db_h = weight_gradients(da, fp.h_tm[:-1], fp.x_tm)
    check_gradient_arrays(dW_x, dW_s, dW_y, db_h, db_y)
    grads = pack_gradients(params, dW_x, dW_s, dW_y, db_h, db_y, delta[0], fp.h0_given)
    return BPTTResult(grads, delta.transpose(1, 0, 2), da.transpose(1, 0, 2), fp.loss)


def loss_and_gradients(params: RNNParams, x, d, **model) -> tuple[float, RNNParams]:
    """Forward pass and full BPTT in one call: returns ``(L, grads)``.

    ``model`` takes the keyword arguments of :func:`forward` (activation, output, loss_name,
    targets, h0).
    """
    _require_targets(d)
    fp = forward(params, x, d, **model).targets_given()
    return fp.loss, backward(params, fp).grads


def loss(params: RNNParams, x, d, **model) -> float:
    """The loss L alone (what finite differences perturb); ``d`` is required. ``inf`` if the pass overflowed."""
    _require_targets(d)
    return forward(params, x, d, **model).targets_given().loss


def _require_targets(d) -> None:
    if d is None:
        raise ValueError("d must be the targets (an array, as for forward); got None")
