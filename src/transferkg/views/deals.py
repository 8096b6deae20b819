"""The deal network and the state–agreement graph: who agreed to send people to whom.

Both are built from :func:`transferkg.views.agreements.agreements` and keep the same
agreements for the same filters (:class:`~transferkg.views.agreements.AgreementFilter`).
Nodes and edges are added in sorted order, so the same data always gives the same
graph, GraphML, GEXF and HTML page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from transferkg.views.agreements import AgreementFilter, agreements

__all__ = ["deal_network", "state_agreement_bipartite"]


def deal_network(kg: Any, *, sender: str | None = None, status: str | None = None,
                 since: str | dt.date | None = None, until: str | dt.date | None = None,
                 kind: str | None = None) -> nx.MultiDiGraph:
    """The deal network: states as nodes, one directed edge per agreement (sender → host).

    Nodes (``id:state-US`` …): ``label``, ``iso``, ``iri``, ``kind`` = ``"state"``,
    ``role`` = ``sender`` / ``host`` / ``both`` (within the returned graph), and what
    clicking a state shows: ``agreements_as_host``, ``agreements_as_sender``,
    ``people_received_by_kind`` and ``people_sent_by_kind``.

    Edges, keyed by agreement CURIE (``id:agreement-US-XK-2025-06``): ``label``,
    ``status`` (code, e.g. ``in-force``) and ``status_label``, ``signed`` (the signing
    date as stated, at its precision) and ``signed_precision``, ``date`` /
    ``date_earliest`` / ``date_latest`` (signing date, else first dated status change),
    ``capacity`` (largest stated, persons) and ``capacity_text``, ``people`` (people
    transferred: the larger of the reported cumulative count ``people_reported`` and
    the sum over transfer events ``people_in_transfers``), ``transfer_events``,
    ``sources`` (number of distinct sources with a claim about the agreement),
    ``source_urls`` and ``source_titles``, and ``weight`` (= people, 0 if unknown).

    Agreements without a recorded sending or receiving state have no edge (see
    :func:`state_agreement_bipartite`). The filters are those of :class:`AgreementFilter`.
    """
    keep = AgreementFilter(sender=sender, status=status, since=since, until=until, kind=kind)
    graph = nx.MultiDiGraph(name="deal-network", title="Deal network: who sends people to whom",
                            description="sending state → receiving state, one edge per agreement")
    for record in agreements(kg).values():
        if not record.senders or not record.hosts or not keep.keep(record):
            continue
        attributes = record.attributes()
        attributes["weight"] = record.people or 0
        for sid, info in record.senders.items():
            for hid, hinfo in record.hosts.items():
                _add_state(graph, sid, info, "sender")
                _add_state(graph, hid, hinfo, "host")
                graph.add_edge(sid, hid, key=record.id, **attributes)
    _summarise_states(graph)
    return _sorted_graph(graph)  # type: ignore[return-value]


def state_agreement_bipartite(kg: Any, *, sender: str | None = None, status: str | None = None,
                              since: str | dt.date | None = None, until: str | dt.date | None = None,
                              kind: str | None = None) -> nx.DiGraph:
    """The bipartite state–agreement graph: sender → agreement → host.

    State nodes have ``bipartite`` = 0, ``kind`` = ``"state"`` and ``role`` as in
    :func:`deal_network`; agreement nodes have ``bipartite`` = 1, ``kind`` =
    ``"agreement"`` and the agreement attributes of the deal network's edges. Edges
    carry ``relation`` (``sendingState`` or ``receivingState``) and, for the page
    filters, the agreement's ``status`` and dates. Agreements without recorded parties
    are isolated nodes. ``nx.bipartite`` functions take ``graph.to_undirected()``.
    """
    keep = AgreementFilter(sender=sender, status=status, since=since, until=until, kind=kind)
    graph = nx.DiGraph(name="bipartite", title="States and agreements", description="sending state → agreement → receiving state")
    for record in agreements(kg).values():
        if not keep.keep(record):
            continue
        attributes = record.attributes()
        graph.add_node(record.id, kind="agreement", bipartite=1, role="agreement", **attributes)
        edge = {k: attributes[k] for k in ("status", "status_label", "date", "date_earliest", "date_latest",
                                           "people", "agreement")}
        edge["senders"] = sorted(record.senders)
        for sid, info in record.senders.items():
            _add_state(graph, sid, info, "sender")
            graph.add_edge(sid, record.id, relation="sendingState", label="sends", **edge)
        for hid, info in record.hosts.items():
            _add_state(graph, hid, info, "host")
            graph.add_edge(record.id, hid, relation="receivingState", label="receives", **edge)
    for _node, data in graph.nodes(data=True):
        if data.get("kind") == "state":
            data["bipartite"] = 0
    return _sorted_graph(graph)  # type: ignore[return-value]


def _add_state(graph: nx.Graph, sid: str, info: Mapping[str, Any], role: str) -> None:
    """Add a state node in ``role``, or make an existing one ``both`` when its role differs."""
    if sid in graph:
        old = graph.nodes[sid].get("role")
        if old and old != role:
            graph.nodes[sid]["role"] = "both"
        return
    graph.add_node(sid, label=info.get("label") or sid, iso=info.get("iso"), iri=info.get("iri"),
                   kind="state", role=role)


def _sorted_graph(graph: nx.Graph) -> nx.Graph:
    """The same graph with nodes, and edges, in sorted order (deterministic output)."""
    out = graph.__class__()
    out.graph.update(graph.graph)
    out.add_nodes_from(sorted(graph.nodes(data=True), key=lambda item: item[0]))
    if graph.is_multigraph():
        out.add_edges_from(sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))))
    else:
        out.add_edges_from(sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])))
    return out


def _people_by_kind(edges: Iterable[tuple[Any, Any, Any, dict[str, Any]]]) -> str:
    """"evacuation or resettlement: 1,900 people (1 agreement); third-country deportation: 2 people
    (2 agreements)": never one sum over kinds."""
    totals: dict[str, float] = defaultdict(float)
    agreements_of: dict[str, set[Any]] = defaultdict(set)
    for _u, _v, key, data in edges:
        kind = str(data.get("arrangement_kind_label") or data.get("arrangement_kind") or "kind not recorded")
        agreements_of[kind].add(key)
        if isinstance(data.get("people"), (int, float)):
            totals[kind] += data["people"]
    parts = []
    for kind in sorted(agreements_of, key=lambda k: (-totals.get(k, 0), k)):
        number = totals.get(kind)
        count = f"{int(number):,}" if number is not None and float(number).is_integer() else \
            (f"{number:,}" if number is not None else "no count")
        people = "no count" if number is None else f"{count} {'person' if number == 1 else 'people'}"
        n = len(agreements_of[kind])
        parts.append(f"{kind}: {people} ({n} agreement{'s' if n != 1 else ''})")
    return "; ".join(parts)


def _summarise_states(graph: nx.MultiDiGraph) -> None:
    """What clicking a state shows: its agreements as sender and host, and people by kind."""
    for node, data in graph.nodes(data=True):
        incoming = list(graph.in_edges(node, keys=True, data=True))
        outgoing = list(graph.out_edges(node, keys=True, data=True))
        data["agreements_as_host"] = len({k for _, _, k, _ in incoming})
        data["agreements_as_sender"] = len({k for _, _, k, _ in outgoing})
        data["people_received_by_kind"] = _people_by_kind(incoming)
        data["people_sent_by_kind"] = _people_by_kind(outgoing)
