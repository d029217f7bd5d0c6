"""Where rnnlib's forward+backward spends its time, and a prototype that spends less.

NOT part of rnnlib and not run by run.py: a measurement aid for the recommendations in the
benchmark report. Run from the repository root:

    PYTHONPATH=. python benchmarks/prototype.py              # breakdown + ablation (~1-2 min)
    PYTHONPATH=. python benchmarks/prototype.py --breakdown  # only the per-piece breakdown

It contains

- ``breakdown(case)``: rnnlib.forward + rnnlib.backward re-enacted operation by operation (the
  same numpy calls in the same order as rnnlib/rnn.py and rnnlib/losses.py), with a timer per
  piece, so the share of each piece is measured, not guessed;
- ``forward_fast`` / ``backward_fast``: the same computation (tanh, linear read-out, squared loss
  at every step, h0 = params.h0) with the changes recommended for rnn.py, each switchable so
  that its gain is measured on its own (see VARIANTS). They return the same results as rnnlib
  (checked to 1e-12 before any timing).
"""
from __future__ import annotations

import argparse
import contextlib
import ctypes
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
for p in (str(HERE), str(HERE.parent)):
    if p not in sys.path:
        sys.path.insert(0, p)

import numpy as np  # noqa: E402

import rnnlib  # noqa: E402
from bench_report import table  # noqa: E402
from bench_timing import interleaved, paired_ratio  # noqa: E402

SHAPES = [(100, 32, 64, 128), (200, 1, 8, 32), (50, 64, 128, 256)]


def make(T, B, D, H, seed=0):
    rng = np.random.default_rng(seed)
    p = rnnlib.init_params(D, H, D, rng)
    p = p.replace(b_h=0.1 * rng.standard_normal(H), b_y=0.1 * rng.standard_normal(D))
    return p, rng.standard_normal((B, T, D)), rng.standard_normal((B, T, D))


# --- OpenBLAS thread control through its C API (what threadpoolctl does; no dependency) ---------------

class _OpenBLAS:
    def __init__(self):
        self.get = self.set = None
        try:
            with open("/proc/self/maps") as f:
                paths = sorted({ln.split()[-1] for ln in f if "openblas" in ln.lower() and ".so" in ln})
        except OSError:
            paths = []
        for path in paths:
            lib = ctypes.CDLL(path)
            for prefix, suffix in (("scipy_openblas_", "64_"), ("scipy_openblas_", ""), ("openblas_", "64_"),
                                   ("openblas_", "")):
                try:
                    self.get = getattr(lib, f"{prefix}get_num_threads{suffix}")
                    self.set = getattr(lib, f"{prefix}set_num_threads{suffix}")
                    return
                except AttributeError:
                    continue

    @contextlib.contextmanager
    def limit(self, n):
        if self.set is None:
            yield
            return
        old = self.get()
        self.set(n)
        try:
            yield
        finally:
            self.set(old)


OPENBLAS = _OpenBLAS()


# --- glibc malloc: keep freed memory in the process --------------------------------------------------

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # from <malloc.h>


def keep_freed_memory(trim=512 << 20, mmap=256 << 20) -> bool:
    """Tell glibc's malloc not to give freed memory back to the OS (mallopt), so that the large
    arrays of the next forward/backward reuse pages already mapped instead of page-faulting fresh
    ones. Equivalent to MALLOC_TRIM_THRESHOLD_=trim MALLOC_MMAP_THRESHOLD_=mmap in the environment.
    Returns False where it does not apply (not glibc)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(M_TRIM_THRESHOLD, trim)) and bool(libc.mallopt(M_MMAP_THRESHOLD, mmap))
    except (OSError, AttributeError):
        return False


def minor_faults() -> int:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


# --- breakdown: rnnlib's own operations, timed piece by piece ------------------------------------------

class Clock:
    def __init__(self):
        self.t = {}
        self._last = time.perf_counter()

    def lap(self, name):
        now = time.perf_counter()
        self.t[name] = self.t.get(name, 0.0) + now - self._last
        self._last = now


def rnnlib_reenacted(params, x, d, clock):
    """rnnlib.forward(params, x, d) + rnnlib.backward(...) for tanh/linear/squared/all targets,
    operation for operation as in rnn.py and losses.py, with laps."""
    from rnnlib.activations import get_activation
    from rnnlib.losses import loss_and_grad, prepare_targets, readout
    from rnnlib.rnn import _check_inputs

    clock.lap("(untimed)")
    # forward()
    act = get_activation("tanh")
    x, h0_arr = _check_inputs(params, x, None)
    N, T, _ = x.shape
    H, O = params.H, params.O
    clock.lap("fwd: argument checks")
    x_tm = np.ascontiguousarray(x.transpose(1, 0, 2))
    a = np.matmul(x_tm.reshape(T * N, -1), params.W_x.T).reshape(T, N, H)
    a += params.b_h
    clock.lap("fwd: input projection W_x x + b_h (1 GEMM)")
    h = np.empty((T + 1, N, H))
    h[0] = h0_arr
    W_s_T = np.ascontiguousarray(params.W_s.T)
    rec = np.empty((N, H))
    for t in range(T):
        np.matmul(h[t], W_s_T, out=rec)
        a[t] += rec
        act.f(a[t], out=h[t + 1])
    clock.lap("fwd: recurrence loop (T small GEMMs + add + tanh)")
    o = np.matmul(h[1:].reshape(T * N, H), params.W_y.T).reshape(T, N, O)
    o += params.b_y
    y_hat = readout(o, "linear")
    clock.lap("fwd: read-out W_y h + b_y (1 GEMM)")
    d_tm, mask = prepare_targets(d, "all", "squared", N, T, O)
    clock.lap("fwd: prepare_targets (checks, mask, np.where copy of d)")
    L, E, dO = loss_and_grad(o, y_hat, d_tm, mask, "linear", "squared")
    clock.lap("fwd: loss_and_grad (diff, einsum, 2 temporaries)")
    # backward()
    dO_flat = dO.reshape(T * N, O)
    dW_y = dO_flat.T @ h[1:].reshape(T * N, H)
    db_y = dO_flat.sum(axis=0)
    clock.lap("bwd: dW_y, db_y (1 GEMM)")
    dh_out = np.matmul(dO_flat, params.W_y).reshape(T, N, H)
    clock.lap("bwd: dh_out = W_y^T dO (1 GEMM)")
    dA = np.empty((T, N, H))
    delta = np.empty((T + 1, N, H))
    W_s = params.W_s
    carry = np.zeros((N, H))
    tm = {"bwd sweep: matmul": 0.0}
    for i in range(T - 1, -1, -1):
        d_h = dh_out[i] + carry
        delta[i + 1] = d_h
        d_a = dA[i]
        np.multiply(d_h, act.df(a[i], h[i + 1]), out=d_a)
        t0 = time.perf_counter()
        carry = d_a @ W_s
        tm["bwd sweep: matmul"] += time.perf_counter() - t0
    delta[0] = carry
    clock.lap("bwd: sweep loop (T small GEMMs + 5 elementwise/copies)")
    dA_flat = dA.reshape(T * N, H)
    dW_s = dA_flat.T @ h[:-1].reshape(T * N, H)
    dW_x = dA_flat.T @ x_tm.reshape(T * N, -1)
    db_h = dA_flat.sum(axis=0)
    clock.lap("bwd: dW_s, dW_x, db_h (2 GEMMs)")
    grads = rnnlib.RNNParams(dW_x, dW_s, dW_y, db_h, db_y)
    clock.lap("bwd: RNNParams(grads) (checks)")
    return L, grads, tm


def breakdown(T, B, D, H, reps=60):
    params, x, d = make(T, B, D, H)
    pieces, loops = {}, {"bwd sweep: matmul": []}
    totals = []
    for _ in range(5):
        rnnlib_reenacted(params, x, d, Clock())
    for _ in range(reps):
        c = Clock()
        t0 = time.perf_counter()
        _, _, tm = rnnlib_reenacted(params, x, d, c)
        totals.append(time.perf_counter() - t0)
        for k, v in c.t.items():
            pieces.setdefault(k, []).append(v)
        loops["bwd sweep: matmul"].append(tm["bwd sweep: matmul"])
    # the forward loop's GEMMs alone
    h = np.zeros((T + 1, B, H))
    W_s_T = np.ascontiguousarray(params.W_s.T)
    rec = np.empty((B, H))
    fl = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for t in range(T):
            np.matmul(h[t], W_s_T, out=rec)
        fl.append(time.perf_counter() - t0)
    # rnnlib itself
    real = []
    for _ in range(reps):
        t0 = time.perf_counter()
        rnnlib.backward(params, rnnlib.forward(params, x, d))
        real.append(time.perf_counter() - t0)
    med_total = statistics.median(totals)
    rows = []
    for k, v in pieces.items():
        if k == "(untimed)":
            continue
        m = statistics.median(v)
        rows.append([k, f"{1e3 * m:.3f}", f"{100 * m / med_total:.0f}%"])
    m = statistics.median(fl)
    rows.append(["  of which fwd loop GEMMs alone", f"{1e3 * m:.3f}", f"{100 * m / med_total:.0f}%"])
    m = statistics.median(loops["bwd sweep: matmul"])
    rows.append(["  of which bwd sweep GEMMs alone", f"{1e3 * m:.3f}", f"{100 * m / med_total:.0f}%"])
    rows.append(["total (re-enacted)", f"{1e3 * med_total:.3f}", "100%"])
    rows.append(["rnnlib.backward(params, rnnlib.forward(params, x, d))", f"{1e3 * statistics.median(real):.3f}", ""])
    f0 = minor_faults()
    for _ in range(10):
        rnnlib.backward(params, rnnlib.forward(params, x, d))
    faults = (minor_faults() - f0) / 10
    print(f"\nbreakdown T={T} B={B} D={D} H={H} (median of {reps} runs each; ms); "
          f"rnnlib page faults per call: {faults:.0f}")
    print(table(["piece", "ms", "share"], rows, align="lrr"))


# --- the prototype -------------------------------------------------------------------------------------

@dataclass
class Variant:
    """Which of the recommended changes are on."""

    name: str
    fast_loss: bool = False  # squared loss at every step: no mask, no np.where copy of d, dO in place
    fast_sweep: bool = False  # f′ = 1 − h² for all steps at once; δ and carry written in place (out=)
    blas1_loops: bool = False  # OpenBLAS limited to 1 thread inside the two per-step loops


VARIANTS = [
    Variant("A: fast loss", fast_loss=True),
    Variant("B: fast sweep", fast_sweep=True),
    Variant("A+B", fast_loss=True, fast_sweep=True),
    Variant("A+B + 1 BLAS thread in the loops", fast_loss=True, fast_sweep=True, blas1_loops=True),
]


def forward_fast(params, x, d, v: Variant):
    """Forward pass + loss; returns a dict with what backward_fast needs (time-major arrays)."""
    x = np.asarray(x, dtype=np.float64)
    N, T, D = x.shape
    H, O = params.H, params.O
    x_tm = np.ascontiguousarray(x.transpose(1, 0, 2))
    a = np.matmul(x_tm.reshape(T * N, D), params.W_x.T).reshape(T, N, H)
    a += params.b_h
    h = np.empty((T + 1, N, H))
    h[0] = params.h0
    W_s_T = np.ascontiguousarray(params.W_s.T)
    rec = np.empty((N, H))
    with OPENBLAS.limit(1) if v.blas1_loops else contextlib.nullcontext():
        for t in range(T):
            np.matmul(h[t], W_s_T, out=rec)
            a[t] += rec
            np.tanh(a[t], out=h[t + 1])
    o = np.matmul(h[1:].reshape(T * N, H), params.W_y.T).reshape(T, N, O)
    o += params.b_y
    if v.fast_loss:
        # targets="all": every step carries a target, so the mask is all ones and d needs no copy.
        d = np.asarray(d, dtype=np.float64)
        if d.shape != (N, T, O) or not np.isfinite(d).all():
            raise ValueError("d must be a finite (N, T, O) array")
        dO = o - d.transpose(1, 0, 2)  # diff, time-major; becomes ∂L/∂o in place below
        E = np.einsum("tno,tno->tn", dO, dO)
        L = float(E.sum() / N)
        dO *= 2.0 / N
    else:
        from rnnlib.losses import loss_and_grad, prepare_targets
        d_tm, mask = prepare_targets(d, "all", "squared", N, T, O)
        L, E, dO = loss_and_grad(o, o, d_tm, mask, "linear", "squared")
    return {"x": x_tm, "a": a, "h": h, "o": o, "dO": dO, "E": E, "loss": L}


def backward_fast(params, fp, v: Variant):
    x, a, h, dO = fp["x"], fp["a"], fp["h"], fp["dO"]
    T, N, H = a.shape
    O = dO.shape[2]
    dO_flat = dO.reshape(T * N, O)
    dW_y = dO_flat.T @ h[1:].reshape(T * N, H)
    db_y = dO_flat.sum(axis=0)
    delta = np.empty((T + 1, N, H))
    dA = np.empty((T, N, H))
    W_s = params.W_s
    if v.fast_sweep:
        # δ_t starts as the read-out's part W_yᵀ ∂L/∂o_t, written straight into delta (no dh_out array).
        np.matmul(dO_flat, params.W_y, out=delta[1:].reshape(T * N, H))
        # f′(a_t) = 1 − h_t² for every step in two vectorised operations, into dA.
        np.multiply(h[1:], h[1:], out=dA)
        np.subtract(1.0, dA, out=dA)
        carry = np.empty((N, H))
        with OPENBLAS.limit(1) if v.blas1_loops else contextlib.nullcontext():
            for i in range(T - 1, -1, -1):
                if i < T - 1:
                    delta[i + 1] += carry  # δ_t = W_yᵀ ∂L/∂o_t + W_sᵀ (f′ ⊙ δ)_{t+1}
                dA[i] *= delta[i + 1]  # ∂L/∂a_t = f′(a_t) ⊙ δ_t
                np.matmul(dA[i], W_s, out=carry)
        delta[0] = carry
    else:
        dh_out = np.matmul(dO_flat, params.W_y).reshape(T, N, H)
        carry = np.zeros((N, H))
        with OPENBLAS.limit(1) if v.blas1_loops else contextlib.nullcontext():
            for i in range(T - 1, -1, -1):
                d_h = dh_out[i] + carry
                delta[i + 1] = d_h
                np.multiply(d_h, 1.0 - h[i + 1] * h[i + 1], out=dA[i])
                carry = dA[i] @ W_s
        delta[0] = carry
    dA_flat = dA.reshape(T * N, H)
    dW_s = dA_flat.T @ h[:-1].reshape(T * N, H)
    dW_x = dA_flat.T @ x.reshape(T * N, -1)
    db_h = dA_flat.sum(axis=0)
    grads = rnnlib.RNNParams(dW_x, dW_s, dW_y, db_h, db_y)
    return grads, delta, dA


def check_variant(params, x, d, v, tol=1e-12):
    fp = rnnlib.forward(params, x, d)
    ref = rnnlib.backward(params, fp)
    mine = forward_fast(params, x, d, v)
    grads, delta, dA = backward_fast(params, mine, v)
    from bench_torch import rel_err
    errs = {"loss": rel_err(fp.loss, mine["loss"]), "delta": rel_err(ref.delta, delta.transpose(1, 0, 2))}
    errs.update({n: rel_err(getattr(ref.grads, n), getattr(grads, n)) for n in ("W_x", "W_s", "W_y", "b_h", "b_y")})
    worst = max(errs.values())
    if not worst <= tol:
        raise SystemExit(f"prototype variant {v.name!r} disagrees with rnnlib: {errs}")
    return worst


def ablation(budget_s):
    rows = []
    for T, B, D, H in SHAPES:
        params, x, d = make(T, B, D, H)
        for v in VARIANTS:
            check_variant(params, x, d, v)
        funcs = {"rnnlib": lambda: rnnlib.backward(params, rnnlib.forward(params, x, d))}
        for v in VARIANTS:
            funcs[v.name] = (lambda v=v: backward_fast(params, forward_fast(params, x, d, v), v))
        res = interleaved(funcs, budget_s=budget_s)
        base = res["rnnlib"]
        for name, r in res.items():
            rows.append([f"T={T} B={B} D={D} H={H}", name, f"{r.median_ms:.3f}", f"{r.min_ms:.3f}",
                         f"{100 * (1 - paired_ratio(r, base)):+.0f}%" if name != "rnnlib" else "",
                         f"{100 * (1 - r.min_ms / base.min_ms):+.0f}%" if name != "rnnlib" else ""])
        print(f"  done T={T} B={B} D={D} H={H}", flush=True)
    print("\nablation (interleaved blocks). gain: 1 − median over rounds of (variant / rnnlib) in the same round;\n"
          "gain (min): 1 − min / min(rnnlib). All variants agree with rnnlib to 1e-12 (checked first).")
    print(table(["shape", "variant", "median ms", "min ms", "gain", "gain (min)"], rows, align="llrrrr"))


def gemm_table(reps=200):
    """GFLOP/s of the GEMMs rnnlib runs, numpy/OpenBLAS with 1 and 2 threads against torch (MKL), float64."""
    try:
        import torch
        torch.set_num_threads(2)
    except ImportError:
        torch = None
    cases = [  # (what, m, k, n): an (m, k) @ (k, n) product
        ("per-step T=100 B=32 H=128", 32, 128, 128),
        ("per-step T=200 B=1 H=32", 1, 32, 32),
        ("per-step T=50 B=64 H=256", 64, 256, 256),
        ("batched x W_x^T, T·B=3200 D=64 H=128", 3200, 64, 128),
        ("batched dA^T h, H=128, T·B=3200", 128, 3200, 128),
        ("batched x W_x^T, T·B=3200 D=128 H=256", 3200, 128, 256),
        ("batched dA^T h, H=256, T·B=3200", 256, 3200, 256),
    ]
    rows = []
    rng = np.random.default_rng(0)

    def rate(fn, flops):
        for _ in range(5):
            fn()
        n = max(3, min(reps, int(2e9 / max(flops, 1))))
        ts = []
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        return statistics.median(ts), flops / statistics.median(ts) / 1e9

    for what, m, k, n in cases:
        A, Bm, C = rng.standard_normal((m, k)), rng.standard_normal((k, n)), np.empty((m, n))
        flops = 2 * m * k * n
        cells = [what]
        for threads in (1, 2):
            with OPENBLAS.limit(threads):
                t, g = rate(lambda: np.matmul(A, Bm, out=C), flops)
            cells.append(f"{1e6 * t:.1f} us / {g:.0f}")
        if torch is not None:
            At, Bt, Ct = torch.from_numpy(A), torch.from_numpy(Bm), torch.from_numpy(C)
            t, g = rate(lambda: torch.mm(At, Bt, out=Ct), flops)
            cells.append(f"{1e6 * t:.1f} us / {g:.0f}")
        rows.append(cells)
    print("\nGEMM time / GFLOP/s, float64 (median)")
    print(table(["product", "OpenBLAS 1 thread", "OpenBLAS 2 threads", "torch (MKL, 2 threads)"], rows, align="lrrr"))


MAKE_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

CONFIGS = [  # (name, environment changes (None = unset), keep_freed_memory() in-process, torch in the process)
    ("as run.py runs (environment unchanged)", {}, False, True),
    ("+ mallopt in-process (keep_freed_memory)", {}, True, True),
    ("+ MALLOC_*_THRESHOLD_ environment", {"MALLOC_TRIM_THRESHOLD_": str(512 << 20),
                                           "MALLOC_MMAP_THRESHOLD_": str(256 << 20)}, False, True),
    ("OPENBLAS_CORETYPE unset (auto kernel)", {"OPENBLAS_CORETYPE": None}, False, True),
    ("OPENBLAS_CORETYPE unset + mallopt", {"OPENBLAS_CORETYPE": None}, True, True),
    # A process without torch, like a notebook kernel: torch's live allocations no longer pin the heap.
    ("no torch in the process (like a notebook)", {}, False, False),
    ("no torch in the process + mallopt", {}, True, False),
    # What `make bench` runs under: the Makefile exports one BLAS/OpenMP thread for every target
    # (torch still gets 2 threads from torch.set_num_threads(2)).
    ("make's env: OPENBLAS/OMP/MKL_NUM_THREADS=1", MAKE_ENV, False, True),
    ("make's env + mallopt", MAKE_ENV, True, True),
    ("make's env + OPENBLAS_CORETYPE unset + mallopt", {**MAKE_ENV, "OPENBLAS_CORETYPE": None}, True, True),
]


def _child(budget_s, mallopt, with_torch=True):
    """One configuration, in its own process: rnnlib, prototype A+B (and torch), interleaved."""
    import json

    if with_torch:
        import torch
        torch.set_num_threads(2)
        from bench_torch import make_case
    else:
        @dataclass
        class _Case:  # the same data as bench_torch.make_case, without torch
            params: object
            x: np.ndarray
            d: np.ndarray
            label: str

            def rnnlib_step(self):
                return rnnlib.backward(self.params, rnnlib.forward(self.params, self.x, self.d))

        def make_case(T, B, D, H):
            return _Case(*make(T, B, D, H), f"T={T} B={B} D={D} H={H}")
    applied = keep_freed_memory() if mallopt else False
    v = VARIANTS[2]  # A+B
    out = {"mallopt": applied, "kernel": None}
    try:
        sys.path.insert(0, str(HERE))
        from run import openblas_runtime
        out["kernel"] = openblas_runtime()
    except Exception:  # noqa: BLE001
        pass
    for T, B, D, H in SHAPES:
        c = make_case(T, B, D, H)
        check_variant(c.params, c.x, c.d, v)
        proto = (lambda c=c: backward_fast(c.params, forward_fast(c.params, c.x, c.d, v), v))
        funcs = {"rnnlib": c.rnnlib_step, "A+B": proto}
        if with_torch:
            funcs["torch"] = c.torch_step
        res = interleaved(funcs, budget_s=budget_s)
        f0 = minor_faults()
        for _ in range(10):
            c.rnnlib_step()
        faults = (minor_faults() - f0) / 10
        out[c.label] = {"rnnlib": res["rnnlib"].median_ms, "A+B": res["A+B"].median_ms, "faults": faults,
                        "AB/r": paired_ratio(res["A+B"], res["rnnlib"])}
        if with_torch:
            out[c.label].update({"torch": res["torch"].median_ms, "r/t": paired_ratio(res["rnnlib"], res["torch"]),
                                 "AB/t": paired_ratio(res["A+B"], res["torch"])})
    print("JSON" + json.dumps(out))


def config_matrix(budget_s, which=None):
    import json
    import os
    import subprocess
    rows = []
    for index, (name, env_changes, mallopt, with_torch) in enumerate(CONFIGS):
        if which is not None and index not in which:
            continue
        env = dict(os.environ)
        for k, val in env_changes.items():
            if val is None:
                env.pop(k, None)
            else:
                env[k] = val
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--budget", str(budget_s)]
        if mallopt:
            cmd.append("--mallopt")
        if not with_torch:
            cmd.append("--no-torch")
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        line = [ln for ln in proc.stdout.splitlines() if ln.startswith("JSON")]
        if proc.returncode or not line:
            print(f"{name}: failed\n{proc.stderr[-2000:]}")
            continue
        data = json.loads(line[0][4:])
        kernel = (data.get("kernel") or "?").split("kernel ")[-1]
        for T, B, D, H in SHAPES:
            label = f"T={T} B={B} D={D} H={H}"
            m = data[label]
            rows.append([name, kernel, label, f"{m['faults']:.0f}", f"{m['rnnlib']:.2f}", f"{m['A+B']:.2f}",
                         f"{100 * (1 - m['AB/r']):+.0f}%", f"{m['torch']:.2f}" if "torch" in m else "-",
                         f"{m['r/t']:.2f}" if "r/t" in m else "-", f"{m['AB/t']:.2f}" if "AB/t" in m else "-"])
        print(f"  done: {name}", flush=True)
    print("\nconfiguration matrix (each configuration in a fresh process; medians in ms; ratios are paired)")
    print(table(["configuration", "BLAS kernel", "shape", "rnnlib page faults/call", "rnnlib", "proto A+B",
                 "A+B gain", "torch", "rnnlib/torch", "A+B/torch"], rows, align="lllrrrrrrr"))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--breakdown", action="store_true", help="only the per-piece breakdown")
    ap.add_argument("--gemm", action="store_true", help="only the GEMM throughput table")
    ap.add_argument("--matrix", action="store_true",
                    help="only the configuration matrix (allocator, BLAS kernel), each in a fresh process")
    ap.add_argument("--configs", type=str, default=None,
                    help="comma-separated indices into CONFIGS for --matrix (default: all)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--mallopt", action="store_true",
                    help="call keep_freed_memory() first (no page faults from returned memory)")
    ap.add_argument("--no-torch", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--budget", type=float, default=8.0, help="seconds of timing per shape in the ablation")
    args = ap.parse_args(argv)
    if args.child:
        _child(args.budget, args.mallopt, not args.no_torch)
        return
    if args.mallopt:
        print(f"keep_freed_memory(): {'applied' if keep_freed_memory() else 'not available'}")
    print(f"OpenBLAS thread control: {'available' if OPENBLAS.set else 'not found'}"
          + (f", default {OPENBLAS.get()} threads" if OPENBLAS.get else ""))
    if args.gemm:
        gemm_table()
        return
    if args.matrix:
        which = None if args.configs is None else {int(i) for i in args.configs.split(",")}
        config_matrix(min(args.budget, 4.0), which)
        return
    gemm_table()
    for shape in SHAPES:
        breakdown(*shape)
    if not args.breakdown:
        ablation(args.budget)
        config_matrix(min(args.budget, 4.0))


if __name__ == "__main__":
    main()
