"""The privacy check: name-like phrases in any literal or IRI must be accounted for.

Names below are invented for the test.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SDO

from transferkg.core.namespaces import ID, TCT
from transferkg.core.privacy import NameList, check_graph, names_in_text, names_in_url


def test_a_personal_name_in_a_text_is_found() -> None:
    assert names_in_text("The court heard that Zorvan Kettlewisz Mbeki was deported") == ["Zorvan Kettlewisz Mbeki"]


def test_ordinary_words_states_months_and_acronyms_are_not_names() -> None:
    text = ("Kosovo Agrees to Accept Deportees Under Trump Administration's Migrant Policy; "
            "the UNHCR and KFOR said in June; Human Rights Watch")
    assert names_in_text(text) == []


def test_a_comma_separates_two_names() -> None:
    assert names_in_text("justices Zorvan Kettlewisz, Odrasca Teshvili and others") == ["Zorvan Kettlewisz", "Odrasca Teshvili"]


def test_a_name_in_a_url_slug_is_found_but_ids_are_not() -> None:
    assert names_in_url("https://news.example/us/zorvan-kettlewisz-deported-to-ghana") == ["zorvan kettlewisz"]
    assert names_in_url("https://news.example/?p=3769163") == []
    assert names_in_url("https://news.example/a/6549dcd5ac1cd9.1883/x") == []


def _graph() -> Graph:
    g = Graph()
    src = ID["src-test"]
    g.add((src, RDF.type, TCT.NewsArticle))
    g.add((src, DCTERMS.title, Literal("Where to deport Zorvan Kettlewisz? (Example News)")))
    g.add((src, SDO.url, URIRef("https://news.example/where-to-deport-zorvan-kettlewisz")))
    claim = ID["claim-1"]
    g.add((claim, TCT.quote, Literal("said Minister Odrasca Teshvili on Tuesday")))
    g.add((ID["challenge-kettlewisz-v-state"], RDFS.label, Literal("Challenge")))
    return g


def test_every_literal_and_iri_is_checked() -> None:
    found = check_graph(_graph(), NameList(public_figures={}))
    assert sorted((f.subject, f.property, f.name) for f in found) == [
        ("id:claim-1", "tct:quote", "Odrasca Teshvili"),
        ("id:src-test", "http://purl.org/dc/terms/title", "Zorvan Kettlewisz"),
        ("id:src-test", "https://schema.org/url", "zorvan kettlewisz"),
    ]


def test_public_figures_and_non_people_are_accounted_for() -> None:
    names = NameList(public_figures={"Odrasca Teshvili": "Minister of the Interior"},
                     not_people=("Zorvan Kettlewisz",))
    assert check_graph(_graph(), names) == []


def test_labels_of_organisations_are_known_words() -> None:
    g = _graph()
    org = ID["org-test"]
    g.add((org, RDF.type, URIRef("http://www.w3.org/ns/org#Organization")))
    g.add((org, RDFS.label, Literal("Teshvili Odrasca Foundation")))
    found = check_graph(g, NameList(public_figures={}))
    assert "Odrasca Teshvili" not in {f.name for f in found}
