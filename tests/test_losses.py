"""Read-outs, per-step losses and target masks (rnnlib.losses)."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

import rnnlib
from rnnlib.losses import check_model, loss_and_grad, prepare_targets


def test_softmax_on_hand_values():
    # softmax(0, ln 3) = (1, 3)/4.
    assert_allclose(rnnlib.softmax(np.array([0.0, math.log(3.0)])), [0.25, 0.75], rtol=1e-15)
    assert_allclose(rnnlib.softmax(np.zeros((2, 4))), np.full((2, 4), 0.25), rtol=0)
    # Along another axis.
    o = np.array([[0.0, 0.0], [math.log(3.0), 0.0]])
    assert_allclose(rnnlib.softmax(o, axis=0), [[0.25, 0.5], [0.75, 0.5]], rtol=1e-15)


def test_softmax_does_not_overflow_on_large_logits():
    o = np.array([1000.0, 1000.0 + math.log(3.0), -1000.0])
    assert_allclose(rnnlib.softmax(o), [0.25, 0.75, 0.0], rtol=1e-12, atol=1e-300)


def test_softmax_does_not_modify_its_input():
    o = np.array([1.0, 2.0, 3.0])
    rnnlib.softmax(o)
    assert_allclose(o, [1.0, 2.0, 3.0], rtol=0)


def test_readout_is_identity_or_softmax():
    o = np.array([[0.0, math.log(3.0)]])
    assert_allclose(rnnlib.readout(o, "linear"), o, rtol=0)
    assert_allclose(rnnlib.readout(o, "softmax"), [[0.25, 0.75]], rtol=1e-15)
    with pytest.raises(ValueError, match="output must be one of"):
        rnnlib.readout(o, "sigmoid")


def test_target_mask_for_all_last_and_explicit_masks():
    assert_allclose(rnnlib.target_mask("all", 2, 3), np.ones((2, 3), dtype=bool))
    assert_allclose(rnnlib.target_mask("last", 2, 3), [[False, False, True], [False, False, True]])
    m = rnnlib.target_mask(np.array([True, False, True]), 2, 3)
    assert m.shape == (2, 3) and m.dtype == bool
    assert_allclose(m, [[True, False, True], [True, False, True]])
    m2 = np.array([[True, False, False], [False, False, True]])
    got = rnnlib.target_mask(m2, 2, 3)
    assert_allclose(got, m2)
    got[0, 0] = False
    assert m2[0, 0]  # a copy, not a view of the caller's array


def test_check_model_accepts_the_valid_pairs_only():
    for output, loss in [("linear", "squared"), ("softmax", "squared"), ("softmax", "cross_entropy")]:
        check_model(output, loss)
    with pytest.raises(ValueError, match="loss_name='cross_entropy' needs output='softmax'"):
        check_model("linear", "cross_entropy")


def test_squared_loss_and_gradient_on_a_hand_case():
    # One step, two sequences (N = 2), O = 2. E = Σ_o (ŷ − d)²; L = (E_1 + E_2)/2; ∂L/∂o = 2(ŷ − d)/N.
    o = np.array([[[1.0, 2.0], [0.0, 0.0]]])  # (T=1, N=2, O=2)
    d = np.array([[[0.0, 0.0], [1.0, -1.0]]])
    mask = np.ones((1, 2))
    L, E, dO = loss_and_grad(o, o.copy(), d, mask, "linear", "squared")
    assert_allclose(E, [[5.0, 2.0]], rtol=0)  # 1 + 4 and 1 + 1
    assert L == pytest.approx(3.5)
    assert_allclose(dO, [[[1.0, 2.0], [-1.0, 1.0]]], rtol=0)


def test_cross_entropy_loss_and_gradient_on_a_hand_case():
    # o = (0, ln 3): ŷ = (1/4, 3/4). Label 1: E = −log(3/4); label 0: E = −log(1/4) = log 4.
    o = np.array([[[0.0, math.log(3.0)], [0.0, math.log(3.0)]]])
    y = rnnlib.softmax(o)
    labels = np.array([[1, 0]])
    L, E, dO = loss_and_grad(o, y, labels, np.ones((1, 2)), "softmax", "cross_entropy")
    assert_allclose(E, [[-math.log(0.75), math.log(4.0)]], rtol=1e-14)
    assert L == pytest.approx((-math.log(0.75) + math.log(4.0)) / 2, rel=1e-14)
    # ∂E/∂o = ŷ − onehot, divided by N = 2.
    assert_allclose(dO, [[[0.125, -0.125], [-0.375, 0.375]]], rtol=1e-14)


def test_cross_entropy_stays_finite_for_confident_wrong_predictions():
    o = np.array([[[0.0, 800.0]]])  # ŷ_0 = e^(−800): log ŷ_0 underflows if taken naively
    L, E, _ = loss_and_grad(o, rnnlib.softmax(o), np.array([[0]]), np.ones((1, 1)), "softmax", "cross_entropy")
    assert L == pytest.approx(800.0, rel=1e-14)


def test_softmax_squared_gradient_matches_central_differences(rng):
    o = rng.standard_normal((1, 1, 3))
    d = rng.standard_normal((1, 1, 3))

    def L(o):
        return float(np.sum((rnnlib.softmax(o) - d) ** 2))

    _, _, dO = loss_and_grad(o, rnnlib.softmax(o), d, np.ones((1, 1)), "softmax", "squared")
    numeric = np.zeros(3)
    for i in range(3):
        e = np.zeros_like(o)
        e[..., i] = 1e-6
        numeric[i] = (L(o + e) - L(o - e)) / 2e-6
    assert_allclose(dO[0, 0], numeric, atol=1e-9)


def test_masked_steps_contribute_nothing():
    o = np.ones((3, 1, 1))
    d = np.zeros((3, 1, 1))
    mask = np.array([[1.0], [0.0], [1.0]])
    L, E, dO = loss_and_grad(o, o, d, mask, "linear", "squared")
    assert L == 2.0
    assert_allclose(dO[:, 0, 0], [2.0, 0.0, 2.0], rtol=0)


def test_prepare_targets_layouts():
    N, T, O = 2, 3, 2
    d_last = np.array([[1.0, 2.0], [3.0, 4.0]])
    d_tm, mask_tm = prepare_targets(d_last, "last", "squared", N, T, O)
    assert d_tm.shape == (T, N, O) and mask_tm.shape == (T, N)
    assert_allclose(d_tm[-1], d_last)
    assert_allclose(mask_tm, [[0, 0], [0, 0], [1, 1]])
    labels = np.array([1, 0])
    d_tm, mask_tm = prepare_targets(labels, "last", "cross_entropy", N, T, O)
    assert d_tm.shape == (T, N) and d_tm.dtype.kind == "i"
    assert_allclose(d_tm[-1], labels)
    # Integer-valued floats are accepted as labels.
    d_tm, _ = prepare_targets(np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]]), "all", "cross_entropy", N, T, O)
    assert_allclose(d_tm, [[1, 0], [0, 0], [1, 1]])
    # Unmasked labels may be anything (here: out of range and NaN), they are ignored.
    m = np.array([[True, False, True], [True, False, True]])
    raw = np.array([[1.0, np.nan, 0.0], [0.0, 99.0, 1.0]])
    d_tm, mask_tm = prepare_targets(raw, m, "cross_entropy", N, T, O)
    assert_allclose(d_tm[[0, 2]], [[1, 0], [0, 1]])
    assert_allclose(mask_tm, m.T.astype(float))
