"""Hidden-layer activations f, their derivatives f′ and the bounds γ ≥ |f′| (chapters 1 and 6).

The derivative is computed from the pre-activation a and, where cheaper, from the
activation h = f(a) the forward pass already stored: tanh′ = 1 − h², σ′ = h(1 − h).
The bound γ = sup |f′| enters the vanishing-gradient condition of Pascanu et al.
(2013): σ_max(W_s) < 1/γ is sufficient for gradients to vanish.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import validate


def _sigmoid(a, out=None):
    # 1/(1+e^{-a}) overflows e^{-a} for a << 0, and 0.5(1 + tanh(a/2)) loses all relative accuracy
    # there (1 + tanh rounds to 0). With e = e^{-|a|} ≤ 1 neither happens: σ(a) = 1/(1+e) for a ≥ 0
    # and e/(1+e) for a < 0, accurate to rounding in both tails.
    a = np.asarray(a, dtype=np.float64)
    e = np.exp(-np.abs(a))
    value = np.where(a >= 0, 1.0, e) / (1.0 + e)
    if out is None:
        return value
    out[...] = value
    return out


@dataclass(frozen=True)
class Activation:
    """An element-wise activation f with derivative f′ and bound γ = sup |f′(a)|."""

    name: str
    f: Callable  # f(a, out=None) -> h
    df: Callable  # df(a, h) -> f'(a), elementwise, same shape
    gamma: float

    def __call__(self, a, out=None):
        return self.f(a, out=out)

    def __repr__(self):
        return f"Activation({self.name!r}, gamma={self.gamma})"


def _identity(a, out=None):
    if out is None:
        return np.array(a, dtype=np.float64, copy=True)
    out[...] = a
    return out


ACTIVATIONS = {
    "tanh": Activation("tanh", lambda a, out=None: np.tanh(a, out=out), lambda a, h: 1.0 - h * h, 1.0),
    "sigmoid": Activation("sigmoid", _sigmoid, lambda a, h: h * (1.0 - h), 0.25),
    "relu": Activation(
        "relu", lambda a, out=None: np.maximum(a, 0.0, out=out), lambda a, h: (a > 0).astype(np.float64), 1.0
    ),
    "identity": Activation("identity", _identity, lambda a, h: np.ones_like(a), 1.0),
}


def get_activation(activation) -> Activation:
    """Look up an activation by name (``"tanh"``, ``"sigmoid"``, ``"relu"``, ``"identity"``)."""
    if isinstance(activation, Activation):
        return activation
    return ACTIVATIONS[validate.choice("activation", activation, ACTIVATIONS)]


def sigmoid(a):
    """The logistic sigmoid σ(a) = 1 / (1 + e^(−a)), computed without overflow; ``a`` real, finite, any shape."""
    return _sigmoid(validate.any_shape("a", a))
