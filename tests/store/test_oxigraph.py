"""The embedded Oxigraph backend answers exactly like the rdflib backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

import transferkg
from tests.helpers import REPO, run_in_process
from transferkg.app.kg import KnowledgeGraph
from transferkg.core.errors import BadParameter, LoadError, QuerySyntaxError
from transferkg.core.namespaces import ID, TCT
from transferkg.query.library import QueryLibrary
from transferkg.store.base import SelectResult
from transferkg.store.folder import STAMP_FILE
from transferkg.store.oxigraph import OxigraphStore, from_oxigraph, to_oxigraph

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
    # the same triples; blank nodes (the ontology's owl:unionOf lists) are named by each store, so
    # the triples holding them are compared up to renaming
    plain = [{t for t in g.graph if not any(isinstance(x, BNode) for x in t)} for g in (oxigraph, memory)]
    assert plain[0] == plain[1]
    blank = []
    for g in (oxigraph, memory):
        sub = Graph()
        for t in g.graph:
            if any(isinstance(x, BNode) for x in t):
                sub.add(t)
        blank.append(sub)
    assert isomorphic(blank[0], blank[1])


def test_stats_are_the_same(memory: KnowledgeGraph, oxigraph: KnowledgeGraph) -> None:
    assert oxigraph.stats() == memory.stats()


def test_graph_is_an_rdflib_copy_made_once_and_to_rdflib_a_fresh_one(oxigraph: KnowledgeGraph) -> None:
    graph = oxigraph.to_rdflib()
    assert isinstance(graph, Graph)
    assert len(graph) == len(oxigraph)
    graph.add((ID["x"], TCT.note, Literal("only in the copy")))
    assert len(oxigraph.to_rdflib()) == len(oxigraph)  # the store is untouched; each call is a new copy
    assert dict(graph.namespaces())["tct"] == URIRef(str(TCT))
    assert oxigraph.graph is oxigraph.graph and len(oxigraph.graph) == len(oxigraph)  # copied once, not per access


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


# --- a store already up to date is opened without writing -----------------------------------------


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each time the app layer reloads the layers or derives (and still do it)."""
    import transferkg.app.layers as layers

    calls: list[str] = []
    real_load, real_derive = layers.load_layers, layers.derive

    def load_layers(*args: Any, **kwargs: Any) -> Any:
        calls.append("load")
        return real_load(*args, **kwargs)

    def derive(*args: Any, **kwargs: Any) -> Any:
        calls.append("derive")
        return real_derive(*args, **kwargs)

    monkeypatch.setattr(layers, "load_layers", load_layers)
    monkeypatch.setattr(layers, "derive", derive)
    return calls


def _quads(kg: KnowledgeGraph) -> list[str]:
    return sorted(str(q) for q in kg.store.raw())  # type: ignore[attr-defined]


def test_a_read_of_a_store_up_to_date_writes_nothing(tree: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "kg.oxigraph"
    first = transferkg.load(tree, store=path)
    expected, derived, stats = _quads(first), first.derived, first.stats()
    first.store.close()  # type: ignore[attr-defined]
    stamped = (path / STAMP_FILE).stat().st_mtime_ns
    calls = _spy(monkeypatch)

    again = transferkg.load(tree, store=path)
    assert calls == []  # neither the layers reloaded nor the derived layer recomputed
    assert (_quads(again), again.derived, again.stats()) == (expected, derived, stats)
    again.store.close()  # type: ignore[attr-defined]
    code, _out, err = run_in_process("--root", tree, "--store", path, "stats")
    assert code == 0, err
    assert calls == []
    assert (path / STAMP_FILE).stat().st_mtime_ns == stamped


def test_edits_and_writes_since_the_stamp_refresh_the_layers(tree: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    import pyoxigraph as ox

    path = tmp_path / "kg.oxigraph"
    transferkg.load(tree, store=path, derive_layer=False).store.close()  # type: ignore[attr-defined]
    calls = _spy(monkeypatch)
    kg = transferkg.load(tree, store=path)  # layers current, derived layer missing: derive only
    assert calls == ["derive"]
    kg.store.add_triples([(ID["x"], TCT.note, Literal("written through the store"))])
    assert kg.store.stamp() is None  # type: ignore[attr-defined]
    kg.store.close()  # type: ignore[attr-defined]
    assert not (path / STAMP_FILE).exists()

    calls.clear()
    transferkg.load(tree, store=path).store.close()  # type: ignore[attr-defined]
    assert calls == ["load", "derive"]

    outside = ox.Store(str(path))  # a write transferkg did not make (say, through a server on the folder)
    outside.add(ox.Quad(ox.NamedNode(ID["y"]), ox.NamedNode(TCT.note), ox.Literal("from outside")))
    del outside
    gc.collect()
    calls.clear()
    transferkg.load(tree, store=path).store.close()  # type: ignore[attr-defined]
    assert calls == ["load", "derive"]

    (tree / "graph" / "extra.ttl").write_text(f'<{ID["z"]}> <{TCT.note}> "edited" .\n', encoding="utf-8")
    calls.clear()
    kg = transferkg.load(tree, store=path)
    assert calls == ["load", "derive"]
    assert kg.store.ask('ASK { ?s ?p "edited" }')
    kg.store.close()  # type: ignore[attr-defined]


# --- one binding module, one store interface ---------------------------------------------------------


def test_binding_reads_the_query_once_skipping_strings_iris_comments_and_prefixed_names() -> None:
    from transferkg.store.binding import outline, query_form

    text = ('PREFIX where: <urn:w#>  # SELECT in a comment\n'
            'SELECT ?s ("{" AS ?brace) (EXISTS { ?s ?p ?hidden } AS ?e) WHERE { ?s where:p ?o . '
            'FILTER(?s != "WHERE {") }')
    shape = outline(text)
    assert shape.form == "SELECT" and not shape.star
    assert shape.projected == {"s", "brace", "e"}
    assert shape.variables == {"s", "brace", "p", "hidden", "e", "o"}
    assert text[shape.where - 1:shape.where + 3] == "{ ?s"  # type: ignore[operator]
    assert query_form("PREFIX ask: <urn:a#>\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }") == "construct"
    assert query_form("# ASK\nDESCRIBE <urn:x>") == "describe"
    assert query_form("INSERT DATA { <urn:a> <urn:b> <urn:c> }") == "select"  # not a query: the default


def test_a_variable_not_projected_is_bound_in_the_outer_where_not_in_an_exists() -> None:
    store = OxigraphStore()
    store.update('INSERT DATA { <urn:a> <urn:p> "1" . <urn:b> <urn:p> "2" }')
    query = 'SELECT ?s (EXISTS { ?s <urn:p> ?o } AS ?e) WHERE { ?s <urn:p> ?o }'
    result = store.select(query, {"o": Literal("2")})
    assert [tuple(map(str, row)) for row in result.rows] == [("urn:b", "true")]


def test_every_store_declares_what_it_can_do_and_closes_in_a_with_block(tmp_path: Path) -> None:
    from transferkg.store.base import CAPABILITIES, GraphStore, MemoryStore, Store
    from transferkg.store.remote import EndpointSettings, RemoteStore

    memory, embedded = MemoryStore(), OxigraphStore()
    remote = RemoteStore(EndpointSettings("http://127.0.0.1:9"))
    with OxigraphStore(tmp_path / "kg.oxigraph") as persistent:
        assert persistent.capabilities == {"named-graphs", "bulk-load", "update", "persistent"}
    assert persistent.raw() is None  # closed
    for store in (memory, embedded, remote):
        assert isinstance(store, Store) and store.capabilities <= set(CAPABILITIES)
        assert isinstance(store, GraphStore) == ("named-graphs" in store.capabilities)
    nt = b'<urn:a> <urn:p> "x" .\n'
    for store in (memory, embedded):
        with store:
            store.bulk_load(nt, format="nt", graph="urn:g")
            assert store.ask('ASK { <urn:a> <urn:p> "x" }')
    with pytest.raises(LoadError, match="RDF syntax error"):
        MemoryStore().bulk_load(b"not n-triples")


def test_a_persistent_store_streams_a_bulk_load_and_keeps_its_blank_nodes_apart(tmp_path: Path) -> None:
    """Loaded in batches: a blank node is one node across the batches of its file, and two files'
    ``_:b`` are two nodes (each input's labels are renamed once)."""
    from transferkg.store import oxigraph as ox_store

    lines = [f'_:b <http://example.org/p{i}> "{i}" .\n' for i in range(25)]
    (tmp_path / "one.nt").write_text("".join(lines), encoding="utf-8")
    (tmp_path / "two.nt").write_text('_:b <http://example.org/q> "x" .\n', encoding="utf-8")
    store = ox_store.OxigraphStore(tmp_path / "store")
    try:
        old = ox_store.BULK_BATCH
        ox_store.BULK_BATCH = 10  # three batches for the first file
        try:
            store.bulk_load(tmp_path / "one.nt")
            store.bulk_load(tmp_path / "two.nt", graph="http://example.org/g")
        finally:
            ox_store.BULK_BATCH = old
        rows = store.select("SELECT ?s (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?s").rows
        rows += store.select("SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"
                             " GROUP BY ?s").rows
        assert sorted(int(n) for _s, n in rows) == [1, 25]
        with pytest.raises(LoadError):
            (tmp_path / "bad.nt").write_text("<http://example.org/a> <http://example.org/b> .\n", encoding="utf-8")
            store.bulk_load(tmp_path / "bad.nt")
    finally:
        store.close()
