"""The shape of the package: a numpy-only core, the tooling apart, no private names across modules."""

import ast
import pathlib
import subprocess
import sys

import rnnlib

PACKAGE = pathlib.Path(rnnlib.__file__).parent
TOOLING_DEPENDENCIES = {"matplotlib", "ipywidgets", "nbformat", "nbgrader", "IPython", "yaml", "PIL"}


def _modules(root):
    for path in sorted(root.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, alias.name
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                yield node, node.module or "", alias.name


def test_importing_the_core_loads_none_of_the_tooling_dependencies():
    code = (
        "import sys, rnnlib; bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{sorted(TOOLING_DEPENDENCIES)!r} or m.startswith('rnnlib.course')); print(bad); assert not bad"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_core_imports_numpy_and_the_standard_library_only():
    allowed = {"numpy", "__future__", "dataclasses", "typing", "collections", "numbers", "copy", "importlib"}
    for path, tree in _modules(PACKAGE):
        if "course" in path.relative_to(PACKAGE).parts:
            continue
        for node, module, _ in _imports(tree):
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                assert not module.startswith("course"), f"{path.name} imports the tooling ({module})"
                continue
            assert module.split(".")[0] in allowed, f"{path.name} imports {module}"


def test_no_module_imports_another_modules_private_names():
    for path, tree in _modules(PACKAGE):
        for node, module, name in _imports(tree):
            parts = module.split(".") + [name] if isinstance(node, ast.ImportFrom) else name.split(".")
            private = [p for p in parts if p.startswith("_") and not p.startswith("__")]
            assert not private, f"{path.relative_to(PACKAGE)} imports the private name {private[0]} (from {module})"


def test_no_module_reads_private_attributes_of_another_object():
    # ``self._x`` and ``cls._x`` stay inside their class; ``other._x`` on anything else is a leak.
    for path, tree in _modules(PACKAGE):
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name)
                and node.value.id not in {"self", "cls"}
            ):
                raise AssertionError(f"{path.relative_to(PACKAGE)}:{node.lineno} reads {node.value.id}.{node.attr}")


def test_every_name_in_all_exists():
    for module in (rnnlib, __import__("rnnlib.course", fromlist=["_"])):
        for name in module.__all__:
            assert getattr(module, name) is not None, f"{module.__name__}.{name}"
