"""Synthetic tasks, generated from a seed (chapters 5, 7 and 8).

Each generator returns a :class:`Task`: inputs, targets, and how the loss is taken
(which read-out, which loss, which steps carry a target), plus the loss of a
trivial predictor to beat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import validate


@dataclass
class Task:
    """A batch of a synthetic task.

    Attributes
    ----------
    x : ndarray, shape (N, T, D)
    d : ndarray
        Targets in the shape :func:`rnnlib.forward` expects for ``targets``.
    output, loss_name, targets : str
        Keyword arguments for :func:`rnnlib.forward`.
    baseline : float
        The loss of a trivial predictor that ignores the input (to beat).
    name : str
    """

    x: np.ndarray
    d: np.ndarray
    output: str
    loss_name: str
    targets: object
    baseline: float
    name: str

    @property
    def model(self) -> dict:
        """``{"output", "loss_name", "targets"}`` to pass on to :func:`rnnlib.forward`."""
        return {"output": self.output, "loss_name": self.loss_name, "targets": self.targets}

    @property
    def D(self):
        return self.x.shape[2]

    @property
    def O(self):
        return self.d.shape[-1] if self.loss_name == "squared" else int(self.n_classes)

    n_classes: int = 0  # the number of classes O, for cross-entropy tasks


def adding_problem(n, T, rng) -> Task:
    """The adding problem (Hochreiter & Schmidhuber 1997; Le, Jaitly & Hinton 2015).

    Two input channels: values drawn from U[0, 1], and a marker channel that is 1 at two
    positions, one in the first half of the sequence and one in the second. The target, at
    the last step only, is the sum of the two marked values. Always predicting 1 scores an
    MSE of Var(u₁ + u₂) = 1/6 ≈ 0.167: the baseline.

    Returns a Task with x (n, T, 2), d (n, 1), ``targets="last"``, linear output, squared loss.
    """
    n = validate.positive_int("n", n)
    T = validate.positive_int("T", T, minimum=2)
    rng = validate.generator("rng", rng)
    values = rng.uniform(0.0, 1.0, size=(n, T))
    half = T // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, T, size=n)
    markers = np.zeros((n, T))
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=2)
    d = (values[rows, first] + values[rows, second])[:, None]
    return Task(x, d, "linear", "squared", "last", 1.0 / 6.0, "adding")


def remember_symbol(n, gap, n_symbols, rng) -> Task:
    """Remember a symbol across a gap of ``gap`` steps.

    Step 1 shows one of ``n_symbols`` symbols (one-hot); then ``gap`` blank steps; then a
    recall cue on an extra channel. The target, at the last step, is the symbol's label.
    Guessing scores cross-entropy log(n_symbols) and accuracy 1/n_symbols.

    Returns a Task with x (n, gap + 2, n_symbols + 1), labels d (n,), ``targets="last"``,
    softmax output, cross-entropy loss.
    """
    n = validate.positive_int("n", n)
    gap = validate.positive_int("gap", gap, minimum=0)
    n_symbols = validate.positive_int("n_symbols", n_symbols, minimum=2)
    rng = validate.generator("rng", rng)
    T = gap + 2
    labels = rng.integers(0, n_symbols, size=n)
    x = np.zeros((n, T, n_symbols + 1))
    x[np.arange(n), 0, labels] = 1.0
    x[:, -1, n_symbols] = 1.0
    task = Task(x, labels, "softmax", "cross_entropy", "last", float(np.log(n_symbols)), "remember")
    task.n_classes = n_symbols
    return task


def noisy_sine(n, T, rng, noise=0.1, omega=(0.1, 0.5)) -> Task:
    """Predict the next value of a sine wave from noisy observations.

    x_t = sin(ω t + φ) + ε_t with ε_t ~ N(0, noise²), ω ~ U[omega], φ ~ U[0, 2π) per sequence;
    target d_t = sin(ω (t + 1) + φ) at every step. The baseline predicts 0: loss T/2 per sequence
    on average (the mean of sin²).

    Returns a Task with x (n, T, 1), d (n, T, 1), ``targets="all"``, linear output, squared loss.
    """
    n = validate.positive_int("n", n)
    T = validate.positive_int("T", T)
    rng = validate.generator("rng", rng)
    noise = validate.real("noise", noise, minimum=0.0)
    if not isinstance(omega, (tuple, list)) or len(omega) != 2:
        raise ValueError(f"omega must be a pair (low, high) of angular frequencies; got {omega!r}")
    lo, hi = (validate.real("omega", w, minimum=0.0) for w in omega)
    if lo > hi:
        raise ValueError(f"omega must be (low, high) with low <= high; got {omega!r}")
    w = rng.uniform(lo, hi, size=(n, 1))
    phi = rng.uniform(0.0, 2 * np.pi, size=(n, 1))
    t = np.arange(1, T + 2)[None, :]
    clean = np.sin(w * t + phi)
    x = (clean[:, :T] + noise * rng.standard_normal((n, T)))[..., None]
    d = clean[:, 1:, None]
    return Task(x, d, "linear", "squared", "all", T / 2.0, "sine")
