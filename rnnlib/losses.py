"""Read-outs ŷ_t = g(o_t), per-step losses E_t and which steps carry a target (chapter 2).

The total loss is the sum of the per-step losses over the steps that carry a target,
averaged over the N sequences of a batch:

    L = (1/N) Σ_n Σ_t m_{n,t} E_t(ŷ_{n,t}, d_{n,t}),                    (eq-ch2-total-loss)

with m the target mask: every step (many-to-many), only the last (many-to-one), or
any boolean mask. Losses:

- ``"squared"``: E_t = Σ_o (ŷ_{t,o} − d_{t,o})² (no factor ½: the chapter-3 example is E_3 = (d_3 − y_3)²);
- ``"cross_entropy"``: E_t = −log ŷ_{t, d_t}, with d_t an integer class label; needs ``output="softmax"``.
"""

from __future__ import annotations

import numpy as np

from . import validate

OUTPUTS = ("linear", "softmax")
LOSSES = ("squared", "cross_entropy")


def check_model(output, loss_name):
    """Validate the read-out/loss pair; cross-entropy is defined on probabilities only."""
    validate.choice("output", output, OUTPUTS)
    validate.choice("loss_name", loss_name, LOSSES)
    if loss_name == "cross_entropy" and output != "softmax":
        raise ValueError(f"loss_name='cross_entropy' needs output='softmax' (it takes log ŷ); got output={output!r}")


def _real_scores(o) -> np.ndarray:
    return validate.any_shape("o", o, minimum_ndim=1, nonempty=True)


def stable_softmax(o: np.ndarray, axis: int = -1) -> np.ndarray:
    """The softmax of a float array without any check: the forward pass's kernel, shifted by the maximum
    so that exp never overflows. A non-finite ``o`` (an overflowed forward pass) gives a non-finite result
    without a warning; :func:`softmax` is the checked version for everyone else."""
    with np.errstate(over="ignore", invalid="ignore"):
        z = o - np.max(o, axis=axis, keepdims=True)
        np.exp(z, out=z)
        z /= np.sum(z, axis=axis, keepdims=True)
    return z


def softmax(o, axis=-1):
    """Softmax along ``axis``, shifted by the maximum so that exp never overflows.

    Parameters
    ----------
    o : array of finite reals, at least one dimension, no empty axis
    axis : int
        An axis of ``o``.

    Returns
    -------
    ndarray, the shape of ``o``: non-negative, summing to 1 along ``axis``.
    """
    arr = _real_scores(o)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -arr.ndim <= axis < arr.ndim:
        raise ValueError(f"axis must be an integer axis of o (ndim {arr.ndim}); got {axis!r}")
    return stable_softmax(arr.copy(), int(axis))


def readout(o, output):
    """ŷ = g(o) for ``output`` in {"linear", "softmax"}; o has shape (..., O), finite reals, O ≥ 1.

    Returns a new array of o's shape (``"linear"`` copies o).
    """
    validate.choice("output", output, OUTPUTS)
    arr = _real_scores(o)
    return arr.copy() if output == "linear" else stable_softmax(arr.copy())


def target_mask(targets, N, T) -> np.ndarray:
    """Boolean mask (N, T) of the steps that carry a target.

    ``targets`` is ``"all"`` (many-to-many), ``"last"`` (many-to-one), or a boolean
    array of shape (T,) (the same steps for every sequence) or (N, T). N and T are positive integers.
    """
    N = validate.positive_int("N", N)
    T = validate.positive_int("T", T)
    if isinstance(targets, str):
        validate.choice("targets", targets, ("all", "last"))
        mask = np.zeros((N, T), dtype=bool)
        if targets == "all":
            mask[:] = True
        else:
            mask[:, -1] = True
        return mask
    try:
        arr = np.asarray(targets)
    except Exception:  # ragged lists and the like
        arr = np.asarray(None)
    if arr.dtype != bool:
        raise ValueError(
            f"targets must be 'all', 'last' or a boolean mask of shape (T,) or (N, T); "
            f"got an array of dtype {arr.dtype}"
        )
    if arr.shape == (T,):
        return np.broadcast_to(arr, (N, T)).copy()
    if arr.shape == (N, T):
        return arr.copy()
    raise ValueError(f"targets mask must have shape (T,) = ({T},) or (N, T) = ({N}, {T}); got shape {arr.shape}")


def prepare_targets(d, targets, loss_name, N, T, O):
    """Targets in time-major layout and the mask.

    Returns ``(d_tm, mask_tm)``: d_tm has shape (T, N, O) for ``loss_name="squared"`` and
    (T, N) integer labels for ``"cross_entropy"``; mask_tm (T, N) holds 1.0 at the
    steps that carry a target. Shapes expected for ``d``:

    ========== ======================= ===================
    targets    squared                 cross_entropy
    ========== ======================= ===================
    "all"      (N, T, O)               (N, T) labels
    "last"     (N, O)                  (N,) labels
    mask       (N, T, O), unmasked     (N, T), unmasked
               entries ignored         entries ignored
    ========== ======================= ===================
    """
    mask = target_mask(targets, N, T)
    last = isinstance(targets, str) and targets == "last"
    if loss_name == "squared":
        if last:
            d_last = validate.array("d", d, (N, O), ("N", "O"))
            d_tm = np.zeros((T, N, O))
            d_tm[-1] = d_last
        elif isinstance(targets, str):  # "all": every entry is a target
            d_full = validate.array("d", d, (N, T, O), ("N", "T", "O"))
            d_tm = np.ascontiguousarray(d_full.transpose(1, 0, 2))
        else:
            d_full = validate.array("d", d, (N, T, O), ("N", "T", "O"), finite=False)
            if not np.all(np.isfinite(d_full[mask])):
                raise ValueError("d must be finite at the steps that carry a target")
            d_tm = np.where(mask[..., None], d_full, 0.0).transpose(1, 0, 2).copy()
    else:
        if last:
            lab = validate.labels("d", d, (N,), ("N",), O)
            d_tm = np.zeros((T, N), dtype=np.int64)
            d_tm[-1] = lab
        else:
            raw = np.asarray(d)
            if raw.dtype.kind not in "iuf":
                raise ValueError(
                    f"d must hold integer class labels for loss_name='cross_entropy'; got dtype {raw.dtype}"
                )
            if raw.shape != (N, T):
                raise ValueError(
                    f"d must have shape (N, T) = ({N}, {T}) of class labels for "
                    f"loss_name='cross_entropy'; got shape {raw.shape}"
                )
            lab = validate.labels("d", np.where(mask, raw, 0), (N, T), ("N", "T"), O)
            d_tm = lab.T.copy()
    return d_tm, mask.T.astype(np.float64)


def loss_and_grad(o, y_hat, d_tm, mask_tm, output, loss_name):
    """Total loss L, per-step losses E (T, N) and ∂L/∂o (T, N, O).

    ``o`` and ``y_hat`` are time-major (T, N, O); see :func:`prepare_targets`.
    The per-step losses are unmasked and unscaled; L = Σ mask·E / N, where a step without a
    target contributes exactly 0 even if its E is inf or NaN (an overflowed forward pass), and
    ∂L/∂o is exactly 0 there too. No numpy warning is emitted: an overflow shows as a non-finite
    L and is reported by the forward pass.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return _loss_and_grad(o, y_hat, d_tm, mask_tm, output, loss_name)


def _loss_and_grad(o, y_hat, d_tm, mask_tm, output, loss_name):
    T, N, O = o.shape
    every_step = bool(np.all(mask_tm == 1.0))
    if loss_name == "squared":
        diff = y_hat - d_tm
        E = np.einsum("tno,tno->tn", diff, diff)
        g = diff  # becomes ∂L/∂ŷ = (2/N) m (ŷ − d), in place: diff is not needed afterwards
        g *= 2.0 / N
        if not every_step:  # np.where, not a product: inf · 0 would be NaN at a step without a target
            g = np.where(mask_tm[..., None] == 1.0, g, 0.0)
        if output == "linear":
            dO = g
        else:  # softmax Jacobian: ∂ŷ_i/∂o_j = ŷ_i (δ_ij − ŷ_j)
            dO = y_hat * (g - np.sum(g * y_hat, axis=-1, keepdims=True))
    else:
        shifted = o - np.max(o, axis=-1, keepdims=True)
        log_norm = np.log(np.sum(np.exp(shifted), axis=-1))
        picked = np.take_along_axis(shifted, d_tm[..., None], axis=-1)[..., 0]
        E = log_norm - picked  # −log softmax(o)[d], computed stably
        dO = y_hat.copy()
        np.put_along_axis(dO, d_tm[..., None], np.take_along_axis(dO, d_tm[..., None], axis=-1) - 1.0, axis=-1)
        dO = np.where(mask_tm[..., None] == 1.0, dO / N, 0.0)
    if output == "softmax" and not every_step:
        dO = np.where(mask_tm[..., None] == 1.0, dO, 0.0)
    L = float((np.sum(E) if every_step else np.sum(np.where(mask_tm == 1.0, E, 0.0))) / N)
    return L, E, dO
