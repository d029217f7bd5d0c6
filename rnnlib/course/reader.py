"""A chapter as a reader's notebook: the same cells, with the book's MyST markup resolved.

The chapters are written once, as notebooks in MyST Markdown: ``{exercise}`` and ``{solution}``
directives, pitfall boxes, labelled equations, ``{eq}``/``{numref}``/``{cite}``/``{doc}`` roles and
numbers published with :func:`rnnlib.course.glue` and placed by ``{glue:text}``. The website
resolves all of that; JupyterLab, VS Code and nbgrader's feedback would show it raw. So the book's
build also writes each chapter as a *reader's notebook*, made by :func:`reader_notebook` from the
source notebook and the numbers of that same build (a :class:`Resolved`), so both forms show the
same figure, equation and exercise numbers, citations and computed values:

- roles become their text: ``{eq}`` → "(26)", ``{numref}`` → "Fig. 11", ``{cite:t}`` → "Pascanu
  *et al.* [2013]", ``{doc}`` → the chapter's title (a link to its notebook), ``{glue:text}`` → the
  value the build computed, formatted as on the website;
- labelled display maths gets its number as ``\\tag{26}``;
- directives become plain Markdown: an admonition or exercise a quoted block under a bold title, a
  solution a collapsed ``<details>`` block; the cells of a gated solution (``solution-start`` to
  ``solution-end``) are collapsed, so a reader opens them on purpose;
- a figure glued with ``{glue:figure}`` becomes an attached image with its caption; a figure that is
  a cell's output (MyST-NB's ``mystnb.figure`` metadata) gets its numbered caption in a Markdown
  cell after it;
- cells the website removes or hides (``remove-cell``, ``hide-input``, ...) are collapsed, not
  deleted: they still run, so every asserted claim still holds after Run All;
- the notebook names the course's kernel, "Python (BPTT course)".

Anything the converter does not know (a new directive or role) raises a ``ValueError`` naming it,
so a chapter cannot reach readers half-converted.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["KERNELSPEC", "Resolved", "leftover_markup", "reader_notebook"]

KERNELSPEC = {"name": "bptt-course", "display_name": "Python (BPTT course)", "language": "python"}

_HIDDEN_TAGS = {"remove-cell", "remove-input", "hide-input", "hide-cell"}
_ADMONITIONS = {"note", "tip", "hint", "important", "warning", "caution", "attention", "danger", "error", "seealso"}
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|:{3,})\{(?P<name>[A-Za-z][\w:-]*)\}\s*(?P<arg>.*?)\s*$")
_PLAIN_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")
_ROLE = re.compile(r"\{(?P<name>[A-Za-z][\w:-]*)\}`(?P<text>[^`]*)`")
_LABELLED_MATH_END = re.compile(r"^(?P<before>.*)\$\$\s*\((?P<label>[\w:.-]+)\)\s*$")
_TARGET = re.compile(r"^\s*\((?P<label>[\w:.-]+)\)=\s*$")
_EXPLICIT = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$")


@dataclass
class Resolved:
    """What one build of the book resolved, by label; built by the Sphinx extension ``bptt_reader``.

    Attributes
    ----------
    glue : dict
        Glued name -> function ``(format_spec) -> str``, the text the website shows for
        {glue:text}`name:format_spec`.
    glue_images : dict
        Glued figure name -> PNG as base64 text (``image/png`` of the glued output).
    figures, equations, exercises : dict
        Label -> number as the website prints it ("11", "26").
    sections : dict
        Label -> section title, for ``{ref}``.
    titles : dict
        Document path (``"book/06_vanishing_exploding"``) -> title.
    notebooks : dict
        Document path -> file name of its reader's notebook, for documents that have one.
    citations : dict
        Citation key -> (authors as printed, year), e.g. ``("Pascanu *et al.*", "2013")``.
    docname : str
        The document being converted, e.g. ``"book/06_vanishing_exploding"``.
    language_info : dict
        The notebook's ``language_info`` as the build's kernel reported it, so that running the
        notebook on the same Python changes its outputs only.
    """

    glue: dict[str, Callable[[str], str]] = field(default_factory=dict)
    glue_images: dict[str, str] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)
    equations: dict[str, str] = field(default_factory=dict)
    exercises: dict[str, str] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    notebooks: dict[str, str] = field(default_factory=dict)
    citations: dict[str, tuple[str, str]] = field(default_factory=dict)
    docname: str = ""
    language_info: dict[str, Any] = field(default_factory=dict)


def _lookup(table: dict, label: str, what: str, docname: str):
    if label not in table:
        raise ValueError(f"{docname}: {what} {label!r} is not defined in this build of the book")
    return table[label]


def _resolve_doc(target: str, r: Resolved) -> str:
    base = r.docname.rsplit("/", 1)[0] if "/" in r.docname else ""
    if target.startswith("/"):
        path = target.lstrip("/")
    else:
        parts = (base.split("/") if base else []) + target.split("/")
        stack: list[str] = []
        for part in parts:
            if part == "..":
                if stack:
                    stack.pop()
            elif part not in ("", "."):
                stack.append(part)
        path = "/".join(stack)
    for suffix in (".ipynb", ".md"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    return path


def _role(name: str, text: str, r: Resolved) -> str:
    explicit = _EXPLICIT.match(text)
    title, target = (explicit.group("title"), explicit.group("target")) if explicit else (None, text)
    if name == "glue:text":
        key, spec = text.rsplit(":", 1) if ":" in text else (text, "s")
        return _lookup(r.glue, key, "glued value", r.docname)(spec)
    if name == "eq":
        number = _lookup(r.equations, target, "equation", r.docname)
        return title if title else f"({number})"
    if name == "numref":
        if target in r.figures:
            number = r.figures[target]
            return title.replace("%s", number).replace("{number}", number) if title else f"Fig. {number}"
        number = _lookup(r.exercises, target, "figure or exercise", r.docname)
        return title.replace("%s", number).replace("{number}", number) if title else f"Exercise {number}"
    if name == "ref":
        if target in r.exercises:
            return title or f"Exercise {r.exercises[target]}"
        return title or _lookup(r.sections, target, "section label", r.docname)
    if name == "doc":
        path = _resolve_doc(target, r)
        shown = title or _lookup(r.titles, path, "document", r.docname)
        if path in r.notebooks:
            return f"[{shown}]({r.notebooks[path]})"
        return f"*{shown}*"
    if name in ("cite", "cite:p", "cite:t"):
        keys = [key.strip() for key in text.split(",") if key.strip()]
        found = [_lookup(r.citations, key, "citation", r.docname) for key in keys]
        if name == "cite:t":
            return ", ".join(f"{authors} [{year}]" for authors, year in found)
        return "[" + "; ".join(f"{authors}, {year}" for authors, year in found) + "]"
    raise ValueError(
        f"{r.docname}: the role {{{name}}} has no reader's-notebook form; add one in rnnlib/course/reader.py"
    )


def _inline(line: str, r: Resolved) -> str:
    """Resolve the roles of one line of Markdown."""
    out, pos = [], 0
    for match in _ROLE.finditer(line):
        out.append(line[pos : match.start()])
        out.append(_role(match.group("name"), match.group("text"), r))
        pos = match.end()
    out.append(line[pos:])
    return "".join(out)


def _quote(lines: list[str]) -> list[str]:
    return [f"> {line}" if line.strip() else ">" for line in lines]


def _directive(
    name: str, arg: str, options: dict[str, str], body: list[str], r: Resolved, cell: dict, state: dict
) -> list[str]:
    inner = _markdown(body, r, cell, state)
    while inner and not inner[0].strip():
        inner.pop(0)
    while inner and not inner[-1].strip():
        inner.pop()
    if name == "admonition" or name in _ADMONITIONS:
        title = _inline(arg, r) if arg else name.capitalize()
        return _quote([f"**{title}**", "", *inner])
    if name == "exercise":
        number = _lookup(r.exercises, options.get("label", ""), "exercise", r.docname) if "label" in options else ""
        head = f"**Exercise {number}**" + (f" ({_inline(arg, r)})" if arg else "")
        return _quote([head, "", *inner])
    if name == "solution":
        number = _lookup(r.exercises, arg, "exercise", r.docname)
        return [
            "<details>",
            f"<summary><b>Solution to Exercise {number}</b> (click to open)</summary>",
            "",
            *inner,
            "",
            "</details>",
        ]
    if name == "glue:figure":
        key = arg
        image = _lookup(r.glue_images, key, "glued figure", r.docname)
        label = options.get("name", key)
        filename = f"{label}.png"
        cell.setdefault("attachments", {})[filename] = {"image/png": image}
        alt = options.get("alt", "").replace("]", ")").replace("[", "(")
        caption = " ".join(line.strip() for line in inner if line.strip())
        number = r.figures.get(label)
        head = f"**Fig. {number}.** " if number else ""
        return [f"![{alt}](attachment:{filename})", "", f"{head}{caption}".rstrip()]
    raise ValueError(
        f"{r.docname}: the directive {{{name}}} has no reader's-notebook form; add one in rnnlib/course/reader.py"
    )


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= len(fence) and set(stripped) == {fence[0]}


def _markdown(lines: list[str], r: Resolved, cell: dict, state: dict) -> list[str]:
    """Resolve a list of Markdown lines (one cell, or a directive's body)."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        opener = _FENCE.match(line)
        if opener:
            fence, name, arg = opener.group("fence"), opener.group("name"), opener.group("arg")
            j, options = i + 1, {}
            while j < len(lines) and _OPTION.match(lines[j]):
                option = _OPTION.match(lines[j])
                assert option is not None
                options[option.group("key")] = option.group("value")
                j += 1
            body_start, depth = j, 0
            while j < len(lines):
                inner = _FENCE.match(lines[j])
                if inner and inner.group("fence")[0] == fence[0] and len(inner.group("fence")) == len(fence):
                    depth += 1
                elif _closes(lines[j], fence) and len(lines[j].strip()) == len(fence):
                    if depth == 0:
                        break
                    depth -= 1
                j += 1
            if j >= len(lines):
                raise ValueError(f"{r.docname}: the directive {{{name}}} is not closed")
            if name in _GATES:
                out.extend(_gate(name, arg, options, r, state))
            else:
                out.extend(_directive(name, arg, options, lines[body_start:j], r, cell, state))
            i = j + 1
            continue
        plain = _PLAIN_FENCE.match(line)
        if plain:  # a code block: copied as it is, roles and all
            fence = plain.group("fence")
            j = i + 1
            while j < len(lines) and not (_closes(lines[j], fence) and lines[j].strip()[0] == fence[0]):
                j += 1
            out.extend(lines[i : j + 1])
            i = j + 1
            continue
        if _TARGET.match(line):
            i += 1
            continue
        math_end = _LABELLED_MATH_END.match(line)
        if math_end and "$$" in "".join(lines[max(0, i - 50) : i]) + math_end.group("before"):
            number = _lookup(r.equations, math_end.group("label"), "equation", r.docname)
            before = math_end.group("before")
            out.append(f"{before}\\tag{{{number}}} $$" if before.strip() else f"\\tag{{{number}}}")
            if not before.strip():
                out.append("$$")
            i += 1
            continue
        out.append(_inline(line, r))
        i += 1
    return out


_GATES = ("exercise-start", "exercise-end", "solution-start", "solution-end")


def _gate(name: str, arg: str, options: dict[str, str], r: Resolved, state: dict) -> list[str]:
    """A gated directive (sphinx-exercise's ``exercise-start`` ... ``solution-end``), whose content
    spans cells: a heading where it starts; between ``solution-start`` and ``solution-end`` the
    cells are collapsed (``state["in_solution"]``)."""
    if name == "exercise-start":
        number = _lookup(r.exercises, options["label"], "exercise", r.docname) if "label" in options else ""
        return [f"**Exercise {number}**" + (f" ({_inline(arg, r)})" if arg else "")]
    if name == "solution-start":
        number = _lookup(r.exercises, arg, "exercise", r.docname)
        state["in_solution"] = True
        return [
            f"**Solution to Exercise {number}**: in the collapsed cells below (click a cell's blue bar to open it)."
        ]
    if name == "solution-end":
        state["in_solution"] = False
    return []


def _hide(cell: dict) -> None:
    cell.setdefault("metadata", {}).setdefault("jupyter", {})["source_hidden"] = True


def reader_notebook(nb: dict[str, Any], resolved: Resolved) -> dict[str, Any]:
    """The reader's form of a chapter notebook ``nb`` (nbformat 4 as a dict), resolved by ``resolved``.

    Returns a new notebook dict; ``nb`` is not changed. Raises ``ValueError`` naming the document
    and the construct for MyST markup it cannot resolve.
    """
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError(f"nb must be an nbformat-4 notebook dict with a 'cells' list; got {type(nb).__name__}")
    if not isinstance(resolved, Resolved):
        raise ValueError(f"resolved must be a Resolved; got {type(resolved).__name__}")
    out = copy.deepcopy(nb)
    cells: list[dict] = []
    state = {"in_solution": False}
    for cell in out["cells"]:
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        hidden = state["in_solution"]
        if cell["cell_type"] == "markdown":
            cell["source"] = "\n".join(_markdown(source.split("\n"), resolved, cell, state))
            if hidden:
                _hide(cell)
            if cell["source"].strip() or cell.get("attachments"):
                cells.append(cell)
            continue
        if cell["cell_type"] == "code":
            tags = set(cell.get("metadata", {}).get("tags", []))
            if tags & _HIDDEN_TAGS or hidden:
                _hide(cell)
            cells.append(cell)
            figure = cell.get("metadata", {}).get("mystnb", {}).get("figure")
            if figure:
                label = figure.get("name", "")
                number = resolved.figures.get(label)
                caption = " ".join(_markdown(str(figure.get("caption", "")).split("\n"), resolved, cell, state))
                head = f"**Fig. {number}.** " if number else ""
                cells.append(
                    {
                        "cell_type": "markdown",
                        "id": f"{cell.get('id', 'fig')}-caption"[:64],
                        "metadata": {},
                        "source": f"{head}{caption}".rstrip(),
                    }
                )
            continue
        cells.append(cell)
    out["cells"] = cells
    out.setdefault("metadata", {})["kernelspec"] = dict(KERNELSPEC)
    out["metadata"]["bptt"] = {"reader": True, "source": resolved.docname}
    if resolved.language_info:
        out["metadata"]["language_info"] = copy.deepcopy(resolved.language_info)
    problems = leftover_markup(out)
    if problems:
        raise ValueError(f"{resolved.docname}: MyST markup left in the reader's notebook: {problems[:5]}")
    return out


_LEFTOVER = (
    re.compile(r"\{[A-Za-z][\w:-]*\}`"),  # a role
    re.compile(r"^\s*(`{3,}|:{3,})\{", re.M),  # a directive fence
    re.compile(r"^\s*\([\w:.-]+\)=\s*$", re.M),  # a target
    re.compile(r"\$\$\s*\([\w:.-]+\)\s*$", re.M),  # an equation label
    re.compile(r"^\s*:(label|class|name|alt):", re.M),  # a directive option
)


_CODE_BLOCK = re.compile(r"^(?:>\s?)*(?P<f>`{3,}|~{3,})[^{\n]*\n.*?^(?:>\s?)*(?P=f)\s*$", re.M | re.S)


def leftover_markup(nb: dict[str, Any]) -> list[str]:
    """MyST markup still present in the Markdown cells of ``nb`` (outside code blocks), as snippets."""
    found: list[str] = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        text = _CODE_BLOCK.sub("", text)
        for pattern in _LEFTOVER:
            found.extend(m.group(0).strip() for m in pattern.finditer(text))
    return found
