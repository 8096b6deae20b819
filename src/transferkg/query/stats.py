"""Counts a curator or a reader checks first: per class, per source, per agreement."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from transferkg.core.resources import internal_query
from transferkg.store.base import Store

__all__ = ["Stats", "compute_stats"]


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
    for cls, n in store.select(internal_query(__package__, "per_class")).rows:
        name = "Organization" if str(cls).endswith("org#Organization") else _local(cls)
        stats.per_class[name] = int(n.toPython())  # type: ignore[union-attr]
    for source, n in store.select(internal_query(__package__, "per_source")).rows:
        stats.per_source[_local(source)] = int(n.toPython())  # type: ignore[union-attr]
    for agreement, label, n in store.select(internal_query(__package__, "per_agreement")).rows:
        if isinstance(agreement, URIRef):
            stats.per_agreement[_local(agreement)] = (str(label or ""), int(n.toPython()))  # type: ignore[union-attr]
    rows = store.select(internal_query(__package__, "receiving_states")).rows
    stats.receiving_states = int(rows[0][0].toPython()) if rows else 0  # type: ignore[union-attr]
    return stats
