"""The ontology, code lists and namespace class: complete, canonical, in sync."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, VANN

from tests.helpers import REPO
from transferkg.core import _generate
from transferkg.core.namespaces import TCT

ONTOLOGY_IRI = URIRef("https://w3id.org/tct/ontology")
REQUIRED_CLASSES = [
    "State", "RecognitionAct", "Agreement", "TransferAgreement", "StatusChange",
    "SelectionCriterion", "Migrant", "Cohort", "Event", "TransferEvent", "DeportationFlight",
    "Arrival", "LegalChallenge", "Source", "NewsArticle", "OfficialStatement", "CourtDecision",
    "Claim",
]


@pytest.fixture(scope="module")
def onto(repo: Path) -> Graph:
    return Graph().parse(repo / "ontology" / "tct.ttl")


def _terms(g: Graph) -> list[URIRef]:
    return sorted({s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(str(TCT))
                   and s != ONTOLOGY_IRI})


def test_header_has_the_metadata_users_cite(onto: Graph) -> None:
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.creator, DCTERMS.license,
                 DCTERMS.created, DCTERMS.modified, OWL.versionIRI, OWL.versionInfo,
                 VANN.preferredNamespacePrefix, VANN.preferredNamespaceUri, SKOS.changeNote):
        assert onto.value(ONTOLOGY_IRI, prop) is not None, prop


@pytest.mark.parametrize("name", REQUIRED_CLASSES)
def test_required_classes_exist(onto: Graph, name: str) -> None:
    assert (TCT[name], RDF.type, OWL.Class) in onto


def test_every_term_has_label_definition_and_is_defined_by(onto: Graph) -> None:
    problems = []
    for term in _terms(onto):
        label = onto.value(term, RDFS.label)
        definition = onto.value(term, SKOS.definition)
        if label is None or getattr(label, "language", None) != "en":
            problems.append(f"{term}: English label")
        if definition is None or not str(definition).endswith("."):
            problems.append(f"{term}: definition ending in a period")
        if (term, RDFS.isDefinedBy, ONTOLOGY_IRI) not in onto:
            problems.append(f"{term}: isDefinedBy")
        local = str(term)[len(str(TCT)):]
        is_class = (term, RDF.type, OWL.Class) in onto
        if is_class != local[0].isupper():
            problems.append(f"{term}: classes UpperCamelCase, properties lowerCamelCase")
    assert problems == []


def test_code_list_concepts_are_complete(repo: Path) -> None:
    g = Graph()
    for path in (repo / "ontology" / "vocab").glob("*.ttl"):
        g.parse(path)
    concepts = list(g.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) > 50
    for c in concepts:
        assert g.value(c, SKOS.prefLabel) is not None, c
        assert g.value(c, SKOS.definition) is not None, c
        scheme = g.value(c, SKOS.inScheme)
        assert (scheme, RDF.type, SKOS.ConceptScheme) in g, c
    for local in ("unknown", "withheld", "stateless", "up-to", "deprecated", "blocked-by-court"):
        assert (URIRef("https://w3id.org/tct/vocab/" + local), RDF.type, SKOS.Concept) in g


def test_generated_namespace_matches_ontology(repo: Path) -> None:
    names = _generate.ontology_terms(repo / "ontology" / "tct.ttl")
    generated = (Path(_generate.__file__).parent / "_terms.py").read_text(encoding="utf-8")
    assert generated == _generate.render(names), "run: python -m transferkg.core._generate"


def test_namespace_is_closed() -> None:
    with pytest.raises(AttributeError):
        _ = TCT.NoSuchTerm


def _turtle_files(repo: Path) -> list[Path]:
    return sorted((repo / "ontology").rglob("*.ttl"))


@pytest.mark.parametrize("path", _turtle_files(REPO),
                         ids=lambda p: p.name)
def test_turtle_is_in_canonical_layout(path: Path) -> None:
    from transferkg.curation.fmt import canonical_turtle

    text = path.read_text(encoding="utf-8")
    assert canonical_turtle(text) == text, f"run: transferkg fmt {path.name}"
