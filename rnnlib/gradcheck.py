"""Gradient checking with central differences (chapter 4).

    ∂L/∂θ_i ≈ (L(θ + eps e_i) − L(θ − eps e_i)) / (2 eps)                 (eq-ch4-central)

The truncation error is O(eps²) and the rounding error about ε·|L|/eps, so in float64
(machine ε ≈ 1.1e-16) a step near eps = 1e-5..1e-6 gives relative errors around 1e-10 for a
correct gradient; in float32 (ε ≈ 6e-8) the rounding term alone is ~1e-2 and a
check cannot tell a right gradient from a slightly wrong one. Never check with
clipping switched on: a clipped gradient is not the function's gradient.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import validate
from .losses import loss_and_grad, readout
from .params import RNNParams, check_params
from .rnn import backward, forward, loss


def relative_error(a, b) -> float:
    """max|a − b| / max(1e-8, max(|a| + |b|)) over all elements (eq-ch4-relerr).

    Scaled by the largest entry, so tiny entries (a vanished gradient's 1e-12) do not
    turn rounding noise into a huge relative error. Below 1e-7 means agreement in float64.
    The floor 1e-8 is absolute while finite-difference rounding grows like ε|L|/eps, so a whole
    gradient block that has itself vanished (say 1e-7 against a loss of order 1) can score
    1e-4 although it is right: compare such blocks with a larger step or judge them by |a − b|.
    """
    a = validate.any_shape("a", a)
    b = validate.any_shape("b", b)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b)) / max(1e-8, float(np.max(np.abs(a) + np.abs(b)))))


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps=1e-6) -> np.ndarray:
    """Central-difference gradient of ``f()`` with respect to the array ``x``, perturbed in place.

    Each entry is (f(x + eps e_i) − f(x − eps e_i)) / (2 eps) (eq-ch4-central). ``f`` takes no
    arguments and reads ``x``; each entry is restored after use. Returns an array shaped like ``x``.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise ValueError(
            f"x must be a float64 numpy array (perturbed in place); got "
            f"{type(x).__name__}{'' if not isinstance(x, np.ndarray) else ' of dtype ' + str(x.dtype)}"
        )
    eps = validate.real("eps", eps, minimum=0.0, strict_minimum=True)
    if not callable(f):
        raise ValueError(f"f must be a function of no arguments returning a float; got {type(f).__name__}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x must be finite; got inf or NaN entries")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = f()
        x[i] = old - eps
        f_minus = f()
        x[i] = old
        if not (np.isfinite(f_plus) and np.isfinite(f_minus)):
            raise ValueError(
                f"f must be finite near x; got f = {f_plus} and {f_minus} at x{list(i)} ± eps (the loss overflowed)"
            )
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def numerical_gradients(params: RNNParams, x, d, eps=1e-6, **model) -> RNNParams:
    """Central-difference gradients of :func:`rnnlib.loss` for every trainable parameter."""
    p = check_params("params", params).copy()  # perturbed in place, one entry at a time
    arrays = {name: numerical_gradient(lambda: loss(p, x, d, **model), arr, eps) for name, arr in p}
    return p.zeros_like().replace(**arrays)


def check_gradients(params: RNNParams, x, d, grads: RNNParams | None = None, eps=1e-6, **model) -> dict:
    """Relative error between analytic and numerical gradients, per parameter.

    ``grads`` defaults to rnnlib's own BPTT; pass a student's gradients to check them.
    Returns ``{name: relative error}``.
    """
    params = check_params("params", params)
    if grads is None:
        grads = backward(params, forward(params, x, d, **model)).grads
    check_params("grads", grads, like=params, what=f"an RNNParams with a gradient for each of {params.names()}")
    num = numerical_gradients(params, x, d, eps=eps, **model)
    return {name: relative_error(g, g_num) for (name, g), (_, g_num) in zip(grads, num)}


def loss_given_state(params: RNNParams, x, d, k, h_k, **model) -> float:
    """L as a function of the state h_k (N, H), the later states recomputed from it.

    Only the losses E_k … E_T depend on h_k (E_k through ŷ_k = g(W_y h_k + b_y)), so the
    earlier ones are left out: the derivative of this function is δ_k = ∂L/∂h_k.
    Needs ``targets`` "all" or a mask (not "last", whose d has no time axis) when k < T.
    """
    if d is None:
        raise ValueError("d must be the targets (an array, as for forward); got None")
    full = forward(params, x, d, **model).targets_given()
    N, T = full.N, full.T
    k = validate.positive_int("k", k, minimum=0, maximum=T)
    h_k = validate.array("h_k", h_k, (N, params.H), ("N", "H"))
    total = 0.0
    if k >= 1:  # E_k through the read-out of h_k
        o_k = h_k @ params.W_y.T + params.b_y
        sl = slice(k - 1, k)
        L_k, _, _ = loss_and_grad(
            o_k[None], readout(o_k[None], full.output), full.d_tm[sl], full.mask_tm[sl], full.output, full.loss_name
        )
        total += L_k
    if k < T:
        d_tail = full.d_tm[k:].transpose(1, 0, 2) if full.loss_name == "squared" else full.d_tm[k:].T
        tail = forward(
            params,
            x[:, k:],
            d_tail,
            activation=full.activation,
            output=full.output,
            loss_name=full.loss_name,
            targets=full.mask_tm[k:].T.astype(bool),
            h0=h_k,
        )
        total += tail.targets_given().loss
    return total


def numerical_delta(params: RNNParams, x, d, k, eps=1e-6, **model) -> np.ndarray:
    """δ_k = ∂L/∂h_k (N, H) by central differences on :func:`loss_given_state` (eq-ch3-delta-def); 0 <= k <= T."""
    if d is None:
        raise ValueError("d must be the targets (an array, as for forward); got None")
    fp = forward(params, x, d, **model)
    k = validate.positive_int("k", k, minimum=0, maximum=fp.T)
    h_k = fp.h_tm[k].copy()
    return numerical_gradient(lambda: loss_given_state(params, x, d, k, h_k, **model), h_k, eps)
