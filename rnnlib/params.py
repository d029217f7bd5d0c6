"""The parameters of a simple RNN (course notation, chapter 1).

    a_t = W_s h_{t-1} + W_x x_t + b_h,   h_t = f(a_t),
    o_t = W_y h_t + b_y,                 ŷ_t = g(o_t).

Matrices act on column vectors: ``W_s`` is H×H, ``W_x`` is H×D, ``W_y`` is O×H.
The same container holds gradients (one array per parameter, same shapes).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _validate as check

H0_MODES = ("zeros", "given", "trainable")


@dataclass
class RNNParams:
    """Weights, biases and initial state of an RNN.

    Parameters
    ----------
    W_x : ndarray, shape (H, D)
        Input-to-hidden weights.
    W_s : ndarray, shape (H, H)
        Hidden-to-hidden (recurrent) weights, shared by every time step.
    W_y : ndarray, shape (O, H)
        Hidden-to-output weights.
    b_h : ndarray, shape (H,)
    b_y : ndarray, shape (O,)
    h0 : ndarray, shape (H,), optional
        The initial state h_0. Defaults to zeros.
    h0_mode : {"zeros", "given", "trainable"}
        ``"zeros"``: h_0 = 0. ``"given"``: h_0 is fixed prior knowledge (for
        example an encoding of a speaker's earlier speeches). ``"trainable"``:
        h_0 is a parameter and receives a gradient.
    """

    W_x: np.ndarray
    W_s: np.ndarray
    W_y: np.ndarray
    b_h: np.ndarray
    b_y: np.ndarray
    h0: np.ndarray | None = None
    h0_mode: str = "zeros"
    _names: tuple = field(default=("W_x", "W_s", "W_y", "b_h", "b_y"), init=False, repr=False)

    def __post_init__(self):
        W_s = check.array("W_s", self.W_s, (None, None), ("H", "H"))
        H = W_s.shape[0]
        if W_s.shape != (H, H):
            raise ValueError(f"W_s must be square (H, H); got shape {W_s.shape}")
        self.W_s = W_s
        self.W_x = check.array("W_x", self.W_x, (H, None), ("H", "D"))
        self.W_y = check.array("W_y", self.W_y, (None, H), ("O", "H"))
        O = self.W_y.shape[0]
        self.b_h = check.array("b_h", self.b_h, (H,), ("H",))
        self.b_y = check.array("b_y", self.b_y, (O,), ("O",))
        check.choice("h0_mode", self.h0_mode, H0_MODES)
        if self.h0 is None:
            if self.h0_mode == "given":
                raise ValueError("h0 must be given (an array of shape (H,)) when h0_mode='given'; got None")
            self.h0 = np.zeros(H)
        else:
            self.h0 = check.array("h0", self.h0, (H,), ("H",))
            if self.h0_mode == "zeros" and np.any(self.h0 != 0):
                raise ValueError("h0 must be zeros when h0_mode='zeros'; got a non-zero h0 "
                                 "(use h0_mode='given' or 'trainable')")

    # --- sizes -----------------------------------------------------------------
    @property
    def D(self) -> int:
        return self.W_x.shape[1]

    @property
    def H(self) -> int:
        return self.W_s.shape[0]

    @property
    def O(self) -> int:  # noqa: E743 - the course calls the output size O
        return self.W_y.shape[0]

    # --- the parameters as a collection ----------------------------------------
    def names(self) -> tuple[str, ...]:
        """Names of the trainable arrays: the weights and biases, plus ``h0`` if trainable."""
        return self._names + (("h0",) if self.h0_mode == "trainable" else ())

    def items(self):
        return [(name, getattr(self, name)) for name in self.names()]

    def copy(self) -> "RNNParams":
        return RNNParams(self.W_x.copy(), self.W_s.copy(), self.W_y.copy(), self.b_h.copy(),
                         self.b_y.copy(), self.h0.copy(), self.h0_mode)

    def zeros_like(self) -> "RNNParams":
        """Arrays of zeros with the shapes of these parameters (a gradient accumulator)."""
        return RNNParams(*(np.zeros_like(getattr(self, n)) for n in self._names),
                         h0=np.zeros(self.H), h0_mode="trainable" if self.h0_mode == "trainable" else "zeros")

    def replace(self, **arrays) -> "RNNParams":
        """A copy with some arrays replaced, e.g. ``params.replace(W_s=W)``."""
        new = self.copy()
        for name, value in arrays.items():
            if name not in self._names + ("h0",):
                raise ValueError(f"replace() got an unknown parameter name {name!r}; "
                                 f"expected one of {self._names + ('h0',)}")
            setattr(new, name, value)
        new.__post_init__()
        return new

    def __repr__(self):
        return (f"RNNParams(D={self.D}, H={self.H}, O={self.O}, h0_mode={self.h0_mode!r})")
