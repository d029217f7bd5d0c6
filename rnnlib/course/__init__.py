"""The book's tooling, built on the numerical core: figures, interactive explorers, homework.

``rnnlib`` itself is the mathematics and imports numpy only; everything the book needs beyond
it lives here. The chapters need the ``course`` extra (``pip install rnnlib[course]``:
matplotlib, ipywidgets); making assignments needs the ``instructor`` extra (adds nbformat, nbgrader
and PyYAML):

- :mod:`rnnlib.course.plotting`: one helper per kind of figure, in the Okabe–Ito palette;
- :mod:`rnnlib.course.widgets`: :class:`~rnnlib.course.widgets.Explorer`, a live ipywidgets control
  in a notebook and a static twin (templates in ``templates/``) on the website;
- :mod:`rnnlib.course.explorers`: the course's interactive figures, one module each;
- :mod:`rnnlib.course.checks`: the auto-checks of the exercises, ``checks.chapterN.check_...``;
- :mod:`rnnlib.course.assignments`: student notebooks and the student site
  (``python -m rnnlib.course.assignments``);
- :func:`rnnlib.course.scales.scale_readout`: ρ(W_s) and σ_max(W_s) side by side, wherever a
  chapter sets a recurrent scale;
- :func:`rnnlib.course.glue` (:mod:`rnnlib.course.publish`): a number or figure published by
  name for the chapter's text.

A chapter imports what it needs, e.g. ``from rnnlib.course import checks, explorers, plotting``.
The submodules are imported on first use, so importing one part does not load the others'
dependencies.
"""

from __future__ import annotations

import importlib

__all__ = ["assignments", "checks", "explorers", "glue", "plotting", "publish", "scales", "widgets"]


def __getattr__(name):
    if name == "glue":
        from .publish import glue

        return glue
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
