"""Independent references for the rnnlib tests.

Nothing here calls rnnlib's forward or backward pass. The model is written out once more,
one sequence and one column vector at a time, exactly as the course writes it:

    a_t = W_s h_{t-1} + W_x x_t + b_h,  h_t = f(a_t),  o_t = W_y h_t + b_y,  ŷ_t = g(o_t),
    L = (1/N) Σ_n Σ_t m_{n,t} E_t,

and gradients are checked against central differences of that loss, against explicit
products of the per-step Jacobians diag(f′(a_j)) W_s, or against hand-computed numbers.
Parameters are plain dicts of arrays here (``P["W_s"]`` ...), so that a perturbation in a
finite-difference loop cannot leak into rnnlib's objects.
"""

import numpy as np

import rnnlib

NAMES = ("W_x", "W_s", "W_y", "b_h", "b_y")

# f and f′ written from their definitions (not from rnnlib.activations).
F = {
    "tanh": np.tanh,
    "sigmoid": lambda a: 1.0 / (1.0 + np.exp(-a)),
    "relu": lambda a: np.where(a > 0, a, 0.0),
    "identity": lambda a: np.array(a, dtype=float),
}


def fprime(activation, a):
    """f′(a) from the textbook formulas: 1 − tanh², σ(1 − σ), step, 1."""
    a = np.asarray(a, dtype=float)
    if activation == "tanh":
        return 1.0 - np.tanh(a) ** 2
    if activation == "sigmoid":
        s = 1.0 / (1.0 + np.exp(-a))
        return s * (1.0 - s)
    if activation == "relu":
        return (a > 0).astype(float)
    if activation == "identity":
        return np.ones_like(a)
    raise KeyError(activation)


# --- parameters and data ----------------------------------------------------------------------


def make_params(rng, D, H, O, *, scale=1.0, h0_mode="zeros"):
    """Random RNNParams with entries of order one; ``scale`` multiplies W_s."""
    h0 = None if h0_mode == "zeros" else rng.standard_normal(H)
    return rnnlib.RNNParams(
        W_x=rng.standard_normal((H, D)) / np.sqrt(D),
        W_s=scale * rng.standard_normal((H, H)) / np.sqrt(H),
        W_y=rng.standard_normal((O, H)) / np.sqrt(H),
        b_h=0.5 * rng.standard_normal(H),
        b_y=0.5 * rng.standard_normal(O),
        h0=h0,
        h0_mode=h0_mode,
    )


def as_dict(params):
    """The parameters as a dict of fresh float arrays (including h0)."""
    P = {name: np.array(getattr(params, name), dtype=float) for name in NAMES}
    P["h0"] = np.array(params.h0, dtype=float)
    return P


def to_params(P, h0_mode="zeros"):
    h0 = None if h0_mode == "zeros" else P["h0"]
    return rnnlib.RNNParams(P["W_x"], P["W_s"], P["W_y"], P["b_h"], P["b_y"], h0=h0, h0_mode=h0_mode)


def make_targets(rng, N, T, O, loss):
    """Dense targets: real (N, T, O) for squared error, integer labels (N, T) for cross-entropy."""
    if loss == "squared":
        return rng.standard_normal((N, T, O))
    return rng.integers(0, O, size=(N, T))


def target_argument(d_dense, mask_kind, loss):
    """What rnnlib.forward takes as ``d`` for ``targets`` = "all", "last" or a mask."""
    if isinstance(mask_kind, str) and mask_kind == "last":
        return d_dense[:, -1]
    return d_dense


def mask_of(targets, N, T):
    """The (N, T) boolean mask meant by ``targets`` (written independently of rnnlib)."""
    if isinstance(targets, str) and targets == "all":
        return np.ones((N, T), dtype=bool)
    if isinstance(targets, str) and targets == "last":
        m = np.zeros((N, T), dtype=bool)
        m[:, T - 1] = True
        return m
    targets = np.asarray(targets, dtype=bool)
    return np.broadcast_to(targets, (N, T)).copy()


# --- the forward pass, one sequence and one column vector at a time ------------------------------


def forward_states(P, x, activation, h0=None, override=None):
    """Pre-activations a (N, T, H) and states h (N, T+1, H); ``h[:, t]`` is h_t.

    ``h0`` (N, H) replaces P["h0"] for every sequence. ``override=(k, h_k)`` replaces the state
    h_k (N, H) after it is computed, so that the later states are recomputed from it.
    """
    f = F[activation]
    N, T, _ = x.shape
    H = P["W_s"].shape[0]
    a = np.zeros((N, T, H))
    h = np.zeros((N, T + 1, H))
    for n in range(N):
        h_prev = P["h0"] if h0 is None else h0[n]
        if override is not None and override[0] == 0:
            h_prev = override[1][n]
        h[n, 0] = h_prev
        for t in range(1, T + 1):
            a_t = P["W_s"] @ h_prev + P["W_x"] @ x[n, t - 1] + P["b_h"]
            h_t = f(a_t)
            if override is not None and override[0] == t:
                h_t = override[1][n]
            a[n, t - 1] = a_t
            h[n, t] = h_t
            h_prev = h_t
    return a, h


def softmax(o):
    z = np.exp(o - np.max(o))
    return z / np.sum(z)


def step_loss(P, h_t, d_t, output, loss):
    """E_t for one sequence: Σ_o (ŷ − d)² or −log ŷ_d."""
    o = P["W_y"] @ h_t + P["b_y"]
    if loss == "cross_entropy":
        return float(-(o[d_t] - np.max(o)) + np.log(np.sum(np.exp(o - np.max(o)))))
    y = o if output == "linear" else softmax(o)
    return float(np.sum((y - d_t) ** 2))


def total_loss(P, x, d_dense, mask, activation, output, loss, h0=None, override=None, h=None):
    """L = (1/N) Σ_n Σ_t m_{n,t} E_t; pass ``h`` to reuse states already computed."""
    if h is None:
        _, h = forward_states(P, x, activation, h0=h0, override=override)
    N, T = mask.shape
    L = 0.0
    for n in range(N):
        for t in range(1, T + 1):
            if mask[n, t - 1]:
                L += step_loss(P, h[n, t], d_dense[n, t - 1], output, loss)
    return L / N


def dE_do(P, h_t, d_t, output, loss, N):
    """∂(E_t / N)/∂o_t for one sequence, from the read-out formulas."""
    o = P["W_y"] @ h_t + P["b_y"]
    if loss == "cross_entropy":
        y = softmax(o)
        onehot = np.zeros_like(y)
        onehot[d_t] = 1.0
        return (y - onehot) / N
    if output == "linear":
        return 2.0 * (o - d_t) / N
    y = softmax(o)
    J = np.diag(y) - np.outer(y, y)  # ∂ŷ/∂o for the softmax
    return J.T @ (2.0 * (y - d_t)) / N


def dE_dh(P, h_t, d_t, output, loss, N):
    """∂(E_t / N)/∂h_t = W_yᵀ ∂(E_t / N)/∂o_t for one sequence."""
    return P["W_y"].T @ dE_do(P, h_t, d_t, output, loss, N)


# --- Jacobians ---------------------------------------------------------------------------------


def step_jacobian(P, a_j, activation):
    """∂h_j/∂h_{j-1} = diag(f′(a_j)) W_s for one sequence (H, H)."""
    return np.diag(fprime(activation, a_j)) @ P["W_s"]


def jacobian_product(P, a_seq, activation, t, k):
    """∂h_t/∂h_k = J_t J_{t-1} … J_{k+1} for one sequence; a_seq is (T, H), a_seq[j-1] = a_j."""
    H = P["W_s"].shape[0]
    M = np.eye(H)
    for j in range(t, k, -1):  # J_t first, then multiply on the right by earlier steps
        M = M @ step_jacobian(P, a_seq[j - 1], activation)
    return M


def immediate_W_s(P, a_k, h_prev, activation):
    """∂⁺h_k/∂W_s (H, H, H): entry [i, p, q] = f′(a_k,i) δ_ip h_{k-1,q}, h_{k-1} held fixed."""
    H = P["W_s"].shape[0]
    out = np.zeros((H, H, H))
    fp = fprime(activation, a_k)
    for i in range(H):
        out[i, i, :] = fp[i] * h_prev
    return out


def immediate_W_x(P, a_k, x_k, activation):
    """∂⁺h_k/∂W_x (H, H, D): entry [i, p, q] = f′(a_k,i) δ_ip x_k,q."""
    H, D = P["W_x"].shape
    out = np.zeros((H, H, D))
    fp = fprime(activation, a_k)
    for i in range(H):
        out[i, i, :] = fp[i] * x_k
    return out


def immediate_b_h(P, a_k, activation):
    """∂⁺h_k/∂b_h (H, H) = diag(f′(a_k))."""
    return np.diag(fprime(activation, a_k))


# --- finite differences ------------------------------------------------------------------------


def central_difference(f, x, eps=1e-4):
    """∂f/∂x by central differences; ``f`` takes an array shaped like ``x`` (never modified).

    Each entry combines the central differences at steps ε and ε/2 (Richardson extrapolation):
    D(h) = (f(x + h) − f(x − h))/2h = f′ + h² f‴/6 + O(h⁴), so (4 D(ε/2) − D(ε))/3 = f′ + O(ε⁴).
    With the h² term gone, ε can be large enough (1e-4) that rounding, ~1e-16·|f|/ε, stays near
    1e-12·|f|: a reference good to ~1e-9 relative even for a small gradient of a curved loss,
    where a plain central difference at any step is only good to ~1e-7.
    """
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)

    def D(i, h):
        xp = x.copy()
        xm = x.copy()
        xp[i] += h
        xm[i] -= h
        return (f(xp) - f(xm)) / (2 * h)

    for i in np.ndindex(x.shape):
        grad[i] = (4.0 * D(i, eps / 2) - D(i, eps)) / 3.0
    return grad


def fd_param_gradients(loss_of_P, P, names, eps=1e-4):
    """Central differences of ``loss_of_P(P)`` for each parameter array in ``names``."""
    out = {}
    for name in names:

        def f(value, name=name):
            Q = dict(P)
            Q[name] = value
            return loss_of_P(Q)

        out[name] = central_difference(f, P[name], eps)
    return out


def rel_err(a, b):
    """max|a − b| / max(1e-8, max(|a| + |b|)), the issue's relative error."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a - b)) / max(1e-8, float(np.max(np.abs(a) + np.abs(b)))))
