"""The chapter-5 check passes the reference chunked loop and names the common mistakes."""

import numpy as np
import pytest

import rnnlib as rl
from rnnlib.course.checks import CheckFailed
from rnnlib.course.checks.chapter5 import check_chunked_bptt


def _loop(params, x, d, k, activation, *, carry=True):
    T = x.shape[1]
    total, grads, h = 0.0, params.zeros_like(), None
    for start in range(0, T, k):
        fp = rl.forward(params, x[:, start : start + k], d[:, start : start + k], activation=activation, h0=h)
        res = rl.backward(params, fp)
        total += fp.loss
        for name, g in grads.items():
            g += getattr(res.grads, name)
        h = fp.h[:, -1] if carry else None
    return total, grads


def chunked_reference(params, x, d, k, activation="tanh"):
    return _loop(params, x, d, k, activation)


def chunked_reset(params, x, d, k, activation="tanh"):
    return _loop(params, x, d, k, activation, carry=False)


def chunked_full_bptt(params, x, d, k, activation="tanh"):
    return rl.loss_and_gradients(params, x, d, activation=activation)


def chunked_last_chunk_only(params, x, d, k, activation="tanh"):
    T = x.shape[1]
    h, total = None, 0.0
    for start in range(0, T, k):
        fp = rl.forward(params, x[:, start : start + k], d[:, start : start + k], activation=activation, h0=h)
        total += fp.loss
        res = rl.backward(params, fp)
        h = fp.h[:, -1]
    return total, res.grads


def chunked_dict_transposed(params, x, d, k, activation="tanh"):
    loss, grads = chunked_reference(params, x, d, k, activation)
    out = dict(grads.items())
    out["W_x"] = out["W_x"].T.copy()  # (D, H) instead of (H, D)
    return loss, out


def chunked_raises(params, x, d, k, activation="tanh"):
    return x[:, :k] @ params.W_s  # shapes do not match


def chunked_nan(params, x, d, k, activation="tanh"):
    loss, grads = chunked_reference(params, x, d, k, activation)
    grads.W_y[...] = np.nan
    return loss, grads


def chunked_not_implemented(params, x, d, k, activation="tanh"):
    raise NotImplementedError


def test_reference_solution_passes(capsys):
    result = check_chunked_bptt(chunked_reference)
    assert result.passed
    assert "✓" in capsys.readouterr().out


def test_resetting_the_state_is_named():
    with pytest.raises(CheckFailed, match="starts every chunk from h = 0"):
        check_chunked_bptt(chunked_reset)


def test_backpropagating_across_chunks_is_named():
    with pytest.raises(CheckFailed, match="across chunk"):
        check_chunked_bptt(chunked_full_bptt)


def test_forgetting_to_sum_the_chunks_gives_a_relative_error():
    with pytest.raises(CheckFailed, match="relative error"):
        check_chunked_bptt(chunked_last_chunk_only)


def test_wrong_shape_is_reported_with_the_shape():
    with pytest.raises(CheckFailed, match=r"grads.W_x: shape .*transposed"):
        check_chunked_bptt(chunked_dict_transposed)


def test_exception_becomes_a_message():
    result = check_chunked_bptt(chunked_raises, raise_on_failure=False)
    assert not result.passed
    assert "raised ValueError" in result.message


def test_nan_is_reported():
    with pytest.raises(CheckFailed, match="NaN"):
        check_chunked_bptt(chunked_nan)


def test_not_implemented_and_non_functions_are_messages():
    assert "not implemented" in check_chunked_bptt(chunked_not_implemented, raise_on_failure=False).message
    assert "expected a function" in check_chunked_bptt(42, raise_on_failure=False).message


def test_wrong_return_type_is_a_message():
    result = check_chunked_bptt(lambda params, x, d, k, activation="tanh": 1.0, raise_on_failure=False)
    assert "expected a tuple (loss, grads)" in result.message


def chunked_ignores_activation(params, x, d, k, activation="tanh"):
    return _loop(params, x, d, k, "tanh")


def test_ignoring_the_activation_argument_is_named():
    result = check_chunked_bptt(chunked_ignores_activation, raise_on_failure=False)
    assert not result and "`activation` argument is ignored" in result.message


def chunked_first_state_for_all(params, x, d, k, activation="tanh"):
    """Written for one sequence: carries the first sequence's state into every sequence's next chunk."""
    total, grads, h = 0.0, params.zeros_like(), None
    for start in range(0, x.shape[1], k):
        fp = rl.forward(params, x[:, start : start + k], d[:, start : start + k], activation=activation, h0=h)
        total += fp.loss
        grads = grads + rl.backward(params, fp).grads
        h = np.repeat(fp.h[:1, -1], x.shape[0], axis=0)
    return total, grads


def chunked_mean_over_chunks(params, x, d, k, activation="tanh"):
    loss, grads = chunked_reference(params, x, d, k, activation)
    chunks = x.shape[1] // k
    return loss / chunks, (1.0 / chunks) * grads


def chunked_centres_inputs_in_place(params, x, d, k, activation="tanh"):
    x -= 0.0 * x + x.mean()  # "normalise" the stream: writes into the caller's x
    return chunked_reference(params, x, d, k, activation)


def chunked_float32(params, x, d, k, activation="tanh"):
    loss, grads = chunked_reference(params, x, d, k, activation)
    return np.float32(loss), {name: g.astype(np.float32) for name, g in grads.items()}


@pytest.mark.parametrize(
    "wrong, words",
    [
        (chunked_first_state_for_all, "right for a single sequence (N = 1) but not for a batch"),
        (chunked_mean_over_chunks, "averaged over the"),
        (chunked_centres_inputs_in_place, "modified its argument 'x' in place"),
        (chunked_float32, "your result is float32; compute in float64"),
    ],
)
def test_n1_only_mean_in_place_and_float32_are_named(wrong, words):
    result = check_chunked_bptt(wrong, raise_on_failure=False)
    assert not result and words in result.message
    assert check_chunked_bptt(chunked_reference, raise_on_failure=False)


def chunked_stops_one_chunk_early(params, x, d, k, activation="tanh"):
    """range(0, T - k, k): the loop never reaches the last chunk."""
    total, grads, h = 0.0, params.zeros_like(), None
    for start in range(0, x.shape[1] - k, k):
        fp = rl.forward(params, x[:, start : start + k], d[:, start : start + k], activation=activation, h0=h)
        total += fp.loss
        grads = grads + rl.backward(params, fp).grads
        h = fp.h[:, -1]
    return total, grads


def test_a_chunk_left_out_is_named_as_an_off_by_one():
    result = check_chunked_bptt(chunked_stops_one_chunk_early, raise_on_failure=False)
    assert not result and "the last chunk is left out (off by one" in result.message
