"""Forward pass and full BPTT (rnnlib.rnn), against hand-computed values and central differences."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import rnnlib

from reference import (
    NAMES,
    as_dict,
    central_difference,
    dE_dh,
    fd_param_gradients,
    forward_states,
    make_params,
    make_targets,
    mask_of,
    rel_err,
    target_argument,
    total_loss,
)

ACTIVATIONS = ("tanh", "sigmoid", "relu", "identity")
VALID_MODELS = (("linear", "squared"), ("softmax", "squared"), ("softmax", "cross_entropy"))
GAMMA = {"tanh": 1.0, "sigmoid": 0.25, "relu": 1.0, "identity": 1.0}

LN2, LN3 = math.log(2.0), math.log(3.0)


# --- hand-computed forward and backward -------------------------------------------------------------


def hand_params():
    """H = 2, D = 1, O = 1, chosen so that every number below is exact on paper.

    tanh(ln 2) = (2 − 1/2)/(2 + 1/2) = 3/5 and tanh(ln 3) = (3 − 1/3)/(3 + 1/3) = 4/5.
    W_s is chosen so that W_s (3/5, 4/5)ᵀ = (0.8·0.6 − 0.6·0.8, 4·0.6 − 3·0.8)ᵀ = (0, 0)ᵀ.
    """
    return rnnlib.RNNParams(
        W_x=[[LN2], [LN3]], W_s=[[0.8, -0.6], [4.0, -3.0]], W_y=[[1.0, 1.0]], b_h=[0.0, 0.0], b_y=[-1.0]
    )


def test_step_forward_matches_hand_computed_tanh_values():
    params = hand_params()
    # a_1 = W_s h_0 + W_x x_1 + b_h = (ln 2, ln 3) with h_0 = 0, x_1 = 1.
    h1, (_, _, a1, _, _) = rnnlib.step_forward(params, np.array([[1.0]]), np.zeros((1, 2)))
    assert_allclose(a1, [[LN2, LN3]], rtol=1e-15)
    assert_allclose(h1, [[0.6, 0.8]], rtol=1e-15)
    # a_2 = W_s (0.6, 0.8)ᵀ + W_x · 0.5 = (0, 0) + (ln 2 / 2, ln 3 / 2): a matrix-vector product, not element-wise.
    h2, (_, _, a2, _, _) = rnnlib.step_forward(params, np.array([[0.5]]), h1)
    assert_allclose(a2, [[LN2 / 2, LN3 / 2]], rtol=1e-14, atol=1e-15)
    # tanh(ln 2 / 2) = (√2 − 1/√2)/(√2 + 1/√2) = 1/3; tanh(ln 3 / 2) = (√3 − 1/√3)/(√3 + 1/√3) = 1/2.
    assert_allclose(h2, [[1.0 / 3.0, 0.5]], rtol=1e-14)


def test_step_forward_matches_hand_computed_sigmoid_and_relu_values():
    params = rnnlib.RNNParams(W_x=[[LN3], [-LN3]], W_s=np.zeros((2, 2)), W_y=[[1.0, 0.0]], b_h=[0.0, 0.0], b_y=[0.0])
    # σ(ln 3) = 1/(1 + 1/3) = 3/4, σ(−ln 3) = 1/(1 + 3) = 1/4.
    h, _ = rnnlib.step_forward(params, [[1.0]], [[0.0, 0.0]], activation="sigmoid")
    assert_allclose(h, [[0.75, 0.25]], rtol=1e-15)
    # relu(ln 3) = ln 3, relu(−ln 3) = 0; identity leaves a_t alone.
    h, _ = rnnlib.step_forward(params, [[1.0]], [[0.0, 0.0]], activation="relu")
    assert_allclose(h, [[LN3, 0.0]], rtol=1e-15)
    h, _ = rnnlib.step_forward(params, [[2.0]], [[0.0, 0.0]], activation="identity")
    assert_allclose(h, [[2 * LN3, -2 * LN3]], rtol=1e-15)


def test_forward_pass_matches_hand_computed_sequence_and_loss():
    params = hand_params()
    x = np.array([[[1.0], [1.0]]])  # N = 1, T = 2, x_1 = x_2 = 1
    d = np.array([[[0.4], [1.4]]])
    fp = rnnlib.forward(params, x, d)
    # a_1 = (ln 2, ln 3), h_1 = (0.6, 0.8); a_2 = W_s h_1 + W_x = (ln 2, ln 3) again, h_2 = (0.6, 0.8).
    assert_allclose(fp.a, [[[LN2, LN3], [LN2, LN3]]], rtol=1e-14, atol=1e-15)
    assert_allclose(fp.h, [[[0, 0], [0.6, 0.8], [0.6, 0.8]]], rtol=1e-14)
    # o_t = 0.6 + 0.8 − 1 = 0.4; E_1 = (0.4 − 0.4)² = 0, E_2 = (0.4 − 1.4)² = 1; L = 1.
    assert_allclose(fp.o, [[[0.4], [0.4]]], rtol=1e-14)
    assert_allclose(fp.y_hat, fp.o, rtol=0)  # linear read-out
    assert_allclose(fp.step_losses, [[0.0, 1.0]], atol=1e-14)
    assert fp.loss == pytest.approx(1.0, rel=1e-14)


def test_full_bptt_matches_hand_computed_gradients():
    params = hand_params()
    fp = rnnlib.forward(params, np.array([[[1.0], [1.0]]]), np.array([[[0.4], [1.4]]]))
    res = rnnlib.backward(params, fp)
    # ∂L/∂o_2 = 2(0.4 − 1.4) = −2, ∂L/∂o_1 = 0.  δ_2 = W_yᵀ(−2) = (−2, −2).
    # ∂L/∂a_2 = f′(a_2) ⊙ δ_2 = (1 − 0.36, 1 − 0.64) ⊙ (−2, −2) = (−1.28, −0.72).
    # δ_1 = W_sᵀ ∂L/∂a_2 = (0.8·−1.28 + 4·−0.72, −0.6·−1.28 − 3·−0.72) = (−3.904, 2.928).
    # ∂L/∂a_1 = (0.64·−3.904, 0.36·2.928) = (−2.49856, 1.05408).
    # δ_0 = W_sᵀ ∂L/∂a_1 = (0.8·−2.49856 + 4·1.05408, −0.6·−2.49856 − 3·1.05408) = (2.217472, −1.663104).
    assert_allclose(res.delta, [[[2.217472, -1.663104], [-3.904, 2.928], [-2.0, -2.0]]], rtol=1e-13)
    assert_allclose(res.da, [[[-2.49856, 1.05408], [-1.28, -0.72]]], rtol=1e-13)
    g = res.grads
    # ∂L/∂W_s = Σ_t ∂L/∂a_t h_{t−1}ᵀ = (−1.28, −0.72)ᵀ (0.6, 0.8) + (…)·h_0ᵀ with h_0 = 0.
    assert_allclose(g.W_s, [[-0.768, -1.024], [-0.432, -0.576]], rtol=1e-13)
    # ∂L/∂W_x = Σ_t ∂L/∂a_t x_t = (−1.28 − 2.49856, −0.72 + 1.05408); b_h the same since x_t = 1.
    assert_allclose(g.W_x, [[-3.77856], [0.33408]], rtol=1e-13)
    assert_allclose(g.b_h, [-3.77856, 0.33408], rtol=1e-13)
    # ∂L/∂W_y = Σ_t ∂L/∂o_t h_tᵀ = −2 (0.6, 0.8); ∂L/∂b_y = −2.
    assert_allclose(g.W_y, [[-1.2, -1.6]], rtol=1e-13)
    assert_allclose(g.b_y, [-2.0], rtol=1e-13)
    assert res.loss == pytest.approx(1.0, rel=1e-14)


def test_step_backward_matches_analytic_formula_and_central_differences(rng):
    params = make_params(rng, 3, 4, 2)
    x_t = rng.standard_normal((2, 3))
    h_prev = rng.standard_normal((2, 4))
    dh = rng.standard_normal((2, 4))
    _, cache = rnnlib.step_forward(params, x_t, h_prev, activation="tanh")
    dh_prev, dx, dW_x_out, dW_s_out, db_h_out = rnnlib.step_backward(params, dh, cache)
    # The formulas, per sequence n with column vectors: ∂L/∂a = (1 − tanh²(a)) ⊙ δ,
    # ∂L/∂h_{t−1} = W_sᵀ ∂L/∂a, ∂L/∂x_t = W_xᵀ ∂L/∂a, ∂L/∂W_s = Σ_n ∂L/∂a h_{t−1}ᵀ, ...
    P = as_dict(params)
    W_s, W_x = P["W_s"], P["W_x"]
    dW_s, dW_x, db_h = np.zeros((4, 4)), np.zeros((4, 3)), np.zeros(4)
    for n in range(2):
        a = W_s @ h_prev[n] + W_x @ x_t[n] + P["b_h"]
        da = (1.0 - np.tanh(a) ** 2) * dh[n]
        assert_allclose(dh_prev[n], W_s.T @ da, rtol=1e-13)
        assert_allclose(dx[n], W_x.T @ da, rtol=1e-13)
        dW_s += np.outer(da, h_prev[n])
        dW_x += np.outer(da, x_t[n])
        db_h += da
    assert_allclose(dW_s_out, dW_s, rtol=1e-13)
    assert_allclose(dW_x_out, dW_x, rtol=1e-13)
    assert_allclose(db_h_out, db_h, rtol=1e-13)

    # The same numbers as derivatives of the scalar Σ dh ⊙ h_t, by central differences.
    def scalar(W_s=W_s, h_prev=h_prev, x_t=x_t):
        return float(np.sum(dh * np.tanh(h_prev @ W_s.T + x_t @ W_x.T + P["b_h"])))

    assert rel_err(dW_s_out, central_difference(lambda W: scalar(W_s=W), W_s)) < 1e-8
    assert rel_err(dh_prev, central_difference(lambda h: scalar(h_prev=h), h_prev)) < 1e-8
    assert rel_err(dx, central_difference(lambda v: scalar(x_t=v), x_t)) < 1e-8


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_step_backward_uses_the_derivative_of_each_activation(activation, rng):
    params = make_params(rng, 2, 3, 1)
    x_t, h_prev, dh = rng.standard_normal((1, 2)), rng.standard_normal((1, 3)), rng.standard_normal((1, 3))
    h_t, cache = rnnlib.step_forward(params, x_t, h_prev, activation=activation)
    *_, db_h = rnnlib.step_backward(params, dh, cache)
    a = cache[2]
    fp = {"tanh": 1 - np.tanh(a) ** 2, "sigmoid": h_t * (1 - h_t), "relu": (a > 0) * 1.0, "identity": np.ones_like(a)}[
        activation
    ]
    assert_allclose(db_h, (fp * dh)[0], rtol=1e-14)


# --- the forward pass against an independent implementation ----------------------------------------


@settings(max_examples=25)
@given(
    N=st.integers(1, 3),
    T=st.integers(1, 6),
    D=st.integers(1, 4),
    H=st.integers(1, 4),
    O=st.integers(2, 4),
    activation=st.sampled_from(ACTIVATIONS),
    model=st.sampled_from(VALID_MODELS),
    seed=st.integers(0, 2**32 - 1),
)
def test_forward_matches_reference_forward_pass(N, T, D, H, O, activation, model, seed):
    output, loss = model
    rng = np.random.default_rng(seed)
    params = make_params(rng, D, H, O, h0_mode="trainable")
    x = rng.standard_normal((N, T, D))
    d = make_targets(rng, N, T, O, loss)
    fp = rnnlib.forward(params, x, d, activation=activation, output=output, loss_name=loss)
    P = as_dict(params)
    a, h = forward_states(P, x, activation)
    assert_allclose(fp.a, a, rtol=1e-12, atol=1e-13)
    assert_allclose(fp.h, h, rtol=1e-12, atol=1e-13)
    mask = np.ones((N, T), dtype=bool)
    assert fp.loss == pytest.approx(total_loss(P, x, d, mask, activation, output, loss, h=h), rel=1e-12)
    assert_allclose(fp.x, x, rtol=0)
    if output == "softmax":
        assert_allclose(fp.y_hat.sum(axis=-1), 1.0, rtol=1e-14)


# --- full BPTT against central differences ---------------------------------------------------------

# The reference is a central difference at steps ε = 1e-4 and ε/2, Richardson-combined so that the
# O(ε²) truncation error cancels (reference.central_difference). What remains is rounding, about
# 1e-16·|L|/ε ≈ 1e-12·|L| on every entry, i.e. a relative error of ~1e-12·|L|/max|g| for a block g.
# Draws where some block's whole gradient is below 1e-3·|L| (a saturated softmax, or the h_0 gradient
# vanished through six steps) are skipped: there the reference itself is only good to ~1e-9 or worse,
# and such draws say nothing about rnnlib. (A plain central difference at ε = 1e-5 is not good enough
# for 1e-7: its truncation error reaches 2e-7 relative on some draws, e.g. N=3, T=2, D=1, H=1, O=4,
# tanh, targets="last", whose W_s gradient is small but the loss strongly curved.)
FD_STEP = 1e-4
RESOLVABLE = 1e-3


def draw_problem(data, activation, output, loss, targets, h0_mode="trainable"):
    N, T = data.draw(st.integers(1, 3), "N"), data.draw(st.integers(1, 6), "T")
    D, H = data.draw(st.integers(1, 4), "D"), data.draw(st.integers(1, 4), "H")
    O = data.draw(st.integers(1 if output == "linear" else 2, 4), "O")
    seed = data.draw(st.integers(0, 2**32 - 1), "seed")
    # ‖diag f′‖ ≤ γ: scale W_s by 1/γ so that the product of Jacobians neither vanishes nor explodes
    # over six steps, whatever the activation.
    scale = data.draw(st.floats(0.5, 1.2), "scale") / GAMMA[activation]
    rng = np.random.default_rng(seed)
    params = make_params(rng, D, H, O, scale=scale, h0_mode=h0_mode)
    x = rng.standard_normal((N, T, D))
    d_dense = make_targets(rng, N, T, O, loss)
    if targets == "mask":
        shape = (T,) if data.draw(st.booleans(), "mask of shape (T,)") else (N, T)
        m = rng.random(shape) < 0.5
        m[(0,) * (len(shape) - 1) + (int(rng.integers(T)),)] = True  # at least one target
        targets = m
    return params, x, d_dense, targets


@pytest.mark.parametrize("targets", ["all", "last", "mask"])
@pytest.mark.parametrize("output,loss", VALID_MODELS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
@settings(max_examples=8)
@given(data=st.data(), h0_mode=st.sampled_from(["zeros", "given", "trainable"]))
def test_backward_equals_backward_reference(activation, output, loss, targets, data, h0_mode):
    # The fast version (preallocated sweep, products over all steps) against the derivation as code
    # (a reversed loop over step_backward): the same numbers to rounding, on every layout.
    params, x, d_dense, targets = draw_problem(data, activation, output, loss, targets, h0_mode="trainable")
    if h0_mode != "trainable":
        params = rnnlib.RNNParams(
            params.W_x,
            params.W_s,
            params.W_y,
            params.b_h,
            params.b_y,
            h0_mode=h0_mode,
            h0=params.h0 if h0_mode == "given" else None,
        )
    fp = rnnlib.forward(
        params,
        x,
        target_argument(d_dense, targets, loss),
        activation=activation,
        output=output,
        loss_name=loss,
        targets=targets,
    )
    fast, reference = rnnlib.backward(params, fp), rnnlib.backward_reference(params, fp)
    assert fast.grads.names() == reference.grads.names() == params.names()
    for (name, g_fast), (_, g_ref) in zip(fast.grads, reference.grads):
        assert_allclose(g_fast, g_ref, rtol=1e-12, atol=1e-14, err_msg=name)
    assert_allclose(fast.delta, reference.delta, rtol=1e-12, atol=1e-14)
    assert_allclose(fast.da, reference.da, rtol=1e-12, atol=1e-14)
    assert fast.loss == reference.loss


def test_backward_reference_refuses_what_backward_refuses(rng):
    params = make_params(rng, 2, 3, 1)
    x = rng.standard_normal((1, 4, 2))
    with pytest.raises(ValueError, match="fp has no loss"):
        rnnlib.backward_reference(params, rnnlib.forward(params, x))
    with pytest.raises(ValueError, match="fp must be the ForwardPass"):
        rnnlib.backward_reference(params, "fp")


@pytest.mark.parametrize("targets", ["all", "last", "mask"])
@pytest.mark.parametrize("output,loss", VALID_MODELS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
@settings(max_examples=12)
@given(data=st.data())
def test_full_bptt_matches_central_differences(activation, output, loss, targets, data):
    params, x, d_dense, targets = draw_problem(data, activation, output, loss, targets)
    N, T, _ = x.shape
    P = as_dict(params)
    if activation == "relu":
        # relu is not differentiable at a = 0, and a central difference that moves some a_t across 0
        # measures a chord over the kink, not the derivative. A step of 1e-4 in one parameter moves the
        # a_t by a few 1e-4 at most here, so draws with a pre-activation within 1e-3 of 0 are skipped.
        a, _ = forward_states(P, x, activation)
        assume(np.min(np.abs(a)) >= 1e-3)
    mask = mask_of(targets, N, T)

    def L_of(Q):
        return total_loss(Q, x, d_dense, mask, activation, output, loss)

    L = L_of(P)
    numeric = fd_param_gradients(L_of, P, NAMES + ("h0",), FD_STEP)
    assume(all(np.max(np.abs(g)) >= RESOLVABLE * max(1.0, L) for g in numeric.values()))

    fp = rnnlib.forward(
        params,
        x,
        target_argument(d_dense, targets, loss),
        activation=activation,
        output=output,
        loss_name=loss,
        targets=targets,
    )
    res = rnnlib.backward(params, fp)
    assert fp.loss == pytest.approx(L, rel=1e-12)
    assert params.names() == NAMES + ("h0",)
    for name in NAMES + ("h0",):
        analytic = getattr(res.grads, name)
        assert analytic.shape == numeric[name].shape
        err = rel_err(analytic, numeric[name])
        assert err < 1e-7, f"{name}: relative error {err:.2e}"


@pytest.mark.parametrize("h0_mode", ["zeros", "given"])
@settings(max_examples=10)
@given(data=st.data())
def test_full_bptt_matches_central_differences_for_fixed_h0_modes(h0_mode, data):
    activation = data.draw(st.sampled_from(["tanh", "sigmoid", "identity"]), "activation")
    params, x, d_dense, _ = draw_problem(data, activation, "linear", "squared", "all", h0_mode=h0_mode)
    P = as_dict(params)
    mask = np.ones(x.shape[:2], dtype=bool)
    numeric = fd_param_gradients(
        lambda Q: total_loss(Q, x, d_dense, mask, activation, "linear", "squared"), P, NAMES, FD_STEP
    )
    res = rnnlib.backward(params, rnnlib.forward(params, x, d_dense, activation=activation))
    assert params.names() == NAMES  # h_0 is not a parameter here
    for name in NAMES:
        assert rel_err(getattr(res.grads, name), numeric[name]) < 1e-7, name


def test_linear_output_with_cross_entropy_is_refused(rng):
    params = make_params(rng, 2, 3, 2)
    x = rng.standard_normal((1, 3, 2))
    with pytest.raises(ValueError, match="cross_entropy.*output"):
        rnnlib.forward(params, x, np.zeros((1, 3), dtype=int), output="linear", loss_name="cross_entropy")
    with pytest.raises(ValueError, match="output"):
        rnnlib.loss_and_gradients(params, x, np.zeros((1, 3), dtype=int), output="linear", loss_name="cross_entropy")


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("output,loss", VALID_MODELS)
def test_gradient_wrt_given_h0_argument_matches_central_differences(activation, output, loss):
    rng = np.random.default_rng(7)
    N, T, D, H, O = 3, 5, 2, 3, 3
    params = make_params(rng, D, H, O, scale=1.0 / GAMMA[activation])
    x = rng.standard_normal((N, T, D))
    d = make_targets(rng, N, T, O, loss)
    h0 = rng.standard_normal((N, H))  # e.g. the state carried over from a previous chunk
    P = as_dict(params)
    if activation == "relu":
        a, _ = forward_states(P, x, activation, h0=h0)
        assert np.min(np.abs(a)) > 1e-3  # this seed keeps clear of the kink
    mask = np.ones((N, T), dtype=bool)
    numeric = central_difference(lambda v: total_loss(P, x, d, mask, activation, output, loss, h0=v), h0, FD_STEP)
    res = rnnlib.backward(
        params, rnnlib.forward(params, x, d, activation=activation, output=output, loss_name=loss, h0=h0)
    )
    assert res.dh0.shape == (N, H)
    assert rel_err(res.dh0, numeric) < 1e-7


def test_trainable_h0_gets_no_gradient_when_forward_is_given_another_h0(rng):
    # With h0= passed to forward, the loss does not depend on params.h0 at all: its gradient is zero.
    # (Regression: backward() returned Σ_n δ_0 for params.h0 here, the gradient of a different function.)
    params = make_params(rng, 2, 3, 2, h0_mode="trainable")
    x = rng.standard_normal((2, 4, 2))
    d = rng.standard_normal((2, 4, 2))
    h0 = rng.standard_normal((2, 3))
    numeric = central_difference(lambda v: rnnlib.loss(params.replace(h0=v), x, d, h0=h0), params.h0)
    assert_allclose(numeric, 0.0, atol=1e-12)
    grads = rnnlib.loss_and_gradients(params, x, d, h0=h0)[1]
    assert_allclose(grads.h0, numeric, atol=1e-9)


# --- δ_k = ∂L/∂h_k -------------------------------------------------------------------------------


@pytest.mark.parametrize("targets", ["all", "last", "mask"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_delta_matches_central_differences_wrt_each_state(activation, targets):
    rng = np.random.default_rng(11)
    N, T, D, H, O = 2, 5, 2, 3, 2
    params = make_params(rng, D, H, O, scale=1.0 / GAMMA[activation], h0_mode="given")
    x = rng.standard_normal((N, T, D))
    d_dense = make_targets(rng, N, T, O, "squared")
    if targets == "mask":
        targets = np.array([False, True, False, True, False])
    mask = mask_of(targets, N, T)
    P = as_dict(params)
    a, h = forward_states(P, x, activation)
    if activation == "relu":
        assert np.min(np.abs(a)) > 1e-3
    res = rnnlib.backward(
        params,
        rnnlib.forward(params, x, target_argument(d_dense, targets, "squared"), activation=activation, targets=targets),
    )
    assert res.delta.shape == (N, T + 1, H)
    for k in range(T + 1):
        # L as a function of h_k: the forward pass is rerun by hand with h_k replaced, so that
        # h_{k+1}, …, h_T follow from the perturbed state and E_k sees it through the read-out.
        numeric = central_difference(
            lambda hk: total_loss(P, x, d_dense, mask, activation, "linear", "squared", override=(k, hk)),
            h[:, k],
            FD_STEP,
        )
        assert rel_err(res.delta[:, k], numeric) < 1e-7, k


def test_delta_at_last_step_is_the_readout_gradient_only(rng):
    # δ_T = W_yᵀ ∂L/∂o_T: nothing comes from later steps.
    params = make_params(rng, 2, 3, 2)
    x, d = rng.standard_normal((2, 4, 2)), rng.standard_normal((2, 4, 2))
    fp = rnnlib.forward(params, x, d, output="softmax")
    res = rnnlib.backward(params, fp)
    P = as_dict(params)
    for n in range(2):
        assert_allclose(res.delta[n, -1], dE_dh(P, fp.h[n, -1], d[n, -1], "softmax", "squared", 2), rtol=1e-12)


# --- other behaviour -------------------------------------------------------------------------------


def test_forward_without_targets_computes_states_but_no_loss(rng):
    params = make_params(rng, 2, 3, 2)
    x = rng.standard_normal((2, 4, 2))
    fp = rnnlib.forward(params, x)
    assert fp.loss is None and fp.step_losses is None and fp.mask is None
    _, h = forward_states(as_dict(params), x, "tanh")
    assert_allclose(fp.h, h, rtol=1e-13)
    with pytest.raises(ValueError, match="fp has no loss"):
        rnnlib.backward(params, fp)


def test_step_losses_and_mask_follow_the_targets(rng):
    params = make_params(rng, 2, 3, 2)
    x, d = rng.standard_normal((2, 4, 2)), rng.standard_normal((2, 4, 2))
    m = np.array([[True, False, False, True], [False, True, False, False]])
    fp = rnnlib.forward(params, x, d, targets=m)
    assert_allclose(fp.mask, m)
    P = as_dict(params)
    for n in range(2):
        for t in range(4):
            want = 0.0
            if m[n, t]:
                want = float(np.sum((P["W_y"] @ fp.h[n, t + 1] + P["b_y"] - d[n, t]) ** 2))
            assert fp.step_losses[n, t] == pytest.approx(want, rel=1e-13, abs=1e-15)
    assert fp.loss == pytest.approx(fp.step_losses.sum() / 2, rel=1e-13)


def test_unmasked_targets_are_ignored_even_if_not_finite(rng):
    params = make_params(rng, 2, 3, 2)
    x, d = rng.standard_normal((1, 3, 2)), rng.standard_normal((1, 3, 2))
    m = np.array([True, False, True])
    d_nan = d.copy()
    d_nan[0, 1] = np.nan
    L1, g1 = rnnlib.loss_and_gradients(params, x, d, targets=m)
    L2, g2 = rnnlib.loss_and_gradients(params, x, d_nan, targets=m)
    assert L1 == L2
    for name in NAMES:
        assert_allclose(getattr(g1, name), getattr(g2, name), rtol=0)


def test_batch_loss_is_the_mean_over_sequences(rng):
    # L = (1/N) Σ_n L_n: the batch gradient is the mean of the single-sequence gradients.
    params = make_params(rng, 2, 3, 2)
    x, d = rng.standard_normal((3, 4, 2)), rng.standard_normal((3, 4, 2))
    L, g = rnnlib.loss_and_gradients(params, x, d)
    singles = [rnnlib.loss_and_gradients(params, x[n : n + 1], d[n : n + 1]) for n in range(3)]
    assert L == pytest.approx(np.mean([s[0] for s in singles]), rel=1e-13)
    for name in NAMES:
        assert_allclose(
            getattr(g, name), np.mean([getattr(s[1], name) for s in singles], axis=0), rtol=1e-12, atol=1e-15
        )


def test_forward_and_backward_do_not_modify_their_inputs(rng):
    params = make_params(rng, 2, 3, 2, h0_mode="trainable")
    before = as_dict(params)
    x, d, h0 = rng.standard_normal((2, 4, 2)), rng.standard_normal((2, 4, 2)), rng.standard_normal((2, 3))
    x0, d0, h00 = x.copy(), d.copy(), h0.copy()
    rnnlib.backward(params, rnnlib.forward(params, x, d, h0=h0))
    rnnlib.backward(params, rnnlib.forward(params, x, d))
    for name, value in before.items():
        assert_allclose(getattr(params, name), value, rtol=0)
    assert_allclose(x, x0, rtol=0)
    assert_allclose(d, d0, rtol=0)
    assert_allclose(h0, h00, rtol=0)


def test_backward_refuses_a_forward_pass_of_other_sizes(rng):
    fp = rnnlib.forward(make_params(rng, 2, 3, 2), rng.standard_normal((1, 3, 2)), rng.standard_normal((1, 3, 2)))
    with pytest.raises(ValueError, match="fp must come from a network of the sizes of params"):
        rnnlib.backward(make_params(rng, 2, 4, 2), fp)
    with pytest.raises(ValueError, match="fp must be the ForwardPass"):
        rnnlib.backward(make_params(rng, 2, 3, 2), {"h": 0})
