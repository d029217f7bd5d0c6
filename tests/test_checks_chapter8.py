"""The chapter-8 check passes rnnlib's own generator and the reference solution, and fails wrong
generators with a message (never a traceback)."""

import numpy as np
import pytest

import rnnlib as rl
from rnnlib.course.checks import CheckFailed
from rnnlib.course.checks.chapter8 import check_adding_problem


def reference(n, T, rng):
    """A correct generator: rnnlib's own (the notebook's solution is run by nbval against the check)."""
    task = rl.adding_problem(n, T, rng)
    return task.x, task.d


def different_draw_order(n, T, rng):
    """Correct, but draws the marker positions before the values: it need not match rnnlib draw for draw."""
    half = T // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, T, size=n)
    values = rng.random((n, T))
    markers = np.zeros((n, T))
    markers[np.arange(n), first] = 1
    markers[np.arange(n), second] = 1
    return np.stack([values, markers], axis=-1), (values * markers).sum(axis=1, keepdims=True)


def both_markers_in_first_half(n, T, rng):
    x, d = reference(n, T, rng)
    values = x[:, :, 0]
    markers = np.zeros((n, T))
    markers[:, [0, 1]] = 1.0  # positions 0 and 1: both in the first half once T >= 4
    return np.stack([values, markers], axis=2), (values[:, 0] + values[:, 1])[:, None]


def sum_of_all_values(n, T, rng):
    x, d = reference(n, T, rng)
    return x, x[:, :, 0].sum(axis=1, keepdims=True)


def mean_not_sum(n, T, rng):
    x, d = reference(n, T, rng)
    return x, d / 2


def flat_target(n, T, rng):
    x, d = reference(n, T, rng)
    return x, d[:, 0]


def channels_first(n, T, rng):
    x, d = reference(n, T, rng)
    return x.transpose(0, 2, 1), d


def one_marker(n, T, rng):
    x, d = reference(n, T, rng)
    x = x.copy()
    second = T // 2 + np.argmax(x[:, T // 2 :, 1], axis=1)
    x[np.arange(n), second, 1] = 0
    return x, d


def gaussian_values(n, T, rng):
    x, d = reference(n, T, rng)
    values = rng.standard_normal((n, T))
    markers = x[:, :, 1]
    return np.stack([values, markers], axis=2), (values * markers).sum(axis=1, keepdims=True)


def global_random_state(n, T, rng):
    return reference(n, T, np.random.default_rng())


def fixed_positions(n, T, rng):
    values = rng.uniform(size=(n, T))
    markers = np.zeros((n, T))
    markers[:, 0] = 1
    markers[:, T - 1] = 1
    return np.stack([values, markers], axis=2), (values[:, 0] + values[:, -1])[:, None]


def raises(n, T, rng):
    raise IndexError("index 10 is out of bounds")


def nan_target(n, T, rng):
    x, d = reference(n, T, rng)
    return x, np.full_like(d, np.nan)


def not_implemented(n, T, rng):
    raise NotImplementedError


def test_reference_solution_passes(capsys):
    assert check_adding_problem(reference).passed
    assert "✓" in capsys.readouterr().out


def test_rnnlib_generator_passes():
    assert check_adding_problem(lambda n, T, rng: rl.adding_problem(n, T, rng)).passed


def test_a_different_draw_order_passes():
    assert check_adding_problem(different_draw_order).passed


@pytest.mark.parametrize(
    "wrong, message",
    [
        (both_markers_in_first_half, "first half"),
        (sum_of_all_values, "not the sum of the two marked values"),
        (mean_not_sum, "the mean of the two marked values; the target is their sum"),
        (flat_target, "expected (n, 1)"),
        (channels_first, "swapped"),
        (one_marker, "expected exactly 2"),
        (gaussian_values, "outside [0, 1]"),
        (global_random_state, "same seed gave a different batch"),
        (fixed_positions, "visits only 1"),
        (raises, "raised IndexError"),
        (nan_target, "NaN"),
        (not_implemented, "not implemented yet"),
    ],
)
def test_wrong_generators_fail_with_a_message(wrong, message):
    result = check_adding_problem(wrong, raise_on_failure=False)
    assert not result.passed
    assert message in result.message
    with pytest.raises(CheckFailed):
        check_adding_problem(wrong)


def test_not_a_function_is_a_message():
    result = check_adding_problem(42, raise_on_failure=False)
    assert not result.passed and "expected a function" in result.message


def one_target_for_the_batch(n, T, rng):
    """Written for one sequence: a single sum over the whole batch, shape (1, 1)."""
    x, _ = reference(n, T, rng)
    return x, np.array([[np.sum(x[:, :, 0] * x[:, :, 1])]])


def float32_values(n, T, rng):
    x, d = reference(n, T, rng)
    return x.astype(np.float32), d.astype(np.float32)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (one_target_for_the_batch, "right for a single sequence (N = 1) but not for a batch"),
        (float32_values, "your result is float32; compute in float64"),
    ],
)
def test_n1_only_and_float32_are_named(wrong, message):
    result = check_adding_problem(wrong, raise_on_failure=False)
    assert not result.passed and message in result.message
    assert check_adding_problem(reference, raise_on_failure=False).passed
