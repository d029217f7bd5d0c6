"""The offline bundle: one versioned zip with the website, the PDFs, the student notebooks and
rnnlib's wheel, for a lecture hall or a train without a network.

    python book/_ext/bptt_dist.py --out _build/dist

It reads what ``make book``, ``make pdf``, ``make student-pdf``, ``make assignments`` and
``make wheel`` built, and refuses to write a bundle with a part missing. The website opens from
disk (``site/index.html``); the bundle's README also gives the one-line local server.
"""

from __future__ import annotations

import argparse
import tomllib
import zipfile
from pathlib import Path

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
BUILD = ROOT / "_build"

README = """Backpropagation Through Time: an interactive course, version {version}
=====================================================================

This folder is the whole course, for reading and working with no network.

- site/: the website (with solutions). Open site/index.html in a browser; everything it
  needs is in this folder, and no request leaves it.
- pdf/bptt-course.pdf: the book as one PDF, solutions in an appendix.
- pdf/bptt-course-student.pdf: the student edition, without solutions.
- notebooks/: the chapters as student notebooks (no solutions), for JupyterLab.
- wheel/{wheel}: rnnlib, the numpy library every chapter imports.

If your browser restricts pages opened from disk, serve the site locally instead (one line,
Python 3 only, still no network):

    python3 -m http.server --directory site 8000      then open http://127.0.0.1:8000/

To run the chapters, in a fresh virtual environment:

    python3 -m venv .venv && . .venv/bin/activate
    pip install "wheel/{wheel}[course]" jupyterlab
    jupyter lab notebooks/

(pip fetches numpy, matplotlib and the other dependencies once; after that no network is needed.)

Licences: text and figures CC BY 4.0 (LICENSE-TEXT), code MIT (LICENSE). To cite the course, see
CITATION.cff.
"""


def version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


def parts(v: str) -> dict[str, Path]:
    """What goes into the bundle: name inside the bundle -> path on disk (file or folder)."""
    wheels = sorted((BUILD / "wheel").glob(f"rnnlib-{v}-*.whl"))
    found = {
        "site": BUILD / "html",
        "pdf/bptt-course.pdf": BUILD / "pdf" / "bptt-course.pdf",
        "pdf/bptt-course-student.pdf": BUILD / "pdf" / "bptt-course-student.pdf",
        "notebooks": BUILD / "assignments",
        "LICENSE": ROOT / "LICENSE",
        "LICENSE-TEXT": ROOT / "LICENSE-TEXT",
        "CITATION.cff": ROOT / "CITATION.cff",
    }
    if len(wheels) != 1:
        raise SystemExit(f"expected one rnnlib-{v} wheel in {BUILD / 'wheel'}, found {len(wheels)}: run `make wheel`")
    found[f"wheel/{wheels[0].name}"] = wheels[0]
    missing = [str(p) for p in found.values() if not p.exists()]
    if missing:
        raise SystemExit(f"cannot bundle, missing: {missing} (run `make dist`, which builds them)")
    return found


def write_bundle(out_dir: Path) -> Path:
    v = version()
    top = f"bptt-course-{v}"
    found = parts(v)
    wheel = next(name for name in found if name.startswith("wheel/")).removeprefix("wheel/")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{top}.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        z.writestr(f"{top}/README.txt", README.format(version=v, wheel=wheel))
        for name, path in found.items():
            if path.is_dir():
                for f in sorted(path.rglob("*")):
                    if f.is_file() and ".ipynb_checkpoints" not in f.parts:
                        z.write(f, f"{top}/{name}/{f.relative_to(path)}")
            else:
                z.write(path, f"{top}/{name}")
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BUILD / "dist")
    target = write_bundle(parser.parse_args(argv).out)
    print(f"Bundle written: {target} ({target.stat().st_size / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
