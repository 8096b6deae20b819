"""The fast validation path gives exactly the report of plain pySHACL (the reference).

``validate_graph`` rewrites the shapes before handing them to pySHACL
(``transferkg.rules.fast_shacl``). These tests run both on every shape test case, on the
kitchen-sink fixture, and on the kitchen sink with every failing case added to it, and
compare every validation result — top-level and nested (``sh:detail``) — by focus node,
result path, value, severity, message, source shape and constraint component.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

import transferkg
from tests.helpers import DATA, SHAPE_CASES, make_tree
from transferkg.rules.fast_shacl import fast_shapes, run_pyshacl
from transferkg.rules.validate import validate_graph
from transferkg.store.oxigraph import OxigraphStore

CASES = sorted(SHAPE_CASES.glob("*.ttl"))
FIELDS = (SH.focusNode, SH.resultPath, SH.value, SH.resultSeverity, SH.resultMessage, SH.sourceShape,
          SH.sourceConstraintComponent)


def raw_results(results: Graph) -> Counter[tuple[object, ...]]:
    """Every sh:ValidationResult as a tuple of its fields (messages sorted), top-level ones marked."""
    top = set(results.objects(None, SH.result))
    out: Counter[tuple[object, ...]] = Counter()
    for r in results.subjects(RDF.type, SH.ValidationResult):
        fields = tuple(tuple(sorted(results.objects(r, p))) for p in FIELDS)
        out[(r in top, *fields)] += 1
    return out


def assert_same_report(data: Graph, shapes: Graph) -> int:
    store = OxigraphStore()
    store.load_graph(data)
    reference = raw_results(run_pyshacl(data, shapes, fast=False))
    fast = raw_results(run_pyshacl(data, fast_shapes(shapes, lambda q: [row[0] for row in store.select(q)]),
                                   fast=True))
    assert fast == reference, (f"only in the reference: {reference - fast}\n"
                               f"only in the fast path: {fast - reference}")
    # and the readable report the CLI prints, with and without a store given
    plain = validate_graph(data, shapes, reference=True)
    assert validate_graph(data, shapes).results == plain.results
    assert validate_graph(data, shapes, store=store).results == plain.results
    return sum(reference.values())


def with_ontology(ontology: Graph, *cases: Path) -> Graph:
    data = Graph()
    data += ontology
    for case in cases:
        data.parse(case, format="turtle")
    return data


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_same_report_as_pyshacl_on_shape_case(case: Path, ontology: Graph, shapes: Graph) -> None:
    count = assert_same_report(with_ontology(ontology, case), shapes)
    assert (count > 0) == case.name.startswith("fail-")


@pytest.fixture(scope="module")
def kitchen(tmp_path_factory: pytest.TempPathFactory) -> transferkg.KnowledgeGraph:
    root = make_tree(tmp_path_factory.mktemp("kitchen") / "tree", "kitchen.yaml",
                     DATA / "kitchen-sink" / "kitchen.yaml")
    return transferkg.load(root)


def test_same_report_as_pyshacl_on_kitchen_sink(kitchen: transferkg.KnowledgeGraph, shapes: Graph) -> None:
    assert assert_same_report(kitchen.graph, shapes) == 0


def test_same_report_as_pyshacl_on_kitchen_sink_with_every_failing_case(
        kitchen: transferkg.KnowledgeGraph, shapes: Graph) -> None:
    data = Graph()
    data += kitchen.graph
    for case in CASES:
        if case.name.startswith("fail-"):
            data.parse(case, format="turtle")
    assert assert_same_report(data, shapes) > 20


def test_rewrite_moves_targets_and_property_shapes(shapes: Graph) -> None:
    fast = fast_shapes(shapes, lambda q: [])
    assert not any((t, RDF.type, SH.SPARQLTarget) in fast for t in fast.objects(None, SH.target))
    assert len(set(fast.objects(None, SH.property))) < len(set(shapes.objects(None, SH.property))) / 2


def test_violations_name_node_property_and_rule(ontology: Graph, shapes: Graph) -> None:
    report = validate_graph(with_ontology(ontology, SHAPE_CASES / "fail-claim-structure.ttl"), shapes)
    assert report.violations
    for result in report.violations:
        line = result.line()
        assert result.focus in line and result.shape in line and "rule " in line
    assert any(r.path and f"path {r.path}" in r.line() for r in report.violations)
