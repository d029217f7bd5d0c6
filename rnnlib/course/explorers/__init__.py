"""The course's interactive figures, one module each (see :mod:`rnnlib.course.widgets`).

- :mod:`rnnlib.course.explorers.unrolling`: the unrolling stepper (chapters 1–2);
- :mod:`rnnlib.course.explorers.truncation`: the truncation explorer (chapter 5);
- :mod:`rnnlib.course.explorers.spectral`: the spectral-radius explorer (chapter 6);
- :mod:`rnnlib.course.explorers.clipping`: the clipping explorer on the cliff (chapter 7).
"""

import importlib

__all__ = ["clipping", "model", "spectral", "truncation", "unrolling"]


def __getattr__(name):
    # ``explorers.spectral.spectral_explorer()`` after ``from rnnlib.course import explorers``.
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
