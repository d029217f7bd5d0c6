"""The spectral-radius explorer: its numbers come from rnnlib and respect the bound it draws."""

import numpy as np
import pytest

import rnnlib as rl
from rnnlib.course.explorers.spectral import MODES, SpectralModel, spectral_explorer
from rnnlib.course.widgets import Explorer


@pytest.fixture(scope="module")
def model():
    return SpectralModel(H=16, T=30, N=3, seed=1)


@pytest.mark.parametrize("mode", MODES)
def test_scale_sets_rho_or_sigma_max(model, mode):
    W = model.W_s(1.2, mode)
    measured = rl.spectral_radius(W) if mode == MODES[0] else rl.sigma_max(W)
    np.testing.assert_allclose(measured, 1.2, rtol=1e-10)


def test_rescaling_keeps_the_shape_of_W_s(model):
    W1, W2 = model.W_s(0.5, MODES[0]), model.W_s(1.5, MODES[0])
    np.testing.assert_allclose(W2, 3.0 * W1, rtol=1e-12)


def test_delta_norms_match_backward(model):
    r = model.compute(0.9, MODES[1], "tanh")
    params = rl.RNNParams(model.W_x, r["W_s"], model.W_y, np.zeros(model.H), np.zeros(1))
    fp = rl.forward(params, model.x, model.d, activation="tanh", targets="last")
    expected = np.linalg.norm(rl.backward(params, fp).delta, axis=2).mean(axis=0)
    np.testing.assert_allclose(r["delta_norms"], expected, rtol=1e-12)
    assert r["delta_norms"].shape == (model.T + 1,)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("scale", [0.5, 1.0, 1.5])
@pytest.mark.parametrize("mode", MODES)
def test_measured_gradient_stays_under_the_bound(model, activation, scale, mode):
    r = model.compute(scale, mode, activation)
    assert np.all(r["delta_norms"] <= r["bound"] * (1 + 1e-10))
    np.testing.assert_allclose(r["eta"], rl.eta(r["W_s"], activation), rtol=1e-12)


def test_gradient_vanishes_when_eta_below_one(model):
    r = model.compute(0.8, MODES[1], "tanh")  # η = 0.8
    assert r["delta_norms"][0] < 0.8**model.T * r["delta_norms"][-1] * (1 + 1e-10)


def test_explorer_has_at_most_30_frames_and_draws_png():
    e = spectral_explorer(H=8, T=12, N=2)
    assert isinstance(e, Explorer)
    assert np.prod([len(c.values) for c in e.controls]) <= 30
    png = e.draw(scale=1.5, mode=MODES[1], activation="relu")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    alt = e.alt(scale=0.5, mode=MODES[0], activation="sigmoid")
    assert "sigmoid" in alt and "0.50" in alt


def test_explorer_static_twin_has_every_frame():
    e = spectral_explorer(H=6, T=10, N=1, scales=(0.5, 1.5), activations=("tanh",))
    html = e.static_html()
    assert 'data-frames="4"' in html


def test_explorer_rejects_unknown_mode():
    with pytest.raises(ValueError, match="modes"):
        spectral_explorer(modes=("rho",))


def test_tick_labels_are_plain_unicode_powers_of_ten():
    from rnnlib.course.explorers.spectral import _power_of_ten

    assert _power_of_ten(1e-15, 0) == "10⁻¹⁵" and _power_of_ten(1.0, 0) == "10⁰" and _power_of_ten(0.0, 0) == ""


def test_live_data_carries_rnnlib_s_seeded_network_exactly():
    import base64

    spec = spectral_explorer(H=8, T=12, N=2, seed=3, live_seeds=2).live()
    assert spec["kind"] == "spectral" and sorted(spec["seeds"]) == ["3", "4"]
    for seed in (3, 4):
        m, sent = SpectralModel(H=8, T=12, N=2, seed=seed), spec["seeds"][str(seed)]
        G = np.frombuffer(base64.b64decode(sent["G"]), dtype="<f8").reshape(8, 8)
        x = np.frombuffer(base64.b64decode(sent["x"]), dtype="<f8").reshape(m.x.shape)
        assert np.array_equal(G, m.G) and np.array_equal(x, m.x)  # bit for bit: the browser rebuilds W_s exactly
        assert sent["rho_G"] == m.rho_G and sent["sigma_G"] == m.sigma_G
    with pytest.raises(ValueError, match="live_seeds"):
        spectral_explorer(H=8, T=12, N=2, live_seeds=0)


def test_the_jupyterlab_front_end_gets_rnnlib_s_numbers_for_any_setting():
    pytest.importorskip("anywidget")  # part of the course extra; the matplotlib widget is the fallback
    e = spectral_explorer(H=8, T=12, N=2, seed=3, live_seeds=2)
    w = e.widget()
    assert type(w).__name__ == "BrowserWidget" and "export default" in w._esm
    assert w.spec["seed_values"] == [3, 4] and "seeds" not in w.spec  # no arrays: the kernel computes
    w.settings = {"scale": 1.07, "mode": MODES[1], "activation": "relu", "T": 9, "seed": "4", "seq": 7}
    data = w.frame["data"]
    want = SpectralModel(H=8, T=12, N=2, seed=4).compute(1.07, MODES[1], "relu", T=9)
    norms = np.frombuffer(data["norms"], dtype="<f8")
    assert np.array_equal(norms, want["delta_norms"]) and len(norms) == 10
    assert data["sigma"] == want["sigma_max"] and data["ratio"] == want["delta_norms"][1] / want["delta_norms"][9]
    assert w.frame["settings"]["seq"] == 7  # echoed, so the front end can time the move
