"""Gradient clipping (chapter 7).

Clip once per update, on the whole gradient, after BPTT has computed it, never
inside the δ recursion: clipping "at each time step" changes which gradient you
compute. Three modes:

- ``"norm"`` (Pascanu, Mikolov & Bengio 2013, Algorithm 1): if ‖g‖ ≥ θ then g ← θ g / ‖g‖,
  with ‖g‖ the norm of all parameters' gradients together. Keeps the direction.
- ``"parameter_norm"``: the same rule applied to each parameter's gradient separately.
  Keeps each block's direction but not the whole gradient's.
- ``"value"``: each element clipped into [−θ, θ] (popular character-RNN code uses θ = 5).
  Changes the direction.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _validate as check
from .params import RNNParams

CLIP_MODES = ("norm", "parameter_norm", "value")


def _check_grads(grads):
    if not isinstance(grads, RNNParams):
        raise ValueError(f"grads must be an RNNParams of gradients; got {type(grads).__name__}")


def global_norm(grads: RNNParams) -> float:
    """‖g‖₂ over every trainable parameter's gradient taken together."""
    _check_grads(grads)
    return float(np.sqrt(sum(np.sum(g * g) for _, g in grads.items())))


@dataclass
class Clipped:
    """The clipped gradient and what clipping saw.

    Attributes
    ----------
    grads : RNNParams
        The gradient after clipping (a new object; the input is not modified).
    norm : float
        Global norm ‖g‖ before clipping.
    norms : dict
        Each parameter's gradient norm before clipping.
    clipped : bool
        Whether anything was changed.
    """

    grads: RNNParams
    norm: float
    norms: dict
    clipped: bool


def clip_by_global_norm(grads: RNNParams, threshold) -> Clipped:
    """Pascanu et al. (2013), Algorithm 1: if ‖g‖ ≥ θ then g ← θ g / ‖g‖."""
    threshold = check.real("threshold", threshold, minimum=0.0, strict_minimum=True)
    norm = global_norm(grads)
    norms = {n: float(np.linalg.norm(g)) for n, g in grads.items()}
    out = grads.copy()
    if norm >= threshold and norm > 0:  # Algorithm 1's test; at equality the factor is 1
        for name, g in out.items():
            g *= threshold / norm
    return Clipped(out, norm, norms, bool(norm > threshold))


def clip_by_parameter_norm(grads: RNNParams, threshold) -> Clipped:
    """Algorithm 1 applied to each parameter's gradient on its own: ‖g_θ‖ ≤ threshold for each θ."""
    threshold = check.real("threshold", threshold, minimum=0.0, strict_minimum=True)
    norm = global_norm(grads)
    norms = {n: float(np.linalg.norm(g)) for n, g in grads.items()}
    out = grads.copy()
    clipped = False
    for name, g in out.items():
        if norms[name] >= threshold and norms[name] > 0:
            g *= threshold / norms[name]
            clipped |= norms[name] > threshold
    return Clipped(out, norm, norms, clipped)


def clip_by_value(grads: RNNParams, threshold) -> Clipped:
    """Clip every element into [−θ, θ]; the direction of g generally changes."""
    threshold = check.real("threshold", threshold, minimum=0.0, strict_minimum=True)
    norm = global_norm(grads)
    norms = {n: float(np.linalg.norm(g)) for n, g in grads.items()}
    out = grads.copy()
    clipped = False
    for name, g in out.items():
        clipped |= bool(np.any(np.abs(g) > threshold))
        np.clip(g, -threshold, threshold, out=g)
    return Clipped(out, norm, norms, clipped)


def clip(grads: RNNParams, mode, threshold) -> Clipped:
    """Clip ``grads`` with ``mode`` in {"norm", "parameter_norm", "value"}; ``mode=None`` leaves it unchanged."""
    if mode is None:
        _check_grads(grads)
        return Clipped(grads.copy(), global_norm(grads),
                       {n: float(np.linalg.norm(g)) for n, g in grads.items()}, False)
    check.choice("mode", mode, CLIP_MODES)
    return {"norm": clip_by_global_norm, "parameter_norm": clip_by_parameter_norm,
            "value": clip_by_value}[mode](grads, threshold)


def cosine(g1: RNNParams, g2: RNNParams) -> float:
    """Cosine of the angle between two gradients (1 means the same direction)."""
    _check_grads(g1)
    _check_grads(g2)
    dot = sum(float(np.sum(a * b)) for (_, a), (_, b) in zip(g1.items(), g2.items()))
    n1, n2 = global_norm(g1), global_norm(g2)
    if n1 == 0 or n2 == 0:
        raise ValueError("cosine() needs two non-zero gradients; got a zero gradient")
    return dot / (n1 * n2)
