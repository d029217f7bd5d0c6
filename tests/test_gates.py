"""The LSTM cell-state path: the recursion, its Jacobian diag(Π f), and the norms along it, checked
against central differences and an explicit product of per-step Jacobians."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlib.gates import cell_jacobian, cell_path_norms, cell_states


def _gates(rng, N=2, T=6, H=3):
    f = 1.0 / (1.0 + np.exp(-rng.standard_normal((N, T, H)) - 1.0))
    i = 1.0 / (1.0 + np.exp(-rng.standard_normal((N, T, H))))
    g = np.tanh(rng.standard_normal((N, T, H)))
    return f, i, g


def test_cell_states_follow_the_recursion_written_out(rng):
    f, i, g = _gates(rng)
    c0 = rng.standard_normal((2, 3))
    c = cell_states(c0, f, i, g)
    assert c.shape == (2, 7, 3)
    assert_allclose(c[:, 0], c0)
    c2 = f[:, 1] * (f[:, 0] * c0 + i[:, 0] * g[:, 0]) + i[:, 1] * g[:, 1]
    assert_allclose(c[:, 2], c2, rtol=1e-14)


def test_cell_jacobian_equals_central_differences(rng):
    f, i, g = _gates(rng)
    c0 = rng.standard_normal((2, 3))
    t, k, eps = 5, 2, 1e-6
    J = cell_jacobian(f, t, k)
    base = cell_states(c0, f, i, g)
    for n in range(2):
        numeric = np.zeros((3, 3))
        for col in range(3):
            # perturb c_k by running the recursion from step k with a nudged state
            ck = base[:, k].copy()
            plus, minus = ck.copy(), ck.copy()
            plus[n, col] += eps
            minus[n, col] -= eps
            cp = cell_states(plus, f[:, k:], i[:, k:], g[:, k:])[:, t - k]
            cm = cell_states(minus, f[:, k:], i[:, k:], g[:, k:])[:, t - k]
            numeric[:, col] = (cp[n] - cm[n]) / (2 * eps)
        assert_allclose(J[n], numeric, atol=1e-9)


def test_cell_jacobian_is_the_product_of_diag_forget_gates(rng):
    f, _, _ = _gates(rng, N=1, T=5, H=4)
    P = np.eye(4)
    for j in range(2, 6):  # J_j = diag(f_j), j = k+1..t with k = 1, t = 5
        P = np.diag(f[0, j - 1]) @ P
    assert_allclose(cell_jacobian(f, 5, 1)[0], P, rtol=1e-14)
    assert_allclose(cell_jacobian(f, 3, 3)[0], np.eye(4))


def test_cell_path_norms_are_the_largest_forget_products(rng):
    f, _, _ = _gates(rng, N=3, T=4, H=5)
    norms = cell_path_norms(f)
    assert norms.shape == (5,)
    assert norms[0] == 1.0
    expected = np.mean([np.linalg.norm(cell_jacobian(f, 3, 0)[n], 2) for n in range(3)])
    assert_allclose(norms[3], expected, rtol=1e-14)


def test_forget_gates_of_one_keep_the_gradient_exactly():
    f = np.ones((1, 50, 2))
    assert_allclose(cell_path_norms(f), np.ones(51))


def test_bad_gates_are_refused_with_a_message():
    with pytest.raises(ValueError, match="forget-gate values in \\[0, 1\\]"):
        cell_path_norms(np.full((1, 3, 2), 1.5))
    with pytest.raises(ValueError, match="f must have 3 dimensions"):
        cell_jacobian(np.ones((3, 2)), 1, 0)
    with pytest.raises(ValueError, match="k must be an integer"):
        cell_jacobian(np.ones((1, 3, 2)), 1, 2)
