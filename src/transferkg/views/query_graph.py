"""A graph from any SELECT result with Wikidata-style ``?item``/``?target`` columns.

``transferkg view --query`` draws a library query (or a ``.rq`` file) this way, as
the Wikidata Query Service draws its ``#defaultView:Graph`` results.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import networkx as nx
from rdflib.term import Node

from transferkg.core.errors import BadParameter
from transferkg.query.results import readable
from transferkg.store.base import SelectResult
from transferkg.views.rows import as_text, node_id

__all__ = ["graph_from_result"]

_HEX = re.compile(r"^#?([0-9A-Fa-f]{6})$")


def graph_from_result(result: SelectResult, *, name: str = "query") -> nx.MultiDiGraph:
    """A graph from any SELECT result with Wikidata-style graph columns.

    ``?item`` (with ``?itemLabel``) → ``?target`` (with ``?targetLabel``) makes an
    edge; ``?edgeLabel`` labels it, ``?rgb`` (hex, as on the Wikidata Query Service)
    colours the item node, an ``?edge`` column gives the edge key, and every other
    column becomes an edge attribute (readable values: CURIEs, dates as text). A row
    without a target adds the item alone.

    Raises:
        BadParameter: the result has no ``?item`` column.
    """
    if "item" not in result.vars:
        raise BadParameter("the query's results need an ?item column (and ?target for edges), "
                           f"Wikidata style; its columns: {', '.join(result.vars) or 'none'}")
    graph = nx.MultiDiGraph(name=name, description="?item → ?target")
    extra = [v for v in result.vars if v not in ("item", "itemLabel", "target", "targetLabel", "edgeLabel", "rgb", "edge")]
    edges: list[tuple[str, str, str, dict[str, Any]]] = []
    nodes: dict[str, dict[str, Any]] = {}
    for index, row in enumerate(result.dicts()):
        if row.get("item") is None:
            continue
        item = node_id(row["item"])
        info = nodes.setdefault(item, {"label": as_text(row.get("itemLabel")) or item, "kind": "item", "role": "item"})
        rgb = _HEX.match(as_text(row.get("rgb")) or "")
        if rgb:
            info["color"] = "#" + rgb.group(1).upper()
        target = row.get("target")
        if target is None:
            continue
        tid = node_id(target)
        nodes.setdefault(tid, {"label": as_text(row.get("targetLabel")) or tid, "kind": "target", "role": "target"})
        key = node_id(row["edge"]) if row.get("edge") is not None else f"row-{index + 1}"
        edges.append((item, tid, key, _edge_attributes(row, extra)))
    sources = {u for u, *_ in edges}
    targets = {v for _, v, *_ in edges}
    for nid in sorted(nodes):
        info = nodes[nid]
        info["role"] = "both" if nid in sources and nid in targets else ("item" if nid in sources or nid not in
                                                                           targets else "target")
        info["kind"] = info["role"]
        graph.add_node(nid, **info)
    seen: set[tuple[str, str, str]] = set()
    for u, v, key, attributes in sorted(edges, key=lambda e: (e[0], e[1], e[2])):
        if (u, v, key) in seen:  # the same edge on several rows (e.g. one per source): keep one
            continue
        seen.add((u, v, key))
        graph.add_edge(u, v, key=key, **attributes)
    return graph


def _edge_attributes(row: Mapping[str, Node | None], extra: list[str]) -> dict[str, Any]:
    """An edge's ``label`` (and ``edge_label``) and every other column as a readable value."""
    attributes: dict[str, Any] = {"label": as_text(row.get("edgeLabel")) or ""}
    if row.get("edgeLabel") is not None:
        attributes["edge_label"] = str(row["edgeLabel"])
    for var in extra:
        value = readable(row.get(var))
        attributes[var] = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
    return attributes
