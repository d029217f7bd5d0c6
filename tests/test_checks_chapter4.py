"""The chapter-4 checks pass the reference solutions and name the common mistakes."""

import numpy as np
import pytest

from rnnlib.course.checks import CheckFailed
from rnnlib.course.checks.chapter4 import check_bptt, check_step_backward


def step_backward_reference(dh, cache):
    da = dh * (1.0 - cache["h"] ** 2)
    return da @ cache["W_s"], da @ cache["W_x"], da.T @ cache["x"], da.T @ cache["h_prev"], da.sum(axis=0)


def step_backward_untransposed(dh, cache):
    da = dh * (1.0 - cache["h"] ** 2)
    return da @ cache["W_s"].T, da @ cache["W_x"], da.T @ cache["x"], da.T @ cache["h_prev"], da.sum(axis=0)


def step_backward_no_fprime(dh, cache):
    return dh @ cache["W_s"], dh @ cache["W_x"], dh.T @ cache["x"], dh.T @ cache["h_prev"], dh.sum(axis=0)


def step_backward_wrong_sign(dh, cache):
    dh_prev, dx, dW_x, dW_s, db_h = step_backward_reference(dh, cache)
    return dh_prev, dx, -dW_x, dW_s, db_h


def step_backward_transposed_dWs(dh, cache):
    dh_prev, dx, dW_x, dW_s, db_h = step_backward_reference(dh, cache)
    return dh_prev, dx, dW_x, dW_s.T, db_h


def step_backward_without_dx(dh, cache):
    dh_prev, _, dW_x, dW_s, db_h = step_backward_reference(dh, cache)
    return dh_prev, dW_x, dW_s, db_h


def bptt_reference(caches, dh_out, weights):
    T = len(caches)
    dW_x = np.zeros_like(caches[0]["W_x"])
    dW_s = np.zeros_like(caches[0]["W_s"])
    db_h = np.zeros(caches[0]["W_s"].shape[0])
    message = np.zeros_like(dh_out[0])
    for t in range(T - 1, -1, -1):
        message, _, gx, gs, gb = step_backward_reference(weights[t] * dh_out[t] + message, caches[t])
        dW_x += gx
        dW_s += gs
        db_h += gb
    return dW_x, dW_s, db_h, message


def test_step_backward_reference_passes(capsys):
    assert check_step_backward(step_backward_reference)
    assert "correct on all 5 cases" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, output, words",
    [
        (step_backward_untransposed, "dh_prev", "untransposed"),
        (step_backward_no_fprime, "dh_prev", "f′(a_t) = 1 − h_t² is missing"),
        (step_backward_wrong_sign, "dW_x", "sign looks flipped"),
        (step_backward_transposed_dWs, "dW_s", "transposed"),
    ],
)
def test_step_backward_mistakes_are_named(wrong, output, words):
    result = check_step_backward(wrong, raise_on_failure=False)
    assert not result
    assert output in result.message and words in result.message


@pytest.mark.parametrize(
    "bad, words",
    [
        (lambda dh, cache: [][1], "IndexError"),
        (lambda dh, cache: (np.full_like(dh, np.nan),) * 5, "NaN"),
        (lambda dh, cache: dh, "expected a tuple"),
        (step_backward_without_dx, "(dh_prev, dx, dW_x, dW_s, db_h) of 5 arrays"),
        (lambda dh, cache: (dh, dh, dh, dh, dh), "shape"),
    ],
)
def test_step_backward_bad_code_gets_a_message(bad, words):
    result = check_step_backward(bad, raise_on_failure=False)
    assert not result and words in result.message


def test_step_backward_failure_raises_check_failed():
    with pytest.raises(CheckFailed):
        check_step_backward(step_backward_no_fprime)


def test_bptt_reference_passes(capsys):
    assert check_bptt(bptt_reference)
    assert "correct on all 3 cases" in capsys.readouterr().out


def test_bptt_expected_values_are_rnnlib_gradients_of_the_weighted_loss():
    """Independent of the check's own code: with 0/1 weights the weighted loss is rnnlib's masked
    loss, and the reference loop reproduces rl.backward on it."""
    import rnnlib as rl
    from rnnlib.course.checks.chapter4 import make_cache
    from rnnlib.rnn import output_gradients

    rng = np.random.default_rng(1)
    params = rl.init_params(2, 3, 2, rng=rng, recurrent="gaussian_sigma", scale=1.1)
    x, d = rng.standard_normal((3, 5, 2)), rng.standard_normal((3, 5, 2))
    mask = np.array([True, False, True, False, True])
    fp = rl.forward(params, x, d, targets=mask)
    full = rl.forward(params, x, d)
    caches = [make_cache(params, full.x_tm[t], full.h_tm[t])[0] for t in range(5)]
    _, _, dh_out = output_gradients(full.dO_tm, full.h_tm[1:], params.W_y)
    got = bptt_reference(caches, dh_out, mask.astype(float))
    want = rl.backward(params, fp)
    for g, w in zip(got, (want.grads.W_x, want.grads.W_s, want.grads.b_h, want.delta[:, 0])):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-14)


def _bptt_loop(caches, dh_out, steps, incoming):
    dW_x = np.zeros_like(caches[0]["W_x"])
    dW_s = np.zeros_like(caches[0]["W_s"])
    db_h = np.zeros(caches[0]["W_s"].shape[0])
    message = np.zeros_like(dh_out[0])
    for t in steps:
        message, _, gx, gs, gb = step_backward_reference(incoming(t, message), caches[t])
        dW_x, dW_s, db_h = dW_x + gx, dW_s + gs, db_h + gb
    return dW_x, dW_s, db_h, message


def backwards(caches):
    return range(len(caches) - 1, -1, -1)


def bptt_forwards(caches, dh_out, weights):
    return _bptt_loop(caches, dh_out, range(len(caches)), lambda t, m: weights[t] * dh_out[t] + m)


def bptt_without_carry(caches, dh_out, weights):
    return _bptt_loop(caches, dh_out, backwards(caches), lambda t, m: weights[t] * dh_out[t])


def bptt_weighted_carry(caches, dh_out, weights):
    return _bptt_loop(caches, dh_out, backwards(caches), lambda t, m: weights[t] * (dh_out[t] + m))


def bptt_unweighted(caches, dh_out, weights):
    return _bptt_loop(caches, dh_out, backwards(caches), lambda t, m: dh_out[t] + m)


def bptt_off_by_one(caches, dh_out, weights):
    zero = np.zeros_like(dh_out[0])
    return _bptt_loop(
        caches, dh_out, backwards(caches), lambda t, m: (weights[t - 1] * dh_out[t - 1] if t else zero) + m
    )


def bptt_mean(caches, dh_out, weights):
    dW_x, dW_s, db_h, dh0 = bptt_reference(caches, dh_out, weights)
    T = len(caches)
    return dW_x / T, dW_s / T, db_h / T, dh0


def bptt_single_sequence(caches, dh_out, weights):
    """Written for one sequence: takes row 0 of each step's gradient, which a batch broadcasts."""
    return _bptt_loop(caches, dh_out, backwards(caches), lambda t, m: weights[t] * dh_out[t][0] + m)


def bptt_single_sequence_raising(caches, dh_out, weights):
    """Written for one sequence with explicit shapes: fails on a batch."""
    H = dh_out.shape[2]
    message = np.zeros(H)
    for t in backwards(caches):
        message = message.reshape(1, H) + weights[t] * dh_out[t]
        message = message.reshape(H)
    return bptt_reference(caches, dh_out, weights)


@pytest.mark.parametrize(
    "wrong, words",
    [
        (bptt_forwards, "loop runs forwards in time"),
        (bptt_without_carry, "message carried back from step t+1"),
        (bptt_weighted_carry, "multiplies the message carried back"),
        (bptt_unweighted, "the weights are ignored"),
        (bptt_off_by_one, "off by one step"),
        (bptt_mean, "averaged over the steps"),
        (bptt_single_sequence, "right for a single sequence (N = 1)"),
        (bptt_single_sequence_raising, "right for a single sequence (N = 1)"),
    ],
)
def test_bptt_mistakes_are_named(wrong, words):
    result = check_bptt(wrong, raise_on_failure=False)
    assert not result and words in result.message


def test_bptt_stub_and_old_signature_get_a_message():
    def stub(caches, dh_out, weights):
        raise NotImplementedError

    result = check_bptt(stub, raise_on_failure=False)
    assert not result and "not implemented yet" in result.message
    result = check_bptt(lambda caches, dh_out: None, raise_on_failure=False)
    assert not result and "could not be called as bptt(caches, dh_out, weights)" in result.message
    with pytest.raises(CheckFailed):
        check_bptt(bptt_unweighted)


def test_step_backward_returning_none_is_named():
    result = check_step_backward(lambda dh, cache: None, raise_on_failure=False)
    assert not result and "forget the `return`" in result.message


def test_step_backward_gives_partial_credit_per_output(capsys):
    assert float(check_step_backward(step_backward_reference, out_of=1)) == 1.0

    def dW_x_wrong(dh, cache):
        dh_prev, dx, dW_x, dW_s, db_h = step_backward_reference(dh, cache)
        return dh_prev, dx, 2 * dW_x, dW_s, db_h

    capsys.readouterr()
    score = check_step_backward(dW_x_wrong, out_of=5)
    assert float(score) == 4.0 and repr(score) == "4"
    out = capsys.readouterr().out
    assert out.count("✗ step_backward") == 1 and "Right on every case: dh_prev, dx, dW_s, db_h." in out
    with pytest.raises(CheckFailed, match="not implemented"):
        check_step_backward(lambda dh, cache: (_ for _ in ()).throw(NotImplementedError()), out_of=1)
    assert "✗" not in capsys.readouterr().out  # the raised verdict is the only copy


def test_step_backward_partial_credit_names_bad_points():
    with pytest.raises(ValueError, match="out_of: expected a positive number of points, got 0"):
        check_step_backward(step_backward_reference, out_of=0)


def step_backward_first_row_bias(dh, cache):
    """Written for one sequence: db_h is the row of da, right only when N = 1."""
    dh_prev, dx, dW_x, dW_s, _ = step_backward_reference(dh, cache)
    return dh_prev, dx, dW_x, dW_s, (dh * (1.0 - cache["h"] ** 2))[0]


def step_backward_reshaping(dh, cache):
    """Written for one sequence with explicit shapes: raises on a batch."""
    H = cache["W_s"].shape[0]
    da = (dh * (1.0 - cache["h"] ** 2)).reshape(H)
    return (
        (da @ cache["W_s"])[None],
        (da @ cache["W_x"])[None],
        np.outer(da, cache["x"]),
        np.outer(da, cache["h_prev"]),
        da,
    )


def step_backward_in_place(dh, cache):
    dh *= 1.0 - cache["h"] ** 2  # turns the caller's dh into da
    return dh @ cache["W_s"], dh @ cache["W_x"], dh.T @ cache["x"], dh.T @ cache["h_prev"], dh.sum(axis=0)


def step_backward_sigmoid(dh, cache):
    da = dh * cache["h"] * (1.0 - cache["h"])
    return da @ cache["W_s"], da @ cache["W_x"], da.T @ cache["x"], da.T @ cache["h_prev"], da.sum(axis=0)


def step_backward_batch_mean(dh, cache):
    dh_prev, dx, dW_x, dW_s, db_h = step_backward_reference(dh, cache)
    N = dh.shape[0]
    return dh_prev, dx, dW_x / N, dW_s / N, db_h / N


def step_backward_swapped(dh, cache):
    dh_prev, dx, dW_x, dW_s, db_h = step_backward_reference(dh, cache)
    return dx, dh_prev, dW_x, dW_s, db_h


@pytest.mark.parametrize(
    "wrong, words",
    [
        (step_backward_first_row_bias, "right for a single sequence (N = 1) but not for a batch"),
        (step_backward_reshaping, "Your function is right for a single sequence (N = 1)"),
        (step_backward_in_place, "modified its argument 'dh' in place"),
        (step_backward_sigmoid, "sigmoid's"),
        (step_backward_batch_mean, "averaged over the batch"),
        (step_backward_swapped, "dh_prev and dx are swapped"),
        (
            lambda dh, cache: tuple(np.float32(g) for g in step_backward_reference(dh, cache)),
            "float32; compute in float64",
        ),
    ],
)
def test_step_backward_whole_answer_mistakes_are_named(wrong, words):
    result = check_step_backward(wrong, raise_on_failure=False)
    assert not result and words in result.message
    assert check_step_backward(step_backward_reference, raise_on_failure=False)


def bptt_accumulates_into_dh_out(caches, dh_out, weights):
    dW_x = np.zeros_like(caches[0]["W_x"])
    dW_s = np.zeros_like(caches[0]["W_s"])
    db_h = np.zeros(caches[0]["W_s"].shape[0])
    message = np.zeros_like(dh_out[0])
    for t in range(len(caches) - 1, -1, -1):
        delta = dh_out[t]  # a view: the += below writes into the caller's dh_out
        delta *= weights[t]
        delta += message
        message, _, gx, gs, gb = step_backward_reference(delta, caches[t])
        dW_x, dW_s, db_h = dW_x + gx, dW_s + gs, db_h + gb
    return dW_x, dW_s, db_h, message


def test_bptt_in_place_and_float32_are_named():
    result = check_bptt(bptt_accumulates_into_dh_out, raise_on_failure=False)
    assert not result and "modified its argument 'dh_out' in place" in result.message
    result = check_bptt(
        lambda caches, dh_out, weights: tuple(g.astype(np.float32) for g in bptt_reference(caches, dh_out, weights)),
        raise_on_failure=False,
    )
    assert not result and "your result is float32; compute in float64" in result.message
    assert check_bptt(bptt_reference, raise_on_failure=False)
