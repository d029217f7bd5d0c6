"""Initialisers and the spectral measurements of W_s (rnnlib.initialisation)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import rnnlib


def test_spectral_radius_and_singular_values_on_hand_cases():
    # A rotation by 90° scaled by 2: eigenvalues ±2i, ρ = 2, both singular values 2.
    R = np.array([[0.0, -2.0], [2.0, 0.0]])
    assert rnnlib.spectral_radius(R) == pytest.approx(2.0)
    assert_allclose(rnnlib.singular_values(R), [2.0, 2.0], rtol=1e-15)
    # Upper triangular: eigenvalues on the diagonal (ρ = 0.5), σ_max of [[0.5, 4], [0, 0.5]] is
    # the root of σ² = (16.5 + √(16.5² − 4·0.0625))/2 from the characteristic polynomial of WᵀW.
    W = np.array([[0.5, 4.0], [0.0, 0.5]])
    assert rnnlib.spectral_radius(W) == pytest.approx(0.5)
    assert rnnlib.sigma_max(W) == pytest.approx(np.sqrt((16.5 + np.sqrt(16.5**2 - 0.25)) / 2), rel=1e-14)
    # Singular values work for non-square matrices, largest first.
    assert_allclose(rnnlib.singular_values(np.array([[3.0, 0.0, 0.0], [0.0, 0.0, 4.0]])), [4.0, 3.0], rtol=1e-15)


@settings(max_examples=20)
@given(H=st.integers(1, 8), rho=st.floats(0.05, 3.0), seed=st.integers(0, 2**32 - 1))
def test_gaussian_spectral_has_the_requested_spectral_radius(H, rho, seed):
    W = rnnlib.gaussian_spectral(H, rho, seed)
    assert W.shape == (H, H)
    assert np.max(np.abs(np.linalg.eigvals(W))) == pytest.approx(rho, rel=1e-10)


@settings(max_examples=20)
@given(H=st.integers(1, 8), sigma=st.floats(0.05, 3.0), seed=st.integers(0, 2**32 - 1))
def test_gaussian_sigma_has_the_requested_largest_singular_value(H, sigma, seed):
    W = rnnlib.gaussian_sigma(H, sigma, seed)
    assert np.linalg.norm(W, 2) == pytest.approx(sigma, rel=1e-12)
    # For a Gaussian matrix ρ ≤ σ_max, generally strictly: the two are different knobs.
    assert np.max(np.abs(np.linalg.eigvals(W))) <= sigma * (1 + 1e-10)


def test_rescaling_helpers_hit_the_target_and_leave_the_input_alone(rng):
    W = rng.standard_normal((4, 4))
    W0 = W.copy()
    assert rnnlib.spectral_radius(rnnlib.rescale_to_spectral_radius(W, 0.9)) == pytest.approx(0.9, rel=1e-12)
    assert rnnlib.sigma_max(rnnlib.rescale_to_sigma_max(W, 1.7)) == pytest.approx(1.7, rel=1e-12)
    assert_allclose(W, W0, rtol=0)
    rect = rng.standard_normal((2, 5))
    assert rnnlib.sigma_max(rnnlib.rescale_to_sigma_max(rect, 3.0)) == pytest.approx(3.0, rel=1e-12)


@pytest.mark.parametrize("H", [1, 2, 5, 16])
@pytest.mark.parametrize("gain", [1.0, 0.5, 1.3])
def test_orthogonal_is_orthogonal_times_gain(H, gain):
    Q = rnnlib.orthogonal(H, gain, 3)
    assert_allclose(Q.T @ Q, gain**2 * np.eye(H), atol=1e-13)
    assert_allclose(Q @ Q.T, gain**2 * np.eye(H), atol=1e-13)
    assert_allclose(np.linalg.svd(Q, compute_uv=False), gain, rtol=1e-13)
    assert rnnlib.spectral_radius(Q) == pytest.approx(gain, rel=1e-12)


def test_orthogonal_matrices_are_spread_over_both_signs_of_determinant():
    # Haar measure on O(H): det = ±1 equally often. (QR without the sign fix is biased.)
    dets = [np.linalg.det(rnnlib.orthogonal(3, 1.0, s)) for s in range(200)]
    assert_allclose(np.abs(dets), 1.0, rtol=1e-12)
    positive = sum(d > 0 for d in dets)
    assert 60 < positive < 140


def test_identity_is_scale_times_identity():
    assert_allclose(rnnlib.identity(3), np.eye(3), rtol=0)
    assert_allclose(rnnlib.identity(2, scale=0.5), [[0.5, 0.0], [0.0, 0.5]], rtol=0)


def test_glorot_is_uniform_within_its_bound():
    fan_out, fan_in = 40, 60
    W = rnnlib.glorot((fan_out, fan_in), 1.0, 0)
    r = np.sqrt(6.0 / (fan_in + fan_out))  # = √0.06 ≈ 0.245
    assert W.shape == (fan_out, fan_in)
    assert np.all(np.abs(W) <= r)
    assert np.max(np.abs(W)) > 0.95 * r  # 2400 draws fill the interval
    # Var of U[−r, r] is r²/3 = 2/(fan_in + fan_out): Glorot's condition.
    assert np.var(W) == pytest.approx(2.0 / (fan_in + fan_out), rel=0.1)
    assert abs(np.mean(W)) < 0.02


@pytest.mark.parametrize(
    "recurrent,check",
    [
        ("gaussian_spectral", lambda W: rnnlib.spectral_radius(W) == pytest.approx(0.9, rel=1e-10)),
        ("gaussian_sigma", lambda W: rnnlib.sigma_max(W) == pytest.approx(0.9, rel=1e-12)),
        ("orthogonal", lambda W: np.allclose(W.T @ W, 0.81 * np.eye(4), atol=1e-13)),
        ("identity", lambda W: np.array_equal(W, 0.9 * np.eye(4))),
        ("glorot", lambda W: np.all(np.abs(W) <= 0.9 * np.sqrt(6 / 8)) and np.any(W != 0)),
    ],
)
def test_init_params_builds_the_requested_recurrent_matrix(recurrent, check):
    p = rnnlib.init_params(3, 4, 2, rng=0, recurrent=recurrent, scale=0.9)
    assert (p.D, p.H, p.O) == (3, 4, 2)
    assert p.W_x.shape == (4, 3) and p.W_s.shape == (4, 4) and p.W_y.shape == (2, 4)
    assert check(p.W_s)
    assert np.all(np.abs(p.W_x) <= np.sqrt(6.0 / 7)) and np.all(np.abs(p.W_y) <= np.sqrt(6.0 / 6))
    assert np.all(p.b_h == 0) and np.all(p.b_y == 0) and np.all(p.h0 == 0)


def test_init_params_h0_modes():
    assert rnnlib.init_params(1, 2, 1, rng=0).names() == ("W_x", "W_s", "W_y", "b_h", "b_y")
    p = rnnlib.init_params(1, 2, 1, rng=0, h0_mode="trainable")
    assert p.names()[-1] == "h0" and np.all(p.h0 == 0)
    p = rnnlib.init_params(1, 2, 1, rng=0, h0_mode="given", h0=[0.5, -0.5])
    assert_allclose(p.h0, [0.5, -0.5])
    assert "h0" not in p.names()


@pytest.mark.parametrize(
    "make",
    [
        lambda s: rnnlib.gaussian_spectral(4, 1.1, s),
        lambda s: rnnlib.gaussian_sigma(4, 1.1, s),
        lambda s: rnnlib.orthogonal(4, 1.0, s),
        lambda s: rnnlib.glorot((3, 4), 1.0, s),
        lambda s: rnnlib.init_params(2, 4, 3, rng=s, recurrent="gaussian_spectral").W_s,
        lambda s: rnnlib.init_params(2, 4, 3, rng=s).W_x,
        lambda s: rnnlib.init_params(2, 4, 3, rng=s).W_y,
    ],
    ids=[
        "gaussian_spectral",
        "gaussian_sigma",
        "orthogonal",
        "glorot",
        "init_params W_s",
        "init_params W_x",
        "init_params W_y",
    ],
)
def test_same_seed_same_matrix_different_seed_different_matrix(make):
    assert np.array_equal(make(7), make(7))
    assert np.array_equal(make(7), make(np.random.default_rng(7)))
    assert not np.allclose(make(7), make(8))


def test_a_generator_is_advanced_not_reset():
    g = np.random.default_rng(0)
    assert not np.allclose(rnnlib.orthogonal(3, 1.0, g), rnnlib.orthogonal(3, 1.0, g))
