"""`make lab`'s preparation: the student's copies are never overwritten, nbgrader stays out."""

from __future__ import annotations

import json
import sys

import pytest

from rnnlib.course import lab


@pytest.fixture(autouse=True)
def _own_signature_db(tmp_path, monkeypatch):
    # prepare_notebooks signs what it copies (`jupyter trust`); keep the signatures out of ~/.local
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))


def _nb(text):
    import nbformat

    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text, id="c")]))


@pytest.fixture
def site(tmp_path):
    book = tmp_path / "site" / "_sources" / "book"
    book.mkdir(parents=True)
    (book / "01_sequences.ipynb").write_text(_nb("v1"))
    (book / "02_unrolling.ipynb").write_text(_nb("v1"))
    (book / "instructor_guide.ipynb").write_text("guide")
    return tmp_path / "site"


def test_chapters_are_copied_and_nothing_else(site, tmp_path):
    dst = tmp_path / "lab"
    assert lab.prepare_notebooks(site, dst) == {"01_sequences.ipynb": "copied", "02_unrolling.ipynb": "copied"}
    assert sorted(p.name for p in dst.iterdir()) == [".bptt-lab.json", "01_sequences.ipynb", "02_unrolling.ipynb"]


def test_a_rebuild_updates_untouched_copies_and_keeps_the_students_work(site, tmp_path):
    dst = tmp_path / "lab"
    lab.prepare_notebooks(site, dst)
    (dst / "01_sequences.ipynb").write_text(_nb("my answers"))  # the student ran and saved chapter 1
    for name in ("01_sequences.ipynb", "02_unrolling.ipynb"):
        (site / "_sources" / "book" / name).write_text(_nb("v2"))  # a new build
    assert lab.prepare_notebooks(site, dst) == {
        "01_sequences.ipynb": "kept (changed by you)",
        "02_unrolling.ipynb": "copied",
    }
    assert (dst / "01_sequences.ipynb").read_text() == _nb("my answers")
    assert (dst / "02_unrolling.ipynb").read_text() == _nb("v2")
    assert lab.prepare_notebooks(site, dst)["02_unrolling.ipynb"] == "unchanged"


def test_a_site_without_chapters_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="site must be a built book"):
        lab.prepare_notebooks(tmp_path, tmp_path / "lab")


@pytest.mark.parametrize("instructor", [False, True])
def test_config_disables_nbgrader_for_students_only(tmp_path, instructor):
    lab.write_config(tmp_path / "cfg", tmp_path / "settings", instructor=instructor)
    page = json.loads((tmp_path / "cfg" / "labconfig" / "page_config.json").read_text())
    server = json.loads((tmp_path / "cfg" / "jupyter_server_config.json").read_text())
    assert bool(page["disabledExtensions"]) is not instructor
    assert all(v is False for v in server["ServerApp"]["jpserver_extensions"].values())
    assert bool(server["ServerApp"]["jpserver_extensions"]) is not instructor
    assert server["KernelManager"]["transport_encryption"] == "auto"
    news = tmp_path / "settings" / "@jupyterlab/apputils-extension/notification.jupyterlab-settings"
    assert json.loads(news.read_text())["fetchNews"] == "false"
    widgets = tmp_path / "settings" / "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings"
    assert json.loads(widgets.read_text()) == {"saveState": True}


def test_config_rejects_a_non_boolean_instructor(tmp_path):
    with pytest.raises(ValueError, match="instructor must be True or False"):
        lab.write_config(tmp_path, tmp_path, instructor="yes")


def test_the_kernel_runs_this_python_with_the_makefiles_blas_setup(tmp_path):
    folder = lab.install_kernel(tmp_path)
    spec = json.loads((folder / "kernel.json").read_text())
    assert folder.name == "bptt-course"
    assert spec["argv"][0] == sys.executable
    assert spec["display_name"] == "Python (BPTT course)"
    assert spec["env"]["OPENBLAS_NUM_THREADS"] == "1"
    assert "curve" in spec["metadata"]["supported_encryption"]
