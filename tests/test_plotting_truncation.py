"""The chapter-5 plotting helpers draw what they are given, refuse mismatched input, and return figures."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnlib.course.plotting import figure
from rnnlib.course.plotting.truncation import bias_against_k2, horizons, randomized_vs_deterministic, step_contributions


def test_step_contributions_splits_kept_and_dropped_steps():
    k = np.arange(1, 21)
    c = 0.9 ** (20 - k)
    fig = step_contributions(k, c, window_start=15, title="t")
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert len(lines[0].get_xdata()) == 14 and len(lines[1].get_xdata()) == 6
    assert ax.get_yscale() == "log"
    plt.close(fig)


def test_step_contributions_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match="same length"):
        step_contributions(np.arange(1, 5), np.ones(3), 2)


def test_bias_against_k2_draws_one_curve_per_setting_and_the_tolerance():
    fig = bias_against_k2([1, 2, 4], {"a": [0.5, 0.1, 0.0], "b": [0.9, 0.8, 0.7]}, tolerance=0.01)
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 3
    assert np.isnan(ax.get_lines()[0].get_ydata()[-1])  # zero is not drawn on a log axis
    plt.close(fig)


def test_randomized_vs_deterministic_has_two_panels():
    rng = np.random.default_rng(0)
    errs = rng.uniform(0.1, 0.3, 50)
    running = 0.2 / np.sqrt(np.arange(1, 51))
    fig = randomized_vs_deterministic(errs, running, 0.15)
    assert len(fig.axes) == 2
    plt.close(fig)
    with pytest.raises(ValueError, match="same length"):
        randomized_vs_deterministic(errs, running[:-1], 0.15)


def test_horizons_draws_bars_into_a_given_axis():
    fig, ax = figure()
    out = horizons(["a", "b"], [3, 40], band=(8, 10), ax=ax)
    assert out is fig
    assert len(ax.patches) == 3  # the band and two bars
    plt.close(fig)
