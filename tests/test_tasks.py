"""Synthetic tasks (rnnlib.tasks)."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

import rnnlib


@pytest.mark.parametrize("T", [2, 3, 10, 11])
def test_adding_problem_shapes_and_markers(T):
    task = rnnlib.adding_problem(500, T, 0)
    assert task.x.shape == (500, T, 2) and task.d.shape == (500, 1)
    assert task.model == {"output": "linear", "loss_name": "squared", "targets": "last"}
    assert task.D == 2 and task.O == 1
    values, markers = task.x[..., 0], task.x[..., 1]
    assert np.all((values >= 0) & (values < 1))
    assert set(np.unique(markers)) <= {0.0, 1.0}
    assert np.all(markers.sum(axis=1) == 2)
    half = T // 2
    # One marker in the first half (positions 0..T//2 − 1) and one in the rest.
    assert np.all(markers[:, :half].sum(axis=1) == 1)
    assert np.all(markers[:, half:].sum(axis=1) == 1)
    # Every position of each half gets used.
    assert set(np.nonzero(markers[:, :half])[1]) == set(range(half))
    assert set(np.nonzero(markers[:, half:])[1]) == set(range(T - half))


def test_adding_problem_target_is_the_sum_of_the_marked_values():
    task = rnnlib.adding_problem(200, 8, 1)
    for n in range(200):
        marked = [task.x[n, t, 0] for t in range(8) if task.x[n, t, 1] == 1.0]
        assert len(marked) == 2
        assert task.d[n, 0] == pytest.approx(marked[0] + marked[1], rel=1e-15)


def test_adding_problem_baseline_of_predicting_one_is_one_sixth():
    # Var(u₁ + u₂) = 2 · 1/12 = 1/6 for independent U[0, 1]: always predicting 1 (the mean) scores that.
    task = rnnlib.adding_problem(20000, 10, 2)
    assert task.baseline == pytest.approx(1 / 6)
    mse = np.mean((task.d[:, 0] - 1.0) ** 2)
    # The standard error of the mean of (s − 1)² is about 0.0014 here; 0.005 is 3.5 of them.
    assert mse == pytest.approx(1 / 6, abs=0.005)
    # The same number through rnnlib: a network whose output is always 1 (W_y = 0, b_y = 1).
    params = rnnlib.RNNParams(
        W_x=np.zeros((1, 2)), W_s=np.zeros((1, 1)), W_y=np.zeros((1, 1)), b_h=np.zeros(1), b_y=np.ones(1)
    )
    assert rnnlib.evaluate(params, task)["loss"] == pytest.approx(mse, rel=1e-12)


def test_remember_symbol_shapes_and_targets():
    n, gap, k = 300, 4, 3
    task = rnnlib.remember_symbol(n, gap, k, 0)
    T = gap + 2
    assert task.x.shape == (n, T, k + 1) and task.d.shape == (n,)
    assert task.model == {"output": "softmax", "loss_name": "cross_entropy", "targets": "last"}
    assert task.O == k and task.D == k + 1
    # Step 1 shows the symbol one-hot; the label is that symbol.
    assert_allclose(task.x[:, 0, :k].sum(axis=1), 1.0)
    assert np.array_equal(np.argmax(task.x[:, 0, :k], axis=1), task.d)
    # Blank steps in between, and the recall cue only on the extra channel at the last step.
    assert np.all(task.x[:, 1 : T - 1] == 0)
    assert np.all(task.x[:, -1, :k] == 0) and np.all(task.x[:, -1, k] == 1)
    assert np.all(task.x[:, :-1, k] == 0)
    assert set(np.unique(task.d)) == set(range(k))
    assert task.baseline == pytest.approx(math.log(k))


def test_remember_symbol_with_no_gap_and_its_guessing_baseline():
    task = rnnlib.remember_symbol(50, 0, 4, 1)
    assert task.x.shape == (50, 2, 5)
    # Uniform prediction (all outputs zero) scores cross-entropy log(4) = the baseline.
    params = rnnlib.RNNParams(
        W_x=np.zeros((2, 5)), W_s=np.zeros((2, 2)), W_y=np.zeros((4, 2)), b_h=np.zeros(2), b_y=np.zeros(4)
    )
    result = rnnlib.evaluate(params, task)
    assert result["loss"] == pytest.approx(math.log(4), rel=1e-12)
    assert 0.0 <= result["accuracy"] <= 1.0


def test_noisy_sine_shapes_and_targets():
    n, T = 50, 12
    task = rnnlib.noisy_sine(n, T, 3, noise=0.0)
    assert task.x.shape == (n, T, 1) and task.d.shape == (n, T, 1)
    assert task.model == {"output": "linear", "loss_name": "squared", "targets": "all"}
    # Without noise the target at step t is the input at step t + 1: predict the next value.
    assert_allclose(task.d[:, :-1], task.x[:, 1:], rtol=0)
    # Each sequence is a sine: x_{t+1} = 2 cos(ω) x_t − x_{t−1} (the recurrence of a sampled sine).
    x = task.x[..., 0]
    cos_w = (x[:, 2:] + x[:, :-2]) / (2 * x[:, 1:-1])
    ok = np.abs(x[:, 1:-1]) > 0.1
    per_seq = [np.ptp(cos_w[i][ok[i]]) for i in range(n) if ok[i].sum() > 1]
    assert max(per_seq) < 1e-9
    omegas = np.arccos(np.array([np.median(cos_w[i][ok[i]]) for i in range(n)]))
    assert np.all((omegas >= 0.1 - 1e-9) & (omegas <= 0.5 + 1e-9))
    assert task.baseline == T / 2


def test_noisy_sine_noise_level_and_baseline():
    clean = rnnlib.noisy_sine(4000, 20, 5, noise=0.0)
    noisy = rnnlib.noisy_sine(4000, 20, 5, noise=0.3)
    assert_allclose(noisy.d, clean.d, rtol=0)  # targets are never noisy
    assert np.std(noisy.x - clean.x) == pytest.approx(0.3, rel=0.02)
    # Predicting 0 scores Σ_t sin² ≈ T/2 per sequence.
    assert np.mean(np.sum(clean.d[..., 0] ** 2, axis=1)) == pytest.approx(10.0, rel=0.03)


@pytest.mark.parametrize(
    "make",
    [
        lambda s: rnnlib.adding_problem(20, 7, s),
        lambda s: rnnlib.remember_symbol(20, 3, 4, s),
        lambda s: rnnlib.noisy_sine(20, 7, s),
    ],
    ids=["adding", "remember", "sine"],
)
def test_same_seed_same_data(make):
    a, b, c = make(11), make(11), make(12)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.d, b.d)
    assert np.array_equal(a.x, make(np.random.default_rng(11)).x)
    assert not np.array_equal(a.x, c.x)
