"""Interleaved timing of several callables, robust to a noisy, shared machine.

Why blocks and not strict alternation. numpy's OpenBLAS and PyTorch's OpenMP each keep worker
threads that busy-wait for a while after every parallel call. Alternating single calls
(rnnlib, torch, rnnlib, ...) on a 2-core machine therefore measures each library while the
other's idle workers are still spinning on the same cores: on this machine that inflated both
times by 1.5-2x and made the comparison meaningless. Instead every *round* runs each callable
in a short block (a few warm-up calls that are discarded, then the measured calls), and the
order of the blocks alternates from round to round. Machine noise that lasts longer than a
block (other jobs, frequency changes) still hits every callable alike, while a library is never
timed against the other's spinning threads.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Timing:
    """Samples (seconds) of one callable, and the median of each round's block."""

    name: str
    samples: list = field(default_factory=list)
    block_medians: list = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return 1e3 * statistics.median(self.samples)

    @property
    def min_ms(self) -> float:
        return 1e3 * min(self.samples)

    def quantile_ms(self, q: float) -> float:
        s = sorted(self.samples)
        return 1e3 * s[min(len(s) - 1, int(q * len(s)))]


def _block(fn, warm_calls, warm_s, min_calls, min_s):
    """Run ``fn`` for a block: discarded warm-up, then timed calls. Returns the timed samples."""
    t_end = time.perf_counter() + warm_s
    n = 0
    while n < warm_calls or time.perf_counter() < t_end:
        fn()
        n += 1
    out = []
    t_end = time.perf_counter() + min_s
    while len(out) < min_calls or time.perf_counter() < t_end:
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def interleaved(
    funcs: dict[str, Callable[[], object]],
    *,
    budget_s=6.0,
    min_rounds=4,
    max_rounds=200,
    warm_calls=2,
    warm_s=0.02,
    block_calls=3,
    block_s=0.05,
    initial_warmup=3,
) -> dict[str, Timing]:
    """Time every callable of ``funcs`` in interleaved rounds (see the module docstring).

    Each round runs one block per callable, in forward order on even rounds and reverse order on
    odd rounds. Rounds continue until ``budget_s`` has elapsed (and at least ``min_rounds`` ran)
    or ``max_rounds`` is reached. The garbage collector is off inside blocks, as in ``timeit``.
    """
    names = list(funcs)
    for name in names:  # first calls: imports, lazy initialisation, allocator growth
        for _ in range(initial_warmup):
            funcs[name]()
    result = {name: Timing(name) for name in names}
    start = time.perf_counter()
    rounds = 0
    gc_was_enabled = gc.isenabled()
    try:
        while rounds < max_rounds and (rounds < min_rounds or time.perf_counter() - start < budget_s):
            order = names if rounds % 2 == 0 else names[::-1]
            for name in order:
                gc.collect()
                gc.disable()
                try:
                    samples = _block(funcs[name], warm_calls, warm_s, block_calls, block_s)
                finally:
                    if gc_was_enabled:
                        gc.enable()
                result[name].samples.extend(samples)
                result[name].block_medians.append(statistics.median(samples))
            rounds += 1
    finally:
        if gc_was_enabled:
            gc.enable()
    return result


def paired_ratio(a: Timing, b: Timing) -> float:
    """Median over rounds of (a's block median / b's block median): a ratio insensitive to slow drift."""
    ratios = [x / y for x, y in zip(a.block_medians, b.block_medians)]
    return statistics.median(ratios)
