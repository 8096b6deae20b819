"""A view as a static figure (PNG or SVG): nodes, coloured edges, labels that never overlap.

The interactive page is :mod:`transferkg.render.page`; the timeline of agreements is
:mod:`transferkg.render.timeline`. Positions come from :mod:`transferkg.render.layouts`,
colours from :mod:`transferkg.render.palette`. Text from the data is drawn literally
(:mod:`transferkg.render.canvas`).
"""

from __future__ import annotations

import math
import os
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from transferkg.render.canvas import literal_text, new_figure, plain, save
from transferkg.render.encoding import Edge, edge_category, edge_list, edge_width, node_category
from transferkg.render.layouts import column_layout, column_reach, declutter, free_layout, shell_layout, split_both
from transferkg.render.palette import EDGE_COLORS, NO_VALUE, NODE_COLORS, legend_entries, palette

__all__ = ["network_figure", "plot_network"]


@dataclass
class _Layout:
    """Where the nodes are, and which of the layouts put them there."""

    pos: dict[Any, Any]
    outer: set[Any]
    shell: bool = False
    columns: dict[Any, int] | None = None


def plot_network(graph: nx.Graph, path: str | os.PathLike[str], *, title: str | None = None,
                 figsize: tuple[float, float] = (13.0, 10.0), dpi: int = 100, seed: int = 7) -> Path:
    """Write :func:`network_figure` as a PNG or SVG (by the suffix of ``path``)."""
    return save(network_figure(graph, title=title, figsize=figsize, dpi=dpi, seed=seed), path)


@literal_text
def network_figure(graph: nx.Graph, *, title: str | None = None, figsize: tuple[float, float] = (13.0, 10.0),
                   dpi: int = 100, seed: int = 7) -> Any:
    """Draw ``graph`` as a matplotlib Figure, at least ``figsize`` inches × ``dpi``.

    Nodes are grey by ``role`` (senders dark, hosts light), edges coloured by ``status``
    with the colour-blind-safe :data:`~transferkg.render.palette.STATUS_COLORS`; edge width
    grows with ``people``; parallel edges are separate arcs. The deal network is drawn as
    two rings (sending states inside, receiving states outside with their names radially
    beyond them); layered graphs (sender → agreement → host, nationality → host,
    publisher → source → claim → subject ← speaker) as columns, the figure as tall and
    wide as their labels need; other graphs get a seeded spring layout whose labels are
    moved apart. No label covers another, and the same graph always gives the same picture.
    """
    graph = split_both(graph)
    shell = shell_layout(graph)
    columns = column_layout(graph) if shell is None else None
    if columns is not None:  # as tall and wide as labelling every node needs
        tallest = max(Counter(columns[1].values()).values())
        left, right = column_reach(graph, *columns)
        figsize = (max(figsize[0], (right - left) * 0.075 + 3.0), max(figsize[1], min(0.2 * tallest + 2.0, 40.0)))
    fig = new_figure(figsize, dpi)
    ax = fig.add_axes((0.02, 0.02, 0.78, 1 - 1.0 / figsize[1]))
    ax.set_axis_off()
    fig.suptitle(plain(title or graph.graph.get("title") or graph.graph.get("name") or ""), fontsize=13)
    if graph.number_of_nodes() == 0:
        ax.text(0.5, 0.5, "no nodes", ha="center", va="center")
        return fig
    if shell is not None:
        layout = _Layout(*shell, shell=True)
    elif columns is not None:
        layout = _Layout(columns[0], set(), columns=columns[1])
    else:
        layout = _Layout(_free_positions(graph, seed), set())
    node_attr, node_colours, sizes = _draw_nodes(graph, layout, ax)
    edges = edge_list(graph)
    edge_attr = edge_category(edges)
    values = [str(d.get(edge_attr) or "(none)") if edge_attr else "(none)" for *_, d in edges]
    edge_colours = palette(values, {**EDGE_COLORS, "(none)": NO_VALUE})
    _draw_edges(graph, layout, ax, edges, [edge_colours[v] for v in values], sizes)
    if layout.columns is not None:
        _column_labels(graph, layout.pos, layout.columns, ax)
    elif graph.number_of_nodes() <= 150:
        _labels(graph, layout, fig, ax)
    _legends(fig, node_attr, node_colours, edge_attr, values, edge_colours, edges)
    return fig


def _free_positions(graph: nx.Graph, seed: int) -> dict[Any, Any]:
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes)
    simple.add_edges_from((u, v) for u, v in graph.edges())
    return free_layout(simple, {n: str(d.get("kind") or "") for n, d in graph.nodes(data=True)}, seed)


def _draw_nodes(graph: nx.Graph, layout: _Layout, ax: Any) -> tuple[str | None, dict[str, str], list[int]]:
    """Nodes coloured by category and sized by degree; returns the category, its colours and the sizes."""
    node_attr = node_category(graph)
    categories = [str(graph.nodes[n].get(node_attr) or "other") if node_attr else "other" for n in graph.nodes]
    node_colours = palette(categories, NODE_COLORS)
    degree = dict(graph.degree())
    sizes = [min(60 + 18 * degree[n], 700) for n in graph.nodes]
    nx.draw_networkx_nodes(graph, layout.pos, ax=ax, node_color=[node_colours[c] for c in categories],
                           node_size=sizes, linewidths=0.6, edgecolors="#222222")
    return node_attr, node_colours, sizes


def _draw_edges(graph: nx.Graph, layout: _Layout, ax: Any, edges: list[Edge], colours: list[str],
                sizes: list[int]) -> None:
    if len(edges) > 600:  # thousands of arrow patches take minutes: straight lines instead
        nx.draw_networkx_edges(graph, layout.pos, ax=ax, edgelist=[(u, v) for u, v, _, _ in edges],
                               edge_color=colours, width=0.4, alpha=0.5, arrows=False)
        return
    if not edges:
        return
    styles: Any
    edgelist: list[Any]
    if layout.columns is not None:  # straight lines between columns read best
        styles = "arc3,rad=0.0"
        edgelist = [(u, v, k) for u, v, k, _ in edges] if graph.is_multigraph() else [(u, v) for u, v, _, _ in edges]
    elif graph.is_multigraph():
        most = max(graph.number_of_edges(u, v) for u, v, *_ in edges)
        styles = [f"arc3,rad={0.06 + 0.12 * i:.2f}" for i in range(most)]
        edgelist = [(u, v, k) for u, v, k, _ in edges]
    else:
        styles = "arc3,rad=0.06"
        edgelist = [(u, v) for u, v, _, _ in edges]
    nx.draw_networkx_edges(graph, layout.pos, ax=ax, edgelist=edgelist, edge_color=colours,
                           width=[edge_width(d.get("people")) for *_, d in edges], arrows=graph.is_directed(),
                           arrowsize=11, connectionstyle=styles, alpha=0.9, node_size=sizes)


def _column_labels(graph: nx.Graph, pos: Mapping[Any, Any], columns: Mapping[Any, int], ax: Any) -> None:
    """Labels beside their column: left of the first, right of the others."""
    for node, (x, y) in pos.items():
        label = textwrap.shorten(plain(graph.nodes[node].get("label") or node), 70, placeholder=" …")
        first = columns[node] == 0
        ax.text(x - 1 if first else x + 1, y, label, fontsize=7.5 if graph.nodes[node].get("role") in
                ("agreement", "claim") else 8.5, ha="right" if first else "left", va="center",
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75})
    ax.set_xlim(*column_reach(graph, pos, columns))
    ax.set_ylim(-0.01, 1.01)


def _labels(graph: nx.Graph, layout: _Layout, fig: Any, ax: Any) -> None:
    """Labels of the rings (the outer ring's radially beyond it) or of a free layout (moved apart)."""
    texts = []
    for node, (x, y) in layout.pos.items():
        label = plain(graph.nodes[node].get("label") or node)
        if node in layout.outer:  # radially beyond the ring, reading outwards
            angle = math.degrees(math.atan2(y, x))
            flip = 90 < angle % 360 < 270
            texts.append(ax.text(1.06 * x, 1.06 * y, label, fontsize=8.5, rotation=angle + 180 if flip else angle,
                                 rotation_mode="anchor", ha="right" if flip else "left", va="center"))
        else:
            texts.append(ax.text(x, y + 0.045, label, fontsize=9, ha="center", va="bottom", weight="bold",
                                 bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8}))
    if not layout.shell:
        declutter(fig, ax, texts)
        return
    longest = max(len(plain(graph.nodes[n].get("label") or n)) for n in layout.outer)
    reach = 1.1 + 0.016 * longest  # room for the longest radial label on every side
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")


def _legends(fig: Any, node_attr: str | None, node_colours: Mapping[str, str], edge_attr: str | None,
             values: list[str], edge_colours: Mapping[str, str], edges: list[Edge]) -> None:
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


def _status_legend(values: Iterable[str], colours: Mapping[str, str]) -> list[Any]:
    """Legend lines for the statuses present, one line per colour (see :func:`~transferkg.render.palette.legend_entries`)."""
    from matplotlib.lines import Line2D

    return [Line2D([], [], color=c, linewidth=2.5, label=name) for name, c in legend_entries(values, colours)]
