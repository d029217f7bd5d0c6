"""rnnlib: recurrent networks and backpropagation through time in numpy.

The numerical core of the course *Backpropagation Through Time*: every chapter imports it,
every gradient in it is checked against finite differences, and it needs numpy only. The
book's tooling (figures, explorers, homework checks, assignments) is :mod:`rnnlib.course`,
which imports this package and is never imported by it.
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

from .activations import ACTIVATIONS, Activation, get_activation, sigmoid
from .initialisation import (gaussian_sigma, gaussian_spectral, glorot, identity, init_params, orthogonal,
                             rescale_to_sigma_max, rescale_to_spectral_radius, sigma_max, singular_values,
                             spectral_radius)
from .losses import readout, softmax, target_mask
from .params import RNNParams, cosine, global_norm, relative_gradient_error
from .rnn import (BPTTResult, ForwardPass, backward, backward_reference, forward, loss, loss_and_gradients, step_backward,
                  step_forward)
from .clipping import CLIP_MODES, Clipped, clip, clip_by_global_norm, clip_by_parameter_norm, clip_by_value
from .contributions import Contributions, contributions, immediate_derivative
from .diagnostics import (delta_norms, effective_horizon, eta, jacobian_norms, jacobian_product, norms_by_distance,
                          pascanu_bound, step_jacobians)
from .gradcheck import check_gradients, loss_given_state, numerical_delta, numerical_gradient, numerical_gradients, relative_error
from .tasks import Task, adding_problem, noisy_sine, remember_symbol
from .training import History, evaluate, sgd_step, train
from .truncation import TruncatedResult, Update, bias_by_k2, randomized_truncated_bptt, truncated_bptt

try:  # pyproject.toml is the single source of the version
    __version__ = _version("rnnlib")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
