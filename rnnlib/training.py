"""Training by stochastic gradient descent, with optional momentum and clipping (chapters 7 and 8).

Backpropagation computes the gradient; gradient descent uses it. ``train`` records
the loss and the gradient norm (before clipping) at every update, and stops with
``diverged=True`` when the numbers overflow, as exploding gradients do.

Divergence, and only divergence, is reported in the :class:`History`: the forward pass overflowed
(``loss == inf``), the backward pass raised :class:`rnnlib.ExplodingGradientError`, the update
overflowed the parameters, or the loss stayed above ``stop_loss`` for ``patience`` updates.
``History.diverged_reason`` says which, in one line that ``verbose=True`` also prints. The
caller's own errors (a callback or a task sampler that raises, even ``FloatingPointError``)
propagate unchanged: they are not the model's divergence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import validate
from .activations import get_activation
from .clipping import CLIP_MODES, clip
from .gated import cell_backward, cell_forward
from .params import RNNParams, check_params
from .rnn import ExplodingGradientError
from .tasks import Task
from .truncation import randomized_truncated_bptt, truncated_bptt


def sgd_step(params: RNNParams, grads: RNNParams, lr, momentum=0.0, velocity: RNNParams | None = None):
    """One step of gradient descent: v ← μ v − lr g, θ ← θ + v (plain SGD when μ = 0).

    Returns ``(new_params, new_velocity)``; the inputs are not modified. ``grads`` and ``velocity``
    must have exactly the parameters and shapes of ``params`` (nothing broadcasts). An update that
    overflows float64 raises :class:`rnnlib.ExplodingGradientError` instead of returning inf weights.
    """
    lr = validate.real("lr", lr, minimum=0.0, strict_minimum=True)
    momentum = validate.real("momentum", momentum, minimum=0.0, maximum=1.0, strict_maximum=True)
    params = check_params("params", params)
    check_params("grads", grads, like=params, what="an RNNParams of gradients")
    if velocity is not None:
        check_params("velocity", velocity, like=params, what="an RNNParams (the previous velocity) or None")
    with np.errstate(over="ignore", invalid="ignore"):
        new_v = -lr * grads if velocity is None else momentum * velocity - lr * grads
        new_params = params + new_v
    if not all(np.all(np.isfinite(v)) for _, v in new_params) or not all(np.all(np.isfinite(v)) for _, v in new_v):
        raise ExplodingGradientError(
            f"the update overflowed float64 (lr = {lr}, ‖g‖ = {grads.norm():.3e}): lower the learning rate or clip"
        )
    return new_params, new_v


@dataclass
class History:
    """What happened during training, one entry per update.

    ``diverged`` is True when the run stopped because the model diverged (see the module
    docstring); then ``diverged_at`` is the update at which it happened (the last entry of
    ``loss`` and ``grad_norm``, where what overflowed is ``inf``) and ``diverged_reason`` a one-line
    explanation.
    """

    loss: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)
    clipped: list = field(default_factory=list)
    params: RNNParams | None = None
    diverged: bool = False
    diverged_at: int | None = None  # the update (1-based) at which the run diverged
    diverged_reason: str | None = None  # one line: what overflowed, where, and what to do

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
    stop_loss=None,
    patience=1,
    verbose=False,
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
        ``callback(step, params, history)`` after every update. Its exceptions propagate.
    stop_loss : float, optional
        Stop, with ``diverged=True``, when the loss has stayed above ``stop_loss`` for ``patience``
        consecutive updates (a run that trains on at a loss of 1e22 under clipping has diverged too).
    patience : int
        How many consecutive updates above ``stop_loss`` count as divergence (default 1).
    verbose : bool
        Print one line when the run diverges (the same text as ``History.diverged_reason``).
    """
    params = check_params("params", params)
    steps = validate.positive_int("steps", steps)
    lr = validate.real("lr", lr, minimum=0.0, strict_minimum=True)
    momentum = validate.real("momentum", momentum, minimum=0.0, maximum=1.0, strict_maximum=True)
    if activation is not None:
        get_activation(activation)
    if clip_mode is not None:
        validate.choice("clip_mode", clip_mode, CLIP_MODES)
        if threshold is None:
            raise ValueError(f"threshold must be given with clip_mode={clip_mode!r}; got None")
        validate.real("threshold", threshold, minimum=0.0, strict_minimum=True)
    elif threshold is not None:
        raise ValueError(
            f"threshold={threshold!r} needs a clip_mode ('norm', 'parameter_norm' or 'value'); got clip_mode=None"
        )
    if rng is not None:
        rng = validate.generator("rng", rng)
    if (k1 is None) != (k2 is None):
        raise ValueError(f"k1 and k2 must be given together; got k1={k1!r}, k2={k2!r}")
    validate.callable_or_none("callback", callback)
    if stop_loss is not None:
        stop_loss = validate.real("stop_loss", stop_loss, minimum=0.0, strict_minimum=True)
    patience = validate.positive_int("patience", patience)
    verbose = validate.boolean("verbose", verbose)
    if not isinstance(task, Task) and not callable(task):
        raise ValueError(f"task must be a Task or a function rng -> Task; got {type(task).__name__}")
    if c is not None and (k1 is None or rng is None):
        raise ValueError(f"c={c!r} (randomized truncation) needs k1, k2 and rng; got k1={k1!r}, rng={rng!r}")

    history = History()
    state: dict[str, Any] = {"params": params.copy(), "velocity": None, "above": 0}

    def record(loss_value, norm, clipped):
        history.loss.append(loss_value)
        history.grad_norm.append(norm)
        history.clipped.append(clipped)
        return len(history.loss)

    def apply(grads, loss_value):
        if not np.isfinite(loss_value):
            update = record(loss_value, float("inf"), False)
            raise _Diverged(f"the loss overflowed at update {update} (L = {loss_value}): the network is exploding")
        c = clip(grads, clip_mode, threshold)
        update = record(loss_value, c.norm, c.clipped)
        if not np.isfinite(c.norm):
            raise _Diverged(f"the gradient norm overflowed at update {update} (‖g‖ = {c.norm})")
        try:
            state["params"], state["velocity"] = sgd_step(state["params"], c.grads, lr, momentum, state["velocity"])
        except ExplodingGradientError as exc:
            raise _Diverged(f"at update {update}, {exc}") from None
        state["above"] = state["above"] + 1 if stop_loss is not None and loss_value > stop_loss else 0
        if callback is not None:
            try:
                callback(update, state["params"], history)
            except Exception as exc:  # the caller's error, not the model's divergence: re-raised below
                raise _CallerError() from exc
        if state["above"] >= patience:
            raise _Diverged(
                f"the loss stayed above stop_loss = {stop_loss} for {patience} update(s), "
                f"up to update {update} (L = {loss_value:.3e})"
            )
        return state["params"]

    try:
        for _ in range(steps):
            batch = _batch(task, rng)
            model = dict(batch.model) if activation is None else dict(batch.model, activation=activation)
            try:
                if k1 is None:
                    fp = cell_forward(state["params"], batch.x, batch.d, **model).targets_given()
                    if not np.isfinite(fp.loss):
                        update = record(fp.loss, float("inf"), False)
                        step = getattr(fp, "overflow_step", None)
                        where = f" at step t = {step}" if step is not None else ""
                        raise _Diverged(
                            f"the forward pass overflowed{where} in update {update} "
                            f"(L = inf): the network is exploding; clip, lower the learning rate or the spectral radius"
                        )
                    loss_value = fp.loss
                    apply(cell_backward(state["params"], fp).grads, loss_value)
                elif c is None:
                    loss_value = float("inf")
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
                    loss_value = float("inf")
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
            except ExplodingGradientError as exc:  # raised by backward or truncated BPTT, not by apply
                update = record(exc.loss if exc.loss is not None else loss_value, float("inf"), False)
                raise _Diverged(f"at update {update}, {exc}") from None
    except _CallerError as wrapped:
        raise wrapped.__cause__ from None  # type: ignore[misc]
    except _Diverged as exc:
        history.diverged = True
        history.diverged_at = len(history.loss)
        history.diverged_reason = str(exc)
        if verbose:
            print(f"train: diverged: {exc}")
    history.params = state["params"]
    return history


class _Diverged(Exception):
    """Raised inside :func:`train` when the model diverges; caught there and recorded."""


class _CallerError(Exception):
    """Wraps an exception of the caller's callback so that it is re-raised unchanged, never taken for divergence."""


def evaluate(params: RNNParams, task: Task, activation=None) -> dict:
    """Loss on ``task`` and, for classification, the accuracy at the steps that carry a target.

    ``params`` picks the cell; ``activation`` is the vanilla cell's f (default ``"tanh"``).
    """
    if not isinstance(task, Task):
        raise ValueError(f"task must be a Task; got {type(task).__name__}")
    fp = cell_forward(params, task.x, task.d, activation=activation, **task.model).targets_given()
    result: dict[str, Any] = {"loss": fp.loss}
    if task.loss_name == "cross_entropy":
        pred = np.argmax(fp.y_hat_tm, axis=-1)  # (T, N)
        mask = fp.mask_tm.astype(bool)
        result["accuracy"] = float(np.mean(pred[mask] == fp.d_tm[mask]))
    return result
