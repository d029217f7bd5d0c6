"""The builds are quiet: no tool prints a WARNING or an ERROR while the book is built.

``make book`` and ``make student-book`` keep their whole output in ``_build/logs/``. Sphinx's own
warnings already fail the build (``-W``); this also catches what other tools print on the way
(a kernel's log, a notebook executor, a theme), which ``-W`` does not see.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / "_build" / "logs"
NOISE = re.compile(r"\b(WARNING|ERROR)\b")


def noisy_lines(text: str) -> list[str]:
    """The lines of a build log in which some tool reports a warning or an error."""
    return [line.strip() for line in text.splitlines() if NOISE.search(line)]


def test_noisy_lines_finds_a_kernel_warning_and_nothing_in_a_clean_log():
    # The line ipykernel printed once per notebook before the build gave kernels CurveZMQ keys.
    noisy = "Executing notebook\n[IPKernelApp] WARNING | Kernel is running over TCP without encryption.\ndone\n"
    assert noisy_lines(noisy) == ["[IPKernelApp] WARNING | Kernel is running over TCP without encryption."]
    assert noisy_lines("build succeeded.\nchecking consistency... done\n") == []
    assert noisy_lines("sphinx: ERROR: unknown directive\n")


@pytest.mark.built
@pytest.mark.parametrize("log", ["book.log", "student-book.log"])
def test_build_log_has_no_warning_or_error(log):
    path = LOGS / log
    assert path.exists(), f"{path} missing: run `make book` and `make student-book` first"
    text = path.read_text(errors="replace")
    assert "build succeeded" in text, f"{log} does not record a finished build"
    noisy = noisy_lines(text)
    assert not noisy, f"{log} has {len(noisy)} warning/error line(s), e.g. {noisy[:3]}"
