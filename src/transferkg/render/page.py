"""The interactive HTML page of a view: one self-contained file that opens offline.

The page is this package's own template (``templates/page.html`` with its script
``templates/page.js``), not pyvis's: pyvis's templates link Bootstrap (and, in
``"local"`` mode, vis-network) from a CDN. The vis-network JavaScript and CSS that ship
inside the pyvis package are inlined, the page declares a Content-Security-Policy that
forbids every network fetch, and it opens from ``file://`` with the network cut off.

Text from the data never becomes markup: the graph travels as JSON inside a
``<script type="application/json">`` block (``<``, ``>`` and ``&`` escaped as
``\\u003c`` …), tooltips and the detail panel are built with ``textContent``, links
only ever get ``http(s)`` URLs, and the server-side legend, filters and table are
HTML-escaped. vis-network draws labels on a canvas. The template is filled in one pass
over the template only (:func:`transferkg.core.outputs.fill_template`), so data that
holds a placeholder name is just text; a label is drawn at most 80 characters long
(the details panel and the table show it whole).
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from transferkg.core.outputs import fill_template
from transferkg.render.network_data import to_pyvis
from transferkg.render.palette import HEX

if TYPE_CHECKING:
    from pyvis.network import Network

__all__ = ["render_html", "write_html"]

_TEMPLATES = Path(__file__).with_name("templates")
_PAGE = (_TEMPLATES / "page.html").read_text(encoding="utf-8")
_JS = (_TEMPLATES / "page.js").read_text(encoding="utf-8")
_HEIGHT = re.compile(r"[0-9.]+(px|vh|%|em|rem)")


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
        "HEIGHT": height if _HEIGHT.fullmatch(height) else "78vh",
        "VIS_CSS": css,
        "VIS_JS": js,
        "JS": _JS,
    })


def write_html(graph: nx.Graph, path: str | os.PathLike[str], **options: Any) -> Path:
    """Write :func:`render_html` to ``path`` as UTF-8 and return the path."""
    from transferkg.core.outputs import write_atomic

    return write_atomic(path, render_html(graph, **options))


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
    """JSON that cannot end its ``<script>`` block or start markup: ``< > &`` and line separators escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _legend(net: Network) -> str:
    legend = net.tkg_legend  # type: ignore[attr-defined]
    esc = html.escape
    parts = []
    if legend["nodes"]:
        parts.append(f"<p>Nodes by {esc(str(legend['node_attr']))}:</p><ul>")
        parts += [f'<li><span class="sw" style="background:{c}"></span>{esc(name)}</li>'
                  for name, c in legend["nodes"] if HEX.match(c)]
        parts.append("</ul>")
    if legend["edges"]:
        parts.append(f"<p>Edges by {esc(str(legend['edge_attr']))}:</p><ul>")
        parts += [f'<li><span class="ln" style="background:{c}"></span>{esc(name)}</li>'
                  for name, c in legend["edges"] if HEX.match(c)]
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
    """vis-network options: fewer layout iterations for bigger graphs, so the page settles quickly."""
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
