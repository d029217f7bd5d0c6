"""Tests for the clipping explorer of chapter 7."""

import numpy as np
import pytest

from rnnlib.course.explorers.clipping import clipping_explorer
from rnnlib.course.widgets import Explorer


@pytest.fixture(scope="module")
def explorer():
    return clipping_explorer(resolution=(60, 60))


def test_explorer_has_mode_and_threshold_controls(explorer):
    assert isinstance(explorer, Explorer)
    names = [c.name for c in explorer.controls]
    assert names == ["mode", "threshold"]
    assert set(explorer.controls[0].values) == {"none", "norm", "value"}
    frames = len(explorer.controls[0].values) * len(explorer.controls[1].values)
    assert frames <= 30


def test_draw_returns_a_png_for_each_mode(explorer):
    for mode in ("none", "norm", "value"):
        png = explorer.draw(mode=mode, threshold=1.0)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_alt_text_describes_the_path(explorer):
    explorer.draw(mode="none", threshold=1.0)
    alt_none = explorer.alt(mode="none", threshold=1.0)
    assert "without clipping" in alt_none and "outside the window" in alt_none
    alt_norm = explorer.alt(mode="norm", threshold=2.0)
    assert "clip by norm at threshold 2" in alt_norm and "inside the window" in alt_norm


def test_the_lab_paths_reuse_the_reference_exactly_and_match_rnnlib():
    from rnnlib.cliff import descent_path
    from rnnlib.course.explorers.clipping import LR, START, STEPS

    _spec, frame, extra = clipping_explorer().lab
    assert len(extra()["reference"]) == STEPS + 1
    for mode in ("norm", "value"):
        for log10_theta in (-2.0, -0.8, -0.3, 0.5, 2.5):  # clips from the start, later, never
            got = frame({"mode": mode, "theta": log10_theta})
            want = descent_path(*START, LR, STEPS, mode, 10.0**log10_theta)
            assert np.array_equal(np.array(got["points"]), want.points)  # bit for bit, prefix reused or not
            assert np.array_equal(got["losses"], want.losses)
            assert got["clipped"] == [bool(c) for c in want.clipped]
    assert frame({"mode": "none", "theta": 0.0})["points"] == descent_path(*START, LR, STEPS).points.tolist()
