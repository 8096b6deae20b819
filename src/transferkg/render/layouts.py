"""Where nodes and labels go in a static figure, so that no label sits on another.

Three layouts, chosen by the roles of the nodes: two rings for the deal network
(:func:`shell_layout`), columns for layered views (:func:`column_layout`), and a seeded
spring layout for the rest (:func:`free_layout`), whose labels :func:`declutter` moves
apart. The same graph always gives the same positions.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import networkx as nx

__all__ = ["LABEL_CHARS", "column_layout", "column_reach", "declutter", "free_layout", "shell_layout", "split_both"]

Positions = dict[Any, Any]

LABEL_CHARS = 70
"""Longest label drawn in a column layout (longer ones are shortened with …)."""

_LAYERS = {"publisher": 0, "source": 1, "claim": 2, "subject": 3, "speaker": 4}

_COLUMNS = ({"sender": 0, "both": 0, "agreement": 1, "host": 2},
            {"nationality": 0, "information-status": 0, "not-recorded": 0, "host": 1},
            {"publisher": 0, "source": 1, "claim": 2, "subject": 3, "speaker": 4})


def free_layout(graph: nx.Graph, kinds: Mapping[Any, str], seed: int) -> Positions:
    """A seeded spring layout; from 500 nodes on (where networkx's spring layout needs
    scipy and any force layout takes minutes), layers by kind when the nodes have
    kinds (the provenance view reads left to right), else a circle."""
    if len(graph) < 500:
        return nx.spring_layout(graph, seed=seed, k=1.6 / math.sqrt(max(len(graph), 1)))  # type: ignore[no-any-return]
    layers = {n: _LAYERS.get(kinds.get(n, ""), len(_LAYERS)) for n in graph}
    if len(set(layers.values())) > 1:
        nx.set_node_attributes(graph, layers, "_layer")
        return nx.multipartite_layout(graph, subset_key="_layer")  # type: ignore[no-any-return]
    return nx.circular_layout(graph)  # type: ignore[no-any-return]


def shell_layout(graph: nx.Graph) -> tuple[Positions, set[Any]] | None:
    """Senders inside, hosts on an outer ring ordered by their main sender: no label sits on another.

    For graphs whose nodes have sender/host roles (the deal network); None otherwise.
    The set returned holds the nodes of the outer ring.
    """
    roles = {n: graph.nodes[n].get("role") for n in graph}
    inner = sorted((n for n, r in roles.items() if r in ("sender", "both")),
                   key=lambda n: (-graph.out_degree(n) if graph.is_directed() else 0, str(graph.nodes[n].get("label"))))
    outer = [n for n in graph if n not in inner]
    if not inner or not outer or any(r not in ("sender", "host", "both") for r in roles.values()):
        return None
    rank = {n: i for i, n in enumerate(inner)}

    def main_sender(n: Any) -> int:
        preds = list(graph.predecessors(n)) if graph.is_directed() else list(graph.neighbors(n))
        return min((rank[p] for p in preds if p in rank), default=len(rank))

    outer.sort(key=lambda n: (main_sender(n), str(graph.nodes[n].get("label") or n)))
    pos: Positions = {}
    for i, node in enumerate(outer):
        angle = 2 * math.pi * i / len(outer)
        pos[node] = (math.cos(angle), math.sin(angle))
    if len(inner) == 1:
        pos[inner[0]] = (0.0, 0.0)
    else:
        for i, node in enumerate(inner):
            angle = 2 * math.pi * i / len(inner) + math.pi / len(inner)
            pos[node] = (0.38 * math.cos(angle), 0.38 * math.sin(angle))
    return pos, set(outer)


def _label(graph: nx.Graph, node: Any) -> str:
    return str(graph.nodes[node].get("label") or node)


def column_layout(graph: nx.Graph) -> tuple[Positions, dict[Any, int]] | None:
    """Nodes in columns by role (senders | agreements | hosts; publishers | sources | claims |
    subjects | speakers), each column ordered by its neighbours' places so lines cross
    little; None when the roles are not one of these layerings or a column is too tall
    to label (more than 150 nodes). The dict returned gives each node's column (0, 1 …)."""
    roles = {n: str(graph.nodes[n].get("role") or "") for n in graph}
    columns = next((c for c in _COLUMNS if set(roles.values()) <= set(c) and len(set(roles.values())) > 1), None)
    if columns is None:
        return None
    col = {n: columns[r] for n, r in roles.items()}
    members: dict[int, list[Any]] = defaultdict(list)
    for node in graph:
        members[col[node]].append(node)
    if max(len(m) for m in members.values()) > 150:
        return None
    order = sorted(members)
    place = _barycentre_places(graph, col, members, order)
    tallest = max(len(m) for m in members.values())
    pos = {}
    x = 0.0
    for c in order:  # x in characters: each column leaves room for its labels
        span = min(1.0, 3 * len(members[c]) / tallest)
        for node in members[c]:
            pos[node] = (x, 1 - (0.5 - span / 2 + span * place[node]))
        x += 14 + (min(max(len(_label(graph, n)) for n in members[c]), LABEL_CHARS) if c != order[0] else 0)
    return pos, {n: order.index(col[n]) for n in graph}


def _barycentre_places(graph: nx.Graph, col: Mapping[Any, int], members: Mapping[int, list[Any]],
                       order: list[int]) -> dict[Any, float]:
    """Each node's place (0–1) in its column: a few sweeps left to right, each node near its neighbours."""
    place: dict[Any, float] = {}

    def centre(n: Any, c: int, fallback: float) -> float:
        near = [place[m] for m in nx.all_neighbors(graph, n) if m in place and col[m] != c]
        return sum(near) / len(near) if near else fallback

    for sweep in range(3):
        for c in order:
            if sweep == 0 and c == order[0]:  # the first column starts with its busiest nodes
                ranked = sorted(members[c], key=lambda n: (-graph.degree(n), _label(graph, n)))
            else:
                ranked = sorted(members[c], key=lambda n: (centre(n, c, place.get(n, 0.5)), _label(graph, n)))
            for i, node in enumerate(ranked):
                place[node] = (i + 0.5) / len(ranked)
    return place


def split_both(graph: nx.Graph) -> nx.Graph:
    """Nationality flows for drawing: a state that is both a nationality and a host becomes two
    nodes (its nationals on the left, the host on the right), so flows read left to right."""
    roles = {str(d.get("role") or "") for _, d in graph.nodes(data=True)}
    if "nationality" not in roles or "both" not in roles or not graph.is_directed():
        return graph
    split = graph.copy()
    for node, data in graph.nodes(data=True):
        if data.get("role") != "both":
            continue
        twin = ("nationals", node)
        split.add_node(twin, **{**data, "role": "nationality"})
        split.nodes[node]["role"] = "host"
        for _, target, *rest in list(graph.out_edges(node, keys=True, data=True) if graph.is_multigraph()
                                     else graph.out_edges(node, data=True)):
            split.add_edge(twin, target, **rest[-1])
        split.remove_edges_from(list(split.out_edges(node, keys=True) if split.is_multigraph()
                                     else split.out_edges(node)))
    return split


def column_reach(graph: nx.Graph, pos: Mapping[Any, Any], col: Mapping[Any, int]) -> tuple[float, float]:
    """The x range (in characters) a column layout needs, labels included."""
    def width(n: Any) -> int:
        return min(len(_label(graph, n)), LABEL_CHARS)

    last = max(col.values())
    left = min(pos[n][0] - width(n) for n in graph if col[n] == 0)
    right = max(pos[n][0] + width(n) for n in graph if col[n] == last)
    return left - 3, right + 3


def declutter(fig: Any, ax: Any, texts: list[Any], rounds: int = 60) -> None:
    """Move labels apart vertically until no two overlap (a few rounds suffice for a few hundred)."""
    if len(texts) < 2:
        return
    renderer = fig.canvas.get_renderer()
    inverse = ax.transData.inverted()
    for _ in range(rounds):
        boxes = [t.get_window_extent(renderer=renderer).expanded(1.05, 1.15) for t in texts]
        moved = False
        for i in range(len(texts)):
            for j in range(i + 1, len(texts)):
                if not boxes[i].overlaps(boxes[j]):
                    continue
                overlap = min(boxes[i].y1, boxes[j].y1) - max(boxes[i].y0, boxes[j].y0)
                lower, upper = (i, j) if boxes[i].y0 <= boxes[j].y0 else (j, i)
                for index, sign in ((lower, -1), (upper, 1)):
                    x, y = texts[index].get_position()
                    dy = inverse.transform((0, overlap / 2 + 1))[1] - inverse.transform((0, 0))[1]
                    texts[index].set_position((x, y + sign * dy))
                    boxes[index] = texts[index].get_window_extent(renderer=renderer).expanded(1.05, 1.15)
                moved = True
        if not moved:
            return
