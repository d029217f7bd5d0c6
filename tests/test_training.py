"""Gradient descent, momentum, clipping during training and divergence (rnnlib.training)."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

import rnnlib

from reference import NAMES, as_dict, make_params


def tiny_params(h0_mode="zeros"):
    return rnnlib.RNNParams(
        W_x=[[1.0]],
        W_s=[[0.5]],
        W_y=[[2.0]],
        b_h=[0.0],
        b_y=[-1.0],
        h0=None if h0_mode == "zeros" else [0.25],
        h0_mode=h0_mode,
    )


def tiny_grads(h0=None):
    return rnnlib.RNNParams(
        W_x=[[0.5]],
        W_s=[[-1.0]],
        W_y=[[2.0]],
        b_h=[0.25],
        b_y=[0.0],
        h0=h0,
        h0_mode="trainable" if h0 is not None else "zeros",
    )


# --- sgd_step -------------------------------------------------------------------------------------


def test_sgd_step_on_hand_values():
    p, g = tiny_params(), tiny_grads()
    new, v = rnnlib.sgd_step(p, g, lr=0.1)
    # θ ← θ − lr g: W_x 1 − 0.05 = 0.95, W_s 0.5 + 0.1 = 0.6, W_y 2 − 0.2 = 1.8, b_h −0.025, b_y −1.
    assert_allclose(new.W_x, [[0.95]], rtol=1e-15)
    assert_allclose(new.W_s, [[0.6]], rtol=1e-15)
    assert_allclose(new.W_y, [[1.8]], rtol=1e-15)
    assert_allclose(new.b_h, [-0.025], rtol=1e-15)
    assert_allclose(new.b_y, [-1.0], rtol=0)
    assert_allclose(v.W_s, [[0.1]], rtol=1e-15)
    # The inputs are not modified.
    assert p.W_s[0, 0] == 0.5 and g.W_s[0, 0] == -1.0


def test_sgd_step_with_momentum_on_hand_values():
    p, g = tiny_params(), tiny_grads()
    # v₁ = −lr g = (W_s) 0.1; θ₁ = 0.6. v₂ = μ v₁ − lr g = 0.9·0.1 + 0.1 = 0.19; θ₂ = 0.79.
    p1, v1 = rnnlib.sgd_step(p, g, lr=0.1, momentum=0.9)
    p2, v2 = rnnlib.sgd_step(p1, g, lr=0.1, momentum=0.9, velocity=v1)
    assert_allclose(v2.W_s, [[0.19]], rtol=1e-14)
    assert_allclose(p2.W_s, [[0.79]], rtol=1e-14)
    # W_x: v₁ = −0.05, v₂ = −0.045 − 0.05 = −0.095; θ₂ = 1 − 0.05 − 0.095 = 0.855.
    assert_allclose(p2.W_x, [[0.855]], rtol=1e-14)
    assert_allclose(v1.W_s, [[0.1]], rtol=1e-15)  # the velocity passed in is not modified


def test_sgd_step_updates_a_trainable_h0():
    p = tiny_params("trainable")
    new, _ = rnnlib.sgd_step(p, tiny_grads(h0=[1.0]), lr=0.5)
    assert_allclose(new.h0, [0.25 - 0.5], rtol=1e-15)


# --- train ----------------------------------------------------------------------------------------


def test_a_few_steps_of_sgd_reduce_the_loss_on_a_fixed_batch():
    task = rnnlib.noisy_sine(16, 10, 0)
    params = rnnlib.init_params(1, 6, 1, rng=1)
    before = as_dict(params)
    history = rnnlib.train(params, task, steps=30, lr=0.05)
    assert not history.diverged and history.updates == 30
    assert history.loss[-1] < 0.5 * history.loss[0]
    assert rnnlib.evaluate(history.params, task)["loss"] < history.loss[0]
    # The recorded first loss is the initial parameters' loss; the initial parameters are not modified.
    assert history.loss[0] == pytest.approx(rnnlib.loss(params, task.x, task.d, **task.model), rel=1e-14)
    for name, value in before.items():
        assert_allclose(getattr(params, name), value, rtol=0)


def test_training_follows_the_momentum_recursion():
    task = rnnlib.adding_problem(8, 5, 3)
    params = rnnlib.init_params(2, 4, 1, rng=4, h0_mode="trainable")
    history = rnnlib.train(params, task, steps=4, lr=0.1, momentum=0.8)
    # The same four updates by hand: v ← μ v − lr g, θ ← θ + v.
    P = {name: np.array(getattr(params, name)) for name in params.names()}
    v = {name: np.zeros_like(value) for name, value in P.items()}
    losses = []
    for _ in range(4):
        current = rnnlib.RNNParams(P["W_x"], P["W_s"], P["W_y"], P["b_h"], P["b_y"], h0=P["h0"], h0_mode="trainable")
        L, g = rnnlib.loss_and_gradients(current, task.x, task.d, **task.model)
        losses.append(L)
        for name in P:
            v[name] = 0.8 * v[name] - 0.1 * getattr(g, name)
            P[name] = P[name] + v[name]
    assert_allclose(history.loss, losses, rtol=1e-12)
    for name in P:
        assert_allclose(getattr(history.params, name), P[name], rtol=1e-12)


def test_clipping_is_recorded_and_applied_once_per_update():
    task = rnnlib.adding_problem(8, 6, 4)
    params = rnnlib.init_params(2, 4, 1, rng=5, recurrent="orthogonal", scale=1.5)
    L, g = rnnlib.loss_and_gradients(params, task.x, task.d, **task.model)
    norm = np.sqrt(sum(np.sum(getattr(g, n) ** 2) for n in NAMES))
    theta = norm / 10
    history = rnnlib.train(params, task, steps=1, lr=0.1, clip_mode="norm", threshold=theta)
    assert history.clipped == [True]
    assert history.grad_norm[0] == pytest.approx(norm, rel=1e-13)  # the norm before clipping
    for name in NAMES:
        # θ ← θ − lr · θ_clip g/‖g‖
        assert_allclose(
            getattr(history.params, name),
            getattr(params, name) - 0.1 * theta / norm * getattr(g, name),
            rtol=1e-12,
            atol=1e-15,
        )
    unclipped = rnnlib.train(params, task, steps=1, lr=0.1, clip_mode="norm", threshold=10 * norm)
    assert unclipped.clipped == [False]


@pytest.mark.parametrize("mode", ["norm", "parameter_norm", "value"])
def test_every_clipping_mode_can_be_used_in_training(mode):
    task = rnnlib.adding_problem(8, 6, 4)
    params = rnnlib.init_params(2, 4, 1, rng=5, recurrent="identity", scale=1.0)
    history = rnnlib.train(params, task, steps=5, lr=0.1, clip_mode=mode, threshold=1e-3, activation="relu")
    assert history.clipped == [True] * 5
    assert len(history.grad_norm) == 5 and all(n > 1e-3 for n in history.grad_norm)


def test_divergent_training_stops_with_diverged_flag_and_no_warning():
    # IRNN with an identity scale of 3 and a huge learning rate: the numbers overflow (pitfall 7).
    task = rnnlib.adding_problem(16, 6, 0)
    params = rnnlib.init_params(2, 4, 1, rng=1, recurrent="identity", scale=3.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning (overflow, invalid) fails the test
        history = rnnlib.train(params, task, steps=30, lr=1e6, activation="relu")
    assert history.diverged
    assert history.diverged_at is not None and 1 <= history.diverged_at < 30
    assert history.updates == history.diverged_at
    assert history.loss[0] == pytest.approx(
        rnnlib.loss(params, task.x, task.d, activation="relu", **task.model), rel=1e-14
    )
    assert history.params is not None


def test_stable_training_does_not_report_divergence():
    task = rnnlib.adding_problem(16, 6, 0)
    params = rnnlib.init_params(2, 4, 1, rng=1, recurrent="identity", scale=1.0)
    history = rnnlib.train(params, task, steps=10, lr=0.01, activation="relu")
    assert not history.diverged and history.diverged_at is None
    assert all(np.isfinite(history.loss))


def test_training_on_a_sampler_draws_a_new_batch_every_step_reproducibly():
    params = rnnlib.init_params(2, 4, 1, rng=2)
    seen = []

    def sampler(rng):
        task = rnnlib.adding_problem(4, 5, rng)
        seen.append(task.x.copy())
        return task

    h1 = rnnlib.train(params, sampler, steps=3, lr=0.1, rng=9)
    batches = list(seen)
    assert not np.array_equal(batches[0], batches[1])
    seen.clear()
    h2 = rnnlib.train(params, sampler, steps=3, lr=0.1, rng=9)
    assert all(np.array_equal(a, b) for a, b in zip(batches, seen))
    assert h1.loss == h2.loss
    for name in NAMES:
        assert np.array_equal(getattr(h1.params, name), getattr(h2.params, name))


def test_training_with_truncated_bptt_updates_every_k1_steps():
    task = rnnlib.noisy_sine(4, 10, 1)
    params = rnnlib.init_params(1, 4, 1, rng=3)
    steps_seen = []
    history = rnnlib.train(
        params, task, steps=2, lr=0.05, k1=3, k2=5, callback=lambda step, p, h: steps_seen.append(step)
    )
    # Updates at t = 3, 6, 9, 10 in each of the 2 passes over the stream.
    assert history.updates == 8
    assert steps_seen == list(range(1, 9))
    # The same online training by hand: each update's gradient applied before the next group of steps.
    p = params
    losses = []

    def on_update(current, update):
        new, _ = rnnlib.sgd_step(current, update.grads, 0.05)
        return new

    for _ in range(2):
        res = rnnlib.truncated_bptt(p, task.x, task.d, 3, 5, keep_updates=True, on_update=on_update, **task.model)
        losses += [u.loss for u in res.updates]
        p = res.params
    assert_allclose(history.loss, losses, rtol=1e-12)
    for name in NAMES:
        assert_allclose(getattr(history.params, name), getattr(p, name), rtol=1e-12)


def test_evaluate_reports_loss_and_accuracy():
    task = rnnlib.remember_symbol(6, 1, 3, 0)
    # A network that reads the symbol off x_1 and keeps it: W_x copies the one-hot, W_s holds it
    # (identity activation), W_y reads it out with a large margin.
    H = 3
    W_x = np.hstack([np.eye(3), np.zeros((3, 1))])
    params = rnnlib.RNNParams(W_x=W_x, W_s=np.eye(H), W_y=10 * np.eye(3), b_h=np.zeros(3), b_y=np.zeros(3))
    result = rnnlib.evaluate(params, task, activation="identity")
    assert result["accuracy"] == 1.0
    # ŷ for the right class is e^10 / (e^10 + 2): the loss is log(1 + 2e^(−10)).
    assert result["loss"] == pytest.approx(np.log1p(2 * np.exp(-10)), rel=1e-10)
    wrong = params.replace(W_y=np.roll(10 * np.eye(3), 1, axis=0))
    assert rnnlib.evaluate(wrong, task, activation="identity")["accuracy"] == 0.0
    # Regression tasks have no accuracy.
    sine = rnnlib.noisy_sine(2, 3, 0)
    assert set(rnnlib.evaluate(make_params(np.random.default_rng(0), 1, 2, 1), sine)) == {"loss"}


def test_train_with_randomized_truncation_takes_the_randomized_gradient():
    """Only the last step carries a target, so only the last of the updates moves the parameters: the result
    is −lr times randomized truncation's gradient, its windows drawn from the same generator state."""
    task = rnnlib.remember_symbol(4, 6, 3, 0)
    p = rnnlib.init_params(task.D, 5, task.O, rng=1, scale=0.9)
    history = rnnlib.train(p, task, steps=1, lr=0.1, k1=2, k2=2, c=0.3, rng=7)
    g = rnnlib.randomized_truncated_bptt(p, task.x, task.d, 2, 2, 0.3, 7, **task.model).grads
    assert history.updates == 4 and np.all(np.array(history.grad_norm[:3]) == 0)
    assert history.grad_norm[3] > 0
    assert_allclose(history.params.flat(), (p - 0.1 * g).flat(), rtol=1e-13)
    with pytest.raises(ValueError, match="needs k1, k2 and rng"):
        rnnlib.train(p, task, steps=1, lr=0.1, c=0.3, rng=7)
