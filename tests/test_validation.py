"""Bad input gets a clear ValueError that names the argument (rnnlib.validate and its callers).

Each case calls a public function with one thing wrong and checks the message: it must name the
argument, so that a student who passes x of shape (T, D) reads what to fix instead of a
broadcasting error deep inside a loop. Nothing may broadcast silently.
"""

import numpy as np
import pytest

import rnnlib

N, T, D, H, O = 2, 3, 2, 3, 2


def P(**replace):
    """Valid arrays for RNNParams (D = 2, H = 3, O = 2), with some replaced."""
    arrays = dict(W_x=np.zeros((H, D)), W_s=np.eye(H), W_y=np.zeros((O, H)), b_h=np.zeros(H), b_y=np.zeros(O))
    arrays.update(replace)
    return rnnlib.RNNParams(**arrays)


PARAMS = P()
X = np.zeros((N, T, D))
D_SQ = np.zeros((N, T, O))
LABELS = np.zeros((N, T), dtype=int)
TASK = rnnlib.adding_problem(N, T, 0)
PARAMS_ADD = rnnlib.init_params(2, H, 1, rng=0)


def nan_at(shape, index, value=np.nan):
    a = np.zeros(shape)
    a[index] = value
    return a


def fwd(**kw):
    args = dict(params=PARAMS, x=X, d=D_SQ)
    args.update(kw)
    params, x, d = args.pop("params"), args.pop("x"), args.pop("d")
    return lambda: rnnlib.forward(params, x, d, **args)


CASES = [
    # --- RNNParams -------------------------------------------------------------------------------
    ("W_s not square", lambda: P(W_s=np.zeros((3, 2))), r"W_s must be square \(H, H\); got shape \(3, 2\)"),
    ("W_s one-dimensional", lambda: P(W_s=np.zeros(3)), r"W_s must have 2 dimensions"),
    ("W_s NaN", lambda: P(W_s=nan_at((3, 3), (1, 2))), r"W_s must be finite; got nan at index \(1, 2\)"),
    ("W_s inf", lambda: P(W_s=nan_at((3, 3), (0, 0), np.inf)), r"W_s must be finite; got inf"),
    ("W_x wrong H", lambda: P(W_x=np.zeros((4, 2))), r"W_x must have shape \(H=3, D\).*H is 4 on axis 0"),
    ("W_x transposed", lambda: P(W_x=np.zeros((2, 3))), r"W_x must have shape \(H=3, D\)"),
    ("W_x one-dimensional", lambda: P(W_x=np.zeros(3)), r"W_x must have 2 dimensions"),
    ("W_y wrong H", lambda: P(W_y=np.zeros((2, 4))), r"W_y must have shape \(O, H=3\)"),
    ("W_y transposed", lambda: P(W_y=np.zeros((3, 2))), r"W_y must have shape \(O, H=3\)"),
    ("b_h wrong size", lambda: P(b_h=np.zeros(2)), r"b_h must have shape \(H=3,\)"),
    ("b_h scalar does not broadcast", lambda: P(b_h=0.0), r"b_h must have 1 dimensions"),
    ("b_h column", lambda: P(b_h=np.zeros((3, 1))), r"b_h must have 1 dimensions"),
    ("b_y wrong size", lambda: P(b_y=np.zeros(3)), r"b_y must have shape \(O=2,\)"),
    ("b_y NaN", lambda: P(b_y=nan_at(2, 1)), r"b_y must be finite"),
    ("W_x strings", lambda: P(W_x=np.array([["a", "b"]] * 3)), r"W_x must hold real numbers"),
    ("W_s complex", lambda: P(W_s=np.eye(3, dtype=complex)), r"W_s must hold real numbers; got dtype complex"),
    ("W_s None", lambda: P(W_s=None), r"W_s must be an array of shape"),
    ("W_s ragged", lambda: P(W_s=[[1.0, 2.0], [1.0]]), r"W_s must be an array of shape.*could not convert"),
    ("h0 wrong size", lambda: P(h0=np.zeros(2), h0_mode="given"), r"h0 must have shape \(H=3,\)"),
    ("h0 NaN", lambda: P(h0=nan_at(3, 0), h0_mode="trainable"), r"h0 must be finite"),
    ("h0_mode unknown", lambda: P(h0_mode="learned"), r"h0_mode must be one of \['given', 'trainable', 'zeros'\]"),
    ("h0 missing for given", lambda: P(h0_mode="given"), r"h0 must be given .* when h0_mode='given'"),
    ("h0 non-zero for zeros", lambda: P(h0=np.ones(3)), r"h0 must be zeros when h0_mode='zeros'"),
    ("replace unknown name", lambda: PARAMS.replace(W_q=np.zeros(1)), r"unknown parameter name 'W_q'"),
    ("replace with wrong shape", lambda: PARAMS.replace(b_h=np.zeros(4)), r"b_h must have shape \(H=3,\)"),
    # --- forward: x, h0 ------------------------------------------------------------------------------
    ("x of shape (T, D)", fwd(x=np.zeros((T, D)), d=None), r"x must have 3 dimensions \(N, T, D=2\); got 2"),
    ("x wrong D", fwd(x=np.zeros((N, T, 1)), d=None), r"x must have shape \(N, T, D=2\).*D is 1 on axis 2"),
    ("x no sequences", fwd(x=np.zeros((0, T, D)), d=None), r"x must have at least one sequence and one step"),
    ("x no steps", fwd(x=np.zeros((N, 0, D)), d=None), r"x must have at least one sequence and one step"),
    ("x NaN", fwd(x=nan_at((N, T, D), (1, 2, 0))), r"x must be finite; got nan at index \(1, 2, 0\)"),
    ("x inf", fwd(x=nan_at((N, T, D), (0, 0, 0), -np.inf)), r"x must be finite; got -inf"),
    ("x strings", fwd(x=np.full((N, T, D), "a"), d=None), r"x must hold real numbers"),
    ("x None", fwd(x=None, d=None), r"x must be an array of shape \(N, T, D=2\)"),
    ("h0 of shape (H,)", fwd(h0=np.zeros(H)), r"h0 must have 2 dimensions \(N=2, H=3\)"),
    ("h0 (1, H) does not broadcast", fwd(h0=np.zeros((1, H))), r"h0 must have shape \(N=2, H=3\).*N is 1"),
    ("h0 wrong H", fwd(h0=np.zeros((N, 4))), r"h0 must have shape \(N=2, H=3\)"),
    ("h0 argument NaN", fwd(h0=nan_at((N, H), (0, 1))), r"h0 must be finite"),
    # --- forward: d and targets ----------------------------------------------------------------------
    ("d (N, T, 1) when O = 2", fwd(d=np.zeros((N, T, 1))), r"d must have shape \(N=2, T=3, O=2\).*O is 1 on axis 2"),
    ("d (T, O) without batch axis", fwd(d=np.zeros((T, O))), r"d must have 3 dimensions \(N=2, T=3, O=2\)"),
    ("d wrong T", fwd(d=np.zeros((N, T + 1, O))), r"d must have shape \(N=2, T=3, O=2\).*T is 4"),
    ("d wrong N", fwd(d=np.zeros((1, T, O))), r"d must have shape.*N is 1"),
    ("d NaN at a target", fwd(d=nan_at((N, T, O), (0, 1, 1))), r"d must be finite"),
    ("d for last with time axis", fwd(d=D_SQ, targets="last"), r"d must have 2 dimensions \(N=2, O=2\)"),
    ("d for last wrong O", fwd(d=np.zeros((N, 1)), targets="last"), r"d must have shape \(N=2, O=2\)"),
    ("d for last NaN", fwd(d=nan_at((N, O), (1, 0)), targets="last"), r"d must be finite"),
    ("targets unknown", fwd(targets="first"), r"targets must be one of \['all', 'last'\]; got 'first'"),
    ("targets integer mask", fwd(targets=np.array([1, 0, 1])), r"targets must be .* boolean mask.*dtype int"),
    ("targets mask wrong T", fwd(targets=np.ones(T + 1, dtype=bool)), r"targets mask must have shape \(T,\)"),
    (
        "targets mask (1, T) does not broadcast",
        fwd(targets=np.ones((1, T), dtype=bool)),
        r"targets mask must have shape .* got shape \(1, 3\)",
    ),
    ("targets None", fwd(targets=None), r"targets must be"),
    # --- forward: model names and labels -------------------------------------------------------------
    ("activation unknown", fwd(activation="softplus"), r"activation must be one of .*got 'softplus'"),
    ("output unknown", fwd(output="sigmoid"), r"output must be one of \['linear', 'softmax'\]; got 'sigmoid'"),
    ("loss unknown", fwd(loss_name="mse"), r"loss_name must be one of \['cross_entropy', 'squared'\]; got 'mse'"),
    (
        "cross-entropy with linear output",
        fwd(d=LABELS, loss_name="cross_entropy"),
        r"loss_name='cross_entropy' needs output='softmax'",
    ),
    (
        "label too large",
        fwd(d=np.array([[0, 1, 2], [0, 0, 0]]), output="softmax", loss_name="cross_entropy"),
        r"d must hold class labels in \[0, 2\) \(O = 2\); got values from 0 to 2",
    ),
    (
        "label negative",
        fwd(d=np.array([[0, -1, 0], [0, 0, 0]]), output="softmax", loss_name="cross_entropy"),
        r"d must hold class labels in \[0, 2\)",
    ),
    (
        "label negative, last",
        fwd(d=np.array([0, -1]), output="softmax", loss_name="cross_entropy", targets="last"),
        r"d must hold class labels in \[0, 2\)",
    ),
    (
        "label fractional",
        fwd(d=np.array([[0, 0.5, 0], [0, 0, 0]]), output="softmax", loss_name="cross_entropy"),
        r"d must hold integer class labels for loss_name='cross_entropy'; got dtype float64",
    ),
    (
        "label NaN at a target",
        fwd(d=np.array([[0, np.nan, 0], [0, 0, 0]]), output="softmax", loss_name="cross_entropy"),
        r"d must hold integer class labels",
    ),
    (
        "label boolean, last",
        fwd(d=np.zeros(N, dtype=bool), output="softmax", loss_name="cross_entropy", targets="last"),
        r"d must hold integer class labels",
    ),
    (
        "labels one-hot instead of integers",
        fwd(d=np.zeros((N, T, O)), output="softmax", loss_name="cross_entropy"),
        r"d must have shape \(N, T\) = \(2, 3\) of class labels",
    ),
    (
        "labels for last with time axis",
        fwd(d=LABELS, output="softmax", loss_name="cross_entropy", targets="last"),
        r"d must have 1 dimensions \(N=2,\)",
    ),
    # Regression: np.where(mask, d, 0) in prepare_targets raised numpy's DTypePromotionError.
    ("labels as strings", fwd(d=np.full((N, T), "a"), output="softmax", loss_name="cross_entropy"), r"\bd must"),
    # --- step functions and backward -----------------------------------------------------------------
    (
        "step x_t wrong D",
        lambda: rnnlib.step_forward(PARAMS, np.zeros((N, 1)), np.zeros((N, H))),
        r"x_t must have shape \(N, D=2\)",
    ),
    (
        "step h_prev wrong N",
        lambda: rnnlib.step_forward(PARAMS, np.zeros((N, D)), np.zeros((1, H))),
        r"h_prev must have shape \(N=2, H=3\)",
    ),
    (
        "step h_prev NaN",
        lambda: rnnlib.step_forward(PARAMS, np.zeros((N, D)), nan_at((N, H), (0, 0))),
        r"h_prev must be finite",
    ),
    (
        "step_backward dh wrong shape",
        lambda: rnnlib.step_backward(
            PARAMS, np.zeros((N, 4)), rnnlib.step_forward(PARAMS, np.zeros((N, D)), np.zeros((N, H)))[1]
        ),
        r"dh_t must have shape \(N=2, H=3\)",
    ),
    # --- truncation ------------------------------------------------------------------------------------
    ("k1 zero", lambda: rnnlib.truncated_bptt(PARAMS, X, D_SQ, 0, 2), r"k1 must be an integer >= 1; got 0"),
    ("k1 beyond T", lambda: rnnlib.truncated_bptt(PARAMS, X, D_SQ, 4, 4), r"k1 must be between 1 and T = 3"),
    ("k2 below k1", lambda: rnnlib.truncated_bptt(PARAMS, X, D_SQ, 2, 1), r"k2 must be >= k1 = 2 .*; got k2 = 1"),
    ("k2 zero", lambda: rnnlib.truncated_bptt(PARAMS, X, D_SQ, 1, 0), r"k2 must be an integer >= 1; got 0"),
    ("k1 float", lambda: rnnlib.truncated_bptt(PARAMS, X, D_SQ, 2.0, 2), r"k1 must be an integer >= 1; got 2.0"),
    ("k1 bool", lambda: rnnlib.truncated_bptt(PARAMS, X, D_SQ, True, 2), r"k1 must be an integer >= 1; got True"),
    ("k2 string", lambda: rnnlib.truncated_bptt(PARAMS, X, D_SQ, 1, "2"), r"k2 must be an integer >= 1; got '2'"),
    (
        "truncated activation unknown",
        lambda: rnnlib.truncated_bptt(PARAMS, X, D_SQ, 1, 1, activation="elu"),
        r"activation must be one of",
    ),
    (
        "truncated x wrong D",
        lambda: rnnlib.truncated_bptt(PARAMS, np.zeros((N, T, 1)), D_SQ, 1, 1),
        r"x must have shape \(N, T, D=2\)",
    ),
    (
        "truncated d wrong O",
        lambda: rnnlib.truncated_bptt(PARAMS, X, np.zeros((N, T, 1)), 1, 1),
        r"d must have shape \(N=2, T=3, O=2\)",
    ),
    (
        "truncated h0 wrong shape",
        lambda: rnnlib.truncated_bptt(PARAMS, X, D_SQ, 1, 1, h0=np.zeros(H)),
        r"h0 must have 2 dimensions",
    ),
    (
        "randomized c zero",
        lambda: rnnlib.randomized_truncated_bptt(PARAMS, X, D_SQ, 1, 1, 0.0, 0),
        r"c must be > 0.0; got 0.0",
    ),
    (
        "randomized c one",
        lambda: rnnlib.randomized_truncated_bptt(PARAMS, X, D_SQ, 1, 1, 1.0, 0),
        r"c must be < 1.0; got 1.0",
    ),
    (
        "randomized c NaN",
        lambda: rnnlib.randomized_truncated_bptt(PARAMS, X, D_SQ, 1, 1, np.nan, 0),
        r"c must be a finite real number",
    ),
    (
        "randomized rng None",
        lambda: rnnlib.randomized_truncated_bptt(PARAMS, X, D_SQ, 1, 1, 0.5, None),
        r"rng must be a non-negative integer seed or a numpy.random.Generator; got None",
    ),
    (
        "randomized k1 zero",
        lambda: rnnlib.randomized_truncated_bptt(PARAMS, X, D_SQ, 0, 1, 0.5, 0),
        r"k1 must be an integer >= 1",
    ),
    # --- clipping --------------------------------------------------------------------------------------
    (
        "clip mode unknown",
        lambda: rnnlib.clip(PARAMS, "elementwise", 1.0),
        r"mode must be one of \['norm', 'parameter_norm', 'value'\]; got 'elementwise'",
    ),
    ("clip threshold zero", lambda: rnnlib.clip(PARAMS, "norm", 0.0), r"threshold must be > 0.0; got 0.0"),
    ("clip threshold negative", lambda: rnnlib.clip_by_value(PARAMS, -1.0), r"threshold must be > 0.0"),
    ("clip threshold inf", lambda: rnnlib.clip_by_parameter_norm(PARAMS, np.inf), r"threshold must be a finite real"),
    ("clip threshold None", lambda: rnnlib.clip(PARAMS, "norm", None), r"threshold must be a finite real number"),
    ("clip grads dict", lambda: rnnlib.clip({"W_s": np.eye(2)}, "norm", 1.0), r"grads must be an RNNParams"),
    ("global_norm grads dict", lambda: rnnlib.global_norm({"W_s": np.eye(2)}), r"grads must be an RNNParams"),
    # --- initialisation --------------------------------------------------------------------------------
    (
        "spectral radius of non-square",
        lambda: rnnlib.spectral_radius(np.zeros((2, 3))),
        r"W must be a square matrix \(H, H\); got shape \(2, 3\)",
    ),
    (
        "rescale nilpotent",
        lambda: rnnlib.rescale_to_spectral_radius(np.array([[0.0, 1.0], [0.0, 0.0]]), 1.0),
        r"W must have a non-zero spectral radius",
    ),
    ("rescale zero matrix", lambda: rnnlib.rescale_to_sigma_max(np.zeros((2, 2)), 1.0), r"W must be non-zero"),
    ("rescale scale negative", lambda: rnnlib.rescale_to_spectral_radius(np.eye(2), -1.0), r"scale must be >= 0.0"),
    (
        "rescale scale NaN",
        lambda: rnnlib.rescale_to_sigma_max(np.eye(2), np.nan),
        r"scale must be a finite real number",
    ),
    ("H zero", lambda: rnnlib.gaussian_spectral(0, 1.0, 0), r"H must be an integer >= 1; got 0"),
    ("H float", lambda: rnnlib.orthogonal(2.5, 1.0, 0), r"H must be an integer >= 1; got 2.5"),
    ("orthogonal scale negative", lambda: rnnlib.orthogonal(2, -1.0, 0), r"scale must be >= 0.0"),
    ("identity scale negative", lambda: rnnlib.identity(2, -1.0), r"scale must be >= 0.0"),
    ("glorot fan_in zero", lambda: rnnlib.glorot((2, 0), 1.0, 0), r"shape\[1\] \(fan_in\) must be an integer >= 1"),
    ("glorot rng None", lambda: rnnlib.glorot((2, 2), 1.0, None), r"rng must be a non-negative integer seed"),
    ("rng negative", lambda: rnnlib.gaussian_sigma(2, 1.0, -3), r"rng must be .*; got -3"),
    ("rng float", lambda: rnnlib.gaussian_sigma(2, 1.0, 1.5), r"rng must be .*; got 1.5"),
    ("rng bool", lambda: rnnlib.gaussian_sigma(2, 1.0, True), r"rng must be .*; got True"),
    ("rng legacy RandomState", lambda: rnnlib.orthogonal(2, 1.0, np.random.RandomState(0)), r"rng must be"),
    (
        "init recurrent unknown",
        lambda: rnnlib.init_params(1, 2, 1, rng=0, recurrent="xavier"),
        r"recurrent must be one of .*got 'xavier'",
    ),
    ("init scale negative", lambda: rnnlib.init_params(1, 2, 1, rng=0, scale=-0.5), r"scale must be >= 0.0"),
    ("init D zero", lambda: rnnlib.init_params(0, 2, 1, rng=0), r"D must be an integer >= 1"),
    ("init O zero", lambda: rnnlib.init_params(1, 2, 0, rng=0), r"O must be an integer >= 1"),
    ("init rng None", lambda: rnnlib.init_params(1, 2, 1, rng=None), r"rng must be"),
    ("init h0_mode unknown", lambda: rnnlib.init_params(1, 2, 1, rng=0, h0_mode="random"), r"h0_mode must be one of"),
    ("singular values of 1-D", lambda: rnnlib.singular_values(np.ones(3)), r"W must have 2 dimensions"),
    # --- tasks -----------------------------------------------------------------------------------------
    ("adding n zero", lambda: rnnlib.adding_problem(0, 5, 0), r"n must be an integer >= 1; got 0"),
    ("adding T one", lambda: rnnlib.adding_problem(2, 1, 0), r"T must be an integer >= 2; got 1"),
    ("adding rng None", lambda: rnnlib.adding_problem(2, 5, None), r"rng must be"),
    ("remember gap negative", lambda: rnnlib.remember_symbol(2, -1, 3, 0), r"gap must be an integer >= 0"),
    ("remember one symbol", lambda: rnnlib.remember_symbol(2, 1, 1, 0), r"n_symbols must be an integer >= 2"),
    ("remember rng None", lambda: rnnlib.remember_symbol(2, 1, 3, None), r"rng must be"),
    ("sine noise negative", lambda: rnnlib.noisy_sine(2, 3, 0, noise=-0.1), r"noise must be >= 0.0"),
    ("sine T zero", lambda: rnnlib.noisy_sine(2, 0, 0), r"T must be an integer >= 1"),
    ("sine omega negative", lambda: rnnlib.noisy_sine(2, 3, 0, omega=(-0.1, 0.5)), r"omega must be >= 0.0"),
    # Regression: omega was unpacked and passed to rng.uniform unchecked, so these two failed with
    # numpy's "not enough values to unpack" and "high - low < 0", which do not name omega.
    ("sine omega one number", lambda: rnnlib.noisy_sine(2, 3, 0, omega=(0.5,)), r"omega"),
    ("sine omega reversed", lambda: rnnlib.noisy_sine(2, 3, 0, omega=(0.5, 0.1)), r"omega"),
    ("sine rng None", lambda: rnnlib.noisy_sine(2, 3, None), r"rng must be"),
    # --- training --------------------------------------------------------------------------------------
    ("sgd lr zero", lambda: rnnlib.sgd_step(PARAMS, PARAMS, 0.0), r"lr must be > 0.0; got 0.0"),
    ("sgd lr inf", lambda: rnnlib.sgd_step(PARAMS, PARAMS, np.inf), r"lr must be a finite real number"),
    ("sgd momentum one", lambda: rnnlib.sgd_step(PARAMS, PARAMS, 0.1, momentum=1.0), r"momentum must be < 1.0"),
    ("sgd momentum negative", lambda: rnnlib.sgd_step(PARAMS, PARAMS, 0.1, momentum=-0.1), r"momentum must be >= 0"),
    ("train steps zero", lambda: rnnlib.train(PARAMS_ADD, TASK, steps=0, lr=0.1), r"steps must be an integer >= 1"),
    ("train steps float", lambda: rnnlib.train(PARAMS_ADD, TASK, steps=2.0, lr=0.1), r"steps must be an integer"),
    ("train lr negative", lambda: rnnlib.train(PARAMS_ADD, TASK, steps=1, lr=-0.1), r"lr must be > 0.0"),
    (
        "train clip_mode unknown",
        lambda: rnnlib.train(PARAMS_ADD, TASK, steps=1, lr=0.1, clip_mode="max", threshold=1.0),
        r"clip_mode must be one of",
    ),
    (
        "train threshold missing",
        lambda: rnnlib.train(PARAMS_ADD, TASK, steps=1, lr=0.1, clip_mode="norm"),
        r"threshold must be given with clip_mode='norm'",
    ),
    (
        "train threshold zero",
        lambda: rnnlib.train(PARAMS_ADD, TASK, steps=1, lr=0.1, clip_mode="value", threshold=0.0),
        r"threshold must be > 0.0",
    ),
    (
        "train k1 without k2",
        lambda: rnnlib.train(PARAMS_ADD, TASK, steps=1, lr=0.1, k1=2),
        r"k1 and k2 must be given together",
    ),
    ("train k2 below k1", lambda: rnnlib.train(PARAMS_ADD, TASK, steps=1, lr=0.1, k1=2, k2=1), r"k2 must be >= k1"),
    (
        "train activation unknown",
        lambda: rnnlib.train(PARAMS_ADD, TASK, steps=1, lr=0.1, activation="gelu"),
        r"activation must be one of",
    ),
    (
        "train task not a task",
        lambda: rnnlib.train(PARAMS_ADD, "adding", steps=1, lr=0.1),
        r"task must be a Task or a function rng -> Task; got str",
    ),
    (
        "train sampler without rng",
        lambda: rnnlib.train(PARAMS_ADD, lambda rng: TASK, steps=1, lr=0.1),
        r"rng must be given .* when task is a sampler; got None",
    ),
    (
        "train sampler returns non-task",
        lambda: rnnlib.train(PARAMS_ADD, lambda rng: 5, steps=1, lr=0.1, rng=0),
        r"task sampler must return a Task; got int",
    ),
    ("train rng negative", lambda: rnnlib.train(PARAMS_ADD, TASK, steps=1, lr=0.1, rng=-1), r"rng must be"),
    ("evaluate non-task", lambda: rnnlib.evaluate(PARAMS_ADD, (TASK.x, TASK.d)), r"task must be a Task; got tuple"),
]


@pytest.mark.parametrize("call,match", [pytest.param(c, m, id=i) for i, c, m in CASES])
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_every_case_is_a_different_call():
    ids = [i for i, _, _ in CASES]
    assert len(ids) == len(set(ids))


def test_truncated_bptt_refuses_unknown_model_keywords():
    # A misspelt keyword (activaton=...) must not be ignored silently: forward() raises TypeError
    # for it, and truncated_bptt should refuse it too rather than train a tanh network.
    # (Regression: truncated_bptt and randomized_truncated_bptt read **model with .get() and accepted
    # any keyword.)
    with pytest.raises(TypeError):
        rnnlib.forward(PARAMS, X, D_SQ, activaton="relu")
    with pytest.raises((TypeError, ValueError), match="activaton"):
        rnnlib.truncated_bptt(PARAMS, X, D_SQ, 1, 1, activaton="relu")
    with pytest.raises((TypeError, ValueError), match="activaton"):
        rnnlib.randomized_truncated_bptt(PARAMS, X, D_SQ, 1, 1, 0.5, 0, activaton="relu")


def test_valid_inputs_of_other_integer_and_list_types_are_accepted():
    # The checks convert what is unambiguous: lists, integer arrays, numpy integer seeds and sizes.
    params = rnnlib.RNNParams(
        W_x=[[1, 0], [0, 1], [1, 1]], W_s=np.eye(3, dtype=int), W_y=[[1, 1, 1], [0, 0, 0]], b_h=[0, 0, 0], b_y=[0, 0]
    )
    assert params.W_s.dtype == np.float64
    fp = rnnlib.forward(params, [[[1, 0], [0, 1], [1, 1]]] * 2, [[[0, 0]] * 3] * 2)
    assert np.isfinite(fp.loss)
    assert rnnlib.orthogonal(np.int64(3), 1.0, np.uint8(4)).shape == (3, 3)
    # Integer-valued float labels are fine for cross-entropy.
    assert np.isfinite(
        rnnlib.loss(params, np.zeros((2, 3, 2)), np.ones((2, 3)), output="softmax", loss_name="cross_entropy")
    )
