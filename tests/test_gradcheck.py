"""Gradient checking with central differences (rnnlib.gradcheck)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

import rnnlib

from reference import (
    NAMES,
    as_dict,
    central_difference,
    fd_param_gradients,
    forward_states,
    make_params,
    make_targets,
    mask_of,
    rel_err,
    target_argument,
    total_loss,
)

# --- relative_error --------------------------------------------------------------------------------


def test_relative_error_on_hand_cases():
    # max|a − b| = 0.5, max(|a| + |b|) = 2 + 2.5 = 4.5.
    assert rnnlib.relative_error([1.0, 2.0], [1.0, 2.5]) == pytest.approx(0.5 / 4.5, rel=1e-15)
    assert rnnlib.relative_error([3.0], [3.0]) == 0.0
    assert rnnlib.relative_error([1.0], [-1.0]) == pytest.approx(1.0)  # opposite signs: as wrong as it gets
    assert rnnlib.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    # Scaled by the largest entry, not entry by entry: a tiny entry off by 100 % counts for little.
    assert rnnlib.relative_error([100.0, 1e-9], [100.0, 2e-9]) == pytest.approx(1e-9 / 200.0)
    # Below the 1e-8 floor the difference is divided by 1e-8, so rounding noise is not inflated.
    assert rnnlib.relative_error([1e-12], [2e-12]) == pytest.approx(1e-12 / 1e-8)
    assert rnnlib.relative_error(np.empty(0), np.empty(0)) == 0.0


def test_relative_error_refuses_different_shapes():
    with pytest.raises(ValueError, match="a and b must have the same shape"):
        rnnlib.relative_error(np.zeros(3), np.zeros((3, 1)))


# --- numerical_gradient ----------------------------------------------------------------------------


def test_numerical_gradient_of_a_quadratic(rng):
    # f(x) = xᵀ A x + bᵀ x has gradient (A + Aᵀ) x + b, and a central difference is exact for it
    # up to rounding (the third derivative is zero).
    A = rng.standard_normal((3, 3))
    b = rng.standard_normal(3)
    x = rng.standard_normal(3)
    x_before = x.copy()
    g = rnnlib.numerical_gradient(lambda: float(x @ A @ x + b @ x), x, eps=1e-3)
    assert_allclose(g, (A + A.T) @ x + b, rtol=1e-9)
    assert_allclose(x, x_before, rtol=0)  # every entry restored


def test_numerical_gradient_of_a_matrix_function(rng):
    W = rng.standard_normal((2, 3))
    v = rng.standard_normal(3)
    g = rnnlib.numerical_gradient(lambda: float(np.sum(np.tanh(W @ v))), W)
    assert rel_err(g, np.outer(1 - np.tanh(W @ v) ** 2, v)) < 1e-9


def test_numerical_gradient_refuses_arrays_it_cannot_perturb():
    with pytest.raises(ValueError, match="x must be a float64 numpy array"):
        rnnlib.numerical_gradient(lambda: 0.0, [1.0, 2.0])
    with pytest.raises(ValueError, match="x must be a float64 numpy array"):
        rnnlib.numerical_gradient(lambda: 0.0, np.zeros(2, dtype=np.float32))
    with pytest.raises(ValueError, match="eps must be"):
        rnnlib.numerical_gradient(lambda: 0.0, np.zeros(2), eps=0.0)


@pytest.mark.parametrize("output,loss", [("linear", "squared"), ("softmax", "cross_entropy")])
def test_numerical_gradients_match_an_independent_finite_difference(output, loss, rng):
    params = make_params(rng, 2, 3, 2, h0_mode="trainable")
    x = rng.standard_normal((2, 4, 2))
    d = make_targets(rng, 2, 4, 2, loss)
    num = rnnlib.numerical_gradients(params, x, d, output=output, loss_name=loss)
    P = as_dict(params)
    mask = np.ones((2, 4), dtype=bool)
    ref = fd_param_gradients(lambda Q: total_loss(Q, x, d, mask, "tanh", output, loss), P, NAMES + ("h0",))
    for name in NAMES + ("h0",):
        assert rel_err(getattr(num, name), ref[name]) < 1e-8, name
    assert_allclose(params.W_s, P["W_s"], rtol=0)  # the parameters are not left perturbed


# --- check_gradients -------------------------------------------------------------------------------


def test_check_gradients_passes_rnnlibs_own_gradients(rng):
    params = make_params(rng, 2, 3, 2, h0_mode="trainable")
    x, d = rng.standard_normal((2, 4, 2)), rng.standard_normal((2, 4, 2))
    errors = rnnlib.check_gradients(params, x, d)
    assert set(errors) == set(NAMES + ("h0",))
    assert max(errors.values()) < 1e-7


def test_check_gradients_flags_a_transposed_recurrent_gradient(rng):
    # A classic student bug: ∂L/∂W_s accumulated as h_{t−1} δᵀ instead of δ h_{t−1}ᵀ.
    params = make_params(rng, 2, 3, 2)
    x, d = rng.standard_normal((2, 4, 2)), rng.standard_normal((2, 4, 2))
    good = rnnlib.loss_and_gradients(params, x, d)[1]
    bad = good.copy()
    bad.W_s = good.W_s.T.copy()
    assert rel_err(good.W_s, good.W_s.T) > 1e-2  # the test is only meaningful if W_s's gradient is not symmetric
    errors = rnnlib.check_gradients(params, x, d, grads=bad)
    assert errors["W_s"] > 1e-2
    assert max(errors[name] for name in NAMES if name != "W_s") < 1e-7


def test_check_gradients_flags_a_sign_error_and_a_missing_step(rng):
    params = make_params(rng, 2, 3, 2)
    x, d = rng.standard_normal((2, 4, 2)), rng.standard_normal((2, 4, 2))
    good = rnnlib.loss_and_gradients(params, x, d)[1]
    flipped = good.copy()
    flipped.b_h = -good.b_h
    assert rnnlib.check_gradients(params, x, d, grads=flipped)["b_h"] == pytest.approx(1.0)
    # Forgetting the first step's term: invisible in W_s (it multiplies h_0 = 0), plain in W_x.
    fp = rnnlib.forward(params, x, d)
    res = rnnlib.backward(params, fp)
    missing = good.copy()
    missing.W_x = good.W_x - res.da[:, 0].T @ x[:, 0]
    assert rnnlib.check_gradients(params, x, d, grads=missing)["W_x"] > 1e-3


def test_check_gradients_does_not_pass_gradients_that_lack_h0(rng):
    # A student's gradient without an h_0 entry must not pass the check when h_0 is trainable.
    # (rnnlib's "grads has no gradient for 'h0'" error cannot trigger: every RNNParams has an h0,
    # zeros by default, so the check reports a relative error of 1 instead. Either is acceptable.)
    params = make_params(rng, 2, 3, 2, h0_mode="trainable")
    x, d = rng.standard_normal((1, 3, 2)), rng.standard_normal((1, 3, 2))
    g = rnnlib.loss_and_gradients(params, x, d)[1]
    without_h0 = rnnlib.RNNParams(g.W_x, g.W_s, g.W_y, g.b_h, g.b_y)
    try:
        errors = rnnlib.check_gradients(params, x, d, grads=without_h0)
    except ValueError as exc:
        assert "h0" in str(exc)
    else:
        assert errors["h0"] > 0.5


def test_gradient_check_in_float32_precision_cannot_tell_right_from_wrong(rng):
    # Chapter 4: in float32 the rounding term of a central difference is ~1e-2 relative, so a check
    # cannot separate a correct gradient from one that is off by 1 %. In float64 it can.
    A = rng.standard_normal((4, 4))
    x64 = rng.standard_normal(4)
    exact = (A + A.T) @ x64
    x32 = x64.astype(np.float32)
    A32 = A.astype(np.float32)
    num32 = np.array(
        [
            (float((x32 + e) @ A32 @ (x32 + e)) - float((x32 - e) @ A32 @ (x32 - e))) / (2 * 1e-4)
            for e in np.eye(4, dtype=np.float32) * np.float32(1e-4)
        ]
    )
    num64 = rnnlib.numerical_gradient(lambda: float(x64 @ A @ x64), x64)
    assert rnnlib.relative_error(num64, exact) < 1e-8
    assert rnnlib.relative_error(num32, exact) > 1e-4


# --- δ_k by finite differences ---------------------------------------------------------------------


@pytest.mark.parametrize("targets", ["all", "last", "mask"])
@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "identity"])
def test_numerical_delta_matches_an_independent_reference_and_bptt(activation, targets):
    rng = np.random.default_rng(21)
    N, T, D, H, O = 2, 5, 2, 3, 2
    params = make_params(rng, D, H, O, scale=4.0 if activation == "sigmoid" else 1.0, h0_mode="given")
    x = rng.standard_normal((N, T, D))
    d_dense = make_targets(rng, N, T, O, "squared")
    if targets == "mask":
        targets = np.array([True, False, False, True, False])
    mask = mask_of(targets, N, T)
    d = target_argument(d_dense, targets, "squared")
    P = as_dict(params)
    _, h = forward_states(P, x, activation)
    res = rnnlib.backward(params, rnnlib.forward(params, x, d, activation=activation, targets=targets))
    for k in range(T + 1):
        # The reference reruns the forward pass by hand from a perturbed h_k.
        ref = central_difference(
            lambda hk: total_loss(P, x, d_dense, mask, activation, "linear", "squared", override=(k, hk)), h[:, k]
        )
        num = rnnlib.numerical_delta(params, x, d, k, activation=activation, targets=targets)
        assert rel_err(num, ref) < 1e-7, k
        assert rel_err(num, res.delta[:, k]) < 1e-7, k


def test_loss_given_state_is_the_loss_of_the_steps_from_k_on(rng):
    params = make_params(rng, 2, 3, 2)
    x, d = rng.standard_normal((2, 5, 2)), rng.standard_normal((2, 5, 2))
    P = as_dict(params)
    h_new = rng.standard_normal((2, 3))
    for k in range(6):
        only_from_k = np.zeros((2, 5), dtype=bool)
        only_from_k[:, max(k - 1, 0) :] = k >= 1
        if k == 0:
            only_from_k[:] = True
        want = total_loss(P, x, d, only_from_k, "tanh", "linear", "squared", override=(k, h_new))
        assert rnnlib.loss_given_state(params, x, d, k, h_new) == pytest.approx(want, rel=1e-12), k


def test_numerical_delta_works_for_cross_entropy_and_a_given_h0(rng):
    params = make_params(rng, 2, 3, 3)
    x = rng.standard_normal((2, 4, 2))
    d = rng.integers(0, 3, size=(2, 4))
    h0 = rng.standard_normal((2, 3))
    model = dict(output="softmax", loss_name="cross_entropy", h0=h0)
    res = rnnlib.backward(params, rnnlib.forward(params, x, d, **model))
    for k in range(5):
        assert rel_err(rnnlib.numerical_delta(params, x, d, k, **model), res.delta[:, k]) < 1e-7, k
