"""Pictures of the views: self-contained interactive HTML, and static PNG/SVG figures.

The HTML page is written by this module's own small template, not pyvis's: pyvis's
templates link Bootstrap (and, in ``"local"`` mode, vis-network) from a CDN. The
vis-network JavaScript and CSS that ship inside the pyvis package are inlined, the
page declares a Content-Security-Policy that forbids every network fetch, and it
opens from ``file://`` with the network cut off. The node and edge lists are
filled directly (pyvis's ``from_nx`` is quadratic in the number of nodes).

Text from the data never becomes markup: the graph travels as JSON inside a
``<script type="application/json">`` block (``<``, ``>`` and ``&`` escaped as
``\\u003c`` …), tooltips and the detail panel are built with ``textContent``, links
only ever get ``http(s)`` URLs, and the server-side legend and table are
HTML-escaped. vis-network draws labels on a canvas. The page template is filled in
one pass over the template only (:func:`transferkg.core.outputs.fill_template`), so data
that holds a placeholder name is just text; a label is drawn at most 80 characters
long (the details panel and the table show it whole), so one absurdly long label
cannot zoom the drawing to nothing.

Static figures use matplotlib's object API (``Figure`` + Agg/SVG canvases), so they
never touch pyplot's global state or need a display. Text from the data is drawn
literally: ``$x^2$``, ``\\``, ``_`` and ``^`` are never read as mathtext or TeX.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import math
import os
import re
import textwrap
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import networkx as nx

from transferkg.core.outputs import fill_template, printable

if TYPE_CHECKING:
    from pyvis.network import Network

__all__ = [
    "EDGE_COLORS",
    "NODE_COLORS",
    "STATUS_COLORS",
    "plot_network",
    "plot_timeline",
    "render_html",
    "timeline_figure",
    "timeline_rows",
    "to_pyvis",
    "write_html",
]

#: Node colours by ``role`` (or ``kind``): greys for states, so that colour means status on edges.
NODE_COLORS: dict[str, str] = {
    "sender": "#333333",
    "host": "#BDBDBD",
    "both": "#7A7A7A",
    "agreement": "#F0E442",
    "state": "#BDBDBD",
    "nationality": "#56B4E9",
    "information-status": "#E69F00",
    "not-recorded": "#DDDDDD",
    "publisher": "#7F7F7F",
    "source": "#56B4E9",
    "claim": "#F0E442",
    "subject": "#0072B2",
    "speaker": "#CC79A7",
    "recognizer": "#333333",
    "recognized": "#BDBDBD",
    "item": "#0072B2",
    "target": "#E69F00",
}

# A colour-blind-safe palette (Okabe & Ito): statuses are grouped by meaning, and the groups
# that must never be confused — signed, operative (in force, implemented, resumed), blocked by
# a court — get hues that stay apart under every common colour-vision deficiency.
_OKABE_ITO = {"sky": "#56B4E9", "blue": "#0072B2", "green": "#009E73", "orange": "#E69F00",
              "vermillion": "#D55E00", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000"}

#: Status colours, used by every view and figure.
STATUS_COLORS: dict[str, str] = {
    "proposed": "#A6A6A6",
    "announced": _OKABE_ITO["sky"],
    "signed": _OKABE_ITO["blue"],
    "ratified": _OKABE_ITO["blue"],
    "in-force": _OKABE_ITO["green"],
    "implemented": _OKABE_ITO["green"],
    "resumed": _OKABE_ITO["green"],
    "suspended": _OKABE_ITO["orange"],
    "disputed": _OKABE_ITO["orange"],
    "blocked-by-court": _OKABE_ITO["vermillion"],
    "refused": _OKABE_ITO["purple"],
    "terminated": "#4D4D4D",
    "expired": "#4D4D4D",
}

#: Edge colours by ``status`` (agreement status codes, recognition actions, provenance relations).
EDGE_COLORS: dict[str, str] = {
    **STATUS_COLORS,
    "recognises": _OKABE_ITO["green"],
    "does-not-recognise": _OKABE_ITO["vermillion"],
    "published": "#7F7F7F",
    "states": _OKABE_ITO["sky"],
    "about": _OKABE_ITO["blue"],
    "said": _OKABE_ITO["purple"],
    "sendingState": _OKABE_ITO["orange"],
    "receivingState": _OKABE_ITO["blue"],
}

_FALLBACK = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#7F7F7F",
             "#000000", "#A6A6A6"]
_NO_VALUE = "#D9D9D9"  # lighter than "proposed": nothing recorded
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
_SKIP = {"label", "iri", "color", "x", "y", "title", "weight", "source_urls", "source_titles", "url",
         "edge_label", "senders", "bipartite", "kind"}


# --------------------------------------------------------------------------- helpers


def _palette(categories: Iterable[str], known: Mapping[str, str]) -> dict[str, str]:
    colours: dict[str, str] = {}
    spare = iter(c for c in _FALLBACK * 4)
    for category in sorted(set(categories)):
        colours[category] = known.get(category) or next(spare, _NO_VALUE)
    return colours


def _text(value: Any, limit: int = 400) -> str:
    if isinstance(value, (list, tuple, set)):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, float):
        text = f"{value:g}"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_DRAWN_CHARS = 80
"""Longest label drawn on the canvas; the details panel and the table show the whole text."""


def _drawn(label: str) -> str:
    """A label as drawn: control characters visible, at most :data:`_DRAWN_CHARS` characters (else "…").

    A 100 KB label drawn in full would make the network zoom out to nothing.
    """
    text = printable(label)
    return text if len(text) <= _DRAWN_CHARS else text[: _DRAWN_CHARS - 1] + "…"


def _info(data: Mapping[str, Any], first: Sequence[tuple[str, str]] = ()) -> list[list[str]]:
    rows = [[k, v] for k, v in first]
    for key, value in data.items():
        if key in _SKIP or key.startswith("_") or value is None or value == "" or value == []:
            continue
        rows.append([key.replace("_", " "), _text(value)])
    return rows


def _links(data: Mapping[str, Any]) -> list[list[str]]:
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


def _node_category(graph: nx.Graph) -> str | None:
    for attribute in ("role", "kind"):
        if any(attribute in data for _, data in graph.nodes(data=True)):
            return attribute
    return None


def _edge_category(edges: Sequence[tuple[Any, Any, Any, dict[str, Any]]]) -> str | None:
    for attribute in ("status", "relation"):
        if any(data.get(attribute) for *_, data in edges):
            return attribute
    return None


def _width(people: Any) -> float:
    if not isinstance(people, (int, float)) or people <= 0:
        return 1.0
    return round(1.0 + 1.6 * math.log10(1 + people), 2)


def _edges(graph: nx.Graph) -> list[tuple[Any, Any, Any, dict[str, Any]]]:
    if graph.is_multigraph():
        return [(u, v, k, dict(d)) for u, v, k, d in graph.edges(keys=True, data=True)]
    return [(u, v, None, dict(d)) for u, v, d in graph.edges(data=True)]


def _merge(group: list[tuple[Any, Any, Any, dict[str, Any]]], graph: nx.Graph) -> dict[str, Any]:
    """One edge standing for parallel edges (the size guard)."""
    u, v = group[0][0], group[0][1]
    people = [d.get("people") for *_, d in group if isinstance(d.get("people"), (int, float))]
    statuses = sorted({str(d["status"]) for *_, d in group if d.get("status")})
    earliest = [d["date_earliest"] for *_, d in group if d.get("date_earliest")]
    latest = [d["date_latest"] for *_, d in group if d.get("date_latest")]
    urls: list[str] = []
    titles: list[str] = []
    for *_, d in group:
        for index, url in enumerate(d.get("source_urls") or []):
            if url not in urls and len(urls) < 20:
                urls.append(url)
                names = d.get("source_titles") or []
                titles.append(names[index] if index < len(names) else url)
    labels = [str(d.get("label") or k) for _, _, k, d in group]
    return {
        "label": f"{len(group)} edges {graph.nodes[u].get('label', u)} → {graph.nodes[v].get('label', v)}",
        "merged_edges": len(group),
        "members": labels[:25] + ([f"… and {len(labels) - 25} more"] if len(labels) > 25 else []),
        "people": sum(people) if people else None,
        "status": statuses,
        "date_earliest": min(earliest) if earliest else None,
        "date_latest": max(latest) if latest else None,
        "source_urls": urls,
        "source_titles": titles,
        "senders": sorted({s for *_, d in group for s in (d.get("senders") or [])}),
    }


def _guard(graph: nx.Graph, max_nodes: int, max_edges: int
           ) -> tuple[list[Any], list[tuple[Any, Any, Any, dict[str, Any]]], list[str]]:
    """Nodes and edges to draw, within the limits, and what was done to fit them."""
    nodes = list(graph.nodes)
    edges = _edges(graph)
    notices: list[str] = []
    if len(edges) > max_edges or len(nodes) > max_nodes:
        groups: dict[tuple[Any, Any], list[tuple[Any, Any, Any, dict[str, Any]]]] = defaultdict(list)
        for edge in edges:
            groups[(edge[0], edge[1])].append(edge)
        if any(len(g) > 1 for g in groups.values()):
            merged = [(u, v, f"{u}→{v}" if len(g) > 1 else g[0][2], _merge(g, graph) if len(g) > 1 else g[0][3])
                      for (u, v), g in groups.items()]
            notices.append(f"{len(edges)} edges: parallel edges between the same two nodes were merged into "
                           f"{len(merged)} (hover a merged edge for its members).")
            edges = merged
    if len(nodes) > max_nodes:
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
    if len(edges) > max_edges:
        before = len(edges)
        ranked_edges = sorted(edges, key=lambda e: (-(e[3].get("people") or 0), -(e[3].get("merged_edges") or 1),
                                                    str(e[0]), str(e[1]), str(e[2])))
        keep_edges = {(str(e[0]), str(e[1]), str(e[2])) for e in ranked_edges[:max_edges]}
        edges = [e for e in edges if (str(e[0]), str(e[1]), str(e[2])) in keep_edges]
        notices.append(f"Showing {len(edges)} of {before} edges (limit {max_edges}), those with the most people first.")
    return nodes, edges, notices


# --------------------------------------------------------------------------- pyvis


def to_pyvis(graph: nx.Graph, *, max_nodes: int = 1500, max_edges: int = 3000,
             height: str = "78vh") -> Network:
    """A pyvis ``Network`` with the node and edge lists filled directly from ``graph``.

    Each node and edge dict holds the vis-network options (``color``, ``size``,
    ``width``, ``smooth`` …), a plain-text ``title``, and under ``tkg`` the data for
    this module's page: tooltip rows, source links and filter fields. The size guard
    (parallel edges merged, then the best-connected nodes kept) applies when the graph
    has more than ``max_nodes`` nodes or ``max_edges`` edges; its notices are in
    ``network.tkg_notices``.
    """
    from pyvis.network import Network

    nodes, edges, notices = _guard(graph, max_nodes, max_edges)
    net = Network(height=height, width="100%", directed=graph.is_directed(), cdn_resources="in_line")
    node_attr = _node_category(graph)
    node_colours = _palette((str(graph.nodes[n].get(node_attr) or "other") for n in nodes) if node_attr else [],
                            NODE_COLORS)
    edge_attr = _edge_category(edges)
    edge_values: list[str] = []
    for *_, d in edges:
        value = d.get(edge_attr) if edge_attr else None
        edge_values.extend(value if isinstance(value, list) else [str(value or "(none)")])
    edge_colours = _palette(edge_values, {**EDGE_COLORS, "(none)": _NO_VALUE}) if edge_attr else {}
    degree: dict[Any, int] = defaultdict(int)
    for u, v, *_ in edges:
        degree[u] += 1
        degree[v] += 1
    node_ids = []
    node_map = {}
    labels = {n: str(graph.nodes[n].get("label") or n) for n in nodes}
    drawn = {n: _drawn(text) for n, text in labels.items()}
    for index, node in enumerate(nodes):
        data = graph.nodes[node]
        category = str(data.get(node_attr) or "other") if node_attr else "other"
        colour = data.get("color") if isinstance(data.get("color"), str) and _HEX.match(data["color"]) else \
            node_colours.get(category, _FALLBACK[0])
        item = {
            "id": f"n{index}",
            "label": drawn[node],
            "title": drawn[node],
            "color": colour,
            "size": round(min(40.0, 9 + 4 * math.sqrt(degree[node])), 1),
            "tkg": {"key": str(node), "category": category, "heading": labels[node],
                    "info": _info(data, [("id", str(node))]), "links": _links(data)},
        }
        net.nodes.append(item)
        node_ids.append(item["id"])
        node_map[item["id"]] = item
    index_of = {node: f"n{i}" for i, node in enumerate(nodes)}
    net.node_ids, net.node_map = node_ids, node_map
    parallel: dict[tuple[Any, Any], int] = defaultdict(int)
    sender_roles = {"sender", "both"}
    for number, (u, v, key, data) in enumerate(edges):
        pair = (u, v)
        rank = parallel[pair]
        parallel[pair] += 1
        value = data.get(edge_attr) if edge_attr else None
        values = value if isinstance(value, list) else [str(value or "(none)")]
        heading = str(data.get("label") or f"{labels[u]} → {labels[v]}")
        senders = data.get("senders")
        if not senders and graph.nodes[u].get("role") in sender_roles and graph.nodes[v].get("role") != "agreement":
            senders = [u]
        edge = {
            "id": f"e{number}",
            "from": index_of[u],
            "to": index_of[v],
            "title": _drawn(heading),
            "color": edge_colours.get(values[0], _NO_VALUE) if edge_attr else "#8a8a8a",
            "width": _width(data.get("people")),
            "smooth": {"enabled": True, "type": "curvedCW", "roundness": round(0.08 + 0.14 * rank, 2)},
            "tkg": {
                "key": None if key is None else str(key),
                "heading": heading,
                "info": _info(data, [("from → to", f"{labels[u]} → {labels[v]}")] +
                              ([("key", str(key))] if key is not None else [])),
                "links": _links(data),
                "f": {"sender": [index_of[s] for s in senders or [] if s in index_of],
                      "status": [v for v in values if v != "(none)"] if edge_attr == "status" else [],
                      "early": data.get("date_earliest") or "", "late": data.get("date_latest") or ""},
            },
        }
        if data.get("edge_label"):
            edge["label"] = _text(data["edge_label"], 60)
        net.edges.append(edge)
    net.tkg_notices = notices  # type: ignore[attr-defined]
    net.tkg_legend = {  # type: ignore[attr-defined]
        "nodes": [(c, node_colours[c]) for c in sorted(node_colours)] if node_attr else [],
        "edges": _legend_entries(edge_colours, edge_colours),
        "node_attr": node_attr, "edge_attr": edge_attr,
        "width": any(isinstance(d.get("people"), (int, float)) for *_, d in edges),
    }
    net.tkg_senders = sorted({s for e in net.edges for s in e["tkg"]["f"]["sender"]})  # type: ignore[attr-defined]
    return net


# --------------------------------------------------------------------------- HTML


def _vis_assets() -> tuple[str, str]:
    """vis-network's JS and CSS from the installed pyvis package, safe to inline."""
    import pyvis

    lib = Path(pyvis.__file__).parent / "lib"
    folders = sorted(lib.glob("vis-9*"), key=lambda p: tuple(int(x) for x in re.findall(r"\d+", p.name)))
    if not folders:
        raise FileNotFoundError(f"vis-network not found in {lib}")
    js = (folders[-1] / "vis-network.min.js").read_text(encoding="utf-8")
    css = (folders[-1] / "vis-network.css").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S*", "", js)
    css = re.sub(r"/\*# sourceMappingURL=\S*\s*\*/", "", css)
    js = re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)
    css = re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)
    return js, css


def _json_for_script(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


_CSS = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;background:#fafafa}
header{padding:.6rem 1rem;background:#fff;border-bottom:1px solid #ddd}
h1{font-size:1.15rem;margin:0 0 .2rem}
.sub{color:#555;margin:0}
.notice{margin:.4rem 0 0;padding:.4rem .6rem;background:#fff3cd;border:1px solid #e0c36a;border-radius:4px}
main{display:flex;gap:.6rem;padding:.6rem}
#tkg-network{flex:1;height:__HEIGHT__;background:#fff;border:1px solid #ddd;border-radius:4px;min-width:0}
aside{width:300px;flex:none;display:flex;flex-direction:column;gap:.6rem}
.box{background:#fff;border:1px solid #ddd;border-radius:4px;padding:.5rem .6rem}
.box h2{font-size:.9rem;margin:0 0 .35rem}
.legend li{list-style:none;margin:.1rem 0}
.legend ul{padding:0;margin:0}
.sw{display:inline-block;width:12px;height:12px;border-radius:50%;margin-right:.4rem;vertical-align:-1px}
.ln{display:inline-block;width:20px;height:4px;margin-right:.4rem;vertical-align:2px}
form label{display:block;margin:.2rem 0}
form select,form input{width:100%}
.tkg-tip{max-width:380px;font-size:12px;white-space:normal}
.tkg-tip table{border-collapse:collapse;margin-top:.25rem}
.tkg-tip th{text-align:left;font-weight:600;padding:0 .5rem 0 0;vertical-align:top;white-space:nowrap}
.tkg-tip td{vertical-align:top;word-break:break-word}
.tkg-tip strong,.tkg-tip td,table.data td{overflow-wrap:anywhere}
.tkg-links{margin:.3rem 0 0;padding-left:1rem}
#tkg-details .tkg-tip{max-width:none}
details{margin:.6rem}
table.data{border-collapse:collapse;background:#fff;font-size:12px}
table.data th,table.data td{border:1px solid #ddd;padding:.15rem .35rem;text-align:left;vertical-align:top}
div.vis-tooltip{max-width:400px;white-space:normal}
"""

_JS = r"""
(function () {
  "use strict";
  var errors = window.__tkgErrors;
  var raw = JSON.parse(document.getElementById("tkg-data").textContent);
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function safeUrl(u) { return (typeof u === "string" && /^https?:\/\//i.test(u)) ? u : null; }
  // a hover tooltip shows at most 300 characters of a text; the details panel shows it whole
  function cap(s, full) {
    if (s === null || s === undefined) { return s; }
    s = String(s);
    return (full || s.length <= 300) ? s : s.slice(0, 299) + "\u2026";
  }
  function tip(t, full) {
    var box = el("div", "tkg-tip");
    box.appendChild(el("strong", null, cap(t.heading, full)));
    if (t.info && t.info.length) {
      var table = el("table");
      t.info.forEach(function (row) {
        var tr = el("tr");
        tr.appendChild(el("th", null, cap(row[0], full)));
        tr.appendChild(el("td", null, cap(row[1], full)));
        table.appendChild(tr);
      });
      box.appendChild(table);
    }
    var links = (t.links || []).filter(function (l) { return safeUrl(l[0]); });
    if (links.length) {
      box.appendChild(el("div", null, "Sources:"));
      var ul = el("ul", "tkg-links");
      links.forEach(function (l) {
        var li = el("li"), a = el("a", null, cap(l[1] || l[0], full));
        a.href = safeUrl(l[0]); a.target = "_blank"; a.rel = "noopener noreferrer";
        li.appendChild(a); ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    return box;
  }
  var meta = {};
  function item(x) {
    var o = {};
    Object.keys(x).forEach(function (k) { if (k !== "tkg") { o[k] = x[k]; } });
    o.title = tip(x.tkg);
    meta[x.id] = x.tkg;
    return o;
  }
  var nodes = new vis.DataSet(raw.nodes.map(item));
  var edges = new vis.DataSet(raw.edges.map(item));
  var state = {sender: "", status: "", since: "", until: "", undated: true};
  function active() { return !!(state.sender || state.status || state.since || state.until); }
  function edgeOk(e) {
    var f = (meta[e.id] || {}).f;
    if (!f) { return true; }
    if (state.sender && f.sender.indexOf(state.sender) < 0) { return false; }
    if (state.status && f.status.indexOf(state.status) < 0) { return false; }
    if (state.since || state.until) {
      if (!f.early || !f.late) { return state.undated; }
      if (state.since && f.late < state.since) { return false; }
      if (state.until && f.early > state.until) { return false; }
    }
    return true;
  }
  var shown = null;
  function nodeOk(n) { return shown === null || shown[n.id] === true; }
  var edgeView = new vis.DataView(edges, {filter: edgeOk});
  var nodeView = new vis.DataView(nodes, {filter: nodeOk});
  var container = document.getElementById("tkg-network");
  var network = new vis.Network(container, {nodes: nodeView, edges: edgeView}, raw.options);
  var stabilized = false;
  function report() {
    var info = {
      nodes: network.body.nodeIndices.length,
      edges: network.body.edgeIndices.length,
      dataNodes: nodeView.length,
      dataEdges: edgeView.length,
      stabilized: stabilized,
      errors: errors.slice()
    };
    var status = document.getElementById("tkg-status");
    status.textContent = JSON.stringify(info);
    status.setAttribute("data-nodes", String(info.nodes));
    status.setAttribute("data-edges", String(info.edges));
    document.getElementById("tkg-count").textContent =
      info.nodes + " nodes and " + info.edges + " edges shown";
  }
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: false});
    stabilized = true;
    report();
  });
  function details(id) {
    var box = document.getElementById("tkg-details");
    box.textContent = "";
    if (id !== null && meta[id]) { box.appendChild(tip(meta[id], true)); }
    else { box.appendChild(el("p", null, "Click a node or an edge to see its details and sources here.")); }
  }
  network.on("click", function (p) {
    details(p.nodes.length ? p.nodes[0] : (p.edges.length ? p.edges[0] : null));
  });
  // page.html#id:state-XK (or #Kosovo) opens with that node's details: a link that can be shared
  var wanted = decodeURIComponent(location.hash.slice(1));
  if (wanted) {
    Object.keys(meta).forEach(function (id) {
      if (meta[id].key === wanted || meta[id].heading === wanted) {
        details(id);
        if (network.body.nodes[id]) { network.selectNodes([id]); }
      }
    });
  }
  function apply() {
    var positions = network.getPositions();
    nodes.update(Object.keys(positions).map(function (id) {
      return {id: id, x: positions[id].x, y: positions[id].y};
    }));
    if (active()) {
      shown = {};
      edges.get().forEach(function (e) { if (edgeOk(e)) { shown[e.from] = true; shown[e.to] = true; } });
    } else {
      shown = null;
    }
    edgeView.refresh();
    nodeView.refresh();
    report();
  }
  var form = document.getElementById("tkg-filters");
  if (form) {
    form.addEventListener("change", function () {
      state.sender = form.elements.sender ? form.elements.sender.value : "";
      state.status = form.elements.status ? form.elements.status.value : "";
      state.since = form.elements.since ? form.elements.since.value : "";
      state.until = form.elements.until ? form.elements.until.value : "";
      state.undated = form.elements.undated ? form.elements.undated.checked : true;
      apply();
    });
    form.addEventListener("reset", function () { setTimeout(function () { form.dispatchEvent(new Event("change")); }, 0); });
  }
  window.network = network;
  window.tkg = {nodes: nodes, edges: edges, nodeView: nodeView, edgeView: edgeView, state: state, apply: apply,
                report: report};
  report();
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; \
style-src 'unsafe-inline'; img-src data:; font-src data:">
<meta name="generator" content="transferkg">
<title>__TITLE__</title>
<script>
window.__tkgErrors = [];
window.addEventListener("error", function (e) { window.__tkgErrors.push(String(e.message || e.type)); });
(function () {
  var original = console.error;
  console.error = function () {
    window.__tkgErrors.push(Array.prototype.map.call(arguments, String).join(" "));
    return original.apply(console, arguments);
  };
})();
</script>
<style>__VIS_CSS__</style>
<style>__CSS__</style>
</head>
<body>
<header>
<h1>__TITLE__</h1>
<p class="sub">__SUBTITLE__ <span id="tkg-count" aria-live="polite"></span></p>
__NOTICES__
</header>
<main>
<div id="tkg-network" role="img" aria-label="__TITLE__"></div>
<aside>
__FILTERS__
<section class="box legend"><h2>Legend</h2>__LEGEND__</section>
<section class="box"><h2>Details</h2><div id="tkg-details"><p>Click a node or an edge to see its details and \
sources here.</p></div></section>
</aside>
</main>
__TABLE__
<pre id="tkg-status" hidden></pre>
<script type="application/json" id="tkg-data">__DATA__</script>
<script>__VIS_JS__</script>
<script>__JS__</script>
</body>
</html>
"""


def _legend(net: Network) -> str:
    legend = net.tkg_legend  # type: ignore[attr-defined]
    esc = html.escape
    parts = []
    if legend["nodes"]:
        parts.append(f"<p>Nodes by {esc(str(legend['node_attr']))}:</p><ul>")
        parts += [f'<li><span class="sw" style="background:{c}"></span>{esc(name)}</li>'
                  for name, c in legend["nodes"] if _HEX.match(c)]
        parts.append("</ul>")
    if legend["edges"]:
        parts.append(f"<p>Edges by {esc(str(legend['edge_attr']))}:</p><ul>")
        parts += [f'<li><span class="ln" style="background:{c}"></span>{esc(name)}</li>'
                  for name, c in legend["edges"] if _HEX.match(c)]
        parts.append("</ul>")
    parts.append("<p>Arrows point from " + ("sender to receiver." if legend["nodes"] and any(
        n in ("sender", "host") for n, _ in legend["nodes"]) else "source to target.") + "</p>")
    if legend["width"]:
        parts.append("<p>Edge width grows with the number of people transferred (log scale).</p>")
    return "".join(parts)


def _filters(net: Network) -> str:
    esc = html.escape
    senders = net.tkg_senders  # type: ignore[attr-defined]
    statuses = sorted({s for e in net.edges for s in e["tkg"]["f"]["status"]})
    dated = any(e["tkg"]["f"]["early"] for e in net.edges)
    if not (senders or statuses or dated):
        return ""
    labels = {n["id"]: n["label"] for n in net.nodes}
    keys = {n["id"]: n["tkg"]["key"] for n in net.nodes}
    parts = ['<section class="box"><h2>Filter</h2><form id="tkg-filters" onsubmit="return false">']
    if senders:
        options = "".join(f'<option value="{esc(s)}">{esc(labels.get(s, s))} ({esc(keys.get(s, s))})</option>'
                          for s in sorted(senders, key=lambda s: labels.get(s, s)))
        parts.append(f'<label>Sending state <select name="sender"><option value="">all</option>{options}</select>'
                     "</label>")
    if statuses:
        options = "".join(f'<option value="{esc(s)}">{esc(s)}</option>' for s in statuses)
        parts.append(f'<label>Status <select name="status"><option value="">all</option>{options}</select></label>')
    if dated:
        parts.append('<label>From <input type="date" name="since"></label>'
                     '<label>Until <input type="date" name="until"></label>'
                     '<label><input type="checkbox" name="undated" checked style="width:auto"> keep undated '
                     "edges when filtering by date</label>")
    parts.append('<button type="reset">Show all</button></form></section>')
    return "".join(parts)


def _table(net: Network, limit: int = 1000) -> str:
    esc = html.escape
    labels = {n["id"]: n["tkg"]["heading"] for n in net.nodes}  # the whole label, not the drawn one
    rows = []
    for edge in net.edges[:limit]:
        info = dict((k, v) for k, v in edge["tkg"]["info"])
        rows.append("<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in (
            labels.get(edge["from"], ""), labels.get(edge["to"], ""), edge["tkg"]["heading"],
            info.get("status", info.get("relation", "")), info.get("date", ""), info.get("people", ""),
            info.get("sources", ""))) + "</tr>")
    more = f"<p>The first {limit} of {len(net.edges)} edges.</p>" if len(net.edges) > limit else ""
    return (f"<details><summary>The edges as a table ({len(net.edges)})</summary>{more}<table class=\"data\">"
            "<thead><tr><th>from</th><th>to</th><th>edge</th><th>status</th><th>date</th><th>people</th>"
            f"<th>sources</th></tr></thead><tbody>{''.join(rows)}</tbody></table></details>")


def _options(graph: nx.Graph, nodes: int) -> dict[str, Any]:
    iterations = 400 if nodes <= 300 else 200 if nodes <= 1500 else 100
    return {
        "autoResize": True,
        "nodes": {"shape": "dot", "borderWidth": 1,
                  "font": {"size": 14, "face": "system-ui, sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "edges": {"arrows": {"to": {"enabled": graph.is_directed(), "scaleFactor": 0.6}},
                  "color": {"inherit": False}, "font": {"size": 10, "align": "middle"}, "selectionWidth": 2},
        "physics": {"enabled": True, "solver": "forceAtlas2Based",
                    "forceAtlas2Based": {"gravitationalConstant": -70, "springLength": 110, "avoidOverlap": 0.2},
                    "stabilization": {"enabled": True, "iterations": iterations, "updateInterval": 25, "fit": True}},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": nodes > 1000,
                        "navigationButtons": False},
        "layout": {"randomSeed": 7, "improvedLayout": nodes <= 150},
    }


def render_html(graph: nx.Graph, *, title: str | None = None, subtitle: str | None = None,
                max_nodes: int = 1500, max_edges: int = 3000, height: str = "78vh") -> str:
    """The self-contained HTML page for ``graph`` (see the module docstring).

    Args:
        title: page title (default: the graph's ``name``).
        subtitle: one line under the title (default: the graph's ``description``).
        max_nodes, max_edges: the size guard; beyond them parallel edges are merged,
            then only the best-connected nodes (and the edges with most people) are
            drawn, and the page says so.
        height: CSS height of the drawing.
    """
    net = to_pyvis(graph, max_nodes=max_nodes, max_edges=max_edges, height=height)
    js, css = _vis_assets()
    title = title or str(graph.graph.get("title") or graph.graph.get("name") or "transferkg graph")
    subtitle = subtitle if subtitle is not None else str(graph.graph.get("description") or "")
    subtitle = f"{subtitle} · {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges in the view ·"
    notices = "".join(f'<p class="notice" role="status">{html.escape(n)}</p>'
                      for n in net.tkg_notices)  # type: ignore[attr-defined]
    payload = {"nodes": net.nodes, "edges": net.edges, "options": _options(graph, len(net.nodes))}
    height = height if re.fullmatch(r"[0-9.]+(px|vh|%|em|rem)", height) else "78vh"
    # One pass over the template only: what goes in (data, escaped fragments, vendored assets)
    # is never scanned again, so a label that reads "__DATA__" or "__VIS_JS__" is just text.
    return fill_template(_PAGE, {
        "TITLE": html.escape(title),
        "SUBTITLE": html.escape(subtitle),
        "NOTICES": notices,
        "FILTERS": _filters(net),
        "LEGEND": _legend(net),
        "TABLE": _table(net),
        "DATA": _json_for_script(payload),
        "CSS": fill_template(_CSS, {"HEIGHT": height}),
        "VIS_CSS": css,
        "VIS_JS": js,
        "JS": _JS,
    })


def write_html(graph: nx.Graph, path: str | os.PathLike[str], **options: Any) -> Path:
    """Write :func:`render_html` to ``path`` as UTF-8 and return the path."""
    from transferkg.core.outputs import write_atomic

    return write_atomic(path, render_html(graph, **options))


# --------------------------------------------------------------------------- static figures


_F = TypeVar("_F", bound=Callable[..., Any])


def _literal_text(func: _F) -> _F:
    """Run ``func`` with matplotlib reading every text literally (no mathtext, no TeX).

    Each Text object keeps the setting it was made with, so a label like ``$x^$``
    from the data is drawn as typed instead of failing to parse when drawn.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import matplotlib

        with matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _plain(value: Any) -> str:
    """A label for a figure: control characters shown (``\\u001b``), at most 80 characters (as in the HTML)."""
    return _drawn(str(value))


def _figure(figsize: tuple[float, float], dpi: int) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)  # a renderer to measure labels with, no GUI backend
    return fig


@_literal_text
def _save(fig: Any, path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    suffix = target.suffix.lower().lstrip(".")
    if suffix not in ("png", "svg"):
        from transferkg.core.errors import BadParameter

        raise BadParameter(f"a figure is written as .png or .svg, not {target.name!r}")
    from transferkg.core.outputs import atomic_path

    metadata = {"Date": None} if suffix == "svg" else {"Software": "transferkg"}
    with atomic_path(target) as tmp:
        fig.savefig(tmp, format=suffix, dpi=fig.dpi, metadata=metadata)
    return target


_LAYERS = {"publisher": 0, "source": 1, "claim": 2, "subject": 3, "speaker": 4}


def _layout(graph: nx.Graph, kinds: Mapping[Any, str], seed: int) -> dict[Any, Any]:
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


def _shell_layout(graph: nx.Graph) -> tuple[dict[Any, Any], set[Any]] | None:
    """Senders inside, hosts on an outer ring ordered by their main sender: no label sits on another.

    For graphs whose nodes have sender/host roles (the deal network); None otherwise.
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
    pos: dict[Any, Any] = {}
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


_COLUMNS = ({"sender": 0, "both": 0, "agreement": 1, "host": 2},
            {"nationality": 0, "information-status": 0, "not-recorded": 0, "host": 1},
            {"publisher": 0, "source": 1, "claim": 2, "subject": 3, "speaker": 4})


def _column_layout(graph: nx.Graph) -> tuple[dict[Any, Any], dict[Any, int]] | None:
    """Nodes in columns by role (senders | agreements | hosts; publishers | sources | claims |
    subjects | speakers), each column ordered by its neighbours' places so lines cross
    little; None when the roles are not one of these layerings or a column is too tall
    to label (more than 150 nodes)."""
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
    place: dict[Any, float] = {}

    def label(n: Any) -> str:
        return str(graph.nodes[n].get("label") or n)

    def centre(n: Any, c: int, fallback: float) -> float:
        near = [place[m] for m in nx.all_neighbors(graph, n) if m in place and col[m] != c]
        return sum(near) / len(near) if near else fallback

    for sweep in range(3):  # barycentre ordering, a few sweeps left to right
        for c in order:
            if sweep == 0 and c == order[0]:  # the first column starts with its busiest nodes
                ranked = sorted(members[c], key=lambda n: (-graph.degree(n), label(n)))
            else:
                ranked = sorted(members[c], key=lambda n: (centre(n, c, place.get(n, 0.5)), label(n)))
            for i, node in enumerate(ranked):
                place[node] = (i + 0.5) / len(ranked)
    tallest = max(len(m) for m in members.values())
    pos = {}
    x = 0.0
    for c in order:  # x in characters: each column leaves room for its labels
        span = min(1.0, 3 * len(members[c]) / tallest)
        for node in members[c]:
            pos[node] = (x, 1 - (0.5 - span / 2 + span * place[node]))
        x += 14 + (min(max(len(label(n)) for n in members[c]), _LABEL_CHARS) if c != order[0] else 0)
    return pos, {n: order.index(col[n]) for n in graph}


_LABEL_CHARS = 70
"""Longest label drawn in a column layout (longer ones are shortened with …)."""


def _split_both(graph: nx.Graph) -> nx.Graph:
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


def _column_reach(graph: nx.Graph, pos: Mapping[Any, Any], col: Mapping[Any, int]) -> tuple[float, float]:
    """The x range (in characters) a column layout needs, labels included."""
    def width(n: Any) -> int:
        return min(len(str(graph.nodes[n].get("label") or n)), _LABEL_CHARS)

    last = max(col.values())
    left = min(pos[n][0] - width(n) for n in graph if col[n] == 0)
    right = max(pos[n][0] + width(n) for n in graph if col[n] == last)
    return left - 3, right + 3


def _declutter(fig: Any, ax: Any, texts: list[Any], rounds: int = 60) -> None:
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


def _legend_entries(values: Iterable[str], colours: Mapping[str, str]) -> list[tuple[str, str]]:
    """(label, colour) for the values present, in lifecycle order, values of one colour on one
    line ("in force, implemented"); a missing value reads "no status recorded"."""
    by_colour: dict[str, list[str]] = defaultdict(list)
    for value in sorted(set(values), key=lambda v: (list(EDGE_COLORS).index(v) if v in EDGE_COLORS else 99, v)):
        by_colour[colours[value]].append("no status recorded" if value == "(none)" else value.replace("-", " "))
    return [(", ".join(names), colour) for colour, names in by_colour.items()]


def _status_legend(values: Iterable[str], colours: Mapping[str, str]) -> list[Any]:
    """Legend lines for the statuses present (see :func:`_legend_entries`)."""
    from matplotlib.lines import Line2D

    return [Line2D([], [], color=c, linewidth=2.5, label=name) for name, c in _legend_entries(values, colours)]


def plot_network(graph: nx.Graph, path: str | os.PathLike[str], *, title: str | None = None,
                 figsize: tuple[float, float] = (13.0, 10.0), dpi: int = 100, seed: int = 7) -> Path:
    """Write :func:`network_figure` as a PNG or SVG (by the suffix of ``path``)."""
    return _save(network_figure(graph, title=title, figsize=figsize, dpi=dpi, seed=seed), path)


@_literal_text
def network_figure(graph: nx.Graph, *, title: str | None = None, figsize: tuple[float, float] = (13.0, 10.0),
                   dpi: int = 100, seed: int = 7) -> Any:
    """Draw ``graph`` as a matplotlib Figure, at least ``figsize`` inches × ``dpi``.

    Nodes are grey by ``role`` (senders dark, hosts light), edges coloured by ``status``
    with the colour-blind-safe :data:`STATUS_COLORS`; edge width grows with ``people``;
    parallel edges are separate arcs. The deal network is drawn as two rings (sending
    states inside, receiving states outside with their names radially beyond them);
    layered graphs (sender → agreement → host, nationality → host, publisher → source →
    claim → subject ← speaker) as columns, the figure as tall and wide as their labels
    need; other graphs get a seeded spring layout whose labels are moved apart. No label
    covers another, and the same graph always gives the same picture.
    """
    graph = _split_both(graph)
    shell = _shell_layout(graph)
    columns = _column_layout(graph) if shell is None else None
    if columns is not None:  # as tall and wide as labelling every node needs
        tallest = max(Counter(columns[1].values()).values())
        left, right = _column_reach(graph, *columns)
        figsize = (max(figsize[0], (right - left) * 0.075 + 3.0), max(figsize[1], min(0.2 * tallest + 2.0, 40.0)))
    fig = _figure(figsize, dpi)
    ax = fig.add_axes((0.02, 0.02, 0.78, 1 - 1.0 / figsize[1]))
    ax.set_axis_off()
    fig.suptitle(_plain(title or graph.graph.get("title") or graph.graph.get("name") or ""), fontsize=13)
    if graph.number_of_nodes() == 0:
        ax.text(0.5, 0.5, "no nodes", ha="center", va="center")
        return fig
    if shell is not None:
        pos, outer = shell
    elif columns is not None:
        pos, outer = columns[0], set()
    else:
        simple = nx.Graph()
        simple.add_nodes_from(graph.nodes)
        simple.add_edges_from((u, v) for u, v in graph.edges())
        pos, outer = _layout(simple, {n: str(d.get("kind") or "") for n, d in graph.nodes(data=True)}, seed), set()
    node_attr = _node_category(graph)
    categories = [str(graph.nodes[n].get(node_attr) or "other") if node_attr else "other" for n in graph.nodes]
    node_colours = _palette(categories, NODE_COLORS)
    degree = dict(graph.degree())
    sizes = [min(60 + 18 * degree[n], 700) for n in graph.nodes]
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=[node_colours[c] for c in categories], node_size=sizes,
                           linewidths=0.6, edgecolors="#222222")
    edges = _edges(graph)
    edge_attr = _edge_category(edges)
    values = [str(d.get(edge_attr) or "(none)") if edge_attr else "(none)" for *_, d in edges]
    edge_colours = _palette(values, {**EDGE_COLORS, "(none)": _NO_VALUE})
    if len(edges) > 600:  # thousands of arrow patches take minutes: straight lines instead
        nx.draw_networkx_edges(graph, pos, ax=ax, edgelist=[(u, v) for u, v, _, _ in edges],
                               edge_color=[edge_colours[v] for v in values], width=0.4, alpha=0.5, arrows=False)
    elif edges:
        styles: Any
        edgelist: list[Any]
        if columns is not None:  # straight lines between columns read best
            styles = "arc3,rad=0.0"
            edgelist = [(u, v, k) for u, v, k, _ in edges] if graph.is_multigraph() else [(u, v) for u, v, _, _ in edges]
        elif graph.is_multigraph():
            most = max(graph.number_of_edges(u, v) for u, v, *_ in edges)
            styles = [f"arc3,rad={0.06 + 0.12 * i:.2f}" for i in range(most)]
            edgelist = [(u, v, k) for u, v, k, _ in edges]
        else:
            styles = "arc3,rad=0.06"
            edgelist = [(u, v) for u, v, _, _ in edges]
        nx.draw_networkx_edges(graph, pos, ax=ax, edgelist=edgelist, edge_color=[edge_colours[v] for v in values],
                               width=[_width(d.get("people")) for *_, d in edges], arrows=graph.is_directed(),
                               arrowsize=11, connectionstyle=styles, alpha=0.9, node_size=sizes)
    if columns is not None:
        for node, (x, y) in pos.items():
            label = textwrap.shorten(_plain(graph.nodes[node].get("label") or node), 70, placeholder=" …")
            first = columns[1][node] == 0
            ax.text(x - 1 if first else x + 1, y, label, fontsize=7.5 if graph.nodes[node].get("role") in
                    ("agreement", "claim") else 8.5, ha="right" if first else "left", va="center",
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75})
        ax.set_xlim(*_column_reach(graph, *columns))
        ax.set_ylim(-0.01, 1.01)
    elif graph.number_of_nodes() <= 150:
        texts = []
        for node, (x, y) in pos.items():
            label = _plain(graph.nodes[node].get("label") or node)
            if node in outer:  # radially beyond the ring, reading outwards
                angle = math.degrees(math.atan2(y, x))
                flip = 90 < angle % 360 < 270
                texts.append(ax.text(1.06 * x, 1.06 * y, label, fontsize=8.5, rotation=angle + 180 if flip else angle,
                                     rotation_mode="anchor", ha="right" if flip else "left", va="center"))
            else:
                texts.append(ax.text(x, y + 0.045, label, fontsize=9, ha="center", va="bottom", weight="bold",
                                     bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8}))
        if shell is None:
            _declutter(fig, ax, texts)
        if shell is not None:  # room for the longest radial label on every side
            longest = max(len(_plain(graph.nodes[n].get("label") or n)) for n in outer)
            reach = 1.1 + 0.016 * longest
            ax.set_xlim(-reach, reach)
            ax.set_ylim(-reach, reach)
            ax.set_aspect("equal")
    from matplotlib.lines import Line2D

    nodes_legend = [Line2D([], [], marker="o", linestyle="", color=c, markeredgecolor="#222222", label=name)
                    for name, c in sorted(node_colours.items())]
    fig.legend(handles=nodes_legend, loc="upper right", bbox_to_anchor=(0.98, 0.88), fontsize=9, frameon=False,
               title=node_attr.replace("_", " ") if node_attr else None, alignment="left")
    handles: list[Any] = _status_legend(values, edge_colours) if edge_attr else []
    if any(isinstance(d.get("people"), (int, float)) and d.get("people") for *_, d in edges):
        handles.append(Line2D([], [], color="#777777", linewidth=4, label="thicker: more people"))
    if handles:
        fig.legend(handles=handles, loc="center right", bbox_to_anchor=(0.98, 0.45), fontsize=9, frameon=False,
                   title=edge_attr.replace("_", " ") if edge_attr else None, alignment="left")
    return fig


_Q_TIMELINE_CHANGES = """
SELECT ?agreement ?change ?status ?statusLabel ?date WHERE {
  ?change tct:changesStatusOf ?agreement ; tct:status ?status ; tct:date ?date .
  OPTIONAL { ?status skos:prefLabel ?statusLabel }
}
"""

_Q_TIMELINE_TRANSFERS = """
SELECT ?transfer ?agreement ?host ?hostLabel ?date ?n WHERE {
  VALUES ?type { tct:TransferEvent tct:DeportationFlight tct:Arrival }
  ?transfer a ?type ; tct:date ?date .
  OPTIONAL { ?transfer tct:underAgreement ?agreement }
  OPTIONAL { ?transfer tct:transferTo ?host . OPTIONAL { ?host rdfs:label ?hostLabel } }
  OPTIONAL { ?transfer tct:personCount ?q . ?q schema:value|schema:maxValue|schema:minValue ?n }
}
"""


def timeline_rows(kg: Any, *, sender: str | None = None, status: str | None = None,
                  since: str | dt.date | None = None, until: str | dt.date | None = None
                  ) -> list[dict[str, Any]]:
    """The events of the timeline: one dict per dated status change or transfer.

    Keys: ``row`` (the agreement's label, or "Transfers to X (no agreement)"),
    ``kind`` (``status`` or ``transfer``), ``status``, ``label``, ``date`` (as stated),
    ``precision`` (day, month, year), ``earliest`` and ``latest`` (``datetime.date``)
    and ``people`` for transfers. The filters are those of the deal network; a
    transfer without an agreement is kept unless ``sender`` or ``status`` is given.
    """
    from rdflib import Literal

    from transferkg.rules.derive import date_bounds
    from transferkg.views.graphs import AgreementFilter, _agreements, _date_arg, _id, _local, _number, _precision, _select

    start = _date_arg(since, end=False, name="since")
    end = _date_arg(until, end=True, name="until")
    records = {aid: r for aid, r in _agreements(kg).items()
               if AgreementFilter(sender=sender, status=status).keep(r)}

    def in_range(early: dt.date, late: dt.date) -> bool:
        return not ((start is not None and late < start) or (end is not None and early > end))

    events: list[dict[str, Any]] = []
    for row in _select(kg, _Q_TIMELINE_CHANGES):
        aid = _id(row["agreement"])
        value = row["date"]
        if aid not in records or not isinstance(value, Literal) or not (bounds := date_bounds(value)):
            continue
        if not in_range(*bounds):
            continue
        code = _local(_id(row["status"]))
        events.append({"row": records[aid].label, "row_key": aid, "kind": "status", "status": code,
                       "label": str(row["statusLabel"] or code), "date": str(value), "precision": _precision(value),
                       "earliest": bounds[0], "latest": bounds[1], "people": None})
    transfers: dict[str, dict[str, Any]] = {}
    for row in _select(kg, _Q_TIMELINE_TRANSFERS):
        tid = _id(row["transfer"])
        value = row["date"]
        if not isinstance(value, Literal) or not (bounds := date_bounds(value)):
            continue
        agreement = _id(row["agreement"]) if row["agreement"] is not None else None
        if agreement is not None and agreement not in records:
            continue
        if agreement is None and (sender or status):
            continue
        if not in_range(*bounds):
            continue
        host = str(row["hostLabel"] or _id(row["host"]) or "an unrecorded destination")
        item = transfers.setdefault(tid, {
            "row": records[agreement].label if agreement else f"Transfers to {host} (no agreement)",
            "row_key": agreement or f"~{host}", "kind": "transfer", "status": None, "label": tid, "date": str(value),
            "precision": _precision(value), "earliest": bounds[0], "latest": bounds[1], "people": None})
        if (bounds[1] - bounds[0]) < (item["latest"] - item["earliest"]):
            item.update(date=str(value), precision=_precision(value), earliest=bounds[0], latest=bounds[1])
        number = _number(row["n"])
        if number is not None and (item["people"] is None or number > item["people"]):
            item["people"] = number
    events += [transfers[t] for t in sorted(transfers)]
    return sorted(events, key=lambda e: (e["earliest"], e["row"], e["kind"], e["label"]))


def plot_timeline(kg: Any, path: str | os.PathLike[str], *, sender: str | None = None, status: str | None = None,
                  since: str | dt.date | None = None, until: str | dt.date | None = None,
                  figsize: tuple[float, float] | None = None, dpi: int = 100, title: str | None = None) -> Path:
    """Write :func:`timeline_figure` as a PNG or SVG (by the suffix of ``path``)."""
    return _save(timeline_figure(kg, sender=sender, status=status, since=since, until=until, figsize=figsize,
                                 dpi=dpi, title=title), path)


@_literal_text
def timeline_figure(kg: Any, *, sender: str | None = None, status: str | None = None,
                    since: str | dt.date | None = None, until: str | dt.date | None = None,
                    figsize: tuple[float, float] | None = None, dpi: int = 100, title: str | None = None) -> Any:
    """A timeline of agreements (one row each), their status changes and transfers (a matplotlib Figure).

    A date known to the day is a point; a date known only to the month (or year) is
    drawn as a bar over the whole month (or year), from ``tct:earliestDate`` to
    ``tct:latestDate`` — precision is never invented. Status changes are coloured by
    status; transfers are black triangles sized by people. Without ``figsize`` the
    height grows with the number of rows.
    """
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    events = timeline_rows(kg, sender=sender, status=status, since=since, until=until)
    first_seen: dict[str, tuple[dt.date, str]] = {}
    for event in events:
        first_seen.setdefault(event["row_key"], (event["earliest"], event["row"]))
    order = sorted(first_seen, key=lambda k: (first_seen[k][0], first_seen[k][1]))
    ypos = {key: i for i, key in enumerate(order)}
    height = max(3.0, 0.34 * len(order) + 1.6)
    fig = _figure(figsize or (12.0, min(height, 60.0)), dpi)
    inches = fig.get_size_inches()
    bottom = min(0.45, 1.4 / inches[1])
    top = max(0.55, 1 - 0.45 / inches[1])
    ax = fig.add_axes((0.36, bottom, 0.62, top - bottom))
    window = "".join(f" {word} {value}" for word, value in (("since", since), ("until", until)) if value)
    ax.set_title(title or f"Agreements, status changes and transfers{window}", fontsize=11)
    if not events:
        ax.text(0.5, 0.5, "no dated events", ha="center", va="center", transform=ax.transAxes)
        ax.set_yticks([])
        return fig
    statuses = sorted({e["status"] for e in events if e["kind"] == "status"})
    colours = _palette(statuses, EDGE_COLORS)
    for event in events:
        y = ypos[event["row_key"]]
        start = mdates.date2num(event["earliest"])
        stop = mdates.date2num(event["latest"] + dt.timedelta(days=1))
        colour = "#111111" if event["kind"] == "transfer" else colours[event["status"]]
        offset = -0.18 if event["kind"] == "transfer" else 0.0
        if event["precision"] == "day":
            if event["kind"] == "transfer":
                size = 4 + 2.2 * math.sqrt(event["people"] or 1)
                ax.plot([start + 0.5], [y + offset], marker="v", color=colour, markersize=min(size, 16),
                        linestyle="", alpha=0.8)
            else:
                ax.plot([start + 0.5], [y], marker="o", color=colour, markersize=6, linestyle="",
                        markeredgecolor="#222222", markeredgewidth=0.4)
        else:
            ax.broken_barh([(start, stop - start)], (y + offset - 0.22, 0.44), facecolors=colour, alpha=0.45,
                           edgecolor=colour, linewidth=0.8, hatch="//" if event["kind"] == "transfer" else None)
    ax.set_yticks(range(len(order)))
    ax.set_yticklabels([textwrap.fill(_plain(first_seen[k][1]), 62, max_lines=2, placeholder=" …") for k in order],
                       fontsize=7, linespacing=0.95)
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.xaxis_date()
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    by_colour: dict[str, list[str]] = defaultdict(list)
    for code in sorted(statuses, key=lambda v: (list(EDGE_COLORS).index(v) if v in EDGE_COLORS else 99, v)):
        by_colour[colours[code]].append(code.replace("-", " "))
    handles: list[Any] = [Line2D([], [], marker="o", linestyle="", color=c, markeredgecolor="#222222",
                                 markeredgewidth=0.4, label=", ".join(names)) for c, names in by_colour.items()]
    handles.append(Line2D([], [], marker="v", linestyle="", color="#111111", label="transfer (size: people)"))
    handles.append(Patch(facecolor="#999999", alpha=0.45, label="bar: date known only to the month or year"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.3, -0.5 / max(inches[1] * (top - bottom), 0.5)),
              ncol=4, fontsize=7, frameon=False)
    return fig
