"""Shared fixtures: the curated graph is loaded once per session; the ontology and shapes once per module."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph

import transferkg
from transferkg.app.kg import KnowledgeGraph

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"

# "today" is fixed for the whole suite, so answers that depend on it (status_on_date's default day,
# how old the latest report is) are reproducible; subprocesses inherit it.
TODAY = "2026-12-02"
os.environ.setdefault("TRANSFERKG_TODAY", TODAY)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The real curated graph, loaded and derived once."""
    return transferkg.load(REPO)


@pytest.fixture(scope="session")
def memory_kg() -> KnowledgeGraph:
    """The same graph on the plain-rdflib backend (for parity with Oxigraph)."""
    return transferkg.load(REPO, backend="memory")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    """The ontology with its code lists (a fresh copy per module: some tests add to what they are given)."""
    g = Graph()
    g.parse(REPO / "ontology" / "tct.ttl", format="turtle")
    for path in sorted((REPO / "ontology" / "vocab").glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


@pytest.fixture(scope="module")
def shapes() -> Graph:
    """The SHACL shapes, all three files."""
    g = Graph()
    for path in sorted((REPO / "ontology" / "shapes").glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


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
