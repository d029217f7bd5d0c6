"""Tests for the chapter-7 check: clip by the global norm (Algorithm 1)."""

import numpy as np
import pytest

from rnnlib.course.checks import CheckFailed
from rnnlib.course.checks.chapter7 import check_clip_by_norm


def reference(grads, threshold):
    norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    if norm >= threshold:
        return {name: g * (threshold / norm) for name, g in grads.items()}
    return {name: g.copy() for name, g in grads.items()}


def per_parameter(grads, threshold):
    out = {}
    for name, g in grads.items():
        n = np.linalg.norm(g)
        out[name] = g * (threshold / n) if n >= threshold else g.copy()
    return out


def by_value(grads, threshold):
    return {name: np.clip(g, -threshold, threshold) for name, g in grads.items()}


def never_clips(grads, threshold):
    return {name: g.copy() for name, g in grads.items()}


def always_rescales(grads, threshold):
    norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    return {name: g * (threshold / norm) for name, g in grads.items()}


def in_place(grads, threshold):
    norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    if norm >= threshold:
        for g in grads.values():
            g *= threshold / norm
    return grads


def returns_nan(grads, threshold):
    return {name: np.full_like(g, np.nan) for name, g in grads.items()}


def raises(grads, threshold):
    raise KeyError("W_q")


def wrong_shape(grads, threshold):
    return {name: reference(grads, threshold)[name].T.reshape(-1) for name in grads}


def wrong_factor(grads, threshold):
    norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    if norm >= threshold:
        return {name: g * (threshold / norm**2) for name, g in grads.items()}
    return {name: g.copy() for name, g in grads.items()}


def test_reference_passes(capsys):
    result = check_clip_by_norm(reference)
    assert result.passed
    assert "correct on all 5 cases" in capsys.readouterr().out


@pytest.mark.parametrize(
    "student, words",
    [
        (per_parameter, "its own norm"),
        (by_value, "clipping by value"),
        (never_clips, "unchanged although"),
        (always_rescales, "below θ"),
        (in_place, "in place"),
        (returns_nan, "NaN"),
        (raises, "raised KeyError"),
        (wrong_shape, "shape"),
        (wrong_factor, "squared norm"),
    ],
)
def test_wrong_solutions_fail_with_a_message(student, words):
    with pytest.raises(CheckFailed, match=words):
        check_clip_by_norm(student)


def test_not_a_dict_gets_a_message():
    result = check_clip_by_norm(lambda grads, threshold: 3.0, raise_on_failure=False)
    assert not result.passed and "expected a dict" in result.message


def test_not_implemented_gets_a_message():
    def todo(grads, threshold):
        raise NotImplementedError

    result = check_clip_by_norm(todo, raise_on_failure=False)
    assert "not implemented yet" in result.message


def test_message_does_not_reveal_the_answer():
    result = check_clip_by_norm(never_clips, raise_on_failure=False)
    assert "[" not in result.message  # no arrays printed


def rms_norm(grads, threshold):
    """Averages the squares: the root-mean-square, not the norm."""
    norm = np.sqrt(np.mean(np.concatenate([g.ravel() for g in grads.values()]) ** 2))
    factor = threshold / norm if norm >= threshold else 1.0
    return {name: g * factor for name, g in grads.items()}


def half_factor(grads, threshold):
    norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    factor = threshold / (2 * norm) if norm >= threshold else 1.0
    return {name: g * factor for name, g in grads.items()}


@pytest.mark.parametrize("student, words", [(rms_norm, "averages the squares"), (half_factor, "norm off by")])
def test_norm_definition_mistakes_are_named(student, words):
    result = check_clip_by_norm(student, raise_on_failure=False)
    assert not result and words in result.message
    assert check_clip_by_norm(reference, raise_on_failure=False)
