"""Truncated BPTT over a long stream: the k1/k2 scheme and randomized truncation (chapter 5).

TBPTT(k1, k2) (Williams & Peng 1990; Sutskever 2013): run forward over the stream;
every k1 steps, take the losses of the last k1 steps and back-propagate them k2
steps, treating the state that enters the window, h_{t-k2}, as a constant. The
state itself is carried forward (never reset), only the gradient is cut.

- k1 = k2 = k is the usual chunking of character-level RNN code: each loss is
  back-propagated to the start of its chunk.
- k1 = T, k2 ≥ T is full BPTT.

Each update back-propagates min(k2, t) steps, so a stream of T steps costs about
T·k2/k1 backward steps (plus T forward steps), not T·k2.

Randomized truncation (Tallec & Ollivier 2017): the window length is k2 + G with
G geometric, P(G ≥ j) = (1 − c)^j. A term that reaches j steps beyond k2 survives
with probability (1 − c)^j and is multiplied by (1 − c)^(−j), so the expected
gradient is the full gradient (unbiased), at the price of variance.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _validate as check
from .activations import get_activation
from .losses import check_model, prepare_targets
from .params import RNNParams
from .clipping import cosine, global_norm
from .rnn import _check_inputs, _gradients, _sweep, _weight_grads, backward, forward


@dataclass
class Update:
    """One update of truncated BPTT: losses of steps ``loss_start+1..t`` back-propagated to step ``start+1``.

    Step numbers are 1-based as in the course: the update at time t covers losses
    E_{loss_start+1} … E_t and back-propagates through h_t … h_{start+1}; h_start is held fixed.
    """

    t: int
    loss_start: int
    start: int
    loss: float
    grads: RNNParams

    @property
    def window(self) -> int:
        """How many steps this update back-propagated through."""
        return self.t - self.start


@dataclass
class TruncatedResult:
    """Loss and gradient of truncated BPTT summed over all updates (parameters held fixed unless trained).

    Attributes
    ----------
    loss : float
        L summed over the stream (equal to the full-BPTT loss when no update changed the parameters).
    grads : RNNParams
        Sum of the updates' gradients.
    updates : list of Update
        Per-update records (when ``keep_updates=True``).
    backward_steps : int
        Total number of steps the backward sweeps ran through: about T·k2/k1.
    h_last : ndarray (N, H)
        The state after the last step, to carry into the next stream.
    """

    loss: float
    grads: RNNParams
    backward_steps: int
    h_last: np.ndarray
    params: RNNParams
    updates: list = field(default_factory=list)


def _check_k(k1, k2, T):
    k1 = check.positive_int("k1", k1)
    k2 = check.positive_int("k2", k2)
    if k1 > T:
        raise ValueError(f"k1 must be between 1 and T = {T} (the stream length); got k1 = {k1}")
    if k2 < k1:
        raise ValueError(f"k2 must be >= k1 = {k1} (each loss is back-propagated at least once); got k2 = {k2}")
    return k1, k2


MODEL_KEYS = ("activation", "output", "loss", "targets")


def _run(params, x, d, k1, k2, model, h0, window_length, carry_scales, on_update, keep_updates):
    unknown = sorted(set(model) - set(MODEL_KEYS))
    if unknown:
        raise ValueError(f"unknown keyword argument(s) {unknown}; the model takes {list(MODEL_KEYS)}")
    act = get_activation(model.get("activation", "tanh"))
    output, loss_name = model.get("output", "linear"), model.get("loss", "squared")
    check_model(output, loss_name)
    x, h0_arr = _check_inputs(params, x, h0)
    N, T, D = x.shape
    k1, k2 = _check_k(k1, k2, T)
    d_tm, mask_tm = prepare_targets(d, model.get("targets", "all"), loss_name, N, T, params.O)
    mask_nt = mask_tm.T.astype(bool)
    d_nt = d_tm.transpose(1, 0, 2) if loss_name == "squared" else d_tm.T

    H = params.H
    a = np.empty((T, N, H))
    h = np.empty((T + 1, N, H))
    h[0] = h0_arr
    x_tm = np.ascontiguousarray(x.transpose(1, 0, 2))
    dA = np.empty((T, N, H))
    total = params.zeros_like()
    total_loss, backward_steps, updates = 0.0, 0, []

    ends = list(range(k1, T + 1, k1))
    if ends[-1] != T:
        ends.append(T)  # the last, shorter group of losses
    loss_start = 0
    for t in ends:
        # Forward over the new steps loss_start+1..t with the current parameters, from the carried state.
        fp = forward(params, x[:, loss_start:t], d_nt[:, loss_start:t], activation=act, output=output,
                     loss=loss_name, targets=mask_nt[:, loss_start:t], h0=h[loss_start])
        a[loss_start:t] = fp._a
        h[loss_start + 1:t + 1] = fp._h[1:]
        total_loss += fp.loss

        # Backward over the window of the last K steps; h_start is held fixed.
        K = window_length(t)
        start = max(0, t - K)
        n = t - start
        dh_out = np.zeros((n, N, H))
        dh_out[loss_start - start:] = np.matmul(fp._dO, params.W_y)
        scale = carry_scales(t, start) if carry_scales is not None else None
        dh_start = _sweep(params.W_s, act, a[start:t], h[start:t + 1], dh_out, 0, n, carry_scale=scale,
                          dA=dA[start:t])
        backward_steps += n
        dW_x, dW_s, db_h = _weight_grads(dA, h[:-1], x_tm, start, t)
        dO_flat = fp._dO.reshape(-1, params.O)
        dW_y = dO_flat.T @ fp._h[1:].reshape(-1, H)
        db_y = dO_flat.sum(axis=0)
        dh0 = dh_start if start == 0 else np.zeros((N, H))  # gradient reaches h_0 only if the window does
        g = _gradients(params, dW_x, dW_s, dW_y, db_h, db_y, dh0, h0_given=h0 is not None)
        for name in total.names():
            getattr(total, name)[...] += getattr(g, name)
        update = Update(t, loss_start, start, fp.loss, g)
        if keep_updates:
            updates.append(update)
        if on_update is not None:
            new = on_update(params, update)
            if new is not None:
                params = new
        loss_start = t
    return TruncatedResult(total_loss, total, backward_steps, h[T].copy(), params, updates)


def truncated_bptt(params: RNNParams, x, d, k1, k2, *, h0=None, keep_updates=False, on_update=None,
                   **model) -> TruncatedResult:
    """Truncated BPTT(k1, k2) over a stream (chapter 5, eq. tbptt).

    Parameters
    ----------
    params : RNNParams
    x : ndarray, shape (N, T, D)
        The stream (N independent streams of T steps).
    d : ndarray
        Targets, as for :func:`rnnlib.forward`.
    k1 : int, 1 <= k1 <= T
        An update every k1 steps, covering the losses of those k1 steps.
    k2 : int, k2 >= k1
        How many steps each update back-propagates (capped at the stream's start). Every update,
        the last, shorter one too when k1 does not divide T, reaches back min(k2, t) steps: with
        k1 = k2 = k and T not a multiple of k, the last losses are back-propagated k steps, into
        the previous chunk, unlike a loop that cuts the stream into chunks.
    h0 : ndarray (N, H), optional
        State carried in from a previous stream.
    keep_updates : bool
        Keep each update's gradient in ``result.updates``.
    on_update : callable, optional
        ``on_update(params, update)`` is called after each update (an :class:`Update`: its time
        ``t``, window ``loss`` and ``grads``) and may return new
        parameters, used from the next step on (online training). With ``None`` the
        parameters stay fixed and ``result.grads`` is the truncated gradient of the stream.
    **model
        activation, output, loss, targets, as for :func:`rnnlib.forward`.

    Returns
    -------
    TruncatedResult
    """
    return _run(params, x, d, k1, k2, model, h0, lambda t: k2, None, on_update, keep_updates)


def randomized_truncated_bptt(params: RNNParams, x, d, k1, k2, c, rng, *, h0=None, keep_updates=False,
                              **model) -> TruncatedResult:
    """Randomized truncation with compensation (Tallec & Ollivier 2017), unbiased in expectation.

    Each update's window is k2 + G steps with G ~ Geometric: P(G ≥ j) = (1 − c)^j. While
    back-propagating beyond k2 steps the message into each earlier state is multiplied by
    1/(1 − c), compensating the probability that the window reached it, so that
    E[result.grads] is the full-BPTT gradient. Smaller c: longer windows, less variance, more cost.

    Parameters
    ----------
    c : float in (0, 1)
        Per-step probability of truncating beyond k2.
    rng : int or numpy.random.Generator
    Other parameters as in :func:`truncated_bptt`.
    """
    c = check.real("c", c, minimum=0.0, maximum=1.0, strict_minimum=True, strict_maximum=True)
    rng = check.generator("rng", rng)

    def window_length(t):
        return k2 + int(rng.geometric(c)) - 1

    def carry_scales(t, start):
        # Message into state i (i = start..t-1): factor 1/(1-c) when step i lies beyond k2 of the
        # window's end (i <= t - k2), so that the term reaching step i has weight 1/P(window reaches i).
        # The message into h_0 gets no extra factor: it comes from step 1, already weighted.
        i = np.arange(start, t)
        return np.where((i <= t - k2) & (i >= 1), 1.0 / (1.0 - c), 1.0)

    return _run(params, x, d, k1, k2, model, h0, window_length, carry_scales, None, keep_updates)


# --- how biased truncation is (chapter 5) -------------------------------------------------------------

def relative_gradient_error(grads: RNNParams, reference: RNNParams) -> float:
    """‖g − g_ref‖ / ‖g_ref‖ over all trainable parameters taken together (chapter 5).

    The bias of a truncated gradient g when ``reference`` is the full-BPTT gradient: 0 when the
    two agree, 1 when g is zero, and above 1 when g points elsewhere.

    Parameters
    ----------
    grads, reference : RNNParams
        Gradients with the same parameter names and shapes.
    """
    for name, value in (("grads", grads), ("reference", reference)):
        if not isinstance(value, RNNParams):
            raise ValueError(f"{name} must be an RNNParams of gradients; got {type(value).__name__}")
    if grads.names() != reference.names():
        raise ValueError(f"grads and reference must hold the same parameters; got {grads.names()} "
                         f"and {reference.names()}")
    ref_norm = global_norm(reference)
    if ref_norm == 0:
        raise ValueError("reference must be a non-zero gradient; got a zero gradient")
    diff2 = 0.0
    for name in reference.names():
        a, b = getattr(grads, name), getattr(reference, name)
        if a.shape != b.shape:
            raise ValueError(f"grads.{name} has shape {a.shape} but reference.{name} has shape {b.shape}")
        diff2 += float(np.sum((a - b) ** 2))
    return float(np.sqrt(diff2) / ref_norm)


def bias_by_k2(params: RNNParams, x, d, k2_values, *, k1=1, full=None, **model):
    """How far truncated BPTT(k1, k2) is from full BPTT, for each k2 (chapter 5, eq. eq-ch5-tbptt).

    Parameters
    ----------
    params : RNNParams
    x : ndarray, shape (N, T, D)
    d : ndarray
        Targets, as for :func:`rnnlib.forward`.
    k2_values : sequence of int, each >= k1
    k1 : int
        Steps between updates; with the default k1 = 1 every loss E_t is back-propagated
        exactly min(k2, t) steps.
    full : RNNParams, optional
        The full-BPTT gradient, if already computed.
    **model
        activation, output, loss, targets, as for :func:`rnnlib.forward`.

    Returns
    -------
    errors : ndarray, shape (len(k2_values),)
        ‖g_trunc − g_full‖ / ‖g_full‖ (:func:`relative_gradient_error`).
    cosines : ndarray, shape (len(k2_values),)
        cos∠(g_trunc, g_full).
    """
    if full is None:
        full = backward(params, forward(params, x, d, **model)).grads
    errors, cosines = [], []
    for k2 in k2_values:
        g = truncated_bptt(params, x, d, k1, int(k2), **model).grads
        errors.append(relative_gradient_error(g, full))
        cosines.append(cosine(g, full))
    return np.array(errors), np.array(cosines)
