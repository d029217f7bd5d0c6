"""The chapter-3 checks pass the reference solutions and name the common mistakes."""

import numpy as np
import pytest

from rnnlib.course.checks import CheckFailed
from rnnlib.course.checks.chapter3 import check_delta_recursion, check_output_gradient


def dL_dWy_reference(h, dL_do):
    return dL_do.T @ h


def deltas_reference(W_s, W_y, fprime, dL_do):
    T, H = fprime.shape
    delta = np.zeros((T, H))
    message = np.zeros(H)
    for t in range(T - 1, -1, -1):
        delta[t] = W_y.T @ dL_do[t] + message
        message = W_s.T @ (fprime[t] * delta[t])
    return delta


def deltas_untransposed(W_s, W_y, fprime, dL_do):
    T, H = fprime.shape
    delta = np.zeros((T, H))
    message = np.zeros(H)
    for t in range(T - 1, -1, -1):
        delta[t] = W_y.T @ dL_do[t] + message
        message = W_s @ (fprime[t] * delta[t])
    return delta


def deltas_without_fprime(W_s, W_y, fprime, dL_do):
    T, H = fprime.shape
    delta = np.zeros((T, H))
    message = np.zeros(H)
    for t in range(T - 1, -1, -1):
        delta[t] = W_y.T @ dL_do[t] + message
        message = W_s.T @ delta[t]
    return delta


def deltas_dropped_step(W_s, W_y, fprime, dL_do):
    delta = deltas_reference(W_s, W_y, fprime, dL_do)
    delta[0] = W_y.T @ dL_do[0]  # forgot the message into the first state
    return delta


def test_output_gradient_reference_passes(capsys):
    assert check_output_gradient(dL_dWy_reference)
    assert "correct on all" in capsys.readouterr().out


def test_output_gradient_wrong_sign_is_named():
    result = check_output_gradient(lambda h, dL_do: -(dL_do.T @ h), raise_on_failure=False)
    assert not result and "sign looks flipped" in result.message


def test_output_gradient_only_last_step_fails():
    result = check_output_gradient(lambda h, dL_do: np.outer(dL_do[-1], h[-1]), raise_on_failure=False)
    assert not result and "relative error" in result.message


def test_output_gradient_transposed_shape_is_named():
    result = check_output_gradient(lambda h, dL_do: h.T @ dL_do, raise_on_failure=False)
    assert not result and "shape" in result.message


def test_delta_reference_passes():
    assert check_delta_recursion(deltas_reference)


@pytest.mark.parametrize(
    "wrong, words",
    [
        (deltas_untransposed, "not transposed"),
        (deltas_without_fprime, "f′(a_{t+1}) is missing"),
        (lambda W_s, W_y, fprime, dL_do: -deltas_reference(W_s, W_y, fprime, dL_do), "sign looks flipped"),
        (deltas_dropped_step, "δ_T is right"),
    ],
)
def test_delta_mistakes_are_named(wrong, words):
    result = check_delta_recursion(wrong, raise_on_failure=False)
    assert not result
    assert words in result.message


def test_delta_failure_raises_check_failed():
    with pytest.raises(CheckFailed):
        check_delta_recursion(deltas_untransposed)


@pytest.mark.parametrize(
    "bad, words",
    [
        (lambda W_s, W_y, fprime, dL_do: 1 / 0, "ZeroDivisionError"),
        (lambda W_s, W_y, fprime, dL_do: np.full(fprime.shape, np.nan), "NaN"),
        (lambda W_s, W_y, fprime, dL_do: np.zeros((fprime.shape[0] + 1, fprime.shape[1])), "shape"),
        (lambda W_s, W_y, fprime, dL_do: None, "forget the `return`"),
    ],
)
def test_delta_bad_code_gets_a_message(bad, words):
    result = check_delta_recursion(bad, raise_on_failure=False)
    assert not result and words in result.message


def test_not_implemented_is_reported():
    def todo(h, dL_do):
        raise NotImplementedError

    result = check_output_gradient(todo, raise_on_failure=False)
    assert not result and "not implemented yet" in result.message


def _deltas_loop(W_s, W_y, fprime, dL_do, steps, carry=True, shift=0):
    T, H = fprime.shape
    delta, message = np.zeros((T, H)), np.zeros(H)
    for t in steps:
        delta[t] = W_y.T @ dL_do[t] + (message if carry else 0)
        message = W_s.T @ (fprime[max(t + shift, 0)] * delta[t])
    return delta


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"forwards": True}, "loop runs forwards"),
        ({"carry": False}, "message from step t+1 is never added"),
        ({"shift": -1}, "one step off"),
    ],
)
def test_delta_recursion_time_mistakes_are_named(kwargs, words):
    def wrong(W_s, W_y, fprime, dL_do):
        T = fprime.shape[0]
        steps = range(T) if kwargs.get("forwards") else range(T - 1, -1, -1)
        return _deltas_loop(W_s, W_y, fprime, dL_do, steps, kwargs.get("carry", True), kwargs.get("shift", 0))

    result = check_delta_recursion(wrong, raise_on_failure=False)
    assert not result and words in result.message


def dL_dWy_previous_state(h, dL_do):
    """Pairs ∂L/∂o_t with h_{t-1}: one step off in time."""
    earlier = np.vstack([np.zeros((1, h.shape[1])), h[:-1]])
    return dL_do.T @ earlier


@pytest.mark.parametrize(
    "wrong, words",
    [
        (dL_dWy_previous_state, "off by one step in time"),
        (lambda h, dL_do: dL_dWy_reference(h, dL_do) / h.shape[0], "averaged over the steps"),
        (lambda h, dL_do: dL_dWy_reference(h, dL_do).astype(np.float32), "your result is float32"),
    ],
)
def test_output_gradient_time_mean_and_dtype_mistakes_are_named(wrong, words):
    result = check_output_gradient(wrong, raise_on_failure=False)
    assert not result and words in result.message
    assert check_output_gradient(dL_dWy_reference, raise_on_failure=False)


def deltas_fprime_in_place(W_s, W_y, fprime, dL_do):
    fprime *= 1.0  # harmless on its own; the next line is the slip
    fprime[-1] = 0.0  # "nothing arrives after T": zeroes the caller's f′(a_T)
    return deltas_reference(W_s, W_y, fprime, dL_do)


def test_delta_in_place_and_float32_are_named():
    result = check_delta_recursion(deltas_fprime_in_place, raise_on_failure=False)
    assert not result and "modified its argument 'fprime' in place" in result.message
    result = check_delta_recursion(
        lambda W_s, W_y, fprime, dL_do: deltas_reference(W_s, W_y, fprime, dL_do).astype(np.float32),
        raise_on_failure=False,
    )
    assert not result and "your result is float32; compute in float64" in result.message
    assert check_delta_recursion(deltas_reference, raise_on_failure=False)
