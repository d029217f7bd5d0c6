"""Tests for rnnlib.course.checks.chapter1: the step_forward exercise."""

import numpy as np
import pytest

from rnnlib.course.checks import CheckFailed
from rnnlib.course.checks.chapter1 import check_step_forward


def reference(x_t, h_prev, W_x, W_s, b_h):
    a_t = W_s @ h_prev + W_x @ x_t + b_h
    return a_t, np.tanh(a_t)


def test_reference_solution_passes(capsys):
    assert check_step_forward(reference)
    assert "✓ step_forward: correct on all 5 cases" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, expected",
    [
        (lambda x_t, h_prev, W_x, W_s, b_h: reference(x_t, h_prev, W_x, W_s.T, b_h), "W_s transposed"),
        (lambda x_t, h_prev, W_x, W_s, b_h: reference(x_t, h_prev, W_x, W_s, 0.0), "bias b_h is missing"),
        (lambda x_t, h_prev, W_x, W_s, b_h: reference(x_t, h_prev, W_x, np.diag(np.diag(W_s)), b_h), "diagonal of W_s"),
        (lambda x_t, h_prev, W_x, W_s, b_h: (W_s * h_prev + (W_x @ x_t + b_h)[:, None],) * 2, "element by element"),
        (lambda x_t, h_prev, W_x, W_s, b_h: (reference(x_t, h_prev, W_x, W_s, b_h)[0],) * 2, "apply the activation"),
    ],
)
def test_wrong_solutions_fail_with_a_message_that_names_the_mistake(wrong, expected):
    result = check_step_forward(wrong, raise_on_failure=False)
    assert not result.passed
    assert expected in result.message


def test_transposed_w_x_fails_on_square_or_with_its_exception():
    def transposed(x_t, h_prev, W_x, W_s, b_h):
        a_t = W_s @ h_prev + W_x.T @ x_t + b_h
        return a_t, np.tanh(a_t)

    result = check_step_forward(transposed, raise_on_failure=False)
    assert not result.passed
    assert "ValueError" in result.message or "W_x transposed" in result.message


def test_bad_code_gets_a_message_not_a_traceback():
    def raises(x_t, h_prev, W_x, W_s, b_h):
        raise KeyError("oops")

    def nan(x_t, h_prev, W_x, W_s, b_h):
        a_t, h_t = reference(x_t, h_prev, W_x, W_s, b_h)
        return a_t, h_t * np.nan

    def wrong_shape(x_t, h_prev, W_x, W_s, b_h):
        a_t, h_t = reference(x_t, h_prev, W_x, W_s, b_h)
        return a_t[None], h_t[None]

    def one_output(x_t, h_prev, W_x, W_s, b_h):
        return reference(x_t, h_prev, W_x, W_s, b_h)[1]

    def todo(x_t, h_prev, W_x, W_s, b_h):
        raise NotImplementedError

    messages = {
        f.__name__: check_step_forward(f, raise_on_failure=False).message
        for f in (raises, nan, wrong_shape, one_output, todo)
    }
    assert "raised KeyError" in messages["raises"]
    assert "NaN" in messages["nan"]
    assert "shape (1, " in messages["wrong_shape"]
    assert "expected a tuple (a_t, h_t)" in messages["one_output"]
    assert "not implemented yet" in messages["todo"]
    with pytest.raises(CheckFailed):
        check_step_forward(raises)
    assert "expected a function" in check_step_forward(42, raise_on_failure=False).message


def test_messages_do_not_reveal_the_answer():
    def off(x_t, h_prev, W_x, W_s, b_h):
        a_t, h_t = reference(x_t, h_prev, W_x, W_s, b_h)
        return a_t + 1.0, h_t

    result = check_step_forward(off, raise_on_failure=False)
    assert "relative error" in result.message and "[" not in result.message


def _float32(x_t, h_prev, W_x, W_s, b_h):
    a_t, h_t = reference(x_t, h_prev, W_x, W_s, b_h)
    return a_t.astype(np.float32), h_t.astype(np.float32)


def _bias_in_place(x_t, h_prev, W_x, W_s, b_h):
    b_h += W_x @ x_t  # folds the input term into the bias: changes the caller's b_h
    a_t = W_s @ h_prev + b_h
    return a_t, np.tanh(a_t)


@pytest.mark.parametrize(
    "wrong, expected",
    [
        (lambda x_t, h_prev, W_x, W_s, b_h: reference(x_t, h_prev, W_x, W_s, b_h)[::-1], "a_t and h_t are swapped"),
        (
            lambda x_t, h_prev, W_x, W_s, b_h: (
                reference(x_t, h_prev, W_x, W_s, b_h)[0],
                1 / (1 + np.exp(-reference(x_t, h_prev, W_x, W_s, b_h)[0])),
            ),
            "sigmoid of a_t",
        ),
        (_float32, "your result is float32; compute in float64"),
        (_bias_in_place, "modified its argument 'b_h' in place"),
    ],
)
def test_swapped_sigmoid_float32_and_in_place_are_named(wrong, expected):
    result = check_step_forward(wrong, raise_on_failure=False)
    assert not result and expected in result.message
    if "float32" in expected:  # the precision is named instead of a misleading relative error
        assert "relative error" not in result.message
    assert check_step_forward(reference, raise_on_failure=False)
