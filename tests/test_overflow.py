"""Overflow on purpose (issue 9): exploding networks are reported, never silently wrong, never warned about.

The first part sweeps activation × spectral radius (up to 100) × sequence length (up to 300) through
forward, backward, truncated BPTT, clipping, the diagnostics and training, and checks the documented
signal: ``fp.overflowed``/``fp.overflow_step``/``loss == inf`` from the forward pass,
:class:`rnnlib.ExplodingGradientError` naming the step from the backward passes, ``inf`` from the
diagnostics, ``History.diverged`` with a reason from training. ``filterwarnings = error`` is on and
each call also runs under ``warnings.simplefilter("error")``, so a single numpy warning fails.

The second part holds one test per case of the issue, named for the behaviour.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import rnnlib as rl
from rnnlib.cliff import descent_path
from rnnlib.course.explorers.model import ExplorerModel
from rnnlib.course.explorers.spectral import SpectralModel
from rnnlib.course.explorers.truncation import TruncationModel

ACTIVATIONS = ("tanh", "sigmoid", "relu", "identity")
RADII = (0.5, 1.0, 3.0, 10.0, 100.0)
LENGTHS = (1, 30, 300)


def big(rho, H=32, D=1, O=1, seed=0):
    """The issue's network: W_s Gaussian with spectral radius ρ."""
    return rl.init_params(D, H, O, rng=seed, recurrent="gaussian_spectral", scale=rho)


def stream(N, T, D=1, O=1, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((N, T, D)), rng.standard_normal((N, T, O))


def no_warnings(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


def backward_or_exploding(params, fp):
    """backward's result, or the ExplodingGradientError it raised (checked to name a step of the pass)."""
    try:
        result = no_warnings(rl.backward, params, fp)
    except rl.ExplodingGradientError as exc:
        assert exc.step is None or 0 <= exc.step <= fp.T
        assert "overflowed" in str(exc) and "exploding" in str(exc)
        assert "W_s must be finite" not in str(exc)
        return exc
    for _, g in result.grads:
        assert np.all(np.isfinite(g))
    assert np.all(np.isfinite(result.delta))
    return result


# --- the sweep ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("T", LENGTHS)
@pytest.mark.parametrize("rho", RADII)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_forward_and_backward_report_overflow_and_never_warn(activation, rho, T):
    params = big(rho, H=16)
    x, d = stream(3, T)
    fp = no_warnings(rl.forward, params, x, d, activation=activation)
    finite_pass = np.isfinite(fp.h_tm).all() and np.isfinite(fp.o_tm).all() and np.isfinite(fp.E_tm).all()
    assert fp.overflowed == (not finite_pass)
    if fp.overflowed:
        step = fp.overflow_step
        assert step is not None and 1 <= step <= T
        assert (
            not (np.isfinite(fp.h_tm[step]).all() and np.isfinite(fp.o_tm[step - 1]).all())
            or not np.isfinite(fp.E_tm[step - 1]).all()
        )
        assert fp.loss == np.inf  # every step carries a target here
    else:
        assert fp.overflow_step is None and np.isfinite(fp.loss)
    assert not np.isnan(fp.loss)
    result = backward_or_exploding(params, fp)
    if fp.overflowed:
        assert isinstance(result, rl.ExplodingGradientError)
    if activation in ("tanh", "sigmoid"):
        assert not fp.overflowed  # bounded activations cannot overflow the forward pass
    if isinstance(result, rl.BPTTResult):
        reference = no_warnings(rl.backward_reference, params, fp)
        for (name, g), (_, g_ref) in zip(result.grads, reference.grads):
            assert_allclose(g, g_ref, rtol=1e-9, atol=1e-12 * rl.global_norm(result.grads), err_msg=name)


@pytest.mark.parametrize("rho", RADII)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_truncated_bptt_reports_overflow_and_never_warns(activation, rho):
    params = big(rho, H=16)
    x, d = stream(2, 300)
    try:
        result = no_warnings(rl.truncated_bptt, params, x, d, 20, 40, activation=activation)
    except rl.ExplodingGradientError as exc:
        if exc.step is None:  # finite δ, enormous states: the weight gradient of one update overflowed
            assert "weight gradients overflowed in the update of steps" in str(exc)
        else:
            assert 0 <= exc.step <= 300 and "overflowed at step" in str(exc)
        return
    for _, g in result.grads:
        assert np.all(np.isfinite(g))
    assert np.isfinite(result.loss) or result.loss == np.inf


@pytest.mark.parametrize("rho", RADII)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_clipping_any_finite_gradient_keeps_its_direction_and_sets_its_norm(activation, rho):
    params = big(rho, H=16)
    x, d = stream(2, 30)
    fp = no_warnings(rl.forward, params, x, d, activation=activation)
    result = backward_or_exploding(params, fp)
    if isinstance(result, rl.ExplodingGradientError):
        return
    g = result.grads
    clipped = no_warnings(rl.clip_by_global_norm, g, 1.0)
    flat = g.flat()
    s = np.max(np.abs(flat))
    reference_norm = s * np.sqrt(np.sum((flat / s) ** 2))  # the norm by hand, scaled
    assert clipped.norm == pytest.approx(reference_norm, rel=1e-12)
    if reference_norm > 1.0:
        assert rl.global_norm(clipped.grads) == pytest.approx(1.0, rel=1e-12)
        assert_allclose(clipped.grads.flat(), flat / s / (reference_norm / s), rtol=1e-10, atol=1e-300)
    assert no_warnings(rl.cosine, clipped.grads, g) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("rho", RADII)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_diagnostics_at_extreme_radius_return_inf_or_finite_never_nan(activation, rho, capfd):
    params = big(rho, H=8)
    x, d = stream(1, 60)
    fp = no_warnings(rl.forward, params, x, d, activation=activation)
    norms = no_warnings(rl.jacobian_norms, params, fp)
    assert not np.any(np.isnan(norms)) and np.all(norms >= 0)
    assert_allclose(np.diag(norms), 1.0)
    by_distance = no_warnings(rl.norms_by_distance, norms)
    assert not np.any(np.isnan(by_distance))
    bound = no_warnings(rl.pascanu_bound, params.W_s, activation, np.arange(400))
    assert not np.any(np.isnan(bound)) and np.all(bound >= 0)
    finite = np.isfinite(norms)
    dist = np.subtract.outer(np.arange(61), np.arange(61))
    lower = dist >= 0
    within = finite & lower & np.isfinite(bound[np.clip(dist, 0, None)])
    assert np.all(norms[within] <= bound[dist[within]] * (1 + 1e-9))  # the bound of eq-ch6-bound holds
    P = no_warnings(rl.jacobian_product, params, fp, 60, 0)
    assert not np.isfinite(norms[60, 0]) or np.all(np.isfinite(P))
    assert capfd.readouterr().err == ""  # nothing printed by LAPACK


@pytest.mark.parametrize("clip_mode", [None, "norm"])
@pytest.mark.parametrize("rho", (1.0, 3.0, 10.0))
@pytest.mark.parametrize("activation", ("tanh", "relu", "identity"))
def test_training_at_any_radius_completes_or_diverges_with_a_reason(activation, rho, clip_mode):
    params = big(rho, H=8, D=2)
    task = rl.adding_problem(4, 40, 0)
    history = no_warnings(
        rl.train,
        params,
        task,
        steps=4,
        lr=0.5,
        activation=activation,
        clip_mode=clip_mode,
        threshold=None if clip_mode is None else 1.0,
    )
    if history.diverged:
        assert history.diverged_at == history.updates >= 1
        assert history.diverged_reason and "overflow" in history.diverged_reason
        assert not np.isfinite(history.loss[-1]) or not np.isfinite(history.grad_norm[-1])
    else:
        assert history.updates == 4 and history.diverged_reason is None
        assert np.all(np.isfinite(history.loss)) and np.all(np.isfinite(history.grad_norm))
    assert not np.any(np.isnan(history.loss)) and not np.any(np.isnan(history.grad_norm))
    for _, p in history.params:
        assert np.all(np.isfinite(p))


# --- the ten cases of the issue -----------------------------------------------------------------------

XL, DL = stream(4, 200)


def test_masked_step_with_overflowed_neighbours_contributes_exactly_zero():
    """Case 1: only step 1 carries a target; later steps overflow (inf · 0 must not make NaN)."""
    mask = np.zeros(200, bool)
    mask[0] = True
    params = big(10)
    fp = no_warnings(rl.forward, params, XL, DL, activation="relu", targets=mask)
    assert fp.overflowed and fp.overflow_step is not None and fp.overflow_step > 1
    # Only step 1 matters: the same loss and gradient as the one-step problem.
    short = rl.forward(params, XL[:, :1], DL[:, :1], activation="relu")
    assert fp.loss == short.loss and np.isfinite(fp.loss)
    g = no_warnings(rl.backward, params, fp).grads
    g_short = rl.backward(params, short).grads
    for (name, a), (_, b) in zip(g, g_short):
        assert_allclose(a, b, rtol=1e-13, atol=0, err_msg=name)


def test_clipping_an_enormous_finite_gradient_gives_the_right_direction():
    """Case 2: entries near 1e188 (their squares overflow); a scaled norm clips them correctly."""
    params = big(3)
    g = no_warnings(rl.backward, params, rl.forward(params, XL, DL, activation="identity")).grads
    flat = g.flat()
    assert np.all(np.isfinite(flat)) and np.max(np.abs(flat)) > 1e160
    c = no_warnings(rl.clip_by_global_norm, g, 1.0)
    s = np.max(np.abs(flat))
    expected_norm = s * np.linalg.norm(flat / s)
    assert np.isfinite(c.norm) and c.norm == pytest.approx(expected_norm, rel=1e-12)
    assert_allclose(c.grads.flat(), (flat / s) / np.linalg.norm(flat / s), rtol=1e-12, atol=1e-300)
    assert rl.global_norm(c.grads) == pytest.approx(1.0, rel=1e-12)
    assert np.any(c.grads.flat() != 0)


def test_sgd_step_refuses_gradients_of_another_network_instead_of_broadcasting():
    """Case 3."""
    small = rl.init_params(2, 1, 1, rng=0)
    g_small = rl.backward(small, rl.forward(small, XL[:, :5, :1].repeat(2, axis=2), DL[:, :5])).grads
    with pytest.raises(ValueError, match=r"grads must have the shapes of params \(D=2, H=4, O=1\)"):
        rl.sgd_step(rl.init_params(2, 4, 1, rng=0), g_small, 0.1)


def test_forward_reports_overflow_with_a_flag_and_an_infinite_loss():
    """Case 4, forward: a target of 1e200 overflows E_t; a ReLU network at ρ = 10 overflows h_t."""
    P = rl.init_params(3, 4, 2, rng=0)
    x, d = stream(2, 5, D=3, O=2)
    fp = no_warnings(rl.forward, P, x, d * 1e200)
    assert fp.loss == np.inf and fp.overflowed and fp.overflow_step == 1
    fp = no_warnings(rl.forward, big(10), XL, DL, activation="relu")
    assert fp.loss == np.inf and fp.overflowed and 1 < fp.overflow_step <= 200
    assert np.all(np.isfinite(fp.h_tm[: fp.overflow_step]))  # the first overflowed step is the one named


def test_backward_blames_the_gradient_not_the_weights():
    """Case 4, backward: finite weights, overflowing δ: the message names the step and the remedy."""
    params = big(10)
    fp = rl.forward(params, XL, DL, activation="relu")
    for backward in (rl.backward, rl.backward_reference):
        with pytest.raises(
            rl.ExplodingGradientError, match=r"the gradient overflowed at step t = \d+ \(‖δ_\d+‖ = (inf|nan)\)"
        ) as info:
            no_warnings(backward, params, fp)
        assert "W_s" not in str(info.value) and "clip" in str(info.value)
        assert isinstance(info.value, FloatingPointError) and 0 <= info.value.step <= 200
    with pytest.raises(rl.ExplodingGradientError, match=r"overflowed (at step|in the update of steps)") as info:
        no_warnings(rl.truncated_bptt, params, XL, DL, 50, 50, activation="relu")
    assert "W_s" not in str(info.value)
    # The spectral explorer's model at scale 10 with ReLU (a loss at step T only): its δ is finite,
    # huge and exact (the same as the plain reference loop), with no warning.
    model = SpectralModel()
    r = no_warnings(model.compute, 10.0, "ρ(W_s)", "relu")
    assert np.all(np.isfinite(r["delta_norms"])) and r["delta_norms"].max() > 1e100
    params = model.params(10.0)
    fp = rl.forward(params, model.x, model.d, activation="relu", targets="last")
    assert np.isfinite(fp.loss)
    reference = no_warnings(rl.backward_reference, params, fp)
    assert_allclose(r["delta_norms"], rl.delta_norms(reference.delta), rtol=1e-9)


def test_loss_without_targets_is_refused():
    """Case 5: rl.loss(P, x, None) used to return None."""
    P = rl.init_params(3, 4, 2, rng=0)
    x, _ = stream(2, 5, D=3, O=2)
    for fn in (rl.loss, rl.loss_and_gradients):
        with pytest.raises(ValueError, match="d must be the targets"):
            fn(P, x, None)


def test_objects_of_the_wrong_type_or_size_are_refused_by_name():
    """Case 6 (the full enumeration is tests/test_bad_input.py)."""
    P = rl.init_params(3, 4, 2, rng=0)
    x, d = stream(2, 5, D=3, O=2)
    fp = rl.forward(P, x, d)
    with pytest.raises(ValueError, match="params must be an RNNParams; got NoneType"):
        rl.forward(None, x)
    with pytest.raises(ValueError, match="fp must come from a network of the sizes of params"):
        rl.contributions(rl.init_params(4, 4, 2, rng=0), fp)
    h_t, cache = rl.step_forward(P, x[:, 0], np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"cache\[1\] \(h_prev\) must have shape"):
        rl.step_backward(rl.init_params(3, 5, 2, rng=0), np.zeros((2, 5)), cache)
    with pytest.raises(ValueError, match=r"cache\[0\] \(x_t\) must have shape.*D from params"):
        rl.step_backward(rl.init_params(4, 4, 2, rng=0), np.zeros((2, 4)), cache)
    g = rl.backward(P, fp).grads
    Pt = rl.init_params(3, 4, 2, rng=0, h0_mode="trainable")
    g_h0 = rl.backward(Pt, rl.forward(Pt, x, d)).grads
    with pytest.raises(ValueError, match="g2 must hold the parameters of g1"):
        rl.cosine(g, g_h0)


def test_softmax_readout_target_mask_numerical_delta_and_bias_by_k2_validate():
    """Case 7."""
    assert_allclose(rl.softmax(np.array([1, 2])), rl.softmax(np.array([1.0, 2.0])))  # ints are numbers
    for bad, what in ((np.array([np.nan, 1.0]), "finite"), (np.array([1j, 2]), "real"), (np.zeros((2, 0)), "empty")):
        with pytest.raises(ValueError, match=rf"o must .*{what}"):
            rl.softmax(bad)
        with pytest.raises(ValueError, match=rf"o must .*{what}"):
            rl.readout(bad, "softmax")
    with pytest.raises(ValueError, match="T must be an integer >= 1; got 0"):
        rl.target_mask("last", 2, 0)
    P = rl.init_params(3, 4, 2, rng=0)
    x, d = stream(2, 5, D=3, O=2)
    with pytest.raises(ValueError, match="k must be an integer >= 0; got 2.5"):
        rl.numerical_delta(P, x, d, 2.5)
    for bad in ([2.7], ["3"], [True]):
        with pytest.raises(ValueError, match=r"k2_values\[0\] must be an integer"):
            rl.bias_by_k2(P, x, d, bad)


def test_diagnostics_at_huge_radius_return_inf_and_print_nothing(capfd):
    """Case 8: jacobian_norms at ρ = 100 with ReLU, T = 200 raised LinAlgError and LAPACK printed."""
    params = big(100)
    fp = rl.forward(params, XL, DL, activation="relu")
    norms = no_warnings(rl.jacobian_norms, params, fp)
    assert np.isinf(norms).any() and not np.isnan(norms).any()
    first_inf = np.argmax(np.isinf(norms[:, 0]))
    assert np.all(np.isinf(norms[first_inf:, 0]))  # once overflowed, it stays overflowed
    bound = no_warnings(rl.pascanu_bound, params.W_s, "relu", np.arange(0, 1000, 100))
    assert bound[0] == 1.0 and bound[-1] == np.inf
    assert capfd.readouterr().err == ""


def test_train_lets_callback_errors_through_and_reports_divergence(capsys):
    """Case 9: a callback that overflows is the caller's bug; divergence is reported and printed once."""
    task = rl.adding_problem(8, 10, 0)
    params = rl.init_params(2, 4, 1, rng=0)

    def callback(step, p, history):
        raise FloatingPointError("my own bug")

    with pytest.raises(FloatingPointError, match="my own bug"):
        rl.train(params, task, steps=3, lr=0.01, callback=callback)

    def overflow(step, p, history):
        with np.errstate(over="raise"):
            np.float64(1e300) * 1e300

    with pytest.raises(FloatingPointError):
        rl.train(params, task, steps=3, lr=0.01, callback=overflow)

    irnn = rl.init_params(2, 4, 1, rng=1, recurrent="identity", scale=3.0)
    history = no_warnings(rl.train, irnn, task, steps=30, lr=1e6, activation="relu", verbose=True)
    out = capsys.readouterr().out.strip().splitlines()
    assert history.diverged and history.diverged_reason and "overflow" in history.diverged_reason
    assert out == [f"train: diverged: {history.diverged_reason}"]
    quiet = rl.train(irnn, task, steps=30, lr=1e6, activation="relu")
    assert quiet.diverged and capsys.readouterr().out == ""


def test_train_stops_on_a_loss_that_stays_above_the_threshold():
    """Case 9: with clipping, a ReLU run at ρ = 3 trains on at an enormous loss; stop_loss flags it."""
    task = rl.adding_problem(8, 30, 0)
    params = rl.init_params(2, 16, 1, rng=0, recurrent="gaussian_spectral", scale=3.0)
    free = rl.train(params, task, steps=20, lr=0.01, activation="relu", clip_mode="norm", threshold=1.0)
    assert min(free.loss) > 1e6  # what the issue saw: never flagged without stop_loss
    assert not free.diverged
    stopped = rl.train(
        params, task, steps=20, lr=0.01, activation="relu", clip_mode="norm", threshold=1.0, stop_loss=1e3, patience=5
    )
    assert stopped.diverged and stopped.diverged_at == stopped.updates == 5
    assert "stayed above stop_loss" in stopped.diverged_reason
    assert stopped.loss == free.loss[:5]


def test_seeds_empty_inputs_booleans_and_argument_names():
    """Case 10."""
    for model in (SpectralModel, TruncationModel, ExplorerModel):
        with pytest.raises(ValueError, match="seed must be a non-negative integer seed"):
            model(H=4, T=5, N=2, seed=None)
    assert_allclose(SpectralModel(H=4, T=5, N=2, seed=3).G, SpectralModel(H=4, T=5, N=2, seed=3).G, rtol=0)
    with pytest.raises(ValueError, match="W must not be empty"):
        rl.sigma_max(np.zeros((0, 0)))
    with pytest.raises(ValueError, match="delta must not be empty"):
        rl.delta_norms(np.zeros((0, 3, 2)))
    P = rl.init_params(3, 4, 2, rng=0)
    x, d = stream(2, 5, D=3, O=2)
    with pytest.raises(ValueError, match=r"x must hold real numbers; got booleans"):
        rl.forward(P, x > 0)
    with pytest.raises(ValueError, match=r"d must hold real numbers; got booleans"):
        rl.forward(P, x, d > 0)
    with pytest.raises(ValueError, match=r"h0 must hold real numbers; got booleans"):
        rl.forward(P, x, h0=np.ones((2, 4), bool))
    with pytest.raises(ValueError, match="clip_mode must be one of"):
        descent_path(1.0, 0.0, 0.1, 2, clip_mode="foo", threshold=1.0)
    g = rl.backward(P, rl.forward(P, x, d)).grads
    with pytest.raises(ValueError, match="g2 must be an RNNParams"):
        rl.cosine(g, None)
    P5 = rl.init_params(3, 5, 2, rng=0)
    with pytest.raises(ValueError, match="grads must have the shapes of params"):
        rl.check_gradients(P, x, d, grads=rl.backward(P5, rl.forward(P5, x, d)).grads)
    for fn in (rl.eta, lambda W, a: rl.pascanu_bound(W, a, [1])):
        with pytest.raises(ValueError, match=r"W_s must be a square matrix"):
            fn(np.zeros((2, 3)), "tanh")
    with pytest.raises(ValueError, match="threshold must be None when mode=None"):
        rl.clip(g, None, -1.0)


# --- randomized overflow cases --------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    activation=st.sampled_from(ACTIVATIONS),
    log_rho=st.floats(np.log(0.5), np.log(100.0)),
    T=st.integers(1, 300),
    seed=st.integers(0, 2**16),
    classify=st.booleans(),
    last_only=st.booleans(),
)
def test_random_networks_report_overflow_consistently(activation, log_rho, T, seed, classify, last_only):
    """Any activation, ρ in [0.5, 100], T up to 300, squared or cross-entropy, every step or the last:
    no warning, no NaN loss, and either the exact finite gradient or ExplodingGradientError."""
    O = 3 if classify else 1
    params = big(float(np.exp(log_rho)), H=8, O=O, seed=seed)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, T, 1))
    targets = "last" if last_only else "all"
    if classify:
        d = rng.integers(0, O, size=(2,) if last_only else (2, T))
        model = dict(activation=activation, output="softmax", loss_name="cross_entropy", targets=targets)
    else:
        d = rng.standard_normal((2, O) if last_only else (2, T, O))
        model = dict(activation=activation, targets=targets)
    fp = no_warnings(rl.forward, params, x, d, **model)
    assert not np.isnan(fp.loss)
    assert fp.overflowed == (fp.overflow_step is not None)
    if not fp.overflowed:
        assert np.isfinite(fp.loss)
    result = backward_or_exploding(params, fp)
    if isinstance(result, rl.BPTTResult):
        assert np.isfinite(fp.loss)
        reference = no_warnings(rl.backward_reference, params, fp)
        scale = rl.global_norm(result.grads)
        for (name, g), (_, g_ref) in zip(result.grads, reference.grads):
            assert_allclose(g, g_ref, rtol=1e-8, atol=1e-12 * scale, err_msg=name)
        clipped = no_warnings(rl.clip_by_global_norm, result.grads, 1.0)
        assert np.isfinite(clipped.norm) and rl.global_norm(clipped.grads) <= 1.0 + 1e-12
