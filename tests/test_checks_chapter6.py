"""The chapter 6 auto-checks: pass the reference solutions, name the common mistakes, never crash."""

import numpy as np
import pytest

import rnnlib as rl
from rnnlib.course.checks import CheckFailed
from rnnlib.course.checks.chapter6 import check_eta_init, check_jacobian_product, check_spectral_init

# --- spectral_init ----------------------------------------------------------------------------------


def spectral_init(H, rho, rng):
    G = rng.standard_normal((H, H))
    return G * (rho / np.max(np.abs(np.linalg.eigvals(G))))


def test_spectral_init_reference_passes():
    assert check_spectral_init(spectral_init).passed


def test_spectral_init_rnnlib_passes():
    assert check_spectral_init(rl.gaussian_spectral).passed


def test_spectral_init_with_sigma_max_is_named():
    def wrong(H, rho, rng):
        G = rng.standard_normal((H, H))
        return G * (rho / np.linalg.norm(G, 2))

    result = check_spectral_init(wrong, raise_on_failure=False)
    assert not result.passed and "σ_max" in result.message


def test_spectral_init_without_modulus_is_named():
    def wrong(H, rho, rng):
        G = rng.standard_normal((H, H))
        return G * (rho / np.max(np.linalg.eigvals(G)))

    result = check_spectral_init(wrong, raise_on_failure=False)
    assert not result.passed and "modulus" in result.message


def test_spectral_init_ignoring_rng_is_named():
    def wrong(H, rho, rng):
        G = np.random.default_rng().standard_normal((H, H))
        return G * (rho / np.max(np.abs(np.linalg.eigvals(G))))

    result = check_spectral_init(wrong, raise_on_failure=False)
    assert not result.passed and "rng" in result.message


def test_spectral_init_bad_code_gives_messages_not_tracebacks():
    def raises(H, rho, rng):
        raise KeyError("oops")

    def not_implemented(H, rho, rng):
        raise NotImplementedError

    def wrong_shape(H, rho, rng):
        return np.ones((H, H + 1))

    def nan(H, rho, rng):
        return np.full((H, H), np.nan)

    assert "raised KeyError" in check_spectral_init(raises, raise_on_failure=False).message
    assert "not implemented" in check_spectral_init(not_implemented, raise_on_failure=False).message
    assert "shape" in check_spectral_init(wrong_shape, raise_on_failure=False).message
    assert "NaN" in check_spectral_init(nan, raise_on_failure=False).message
    with pytest.raises(CheckFailed):
        check_spectral_init(nan)


# --- eta_init -------------------------------------------------------------------------------------

GAMMA = {"tanh": 1.0, "sigmoid": 0.25, "relu": 1.0}


def eta_init(H, eta, activation, rng):
    G = rng.standard_normal((H, H))
    return G * (eta / (GAMMA[activation] * np.linalg.svd(G, compute_uv=False)[0]))


def test_eta_init_reference_passes():
    assert check_eta_init(eta_init).passed


def test_eta_init_scaled_by_rho_is_named():
    def wrong(H, eta, activation, rng):
        G = rng.standard_normal((H, H))
        return G * (eta / (GAMMA[activation] * np.max(np.abs(np.linalg.eigvals(G)))))

    result = check_eta_init(wrong, raise_on_failure=False)
    assert not result.passed and "spectral radius" in result.message


def test_eta_init_without_gamma_is_named():
    def wrong(H, eta, activation, rng):
        G = rng.standard_normal((H, H))
        return G * (eta / np.linalg.norm(G, 2))

    result = check_eta_init(wrong, raise_on_failure=False)
    assert not result.passed and "slope bound" in result.message


def test_eta_init_frobenius_is_named():
    def wrong(H, eta, activation, rng):
        G = rng.standard_normal((H, H))
        return G * (eta / (GAMMA[activation] * np.linalg.norm(G)))

    result = check_eta_init(wrong, raise_on_failure=False)
    assert not result.passed and "Frobenius" in result.message


def test_eta_init_other_matrix_or_rng_is_named():
    def orthogonal(H, eta, activation, rng):
        Q, _ = np.linalg.qr(rng.standard_normal((H, H)))
        return Q * eta / GAMMA[activation]

    def fresh_rng(H, eta, activation, rng):
        return eta_init(H, eta, activation, np.random.default_rng())

    assert "multiple of rng.standard_normal" in check_eta_init(orthogonal, raise_on_failure=False).message
    assert "rng" in check_eta_init(fresh_rng, raise_on_failure=False).message


def test_eta_init_bad_code_gives_messages_not_tracebacks():
    def raises(H, eta, activation, rng):
        raise KeyError("oops")

    assert "raised KeyError" in check_eta_init(raises, raise_on_failure=False).message
    assert "shape" in check_eta_init(lambda H, eta, activation, rng: np.ones((H, 1)), raise_on_failure=False).message
    with pytest.raises(CheckFailed):
        check_eta_init(lambda H, eta, activation, rng: np.full((H, H), np.nan))


# --- jacobian_product -------------------------------------------------------------------------------


def jacobian_product(W_s, fprime, t, k):
    P = np.eye(W_s.shape[0])
    for j in range(k + 1, t + 1):
        P = (fprime[j - 1][:, None] * W_s) @ P
    return P


def test_jacobian_product_reference_passes():
    assert check_jacobian_product(jacobian_product).passed


def test_jacobian_product_wrong_order_is_named():
    def wrong(W_s, fprime, t, k):
        P = np.eye(W_s.shape[0])
        for j in range(k + 1, t + 1):
            P = P @ (fprime[j - 1][:, None] * W_s)
        return P

    result = check_jacobian_product(wrong, raise_on_failure=False)
    assert not result.passed and "wrong order" in result.message


def test_jacobian_product_columns_scaled_is_named():
    def wrong(W_s, fprime, t, k):
        P = np.eye(W_s.shape[0])
        for j in range(k + 1, t + 1):
            P = (W_s * fprime[j - 1]) @ P
        return P

    result = check_jacobian_product(wrong, raise_on_failure=False)
    assert not result.passed and "rows" in result.message


def test_jacobian_product_without_fprime_is_named():
    def wrong(W_s, fprime, t, k):
        return np.linalg.matrix_power(W_s, t - k)

    result = check_jacobian_product(wrong, raise_on_failure=False)
    assert not result.passed and "ignores the activation" in result.message


def test_jacobian_product_off_by_one_is_named():
    def wrong(W_s, fprime, t, k):
        P = np.eye(W_s.shape[0])
        for j in range(max(k, 1), t):
            P = (fprime[j - 1][:, None] * W_s) @ P
        return P

    result = check_jacobian_product(wrong, raise_on_failure=False)
    assert not result.passed and "wrong steps" in result.message


def test_jacobian_product_bad_code_gives_messages_not_tracebacks():
    def raises(W_s, fprime, t, k):
        return W_s @ np.ones((W_s.shape[0] + 1, 2))

    def wrong_shape(W_s, fprime, t, k):
        return np.ones(W_s.shape[0])

    def nan(W_s, fprime, t, k):
        return np.full(W_s.shape, np.nan)

    def returns_none(W_s, fprime, t, k):
        return None

    assert "raised ValueError" in check_jacobian_product(raises, raise_on_failure=False).message
    assert "shape" in check_jacobian_product(wrong_shape, raise_on_failure=False).message
    assert "NaN" in check_jacobian_product(nan, raise_on_failure=False).message
    assert not check_jacobian_product(returns_none, raise_on_failure=False).passed


def test_jacobian_product_transposed_is_named():
    def wrong(W_s, fprime, t, k):
        return jacobian_product(W_s.T, fprime, t, k)

    result = check_jacobian_product(wrong, raise_on_failure=False)
    assert not result.passed and "your factors use W_sᵀ" in result.message


def test_jacobian_product_scaling_w_s_in_place_is_named():
    def wrong(W_s, fprime, t, k):
        P = np.eye(W_s.shape[0])
        for j in range(k + 1, t + 1):
            J = W_s  # not a copy: the next line scales the caller's W_s
            J *= fprime[j - 1][:, None]
            P = J @ P
        return P

    result = check_jacobian_product(wrong, raise_on_failure=False)
    assert not result.passed and "modified its argument 'W_s' in place" in result.message


def test_float32_initialisers_and_products_are_refused_like_every_other_check():
    for check, fn in (
        (check_spectral_init, lambda H, rho, rng: spectral_init(H, rho, rng).astype(np.float32)),
        (check_eta_init, lambda H, eta, activation, rng: eta_init(H, eta, activation, rng).astype(np.float32)),
        (check_jacobian_product, lambda W_s, fprime, t, k: jacobian_product(W_s, fprime, t, k).astype(np.float32)),
    ):
        result = check(fn, raise_on_failure=False)
        assert not result.passed and "your result is float32; compute in float64" in result.message
    assert check_eta_init(eta_init).passed and check_spectral_init(spectral_init).passed


def test_eta_init_ignoring_the_activation_is_named():
    result = check_eta_init(lambda H, eta, activation, rng: eta_init(H, eta, "tanh", rng), raise_on_failure=False)
    assert not result.passed and "is the `activation` argument ignored?" in result.message
