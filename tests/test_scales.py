import numpy as np
import pytest

import rnnlib as rl
from rnnlib.course.scales import scale_readout


def test_readout_shows_both_sizes_of_a_gaussian_matrix():
    W = rl.gaussian_spectral(32, 1.0, np.random.default_rng(7))
    rho, sigma = rl.spectral_radius(W), rl.sigma_max(W)
    assert sigma > 1.5 * rho  # the Gaussian case, where the two differ
    assert scale_readout(W) == f"ρ(W_s) = {rho:.2f}, σ_max(W_s) = {sigma:.2f}"


def test_readout_of_a_scaled_orthogonal_matrix_shows_equal_sizes():
    W = rl.orthogonal(16, 0.9, np.random.default_rng(3))
    assert scale_readout(W, name="W", digits=3) == "ρ(W) = 0.900, σ_max(W) = 0.900"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"name": ""}, "name must be"), ({"digits": -1}, "digits must be"), ({"digits": True}, "digits must be")],
)
def test_readout_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        scale_readout(np.eye(2), **kwargs)


def test_readout_rejects_a_non_square_matrix():
    with pytest.raises(ValueError, match="square"):
        scale_readout(np.ones((2, 3)))
