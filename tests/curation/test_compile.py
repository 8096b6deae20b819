"""The YAML compiler: deterministic ids and file:line errors for curators."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import SDO, XSD

from transferkg.core.errors import LoadError
from transferkg.core.namespaces import TCT, TCTV
from transferkg.curation.compile import compile_graph, parse_partial_date


def _compile(tree: Path, ontology: Graph) -> Graph:
    return compile_graph(tree / "graph", ontology, display_root=tree).graph


def test_compiling_twice_gives_the_same_graph(tree: Path, ontology: Graph) -> None:
    first = _compile(tree, ontology)
    second = _compile(tree, ontology)
    assert isomorphic(first, second)
    assert set(first.subjects(TCT.claimSubject, None)) == set(second.subjects(TCT.claimSubject, None))


def test_up_to_is_a_max_value_with_qualifier(tree: Path, ontology: Graph) -> None:
    g = _compile(tree, ontology)
    maxima = {(q, v) for q, v in g.subject_objects(SDO.maxValue)}
    assert len(maxima) == 1
    q, v = maxima.pop()
    assert v == Literal(50)
    assert (q, TCT.quantityQualifier, TCTV["up-to"]) in g
    claims = list(g.subjects(TCT.variantOf, None))
    assert len(claims) == 1


@pytest.mark.parametrize(("text", "datatype"), [("2025", XSD.gYear), ("2025-06", XSD.gYearMonth),
                                                 ("2025-06-11", XSD.date)])
def test_dates_keep_their_precision(text: str, datatype: object) -> None:
    assert parse_partial_date(text).datatype == datatype


@pytest.mark.parametrize("text", ["2025-13", "2025-02-30", "June 2025", "25-06"])
def test_bad_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_partial_date(text)


BAD_CLAIMS = [
    ("{p: capacityy, quantity: 5, src: src-test-1, quote: q}", "unknown or derived property 'capacityy'"),
    ("{p: status, code: maybe, src: src-test-1, quote: q}", "unknown code 'maybe'"),
    ("{p: receivingState, state: ZZ, src: src-test-1, quote: q}", "unknown state code 'ZZ'"),
    ("{p: date, date: \"2025-13\", src: src-test-1, quote: q}", "month out of range"),
    ("{p: capacity, quantity: 5, src: src-nowhere, quote: q}", "unknown source 'src-nowhere'"),
    ("{p: capacity, text: five, src: src-test-1, quote: q}", "property 'capacity' takes quantity"),
    ("{p: capacity, quantity: 5, state: US, src: src-test-1}", "exactly one value"),
    ("{p: note, text: x, src: src-test-1, rank: deprecated}", "needs a 'reason'"),
    ("{p: note, text: x, src: src-test-1, conflictsWith: nokey}", "unknown claim key 'nokey'"),
    ("{p: note, text: x, src: src-test-1, colour: red}", "unknown claim key 'colour'"),
    ("{p: changesStatusOf, ref: agreement-nowhere, src: src-test-1}", "unknown id 'agreement-nowhere'"),
]


@pytest.mark.parametrize(("claim", "message"), BAD_CLAIMS)
def test_bad_claims_name_file_and_line(tree: Path, ontology: Graph, claim: str, message: str) -> None:
    path = tree / "graph" / "mini.yaml"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    line_no = len(lines) + 1
    path.write_text(text + f"      - {claim}\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        _compile(tree, ontology)
    assert f"graph/mini.yaml:{line_no}:" in str(info.value)
    assert message in str(info.value)


def test_yaml_syntax_error_names_line(tree: Path, ontology: Graph) -> None:
    path = tree / "graph" / "mini.yaml"
    path.write_text("entities:\n  a: [unclosed\n  b: c\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"graph/mini.yaml:\d+: YAML syntax error"):
        _compile(tree, ontology)


def test_duplicate_id_names_both_places(tree: Path, ontology: Graph) -> None:
    (tree / "graph" / "dup.yaml").write_text(
        "entities:\n  agreement-AA-BB-2025:\n    type: Agreement\n    label: again\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        _compile(tree, ontology)
    assert "duplicate id 'agreement-AA-BB-2025'" in str(info.value)
    assert "graph/mini.yaml:" in str(info.value)


def test_all_errors_are_reported_together(tree: Path, ontology: Graph) -> None:
    path = tree / "graph" / "mini.yaml"
    path.write_text(path.read_text(encoding="utf-8")
                    + "      - {p: nope1, text: x, src: src-test-1}\n"
                    + "      - {p: nope2, text: x, src: src-test-1}\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        _compile(tree, ontology)
    assert "nope1" in str(info.value) and "nope2" in str(info.value)
