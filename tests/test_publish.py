"""rnnlib.course.glue writes exactly what MyST-NB's glue writes, without importing MyST-NB."""

from __future__ import annotations

import pytest

from rnnlib.course import publish


def _record(monkeypatch):
    """Replace IPython's display (which rnnlib's glue imports when called) by a recorder."""
    import IPython.display

    calls = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: calls.append((a, k)))
    return calls


def _ours(monkeypatch, name, value, display):
    calls = _record(monkeypatch)
    publish.glue(name, value, display)
    return calls


def _myst_nb(monkeypatch, myst, name, value, display):
    calls = []
    monkeypatch.setattr(myst, "ipy_display", lambda *a, **k: calls.append((a, k)))
    myst.glue(name, value, display)
    return calls


@pytest.mark.parametrize("display", [False, True])
@pytest.mark.parametrize("value", [0.123456789, 42, "a string", [1.5, 2.5]])
def test_glue_writes_the_same_output_as_myst_nb(monkeypatch, value, display):
    myst = pytest.importorskip("myst_nb.ext.glue")  # the book's environment has it; the reference
    ours = _ours(monkeypatch, "ch0_value", value, display)
    theirs = _myst_nb(monkeypatch, myst, "ch0_value", value, display)
    assert ours == theirs and len(ours) == 1
    (bundle,), kwargs = ours[0]
    assert kwargs["raw"] is True and kwargs["metadata"]["scrapbook"]["name"] == "ch0_value"
    assert all(m.startswith(publish.GLUE_PREFIX) != display for m in bundle)


def test_glue_does_not_import_myst_nb():
    import subprocess
    import sys

    code = "import sys; from rnnlib.course import glue; print('myst_nb' in sys.modules)"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        == "False"
    )


@pytest.mark.parametrize("name", ["", "1abc", "with space", None, 3])
def test_glue_refuses_a_bad_name(name):
    with pytest.raises(ValueError, match="name must be"):
        publish.glue(name, 1.0, False)


def test_glue_refuses_a_non_boolean_display():
    with pytest.raises(ValueError, match="display must be True or False"):
        publish.glue("ch0_x", 1.0, 1)
