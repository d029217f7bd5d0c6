"""Tests for rnnlib.course.plotting.clipping: the figures draw what they are given."""

import matplotlib.pyplot as plt
import numpy as np

import rnnlib as rl
from rnnlib.cliff import cliff_surface, descent_path
from rnnlib.course.plotting.clipping import cliff_figure, training_traces_figure


def test_cliff_figure_draws_surface_and_paths():
    ws, bs = np.linspace(4.1, 4.9, 30), np.linspace(-2.7, -1.9, 25)
    E = cliff_surface(ws, bs)
    paths = [descent_path(4.5, -2.32, 0.05, 5), descent_path(4.5, -2.32, 0.05, 5, "norm", 2.0)]
    fig = cliff_figure(ws, bs, E, paths, ["none", "norm"])
    ax = fig.axes[0]
    assert ax.images[0].get_array().shape == (25, 30)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["none", "norm"]
    assert ax.get_xlabel() and ax.get_ylabel()
    plt.close(fig)


def test_training_traces_mark_divergence():
    h_ok = rl.History(loss=[1.0, 0.5, 0.4], grad_norm=[2.0, 1.0, 0.5], clipped=[False] * 3)
    h_bad = rl.History(
        loss=[1.0, 1e10, float("inf")],
        grad_norm=[2.0, 1e8, float("inf")],
        clipped=[False] * 3,
        diverged=True,
        diverged_at=3,
    )
    fig = training_traces_figure([h_bad, h_ok], ["none", "norm"])
    ax_loss, ax_norm = fig.axes
    assert ax_loss.get_yscale() == "log" and ax_norm.get_yscale() == "log"
    assert len(ax_loss.lines) == 3  # two traces and the × at the last finite point of the diverged run
    plt.close(fig)
