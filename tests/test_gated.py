"""LSTM and GRU: every gradient against central differences of the loss, ∂L/∂h_t and ∂L/∂c_t against
perturbations of the states, the state Jacobians against central differences and explicit products,
the constant-error carousel exactly, and the parameter algebra."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import rnnlib as rl
from rnnlib import gated
from rnnlib.gradcheck import numerical_gradient, relative_error

LAYOUTS = [
    ("squared", "all"),
    ("squared", "last"),
    ("squared", "mask"),
    ("cross_entropy", "all"),
    ("cross_entropy", "last"),
    ("cross_entropy", "mask"),
]


def _problem(rng, cell, N, T, D, H, O, loss_name, layout, h0_mode="zeros"):
    p = gated.init_gated(D, H, O, cell=cell, rng=rng, h0_mode=h0_mode)
    p = p.map(lambda a: a + 0.4 * rng.standard_normal(a.shape))  # biases and states away from zero
    x = rng.standard_normal((N, T, D))
    output = "linear" if loss_name == "squared" else "softmax"
    if layout == "mask":
        targets = rng.random((N, T)) < 0.5
        targets[:, -1] = True
    else:
        targets = layout
    if loss_name == "squared":
        d = rng.standard_normal((N, O) if layout == "last" else (N, T, O))
    else:
        d = rng.integers(0, O, size=(N,) if layout == "last" else (N, T))
    return p, x, d, {"output": output, "loss_name": loss_name, "targets": targets}


def _numerical(p, x, d, model, eps=1e-6):
    out = {}
    for name, array in p:
        out[name] = numerical_gradient(lambda: gated.loss(p, x, d, **model), array, eps=eps)
    return out


@settings(max_examples=6)
@given(
    cell=st.sampled_from(["lstm", "gru"]),
    layout=st.sampled_from(LAYOUTS),
    N=st.integers(1, 3),
    T=st.integers(1, 6),
    D=st.integers(1, 3),
    H=st.integers(1, 4),
    h0_mode=st.sampled_from(["zeros", "trainable"]),
    seed=st.integers(0, 2**16),
)
def test_every_gradient_equals_central_differences(cell, layout, N, T, D, H, h0_mode, seed):
    rng = np.random.default_rng(seed)
    loss_name, targets = layout
    p, x, d, model = _problem(rng, cell, N, T, D, H, 3, loss_name, targets, h0_mode)
    _, grads = gated.loss_and_gradients(p, x, d, **model)
    numerical = _numerical(p, x, d, model)
    assert set(numerical) == set(grads.names())
    for name, g in grads:
        assert relative_error(g, numerical[name]) <= 1e-7, (cell, layout, name)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_trainable_initial_state_gets_its_gradient_and_a_carried_state_does_not(cell, rng):
    p, x, d, model = _problem(rng, cell, 2, 4, 2, 3, 2, "squared", "all", "trainable")
    _, grads = gated.loss_and_gradients(p, x, d, **model)
    numerical = _numerical(p, x, d, model)
    assert relative_error(grads.h0, numerical["h0"]) <= 1e-7
    if cell == "lstm":
        assert relative_error(grads.c0, numerical["c0"]) <= 1e-7
        assert "c0" in grads.names()
    carried = gated.backward(p, gated.forward(p, x, d, h0=np.ones((2, 3)), **model)).grads
    assert np.all(carried.h0 == 0)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_delta_h_and_delta_c_are_the_total_derivatives_of_the_loss(cell, rng):
    """∂L/∂h_k (and ∂L/∂c_k) by perturbing the state at step k and re-running the rest from it.

    L = (loss of steps 1..k−1) + E_k(h_k) + (loss of steps k+1..T from (h_k, c_k)); the LSTM's h_k is
    o_k ⊙ tanh(c_k), so perturbing c_k moves h_k too (the total derivative). Squared error, linear read-out.
    """
    N, k = 2, 3
    p, x, d, model = _problem(rng, cell, N, 5, 2, 3, 2, "squared", "all")
    fp = gated.forward(p, x, d, **model)
    result = gated.backward(p, fp)
    before = gated.forward(p, x[:, : k - 1], d[:, : k - 1], **model).loss

    def E_k(h):
        return float(np.sum((h @ p.W_y.T + p.b_y - d[:, k - 1]) ** 2) / N)

    h_k = fp.h_tm[k].copy()
    c_k = fp.c_tm[k].copy() if fp.c_tm is not None else None

    def loss_from_h():
        return before + E_k(h_k) + gated.loss(p, x[:, k:], d[:, k:], h0=h_k, c0=c_k, **model)

    assert_allclose(result.delta[:, k], numerical_gradient(loss_from_h, h_k), rtol=1e-6, atol=1e-9)
    if c_k is not None:
        assert result.delta_c is not None
        o_k = fp.gates_tm[k - 1, :, 9:12]

        def loss_from_c():
            h = o_k * np.tanh(c_k)
            return before + E_k(h) + gated.loss(p, x[:, k:], d[:, k:], h0=h, c0=c_k, **model)

        assert_allclose(result.delta_c[:, k], numerical_gradient(loss_from_c, c_k), rtol=1e-6, atol=1e-9)


def _state_step(p, x_t, s, cell):
    H = p.H
    if cell == "lstm":
        fp = gated.forward(p, x_t[:, None], h0=s[:, :H], c0=s[:, H:])
        return np.concatenate([fp.h_tm[1], fp.c_tm[1]], axis=1)
    return gated.forward(p, x_t[:, None], h0=s).h_tm[1]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_step_jacobians_equal_central_differences_of_one_step(cell, rng):
    p, x, d, model = _problem(rng, cell, 2, 4, 2, 3, 2, "squared", "all")
    fp = gated.forward(p, x, d, **model)
    J = gated.step_jacobians(p, fp)
    t = 3
    s_prev = fp.h_tm[t - 1] if cell == "gru" else np.concatenate([fp.h_tm[t - 1], fp.c_tm[t - 1]], axis=1)
    S = s_prev.shape[1]
    for n in range(2):
        numerical = np.empty((S, S))
        for j in range(S):
            e = np.zeros_like(s_prev)
            e[n, j] = 1e-6
            up = _state_step(p, x[:, t - 1], s_prev + e, cell)[n]
            down = _state_step(p, x[:, t - 1], s_prev - e, cell)[n]
            numerical[:, j] = (up - down) / 2e-6
        assert_allclose(J[t - 1, n], numerical, rtol=1e-6, atol=1e-9)


def test_jacobian_product_and_norms_are_the_explicit_products(rng):
    p, x, d, model = _problem(rng, "lstm", 2, 6, 2, 3, 2, "squared", "all")
    fp = gated.forward(p, x, d, **model)
    J = gated.step_jacobians(p, fp)
    explicit = J[5] @ J[4] @ J[3] @ J[2]  # ∂s_6/∂s_2 = J_6 J_5 J_4 J_3
    assert_allclose(gated.jacobian_product(p, fp, 6, 2), explicit, rtol=1e-12, atol=1e-15)
    assert_allclose(gated.jacobian_product(p, fp, 4, 4), np.broadcast_to(np.eye(6), (2, 6, 6)))
    norms_c = gated.state_jacobian_norms(p, fp, block="c")
    full = J[5] @ J[4] @ J[3] @ J[2] @ J[1] @ J[0]
    want = np.mean([np.linalg.norm(full[n, 3:, 3:], 2) for n in range(2)])
    assert norms_c[0] == pytest.approx(want, rel=1e-12)
    assert norms_c[6] == 1.0


def test_forget_gate_one_and_input_gate_zero_give_the_identity_exactly(rng):
    """The constant-error carousel: f_t = 1, i_t = 0 leaves c unchanged, so ∂c_t/∂c_k = I with no rounding."""
    p = gated.init_gated(2, 3, 1, cell="lstm", rng=rng)
    for name in ("i", "f"):
        p.gate(name, "W_x")[:] = 0.0
        p.gate(name, "W_s")[:] = 0.0
    p.gate("f", "b_h")[:] = 50.0  # σ(50) rounds to 1 in float64
    p.gate("i", "b_h")[:] = -800.0  # σ(−800) underflows to 0
    x = rng.standard_normal((2, 7, 2))
    fp = gated.forward(p, x, c0=rng.standard_normal((2, 3)))
    P = gated.jacobian_product(p, fp, 7, 1)
    assert np.array_equal(P[:, 3:, 3:], np.broadcast_to(np.eye(3), (2, 3, 3)))
    assert np.all(gated.state_jacobian_norms(p, fp, block="c") == 1.0)


def test_gru_conventions_map_by_negating_the_update_gate(rng):
    """h = z h_prev + (1 − z) n with z = σ(a) equals h = (1 − z') h_prev + z' n with z' = σ(−a)."""
    p = gated.init_gated(2, 3, 1, cell="gru", rng=rng)
    x = rng.standard_normal((2, 4, 2))
    fp = gated.forward(p, x)
    z = fp.gates_tm[:, :, :3]
    a_z = np.log(z / (1 - z))
    z_other = 1.0 / (1.0 + np.exp(a_z))  # σ(−a)
    n = fp.gates_tm[:, :, 6:]
    h_other = (1 - z_other) * fp.h_tm[:-1] + z_other * n
    assert_allclose(h_other, fp.h_tm[1:], rtol=1e-12, atol=1e-14)


def test_forget_bias_initialisation(rng):
    p = gated.init_gated(2, 4, 1, cell="lstm", rng=rng, forget_bias=1.5)
    assert np.all(p.gate("f") == 1.5)
    assert np.all(p.gate("i") == 0) and np.all(p.gate("o") == 0)
    W_i = p.gate("i", "W_s")
    assert_allclose(W_i @ W_i.T, np.eye(4), atol=1e-12)  # orthogonal blocks


def test_parameter_algebra_is_rnnparams_algebra(rng):
    p = gated.init_gated(2, 3, 2, cell="lstm", rng=rng, h0_mode="trainable")
    q = p.map(lambda a: rng.standard_normal(a.shape))
    s = p + 2.0 * q - p
    assert_allclose(s.flat(), 2.0 * q.flat())
    assert isinstance(s, gated.GatedParams) and s.cell == "lstm"
    assert p.dot(q) == pytest.approx(float(p.flat() @ q.flat()))
    assert q.norm() == pytest.approx(float(np.linalg.norm(q.flat())))
    assert [name for name, _ in p] == ["W_x", "W_s", "W_y", "b_h", "b_y", "h0", "c0"]
    gru = gated.init_gated(2, 3, 2, cell="gru", rng=rng)
    with pytest.raises(ValueError, match="cell='lstm'"):
        p + gru


def test_errors_name_the_argument(rng):
    p = gated.init_gated(2, 3, 2, cell="lstm", rng=rng)
    with pytest.raises(ValueError, match="x must have shape"):
        gated.forward(p, np.zeros((1, 4, 5)))
    with pytest.raises(ValueError, match="W_s must have shape"):
        gated.GatedParams(np.zeros((12, 2)), np.zeros((9, 3)), np.zeros((2, 3)), np.zeros(12), np.zeros(2))
    with pytest.raises(ValueError, match="cell must be one of"):
        gated.init_gated(2, 3, 2, cell="rnn", rng=rng)
    with pytest.raises(ValueError, match="fp has no loss"):
        gated.backward(p, gated.forward(p, np.zeros((1, 4, 2))))
    with pytest.raises(ValueError, match="c0 must be None"):
        gated.forward(gated.init_gated(2, 3, 2, cell="gru", rng=rng), np.zeros((1, 4, 2)), c0=np.zeros((1, 3)))


# --- the cell interface: truncation, clipping and training accept a gated cell ------------------------


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_truncation_with_k2_covering_the_stream_equals_full_bptt(cell, rng):
    p, x, d, model = _problem(rng, cell, 2, 7, 2, 3, 2, "squared", "all", "trainable")
    _, full = gated.loss_and_gradients(p, x, d, **model)
    result = rl.truncated_bptt(p, x, d, 7, 7, **model)
    assert_allclose(result.grads.flat(), full.flat(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_truncation_in_chunks_is_bptt_of_each_chunk_from_the_carried_state(cell, rng):
    """TBPTT(k, k): each chunk back-propagated alone, its initial state (h, c) held fixed."""
    p, x, d, model = _problem(rng, cell, 2, 6, 2, 3, 2, "cross_entropy", "all")
    result = rl.truncated_bptt(p, x, d, 3, 3, keep_updates=True, **model)
    fp1 = gated.forward(p, x[:, :3], d[:, :3], **model)
    g1 = gated.backward(p, fp1).grads
    c_carry = None if fp1.c_tm is None else fp1.c_tm[3]
    fp2 = gated.forward(p, x[:, 3:], d[:, 3:], h0=fp1.h_tm[3], c0=c_carry, **model)
    g2 = gated.backward(p, fp2).grads
    assert_allclose(result.grads.flat(), (g1 + g2).flat(), rtol=1e-12, atol=1e-14)
    assert result.loss == pytest.approx(fp1.loss + fp2.loss, rel=1e-12)
    assert [u.start for u in result.updates] == [0, 3]
    assert_allclose(result.h_last, fp2.h_tm[-1])


def test_truncation_with_k2_longer_than_k1_reaches_into_the_previous_chunk(rng):
    p, x, d, model = _problem(rng, "lstm", 1, 6, 2, 3, 2, "squared", "last")
    result = rl.truncated_bptt(p, x, d, 3, 5, keep_updates=True, **model)
    # The second update back-propagates E_6 from step 6 to step 2, its window starting at h_1 (held fixed).
    fp = gated.forward(p, x, **{k: v for k, v in model.items() if k == "output"})
    window = gated.forward(p, x[:, 1:], d, h0=fp.h_tm[1], c0=fp.c_tm[1], **model)
    assert result.updates[1].start == 1
    assert_allclose(result.updates[1].grads.flat(), gated.backward(p, window).grads.flat(), rtol=1e-12, atol=1e-14)
    assert np.all(result.updates[0].grads.flat() == 0)  # no loss among steps 1..3


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_train_takes_one_sgd_step_with_the_gated_gradient(cell, rng):
    task = rl.adding_problem(4, 6, 3)
    p = gated.init_gated(2, 3, 1, cell=cell, rng=rng)
    history = rl.train(p, task, steps=1, lr=0.1, clip_mode="norm", threshold=0.5)
    loss, grads = gated.loss_and_gradients(p, task.x, task.d, **task.model)
    clipped = rl.clip(grads, "norm", 0.5).grads
    assert history.loss == [loss]
    assert_allclose(history.params.flat(), (p - 0.1 * clipped).flat(), rtol=1e-14)
    assert rl.evaluate(history.params, task)["loss"] == pytest.approx(
        gated.loss(history.params, task.x, task.d, **task.model)
    )
    truncated = rl.train(p, task, steps=1, lr=0.1, k1=6, k2=6)
    assert_allclose(truncated.params.flat(), (p - 0.1 * grads).flat(), rtol=1e-12)


def test_a_gated_cell_refuses_an_activation(rng):
    p = gated.init_gated(2, 3, 1, cell="lstm", rng=rng)
    task = rl.adding_problem(2, 4, 0)
    with pytest.raises(ValueError, match="activation must be None"):
        rl.train(p, task, steps=1, lr=0.1, activation="relu")
    with pytest.raises(ValueError, match="vanilla RNNParams"):
        rl.randomized_truncated_bptt(p, task.x, task.d, 2, 2, 0.5, 0, **task.model)
