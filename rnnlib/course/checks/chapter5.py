"""Checks for the exercises of chapter 5 (Truncated BPTT).

- :func:`check_chunked_bptt`: the k1 = k2 = k chunked loop of character-level RNN code (carry the
  state from chunk to chunk, cut the gradient at chunk boundaries, sum the chunks' gradients),
  against :func:`rnnlib.truncated_bptt` with ``k1 = k2 = k``.

The stream length T is a multiple of k in every case. The student's function has the signature
``chunked_bptt(params, x, d, k, activation="tanh")`` and returns ``(loss, grads)``: the loss summed
over the chunks (a float) and the gradient summed over the chunks (an :class:`rnnlib.RNNParams`, or a dict of arrays named W_x, W_s, W_y, b_h, b_y).
Targets are at every step, the read-out is linear and the loss squared.
"""

from __future__ import annotations

import numpy as np

from rnnlib.initialisation import init_params
from rnnlib.params import RNNParams
from rnnlib.rnn import backward, forward, loss_and_gradients
from rnnlib.truncation import truncated_bptt

from . import Case, compare, run_check

_NAMES = ("W_x", "W_s", "W_y", "b_h", "b_y")
_RTOL = 1e-9


def _reset_reference(params, x, d, k, activation):
    """What a loop that restarts every chunk from h = 0 computes: (loss, grads by name)."""
    T = x.shape[1]
    total, grads = 0.0, params.zeros_like()
    for start in range(0, T, k):
        fp = forward(params, x[:, start : start + k], d[:, start : start + k], activation=activation).targets_given()
        total += fp.loss
        grads = grads + backward(params, fp).grads
    return total, dict(grads)


def _chunk_losses(params, x, d, k, activation):
    """The loss of each chunk of the carried loop, in order (to name a chunk left out)."""
    losses, h = [], None
    for start in range(0, x.shape[1], k):
        fp = forward(params, x[:, start : start + k], d[:, start : start + k], activation=activation, h0=h)
        losses.append(fp.targets_given().loss)
        h = fp.h[:, -1]
    return losses


def _cases():
    # (N, T, D, H, O, k, activation). T is a multiple of k: with a shorter last chunk,
    # rl.truncated_bptt(k1=k, k2=k) still back-propagates the last losses k steps, into the previous chunk.
    shapes = [  # one sequence first: code that then fails on a batch is named as N = 1-only
        (1, 8, 2, 3, 1, 4, "tanh"),
        (2, 12, 2, 4, 1, 4, "tanh"),
        (3, 12, 1, 5, 2, 3, "tanh"),
        (1, 10, 3, 3, 1, 5, "sigmoid"),
        (4, 10, 2, 6, 3, 2, "tanh"),
    ]
    cases = []
    for i, (N, T, D, H, O, k, act) in enumerate(shapes):
        rng = np.random.default_rng(5500 + i)
        scale = 3.0 if act == "sigmoid" else 1.1  # large enough that the carried state matters
        params = init_params(D, H, O, rng=rng, recurrent="gaussian_spectral", scale=scale)
        params = params.replace(b_h=0.3 * rng.standard_normal(H))
        x = rng.standard_normal((N, T, D))
        d = rng.standard_normal((N, T, O))
        ref = truncated_bptt(params, x, d, k, k, activation=act)
        full_loss, full = loss_and_gradients(params, x, d, activation=act)
        expected = {
            "chunks": T // k,
            "chunk_losses": _chunk_losses(params, x, d, k, act),
            "loss": ref.loss,
            "grads": dict(ref.grads),
            "reset": _reset_reference(params, x, d, k, act),
            "full": dict(full),
            # what a loop that always uses tanh computes, to name an ignored `activation`
            "tanh": (lambda r: (r.loss, dict(r.grads)))(truncated_bptt(params, x, d, k, k, activation="tanh"))
            if act != "tanh"
            else None,
        }
        cases.append(
            Case(
                f"N={N}, T={T}, D={D}, H={H}, O={O}, k={k}, {act}",
                {"params": params.copy(), "x": x, "d": d, "k": k, "activation": act},
                expected,
                batch=N,
            )
        )
    return cases


def _grads_dict(grads):
    if isinstance(grads, RNNParams):
        return {n: g for n, g in grads if n in _NAMES}
    if isinstance(grads, dict):
        missing = [n for n in _NAMES if n not in grads]
        if missing:
            raise ValueError(f"the gradient dict lacks {missing}")
        return {n: grads[n] for n in _NAMES}
    raise ValueError(f"grads must be an RNNParams or a dict of arrays, got {type(grads).__name__}")


def _matches(got, expected):
    return all(compare(n, got[n], expected[n], rtol=_RTOL) is None for n in _NAMES)


def check_chunked_bptt(chunked_bptt, *, raise_on_failure=True):
    """Check ``chunked_bptt(params, x, d, k, activation)`` → ``(loss, grads)`` against truncated BPTT(k, k).

    ``x`` (N, T, D), ``d`` (N, T, O): targets at every step, linear read-out, squared loss. The
    chunks are steps 1..k, k+1..2k, ..., T (T is a multiple of k). The expected answer carries
    the state from each chunk into the next and back-propagates each chunk's losses to the chunk's
    start only.
    """
    cases = _cases()

    def outputs(got, expected):
        if got is None:
            return ["your function returned None: did you forget the `return`?"]
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            return [
                f"expected a tuple (loss, grads), got {type(got).__name__}"
                f"{' of length ' + str(len(got)) if isinstance(got, (tuple, list)) else ''}"
            ]
        loss, grads = got
        try:
            grads = _grads_dict(grads)
        except ValueError as exc:
            return [str(exc)]
        problems = []
        loss_problem = compare("loss", loss, expected["loss"], rtol=_RTOL)
        if (
            loss_problem
            and expected["tanh"] is not None
            and compare("loss", loss, expected["tanh"][0], rtol=_RTOL) is None
        ):
            return [
                "the `activation` argument is ignored: this case asks for the sigmoid, and your loss is the "
                "tanh network's; pass activation=activation to rl.forward"
            ]
        reset_loss, reset_grads = expected["reset"]
        if loss_problem and compare("loss", loss, reset_loss, rtol=_RTOL) is None:
            return [
                "loss and gradients are those of a loop that starts every chunk from h = 0: carry the "
                "state, i.e. start each chunk from the last hidden state of the previous chunk (h0=...)."
            ]
        chunks = expected["chunks"]
        if loss_problem and compare("loss", loss, expected["loss"] / chunks, rtol=_RTOL) is None:
            return [
                f"the loss (and so the gradients) are averaged over the {chunks} chunks: the chunks' losses "
                "and gradients add up to the stream's, so sum them"
            ]
        parts = expected["chunk_losses"]
        for left_out, which in ((parts[:-1], "last"), (parts[1:], "first")):
            if loss_problem and compare("loss", loss, float(np.sum(left_out)), rtol=_RTOL) is None:
                return [
                    f"the {which} chunk is left out (off by one in the loop over chunks): the chunks start at "
                    "steps 0, k, 2k, …, T − k, every one of them counts"
                ]
        if loss_problem:
            problems.append(loss_problem + " (the loss summed over all chunks)")
        grad_problems = [
            p for p in (compare(f"grads.{n}", grads[n], expected["grads"][n], rtol=_RTOL) for n in _NAMES) if p
        ]
        if grad_problems:
            shapes_ok = all(np.shape(grads[n]) == np.shape(expected["grads"][n]) for n in _NAMES)
            if shapes_ok and _finite(grads) and _matches(grads, expected["full"]):
                return [
                    "your gradient is the full-BPTT gradient: it was back-propagated across chunk "
                    "boundaries. Truncation treats the state entering a chunk as a constant: "
                    "back-propagate each chunk on its own (call rl.backward per chunk)."
                ]
            if shapes_ok and _finite(grads) and _matches(grads, reset_grads):
                problems.append("the gradients are those of chunks started from h = 0: carry the state")
            if shapes_ok and _finite(grads) and _matches(grads, {n: g / chunks for n, g in expected["grads"].items()}):
                problems.append(f"the gradients are averaged over the {chunks} chunks: sum them")
            problems.extend(grad_problems)
        return problems

    return run_check(
        "chunked_bptt",
        chunked_bptt,
        cases,
        outputs,
        raise_on_failure=raise_on_failure,
        hint="each chunk: a forward pass from the carried state (h0=...), a backward pass of that "
        "chunk alone, its loss and gradients added to the totals, then carry its last state.",
    )


def _finite(grads):
    try:
        return all(np.all(np.isfinite(np.asarray(grads[n], dtype=np.float64))) for n in _NAMES)
    except (TypeError, ValueError):
        return False
