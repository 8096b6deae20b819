"""The claims-as-nodes shape, written once for every layer that writes claims.

A claim is a node (``id:claim-…``) that names its subject, property, value and
source, with its quote, rank and the curator's notes; a quantity hangs off it as a
``schema:QuantitativeValue`` (``id:claim-…-quantity``) whose qualifier says which
slot the number fills. The curated YAML compiler adds these triples to an rdflib
graph; the streaming CSV import writes them as N-Triples lines (:func:`nt_line`).
The description of a state (label, ISO code, where the name comes from) is written
here too, so a state is described the same way wherever it is first named.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SDO

from transferkg.core.namespaces import ID, TCT, TCTV
from transferkg.core.states import KOSOVO, state_label

__all__ = ["Claim", "Quantity", "Triple", "claim_triples", "nt_line", "nt_lines", "nt_term", "state_node", "state_triples",
           "vocab"]

Triple = tuple[URIRef, URIRef, "URIRef | Literal"]
Number = int | Decimal

_SLOT = {"up-to": SDO.maxValue, "at-least": SDO.minValue, "more-than": SDO.minValue}
"""Where a single number goes for each qualifier ("up to 300" is a maximum); otherwise ``schema:value``."""
# Terms looked up once: a namespace attribute costs a lookup each time, and an import writes millions.
_TYPE, _CLAIM, _SUBJECT, _PROPERTY = RDF.type, TCT.Claim, TCT.claimSubject, TCT.claimProperty
_SOURCE, _RANK, _QUOTE, _QUANTITY = PROV.wasDerivedFrom, TCT.rank, TCT.quote, TCT.quantityValue
_LITERAL, _OBJECT, _BASIS, _REASON = TCT.literalValue, TCT.objectValue, TCT.valueBasis, TCT.rankReason
_SPEAKER, _AS_OF, _QUALIFIER = TCT.speaker, TCT.asOf, TCT.quantityQualifier
_QV, _UNIT, _VALUE, _MIN, _MAX = SDO.QuantitativeValue, SDO.unitText, SDO.value, SDO.minValue, SDO.maxValue


@dataclass(frozen=True)
class Quantity:
    """A claimed number of people or sum of money: one number, or a range, with a qualifier and a unit."""

    qualifier: str = "exact"
    unit: str = "person"
    value: Number | None = None
    minimum: Number | None = None
    maximum: Number | None = None

    def triples(self, node: URIRef) -> list[Triple]:
        """The ``schema:QuantitativeValue`` ``node``."""
        out: list[Triple] = [(node, _TYPE, _QV), (node, _QUALIFIER, vocab(self.qualifier)),
                             (node, _UNIT, _plain(self.unit))]
        if self.value is not None:
            out.append((node, _SLOT.get(self.qualifier, _VALUE), Literal(self.value)))
        if self.minimum is not None:
            out.append((node, _MIN, Literal(self.minimum)))
        if self.maximum is not None:
            out.append((node, _MAX, Literal(self.maximum)))
        return out


@dataclass(frozen=True)
class Claim:
    """One claim: ``subject`` ``prop`` ``value`` according to ``source``, as one node ``node``."""

    node: URIRef
    subject: URIRef
    prop: URIRef
    source: URIRef
    value: URIRef | Literal | Quantity
    quote: str = ""
    rank: str = "normal"
    basis: str | None = None
    """How a value not written in the quote was obtained, as a sentence."""
    reason: str | None = None
    """Why the claim has its rank (English)."""
    speaker: URIRef | None = None
    as_of: Literal | None = None


def claim_triples(claim: Claim) -> list[Triple]:
    """Every triple of ``claim`` (and of its quantity)."""
    c = claim.node
    out: list[Triple] = [(c, _TYPE, _CLAIM), (c, _SUBJECT, claim.subject), (c, _PROPERTY, claim.prop),
                         (c, _SOURCE, claim.source), (c, _RANK, vocab(claim.rank))]
    if claim.quote:
        out.append((c, _QUOTE, Literal(claim.quote)))
    if isinstance(claim.value, Quantity):
        quantity = URIRef(f"{c}-quantity")
        out.append((c, _QUANTITY, quantity))
        out += claim.value.triples(quantity)
    elif isinstance(claim.value, Literal):
        out.append((c, _LITERAL, claim.value))
    else:
        out.append((c, _OBJECT, claim.value))
    if claim.basis is not None:
        out.append((c, _BASIS, Literal(claim.basis)))
    if claim.reason is not None:
        out.append((c, _REASON, Literal(claim.reason, lang="en")))
    if claim.speaker is not None:
        out.append((c, _SPEAKER, claim.speaker))
    if claim.as_of is not None:
        out.append((c, _AS_OF, claim.as_of))
    return out


@cache
def _plain(text: str) -> Literal:
    """A plain literal of a short text from a closed list (a unit), made once."""
    return Literal(text)


@cache
def vocab(code: str) -> URIRef:
    """``tctv:<code>``: a code of the project's code lists (a rank, a qualifier, a kind …)."""
    return TCTV[code]


@cache
def state_node(code: str) -> URIRef:
    """``id:state-XX``: the node of the state with ISO 3166-1 alpha-2 code ``code``."""
    return ID[f"state-{code}"]


def state_triples(code: str) -> list[Triple]:
    """The description of state ``code``: its type, English label, ISO code and where the name comes from."""
    node = state_node(code)
    note = "user-assigned code XK" if code == KOSOVO else "ISO 3166-1 alpha-2 via pycountry"
    return [(node, RDF.type, TCT.State), (node, RDFS.label, Literal(state_label(code) or code, lang="en")),
            (node, TCT.isoCode, Literal(code)), (node, DCTERMS.source, Literal(note))]


def nt_term(term: URIRef | Literal) -> str:
    """``term`` in N-Triples, always on one line (``Literal.n3()`` would triple-quote a line break).

    An IRI is written as it is: the writers build theirs from checked text, and
    ``URIRef.n3()`` would check it again for every triple of a million-row import.
    """
    if isinstance(term, URIRef):
        return f"<{term}>"
    if not isinstance(term, Literal):
        return term.n3()
    body = '"' + (str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                  .replace("\r", "\\r")) + '"'
    if term.language:
        return f"{body}@{term.language}"
    if term.datatype:
        return f"{body}^^<{term.datatype}>"
    return body


def nt_line(triple: Triple) -> str:
    """One triple as an N-Triples line (without the line break); subject and predicate are IRIs."""
    s, p, o = triple
    return f"<{s}> <{p}> {nt_term(o)} ."


def nt_lines(triples: Iterable[Triple]) -> list[str]:
    """Many triples as N-Triples lines."""
    return [nt_line(t) for t in triples]
