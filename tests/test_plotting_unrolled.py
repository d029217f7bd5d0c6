"""Tests for rnnlib.course.plotting.unrolled: the unrolled graph and the state plots (chapters 1–2)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnlib.course.plotting import figure
from rnnlib.course.plotting.unrolled import (
    draw_state_bars,
    draw_state_heatmap,
    draw_unrolled_graph,
    graph_nodes,
    plot_per_step,
    plot_state_distance,
    unrolled_graphs_figure,
)


@pytest.fixture
def ax():
    fig, ax = figure()
    yield ax
    plt.close(fig)


def test_many_to_many_graph_has_inputs_states_outputs_and_losses_at_every_step(ax):
    T = 5
    returned = draw_unrolled_graph(ax, T, targets="all")
    nodes = graph_nodes(returned)
    assert returned is ax
    assert len(nodes) == T + (T + 1) + 2 * T  # x_1..x_T, h_0..h_T, ŷ_t and E_t
    assert "node:h_0" in nodes and "node:E_5" in nodes


def test_many_to_one_graph_has_a_single_output_and_loss(ax):
    T = 6
    nodes = graph_nodes(draw_unrolled_graph(ax, T, targets="last"))
    assert len(nodes) == T + (T + 1) + 2
    assert "node:y_6" in nodes and "node:y_5" not in nodes


def test_graph_without_targets_shows_only_the_recurrence(ax):
    nodes = graph_nodes(draw_unrolled_graph(ax, 4, targets=None))
    assert sorted(nodes) == sorted([f"node:x_{t}" for t in range(1, 5)] + [f"node:h_{t}" for t in range(5)])


def test_highlight_fills_the_inputs_and_the_new_state(ax):
    draw_unrolled_graph(ax, 5, highlight=3, targets=None)
    faces = {p.get_gid(): p.get_facecolor() for p in ax.patches if (p.get_gid() or "").startswith("node:")}
    assert faces["node:h_2"] == faces["node:x_3"]  # the two inputs share a colour
    assert faces["node:h_3"] != faces["node:h_2"]
    assert faces["node:h_1"][:3] == (1.0, 1.0, 1.0)  # already computed: plain


def test_long_sequences_are_drawn_as_a_window_around_the_highlight(ax):
    nodes = graph_nodes(draw_unrolled_graph(ax, 100, highlight=50, targets=None, max_steps=10))
    assert len(nodes) == 10 + 11
    assert "node:h_50" in nodes and "node:h_1" not in nodes


def test_bad_arguments_are_named(ax):
    with pytest.raises(ValueError, match="highlight"):
        draw_unrolled_graph(ax, 4, highlight=5)
    with pytest.raises(ValueError, match="targets"):
        draw_unrolled_graph(ax, 4, targets="some")
    with pytest.raises(ValueError, match="weight_labels"):
        draw_unrolled_graph(ax, 4, weight_labels="all")


def test_unrolled_graphs_figure_has_one_panel_per_target_kind():
    fig = unrolled_graphs_figure(4)
    assert len(fig.axes) == 2
    assert [len(graph_nodes(a)) for a in fig.axes] == [4 + 5 + 8, 4 + 5 + 2]
    plt.close(fig)


def test_state_heatmap_blanks_the_steps_not_yet_computed(ax):
    h = np.linspace(-1, 1, 6 * 3).reshape(6, 3)  # T = 5, H = 3
    image = draw_state_heatmap(ax, h, t=2)
    data = np.ma.getdata(image.get_array())
    assert data.shape == (3, 6)
    assert np.all(np.isnan(data[:, 3:])) and np.allclose(data[:, :3], h[:3].T)


@pytest.mark.parametrize("H", [4, 64])
def test_state_bars_show_every_unit(ax, H):
    rng = np.random.default_rng(0)
    draw_state_bars(ax, rng.standard_normal(H), rng.standard_normal(H), t=2, limit=3.0)
    assert ax.get_xlim() == (-0.5, H - 0.5)
    assert ax.get_ylim() == (-3.0, 3.0)


def test_per_step_bars_and_state_distance_figures():
    fig = plot_per_step({"a": np.arange(1.0, 5.0), "b": np.ones(4)}, ylabel="E_t")
    assert len(fig.axes[0].patches) == 8
    plt.close(fig)
    with pytest.raises(ValueError, match="same length"):
        plot_per_step({"a": np.ones(3), "b": np.ones(4)}, ylabel="E_t")
    fig = plot_state_distance(np.array([1.0, 0.5, 0.25]), np.array([1.0, 0.9, 0.81]))
    assert len(fig.axes[0].lines) == 2
    plt.close(fig)


def test_state_distance_draws_further_curves_and_names_a_bad_one():
    fig = plot_state_distance(np.array([1.0, 0.5, 0.25]), np.array([1.0, 0.9, 0.81]), others={"linear": np.ones(3)})
    assert [line.get_label() for line in fig.axes[0].lines][-1] == "linear"
    assert fig.axes[0].lines[-1].get_linestyle() == ":"
    plt.close(fig)
    with pytest.raises(ValueError, match="others"):
        plot_state_distance(np.ones(3), others=[np.ones(3)])
    with pytest.raises(ValueError, match="linear"):
        plot_state_distance(np.ones(3), others={"linear": np.ones(4)})
