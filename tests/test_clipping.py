"""Gradient clipping by global norm, per-parameter norm and value (rnnlib.clipping)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import rnnlib

from reference import NAMES, as_dict

ALL = NAMES + ("h0",)


def grads_from(rng, scale=1.0, trainable_h0=True):
    H, D, O = 3, 2, 2
    return rnnlib.RNNParams(
        W_x=scale * rng.standard_normal((H, D)),
        W_s=scale * rng.standard_normal((H, H)),
        W_y=scale * rng.standard_normal((O, H)),
        b_h=scale * rng.standard_normal(H),
        b_y=scale * rng.standard_normal(O),
        h0=scale * rng.standard_normal(H) if trainable_h0 else None,
        h0_mode="trainable" if trainable_h0 else "zeros",
    )


def hand_grads():
    """A gradient with one huge entry (W_s[0, 0] = 100) and small ones (all 0.1 or 0)."""
    g = rnnlib.RNNParams(
        W_x=np.full((2, 1), 0.1),
        W_s=np.array([[100.0, 0.0], [0.0, 0.1]]),
        W_y=np.zeros((1, 2)),
        b_h=np.zeros(2),
        b_y=np.zeros(1),
    )
    return g


@settings(max_examples=30)
@given(scale=st.floats(1e-3, 1e3), threshold=st.floats(1e-2, 1e2), seed=st.integers(0, 2**32 - 1))
def test_norm_clipping_caps_the_norm_and_keeps_the_direction(scale, threshold, seed):
    g = grads_from(np.random.default_rng(seed), scale)
    before = {name: v.copy() for name, v in g.items()}
    norm = np.sqrt(np.sum(g.flat() ** 2))
    c = rnnlib.clip_by_global_norm(g, threshold)
    assert c.norm == pytest.approx(norm, rel=1e-13)  # reported before clipping
    new_norm = np.sqrt(np.sum(c.grads.flat() ** 2))
    assert new_norm <= threshold * (1 + 1e-12)
    if norm >= threshold:
        assert c.clipped
        assert new_norm == pytest.approx(threshold, rel=1e-12)
        # Algorithm 1: g ← θ g / ‖g‖, so each array is the same array times one positive factor.
        for name, v in c.grads.items():
            assert_allclose(v, before[name] * (threshold / norm), rtol=1e-13, atol=1e-300)
        assert rnnlib.cosine(c.grads, g) == pytest.approx(1.0, abs=1e-12)
    else:
        assert not c.clipped
        for name, v in c.grads.items():
            assert_allclose(v, before[name], rtol=0)
    for name, v in g.items():
        assert_allclose(v, before[name], rtol=0)  # the input is not modified


def test_norm_clipping_on_a_hand_case():
    g = rnnlib.RNNParams(W_x=[[3.0]], W_s=[[4.0]], W_y=[[0.0]], b_h=[0.0], b_y=[0.0])  # ‖g‖ = 5
    c = rnnlib.clip(g, "norm", 1.0)
    assert c.norm == 5.0 and c.clipped
    assert_allclose(c.grads.W_x, [[0.6]], rtol=1e-15)
    assert_allclose(c.grads.W_s, [[0.8]], rtol=1e-15)
    assert c.norms == {"W_x": 3.0, "W_s": 4.0, "W_y": 0.0, "b_h": 0.0, "b_y": 0.0}


def test_value_clipping_bounds_every_entry_and_changes_the_direction():
    g = hand_grads()
    c = rnnlib.clip_by_value(g, 1.0)
    assert c.clipped
    assert c.norm == pytest.approx(np.sqrt(10000.03), rel=1e-15)
    for _, v in c.grads.items():
        assert np.all(np.abs(v) <= 1.0)
    # The huge entry is cut to 1, the small ones stay at 0.1: the gradient turns towards the small ones.
    assert c.grads.W_s[0, 0] == 1.0
    assert_allclose(c.grads.W_x, [[0.1], [0.1]], rtol=0)
    cos_value = rnnlib.cosine(c.grads, g)
    # By hand: g·c = 100 + 3·0.01 = 100.03, ‖c‖ = √(1 + 0.03); cosine = 100.03 / (√10000.03 √1.03).
    assert cos_value == pytest.approx(100.03 / (np.sqrt(10000.03) * np.sqrt(1.03)), rel=1e-12)
    assert cos_value < 0.99
    # Norm clipping to the same size keeps the direction.
    assert rnnlib.cosine(rnnlib.clip_by_global_norm(g, np.sqrt(1.03)).grads, g) == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=30)
@given(scale=st.floats(1e-2, 1e2), threshold=st.floats(1e-2, 10), seed=st.integers(0, 2**32 - 1))
def test_value_clipping_keeps_entries_inside_threshold(scale, threshold, seed):
    g = grads_from(np.random.default_rng(seed), scale)
    c = rnnlib.clip(g, "value", threshold)
    for name, v in c.grads.items():
        original = getattr(g, name)
        assert np.all(np.abs(v) <= threshold)
        assert_allclose(v, np.minimum(np.maximum(original, -threshold), threshold), rtol=0)
    assert c.clipped == bool(np.any(np.abs(g.flat()) > threshold))


@settings(max_examples=30)
@given(scale=st.floats(1e-2, 1e2), threshold=st.floats(1e-2, 10), seed=st.integers(0, 2**32 - 1))
def test_parameter_norm_clipping_caps_each_block_separately(scale, threshold, seed):
    g = grads_from(np.random.default_rng(seed), scale)
    c = rnnlib.clip_by_parameter_norm(g, threshold)
    assert c.norm == pytest.approx(np.sqrt(np.sum(g.flat() ** 2)), rel=1e-13)
    any_clipped = False
    for name, v in c.grads.items():
        original = getattr(g, name)
        n = np.linalg.norm(original)
        assert c.norms[name] == pytest.approx(n, rel=1e-13)
        if n >= threshold:
            any_clipped = True
            assert np.linalg.norm(v) == pytest.approx(threshold, rel=1e-12)
            assert_allclose(v, original * threshold / n, rtol=1e-13)  # each block keeps its direction
        else:
            assert_allclose(v, original, rtol=0)
    assert c.clipped == any_clipped


def test_parameter_norm_clipping_changes_the_overall_direction():
    g = hand_grads()  # W_s block norm ≈ 100, W_x block norm ≈ 0.14
    c = rnnlib.clip(g, "parameter_norm", 1.0)
    assert np.linalg.norm(c.grads.W_s) == pytest.approx(1.0)
    assert_allclose(c.grads.W_x, g.W_x, rtol=0)
    assert rnnlib.cosine(c.grads, g) < 0.999


@pytest.mark.parametrize("mode", ["norm", "parameter_norm", "value"])
def test_no_clipping_below_threshold(mode, rng):
    g = grads_from(rng, 0.01)
    c = rnnlib.clip(g, mode, 100.0)
    assert not c.clipped
    for name, v in c.grads.items():
        assert_allclose(v, getattr(g, name), rtol=0)
    assert c.grads is not g
    assert c.norm == pytest.approx(rnnlib.global_norm(g))


@pytest.mark.parametrize("mode", ["norm", "parameter_norm", "value", None])
def test_clipping_does_not_modify_its_input(mode, rng):
    g = grads_from(rng, 10.0)
    before = as_dict(g)
    c = rnnlib.clip(g, mode, None if mode is None else 0.5)  # a threshold without a mode is refused
    for name in ALL:
        assert_allclose(getattr(g, name), before[name], rtol=0)
    if mode is not None:
        assert c.clipped
        assert not np.allclose(c.grads.W_s, g.W_s)


def test_clip_with_mode_none_returns_an_unchanged_copy(rng):
    g = grads_from(rng, 10.0)
    c = rnnlib.clip(g, None, None)
    assert not c.clipped
    assert c.norm == pytest.approx(np.sqrt(np.sum(g.flat() ** 2)))
    c.grads.W_s[...] = 0.0
    assert np.any(g.W_s != 0)


def test_norm_clipping_scales_a_trainable_h0_gradient_too(rng):
    g = grads_from(rng, 1.0, trainable_h0=True)
    c = rnnlib.clip(g, "norm", 0.1)
    assert np.sqrt(np.sum(c.grads.flat() ** 2)) == pytest.approx(0.1, rel=1e-12)
