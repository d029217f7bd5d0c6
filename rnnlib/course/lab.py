"""The chapters in JupyterLab as a student meets them: ``make lab``.

``python -m rnnlib.course.lab prepare --site _build/html --dst _build/lab --config _build/lab-config``
gets a JupyterLab ready for a student:

- the reader's notebooks the book's build wrote (``_build/html/_sources/book/NN_*.ipynb``, see
  :mod:`rnnlib.course.reader`) are copied into their own folder, so the file browser shows the
  nine chapters and nothing else (no instructor's guide, no ``_ext`` or ``_static``). A notebook
  the student has changed since it was copied is kept: a new build never overwrites their work
  (``.bptt-lab.json`` records what was copied);
- a Jupyter configuration folder (used as ``JUPYTER_CONFIG_DIR``) disables nbgrader's instructor
  extensions (menu, Validate button, Create Assignment sidebar, server extensions, and with them
  the warning about a missing ``nbgrader_config.py``);
- the course's kernel, "Python (BPTT course)" (``bptt-course``, which the reader's notebooks name),
  is installed into this Python's prefix: it runs this interpreter, so a notebook opened elsewhere
  asks for the course's kernel instead of silently starting another Python without ``rnnlib``;
  it sets the same OpenBLAS variables as the Makefile, so the seeded training runs reproduce the
  website's numbers;
- JupyterLab settings (used as ``JUPYTERLAB_SETTINGS_DIR``) turn off the "Jupyter news" pop-up and
  the update check, and let ipywidgets save the explorers' state with the notebook, so a reopened
  notebook shows its last figures; Run All then changes outputs and that widget state only.

``--instructor`` keeps nbgrader's extensions (``make lab-instructor`` opens the source notebooks).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import shutil
import sys
from pathlib import Path

__all__ = [
    "NBGRADER_LAB_EXTENSIONS",
    "NBGRADER_SERVER_EXTENSIONS",
    "install_kernel",
    "kernel_spec",
    "main",
    "prepare_notebooks",
    "write_config",
]

NBGRADER_LAB_EXTENSIONS = ("@jupyter/nbgrader",)
NBGRADER_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.validate_assignment",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
)
_STAMP = ".bptt-lab.json"
_WIDGET_SETTINGS = json.loads(
    (Path(__file__).parent / "templates" / "lab-overrides-explorers.json").read_text(encoding="utf-8")
)["@jupyter-widgets/jupyterlab-manager:plugin"]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _trust(path: Path) -> None:
    """Sign the notebook as ``jupyter trust`` does: it comes from the course's own build."""
    import nbformat
    from nbformat.sign import NotebookNotary

    NotebookNotary().sign(nbformat.read(path, as_version=4))


def prepare_notebooks(site: Path, dst: Path) -> dict[str, str]:
    """Copy the chapters' reader's notebooks from the built ``site`` into ``dst``.

    Returns ``{file name: "copied" | "unchanged" | "kept (changed by you)"}``. A notebook in
    ``dst`` that differs from the copy last made there is kept.
    """
    site, dst = Path(site), Path(dst)
    sources = sorted((site / "_sources" / "book").glob("[0-9][0-9]_*.ipynb"))
    if not sources:
        raise ValueError(f"site must be a built book with _sources/book/NN_*.ipynb; found none under {site}")
    dst.mkdir(parents=True, exist_ok=True)
    stamp_path = dst / _STAMP
    stamp = json.loads(stamp_path.read_text()) if stamp_path.exists() else {}
    done = {}
    for source in sources:
        target = dst / source.name
        if target.exists() and stamp.get(source.name) != _digest(target):
            done[source.name] = "kept (changed by you)"
            continue
        if target.exists() and _digest(target) == _digest(source):
            done[source.name] = "unchanged"
            continue
        shutil.copyfile(source, target)
        _trust(target)
        stamp[source.name] = _digest(target)
        done[source.name] = "copied"
    stamp_path.write_text(json.dumps(stamp, indent=1, sort_keys=True) + "\n")
    return done


def write_config(config_dir: Path, settings_dir: Path, instructor: bool = False) -> None:
    """Write the Jupyter configuration (``config_dir``) and JupyterLab settings (``settings_dir``)."""
    if not isinstance(instructor, bool):
        raise ValueError(f"instructor must be True or False; got {instructor!r}")
    config_dir, settings_dir = Path(config_dir), Path(settings_dir)
    (config_dir / "labconfig").mkdir(parents=True, exist_ok=True)
    disabled = {} if instructor else dict.fromkeys(NBGRADER_LAB_EXTENSIONS, True)
    (config_dir / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": disabled}, indent=1) + "\n"
    )
    server = {} if instructor else dict.fromkeys(NBGRADER_SERVER_EXTENSIONS, False)
    config = {
        # jupyter_server's websockets default to a 90 s pong timeout with 30 s pings, which tornado
        # warns about at every kernel connection. A timeout equal to the interval is quiet; 90 s for
        # both, because a busy 2-core laptop running a chapter can answer a ping later than 30 s
        # (the JupyterLab test saw "WebSocket ping timeout after 30001 ms" with 30 s)
        "ServerApp": {
            "jpserver_extensions": server,
            "tornado_settings": {"ws_ping_interval": 90_000, "ws_ping_timeout": 90_000},
        },
        # CurveZMQ keys for kernels that support them (ipykernel does), instead of plain TCP and the
        # kernel's warning about it in the terminal
        "KernelManager": {"transport_encryption": "auto"},
    }
    (config_dir / "jupyter_server_config.json").write_text(json.dumps(config, indent=1) + "\n")
    settings = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
        # saved explorers keep their widget state, so a reopened notebook shows the last figure
        # instead of "Error displaying widget: model not found" (the same file test_lab_widgets uses)
        "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings": _WIDGET_SETTINGS,
    }
    for name, values in settings.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=1) + "\n")


def kernel_spec() -> dict:
    """The ``kernel.json`` of the course's kernel: ipykernel's own spec for this interpreter (so it
    keeps ``supported_encryption``, which lets the server give it CurveZMQ keys), with the course's
    name and the Makefile's BLAS setup."""
    from ipykernel.kernelspec import get_kernel_dict

    from .reader import KERNELSPEC

    env = {"OPENBLAS_NUM_THREADS": "1"}
    if platform.machine() in ("x86_64", "AMD64"):
        env["OPENBLAS_CORETYPE"] = "Haswell"
    spec = get_kernel_dict()
    spec["argv"] = [sys.executable, *spec["argv"][1:]]
    spec.update(display_name=KERNELSPEC["display_name"], language=KERNELSPEC["language"], env=env)
    return spec


def install_kernel(prefix: Path | None = None) -> Path:
    """Install the course's kernel under ``prefix`` (default: this Python's ``sys.prefix``)."""
    from .reader import KERNELSPEC

    folder = Path(prefix or sys.prefix) / "share" / "jupyter" / "kernels" / KERNELSPEC["name"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernel.json").write_text(json.dumps(kernel_spec(), indent=1) + "\n")
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnnlib.course.lab", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    prepare = sub.add_parser("prepare", help="copy the reader's notebooks and write JupyterLab's settings")
    prepare.add_argument("--site", type=Path, default=Path("_build/html"))
    prepare.add_argument("--dst", type=Path, default=Path("_build/lab"))
    prepare.add_argument("--config", type=Path, default=Path("_build/lab-config"))
    prepare.add_argument("--instructor", action="store_true", help="keep nbgrader's extensions")
    args = parser.parse_args(argv)
    write_config(args.config / "jupyter", args.config / "lab-settings", instructor=args.instructor)
    print(f"kernel 'Python (BPTT course)' installed in {install_kernel()}")
    if not args.instructor:
        for name, what in prepare_notebooks(args.site, args.dst).items():
            print(f"{name}: {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
