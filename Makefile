# Build, test and run the course "Backpropagation Through Time".
#
#   make book    build the website into _build/html (warnings are errors)
#   make test    lint, run the rnnlib tests and execute every notebook under book/
#   make lint    ruff (lint and format check) and mypy on rnnlib
#   make lab     open the chapters in JupyterLab
#   make bench   run the benchmarks (installs the extra packages they need)
#   make clean   remove build output and caches (keeps .venv)
#   make distclean   also remove .venv
#
# Every target that needs Python first (re)creates .venv from requirements.txt
# and the dependency lists of pyproject.toml; nothing is installed outside .venv.

PYTHON ?= python3

# One BLAS thread: the course's matrices are small, and on a shared 2-core machine OpenBLAS's
# threads fight each other (a training run in chapter 8 took 13.6 s threaded, 0.8 s with one).
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
# Keep freed memory in the process: rnnlib allocates ~25 MB per forward+backward and glibc would
# otherwise hand it back to the system after every call (thousands of page faults, 2x slower).
# One BLAS kernel on every x86-64 machine. OpenBLAS picks its kernels by CPU (Haswell, SkylakeX,
# Zen...), and each rounds differently; a training run amplifies a last-bit difference, so without
# this chapter 8's adding-problem runs ended at test MSE 0.113/0.130 on one machine and 0.177/0.138
# on another, from the same seeds. Haswell's kernels run on every x86-64 CPU with AVX2.
ifeq ($(shell uname -m),x86_64)
export OPENBLAS_CORETYPE ?= Haswell
endif
export MALLOC_TRIM_THRESHOLD_ ?= 536870912
export MALLOC_MMAP_THRESHOLD_ ?= 268435456

VENV  := .venv
BIN   := $(VENV)/bin
# The stamp's name carries a hash of pyproject.toml's dependency lists (build requirements,
# requires-python, dependencies, optional dependencies): editing a [tool.*] section leaves
# the hash, and so .venv, alone; changing a dependency names a new stamp, which rebuilds .venv.
DEPS_HASH := $(shell $(PYTHON) -c 'import hashlib, json, tomllib; t = tomllib.load(open("pyproject.toml", "rb")); p = t.get("project", {}); print(hashlib.sha256(json.dumps([t.get("build-system"), p.get("requires-python"), p.get("dependencies"), p.get("optional-dependencies")], sort_keys=True).encode()).hexdigest()[:16])')
STAMP := $(VENV)/.installed-$(DEPS_HASH)
BENCH_STAMP := $(VENV)/.installed-bench

# Fail loudly: every recipe line runs under bash -euo pipefail, and a target
# whose recipe fails is deleted rather than left half-made.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help

.PHONY: help venv book student-book pdf student-pdf wheel dist assignments test test-repeat unit-tests lint lab bench clean distclean

help:
	@echo "make book       build the website into _build/html (warnings are errors)"
	@echo "make test       lint, build everything, then run every test (unit, notebooks, homework, website)"
	@echo "make unit-tests only the tests of rnnlib and its tooling (no builds; about 15 s)"
	@echo "make lint       ruff check, ruff format --check and mypy rnnlib"
	@echo "make assignments  student notebooks without solutions into _build/assignments"
	@echo "make student-book website without solutions into _build/student/_build/html"
	@echo "make pdf        the whole book as one PDF, solutions in an appendix: _build/pdf/bptt-course.pdf"
	@echo "make student-pdf  the PDF without solutions: _build/pdf/bptt-course-student.pdf"
	@echo "make wheel      rnnlib's wheel into _build/wheel (make book also puts it on the site)"
	@echo "make dist       the offline bundle: site, PDFs, student notebooks, wheel: _build/dist/bptt-course-<version>.zip"
	@echo "make test-repeat N=3  run the tests of the built output N times on one build (flakiness check)"
	@echo "make lab        open book/ in JupyterLab"
	@echo "make bench      install requirements-bench.txt and run benchmarks/run.py"
	@echo "make clean      remove _build, .jupyter_cache and other caches (keeps .venv)"
	@echo "make distclean  clean, and remove .venv too"
	@echo "make venv       only (re)create .venv"

# --- bootstrap -----------------------------------------------------------------
# .venv is rebuilt from scratch whenever it is missing, older than requirements.txt, or
# pyproject.toml's dependency lists changed (see STAMP), so it always holds exactly the pins.
venv: $(STAMP)

$(STAMP): requirements.txt
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt
	$(BIN)/python -m pip check
	touch $@

# requirements-bench.txt holds the heavy extras only the benchmarks need.
$(BENCH_STAMP): requirements-bench.txt $(STAMP)
	$(BIN)/python -m pip install -r requirements-bench.txt
	$(BIN)/python -m pip check
	touch $@

# --- targets -------------------------------------------------------------------
# The book's root is this folder (_config.yml, _toc.yml); chapters are in book/.
# --all re-reads every page on every build: otherwise Sphinx reuses its pickled environment
# and a page whose warnings failed the previous build is not re-read, so the next build
# "succeeds" without reporting them. Notebook outputs still come from the jupyter-cache in
# _build/.jupyter_cache, so unchanged notebooks are not re-executed.
# The build's output is also kept in _build/logs/, where a test checks that no tool printed a
# WARNING or an ERROR (a quiet log is part of "warnings are errors").
book: $(STAMP) wheel
	mkdir -p _build/logs
	$(BIN)/jupyter-book build . --all -W -n --keep-going 2>&1 | tee _build/logs/book.log
	@echo "Site built: _build/html/index.html"

# Student notebooks: nbgrader's ClearSolutions/ClearOutput on every chapter notebook.
assignments: $(STAMP)
	$(BIN)/python -m rnnlib.course.assignments notebooks --src book --dst _build/assignments

# The website without solutions (sphinx-exercise hide_solutions; code solutions run but hidden;
# no instructor's guide). Sphinx copies each page's source into _sources for the download button:
# scrub-site puts the student notebook there, and `leaks` scans every file of the site for solution text.
student-book: $(STAMP) wheel
	$(BIN)/python -m rnnlib.course.assignments student-site --root . --dst _build/student-src
	mkdir -p _build/logs
	$(BIN)/jupyter-book build _build/student-src --path-output _build/student --all -W -n --keep-going \
	    2>&1 | tee _build/logs/student-book.log
	$(BIN)/python -m rnnlib.course.assignments scrub-site --site _build/student/_build/html --src book
	$(BIN)/python -m rnnlib.course.assignments leaks --src book _build/student/_build/html
	@echo "Student site built: _build/student/_build/html/index.html"

# The book as one PDF, printed by Chromium from the built site (book/_ext/bptt_pdf.py says why
# this route): title page, contents, numbered chapters, figures, MathJax, exercises, and the
# solutions in an appendix; the student edition is printed from the student site.
pdf: book
	$(BIN)/python book/_ext/bptt_pdf.py --site _build/html --out _build/pdf/bptt-course.pdf

student-pdf: student-book
	$(BIN)/python book/_ext/bptt_pdf.py --site _build/student/_build/html --toc _build/student-src/_toc.yml \
	    --student --out _build/pdf/bptt-course-student.pdf

# rnnlib's wheel: readers who download a chapter install it (with its `course` extra) to run the
# chapter outside this repository. Built in pip's isolated environment (setuptools from PyPI).
wheel: $(STAMP)
	rm -rf _build/wheel
	$(BIN)/python -m pip wheel --no-deps --quiet --wheel-dir _build/wheel .

# The offline bundle (book/_ext/bptt_dist.py): one versioned zip that opens from disk.
dist: book pdf student-pdf assignments wheel
	$(BIN)/python book/_ext/bptt_dist.py --out _build/dist

# Everything: lint and the unit tests first (fast feedback), then the builds the other tests read,
# then nbval over every notebook of the book, and the tests of the built artefacts: the
# student notebooks (executed top to bottom, every check failing on its stub), the student
# site (no solution text) and the website in a real browser.
unit-tests: $(STAMP)
	$(BIN)/python -m pytest tests -m "not built" -p no:cacheprovider

# The website's JavaScript engine (book/_static/bptt/) against rnnlib: fixtures written by rnnlib
# into _build/js-fixtures, then node's test runner (tests/js/README.md).
.PHONY: js-test
js-test: $(STAMP)
	$(BIN)/python tests/js/make_fixtures.py --out _build/js-fixtures
	node --test tests/js/

# ruff reads its settings from pyproject.toml ([tool.ruff]); mypy checks the package only.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy rnnlib

test: lint unit-tests js-test book student-book assignments pdf student-pdf wheel dist
	$(BIN)/python -m pytest -p no:cacheprovider --nbval-lax --nbval-current-env book
	$(BIN)/python -m pytest -p no:cacheprovider tests -m built

# The browser and homework tests again, N times on the build that `make test` left: a test that
# depends on the machine's speed shows up here. Stops at the first failing run.
N ?= 3
test-repeat: $(STAMP)
	@test -f _build/html/index.html || { echo "no build: run 'make test' (or 'make book student-book assignments') first"; exit 2; }
	for i in $$(seq $(N)); do \
	    echo "=== built-output tests, run $$i of $(N)"; \
	    start=$$(date +%s); \
	    $(BIN)/python -m pytest -p no:cacheprovider -q tests -m built; \
	    echo "=== run $$i passed in $$(( $$(date +%s) - start )) s"; \
	done

# Kernels, terminals and `pip` inside JupyterLab use .venv (PATH set below). Extra options
# go in LAB_FLAGS, e.g. `make lab LAB_FLAGS="--no-browser --port 8899"` (add --allow-root
# inside a container that runs as root: Jupyter refuses to start as root otherwise).
LAB_FLAGS ?=
# A saved notebook keeps its explorers' widget state (overrides.d: one namespaced file, next to
# any other settings), so a reopened notebook shows the last figure instead of "model not found".
lab: $(STAMP)
	install -D -m 644 rnnlib/course/templates/lab-overrides-explorers.json \
	    $(VENV)/share/jupyter/lab/settings/overrides.d/bptt-explorers.json
	PATH="$(CURDIR)/$(BIN):$$PATH" VIRTUAL_ENV="$(CURDIR)/$(VENV)" \
	    $(BIN)/jupyter lab $(LAB_FLAGS) book/

# rnnlib against torch with two BLAS threads each (numpy's default on a 2-core machine; torch
# uses two); then widget latency and notebook times as `make lab` and `make book` run them.
bench: $(BENCH_STAMP)
	OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 $(BIN)/python benchmarks/run.py --no-extras
	$(BIN)/python benchmarks/run.py --only-extras

clean:
	rm -rf _build .jupyter_cache book/_build .pytest_cache .hypothesis
	find . -path ./$(VENV) -prune -o \
	    \( -name __pycache__ -o -name .ipynb_checkpoints -o -name .pytest_cache \) \
	    -type d -print0 | xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV) *.egg-info
