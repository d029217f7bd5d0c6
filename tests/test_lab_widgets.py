"""The interactive figures are live in JupyterLab: a real JupyterLab server on 127.0.0.1 and
headless Chromium run a notebook that displays each explorer, move a slider with the keyboard,
and see the kernel redraw the figure (every explorer, the unrolling stepper included, on the anywidget
front end); the stepper's Play button steps it; the saved
notebook, reopened with a fresh kernel, shows the explorer's stored state, not "Error displaying
widget: model not found" (the lab settings of ``make lab``, rnnlib/course/templates/lab-overrides-explorers.json).

Marked ``built`` so that ``make test`` runs it with the other browser tests; it skips outside CI
when no Chromium is installed (see test_site_browser.py) and fails in CI.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from test_site_browser import _browser_path

pytestmark = pytest.mark.built

EXPLORERS = {
    "spectral": "from rnnlib.course.explorers.spectral import spectral_explorer\nspectral_explorer()",
    "clipping": "from rnnlib.course.explorers.clipping import clipping_explorer\nclipping_explorer()",
    "unrolling": (
        "import numpy as np, rnnlib as rl\nfrom rnnlib.course.explorers.unrolling import unrolling_stepper\n"
        "unrolling_stepper(rl.init_params(2, 6, 1, rng=0), np.random.default_rng(0).standard_normal((30, 2)))"
    ),
}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    for name, code in EXPLORERS.items():
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [nbformat.v4.new_code_cell(code)]
        nbformat.write(nb, root / f"{name}.ipynb")
    # The settings `make lab` installs (overrides.d), in a settings folder of this server's own.
    settings = tmp_path_factory.mktemp("lab-settings")
    (settings / "overrides.d").mkdir()
    shutil.copy(
        Path(__file__).resolve().parents[1] / "rnnlib" / "course" / "templates" / "lab-overrides-explorers.json",
        settings / "overrides.d" / "bptt-explorers.json",
    )
    port = _free_port()
    bindir = str(Path(sys.executable).parent)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""), JUPYTER_NO_CONFIG="1")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--allow-root",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            "--ServerApp.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={root}",
            f"--LabApp.app_settings_dir={settings}",
        ],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:  # poll the server's status endpoint until it answers
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"JupyterLab exited with status {server.returncode} before it answered")
                if time.monotonic() > deadline:
                    pytest.fail("waited 90 s for JupyterLab to answer on /api/status")
                time.sleep(0.2)  # poll interval; the status request decides
        yield url, root
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait(page, condition, arg, what, timeout=60_000):
    try:
        page.wait_for_function(condition, arg=arg, timeout=timeout)
    except Exception as e:
        pytest.fail(f"waited {timeout / 1000:.0f} s for {what}: {type(e).__name__}")


# The cell has finished: its prompt shows an execution count ("[1]:"), not "[*]:".
_CELL_DONE = "(cell) => /\\[\\d+\\]/.test(cell.querySelector('.jp-InputPrompt')?.innerText ?? '')"
_ATTR_CHANGED = "([el, attr, old]) => el.getAttribute(attr) !== old"


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_explorer_is_live_in_jupyterlab(lab, name):
    lab, root = lab
    executable = _browser_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            # ?reset: a fresh workspace, or JupyterLab reopens the previous test's notebook beside this one
            page.goto(f"{lab}/lab/tree/{name}.ipynb?reset", wait_until="domcontentloaded")
            panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
            page.wait_for_selector(".jp-Notebook .jp-Cell .jp-InputArea-editor", timeout=90000)
            page.wait_for_selector(
                ".jp-Notebook-ExecutionIndicator[data-status='idle']", state="attached", timeout=120000
            )
            cell = panel.locator(".jp-Cell").first
            slider = panel.locator(".jp-OutputArea input[type=range][data-control]").first
            for attempt in range(4):  # a Shift+Enter sent while the kernel is still connecting is lost
                panel.locator(".jp-Cell .jp-InputArea-editor").first.click()
                page.keyboard.press("Shift+Enter")
                try:
                    slider.wait_for(state="attached", timeout=30000)
                    break
                except Exception:
                    if attempt == 3:
                        pytest.fail("waited 4 × 30 s for the explorer's slider to appear after Shift+Enter")
            _wait(page, _CELL_DONE, cell.element_handle(), f"the {name} cell to finish executing")
            # every explorer, the unrolling stepper included, has the anywidget front end
            _browser_front_end_is_fast(page, panel, name)
            if name == "unrolling":
                _play_advances_t(page, panel)
            assert panel.locator(".jp-OutputArea-output .bptt-twin").count() == 0, (
                "JupyterLab showed the static twin instead of the live widget"
            )
            assert not errors, errors
            _reopened_shows_the_stored_explorer(page, browser, lab, root, name)
        finally:
            browser.close()


def _browser_front_end_is_fast(page, panel, name):
    """Move every slider of the anywidget front end by keyboard; each move goes to the kernel,
    rnnlib computes the frame, the front end draws it (input event to redrawn canvas, on the front
    end's own clock: ``data-latency-ms``); at least 10 distinct figures and readouts."""
    import statistics

    view = panel.locator(".jp-OutputArea .bptt-live").first
    view.wait_for(state="visible", timeout=30_000)
    host = view.locator("xpath=..")
    canvas = view.locator("canvas.bptt-live-figure")
    latencies, figures, readouts = [], set(), set()
    sliders = view.locator("input[type=range][data-control]")
    for i in range(sliders.count()):
        s = sliders.nth(i)
        hi, step_size, value = s.evaluate("e => [+e.max, +e.step, +e.value]")
        key = "ArrowLeft" if value + 12 * step_size > hi else "ArrowRight"
        for _ in range(12):
            renders = host.get_attribute("data-renders") or "0"
            s.focus()
            page.keyboard.press(key)
            _wait(
                page,
                "([el, old]) => (el.dataset.renders ?? '0') !== old",
                [host.element_handle(), renders],
                f"the {name} explorer to redraw after a key press",
                timeout=30_000,
            )
            latencies.append(float(host.get_attribute("data-latency-ms")))
            figures.add(canvas.evaluate("c => c.toDataURL()"))
            readouts.add(view.locator(".bptt-readout").inner_text())
    assert len(figures) >= 10 and len(readouts) >= 10, (len(figures), len(readouts))
    latencies.sort()
    median, p95 = statistics.median(latencies), latencies[int(0.95 * (len(latencies) - 1))]
    print(f"{name} in JupyterLab: move median {median:.1f} ms, p95 {p95:.1f} ms over {len(latencies)} moves")
    # The budget (median 50 ms, p95 100 ms) is what the kernel spends per move (`make bench`:
    # 3.5-22 ms); end to end, JupyterLab's websocket and the kernel's busy/idle messages add 18-35 ms
    # on this shared 2-core machine, so this real-browser check allows twice the median.
    assert median <= 100 and p95 <= 150, f"{name}: slider move median {median:.1f} ms, p95 {p95:.1f} ms"


def _play_advances_t(page, panel):
    """Chapter 1 says "Press Play": the front end's Play button steps t, and the kernel redraws each step."""
    view = panel.locator(".jp-OutputArea .bptt-live").first
    host = view.locator("xpath=..")
    slider = view.locator("input[type=range][data-control=t]")
    button = view.locator("button.bptt-live-play")
    slider.evaluate("e => { e.value = e.min; e.dispatchEvent(new Event('input', {bubbles: true})); }")
    _wait(page, "(e) => e.value === e.min", slider.element_handle(), "t to return to its first step")
    readout, renders = view.locator(".bptt-readout").inner_text(), host.get_attribute("data-renders") or "0"
    button.click()
    _wait(
        page,
        "([s, h, r]) => +s.value >= +s.min + 2 && (h.dataset.renders ?? '0') !== r",
        [slider.element_handle(), host.element_handle(), renders],
        "Play to step t twice and the kernel to redraw",
        timeout=10_000,
    )
    assert button.get_attribute("aria-label") == "Pause", "while playing, the button does not offer Pause"
    button.click()  # pause
    assert button.get_attribute("aria-label").startswith("Play")
    _wait(
        page,
        "([el, old]) => el.innerText !== old",
        [view.locator(".bptt-readout").element_handle(), readout],
        "the readout to follow Play",
    )


def _reopened_shows_the_stored_explorer(page, browser, lab, root, name):
    """Save, shut the kernel down, reopen: the stored widget state is shown, not an error."""
    page.keyboard.press("Control+s")
    path = root / f"{name}.ipynb"
    deadline = time.monotonic() + 30
    while "widgets" not in json.loads(path.read_text()).get("metadata", {}):
        if time.monotonic() > deadline:
            pytest.fail("waited 30 s for the saved notebook to hold the widget state")
        time.sleep(0.2)  # poll the file; the save decides
    page.close()
    for session in json.load(urllib.request.urlopen(f"{lab}/api/sessions", timeout=10)):
        req = urllib.request.Request(f"{lab}/api/sessions/{session['id']}", method="DELETE")
        urllib.request.urlopen(req, timeout=30)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{lab}/lab/tree/{name}.ipynb?reset", wait_until="domcontentloaded")
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    restored = panel.locator(".jp-OutputArea img, .jp-OutputArea canvas").first
    try:
        restored.wait_for(state="visible", timeout=60_000)
    except Exception:
        text = panel.locator(".jp-OutputArea").first.inner_text() if panel.count() else ""
        pytest.fail(f"the reopened {name} notebook shows no stored figure; its output reads {text!r}")
    page.wait_for_timeout(1000)  # the widget manager settles (an error would replace the view)
    shown = panel.locator(".jp-OutputArea").first.inner_text()
    assert "model not found" not in shown and "Error displaying" not in shown, shown
    page.close()
