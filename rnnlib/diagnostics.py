"""Why gradients vanish or explode: Jacobian products and their bound (chapter 6).

The gradient from step t back to step k passes through

    ∂h_t/∂h_k = Π_{j=k+1..t} ∂h_j/∂h_{j-1} = Π_{j=k+1..t} diag(f′(a_j)) W_s      (eq-ch6-jacobian-product)

and, with ‖diag f′‖ ≤ γ, ‖∂h_t/∂h_k‖₂ ≤ (γ σ_max(W_s))^(t−k) = η^(t−k)
(Pascanu, Mikolov & Bengio 2013). So σ_max(W_s) < 1/γ is sufficient for vanishing.

At extreme radii the products leave float64. The functions here say so in their results, never
with a warning or a LAPACK message: a norm that exceeds the largest float (about 1.8e308) is
``inf`` ("exploded past float64"), one below the smallest is 0 ("vanished below float64"), and a
Jacobian product that overflowed has ``inf``/NaN entries only where the overflow happened.
"""

from __future__ import annotations

import numpy as np

from . import validate
from .activations import get_activation
from .initialisation import sigma_max, square_matrix
from .params import RNNParams
from .rnn import ForwardPass, check_forward_pass


def _check_fp(fp, params):
    check_forward_pass(params, fp, targets=False)


def _spectral_norms(P: np.ndarray) -> np.ndarray:
    """‖P[i]‖₂ for a stack (n, H, H), overflow-safe: each matrix scaled by its largest entry first.

    A matrix with a non-finite entry (the product overflowed) gets ``inf``; LAPACK never sees it.
    """
    out = np.empty(P.shape[0])
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        scale = np.max(np.abs(P), axis=(1, 2))
        finite = np.isfinite(scale)
        out[~finite] = np.inf
        live = finite & (scale > 0)
        out[finite & (scale == 0)] = 0.0
        if live.any():
            s = scale[live]
            out[live] = s * np.linalg.norm(P[live] / s[:, None, None], ord=2, axis=(1, 2))
    return out


def step_jacobians(params: RNNParams, fp: ForwardPass) -> np.ndarray:
    """J_t = ∂h_t/∂h_{t-1} = diag(f′(a_t)) W_s (eq-ch6-step-jacobian) for every step, shape (N, T, H, H); ``J[:, t-1]`` is J_t."""
    _check_fp(fp, params)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflowed pass gives non-finite J_t, no warning
        fprime = fp.activation.df(fp.a_tm, fp.h_tm[1:])  # (T, N, H)
        return fprime.transpose(1, 0, 2)[..., :, None] * params.W_s


def jacobian_product(params: RNNParams, fp: ForwardPass, t, k) -> np.ndarray:
    """∂h_t/∂h_k = J_t J_{t-1} … J_{k+1} for each sequence, shape (N, H, H); the identity when t = k."""
    _check_fp(fp, params)
    T = fp.T
    t = validate.positive_int("t", t, minimum=0, maximum=T)
    k = validate.positive_int("k", k, minimum=0, maximum=t)
    J = step_jacobians(params, fp)
    P = np.broadcast_to(np.eye(params.H), (fp.N, params.H, params.H)).copy()
    with np.errstate(over="ignore", invalid="ignore"):  # entries beyond float64 become inf, without a warning
        for j in range(k + 1, t + 1):
            P = J[:, j - 1] @ P  # left-multiply: ∂h_j/∂h_k = J_j ∂h_{j-1}/∂h_k
    return P


def jacobian_norms(params: RNNParams, fp: ForwardPass, sequence=0) -> np.ndarray:
    """‖∂h_t/∂h_k‖₂ for all 0 ≤ k, t ≤ T of one sequence, shape (T+1, T+1), row t, column k.

    Zero above the diagonal (k > t): h_t does not depend on later states. One on the diagonal.
    This is the heat map of chapter 6. An entry is ``inf`` when the product ∂h_t/∂h_k overflowed
    float64 (the gradient has exploded past ~1.8e308), and stays ``inf`` for the later t.
    """
    _check_fp(fp, params)
    n = validate.positive_int("sequence", sequence, minimum=0, maximum=fp.N - 1)
    J = step_jacobians(params, fp)[n]  # (T, H, H)
    T, H = fp.T, params.H
    norms = np.zeros((T + 1, T + 1))
    P = np.zeros((T + 1, H, H))  # P[k] = ∂h_t/∂h_k for the current t
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(T + 1):
            if t > 0:
                P[:t] = J[t - 1] @ P[:t]  # all k < t at once
            P[t] = np.eye(H)
            norms[t, : t + 1] = _spectral_norms(P[: t + 1])
    # once a product has overflowed it stays overflowed (inf · 0 = NaN would otherwise hide it)
    return np.where(np.isnan(norms), np.inf, norms)


def norms_by_distance(norms: np.ndarray) -> np.ndarray:
    """From :func:`jacobian_norms` (T+1, T+1): for each distance t − k = 0..T the largest norm, shape (T+1,)."""
    norms = validate.array("norms", norms, (None, None), ("T+1", "T+1"), finite=False, nonempty=True)
    if norms.shape[0] != norms.shape[1] or np.any(np.isnan(norms)) or np.any(norms < 0):
        raise ValueError(
            f"norms must be the square, non-negative (T+1, T+1) array of jacobian_norms; got shape {norms.shape}"
        )
    T1 = norms.shape[0]
    return np.array([np.max(np.diagonal(norms, offset=-dist)) for dist in range(T1)])


def pascanu_bound(W_s, activation, distances) -> np.ndarray:
    """The bound η^(t−k) with η = γ σ_max(W_s) (eq-ch6-bound) for each distance t − k, shape like ``distances``.

    W_s is square (H, H); ``distances`` non-negative integers (not booleans). Where η^(t−k) exceeds
    float64 the bound is ``inf`` (it says nothing there), where it falls below it is 0; no warning.
    """
    value = eta(W_s, activation)
    if isinstance(distances, (str, bytes)) or distances is None:
        raise ValueError(f"distances must be non-negative integers; got {distances!r}")
    distances = np.asarray(distances)
    if distances.dtype.kind not in "iu" or np.any(distances < 0):
        raise ValueError(f"distances must be non-negative integers; got {distances!r}")
    with np.errstate(over="ignore", under="ignore"):
        return value ** distances.astype(np.float64)


def eta(W_s, activation) -> float:
    """η = γ σ_max(W_s) for a square W_s (H, H): below 1, gradients must vanish geometrically (sufficient condition)."""
    gamma = get_activation(activation).gamma
    return gamma * sigma_max(square_matrix("W_s", W_s))


def delta_norms(delta) -> np.ndarray:
    """‖δ_k‖ = ‖∂L/∂h_k‖ for k = 0..T averaged over the batch, from ``BPTTResult.delta`` (N, T+1, H)."""
    delta = validate.array("delta", delta, (None, None, None), ("N", "T+1", "H"), nonempty=True)
    scale = float(np.max(np.abs(delta)))
    if scale == 0.0:
        return np.zeros(delta.shape[1])
    # scaled, so that an enormous but finite δ does not overflow its square
    return scale * (np.linalg.norm(delta / scale, axis=2).mean(axis=0))


def effective_horizon(values, threshold=1e-3) -> int:
    """The largest distance at which ``values`` (indexed by distance, values[0] the reference) is still
    above ``threshold`` times values[0]: how far back a gradient signal reaches before it drops below
    a fraction ``threshold`` of the local one."""
    values = validate.array("values", values, (None,), ("distance",), nonempty=True)
    threshold = validate.real("threshold", threshold, minimum=0.0, strict_minimum=True)
    if values[0] <= 0:
        raise ValueError(f"values[0] must be positive (the reference); got {values[0]}")
    above = np.nonzero(values >= threshold * values[0])[0]
    return int(above.max())
