"""The gradient figures of chapter 6: they draw what they are given, labelled, without warnings."""

import matplotlib.colors as mcolors
import numpy as np
import pytest

import rnnlib as rl
from rnnlib.course.plotting import figure
from rnnlib.course.plotting.gradients import (
    eigenvalue_plane,
    gradient_by_step,
    jacobian_heatmaps,
    norms_against_distance,
)


@pytest.fixture(scope="module")
def norms():
    rng = np.random.default_rng(0)
    params = rl.init_params(1, 4, 1, rng=rng, recurrent="gaussian_sigma", scale=0.9)
    fp = rl.forward(params, rng.standard_normal((1, 8, 1)))
    return rl.jacobian_norms(params, fp)


def test_norms_against_distance_draws_measured_solid_and_references_dashed():
    d = np.arange(10)
    fig = norms_against_distance(d, {"a": 0.9**d, "b": 1.1**d}, {"ρ^k": 0.9**d})
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert [line.get_linestyle() for line in ax.lines] == ["-", "-", "--"]
    assert ax.lines[0].get_color() == ax.lines[2].get_color()
    assert ax.get_xlabel() and ax.get_ylabel()


def test_norms_against_distance_skips_zeros_on_log_axis():
    fig = norms_against_distance(np.arange(3), {"a": [1.0, 0.0, 1e-3]})
    assert np.isnan(fig.axes[0].lines[0].get_ydata()[1])


def test_jacobian_heatmaps_use_log_viridis_and_blank_upper_triangle(norms):
    fig = jacobian_heatmaps([norms, 2 * norms], ["a", "b"])
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 2
    assert isinstance(images[0].norm, mcolors.LogNorm) and images[0].get_cmap().name == "viridis"
    data = images[0].get_array()
    assert data.mask[0, -1] and not data.mask[-1, 0]  # k > t masked, k < t shown
    assert fig.axes[0].get_xlabel().startswith("k") and fig.axes[0].get_ylabel().startswith("t")


def test_jacobian_heatmaps_need_one_title_each(norms):
    with pytest.raises(ValueError, match="titles"):
        jacobian_heatmaps([norms], ["a", "b"])


def test_eigenvalue_plane_plots_every_eigenvalue_and_the_unit_circle():
    W = np.diag([0.5, -0.9, 1.2])
    fig = eigenvalue_plane(W, limit=2.0)
    ax = fig.axes[0]
    offsets = ax.collections[0].get_offsets()
    np.testing.assert_allclose(np.sort(offsets[:, 0]), [-0.9, 0.5, 1.2])
    np.testing.assert_allclose(np.hypot(*ax.lines[0].get_data()), 1.0)
    assert ax.get_xlim() == (-2.0, 2.0)


def test_gradient_by_step_draws_into_given_axes_with_bound_and_shade():
    fig, ax = figure()
    out = gradient_by_step(
        np.arange(5), {"x": np.ones(5)}, bound=2 * np.ones(5), ax=ax, shade=(0, 2), shade_label="far"
    )
    assert out is fig and len(ax.lines) == 2 and ax.lines[1].get_linestyle() == "--"
    assert ax.get_yscale() == "log"


def test_unpaired_references_are_black_and_grey():
    d = np.arange(5)
    fig = norms_against_distance(d, {"a": 0.5**d, "b": 0.9**d}, {"r1": 0.5**d, "r2": 2.0**d}, paired=False)
    colours = [mcolors.to_hex(line.get_color()) for line in fig.axes[0].lines[2:]]
    assert colours == ["#000000", mcolors.to_hex("0.45")]
