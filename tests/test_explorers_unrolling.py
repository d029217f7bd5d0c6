"""Tests for rnnlib.course.explorers.unrolling: the unrolling stepper (chapters 1–2)."""

import re

import numpy as np
import pytest

import rnnlib as rl
from rnnlib.course.explorers.unrolling import unrolling_stepper
from rnnlib.course.widgets import Explorer


@pytest.fixture
def stepper():
    params = rl.init_params(2, 4, 1, rng=0, recurrent="orthogonal", scale=0.9)
    x = np.random.default_rng(1).standard_normal((6, 2))  # one sequence, T = 6
    return unrolling_stepper(params, x)


def test_the_control_is_the_time_step(stepper):
    assert isinstance(stepper, Explorer)
    (control,) = stepper.controls
    assert control.name == "t" and list(control.values) == [1, 2, 3, 4, 5, 6]


def test_frames_are_produced_and_differ_across_t(stepper):
    frames = stepper.frames()
    assert len(frames) == 6
    pngs = [png for _, png in frames]
    assert all(png.startswith(b"\x89PNG") for png in pngs)
    assert len(set(pngs)) == 6


def test_alt_text_reports_the_state_rnnlib_computed():
    params = rl.init_params(2, 4, 1, rng=0, recurrent="orthogonal", scale=0.9)
    x = np.random.default_rng(1).standard_normal((1, 6, 2))
    h = rl.forward(params, x).h[0]
    alt = unrolling_stepper(params, x).alt(t=3)
    assert "h_3" in alt and "x_3" in alt and "h_2" in alt
    assert f"between {h[3].min():.2f} and {h[3].max():.2f}" in alt


def test_static_html_has_one_frame_and_one_alt_text_per_step(stepper):
    page = stepper.static_html()
    data = re.search(r'<script type="application/json" class="bptt-data">(.*?)</script>', page, re.S).group(1)
    import json

    data = json.loads(data)
    assert data["sizes"] == [6]
    assert len(data["frames"]) == 6 and len(set(data["frames"])) == 6
    assert len(data["alts"]) == 6 and all(a.startswith(f"Step t = {t} of 6") for t, a in enumerate(data["alts"], 1))
    assert 'alt="Step t = 1 of 6' in page


def test_long_sequences_offer_at_most_max_frames_steps():
    params = rl.init_params(3, 8, 1, rng=0)
    x = np.zeros((1, 100, 3))
    stepper = unrolling_stepper(params, x, max_frames=30)
    values = list(stepper.controls[0].values)
    assert len(values) <= 30 and values[0] == 1 and values[-1] == 100
    assert stepper.draw(t=100).startswith(b"\x89PNG")


def test_a_batch_shows_the_chosen_sequence():
    params = rl.init_params(2, 3, 1, rng=0)
    x = np.random.default_rng(2).standard_normal((3, 4, 2))
    h = rl.forward(params, x).h[2]
    alt = unrolling_stepper(params, x, sequence=2).alt(t=4)
    assert f"between {h[4].min():.2f} and {h[4].max():.2f}" in alt


def test_bad_arguments_are_named():
    params = rl.init_params(2, 3, 1, rng=0)
    with pytest.raises(ValueError, match="x must"):
        unrolling_stepper(params, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="sequence"):
        unrolling_stepper(params, np.zeros((2, 4, 2)), sequence=2)
    with pytest.raises(ValueError, match="params"):
        unrolling_stepper("params", np.zeros((4, 2)))


def test_without_anywidget_the_stepper_has_an_ipywidgets_play_button_linked_to_the_slider(stepper):
    import ipywidgets as w

    stepper.lab = None  # what widget() falls back to when anywidget is missing
    controls = stepper.widget().children[0].children
    (play,) = [c for c in controls if isinstance(c, w.Play)]
    (slider,) = [c for c in controls if isinstance(c, w.SelectionSlider)]
    assert (play.min, play.max) == (0, len(stepper.controls[0].values) - 1)
    before = stepper.widget().children[1].value
    play.value = 2  # what a tick of Play does in the browser, through the jslink, is slider.index = 2
    slider.index = play.value
    assert stepper.values["t"] == 3 and stepper.widget().children[1].value != before


def test_displaying_builds_the_static_twin_only_when_the_website_asks(stepper, monkeypatch):
    monkeypatch.delenv("BPTT_STATIC_TWIN", raising=False)
    calls = []
    monkeypatch.setattr(stepper, "frames", lambda: calls.append(1) or [])
    bundle = stepper._repr_mimebundle_()
    assert not calls, "displaying the explorer outside the website build rendered the twin's frames"
    assert "bptt-twin" not in bundle["text/html"] and "run this cell" in bundle["text/html"]
    assert "run this cell" in bundle["text/plain"]
    assert "application/vnd.jupyter.widget-view+json" in bundle
    monkeypatch.undo()
    monkeypatch.setenv("BPTT_STATIC_TWIN", "1")
    assert 'class="bptt-twin"' in stepper._repr_mimebundle_()["text/html"]
    monkeypatch.setenv("BPTT_STATIC_TWIN", "yes")
    with pytest.raises(ValueError, match="BPTT_STATIC_TWIN"):
        stepper._repr_mimebundle_()


def test_live_data_carries_the_network_inputs_and_h0_exactly():
    import base64

    params = rl.init_params(2, 5, 1, rng=2)
    x = np.random.default_rng(3).standard_normal((3, 7, 2))
    h0 = np.random.default_rng(4).standard_normal((3, 5))
    spec = unrolling_stepper(params, x, sequence=1, h0=h0, activation="relu").live()

    def sent(name, shape):
        return np.frombuffer(base64.b64decode(spec["arrays"][name]), dtype="<f8").reshape(shape)

    assert spec["kind"] == "unrolling" and (spec["H"], spec["T"], spec["D"], spec["O"]) == (5, 7, 2, 1)
    assert spec["t"] == {"min": 1, "max": 7, "step": 1, "value": 1}  # every step, not the twin's frames
    assert spec["activations"][0] == "relu" and sorted(spec["activations"]) == ["relu", "sigmoid", "tanh"]
    for name in ("W_x", "W_s", "W_y", "b_h", "b_y"):
        assert np.array_equal(sent(name, getattr(params, name).shape), getattr(params, name))
    assert np.array_equal(sent("x", (7, 2)), x[1]) and np.array_equal(sent("h0", (5,)), h0[1])


def test_the_jupyterlab_front_end_gets_rnnlib_s_states_for_any_step_and_activation():
    pytest.importorskip("anywidget")  # part of the course extra; the matplotlib widget is the fallback
    params = rl.init_params(2, 5, 1, rng=2)
    x = np.random.default_rng(3).standard_normal((7, 2))
    w = unrolling_stepper(params, x).widget()
    assert type(w).__name__ == "BrowserWidget" and "unrolling" in w._esm
    assert w.settings == {"t": 1, "activation": "tanh"} and "arrays" not in w.spec  # the kernel computes
    for t, activation in ((1, "tanh"), (4, "sigmoid"), (7, "relu")):
        w.settings = {"t": t, "activation": activation, "seq": t}
        h = rl.forward(params, x[None], activation=activation).h[0]
        states = np.frombuffer(w.frame["data"]["states"], dtype="<f8").reshape(-1, 5)
        assert np.array_equal(states, h[: t + 1])  # h_0..h_t, nothing after t
        assert w.frame["data"]["limit"] == 1.05 * np.max(np.abs(h)) and w.frame["settings"]["seq"] == t
    with pytest.raises(ValueError, match="activation"):
        w.settings = {"t": 2, "activation": "softplus", "seq": 9}
    with pytest.raises(ValueError, match="t"):
        w.settings = {"t": 8, "activation": "tanh", "seq": 10}
