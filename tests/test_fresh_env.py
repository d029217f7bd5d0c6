"""A chapter downloaded from the website runs outside this repository.

Marked ``built`` (it reads the built site). A fresh virtual environment gets only what running a
notebook needs (ipykernel, nbclient); a chapter is downloaded from the site through its download
link and executed in an empty folder, which must fail with the chapter's one-line instruction
rather than a bare ``ModuleNotFoundError``. Then rnnlib's wheel, downloaded from the site's
footer link, is installed with its ``course`` extra, and the same chapter must run top to bottom.
Packages come from PyPI at the versions pinned in requirements.txt (used as constraints).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from urllib.parse import urljoin

import pytest

pytestmark = pytest.mark.built

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
CHAPTER = "book/06_vanishing_exploding.html"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_url():
    assert (SITE / CHAPTER).exists(), "_build/html missing: run `make book` first"
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(SITE)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


def _download(url, folder: Path) -> Path:
    target = folder / url.rsplit("/", 1)[-1]
    with urllib.request.urlopen(url, timeout=30) as response:
        target.write_bytes(response.read())
    return target


def _links(site_url):
    page = urllib.request.urlopen(urljoin(site_url, CHAPTER), timeout=30).read().decode()
    notebook = re.search(r'href="([^"]+\.ipynb)"', page).group(1)
    wheel = re.search(r'href="([^"]+\.whl)"', page).group(1)
    return urljoin(urljoin(site_url, CHAPTER), notebook), urljoin(urljoin(site_url, CHAPTER), wheel)


def _run(cmd, cwd, env):
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def test_downloaded_chapter_runs_with_only_the_wheel_and_its_requirements(site_url, tmp_path):
    notebook_url, wheel_url = _links(site_url)
    work = tmp_path / "reader"
    work.mkdir()
    notebook, wheel = _download(notebook_url, work), _download(wheel_url, work)
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(
        "".join(
            line + "\n"
            for line in (ROOT / "requirements.txt").read_text().splitlines()
            if line.strip() and not line.startswith(("#", "-e"))
        )
    )
    env_dir = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True, timeout=300)
    py, bindir = env_dir / "bin" / "python", env_dir / "bin"
    # Nothing of this repository: no PYTHONPATH, no Jupyter paths, PATH starting at the new env.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "JUPYTER", "VIRTUAL_ENV"))}
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    pip = [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-c", str(constraints)]
    done = _run([*pip, "ipykernel", "nbclient"], work, env)
    assert done.returncode == 0, done.stderr[-2000:]

    execute = [str(bindir / "jupyter-execute"), "--kernel_name=python3", notebook.name]
    before = _run(execute, work, env)
    assert before.returncode != 0, "the chapter ran without rnnlib installed: the test proves nothing"
    said = before.stdout + before.stderr
    assert "This chapter needs rnnlib" in said and "[course]" in said, said[-2000:]

    done = _run([*pip, f"{wheel.name}[course]"], work, env)
    assert done.returncode == 0, done.stderr[-2000:]
    where = _run([str(py), "-c", "import rnnlib; print(rnnlib.__file__)"], work, env).stdout.strip()
    assert where.startswith(str(env_dir)), f"rnnlib imported from {where}, not from the fresh environment"

    after = _run(execute, work, env)
    assert after.returncode == 0, (after.stdout + after.stderr)[-3000:]
