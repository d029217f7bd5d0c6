"""Tests for rnnlib.cliff: the single-unit cliff of Pascanu et al. (2013) and per-step clipping."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

import rnnlib as rl
from rnnlib.cliff import (
    CLIFF_T,
    backward_with_per_step_clipping,
    cliff_forward,
    cliff_loss_and_grad,
    cliff_params,
    cliff_surface,
    descent_path,
)


def _by_hand(w, b, T=CLIFF_T):
    """x_t = w σ(x_{t−1}) + b from x_0 = 0.5, written out in plain Python floats."""
    x = 0.5
    for _ in range(T):
        x = w / (1.0 + np.exp(-x)) + b
    return (1.0 / (1.0 + np.exp(-x)) - 0.7) ** 2


def test_cliff_params_is_the_paper_unit():
    p = cliff_params(3.0, -1.5)
    assert (p.D, p.H, p.O) == (1, 1, 1)
    assert p.h0_mode == "given"
    assert_allclose(p.h0, [1.0 / (1.0 + np.exp(-0.5))])


@pytest.mark.parametrize("w, b", [(5.0, -2.5), (1.0, 0.3), (-2.0, 1.0), (4.5, -2.32)])
def test_cliff_loss_matches_the_recurrence_by_hand(w, b):
    assert_allclose(cliff_forward(w, b).loss, _by_hand(w, b), rtol=1e-10)


def test_surface_matches_forward_at_sample_points():
    ws, bs = np.linspace(2.0, 8.0, 7), np.linspace(-5.0, 0.0, 6)
    E = cliff_surface(ws, bs)
    assert E.shape == (6, 7)
    for i, b in enumerate(bs):
        for j, w in enumerate(ws):
            assert abs(E[i, j] - cliff_forward(w, b).loss) <= 1e-12


@pytest.mark.parametrize("w, b", [(4.0, -2.0), (4.5, -2.32), (2.0, 0.5)])
def test_cliff_gradient_matches_central_differences(w, b):
    _, g = cliff_loss_and_grad(w, b)
    eps = 1e-6
    dw = (_by_hand(w + eps, b) - _by_hand(w - eps, b)) / (2 * eps)
    db = (_by_hand(w, b + eps) - _by_hand(w, b - eps)) / (2 * eps)
    assert_allclose(g, [dw, db], rtol=1e-5, atol=1e-10)


def test_descent_without_clipping_follows_the_gradient():
    path = descent_path(4.0, -2.0, 0.1, 3)
    E0, g0 = cliff_loss_and_grad(4.0, -2.0)
    assert_allclose(path.points[1], np.array([4.0, -2.0]) - 0.1 * g0)
    assert path.losses[0] == E0
    assert not path.clipped.any()


def test_norm_clipping_bounds_every_step_by_lr_times_threshold():
    lr, theta = 0.05, 2.0
    free = descent_path(4.5, -2.32, lr, 40)
    clipped = descent_path(4.5, -2.32, lr, 40, "norm", theta)
    assert free.step_lengths.max() > 50 * lr * theta  # the unclipped path is thrown off the cliff
    assert np.all(clipped.step_lengths <= lr * theta * (1 + 1e-12))
    assert clipped.clipped.any()


def test_value_clipping_bounds_each_coordinate():
    lr, theta = 0.05, 0.5
    path = descent_path(4.5, -2.32, lr, 20, "value", theta)
    assert np.all(np.abs(np.diff(path.points, axis=0)) <= lr * theta * (1 + 1e-12))


def test_descent_needs_a_threshold_with_clipping():
    with pytest.raises(ValueError, match="threshold"):
        descent_path(4.0, -2.0, 0.1, 3, "norm")


def _exploding_problem():
    params = rl.init_params(2, 6, 1, rng=3, recurrent="gaussian_spectral", scale=1.8)
    task = rl.adding_problem(4, 12, 5)
    fp = rl.forward(params, task.x, task.d, activation="tanh", **task.model)
    return params, fp


def test_per_step_clipping_with_a_huge_threshold_is_full_bptt():
    params, fp = _exploding_problem()
    full = rl.backward(params, fp)
    clipped = backward_with_per_step_clipping(params, fp, 1e12)
    for name, g in full.grads.items():
        assert_allclose(getattr(clipped.grads, name), g, rtol=1e-12, atol=0)
    assert_allclose(clipped.delta, full.delta, rtol=1e-12)


def test_per_step_clipping_bounds_every_delta_and_changes_the_direction():
    params, fp = _exploding_problem()
    full = rl.backward(params, fp)
    norms = np.linalg.norm(full.delta[:, 1:], axis=2)
    theta = float(np.median(norms))
    per_step = backward_with_per_step_clipping(params, fp, theta)
    assert np.all(np.linalg.norm(per_step.delta[:, 1:], axis=2) <= theta * (1 + 1e-12))
    once = rl.clip_by_global_norm(full.grads, theta).grads
    assert rl.cosine(per_step.grads, once) < 0.999


def test_per_step_value_clipping_bounds_every_element():
    params, fp = _exploding_problem()
    per_step = backward_with_per_step_clipping(params, fp, 1e-3, mode="value")
    assert np.all(np.abs(per_step.delta[:, 1:]) <= 1e-3)


def test_per_step_clipping_rejects_bad_arguments():
    params, fp = _exploding_problem()
    with pytest.raises(ValueError, match="threshold"):
        backward_with_per_step_clipping(params, fp, 0.0)
    with pytest.raises(ValueError, match="mode"):
        backward_with_per_step_clipping(params, fp, 1.0, mode="sideways")
    with pytest.raises(ValueError, match="fp"):
        backward_with_per_step_clipping(params, "not a forward pass", 1.0)
