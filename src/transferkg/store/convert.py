"""Term conversion, written once: pyoxigraph terms and SPARQL JSON results to rdflib terms and back.

Every backend hands rows up as the rdflib terms rdflib's own parser would build:
typed literals keep their datatype, ``xsd:string`` literals become plain literals
(RDF 1.1 makes ``"x"`` and ``"x"^^xsd:string`` one term), language tags and blank
nodes are kept. So queries, views and exports see the same terms on every backend.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from transferkg.core.errors import BadParameter, EndpointError

__all__ = ["from_oxigraph", "from_sparql_json", "to_oxigraph"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _literal(value: str, lang: str | None, datatype: str | None) -> Literal:
    """The rdflib literal for a lexical form with a language tag or a datatype IRI."""
    if lang:
        return Literal(value, lang=lang)
    if datatype and datatype not in (_XSD_STRING, _RDF_LANG_STRING):
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)


def from_oxigraph(term: Any) -> Node | None:
    """The rdflib term for a pyoxigraph term (``None`` for nothing or the default graph).

    Raises:
        BadParameter: an RDF-star triple term, which rdflib cannot represent.
    """
    if term is None:
        return None
    kind = type(term)
    if kind is ox.NamedNode:
        return URIRef(term.value)
    if kind is ox.Literal:
        return _literal(term.value, term.language, term.datatype.value)
    if kind is ox.BlankNode:
        return BNode(term.value)
    if kind is ox.DefaultGraph:
        return None
    raise BadParameter(f"RDF-star triple terms are not supported: {term}")


def to_oxigraph(node: Node) -> Any:
    """The pyoxigraph term for an rdflib term.

    Raises:
        BadParameter: for anything but an IRI, a literal or a blank node, or an invalid IRI.
    """
    try:
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        if isinstance(node, Literal):
            if node.language:
                return ox.Literal(str(node), language=node.language)
            if node.datatype is not None:
                return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
            return ox.Literal(str(node))
        if isinstance(node, BNode):
            return ox.BlankNode(re.sub(r"[^A-Za-z0-9_]", "_", str(node)) or "b")
    except ValueError as exc:
        raise BadParameter(f"not a valid RDF term for Oxigraph: {node!r} ({exc})") from exc
    raise BadParameter(f"cannot store {node!r} ({type(node).__name__}) in Oxigraph")


def from_sparql_json(binding: Mapping[str, Any] | None) -> Node | None:
    """The rdflib term for one binding of SPARQL 1.1 JSON results (``None``: unbound).

    Raises:
        EndpointError: a term type transferkg cannot represent (e.g. an RDF-star triple).
    """
    if binding is None:
        return None
    kind = binding.get("type")
    value = binding.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        return _literal(value, binding.get("xml:lang"), binding.get("datatype"))
    raise EndpointError(f"the endpoint returned a {kind!r} term, which transferkg cannot represent")
