"""The ``KnowledgeGraph`` API: one name per way of asking, a kept rdflib graph, ``load()`` refusing typos."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef

import transferkg
from transferkg.app.kg import KnowledgeGraph
from transferkg.core.namespaces import ID


def test_load_refuses_an_unknown_keyword(repo: Path) -> None:
    with pytest.raises(TypeError, match="derive"):
        transferkg.load(repo, derive=False)  # type: ignore[call-arg]  # the option is derive_layer


def test_result_takes_a_mapping_keywords_or_both(kg: KnowledgeGraph) -> None:
    rows = kg.result("agreements", {"host": "XK"}).rows
    assert rows
    assert kg.result("agreements", host="XK").rows == rows
    assert kg.result("agreements", {"host": "XK"}, sender="US").rows == kg.result("agreements", host="XK",
                                                                                  sender="US").rows
    assert kg.run_result("agreements", {"host": "XK"}).rows == rows  # the former name still works
    assert len(kg.run("agreements", host="XK")) == len(rows)


def test_select_binds_terms_and_query_is_its_former_name(kg: KnowledgeGraph) -> None:
    text = "SELECT ?o WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o }"
    found = kg.select(text, s=ID["state-XK"]).rows
    assert found
    assert kg.query(text, s=ID["state-XK"]).rows == found


def test_sparql_predeclares_the_project_prefixes(kg: KnowledgeGraph) -> None:
    result = kg.sparql("SELECT ?a WHERE { ?a a tct:TransferAgreement ; tct:receivingState id:state-XK }")
    assert URIRef(ID["agreement-US-XK-2025-06"]) in {row[0] for row in result.rows}


def test_graph_is_made_once_and_to_rdflib_reads_afresh(kg: KnowledgeGraph) -> None:
    first = kg.graph
    assert kg.graph is first  # not a copy of the whole store on every access
    fresh = kg.to_rdflib()
    assert len(fresh) == len(first) == len(kg)


def test_code_label_reads_the_code_list(kg: KnowledgeGraph) -> None:
    assert kg.code_label("third-country-deportation") == "third-country deportation"
    assert kg.code_label("no-such-code") == "no-such-code"
