"""The embedded Oxigraph backend answers exactly like the rdflib backend."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

import transferkg
from transferkg.app.kg import KnowledgeGraph
from transferkg.core.errors import BadParameter, QuerySyntaxError
from transferkg.core.namespaces import ID, TCT
from transferkg.query.library import QueryLibrary
from transferkg.store.base import SelectResult
from transferkg.store.oxigraph import OxigraphStore, from_oxigraph, to_oxigraph

REPO = Path(__file__).resolve().parents[1]
QUERIES = QueryLibrary(REPO / "queries").names()
CHECKS = QueryLibrary(REPO / "queries" / "checks").names()

# Non-default parameters, to exercise both ways of binding (substitution of a
# projected variable, VALUES for one the SELECT does not project).
PARAMS = [
    ("agreements", {"host": "XK"}),
    ("agreements", {"sender": "US"}),
    ("transfers", {"host": "GH"}),
    ("deal_network", {"sender": "US"}),
    ("single_source_facts", {"agreement": "agreement-US-XK-2025-06"}),
    ("current_status", {"status": "in-force"}),
    ("status_on_date", {"day": "2025-07-01"}),
    ("claims_about", {"subject": "agreement-US-GH-2025", "property": "tct:capacity"}),
    ("status_timeline", {"agreement": "agreement-US-GH-2025"}),
]


@pytest.fixture(scope="module")
def memory() -> KnowledgeGraph:
    return transferkg.load(REPO, backend="memory")


@pytest.fixture(scope="module")
def oxigraph() -> KnowledgeGraph:
    return transferkg.load(REPO, backend="oxigraph")


def rows(result: SelectResult) -> list[tuple[str, ...]]:
    """Rows in a canonical, sortable form (N-Triples text of each term)."""
    return sorted(tuple("" if term is None else term.n3() for term in row) for row in result.rows)


def test_backends_are_what_they_say(memory: KnowledgeGraph, oxigraph: KnowledgeGraph) -> None:
    assert memory.store.name == "memory"
    assert oxigraph.store.name == "oxigraph"
    assert isinstance(oxigraph.store, OxigraphStore)


@pytest.mark.parametrize("name", QUERIES)
def test_every_library_query_gives_the_same_rows(name: str, memory: KnowledgeGraph,
                                                 oxigraph: KnowledgeGraph) -> None:
    expected = memory.run_result(name)
    got = oxigraph.run_result(name)
    assert got.vars == expected.vars
    assert rows(got) == rows(expected)


@pytest.mark.parametrize(("name", "params"), PARAMS, ids=[f"{n}-{'-'.join(p)}" for n, p in PARAMS])
def test_parameters_bind_the_same_way(name: str, params: dict[str, str], memory: KnowledgeGraph,
                                      oxigraph: KnowledgeGraph) -> None:
    expected = memory.run_result(name, params)
    got = oxigraph.run_result(name, params)
    assert got.vars == expected.vars
    assert rows(got) == rows(expected)


def test_some_parameterised_queries_return_rows(oxigraph: KnowledgeGraph) -> None:
    assert len(oxigraph.run_result("agreements", {"host": "XK"})) > 0
    assert len(oxigraph.run_result("status_timeline", {"agreement": "agreement-US-GH-2025"})) > 0


@pytest.fixture(scope="module")
def checks(memory: KnowledgeGraph, oxigraph: KnowledgeGraph) -> tuple[dict[str, SelectResult], dict[str, SelectResult]]:
    return memory.check(), oxigraph.check()


@pytest.mark.parametrize("name", CHECKS)
def test_every_check_gives_the_same_rows(
        name: str, checks: tuple[dict[str, SelectResult], dict[str, SelectResult]]) -> None:
    expected, got = checks
    assert rows(got[name]) == rows(expected[name])


def test_derive_gives_the_same_triples(memory: KnowledgeGraph, oxigraph: KnowledgeGraph) -> None:
    assert oxigraph.derived == memory.derived
    assert oxigraph.derived is not None and oxigraph.derived.total > 0
    assert len(oxigraph) == len(memory)
    assert set(oxigraph.graph) == set(memory.graph)


def test_stats_are_the_same(memory: KnowledgeGraph, oxigraph: KnowledgeGraph) -> None:
    assert oxigraph.stats() == memory.stats()


def test_graph_is_an_rdflib_copy(oxigraph: KnowledgeGraph) -> None:
    graph = oxigraph.graph
    assert isinstance(graph, Graph)
    assert len(graph) == len(oxigraph)
    graph.add((ID["x"], TCT.note, Literal("only in the copy")))
    assert len(oxigraph.graph) == len(oxigraph)
    assert dict(graph.namespaces())["tct"] == URIRef(str(TCT))


def test_terms_convert_as_rdflib_builds_them() -> None:
    import pyoxigraph as ox

    month = ox.Literal("2025-06", datatype=ox.NamedNode(str(XSD.gYearMonth)))
    assert from_oxigraph(month) == Literal("2025-06", datatype=XSD.gYearMonth)
    assert from_oxigraph(ox.Literal("Kosovo", language="en")) == Literal("Kosovo", lang="en")
    plain = from_oxigraph(ox.Literal("50"))
    assert plain == Literal("50") and plain.datatype is None  # type: ignore[union-attr]
    assert from_oxigraph(ox.Literal("7", datatype=ox.NamedNode(str(XSD.integer)))).toPython() == 7  # type: ignore[union-attr]
    assert isinstance(from_oxigraph(ox.BlankNode("b1")), BNode)
    assert from_oxigraph(None) is None
    for term in (URIRef("https://w3id.org/tct/id/state-XK"), Literal("x", lang="en"),
                 Literal("2025", datatype=XSD.gYear), Literal("plain"), Literal(3)):
        assert from_oxigraph(to_oxigraph(term)) == term
    with pytest.raises(BadParameter):
        to_oxigraph(URIRef("not an iri"))


def test_store_round_trip_of_typed_literals_and_blank_nodes() -> None:
    store = OxigraphStore()
    node = BNode()
    store.add_triples([(ID["a"], TCT.date, Literal("2025-06", datatype=XSD.gYearMonth)),
                       (ID["a"], TCT.note, Literal("note", lang="en")),
                       (ID["a"], TCT.transferred, node),
                       (node, TCT.note, Literal("in a blank node"))])
    result = store.select("SELECT ?p ?o WHERE { <https://w3id.org/tct/id/a> ?p ?o }")
    values = {p: o for p, o in result.rows}
    assert values[TCT.date] == Literal("2025-06", datatype=XSD.gYearMonth)
    assert values[TCT.note] == Literal("note", lang="en")
    assert isinstance(values[TCT.transferred], BNode)
    assert store.triple_count() == 4
    assert len(store.to_graph()) == 4


def test_binding_projected_unprojected_and_star_variables() -> None:
    store = OxigraphStore()
    store.add_triples([(ID["a"], TCT.date, Literal("2025-06-11", datatype=XSD.date)),
                       (ID["b"], TCT.date, Literal("2024-01-01", datatype=XSD.date))])
    day = Literal("2025-01-01", datatype=XSD.date)
    by_filter = store.select("SELECT ?e WHERE { ?e <https://w3id.org/tct/ontology#date> ?d FILTER (?d > ?day) }",
                             {"day": day})
    assert by_filter.vars == ["e"] and by_filter.rows == [(ID["a"],)]
    star = store.select("SELECT * WHERE { ?e <https://w3id.org/tct/ontology#date> ?d FILTER (?d > ?day) }",
                        {"day": day})
    assert star.vars == ["d", "e"] and len(star) == 1  # SELECT * columns sorted, as rdflib does
    projected = store.select("SELECT ?e ?d WHERE { ?e <https://w3id.org/tct/ontology#date> ?d }", {"e": ID["b"]})
    assert projected.rows == [(ID["b"], Literal("2024-01-01", datatype=XSD.date))]
    assert store.ask("ASK { ?e <https://w3id.org/tct/ontology#date> ?d }", {"e": ID["a"]})
    assert not store.ask("ASK { ?e <https://w3id.org/tct/ontology#date> ?d }", {"e": ID["zzz"]})
    # a value that would break out of a string is still one literal
    tricky = Literal('x" } ; DROP ALL ; SELECT * { "')
    assert len(store.select("SELECT ?e WHERE { ?e ?p ?o FILTER (STR(?o) = ?t) }", {"t": tricky})) == 0
    assert store.triple_count() == 2


def test_syntax_errors_are_reported() -> None:
    with pytest.raises(QuerySyntaxError, match="SPARQL syntax error"):
        OxigraphStore().select("SELECT ?s WHERE { ?s ?p }")


def test_construct_update_and_counts() -> None:
    store = OxigraphStore()
    store.update("INSERT DATA { <https://w3id.org/tct/id/a> <https://w3id.org/tct/ontology#note> \"n\" }")
    graph = store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert len(graph) == 1 and store.triple_count() == 1


def test_persistent_store_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "kg.oxigraph"
    kg = transferkg.load(REPO, store=path)
    assert kg.store.name == "oxigraph"
    count = len(kg)
    expected = rows(kg.run_result("agreements"))
    kg.store.close()  # type: ignore[attr-defined]

    reopened = OxigraphStore(path)
    assert reopened.triple_count() == count
    query = QueryLibrary(REPO / "queries").get("agreements")
    assert rows(reopened.select(query.text, query.bind({}))) == expected
    reopened.close()

    again = transferkg.load(REPO, store=path)  # reloading replaces, never duplicates
    assert len(again) == count
    assert rows(again.run_result("agreements")) == expected
    again.store.close()  # type: ignore[attr-defined]


def test_bad_backend_options() -> None:
    with pytest.raises(BadParameter, match="unknown backend"):
        transferkg.load(REPO, backend="nosuch")
    with pytest.raises(BadParameter, match="oxigraph"):
        transferkg.load(REPO, backend="memory", store="somewhere")
