"""The course's interactive figures, one module each (see :mod:`rnnlib.widgets`).

- :mod:`rnnlib.explorers.unrolling`: the unrolling stepper (chapters 1–2);
- :mod:`rnnlib.explorers.truncation`: the truncation explorer (chapter 5);
- :mod:`rnnlib.explorers.spectral`: the spectral-radius explorer (chapter 6);
- :mod:`rnnlib.explorers.clipping`: the clipping explorer on the cliff (chapter 7).
"""
