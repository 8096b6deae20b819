"""The tracker site's downloads and query pages.

``downloads.html`` lists files a reader takes away, all written into the site (nothing is
fetched): the whole graph as Turtle and as N-Quads (one named graph per layer), every
library query's current rows as CSV (its defaults), the deal network as GraphML, and
the ontology's documentation page. ``queries.html`` lists the query library; each
query has a page with what it answers, its parameters, its SPARQL text and its
current results table (the same rows as its CSV), so a reader can check every
figure of the site and rerun it anywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from transferkg.app.site_data import text
from transferkg.core.errors import BadParameter
from transferkg.query.results import format_result
from transferkg.render.site import Html, esc, link, table
from transferkg.store.base import SelectResult

if TYPE_CHECKING:
    from transferkg.app.diff import Diff
    from transferkg.app.kg import KnowledgeGraph
    from transferkg.query.library import Query

__all__ = ["downloads", "latest_changes", "ontology_page", "query_pages"]

_RDF = (("transferkg.ttl", "Turtle", "the whole graph: ontology, code lists, curated claims and the derived layer"),
        ("transferkg.nq", "N-Quads", "the same, one named graph per layer (ontology, curated, derived)"),
        ("deal-network.graphml", "GraphML", "the deal network (states and agreements) for Gephi, yEd or NetworkX"),
)


def _size(content: str) -> str:
    size = len(content.encode("utf-8"))
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(1, round(size / 1e3))} kB"


def _rdf_files(kg: KnowledgeGraph) -> dict[str, str]:
    import tempfile
    from pathlib import Path

    from transferkg.render.export import export_graph
    from transferkg.store.oxigraph import OxigraphStore
    from transferkg.views import deal_network

    files: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="transferkg-site-") as tmp:
        for name, fmt in (("transferkg.ttl", "ttl"), ("transferkg.nq", "nq")):
            if isinstance(kg.store, OxigraphStore):
                kg.store.write(Path(tmp) / name, format=fmt)  # sorted: the same graph, the same bytes
                files[name] = (Path(tmp) / name).read_text(encoding="utf-8")
            else:
                files[name] = kg.graph.serialize(format="turtle" if fmt == "ttl" else "nt")
    files["deal-network.graphml"] = export_graph(deal_network(kg), "graphml") or ""
    return files


def ontology_page(kg: KnowledgeGraph) -> str:
    """The body of ``ontology.html``: every class, property and code of the ontology, defined."""
    from rdflib import Graph

    from transferkg.curation.loader import parse_turtle
    from transferkg.render.docs import docs_body

    ontology = Graph()
    parse_turtle(kg.layout.ontology, ontology, root=kg.layout.root)
    for path in sorted(kg.layout.vocab_dir.glob("*.ttl")):
        parse_turtle(path, ontology, root=kg.layout.root)
    return docs_body(ontology)[1]


def downloads(kg: KnowledgeGraph, results: dict[str, SelectResult]) -> tuple[dict[str, str], str]:
    """The files under ``downloads/`` and the body of ``downloads.html``."""
    files = {f"downloads/{name}": content for name, content in _rdf_files(kg).items()}
    for name, result in results.items():
        files[f"downloads/tables/{name}.csv"] = format_result(result, "csv")
    rdf_rows = [(link(f"downloads/{name}", name), kind, what, _size(files[f"downloads/{name}"]))
                for name, kind, what in _RDF]
    rdf_rows.append((link("ontology.html", "ontology.html"), "HTML (a page of this site)",
                     "the ontology and code lists: every class, property and code, defined", ""))
    query_rows = [(link(f"downloads/tables/{name}.csv", f"{name}.csv"), f"{len(result.rows):,}",
                   link(f"queries/{name}.html", "query and table"), _size(files[f"downloads/tables/{name}.csv"]))
                  for name, result in results.items()]
    body = ("<h1>Downloads</h1><p class=\"lead\">Everything this site shows, to take away: the graph itself, "
            "every table of the query library as CSV (each query run with its defaults), the deal network "
            "and the ontology. Every file is part of this site; nothing is fetched from elsewhere.</p>"
            "<h2>The graph</h2>" + table(("file", "format", "what it holds", "size"), rdf_rows)
            + "<h2>The query library's tables (CSV)</h2>"
            + table(("file", "rows", "the query", "size"), query_rows, sortable=True))
    return files, body


def _param_rows(query: Query) -> list[tuple[str, str, str]]:
    return [(name, p.type + (", several values" if p.multiple else "") + (", required" if p.required else ""),
             p.description + (f" (default {p.default})" if p.default is not None else ""))
            for name, p in query.params.items()]


def _results_table(result: SelectResult) -> Html:
    rows = [[text(v) for v in row] for row in result.rows]
    return table(result.vars, rows, sortable=True, empty="no rows")


def query_pages(kg: KnowledgeGraph) -> tuple[dict[str, str], dict[str, SelectResult], str]:
    """Each library query's page (``queries/<name>.html``) with its rows, the rows, and ``queries.html``'s body."""
    pages: dict[str, str] = {}
    results: dict[str, SelectResult] = {}
    index: list[tuple[Any, ...]] = []
    for query in kg.queries:
        try:
            result = kg.result(query.name)
            note = ""
        except BadParameter as exc:  # a default this graph does not hold (a test tree): said, not hidden
            result = SelectResult(vars=[], rows=[])
            note = f"<p class=\"none\">Not run with its defaults on this graph: {esc(str(exc))}</p>"
        results[query.name] = result
        params = _param_rows(query)
        body = (f"<h1>{esc(query.name)}</h1><p class=\"lead\">{esc(query.summary)}</p>"
                f"<p>{esc(query.description)}</p>"
                + ("<h2>Parameters</h2>" + table(("name", "type", "meaning"), params) if params else "")
                + f"<h2>Current results ({len(result.rows):,} rows, with the defaults)</h2>"
                + f"<p>{link(f'../downloads/tables/{query.name}.csv', 'as CSV')} · run it yourself with "
                f"<code>transferkg query {esc(query.name)}</code></p>"
                + note + _results_table(result)
                + f"<h2>SPARQL</h2><pre class=\"sparql\" tabindex=\"0\"><code>{esc(query.text)}</code></pre>")
        pages[query.name] = body
        index.append((link(f"queries/{query.name}.html", query.name), query.summary,
                      ", ".join(query.params) or "—", f"{len(result.rows):,}"))
    index_body = ("<h1>Queries</h1><p class=\"lead\">Every table of this site comes from these named SPARQL "
                  "queries. Each page shows the query's text and its current results; "
                  "<code>transferkg query NAME</code> runs it on your copy of the graph.</p>"
                  + table(("query", "what it answers", "parameters", "rows"), index, sortable=True))
    return pages, results, index_body


def latest_changes(changes: Diff | None, *, limit: int = 12) -> str:
    """The home page's "latest changes" section from a diff against an earlier release ("" without one)."""
    if changes is None:
        return ""
    from transferkg.app.diff import short

    old = changes.old
    since = f"{old.spec} ({old.ref[:12]})" if old.ref and old.ref != old.spec else old.spec
    summary = "".join(f"<li>{esc(k)}: <strong>{v:,}</strong></li>" for k, v in changes.summary().items() if v)
    rows = []
    # status changes first, then new agreements, then the most changed: what a reader looks for
    groups = sorted(changes.groups, key=lambda g: (not g.status, not g.new,
                                                   -(len(g.added) + len(g.changed) + len(g.removed)), g.label))
    for g in groups[:limit]:
        what = []
        if g.new:
            what.append("new agreement")
        if g.dropped:
            what.append("agreement dropped")
        if g.status:
            what.append(f"status {g.status[0] or '—'} → {g.status[1] or '—'}")
        counts = ", ".join(f"{n} claim{'s' if n != 1 else ''} {how}" for how, n in
                           (("added", len(g.added)), ("changed", len(g.changed)), ("removed", len(g.removed))) if n)
        if counts:
            what.append(counts)
        name = (link(f"agreements/{short(g.agreement)}.html", g.label) if g.agreement and not g.dropped
                else esc(g.label or "other subjects"))
        rows.append((name, "; ".join(what)))
    more = (f"<p>… and {len(changes.groups) - limit} more; <code>transferkg diff</code> lists every change.</p>"
            if len(changes.groups) > limit else "")
    return (f"<h2>Latest changes since {esc(since)}</h2>"
            + (f"<ul>{summary}</ul>" if summary else "<p>No change.</p>")
            + table(("agreement", "what changed"), rows, empty="no change to any agreement") + more)
