"""Chapter 9's check: passes a correct training step, names each classic mistake, and answers bad
code with a message instead of a traceback."""

import numpy as np
import pytest

import rnnlib as rl
from rnnlib.course.checks import CheckFailed
from rnnlib.course.checks.chapter9 import check_train_step

NAMES = ("W_x", "W_s", "W_y", "b_h", "b_y")


def _grads(p, x, d):
    return rl.backward(p, rl.forward(p, x, d)).grads


def reference(p, x, d, lr, threshold):
    return rl.sgd_step(p, rl.clip_by_global_norm(_grads(p, x, d), threshold).grads, lr)[0]


def by_hand(p, x, d, lr, threshold):
    # Independent of rl.clip and rl.sgd_step: Algorithm 1 and the update written out.
    g = _grads(p, x, d)
    norm = np.sqrt(sum(np.sum(getattr(g, n) ** 2) for n in NAMES))
    scale = threshold / norm if norm >= threshold else 1.0
    return p.replace(**{n: getattr(p, n) - lr * scale * getattr(g, n) for n in NAMES})


def no_step(p, x, d, lr, threshold):
    return p


def uphill(p, x, d, lr, threshold):
    g = rl.clip_by_global_norm(_grads(p, x, d), threshold).grads
    return p.replace(**{n: getattr(p, n) + lr * getattr(g, n) for n in NAMES})


def unclipped(p, x, d, lr, threshold):
    return rl.sgd_step(p, _grads(p, x, d), lr)[0]


def per_parameter(p, x, d, lr, threshold):
    return rl.sgd_step(p, rl.clip_by_parameter_norm(_grads(p, x, d), threshold).grads, lr)[0]


def raises(*args):
    raise ZeroDivisionError("oops")


def returns_dict(*args):
    return {"W_s": np.zeros(3)}


def returns_nan(p, *args):
    q = p.copy()
    q.W_s[...] = np.nan
    return q


def stub(*args):
    raise NotImplementedError()


def test_reference_and_hand_written_step_pass():
    assert check_train_step(reference).passed
    assert check_train_step(by_hand).passed


@pytest.mark.parametrize(
    "wrong, message",
    [(no_step, "did not change"), (uphill, "uphill"), (unclipped, "not clipped"), (per_parameter, "on its own")],
)
def test_each_mistake_gets_its_message(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check_train_step(wrong)


@pytest.mark.parametrize(
    "bad, message",
    [
        (raises, "raised ZeroDivisionError"),
        (returns_dict, "RNNParams"),
        (returns_nan, "NaN"),
        (stub, "not implemented"),
    ],
)
def test_bad_code_gets_a_message_not_a_traceback(bad, message):
    with pytest.raises(CheckFailed, match=message):
        check_train_step(bad)
