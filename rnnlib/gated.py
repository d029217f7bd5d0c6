"""Gated cells, LSTM and GRU, with their own backpropagation through time (chapter 8).

Both keep the vanilla cell's read-out o_t = W_y h_t + b_y, ŷ_t = g(o_t), its losses, target
layouts and masks (:mod:`rnnlib.losses`), and replace the recurrence a_t = W_s h_{t-1} + W_x x_t + b_h,
h_t = f(a_t) by a gated one. The gate pre-activations of all gates are stacked in one vector,

    a_t = W_s h_{t-1} + W_x x_t + b_h,   W_s is (G·H)×H, W_x is (G·H)×D, b_h ∈ R^{G·H},

G = 4 for the LSTM (blocks i, f, g, o in that order) and G = 3 for the GRU (blocks z, r, n).

LSTM with a forget gate (Hochreiter & Schmidhuber 1997; the forget gate is Gers, Schmidhuber &
Cummins 2000; no peepholes):

    i_t = σ(a_t^i),  f_t = σ(a_t^f),  g_t = tanh(a_t^g),  o_t^gate = σ(a_t^o)
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t                                          (eq-ch8-cell)
    h_t = o_t^gate ⊙ tanh(c_t)                                                (eq-ch8-lstm-h)

Without a forget gate (f_t = 1, the original constant-error carousel) ∂c_t/∂c_{t-1} = I.

GRU in the convention of Cho et al. (2014), the reset gate applied before the product with W_s:

    z_t = σ(a_t^z),  r_t = σ(a_t^r),
    n_t = tanh(W_s^n (r_t ⊙ h_{t-1}) + W_x^n x_t + b_h^n)
    h_t = z_t ⊙ h_{t-1} + (1 − z_t) ⊙ n_t                                     (eq-ch8-gru)

so z_t = 1 *keeps* the old state. Chung et al. (2014) and some libraries write
h_t = (1 − z'_t) ⊙ h_{t-1} + z'_t ⊙ n_t instead; since 1 − σ(a) = σ(−a), their z' is ours with the
update gate's rows of W_s, W_x and b_h negated. (PyTorch also keeps our z, but applies r_t after the
product: r_t ⊙ (W_s^n h_{t-1} + b); that is a different cell, not a relabelling.)

:func:`backward` is the reversed loop, one step at a time, each rule beside the forward step it
inverts; it returns every parameter's gradient, δ_t = ∂L/∂h_t and, for the LSTM, ∂L/∂c_t for every t
(both total derivatives, t = 0..T), and the gradient of a trainable initial state.

Shapes: N batch, T time, D input, H hidden, O output; arrays are batch-first in the public
interface (``x[:, t-1]`` is x_t, ``h[:, t]`` is h_t with ``h[:, 0]`` = h_0) and time-major inside.
"""

from __future__ import annotations

import copy as _copy
from dataclasses import dataclass, field
from typing import cast

import numpy as np

from . import rnn, validate
from .initialisation import glorot, orthogonal
from .losses import check_model, loss_and_grad, prepare_targets, readout
from .params import H0_MODES, RNNParams

CELLS = {"lstm": 4, "gru": 3}
LSTM_GATES = ("i", "f", "g", "o")
GRU_GATES = ("z", "r", "n")


@dataclass
class GatedParams(RNNParams):
    """Weights, biases and initial state of an LSTM or a GRU; the same algebra as :class:`RNNParams`.

    Parameters
    ----------
    W_x : ndarray, shape (G·H, D)
    W_s : ndarray, shape (G·H, H)
    W_y : ndarray, shape (O, H)
    b_h : ndarray, shape (G·H,)
    b_y : ndarray, shape (O,)
    h0 : ndarray, shape (H,), optional
    h0_mode : {"zeros", "given", "trainable"}
        As for :class:`RNNParams`; for the LSTM it governs c_0 as well.
    c0 : ndarray, shape (H,), optional
        The LSTM's initial cell state c_0 (zeros unless given); must be None for the GRU.
    cell : {"lstm", "gru"}

    G = 4 for the LSTM (gate blocks i, f, g, o), 3 for the GRU (z, r, n): block j of a stacked
    array is rows j·H .. (j+1)·H − 1, e.g. ``params.gate("f", "b_h")``.
    """

    c0: np.ndarray | None = None
    cell: str = "lstm"

    def __post_init__(self):
        validate.choice("cell", self.cell, CELLS)
        G = CELLS[self.cell]
        W_s = validate.array("W_s", self.W_s, (None, None), (f"{G}H", "H"))
        H = W_s.shape[1]
        if W_s.shape[0] != G * H:
            raise ValueError(
                f"W_s must have shape ({G}·H, H) for cell={self.cell!r}; got shape {W_s.shape} "
                f"({W_s.shape[0]} rows, expected {G * H})"
            )
        self.W_s = W_s
        self.W_x = validate.array("W_x", self.W_x, (G * H, None), (f"{G}H", "D"))
        self.W_y = validate.array("W_y", self.W_y, (None, H), ("O", "H"))
        self.b_h = validate.array("b_h", self.b_h, (G * H,), (f"{G}H",))
        self.b_y = validate.array("b_y", self.b_y, (self.W_y.shape[0],), ("O",))
        validate.choice("h0_mode", self.h0_mode, H0_MODES)
        if self.cell == "gru" and self.c0 is not None:
            raise ValueError("c0 must be None for cell='gru' (a GRU has no cell state); got an array")
        for name in ("h0", "c0") if self.cell == "lstm" else ("h0",):
            value = getattr(self, name)
            if value is None:
                if self.h0_mode == "given" and name == "h0":
                    raise ValueError("h0 must be given (an array of shape (H,)) when h0_mode='given'; got None")
                setattr(self, name, np.zeros(H))
                continue
            value = validate.array(name, value, (H,), ("H",))
            if self.h0_mode == "zeros" and np.any(value != 0):
                raise ValueError(
                    f"{name} must be zeros when h0_mode='zeros'; got a non-zero {name} "
                    "(use h0_mode='given' or 'trainable')"
                )
            setattr(self, name, value)

    @property
    def H(self) -> int:
        return self.W_s.shape[1]

    @property
    def G(self) -> int:
        """Number of stacked gate blocks: 4 (LSTM) or 3 (GRU)."""
        return CELLS[self.cell]

    @property
    def initial_cell(self) -> np.ndarray:
        """c_0, shape (H,) (LSTM only)."""
        if self.cell != "lstm" or self.c0 is None:
            raise ValueError(f"initial_cell needs an LSTM; this is cell={self.cell!r}")
        return self.c0

    def names(self) -> tuple[str, ...]:
        """Trainable arrays: the weights and biases, plus h0 (and c0 for the LSTM) if trainable."""
        extra: tuple[str, ...] = ()
        if self.h0_mode == "trainable":
            extra = ("h0", "c0") if self.cell == "lstm" else ("h0",)
        return self._names + extra

    def gate(self, name: str, array: str = "b_h") -> np.ndarray:
        """The rows of ``array`` (``"W_x"``, ``"W_s"`` or ``"b_h"``) that belong to gate ``name`` (a view)."""
        gates = LSTM_GATES if self.cell == "lstm" else GRU_GATES
        j = gates.index(validate.choice("name", name, gates))
        validate.choice("array", array, ("W_x", "W_s", "b_h"))
        return getattr(self, array)[j * self.H : (j + 1) * self.H]

    def copy(self) -> GatedParams:
        return GatedParams(
            self.W_x.copy(),
            self.W_s.copy(),
            self.W_y.copy(),
            self.b_h.copy(),
            self.b_y.copy(),
            self.initial_state.copy(),
            self.h0_mode,
            None if self.c0 is None else self.c0.copy(),
            self.cell,
        )

    def zeros_like(self) -> GatedParams:
        trainable = self.h0_mode == "trainable"
        return GatedParams(
            np.zeros_like(self.W_x),
            np.zeros_like(self.W_s),
            np.zeros_like(self.W_y),
            np.zeros_like(self.b_h),
            np.zeros_like(self.b_y),
            h0=np.zeros(self.H),
            h0_mode="trainable" if trainable else "zeros",
            c0=np.zeros(self.H) if self.cell == "lstm" else None,
            cell=self.cell,
        )

    def replace(self, **arrays) -> GatedParams:
        new = self.copy()
        for name, value in arrays.items():
            if name not in self._names + ("h0", "c0"):
                raise ValueError(
                    f"replace() got an unknown parameter name {name!r}; expected one of {self._names + ('h0', 'c0')}"
                )
            setattr(new, name, value)
        new.__post_init__()
        return new

    def _with(self, arrays: dict[str, np.ndarray]) -> GatedParams:
        new = _copy.copy(self)
        new.h0 = self.initial_state.copy()
        if self.c0 is not None:
            new.c0 = self.c0.copy()
        for name, value in arrays.items():
            setattr(new, name, value)
        return new

    def _same_layout(self, other, what: str) -> RNNParams:
        if not isinstance(other, GatedParams) or other.cell != self.cell:
            raise ValueError(f"{what} needs another GatedParams with cell={self.cell!r}; got {other!r}")
        return super()._same_layout(other, what)

    def __repr__(self):
        return f"GatedParams(cell={self.cell!r}, D={self.D}, H={self.H}, O={self.O}, h0_mode={self.h0_mode!r})"


def init_gated(
    D, H, O, *, cell="lstm", scale=1.0, rng, forget_bias=1.0, h0_mode="zeros", h0=None, c0=None
) -> GatedParams:
    """Initial parameters of an LSTM or GRU with input size D, hidden size H and output size O.

    Each gate block of W_x (H, D) and W_y (O, H) is Glorot-uniform, each block of W_s (H, H) is
    ``scale`` times a random orthogonal matrix, the biases are zero except the LSTM's forget gate,
    b_h^f = ``forget_bias`` (1 by default, so that f_t ≈ σ(1) ≈ 0.73 at the start and the cell
    path carries its content: Gers et al. 2000 start with positive forget biases, Jozefowicz et al.
    2015 recommend 1). For the GRU the same number goes to the update gate's bias b_h^z: in the
    convention used here z_t = 1 keeps the old state, so z plays the forget gate's part.
    """
    D, H, O = (validate.positive_int(n, v) for n, v in (("D", D), ("H", H), ("O", O)))
    validate.choice("cell", cell, CELLS)
    rng = validate.generator("rng", rng)
    scale = validate.real("scale", scale, minimum=0.0)
    forget_bias = validate.real("forget_bias", forget_bias)
    G = CELLS[cell]
    W_x = np.concatenate([glorot((H, D), 1.0, rng) for _ in range(G)])
    W_s = np.concatenate([orthogonal(H, scale, rng) for _ in range(G)])
    W_y = glorot((O, H), 1.0, rng)
    b_h = np.zeros(G * H)
    keep = b_h[H : 2 * H] if cell == "lstm" else b_h[:H]  # the forget gate f, or the GRU's update gate z
    keep[:] = forget_bias
    return GatedParams(W_x, W_s, W_y, b_h, np.zeros(O), h0=h0, h0_mode=h0_mode, c0=c0, cell=cell)


@dataclass
class GatedForwardPass:
    """What the gated forward pass computed, kept for :func:`backward` (time-major).

    ``x_tm`` (T, N, D); ``h_tm`` (T+1, N, H) with ``h_tm[0]`` = h_0; ``c_tm`` (T+1, N, H) for the
    LSTM (None for the GRU); ``gates_tm`` (T, N, G·H): the gate values after their nonlinearity
    (i, f, g, o or z, r, n); ``o_tm``, ``y_hat_tm`` (T, N, O). With targets, ``d_tm``, ``mask_tm``,
    ``E_tm``, ``dO_tm`` and ``loss`` as in :class:`rnnlib.rnn.ForwardPass`.
    """

    cell: str
    x_tm: np.ndarray
    h_tm: np.ndarray
    c_tm: np.ndarray | None
    gates_tm: np.ndarray
    o_tm: np.ndarray
    y_hat_tm: np.ndarray
    output: str
    loss_name: str
    h0_given: bool
    d_tm: np.ndarray | None = None
    mask_tm: np.ndarray | None = None
    E_tm: np.ndarray | None = None
    dO_tm: np.ndarray | None = None
    loss: float | None = None

    @property
    def N(self) -> int:
        return self.x_tm.shape[1]

    @property
    def T(self) -> int:
        return self.x_tm.shape[0]

    @property
    def h(self) -> np.ndarray:
        """Hidden states, shape (N, T+1, H); ``h[:, 0]`` is h_0."""
        return self.h_tm.transpose(1, 0, 2)

    @property
    def c(self) -> np.ndarray:
        """LSTM cell states, shape (N, T+1, H); ``c[:, 0]`` is c_0."""
        if self.c_tm is None:
            raise ValueError("c needs an LSTM forward pass; this one is a GRU's")
        return self.c_tm.transpose(1, 0, 2)

    @property
    def y_hat(self) -> np.ndarray:
        """Predictions ŷ_t, shape (N, T, O)."""
        return self.y_hat_tm.transpose(1, 0, 2)

    @property
    def mask(self) -> np.ndarray | None:
        return None if self.mask_tm is None else self.mask_tm.T.astype(bool)

    def targets_given(self) -> GatedForwardPass:
        if self.dO_tm is None or self.loss is None:
            raise ValueError("fp has no loss: call gated.forward(params, x, d, ...) with targets d first")
        return self


def _check_params(params) -> GatedParams:
    if not isinstance(params, GatedParams):
        raise ValueError(f"params must be a GatedParams (from init_gated); got {type(params).__name__}")
    return params


def forward(
    params: GatedParams, x, d=None, *, output="linear", loss_name="squared", targets="all", h0=None, c0=None
) -> GatedForwardPass:
    """Run an LSTM or GRU over a batch (eq-ch8-cell, eq-ch8-lstm-h, eq-ch8-gru) and, with targets, the loss.

    Parameters
    ----------
    params : GatedParams
    x : ndarray, shape (N, T, D)
    d : ndarray, optional
        Targets as for :func:`rnnlib.forward` (see :func:`rnnlib.losses.prepare_targets`).
    output, loss_name, targets
        As for :func:`rnnlib.forward`.
    h0, c0 : ndarray, shape (N, H), optional
        Initial states for this batch (carried over from a previous chunk); default ``params.h0``
        and ``params.c0``. ``c0`` only for the LSTM.

    Returns
    -------
    GatedForwardPass
    """
    params = _check_params(params)
    check_model(output, loss_name)
    x = validate.array("x", x, (None, None, params.D), ("N", "T", "D"))
    N, T, _ = x.shape
    if N == 0 or T == 0:
        raise ValueError(f"x must have at least one sequence and one step; got shape {x.shape}")
    H, O, lstm = params.H, params.O, params.cell == "lstm"
    h0_arr = (
        np.broadcast_to(params.initial_state, (N, H)) if h0 is None else validate.array("h0", h0, (N, H), ("N", "H"))
    )
    if not lstm and c0 is not None:
        raise ValueError("c0 must be None for a GRU (it has no cell state); got an array")

    x_tm = np.ascontiguousarray(x.transpose(1, 0, 2))
    a_x = np.matmul(x_tm.reshape(T * N, -1), params.W_x.T).reshape(T, N, -1) + params.b_h  # W_x x_t + b_h
    h = np.empty((T + 1, N, H))
    h[0] = h0_arr
    gates = np.empty((T, N, params.G * H))
    c = None
    if lstm:
        c = np.empty((T + 1, N, H))
        c[0] = (
            np.broadcast_to(params.initial_cell, (N, H)) if c0 is None else validate.array("c0", c0, (N, H), ("N", "H"))
        )
    # σ(a) = (1 + tanh(a/2)) / 2 exactly, so every gate is one tanh: tanh(s ⊙ a) ⊙ s + (1 − s), with
    # s = 1/2 on the sigmoid blocks and 1 on the tanh block (g_t of the LSTM, n_t of the GRU, done apart).
    # Absolute error about 1e-16, σ(±40) rounds to 1 and 0; one ufunc call per step instead of six.
    s = np.full(params.G * H, 0.5)
    if lstm:
        s[2 * H : 3 * H] = 1.0
    W_s_T = np.ascontiguousarray(params.W_s.T)
    for t in range(T):
        if c is not None:
            gate_t = gates[t]
            np.matmul(h[t], W_s_T, out=gate_t)
            gate_t += a_x[t]  # a_t = W_s h_{t-1} + W_x x_t + b_h
            gate_t *= s
            np.tanh(gate_t, out=gate_t)
            gate_t *= s
            gate_t += 1.0 - s  # i, f, o = σ(a), g = tanh(a)
            i, f, g, o = (gate_t[:, j * H : (j + 1) * H] for j in range(4))
            c[t + 1] = f * c[t] + i * g  # eq-ch8-cell
            h[t + 1] = o * np.tanh(c[t + 1])  # eq-ch8-lstm-h
        else:
            zr = np.tanh(0.5 * (a_x[t, :, : 2 * H] + h[t] @ W_s_T[:, : 2 * H]))
            gates[t, :, : 2 * H] = 0.5 * zr + 0.5  # z_t, r_t = σ(a)
            z, r = gates[t, :, :H], gates[t, :, H : 2 * H]
            n = np.tanh(a_x[t, :, 2 * H :] + (r * h[t]) @ W_s_T[:, 2 * H :])
            gates[t, :, 2 * H :] = n
            h[t + 1] = z * h[t] + (1.0 - z) * n  # eq-ch8-gru

    o_out = np.matmul(h[1:].reshape(T * N, H), params.W_y.T).reshape(T, N, O) + params.b_y
    fp = GatedForwardPass(
        params.cell, x_tm, h, c, gates, o_out, readout(o_out, output), output, loss_name, h0 is not None
    )
    if d is not None:
        fp.d_tm, fp.mask_tm = prepare_targets(d, targets, loss_name, N, T, O)
        fp.loss, fp.E_tm, fp.dO_tm = loss_and_grad(o_out, fp.y_hat_tm, fp.d_tm, fp.mask_tm, output, loss_name)
    return fp


@dataclass
class GatedBPTTResult:
    """Gradients from full BPTT through a gated cell.

    Attributes
    ----------
    grads : GatedParams
        ∂L/∂θ for every parameter (and h0, c0 when trainable).
    delta : ndarray, shape (N, T+1, H)
        δ_t = ∂L/∂h_t (total) for t = 0..T.
    delta_c : ndarray, shape (N, T+1, H) or None
        ∂L/∂c_t (total, including the path through h_t) for t = 0..T; LSTM only.
    loss : float
    """

    grads: GatedParams
    delta: np.ndarray
    delta_c: np.ndarray | None
    loss: float
    da: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))


def backward(params: GatedParams, fp: GatedForwardPass) -> GatedBPTTResult:
    """Full BPTT through an LSTM or GRU: the reversed loop over the steps, t = T, ..., 1.

    At each step δ_t = W_yᵀ ∂E_t/∂o_t + (message from step t+1), as in eq-ch3-delta-recursion,
    then the step's rules. LSTM (with ε_t = ∂L/∂c_t):

        ε_t = (message from c_{t+1}: ε_{t+1} ⊙ f_{t+1}) + δ_t ⊙ o_t ⊙ (1 − tanh² c_t)
        ∂L/∂a^o = δ_t ⊙ tanh c_t ⊙ σ′,  ∂L/∂a^i = ε_t ⊙ g_t ⊙ σ′,  ∂L/∂a^g = ε_t ⊙ i_t ⊙ (1 − g_t²),
        ∂L/∂a^f = ε_t ⊙ c_{t-1} ⊙ σ′;  message to h_{t-1}: W_sᵀ ∂L/∂a_t.

    GRU: ∂L/∂z = δ_t ⊙ (h_{t-1} − n_t), ∂L/∂n = δ_t ⊙ (1 − z_t); the message to h_{t-1} collects
    z_t ⊙ δ_t, the path through r_t ⊙ h_{t-1} and W_sᵀ of the z, r pre-activation gradients.

    Parameters
    ----------
    params : GatedParams
        The parameters the forward pass used.
    fp : GatedForwardPass
        From :func:`forward` called with targets.

    Returns
    -------
    GatedBPTTResult
    """
    params = _check_params(params)
    if not isinstance(fp, GatedForwardPass):
        raise ValueError(f"fp must be the GatedForwardPass returned by gated.forward(); got {type(fp).__name__}")
    fp = fp.targets_given()
    if fp.cell != params.cell or fp.h_tm.shape[2] != params.H or fp.x_tm.shape[2] != params.D:
        raise ValueError(
            f"params (cell={params.cell!r}, D={params.D}, H={params.H}) do not match the forward pass "
            f"(cell={fp.cell!r}, D={fp.x_tm.shape[2]}, H={fp.h_tm.shape[2]})"
        )
    assert fp.dO_tm is not None and fp.loss is not None
    T, N, H = fp.T, fp.N, params.H
    dO = fp.dO_tm
    dW_y = dO.reshape(T * N, -1).T @ fp.h_tm[1:].reshape(T * N, H)
    db_y = dO.reshape(T * N, -1).sum(axis=0)
    dh_out = dO @ params.W_y  # W_yᵀ ∂E_t/∂o_t, (T, N, H)
    da = np.empty((T, N, params.G * H))  # ∂L/∂a_t for every gate block
    delta = np.zeros((T + 1, N, H))
    delta_c = np.zeros((T + 1, N, H)) if fp.c_tm is not None else None
    from_future = np.zeros((N, H))
    from_future_c = np.zeros((N, H))
    W_s = params.W_s
    if fp.c_tm is not None:
        # Every factor that does not depend on δ, for all steps at once (the loop then does 6 operations a step):
        # ∂a^i, ∂a^f, ∂a^g per unit of ε_t = ∂L/∂c_t, ∂a^o per unit of δ_t, and ∂c_t/∂h_t-path factor.
        G4 = fp.gates_tm.reshape(T, N, 4, H)
        i, f, g, o = G4[:, :, 0], G4[:, :, 1], G4[:, :, 2], G4[:, :, 3]
        tanh_c = np.tanh(fp.c_tm[1:])
        by_eps = np.stack([g * i * (1.0 - i), fp.c_tm[:-1] * f * (1.0 - f), i * (1.0 - g**2)], axis=2)  # (T, N, 3, H)
        by_delta_o = tanh_c * o * (1.0 - o)
        c_from_h = o * (1.0 - tanh_c**2)  # ∂h_t/∂c_t = diag(o_t ⊙ (1 − tanh² c_t))
        da4 = da.reshape(T, N, 4, H)
    for t in range(T, 0, -1):
        delta_t = dh_out[t - 1] + from_future
        delta[t] = delta_t
        if fp.c_tm is not None and delta_c is not None:
            eps_t = from_future_c + delta_t * c_from_h[t - 1]  # ∂L/∂c_t
            delta_c[t] = eps_t
            np.multiply(eps_t[:, None, :], by_eps[t - 1], out=da4[t - 1, :, :3])  # ∂L/∂a^i, ∂L/∂a^f, ∂L/∂a^g
            np.multiply(delta_t, by_delta_o[t - 1], out=da4[t - 1, :, 3])  # ∂L/∂a^o
            from_future_c = eps_t * f[t - 1]  # ∂c_t/∂c_{t-1} = diag(f_t) along the cell path
            from_future = da[t - 1] @ W_s
        else:
            gates, h_prev = fp.gates_tm[t - 1], fp.h_tm[t - 1]
            z, r, n = (gates[:, j * H : (j + 1) * H] for j in range(3))
            da_n = delta_t * (1.0 - z) * (1.0 - n**2)
            d_rh = da_n @ W_s[2 * H :]  # ∂L/∂(r_t ⊙ h_{t-1})
            da[t - 1, :, :H] = delta_t * (h_prev - n) * z * (1.0 - z)
            da[t - 1, :, H : 2 * H] = d_rh * h_prev * r * (1.0 - r)
            da[t - 1, :, 2 * H :] = da_n
            from_future = delta_t * z + d_rh * r + da[t - 1, :, : 2 * H] @ W_s[: 2 * H]
    delta[0] = from_future
    if delta_c is not None:
        delta_c[0] = from_future_c
    da_flat = da.reshape(T * N, -1)
    dW_x = da_flat.T @ fp.x_tm.reshape(T * N, -1)
    if fp.c_tm is not None:
        dW_s = da_flat.T @ fp.h_tm[:-1].reshape(T * N, H)
    else:  # the candidate's block multiplies r_t ⊙ h_{t-1}, not h_{t-1}
        r_h = fp.gates_tm[:, :, H : 2 * H] * fp.h_tm[:-1]
        dW_s = np.concatenate(
            [
                da_flat[:, : 2 * H].T @ fp.h_tm[:-1].reshape(T * N, H),
                da_flat[:, 2 * H :].T @ r_h.reshape(T * N, H),
            ]
        )
    db_h = da_flat.sum(axis=0)
    grads = params.zeros_like()
    grads.W_x, grads.W_s, grads.W_y, grads.b_h, grads.b_y = dW_x, dW_s, dW_y, db_h, db_y
    if params.h0_mode == "trainable" and not fp.h0_given:
        grads.h0 = delta[0].sum(axis=0)
        if delta_c is not None:
            grads.c0 = delta_c[0].sum(axis=0)
    return GatedBPTTResult(
        grads,
        delta.transpose(1, 0, 2),
        None if delta_c is None else delta_c.transpose(1, 0, 2),
        float(fp.loss),
        da.transpose(1, 0, 2),
    )


def loss_and_gradients(params: GatedParams, x, d, **model) -> tuple[float, GatedParams]:
    """Forward pass and full BPTT through a gated cell: ``(L, grads)``."""
    fp = forward(params, x, d, **model)
    return cast(float, fp.loss), backward(params, fp).grads


def loss(params: GatedParams, x, d, **model) -> float:
    """The loss L alone (what finite differences perturb)."""
    return cast(float, forward(params, x, d, **model).targets_given().loss)


# --- diagnostics along the real trajectory ---------------------------------------------------------


def step_jacobians(params: GatedParams, fp: GatedForwardPass) -> np.ndarray:
    """∂s_t/∂s_{t-1} for the full state s_t, along the trajectory of ``fp``: shape (T, N, S, S).

    For the LSTM s_t = (h_t, c_t) and S = 2H (block [h, c] × [h, c]); for the GRU s_t = h_t, S = H.
    Every path counts: through the gates as well as along the cell path.
    """
    params = _check_params(params)
    if not isinstance(fp, GatedForwardPass) or fp.cell != params.cell:
        raise ValueError("fp must be the GatedForwardPass of these params (same cell)")
    T, N, H = fp.T, fp.N, params.H
    eye = np.eye(H)
    W_s = params.W_s
    if fp.c_tm is not None:
        J = np.zeros((T, N, 2 * H, 2 * H))
        for t in range(1, T + 1):
            i, f, g, o = (fp.gates_tm[t - 1, :, j * H : (j + 1) * H] for j in range(4))
            c_prev, tanh_c = fp.c_tm[t - 1], np.tanh(fp.c_tm[t])
            # ∂a^gate/∂h_{t-1} = W_s^gate; each gate's derivative scales its rows.
            d_i = (i * (1 - i) * g)[:, :, None] * W_s[None, :H]
            d_f = (f * (1 - f) * c_prev)[:, :, None] * W_s[None, H : 2 * H]
            d_g = (i * (1 - g**2))[:, :, None] * W_s[None, 2 * H : 3 * H]
            dc_dh = d_i + d_f + d_g  # ∂c_t/∂h_{t-1}
            dc_dc = f[:, :, None] * eye  # ∂c_t/∂c_{t-1} = diag(f_t)
            k = (o * (1 - tanh_c**2))[:, :, None]
            dh_dh = (o * (1 - o) * tanh_c)[:, :, None] * W_s[None, 3 * H :] + k * dc_dh
            dh_dc = k * dc_dc
            J[t - 1, :, :H, :H], J[t - 1, :, :H, H:] = dh_dh, dh_dc
            J[t - 1, :, H:, :H], J[t - 1, :, H:, H:] = dc_dh, dc_dc
        return J
    J = np.zeros((T, N, H, H))
    for t in range(1, T + 1):
        z, r, n = (fp.gates_tm[t - 1, :, j * H : (j + 1) * H] for j in range(3))
        h_prev = fp.h_tm[t - 1]
        dz = (z * (1 - z))[:, :, None] * W_s[None, :H]  # ∂z/∂h_{t-1}
        dr = (r * (1 - r))[:, :, None] * W_s[None, H : 2 * H]
        # n = tanh(W_n (r ⊙ h) + ...): ∂n/∂h = diag(1 − n²) W_n (diag(r) + diag(h) ∂r/∂h)
        dn = (1 - n**2)[:, :, None] * (W_s[None, 2 * H :] @ (r[:, :, None] * eye + h_prev[:, :, None] * dr))
        J[t - 1] = z[:, :, None] * eye + (h_prev - n)[:, :, None] * dz + (1 - z)[:, :, None] * dn
    return J


def jacobian_product(params: GatedParams, fp: GatedForwardPass, t, k) -> np.ndarray:
    """∂s_t/∂s_k = J_t J_{t-1} ⋯ J_{k+1} along the trajectory: shape (N, S, S); the identity when t = k."""
    J = step_jacobians(params, fp)
    t = validate.positive_int("t", t, minimum=0, maximum=fp.T)
    k = validate.positive_int("k", k, minimum=0, maximum=t)
    P = np.broadcast_to(np.eye(J.shape[2]), J.shape[1:]).copy()
    for j in range(t, k, -1):
        P = P @ J[j - 1]  # right-multiply: ∂s_t/∂s_{j-1} = (∂s_t/∂s_j) J_j
    return P


def state_jacobian_norms(params: GatedParams, fp: GatedForwardPass, *, block="h") -> np.ndarray:
    """‖∂h_T/∂h_k‖₂ (``block="h"``) or ‖∂c_T/∂c_k‖₂ (``block="c"``, LSTM) for k = 0..T, batch mean: (T+1,).

    The blocks of the full product of state Jacobians (:func:`step_jacobians`), so the paths
    through the gates are included; plotted against T − k they show how far back the state reaches.
    """
    validate.choice("block", block, ("h", "c"))
    if block == "c" and params.cell != "lstm":
        raise ValueError(f"block='c' needs an LSTM; got cell={params.cell!r}")
    J = step_jacobians(params, fp)
    T, H = fp.T, params.H
    sl = slice(0, H) if block == "h" else slice(H, 2 * H)
    P = np.broadcast_to(np.eye(J.shape[2]), J.shape[1:]).copy()
    norms = np.empty(T + 1)
    norms[T] = 1.0
    for k in range(T - 1, -1, -1):
        P = P @ J[k]  # now ∂s_T/∂s_k
        norms[k] = float(np.mean(np.linalg.norm(P[:, sl, sl], ord=2, axis=(1, 2))))
    return norms


# --- one interface for the three cells (training, truncation, evaluation) ----------------------------


def cell_forward(params: RNNParams, x, d=None, *, activation=None, **model):
    """The forward pass of the cell ``params`` belongs to: :func:`forward` for a :class:`GatedParams`,
    :func:`rnnlib.forward` (with ``activation``, default ``"tanh"``) for an :class:`RNNParams`.

    A gated cell has its own nonlinearities, so passing ``activation`` with one is an error.
    """
    if isinstance(params, GatedParams):
        if activation is not None:
            raise ValueError(
                f"activation must be None for cell={params.cell!r} (its gates fix the nonlinearities); got {activation!r}"
            )
        return forward(params, x, d, **model)
    if not isinstance(params, RNNParams):
        raise ValueError(f"params must be an RNNParams or a GatedParams; got {type(params).__name__}")
    return rnn.forward(params, x, d, activation="tanh" if activation is None else activation, **model)


def cell_backward(params: RNNParams, fp):
    """Full BPTT for the cell ``params`` belongs to (:func:`backward` or :func:`rnnlib.backward`); ``.grads`` has the layout of ``params``."""
    if isinstance(params, GatedParams):
        return backward(params, fp)
    return rnn.backward(params, fp)
