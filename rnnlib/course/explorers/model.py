"""The fixed network behind the spectral-radius and truncation explorers (chapters 5 and 6).

Everything but the scale of W_s is drawn once from a seed: a base matrix G (H, H), the input
and read-out weights, the inputs and the targets of a many-to-one problem (one loss, at step T).
A frame then only rescales G, so that between frames W_s changes its size, never its shape.
"""

from __future__ import annotations

import numpy as np

from rnnlib import validate
from rnnlib.activations import get_activation
from rnnlib.initialisation import glorot, rescale_to_sigma_max, rescale_to_spectral_radius, sigma_max, spectral_radius
from rnnlib.params import RNNParams

#: What a scale sets: the spectral radius ρ(W_s) or the largest singular value σ_max(W_s).
MODES = ("ρ(W_s)", "σ_max(W_s)")


class ExplorerModel:
    """A many-to-one RNN whose recurrent matrix is a rescaled fixed G.

    Parameters
    ----------
    H, T, N, D : int
        Hidden size, sequence length (the loss sits at step T), batch size, input size.
    seed : int
        Seeds G (H, H), W_x (H, D), W_y (1, H), the inputs x (N, T, D) and targets d (N, 1), drawn in
        that order.
    """

    def __init__(self, H=64, T=100, N=4, D=1, seed=0):
        self.H, self.T, self.N, self.D = (
            validate.positive_int(n, v) for n, v in (("H", H), ("T", T), ("N", N), ("D", D))
        )
        rng = validate.generator("seed", seed)  # seed=None (fresh entropy) is refused: the figures must repeat
        self.G = rng.standard_normal((self.H, self.H)) / np.sqrt(self.H)
        self.rho_G, self.sigma_G = spectral_radius(self.G), sigma_max(self.G)  # ρ(G), σ_max(G)
        self.W_x = glorot((self.H, self.D), 1.0, rng)
        self.W_y = glorot((1, self.H), 1.0, rng)
        self.x = rng.standard_normal((self.N, self.T, self.D))
        self.d = rng.standard_normal((self.N, 1))

    def W_s(self, scale, mode=MODES[0]) -> np.ndarray:
        """G rescaled so that ρ(W_s) = scale (mode ``MODES[0]``) or σ_max(W_s) = scale (``MODES[1]``)."""
        validate.choice("mode", mode, MODES)
        if mode == MODES[0]:
            return rescale_to_spectral_radius(self.G, scale)
        return rescale_to_sigma_max(self.G, scale)

    def browser_arrays(self) -> dict:
        """What the website's JavaScript needs to rebuild this network exactly: G, W_x, W_y, x, d as
        float64 base64 (C order) and ρ(G), σ_max(G) as rnnlib computed them, so that the browser's
        W_s = G · (scale/ρ(G)) is the very matrix :meth:`W_s` returns."""
        from ..widgets import float64_base64

        return {
            "G": float64_base64(self.G),
            "W_x": float64_base64(self.W_x),
            "W_y": float64_base64(self.W_y),
            "x": float64_base64(self.x),
            "d": float64_base64(self.d),
            "rho_G": self.rho_G,
            "sigma_G": self.sigma_G,
        }

    def params(self, scale, mode=MODES[0]) -> RNNParams:
        """The network with W_s = :meth:`W_s` (scale, mode) and zero biases."""
        return RNNParams(self.W_x, self.W_s(scale, mode), self.W_y, np.zeros(self.H), np.zeros(1))


def live_spec(kind, model, seeded, *, arrays=True, **controls) -> dict:
    """The JSON a live explorer reads: the sizes, each activation's γ, the controls, and (for the
    website's ``book/_static/bptt/live.js``, ``arrays=True``) every offered seed's network as rnnlib
    drew it. ``seeded``: the seeds, and a function making the model of a seed. Without arrays
    (JupyterLab's front end, whose frames rnnlib computes in the kernel) the seeds are listed only."""
    seeds, make = seeded
    spec = {"kind": kind, "H": model.H, "T": model.T, "N": model.N, "D": model.D, **controls}
    if not arrays:
        return {**spec, "seed_values": list(seeds)}
    gammas = {name: get_activation(name).gamma for name in controls.get("activations", ())}
    return {**spec, "gammas": gammas, "seeds": {str(s): make(s).browser_arrays() for s in seeds}}
