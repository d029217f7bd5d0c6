"""Henrici's departure from normality on matrices whose answer is known, and the training snapshot
against its definitions computed by hand."""

import numpy as np
import pytest

import rnnlib as rl
from rnnlib.spectrum import henrici_departure, snapshot


def test_departure_is_zero_for_normal_matrices_and_one_for_a_shift(rng):
    Q = rl.orthogonal(5, 0.7, rng)
    S = rng.standard_normal((5, 5))
    assert henrici_departure(Q) == pytest.approx(0.0, abs=1e-7)
    assert henrici_departure(S + S.T) == pytest.approx(0.0, abs=1e-7)
    assert henrici_departure(np.eye(4, k=1)) == 1.0  # nilpotent: every eigenvalue 0


def test_departure_of_a_two_by_two_jordan_like_block():
    # [[a, c], [0, a]]: ‖W‖_F² = 2a² + c², Σ|λ|² = 2a², so the departure is c / √(2a² + c²).
    a, c = 0.9, 0.5
    assert henrici_departure(np.array([[a, c], [0.0, a]])) == pytest.approx(c / np.sqrt(2 * a * a + c * c), rel=1e-12)


def test_snapshot_matches_its_definitions(rng):
    task = rl.remember_symbol(8, 6, 3, 1)
    p = rl.init_params(task.D, 6, task.O, rng=2, recurrent="gaussian_spectral", scale=0.8)
    s = snapshot(p, task)
    assert s["rho"] == pytest.approx(0.8, rel=1e-12)
    assert s["sigma_max"] == pytest.approx(np.linalg.norm(p.W_s, 2), rel=1e-12)
    norms = np.linalg.norm(rl.backward(p, rl.forward(p, task.x, task.d, **task.model)).delta, axis=2).mean(axis=0)
    above = [dist for dist in range(norms.size) if norms[-1 - dist] >= 1e-3 * norms[-1]]
    assert s["horizon"] == max(above)
    with pytest.raises(ValueError, match="vanilla RNNParams"):
        snapshot(rl.init_gated(task.D, 3, task.O, rng=0), task)
    with pytest.raises(ValueError, match="square"):
        henrici_departure(np.zeros((2, 3)))
