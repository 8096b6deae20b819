"""Namespaces and the one prefix map every graph and query uses."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SDO, SH, SKOS, VANN, XSD

from transferkg.core._terms import TCT

__all__ = ["ID", "PREFIXES", "TCT", "TCTV", "WD", "bind_prefixes", "sparql_prefixes"]

TCTV = Namespace("https://w3id.org/tct/vocab/")
ID = Namespace("https://w3id.org/tct/id/")
SHAPES = Namespace("https://w3id.org/tct/shapes#")
WD = Namespace("http://www.wikidata.org/entity/")

PREFIXES: dict[str, str] = {
    "dcterms": str(DCTERMS),
    "id": str(ID),
    "org": str(ORG),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SDO),
    "sh": str(SH),
    "shapes": str(SHAPES),
    "skos": str(SKOS),
    "tct": str(TCT),
    "tctv": str(TCTV),
    "vann": str(VANN),
    "wd": str(WD),
    "xsd": str(XSD),
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project prefixes on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, uri in PREFIXES.items():
        graph.bind(prefix, uri, override=True, replace=True)
    return graph


def sparql_prefixes() -> str:
    """The prefix map as SPARQL ``PREFIX`` lines, for ad-hoc queries."""
    return "".join(f"PREFIX {p}: <{u}>\n" for p, u in PREFIXES.items())
