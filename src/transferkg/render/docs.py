"""An HTML page documenting the ontology and its code lists, for people.

Generated on demand (``transferkg docs``), never committed. Every text from the
ontology is HTML-escaped.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from transferkg.core.namespaces import TCT, bind_prefixes
from transferkg.core.resources import Layout
from transferkg.curation.loader import parse_turtle

__all__ = ["docs_body", "render_docs", "write_docs"]

_CSS = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
line-height:1.45;color:#222}h1{font-size:1.6rem}h2{border-bottom:1px solid #ccc;margin-top:2.5rem}
section.term{margin:1.2rem 0;padding:.6rem .9rem;border-left:4px solid #4a7bd0;background:#f6f8fc}
code{background:#eef;padding:0 .2rem}dt{font-weight:600;float:left;clear:left;width:9rem}
dd{margin-left:10rem}nav a{margin-right:.6rem}"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _curie(graph: Graph, node: object) -> str:
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:  # noqa: BLE001
            return str(node)
    return str(node)


def _link(graph: Graph, node: object) -> str:
    if isinstance(node, BNode):  # an anonymous class or datatype: what it is made of, never a parse's label
        for prop, word in ((OWL.unionOf, "one of"), (OWL.intersectionOf, "all of")):
            members = graph.value(node, prop)
            if members is not None:
                items = list(Collection(graph, members))
                return f"{word} " + ", ".join(_link(graph, m) for m in sorted(items, key=str))
        return "an anonymous class"
    curie = _curie(graph, node)
    if isinstance(node, URIRef) and str(node).startswith(str(TCT)):
        return f'<a href="#{_e(curie.split(":", 1)[-1])}"><code>{_e(curie)}</code></a>'
    return f"<code>{_e(curie)}</code>"


def _term(graph: Graph, term: Node) -> str:
    local = str(term)[len(str(TCT)):]
    rows = []
    for label, prop in (("Definition", SKOS.definition), ("Comment", RDFS.comment),
                        ("Example", SKOS.example)):
        for value in graph.objects(term, prop):
            rows.append(f"<dt>{label}</dt><dd>{_e(value)}</dd>")
    for label, prop in (("Subclass of", RDFS.subClassOf), ("Subproperty of", RDFS.subPropertyOf),
                        ("Domain", RDFS.domain), ("Range", RDFS.range),
                        ("Exact match", SKOS.exactMatch), ("Close match", SKOS.closeMatch)):
        values = sorted(graph.objects(term, prop), key=lambda v: (isinstance(v, BNode), _link(graph, v)))
        if values:
            rows.append(f"<dt>{label}</dt><dd>{', '.join(_link(graph, v) for v in values)}</dd>")
    name = graph.value(term, RDFS.label) or local
    return (f'<section class="term" id="{_e(local)}"><h3>{_e(name)} '
            f"<code>tct:{_e(local)}</code></h3><dl>{''.join(rows)}</dl></section>")


def render_docs(graph: Graph) -> str:
    """The whole documentation page for an ontology + code-list graph."""
    title, body = docs_body(graph)
    return (f"<!doctype html><html lang=en><meta charset=utf-8><title>{_e(title)}</title>"
            f"<style>{_CSS}</style>\n{body}\n</html>")


def docs_body(graph: Graph) -> tuple[str, str]:
    """The ontology's title and its documentation as markup for a page's body (the tracker site's too)."""
    bind_prefixes(graph)
    onto = next(graph.subjects(RDF.type, OWL.Ontology), None)
    title = graph.value(onto, DCTERMS.title) if onto else "Ontology"
    desc = graph.value(onto, DCTERMS.description) if onto else ""
    version = graph.value(onto, OWL.versionInfo) if onto else ""
    classes = sorted((t for t in graph.subjects(RDF.type, OWL.Class) if str(t).startswith(str(TCT))), key=str)
    props = sorted((t for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
                    for t in graph.subjects(RDF.type, kind) if str(t).startswith(str(TCT))), key=str)
    parts = [f"<h1>{_e(title)}</h1><p>{_e(desc)}</p>",
             f"<p>Version {_e(version)} · namespace <code>{_e(TCT)}</code></p>",
             '<nav aria-label="ontology"><a href="#classes">Classes</a> · <a href="#properties">Properties</a>'
             ' · <a href="#codelists">Code lists</a></nav>',
             f'<h2 id="classes">Classes ({len(classes)})</h2>']
    parts += [_term(graph, c) for c in classes]
    parts.append(f'<h2 id="properties">Properties ({len(props)})</h2>')
    parts += [_term(graph, p) for p in props]
    parts.append('<h2 id="codelists">Code lists</h2>')
    for scheme in sorted(graph.subjects(RDF.type, SKOS.ConceptScheme), key=str):
        label = graph.value(scheme, SKOS.prefLabel) or _curie(graph, scheme)
        parts.append(f"<h3>{_e(label)} <code>{_e(_curie(graph, scheme))}</code></h3><ul>")
        for concept in sorted(graph.subjects(SKOS.inScheme, scheme), key=str):
            parts.append(f"<li><code>{_e(_curie(graph, concept))}</code> — "
                         f"{_e(graph.value(concept, SKOS.prefLabel) or '')}: "
                         f"{_e(graph.value(concept, SKOS.definition) or '')}</li>")
        parts.append("</ul>")
    return str(title), "\n".join(parts)


def write_docs(layout: Layout, out: str | os.PathLike[str]) -> Path:
    """Render the ontology of ``layout`` to ``out`` (UTF-8) and return the path."""
    graph = Graph()
    parse_turtle(layout.ontology, graph, root=layout.root)
    for path in sorted(layout.vocab_dir.glob("*.ttl")):
        parse_turtle(path, graph, root=layout.root)
    from transferkg.core.outputs import write_atomic

    return write_atomic(out, render_docs(graph))
