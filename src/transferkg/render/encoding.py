"""How a view's data becomes marks, the same on the HTML page and in the figures.

Which attribute colours the nodes (``role``, else ``kind``) and the edges (``status``,
else ``relation``), how wide an edge is for the people it carries, and how a label is
drawn: control characters shown, at most :data:`DRAWN_CHARS` characters, so one
absurdly long label cannot zoom a drawing to nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import networkx as nx

from transferkg.core.outputs import printable

__all__ = ["DRAWN_CHARS", "Edge", "drawn", "edge_category", "edge_list", "edge_width", "node_category"]

Edge = tuple[Any, Any, Any, dict[str, Any]]
"""(source, target, key or None, attributes): one edge of a graph or multigraph."""

DRAWN_CHARS = 80
"""Longest label drawn on the canvas; the details panel and the table show the whole text."""


def drawn(label: str) -> str:
    """A label as drawn: control characters visible, at most :data:`DRAWN_CHARS` characters (else "…").

    A 100 KB label drawn in full would make the network zoom out to nothing.
    """
    text = printable(label)
    return text if len(text) <= DRAWN_CHARS else text[: DRAWN_CHARS - 1] + "…"


def node_category(graph: nx.Graph) -> str | None:
    """The node attribute that picks a node's colour: ``role``, else ``kind``, else none."""
    for attribute in ("role", "kind"):
        if any(attribute in data for _, data in graph.nodes(data=True)):
            return attribute
    return None


def edge_category(edges: Sequence[Edge]) -> str | None:
    """The edge attribute that picks an edge's colour: ``status``, else ``relation``, else none."""
    for attribute in ("status", "relation"):
        if any(data.get(attribute) for *_, data in edges):
            return attribute
    return None


def edge_width(people: Any) -> float:
    """Line width for an edge carrying ``people`` (log scale; 1 when unknown)."""
    if not isinstance(people, (int, float)) or people <= 0:
        return 1.0
    return round(1.0 + 1.6 * math.log10(1 + people), 2)


def edge_list(graph: nx.Graph) -> list[Edge]:
    """Every edge as (u, v, key, attributes), keys ``None`` for a simple graph."""
    if graph.is_multigraph():
        return [(u, v, k, dict(d)) for u, v, k, d in graph.edges(keys=True, data=True)]
    return [(u, v, None, dict(d)) for u, v, d in graph.edges(data=True)]
