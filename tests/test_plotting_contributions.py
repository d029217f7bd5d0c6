"""The chapter-4 figures draw what rnnlib computed."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

import rnnlib as rl
from rnnlib.course.plotting.contributions import plot_contributions, plot_step_size, step_norms, term_norms


@pytest.fixture
def contribs(rng):
    params = rl.init_params(2, 3, 1, rng=rng, recurrent="gaussian_sigma", scale=0.9)
    x = rng.standard_normal((2, 5, 2))
    d = rng.standard_normal((2, 5, 1))
    fp = rl.forward(params, x, d)
    return rl.contributions(params, fp)


def test_term_norms_match_explicit_norms_and_hide_future_steps(contribs):
    norms = term_norms(contribs, "W_s")
    assert norms.shape == (5, 5)
    assert np.isnan(norms[1, 3])  # E_2 cannot depend on step 4
    np.testing.assert_allclose(norms[3, 1], np.linalg.norm(contribs.terms["W_s"][3, 1]))


def test_step_norms_are_norms_of_by_step(contribs):
    expected = [np.linalg.norm(contribs.by_step["W_x"][k]) for k in range(5)]
    np.testing.assert_allclose(step_norms(contribs, "W_x"), expected)


def test_term_norms_rejects_output_weights(contribs):
    with pytest.raises(ValueError, match="name must be one of"):
        term_norms(contribs, "W_y")


def test_plot_contributions_has_two_labelled_panels(contribs):
    fig = plot_contributions(contribs, "W_s")
    bar_ax, map_ax = fig.axes[:2]
    assert len(bar_ax.patches) == 5
    np.testing.assert_allclose([p.get_height() for p in bar_ax.patches], step_norms(contribs, "W_s"))
    assert map_ax.get_xlabel() and map_ax.get_ylabel()
    plt.close(fig)


def test_plot_step_size_draws_each_curve_and_guides():
    h = 10.0 ** -np.arange(1, 6)
    fig = plot_step_size(h, {"a": h**2, "b": 1e-8 / h}, best={"a": (h[-1], h[-1] ** 2)})
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert "a" in labels and "b" in labels and "∝ h² (truncation)" in labels
    plt.close(fig)


def test_plot_step_size_rejects_mismatched_errors():
    with pytest.raises(ValueError, match="must have the shape of h"):
        plot_step_size([1e-1, 1e-2], {"a": [1.0]})
