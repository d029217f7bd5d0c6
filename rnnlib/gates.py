"""The additive cell-state path of an LSTM, and the Jacobian it gives (chapter 8).

An LSTM (Hochreiter & Schmidhuber 1997) keeps, beside h_t, a cell state c_t updated by

    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t                                   (eq-ch8-cell)

with the forget gate f_t ∈ (0, 1)^H, the input gate i_t ∈ (0, 1)^H and the candidate g_t ∈ (−1, 1)^H,
all computed from x_t and h_{t-1}. Along the cell path alone (gates held fixed),

    ∂c_t/∂c_{t-1} = diag(f_t),     ∂c_t/∂c_k = diag(f_{k+1} ⊙ … ⊙ f_t)      (eq-ch8-cell-jacobian)

with no factor W_s: the gradient along this path shrinks only as fast as the forget gates let it,
and not at all when they are 1. (In the full LSTM the gates depend on h_{t-1}, which adds further
paths; this module computes the direct one, which is the point of the design.)

Shapes: N sequences, T steps, H cells. Gates are batch-first like the rest of rnnlib:
``f[:, t-1]`` is f_t (t = 1..T) and ``c[:, t]`` is c_t (t = 0..T).
"""

from __future__ import annotations

import numpy as np

from . import validate


def _gates(f, i=None, g=None):
    f = validate.array("f", f, (None, None, None), ("N", "T", "H"))
    if np.any((f < 0) | (f > 1)):
        raise ValueError("f must hold forget-gate values in [0, 1]; got values outside it")
    out = [f]
    for name, value in (("i", i), ("g", g)):
        if value is not None:
            out.append(validate.array(name, value, f.shape, ("N", "T", "H")))
    return out


def cell_states(c0, f, i, g) -> np.ndarray:
    """Run the cell-state recursion c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t (eq-ch8-cell).

    Parameters
    ----------
    c0 : ndarray, shape (N, H)
        The initial cell state c_0.
    f, i, g : ndarray, shape (N, T, H)
        Forget gates, input gates and candidates for steps 1..T.

    Returns
    -------
    c : ndarray, shape (N, T+1, H)
        ``c[:, t]`` is c_t; ``c[:, 0]`` is c_0.
    """
    f, i, g = _gates(f, i, g)
    N, T, H = f.shape
    c0 = validate.array("c0", c0, (N, H), ("N", "H"))
    c = np.empty((N, T + 1, H))
    c[:, 0] = c0
    for t in range(1, T + 1):
        c[:, t] = f[:, t - 1] * c[:, t - 1] + i[:, t - 1] * g[:, t - 1]
    return c


def cell_jacobian(f, t, k) -> np.ndarray:
    """∂c_t/∂c_k along the cell path, diag(f_{k+1} ⊙ … ⊙ f_t), for each sequence: shape (N, H, H).

    The identity when t = k (eq-ch8-cell-jacobian).
    """
    (f,) = _gates(f)
    N, T, H = f.shape
    t = validate.positive_int("t", t, minimum=0, maximum=T)
    k = validate.positive_int("k", k, minimum=0, maximum=t)
    diagonal = np.prod(f[:, k:t], axis=1)  # f[:, j-1] is f_j, so f_{k+1}..f_t is f[:, k:t]
    return diagonal[:, :, None] * np.eye(H)


def cell_path_norms(f) -> np.ndarray:
    """‖∂c_t/∂c_0‖₂ along the cell path for t = 0..T, averaged over the batch: shape (T+1,).

    The Jacobian is diagonal, so its spectral norm is its largest diagonal entry,
    max_i Π_{j=1..t} f_{j,i}; the entry for t = 0 is 1.
    """
    (f,) = _gates(f)
    N, T, H = f.shape
    products = np.concatenate([np.ones((N, 1, H)), np.cumprod(f, axis=1)], axis=1)  # (N, T+1, H)
    return products.max(axis=2).mean(axis=0)
