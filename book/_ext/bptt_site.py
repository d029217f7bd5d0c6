"""Sphinx extension for the course website: built pages free of console errors, a quiet build.

- Jupyter Book 1.x registers sphinx-thebe's inline configuration script twice, so every page
  declared ``const THEBE_JS_URL`` twice and the browser reported a SyntaxError. Thebe is
  switched off in this book; the duplicate is dropped here.
- The kernels that execute the chapters talk to the build over TCP on 127.0.0.1, and ipykernel
  warns once per notebook that this traffic is unencrypted. jupyter_client can give each kernel
  CurveZMQ keys (``KernelManager.transport_encryption = "auto"``, used when the kernelspec
  declares ``supported_encryption: curve``, as ipykernel's does), but MyST-NB creates its kernel
  managers without a config object, so the default is set here, before any notebook runs.
- Every page's footer states the licences (text and figures CC BY 4.0, code MIT), the version of
  the course (read from ``pyproject.toml``, its single source) and the build date (UTC, or
  ``SOURCE_DATE_EPOCH`` when set, for reproducible builds), and links to the local copies of the
  licences (as ``.txt``, so a browser shows them rather than downloading them) and of
  ``CITATION.cff``, which the build copies to the site's root.
- rnnlib's wheel (``make wheel``, a prerequisite of ``make book``) is copied to the site's root
  too, and every chapter's footer says in one line how to run the chapter outside the repository.
- Accessibility (axe-core, WCAG 2.2 A/AA, run by the browser tests): three pieces of markup that
  the theme and docutils write are corrected in the built pages (``ACCESSIBLE``): buttons and
  toggles whose ``aria-label`` hides their visible text (WCAG 2.5.3, label in name), and the
  bibliography's deprecated ``doc-biblioentry`` role inside a ``role="list"`` that then holds
  non-list children. Link colours with too little contrast on the exercise boxes are fixed in
  ``_static/custom.css``.
- Explorers (``rnnlib.course.widgets.Explorer``) render their precomputed static twin only when
  ``BPTT_STATIC_TWIN=1``; the website is where the twin is shown, so this extension sets the
  variable before MyST-NB starts the kernels that execute the chapters (they inherit the
  build's environment). JupyterLab, nbval and VS Code never pay for the frames.
- A page that holds an explorer's live data (``bptt-live-data``) loads ``_static/bptt/live-loader.js``,
  a classic script that imports the ES module ``_static/bptt/live.js`` except over file://
  (an ES module, which imports the engine) and ``live.css``: with JavaScript the explorer is
  computed in the reader's browser; without it (or over file://, where browsers refuse ES
  modules) the static twin stays. Their controls and drawing, ``explorer_draw.js``, are shared with
  the JupyterLab front end and live in rnnlib's package data; the build copies them next to live.js.
"""

import datetime
import html
import os
import re
import tomllib
from pathlib import Path

# The repository's root: the first folder above this file with pyproject.toml (the student site
# is built from a copy of book/ under _build/, so the root is not at a fixed depth).
ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        key = (getattr(script, "filename", None) or "", getattr(script, "attributes", {}).get("body"))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    context["script_files"] = kept


def course_version() -> str:
    """The course's version, from ``pyproject.toml`` (the one place it is written)."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


def build_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.datetime.fromtimestamp(int(epoch), datetime.UTC) if epoch else datetime.datetime.now(datetime.UTC)
    return when.date().isoformat()


def wheel_name() -> str:
    return f"rnnlib-{course_version()}-py3-none-any.whl"


def _footer(app, pagename, templatename, context, doctree):
    to = context["pathto"]
    version, date = html.escape(course_version()), build_date()
    run = ""
    if pagename.startswith("book/0"):  # a chapter notebook
        wheel = wheel_name()
        run = (
            '<p class="bptt-run">Run this chapter on your own machine: download it as a notebook (the '
            f'download button at the top), and rnnlib\'s wheel <a href="{to(wheel, 1)}">{wheel}</a>, '
            f"then <code>pip install '{wheel}[course]' jupyterlab</code> and open the notebook.</p>"
        )
    context["theme_extra_footer"] = run + (
        '<p class="bptt-footer">'
        f'Text and figures: <a href="{to("LICENSE-TEXT.txt", 1)}">CC BY 4.0</a>; '
        f'code (rnnlib and the notebooks\' code cells): <a href="{to("LICENSE.txt", 1)}">MIT</a>. '
        f'<span class="bptt-version">Version {version}, built {date}.</span> '
        f'How to cite: <a href="{to("CITATION.cff", 1)}">CITATION.cff</a>.</p>'
    )


SITE_FILES = {"LICENSE": "LICENSE.txt", "LICENSE-TEXT": "LICENSE-TEXT.txt", "CITATION.cff": "CITATION.cff"}


def _copy_licences_and_wheel(app, exception):
    if exception is None and app.builder.format == "html":
        for source, target in SITE_FILES.items():
            (Path(app.outdir) / target).write_bytes((ROOT / source).read_bytes())
        wheel = ROOT / "_build" / "wheel" / wheel_name()
        if not wheel.is_file():
            raise FileNotFoundError(f"{wheel} is missing: build it with `make wheel` (make book does)")
        (Path(app.outdir) / wheel.name).write_bytes(wheel.read_bytes())


# (pattern, replacement, why): applied to every built HTML page.
ACCESSIBLE = [
    # The search field shows "Search Ctrl+K": an aria-label of "Search" drops the visible text.
    (
        re.compile(r'(<button class="btn search-button-field[^"]*"[^>]*?) aria-label="Search"'),
        r"\1",
        "name the search button by its visible text",
    ),
    # The colour-mode button's accessible name must contain its icons' visible titles.
    (
        re.compile(r'aria-label="Color mode"'),
        'aria-label="Color mode: Light, Dark or System Settings"',
        "name the colour-mode button by the titles of its icons",
    ),
    # MyST-NB's fold: the summary reads "Show code cell source", the label said something else.
    (
        re.compile(r'<summary aria-label="Toggle hidden content">'),
        "<summary>",
        "name code-cell toggles by their visible text",
    ),
    # docutils: role="list" whose children are links and entries with a deprecated role.
    (
        re.compile(r'<div role="list" class="citation-list">'),
        '<div class="citation-list">',
        "a list role whose children are not list items",
    ),
    (re.compile(r' role="doc-biblioentry"'), "", "the deprecated doc-biblioentry role"),
]


def _make_accessible(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = original = page.read_text(encoding="utf-8")
        for pattern, replacement, _why in ACCESSIBLE:
            text = pattern.sub(replacement, text)
        if text != original:
            page.write_text(text, encoding="utf-8")


def _encrypt_kernel_transport():
    import zmq
    from jupyter_client.manager import KernelManager

    if zmq.has("curve"):  # without libsodium, keep the default (and its warning) rather than fail
        KernelManager.class_traits()["transport_encryption"].default_value = "auto"


def _explorers_render_static_twins():
    os.environ["BPTT_STATIC_TWIN"] = "1"  # rnnlib.course.widgets.STATIC_TWIN_ENV


def _live_explorers(app, pagename, templatename, context, doctree):
    if "bptt-live-data" in context.get("body", ""):
        # added here: this page only; the classic loader skips the module over file:// (bundle)
        app.add_js_file("bptt/live-loader.js")
        app.add_css_file("bptt/live.css")


def _copy_explorer_drawing(app, exception):
    if exception is None and app.builder.format == "html":
        import rnnlib.course

        source = Path(rnnlib.course.__file__).parent / "templates" / "explorer_draw.js"
        target = Path(app.outdir) / "_static" / "bptt" / "explorer_draw.js"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())


def setup(app):
    _encrypt_kernel_transport()
    _explorers_render_static_twins()
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    app.connect("html-page-context", _footer)
    app.connect("html-page-context", _live_explorers)
    app.connect("build-finished", _copy_licences_and_wheel)
    app.connect("build-finished", _make_accessible)
    app.connect("build-finished", _copy_explorer_drawing)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
