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


def _update(p, g, lr, sign=1.0):
    return p.replace(**{n: getattr(p, n) - sign * lr * getattr(g, n) for n in NAMES})


def _clip_global(g, threshold):
    norm = np.sqrt(sum(np.sum(getattr(g, n) ** 2) for n in NAMES))
    return g.replace(**{n: getattr(g, n) * (threshold / norm if norm >= threshold else 1.0) for n in NAMES})


def no_step(p, x, d, lr, threshold):
    return p


def uphill(p, x, d, lr, threshold):
    return _update(p, _clip_global(_grads(p, x, d), threshold), lr, sign=-1.0)


def unclipped(p, x, d, lr, threshold):
    return _update(p, _grads(p, x, d), lr)


def per_parameter(p, x, d, lr, threshold):
    g = _grads(p, x, d)
    scaled = {}
    for n in NAMES:
        norm = np.sqrt(np.sum(getattr(g, n) ** 2))
        scaled[n] = getattr(g, n) * (threshold / norm if norm >= threshold else 1.0)
    return _update(p, g.replace(**scaled), lr)


def in_place(p, x, d, lr, threshold):
    g = _clip_global(_grads(p, x, d), threshold)
    for n in NAMES:
        getattr(p, n)[...] -= lr * getattr(g, n)
    return p


def slow_but_correct(p, x, d, lr, threshold):
    import time

    time.sleep(0.3)
    return by_hand(p, x, d, lr, threshold)


def endless(p, x, d, lr, threshold):
    while True:
        pass


def chatty(p, x, d, lr, threshold):
    for i in range(2000):
        print("step", i)
    return by_hand(p, x, d, lr, threshold)


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


def test_hand_written_step_passes():
    assert check_train_step(by_hand).passed


def test_calling_rnnlibs_clipping_or_update_is_refused_as_the_exercise_forbids():
    with pytest.raises(CheckFailed, match="clip_by_global_norm, sgd_step.*write yourself"):
        check_train_step(reference)


def test_slow_but_correct_passes_and_an_endless_loop_is_stopped_with_a_message(monkeypatch):
    from rnnlib.course import checks

    assert check_train_step(slow_but_correct).passed
    monkeypatch.setattr(checks, "TIME_LIMIT", 0.5)
    with pytest.raises(CheckFailed, match="over the time limit"):
        check_train_step(endless)


def test_printing_is_capped(capsys):
    from rnnlib.course import checks

    assert check_train_step(chatty).passed
    out = capsys.readouterr().out
    assert len(out) < checks.OUTPUT_LIMIT + 500
    assert "more characters of your function's output not shown" in out


@pytest.mark.parametrize(
    "wrong, message",
    [
        (no_step, "did not change"),
        (uphill, "uphill"),
        (unclipped, "not clipped"),
        (per_parameter, "on its own"),
        (in_place, "modified its argument 'params' in place"),
    ],
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


def first_sequence_only(p, x, d, lr, threshold):
    """Written for one sequence: trains on row 0 of the batch only."""
    return by_hand(p, x[:1], d[:1], lr, threshold)


def float32_update(p, x, d, lr, threshold):
    new = by_hand(p, x, d, lr, threshold)
    return new.replace(**{n: getattr(new, n).astype(np.float32) for n in NAMES})


def scales_inputs_in_place(p, x, d, lr, threshold):
    d *= 1.0 + 0.0 * d  # harmless
    x /= 1.0 + np.abs(x).max()  # "normalises" the caller's x
    return by_hand(p, x, d, lr, threshold)


@pytest.mark.parametrize(
    "wrong, words",
    [
        (first_sequence_only, "right for a single sequence (N = 1) but not for a batch"),
        (float32_update, "your result is float32; compute in float64"),
        (scales_inputs_in_place, "modified its argument 'x' in place"),
    ],
)
def test_n1_only_float32_and_in_place_inputs_are_named(wrong, words):
    result = check_train_step(wrong, raise_on_failure=False)
    assert not result and words in result.message
    assert check_train_step(by_hand, raise_on_failure=False)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda p, x, d, lr, threshold: by_hand(p, x, d, 0.1, threshold),  # the learning rate hard-coded
        lambda p, x, d, lr, threshold: by_hand(p, x, d, lr, 0.5),  # the threshold hard-coded
    ],
)
def test_an_ignored_argument_is_named(wrong):
    result = check_train_step(wrong, raise_on_failure=False)
    assert not result and "is an argument ignored?" in result.message
