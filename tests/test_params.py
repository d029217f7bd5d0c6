"""The parameter container (rnnlib.params)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

import rnnlib


def make(h0_mode="zeros", h0=None):
    rng = np.random.default_rng(0)
    return rnnlib.RNNParams(
        W_x=rng.standard_normal((3, 2)),
        W_s=rng.standard_normal((3, 3)),
        W_y=rng.standard_normal((4, 3)),
        b_h=rng.standard_normal(3),
        b_y=rng.standard_normal(4),
        h0=h0,
        h0_mode=h0_mode,
    )


def test_sizes_follow_the_course_notation():
    p = make()
    assert (p.D, p.H, p.O) == (2, 3, 4)
    assert repr(p) == "RNNParams(D=2, H=3, O=4, h0_mode='zeros')"


@pytest.mark.parametrize(
    "h0_mode,names",
    [
        ("zeros", ("W_x", "W_s", "W_y", "b_h", "b_y")),
        ("given", ("W_x", "W_s", "W_y", "b_h", "b_y")),
        ("trainable", ("W_x", "W_s", "W_y", "b_h", "b_y", "h0")),
    ],
)
def test_h0_is_a_parameter_only_when_trainable(h0_mode, names):
    p = make(h0_mode, h0=None if h0_mode == "zeros" else np.ones(3))
    assert p.names() == names
    assert [n for n, _ in p.items()] == list(names)
    if h0_mode == "zeros":
        assert_allclose(p.h0, np.zeros(3), rtol=0)


def test_copy_is_deep():
    p = make("trainable", h0=np.ones(3))
    q = p.copy()
    for name in p.names():
        getattr(q, name)[...] = 7.0
        assert not np.any(getattr(p, name) == 7.0)
    assert q.h0_mode == "trainable"


def test_zeros_like_is_a_gradient_accumulator_of_the_same_shapes():
    for p in (make(), make("given", np.ones(3)), make("trainable", np.ones(3))):
        z = p.zeros_like()
        assert z.names() == p.names()
        for name in p.names():
            assert getattr(z, name).shape == getattr(p, name).shape
            assert np.all(getattr(z, name) == 0)


def test_replace_returns_a_validated_copy():
    p = make()
    q = p.replace(W_s=np.eye(3))
    assert_allclose(q.W_s, np.eye(3), rtol=0)
    assert not np.allclose(p.W_s, np.eye(3))
    assert_allclose(q.W_x, p.W_x, rtol=0)
    with pytest.raises(ValueError, match="W_s must have shape|W_x must have shape"):
        p.replace(W_s=np.eye(2))
    with pytest.raises(ValueError, match="h0 must be zeros"):
        p.replace(h0=np.ones(3))
    assert_allclose(make("trainable").replace(h0=np.ones(3)).h0, np.ones(3), rtol=0)


def gradient():
    rng = np.random.default_rng(1)
    params = make("trainable", h0=rng.standard_normal(3))
    x, d = rng.standard_normal((2, 5, 2)), rng.standard_normal((2, 5, 4))
    return rnnlib.loss_and_gradients(params, x, d)[1]


def test_relative_gradient_error_is_zero_for_equal_and_one_for_zero_gradients():
    g = gradient()
    assert rnnlib.relative_gradient_error(g, g) == 0.0
    assert rnnlib.relative_gradient_error(g.zeros_like(), g) == pytest.approx(1.0)
    doubled = g.replace(**{name: 2.0 * value for name, value in g.items()})  # built without the algebra
    assert rnnlib.relative_gradient_error(doubled, g) == pytest.approx(1.0)


def test_relative_gradient_error_refuses_zero_reference_and_other_types():
    params = make()
    with pytest.raises(ValueError, match="non-zero"):
        rnnlib.relative_gradient_error(params, params.zeros_like())
    with pytest.raises(ValueError, match="RNNParams"):
        rnnlib.relative_gradient_error({"W_s": 1}, params)


# --- the algebra, against plain numpy on the arrays ------------------------------------------------


def test_algebra_acts_on_every_trainable_array_and_keeps_the_layout():
    rng = np.random.default_rng(2)
    p, q = make("trainable", h0=rng.standard_normal(3)), make("trainable", h0=rng.standard_normal(3))
    q = q.replace(W_s=rng.standard_normal((3, 3)))
    for result, expected in (
        (p + q, lambda a, b: a + b),
        (p - q, lambda a, b: a - b),
        (2.5 * p, lambda a, b: 2.5 * a),
        (p * -0.5, lambda a, b: -0.5 * a),
        (-p, lambda a, b: -a),
        (np.float64(3.0) * p, lambda a, b: 3.0 * a),
    ):
        assert isinstance(result, rnnlib.RNNParams) and result.names() == p.names()
        for name in p.names():
            assert_allclose(getattr(result, name), expected(getattr(p, name), getattr(q, name)), rtol=1e-15)
    flat_p = np.concatenate([np.ravel(getattr(p, n)) for n in p.names()])  # written out, not p.flat()
    flat_q = np.concatenate([np.ravel(getattr(q, n)) for n in p.names()])
    assert_allclose(p.flat(), flat_p, rtol=0)
    assert p.dot(q) == pytest.approx(float(flat_p @ flat_q), rel=1e-13)
    assert p.norm() == pytest.approx(float(np.linalg.norm(flat_p)), rel=1e-13)
    assert rnnlib.global_norm(p) == p.norm()
    assert rnnlib.cosine(p, q) == pytest.approx(
        float(flat_p @ flat_q / np.linalg.norm(flat_p) / np.linalg.norm(flat_q))
    )
    assert [name for name, _ in p] == list(p.names())


def test_algebra_leaves_its_operands_and_a_given_h0_alone():
    p = make("given", h0=np.full(3, 0.5))
    before = p.flat().copy()
    s = p + p
    assert_allclose(p.flat(), before, rtol=0)
    assert s.h0_mode == "given" and s.names() == p.names()
    assert_allclose(s.h0, np.full(3, 0.5), rtol=0)  # h0 is not a parameter here: not doubled
    s.h0[0] = 9.0
    assert p.h0[0] == 0.5  # a copy, not a view


def test_algebra_refuses_mismatched_operands():
    p = make()
    with pytest.raises(ValueError, match="same parameters"):
        p + make("trainable")
    with pytest.raises(ValueError, match="needs another RNNParams"):
        p - {"W_s": 1.0}
    with pytest.raises(ValueError, match="same shapes"):
        p.dot(rnnlib.init_params(1, 2, 1, rng=0))
    with pytest.raises(TypeError):
        p * "2"
    with pytest.raises(ValueError, match="keep each array's shape"):
        p.map(np.ravel)


def test_map_applies_a_function_to_each_trainable_array():
    p = make()
    q = p.map(np.abs)
    for name in p.names():
        assert_allclose(getattr(q, name), np.abs(getattr(p, name)), rtol=0)


# --- the measures of a gradient: global norm and cosine ---------------------------------------------


def test_global_norm_is_the_norm_of_all_entries_together():
    g = make("trainable", h0=np.array([1.0, 2.0, 3.0]))
    entries = np.concatenate([np.ravel(getattr(g, n)) for n in ("W_x", "W_s", "W_y", "b_h", "b_y", "h0")])
    assert rnnlib.global_norm(g) == pytest.approx(np.sqrt(np.sum(entries**2)), rel=1e-14)
    without_h0 = np.concatenate([np.ravel(getattr(g, n)) for n in ("W_x", "W_s", "W_y", "b_h", "b_y")])
    assert rnnlib.global_norm(g) ** 2 == pytest.approx(np.sum(without_h0**2) + 14.0, rel=1e-13)  # 1 + 4 + 9
    # Hand case: √(100² + 0.1² + 0.1² + 0.1²) = √10000.03.
    hand = rnnlib.RNNParams(
        W_x=np.full((2, 1), 0.1),
        W_s=np.array([[100.0, 0.0], [0.0, 0.1]]),
        W_y=np.zeros((1, 2)),
        b_h=np.zeros(2),
        b_y=np.zeros(1),
    )
    assert rnnlib.global_norm(hand) == pytest.approx(np.sqrt(10000.03), rel=1e-15)


def test_cosine_on_hand_cases():
    a = rnnlib.RNNParams(W_x=[[1.0]], W_s=[[0.0]], W_y=[[0.0]], b_h=[0.0], b_y=[0.0])
    b = rnnlib.RNNParams(W_x=[[0.0]], W_s=[[2.0]], W_y=[[0.0]], b_h=[0.0], b_y=[0.0])
    c = rnnlib.RNNParams(W_x=[[-3.0]], W_s=[[0.0]], W_y=[[0.0]], b_h=[0.0], b_y=[0.0])
    assert rnnlib.cosine(a, b) == 0.0
    assert rnnlib.cosine(a, c) == pytest.approx(-1.0)
    zero = rnnlib.RNNParams(W_x=[[0.0]], W_s=[[0.0]], W_y=[[0.0]], b_h=[0.0], b_y=[0.0])
    with pytest.raises(ValueError, match="non-zero"):
        rnnlib.cosine(a, zero)
