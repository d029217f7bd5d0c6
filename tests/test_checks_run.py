"""run_check and fresh: one message without a traceback through rnnlib, the student's own line when
their code raises, time and output limits, forbidden functions, and grade cells that a replaced check
or a replaced rnnlib function cannot fool."""

import sys

import numpy as np
import pytest

import rnnlib as rl
from rnnlib.course import checks
from rnnlib.course.checks import Case, CheckFailed, compare, run_check


def _cases():
    return [Case("x = 2", {"x": np.array([2.0])}, np.array([4.0]))]


def _outputs(got, expected):
    return [m for m in [compare("y", got, expected)] if m]


def test_a_raising_student_function_is_reported_at_its_own_line():
    def student(x):
        y = x * 2
        return y[5]  # IndexError here

    with pytest.raises(CheckFailed) as info:
        run_check("f", student, _cases(), _outputs)
    message = str(info.value)
    assert "IndexError" in message and "`return y[5]  # IndexError here`" in message
    assert "rnnlib" not in message.split("IndexError")[1].split(",")[0]


def test_a_failure_is_printed_once_and_renders_without_a_traceback(capsys):
    with pytest.raises(CheckFailed) as info:
        run_check("f", lambda x: x, _cases(), _outputs)
    assert capsys.readouterr().out == ""  # the exception carries the one message
    assert info.value._render_traceback_() == str(info.value).splitlines()


def test_a_pass_is_printed(capsys):
    assert run_check("f", lambda x: 2 * x, _cases(), _outputs)
    assert "✓ f: correct" in capsys.readouterr().out


def test_an_endless_loop_is_stopped_within_the_time_limit():
    def endless(x):
        while True:
            pass

    result = run_check("f", endless, _cases(), _outputs, raise_on_failure=False, time_limit=0.3)
    assert not result and "over the time limit (0.3 s per call)" in result.message


def test_a_slow_but_correct_function_within_the_limit_passes():
    import time

    def slow(x):
        time.sleep(0.2)
        return 2 * x

    assert run_check("f", slow, _cases() * 3, _outputs, time_limit=1.0)


def test_forbidden_function_is_found_directly_and_through_a_helper():
    def helper(g):
        return rl.clip_by_global_norm(g, 1.0)

    def direct(x):
        return rl.clip_by_global_norm(x, 1.0)

    def indirect(x):
        return helper(x)

    forbidden = {"clip_by_global_norm": rl.clip_by_global_norm}
    for student in (direct, indirect):
        result = run_check("f", student, _cases(), _outputs, raise_on_failure=False, forbidden=forbidden)
        assert not result and "calls rnnlib's clip_by_global_norm" in result.message
    assert run_check("f", lambda x: 2 * x, _cases(), _outputs, forbidden=forbidden)


def test_fresh_ignores_a_check_replaced_from_a_cell(capsys):
    from rnnlib.course.checks import chapter7

    def wrong(grads, threshold):
        return grads  # never clips

    original = chapter7.check_clip_by_norm
    chapter7.check_clip_by_norm = lambda *a, **k: print("✓ clip_by_norm: correct")
    try:
        with pytest.raises(Exception, match="clip_by_norm"):
            checks.fresh("chapter7").check_clip_by_norm(wrong)
    finally:
        chapter7.check_clip_by_norm = original


def test_fresh_refuses_to_grade_when_an_rnnlib_function_was_replaced():
    original = rl.clip_by_global_norm
    rl.clip_by_global_norm = lambda *a, **k: None
    try:
        with pytest.raises(Exception, match="tampering: rnnlib.clip_by_global_norm"):
            checks.fresh("chapter7").check_clip_by_norm(lambda grads, threshold: grads)
    finally:
        rl.clip_by_global_norm = original
    assert checks.fresh("chapter7").check_clip_by_norm.__module__ == "rnnlib.course.checks.chapter7"


def test_fresh_names_a_bad_chapter():
    with pytest.raises(ValueError, match="chapter: expected a name like 'chapter7', got 'seven'"):
        checks.fresh("seven")


def teardown_module():
    # fresh() re-imported the checks; leave sys.modules with one consistent copy for other tests.
    assert "rnnlib.course.checks" in sys.modules


def test_a_float32_answer_is_named_as_the_cause():
    expected = np.linspace(0.1, 1.0, 7) / 3
    message = compare("h_t", expected.astype(np.float32), expected, rtol=1e-9)
    # the precision is named instead of a relative error that would look like a near miss
    assert "your result is float32; compute in float64" in message and "relative error" not in message
    assert "float32" not in (compare("h_t", expected + 1e-3, expected, rtol=1e-9) or "")
    assert compare("h_t", expected.copy(), expected, rtol=1e-9) is None


def test_float32_in_a_chapter_check_is_named():
    from rnnlib.course.checks.chapter7 import check_clip_by_norm

    def float32_clip(grads, threshold):
        norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
        scale = threshold / norm if norm >= threshold else 1.0
        return {name: (g * scale).astype(np.float32) for name, g in grads.items()}

    result = check_clip_by_norm(float32_clip, raise_on_failure=False)
    assert not result and "float32" in result.message


def test_a_renamed_parameter_is_named_as_such_not_as_a_line_inside_rnnlib():
    def student(y):  # the exercise says x
        return 2 * y

    result = run_check("f", student, _cases(), _outputs, raise_on_failure=False)
    assert not result and "could not be called as f(x)" in result.message
    assert " at line " not in result.message


def test_a_function_that_modifies_its_input_fails_with_that_reason():
    def in_place(x):
        x *= 2
        return x

    result = run_check("f", in_place, _cases(), _outputs, raise_on_failure=False)
    assert not result and "modified its argument 'x' in place" in result.message


def test_step_backward_that_modifies_the_cache_is_named():
    from rnnlib.course.checks.chapter4 import check_step_backward

    def step_backward(dh, cache):
        da = dh * (1.0 - cache["h"] ** 2)
        cache["h"] *= 0  # scribbles on the cache
        return da @ cache["W_s"], da @ cache["W_x"], da.T @ cache["x"], da.T @ cache["h_prev"], da.sum(axis=0)

    result = check_step_backward(step_backward, raise_on_failure=False)
    assert not result and "modified its argument 'cache' in place" in result.message


def _ch4_right(dh, cache):
    da = dh * (1.0 - cache["h"] ** 2)
    return da, (da @ cache["W_s"], da @ cache["W_x"], da.T @ cache["x"], da.T @ cache["h_prev"], da.sum(axis=0))


@pytest.mark.parametrize(
    "kind, words",
    [
        ("sigmoid", "sigmoid's"),
        ("mean", "averaged over the batch"),
        ("swapped", "dh_prev and dx are swapped"),
    ],
)
def test_step_backward_whole_answer_mistakes_are_named(kind, words):
    from rnnlib.course.checks.chapter4 import check_step_backward

    def step_backward(dh, cache):
        h = cache["h"]
        if kind == "sigmoid":
            da = dh * h * (1.0 - h)
            return da @ cache["W_s"], da @ cache["W_x"], da.T @ cache["x"], da.T @ cache["h_prev"], da.sum(axis=0)
        da, (dh_prev, dx, dW_x, dW_s, db_h) = _ch4_right(dh, cache)
        if kind == "mean":
            N = dh.shape[0]
            return dh_prev, dx, dW_x / N, dW_s / N, db_h / N
        return dx, dh_prev, dW_x, dW_s, db_h

    result = check_step_backward(step_backward, raise_on_failure=False)
    assert not result and words in result.message


@pytest.mark.parametrize("kind, words", [("swapped", "a_t and h_t are swapped"), ("sigmoid", "sigmoid of a_t")])
def test_step_forward_swapped_or_sigmoid_is_named(kind, words):
    from rnnlib.course.checks.chapter1 import check_step_forward

    def step_forward(x_t, h_prev, W_x, W_s, b_h):
        a_t = W_s @ h_prev + W_x @ x_t + b_h
        if kind == "swapped":
            return np.tanh(a_t), a_t
        return a_t, 1.0 / (1.0 + np.exp(-a_t))

    result = check_step_forward(step_forward, raise_on_failure=False)
    assert not result and words in result.message
