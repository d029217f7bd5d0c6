"""The PyTorch reference: the same RNN, loss and parameters as rnnlib, in float64.

    torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=True, dtype=torch.float64)
        weight_ih = W_x, weight_hh = W_s, bias_ih = b_h, bias_hh = 0
    torch.nn.Linear(H, O): weight = W_y, bias = b_y
    L = ((o - d)**2).sum() / B, initial state zeros.

``bias_hh`` stays a trainable parameter (the standard module); since a_t depends on
b_ih + b_hh, its gradient equals that of ``bias_ih`` and is checked as well.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

import rnnlib


def rel_err(a, b) -> float:
    """max|a − b| / max(1e-8, max(|a| + |b|)), the agreement measure of the gradient check."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(1e-8, float(np.max(np.abs(a) + np.abs(b)))))


class TorchRNN(torch.nn.Module):
    def __init__(self, params: rnnlib.RNNParams):
        super().__init__()
        D, H, O = params.D, params.H, params.O
        self.rnn = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=True, dtype=torch.float64)
        self.out = torch.nn.Linear(H, O, dtype=torch.float64)
        with torch.no_grad():
            self.rnn.weight_ih_l0.copy_(torch.from_numpy(params.W_x))
            self.rnn.weight_hh_l0.copy_(torch.from_numpy(params.W_s))
            self.rnn.bias_ih_l0.copy_(torch.from_numpy(params.b_h))
            self.rnn.bias_hh_l0.zero_()
            self.out.weight.copy_(torch.from_numpy(params.W_y))
            self.out.bias.copy_(torch.from_numpy(params.b_y))

    def forward(self, x):
        h, _ = self.rnn(x)  # initial state: zeros (the module's default)
        return self.out(h)


@dataclass
class Case:
    """One benchmark shape with identical data and parameters for both libraries."""

    T: int
    B: int
    D: int
    H: int
    O: int
    params: rnnlib.RNNParams
    x: np.ndarray  # (B, T, D)
    d: np.ndarray  # (B, T, O)
    model: TorchRNN
    xt: torch.Tensor
    dt: torch.Tensor

    @property
    def label(self) -> str:
        return f"T={self.T} B={self.B} D={self.D} H={self.H}"

    # --- one forward+backward each: what is timed --------------------------------------------------
    def rnnlib_step(self):
        return rnnlib.backward(self.params, rnnlib.forward(self.params, self.x, self.d))

    def torch_step(self):
        self.model.zero_grad(set_to_none=True)
        o = self.model(self.xt)
        loss = ((o - self.dt) ** 2).sum() / self.B
        loss.backward()
        return loss

    # --- the agreement check -------------------------------------------------------------------------
    def compare(self) -> dict[str, float]:
        """Relative errors between rnnlib and torch: loss and every parameter's gradient."""
        fp = rnnlib.forward(self.params, self.x, self.d)
        g = rnnlib.backward(self.params, fp).grads
        loss_t = float(self.torch_step().detach())
        rnn, out = self.model.rnn, self.model.out
        grad = lambda p: p.grad.detach().numpy()  # noqa: E731
        return {
            "loss": rel_err(fp.loss, loss_t),
            "W_x": rel_err(g.W_x, grad(rnn.weight_ih_l0)),
            "W_s": rel_err(g.W_s, grad(rnn.weight_hh_l0)),
            "b_h": rel_err(g.b_h, grad(rnn.bias_ih_l0)),
            "b_h (bias_hh)": rel_err(g.b_h, grad(rnn.bias_hh_l0)),
            "W_y": rel_err(g.W_y, grad(out.weight)),
            "b_y": rel_err(g.b_y, grad(out.bias)),
        }


def make_case(T, B, D, H, O=None, seed=0) -> Case:
    """Random data and parameters (rnnlib.init_params, then non-zero biases so their mapping is tested)."""
    O = D if O is None else O
    rng = np.random.default_rng(seed)
    params = rnnlib.init_params(D, H, O, rng=rng)
    params = params.replace(b_h=0.1 * rng.standard_normal(H), b_y=0.1 * rng.standard_normal(O))
    x = rng.standard_normal((B, T, D))
    d = rng.standard_normal((B, T, O))
    model = TorchRNN(params)
    return Case(T, B, D, H, O, params, x, d, model, torch.from_numpy(x), torch.from_numpy(d))
