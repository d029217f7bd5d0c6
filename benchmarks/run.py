"""Benchmarks of rnnlib: full BPTT against PyTorch, truncated BPTT's cost, and extra benchmarks.

Run from the repository root:

    PYTHONPATH=. python benchmarks/run.py            # or: make bench
    python benchmarks/run.py --strict                # a missed speed target fails the run too
    python benchmarks/run.py --skip-slow             # leave out the notebook execution times

Sections
    1. gradient check   rnnlib and torch.nn.RNN (float64, same parameters) must agree on the loss
                        and on every gradient to 1e-9 relative error; otherwise the run aborts (exit 1).
    2. rnnlib vs torch  forward+backward time: medians over interleaved rounds (a block of each library
                        per round, order alternating), and the ratio rnnlib/torch (median over rounds of
                        the per-round ratio) against the targets in SHAPES.
    3. truncated BPTT   time of rnnlib.truncated_bptt against T·k2/k1 at a fixed T.
    4. extras           everything registered in bench_extras.EXTRA_BENCHMARKS (widget latency,
                        notebook execution times; add new ones there).
    A summary table ends the output.

Exit status: 0 when the gradients agree (missed speed targets only print MISS: timings on a shared
machine are noisy); 1 when they do not; 2 when PyTorch is missing; with --strict, 3 when any
target is missed or an extra benchmark fails.

Threads: torch.set_num_threads(2); numpy's BLAS keeps its default threading (reported below).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import io
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for p in (str(HERE), str(REPO)):  # helper modules beside this file; this checkout's rnnlib
    if p not in sys.path:
        sys.path.insert(0, p)

import numpy as np  # noqa: E402

try:
    import torch  # noqa: E402
except ImportError:
    print("benchmarks/run.py needs PyTorch (CPU build): pip install -r requirements-bench.txt", file=sys.stderr)
    sys.exit(2)

import rnnlib  # noqa: E402

from bench_extras import EXTRA_BENCHMARKS, ExtraContext, run_extra  # noqa: E402
from bench_report import Row, summary, table  # noqa: E402
from bench_timing import interleaved, paired_ratio  # noqa: E402
from bench_torch import make_case  # noqa: E402

TORCH_THREADS = 2
GRAD_TOL = 1e-9

#: (T, B, D, H, target for time(rnnlib) / time(torch)); O = D (sequence-to-sequence regression).
SHAPES = [
    (100, 32, 64, 128, 0.8),
    (200, 1, 8, 32, 0.5),
    (50, 64, 128, 256, 1.1),
]

#: Truncated BPTT at a fixed stream length: (T, B, D, H) and the (k1, k2) settings.
TBPTT_SHAPE = (400, 8, 8, 32)
TBPTT_SETTINGS = [(10, 10), (10, 20), (10, 40), (20, 40), (5, 40)]


def heading(text):
    print(f"\n{'=' * 100}\n{text}\n{'=' * 100}", flush=True)


# --- environment ------------------------------------------------------------------------------------


def blas_name() -> str:
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 - older numpy: parse the printed configuration
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            np.show_config()
        for line in buf.getvalue().splitlines():
            if line.strip().startswith("name:"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def openblas_runtime() -> str | None:
    """Threads and kernel of the OpenBLAS numpy loaded, read through its C API (no extra dependency)."""
    try:
        with open("/proc/self/maps") as f:
            libs = sorted({line.split()[-1] for line in f if "openblas" in line.lower() and ".so" in line})
    except OSError:
        return None
    out = []
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (
            ("scipy_openblas_", "64_"),
            ("scipy_openblas_", ""),
            ("openblas_", "64_"),
            ("openblas_", ""),
        ):
            try:
                nthreads = getattr(lib, f"{prefix}get_num_threads{suffix}")
                corename = getattr(lib, f"{prefix}get_corename{suffix}")
            except AttributeError:
                continue
            corename.restype = ctypes.c_char_p
            out.append(f"{Path(path).name}: {nthreads()} threads, kernel {corename().decode()}")
            break
    return "; ".join(out) or None


def openblas_threads() -> int | None:
    """numpy's BLAS thread count: threadpoolctl if installed, else OpenBLAS's C API."""
    try:
        from threadpoolctl import threadpool_info

        for info in threadpool_info():
            if info.get("user_api") == "blas":
                return int(info["num_threads"])
    except ImportError:
        pass
    rt = openblas_runtime()
    if rt and " threads" in rt:
        try:
            return int(rt.split(": ", 1)[1].split(" threads")[0])
        except ValueError:
            return None
    return None


def report_environment():
    heading("environment")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}, "
        f"rnnlib {getattr(rnnlib, '__version__', '?')} from {Path(rnnlib.__file__).parent}"
    )
    ncpu = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(
        f"cpus available: {ncpu} ({platform.processor() or platform.machine()}); load average: "
        + (", ".join(f"{v:.2f}" for v in load) if load else "n/a")
        + ("   <-- busy machine: expect noisy timings" if load and load[0] > ncpu else "")
    )
    print(f"numpy BLAS: {blas_name()} (threading left at its default)")
    try:
        from threadpoolctl import threadpool_info

        for info in threadpool_info():
            print(
                f"  threadpoolctl: {info.get('internal_api')} {info.get('version')} "
                f"threads={info.get('num_threads')} arch={info.get('architecture')} ({Path(info.get('filepath', '')).name})"
            )
    except ImportError:
        rt = openblas_runtime()
        print("  threadpoolctl: not installed" + (f"; OpenBLAS runtime: {rt}" if rt else ""))
    blas_threads = openblas_threads()
    if blas_threads is not None and blas_threads < TORCH_THREADS:
        print(
            f"  WARNING: numpy's BLAS runs {blas_threads} thread(s) (OPENBLAS_NUM_THREADS="
            f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, e.g. exported by the Makefile) while torch runs "
            f"{TORCH_THREADS}: the rnnlib-vs-torch comparison is not like for like."
        )
    env = {
        k: os.environ[k]
        for k in (
            "OPENBLAS_NUM_THREADS",
            "OMP_NUM_THREADS",
            "MKL_NUM_THREADS",
            "OPENBLAS_CORETYPE",
            "OMP_WAIT_POLICY",
            "GOMP_SPINCOUNT",
        )
        if k in os.environ
    }
    print(f"  thread/kernel environment variables: {env or 'none set'}")
    cap = torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends, "cpu") else "?"
    print(
        f"torch: {torch.get_num_threads()} intra-op threads (set_num_threads({TORCH_THREADS})), "
        f"MKL {'yes' if torch.backends.mkl.is_available() else 'no'}, CPU capability {cap}"
    )
    return load


# --- 1. gradient check ---------------------------------------------------------------------------


def gradient_check(cases) -> list[Row]:
    heading(f"1. gradient check: rnnlib vs torch.nn.RNN, float64, relative error <= {GRAD_TOL:g}")
    print("relative error = max|a - b| / max(1e-8, max(|a| + |b|)); b_h is compared with both torch biases\n")
    names = None
    body, failures, rows = [], [], []
    for case in cases:
        errs = case.compare()
        names = names or list(errs)
        body.append([case.label] + [f"{errs[n]:.1e}" for n in names])
        bad = {n: e for n, e in errs.items() if not (e <= GRAD_TOL)}  # NaN counts as bad
        worst = max(errs.values())
        if bad:
            failures.append((case.label, bad))
        rows.append(
            Row(
                "gradient check",
                case.label,
                f"{worst:.1e}",
                f"<= {GRAD_TOL:g}",
                "FAIL" if bad else "PASS",
                "max over loss and W_x, W_s, b_h, W_y, b_y",
            )
        )
    print(table(["shape"] + names, body, align="l" + "r" * len(names)))
    if failures:
        print(
            "\nGRADIENT CHECK FAILED: rnnlib and torch disagree beyond the tolerance "
            f"{GRAD_TOL:g}; the timings would compare different computations, so the benchmark stops here.",
            file=sys.stderr,
        )
        for label, bad in failures:
            print(f"  {label}: " + ", ".join(f"{n} {e:.3e}" for n, e in bad.items()), file=sys.stderr)
        print("\n" + summary(rows))
        sys.exit(1)
    print("\nall gradients agree")
    return rows


# --- 2. rnnlib vs torch ----------------------------------------------------------------------------


def minor_faults_per_call(fn, n=10) -> float:
    try:
        import resource
    except ImportError:  # not on Unix
        return float("nan")
    fn()
    f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(n):
        fn()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0) / n


def speed(cases, targets, budget_s) -> list[Row]:
    heading("2. forward + backward: rnnlib vs torch (median of interleaved blocks; ratio = rnnlib / torch)")
    print(
        "rnnlib: rnnlib.backward(params, rnnlib.forward(params, x, d))\n"
        "torch:  zero_grad(); o = Linear(RNN(x)); ((o - d)**2).sum() / B; backward()\n"
        f"Each round times a block of each library (warm-up calls discarded), alternating the order; "
        f"~{budget_s:.0f} s per shape.\n",
        flush=True,
    )
    rows, body = [], []
    for case, target in zip(cases, targets):
        res = interleaved({"rnnlib": case.rnnlib_step, "torch": case.torch_step}, budget_s=budget_s)
        r, t = res["rnnlib"], res["torch"]
        faults = {
            name: minor_faults_per_call(fn) for name, fn in (("rnnlib", case.rnnlib_step), ("torch", case.torch_step))
        }
        ratio = paired_ratio(r, t)
        pooled = r.median_ms / t.median_ms
        status = "PASS" if ratio <= target else "MISS"
        body.append(
            [
                case.label,
                f"{r.median_ms:.3f}",
                f"{t.median_ms:.3f}",
                f"{ratio:.2f}",
                f"{pooled:.2f}",
                f"<= {target}",
                status,
                f"{len(r.block_medians)} x ({len(r.samples)}, {len(t.samples)})",
                f"{r.min_ms:.3f} / {t.min_ms:.3f}",
                f"{faults['rnnlib']:.0f} / {faults['torch']:.0f}",
            ]
        )
        rows.append(
            Row(
                "rnnlib vs torch",
                case.label,
                f"{ratio:.2f}",
                f"<= {target}",
                status,
                f"median rnnlib {r.median_ms:.2f} ms, torch {t.median_ms:.2f} ms (ratio of medians {pooled:.2f})",
            )
        )
        print(
            f"  {case.label}: rnnlib {r.median_ms:.3f} ms, torch {t.median_ms:.3f} ms, ratio {ratio:.2f} -> {status}",
            flush=True,
        )
    print()
    print(
        table(
            [
                "shape",
                "rnnlib ms",
                "torch ms",
                "ratio",
                "of medians",
                "target",
                "status",
                "rounds x (samples)",
                "min ms r / t",
                "page faults/call r / t",
            ],
            body,
            align="lrrrrlllll",
        )
    )
    print(
        "\nrnnlib ms / torch ms: medians of all timed calls. ratio (decides PASS/MISS): median over rounds of\n"
        "rnnlib's block median / torch's block median in the same round, so that load from other jobs, which\n"
        "changes from second to second on a shared machine, cancels; 'of medians' is the ratio of the two\n"
        "overall medians, which such load can bias either way.\n"
        "page faults/call: minor page faults per forward+backward, i.e. freshly mapped memory. They depend on\n"
        "the process's heap history (glibc returns freed memory to the OS unless something pins the heap),\n"
        "so rnnlib alone in a notebook can be slower than here; see benchmarks/README.md."
    )
    return rows


# --- 3. truncated BPTT ------------------------------------------------------------------------------


def truncated(budget_s) -> list[Row]:
    T, B, D, H = TBPTT_SHAPE
    heading(f"3. truncated BPTT: rnnlib.truncated_bptt(params, x, d, k1, k2), T={T} B={B} D={D} H={H}")
    rng = np.random.default_rng(1)
    params = rnnlib.init_params(D, H, D, rng=rng)
    x = rng.standard_normal((B, T, D))
    d = rng.standard_normal((B, T, D))
    settings = TBPTT_SETTINGS + [(T, T)]
    funcs = {f"{k1},{k2}": (lambda k1=k1, k2=k2: rnnlib.truncated_bptt(params, x, d, k1, k2)) for k1, k2 in settings}
    res = interleaved(funcs, budget_s=budget_s, block_calls=2, block_s=0.03, warm_calls=1, warm_s=0.0)
    steps = {s: rnnlib.truncated_bptt(params, x, d, *s).backward_steps for s in settings}
    med = {s: res[f"{s[0]},{s[1]}"].median_ms for s in settings}
    units = {s: T * s[1] / s[0] for s in settings}
    per_unit = {s: 1e3 * med[s] / units[s] for s in TBPTT_SETTINGS}
    mean_pu = float(np.mean(list(per_unit.values())))

    # Decomposition: time ≈ c + α·(updates) + β·(backward steps); T is fixed, so c holds the forward pass.
    A = np.array([[1.0, -(-T // s[0]), steps[s]] for s in settings])
    y = np.array([med[s] for s in settings])
    (c, alpha, beta), *_ = np.linalg.lstsq(A, y, rcond=None)
    fit = A @ np.array([c, alpha, beta])

    sweep_part = {s: med[s] - c - alpha * -(-T // s[0]) for s in settings}  # time minus fitted fixed costs
    body, rows = [], []
    for s in settings:
        k1, k2 = s
        full = s == (T, T)
        pu = per_unit.get(s)
        body.append(
            [
                f"{k1}",
                f"{k2}",
                f"{units[s]:.0f}",
                f"{steps[s]}",
                f"{-(-T // k1)}",
                f"{med[s]:.2f}",
                f"{pu:.2f}" if pu is not None else "-",
                f"{pu / mean_pu:.2f}" if pu is not None else "-",
                f"{fit[settings.index(s)]:.2f}",
                f"{1e3 * sweep_part[s] / units[s]:.2f}",
            ]
        )
        rows.append(
            Row(
                "truncated BPTT",
                f"k1={k1} k2={k2}" + (" (= full BPTT)" if full else ""),
                f"{med[s]:.2f} ms",
                "",
                "INFO",
                f"T·k2/k1={units[s]:.0f}, backward_steps={steps[s]}"
                + (f", {pu:.2f} µs per unit of T·k2/k1" if pu is not None else ""),
            )
        )
    print(
        table(
            [
                "k1",
                "k2",
                "T·k2/k1",
                "backward_steps",
                "updates",
                "median ms",
                "µs / unit",
                "rel. to mean",
                "fit ms",
                "µs / unit after fixed costs",
            ],
            body,
            align="rrrrrrrrrr",
        )
    )
    print(
        f"\nµs / unit = time / (T·k2/k1). Least-squares fit over the rows: time ≈ {c:.2f} ms "
        f"+ {1e3 * alpha:.1f} µs × updates (T/k1) + {1e3 * beta:.2f} µs × backward_steps."
    )
    spread = max(per_unit.values()) / min(per_unit.values())
    print(
        f"The raw per-unit cost varies by a factor {spread:.2f}: besides the backward sweeps (∝ T·k2/k1), each\n"
        "update pays a fixed cost (a forward() call on its k1 new steps, the loss, the weight-gradient products,\n"
        "argument checks), so settings with small k2/k1 look dearer per unit. With the fitted fixed costs\n"
        "removed (last column) the cost per unit of T·k2/k1 is about constant: it grows like T·k2/k1."
    )
    rows.append(
        Row(
            "truncated BPTT",
            "cost model",
            f"{1e3 * beta:.2f} µs/step",
            "",
            "INFO",
            f"time ≈ {c:.2f} ms + {1e3 * alpha:.1f} µs·(T/k1) + {1e3 * beta:.2f} µs·backward_steps; "
            f"per-unit spread {spread:.2f}x",
        )
    )
    return rows


# --- 4. extras ----------------------------------------------------------------------------------------


def extras(args) -> list[Row]:
    heading("4. extra benchmarks (bench_extras.EXTRA_BENCHMARKS)")
    ctx = ExtraContext(REPO, args)
    rows = []
    for bench in EXTRA_BENCHMARKS:
        if bench.slow and args.skip_slow:
            rows.append(Row(bench.name, "-", status="SKIP", note="skipped: --skip-slow"))
            print(f"- {bench.name}: skipped (--skip-slow)")
            continue
        print(f"- {bench.name} ...", flush=True)
        t0 = time.perf_counter()
        got = run_extra(bench, ctx)
        for r in got:
            print(f"    {r.case}: {r.value or '-'} {r.target} {r.status} {r.note}".rstrip())
        print(f"  ({time.perf_counter() - t0:.1f} s)", flush=True)
        rows.extend(got)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--strict", action="store_true", help="exit 3 when a speed target is missed or a benchmark fails")
    ap.add_argument("--budget", type=float, default=6.0, help="seconds of timing per rnnlib-vs-torch shape (default 6)")
    ap.add_argument("--tbptt-budget", type=float, default=6.0, help="seconds of timing for truncated BPTT (default 6)")
    ap.add_argument("--skip-slow", action="store_true", help="skip slow extra benchmarks (notebook execution)")
    ap.add_argument("--no-extras", action="store_true", help="skip every extra benchmark")
    ap.add_argument(
        "--only-extras", action="store_true", help="run only the extra benchmarks (widget latency, notebook times)"
    )
    args = ap.parse_args(argv)

    t_start = time.perf_counter()
    torch.set_num_threads(TORCH_THREADS)
    load_start = report_environment()

    rows = []
    if not args.only_extras:
        cases = [make_case(T, B, D, H) for T, B, D, H, _ in SHAPES]
        rows += gradient_check(cases)
        rows += speed(cases, [s[-1] for s in SHAPES], args.budget)
        rows += truncated(args.tbptt_budget)
    if not args.no_extras:
        rows += extras(args)

    heading("summary")
    print(summary(rows))
    load_end = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(
        f"\ntotal {time.perf_counter() - t_start:.0f} s; load average at start {load_start[0]:.2f}, "
        f"at end {load_end[0]:.2f}"
        if load_start and load_end
        else ""
    )
    blas_threads = openblas_threads()
    if blas_threads is not None and blas_threads < TORCH_THREADS:
        print(f"note: numpy's BLAS ran {blas_threads} thread(s), torch {TORCH_THREADS} (see the environment section)")
    missed = [r for r in rows if r.status in ("MISS", "FAIL", "ERROR")]
    if missed:
        print(
            f"{len(missed)} target(s) MISSED or benchmarks failed: "
            + "; ".join(f"{r.section} / {r.case}: {r.status}" for r in missed)
        )
        if args.strict:
            print("--strict: exiting with status 3")
            return 3
        print("(not an error without --strict: timings on a shared machine are noisy)")
    else:
        print("all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
