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

Overflow is reported as in :mod:`rnnlib.rnn`: an update whose δ overflows raises
:class:`rnnlib.ExplodingGradientError` naming the step of the stream; a chunk whose forward pass
overflowed at a step that carries a target makes that update's loss (and the total) ``inf``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import gated, validate
from .activations import get_activation
from .losses import check_model, prepare_targets
from .params import RNNParams, check_params, cosine, relative_gradient_error
from .rnn import (
    backward,
    check_delta,
    check_gradient_arrays,
    forward,
    output_gradients,
    pack_gradients,
    sweep,
    validate_inputs,
    weight_gradients,
)


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
    k1 = validate.positive_int("k1", k1)
    k2 = validate.positive_int("k2", k2)
    if k1 > T:
        raise ValueError(f"k1 must be between 1 and T = {T} (the stream length); got k1 = {k1}")
    if k2 < k1:
        raise ValueError(f"k2 must be >= k1 = {k1} (each loss is back-propagated at least once); got k2 = {k2}")
    return k1, k2


MODEL_KEYS = ("activation", "output", "loss_name", "targets")


def _apply_update(params, update, updates, keep_updates, on_update):
    """Record ``update`` and hand it to ``on_update``; returns the parameters for the next steps."""
    if keep_updates:
        updates.append(update)
    if on_update is not None:
        new = on_update(params, update)
        if new is not None:
            return check_params("the value returned by on_update", new, like=params)
    return params


def _run(params, x, d, k1, k2, model, h0, window_length, carry_scales, on_update, keep_updates):
    unknown = sorted(set(model) - set(MODEL_KEYS))
    if unknown:
        raise ValueError(f"unknown keyword argument(s) {unknown}; the model takes {list(MODEL_KEYS)}")
    act = get_activation(model.get("activation", "tanh"))
    output, loss_name = model.get("output", "linear"), model.get("loss_name", "squared")
    check_model(output, loss_name)
    x, h0_arr = validate_inputs(params, x, h0)
    validate.boolean("keep_updates", keep_updates)
    validate.callable_or_none("on_update", on_update)
    if d is None:
        raise ValueError("d must be the targets (an array, as for forward); got None")
    N, T, D = x.shape
    k1, k2 = _check_k(k1, k2, T)
    d_tm, mask_tm = prepare_targets(d, model.get("targets", "all"), loss_name, N, T, params.O)
    mask_nt = mask_tm.T.astype(bool)
    d_nt = d_tm.transpose(1, 0, 2) if loss_name == "squared" else d_tm.T

    H = params.H
    a = np.empty((T, N, H))  # a_t and h_t of the whole stream, filled in as the forward pass goes
    h = np.empty((T + 1, N, H))
    h[0] = h0_arr
    x_tm = np.ascontiguousarray(x.transpose(1, 0, 2))
    total = params.zeros_like()
    total_loss, backward_steps, updates = 0.0, 0, []

    ends = list(range(k1, T + 1, k1))
    if ends[-1] != T:
        ends.append(T)  # the last, shorter group of losses
    loss_start = 0
    for t in ends:
        # Forward over the new steps loss_start+1..t with the current parameters, from the carried state.
        fp = forward(
            params,
            x[:, loss_start:t],
            d_nt[:, loss_start:t],
            activation=act,
            output=output,
            loss_name=loss_name,
            targets=mask_nt[:, loss_start:t],
            h0=h[loss_start],
        ).targets_given()
        a[loss_start:t] = fp.a_tm
        h[loss_start + 1 : t + 1] = fp.h_tm[1:]
        total_loss += fp.loss

        # Backward over the window of the last K steps, start+1..t; h_start is held fixed.
        start = max(0, t - window_length(t))
        dW_y, db_y, dh_new = output_gradients(fp.dO_tm, fp.h_tm[1:], params.W_y)
        dh_out = np.zeros((t - start, N, H))  # no loss of the window's earlier steps is in this update
        dh_out[loss_start - start :] = dh_new
        scale = carry_scales(t, start) if carry_scales is not None else None
        delta, da = sweep(params.W_s, act, a[start:t], h[start : t + 1], dh_out, carry_scale=scale)
        check_delta(delta, offset=start, loss=fp.loss)  # delta[j] is δ at step start + j of the stream
        backward_steps += t - start
        dW_x, dW_s, db_h = weight_gradients(da, h[start:t], x_tm[start:t])
        check_gradient_arrays(dW_x, dW_s, dW_y, db_h, db_y, where=f" in the update of steps {start + 1}..{t}")
        dh0 = delta[0] if start == 0 else np.zeros((N, H))  # gradient reaches h_0 only if the window does
        g = pack_gradients(params, dW_x, dW_s, dW_y, db_h, db_y, dh0, h0_given=h0 is not None)
        total = total + g
        params = _apply_update(params, Update(t, loss_start, start, fp.loss, g), updates, keep_updates, on_update)
        loss_start = t
    return TruncatedResult(total_loss, total, backward_steps, h[T].copy(), params, updates)


def truncated_bptt(
    params: RNNParams, x, d, k1, k2, *, h0=None, keep_updates=False, on_update=None, **model
) -> TruncatedResult:
    """Truncated BPTT(k1, k2) over a stream (chapter 5, eq-ch5-tbptt).

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
        activation, output, loss_name, targets, as for :func:`rnnlib.forward`.

    Returns
    -------
    TruncatedResult

    A :class:`rnnlib.gated.GatedParams` (LSTM, GRU) is truncated the same way (:func:`_run_gated`):
    each update re-runs its window forward from the stored state at its start and back-propagates
    through it with :func:`rnnlib.gated.backward`; for the LSTM, h0 carries h and c0 = ``c0``.
    """
    if isinstance(params, gated.GatedParams):
        return _run_gated(params, x, d, k1, k2, model, h0, model.pop("c0", None), on_update, keep_updates)
    return _run(params, x, d, k1, k2, model, h0, lambda t: k2, None, on_update, keep_updates)


def _run_gated(params, x, d, k1, k2, model, h0, c0, on_update, keep_updates):
    unknown = sorted(set(model) - {"output", "loss_name", "targets"})
    if unknown:
        raise ValueError(
            f"unknown keyword argument(s) {unknown} for cell={params.cell!r}; it takes output, loss_name, targets"
        )
    output, loss_name = model.get("output", "linear"), model.get("loss_name", "squared")
    check_model(output, loss_name)
    x = validate.array("x", x, (None, None, params.D), ("N", "T", "D"))
    N, T, _ = x.shape
    k1, k2 = _check_k(k1, k2, T)
    d_tm, mask_tm = prepare_targets(d, model.get("targets", "all"), loss_name, N, T, params.O)
    mask_nt = mask_tm.T.astype(bool)
    d_nt = d_tm.transpose(1, 0, 2) if loss_name == "squared" else d_tm.T
    lstm = params.cell == "lstm"
    # The states of the stream, h_t (and c_t), filled in as the forward pass goes.
    h = np.empty((T + 1, N, params.H))
    h[0] = params.initial_state if h0 is None else validate.array("h0", h0, (N, params.H), ("N", "H"))
    c = np.empty((T + 1, N, params.H)) if lstm else None
    if c is not None:
        c[0] = params.initial_cell if c0 is None else validate.array("c0", c0, (N, params.H), ("N", "H"))
    total = params.zeros_like()
    total_loss, backward_steps, updates = 0.0, 0, []
    ends = list(range(k1, T + 1, k1))
    if ends[-1] != T:
        ends.append(T)
    loss_start = 0
    for t in ends:
        start = max(0, t - k2)
        window_mask = np.zeros((N, t - start), dtype=bool)  # only the new losses, steps loss_start+1..t
        window_mask[:, loss_start - start :] = mask_nt[:, loss_start:t]
        from_params = start == 0 and h0 is None and c0 is None  # the window reaches params' own initial state
        fp = gated.forward(
            params,
            x[:, start:t],
            d_nt[:, start:t],
            output=output,
            loss_name=loss_name,
            targets=window_mask,
            h0=None if from_params else h[start],
            c0=None if from_params or c is None else c[start],
        )
        h[loss_start + 1 : t + 1] = fp.h_tm[loss_start - start + 1 :]
        if c is not None and fp.c_tm is not None:
            c[loss_start + 1 : t + 1] = fp.c_tm[loss_start - start + 1 :]
        g = gated.backward(params, fp).grads
        assert fp.loss is not None
        total_loss += fp.loss
        backward_steps += t - start
        total = total + g
        params = _apply_update(params, Update(t, loss_start, start, fp.loss, g), updates, keep_updates, on_update)
        loss_start = t
    return TruncatedResult(total_loss, total, backward_steps, h[T].copy(), params, updates)


def randomized_truncated_bptt(
    params: RNNParams, x, d, k1, k2, c, rng, *, h0=None, keep_updates=False, on_update=None, **model
) -> TruncatedResult:
    """Randomized truncation with compensation (Tallec & Ollivier 2017), unbiased in expectation (eq-ch5-unbiased).

    Each update's window is k2 + G steps with G ~ Geometric: P(G ≥ j) = (1 − c)^j. While
    back-propagating beyond k2 steps the message into each earlier state is multiplied by
    1/(1 − c), compensating the probability that the window reached it, so that
    E[result.grads] is the full-BPTT gradient. Smaller c: longer windows, less variance, more cost.

    Parameters
    ----------
    c : float in (0, 1)
        Per-step probability of truncating beyond k2.
    rng : int or numpy.random.Generator
    on_update : callable, optional
        As in :func:`truncated_bptt` (online training with random windows).
    Other parameters as in :func:`truncated_bptt`. The expected window is k2 − 1 + 1/c steps.
    """
    if isinstance(params, gated.GatedParams):
        raise ValueError(f"params must be a vanilla RNNParams for randomized truncation; got cell={params.cell!r}")
    c = validate.real("c", c, minimum=0.0, maximum=1.0, strict_minimum=True, strict_maximum=True)
    rng = validate.generator("rng", rng)

    def window_length(t):
        return k2 + int(rng.geometric(c)) - 1

    def carry_scales(t, start):
        # Message into state i (i = start..t-1): factor 1/(1-c) when step i lies beyond k2 of the
        # window's end (i <= t - k2), so that the term reaching step i has weight 1/P(window reaches i).
        # The message into h_0 gets no extra factor: it comes from step 1, already weighted.
        i = np.arange(start, t)
        return np.where((i <= t - k2) & (i >= 1), 1.0 / (1.0 - c), 1.0)

    return _run(params, x, d, k1, k2, model, h0, window_length, carry_scales, on_update, keep_updates)


# --- how biased truncation is (chapter 5) -------------------------------------------------------------


def bias_by_k2(params: RNNParams, x, d, k2_values, *, k1=1, full=None, **model):
    """How far truncated BPTT(k1, k2) is from full BPTT, for each k2 (chapter 5, eq-ch5-tbptt).

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
        activation, output, loss_name, targets, as for :func:`rnnlib.forward`.

    Returns
    -------
    errors : ndarray, shape (len(k2_values),)
        ‖g_trunc − g_full‖ / ‖g_full‖ (:func:`rnnlib.params.relative_gradient_error`).
    cosines : ndarray, shape (len(k2_values),)
        cos∠(g_trunc, g_full).
    """
    k2_list = _k2_values(k2_values)
    if full is None:
        full = backward(params, forward(params, x, d, **model)).grads
    else:
        check_params("full", full, like=check_params("params", params), what="the full-BPTT gradient, an RNNParams")
    errors, cosines = [], []
    for k2 in k2_list:
        g = truncated_bptt(params, x, d, k1, k2, **model).grads
        errors.append(relative_gradient_error(g, full))
        cosines.append(cosine(g, full))
    return np.array(errors), np.array(cosines)


def _k2_values(k2_values) -> list[int]:
    """``k2_values`` as a non-empty list of integers (not booleans, not strings, not 2.7 rounded to 2)."""
    if isinstance(k2_values, (str, bytes)) or not hasattr(k2_values, "__iter__"):
        raise ValueError(f"k2_values must be a non-empty sequence of integers; got {k2_values!r}")
    values = list(k2_values)
    if not values:
        raise ValueError("k2_values must be a non-empty sequence of integers; got an empty one")
    return [validate.positive_int(f"k2_values[{i}]", v) for i, v in enumerate(values)]
