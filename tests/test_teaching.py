"""The chapters' sources keep the test scaffolding out of the reader's view and tell one ρ/σ_max story.

Read from the notebooks' sources (nothing is executed), one test per rule and chapter, so that a
failure names the chapter and the cell:

- **hidden scaffolding**: a code cell the reader sees (any cell without the ``remove-cell`` tag)
  contains no ``assert`` and no ``glue(`` call; checks and the publishing of numbers live in
  ``remove-cell`` cells, which nbval and the build still run (issue 15, "Reading experience");
- **ρ beside σ_max**: a code cell that sets the scale of a recurrent matrix is followed, in itself
  or within the next three cells, by a visible ``scale_readout(`` or by text naming both ρ(W_s) and
  σ_max(W_s) (COURSE.md, "ρ and σ_max together"); the sliders of the explorers are exempt, their
  readouts show both;
- **figures as cell outputs**: no ``{glue:figure}`` directive remains, and every figure cell
  carries a ``fig-`` name, a caption and alt text in its ``mystnb`` metadata (issue 11).

Each rule is shown able to fail on a bad cell.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("0[1-9]_*.ipynb"))


def _chapters():
    return [pytest.param(path, id=path.stem) for path in CHAPTERS]


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def hidden(cell: dict) -> bool:
    return "remove-cell" in cell.get("metadata", {}).get("tags", [])


# ---------------------------------------------------------------- rule (a): hidden scaffolding

_ASSERT = re.compile(r"(^|[;:]\s*)assert\b", re.MULTILINE)
_GLUE = re.compile(r"\bglue\(")


def scaffolding_in_view(nb_cells: list[dict]) -> list[str]:
    """``[i] assert`` / ``[i] glue(`` for every visible code cell i with test or publishing code."""
    found = []
    for i, cell in enumerate(nb_cells):
        if cell["cell_type"] != "code" or hidden(cell):
            continue
        code = "\n".join(line.split("#", 1)[0] for line in source(cell).splitlines())
        if _ASSERT.search(code):
            found.append(f"[{i}] assert")
        if _GLUE.search(code):
            found.append(f"[{i}] glue(")
    return found


def _code(text: str, tags=()) -> dict:
    return {"cell_type": "code", "source": text, "metadata": {"tags": list(tags)}}


def _md(text: str) -> dict:
    return {"cell_type": "markdown", "source": text, "metadata": {}}


def test_scaffolding_rule_finds_a_visible_assert_and_glue_and_spares_hidden_ones():
    bad = [_code("x = 1\nassert x == 1"), _code("glue('a', 1, display=False)"), _code("y = 2; assert y")]
    assert scaffolding_in_view(bad) == ["[0] assert", "[1] glue(", "[2] assert"]
    fine = [
        _code("assert x == 1\nglue('a', 1)", tags=["remove-cell"]),
        _code("from rnnlib.course import glue  # glue(...) lives in hidden cells"),
        _code("asserted = 3\nmessage = 'assert nothing'  # not a statement"),
    ]
    assert scaffolding_in_view(fine) == []


@pytest.mark.parametrize("path", _chapters())
def test_no_visible_code_cell_asserts_or_glues(path):
    found = scaffolding_in_view(cells(path))
    assert not found, f"{path.name}: visible code cells with test scaffolding: {found}"


# ---------------------------------------------------------------- rule (b): ρ beside σ_max

_SETS_SCALE = re.compile(
    r"gaussian_spectral\(|gaussian_sigma\(|rescale_to_spectral_radius\(|rescale_to_sigma_max\("
    r"|\brecurrent\s*=|\brl\.orthogonal\(|\brl\.identity\(|\brl\.glorot\("
)
_RHO = re.compile(r"ρ|\\rho\b")
_SIGMA = re.compile(r"σ_max|σ_\{?\\?max\}?|\\sigma_\{\\max\}|\\sigma_\\max\b|σ_\{\\max\}")
WINDOW = 3  # the cell itself and the next three


def sets_scale(text: str) -> bool:
    """True when a line of code sets a recurrent scale outside an explorer's call."""
    code_lines = (line.split("#", 1)[0] for line in text.splitlines())
    return any(_SETS_SCALE.search(line) and "explorer(" not in line for line in code_lines)


def shows_both(cell: dict) -> bool:
    text = source(cell)
    if cell["cell_type"] == "code":
        return not hidden(cell) and "scale_readout(" in text
    return bool(_RHO.search(text) and _SIGMA.search(text))


def scales_without_readout(nb_cells: list[dict]) -> list[int]:
    """Indices of the code cells that set a recurrent scale with neither ρ nor σ_max shown near."""
    missing = []
    for i, cell in enumerate(nb_cells):
        if cell["cell_type"] != "code" or not sets_scale(source(cell)):
            continue
        if not any(shows_both(c) for c in nb_cells[i : i + 1 + WINDOW]):
            missing.append(i)
    return missing


def test_scale_rule_wants_rho_and_sigma_max_near_every_scale():
    set_scale = _code('p = rl.init_params(2, 4, 1, rng=0, recurrent="gaussian_sigma", scale=0.9)')
    assert scales_without_readout([set_scale, _md("Only σ_max = 0.9 is named."), _md("text")]) == [0]
    assert scales_without_readout([set_scale, _code("scale_readout(p.W_s)", tags=["remove-cell"])]) == [0]
    far = [set_scale, _md("a"), _md("b"), _md("c"), _md("ρ(W_s) and σ_max(W_s)")]
    assert scales_without_readout(far) == [0]
    assert scales_without_readout([set_scale, _md("b"), _code("print(scale_readout(p.W_s))")]) == []
    assert scales_without_readout([set_scale, _md(r"here $\rho(W_s) = \sigma_{\max}(W_s)$")]) == []
    assert scales_without_readout([_code("W = rl.orthogonal(4, 0.9, rng=0)")]) == [0]
    assert scales_without_readout([_code("spectral_explorer(recurrent='orthogonal')")]) == []
    assert scales_without_readout([_code("# recurrent='orthogonal' in a comment")]) == []


@pytest.mark.parametrize("path", _chapters())
def test_every_recurrent_scale_shows_rho_and_sigma_max(path):
    missing = scales_without_readout(cells(path))
    assert not missing, (
        f"{path.name}: code cells {missing} set a recurrent scale, and neither they nor the next "
        f"{WINDOW} cells show ρ(W_s) beside σ_max(W_s) (scale_readout, or both named in the text)"
    )


# ---------------------------------------------------------------- rule (c): figures as outputs


def figure_problems(nb_cells: list[dict]) -> list[str]:
    problems = []
    for i, cell in enumerate(nb_cells):
        text = source(cell)
        if cell["cell_type"] == "markdown" and "{glue:figure}" in text:
            problems.append(f"[{i}] {{glue:figure}}: make the figure the cell's output (issue 11)")
        mystnb = cell.get("metadata", {}).get("mystnb", {})
        if "figure" in mystnb:
            figure = mystnb["figure"]
            if not str(figure.get("name", "")).startswith("fig-"):
                problems.append(f"[{i}] figure name must start with 'fig-'")
            if not str(figure.get("caption", "")).strip():
                problems.append(f"[{i}] figure without a caption")
            if not str(mystnb.get("image", {}).get("alt", "")).strip():
                problems.append(f"[{i}] figure without alt text")
    return problems


def test_figure_rule_finds_glue_figures_and_incomplete_metadata():
    old = _md("```{glue:figure} fig-x\n:name: fig-x\n```")
    no_alt = _code("fig")
    no_alt["metadata"]["mystnb"] = {"figure": {"name": "fig-a", "caption": "A."}}
    good = _code("fig")
    good["metadata"]["mystnb"] = {"figure": {"name": "fig-a", "caption": "A."}, "image": {"alt": "a"}}
    assert figure_problems([old, no_alt, good]) == [
        "[0] {glue:figure}: make the figure the cell's output (issue 11)",
        "[1] figure without alt text",
    ]


@pytest.mark.parametrize("path", _chapters())
def test_figures_are_cell_outputs_with_name_caption_and_alt(path):
    problems = figure_problems(cells(path))
    assert not problems, f"{path.name}: {problems}"
