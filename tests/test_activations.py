"""Activations f, their derivatives f′ and the bounds γ (rnnlib.activations)."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

import rnnlib

NAMES = ("tanh", "sigmoid", "relu", "identity")


def test_activations_on_hand_values():
    a = np.array([-math.log(3.0), 0.0, math.log(2.0)])
    # tanh(ln 2) = (2 − 1/2)/(2 + 1/2) = 0.6; tanh(−ln 3) = −(3 − 1/3)/(3 + 1/3) = −0.8.
    assert_allclose(rnnlib.get_activation("tanh")(a), [-0.8, 0.0, 0.6], rtol=1e-15, atol=1e-16)
    # σ(−ln 3) = 1/(1 + 3) = 0.25, σ(0) = 0.5, σ(ln 2) = 1/(1 + 1/2) = 2/3.
    assert_allclose(rnnlib.get_activation("sigmoid")(a), [0.25, 0.5, 2.0 / 3.0], rtol=1e-15)
    assert_allclose(rnnlib.get_activation("relu")(a), [0.0, 0.0, math.log(2.0)], rtol=0)
    assert_allclose(rnnlib.get_activation("identity")(a), a, rtol=0)


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_central_differences(name):
    act = rnnlib.get_activation(name)
    a = np.linspace(-4.0, 4.0, 41) + 0.0123  # off the relu kink at 0
    h = act(a)
    eps = 1e-6
    numeric = (act(a + eps) - act(a - eps)) / (2 * eps)
    assert_allclose(act.df(a, h), numeric, atol=1e-9)


@pytest.mark.parametrize("name,gamma", [("tanh", 1.0), ("sigmoid", 0.25), ("relu", 1.0), ("identity", 1.0)])
def test_gamma_is_the_supremum_of_the_derivative(name, gamma):
    act = rnnlib.get_activation(name)
    assert act.gamma == gamma
    a = np.linspace(-10, 10, 200001)
    fp = act.df(a, act(a))
    assert np.max(np.abs(fp)) <= gamma
    assert np.max(np.abs(fp)) == pytest.approx(gamma, rel=1e-9)  # attained (at 0 for tanh and sigmoid)


def test_sigmoid_does_not_overflow_for_large_inputs():
    # 1/(1 + e^(−a)) overflows e^(−a) for a = −1000; the pyproject turns that warning into an error.
    a = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    s = rnnlib.sigmoid(a)
    assert_allclose(
        s, [0.0, math.exp(-40) / (1 + math.exp(-40)), 0.5, 1 / (1 + math.exp(-40)), 1.0], rtol=1e-15, atol=1e-16
    )
    assert np.all((s >= 0) & (s <= 1))
    assert_allclose(rnnlib.get_activation("sigmoid")(a), s, rtol=0)


def test_sigmoid_keeps_its_relative_accuracy_in_the_lower_tail():
    # σ(a) ≈ e^a for a ≪ 0; chapter 6 reads gradients on a log scale, so σ and σ′ = σ(1 − σ) should be
    # accurate relative to their size, not only to 1e-16 absolutely. e^(−40) = 4.248e-18 is a normal float.
    # (Regression: computed as 0.5·(1 + tanh(a/2)), σ cancelled to exactly 0 for a ≤ −38 and had a
    # relative error ~1e-8 already at a = −20.)
    a = np.array([-10.0, -20.0, -40.0, -100.0])
    want = np.exp(a) / (1.0 + np.exp(a))
    act = rnnlib.get_activation("sigmoid")
    assert_allclose(rnnlib.sigmoid(a), want, rtol=1e-12)
    assert_allclose(act.df(a, act(a)), want * (1 - want), rtol=1e-12)


def test_sigmoid_accepts_a_python_scalar():
    # The public helper is documented as σ(a) = 1/(1 + e^(−a)); σ(ln 3) = 3/4.
    # (Regression: rnnlib.sigmoid(0.0) raised TypeError "return arrays must be of ArrayType", because
    # np.multiply on a 0-d array returns a scalar that np.tanh(..., out=...) cannot write into.)
    assert float(rnnlib.sigmoid(math.log(3.0))) == pytest.approx(0.75, rel=1e-15)
    assert float(rnnlib.sigmoid(0.0)) == 0.5


@pytest.mark.parametrize("name", NAMES)
def test_activation_writes_into_out_and_leaves_its_input_alone(name):
    act = rnnlib.get_activation(name)
    a = np.array([[-1.5, 0.3], [2.0, -0.1]])
    a0 = a.copy()
    out = np.empty_like(a)
    result = act(a, out=out)
    assert result is out
    assert_allclose(out, act(a0), rtol=0)
    assert_allclose(a, a0, rtol=0)


def test_identity_returns_a_copy():
    act = rnnlib.get_activation("identity")
    a = np.array([1.0, 2.0])
    h = act(a)
    h[0] = 5.0
    assert a[0] == 1.0


def test_get_activation_accepts_names_and_activations_and_refuses_others():
    tanh = rnnlib.get_activation("tanh")
    assert rnnlib.get_activation(tanh) is tanh
    assert set(rnnlib.ACTIVATIONS) == set(NAMES)
    with pytest.raises(ValueError, match="activation must be one of"):
        rnnlib.get_activation("softplus")
    with pytest.raises(ValueError, match="activation must be one of.*'Tanh'"):
        rnnlib.get_activation("Tanh")
