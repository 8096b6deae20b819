"""Shared fixtures: the curated graph is loaded once per session."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import transferkg
from transferkg.kg import KnowledgeGraph

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The real curated graph, loaded and derived once."""
    return transferkg.load(REPO)


@pytest.fixture()
def tree(tmp_path: Path) -> Iterator[Path]:
    """A small, valid project tree in a temporary folder, for bad-input tests."""
    root = tmp_path / "tree"
    shutil.copytree(REPO / "ontology", root / "ontology")
    (root / "graph").mkdir()
    shutil.copy(DATA / "mini" / "mini.yaml", root / "graph" / "mini.yaml")
    yield root


def run_cli(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """Run ``python -m transferkg`` in a subprocess, as a user would."""
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "transferkg", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr
