"""The training-outcome figures draw what they are given: curves, rates, dots, baselines."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlib.course.plotting import CYCLE
from rnnlib.course.plotting.training import (
    loss_curves,
    moving_average,
    outcome_dots,
    success_vs_gap,
    traces_against_update,
)


def test_moving_average_matches_a_hand_computed_mean():
    assert_allclose(moving_average([1.0, 2.0, 3.0, 6.0], 2), [1.5, 2.5, 4.5])
    assert_allclose(moving_average([1.0, 2.0], 1), [1.0, 2.0])
    with pytest.raises(ValueError, match="window must be"):
        moving_average([1.0, 2.0], 3)


def test_loss_curves_draw_one_line_per_run_and_the_baseline():
    runs = {"tanh": [np.linspace(1, 0.5, 40), np.linspace(1, 0.6, 40)], "IRNN": [np.linspace(1, 0.1, 40)]}
    fig = loss_curves(runs, baseline=1 / 6, window=10)
    ax = fig.axes[0]
    assert len(ax.lines) == 4  # three runs and the baseline
    assert len(ax.lines[0].get_xdata()) == 31  # 40 − 10 + 1 smoothed points
    assert ax.lines[0].get_xdata()[-1] == 40  # plotted at the end of each window
    assert ax.lines[0].get_color() == ax.lines[1].get_color() == CYCLE[0]
    assert_allclose(ax.lines[-1].get_ydata(), [1 / 6, 1 / 6])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["tanh", "IRNN", "baseline"]
    plt.close(fig)


def test_loss_curves_draw_several_baselines_from_a_dict():
    fig = loss_curves({"IRNN": [np.linspace(1, 0.1, 20)]}, baseline={"always 1": 1 / 6, "u2 + 0.5": 1 / 12})
    ax = fig.axes[0]
    assert_allclose(ax.lines[1].get_ydata(), [1 / 6, 1 / 6])
    assert_allclose(ax.lines[2].get_ydata(), [1 / 12, 1 / 12])
    assert ax.lines[1].get_linestyle() != ax.lines[2].get_linestyle()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["IRNN", "always 1", "u2 + 0.5"]
    plt.close(fig)


def test_success_vs_gap_draws_the_rates_and_chance():
    fig = success_vs_gap([2, 5, 10], {"tanh": [1.0, 0.5, 0.0]}, chance=0.25)
    ax = fig.axes[0]
    assert_allclose(ax.lines[0].get_ydata(), [1.0, 0.5, 0.0])
    assert_allclose(ax.lines[1].get_ydata(), [0.25, 0.25])
    with pytest.raises(ValueError, match="shape of gaps"):
        success_vs_gap([2, 5], {"tanh": [1.0]})
    plt.close(fig)


def test_outcome_dots_mark_diverged_runs_with_a_cross():
    fig = outcome_dots({"a": [1.0, 0.9], "b": [np.nan, 0.25]}, chance=0.25)
    ax = fig.axes[0]
    crosses = [line for line in ax.lines if line.get_marker() == "x"]
    assert len(crosses) == 1 and len(crosses[0].get_xdata()) == 1
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    plt.close(fig)


def test_success_vs_gap_can_draw_a_positive_quantity_on_a_log_axis():
    fig = success_vs_gap([2, 40], {"ratio": [0.5, 1e-6]}, ylim=None, logy=True)
    assert fig.axes[0].get_yscale() == "log"
    plt.close(fig)


def test_traces_against_update_draw_one_panel_per_quantity():
    panels = {
        "ρ(W_s)": {"a": ([0, 10, 20], [0.8, 0.9, 1.0]), "b": ([0, 10, 20], [1.0, 1.0, 1.1])},
        "‖g‖": {"a": ([1, 2, 3], [1.0, 10.0, 2.0])},
    }
    fig = traces_against_update(panels, log={"‖g‖"})
    left, right = fig.axes
    assert_allclose(left.lines[1].get_ydata(), [1.0, 1.0, 1.1])
    assert left.get_ylabel() == "ρ(W_s)" and right.get_yscale() == "log" and left.get_yscale() == "linear"
    assert left.lines[0].get_color() == right.lines[0].get_color() == CYCLE[0]
    plt.close(fig)
    with pytest.raises(ValueError, match="same shape"):
        traces_against_update({"x": {"a": ([0, 1], [1.0])}})
