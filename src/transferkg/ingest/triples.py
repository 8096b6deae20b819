"""A checked transfer record as N-Triples lines, in the same claims-as-nodes shape as the curated graph.

Each record becomes a ``tct:TransferEvent`` (``id:record-…``) with one claim per fact
(sending and receiving state, date, nationalities, count), each citing the row's
source; the claims are written by :func:`transferkg.core.claims.claim_triples`, as
the compiler writes curated ones. Record, claim and source ids are content hashes
(:mod:`transferkg.core.ids`): importing the same row twice writes the same lines.
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SDO

from transferkg.core.claims import Claim, Quantity, Triple, claim_triples, nt_lines, state_node, state_triples, vocab
from transferkg.core.ids import claim_id, content_hash
from transferkg.core.namespaces import ID, TCT
from transferkg.ingest.records import Record

__all__ = ["DESCRIBED", "RecordWriter", "state_lines"]

DESCRIBED = 10_000
"""URL sources remembered as already described in this import (then forgotten, and described again)."""


# Terms looked up once (a namespace attribute costs a lookup each time; an import writes millions).
_FROM, _TO, _DATE, _NATIONALITY = TCT.transferFrom, TCT.transferTo, TCT.date, TCT.nationality
_STATUS, _COUNT, _KIND, _EVENT = TCT.nationalityStatus, TCT.personCount, TCT.arrangementKind, TCT.TransferEvent
_TYPE, _LABEL, _IDENTIFIER = RDF.type, RDFS.label, DCTERMS.identifier


def _facts(record: Record) -> list[tuple[URIRef, str, URIRef | Literal | int]]:
    """``(property, value kind, value)`` of each claim of a record."""
    facts: list[tuple[URIRef, str, URIRef | Literal | int]] = [
        (_FROM, "state", state_node(record.sender)),
        (_TO, "state", state_node(record.host)),
        (_DATE, "date", record.date),
    ]
    facts += [(_NATIONALITY, "state", state_node(c)) for c in record.nationalities]
    facts += [(_STATUS, "code", vocab(s)) for s in record.statuses]
    if record.count is not None:
        facts.append((_COUNT, "quantity", record.count))
    return facts


class RecordWriter:
    """The N-Triples lines of checked records (:meth:`lines`), describing each URL source once."""

    def __init__(self) -> None:
        self._described: set[str] = set()

    def _source(self, record: Record) -> list[Triple]:
        """The description of a URL source, the first time this import meets it."""
        if record.source_url is None or record.source_url in self._described:
            return []
        if len(self._described) >= DESCRIBED:
            self._described.clear()
        self._described.add(record.source_url)
        node, url = record.source, record.source_url
        return [(node, RDF.type, TCT.Report), (node, TCT.sourceType, vocab("dataset")),
                (node, DCTERMS.title, Literal(f"Transfer records from {url}")), (node, SDO.url, URIRef(url))]

    def triples(self, record: Record) -> list[Triple]:
        """The triples of a checked record (with its source's description, once)."""
        src = record.source
        event = ID[f"record-{content_hash('record', str(src) if record.ident else '', record.content)}"]
        people = f" ({record.count} people)" if record.count is not None else ""
        label = f"Transfer {record.sender} → {record.host}, {record.date_text}{people}"
        out = self._source(record)
        out += [(event, _TYPE, _EVENT), (event, _LABEL, Literal(label, lang="en")), (event, _KIND, vocab(record.kind))]
        if record.ident:
            out.append((event, _IDENTIFIER, Literal(record.ident)))
        for prop, kind, value in _facts(record):
            node = ID[claim_id(str(event), str(prop), kind, str(value), str(src))]
            stated = Quantity(value=value) if isinstance(value, int) else value
            out += claim_triples(Claim(node, event, prop, src, stated))
        return out

    def lines(self, record: Record) -> list[str]:
        """The N-Triples lines of a checked record."""
        return nt_lines(self.triples(record))


def state_lines(codes: set[str]) -> list[str]:
    """Descriptions of the states the records name (dropped later if the store has them)."""
    return nt_lines(t for code in sorted(codes) for t in state_triples(code))
