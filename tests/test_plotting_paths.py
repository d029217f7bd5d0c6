"""The gradient-path figure of chapter 3: one coloured path per use of W_s, matched to its term."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnlib.course.plotting import PALETTE
from rnnlib.course.plotting.paths import PATH_COLOURS, path_term, plot_gradient_paths


def test_path_term_writes_the_jacobians_between_k_and_t():
    assert path_term(3, 3) == r"$\frac{\partial E_{3}}{\partial h_{3}}\frac{\partial^+ h_{3}}{\partial W_s}$"
    term = path_term(3, 1)
    assert term.count(r"\frac{\partial h_") == 2  # ∂h_3/∂h_2 and ∂h_2/∂h_1, latest on the left
    assert term.index("h_{3}}{\\partial h_{2}") < term.index("h_{2}}{\\partial h_{1}")


def test_one_path_per_use_of_W_s_in_the_order_of_the_equation():
    fig = plot_gradient_paths(3, norms=[0.5, 0.25, 0.125])
    legend = fig.axes[0].get_legend()
    labels = [text.get_text() for text in legend.get_texts()]
    assert [label.split(":")[0] for label in labels] == ["k = 3", "k = 2", "k = 1"]
    assert labels[0].endswith("(size 0.12)") and labels[2].endswith("(size 0.5)")
    colours = [line.get_color() for line in legend.get_lines()]
    assert colours == list(PATH_COLOURS[:3]) and colours[0] == PALETTE["blue"]
    texts = {text.get_text() for text in fig.axes[0].texts}
    assert {"$h_0$", "$h_3$", "$x_1$", r"$\hat y_3$", "$E_3$"} <= texts
    plt.close(fig)


@pytest.mark.parametrize("t", [1, 5])
def test_other_loss_steps_draw(t):
    fig = plot_gradient_paths(t)
    assert len(fig.axes[0].get_legend().get_texts()) == t
    plt.close(fig)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"t": 0}, "t must be an integer from 1 to 5"),
        ({"t": 2.0}, "t must be an integer"),
        ({"t": True}, "t must be an integer"),
        ({"t": 3, "norms": [1.0, 2.0]}, "norms must be 3 finite numbers"),
        ({"t": 2, "norms": [1.0, np.nan]}, "norms must be 2 finite numbers"),
    ],
)
def test_bad_arguments_are_named(kwargs, words):
    with pytest.raises(ValueError, match=words):
        plot_gradient_paths(**kwargs)
