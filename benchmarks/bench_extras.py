"""EXTRA BENCHMARKS — the registry where later benchmarks plug in.

=====================================================================================
HOW TO ADD A BENCHMARK

    from bench_extras import register, Row

    @register("my section", slow=False)
    def my_benchmark(ctx):
        ...                                   # measure something
        return [Row("my section", "case", "12.3 ms", "<= 100 ms", "PASS", "note")]

- ``ctx`` is an :class:`ExtraContext` (repository root, the parsed command line).
- Return a list of :class:`bench_report.Row`; status PASS/MISS for a target, INFO for a
  plain measurement, SKIP when the thing to measure does not exist yet, ERROR when it failed.
- ``slow=True`` marks benchmarks that may take minutes (``run.py --skip-slow`` leaves them out).
- An exception escaping a benchmark is reported as an ERROR row; it never stops the run.
- Put the function in this file (or in a module imported at the bottom of it).
=====================================================================================

Registered here:

- "widget latency": every Explorer factory found in ``rnnlib.course.explorers.*`` (functions named
  ``*_explorer`` or ``*_stepper``) is built with T=100, H=64 where it takes those arguments, and
  each control is moved through its values. An explorer with a browser front end in JupyterLab
  (``Explorer.lab``, anywidget) is timed as the kernel serves one move there: rnnlib computes the
  frame, ipywidgets splits it into JSON and binary buffers, the JSON is encoded (the browser then
  draws it on a canvas: 2-8 ms, measured by tests/test_site_browser.py). The others are timed with
  ``Explorer.draw(**{control: value})``: compute with rnnlib + matplotlib render + PNG encode.
  Target: median move <= 50 ms and 95th percentile <= 100 ms. SKIP while ``rnnlib.course.explorers``
  does not exist.
- "notebooks": every ``book/**/*.ipynb`` executed with nbclient in a fresh kernel (as ``make
  test`` / the book build do), one after the other; per-notebook wall time and the total.
  Target: total <= 120 s. SKIP while there are no notebooks.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench_report import Row


@dataclass
class ExtraContext:
    repo: Path  # the repository root (parent of benchmarks/)
    args: object  # argparse.Namespace of run.py


@dataclass
class ExtraBenchmark:
    name: str
    fn: Callable[[ExtraContext], list]
    slow: bool = False


#: The registry run.py walks, in registration order.
EXTRA_BENCHMARKS: list[ExtraBenchmark] = []


def register(name: str, *, slow: bool = False):
    """Decorator: add ``fn(ctx) -> list[Row]`` to :data:`EXTRA_BENCHMARKS`."""

    def deco(fn):
        EXTRA_BENCHMARKS.append(ExtraBenchmark(name, fn, slow))
        return fn

    return deco


def run_extra(bench: ExtraBenchmark, ctx: ExtraContext) -> list[Row]:
    """Run one registered benchmark; an exception becomes an ERROR row."""
    try:
        rows = bench.fn(ctx)
    except Exception as exc:  # noqa: BLE001 - a broken benchmark must not stop the others
        return [Row(bench.name, "(benchmark failed)", status="ERROR", note=f"{type(exc).__name__}: {exc}"[:200])]
    return list(rows or [])


# =================================================================================================
# Widget latency: one slider move, T = 100, H = 64
# =================================================================================================

WIDGET_T, WIDGET_H = 100, 64
WIDGET_TARGET_MS = 50.0
WIDGET_P95_MS = 100.0
WIDGET_BUDGET_S = 4.0  # per explorer


def _explorer_factories():
    """(qualified name, function) for every public *_explorer / *_stepper in rnnlib.course.explorers.*."""
    pkg = importlib.import_module("rnnlib.course.explorers")
    found = []
    names = sorted(m.name for m in pkgutil.iter_modules(getattr(pkg, "__path__", [])))
    modules = [pkg] + [importlib.import_module(f"{pkg.__name__}.{n}") for n in names]
    seen = set()
    for mod in modules:
        for name, obj in sorted(vars(mod).items()):
            if name.startswith("_") or not inspect.isfunction(obj) or not name.endswith(("_explorer", "_stepper")):
                continue
            if not obj.__module__.startswith(pkg.__name__) or obj in seen:
                continue
            seen.add(obj)
            found.append((f"{obj.__module__}.{name}", obj))
    return found


def _build_explorer(factory):
    """Call ``factory`` with T=100, H=64 where it accepts them. Returns (explorer, how) or (None, reason)."""
    import rnnlib

    sig = inspect.signature(factory)
    kwargs, how = {}, []
    if "T" in sig.parameters:
        kwargs["T"] = WIDGET_T
        how.append(f"T={WIDGET_T}")
    if "H" in sig.parameters:
        kwargs["H"] = WIDGET_H
        how.append(f"H={WIDGET_H}")
    required = [
        p.name
        for p in sig.parameters.values()
        if p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    if {"params", "x"} <= set(required):  # e.g. unrolling_stepper(params, x): a fixed network, T=100, H=64
        rng = np.random.default_rng(0)
        kwargs["params"] = rnnlib.init_params(1, WIDGET_H, 1, rng=rng)
        kwargs["x"] = rng.standard_normal((1, WIDGET_T, 1))
        how = [f"T={WIDGET_T}", f"H={WIDGET_H}", "(params, x) built here"]
    missing = [n for n in required if n not in kwargs]
    if missing:
        return None, f"needs arguments {missing} this benchmark cannot supply"
    explorer = factory(**kwargs)
    if not (hasattr(explorer, "draw") and hasattr(explorer, "controls")):
        return None, f"returned {type(explorer).__name__}, not an Explorer with draw() and controls"
    return explorer, " ".join(how) if how else "its defaults (no T/H arguments)"


def _time_browser_moves(widget, positions=25):
    """One move of the JupyterLab front end as the kernel serves it, for every control of its spec:
    each slider through ``positions`` values across its range, each menu through its options."""
    import json

    from ipywidgets.widgets.widget import _remove_buffers

    spec, start = widget.spec, dict(widget.settings)
    sliders = {
        "scale": spec.get("scale"),
        "rho": spec.get("rho"),
        "k2": spec.get("k2"),
        "theta": spec.get("log10_threshold"),
        "T": {"min": 2, "max": spec.get("T", 2)} if "T" in start else None,
        "t": spec.get("t"),  # the unrolling stepper's time step
    }
    moves = []
    for name, r in sliders.items():
        if r and name in start:
            values = np.linspace(r["min"], r["max"], positions)
            moves += [{name: int(round(v)) if name in ("k2", "T", "t") else float(v)} for v in values]
    for name, options in (("mode", spec.get("modes")), ("activation", spec.get("activations"))):
        if options and name in start:
            moves += [{name: o} for o in options]
    if "seed" in start:
        moves += [{"seed": str(s)} for s in spec.get("seed_values", [])]
    times = []
    for i, move in enumerate(moves):
        settings = {**widget.settings, **move, "seq": i}
        t0 = time.perf_counter()
        widget.settings = settings  # the kernel's observer computes the frame and sends it
        state, _paths, _buffers = _remove_buffers(widget.get_state(key="frame"))
        json.dumps(state)
        times.append(1e3 * (time.perf_counter() - t0))
    widget.settings = start
    return times


def _time_moves(explorer, budget_s=WIDGET_BUDGET_S):
    """Move every control through its values (cyclically) until the budget is used; times in ms."""
    import matplotlib.pyplot as plt

    explorer.draw()  # warm-up: first draw (font cache, figure set-up)
    start_values = dict(explorer.values)
    times = []
    t_start = time.perf_counter()
    try:
        while True:
            for c in explorer.controls:
                values = list(c.values)
                if len(values) < 2:
                    continue
                i = values.index(explorer.values[c.name]) if explorer.values[c.name] in values else 0
                for k in range(1, len(values)):
                    v = values[(i + k) % len(values)]
                    t0 = time.perf_counter()
                    explorer.draw(**{c.name: v})
                    times.append(1e3 * (time.perf_counter() - t0))
            if time.perf_counter() - t_start > budget_s or not times:
                break
    finally:
        explorer.draw(**start_values)
        plt.close("all")
    return times


@register("widget latency")
def widget_latency(ctx: ExtraContext) -> list[Row]:
    section = "widget latency"
    try:
        importlib.import_module("rnnlib.course.explorers")
    except ModuleNotFoundError as exc:
        if exc.name in ("rnnlib.course.explorers",):
            return [
                Row(
                    section,
                    f"slider move (T={WIDGET_T}, H={WIDGET_H})",
                    target=f"<= {WIDGET_TARGET_MS:.0f} ms",
                    status="SKIP",
                    note="skipped: rnnlib.course.explorers not available yet",
                )
            ]
        raise
    import matplotlib

    matplotlib.use("Agg")  # this process only; notebook kernels are separate processes
    try:
        factories = _explorer_factories()
    except Exception as exc:  # noqa: BLE001
        return [
            Row(
                section,
                "rnnlib.course.explorers",
                status="ERROR",
                note=f"import failed: {type(exc).__name__}: {exc}"[:200],
            )
        ]
    if not factories:
        return [
            Row(
                section,
                f"slider move (T={WIDGET_T}, H={WIDGET_H})",
                status="SKIP",
                note="skipped: rnnlib.course.explorers has no *_explorer / *_stepper functions yet",
            )
        ]
    rows = []
    for qualname, factory in factories:
        short = qualname.replace("rnnlib.course.explorers.", "")
        try:
            explorer, how = _build_explorer(factory)
            if explorer is None:
                rows.append(Row(section, short, status="SKIP", note=how))
                continue
            widget = explorer.widget() if getattr(explorer, "lab", None) else None
            if widget is not None and hasattr(widget, "spec"):
                times, how = _time_browser_moves(widget), how + " browser front end (kernel side)"
            else:
                times, how = _time_moves(explorer), how + " matplotlib PNG"
        except Exception as exc:  # noqa: BLE001
            rows.append(Row(section, short, status="ERROR", note=f"{type(exc).__name__}: {exc}"[:200]))
            continue
        if not times:
            rows.append(Row(section, short, status="SKIP", note="no control has two values to move between"))
            continue
        med = statistics.median(times)
        p95 = sorted(times)[int(0.95 * (len(times) - 1))]
        status = "PASS" if med <= WIDGET_TARGET_MS and p95 <= WIDGET_P95_MS else "MISS"
        rows.append(
            Row(
                section,
                f"{short} [{how}]",
                f"{med:.1f} ms",
                f"<= {WIDGET_TARGET_MS:.0f} ms (p95 <= {WIDGET_P95_MS:.0f} ms)",
                status,
                f"median of {len(times)} moves; p95 {p95:.1f} ms, max {max(times):.1f} ms",
            )
        )
    return rows


# =================================================================================================
# Notebook execution times
# =================================================================================================

NOTEBOOK_TOTAL_TARGET_S = 120.0
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
NOTEBOOK_CELL_TIMEOUT_S = 600


def find_notebooks(repo: Path) -> list[Path]:
    book = repo / "book"
    if not book.is_dir():
        return []
    return sorted(
        p
        for p in book.rglob("*.ipynb")
        if "_build" not in p.parts
        and ".ipynb_checkpoints" not in p.parts
        and not any(part.startswith(".") for part in p.relative_to(book).parts)
    )


def _cell_seconds(nb) -> float:
    """Sum over code cells of (execute_reply − execute_input) from nbclient's timing metadata."""
    from datetime import datetime

    total = 0.0
    for cell in nb.cells:
        ex = cell.get("metadata", {}).get("execution", {})
        a, b = ex.get("iopub.execute_input"), ex.get("shell.execute_reply")
        if a and b:
            try:
                parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
                total += (parse(b) - parse(a)).total_seconds()
            except ValueError:
                pass
    return total


@register("notebooks", slow=True)
def notebook_times(ctx: ExtraContext) -> list[Row]:
    section = "notebooks"
    notebooks = find_notebooks(ctx.repo)
    target = f"<= {NOTEBOOK_TOTAL_TARGET_S:.0f} s"
    if not notebooks:
        return [Row(section, "total", target=target, status="SKIP", note="skipped: no book/*.ipynb yet")]
    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError as exc:
        return [Row(section, "total", target=target, status="SKIP", note=f"skipped: {exc}")]
    # The kernels must import this checkout's rnnlib even when it is not pip-installed.
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ctx.repo), os.environ.get("PYTHONPATH")) if p)
    rows, total, failed = [], 0.0, 0
    for path in notebooks:
        rel = str(path.relative_to(ctx.repo))
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            timeout=NOTEBOOK_CELL_TIMEOUT_S,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        t0 = time.perf_counter()
        # The kernel's own stderr (e.g. ipykernel's "running over TCP" warning) goes to a file, shown on failure.
        with tempfile.TemporaryFile("w+") as kernel_err:
            try:
                client.execute(stderr=kernel_err)
            except Exception as exc:  # noqa: BLE001 - CellExecutionError, timeouts, kernel death
                dt = time.perf_counter() - t0
                total += dt
                failed += 1
                first = _ANSI.sub("", str(exc)).strip().splitlines()
                kernel_err.seek(0)
                tail = [
                    ln
                    for ln in kernel_err.read().splitlines()
                    if ln.strip() and "running over TCP without encryption" not in ln
                ][-5:]
                rows.append(
                    Row(
                        section,
                        rel,
                        f"{dt:.1f} s",
                        "",
                        "ERROR",
                        f"{type(exc).__name__}: {first[-1] if first else ''}"[:200],
                    )
                )
                print(
                    f"    {rel}: ERROR after {dt:.1f} s ({type(exc).__name__}: {first[-1] if first else ''})"
                    + "".join(f"\n      kernel stderr: {ln}" for ln in tail),
                    flush=True,
                )
                continue
        dt = time.perf_counter() - t0
        total += dt
        cells = _cell_seconds(nb)
        rows.append(
            Row(
                section,
                rel,
                f"{dt:.1f} s",
                "",
                "INFO",
                f"cells {cells:.1f} s, kernel start/teardown {max(0.0, dt - cells):.1f} s",
            )
        )
        print(f"    {rel}: {dt:.1f} s", flush=True)
    status = "PASS" if total <= NOTEBOOK_TOTAL_TARGET_S else "MISS"
    note = f"{len(notebooks)} notebooks, run one after the other"
    if failed:  # the total is then a lower bound, not a measurement of the book
        note += f"; {failed} FAILED (time up to the failure counted), total would be {status}"
        status = "ERROR"
    rows.append(Row(section, "total", f"{total:.1f} s", target, status, note))
    return rows
