"""Training by stochastic gradient descent, with optional momentum and clipping (chapters 7 and 8).

Backpropagation computes the gradient; gradient descent uses it. ``train`` records
the loss and the gradient norm (before clipping) at every update, and stops with
``diverged=True`` when the numbers overflow, as exploding gradients do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import validate
from .clipping import CLIP_MODES, clip
from .gated import cell_backward, cell_forward
from .params import RNNParams
from .tasks import Task
from .truncation import randomized_truncated_bptt, truncated_bptt


def sgd_step(params: RNNParams, grads: RNNParams, lr, momentum=0.0, velocity: RNNParams | None = None):
    """One step of gradient descent: v ← μ v − lr g, θ ← θ + v (plain SGD when μ = 0).

    Returns ``(new_params, new_velocity)``; the inputs are not modified.
    """
    lr = validate.real("lr", lr, minimum=0.0, strict_minimum=True)
    momentum = validate.real("momentum", momentum, minimum=0.0, maximum=1.0, strict_maximum=True)
    for name, value in (("params", params), ("grads", grads)):
        if not isinstance(value, RNNParams):
            raise ValueError(f"{name} must be an RNNParams; got {type(value).__name__}")
    new_v = -lr * grads if velocity is None else momentum * velocity - lr * grads
    return params + new_v, new_v


@dataclass
class History:
    """What happened during training, one entry per update."""

    loss: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)
    clipped: list = field(default_factory=list)
    params: RNNParams | None = None
    diverged: bool = False
    diverged_at: int | None = None

    @property
    def updates(self) -> int:
        return len(self.loss)


def _batch(task, rng):
    if isinstance(task, Task):
        return task
    if callable(task):
        if rng is None:
            raise ValueError("rng must be given (a seed or Generator) when task is a sampler; got None")
        batch = task(rng)
        if not isinstance(batch, Task):
            raise ValueError(f"task sampler must return a Task; got {type(batch).__name__}")
        return batch
    raise ValueError(f"task must be a Task or a function rng -> Task; got {type(task).__name__}")


def train(
    params: RNNParams,
    task,
    *,
    steps,
    lr,
    momentum=0.0,
    clip_mode=None,
    threshold=None,
    activation=None,
    rng=None,
    k1=None,
    k2=None,
    c=None,
    callback: Callable | None = None,
) -> History:
    """Train ``params`` on ``task`` by SGD; returns a :class:`History`.

    Parameters
    ----------
    params : RNNParams or GatedParams
        Initial parameters (not modified); their type picks the cell (vanilla, LSTM or GRU).
    task : Task or callable
        A fixed batch, or a sampler ``task(rng) -> Task`` drawn afresh for every step.
    steps : int
        Number of updates (with ``k1``/``k2``: passes over the stream).
    lr, momentum : float
    clip_mode : {None, "norm", "parameter_norm", "value"}
        Clipping, applied once per update to the whole gradient.
    threshold : float
        The clipping threshold θ (required with ``clip_mode``).
    activation : str, optional
        The vanilla cell's f (default ``"tanh"``); must be None for a gated cell.
    rng : int or numpy.random.Generator, optional
        Needed when ``task`` is a sampler.
    k1, k2 : int, optional
        Train with truncated BPTT(k1, k2) along each stream, updating every k1 steps.
    c : float in (0, 1), optional
        With k1, k2: randomized truncation (Tallec & Ollivier 2017) with windows k2 + G − 1,
        G ~ Geometric(c), drawn from ``rng`` (required).
    callback : callable, optional
        ``callback(step, params, history)`` after every update.
    """
    steps = validate.positive_int("steps", steps)
    if clip_mode is not None:
        validate.choice("clip_mode", clip_mode, CLIP_MODES)
        if threshold is None:
            raise ValueError(f"threshold must be given with clip_mode={clip_mode!r}; got None")
    elif threshold is not None:
        raise ValueError(
            f"threshold={threshold!r} needs a clip_mode ('norm', 'parameter_norm' or 'value'); got clip_mode=None"
        )
    if rng is not None:
        rng = validate.generator("rng", rng)
    if (k1 is None) != (k2 is None):
        raise ValueError(f"k1 and k2 must be given together; got k1={k1!r}, k2={k2!r}")
    if c is not None and (k1 is None or rng is None):
        raise ValueError(f"c={c!r} (randomized truncation) needs k1, k2 and rng; got k1={k1!r}, rng={rng!r}")

    history = History()
    state: dict[str, Any] = {"params": params.copy(), "velocity": None}

    def apply(grads, loss_value):
        c = clip(grads, clip_mode, threshold)
        history.loss.append(loss_value)
        history.grad_norm.append(c.norm)
        history.clipped.append(c.clipped)
        state["params"], state["velocity"] = sgd_step(state["params"], c.grads, lr, momentum, state["velocity"])
        if callback is not None:
            callback(len(history.loss), state["params"], history)
        return state["params"]

    try:
        with np.errstate(over="raise", invalid="raise"):
            for _ in range(steps):
                batch = _batch(task, rng)
                model = dict(batch.model) if activation is None else dict(batch.model, activation=activation)
                if k1 is None:
                    fp = cell_forward(state["params"], batch.x, batch.d, **model)
                    apply(cell_backward(state["params"], fp).grads, fp.loss)
                elif c is None:
                    truncated_bptt(
                        state["params"],
                        batch.x,
                        batch.d,
                        k1,
                        k2,
                        on_update=lambda p, update: apply(update.grads, update.loss),
                        **model,
                    )
                else:
                    randomized_truncated_bptt(
                        state["params"],
                        batch.x,
                        batch.d,
                        k1,
                        k2,
                        c,
                        rng,
                        on_update=lambda p, update: apply(update.grads, update.loss),
                        **model,
                    )
                if not np.isfinite(history.loss[-1]) or not np.isfinite(history.grad_norm[-1]):
                    raise FloatingPointError("non-finite loss or gradient")
    except FloatingPointError:
        history.diverged = True
        history.diverged_at = len(history.loss)
    history.params = state["params"]
    return history


def evaluate(params: RNNParams, task: Task, activation=None) -> dict:
    """Loss on ``task`` and, for classification, the accuracy at the steps that carry a target.

    ``params`` picks the cell; ``activation`` is the vanilla cell's f (default ``"tanh"``).
    """
    if not isinstance(task, Task):
        raise ValueError(f"task must be a Task; got {type(task).__name__}")
    fp = cell_forward(params, task.x, task.d, activation=activation, **task.model).targets_given()
    result = {"loss": fp.loss}
    if task.loss_name == "cross_entropy":
        pred = np.argmax(fp.y_hat_tm, axis=-1)  # (T, N)
        mask = fp.mask_tm.astype(bool)
        result["accuracy"] = float(np.mean(pred[mask] == fp.d_tm[mask]))
    return result
