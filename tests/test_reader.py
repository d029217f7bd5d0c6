"""The reader's notebook: every MyST construct the chapters use becomes plain Jupyter Markdown."""

from __future__ import annotations

import copy

import pytest

from rnnlib.course.reader import KERNELSPEC, Resolved, leftover_markup, reader_notebook


def _resolved():
    return Resolved(
        docname="book/06_vanishing_exploding",
        glue={"ch6_rate": lambda spec: format(0.123456, spec if spec != "s" else "")},
        glue_images={"fig-ch6-powers": "iVBORw0KGgo="},
        figures={"fig-ch6-powers": "11", "fig-ch6-bound": "12"},
        equations={"eq-ch6-step": "26"},
        exercises={"ex-ch6-sigmoid": "26", "ex-ch6-code": "27"},
        sections={"sec-ch6-linear": "The linear case"},
        titles={"book/03_deriving_bptt": "3. Deriving BPTT", "book/notation": "Notation"},
        notebooks={"book/03_deriving_bptt": "03_deriving_bptt.ipynb"},
        citations={
            "pascanu2013difficulty": ("Pascanu *et al.*", "2013"),
            "bengio1994learning": ("Bengio *et al.*", "1994"),
        },
    )


def _nb(*cells):
    out = []
    for i, (kind, source, meta) in enumerate(cells):
        cell = {"cell_type": kind, "id": f"c{i}", "metadata": meta, "source": source}
        if kind == "code":
            cell.update(outputs=[], execution_count=None)
        out.append(cell)
    return {"cells": out, "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}


def _md(nb):
    return [c["source"] for c in nb["cells"] if c["cell_type"] == "markdown"]


def test_roles_become_the_text_the_website_shows():
    text = (
        "Rate {glue:text}`ch6_rate:.3f`, eq. {eq}`eq-ch6-step`, {numref}`fig-ch6-powers`, "
        "{numref}`Figure %s <fig-ch6-bound>`, {ref}`sec-ch6-linear`, {ref}`ex-ch6-sigmoid`, "
        "{doc}`03_deriving_bptt`, {doc}`notation`, {cite}`pascanu2013difficulty,bengio1994learning`, "
        "{cite:t}`pascanu2013difficulty`."
    )
    (md,) = _md(reader_notebook(_nb(("markdown", text, {})), _resolved()))
    assert md == (
        "Rate 0.123, eq. (26), Fig. 11, Figure 12, The linear case, Exercise 26, "
        "[3. Deriving BPTT](03_deriving_bptt.ipynb), *Notation*, "
        "[Pascanu *et al.*, 2013; Bengio *et al.*, 1994], Pascanu *et al.* [2013]."
    )


def test_labelled_display_maths_gets_its_number_as_a_tag():
    (md,) = _md(reader_notebook(_nb(("markdown", "$$\nJ = W\n$$ (eq-ch6-step)\n\n(sec-x)=\n## Next", {})), _resolved()))
    assert md == "$$\nJ = W\n\\tag{26}\n$$\n\n## Next"


def test_directives_become_quoted_blocks_and_collapsed_solutions():
    text = (
        "````{exercise}\n:label: ex-ch6-sigmoid\n\nIs it {eq}`eq-ch6-step`?\n\n```python\nx = {eq}`kept`\n```\n````\n\n"
        "```{solution} ex-ch6-sigmoid\n:class: dropdown\n\nNo.\n```\n\n"
        "```{admonition} Pitfall\n:class: warning\nDo not.\n```"
    )
    (md,) = _md(reader_notebook(_nb(("markdown", text, {})), _resolved()))
    assert md.split("\n") == [
        "> **Exercise 26**", ">", "> Is it (26)?", ">", "> ```python", "> x = {eq}`kept`", "> ```", "",
        "<details>", "<summary><b>Solution to Exercise 26</b> (click to open)</summary>", "", "No.", "", "</details>", "",
        "> **Pitfall**", ">", "> Do not.",
    ]  # fmt: skip


def test_a_gated_solution_is_collapsed_but_still_runs_and_hidden_cells_are_collapsed():
    nb = _nb(
        ("markdown", "```{exercise-start}\n:label: ex-ch6-code\n```\n\nWrite f.\n\n```{exercise-end}\n```\n\n"
                     "```{solution-start} ex-ch6-code\n:class: dropdown\n```", {}),
        ("code", "def f(): return 1", {}),
        ("markdown", "```{solution-end}\n```", {}),
        ("code", "check(f)", {}),
        ("code", "assert f() == 1", {"tags": ["remove-cell"]}),
    )  # fmt: skip
    out = reader_notebook(nb, _resolved())
    kinds = [
        (c["cell_type"], c.get("metadata", {}).get("jupyter", {}).get("source_hidden", False)) for c in out["cells"]
    ]
    assert kinds == [("markdown", False), ("code", True), ("code", False), ("code", True)]
    assert out["cells"][0]["source"].startswith("**Exercise 27**\n\nWrite f.")
    assert "Solution to Exercise 27" in out["cells"][0]["source"]
    assert [c["source"] for c in out["cells"] if c["cell_type"] == "code"] == [
        "def f(): return 1",
        "check(f)",
        "assert f() == 1",
    ]


def test_figures_get_numbered_captions_and_glued_ones_become_attachments():
    meta = {"mystnb": {"figure": {"caption": "Bound of {eq}`eq-ch6-step`.", "name": "fig-ch6-bound"}}}
    nb = _nb(
        ("code", "fig", meta),
        ("markdown", "```{glue:figure} fig-ch6-powers\n:alt: Two curves\n:name: fig-ch6-powers\n\nPowers.\n```", {}),
    )
    out = reader_notebook(nb, _resolved())
    assert out["cells"][1]["source"] == "**Fig. 12.** Bound of (26)."
    assert out["cells"][2]["source"] == "![Two curves](attachment:fig-ch6-powers.png)\n\n**Fig. 11.** Powers."
    assert out["cells"][2]["attachments"] == {"fig-ch6-powers.png": {"image/png": "iVBORw0KGgo="}}


def test_the_notebook_names_the_course_kernel_and_the_source_is_unchanged():
    nb = _nb(("markdown", "{eq}`eq-ch6-step`", {}))
    before = copy.deepcopy(nb)
    resolved = _resolved()
    resolved.language_info = {"name": "python", "version": "3.11.2"}
    out = reader_notebook(nb, resolved)
    assert nb == before
    assert out["metadata"]["kernelspec"] == KERNELSPEC
    assert out["metadata"]["language_info"] == {"name": "python", "version": "3.11.2"}
    assert out["metadata"]["bptt"] == {"reader": True, "source": "book/06_vanishing_exploding"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("```{figure} x.png\n```", r"directive \{figure\}"),
        ("{term}`BPTT`", r"role \{term\}"),
        ("{eq}`eq-missing`", "equation 'eq-missing' is not defined"),
        ("{glue:text}`nothing:.2f`", "glued value 'nothing'"),
        ("```{admonition} Open\nnever closed", "not closed"),
    ],
)
def test_unknown_or_unresolved_markup_is_an_error_naming_it(text, message):
    with pytest.raises(ValueError, match=message):
        reader_notebook(_nb(("markdown", text, {})), _resolved())


def test_leftover_markup_finds_raw_myst_outside_code_blocks():
    nb = _nb(
        ("markdown", "A {glue:text}`x`\n```{note}\n(sec)=\n$$ x $$ (eq)\n:label: y\n\n```python\n{eq}`fine`\n```", {})
    )
    assert leftover_markup(nb) == ["{glue:text}`", "```{", "(sec)=", "$$ (eq)", ":label:"]
    assert leftover_markup(_nb(("markdown", "plain $x$ and `code`", {}))) == []


@pytest.mark.parametrize(("nb", "resolved"), [("not a notebook", Resolved()), ({"cells": []}, "not resolved")])
def test_bad_arguments_are_errors(nb, resolved):
    with pytest.raises(ValueError, match="must be"):
        reader_notebook(nb, resolved)
