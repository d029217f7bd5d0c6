"""rnnlib: recurrent networks and backpropagation through time in numpy.

The numerical core of the course *Backpropagation Through Time*: every chapter imports it,
every gradient in it is checked against finite differences, and it needs numpy only. The
book's tooling (figures, explorers, homework checks, assignments) is :mod:`rnnlib.course`,
which imports this package and is never imported by it.
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

from .activations import ACTIVATIONS, Activation, get_activation, sigmoid
from .clipping import CLIP_MODES, Clipped, clip, clip_by_global_norm, clip_by_parameter_norm, clip_by_value
from .contributions import Contributions, contributions, immediate_derivative
from .diagnostics import (
    delta_norms,
    effective_horizon,
    eta,
    jacobian_norms,
    jacobian_product,
    norms_by_distance,
    pascanu_bound,
    step_jacobians,
)
from .gated import GatedBPTTResult, GatedForwardPass, GatedParams, init_gated
from .gradcheck import (
    check_gradients,
    loss_given_state,
    numerical_delta,
    numerical_gradient,
    numerical_gradients,
    relative_error,
)
from .initialisation import (
    gaussian_sigma,
    gaussian_spectral,
    glorot,
    identity,
    init_params,
    orthogonal,
    rescale_to_sigma_max,
    rescale_to_spectral_radius,
    sigma_max,
    singular_values,
    spectral_radius,
)
from .losses import readout, softmax, target_mask
from .params import RNNParams, cosine, global_norm, relative_gradient_error
from .rnn import (
    BPTTResult,
    ExplodingGradientError,
    ForwardPass,
    backward,
    backward_reference,
    forward,
    loss,
    loss_and_gradients,
    step_backward,
    step_forward,
)
from .rtrl import RTRLResult, RTRLStep, rtrl, rtrl_steps
from .tasks import Task, adding_problem, noisy_sine, remember_symbol
from .training import History, evaluate, sgd_step, train
from .truncation import TruncatedResult, Update, bias_by_k2, randomized_truncated_bptt, truncated_bptt

try:  # pyproject.toml is the single source of the version
    __version__ = _version("rnnlib")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "BPTTResult",
    "CLIP_MODES",
    "Clipped",
    "Contributions",
    "ExplodingGradientError",
    "ForwardPass",
    "GatedBPTTResult",
    "GatedForwardPass",
    "GatedParams",
    "History",
    "RNNParams",
    "RTRLResult",
    "RTRLStep",
    "Task",
    "TruncatedResult",
    "Update",
    "adding_problem",
    "backward",
    "backward_reference",
    "bias_by_k2",
    "check_gradients",
    "clip",
    "clip_by_global_norm",
    "clip_by_parameter_norm",
    "clip_by_value",
    "contributions",
    "cosine",
    "delta_norms",
    "effective_horizon",
    "eta",
    "evaluate",
    "forward",
    "gaussian_sigma",
    "gaussian_spectral",
    "get_activation",
    "global_norm",
    "glorot",
    "identity",
    "immediate_derivative",
    "init_gated",
    "init_params",
    "jacobian_norms",
    "jacobian_product",
    "loss",
    "loss_and_gradients",
    "loss_given_state",
    "noisy_sine",
    "norms_by_distance",
    "numerical_delta",
    "numerical_gradient",
    "numerical_gradients",
    "orthogonal",
    "pascanu_bound",
    "randomized_truncated_bptt",
    "readout",
    "relative_error",
    "relative_gradient_error",
    "remember_symbol",
    "rescale_to_sigma_max",
    "rescale_to_spectral_radius",
    "rtrl",
    "rtrl_steps",
    "sgd_step",
    "sigma_max",
    "sigmoid",
    "singular_values",
    "softmax",
    "spectral_radius",
    "step_backward",
    "step_forward",
    "step_jacobians",
    "target_mask",
    "train",
    "truncated_bptt",
    "__version__",
]
