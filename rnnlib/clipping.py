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

Norms are computed scaled (:func:`rnnlib.params.l2_norm`), so an enormous but finite gradient
(entries near 1e188, whose squares overflow) is clipped to the right direction, not to zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import validate
from .params import RNNParams, global_norm, l2_norm

CLIP_MODES = ("norm", "parameter_norm", "value")


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


def _norms(grads: RNNParams) -> dict[str, float]:
    return {name: l2_norm(g) for name, g in grads}


def clip_by_global_norm(grads: RNNParams, threshold) -> Clipped:
    """Pascanu et al. (2013), Algorithm 1: if ‖g‖ ≥ θ then g ← θ g / ‖g‖ (eq-ch7-clip-norm)."""
    threshold = validate.real("threshold", threshold, minimum=0.0, strict_minimum=True)
    norm = global_norm(grads)  # validates grads
    if norm >= threshold and norm > 0:  # Algorithm 1's test; at equality the factor is 1
        # g/‖g‖ first, then θ: (θ/‖g‖)·g would underflow θ/‖g‖ for a norm near the largest float
        scaled = grads.map(lambda g: (g / norm) * threshold)
        return Clipped(scaled, norm, _norms(grads), bool(norm > threshold))
    return Clipped(grads.copy(), norm, _norms(grads), False)


def clip_by_parameter_norm(grads: RNNParams, threshold) -> Clipped:
    """Algorithm 1 applied to each parameter's gradient on its own: ‖g_θ‖ ≤ threshold for each θ."""
    threshold = validate.real("threshold", threshold, minimum=0.0, strict_minimum=True)
    norm = global_norm(grads)  # validates grads
    norms = _norms(grads)

    def clip_block(g):
        n = l2_norm(g)
        return (g / n) * threshold if n >= threshold and n > 0 else g

    clipped = any(n > threshold for n in norms.values())
    return Clipped(grads.map(clip_block), norm, norms, clipped)


def clip_by_value(grads: RNNParams, threshold) -> Clipped:
    """Clip every element into [−θ, θ] (eq-ch7-clip-value); the direction of g generally changes."""
    threshold = validate.real("threshold", threshold, minimum=0.0, strict_minimum=True)
    norm = global_norm(grads)  # validates grads
    clipped = bool(np.any(np.abs(grads.flat()) > threshold))
    return Clipped(grads.map(lambda g: np.clip(g, -threshold, threshold)), norm, _norms(grads), clipped)


def clip(grads: RNNParams, mode, threshold) -> Clipped:
    """Clip ``grads`` with ``mode`` in {"norm", "parameter_norm", "value"}; ``mode=None`` leaves it unchanged.

    With ``mode=None`` the threshold must be ``None`` too (a threshold without a mode is a mistake,
    as in :func:`rnnlib.train`); with a mode it must be a real number > 0.
    """
    if mode is None:
        if threshold is not None:
            raise ValueError(f"threshold must be None when mode=None (nothing is clipped); got threshold={threshold!r}")
        norm = global_norm(grads)  # validates grads
        return Clipped(grads.copy(), norm, _norms(grads), False)
    validate.choice("mode", mode, CLIP_MODES)
    return {"norm": clip_by_global_norm, "parameter_norm": clip_by_parameter_norm, "value": clip_by_value}[mode](
        grads, threshold
    )
