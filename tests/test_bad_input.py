"""Every public callable of the core, fed bad arguments: each gets a ValueError that names the argument.

The policy is written in the docstring of :mod:`rnnlib.validate`. This file holds the core to it:

- ``SPECS`` has one entry per public callable of ``rnnlib.__all__``: a valid call (keyword
  arguments) and, for each argument, what kind of thing it is. From the kind the test derives the
  bad values: wrong types, wrong number of dimensions, each dimension that the other arguments fix
  made one longer, NaN and inf, booleans, complex numbers, empty dimensions, out-of-range numbers,
  objects of the wrong type or of another network's sizes.
- ``NOT_CALLABLE`` lists the public names that are not functions to call with arguments (result
  records, constants), each with the reason. A name in ``__all__`` that is in neither fails
  ``test_every_public_name_is_covered``: a new public function cannot go untested.
- The valid call must give a finite result (``test_valid_call_gives_a_finite_result``), so the bad
  values are one thing wrong with an otherwise good call; hypothesis then draws random out-of-range
  numbers and places NaN/inf at random positions.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, is_dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnlib as rl

N, T, D, H, O = 2, 4, 3, 5, 2
_rng = np.random.default_rng(9)
PARAMS = rl.init_params(D, H, O, rng=0, recurrent="gaussian_spectral", scale=0.9)
P_OTHER_D = rl.init_params(D + 1, H, O, rng=1)
P_OTHER_H = rl.init_params(D, H + 1, O, rng=1)
P_OTHER_O = rl.init_params(D, H, O + 1, rng=1)
P_TRAINABLE = rl.init_params(D, H, O, rng=0, h0_mode="trainable")
X = _rng.standard_normal((N, T, D))
DSQ = _rng.standard_normal((N, T, O))
FP = rl.forward(PARAMS, X, DSQ)
FP_NO_TARGETS = rl.forward(PARAMS, X)
FP_OTHER_H = rl.forward(P_OTHER_H, X, DSQ)
FP_OTHER_D = rl.forward(P_OTHER_D, _rng.standard_normal((N, T, D + 1)), DSQ)
G = rl.backward(PARAMS, FP).grads
G_OTHER_H = rl.backward(P_OTHER_H, FP_OTHER_H).grads
G_TRAINABLE = rl.backward(P_TRAINABLE, rl.forward(P_TRAINABLE, X, DSQ)).grads
G_ZERO = PARAMS.zeros_like()
H_PREV = _rng.standard_normal((N, H))
X_T = _rng.standard_normal((N, D))
_, CACHE = rl.step_forward(PARAMS, X_T, H_PREV)
_, CACHE_OTHER_H = rl.step_forward(P_OTHER_H, X_T, np.zeros((N, H + 1)))
_, CACHE_OTHER_D = rl.step_forward(P_OTHER_D, np.zeros((N, D + 1)), H_PREV)
TASK = rl.adding_problem(N, T, 0)
P_ADD = rl.init_params(2, H, 1, rng=0)
NORMS = rl.jacobian_norms(PARAMS, FP)
W_SQ = PARAMS.W_s.copy()
W_RECT = _rng.standard_normal((3, 4))
_VEC = _rng.standard_normal(7)


def _quadratic():
    return float(np.sum(_VEC**2))


@dataclass
class Arg:
    """One argument of a public callable and what kind of value it takes.

    kind: "array", "int", "real", "choice", "rng", "callable", "bool", or "object" (then ``others``
    lists wrong objects, e.g. another network's parameters, and ``bad`` any further bad values).
    """

    kind: str
    valid: Any
    fixed: tuple = ()  # array axes whose size the other arguments fix (one longer must be refused)
    any_ndim: bool = False  # the array may have any number of dimensions
    empty_ok: bool = False  # an empty axis is valid input
    nonfinite_ok: bool = False  # inf/NaN entries are valid input
    optional: bool = False  # None is valid
    low: float | None = None  # smallest valid number
    high: float | None = None  # largest valid number
    strict_low: bool = False  # low itself is invalid
    others: list = field(default_factory=list)
    bad: list = field(default_factory=list)
    name: str | None = None  # the name the message must contain, if not the argument's own
    generic: bool = True  # an object argument also gets the generic bad objects (a string, a number, a dict)


@dataclass
class Spec:
    fn: Callable
    args: dict


def arr(valid, fixed="all", **kw):
    v = np.asarray(valid)
    return Arg("array", v, tuple(range(v.ndim)) if fixed == "all" else fixed, **kw)


def obj(valid, others=(), **kw):
    return Arg("object", valid, others=list(others), **kw)


def params_arg(*others):
    return obj(PARAMS, others or (P_OTHER_H,))


def fp_arg():
    return obj(FP, (FP_OTHER_H, FP_NO_TARGETS))


def choice(valid, **kw):
    return Arg("choice", valid, **kw)


def integer(valid, low=None, high=None, **kw):
    return Arg("int", valid, low=low, high=high, **kw)


def real(valid, low=None, high=None, **kw):
    return Arg("real", valid, low=low, high=high, **kw)


MODEL_X = arr(X, fixed=(2,))  # D is fixed by params; N and T are free
MODEL_D = arr(DSQ)

SPECS: dict[str, Spec] = {
    # --- parameters and initialisation ---------------------------------------------------------
    "init_params": Spec(
        rl.init_params,
        dict(
            D=integer(D, 1),
            H=integer(H, 1),
            O=integer(O, 1),
            scale=real(1.0, 0.0),
            rng=Arg("rng", 0),
            recurrent=choice("orthogonal"),
            h0_mode=choice("given"),
            h0=arr(np.ones(H)),
        ),
    ),
    "gaussian_spectral": Spec(rl.gaussian_spectral, dict(H=integer(H, 1), scale=real(0.9, 0.0), rng=Arg("rng", 0))),
    "gaussian_sigma": Spec(rl.gaussian_sigma, dict(H=integer(H, 1), scale=real(0.9, 0.0), rng=Arg("rng", 0))),
    "orthogonal": Spec(rl.orthogonal, dict(H=integer(H, 1), scale=real(0.9, 0.0), rng=Arg("rng", 0))),
    "identity": Spec(rl.identity, dict(H=integer(H, 1), scale=real(1.0, 0.0))),
    "glorot": Spec(
        rl.glorot,
        dict(
            shape=obj((H, D), bad=[(H,), (H, 0), (H, True), [H, D], (H, 2.5), (H, D, 1)]),
            scale=real(1.0, 0.0),
            rng=Arg("rng", 0),
        ),
    ),
    "spectral_radius": Spec(rl.spectral_radius, dict(W=arr(W_SQ, fixed=(1,)))),
    "sigma_max": Spec(rl.sigma_max, dict(W=arr(W_RECT, fixed=()))),
    "singular_values": Spec(rl.singular_values, dict(W=arr(W_RECT, fixed=()))),
    "rescale_to_spectral_radius": Spec(
        rl.rescale_to_spectral_radius, dict(W=arr(W_SQ, fixed=(1,)), scale=real(2.0, 0.0))
    ),
    "rescale_to_sigma_max": Spec(rl.rescale_to_sigma_max, dict(W=arr(W_RECT, fixed=()), scale=real(2.0, 0.0))),
    "global_norm": Spec(rl.global_norm, dict(grads=obj(G))),
    "cosine": Spec(rl.cosine, dict(g1=obj(G, (G_ZERO,)), g2=obj(G, (G_OTHER_H, G_TRAINABLE, G_ZERO)))),
    "relative_gradient_error": Spec(
        rl.relative_gradient_error, dict(grads=obj(G), reference=obj(G, (G_OTHER_H, G_TRAINABLE, G_ZERO)))
    ),
    # --- activations and losses --------------------------------------------------------------------
    "get_activation": Spec(rl.get_activation, dict(activation=choice("tanh"))),
    "sigmoid": Spec(rl.sigmoid, dict(a=arr(_VEC, fixed=(), any_ndim=True, empty_ok=True))),
    "softmax": Spec(rl.softmax, dict(o=arr(DSQ, fixed=(), any_ndim=True), axis=integer(-1, -3, 2))),
    "readout": Spec(rl.readout, dict(o=arr(DSQ, fixed=(), any_ndim=True), output=choice("softmax"))),
    "target_mask": Spec(
        rl.target_mask,
        dict(
            targets=obj(
                "last", bad=["first", np.ones(T), np.ones(T + 1, bool), np.ones((N + 1, T), bool), 3, [[1, 2], [3]]]
            ),
            N=integer(N, 1),
            T=integer(T, 1),
        ),
    ),
    # --- the forward and backward passes -----------------------------------------------------------
    "step_forward": Spec(
        rl.step_forward,
        dict(
            params=params_arg(P_OTHER_D),
            x_t=arr(X_T, fixed=(1,)),
            h_prev=arr(H_PREV),
            activation=choice("tanh"),
        ),
    ),
    "step_backward": Spec(
        rl.step_backward,
        dict(
            params=params_arg(P_OTHER_D),
            dh_t=arr(H_PREV),
            cache=obj(CACHE, (CACHE_OTHER_H, CACHE_OTHER_D), bad=[(1, 2, 3), CACHE[:4]]),
        ),
    ),
    "forward": Spec(
        rl.forward,
        dict(
            params=obj(PARAMS, (P_OTHER_D,)),
            x=MODEL_X,
            d=arr(DSQ, optional=True),
            activation=choice("tanh"),
            output=choice("linear"),
            loss_name=choice("squared"),
            targets=obj("all", bad=["first", np.ones(T), np.ones(T + 1, bool)]),
            h0=arr(H_PREV, optional=True),
        ),
    ),
    "backward": Spec(
        rl.backward,
        dict(params=params_arg(P_OTHER_D, P_OTHER_O), fp=fp_arg(), clip_delta=Arg("callable", None, optional=True)),
    ),
    "backward_reference": Spec(rl.backward_reference, dict(params=params_arg(P_OTHER_D, P_OTHER_O), fp=fp_arg())),
    "loss": Spec(rl.loss, dict(params=obj(PARAMS, (P_OTHER_D,)), x=MODEL_X, d=MODEL_D)),
    "loss_and_gradients": Spec(rl.loss_and_gradients, dict(params=obj(PARAMS, (P_OTHER_D,)), x=MODEL_X, d=MODEL_D)),
    "contributions": Spec(rl.contributions, dict(params=params_arg(P_OTHER_D, P_OTHER_O), fp=fp_arg())),
    "immediate_derivative": Spec(
        rl.immediate_derivative, dict(params=params_arg(P_OTHER_D), fp=obj(FP, (FP_OTHER_H,)), t=integer(2, 1, T))
    ),
    # --- diagnostics ---------------------------------------------------------------------------------
    "step_jacobians": Spec(rl.step_jacobians, dict(params=params_arg(P_OTHER_D), fp=obj(FP, (FP_OTHER_H,)))),
    "jacobian_product": Spec(
        rl.jacobian_product,
        dict(params=params_arg(P_OTHER_D), fp=obj(FP, (FP_OTHER_H,)), t=integer(3, 0, T), k=integer(1, 0, 3)),
    ),
    "jacobian_norms": Spec(
        rl.jacobian_norms, dict(params=params_arg(P_OTHER_D), fp=obj(FP, (FP_OTHER_H,)), sequence=integer(0, 0, N - 1))
    ),
    "norms_by_distance": Spec(
        rl.norms_by_distance,
        dict(norms=arr(NORMS, fixed=(1,), nonfinite_ok=True, bad=[-NORMS, np.where(NORMS > 0.5, np.nan, NORMS)])),
    ),
    "pascanu_bound": Spec(
        rl.pascanu_bound,
        dict(
            W_s=arr(W_SQ, fixed=(1,)),
            activation=choice("tanh"),
            distances=obj(
                np.arange(4), bad=[np.array([-1, 2]), np.array([0.5]), np.array([True]), "3", {}], generic=False
            ),
        ),
    ),
    "eta": Spec(rl.eta, dict(W_s=arr(W_SQ, fixed=(1,)), activation=choice("sigmoid"))),
    "delta_norms": Spec(rl.delta_norms, dict(delta=arr(rl.backward(PARAMS, FP).delta, fixed=()))),
    "effective_horizon": Spec(
        rl.effective_horizon,
        dict(
            values=arr(np.array([1.0, 0.5, 1e-4]), fixed=(), bad=[np.array([0.0, 1.0])]),
            threshold=real(1e-3, 0.0, strict_low=True),
        ),
    ),
    # --- gradient checking ---------------------------------------------------------------------------
    "relative_error": Spec(
        rl.relative_error,
        dict(
            a=arr(DSQ, fixed=(0,), empty_ok=True, any_ndim=True), b=arr(DSQ, fixed=(0,), empty_ok=True, any_ndim=True)
        ),
    ),
    "numerical_gradient": Spec(
        rl.numerical_gradient,
        dict(
            f=Arg("callable", _quadratic),
            x=arr(_VEC, fixed=(), any_ndim=True, empty_ok=True, bad=[list(_VEC), _VEC.astype(np.float32)]),
            eps=real(1e-6, 0.0, strict_low=True),
        ),
    ),
    "numerical_gradients": Spec(
        rl.numerical_gradients,
        dict(params=obj(PARAMS, (P_OTHER_D,)), x=MODEL_X, d=MODEL_D, eps=real(1e-6, 0.0, strict_low=True)),
    ),
    "check_gradients": Spec(
        rl.check_gradients,
        dict(
            params=obj(PARAMS, (P_OTHER_D,)),
            x=MODEL_X,
            d=MODEL_D,
            grads=obj(G, (G_OTHER_H, G_TRAINABLE), optional=True),
            eps=real(1e-6, 0.0, strict_low=True),
        ),
    ),
    "loss_given_state": Spec(
        rl.loss_given_state,
        dict(params=obj(PARAMS, (P_OTHER_D,)), x=MODEL_X, d=MODEL_D, k=integer(2, 0, T), h_k=arr(H_PREV)),
    ),
    "numerical_delta": Spec(
        rl.numerical_delta,
        dict(
            params=obj(PARAMS, (P_OTHER_D,)),
            x=MODEL_X,
            d=MODEL_D,
            k=integer(2, 0, T),
            eps=real(1e-6, 0.0, strict_low=True),
        ),
    ),
    # --- clipping ------------------------------------------------------------------------------------
    "clip": Spec(rl.clip, dict(grads=obj(G), mode=choice("norm"), threshold=real(1.0, 0.0, strict_low=True))),
    "clip_by_global_norm": Spec(rl.clip_by_global_norm, dict(grads=obj(G), threshold=real(1.0, 0.0, strict_low=True))),
    "clip_by_parameter_norm": Spec(
        rl.clip_by_parameter_norm, dict(grads=obj(G), threshold=real(1.0, 0.0, strict_low=True))
    ),
    "clip_by_value": Spec(rl.clip_by_value, dict(grads=obj(G), threshold=real(1.0, 0.0, strict_low=True))),
    # --- truncation ------------------------------------------------------------------------------------
    "truncated_bptt": Spec(
        rl.truncated_bptt,
        dict(
            params=obj(PARAMS, (P_OTHER_D,)),
            x=MODEL_X,
            d=MODEL_D,
            k1=integer(2, 1, T),
            k2=integer(3, 2),
            h0=arr(H_PREV, optional=True),
            keep_updates=Arg("bool", True),
            on_update=Arg("callable", None, optional=True),
        ),
    ),
    "randomized_truncated_bptt": Spec(
        rl.randomized_truncated_bptt,
        dict(
            params=obj(PARAMS, (P_OTHER_D,)),
            x=MODEL_X,
            d=MODEL_D,
            k1=integer(2, 1, T),
            k2=integer(2, 2),
            c=real(0.5, 0.0, 1.0, strict_low=True),
            rng=Arg("rng", 0),
            h0=arr(H_PREV, optional=True),
            keep_updates=Arg("bool", False),
            on_update=Arg("callable", None, optional=True),
        ),
    ),
    "bias_by_k2": Spec(
        rl.bias_by_k2,
        dict(
            params=obj(PARAMS, (P_OTHER_D,)),
            x=MODEL_X,
            d=MODEL_D,
            k2_values=obj([1, 3], bad=[[2.7], ["3"], [True], [], "3", 3, [0]], name="k2_values"),
            k1=integer(1, 1, T),
            full=obj(G, (G_OTHER_H, G_TRAINABLE), optional=True),
        ),
    ),
    # --- tasks and training -------------------------------------------------------------------------------
    "adding_problem": Spec(rl.adding_problem, dict(n=integer(N, 1), T=integer(T, 2), rng=Arg("rng", 0))),
    "remember_symbol": Spec(
        rl.remember_symbol, dict(n=integer(N, 1), gap=integer(2, 0), n_symbols=integer(3, 2), rng=Arg("rng", 0))
    ),
    "noisy_sine": Spec(
        rl.noisy_sine,
        dict(
            n=integer(N, 1),
            T=integer(T, 1),
            rng=Arg("rng", 0),
            noise=real(0.1, 0.0),
            omega=obj((0.1, 0.5), bad=[(0.5, 0.1), (0.1,), ("a", 1.0), (-1.0, 1.0), (np.nan, 1.0), (True, 1.0)]),
        ),
    ),
    "sgd_step": Spec(
        rl.sgd_step,
        dict(
            params=obj(PARAMS, (P_OTHER_H, P_TRAINABLE)),
            grads=obj(G, (G_OTHER_H, G_TRAINABLE)),
            lr=real(0.1, 0.0, strict_low=True),
            momentum=real(0.5, 0.0, 1.0),
            velocity=obj(G, (G_OTHER_H, G_TRAINABLE), optional=True),
        ),
    ),
    "train": Spec(
        rl.train,
        dict(
            params=obj(P_ADD, (P_OTHER_D,)),
            task=obj(TASK, bad=[np.zeros(3)]),
            steps=integer(2, 1),
            lr=real(0.01, 0.0, strict_low=True),
            momentum=real(0.0, 0.0, 1.0),
            clip_mode=choice("norm"),
            threshold=real(1.0, 0.0, strict_low=True),
            activation=choice("tanh", optional=True),
            rng=Arg("rng", 0, optional=True),
            k1=integer(2, 1, T),
            k2=integer(3, 2),
            c=real(0.5, 0.0, 1.0, strict_low=True, optional=True),
            callback=Arg("callable", None, optional=True),
            stop_loss=real(1e6, 0.0, strict_low=True, optional=True),
            patience=integer(1, 1),
            verbose=Arg("bool", False),
        ),
    ),
    "evaluate": Spec(
        rl.evaluate, dict(params=obj(P_ADD, (P_OTHER_D,)), task=obj(TASK), activation=choice("tanh", optional=True))
    ),
    # --- gated cells and RTRL ----------------------------------------------------------------------
    "init_gated": Spec(
        rl.init_gated,
        dict(
            D=integer(D, 1),
            H=integer(H, 1),
            O=integer(O, 1),
            cell=choice("lstm"),
            scale=real(1.0, 0.0),
            rng=Arg("rng", 0),
            forget_bias=real(1.0),
            h0_mode=choice("given"),
            h0=arr(np.ones(H)),
            c0=arr(np.ones(H), optional=True),
        ),
    ),
    "rtrl": Spec(rl.rtrl, dict(params=obj(PARAMS, (P_OTHER_D,)), x=MODEL_X, d=MODEL_D)),
    "rtrl_steps": Spec(
        lambda **kw: list(rl.rtrl_steps(**kw)),  # a generator: its checks run when it is first advanced
        dict(
            params=obj(PARAMS, (P_OTHER_D,)),
            x=MODEL_X,
            d=MODEL_D,
            activation=choice("tanh"),
            output=choice("linear"),
            loss_name=choice("squared"),
            targets=obj("all", bad=["first", np.ones(T), np.ones(T + 1, bool)]),
            h0=arr(H_PREV, optional=True),
        ),
    ),
}

NOT_CALLABLE = {
    "ACTIVATIONS": "a constant: the activations by name",
    "CLIP_MODES": "a constant: the clipping modes",
    "__version__": "a constant: the version string",
    "RNNParams": "validated on construction; covered by tests/test_validation.py (every array, shape and h0_mode)",
    "Activation": "a record of the library's activations, built by rnnlib itself; get_activation is the entry point",
    "BPTTResult": "a result record returned by backward; not an entry point",
    "Clipped": "a result record returned by clip; not an entry point",
    "Contributions": "a result record returned by contributions; not an entry point",
    "ForwardPass": "a result record returned by forward; every function that takes one checks it",
    "History": "a result record returned by train; not an entry point",
    "Task": "a record returned by the task generators; train and evaluate check what they are given",
    "TruncatedResult": "a result record returned by truncated_bptt; not an entry point",
    "Update": "a record passed to on_update by truncated_bptt; not an entry point",
    "ExplodingGradientError": "an exception class, raised on overflow (tests/test_overflow.py)",
    "GatedParams": "validated on construction like RNNParams; made by init_gated (covered here); tests/test_gated.py",
    "GatedForwardPass": "a result record returned by rnnlib.gated.forward; not an entry point",
    "GatedBPTTResult": "a result record returned by rnnlib.gated.backward; not an entry point",
    "RTRLResult": "a result record returned by rtrl; not an entry point",
    "RTRLStep": "a record yielded by rtrl_steps; not an entry point",
}


def test_every_public_name_is_covered():
    """A public name in neither table fails here: add its Spec (arguments and kinds) to SPECS."""
    names = set(rl.__all__)
    assert names - set(SPECS) - set(NOT_CALLABLE) == set()
    assert set(SPECS) | set(NOT_CALLABLE) <= names  # no stale entries
    for name in SPECS:
        assert callable(getattr(rl, name))


def test_every_argument_of_every_callable_has_a_kind():
    """The Spec must list every parameter of the function (except **model), so none goes untested."""
    import inspect

    for name, spec in SPECS.items():
        params = [p for p in inspect.signature(spec.fn).parameters.values() if p.kind is not p.VAR_KEYWORD]
        assert [p.name for p in params if p.name not in spec.args] == [], name


# --- bad values derived from each argument's kind ----------------------------------------------------


def _replace_axis(v, axis, extra):
    if extra > 0:
        return np.concatenate([v, v.take([0] * extra, axis=axis)], axis=axis)
    return v.take([], axis=axis)


def bad_values(arg: Arg) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if not arg.optional:
        out.append(("None", None))
    if arg.kind == "array":
        v = arg.valid
        out += [("a string", "abc"), ("an object", object()), ("a ragged list", [[0.0], [0.0, 1.0]])]
        if not arg.any_ndim:
            out += [("one more axis", v[..., None]), ("one axis less", v[0])]
        out += [(f"axis {ax} one longer", _replace_axis(v, ax, 1)) for ax in arg.fixed]
        if not arg.nonfinite_ok:
            for label, value in (("NaN", np.nan), ("inf", np.inf), ("-inf", -np.inf)):
                w = v.astype(float).copy()
                w.flat[w.size // 2] = value
                out.append((f"{label} entry", w))
        out += [("booleans", np.ones(v.shape, dtype=bool)), ("complex", v + 1j)]
        if not arg.empty_ok:
            out += [(f"axis {ax} empty", _replace_axis(v, ax, 0)) for ax in range(v.ndim)]
    elif arg.kind == "int":
        out += [("True", True), ("2.5", 2.5), ("'3'", "3"), ("1j", 1j), ("float 3.0", 3.0)]
        if arg.low is not None:
            out.append((f"below {arg.low}", int(arg.low) - 1))
        if arg.high is not None:
            out.append((f"above {arg.high}", int(arg.high) + 1))
    elif arg.kind == "real":
        out += [("True", True), ("'1.0'", "1.0"), ("1j", 1j), ("nan", np.nan), ("inf", np.inf), ("-inf", -np.inf)]
        if arg.low is not None:
            out.append((f"at or below {arg.low}", arg.low if arg.strict_low else arg.low - 1.0))
        if arg.high is not None:
            out.append((f"above {arg.high}", arg.high + 1.0))
    elif arg.kind == "choice":
        out += [("unknown name", "no-such-option"), ("a number", 3), ("a list", [arg.valid])]
    elif arg.kind == "rng":
        out += [("negative seed", -1), ("True", True), ("2.5", 2.5), ("'0'", "0")]
    elif arg.kind == "callable":
        out += [("a number", 3), ("a string", "f")]
    elif arg.kind == "bool":
        out += [("a string", "yes"), ("the integer 1", 1)]
    elif arg.kind == "object" and arg.generic:
        out += [("a string", "text"), ("a number", 3), ("a dict", {})]
        out += [(f"other #{i}", value) for i, value in enumerate(arg.others)]
    out += [(f"bad #{i}", value) for i, value in enumerate(arg.bad)]
    return out


CASES = [
    pytest.param(fname, aname, label, value, id=f"{fname}-{aname}-{label}")
    for fname, spec in SPECS.items()
    for aname, arg in spec.args.items()
    for label, value in bad_values(arg)
]


def call(fname: str, **replace):
    spec = SPECS[fname]
    kwargs = {name: arg.valid for name, arg in spec.args.items()}
    kwargs.update(replace)
    return spec.fn(**kwargs)


def _finite(value) -> bool:
    """True if every number reachable in ``value`` (arrays, records, dicts, tuples) is finite."""
    if isinstance(value, (bool, str, type(None), rl.Activation)) or callable(value):
        return True
    if isinstance(value, (int, float, np.number)):
        return bool(np.isfinite(value))
    if isinstance(value, np.ndarray):
        return value.dtype.kind not in "fc" or bool(np.all(np.isfinite(value)))
    if isinstance(value, rl.RNNParams):
        return all(_finite(a) for _, a in value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_finite(v) for v in value)
    if is_dataclass(value):
        return all(_finite(getattr(value, f)) for f in value.__dataclass_fields__ if not f.startswith("_"))
    return True


@pytest.mark.parametrize("fname", sorted(SPECS))
def test_valid_call_gives_a_finite_result(fname):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = call(fname)
    assert _finite(result)


def _names(message: str, name: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", message) is not None


@pytest.mark.parametrize(("fname", "aname", "label", "value"), CASES)
def test_bad_argument_raises_a_value_error_naming_it(fname, aname, label, value):
    arg = SPECS[fname].args[aname]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning instead of an error fails the test
        with pytest.raises(ValueError) as info:
            call(fname, **{aname: value})
    message = str(info.value)
    assert _names(message, arg.name or aname), f"{fname}({aname}={label}) raised {message!r}"


# --- hypothesis: random out-of-range numbers and non-finite entries anywhere ------------------------------

NUMERIC = [
    pytest.param(fname, aname, id=f"{fname}-{aname}")
    for fname, spec in SPECS.items()
    for aname, arg in spec.args.items()
    if arg.kind in ("int", "real") and (arg.low is not None or arg.high is not None)
]
ARRAYS = [
    pytest.param(fname, aname, id=f"{fname}-{aname}")
    for fname, spec in SPECS.items()
    for aname, arg in spec.args.items()
    if arg.kind == "array" and not arg.nonfinite_ok
]


def _out_of_range(arg: Arg):
    parts = []
    if arg.low is not None:
        if arg.kind == "int":
            parts.append(st.integers(max_value=int(arg.low) - 1, min_value=int(arg.low) - 10**6))
        else:
            hi = arg.low if not arg.strict_low else np.nextafter(arg.low, np.inf)
            parts.append(st.floats(max_value=float(hi), exclude_max=True, allow_nan=False, allow_infinity=False))
    if arg.high is not None:
        if arg.kind == "int":
            parts.append(st.integers(min_value=int(arg.high) + 1, max_value=int(arg.high) + 10**6))
        else:
            parts.append(st.floats(min_value=float(arg.high), exclude_min=True, allow_nan=False, allow_infinity=False))
    return st.one_of(*parts)


@pytest.mark.parametrize(("fname", "aname"), NUMERIC)
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_random_out_of_range_number_is_refused_by_name(fname, aname, data):
    arg = SPECS[fname].args[aname]
    value = data.draw(_out_of_range(arg))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=rf"(?<![\w.]){re.escape(aname)}(?!\w)"):
            call(fname, **{aname: value})


@pytest.mark.parametrize(("fname", "aname"), ARRAYS)
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_non_finite_entry_anywhere_is_refused_by_name(fname, aname, data):
    arg = SPECS[fname].args[aname]
    v = arg.valid.astype(float).copy()
    if v.size == 0:
        return
    index = data.draw(st.integers(0, v.size - 1))
    v.flat[index] = data.draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=rf"(?<![\w.]){re.escape(aname)}(?!\w)"):
            call(fname, **{aname: v})
