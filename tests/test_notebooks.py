"""Notebooks are committed clean; nbmake (see pyproject addopts) executes them in the suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_there_are_numbered_notebooks() -> None:
    names = [p.name for p in NOTEBOOKS]
    assert "01-explore-the-graph.ipynb" in names
    assert all(n[:2].isdigit() and n[2] == "-" for n in names)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_no_outputs(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_imports_the_package_without_path_hacks(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "sys.path" not in text
    assert "import transferkg" in text
