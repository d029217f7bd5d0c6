"""Gradient checking with central differences (chapter 4).

    ∂L/∂θ_i ≈ (L(θ + h e_i) − L(θ − h e_i)) / (2h)

The truncation error is O(h²) and the rounding error about ε·|L|/h, so in float64
(ε ≈ 1.1e-16) a step near h = 1e-5..1e-6 gives relative errors around 1e-10 for a
correct gradient; in float32 (ε ≈ 6e-8) the rounding term alone is ~1e-2 and a
check cannot tell a right gradient from a slightly wrong one. Never check with
clipping switched on: a clipped gradient is not the function's gradient.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from . import _validate as check
from .params import RNNParams
from .rnn import backward, forward, loss


def relative_error(a, b) -> float:
    """max|a − b| / max(1e-8, max(|a| + |b|)) over all elements.

    Scaled by the largest entry, so tiny entries (a vanished gradient's 1e-12) do not
    turn rounding noise into a huge relative error. Below 1e-7 means agreement in float64.
    The floor 1e-8 is absolute while finite-difference rounding grows like ε|L|/h, so a whole
    gradient block that has itself vanished (say 1e-7 against a loss of order 1) can score
    1e-4 although it is right: compare such blocks with a larger step or judge them by |a − b|.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b)) / max(1e-8, float(np.max(np.abs(a) + np.abs(b)))))


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h=1e-6) -> np.ndarray:
    """Central-difference gradient of ``f()`` with respect to the array ``x``, perturbed in place.

    ``f`` takes no arguments and reads ``x``; each entry is restored after use.
    Returns an array shaped like ``x``.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise ValueError(f"x must be a float64 numpy array (perturbed in place); got "
                         f"{type(x).__name__}{'' if not isinstance(x, np.ndarray) else ' of dtype ' + str(x.dtype)}")
    h = check.real("h", h, minimum=0.0, strict_minimum=True)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f()
        x[i] = old - h
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradients(params: RNNParams, x, d, h=1e-6, **model) -> RNNParams:
    """Central-difference gradients of :func:`rnnlib.loss` for every trainable parameter."""
    p = params.copy()
    out = p.zeros_like()
    for name, arr in p.items():
        getattr(out, name)[...] = numerical_gradient(lambda: loss(p, x, d, **model), arr, h)
    return out


def check_gradients(params: RNNParams, x, d, grads: RNNParams | None = None, h=1e-6, **model) -> dict:
    """Relative error between analytic and numerical gradients, per parameter.

    ``grads`` defaults to rnnlib's own BPTT; pass a student's gradients to check them.
    Returns ``{name: relative error}``.
    """
    if grads is None:
        grads = backward(params, forward(params, x, d, **model)).grads
    num = numerical_gradients(params, x, d, h=h, **model)
    result = {}
    for name in params.names():
        g = getattr(grads, name, None)
        if g is None:
            raise ValueError(f"grads has no gradient for {name!r}")
        result[name] = relative_error(g, getattr(num, name))
    return result


def loss_given_state(params: RNNParams, x, d, k, h_k, **model) -> float:
    """L as a function of the state h_k (N, H), the later states recomputed from it.

    Only the losses E_k … E_T depend on h_k (E_k through ŷ_k = g(W_y h_k + b_y)), so the
    earlier ones are left out: the derivative of this function is δ_k = ∂L/∂h_k.
    Needs ``targets`` "all" or a mask (not "last", whose d has no time axis) when k < T.
    """
    full = forward(params, x, d, **model)
    N, T = full.N, full.T
    k = check.positive_int("k", k, minimum=0, maximum=T)
    h_k = check.array("h_k", h_k, (N, params.H), ("N", "H"))
    total = 0.0
    if k >= 1:  # E_k through the read-out of h_k
        o_k = h_k @ params.W_y.T + params.b_y
        from .losses import loss_and_grad, readout
        sl = slice(k - 1, k)
        L_k, _, _ = loss_and_grad(o_k[None], readout(o_k[None], full.output), full._d[sl], full._mask[sl],
                                  full.output, full.loss_name)
        total += L_k
    if k < T:
        d_tail = full._d[k:].transpose(1, 0, 2) if full.loss_name == "squared" else full._d[k:].T
        tail = forward(params, x[:, k:], d_tail, activation=full.activation, output=full.output,
                       loss=full.loss_name, targets=full._mask[k:].T.astype(bool), h0=h_k)
        total += tail.loss
    return total


def numerical_delta(params: RNNParams, x, d, k, h=1e-6, **model) -> np.ndarray:
    """δ_k = ∂L/∂h_k (N, H) by central differences on :func:`loss_given_state`."""
    h_k = forward(params, x, d, **model)._h[k].copy()
    return numerical_gradient(lambda: loss_given_state(params, x, d, k, h_k, **model), h_k, h)
