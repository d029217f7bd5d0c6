"""The recurrent matrix as training moves it (chapter 6): spectrum, non-normality and horizon.

Chapter 6 measures W_s at initialisation; training changes it. :func:`snapshot` records, for the
current parameters, what decides the fate of gradients: ρ(W_s), σ_max(W_s), how far W_s is from
normal (Henrici's departure from normality, :func:`henrici_departure`: 0 for a normal matrix, whose
transient growth is bounded by ρ, up to 1), and the measured gradient horizon on a batch
(:func:`rnnlib.diagnostics.effective_horizon` of ‖δ_k‖ against T − k). Pass it to
``rl.train(..., callback=...)`` to follow them update by update.
"""

from __future__ import annotations

import numpy as np

from . import validate
from .diagnostics import delta_norms, effective_horizon
from .initialisation import sigma_max, spectral_radius
from .params import RNNParams
from .rnn import backward, forward
from .tasks import Task


def henrici_departure(W) -> float:
    """Henrici's departure from normality of a square W (H, H), relative: √(‖W‖_F² − Σ|λ_i|²) / ‖W‖_F.

    0 exactly when W is normal (W Wᵀ = Wᵀ W, e.g. orthogonal or symmetric); close to 1 when the
    eigenvalues say almost nothing about ‖W^n‖ (a nilpotent shift has departure 1).
    """
    W = validate.array("W", W, (None, None), ("H", "H"))
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be a square matrix (H, H); got shape {W.shape}")
    fro2 = float(np.sum(W * W))
    if fro2 == 0:
        raise ValueError("W must be non-zero; got the zero matrix")
    eig2 = float(np.sum(np.abs(np.linalg.eigvals(W)) ** 2))
    return float(np.sqrt(max(fro2 - eig2, 0.0) / fro2))  # rounding can make fro2 − eig2 slightly negative


def snapshot(params: RNNParams, task: Task, *, activation="tanh", threshold=1e-3) -> dict:
    """ρ(W_s), σ_max(W_s), Henrici departure, and the gradient horizon on ``task`` for these parameters.

    The horizon is the largest distance T − k at which ‖δ_k‖ is still at least ``threshold`` times
    ‖δ_T‖ (batch means, :func:`rnnlib.diagnostics.delta_norms`); for a task with a target at every
    step the reference is the last step's.

    Returns
    -------
    dict with keys ``"rho"``, ``"sigma_max"``, ``"departure"``, ``"horizon"`` (int).
    """
    if not isinstance(params, RNNParams) or type(params) is not RNNParams:
        raise ValueError(f"params must be a vanilla RNNParams; got {type(params).__name__}")
    if not isinstance(task, Task):
        raise ValueError(f"task must be a Task; got {type(task).__name__}")
    fp = forward(params, task.x, task.d, activation=activation, **task.model)
    norms = delta_norms(backward(params, fp).delta)  # k = 0..T
    return {
        "rho": spectral_radius(params.W_s),
        "sigma_max": sigma_max(params.W_s),
        "departure": henrici_departure(params.W_s),
        "horizon": effective_horizon(norms[::-1], threshold),
    }
