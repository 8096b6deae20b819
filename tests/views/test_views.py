"""NetworkX views, metrics and exports, checked against direct SPARQL on the curated graph."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef

from transferkg import views
from transferkg.app.kg import KnowledgeGraph
from transferkg.cli import main
from transferkg.core.namespaces import sparql_prefixes
from transferkg.query.results import readable
from transferkg.render import export

US_XK = ("id:state-US", "id:state-XK", "id:agreement-US-XK-2025-06")


def _rows(kg: KnowledgeGraph, body: str) -> list[dict[str, object]]:
    return [{k: readable(v) for k, v in row.items()} for row in kg.query(sparql_prefixes() + body).dicts()]


@pytest.fixture(scope="module")
def prov(kg: KnowledgeGraph) -> nx.DiGraph:
    return views.provenance(kg)


# --------------------------------------------------------------------------- deal network


def test_deal_network_has_one_edge_per_agreement_and_pair(kg: KnowledgeGraph, deals: nx.MultiDiGraph) -> None:
    expected = {(r["s"], r["h"], r["a"]) for r in _rows(kg, """
        SELECT DISTINCT ?a ?s ?h WHERE {
          VALUES ?t { tct:Agreement tct:TransferAgreement }
          ?a a ?t ; tct:sendingState ?s ; tct:receivingState ?h }""")}
    assert set(deals.edges(keys=True)) == expected
    states = {s for s, _, _ in expected} | {h for _, h, _ in expected}
    assert set(deals.nodes) == states


def test_deal_network_agrees_with_the_library_query(kg: KnowledgeGraph, deals: nx.MultiDiGraph) -> None:
    result = kg.run("deal_network")
    assert len(result) == deals.number_of_edges()
    for row in result.itertuples():
        data = deals.edges[row.item, row.target, row.edge]
        assert data["sources"] == row.sources
        assert data["status_label"] == (row.status if isinstance(row.status, str) else None)


def test_us_kosovo_edge_carries_the_known_facts(deals: nx.MultiDiGraph) -> None:
    assert deals.has_edge(*US_XK)
    data = deals.edges[US_XK]
    assert data["label"].startswith("US–Kosovo")
    assert (data["signed"], data["signed_precision"]) == ("2025-06", "month")
    assert (data["date_earliest"], data["date_latest"]) == ("2025-06-01", "2025-06-30")
    assert data["capacity"] == 50 and "up to 50" in data["capacity_text"]
    assert data["sources"] >= 10
    assert any("cbsnews.com" in url for url in data["source_urls"])
    assert len(data["source_urls"]) == len(data["source_titles"])
    assert deals.nodes["id:state-XK"]["role"] == "host"
    assert deals.nodes["id:state-XK"]["iso"] == "XK"
    assert deals.nodes["id:state-US"]["role"] in ("sender", "both")


def test_deal_network_filters(kg: KnowledgeGraph, deals: nx.MultiDiGraph) -> None:
    us = views.deal_network(kg, sender="US")
    assert us.number_of_edges() == sum(1 for u, *_ in deals.edges(keys=True) if u == "id:state-US")
    assert {u for u, *_ in us.edges(keys=True)} == {"id:state-US"}
    in_force = views.deal_network(kg, status="in-force")
    expected = {r["a"] for r in _rows(kg, """SELECT ?a WHERE { ?a tct:currentStatus tctv:in-force ;
                                                     tct:sendingState ?s ; tct:receivingState ?h }""")}
    assert {k for *_, k in in_force.edges(keys=True)} == expected
    june = views.deal_network(kg, since="2025-06", until="2025-06-30")
    assert june.has_edge(*US_XK)
    for *_, data in june.edges(data=True):
        assert data["date_earliest"] <= "2025-06-30" and data["date_latest"] >= "2025-06-01"
    assert views.deal_network(kg, since="2031").number_of_edges() == 0


def test_bad_filters_are_refused(kg: KnowledgeGraph) -> None:
    from transferkg.core.errors import BadParameter

    for options in ({"sender": "Atlantis"}, {"since": "2025-13"}, {"until": "June"}, {"status": "no such!"}):
        with pytest.raises(BadParameter):
            views.deal_network(kg, **options)


def test_views_are_deterministic(kg: KnowledgeGraph, deals: nx.MultiDiGraph) -> None:
    again = views.deal_network(kg)
    assert list(again.nodes) == sorted(again.nodes) == list(deals.nodes)
    assert list(again.edges(keys=True, data=True)) == list(deals.edges(keys=True, data=True))
    assert export.export_graph(again, "graphml") == export.export_graph(deals, "graphml")


# --------------------------------------------------------------------------- other views


def test_bipartite_graph(kg: KnowledgeGraph) -> None:
    graph = views.state_agreement_bipartite(kg)
    agreements = {r["a"] for r in _rows(kg, """SELECT DISTINCT ?a WHERE {
        VALUES ?t { tct:Agreement tct:TransferAgreement } ?a a ?t }""")}
    parties = _rows(kg, """SELECT DISTINCT ?a ?p ?s WHERE {
        VALUES ?t { tct:Agreement tct:TransferAgreement } VALUES ?p { tct:sendingState tct:receivingState }
        ?a a ?t ; ?p ?s }""")
    assert {n for n, d in graph.nodes(data=True) if d["bipartite"] == 1} == agreements
    assert graph.number_of_edges() == len(parties)
    assert graph.has_edge("id:state-US", US_XK[2]) and graph.has_edge(US_XK[2], "id:state-XK")
    assert nx.is_bipartite(graph.to_undirected())


def test_nationality_flows(kg: KnowledgeGraph) -> None:
    flows = views.nationality_flows(kg)
    pairs = {(r["nationality"], r["host"]) for r in kg.run("nationalities_by_host").to_dict("records")}
    drawn = {(u, v) for u, v in flows.edges() if u != views.NOT_RECORDED}
    assert drawn == pairs
    assert flows.has_edge("tctv:withheld", "id:state-XK")
    assert flows.nodes["tctv:withheld"]["kind"] == "information-status"
    for _, _, data in flows.edges(data=True):
        assert data["transfers"] >= 1 and data["weight"] >= 0 and data["people_shared"] >= 0
    transfers = {r["t"] for r in _rows(kg, """SELECT DISTINCT ?t WHERE {
        VALUES ?type { tct:TransferEvent tct:DeportationFlight tct:Arrival } ?t a ?type ; tct:transferTo ?h }""")}
    counted = {t for _, _, d in flows.edges(data=True) for t in d["transfer_ids"]}
    assert counted == transfers
    us = views.nationality_flows(kg, sender="US")
    assert 0 < us.number_of_edges() <= flows.number_of_edges()


def test_provenance_graph(kg: KnowledgeGraph, prov: nx.DiGraph) -> None:
    claims = _rows(kg, "SELECT ?c ?s ?src ?sp WHERE { ?c tct:claimSubject ?s ; prov:wasDerivedFrom ?src "
                       "OPTIONAL { ?c tct:speaker ?sp } }")
    assert {n for n, d in prov.nodes(data=True) if d["kind"] == "claim"} == {r["c"] for r in claims}
    relations: dict[str, int] = {}
    for _, _, data in prov.edges(data=True):
        relations[data["relation"]] = relations.get(data["relation"], 0) + 1
    assert relations["states"] == relations["about"] == len(claims)
    assert relations["said"] == sum(1 for r in claims if r["sp"])
    assert relations["published"] == len({r["src"] for r in _rows(kg, """SELECT DISTINCT ?src WHERE {
        ?c prov:wasDerivedFrom ?src . ?src dcterms:publisher ?p }""")})
    claim = next(n for n, d in prov.nodes(data=True) if d["kind"] == "claim" and d["subject"] == US_XK[2]
                 and d["property"] == "tct:capacity" and d["value"] == "up to 50")
    assert prov.has_edge(claim, US_XK[2])
    assert prov.nodes[prov.nodes[claim]["source"]]["kind"] == "source"
    one = views.provenance(kg, subject="agreement-US-XK-2025-06")
    assert {d["subject"] for _, d in one.nodes(data=True) if d["kind"] == "claim"} == {US_XK[2]}


def test_recognition_graph(kg: KnowledgeGraph) -> None:
    graph = views.recognition(kg)
    acts = _rows(kg, "SELECT ?a ?r ?d WHERE { ?a tct:recognizer ?r ; tct:recognized ?d }")
    assert set(graph.edges(keys=True)) == {(r["r"], r["d"], r["a"]) for r in acts}
    actions = {d["action"] for u, v, d in graph.edges(data=True) if (u, v) == ("id:state-US", "id:state-XK")}
    assert actions == {"recognises"}
    assert graph.nodes["id:state-XK"]["role"] == "recognized"


def test_graph_from_a_wikidata_style_query(kg: KnowledgeGraph, deals: nx.MultiDiGraph) -> None:
    graph = views.graph_from_result(kg.run_result("deal_network"))
    assert set(graph.edges(keys=True)) == set(deals.edges(keys=True))
    assert graph.nodes["id:state-XK"]["label"] == "Kosovo"
    from transferkg.core.errors import BadParameter

    with pytest.raises(BadParameter, match="item"):
        views.graph_from_result(kg.run_result("agreements"))


def test_network_metrics(deals: nx.MultiDiGraph) -> None:
    table = views.network_metrics(deals)
    assert list(table["node"]) != [] and set(table["node"]) == set(deals.nodes)
    rows = table.set_index("node")
    assert rows.loc["id:state-XK", "agreements_received"] == deals.in_degree("id:state-XK")
    assert rows.loc["id:state-US", "hosts"] == len(set(deals.successors("id:state-US")))
    assert rows.loc["id:state-XK", "people_received"] == sum(d["people"] or 0 for *_, d in
                                                             deals.in_edges("id:state-XK", data=True))
    assert table["agreements_received"].is_monotonic_decreasing
    assert table["community"].min() == 1 and table["betweenness"].between(0, 1).all()
    assert table.equals(views.network_metrics(deals))


# --------------------------------------------------------------------------- exports


def test_graphml_round_trip(deals: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "deals.graphml"
    export.export_graph(deals, "graphml", path)
    back = nx.read_graphml(path)
    flat = export.stringify(deals)
    assert isinstance(back, nx.MultiDiGraph)
    assert dict(back.nodes(data=True)) == dict(flat.nodes(data=True))
    assert {(u, v, k): d for u, v, k, d in back.edges(keys=True, data=True)} == \
        {(u, v, k): d for u, v, k, d in flat.edges(keys=True, data=True)}
    assert back.edges[US_XK]["source_urls"] == "; ".join(deals.edges[US_XK]["source_urls"])


def test_gexf_round_trip(kg: KnowledgeGraph, deals: nx.MultiDiGraph, tmp_path: Path) -> None:
    for graph in (deals, views.nationality_flows(kg)):
        path = tmp_path / f"{graph.graph['name']}.gexf"
        export.export_graph(graph, "gexf", path)
        back = nx.read_gexf(path)
        flat = export.stringify(graph)
        assert dict(back.nodes(data=True)) == dict(flat.nodes(data=True))
        back_edges = list(back.edges(keys=True, data=True)) if back.is_multigraph() else \
            [(u, v, None, d) for u, v, d in back.edges(data=True)]
        flat_edges = list(flat.edges(keys=True, data=True)) if flat.is_multigraph() else \
            [(u, v, None, d) for u, v, d in flat.edges(data=True)]
        assert len(back_edges) == len(flat_edges)
        found = {(u, v, k): d for u, v, k, d in back_edges}
        for u, v, k, data in flat_edges:
            got = dict(found[(u, v, k)])
            got.pop("id", None)
            assert float(got.pop("weight")) == float(data["weight"])
            assert got == {key: value for key, value in data.items() if key != "weight"}


def test_node_link_json_and_csv(deals: nx.MultiDiGraph) -> None:
    data = json.loads(export.export_graph(deals, "json") or "")
    back = nx.node_link_graph(data, edges="edges")
    assert set(back.edges(keys=True)) == set(deals.edges(keys=True))
    rows = list(csv.DictReader(io.StringIO(export.export_graph(deals, "csv") or "")))
    assert len(rows) == deals.number_of_edges()
    row = next(r for r in rows if r["key"] == US_XK[2])
    assert (row["source"], row["source_label"], row["target_label"]) == ("id:state-US", "United States", "Kosovo")


def test_rdf_exports_reload(kg: KnowledgeGraph, tmp_path: Path) -> None:
    for fmt, rdflib_format in (("ttl", "turtle"), ("nt", "nt")):
        path = tmp_path / f"kg.{fmt}"
        export.export_rdf(kg, fmt, path)
        assert len(Graph().parse(path, format=rdflib_format)) == len(kg)
    text = export.export_rdf(kg, "jsonld") or ""
    assert '"@context"' in text and "agreement-US-XK-2025-06" in text


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's TriG/N-Quads parsers
def test_named_graph_export_has_one_graph_per_cited_source(kg: KnowledgeGraph, tmp_path: Path) -> None:
    cited = {r["src"] for r in _rows(kg, "SELECT DISTINCT ?src WHERE { ?c a tct:Claim ; prov:wasDerivedFrom ?src }")}
    path = tmp_path / "kg.trig"
    export.export_rdf(kg, "trig", path)
    dataset = Dataset()
    dataset.parse(path, format="trig")
    names = {readable(g.identifier) for g in dataset.graphs() if g.identifier != dataset.default_graph.identifier}
    assert names == cited
    default = dataset.default_graph
    assert len(default) + sum(len(g) for g in dataset.graphs() if g.identifier != default.identifier) == len(kg)
    claim_iri, source_iri, quantity_iri = kg.query(sparql_prefixes() + """SELECT ?c ?src ?q WHERE {
        ?c tct:claimSubject id:agreement-US-XK-2025-06 ; tct:claimProperty tct:capacity ;
           prov:wasDerivedFrom ?src ; tct:quantityValue ?q } ORDER BY ?c LIMIT 1""").rows[0]
    assert isinstance(source_iri, URIRef)
    named = dataset.graph(source_iri)
    assert len(list(named.triples((claim_iri, None, None)))) >= 6
    assert len(list(named.triples((quantity_iri, None, None)))) >= 3
    assert not list(default.triples((claim_iri, None, None)))
    assert not list(default.triples((quantity_iri, None, None)))
    term = re.compile(r'<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:\^\^<[^>]*>|@[\w-]+)?')
    graphs: set[str] = set()
    lines = [line for line in (export.export_rdf(kg, "nq") or "").splitlines() if line.strip()]
    for line in lines:
        terms = term.findall(line)
        assert len(terms) in (3, 4), line
        if len(terms) == 4:
            graphs.add(str(readable(URIRef(terms[3][1:-1]))))
    assert len(lines) == len(kg)
    assert graphs == cited


# --------------------------------------------------------------------------- CLI


def test_cli_export_network_and_view(tree: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "deals.graphml"
    result = runner.invoke(main, ["--root", str(tree), "export", "--format", "graphml", "--sender", "US",
                                  "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert nx.read_graphml(out).has_edge("id:state-US", "id:state-XK")
    result = runner.invoke(main, ["--root", str(tree), "network", "--metrics", "--format", "csv"])
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.output)))
    assert {"node", "agreements_received", "people_received", "hosts", "betweenness", "community"} <= set(table[0])
    assert [r["node"] for r in table] == ["id:state-XK", "id:state-US"]
    page = tmp_path / "deals.html"
    result = runner.invoke(main, ["--root", str(tree), "view", "deal-network", "--out", str(page)])
    assert result.exit_code == 0, result.output
    assert "(2 nodes, 1 edges)" in result.output
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    query = tmp_path / "pairs.rq"
    query.write_text("SELECT ?item ?itemLabel ?target ?targetLabel ?edgeLabel ?rgb WHERE {\n"
                     "  ?e tct:sendingState ?item ; tct:receivingState ?target ; rdfs:label ?edgeLabel .\n"
                     "  ?item rdfs:label ?itemLabel . ?target rdfs:label ?targetLabel . BIND ('ff0000' AS ?rgb) }\n",
                     encoding="utf-8")
    result = runner.invoke(main, ["--root", str(tree), "view", "--query", str(query), "--out", str(page)])
    assert result.exit_code == 0, result.output
    assert "(2 nodes, 1 edges)" in result.output
    assert '"color":"#FF0000"' in page.read_text(encoding="utf-8")
    result = runner.invoke(main, ["--root", str(tree), "export", "--format", "nq"])
    assert result.exit_code == 0, result.output
    assert " <https://w3id.org/tct/id/src-test-1> .\n" in result.output


def test_cli_refuses_bad_options_before_loading(repo: Path) -> None:
    runner = CliRunner()
    for args in (["view", "recognition", "--status", "in-force"], ["view"],
                 ["view", "deal-network", "--out", "x.pdf"], ["export", "--format", "ttl", "--view", "provenance"],
                 ["view", "timeline", "--out", "t.html"]):
        result = runner.invoke(main, ["--root", str(repo), *args])
        assert result.exit_code == 2, (args, result.output)
        assert "error:" in result.output


def test_views_are_the_same_on_the_oxigraph_backend(repo: Path, kg: KnowledgeGraph) -> None:
    import transferkg

    oxigraph = transferkg.load(repo, backend="oxigraph")
    for build in (views.deal_network, views.state_agreement_bipartite, views.nationality_flows, views.provenance,
                  views.recognition):
        assert export.export_graph(build(oxigraph), "graphml") == export.export_graph(build(kg), "graphml"), build


# --------------------------------------------------------------------------- the registry


def test_the_registry_names_every_view_once_with_filters_its_function_takes() -> None:
    import inspect

    from transferkg.views.registry import FILTERS, VIEWS, view_names

    assert len(set(view_names())) == len(VIEWS)
    assert view_names(graphs_only=True) == tuple(v.name for v in VIEWS if v.name != "timeline")
    for view in VIEWS:
        assert view.help and set(view.filters) <= set(FILTERS), view.name
        if view.is_graph:
            takes = set(inspect.signature(view.build).parameters) - {"kg"}
            assert set(view.filters) | set(view.options) <= takes, view.name


def test_build_view_is_the_view_function_with_the_given_filters(kg: KnowledgeGraph) -> None:
    from transferkg.views.registry import build_view

    built = build_view(kg, "deal-network", {"sender": "US", "status": None, "kind": ""})
    assert export.export_graph(built, "graphml") == export.export_graph(views.deal_network(kg, sender="US"), "graphml")
    one = build_view(kg, "provenance", {}, subject="agreement-US-XK-2025-06")
    assert sorted(one.nodes) == sorted(views.provenance(kg, subject="agreement-US-XK-2025-06").nodes)


def test_the_registry_refuses_filters_a_view_does_not_take() -> None:
    from transferkg.core.errors import BadParameter
    from transferkg.views.registry import build_view, check_view_options

    check_view_options("nationality-flows", {"sender": "US", "status": None})
    with pytest.raises(BadParameter, match="does not take --status; it takes --sender, --since, --until"):
        check_view_options("nationality-flows", {"status": "in-force"})
    with pytest.raises(BadParameter, match="--subject is for the provenance view"):
        check_view_options("deal-network", {}, subject="agreement-US-XK-2025-06")
    with pytest.raises(BadParameter, match="no view 'deals'"):
        check_view_options("deals", {})
    with pytest.raises(BadParameter, match="a figure, not a graph"):
        build_view(object(), "timeline")


def test_the_cli_reads_its_view_names_from_the_registry() -> None:
    from transferkg.views.registry import VIEWS, view_names

    runner = CliRunner()
    shown = runner.invoke(main, ["view", "--help"]).output
    assert "[" + "|".join(view_names()) + "]" in re.sub(r"\s+", "", shown)
    assert all(v.help.split()[0] in shown for v in VIEWS)
    for command in ("network", "export"):
        text = re.sub(r"\s+", "", runner.invoke(main, [command, "--help"]).output)
        assert "--view[" + "|".join(view_names(graphs_only=True)) + "]" in text, command
