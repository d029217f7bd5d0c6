"""Sphinx extension: write every chapter as a reader's notebook, resolved by this very build.

After an HTML build, each chapter's source notebook is converted by
:func:`rnnlib.course.reader.reader_notebook` with the numbers this build gave its figures,
equations and exercises, its citations, and the values its execution glued, and written over the
copy Sphinx put in ``_sources/`` (what the page's download button serves). ``make lab`` opens these
notebooks, so a student in JupyterLab reads the same text, numbers and references as the website.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
from ipykernel.ipkernel import IPythonKernel
from myst_nb.core.variables import format_plain_text
from myst_nb.ext.glue.crossref import read_glue_cache
from sphinx.util import logging

from rnnlib.course.reader import Resolved, reader_notebook

LOGGER = logging.getLogger(__name__)


def _number(env, docname: str, kind: str, labelid: str) -> str | None:
    numbers = env.toc_fignumbers.get(docname, {}).get(kind, {})
    if labelid in numbers:
        return ".".join(str(n) for n in numbers[labelid])
    return None


def _plain(text: str) -> str:
    return re.sub(r"[{}]", "", text).strip()


def _citations(app) -> dict[str, tuple[str, str]]:
    from pybtex.database import parse_file

    found: dict[str, tuple[str, str]] = {}
    for bibfile in app.config.bibtex_bibfiles:
        data = parse_file(str(Path(app.srcdir) / bibfile))
        for key, entry in data.entries.items():
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            last = [_plain(" ".join(person.prelast_names + person.last_names)) for person in people]
            if len(last) >= 3:
                authors = f"{last[0]} *et al.*"
            elif len(last) == 2:
                authors = f"{last[0]} and {last[1]}"
            else:
                authors = last[0] if last else _plain(entry.fields.get("title", key))
            found[key] = (authors, _plain(entry.fields.get("year", "n.d.")))
    return found


def _resolved(app, docname: str, citations) -> Resolved:
    env = app.env
    r = Resolved(docname=docname, citations=citations)
    for label, (doc, labelid, sectname) in env.domaindata["std"]["labels"].items():
        figure = _number(env, doc, "figure", labelid)
        exercise = _number(env, doc, "exercise", labelid)
        if figure is not None:
            r.figures[label] = figure
        elif exercise is not None:
            r.exercises[label] = exercise
        elif sectname:
            r.sections[label] = sectname
    for label, (doc, number) in env.domaindata["math"]["objects"].items():
        r.equations[label] = _number(env, doc, "displaymath", f"equation-{label}") or str(number)
    for doc, title in env.titles.items():
        r.titles[doc] = title.astext()
        if Path(env.doc2path(doc)).suffix == ".ipynb":
            r.notebooks[doc] = Path(doc).name + ".ipynb"
    r.language_info = dict(IPythonKernel.language_info)  # what the course's kernel (this Python) reports
    for key, output in read_glue_cache(env.mystnb_config.output_folder, docname).items():
        data = output.get("data", {})
        if "text/plain" in data:
            r.glue[key] = lambda spec, text=data["text/plain"]: format_plain_text(text, spec)
        if "image/png" in data:
            r.glue_images[key] = data["image/png"]
    return r


def _write_reader_notebooks(app, exception) -> None:
    if exception is not None or app.builder.name != "html":
        return
    env = app.env
    citations = _citations(app)
    written = 0
    for docname in sorted(env.found_docs):
        source = Path(env.doc2path(docname))
        if source.suffix != ".ipynb":
            continue
        nb = json.loads(source.read_text(encoding="utf-8"))
        reader = reader_notebook(nb, _resolved(app, docname, citations))
        target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        notebook = nbformat.from_dict(reader)
        nbformat.validate(notebook)
        nbformat.write(notebook, target)  # sources as lists of lines, like every notebook of the book
        written += 1
    LOGGER.info(f"bptt_reader: wrote {written} reader's notebooks to _sources/")


def setup(app):
    app.connect("build-finished", _write_reader_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
