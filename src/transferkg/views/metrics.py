"""Network metrics of a view: degrees, people, betweenness and communities per node, as a table.

The questions a researcher asks of a deal network (which states host most, who sends
to how many, who bridges the network) answered in one DataFrame, for the CLI's
``network --metrics`` and the notebooks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import networkx as nx

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["network_metrics"]

_COLUMNS = ["node", "label", "iso", "role", "agreements_received", "people_received", "senders",
            "agreements_sent", "people_sent", "hosts", "betweenness", "community"]


def network_metrics(graph: nx.Graph) -> pd.DataFrame:
    """Per-node metrics a researcher asks of a deal network, as a DataFrame.

    Columns: ``node``, ``label``, ``iso``, ``role``; ``agreements_received`` (in-degree,
    counting parallel edges), ``people_received`` (sum of the incoming edges'
    ``people``), ``senders`` (distinct predecessors); ``agreements_sent``
    (out-degree), ``people_sent``, ``hosts`` (distinct successors); ``betweenness``
    (on the simple directed projection, unweighted, normalised); ``community``
    (greedy modularity on the undirected simple projection; 1 = the largest).
    Rows are sorted hosts first: by agreements received, people received, then label.
    """
    import pandas as pd

    simple = nx.DiGraph()
    simple.add_nodes_from(graph.nodes)
    simple.add_edges_from((u, v) for u, v in graph.edges() if u != v)
    betweenness = nx.betweenness_centrality(simple, normalized=True) if len(simple) > 2 else \
        dict.fromkeys(simple, 0.0)
    community = _communities(graph, simple)
    rows = []
    for nid, data in graph.nodes(data=True):
        incoming = list(graph.in_edges(nid, data=True)) if graph.is_directed() else list(graph.edges(nid, data=True))
        outgoing = list(graph.out_edges(nid, data=True)) if graph.is_directed() else []
        rows.append({
            "node": nid,
            "label": data.get("label", nid),
            "iso": data.get("iso"),
            "role": data.get("role"),
            "agreements_received": len(incoming),
            "people_received": _people(incoming),
            "senders": len({u for u, _, _ in incoming}),
            "agreements_sent": len(outgoing),
            "people_sent": _people(outgoing),
            "hosts": len({v for _, v, _ in outgoing}),
            "betweenness": round(float(betweenness.get(nid, 0.0)), 6),
            "community": community[str(nid)],
        })
    frame = pd.DataFrame(rows, columns=_COLUMNS)
    if len(frame):
        frame = frame.sort_values(["agreements_received", "people_received", "label"],
                                  ascending=[False, False, True], kind="mergesort").reset_index(drop=True)
    return frame


def _communities(graph: nx.Graph, simple: nx.DiGraph) -> dict[str, int]:
    """Node id → community number: greedy modularity, 1 = the largest; isolated nodes get their own."""
    undirected = simple.to_undirected()
    community: dict[str, int] = {}
    if undirected.number_of_edges():
        groups = nx.algorithms.community.greedy_modularity_communities(undirected)
        ordered = sorted((sorted(map(str, g)) for g in groups), key=lambda g: (-len(g), g[0]))
        for number, group in enumerate(ordered, start=1):
            for nid in group:
                community[nid] = number
    next_number = max(community.values(), default=0) + 1
    for nid in sorted(map(str, graph.nodes)):
        if nid not in community:
            community[nid] = next_number
            next_number += 1
    return community


def _people(edges: Iterable[tuple[Any, Any, dict[str, Any]]]) -> int | float:
    """The sum of the edges' ``people`` (unknown counts as 0)."""
    total = sum((d.get("people") or 0) for _, _, d in edges)
    return int(total) if float(total).is_integer() else total
