"""The gradient as a sum of per-time-step terms (chapters 3 and 4).

Because the weights are shared, ∂L/∂W_s is a double sum over the loss term E_t
and the step k at which W_s was used:

    ∂L/∂W_s = Σ_t Σ_{k≤t} (∂E_t/∂h_t) (Π_{j=k+1..t} ∂h_j/∂h_{j-1}) (∂⁺h_k/∂W_s)   (eq-ch3-sum-over-paths)

where ∂⁺h_k/∂W_s is the immediate derivative, h_{k-1} held fixed. This module
returns the individual terms so a chapter can show the sum term by term. It runs
one backward sweep per loss term, O(T²) work: for teaching-sized problems.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import validate
from .params import RNNParams
from .rnn import REMEDY, ExplodingGradientError, ForwardPass, check_forward_pass, output_gradients

THROUGH_TIME = ("W_x", "W_s", "b_h")


@dataclass
class Contributions:
    """Per-time-step terms of the gradient.

    Attributes
    ----------
    terms : dict name -> ndarray, shape (T, T, *param_shape)
        For W_x, W_s, b_h: ``terms[name][t-1, k-1]`` is the path term of loss E_t through the
        use of the weights at step k (zero for k > t).
    by_loss : dict name -> ndarray, shape (T, *param_shape)
        ∂E_t/∂θ (with E_t scaled as in L): sums over k. Also for W_y, b_y.
    by_step : dict name -> ndarray, shape (T, *param_shape)
        The contribution of the copy of θ used at step k: sums over t. Also for W_y, b_y.
    h0 : ndarray, shape (T, H)
        ∂E_t/∂h_0 summed over the batch (the terms reaching the initial state).
    """

    terms: dict
    by_loss: dict
    by_step: dict
    h0: np.ndarray


def contributions(params: RNNParams, fp: ForwardPass) -> Contributions:
    """Split the BPTT gradient into the terms of eq-ch3-sum-over-paths; see :class:`Contributions`.

    ``sum(by_loss[name]) == sum(by_step[name]) == backward(...).grads.<name>`` to rounding.
    ``params`` must have the sizes of the network that ran ``fp``; a term that overflows float64
    raises :class:`rnnlib.ExplodingGradientError` (no warning, no NaN).
    """
    fp = check_forward_pass(params, fp).targets_given()
    T, N, H = fp.a_tm.shape
    shapes = {"W_x": params.W_x.shape, "W_s": params.W_s.shape, "b_h": params.b_h.shape}
    terms = {name: np.zeros((T, T) + shape) for name, shape in shapes.items()}
    h0_terms = np.zeros((T, H))
    _, _, dh_out = output_gradients(fp.dO_tm, fp.h_tm[1:], params.W_y)
    act = fp.activation
    with np.errstate(over="ignore", invalid="ignore"):  # checked below
        fprime = act.df(fp.a_tm, fp.h_tm[1:])  # (T, N, H)
        for t in range(T):  # loss E_{t+1}
            carry = dh_out[t]
            for k in range(t, -1, -1):  # back through step k+1 (0-based k)
                da = carry * fprime[k]
                terms["W_s"][t, k] = da.T @ fp.h_tm[k]
                terms["W_x"][t, k] = da.T @ fp.x_tm[k]
                terms["b_h"][t, k] = da.sum(axis=0)
                carry = da @ params.W_s
            h0_terms[t] = carry.sum(axis=0)
        dO = fp.dO_tm
        out_terms = {"W_y": np.einsum("tno,tnh->toh", dO, fp.h_tm[1:]), "b_y": dO.sum(axis=1)}
    if not all(np.all(np.isfinite(v)) for v in (*terms.values(), *out_terms.values(), h0_terms)):
        raise ExplodingGradientError(f"a per-step term of the gradient overflowed float64: {REMEDY}")
    by_loss = {name: arr.sum(axis=1) for name, arr in terms.items()} | out_terms
    by_step = {name: arr.sum(axis=0) for name, arr in terms.items()} | out_terms
    return Contributions(terms, by_loss, by_step, h0_terms)


def immediate_derivative(params: RNNParams, fp: ForwardPass, t) -> np.ndarray:
    """∂⁺h_t/∂W_s for one sequence-batch: the derivative with h_{t-1} held fixed, shape (N, H, H, H).

    Entry [n, i, p, q] is ∂h_{t,i}/∂(W_s)_{pq} = f′(a_{t,i}) δ_{ip} h_{t-1,q}: only row i of W_s
    touches h_{t,i} directly. The total derivative dh_t/dW_s adds the paths through h_{t-1}.
    """
    fp = check_forward_pass(params, fp, targets=False)
    t = validate.positive_int("t", t, minimum=1, maximum=fp.T)
    if not (np.all(np.isfinite(fp.a_tm[t - 1])) and np.all(np.isfinite(fp.h_tm[t - 1]))):
        raise ExplodingGradientError(f"the forward pass overflowed at or before step t = {t}: {REMEDY}", t)
    fprime = fp.activation.df(fp.a_tm[t - 1], fp.h_tm[t])  # (N, H)
    H = params.H
    out = np.zeros((fp.N, H, H, H))
    idx = np.arange(H)
    out[:, idx, idx, :] = fprime[:, :, None] * fp.h_tm[t - 1][:, None, :]
    return out
