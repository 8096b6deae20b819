"""Shared fixtures: the curated graph is loaded once per session; the ontology and shapes once per module."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import Graph

import transferkg
from tests.helpers import DATA, REPO, TODAY, make_tree
from transferkg.app.kg import KnowledgeGraph

# "today" is fixed for the whole suite (tests/helpers.py says why); subprocesses inherit it.
os.environ.setdefault("TRANSFERKG_TODAY", TODAY)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The real curated graph, loaded and derived once."""
    return transferkg.load(REPO)


@pytest.fixture()
def cli(kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The CLI in-process on the session graph: commands that read the curated graph do not reload it."""
    import transferkg.app.kg

    monkeypatch.setattr(transferkg.app.kg, "load", lambda *args, **kwargs: kg)
    return CliRunner()


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
    yield make_tree(tmp_path / "tree", "mini.yaml", DATA / "mini" / "mini.yaml")


@pytest.fixture(scope="module")
def deals(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """The deal network of the curated graph (a fresh one per module: some tests change what they are given)."""
    from transferkg.views import deal_network

    return deal_network(kg)


_SLOW_FILES = (
    # another engine, a benchmark, the reasoner
    "test_benchmarks.py", "test_owl.py", "test_comunica.py", "test_virtuoso.py",
    # the reference engines run beside Oxigraph (rdflib's SPARQL, pySHACL) on whole graphs
    "store/test_oxigraph.py", "query/test_internal_queries.py", "rules/test_fast_shacl.py",
    # imports into on-disk stores in real processes (kill -9, peak memory), and replays of the git history
    "hostile/test_import.py", "ingest/test_bulk.py", "app/test_diff.py",
)


_LONG_FILES = (
    # files holding a test of 15 s or more (measured with --durations): started first, so that on
    # two workers they run beside the short ones instead of alone at the end of the run
    "test_comunica.py", "app/test_site_browser.py", "app/test_diff.py", "hostile/test_import.py",
    "test_benchmarks.py", "query/test_internal_queries.py", "core/test_owl.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The development tier, ``pytest -m "not slow"``, leaves out what starts a server, a browser,
    a notebook kernel, a benchmark or another engine, what compares with the reference engines,
    imports into on-disk stores or replays history; the README's test command runs everything.

    The files with the longest tests go first (each file's tests kept together, in their order)."""
    for item in items:
        path = str(getattr(item, "path", ""))
        if (path.endswith(".ipynb") or path.endswith(_SLOW_FILES)
                or item.get_closest_marker("server") or item.get_closest_marker("browser")):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: not str(getattr(item, "path", "")).endswith(_LONG_FILES))
