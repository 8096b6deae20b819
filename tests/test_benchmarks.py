"""The synthetic generator is deterministic; the benchmark runs end to end (no timing assertions)."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from rdflib import Graph

from tests.helpers import REPO

BENCHMARKS = REPO / "benchmarks"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_is_deterministic(tmp_path: Path) -> None:
    generate = _module("generate").generate
    first = generate(5000, 7, tmp_path / "a.nt")
    second = generate(5000, 7, tmp_path / "b.nt")
    other = generate(5000, 8, tmp_path / "c.nt")
    assert first == second
    assert (tmp_path / "a.nt").read_bytes() == (tmp_path / "b.nt").read_bytes()
    assert other[1] != first[1]
    count = first[0]
    assert 5000 <= count < 5500
    assert count == len((tmp_path / "a.nt").read_text(encoding="utf-8").splitlines())


def test_generated_graph_has_the_project_shape(tmp_path: Path) -> None:
    from transferkg.query.library import QueryLibrary
    from transferkg.rules.derive import derive
    from transferkg.store.oxigraph import OxigraphStore

    _module("generate").generate(8000, 3, tmp_path / "g.nt")
    store = OxigraphStore()
    store.bulk_load(tmp_path / "g.nt")
    assert derive(store).total > 0
    counts = dict(store.select(
        "PREFIX tct: <https://w3id.org/tct/ontology#> SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class "
        "VALUES ?class { tct:TransferAgreement tct:StatusChange tct:DeportationFlight tct:Cohort tct:Claim "
        "tct:State } } GROUP BY ?class").rows)
    assert len(counts) == 6 and all(int(n.toPython()) > 0 for n in counts.values())  # type: ignore[union-attr]
    conflicts = store.select("SELECT ?a WHERE { ?a <https://w3id.org/tct/ontology#conflictsWith> ?b }")
    assert len(conflicts) > 0
    failing = {q.name: len(store.select(q.text)) for q in QueryLibrary(REPO / "queries" / "checks")}
    assert not any(failing.values()), failing


def test_generated_graph_conforms_to_the_shapes(tmp_path: Path, ontology: Graph, shapes: Graph) -> None:
    """The synthetic data is valid project data, so benchmarks measure a realistic graph, not error paths."""
    from transferkg.rules.derive import derive
    from transferkg.rules.validate import validate_graph
    from transferkg.store.base import MemoryStore

    _module("generate").generate(30000, 5, tmp_path / "g.nt")  # > 97 sources, so every publisher site is in use
    data = Graph()
    data.parse(tmp_path / "g.nt", format="nt")
    derive(MemoryStore(data))
    data += ontology
    report = validate_graph(data, shapes)
    assert report.violation_count == 0, report.text(warnings=False, limit=5)


def test_generator_never_writes_into_graph(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="graph/"):
        _module("generate").generate(100, 1, REPO / "graph" / "synthetic.nt")
    assert not (REPO / "graph" / "synthetic.nt").exists()


def test_generator_cli(tmp_path: Path) -> None:
    out = tmp_path / "cli.nt"
    proc = subprocess.run([sys.executable, str(BENCHMARKS / "generate.py"), "--triples", "3000", "--seed", "1",
                           "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "triples, sha256" in proc.stdout and out.is_file()


@pytest.mark.slow
def test_benchmark_smoke_run_writes_the_table(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    proc = subprocess.run([sys.executable, str(BENCHMARKS / "run.py"), "--sizes", "10000", "--repeat", "1",
                           "--data-dir", str(tmp_path / "data"), "--out", str(out)],
                          capture_output=True, text=True, timeout=1200, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    table = out.read_text(encoding="utf-8")
    assert table == proc.stdout.strip() + "\n" or table.strip() == proc.stdout.strip()
    if shutil.which("chromium"):
        assert re.search(r"\| deal-network HTML opens \(chromium\) \|.*drawn, stabilized", table), table
    for text in ("machine:", "rdflib 7", "pyoxigraph", "| load |", "| derive |", "query agreements",
                 "deal_network → DiGraph", "checks (all, SPARQL)", "peak memory", "rdflib (memory)",
                 "Oxigraph backend", "raw pyoxigraph"):
        assert text in table, text
    assert "differ: " not in table  # every backend returned the same number of rows
    assert "timed out" not in table and "failed" not in table
