"""Auto-checks for the exercises of chapter 6 (vanishing and exploding gradients).

- :func:`check_spectral_init`: an initialiser ``spectral_init(H, rho, rng)`` that draws a Gaussian
  H×H matrix and rescales it to spectral radius ρ (compared with ``rl.spectral_radius``);
- :func:`check_eta_init`: an initialiser ``eta_init(H, eta, activation, rng)`` that draws a Gaussian
  H×H matrix and rescales it so that Pascanu et al.'s η = γ σ_max(W) equals ``eta`` (compared with
  ``rl.eta``), the scale that guarantees vanishing when η < 1;
- :func:`check_jacobian_product`: ``jacobian_product(W_s, fprime, t, k)`` = ∂h_t/∂h_k
  (compared with ``rl.jacobian_product``).

Each runs several randomized cases and recognises the common mistakes (σ_max instead of ρ,
the product in the wrong order, f′ on the wrong side of W_s) by name, without printing the answer.
"""

from __future__ import annotations

import numpy as np

from rnnlib.activations import get_activation
from rnnlib.diagnostics import eta as _eta
from rnnlib.diagnostics import jacobian_product as _jacobian_product
from rnnlib.gradcheck import relative_error
from rnnlib.initialisation import gaussian_spectral, glorot, sigma_max, spectral_radius
from rnnlib.params import RNNParams
from rnnlib.rnn import forward

from . import Case, compare, run_check

__all__ = ["check_spectral_init", "check_eta_init", "check_jacobian_product"]


# --- exercise: an initialiser with a given spectral radius ------------------------------------------


def _spectral_init_outputs(got, expected):
    W, W_again, W_other = got
    H, rho = expected["H"], expected["rho"]
    problems = []
    try:
        W = np.asarray(W)
    except Exception:  # noqa: BLE001 - report anything unreadable as a message
        return [f"W: expected an array of shape ({H}, {H}), got {type(W).__name__}"]
    if np.iscomplexobj(W):
        return [
            "W has complex entries: take the modulus |λ| of the eigenvalues (np.abs), "
            "so that the scale factor is a real number"
        ]
    shape_problem = compare("W", W, np.zeros((H, H)), rtol=np.inf)
    if shape_problem:
        return [shape_problem]
    W = W.astype(np.float64)
    rho_got = spectral_radius(W)
    if relative_error(rho_got, rho) > 1e-8:
        if relative_error(sigma_max(W), rho) <= 1e-8:
            problems.append(
                "the largest singular value σ_max(W) equals rho, but the spectral radius "
                "ρ(W) = max|λ_i| does not: you rescaled by σ_max (np.linalg.norm(W, 2) or the SVD) "
                "instead of the largest eigenvalue modulus"
            )
        else:
            problems.append(f"ρ(W) has relative error {relative_error(rho_got, rho):.2e} from the requested rho")
        return problems
    if compare("W", W_again, W, rtol=1e-12):
        problems.append(
            "two calls with generators seeded alike gave different matrices: draw all randomness "
            "from the rng argument (rng.standard_normal), not from np.random"
        )
    elif compare("W", W_other, W, rtol=1e-12) is None:
        problems.append("generators with different seeds gave the same matrix: draw the matrix from rng")
    return problems


def check_spectral_init(spectral_init, *, raise_on_failure=True):
    """Check ``spectral_init(H, rho, rng) -> W`` (H, H): a random Gaussian W with ρ(W) = rho.

    Cases vary H, rho (below, at and above 1) and the seed. The check measures ρ(W) with
    :func:`rnnlib.spectral_radius`, and checks that the matrix comes from ``rng``.
    """
    cases = []
    for i, (H, rho) in enumerate([(4, 0.9), (16, 1.1), (32, 0.5), (9, 1.5), (64, 1.0)]):
        seed = 600 + i
        cases.append(Case(f"H = {H}, rho = {rho}", {"H": H, "rho": rho, "seed": seed}, {"H": H, "rho": rho}))

    def run(H, rho, seed):
        W = spectral_init(H, rho, np.random.default_rng(seed))
        W_again = spectral_init(H, rho, np.random.default_rng(seed))
        W_other = spectral_init(H, rho, np.random.default_rng(seed + 1000))
        return W, W_again, W_other

    return run_check(
        "spectral_init",
        run,
        cases,
        _spectral_init_outputs,
        raise_on_failure=raise_on_failure,
        hint="ρ(W) = max_i |λ_i(W)| (np.linalg.eigvals); multiplying W by c multiplies every eigenvalue by c.",
    )


# --- exercise: an initialiser with a given η = γ σ_max ------------------------------------------------


def _eta_init_outputs(got, expected):
    W, W_again, W_other = got
    H, eta, activation, G = expected["H"], expected["eta"], expected["activation"], expected["G"]
    gamma = float(get_activation(activation).gamma)
    try:
        W = np.asarray(W)
    except Exception:  # noqa: BLE001 - report anything unreadable as a message
        return [f"W: expected an array of shape ({H}, {H}), got {type(W).__name__}"]
    if np.iscomplexobj(W):
        return ["W has complex entries: σ_max(W) is a real number (np.linalg.norm(W, 2)), and so is the scale factor"]
    shape_problem = compare("W", W, np.zeros((H, H)), rtol=np.inf)
    if shape_problem:
        return [shape_problem]
    W = W.astype(np.float64)
    eta_got = float(_eta(W, activation))
    if relative_error(eta_got, eta) > 1e-8:
        if relative_error(gamma * spectral_radius(W), eta) <= 1e-8:
            return [
                "γ ρ(W) equals eta, but η = γ σ_max(W) does not: you rescaled by the spectral radius "
                "(the largest eigenvalue modulus); the bound of eq-ch6-bound needs the largest singular value"
            ]
        if gamma != 1.0 and relative_error(sigma_max(W), eta) <= 1e-8:
            return [
                f"σ_max(W) equals eta, so η = γ σ_max(W) is {eta_got:.3g}: the slope bound γ of {activation} "
                f"({gamma:g}) is missing from the scale (is the `activation` argument ignored?)"
            ]
        if relative_error(gamma * np.linalg.norm(W), eta) <= 1e-8:
            return ["γ ‖W‖_F equals eta: np.linalg.norm(W) is the Frobenius norm; σ_max is np.linalg.norm(W, 2)"]
        return [f"η = γ σ_max(W) has relative error {relative_error(eta_got, eta):.2e} from the requested eta"]
    if compare("W", W_again, W, rtol=1e-12):
        return [
            "two calls with generators seeded alike gave different matrices: draw all randomness "
            "from the rng argument (rng.standard_normal), not from np.random"
        ]
    if compare("W", W_other, W, rtol=1e-12) is None:
        return ["generators with different seeds gave the same matrix: draw the matrix from rng"]
    direction = W / np.linalg.norm(W)
    if relative_error(direction, G / np.linalg.norm(G)) > 1e-8:
        return [
            "W has the right η but is not a multiple of rng.standard_normal((H, H)), drawn first: "
            "rescale the Gaussian matrix, do not build another one"
        ]
    return []


def check_eta_init(eta_init, *, raise_on_failure=True):
    """Check ``eta_init(H, eta, activation, rng) -> W`` (H, H): a Gaussian W with γ σ_max(W) = eta.

    Cases vary H, eta (below, at and above 1), the activation (tanh, sigmoid, relu: γ = 1, 1/4, 1) and
    the seed. The check measures η with :func:`rnnlib.eta`, checks that W is a multiple of the first
    ``rng.standard_normal((H, H))`` draw, and names rescaling by ρ instead of σ_max, a missing γ and
    the Frobenius norm.
    """
    cases = []
    settings = [(4, 0.9, "tanh"), (16, 0.5, "sigmoid"), (32, 1.0, "relu"), (9, 1.5, "sigmoid"), (64, 0.8, "tanh")]
    for i, (H, eta, activation) in enumerate(settings):
        seed = 650 + i
        G = np.random.default_rng(seed).standard_normal((H, H))
        cases.append(
            Case(
                f"H = {H}, eta = {eta}, {activation}",
                {"H": H, "eta": eta, "activation": activation, "seed": seed},
                {"H": H, "eta": eta, "activation": activation, "G": G},
            )
        )

    def run(H, eta, activation, seed):
        W = eta_init(H, eta, activation, np.random.default_rng(seed))
        W_again = eta_init(H, eta, activation, np.random.default_rng(seed))
        W_other = eta_init(H, eta, activation, np.random.default_rng(seed + 1000))
        return W, W_again, W_other

    return run_check(
        "eta_init",
        run,
        cases,
        _eta_init_outputs,
        raise_on_failure=raise_on_failure,
        hint="η is defined in eq-ch6-bound: the slope bound γ of the activation times the largest singular value.",
    )


# --- exercise: the Jacobian product ∂h_t/∂h_k -------------------------------------------------------


def _jacobian_case(seed, H, T, activation, t, k):
    rng = np.random.default_rng(seed)
    W_s = gaussian_spectral(H, rng.uniform(0.7, 1.3), rng)
    params = RNNParams(
        glorot((H, 2), 1.0, rng), W_s, glorot((1, H), 1.0, rng), 0.1 * rng.standard_normal(H), np.zeros(1)
    )
    fp = forward(params, rng.standard_normal((1, T, 2)), activation=activation)
    fprime = fp.activation.df(fp.a[0], fp.h[0, 1:])  # (T, H): fprime[j-1] = f′(a_j)
    expected = _jacobian_product(params, fp, t, k)[0]
    J = [fprime[j - 1][:, None] * W_s for j in range(1, T + 1)]  # J[j-1] = diag(f′(a_j)) W_s
    reversed_order = np.eye(H)
    columns = np.eye(H)
    for j in range(k + 1, t + 1):
        reversed_order = reversed_order @ J[j - 1]  # J_{k+1} … J_t: the wrong order
        columns = (W_s * fprime[j - 1][None, :]) @ columns  # W_s diag(f′): f′ on the wrong side
    mistakes = {
        "order": reversed_order,
        "columns": columns,
        "no_fprime": np.linalg.matrix_power(W_s, t - k),
        "transposed": (
            np.linalg.multi_dot([np.eye(H)] + [fprime[j - 1][:, None] * W_s.T for j in range(t, k, -1)] + [np.eye(H)])
        ),
        "shifted": (
            np.linalg.multi_dot([np.eye(H)] + [J[j - 1] for j in range(t - 1, k - 1, -1) if j >= 1] + [np.eye(H)])
            if t > k
            else np.eye(H)
        ),
    }
    description = f"H = {H}, T = {T}, {activation}, t = {t}, k = {k}"
    return Case(
        description, {"W_s": W_s.copy(), "fprime": fprime.copy(), "t": t, "k": k}, {"ref": expected, **mistakes}
    )


_MISTAKES = {
    "order": "you multiplied the step Jacobians in the wrong order: ∂h_t/∂h_k = J_t J_(t−1) … J_(k+1), "
    "the latest step on the left (each new step multiplies from the left)",
    "columns": "f′ scales the columns of W_s in your product: J_j = diag(f′(a_j)) W_s scales its rows "
    "(fprime[j-1][:, None] * W_s, not W_s * fprime[j-1])",
    "no_fprime": "your product ignores the activation: it is a power of W_s; each factor is diag(f′(a_j)) W_s",
    "transposed": "your factors use W_sᵀ: ∂h_j/∂h_(j−1) = diag(f′(a_j)) W_s, since a_j = W_s h_(j−1) + …; "
    "the transpose belongs to the backward messages, not to the Jacobian",
    "shifted": "your product uses the wrong steps: ∂h_t/∂h_k multiplies J_j for j = k+1 … t, and "
    "fprime[j-1] holds f′(a_j)",
}


def _jacobian_outputs(got, expected):
    ref = expected["ref"]
    problem = compare("∂h_t/∂h_k", got, ref, rtol=1e-9)
    if problem is None or "shape" in problem or "NaN" in problem or "expected an array" in problem:
        return [] if problem is None else [problem]
    got = np.asarray(got, dtype=np.float64)
    for name, message in _MISTAKES.items():
        if relative_error(expected[name], ref) > 1e-6 and relative_error(got, expected[name]) <= 1e-9:
            return [message]
    return [problem]


def check_jacobian_product(jacobian_product, *, raise_on_failure=True):
    """Check ``jacobian_product(W_s, fprime, t, k) -> (H, H)``, the Jacobian ∂h_t/∂h_k.

    ``W_s`` is (H, H); ``fprime`` is (T, H) with ``fprime[j-1]`` = f′(a_j); 0 ≤ k ≤ t ≤ T.
    Compared with :func:`rnnlib.jacobian_product` on tanh and sigmoid networks, including t = k
    (the identity) and k = 0.
    """
    cases = [
        _jacobian_case(61, 3, 6, "tanh", 4, 1),
        _jacobian_case(62, 5, 8, "sigmoid", 8, 0),
        _jacobian_case(63, 4, 5, "tanh", 3, 3),
        _jacobian_case(64, 8, 12, "tanh", 11, 2),
        _jacobian_case(65, 6, 10, "sigmoid", 7, 5),
    ]
    return run_check(
        "jacobian_product",
        jacobian_product,
        cases,
        _jacobian_outputs,
        raise_on_failure=raise_on_failure,
        hint="∂h_t/∂h_k = Π_(j=k+1..t) diag(f′(a_j)) W_s, with the identity when t = k.",
    )
