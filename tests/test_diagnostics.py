"""Jacobian products, their norms and the Pascanu bound (rnnlib.diagnostics)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import rnnlib

from reference import as_dict, central_difference, forward_states, fprime, jacobian_product, make_params

ACTIVATIONS = ("tanh", "sigmoid", "relu", "identity")


def run(activation, seed=0, N=2, T=5, D=2, H=3, scale=1.0, h0_mode="given"):
    rng = np.random.default_rng(seed)
    params = make_params(rng, D, H, 2, scale=scale, h0_mode=h0_mode)
    x = rng.standard_normal((N, T, D))
    return params, x, rnnlib.forward(params, x, activation=activation)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_step_jacobians_are_diag_fprime_times_W_s(activation):
    params, x, fp = run(activation)
    J = rnnlib.step_jacobians(params, fp)
    assert J.shape == (2, 5, 3, 3)
    P = as_dict(params)
    a, _ = forward_states(P, x, activation)
    for n in range(2):
        for t in range(1, 6):
            # Built by hand: row i of W_s scaled by f′(a_t,i). Not W_s ⊙ f′ column-wise, not W_sᵀ.
            want = np.diag(fprime(activation, a[n, t - 1])) @ P["W_s"]
            assert_allclose(J[n, t - 1], want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_jacobian_product_equals_explicit_product_and_finite_differences(activation):
    params, x, fp = run(activation, seed=1)
    P = as_dict(params)
    a, h = forward_states(P, x, activation)
    if activation == "relu":
        assert np.min(np.abs(a)) > 1e-3  # finite differences must not step across the kink
    T = 5
    for t in range(T + 1):
        for k in range(t + 1):
            got = rnnlib.jacobian_product(params, fp, t, k)
            assert got.shape == (2, 3, 3)
            for n in range(2):
                # J_t J_{t−1} … J_{k+1}, multiplied out step by step.
                explicit = np.eye(3)
                for j in range(k + 1, t + 1):
                    explicit = np.diag(fprime(activation, a[n, j - 1])) @ P["W_s"] @ explicit
                assert_allclose(got[n], explicit, rtol=1e-12, atol=1e-15)
                assert_allclose(got[n], jacobian_product(P, a[n], activation, t, k), rtol=1e-12, atol=1e-15)
            # ∂h_t/∂h_k by central differences: rerun the recurrence from a perturbed h_k.
            for n in range(2):

                def h_t_of(hk, n=n, t=t, k=k):
                    states = h[:, k].copy()
                    states[n] = hk
                    return forward_states(P, x, activation, override=(k, states))[1][n, t]

                numeric = np.stack([central_difference(lambda v, i=i: h_t_of(v)[i], h[n, k]) for i in range(3)])
                assert_allclose(got[n], numeric, atol=1e-10)


def test_jacobian_product_over_zero_steps_is_the_identity():
    params, _, fp = run("tanh")
    for t in range(6):
        assert_allclose(rnnlib.jacobian_product(params, fp, t, t), np.broadcast_to(np.eye(3), (2, 3, 3)), rtol=0)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_jacobian_norms_are_spectral_norms_of_the_explicit_products(activation):
    params, x, fp = run(activation, seed=2)
    P = as_dict(params)
    a, _ = forward_states(P, x, activation)
    for n in range(2):
        norms = rnnlib.jacobian_norms(params, fp, sequence=n)
        assert norms.shape == (6, 6)
        for t in range(6):
            for k in range(6):
                if k > t:
                    assert norms[t, k] == 0.0  # h_t does not depend on later states
                else:
                    explicit = jacobian_product(P, a[n], activation, t, k)
                    want = np.linalg.svd(explicit, compute_uv=False)[0]
                    assert norms[t, k] == pytest.approx(want, rel=1e-10, abs=1e-300), (t, k)
        assert_allclose(np.diag(norms), 1.0, rtol=1e-14)


@settings(max_examples=40)
@given(
    sigma=st.floats(0.1, 6.0),
    activation=st.sampled_from(["tanh", "sigmoid"]),
    T=st.integers(1, 8),
    H=st.integers(1, 4),
    input_scale=st.floats(0.0, 3.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_jacobian_norms_never_exceed_the_pascanu_bound(sigma, activation, T, H, input_scale, seed):
    rng = np.random.default_rng(seed)
    W_s = rnnlib.rescale_to_sigma_max(rng.standard_normal((H, H)), sigma)  # σ_max > 1 included
    params = rnnlib.RNNParams(
        W_x=rng.standard_normal((H, 2)),
        W_s=W_s,
        W_y=rng.standard_normal((1, H)),
        b_h=rng.standard_normal(H),
        b_y=np.zeros(1),
    )
    fp = rnnlib.forward(params, input_scale * rng.standard_normal((1, T, 2)), activation=activation)
    norms = rnnlib.jacobian_norms(params, fp)
    t, k = np.tril_indices(T + 1)
    # ‖Π diag(f′(a_j)) W_s‖ ≤ Π ‖diag f′‖ ‖W_s‖ ≤ (γ σ_max)^(t−k), γ = 1 for tanh and 1/4 for sigmoid.
    gamma = {"tanh": 1.0, "sigmoid": 0.25}[activation]
    bound = (gamma * sigma) ** (t - k).astype(float)
    assert np.all(norms[t, k] <= bound * (1 + 1e-10) + 1e-300)
    assert_allclose(rnnlib.pascanu_bound(W_s, activation, t - k), bound, rtol=1e-12)
    by_distance = rnnlib.norms_by_distance(norms)
    assert np.all(by_distance <= rnnlib.pascanu_bound(W_s, activation, np.arange(T + 1)) * (1 + 1e-10) + 1e-300)


def test_eta_and_bound_on_a_hand_case():
    W_s = np.diag([2.0, 0.5])  # σ_max = 2
    assert rnnlib.eta(W_s, "tanh") == pytest.approx(2.0)
    assert rnnlib.eta(W_s, "sigmoid") == pytest.approx(0.5)  # γ = 1/4
    assert_allclose(rnnlib.pascanu_bound(W_s, "sigmoid", [0, 1, 2, 3]), [1.0, 0.5, 0.25, 0.125], rtol=1e-15)
    assert_allclose(rnnlib.pascanu_bound(W_s, "tanh", np.array([[0, 1], [2, 3]])), [[1, 2], [4, 8]], rtol=1e-15)


def test_linear_network_with_spectral_radius_below_one_can_still_grow_transiently():
    # Pitfall 4: ρ(W_s) = 0.5 but W_s is not normal; with the identity activation ∂h_2/∂h_0 = W_s²
    # has norm far above 1. The bound uses σ_max, which sees it.
    W_s = np.array([[0.5, 4.0], [0.0, 0.5]])
    assert rnnlib.spectral_radius(W_s) == pytest.approx(0.5)
    params = rnnlib.RNNParams(W_x=np.zeros((2, 1)), W_s=W_s, W_y=np.zeros((1, 2)), b_h=np.zeros(2), b_y=np.zeros(1))
    fp = rnnlib.forward(params, np.zeros((1, 12, 1)), activation="identity")
    norms = rnnlib.jacobian_norms(params, fp)
    assert norms[2, 0] == pytest.approx(np.linalg.norm(W_s @ W_s, 2), rel=1e-12)
    assert norms[2, 0] > 3.0
    assert norms[12, 0] < norms[2, 0]  # eventually the eigenvalues win
    assert np.all(
        norms[np.tril_indices(13)]
        <= rnnlib.pascanu_bound(W_s, "identity", np.subtract(*np.tril_indices(13))) * (1 + 1e-12)
    )


def test_norms_by_distance_takes_the_largest_norm_on_each_diagonal():
    norms = np.array([[1.0, 0.0, 0.0], [0.5, 1.0, 0.0], [0.1, 0.7, 1.0]])
    assert_allclose(rnnlib.norms_by_distance(norms), [1.0, 0.7, 0.1], rtol=0)


def test_delta_norms_average_the_state_gradient_norms_over_the_batch():
    delta = np.zeros((2, 3, 2))
    delta[0, 0] = [3.0, 4.0]  # ‖·‖ = 5
    delta[1, 0] = [0.0, 1.0]  # ‖·‖ = 1
    delta[0, 2] = [6.0, 8.0]  # ‖·‖ = 10
    assert_allclose(rnnlib.delta_norms(delta), [3.0, 0.0, 5.0], rtol=1e-15)


def test_delta_norms_match_bptt_deltas():
    params, x, _ = run("tanh", seed=3)
    d = np.random.default_rng(3).standard_normal((2, 5, 2))
    res = rnnlib.backward(params, rnnlib.forward(params, x, d))
    want = [np.mean([np.sqrt(np.sum(res.delta[n, k] ** 2)) for n in range(2)]) for k in range(6)]
    assert_allclose(rnnlib.delta_norms(res.delta), want, rtol=1e-13)


def test_effective_horizon_on_hand_cases():
    assert rnnlib.effective_horizon([1.0, 0.1, 0.01, 1e-4], threshold=1e-3) == 2
    assert rnnlib.effective_horizon([1.0, 0.1, 0.01, 1e-4], threshold=0.5) == 0
    assert rnnlib.effective_horizon([2.0, 2.0, 2.0]) == 2
    # Geometric decay η^d falls below 1e-3 after log(1e-3)/log(η) steps: η = 0.5 → d = 9 (0.5^9 ≈ 0.002).
    assert rnnlib.effective_horizon(0.5 ** np.arange(20)) == 9


def test_diagnostics_refuse_bad_arguments():
    params, x, fp = run("tanh")
    with pytest.raises(ValueError, match="t must be an integer"):
        rnnlib.jacobian_product(params, fp, 6, 0)
    with pytest.raises(ValueError, match="k must be an integer"):
        rnnlib.jacobian_product(params, fp, 2, 3)
    with pytest.raises(ValueError, match="sequence must be an integer"):
        rnnlib.jacobian_norms(params, fp, sequence=2)
    with pytest.raises(ValueError, match="fp must be the ForwardPass"):
        rnnlib.step_jacobians(params, None)
    other = make_params(np.random.default_rng(0), 2, 4, 2)
    with pytest.raises(ValueError, match=r"fp must come from a network of the sizes of params \(D=.*H=4"):
        rnnlib.step_jacobians(other, fp)
    with pytest.raises(ValueError, match="distances must be non-negative integers"):
        rnnlib.pascanu_bound(np.eye(2), "tanh", [0, -1])
    with pytest.raises(ValueError, match="distances must be non-negative integers"):
        rnnlib.pascanu_bound(np.eye(2), "tanh", [0.5])
    with pytest.raises(ValueError, match="values\\[0\\] must be positive"):
        rnnlib.effective_horizon([0.0, 1.0])
    with pytest.raises(ValueError, match="threshold must be > 0"):
        rnnlib.effective_horizon([1.0, 0.5], threshold=0)
    with pytest.raises(ValueError, match="norms must have 2 dimensions"):
        rnnlib.norms_by_distance(np.ones(3))
    with pytest.raises(ValueError, match="delta must have 3 dimensions"):
        rnnlib.delta_norms(np.ones((2, 3)))
