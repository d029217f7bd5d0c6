"""The parameters of a simple RNN (course notation, chapter 1).

    a_t = W_s h_{t-1} + W_x x_t + b_h,   h_t = f(a_t),
    o_t = W_y h_t + b_y,                 ŷ_t = g(o_t).

Matrices act on column vectors: ``W_s`` is H×H, ``W_x`` is H×D, ``W_y`` is O×H.
The same container holds gradients (one array per parameter, same shapes), and does its own
algebra over the trainable arrays, so no caller loops over parameter names:

    g1 + g2,  g1 - g2,  α * g,  g.dot(other),  g.norm(),  g.flat(),  for name, array in g: ...

``global_norm``, ``cosine`` and ``relative_gradient_error`` are that algebra's measures of a
gradient, used by clipping (chapter 7) and by the bias of truncation (chapter 5).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from numbers import Real

import numpy as np

from . import validate

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
    __array_ufunc__ = None  # ``2.0 * params`` and ``np.float64(2.0) * params`` both use RNNParams.__rmul__

    def __post_init__(self):
        W_s = validate.array("W_s", self.W_s, (None, None), ("H", "H"))
        H = W_s.shape[0]
        if W_s.shape != (H, H):
            raise ValueError(f"W_s must be square (H, H); got shape {W_s.shape}")
        self.W_s = W_s
        self.W_x = validate.array("W_x", self.W_x, (H, None), ("H", "D"))
        self.W_y = validate.array("W_y", self.W_y, (None, H), ("O", "H"))
        O = self.W_y.shape[0]
        self.b_h = validate.array("b_h", self.b_h, (H,), ("H",))
        self.b_y = validate.array("b_y", self.b_y, (O,), ("O",))
        validate.choice("h0_mode", self.h0_mode, H0_MODES)
        if self.h0 is None:
            if self.h0_mode == "given":
                raise ValueError("h0 must be given (an array of shape (H,)) when h0_mode='given'; got None")
            self.h0 = np.zeros(H)
        else:
            self.h0 = validate.array("h0", self.h0, (H,), ("H",))
            if self.h0_mode == "zeros" and np.any(self.h0 != 0):
                raise ValueError(
                    "h0 must be zeros when h0_mode='zeros'; got a non-zero h0 (use h0_mode='given' or 'trainable')"
                )

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

    def __iter__(self) -> Iterator[tuple[str, np.ndarray]]:
        """``(name, array)`` for each trainable array, in the order of :meth:`names`."""
        return ((name, getattr(self, name)) for name in self.names())

    def items(self) -> list[tuple[str, np.ndarray]]:
        return list(self)

    def copy(self) -> RNNParams:
        return RNNParams(
            self.W_x.copy(),
            self.W_s.copy(),
            self.W_y.copy(),
            self.b_h.copy(),
            self.b_y.copy(),
            self.initial_state.copy(),
            self.h0_mode,
        )

    @property
    def initial_state(self) -> np.ndarray:
        """h_0, shape (H,): always an array once the container is built (zeros unless given)."""
        assert self.h0 is not None  # set by __post_init__
        return self.h0

    def zeros_like(self) -> RNNParams:
        """Arrays of zeros with the shapes of these parameters (a gradient accumulator)."""
        return RNNParams(
            np.zeros_like(self.W_x),
            np.zeros_like(self.W_s),
            np.zeros_like(self.W_y),
            np.zeros_like(self.b_h),
            np.zeros_like(self.b_y),
            h0=np.zeros(self.H),
            h0_mode="trainable" if self.h0_mode == "trainable" else "zeros",
        )

    def replace(self, **arrays) -> RNNParams:
        """A copy with some arrays replaced, e.g. ``params.replace(W_s=W)``."""
        new = self.copy()
        for name, value in arrays.items():
            if name not in self._names + ("h0",):
                raise ValueError(
                    f"replace() got an unknown parameter name {name!r}; expected one of {self._names + ('h0',)}"
                )
            setattr(new, name, value)
        new.__post_init__()
        return new

    def __repr__(self):
        return f"RNNParams(D={self.D}, H={self.H}, O={self.O}, h0_mode={self.h0_mode!r})"

    # --- algebra over the trainable arrays ---------------------------------------------------
    def _with(self, arrays: dict[str, np.ndarray]) -> RNNParams:
        """A new container with the trainable arrays replaced and the rest copied (no re-validation:
        the arrays come from arithmetic on arrays of the right shapes)."""
        new = copy.copy(self)
        new.h0 = self.initial_state.copy()
        for name, value in arrays.items():
            setattr(new, name, value)
        return new

    def _same_layout(self, other, what: str) -> RNNParams:
        if not isinstance(other, RNNParams):
            raise ValueError(f"{what} needs another RNNParams; got {type(other).__name__}")
        if other.names() != self.names():
            raise ValueError(f"{what} needs the same parameters on both sides; got {self.names()} and {other.names()}")
        for name, value in self:
            if getattr(other, name).shape != value.shape:
                raise ValueError(
                    f"{what} needs the same shapes; {name} has shape {value.shape} and {getattr(other, name).shape}"
                )
        return other

    def __add__(self, other: RNNParams) -> RNNParams:
        other = self._same_layout(other, "+")
        return self._with({name: value + getattr(other, name) for name, value in self})

    def __sub__(self, other: RNNParams) -> RNNParams:
        other = self._same_layout(other, "-")
        return self._with({name: value - getattr(other, name) for name, value in self})

    def __mul__(self, alpha) -> RNNParams:
        if isinstance(alpha, bool) or not isinstance(alpha, Real):
            return NotImplemented
        return self._with({name: float(alpha) * value for name, value in self})

    __rmul__ = __mul__

    def __neg__(self) -> RNNParams:
        return -1.0 * self

    def dot(self, other: RNNParams) -> float:
        """⟨θ, φ⟩ = Σ over the trainable arrays of Σ_ij θ_ij φ_ij."""
        other = self._same_layout(other, "dot()")
        return float(sum(np.sum(value * getattr(other, name)) for name, value in self))

    def norm(self) -> float:
        """‖θ‖₂ over every trainable array taken together (for a gradient, its global norm).

        Computed scaled, as s·sqrt(Σ (θ/s)²) with s = max |θ|, so that an enormous but finite
        gradient (entries near 1e200, whose squares overflow) has its true, finite norm; ``inf`` only
        when the norm itself exceeds the largest float (about 1.8e308).
        """
        return l2_norm(*(value for _, value in self))

    def map(self, fn) -> RNNParams:
        """A new container with ``fn(array)`` for each trainable array, e.g. ``g.map(np.sign)``."""
        out = {}
        for name, value in self:
            new = np.asarray(fn(value), dtype=np.float64)
            if new.shape != value.shape:
                raise ValueError(
                    f"map() needs fn to keep each array's shape; {name} has shape {value.shape}, "
                    f"fn returned shape {new.shape}"
                )
            out[name] = new
        return self._with(out)

    def flat(self) -> np.ndarray:
        """All trainable arrays as one vector, shape (number of trainable entries,), in :meth:`names` order."""
        return np.concatenate([value.ravel() for _, value in self])


def l2_norm(*arrays: np.ndarray) -> float:
    """‖(a_1, ..., a_k)‖₂ of arrays taken together, scaled so that no square overflows.

    With s = max |a|, the norm is s·sqrt(Σ (a/s)²): each (a/s)² ≤ 1, so the sum cannot overflow
    and the result is finite whenever the true norm is representable. Arrays must be finite.
    """
    if not arrays:
        return 0.0
    s = max((float(np.max(np.abs(a))) if a.size else 0.0) for a in arrays)
    if s == 0.0:
        return 0.0
    with np.errstate(over="ignore", under="ignore"):
        total = sum(float(np.sum(np.square(a / s))) for a in arrays)
        return float(s * np.sqrt(total))


def check_params(
    name: str, value, *, like: RNNParams | None = None, what: str = "an RNNParams", like_name: str = "params"
) -> RNNParams:
    """``value`` if it is an :class:`RNNParams` (laid out like ``like``, if given); else a ``ValueError``.

    "Laid out like" means the same trainable names (so a trainable h0 on one side only is refused)
    and the same shape for each array: nothing broadcasts.
    """
    if not isinstance(value, RNNParams):
        raise ValueError(f"{name} must be {what}; got {type(value).__name__}")
    if like is not None:
        if value.names() != like.names():
            raise ValueError(f"{name} must hold the parameters of {like_name}, {like.names()}; got {value.names()}")
        for key, arr in like:
            got = getattr(value, key).shape
            if got != arr.shape:
                raise ValueError(
                    f"{name} must have the shapes of {like_name} (D={like.D}, H={like.H}, O={like.O}); "
                    f"{name}.{key} has shape {got}, expected {arr.shape}"
                )
    return value


def _gradients(name: str, value) -> RNNParams:
    return check_params(name, value, what="an RNNParams of gradients")


def global_norm(grads: RNNParams) -> float:
    """‖g‖₂ over every trainable parameter's gradient taken together (chapter 7, Algorithm 1's ‖g‖)."""
    return _gradients("grads", grads).norm()


def cosine(g1: RNNParams, g2: RNNParams) -> float:
    """cos∠(g1, g2) = ⟨g1, g2⟩ / (‖g1‖ ‖g2‖): 1 means the same direction.

    Both must have the same parameters and shapes (a trainable h0 on one side only is refused).
    Computed as ⟨g1/‖g1‖, g2/‖g2‖⟩, so that enormous gradients do not overflow the dot product.
    """
    n1 = _gradients("g1", g1).norm()
    n2 = check_params("g2", g2, like=g1, what="an RNNParams of gradients", like_name="g1").norm()
    for name, n in (("g1", n1), ("g2", n2)):
        if n == 0:
            raise ValueError(f"{name} must be a non-zero gradient; got a zero gradient")
        if not np.isfinite(n):
            raise ValueError(f"{name} must have a finite norm; got ‖{name}‖ = {n}")
    u1, u2 = g1.map(lambda v: v / n1), g2.map(lambda v: v / n2)
    return float(np.clip(u1.dot(u2), -1.0, 1.0))


def relative_gradient_error(grads: RNNParams, reference: RNNParams) -> float:
    """‖g − g_ref‖ / ‖g_ref‖ over all trainable parameters taken together (chapter 5).

    The bias of a truncated gradient g when ``reference`` is the full-BPTT gradient: 0 when the
    two agree, 1 when g is zero, and above 1 when g points elsewhere.

    Parameters
    ----------
    grads, reference : RNNParams
        Gradients with the same parameter names and shapes.
    """
    _gradients("grads", grads)
    check_params("reference", reference, like=grads, what="an RNNParams of gradients", like_name="grads")
    ref_norm = reference.norm()
    if ref_norm == 0:
        raise ValueError("reference must be a non-zero gradient; got a zero gradient")
    # Scaled by s = max(‖grads‖, ‖reference‖) first, so that the difference of two enormous
    # gradients cannot overflow: ‖g − r‖/‖r‖ = ‖g/s − r/s‖ / (‖r‖/s).
    s = max(grads.norm(), ref_norm)
    diff = grads.map(lambda v: v / s) - reference.map(lambda v: v / s)
    return diff.norm() / (ref_norm / s)
