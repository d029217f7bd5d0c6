"""Truncated BPTT(k1, k2) and randomized truncation (rnnlib.truncation)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import rnnlib

from reference import (
    NAMES,
    as_dict,
    dE_dh,
    dE_do,
    fd_param_gradients,
    forward_states,
    immediate_b_h,
    immediate_W_s,
    immediate_W_x,
    jacobian_product,
    make_params,
    make_targets,
    mask_of,
    rel_err,
    target_argument,
    total_loss,
)

ACTIVATIONS = ("tanh", "sigmoid", "relu", "identity")
VALID_MODELS = (("linear", "squared"), ("softmax", "squared"), ("softmax", "cross_entropy"))
ALL = NAMES + ("h0",)


def update_ends(T, k1):
    """Update times t = k1, 2k1, … and a last, shorter group ending at T if T is not a multiple of k1."""
    ends = [t for t in range(1, T + 1) if t % k1 == 0]
    if not ends or ends[-1] != T:
        ends.append(T)
    return ends


def brute_force_truncated(P, x, d, mask, activation, output, loss, k1, k2):
    """Σ over updates of the included path terms, each an explicit product of Jacobians.

    The update at time t covers the losses E_τ of its group (the steps after the previous update, up
    to t). The term of E_τ through the use of the weights at step k is included iff k ≥ t − k2 + 1;
    the term reaching h_0 iff the window reaches the start, t − k2 ≤ 0. W_y and b_y are not
    back-propagated through time, so truncation leaves them alone.
    """
    a, h = forward_states(P, x, activation)
    N, T, _ = x.shape
    g = {name: np.zeros_like(P[name]) for name in ALL}
    previous = 0
    for t in update_ends(T, k1):
        for tau in range(previous + 1, t + 1):
            for n in range(N):
                if not mask[n, tau - 1]:
                    continue
                dEdo = dE_do(P, h[n, tau], d[n, tau - 1], output, loss, N)
                g["W_y"] += np.outer(dEdo, h[n, tau])
                g["b_y"] += dEdo
                dEdh = dE_dh(P, h[n, tau], d[n, tau - 1], output, loss, N)
                for k in range(max(1, t - k2 + 1), tau + 1):
                    v = dEdh @ jacobian_product(P, a[n], activation, tau, k)
                    g["W_s"] += np.einsum("i,ipq->pq", v, immediate_W_s(P, a[n, k - 1], h[n, k - 1], activation))
                    g["W_x"] += np.einsum("i,ipq->pq", v, immediate_W_x(P, a[n, k - 1], x[n, k - 1], activation))
                    g["b_h"] += v @ immediate_b_h(P, a[n, k - 1], activation)
                if t - k2 <= 0:
                    g["h0"] += dEdh @ jacobian_product(P, a[n], activation, tau, 0)
        previous = t
    return g


def random_problem(seed, N, T, D, H, O, activation, loss, targets, h0_mode="trainable"):
    rng = np.random.default_rng(seed)
    scale = 4.0 if activation == "sigmoid" else 1.0
    params = make_params(rng, D, H, O, scale=scale, h0_mode=h0_mode)
    x = rng.standard_normal((N, T, D))
    d = make_targets(rng, N, T, O, loss)
    if targets == "mask":
        targets = rng.random(T) < 0.5
        targets[-1] = True
    return params, x, d, targets


# --- special cases that are full BPTT --------------------------------------------------------------


@pytest.mark.parametrize("targets", ["all", "last", "mask"])
@pytest.mark.parametrize("output,loss", VALID_MODELS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_truncated_equals_full_when_k2_covers_sequence(activation, output, loss, targets):
    T = 6
    params, x, d, targets = random_problem(1, 2, T, 2, 3, 3, activation, loss, targets)
    model = dict(activation=activation, output=output, loss_name=loss, targets=targets)
    d_arg = target_argument(d, targets, loss)
    L, full = rnnlib.loss_and_gradients(params, x, d_arg, **model)
    for k2 in (T, T + 3):
        res = rnnlib.truncated_bptt(params, x, d_arg, T, k2, **model)
        assert res.loss == pytest.approx(L, rel=1e-12)
        assert res.backward_steps == T
        for name in ALL:
            assert rel_err(getattr(res.grads, name), getattr(full, name)) < 1e-12, name


@pytest.mark.parametrize("k1", [1, 2, 3, 4, 6])
def test_truncated_equals_full_for_any_k1_when_every_window_reaches_the_start(k1):
    # With k2 ≥ T every update back-propagates to h_0, so each loss term is counted once, in full.
    T = 6
    params, x, d, _ = random_problem(2, 2, T, 2, 3, 2, "tanh", "squared", "all")
    L, full = rnnlib.loss_and_gradients(params, x, d)
    res = rnnlib.truncated_bptt(params, x, d, k1, T)
    assert res.loss == pytest.approx(L, rel=1e-12)
    for name in ALL:
        assert rel_err(getattr(res.grads, name), getattr(full, name)) < 1e-12, name
    assert_allclose(res.h_last, rnnlib.forward(params, x).h[:, -1], rtol=1e-13)


# --- small k2 against brute force and finite differences ------------------------------------------


@pytest.mark.parametrize("T,k1,k2", [(7, 2, 3), (7, 3, 3), (7, 2, 2), (5, 1, 2), (6, 1, 1), (7, 3, 5), (4, 4, 4)])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_truncated_matches_brute_force_sum_of_included_terms(T, k1, k2, activation):
    params, x, d, _ = random_problem(3, 2, T, 2, 3, 2, activation, "squared", "all")
    P = as_dict(params)
    mask = np.ones((2, T), dtype=bool)
    want = brute_force_truncated(P, x, d, mask, activation, "linear", "squared", k1, k2)
    res = rnnlib.truncated_bptt(params, x, d, k1, k2, activation=activation)
    for name in ALL:
        assert rel_err(getattr(res.grads, name), want[name]) < 1e-11, name
    assert res.loss == pytest.approx(rnnlib.loss(params, x, d, activation=activation), rel=1e-12)


@settings(max_examples=30)
@given(
    N=st.integers(1, 3),
    T=st.integers(1, 7),
    D=st.integers(1, 3),
    H=st.integers(1, 3),
    O=st.integers(2, 3),
    k1_frac=st.floats(0, 1),
    k2_extra=st.integers(0, 3),
    activation=st.sampled_from(ACTIVATIONS),
    model=st.sampled_from(VALID_MODELS),
    targets=st.sampled_from(["all", "last", "mask"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_truncated_matches_brute_force_on_random_problems(
    N, T, D, H, O, k1_frac, k2_extra, activation, model, targets, seed
):
    output, loss = model
    k1 = 1 + int(k1_frac * (T - 1))
    k2 = k1 + k2_extra
    params, x, d, targets = random_problem(seed, N, T, D, H, O, activation, loss, targets)
    P = as_dict(params)
    mask = mask_of(targets, N, T)
    want = brute_force_truncated(P, x, d, mask, activation, output, loss, k1, k2)
    res = rnnlib.truncated_bptt(
        params,
        x,
        target_argument(d, targets, loss),
        k1,
        k2,
        activation=activation,
        output=output,
        loss_name=loss,
        targets=targets,
    )
    # Two exact formulas agree to rounding. A saturated softmax makes ∂E/∂o a difference of nearly
    # equal numbers in both, so a gradient that came out at 1e-7 of an O(1) loss carries an absolute
    # rounding error ~1e-14 from the cancellation: compare relative to the block, but never finer
    # than 1e-13 in absolute terms.
    for name in ALL:
        got, ref = getattr(res.grads, name), want[name]
        scale = max(1e-5, float(np.max(np.abs(got) + np.abs(ref))))
        assert np.max(np.abs(got - ref)) <= 1e-8 * scale, name
    assert res.backward_steps == sum(min(k2, t) for t in update_ends(T, k1))


@pytest.mark.parametrize("T,k", [(6, 2), (6, 3), (4, 1), (8, 4)])
@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "identity"])
def test_chunked_truncation_is_the_gradient_of_chunk_losses_from_fixed_states(T, k, activation):
    # k1 = k2 = k: each chunk's loss is differentiated with the state entering the chunk held fixed.
    params, x, d, _ = random_problem(4, 2, T, 2, 3, 2, activation, "squared", "all")
    P = as_dict(params)
    _, h = forward_states(P, x, activation)  # the carried states, from one full forward pass
    numeric = {name: np.zeros_like(P[name]) for name in ALL}
    for start in range(0, T, k):
        xs, ds = x[:, start : start + k], d[:, start : start + k]
        ms = np.ones(xs.shape[:2], dtype=bool)
        h_in = None if start == 0 else h[:, start]  # the first chunk starts from the parameter h_0

        def L_chunk(Q, xs=xs, ds=ds, ms=ms, h_in=h_in):
            return total_loss(Q, xs, ds, ms, activation, "linear", "squared", h0=h_in)

        for name, g in fd_param_gradients(L_chunk, P, ALL).items():
            numeric[name] += g
    res = rnnlib.truncated_bptt(params, x, d, k, k, activation=activation)
    for name in ALL:
        assert rel_err(getattr(res.grads, name), numeric[name]) < 1e-7, name


def test_truncation_with_small_k2_differs_from_full_bptt():
    params, x, d, _ = random_problem(5, 2, 6, 2, 3, 2, "tanh", "squared", "all")
    full = rnnlib.loss_and_gradients(params, x, d)[1]
    res = rnnlib.truncated_bptt(params, x, d, 2, 2)
    assert rel_err(res.grads.W_s, full.W_s) > 1e-3
    assert_allclose(res.grads.W_y, full.W_y, rtol=1e-12)  # the read-out is not back-propagated through time


def test_h0_gets_a_gradient_only_from_windows_that_reach_it():
    params, x, d, _ = random_problem(6, 2, 6, 2, 3, 2, "tanh", "squared", "all")
    res = rnnlib.truncated_bptt(params, x, d, 2, 2, keep_updates=True)
    assert np.any(res.updates[0].grads.h0 != 0)
    for u in res.updates[1:]:
        assert np.all(u.grads.h0 == 0)
    assert_allclose(res.grads.h0, res.updates[0].grads.h0, rtol=0)


# --- bookkeeping -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "T,k1,k2", [(10, 1, 1), (10, 2, 5), (10, 3, 4), (10, 10, 10), (9, 4, 20), (1, 1, 3), (7, 3, 3)]
)
def test_backward_steps_are_the_sum_of_min_k2_t_over_updates(T, k1, k2):
    params, x, d, _ = random_problem(7, 1, T, 1, 2, 1, "tanh", "squared", "all", h0_mode="zeros")
    res = rnnlib.truncated_bptt(params, x, d, k1, k2, keep_updates=True)
    ends = update_ends(T, k1)
    assert res.backward_steps == sum(min(k2, t) for t in ends)
    assert [u.t for u in res.updates] == ends
    assert [u.loss_start for u in res.updates] == [0] + ends[:-1]
    assert [u.window for u in res.updates] == [min(k2, t) for t in ends]
    assert [u.start for u in res.updates] == [max(0, t - k2) for t in ends]
    if T % k1 == 0 and k2 <= T:
        # Away from the stream's start each update costs k2 steps: about T·k2/k1 in all.
        assert res.backward_steps <= T * k2 // k1
    # The updates' gradients add up to the result's, and their losses to the stream's loss.
    for name in ("W_x", "W_s", "W_y", "b_h", "b_y"):
        assert_allclose(sum(getattr(u.grads, name) for u in res.updates), getattr(res.grads, name), rtol=1e-12)
    assert sum(u.loss for u in res.updates) == pytest.approx(res.loss, rel=1e-12)


def test_updates_are_not_kept_unless_asked():
    params, x, d, _ = random_problem(7, 1, 6, 1, 2, 1, "tanh", "squared", "all")
    assert rnnlib.truncated_bptt(params, x, d, 2, 2).updates == []


def test_state_is_carried_across_streams_through_h0():
    params, x, d, _ = random_problem(8, 2, 8, 2, 3, 2, "tanh", "squared", "all", h0_mode="zeros")
    whole = rnnlib.truncated_bptt(params, x, d, 2, 2)
    first = rnnlib.truncated_bptt(params, x[:, :4], d[:, :4], 2, 2)
    second = rnnlib.truncated_bptt(params, x[:, 4:], d[:, 4:], 2, 2, h0=first.h_last)
    _, h = forward_states(as_dict(params), x, "tanh")
    assert_allclose(whole.h_last, h[:, -1], rtol=1e-13)
    assert_allclose(second.h_last, h[:, -1], rtol=1e-13)
    assert first.loss + second.loss == pytest.approx(whole.loss, rel=1e-12)
    # With k1 = k2 dividing the split point, no window crosses it: the gradients add up.
    for name in NAMES:
        assert_allclose(
            getattr(first.grads, name) + getattr(second.grads, name), getattr(whole.grads, name), rtol=1e-12, atol=1e-15
        )


def test_on_update_can_change_the_parameters_used_from_the_next_step_on():
    T, k1, k2 = 7, 2, 3
    params, x, d, _ = random_problem(9, 2, T, 2, 3, 2, "tanh", "squared", "all", h0_mode="zeros")
    fixed = rnnlib.truncated_bptt(params, x, d, k1, k2, keep_updates=True)
    calls, returned = [], []

    def on_update(p, update):
        g, t = update.grads, update.t
        calls.append((p, g, t))
        new = p.replace(**{name: getattr(p, name) - 0.3 * getattr(g, name) for name in NAMES})
        returned.append(new)
        return new

    res = rnnlib.truncated_bptt(params, x, d, k1, k2, on_update=on_update)
    assert [t for _, _, t in calls] == update_ends(T, k1)
    assert calls[0][0] is params
    for i in range(1, len(calls)):
        assert calls[i][0] is returned[i - 1]  # each update sees the parameters the previous one returned
    assert res.params is returned[-1]
    # The first update ran with the initial parameters: the same gradient as without training.
    for name in NAMES:
        assert_allclose(getattr(calls[0][1], name), getattr(fixed.updates[0].grads, name), rtol=1e-13)
    # Forward by hand, each group of steps with the parameters in force at the time, from the carried state.
    loss, h_in, previous = 0.0, None, 0
    used = [params] + returned[:-1]
    for p, t in zip(used, update_ends(T, k1)):
        P = as_dict(p)
        xs, ds = x[:, previous:t], d[:, previous:t]
        _, h = forward_states(P, xs, "tanh", h0=h_in)
        loss += total_loss(P, xs, ds, np.ones(xs.shape[:2], dtype=bool), "tanh", "linear", "squared", h=h)
        h_in, previous = h[:, -1], t
    assert_allclose(res.h_last, h_in, rtol=1e-12)
    assert res.loss == pytest.approx(loss, rel=1e-12)
    assert not np.allclose(res.h_last, fixed.h_last)


def test_on_update_returning_none_keeps_the_parameters():
    params, x, d, _ = random_problem(10, 2, 6, 2, 3, 2, "tanh", "squared", "all")
    fixed = rnnlib.truncated_bptt(params, x, d, 2, 3)
    res = rnnlib.truncated_bptt(params, x, d, 2, 3, on_update=lambda p, update: None)
    assert res.params is params
    for name in ALL:
        assert_allclose(getattr(res.grads, name), getattr(fixed.grads, name), rtol=0)


# --- randomized truncation -------------------------------------------------------------------------


def _through_time(g):
    # The blocks that truncation can bias (W_y and b_y are exact in every window).
    return np.concatenate([getattr(g, name).ravel() for name in ("W_x", "W_s", "b_h")])


def test_randomized_truncation_is_unbiased_and_beats_deterministic_truncation():
    rng = np.random.default_rng(5)
    params = make_params(rng, 1, 2, 1)
    params = params.replace(W_s=rnnlib.orthogonal(2, 1.0, 3))  # ρ = σ_max = 1: long-range terms matter
    x, d = rng.standard_normal((1, 6, 1)), rng.standard_normal((1, 6, 1))
    full = _through_time(rnnlib.loss_and_gradients(params, x, d)[1])
    k1 = k2 = 2
    draws_rng = np.random.default_rng(0)
    draws = np.array(
        [
            _through_time(rnnlib.randomized_truncated_bptt(params, x, d, k1, k2, 0.5, draws_rng).grads)
            for _ in range(3000)
        ]
    )
    mean = draws.mean(axis=0)
    deterministic = _through_time(rnnlib.truncated_bptt(params, x, d, k1, k2).grads)

    def dist(g):
        return np.linalg.norm(g - full) / np.linalg.norm(full)

    # With this seed the mean is within 0.2 % (standard error ≈ 0.24 %); truncation at k2 = 2 is 8.7 % off.
    assert dist(mean) < 0.01
    assert dist(deterministic) > 0.05
    assert dist(deterministic) > 5 * dist(mean)
    # Single draws do vary: the price of unbiasedness.
    assert np.max(np.std(draws, axis=0)) > 1e-3


def test_randomized_truncation_with_same_seed_gives_same_result():
    params, x, d, _ = random_problem(11, 2, 7, 2, 3, 2, "tanh", "squared", "all")
    r1 = rnnlib.randomized_truncated_bptt(params, x, d, 2, 2, 0.3, 42, keep_updates=True)
    r2 = rnnlib.randomized_truncated_bptt(params, x, d, 2, 2, 0.3, 42, keep_updates=True)
    r3 = rnnlib.randomized_truncated_bptt(params, x, d, 2, 2, 0.3, np.random.default_rng(42), keep_updates=True)
    for other in (r2, r3):
        assert [u.start for u in r1.updates] == [u.start for u in other.updates]
        for name in ALL:
            assert_allclose(getattr(r1.grads, name), getattr(other.grads, name), rtol=0, atol=0)
    windows = {
        tuple(u.start for u in rnnlib.randomized_truncated_bptt(params, x, d, 2, 2, 0.3, s, keep_updates=True).updates)
        for s in range(20)
    }
    assert len(windows) > 1  # different seeds draw different windows


def test_randomized_truncation_equals_full_when_k2_covers_sequence():
    params, x, d, _ = random_problem(12, 2, 6, 2, 3, 2, "tanh", "squared", "all")
    full = rnnlib.loss_and_gradients(params, x, d)[1]
    res = rnnlib.randomized_truncated_bptt(params, x, d, 6, 6, 0.5, 0)
    for name in ALL:
        assert rel_err(getattr(res.grads, name), getattr(full, name)) < 1e-12, name


def test_randomized_truncation_with_tiny_c_reaches_the_start_and_equals_full():
    # c → 0: the window is almost surely longer than the stream and the compensation (1 − c)^(−j) → 1.
    params, x, d, _ = random_problem(13, 2, 7, 2, 3, 2, "tanh", "squared", "all")
    full = rnnlib.loss_and_gradients(params, x, d)[1]
    res = rnnlib.randomized_truncated_bptt(params, x, d, 1, 1, 1e-12, 0, keep_updates=True)
    assert all(u.start == 0 for u in res.updates)
    for name in ALL:
        assert rel_err(getattr(res.grads, name), getattr(full, name)) < 1e-9, name


def test_randomized_truncation_weights_each_surviving_term_by_its_inverse_probability():
    # One draw, re-done by hand: whatever window the generator drew, the gradient is the brute-force
    # sum of included terms with the term of E_τ through step k weighted by (1 − c)^−max(0, t − k2 − k + 1).
    T, k1, k2, c = 5, 1, 1, 0.5
    params, x, d, _ = random_problem(14, 1, T, 1, 2, 1, "tanh", "squared", "all", h0_mode="zeros")
    P = as_dict(params)
    a, h = forward_states(P, x, "tanh")
    longest = 0
    for seed in range(5):
        res = rnnlib.randomized_truncated_bptt(params, x, d, k1, k2, c, seed, keep_updates=True)
        want = np.zeros_like(P["W_s"])
        for u in res.updates:
            t = u.t
            longest = max(longest, u.window)
            dEdh = dE_dh(P, h[0, t], d[0, t - 1], "linear", "squared", 1)
            for k in range(u.start + 1, t + 1):
                weight = (1 - c) ** -max(0, t - k2 - k + 1)
                v = dEdh @ jacobian_product(P, a[0], "tanh", t, k)
                want += weight * np.einsum("i,ipq->pq", v, immediate_W_s(P, a[0, k - 1], h[0, k - 1], "tanh"))
        assert rel_err(res.grads.W_s, want) < 1e-12, seed
    assert longest >= k2 + 2  # some windows went beyond k2, so the weights were exercised


def test_a_carried_state_gives_no_gradient_to_the_trainable_h0():
    # With h0= given, the stream starts from the carried state, not from params.h0: L does not depend
    # on params.h0, so its gradient is zero (the finite difference says so too).
    params, x, d, _ = random_problem(15, 2, 6, 2, 3, 2, "tanh", "squared", "all", h0_mode="trainable")
    carried = np.random.default_rng(15).standard_normal((2, 3))
    res = rnnlib.truncated_bptt(params, x, d, 2, 6, h0=carried)
    P = as_dict(params)
    numeric = fd_param_gradients(
        lambda Q: total_loss(Q, x, d, np.ones((2, 6), dtype=bool), "tanh", "linear", "squared", h0=carried), P, ALL
    )
    for name in ALL:
        assert rel_err(getattr(res.grads, name), numeric[name]) < 1e-7, name
    assert np.all(res.grads.h0 == 0)


def _sine_problem(rho=0.9, T=30):
    task = rnnlib.noisy_sine(2, T, rng=3)
    params = rnnlib.init_params(1, 8, 1, rng=4, recurrent="gaussian_spectral", scale=rho)
    return params, task


def test_bias_vanishes_when_k2_covers_the_sequence_and_shrinks_with_k2():
    params, task = _sine_problem(rho=0.8, T=30)
    errors, cosines = rnnlib.bias_by_k2(params, task.x, task.d, [1, 4, 16, 30], **task.model)
    assert errors[-1] < 1e-12 and cosines[-1] == pytest.approx(1.0, abs=1e-12)
    assert np.all(np.diff(errors) < 0)
    assert np.all(cosines <= 1 + 1e-12)
