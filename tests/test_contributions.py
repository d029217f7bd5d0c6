"""The gradient as a sum of per-time-step terms (rnnlib.contributions)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

import rnnlib

from reference import (
    NAMES,
    F,
    as_dict,
    central_difference,
    dE_dh,
    fd_param_gradients,
    forward_states,
    immediate_b_h,
    immediate_W_s,
    immediate_W_x,
    jacobian_product,
    make_params,
    make_targets,
    rel_err,
    total_loss,
)

THROUGH_TIME = ("W_x", "W_s", "b_h")
MODELS = [
    ("tanh", "linear", "squared"),
    ("sigmoid", "softmax", "squared"),
    ("identity", "softmax", "cross_entropy"),
    ("relu", "linear", "squared"),
]


def problem(activation, output, loss, seed=3, N=2, T=4, D=2, H=3, O=3, h0_mode="trainable"):
    rng = np.random.default_rng(seed)
    scale = 4.0 if activation == "sigmoid" else 1.0
    params = make_params(rng, D, H, O, scale=scale, h0_mode=h0_mode)
    x = rng.standard_normal((N, T, D))
    d = make_targets(rng, N, T, O, loss)
    fp = rnnlib.forward(params, x, d, activation=activation, output=output, loss_name=loss)
    if activation == "relu":
        assert np.min(np.abs(fp.a)) > 1e-3  # the seed keeps finite differences away from the kink
    return params, x, d, fp


@pytest.mark.parametrize("activation,output,loss", MODELS)
def test_contributions_sum_to_the_full_gradient(activation, output, loss):
    params, x, d, fp = problem(activation, output, loss)
    res = rnnlib.backward(params, fp)
    c = rnnlib.contributions(params, fp)
    for name in NAMES:
        full = getattr(res.grads, name)
        assert_allclose(c.by_loss[name].sum(axis=0), full, rtol=1e-12, atol=1e-14)
        assert_allclose(c.by_step[name].sum(axis=0), full, rtol=1e-12, atol=1e-14)
    for name in THROUGH_TIME:
        assert_allclose(c.terms[name].sum(axis=(0, 1)), getattr(res.grads, name), rtol=1e-12, atol=1e-14)
    # The terms that reach h_0, summed over t, are ∂L/∂h_0 summed over the batch.
    assert_allclose(c.h0.sum(axis=0), res.dh0.sum(axis=0), rtol=1e-12, atol=1e-14)
    assert_allclose(c.h0.sum(axis=0), res.grads.h0, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("activation,output,loss", MODELS)
def test_each_loss_term_equals_central_differences_of_that_loss_alone(activation, output, loss):
    params, x, d, fp = problem(activation, output, loss)
    c = rnnlib.contributions(params, fp)
    P = as_dict(params)
    N, T = fp.N, fp.T
    for t in range(T):
        only_t = np.zeros((N, T), dtype=bool)
        only_t[:, t] = True  # L restricted to E_{t+1}: a mask selecting that single step

        def L_t(Q):
            return total_loss(Q, x, d, only_t, activation, output, loss)

        numeric = fd_param_gradients(L_t, P, NAMES + ("h0",))
        for name in NAMES:
            assert rel_err(c.by_loss[name][t], numeric[name]) < 1e-7, (t, name)
        assert rel_err(c.h0[t], numeric["h0"]) < 1e-7, t
        # And rnnlib agrees with itself when asked for that loss term through a mask.
        g_t = rnnlib.loss_and_gradients(
            params, x, d, activation=activation, output=output, loss_name=loss, targets=only_t
        )[1]
        for name in NAMES:
            assert_allclose(c.by_loss[name][t], getattr(g_t, name), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("activation,output,loss", MODELS)
def test_path_term_equals_product_of_jacobians_times_immediate_derivative(activation, output, loss):
    params, x, d, fp = problem(activation, output, loss)
    c = rnnlib.contributions(params, fp)
    P = as_dict(params)
    a, h = forward_states(P, x, activation)
    N, T = fp.N, fp.T
    for t in range(1, T + 1):
        for k in range(1, T + 1):
            want = {name: np.zeros_like(P[name]) for name in THROUGH_TIME}
            if k <= t:
                for n in range(N):
                    # ∂E_t/∂h_t · (Π_{j=k+1..t} ∂h_j/∂h_{j−1}) · ∂⁺h_k/∂θ, with E_t scaled by 1/N as in L.
                    v = dE_dh(P, h[n, t], d[n, t - 1], output, loss, N) @ jacobian_product(P, a[n], activation, t, k)
                    want["W_s"] += np.einsum("i,ipq->pq", v, immediate_W_s(P, a[n, k - 1], h[n, k - 1], activation))
                    want["W_x"] += np.einsum("i,ipq->pq", v, immediate_W_x(P, a[n, k - 1], x[n, k - 1], activation))
                    want["b_h"] += v @ immediate_b_h(P, a[n, k - 1], activation)
            for name in THROUGH_TIME:
                assert_allclose(
                    c.terms[name][t - 1, k - 1],
                    want[name],
                    rtol=1e-11,
                    atol=1e-14,
                    err_msg=f"{name} term (t={t}, k={k})",
                )


def test_terms_through_later_steps_are_zero():
    params, x, d, fp = problem("tanh", "linear", "squared")
    c = rnnlib.contributions(params, fp)
    T = fp.T
    upper = np.triu(np.ones((T, T), dtype=bool), k=1)  # k > t: E_t does not depend on a later use of W_s
    for name in THROUGH_TIME:
        assert np.all(c.terms[name][upper] == 0)
        assert np.any(c.terms[name][~upper] != 0)


def test_by_step_is_the_gradient_of_the_copy_of_the_weights_used_at_that_step():
    # Give step k its own copy of (W_s, W_x, b_h); the derivative of L with respect to that copy,
    # all other steps keeping the shared weights, is the step's contribution by_step[k].
    params, x, d, fp = problem("tanh", "linear", "squared", h0_mode="zeros")
    c = rnnlib.contributions(params, fp)
    P = as_dict(params)
    N, T = fp.N, fp.T

    def L_with_copy(k, name, value):
        loss = 0.0
        for n in range(N):
            h = P["h0"]
            for t in range(1, T + 1):
                W = dict(P)
                if t == k:
                    W[name] = value
                h = np.tanh(W["W_s"] @ h + W["W_x"] @ x[n, t - 1] + W["b_h"])
                loss += np.sum((P["W_y"] @ h + P["b_y"] - d[n, t - 1]) ** 2)
        return loss / N

    for k in range(1, T + 1):
        for name in THROUGH_TIME:
            numeric = central_difference(lambda v: L_with_copy(k, name, v), P[name])
            assert rel_err(c.by_step[name][k - 1], numeric) < 1e-7, (k, name)


def test_output_weights_contribute_locally_at_each_step():
    # ∂E_t/∂W_y is local (chapter 3): ∂L/∂o_t h_tᵀ, the same for by_loss and by_step.
    params, x, d, fp = problem("tanh", "linear", "squared")
    c = rnnlib.contributions(params, fp)
    P = as_dict(params)
    N = fp.N
    for t in range(fp.T):
        want = sum(np.outer(2 * (P["W_y"] @ fp.h[n, t + 1] + P["b_y"] - d[n, t]) / N, fp.h[n, t + 1]) for n in range(N))
        assert_allclose(c.by_loss["W_y"][t], want, rtol=1e-12)
        assert_allclose(c.by_step["W_y"][t], want, rtol=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "identity"])
def test_immediate_derivative_holds_the_previous_state_fixed(activation):
    params, x, d, fp = problem(activation, "linear", "squared")
    P = as_dict(params)
    a, h = forward_states(P, x, activation)
    for t in range(1, fp.T + 1):
        imm = rnnlib.immediate_derivative(params, fp, t)
        assert imm.shape == (fp.N, 3, 3, 3)
        for n in range(fp.N):
            assert_allclose(imm[n], immediate_W_s(P, a[n, t - 1], h[n, t - 1], activation), rtol=1e-12, atol=1e-15)
            # ∂h_t/∂W_s with h_{t−1} held fixed: one step of the recurrence, by central differences.
            for i in range(3):
                numeric = central_difference(
                    lambda W: F[activation](W @ h[n, t - 1] + P["W_x"] @ x[n, t - 1] + P["b_h"])[i], P["W_s"]
                )
                assert_allclose(imm[n, i], numeric, atol=1e-10)


def test_immediate_derivative_differs_from_the_total_derivative():
    # The total derivative dh_2/dW_s adds the path through h_1; the immediate one does not (pitfall 6).
    params, x, d, fp = problem("tanh", "linear", "squared", h0_mode="given")
    P = as_dict(params)
    total = np.stack(
        [
            central_difference(lambda W: forward_states(dict(P, W_s=W), x, "tanh")[1][0, 2, i], P["W_s"])
            for i in range(3)
        ]
    )
    immediate = rnnlib.immediate_derivative(params, fp, 2)[0]
    assert np.max(np.abs(total - immediate)) > 1e-2
    _, h = forward_states(P, x, "tanh")
    a = forward_states(P, x, "tanh")[0]
    J2 = np.diag(1 - np.tanh(a[0, 1]) ** 2) @ P["W_s"]
    through_h1 = np.einsum("ij,jpq->ipq", J2, immediate_W_s(P, a[0, 0], h[0, 0], "tanh"))
    assert_allclose(total, immediate + through_h1, atol=1e-8)


def test_contributions_and_immediate_derivative_refuse_bad_arguments():
    params, x, d, fp = problem("tanh", "linear", "squared")
    with pytest.raises(ValueError, match="fp has no loss"):
        rnnlib.contributions(params, rnnlib.forward(params, x))
    with pytest.raises(ValueError, match="t must be an integer >= 1"):
        rnnlib.immediate_derivative(params, fp, 0)
    with pytest.raises(ValueError, match="t must be an integer"):
        rnnlib.immediate_derivative(params, fp, fp.T + 1)
