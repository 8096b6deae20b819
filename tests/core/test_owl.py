"""The ontology's OWL 2 RL axioms, checked by a reasoner (owlrl).

Disjoint top-level classes, functional properties and domains/ranges make the
ontology checkable: the OWL-RL closure of the ontology plus the built curated
graph must be consistent, and planted mistakes must make it inconsistent.

owlrl signals an inconsistency by adding ``[] a err:ErrorMessage ; err:error "…"``
(``owlrl.Namespaces.ERRNS``) to the closure; a node typed ``owl:Nothing`` is one
too. OWL has no unique-name assumption: a functional property with two values makes
them ``owl:sameAs``, which is no contradiction unless their types are disjoint. The
project's ids are unique names, so an inferred ``owl:sameAs`` between two different
``id:`` IRIs is reported as well (a claim with two subjects, an agreement with two
current statuses…), and so is an inferred ``owl:sameAs`` between two different
literals (a claim with two quotes). A domain or range that is a union of classes
(``tct:capacity`` on agreements or facilities) is documentation only: OWL 2 RL
draws no conclusion from membership of a union.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, XSD

import transferkg
from transferkg.core.namespaces import TCT

owlrl = pytest.importorskip("owlrl")
ERR = owlrl.Namespaces.ERRNS
ID = Namespace("https://w3id.org/tct/id/")
TCTV = Namespace("https://w3id.org/tct/vocab/")


def closure(graph: Graph) -> Graph:
    g = Graph()
    for triple in graph:
        g.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    return g


def problems(g: Graph) -> list[str]:
    """Every inconsistency the closure shows: owlrl's error messages, owl:Nothing members, merged ids."""
    found = sorted(str(m) for m in g.objects(None, ERR.error))
    found += sorted(f"{s} a owl:Nothing" for s in g.subjects(RDF.type, OWL.Nothing))
    found += sorted(f"{a} owl:sameAs {b}" for a, b in g.subject_objects(OWL.sameAs)
                    if isinstance(a, URIRef) and isinstance(b, URIRef) and a != b
                    and str(a).startswith(str(ID)) and str(b).startswith(str(ID)))
    # a functional datatype property with two values: two different data values made equal
    found += sorted(f"{a!r} owl:sameAs {b!r}" for a, b in g.subject_objects(OWL.sameAs)
                    if isinstance(a, Literal) and isinstance(b, Literal) and not a.eq(b))
    return found


@pytest.mark.slow
def test_ontology_plus_curated_graph_is_consistent(kg: transferkg.KnowledgeGraph) -> None:
    g = kg.graph
    assert (URIRef("https://w3id.org/tct/ontology"), RDF.type, OWL.Ontology) in g  # the ontology is in it
    assert problems(closure(g)) == []


def test_the_ontology_has_axioms_a_reasoner_uses(ontology: Graph) -> None:
    assert len(list(ontology.subjects(RDF.type, OWL.AllDisjointClasses))) >= 3
    for p in (TCT.claimSubject, TCT.claimProperty, TCT.rank, TCT.quote, TCT.changesStatusOf, TCT.currentStatus):
        assert (p, RDF.type, OWL.FunctionalProperty) in ontology, p
    assert (TCT.memberOf, OWL.inverseOf, None) in ontology


def _claim(g: Graph, name: str, subject: URIRef) -> URIRef:
    c = ID[name]
    g.add((c, RDF.type, TCT.Claim))
    g.add((c, TCT.claimSubject, subject))
    g.add((c, TCT.claimProperty, TCT.capacity))
    g.add((c, TCT.rank, TCTV.normal))
    return c


def _base(ontology: Graph) -> Graph:
    g = Graph()
    for t in ontology:
        g.add(t)
    for code in ("US", "XK"):
        g.add((ID[f"state-{code}"], RDF.type, TCT.State))
    a = ID["agreement-US-XK-2025-06"]
    g.add((a, RDF.type, TCT.TransferAgreement))
    g.add((a, TCT.sendingState, ID["state-US"]))
    g.add((a, TCT.receivingState, ID["state-XK"]))
    _claim(g, "claim-ok", a)
    return g


def test_a_small_valid_graph_is_consistent(ontology: Graph) -> None:
    assert problems(closure(_base(ontology))) == []


def _plant_state_and_agreement(g: Graph) -> None:
    g.add((ID["state-XK"], RDF.type, TCT.Agreement))


def _plant_two_subjects(g: Graph) -> None:
    g.add((ID["claim-ok"], TCT.claimSubject, ID["state-US"]))


def _plant_claim_about_two_agreements(g: Graph) -> None:
    g.add((ID["agreement-US-XK-2025-07"], RDF.type, TCT.TransferAgreement))
    g.add((ID["claim-ok"], TCT.claimSubject, ID["agreement-US-XK-2025-07"]))


def _plant_status_change_of_a_state(g: Graph) -> None:
    sc = ID["status-change-1"]
    g.add((sc, TCT.changesStatusOf, ID["state-US"]))  # range tct:Agreement


def _plant_party_that_is_a_claim(g: Graph) -> None:
    g.add((ID["agreement-US-XK-2025-06"], TCT.receivingState, ID["claim-ok"]))  # range tct:State


def _plant_hosting_modality_of_a_source(g: Graph) -> None:
    s = ID["source-1"]
    g.add((s, RDF.type, TCT.NewsArticle))
    g.add((s, TCT.hostingModality, TCTV["detention"]))  # domain tct:Agreement


def _plant_flight_that_is_an_arrival(g: Graph) -> None:
    f = ID["transfer-1"]
    g.add((f, RDF.type, TCT.DeportationFlight))
    g.add((f, RDF.type, TCT.Arrival))


def _plant_source_of_two_kinds(g: Graph) -> None:
    s = ID["source-2"]
    g.add((s, RDF.type, TCT.NewsArticle))
    g.add((s, RDF.type, TCT.CourtDecision))


def _plant_two_quotes(g: Graph) -> None:
    g.add((ID["claim-ok"], TCT.quote, Literal("up to 50")))
    g.add((ID["claim-ok"], TCT.quote, Literal("50")))


def _plant_bad_date(g: Graph) -> None:
    g.add((ID["claim-ok"], TCT.asOf, Literal("2025-13-45", datatype=XSD.date)))


@pytest.mark.parametrize("plant", [
    _plant_state_and_agreement, _plant_two_subjects, _plant_claim_about_two_agreements,
    _plant_status_change_of_a_state, _plant_party_that_is_a_claim, _plant_hosting_modality_of_a_source,
    _plant_flight_that_is_an_arrival, _plant_source_of_two_kinds, _plant_two_quotes, _plant_bad_date,
], ids=lambda f: f.__name__.removeprefix("_plant_"))
def test_planted_inconsistency_is_found(ontology: Graph, plant) -> None:  # type: ignore[no-untyped-def]
    g = _base(ontology)
    plant(g)
    assert problems(closure(g)) != []
