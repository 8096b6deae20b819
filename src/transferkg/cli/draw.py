"""Commands that draw or export the graph: view, network, export, docs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from transferkg.cli.common import (
    _ENDPOINT,
    _OUT,
    F,
    _handle_errors,
    _kind_label,
    _make_default_folder,
    _open,
    _output,
    _parse_params,
    main,
)
from transferkg.views.registry import FILTERS, VIEWS, check_view_options, view_names

TIMELINE_SINCE = "2025"
"""The timeline's default window: without --since or --until it starts here."""

_VIEW_NAMES = view_names()
_GRAPH_VIEWS = view_names(graphs_only=True)
_VIEWS_HELP = "\b\nViews:\n" + "\n".join(f"  {v.name:<{max(len(w.name) for w in VIEWS)}}  {v.help}" for v in VIEWS)
"""What each view shows, for ``view --help`` (from the views registry)."""


def _view_filters(func: F) -> F:
    """The filter options shared by view, export and network."""
    options = [click.option(f"--{name}", default=None, metavar=metavar, help=text)
               for name, (metavar, text) in FILTERS.items()]
    for option in reversed(options):
        func = option(func)
    return func


def _view_graph(kg: Any, name: str, filters: dict[str, str | None], subject: str | None = None) -> Any:
    """Build view NAME with the given filters; nothing matching is an error, never an empty picture."""
    from transferkg.core.errors import ChecksFailed
    from transferkg.views.registry import build_view

    graph = build_view(kg, name, filters, subject)
    if graph.number_of_nodes() == 0:
        kept = {k: v for k, v in filters.items() if v}
        given = ", ".join(f"--{k} {v}" for k, v in kept.items()) or "no filter"
        raise ChecksFailed(f"nothing to draw: no {name} matches {given}; nothing was written")
    return graph


@main.command(epilog=_VIEWS_HELP)
@click.argument("name", required=False, type=click.Choice(_VIEW_NAMES))
@click.option("--query", "query_name", default=None, metavar="QUERY",
              help="Draw a library query (or a .rq file) whose rows have ?item/?itemLabel and "
                   "?target/?targetLabel columns (optional ?edgeLabel, ?rgb), instead of a view.")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter of the --query (repeatable).")
@click.option("--out", "-o", "out", default=None, type=click.Path(dir_okay=False, path_type=str),
              help="Output file: .html (interactive), .png or .svg (default: build/views/NAME.html; "
                   "build/views/timeline.png, folder created). A folder you name must exist; a failed "
                   "write keeps the previous file.")
@_view_filters
@click.option("--subject", default=None, metavar="ID",
              help="Provenance view: only claims about this subject, e.g. agreement-US-XK-2025-06.")
@click.option("--max-nodes", default=1500, show_default=True, type=click.IntRange(1),
              help="HTML size guard: beyond this, merge parallel edges and keep the best-connected nodes.")
@_ENDPOINT
@click.pass_context
@_handle_errors
def view(ctx: click.Context, name: str | None, query_name: str | None, params: tuple[str, ...], out: str | None,
         sender: str | None, status: str | None, kind: str | None, since: str | None, until: str | None,
         subject: str | None, max_nodes: int, endpoint: str | None) -> None:
    """Draw a view as a self-contained HTML page (no network needed) or a PNG/SVG figure.

    NAME is deal-network, bipartite, nationality-flows, provenance, recognition or
    timeline (PNG/SVG only; from 2025 unless --since or --until say otherwise). The
    HTML page has a legend, tooltips with source links, and filters for sending
    state, status and dates.

    Example: transferkg view deal-network --sender US --out deals.html
    """
    from transferkg.core.errors import BadParameter

    if bool(name) == bool(query_name):
        raise BadParameter("give a view NAME or --query QUERY (one of them)")
    target = _view_target(name, out)
    suffix = target.suffix.lower()
    filters = {"sender": sender, "status": status, "kind": kind, "since": since, "until": until}
    if name:
        check_view_options(name, filters, subject)
    elif any(filters.values()) or subject:
        raise BadParameter("filters are for the named views; put conditions for --query in the query")
    kg = _open(ctx, endpoint)
    from transferkg.render import figures, page, timeline

    if name == "timeline":
        if not since and not until:  # the current wave is unreadable squeezed beside 2001
            since = TIMELINE_SINCE
            click.echo(f"Timeline since {since}, the current wave of agreements (--since 2001 draws the whole history)",
                       err=True)
        timeline.plot_timeline(kg, target, sender=sender, status=status, since=since, until=until)
        click.echo(f"Wrote {target}")
        return
    if query_name:
        graph = _query_graph(kg, query_name, params)
    else:
        assert name is not None
        graph = _view_graph(kg, name, filters, subject)
        if name == "provenance" and not subject and suffix in (".png", ".svg") and len(graph) > 150:
            subject = _most_documented(graph)  # thousands of claims make a grey smear, not a figure
            click.echo(f"Provenance of {subject}, the most documented subject (--subject ID for another; "
                       f"the HTML page shows every subject)", err=True)
            graph = _view_graph(kg, name, filters, subject)
    if suffix in (".png", ".svg"):
        figures.plot_network(graph, target)
    else:
        page.write_html(graph, target, max_nodes=max_nodes)
    click.echo(f"Wrote {target} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)")


def _view_target(name: str | None, out: str | None) -> Path:
    """The file ``view`` writes, checked before anything loads (its default folder is created)."""
    from transferkg.core.errors import BadParameter

    default = Path("build") / "views" / (f"{name}.png" if name == "timeline" else f"{name or 'query'}.html")
    target = Path(out) if out else default
    if not out:
        _make_default_folder(default.parent)
    suffix = target.suffix.lower()
    if suffix not in (".html", ".htm", ".png", ".svg"):
        raise BadParameter(f"--out must end in .html, .png or .svg, not {target.name!r}")
    if name == "timeline" and suffix not in (".png", ".svg"):
        raise BadParameter("the timeline is a figure: --out must end in .png or .svg")
    return target


def _query_graph(kg: Any, query_name: str, params: tuple[str, ...]) -> Any:
    """The graph of ``view --query``: a library query's (or a .rq file's) rows as edges."""
    from transferkg.core.namespaces import sparql_prefixes
    from transferkg.query.library import parse_query_file
    from transferkg.views.query_graph import graph_from_result

    values = _parse_params(params)
    path = Path(query_name)
    query = parse_query_file(path) if query_name.endswith(".rq") and path.is_file() else kg.queries.get(query_name)
    query.check_no_service()  # names the file; a view never reaches out to another endpoint
    result = kg.store.select(sparql_prefixes() + query.text, query.bind(values))
    graph = graph_from_result(result, name=query.name)
    if query.summary:
        graph.graph["description"] = query.summary
    return graph


def _most_documented(graph: Any) -> str:
    """The subject node of a provenance graph with the most claims about it."""
    subjects = [n for n, d in graph.nodes(data=True) if d.get("role") == "subject"]
    best = str(max(subjects, key=lambda n: (graph.degree(n), str(n))))
    return best.removeprefix("id:")


@main.command()
@click.option("--format", "fmt", required=True,
              type=click.Choice(["graphml", "gexf", "json", "csv", "ttl", "nt", "jsonld", "trig", "nq"]),
              help="graphml/gexf/json (node-link)/csv (edge list) of a view; ttl/nt/jsonld of the graph; "
                   "trig/nq with one named graph per source.")
@click.option("--view", "view_name", default=None, type=click.Choice(_GRAPH_VIEWS),
              help="The view to export (graph formats; default deal-network).")
@_view_filters
@_OUT
@_ENDPOINT
@click.pass_context
@_handle_errors
def export(ctx: click.Context, fmt: str, view_name: str | None, sender: str | None, status: str | None,
           kind: str | None, since: str | None, until: str | None, out: str | None, endpoint: str | None) -> None:
    """Export a view for Gephi, Cytoscape or a spreadsheet, or the graph as RDF.

    Example: transferkg export --format graphml --view deal-network -o deals.graphml
    """
    from transferkg.core.errors import BadParameter
    from transferkg.render.export import GRAPH_FORMATS, export_graph, export_rdf

    filters = {"sender": sender, "status": status, "kind": kind, "since": since, "until": until}
    if fmt in GRAPH_FORMATS:
        check_view_options(view_name or "deal-network", filters)
    elif view_name or any(filters.values()):
        raise BadParameter(f"--format {fmt} exports the whole graph as RDF; --view and filters are for "
                           "graphml, gexf, json and csv")
    kg = _open(ctx, endpoint)
    if fmt in GRAPH_FORMATS:
        text = export_graph(_view_graph(kg, view_name or "deal-network", filters), fmt, out)
    else:
        text = export_rdf(kg, fmt, out)
    if text is not None:
        from transferkg.core.outputs import printable

        click.echo(printable(text), nl=False)  # an escape Turtle, N-Triples and JSON read back as the same text
    else:
        click.echo(f"Wrote {out}", err=True)


@main.command()
@click.option("--metrics", is_flag=True, help="A table per state: agreements and people received and sent, "
                                              "hosts, senders, betweenness, community.")
@click.option("--view", "view_name", default="deal-network", show_default=True,
              type=click.Choice(_GRAPH_VIEWS), help="The view to measure.")
@_view_filters
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="Output format of --metrics.")
@_OUT
@_ENDPOINT
@click.pass_context
@_handle_errors
def network(ctx: click.Context, metrics: bool, view_name: str, sender: str | None, status: str | None,
            kind: str | None, since: str | None, until: str | None, fmt: str, out: str | None,
            endpoint: str | None) -> None:
    """Summarise the deal network (or another view); --metrics prints a table per node.

    Example: transferkg network --metrics
    """
    import networkx as nx

    from transferkg.views.metrics import network_metrics

    if kind is None and view_name in ("deal-network", "bipartite"):
        kind = "third-country-deportation"  # the headline counts one kind of transfer, and says so
    filters = {"sender": sender, "status": status, "kind": kind, "since": since, "until": until}
    check_view_options(view_name, filters)
    kg = _open(ctx, endpoint)
    graph = _view_graph(kg, view_name, filters)
    table = network_metrics(graph)
    scope = (f"kind: {_kind_label(kg, kind)}" if kind and kind != "all" else "every kind of arrangement") + \
        "; people = the larger of the latest reported total and the recorded transfers, per agreement"
    if metrics:
        if fmt == "csv":
            from transferkg.core.outputs import csv_frame

            text = csv_frame(table)  # labels cannot run as spreadsheet formulas
        elif fmt == "json":
            text = table.to_json(orient="records", indent=1, force_ascii=False)
        else:
            text = f"{view_name} ({scope})\n" + table.to_string(index=False)
        _output(text, out)
        return
    components = nx.number_weakly_connected_components(graph) if graph.is_directed() else \
        nx.number_connected_components(graph)
    hosts = table[table["agreements_received"] > 0].head(5)
    senders = table.sort_values(["hosts", "label"], ascending=[False, True], kind="mergesort")
    senders = senders[senders["hosts"] > 0].head(5)
    lines = [f"{view_name} ({scope}): {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges, "
             f"{components} connected component(s), {table['community'].nunique() if len(table) else 0} "
             "communities",
             "hosts (edges in, people received): " + ", ".join(
                 f"{r.label} ({r.agreements_received}, {r.people_received})" for r in hosts.itertuples()),
             "senders (distinct hosts): " + ", ".join(f"{r.label} ({r.hosts})" for r in senders.itertuples()),
             "(transferkg network --metrics for the full table)"]
    _output("\n".join(lines), out)




@main.command()
@click.option("--out", "out", default="build/ontology.html", show_default=True,
              type=click.Path(dir_okay=False, path_type=str),
              help="HTML file to write (a folder you name must exist; the default build/ is created).")
@click.pass_context
@_handle_errors
def docs(ctx: click.Context, out: str) -> None:
    """Write a readable HTML page documenting the ontology and code lists.

    Example: transferkg docs --out build/ontology.html
    """
    from transferkg.core.resources import find_layout
    from transferkg.render.docs import write_docs

    if out == "build/ontology.html":
        from pathlib import Path

        _make_default_folder(Path(out).parent)
    path = write_docs(find_layout(ctx.obj["root"]), out)
    click.echo(f"Wrote {path}")
