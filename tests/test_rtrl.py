"""RTRL against full BPTT (the same gradient, for every activation and target layout), its online use
(each step's gradient equals BPTT of that step's loss alone), and its memory counts."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import rnnlib as rl
from rnnlib.rtrl import bptt_memory, rtrl, rtrl_memory, rtrl_steps

from reference import make_params

LAYOUTS = [
    ("squared", "all"),
    ("squared", "last"),
    ("squared", "mask"),
    ("cross_entropy", "all"),
    ("cross_entropy", "last"),
    ("cross_entropy", "mask"),
]


def _problem(rng, N, T, D, H, O, loss_name, layout, h0_mode="zeros"):
    p = make_params(rng, D, H, O, h0_mode=h0_mode)
    x = rng.standard_normal((N, T, D))
    targets = layout
    if layout == "mask":
        targets = rng.random((N, T)) < 0.5
        targets[:, -1] = True
    if loss_name == "squared":
        d = rng.standard_normal((N, O) if layout == "last" else (N, T, O))
    else:
        d = rng.integers(0, O, size=(N,) if layout == "last" else (N, T))
    output = "linear" if loss_name == "squared" else "softmax"
    return p, x, d, {"output": output, "loss_name": loss_name, "targets": targets}


@settings(max_examples=12)
@given(
    activation=st.sampled_from(["tanh", "sigmoid", "relu", "identity"]),
    layout=st.sampled_from(LAYOUTS),
    N=st.integers(1, 3),
    T=st.integers(1, 7),
    D=st.integers(1, 3),
    H=st.integers(1, 4),
    h0_mode=st.sampled_from(["zeros", "trainable"]),
    seed=st.integers(0, 2**16),
)
def test_rtrl_gradient_equals_full_bptt(activation, layout, N, T, D, H, h0_mode, seed):
    rng = np.random.default_rng(seed)
    loss_name, targets = layout
    p, x, d, model = _problem(rng, N, T, D, H, 3, loss_name, targets, h0_mode)
    model["activation"] = activation
    fp = rl.forward(p, x, d, **model)
    bptt = rl.backward(p, fp).grads
    result = rtrl(p, x, d, **model)
    assert result.loss == pytest.approx(fp.loss, rel=1e-12)
    assert bptt.names() == result.grads.names()
    for (name, g), (_, g_ref) in zip(result.grads, bptt):
        assert_allclose(g, g_ref, rtol=1e-10, atol=1e-12, err_msg=name)
    assert_allclose(result.h_last, fp.h_tm[-1], rtol=1e-13)


def test_each_step_gradient_is_bptt_of_that_step_loss_alone(rng):
    """Online: the gradient yielded at step t is dE_t/dθ, what BPTT gives with a target at step t only."""
    p, x, d, model = _problem(rng, 2, 6, 2, 3, 2, "squared", "all")
    for step in rtrl_steps(p, x, d, **model):
        only_t = np.zeros(6, dtype=bool)
        only_t[step.t - 1] = True
        fp = rl.forward(p, x, d, **dict(model, targets=only_t))
        g_ref = rl.backward(p, fp).grads
        assert step.loss == pytest.approx(fp.loss, rel=1e-12)
        assert_allclose(step.grads.flat(), g_ref.flat(), rtol=1e-10, atol=1e-13)


def test_memory_counts():
    assert rtrl_memory(4, 2) == 4 * (16 + 8 + 4)
    assert bptt_memory(10, 4, 2) == 10 * 2 + 10 * 4 + 11 * 4
    # RTRL's memory does not grow with T, BPTT's does.
    assert bptt_memory(1000, 4, 2) > rtrl_memory(4, 2) > bptt_memory(5, 4, 2)


def test_rtrl_refuses_a_gated_cell(rng):
    p = rl.init_gated(2, 3, 1, cell="lstm", rng=rng)
    with pytest.raises(ValueError, match="vanilla cell"):
        rtrl(p, np.zeros((1, 3, 2)), np.zeros((1, 3, 1)))
