"""The size guard of the HTML page: what to draw when a view is too big to draw whole.

Beyond the limits, parallel edges between the same two nodes are merged into one
(hovering it lists its members), then only the best-connected nodes are kept, then
the edges with the most people; each step adds a notice the page shows, so nothing
is left out silently.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx

from transferkg.render.encoding import Edge, edge_list

__all__ = ["fit"]


def fit(graph: nx.Graph, max_nodes: int, max_edges: int) -> tuple[list[Any], list[Edge], list[str]]:
    """Nodes and edges to draw, within the limits, and what was done to fit them."""
    nodes = list(graph.nodes)
    edges = edge_list(graph)
    notices: list[str] = []
    if len(edges) > max_edges or len(nodes) > max_nodes:
        edges = _merge_parallel(graph, edges, notices)
    if len(nodes) > max_nodes:
        nodes, edges = _best_connected(graph, nodes, edges, max_nodes, notices)
    if len(edges) > max_edges:
        edges = _most_people(edges, max_edges, notices)
    return nodes, edges, notices


def _merge_parallel(graph: nx.Graph, edges: list[Edge], notices: list[str]) -> list[Edge]:
    groups: dict[tuple[Any, Any], list[Edge]] = defaultdict(list)
    for edge in edges:
        groups[(edge[0], edge[1])].append(edge)
    if not any(len(g) > 1 for g in groups.values()):
        return edges
    merged = [(u, v, f"{u}→{v}" if len(g) > 1 else g[0][2], _merge(g, graph) if len(g) > 1 else g[0][3])
              for (u, v), g in groups.items()]
    notices.append(f"{len(edges)} edges: parallel edges between the same two nodes were merged into "
                   f"{len(merged)} (hover a merged edge for its members).")
    return merged


def _best_connected(graph: nx.Graph, nodes: list[Any], edges: list[Edge], max_nodes: int,
                    notices: list[str]) -> tuple[list[Any], list[Edge]]:
    degree: dict[Any, float] = defaultdict(float)
    for u, v, _k, d in edges:
        weight = d.get("merged_edges") or 1
        degree[u] += weight
        degree[v] += weight
    ranked = sorted(nodes, key=lambda n: (-degree[n], str(n)))
    keep = set(ranked[:max_nodes])
    nodes = [n for n in nodes if n in keep]
    edges = [e for e in edges if e[0] in keep and e[1] in keep]
    notices.append(f"Showing the {len(nodes)} most connected of {graph.number_of_nodes()} nodes "
                   f"(limit {max_nodes}); the others and their edges are left out.")
    return nodes, edges


def _most_people(edges: list[Edge], max_edges: int, notices: list[str]) -> list[Edge]:
    before = len(edges)
    ranked = sorted(edges, key=lambda e: (-(e[3].get("people") or 0), -(e[3].get("merged_edges") or 1),
                                          str(e[0]), str(e[1]), str(e[2])))
    keep = {(str(e[0]), str(e[1]), str(e[2])) for e in ranked[:max_edges]}
    edges = [e for e in edges if (str(e[0]), str(e[1]), str(e[2])) in keep]
    notices.append(f"Showing {len(edges)} of {before} edges (limit {max_edges}), those with the most people first.")
    return edges


def _merge(group: list[Edge], graph: nx.Graph) -> dict[str, Any]:
    """One edge standing for parallel edges."""
    u, v = group[0][0], group[0][1]
    people = [d.get("people") for *_, d in group if isinstance(d.get("people"), (int, float))]
    earliest = [d["date_earliest"] for *_, d in group if d.get("date_earliest")]
    latest = [d["date_latest"] for *_, d in group if d.get("date_latest")]
    urls, titles = _merged_sources(group)
    labels = [str(d.get("label") or k) for _, _, k, d in group]
    return {
        "label": f"{len(group)} edges {graph.nodes[u].get('label', u)} → {graph.nodes[v].get('label', v)}",
        "merged_edges": len(group),
        "members": labels[:25] + ([f"… and {len(labels) - 25} more"] if len(labels) > 25 else []),
        "people": sum(people) if people else None,
        "status": sorted({str(d["status"]) for *_, d in group if d.get("status")}),
        "date_earliest": min(earliest) if earliest else None,
        "date_latest": max(latest) if latest else None,
        "source_urls": urls,
        "source_titles": titles,
        "senders": sorted({s for *_, d in group for s in (d.get("senders") or [])}),
    }


def _merged_sources(group: list[Edge]) -> tuple[list[str], list[str]]:
    """The first 20 distinct source URLs of the group, with their titles."""
    urls: list[str] = []
    titles: list[str] = []
    for *_, d in group:
        for index, url in enumerate(d.get("source_urls") or []):
            if url not in urls and len(urls) < 20:
                urls.append(url)
                names = d.get("source_titles") or []
                titles.append(names[index] if index < len(names) else url)
    return urls, titles
