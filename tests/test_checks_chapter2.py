"""Tests for rnnlib.course.checks.chapter2: the total-loss exercise."""

import numpy as np
import pytest

from rnnlib.course.checks import CheckFailed
from rnnlib.course.checks.chapter2 import check_total_loss


def reference(y_hat, d, targets):
    N = y_hat.shape[0]
    if targets == "last":
        return np.sum((y_hat[:, -1] - d) ** 2) / N
    return np.sum((y_hat - d) ** 2) / N


def test_reference_solution_passes(capsys):
    assert check_total_loss(reference)
    assert "✓ total_loss: correct on all 6 cases" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, expected",
    [
        (lambda y_hat, d, targets: reference(y_hat, d, targets) * y_hat.shape[0], "did not divide by the number"),
        (
            lambda y_hat, d, targets: np.sum((y_hat - (d[:, None] if targets == "last" else d)) ** 2) / y_hat.shape[0],
            "compared every step",
        ),
        (lambda y_hat, d, targets: reference(y_hat, d, targets) / 2, "factor 1/2"),
        (
            lambda y_hat, d, targets: reference(y_hat[:, -1:], d[:, -1:] if targets == "all" else d, "all"),
            "only the last step",
        ),
        (
            lambda y_hat, d, targets: reference(y_hat, d, targets) / (y_hat.shape[1] if targets == "all" else 1),
            "averaged over the time steps",
        ),
    ],
)
def test_wrong_solutions_fail_with_a_message_that_names_the_mistake(wrong, expected):
    result = check_total_loss(wrong, raise_on_failure=False)
    assert not result.passed
    assert expected in result.message


def test_bad_code_gets_a_message_not_a_traceback():
    def raises(y_hat, d, targets):
        return y_hat @ d  # shapes do not fit

    def nan(y_hat, d, targets):
        return np.nan

    def per_step(y_hat, d, targets):
        return np.sum((y_hat - d) ** 2, axis=(0, 2))

    def text(y_hat, d, targets):
        return "L"

    messages = {f.__name__: check_total_loss(f, raise_on_failure=False).message for f in (raises, nan, per_step, text)}
    assert "raised ValueError" in messages["raises"]
    assert "not finite" in messages["nan"]
    assert "expected a single number" in messages["per_step"]
    assert "expected a number" in messages["text"]
    with pytest.raises(CheckFailed):
        check_total_loss(nan)


def first_sequence_only(y_hat, d, targets):
    """Written for one sequence: reads row 0 of the batch and forgets the others."""
    return reference(y_hat[:1], d[:1], targets)


def float32_loss(y_hat, d, targets):
    return np.float32(reference(y_hat, d, targets))


def subtracts_in_place(y_hat, d, targets):
    diff = y_hat  # not a copy: the next line changes the caller's y_hat
    diff -= d if targets == "all" else d[:, None, :]
    E = np.sum(diff**2, axis=2)
    return float((E.sum() if targets == "all" else E[:, -1].sum()) / y_hat.shape[0])


@pytest.mark.parametrize(
    "wrong, expected",
    [
        (first_sequence_only, "right for a single sequence (N = 1) but not for a batch"),
        (float32_loss, "your result is float32; compute in float64"),
        (subtracts_in_place, "modified its argument 'y_hat' in place"),
    ],
)
def test_n1_only_float32_and_in_place_are_named(wrong, expected):
    result = check_total_loss(wrong, raise_on_failure=False)
    assert not result and expected in result.message
    assert check_total_loss(reference, raise_on_failure=False)
