"""The course's interactive figures, one module each (see :mod:`rnnlib.course.widgets`).

- :mod:`rnnlib.course.explorers.unrolling`: the unrolling stepper (chapters 1–2);
- :mod:`rnnlib.course.explorers.truncation`: the truncation explorer (chapter 5);
- :mod:`rnnlib.course.explorers.spectral`: the spectral-radius explorer (chapter 6);
- :mod:`rnnlib.course.explorers.clipping`: the clipping explorer on the cliff (chapter 7).
"""
