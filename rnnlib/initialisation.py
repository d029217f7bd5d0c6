"""Initialising the weights, and measuring and rescaling the recurrent matrix (chapters 6 and 8).

The recurrent matrix W_s decides whether gradients vanish or explode: its spectral
radius ρ(W_s) = max |λ_i| governs the linear case, its largest singular value
σ_max(W_s) the bound of Pascanu et al. (2013). These helpers build W_s with a
requested ρ or σ_max and report both.
"""

from __future__ import annotations

import numpy as np

from . import validate
from .params import RNNParams

RECURRENT_INITS = ("gaussian_spectral", "gaussian_sigma", "orthogonal", "identity", "glorot")


def square_matrix(name, W) -> np.ndarray:
    """``W`` as a finite, non-empty square float matrix (H, H), or a ``ValueError`` naming ``name``."""
    W = validate.array(name, W, (None, None), ("H", "H"), nonempty=True)
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"{name} must be a square matrix (H, H); got shape {W.shape}")
    return W


_square = square_matrix


def spectral_radius(W) -> float:
    """ρ(W) = max_i |λ_i(W)|, the largest eigenvalue modulus of a square matrix W (H, H)."""
    return float(np.max(np.abs(np.linalg.eigvals(_square("W", W)))))


def singular_values(W) -> np.ndarray:
    """Singular values of W (any shape (m, n)), largest first, shape (min(m, n),)."""
    W = validate.array("W", W, (None, None), ("m", "n"), nonempty=True)
    return np.linalg.svd(W, compute_uv=False)


def sigma_max(W) -> float:
    """σ_max(W) = ‖W‖₂, the largest singular value (the spectral norm)."""
    return float(singular_values(W)[0])


def rescale_to_spectral_radius(W, scale) -> np.ndarray:
    """Return ``W * scale / ρ(W)``, a copy of the square matrix W (H, H) with spectral radius ``scale``."""
    W = _square("W", W)
    scale = validate.real("scale", scale, minimum=0.0)
    current = spectral_radius(W)
    if current == 0.0:
        raise ValueError("W must have a non-zero spectral radius to be rescaled; got a nilpotent or zero matrix")
    return W * (scale / current)


def rescale_to_sigma_max(W, scale) -> np.ndarray:
    """Return ``W * scale / σ_max(W)``, a copy of W (m, n) with largest singular value ``scale``."""
    W = validate.array("W", W, (None, None), ("m", "n"), nonempty=True)
    scale = validate.real("scale", scale, minimum=0.0)
    current = sigma_max(W)
    if current == 0.0:
        raise ValueError("W must be non-zero to be rescaled; got the zero matrix")
    return W * (scale / current)


# --- initialisers: (H, scale, rng), the size first, then the scale, then the randomness ---------------


def gaussian_spectral(H, scale, rng) -> np.ndarray:
    """An H×H Gaussian matrix rescaled so that ρ(W) = ``scale`` (chapter 6, spectral-radius explorer)."""
    H = validate.positive_int("H", H)
    rng = validate.generator("rng", rng)
    return rescale_to_spectral_radius(rng.standard_normal((H, H)) / np.sqrt(H), scale)


def gaussian_sigma(H, scale, rng) -> np.ndarray:
    """An H×H Gaussian matrix rescaled so that σ_max(W) = ``scale``."""
    H = validate.positive_int("H", H)
    rng = validate.generator("rng", rng)
    return rescale_to_sigma_max(rng.standard_normal((H, H)) / np.sqrt(H), scale)


def orthogonal(H, scale, rng) -> np.ndarray:
    """A random orthogonal H×H matrix times ``scale`` (all singular values equal ``scale``, and ρ too).

    Drawn from the Haar measure: QR of a Gaussian matrix with the signs of R's
    diagonal folded into Q.
    """
    H = validate.positive_int("H", H)
    scale = validate.real("scale", scale, minimum=0.0)
    rng = validate.generator("rng", rng)
    Q, R = np.linalg.qr(rng.standard_normal((H, H)))
    Q = Q * np.sign(np.diag(R))
    return scale * Q


def identity(H, scale=1.0) -> np.ndarray:
    """``scale`` times the H×H identity: the IRNN initialisation of Le, Jaitly & Hinton (2015).

    Deterministic, so it takes no ``rng``.
    """
    H = validate.positive_int("H", H)
    return validate.real("scale", scale, minimum=0.0) * np.eye(H)


def glorot(shape, scale, rng) -> np.ndarray:
    """Glorot/Xavier uniform of ``shape`` = (fan_out, fan_in), times ``scale``.

    Entries from U[-r, r] with r = sqrt(6 / (fan_in + fan_out)); ``glorot((H, D), 1.0, rng)`` is a W_x.
    """
    if not isinstance(shape, tuple) or len(shape) != 2:
        raise ValueError(f"shape must be a pair (fan_out, fan_in); got {shape!r}")
    fan_out = validate.positive_int("shape[0] (fan_out)", shape[0])
    fan_in = validate.positive_int("shape[1] (fan_in)", shape[1])
    scale = validate.real("scale", scale, minimum=0.0)
    rng = validate.generator("rng", rng)
    r = np.sqrt(6.0 / (fan_in + fan_out))
    return scale * rng.uniform(-r, r, size=(fan_out, fan_in))


def init_params(D, H, O, *, scale=1.0, rng, recurrent="orthogonal", h0_mode="zeros", h0=None) -> RNNParams:
    """Initial parameters for an RNN with input size D, hidden size H and output size O.

    The sizes first, then ``scale`` and ``rng`` (keywords), as for every initialiser.
    W_x (H, D) and W_y (O, H) are Glorot-uniform, biases are zero, and W_s (H, H) follows
    ``recurrent``:

    - ``"gaussian_spectral"``: Gaussian with spectral radius ρ(W_s) = ``scale``;
    - ``"gaussian_sigma"``: Gaussian with σ_max(W_s) = ``scale``;
    - ``"orthogonal"``: ``scale`` times a random orthogonal matrix;
    - ``"identity"``: ``scale`` times the identity (IRNN, use with ``activation="relu"``);
    - ``"glorot"``: Glorot-uniform (``scale`` multiplies it).

    ``h0_mode`` is ``"zeros"``, ``"given"`` (pass ``h0``) or ``"trainable"`` (starts at ``h0`` or zeros).
    """
    D, H, O = (validate.positive_int(n, v) for n, v in (("D", D), ("H", H), ("O", O)))
    rng = validate.generator("rng", rng)
    validate.choice("recurrent", recurrent, RECURRENT_INITS)
    scale = validate.real("scale", scale, minimum=0.0)
    W_x = glorot((H, D), 1.0, rng)
    if recurrent == "gaussian_spectral":
        W_s = gaussian_spectral(H, scale, rng)
    elif recurrent == "gaussian_sigma":
        W_s = gaussian_sigma(H, scale, rng)
    elif recurrent == "orthogonal":
        W_s = orthogonal(H, scale, rng)
    elif recurrent == "identity":
        W_s = identity(H, scale)
    else:
        W_s = glorot((H, H), scale, rng)
    W_y = glorot((O, H), 1.0, rng)
    return RNNParams(W_x, W_s, W_y, np.zeros(H), np.zeros(O), h0=h0, h0_mode=h0_mode)
