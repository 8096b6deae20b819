"""Every internal SPARQL file of the package runs alike on both embedded backends and gives reviewed rows.

Internal queries (the ones the views, rules, stats and exports run) live next to their code
as ``src/transferkg/<layer>/sparql/<name>.rq``. Like the public library, each has a YAML
header with a summary, gives the same answer on rdflib and Oxigraph, and matches a reviewed
file ``tests/queries/internal/<layer>/<name>.<csv|nt|txt>`` (SELECT: the CSV table with its
rows sorted; CONSTRUCT: the sorted N-Triples, blank nodes named canonically; ASK: true or
false) — regenerate with ``python tests/queries/regenerate.py`` and review the diff.

A query runs with nothing bound unless its header declares ``#+ test-bindings:`` (see
:mod:`transferkg.query.internal`).
"""

from __future__ import annotations

import pytest
from rdflib import URIRef

from tests.helpers import INTERNAL_EXPECTED
from transferkg.core.errors import QuerySyntaxError
from transferkg.query.internal import InternalQuery, internal_queries, run_internal
from transferkg.store.base import MemoryStore

EXPECTED = INTERNAL_EXPECTED
QUERIES = internal_queries()


def _header_error(query: InternalQuery) -> str | None:
    try:
        query.test_bindings  # noqa: B018 - reads and checks the whole header
        query.query  # noqa: B018
    except QuerySyntaxError as exc:
        return str(exc)
    return None


def test_the_package_has_internal_queries_and_each_a_reviewed_answer() -> None:
    assert QUERIES, "no src/transferkg/*/sparql/*.rq found"
    readable = [q for q in QUERIES if _header_error(q) is None]
    missing = [q.key for q in readable if not (EXPECTED / f"{q.key}.{q.suffix}").is_file()]
    assert not missing, f"no reviewed answer in tests/queries/internal/ for {missing}; run tests/queries/regenerate.py"
    known = {f"{q.key}.{q.suffix}" for q in readable}
    broken = {q.key for q in QUERIES} - {q.key for q in readable}
    stale = [p.relative_to(EXPECTED).as_posix() for p in EXPECTED.rglob("*.*")
             if p.relative_to(EXPECTED).as_posix() not in known
             and p.relative_to(EXPECTED).as_posix().rsplit(".", 1)[0] not in broken]
    assert not stale, f"reviewed answers without a query: {stale}"


@pytest.mark.parametrize("query", QUERIES, ids=[q.key for q in QUERIES])
def test_an_internal_query_has_a_header(query: InternalQuery) -> None:
    error = _header_error(query)
    assert error is None, f"the #+ header is not valid YAML (quote a value with ': ' in it): {error}"
    assert query.summary, f"{query.path} has no '#+ summary:' header line"


@pytest.mark.parametrize("query", QUERIES, ids=[q.key for q in QUERIES])
def test_an_internal_query_gives_its_reviewed_answer_on_both_backends(query: InternalQuery, kg, memory_kg) -> None:
    on_oxigraph = run_internal(kg.store, query)
    assert run_internal(memory_kg.store, query) == on_oxigraph, f"{query.key}: rdflib and Oxigraph differ"
    want = (EXPECTED / f"{query.key}.{query.suffix}").read_text(encoding="utf-8")
    assert on_oxigraph == want, f"{query.key} differs from its reviewed answer; regenerate and review if intended"


@pytest.mark.parametrize("query", [q for q in QUERIES if q.key.startswith("rules/")],
                         ids=lambda q: q.key)
def test_a_rule_query_reads_the_plain_rdf_the_rules_start_from(query: InternalQuery, kg) -> None:
    """The rules run these before the derived layer exists: they must not fail on a bare store."""
    store = MemoryStore()
    store.add_triples([(URIRef("urn:x:s"), URIRef("urn:x:p"), URIRef("urn:x:o"))])
    run_internal(store, query)


def test_test_bindings_are_rdf_terms_with_the_project_prefixes(tmp_path) -> None:
    from rdflib import Literal
    from rdflib.namespace import XSD

    from transferkg.core.namespaces import ID

    path = tmp_path / "probe.rq"
    path.write_text("#+ summary: probe\n"
                    "#+ test-bindings: {a: id:state-XK, d: '\"2025-07-01\"^^xsd:date', n: 3, hosts: [id:state-XK, id:state-SV]}\n"
                    "SELECT ?a ?d ?n ?hosts WHERE {}\n", encoding="utf-8")
    query = InternalQuery(path, "probe/probe")
    assert query.test_bindings == {"a": ID["state-XK"], "d": Literal("2025-07-01", datatype=XSD.date),
                                   "n": Literal(3), "hosts": (ID["state-XK"], ID["state-SV"])}
    assert run_internal(MemoryStore(), query).splitlines() == [
        "a,d,n,hosts", "id:state-XK,2025-07-01,3,id:state-SV", "id:state-XK,2025-07-01,3,id:state-XK"]
    path.write_text("#+ summary: probe\n#+ test-bindings: {a: plainword}\nSELECT * WHERE {}\n", encoding="utf-8")
    with pytest.raises(QuerySyntaxError, match="not an IRI or a literal"):
        InternalQuery(path, "probe/bad").test_bindings  # noqa: B018
