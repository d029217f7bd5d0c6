"""The chapter notebooks as committed: no outputs (the build and nbval execute them), and every
page of book/ reachable from the table of contents (only_build_toc_files would silently skip it)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))


def _committed(path: Path) -> nbformat.NotebookNode:
    """The notebook as git has it (what CI checks out); the working copy if git is unavailable."""
    try:
        text = subprocess.run(
            ["git", "show", f"HEAD:{path.relative_to(ROOT).as_posix()}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return nbformat.reads(text, as_version=4)
    except (subprocess.CalledProcessError, FileNotFoundError):
        return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    for nb in (nbformat.read(path, as_version=4), _committed(path)):
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                assert cell.outputs == [], f"cell {i} of {path.name} has outputs: clear them before committing"
                assert cell.execution_count is None, f"cell {i} of {path.name} has an execution count"


def _toc_files(node) -> set[str]:
    files = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("file", "root"):
                files.add(value)
            else:
                files |= _toc_files(value)
    elif isinstance(node, list):
        for item in node:
            files |= _toc_files(item)
    return files


def test_every_page_is_in_the_table_of_contents():
    listed = _toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text()))
    pages = {f"book/{p.stem}" for p in (ROOT / "book").iterdir() if p.suffix in (".md", ".ipynb")}
    assert pages - listed == set(), "pages missing from _toc.yml"
    assert listed - pages == set(), "_toc.yml lists pages that do not exist"


def test_chapters_are_listed_in_order():
    listed = [f for f in _toc_order(yaml.safe_load((ROOT / "_toc.yml").read_text())) if f[5:7].isdigit()]
    assert listed == sorted(listed) and len(listed) == 9, listed


def _toc_order(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "file":
                yield value
            else:
                yield from _toc_order(value)
    elif isinstance(node, list):
        for item in node:
            yield from _toc_order(item)
