"""Shared test set-up: a deterministic hypothesis profile and small random problems.

The reference computations the tests compare against (a plain-numpy forward pass, central
differences, explicit Jacobian products) live in ``reference.py``, written without rnnlib's
forward or backward pass so that they are an independent check.
"""

import matplotlib

# Figures are drawn off-screen in every test (set once, before any test imports pyplot).
matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

# CI must be deterministic: the same examples every run, nothing read from or written to a database.
settings.register_profile(
    "rnnlib",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=10,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile("rnnlib")


@pytest.fixture
def rng():
    """A fresh, fixed-seed generator for tests that need a little randomness."""
    return np.random.default_rng(20130214)
