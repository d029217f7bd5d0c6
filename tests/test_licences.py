"""The course can be reused legally and cited: licences, citation file and version agree."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject():
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


def test_code_is_mit_and_text_is_cc_by():
    code, text = (ROOT / "LICENSE").read_text(), (ROOT / "LICENSE-TEXT").read_text()
    assert code.startswith("MIT License") and "Permission is hereby granted, free of charge" in code
    assert "Creative Commons Attribution 4.0 International" in text and "Section 3 – License Conditions." in text
    assert _pyproject()["license"] == "MIT"


def test_citation_file_matches_the_package_version():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    assert str(cff["version"]) == _pyproject()["version"], "CITATION.cff and pyproject.toml disagree on the version"
    assert set(cff["license"]) == {"CC-BY-4.0", "MIT"}
    assert cff["authors"] and cff["title"]
