"""What one compile run knows and builds: the ontology's tables, the declared ids, the output graph.

The compiler reads the curated files in two passes (declarations, then triples); the
modules that turn sources, entities and claims into triples share one
:class:`Context`, which also resolves a reference (``state-XK``, an entity id) and
collects every problem in :attr:`Context.errors`.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SDO, SKOS

from transferkg.core.claims import Triple, state_node
from transferkg.core.namespaces import ID, TCT, TCTV, bind_prefixes
from transferkg.core.states import state_label
from transferkg.curation.records import ClaimRecord
from transferkg.curation.yaml_reader import Errors, Where

__all__ = ["Context"]


def _local(term: URIRef, namespace: str) -> str | None:
    """The local name of ``term`` in ``namespace``, or None when it lies outside."""
    return str(term)[len(namespace):] if str(term).startswith(namespace) else None


def _claimable(ontology: Graph) -> dict[str, str]:
    """Each property a claim may state → what its value is: ``object``, ``literal`` or ``quantity``."""
    props: dict[str, str] = {}
    not_claimable = set(ontology.subjects(TCT.claimable, Literal(False)))
    for prop_type, kind in ((OWL.ObjectProperty, "object"), (OWL.DatatypeProperty, "literal")):
        for p in ontology.subjects(RDF.type, prop_type):
            local = _local(p, str(TCT))  # type: ignore[arg-type]
            if local is not None and p not in not_claimable:
                props[local] = "quantity" if (p, RDFS.range, SDO.QuantitativeValue) in ontology else kind
    return props


class Context:
    """The state of one compile run, shared by the passes over the curated files."""

    def __init__(self, ontology: Graph, display_root: Path) -> None:
        self.display_root = display_root
        self.errors = Errors()
        self.g = bind_prefixes(Graph())
        self.sources: dict[str, Where] = {}
        self.entities: dict[str, tuple[Where, str]] = {}
        self.keys: dict[str, tuple[Where, URIRef]] = {}
        """Claim key → where it is declared, and the claim node once compiled."""
        self.links: list[tuple[Where, URIRef, URIRef, str]] = []
        """``variantOf``/``conflictsWith`` links from a claim to a key, resolved at the end."""
        self.states: set[str] = set()
        self.claim_ids: dict[str, Where] = {}
        self.rows: dict[int, list[str]] = {}
        self.records: list[ClaimRecord] = []
        self.published: dict[str, str] = {}
        self.public_figures: dict[str, str] = {}
        self.not_people: list[str] = []
        self.codes = {local for c in ontology.subjects(RDF.type, SKOS.Concept)
                      if (local := _local(c, str(TCTV))) is not None}  # type: ignore[arg-type]
        self.kinds = {str(c)[len(str(TCTV)):] for c in ontology.subjects(SKOS.inScheme, TCTV.ArrangementKind)}
        self.props = _claimable(ontology)

    def add(self, triples: list[Triple]) -> None:
        """Add triples to the compiled graph."""
        for triple in triples:
            self.g.add(triple)

    def display(self, path: Path) -> str:
        """``path`` as messages show it: relative to the display root where it lies below it."""
        try:
            return path.relative_to(self.display_root).as_posix()
        except ValueError:
            return path.as_posix()

    def mapping(self, node: yaml.Node, where: Where, what: str) -> yaml.MappingNode | None:
        """``node`` if it is a mapping; else None, and an error saying ``what`` must be one."""
        if not isinstance(node, yaml.MappingNode):
            self.errors.add(where, f"{what} must be a mapping")
            return None
        return node

    def state(self, code: str, where: Where) -> URIRef | None:
        """The node of the state ``code`` (``XK`` or ``state-XK``), or None and an error for an unknown code."""
        code = code.strip()
        if code.startswith("state-"):
            code = code[len("state-"):]
        if not re.fullmatch(r"[A-Z]{2}", code) or state_label(code) is None:
            self.errors.add(where, f"unknown state code {code!r} (ISO 3166-1 alpha-2, or XK)")
            return None
        self.states.add(code)
        return state_node(code)

    def ref(self, ident: str, where: Where) -> URIRef | None:
        """The node a reference names (a state, an entity or a source), or None and an error."""
        if ident.startswith("state-"):
            return self.state(ident, where)
        if ident not in self.entities and ident not in self.sources:
            self.errors.add(where, f"unknown id {ident!r} (declare it under entities:)")
            return None
        return ID[ident]
