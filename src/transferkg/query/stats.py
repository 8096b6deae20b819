"""Counts a curator or a reader checks first: per class, per source, per agreement."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from transferkg.store.base import Store

__all__ = ["Stats", "compute_stats"]

_PER_CLASS = """
PREFIX tct: <https://w3id.org/tct/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?class .
  FILTER (STRSTARTS(STR(?class), STR(tct:)) || ?class = org:Organization)
  FILTER (STRSTARTS(STR(?s), "https://w3id.org/tct/id/"))
} GROUP BY ?class ORDER BY ?class
"""

_PER_SOURCE = """
PREFIX tct: <https://w3id.org/tct/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?source (COUNT(?c) AS ?n) WHERE {
  ?c a tct:Claim ; prov:wasDerivedFrom ?source .
} GROUP BY ?source ORDER BY DESC(?n) ?source
"""

_PER_AGREEMENT = """
PREFIX tct: <https://w3id.org/tct/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?agreement (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?c) AS ?n) WHERE {
  ?agreement a/rdfs:subClassOf* tct:Agreement .
  OPTIONAL { ?agreement rdfs:label ?l }
  OPTIONAL { ?c tct:claimSubject ?agreement }
} GROUP BY ?agreement ORDER BY DESC(?n) ?agreement
"""

_RECEIVING = """
PREFIX tct: <https://w3id.org/tct/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {
  ?a a/rdfs:subClassOf* tct:Agreement ; tct:receivingState ?r .
}
"""


def _local(node: object) -> str:
    text = str(node)
    for sep in ("#", "/"):
        if sep in text:
            text = text.rsplit(sep, 1)[-1]
    return text


@dataclass
class Stats:
    """Counts of one graph."""

    triples: int
    per_class: dict[str, int] = field(default_factory=dict)
    per_source: dict[str, int] = field(default_factory=dict)
    per_agreement: dict[str, tuple[str, int]] = field(default_factory=dict)
    receiving_states: int = 0

    def count(self, cls: str) -> int:
        return self.per_class.get(cls, 0)

    @property
    def agreements(self) -> int:
        return self.count("Agreement") + self.count("TransferAgreement")

    def summary(self) -> dict[str, int]:
        """The headline numbers a build prints."""
        return {
            "triples": self.triples,
            "states": self.count("State"),
            "agreements": self.agreements,
            "receiving states": self.receiving_states,
            "claims": self.count("Claim"),
            "sources": sum(self.count(c) for c in ("NewsArticle", "OfficialStatement",
                                                   "CourtDecision", "Report", "Source")),
        }

    def text(self) -> str:
        """All counts as aligned text tables."""
        lines = ["Summary"]
        lines += [f"  {k:<18} {v:>7}" for k, v in self.summary().items()]
        lines.append("Per class")
        lines += [f"  {k:<18} {v:>7}" for k, v in sorted(self.per_class.items())]
        lines.append("Claims per source (top 20)")
        lines += [f"  {k:<50} {v:>5}" for k, v in list(self.per_source.items())[:20]]
        lines.append("Claims per agreement")
        lines += [f"  {k:<36} {v[1]:>5}  {v[0]}" for k, v in self.per_agreement.items()]
        return "\n".join(lines)


def compute_stats(store: Store) -> Stats:
    """Count what ``store`` holds."""
    stats = Stats(triples=store.triple_count())
    for cls, n in store.select(_PER_CLASS).rows:
        name = "Organization" if str(cls).endswith("org#Organization") else _local(cls)
        stats.per_class[name] = int(n.toPython())  # type: ignore[union-attr]
    for source, n in store.select(_PER_SOURCE).rows:
        stats.per_source[_local(source)] = int(n.toPython())  # type: ignore[union-attr]
    for agreement, label, n in store.select(_PER_AGREEMENT).rows:
        if isinstance(agreement, URIRef):
            stats.per_agreement[_local(agreement)] = (str(label or ""), int(n.toPython()))  # type: ignore[union-attr]
    rows = store.select(_RECEIVING).rows
    stats.receiving_states = int(rows[0][0].toPython()) if rows else 0  # type: ignore[union-attr]
    return stats
