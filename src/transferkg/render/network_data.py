"""A view as vis-network node and edge lists (a pyvis ``Network``), ready for the HTML page.

The lists are filled directly (pyvis's ``from_nx`` is quadratic in the number of
nodes). Each node and edge dict holds the vis-network options (``color``, ``size``,
``width``, ``smooth`` …), a plain-text ``title``, and under ``tkg`` what the page needs
besides: the full heading, tooltip rows, source links and filter fields.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx

from transferkg.render.encoding import Edge, drawn, edge_category, edge_width, node_category
from transferkg.render.palette import EDGE_COLORS, FALLBACK, HEX, NO_VALUE, NODE_COLORS, legend_entries, palette
from transferkg.render.size_guard import fit

if TYPE_CHECKING:
    from pyvis.network import Network

__all__ = ["to_pyvis"]

# Attributes shown elsewhere (heading, links, colour, position) or only for machines: not tooltip rows.
_SKIP = {"label", "iri", "color", "x", "y", "title", "weight", "source_urls", "source_titles", "url",
         "edge_label", "senders", "bipartite", "kind"}
_SENDER_ROLES = {"sender", "both"}


@dataclass(frozen=True)
class _Colours:
    """Which attributes colour nodes and edges, and the colour of each value."""

    node_attr: str | None
    nodes: dict[str, str]
    edge_attr: str | None
    edges: dict[str, str]

    def edge_values(self, data: Mapping[str, Any]) -> list[str]:
        """The colouring values of one edge (a merged edge has several)."""
        value = data.get(self.edge_attr) if self.edge_attr else None
        return value if isinstance(value, list) else [str(value or "(none)")]


def to_pyvis(graph: nx.Graph, *, max_nodes: int = 1500, max_edges: int = 3000,
             height: str = "78vh") -> Network:
    """A pyvis ``Network`` with the node and edge lists filled directly from ``graph``.

    The size guard (:mod:`transferkg.render.size_guard`: parallel edges merged, then the
    best-connected nodes kept) applies when the graph has more than ``max_nodes`` nodes
    or ``max_edges`` edges; its notices are in ``network.tkg_notices``, the legend in
    ``network.tkg_legend`` and the sending states in ``network.tkg_senders``.
    """
    from pyvis.network import Network

    nodes, edges, notices = fit(graph, max_nodes, max_edges)
    net = Network(height=height, width="100%", directed=graph.is_directed(), cdn_resources="in_line")
    colours = _colours(graph, nodes, edges)
    labels = {n: str(graph.nodes[n].get("label") or n) for n in nodes}
    net.nodes = _node_items(graph, nodes, edges, colours, labels)
    net.node_ids = [item["id"] for item in net.nodes]
    net.node_map = {item["id"]: item for item in net.nodes}
    index_of = {node: f"n{i}" for i, node in enumerate(nodes)}
    parallel: dict[tuple[Any, Any], int] = defaultdict(int)
    for number, edge in enumerate(edges):
        rank = parallel[(edge[0], edge[1])]
        parallel[(edge[0], edge[1])] += 1
        net.edges.append(_edge_item(graph, number, rank, edge, colours, labels, index_of))
    net.tkg_notices = notices  # type: ignore[attr-defined]
    net.tkg_legend = {  # type: ignore[attr-defined]
        "nodes": [(c, colours.nodes[c]) for c in sorted(colours.nodes)] if colours.node_attr else [],
        "edges": legend_entries(colours.edges, colours.edges),
        "node_attr": colours.node_attr, "edge_attr": colours.edge_attr,
        "width": any(isinstance(d.get("people"), (int, float)) for *_, d in edges),
    }
    net.tkg_senders = sorted({s for e in net.edges for s in e["tkg"]["f"]["sender"]})  # type: ignore[attr-defined]
    return net


def _colours(graph: nx.Graph, nodes: Sequence[Any], edges: Sequence[Edge]) -> _Colours:
    node_attr = node_category(graph)
    node_colours = palette((str(graph.nodes[n].get(node_attr) or "other") for n in nodes) if node_attr else [],
                           NODE_COLORS)
    edge_attr = edge_category(edges)
    colours = _Colours(node_attr, node_colours, edge_attr, {})
    if edge_attr:
        values = [v for *_, d in edges for v in colours.edge_values(d)]
        colours.edges.update(palette(values, {**EDGE_COLORS, "(none)": NO_VALUE}))
    return colours


def _node_items(graph: nx.Graph, nodes: Sequence[Any], edges: Sequence[Edge], colours: _Colours,
                labels: Mapping[Any, str]) -> list[dict[str, Any]]:
    degree: dict[Any, int] = defaultdict(int)
    for u, v, *_ in edges:
        degree[u] += 1
        degree[v] += 1
    items = []
    for index, node in enumerate(nodes):
        data = graph.nodes[node]
        category = str(data.get(colours.node_attr) or "other") if colours.node_attr else "other"
        own = data.get("color")
        colour = own if isinstance(own, str) and HEX.match(own) else colours.nodes.get(category, FALLBACK[0])
        shown = drawn(labels[node])
        items.append({
            "id": f"n{index}",
            "label": shown,
            "title": shown,
            "color": colour,
            "size": round(min(40.0, 9 + 4 * math.sqrt(degree[node])), 1),
            "tkg": {"key": str(node), "category": category, "heading": labels[node],
                    "info": _info(data, [("id", str(node))]), "links": _links(data)},
        })
    return items


def _edge_item(graph: nx.Graph, number: int, rank: int, edge: Edge, colours: _Colours,
               labels: Mapping[Any, str], index_of: Mapping[Any, str]) -> dict[str, Any]:
    """One edge; ``rank`` is its place among the parallel edges of its pair (each curves further)."""
    u, v, key, data = edge
    values = colours.edge_values(data)
    heading = str(data.get("label") or f"{labels[u]} → {labels[v]}")
    senders = data.get("senders")
    if not senders and graph.nodes[u].get("role") in _SENDER_ROLES and graph.nodes[v].get("role") != "agreement":
        senders = [u]
    item = {
        "id": f"e{number}",
        "from": index_of[u],
        "to": index_of[v],
        "title": drawn(heading),
        "color": colours.edges.get(values[0], NO_VALUE) if colours.edge_attr else "#8a8a8a",
        "width": edge_width(data.get("people")),
        "smooth": {"enabled": True, "type": "curvedCW", "roundness": round(0.08 + 0.14 * rank, 2)},
        "tkg": {
            "key": None if key is None else str(key),
            "heading": heading,
            "info": _info(data, [("from → to", f"{labels[u]} → {labels[v]}")] +
                          ([("key", str(key))] if key is not None else [])),
            "links": _links(data),
            "f": {"sender": [index_of[s] for s in senders or [] if s in index_of],
                  "status": [v for v in values if v != "(none)"] if colours.edge_attr == "status" else [],
                  "early": data.get("date_earliest") or "", "late": data.get("date_latest") or ""},
        },
    }
    if data.get("edge_label"):
        item["label"] = _text(data["edge_label"], 60)
    return item


def _text(value: Any, limit: int = 400) -> str:
    """A value as one line of a tooltip: lists joined, floats short, at most ``limit`` characters."""
    if isinstance(value, (list, tuple, set)):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, float):
        text = f"{value:g}"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _info(data: Mapping[str, Any], first: Sequence[tuple[str, str]] = ()) -> list[list[str]]:
    """Tooltip rows: ``first``, then every attribute that has a value and is not shown elsewhere."""
    rows = [[k, v] for k, v in first]
    for key, value in data.items():
        if key in _SKIP or key.startswith("_") or value is None or value == "" or value == []:
            continue
        rows.append([key.replace("_", " "), _text(value)])
    return rows


def _links(data: Mapping[str, Any]) -> list[list[str]]:
    """[url, title] of the item's page and its sources: ``http(s)`` URLs only."""
    links: list[list[str]] = []
    url = data.get("url")
    if isinstance(url, str):
        links.append([url, str(data.get("title") or url)])
    urls = data.get("source_urls") or []
    titles = data.get("source_titles") or []
    for index, url in enumerate(urls if isinstance(urls, (list, tuple)) else [urls]):
        title = titles[index] if isinstance(titles, (list, tuple)) and index < len(titles) else url
        links.append([str(url), str(title or url)])
    return [link for link in links if re.match(r"^https?://", link[0], re.IGNORECASE)]
