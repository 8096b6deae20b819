"""Exports: the NetworkX views for Gephi, Cytoscape and spreadsheets, the graph as RDF.

Graph formats (:data:`GRAPH_FORMATS`): GraphML and GEXF (networkx writers), node-link
JSON and a CSV edge list. GraphML and GEXF take scalars only, so list attributes are
joined with ``"; "``, dates written as ISO text, ``None`` left out, and an attribute
whose values mix types becomes text throughout (:func:`stringify`); control characters,
which XML cannot hold, are shown as ``\\u001b`` escapes, so the files always parse. The CSV
edge list is neutralised against spreadsheet formulas (:func:`transferkg.core.outputs.csv_cell`).

RDF formats (:data:`RDF_FORMATS`): Turtle, N-Triples and JSON-LD of the whole graph,
and TriG / N-Quads with **one named graph per source**: each claim's triples (and the
triples of its quantity node) go into the graph named by the IRI of the source the
claim cites with ``prov:wasDerivedFrom``; everything else (ontology, code lists,
sources, entities, the derived plain triples) stays in the default graph. The claims
are read with SPARQL through the store (``render/sparql/claim_*.rq``), so this works on every backend.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import warnings
from collections.abc import Mapping
from typing import Any

import networkx as nx
from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node

from transferkg.core.errors import BadParameter
from transferkg.core.namespaces import bind_prefixes
from transferkg.core.outputs import csv_text, printable
from transferkg.core.resources import internal_query

__all__ = [
    "FORMATS",
    "GRAPH_FORMATS",
    "RDF_FORMATS",
    "export_graph",
    "export_rdf",
    "named_graph_dataset",
    "stringify",
]

GRAPH_FORMATS = ("graphml", "gexf", "json", "csv")
#: Our format names → rdflib serializer names.
RDF_FORMATS: dict[str, str] = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "trig": "trig", "nq": "nquads"}
FORMATS = GRAPH_FORMATS + tuple(RDF_FORMATS)


def _xml_safe(value: Any) -> Any:
    """A scalar GraphML/GEXF can hold: text without the control characters XML forbids (shown as ``\\u001b``)."""
    return printable(value) if isinstance(value, str) else value


def _scalar(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return "; ".join(str(_scalar(v)) for v in items)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _clean(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Scalar attributes, with a single type per attribute name across all items."""
    cleaned = [{k: _xml_safe(_scalar(v)) for k, v in d.items() if v is not None} for d in items]
    types: dict[str, set[type]] = {}
    for data in cleaned:
        for key, value in data.items():
            types.setdefault(key, set()).add(type(value))
    for key, seen in types.items():
        if len(seen) <= 1:
            continue
        if seen <= {int, float}:
            cast: Any = float
        else:
            cast = str
        for data in cleaned:
            if key in data:
                data[key] = cast(data[key])
    return cleaned


def _deliver(text: str, destination: str | os.PathLike[str] | None) -> str | None:
    """Return ``text``, or write it (UTF-8) to ``destination`` and return None."""
    if destination is None:
        return text
    from transferkg.core.outputs import write_atomic

    write_atomic(destination, text)
    return None


def stringify(graph: nx.Graph) -> nx.Graph:
    """A copy of ``graph`` whose attributes GraphML and GEXF can hold (see the module docstring)."""
    out = graph.__class__()
    graph_attrs = _clean([dict(graph.graph)])[0]
    out.graph.update(graph_attrs)
    nodes = list(graph.nodes(data=True))
    for (node, _), data in zip(nodes, _clean([dict(d) for _, d in nodes]), strict=True):
        out.add_node(_xml_safe(node), **data)
    if graph.is_multigraph():
        edges = list(graph.edges(keys=True, data=True))
        for (u, v, k, _), data in zip(edges, _clean([dict(d) for *_, d in edges]), strict=True):
            out.add_edge(_xml_safe(u), _xml_safe(v), key=_xml_safe(k), **data)
    else:
        simple = list(graph.edges(data=True))
        for (u, v, _), data in zip(simple, _clean([dict(d) for *_, d in simple]), strict=True):
            out.add_edge(_xml_safe(u), _xml_safe(v), **data)
    return out


def _csv(graph: nx.Graph) -> str:
    multi = graph.is_multigraph()
    edges = list(graph.edges(keys=True, data=True)) if multi else [(u, v, None, d) for u, v, d in
                                                                    graph.edges(data=True)]
    columns: list[str] = []
    for *_, data in edges:
        for key in data:
            if key not in columns:
                columns.append(key)
    header = ["source", "source_label", "target", "target_label"] + (["key"] if multi else []) + columns
    rows = []
    for u, v, k, data in edges:
        row = [u, graph.nodes[u].get("label", u), v, graph.nodes[v].get("label", v)] + ([k] if multi else [])
        row += ["" if data.get(c) is None else _scalar(data.get(c)) for c in columns]
        rows.append([c if isinstance(c, (str, int, float)) else str(c) for c in row])
    return csv_text(header, rows)


def _node_link(graph: nx.Graph) -> str:
    try:
        data = nx.node_link_data(graph, edges="edges")  # networkx ≥ 3.4
    except TypeError:  # pragma: no cover - older networkx
        data = nx.node_link_data(graph, link="edges")
    return json.dumps(data, ensure_ascii=False, indent=1, default=_scalar) + "\n"


def export_graph(graph: nx.Graph, fmt: str, destination: str | os.PathLike[str] | None = None) -> str | None:
    """Write a view as ``graphml``, ``gexf``, ``json`` (node-link) or ``csv`` (edge list).

    Returns the text when ``destination`` is None, else writes the file (UTF-8).
    """
    if fmt == "graphml":
        text = "\n".join(nx.generate_graphml(stringify(graph), encoding="utf-8", prettyprint=True)) + "\n"
    elif fmt == "gexf":
        text = "\n".join(nx.generate_gexf(stringify(graph), encoding="utf-8", prettyprint=True)) + "\n"
    elif fmt == "json":
        text = _node_link(graph)
    elif fmt == "csv":
        text = _csv(graph)
    else:
        raise BadParameter(f"unknown graph format {fmt!r}; one of {', '.join(GRAPH_FORMATS)}")
    return _deliver(text, destination)


def _graph_of(kg: Any) -> dict[Node, URIRef]:
    """Claim and quantity nodes → the source graph they belong in."""
    store = kg.store if hasattr(kg, "store") else kg
    sources: dict[Node, URIRef] = {}
    for claim, source in store.select(internal_query(__package__, "claim_source_graphs")).rows:
        if isinstance(source, URIRef) and claim is not None:
            if claim not in sources or str(source) < str(sources[claim]):  # one source per claim; the first if several
                sources[claim] = source
    placed = dict(sources)
    for claim, quantity in store.select(internal_query(__package__, "claim_quantity_nodes")).rows:
        if claim in sources and quantity is not None:
            if quantity not in placed or str(sources[claim]) < str(placed[quantity]):
                placed[quantity] = sources[claim]
    return placed


def named_graph_dataset(kg: Any) -> Dataset:
    """The graph as an rdflib ``Dataset``: one named graph per cited source, the rest default.

    A claim and its quantity node go into the graph named by the source the claim is
    ``prov:wasDerivedFrom`` (the first, by IRI, if a claim ever cited several).
    """
    graph: Graph = kg.graph if hasattr(kg, "graph") else kg.store.to_graph()
    placed = _graph_of(kg)
    dataset = Dataset()
    bind_prefixes(dataset)  # type: ignore[arg-type]
    default = dataset.default_graph if hasattr(type(dataset), "default_graph") else dataset.default_context
    named: dict[URIRef, Graph] = {}
    for triple in graph:
        target = placed.get(triple[0])
        if target is None:
            default.add(triple)
            continue
        if target not in named:
            named[target] = dataset.graph(target)
        named[target].add(triple)
    return dataset


def export_rdf(kg: Any, fmt: str, destination: str | os.PathLike[str] | None = None) -> str | None:
    """Write the knowledge graph as ``ttl``, ``nt``, ``jsonld``, ``trig`` or ``nq``.

    ``trig`` and ``nq`` hold one named graph per source (:func:`named_graph_dataset`).
    Returns the text when ``destination`` is None.
    """
    if fmt not in RDF_FORMATS:
        raise BadParameter(f"unknown RDF format {fmt!r}; one of {', '.join(RDF_FORMATS)}")
    rdflib_format = RDF_FORMATS[fmt]
    if fmt in ("trig", "nq"):
        data: Graph | Dataset = named_graph_dataset(kg)
    else:
        data = kg.graph if hasattr(kg, "graph") else kg.store.to_graph()
    options: dict[str, Any] = {}
    if fmt == "jsonld":
        from transferkg.core.namespaces import PREFIXES

        options = {"context": dict(PREFIXES), "auto_compact": True}
    with warnings.catch_warnings():  # rdflib's TriG/N-Quads writers use its own deprecated Dataset API
        warnings.simplefilter("ignore", DeprecationWarning)
        text = data.serialize(format=rdflib_format, **options)
    return _deliver(text, destination)
