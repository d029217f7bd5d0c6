"""Argument validation shared by every public function (``from . import validate``).

Every check raises ``ValueError`` naming the argument, what was expected and what
came, so that a student who passes ``x`` of shape ``(T, D)`` instead of
``(N, T, D)`` reads what to fix instead of a broadcasting error deep inside a loop.

The policy every public function of the core follows (``tests/test_bad_input.py`` holds it to it):

- **Every argument is checked**, objects included: an ``RNNParams``, a ``ForwardPass``, a
  gradient or a step cache of the wrong type, or of sizes that do not match the parameters,
  raises ``ValueError`` naming the argument; nothing reaches numpy to fail there or to broadcast.
- **The message** names the argument, says what was expected and what came.
- **Booleans are not numbers**: ``True`` is refused where an integer or a real is expected, and a
  boolean array where real numbers are (masks, which are boolean by definition, excepted).
  Complex numbers, strings and objects are refused where real numbers are expected.
- **Inputs are finite**; empty dimensions are refused where the mathematics needs at least one
  entry (a sequence of no steps, a matrix of no rows).
- **No result is NaN unless the mathematics says so.** Overflow is an input like any other in a
  course on exploding gradients: the forward pass reports it (``ForwardPass.overflowed``,
  ``ForwardPass.overflow_step``, ``loss == inf``), the backward passes raise
  :class:`rnnlib.rnn.ExplodingGradientError` naming the step, norms are computed scaled so that an
  enormous but finite gradient has a finite norm, and no numpy warning is ever emitted.
- **Randomness** comes from a seed or a ``numpy.random.Generator``; ``None`` (fresh entropy) is refused.
"""

from __future__ import annotations

import numbers

import numpy as np


def _shape_text(spec, names):
    parts = []
    for size, label in zip(spec, names):
        parts.append(label if size is None else f"{label}={size}")
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def array(name, value, shape, names=None, *, dtype=np.float64, finite=True, nonempty=False, source=None):
    """Return ``value`` as an array of ``dtype`` with the given ``shape``.

    ``shape`` is a tuple whose entries are ints (required size) or ``None`` (any
    size); ``names`` labels the axes in the error message, e.g. ``("N", "T", "D")``.
    ``nonempty=True`` refuses an array with a zero-length axis. ``source`` says where the fixed sizes
    come from (e.g. ``"D and H from params"``) and is added to a shape error.
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
    if arr.dtype == object or arr.dtype.kind not in "iuf":
        what = "booleans (True/False are not numbers)" if arr.dtype.kind == "b" else f"dtype {arr.dtype}"
        raise ValueError(f"{name} must hold real numbers; got {what}")
    if arr.ndim != len(shape):
        raise ValueError(
            f"{name} must have {len(shape)} dimensions {_shape_text(shape, names)}; "
            f"got {arr.ndim} dimensions, shape {arr.shape}"
        )
    for axis, (want, got, label) in enumerate(zip(shape, arr.shape, names)):
        if want is not None and want != got:
            raise ValueError(
                f"{name} must have shape {_shape_text(shape, names)}; got shape {arr.shape} "
                f"({label} is {got} on axis {axis}, expected {want}{'; ' + source if source else ''})"
            )
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    if nonempty and arr.size == 0:
        raise ValueError(f"{name} must not be empty; got shape {arr.shape}")
    if finite and arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(f"{name} must be finite; got {arr[tuple(bad)]} at index {tuple(int(i) for i in bad)}")
    return arr


def ndim_of(value) -> int:
    """The number of dimensions ``value`` would have as an array (1 for what numpy cannot convert)."""
    try:
        return int(np.ndim(value))
    except Exception:  # ragged lists and the like: array() then reports why
        return 1


def any_shape(name, value, *, finite=True, minimum_ndim=0, nonempty=False) -> np.ndarray:
    """``value`` as a float array of any shape with at least ``minimum_ndim`` dimensions."""
    return array(name, value, (None,) * max(ndim_of(value), minimum_ndim), finite=finite, nonempty=nonempty)


def labels(name, value, shape, names, n_classes):
    """Integer class labels in ``[0, n_classes)`` with the given shape."""
    if isinstance(value, (str, bytes)) or value is None:
        raise ValueError(f"{name} must hold integer class labels for loss_name='cross_entropy'; got {value!r}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} must hold integer class labels; could not convert it: {exc}") from None
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


def instance(name, value, cls, what=None):
    """``value`` itself if it is an instance of ``cls``; else a ``ValueError`` naming ``name``."""
    if not isinstance(value, cls):
        raise ValueError(f"{name} must be {what or 'a ' + cls.__name__}; got {type(value).__name__}")
    return value


def callable_or_none(name, value):
    if value is not None and not callable(value):
        raise ValueError(f"{name} must be a function or None; got {type(value).__name__}")
    return value


def boolean(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {value!r}")
    return bool(value)


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
