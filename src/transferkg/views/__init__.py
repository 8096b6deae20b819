"""Layer 5, views: *building* NetworkX graphs from query rows (drawing them is :mod:`transferkg.render`).

``transferkg.views`` turns the knowledge graph into NetworkX graphs a researcher can
measure, export or draw; ``transferkg.render`` draws them (HTML pages, PNG/SVG figures)
and writes them out (GraphML, GEXF …). Every view asks the store for SELECT rows (its
queries are ``views/sparql/*.rq``), never walks an rdflib graph, so the same function
works on the in-memory graph, on Oxigraph and on a remote SPARQL endpoint — and stays
fast: converting a whole graph with rdflib's converters is ~30× slower.

Node ids are CURIEs (``id:state-US``, ``tctv:withheld``); nodes and edges are added in
sorted order, so the same data always gives the same graph (and the same GraphML, GEXF
and HTML). Attributes are plain Python values (``str``, ``int``, ``float``, ``bool``,
``None`` or a list of strings); the exporters stringify lists for formats that need
scalars.

The views (one table of them: :data:`~transferkg.views.registry.VIEWS`):

- :func:`deal_network` — states, one directed edge per agreement (sender → host).
- :func:`state_agreement_bipartite` — states and agreements, sender → agreement → host.
- :func:`nationality_flows` — nationality → host state, weighted by people transferred.
- :func:`provenance` — publisher → source → claim → subject, and speaker → claim.
- :func:`recognition` — recognising state → recognised state, one edge per act.
- :func:`graph_from_result` — any SELECT with Wikidata-style ``?item``/``?target`` columns.

and :func:`network_metrics` for a table of degrees, people, betweenness and communities.
Modules: ``rows`` (SELECT rows to values), ``filters`` (dates, states, codes),
``agreements`` (agreement records and their filter), ``deals``, ``flows``,
``provenance_graph``, ``recognition_graph``, ``query_graph``, ``metrics`` and ``registry``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from transferkg.views.agreements import AgreementFilter
    from transferkg.views.deals import deal_network, state_agreement_bipartite
    from transferkg.views.flows import NOT_RECORDED, nationality_flows
    from transferkg.views.metrics import network_metrics
    from transferkg.views.provenance_graph import provenance
    from transferkg.views.query_graph import graph_from_result
    from transferkg.views.recognition_graph import recognition
    from transferkg.views.registry import VIEWS, View, build_view, view_names

#: Where each public name lives; imported on first use, so that reading the registry
#: (the CLI's ``--help``) does not load NetworkX and rdflib.
_HOMES = {
    "AgreementFilter": "agreements", "deal_network": "deals", "state_agreement_bipartite": "deals",
    "NOT_RECORDED": "flows", "nationality_flows": "flows", "network_metrics": "metrics",
    "provenance": "provenance_graph", "graph_from_result": "query_graph", "recognition": "recognition_graph",
    "VIEWS": "registry", "View": "registry", "build_view": "registry", "view_names": "registry",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "NOT_RECORDED",
    "VIEWS",
    "AgreementFilter",
    "View",
    "build_view",
    "deal_network",
    "graph_from_result",
    "nationality_flows",
    "network_metrics",
    "provenance",
    "recognition",
    "state_agreement_bipartite",
    "view_names",
]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
