"""Argument validation shared by every public function (``from . import validate``).

Every check raises ``ValueError`` naming the argument, what was expected and what
came, so that a student who passes ``x`` of shape ``(T, D)`` instead of
``(N, T, D)`` reads what to fix instead of a broadcasting error deep inside a loop.
"""

from __future__ import annotations

import numbers

import numpy as np


def _shape_text(spec, names):
    parts = []
    for size, label in zip(spec, names):
        parts.append(label if size is None else f"{label}={size}")
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def array(name, value, shape, names=None, *, dtype=np.float64, finite=True):
    """Return ``value`` as an array of ``dtype`` with the given ``shape``.

    ``shape`` is a tuple whose entries are ints (required size) or ``None`` (any
    size); ``names`` labels the axes in the error message, e.g. ``("N", "T", "D")``.
    """
    names = names or tuple(f"n{i}" for i in range(len(shape)))
    if isinstance(value, (str, bytes)) or value is None:
        raise ValueError(f"{name} must be an array of shape {_shape_text(shape, names)}; got {value!r}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(
            f"{name} must be an array of shape {_shape_text(shape, names)}; could not convert it: {exc}"
        ) from None
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers; got dtype {arr.dtype}")
    if arr.ndim != len(shape):
        raise ValueError(
            f"{name} must have {len(shape)} dimensions {_shape_text(shape, names)}; "
            f"got {arr.ndim} dimensions, shape {arr.shape}"
        )
    for axis, (want, got, label) in enumerate(zip(shape, arr.shape, names)):
        if want is not None and want != got:
            raise ValueError(
                f"{name} must have shape {_shape_text(shape, names)}; got shape {arr.shape} "
                f"({label} is {got} on axis {axis}, expected {want})"
            )
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    if finite and arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(f"{name} must be finite; got {arr[tuple(bad)]} at index {tuple(int(i) for i in bad)}")
    return arr


def labels(name, value, shape, names, n_classes):
    """Integer class labels in ``[0, n_classes)`` with the given shape."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and arr.size and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise ValueError(
                f"{name} must hold integer class labels for loss_name='cross_entropy'; got dtype {arr.dtype}"
            )
    arr = array(name, arr, shape, names, dtype=np.int64, finite=False)
    if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(
            f"{name} must hold class labels in [0, {n_classes}) (O = {n_classes}); "
            f"got values from {arr.min()} to {arr.max()}"
        )
    return arr


def positive_int(name, value, *, minimum=1, maximum=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}")
    value = int(value)
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and <= {maximum}" if maximum is not None else ""
        raise ValueError(f"{name} must be an integer >= {minimum}{upper}; got {value}")
    return value


def real(name, value, *, minimum=None, maximum=None, strict_minimum=False, strict_maximum=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite real number; got {value!r}")
    value = float(value)
    if minimum is not None and (value < minimum or (strict_minimum and value == minimum)):
        op = ">" if strict_minimum else ">="
        raise ValueError(f"{name} must be {op} {minimum}; got {value}")
    if maximum is not None and (value > maximum or (strict_maximum and value == maximum)):
        op = "<" if strict_maximum else "<="
        raise ValueError(f"{name} must be {op} {maximum}; got {value}")
    return value


def choice(name, value, options):
    try:
        known = value in options
    except TypeError:  # unhashable, e.g. a list
        known = False
    if not known:
        raise ValueError(f"{name} must be one of {sorted(options)}; got {value!r}")
    return value


def generator(name, rng):
    """A ``numpy.random.Generator`` from a seed or a Generator; ``None`` is refused.

    There is no hidden global random state in rnnlib: every random function takes
    its randomness explicitly, so that the same seed gives the same numbers.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise ValueError(f"{name} must be a non-negative integer seed or a numpy.random.Generator; got {rng!r}")
