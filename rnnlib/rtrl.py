"""Real-time recurrent learning (Williams & Zipser 1989) for the vanilla cell (chapter 4).

RTRL runs chapter 3's total-derivative recursion forwards in time. With θ the recurrent
parameters (W_x, W_s, b_h, and h_0 when trainable), the sensitivity P_t = dh_t/dθ obeys

    P_t = diag(f′(a_t)) (W_s P_{t-1} + ∂⁺a_t/∂θ),   P_0 = dh_0/dθ           (eq-ch4-rtrl)

where ∂⁺a_t/∂W_s[i, j] = e_i h_{t-1, j}, ∂⁺a_t/∂W_x[i, j] = e_i x_{t, j}, ∂⁺a_t/∂b_h = I: the
immediate derivatives of chapter 3, and W_s P_{t-1} the implicit part. The gradient of step t's
loss is then available at step t,

    dE_t/dθ = (W_yᵀ ∂E_t/∂o_t)ᵀ P_t,

without storing the past: memory is P_t, O(H · (H² + H D + H)) = O(H³) numbers per sequence,
independent of T, but each step costs O(H⁴) for the W_s block (an H×H matrix times H×H² numbers).
BPTT stores the T states (O(T·H)) and costs O(H²) per step. Summed over t, RTRL's gradients equal
BPTT's (tests/test_rtrl.py).

Shapes: N batch, T time, D input, H hidden, O output.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from . import validate
from .activations import get_activation
from .losses import check_model, loss_and_grad, prepare_targets, readout
from .params import RNNParams
from .rnn import validate_inputs


@dataclass
class RTRLStep:
    """What RTRL knows after step t: the step's loss E_t and its gradient dE_t/dθ (an RNNParams)."""

    t: int
    loss: float
    grads: RNNParams
    h: np.ndarray  # h_t, (N, H)


def rtrl_steps(
    params: RNNParams, x, d, *, activation="tanh", output="linear", loss_name="squared", targets="all", h0=None
) -> Iterator[RTRLStep]:
    """RTRL online: yields, at each step t = 1..T, E_t and dE_t/dθ (eq-ch4-rtrl), keeping only h_{t-1} and P_{t-1}.

    Parameters as for :func:`rnnlib.forward`; ``d`` and ``targets`` in the same layouts (the
    per-step loss is (1/N) Σ_n m_{n,t} E_{n,t}, so the yielded losses sum to L).
    """
    act = get_activation(activation)
    check_model(output, loss_name)
    x, h0_arr = validate_inputs(params, x, h0)
    N, T, D = x.shape
    H = params.H
    d_tm, mask_tm = prepare_targets(d, targets, loss_name, N, T, params.O)
    trainable_h0 = params.h0_mode == "trainable" and h0 is None
    # Sensitivities of h_t, one block per parameter: P_Wx[n, i, k, j] = dh_{t,i}/dW_x[k, j], ...
    P_Wx = np.zeros((N, H, H, D))
    P_Ws = np.zeros((N, H, H, H))
    P_b = np.zeros((N, H, H))
    P_h0 = np.broadcast_to(np.eye(H), (N, H, H)).copy() if trainable_h0 else None  # dh_0/dh_0 = I
    eye = np.eye(H)
    h_prev = np.array(h0_arr)
    for t in range(T):
        x_t = x[:, t]
        a_t = h_prev @ params.W_s.T + x_t @ params.W_x.T + params.b_h
        h_t = act.f(a_t)
        fprime = act.df(a_t, h_t)[:, :, None]  # (N, H, 1): the rows of diag(f′(a_t))
        # eq-ch4-rtrl, implicit part W_s P_{t-1} (contract over the previous state's index), then immediate.
        P_Ws = np.einsum("im,nmkj->nikj", params.W_s, P_Ws)
        P_Ws += eye[None, :, :, None] * h_prev[:, None, None, :]  # ∂⁺a_t/∂W_s[k, j] = e_k h_{t-1, j}
        P_Ws *= fprime[..., None]
        P_Wx = np.einsum("im,nmkj->nikj", params.W_s, P_Wx)
        P_Wx += eye[None, :, :, None] * x_t[:, None, None, :]
        P_Wx *= fprime[..., None]
        P_b = (np.einsum("im,nmk->nik", params.W_s, P_b) + eye) * fprime
        if P_h0 is not None:
            P_h0 = np.einsum("im,nmk->nik", params.W_s, P_h0) * fprime

        o_t = h_t @ params.W_y.T + params.b_y
        y_t = readout(o_t, output)
        E_t, _, dO = loss_and_grad(o_t[None], y_t[None], d_tm[t : t + 1], mask_tm[t : t + 1], output, loss_name)
        dO_t = dO[0]  # ∂E_t/∂o_t, (N, O), the 1/N and the mask included
        dh = dO_t @ params.W_y  # W_yᵀ ∂E_t/∂o_t
        grads = params.zeros_like()
        grads.W_x = np.einsum("ni,nikj->kj", dh, P_Wx)
        grads.W_s = np.einsum("ni,nikj->kj", dh, P_Ws)
        grads.b_h = np.einsum("ni,nik->k", dh, P_b)
        grads.W_y = dO_t.T @ h_t
        grads.b_y = dO_t.sum(axis=0)
        if P_h0 is not None:
            grads.h0 = np.einsum("ni,nik->k", dh, P_h0)
        yield RTRLStep(t + 1, E_t, grads, h_t)
        h_prev = h_t


@dataclass
class RTRLResult:
    """RTRL's loss and gradient summed over the steps (equal to full BPTT's), and the last state."""

    loss: float
    grads: RNNParams
    h_last: np.ndarray


def rtrl(params: RNNParams, x, d, **model) -> RTRLResult:
    """Real-time recurrent learning (Williams & Zipser 1989): L and dL/dθ = Σ_t dE_t/dθ, run forwards.

    The same gradient as :func:`rnnlib.backward` (to rounding), computed by carrying the
    sensitivity tensor dh_t/dθ forward (:func:`rtrl_steps`, eq-ch4-rtrl) instead of storing the
    trajectory and sweeping back.

    Parameters
    ----------
    params : RNNParams
    x : ndarray, shape (N, T, D)
    d : ndarray
        Targets, as for :func:`rnnlib.forward`.
    **model
        activation, output, loss_name, targets, h0, as for :func:`rnnlib.forward`.
    """
    if not isinstance(params, RNNParams) or type(params) is not RNNParams:
        raise ValueError(f"params must be an RNNParams of the vanilla cell; got {type(params).__name__}")
    total, loss_value, h_last = params.zeros_like(), 0.0, None
    for step in rtrl_steps(params, x, d, **model):
        total = total + step.grads
        loss_value += step.loss
        h_last = step.h
    assert h_last is not None  # x has at least one step (validated)
    return RTRLResult(loss_value, total, h_last)


def rtrl_memory(H, D, *, N=1) -> int:
    """Numbers RTRL keeps per step: the sensitivities H·(H² + H·D + H) per sequence, times N (float64 each)."""
    H = validate.positive_int("H", H)
    D = validate.positive_int("D", D)
    N = validate.positive_int("N", N)
    return N * H * (H * H + H * D + H)


def bptt_memory(T, H, D, *, N=1) -> int:
    """Numbers BPTT keeps for the backward pass: x_t, a_t and h_t for every step, N·(T·D + T·H + (T+1)·H)."""
    T = validate.positive_int("T", T)
    H = validate.positive_int("H", H)
    D = validate.positive_int("D", D)
    N = validate.positive_int("N", N)
    return N * (T * D + T * H + (T + 1) * H)
