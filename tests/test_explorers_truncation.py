"""The truncation explorer and its measurements agree with rnnlib's full and truncated BPTT."""

import numpy as np
import pytest

import rnnlib as rl
from rnnlib.course.explorers.truncation import TruncationModel, truncation_explorer
from rnnlib.course.widgets import Explorer
from rnnlib.params import relative_gradient_error


def _problem(rho=0.9, T=30):
    task = rl.noisy_sine(2, T, rng=3)
    params = rl.init_params(1, 8, 1, rng=4, recurrent="gaussian_spectral", scale=rho)
    return params, task


def test_truncated_gradient_is_the_sum_of_the_kept_steps_contributions():
    # Independent of the explorer's shortcut: the W_s contributions from full BPTT, summed over the
    # last k2 steps, are exactly what truncated BPTT returns for a single loss at the last step.
    model = TruncationModel(H=6, T=20, N=3, seed=1)
    params = model.params(1.1)
    fp = rl.forward(params, model.x, model.d, targets="last")
    full = rl.backward(params, fp)
    C = np.einsum("nki,nkj->kij", full.da, fp.h[:, :-1])
    for k2 in (3, 7, 20):
        trunc = rl.truncated_bptt(params, model.x, model.d, k2, k2, targets="last").grads
        np.testing.assert_allclose(trunc.W_s, C[model.T - k2 :].sum(axis=0), rtol=1e-12, atol=1e-14)
        r = model.compute(k2, 1.1)
        np.testing.assert_allclose(r["contributions"], np.linalg.norm(C, axis=(1, 2)), rtol=1e-10)
        assert r["window"] == model.T - k2 + 1
        np.testing.assert_allclose(r["error"], relative_gradient_error(trunc, full.grads), rtol=1e-12)
    assert model.compute(20, 1.1)["error"] < 1e-12


def test_model_params_have_the_requested_spectral_radius():
    model = TruncationModel(H=10, T=12, N=2, seed=2)
    assert rl.spectral_radius(model.params(0.7).W_s) == pytest.approx(0.7)


def test_explorer_draws_png_frames_with_alt_text():
    ex = truncation_explorer(H=8, T=20, N=2, k2_values=(2, 10), rho_values=(0.8, 1.2))
    assert isinstance(ex, Explorer)
    png = ex.draw(k2=2, rho=1.2)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    frames = ex.frames()
    assert len(frames) == 4
    text = ex.alt(k2=10, rho=0.8)
    assert "k2 = 10" in text and "steps 11 to 20" in text
    html = ex.static_html()
    assert html.count("data:image/png") >= 1 and "k2" in html


def test_explorer_rejects_k2_beyond_the_sequence():
    with pytest.raises(ValueError, match="k2_values"):
        truncation_explorer(H=4, T=10, N=1, k2_values=(5, 20))
