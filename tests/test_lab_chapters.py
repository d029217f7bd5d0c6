"""The chapters as a student meets them in JupyterLab (`make lab`), tested in a real JupyterLab.

A JupyterLab server runs on the reader's notebooks the build wrote (``_build/html/_sources/book``)
with the configuration ``make lab`` uses (:mod:`rnnlib.course.lab`); headless Chromium opens a
chapter, runs every cell, saves, and the rendered page is checked: every figure is an image that
loaded, no raw MyST (``{glue``, ``{eq}``, ``{numref}``, ``{cite}``, a directive fence, an equation
label) is visible, solutions are collapsed, no cell failed, nbgrader's instructor tools and the news
pop-up are absent, and saving changed only outputs. Screenshots go to ``_build/screenshots/lab/``.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from test_site_browser import _browser_path

from rnnlib.course import lab

pytestmark = pytest.mark.built

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots" / "lab"
CHAPTERS = sorted(p.name for p in (SITE / "_sources" / "book").glob("[0-9][0-9]_*.ipynb"))
RAW = re.compile(
    r"\{(glue|eq|numref|cite|doc|ref|exercise|solution|admonition)[:}\w-]*`?|```|\\tag\{|\$\$|:label:|\(eq-ch"
)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not CHAPTERS:
        pytest.fail(f"no reader's notebooks under {SITE}/_sources/book: run `make book` first")
    root = tmp_path_factory.mktemp("lab")
    lab.prepare_notebooks(SITE, root)  # as `make lab` does: copied and signed
    config = tmp_path_factory.mktemp("lab-config")
    lab.write_config(config / "jupyter", config / "settings")
    # Render every cell at once, so the page can be checked without scrolling each into view.
    tracker = config / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True, exist_ok=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    lab.install_kernel()
    port = _free_port()
    env = dict(
        os.environ,
        PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
        JUPYTER_CONFIG_DIR=str(config / "jupyter"),
        JUPYTERLAB_SETTINGS_DIR=str(config / "settings"),
    )
    log = open(config / "server.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", "--ServerApp.token=", "--ServerApp.password=",
         "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={root}"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:  # poll the status endpoint until the server answers
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(
                        f"JupyterLab exited with status {proc.returncode}: {(config / 'server.log').read_text()}"
                    )
                if time.monotonic() > deadline:
                    pytest.fail("waited 90 s for JupyterLab to answer on /api/status")
                time.sleep(0.2)
        yield {"url": url, "root": root, "log": config / "server.log"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_the_student_lab_starts_without_nbgrader(server):
    log = server["log"].read_text()
    assert "nbgrader" not in log.lower(), log
    html = urllib.request.urlopen(f"{server['url']}/lab").read().decode()
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, "JupyterLab's page has no jupyter-config-data"
    assert "@jupyter/nbgrader" in json.loads(found.group(1))["disabledExtensions"]


# Run All has finished (or a cell failed): the notebook's execution indicator is idle and every
# visible prompt shows an execution count, not "[ ]" or "[*]". (Collapsed cells show no prompt;
# the saved file proves below that every cell ran.)
_ALL_DONE = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.innerText);
  const idle = panel.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']") !== null;
  const failed = panel.querySelector(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], .jp-OutputArea-output [data-mime-type='application/vnd.jupyter.error']");
  const shown = prompts.filter(p => p.trim() !== '');  // a collapsed cell's prompt is empty
  return failed !== null || (idle && shown.length > 0 && shown.every(p => /\\[\\d+\\]/.test(p)));
}"""


# An explorer's live view: the anywidget front end's canvas (or, without anywidget, ipywidgets' image).
_EXPLORER_VIEW = ".bptt-live canvas, .jupyter-widgets img, img.widget-image"
_EXPLORER_CALL = re.compile(r"^\s*\w+\s*=\s*\w+_(explorer|stepper)\(", re.M)

# Run one cell again and time, in the page, from its prompt showing the new execution count (the
# kernel has finished the cell) to its explorer's view being in the output.
_RERUN_TIMED = """([index, selector]) => { window.bpttTiming = (async () => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const cell = panel.querySelectorAll('.jp-Notebook .jp-Cell')[index];
  const prompt = () => cell.querySelector('.jp-InputPrompt').innerText;
  const start = performance.now();
  const before = prompt();
  const old = cell.querySelector(selector);
  const frame = () => new Promise(requestAnimationFrame);
  const deadline = performance.now() + 60000;
  while (prompt() === before || !/\\[\\d+\\]/.test(prompt())) {
    if (performance.now() > deadline) return [-1, -1];
    await frame();
  }
  const done = performance.now();
  const fresh = () => { const view = cell.querySelector(selector); return view !== null && view !== old; };
  while (!fresh()) {
    if (performance.now() > deadline) return [-2, -2];
    await frame();
  }
  const shown = performance.now();
  return [Math.max(0, shown - done) / 1000, (shown - start) / 1000];
})(); }"""


def _explorer_display_seconds(page, nb):
    """Re-run the chapter's first explorer cell; seconds from its end to the explorer on screen (the
    view may arrive before the cell's execution count: then 0)."""
    index = next((i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and _EXPLORER_CALL.search(_text(c["source"]))), None)  # fmt: skip
    if index is None:
        return None
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    assert cell.locator(_EXPLORER_VIEW).count() > 0, "after Run All the explorer's cell shows no live view"
    page.evaluate(_RERUN_TIMED, [index, _EXPLORER_VIEW])  # starts watching, returns at once
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    after_done, from_key = page.evaluate("() => window.bpttTiming")
    assert after_done >= 0, "the explorer's cell did not finish" if after_done == -1 else "no explorer view appeared"
    print(f"explorer: on screen {from_key * 1000:.0f} ms after Shift+Enter", end="; ")
    return after_done


def _text(source):
    return source if isinstance(source, str) else "".join(source)


def _saved_with_outputs(path, timeout=30.0):
    """The notebook file once JupyterLab's save has written the run's execution counts."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            saved = json.loads(path.read_text())
            if all(c.get("execution_count") for c in saved["cells"] if c["cell_type"] == "code"):
                return saved
        except json.JSONDecodeError:  # caught mid-write
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout:.0f} s for {path.name} to be saved with its outputs")
        time.sleep(0.1)  # poll interval; the file's content decides


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_reads_and_runs_in_jupyterlab(server, name):
    from playwright.sync_api import sync_playwright

    nb = json.loads((server["root"] / name).read_text())
    code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    hidden = sum(bool(c.get("metadata", {}).get("jupyter", {}).get("source_hidden")) for c in nb["cells"])
    figures = sum("figure" in c.get("metadata", {}).get("mystnb", {}) for c in code_cells)
    attached = sum(len(c.get("attachments", {})) for c in nb["cells"])
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_browser_path(), headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])  # fmt: skip
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            page.goto(f"{server['url']}/lab/tree/{name}?reset", wait_until="domcontentloaded")
            panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
            page.wait_for_selector(
                ".jp-Notebook-ExecutionIndicator[data-status='idle']", state="attached", timeout=120_000
            )
            assert page.get_by_role("menuitem", name="Nbgrader").count() == 0, "nbgrader's menu is shown to students"
            assert page.locator(".jp-Notification-Toast, .Toastify__toast").count() == 0, "a pop-up greets the student"
            kernel_name = panel.locator(".jp-Toolbar-kernelName").first
            try:  # the toolbar says "No Kernel" until the session has started
                page.wait_for_function("(el) => !/^(No )?Kernel$/.test(el.innerText.trim())",
                                       arg=kernel_name.element_handle(), timeout=60_000)  # fmt: skip
            except Exception:
                pytest.fail(f"waited 60 s for a kernel to start; the toolbar says {kernel_name.inner_text()!r}")
            kernel = kernel_name.inner_text()
            assert "BPTT course" in kernel, f"the notebook runs on {kernel!r}, not the course's kernel"
            SHOTS.joinpath(f"{name[:-6]}-opened.png").write_bytes(page.screenshot())
            started = time.monotonic()
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            try:
                page.wait_for_function(_ALL_DONE, timeout=300_000, polling=500)
            except Exception:
                SHOTS.joinpath(f"{name[:-6]}-timeout.png").write_bytes(page.screenshot())
                pytest.fail(f"waited 300 s for every cell of {name} to run")
            ran = time.monotonic() - started
            page.wait_for_selector(
                ".jp-Notebook-ExecutionIndicator[data-status='idle']", state="attached", timeout=60_000
            )
            page.wait_for_function(
                "() => !window.MathJax || !document.querySelector('.jp-MarkdownOutput .MathJax_Processing')"
            )
            failures = panel.locator(
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
                ".jp-OutputArea-output [data-mime-type='application/vnd.jupyter.error']"
            )
            assert failures.count() == 0, failures.first.inner_text()[:2000]
            text = panel.locator(".jp-MarkdownOutput").all_inner_texts()
            raw = sorted({m.group(0) for t in text for m in RAW.finditer(t)})
            assert not raw, f"raw markup visible in {name}: {raw}"
            loaded = page.evaluate(
                """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) img')]
                         .filter(i => i.complete && i.naturalWidth > 0 && i.closest('.jp-OutputArea, .jp-MarkdownOutput'))
                         .length"""
            )
            assert loaded >= figures + attached, f"{loaded} images shown, the chapter has {figures + attached} figures"
            assert panel.locator(".jp-InputPlaceholder").count() == hidden, "collapsed cells do not match"
            assert panel.locator("details[open]").count() == 0, "a solution is open before the student asks for it"
            SHOTS.joinpath(f"{name[:-6]}-ran.png").write_bytes(page.screenshot())
            shown_in = _explorer_display_seconds(page, nb)
            if shown_in is not None:
                assert shown_in <= 1.0, f"the explorer appeared {shown_in:.2f} s after its cell finished"
                SHOTS.joinpath(f"{name[:-6]}-explorer.png").write_bytes(page.screenshot())
            if loaded:
                panel.locator(".jp-OutputArea img, .jp-MarkdownOutput img").first.scroll_into_view_if_needed()
                SHOTS.joinpath(f"{name[:-6]}-figure.png").write_bytes(page.screenshot())
            page.keyboard.press("Control+s")
            page.wait_for_function(
                "() => !document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-mod-dirty')", timeout=30_000
            )
            saved = _saved_with_outputs(server["root"] / name)
            # Saving adds outputs and the explorers' widget state (so a reopened notebook shows them), nothing else.
            widget_state = saved["metadata"].pop("widgets", None)
            assert saved["metadata"] == nb["metadata"], "Run All and save changed the notebook's metadata"
            explorers = any(_EXPLORER_CALL.search(_text(c["source"])) for c in code_cells)
            saved_views = (widget_state or {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
            assert bool(saved_views) == explorers, "widget state saved without an explorer, or an explorer's lost"
            assert [_text(c["source"]) for c in saved["cells"]] == [_text(c["source"]) for c in nb["cells"]]
            assert [c["metadata"] for c in saved["cells"]] == [c["metadata"] for c in nb["cells"]]
            assert not errors, errors
            shown = "" if shown_in is None else f"; explorer shown {shown_in * 1000:.0f} ms after its cell ran"
            print(f"{name}: Run All took {ran:.1f} s; {loaded} images, {hidden} collapsed cells{shown}")
        finally:
            browser.close()


# The test's own flags (no token, no password) make the server warn; a student's `make lab` does not.
_TEST_FLAG_WARNINGS = ("ServerApp.token config is deprecated", "All authentication is disabled")


def test_the_terminal_stays_quiet_while_the_chapters_ran(server):
    """Runs after the chapters (file order): nothing the student would see in the terminal warns."""
    lines = server["log"].read_text().splitlines()
    noisy = [
        x
        for x in lines
        if ("[W " in x or "WARNING" in x or "[E " in x) and not any(f in x for f in _TEST_FLAG_WARNINGS)
    ]
    assert not noisy, "\n".join(noisy)
