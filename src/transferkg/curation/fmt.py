"""One canonical Turtle layout (rdflib ``longturtle``): sorted prefixes, one predicate a line."""

from __future__ import annotations

from rdflib import Graph

__all__ = ["canonical_turtle"]


def canonical_turtle(text: str) -> str:
    """``text`` re-serialised in the canonical layout, keeping its prefixes."""
    graph = Graph(bind_namespaces="none")
    graph.parse(data=text, format="turtle")
    out = graph.serialize(format="longturtle")
    return out if out.endswith("\n") else out + "\n"
