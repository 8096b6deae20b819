"""Every internal SPARQL file of the package runs alike on both embedded backends and gives reviewed rows.

Internal queries (the ones the views, rules, stats and exports run) live next to their code
as ``src/transferkg/<layer>/sparql/<name>.rq``. Like the public library, each has a header,
gives the same answer on rdflib and Oxigraph, and matches a reviewed file
``tests/queries/internal/<layer>/<name>.csv`` (SELECT: the CSV table; CONSTRUCT: the sorted
N-Triples) — regenerate with ``python tests/queries/regenerate.py`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from transferkg.query.internal import InternalQuery, internal_queries, run_internal

EXPECTED = Path(__file__).resolve().parents[1] / "queries" / "internal"
QUERIES = internal_queries()


def test_the_package_has_internal_queries_and_each_a_reviewed_answer() -> None:
    assert QUERIES, "no src/transferkg/*/sparql/*.rq found"
    missing = [q.key for q in QUERIES if not (EXPECTED / f"{q.key}.{q.suffix}").is_file()]
    assert not missing, f"no reviewed answer in tests/queries/internal/ for {missing}; run tests/queries/regenerate.py"
    known = {f"{q.key}.{q.suffix}" for q in QUERIES}
    stale = [p.relative_to(EXPECTED).as_posix() for p in EXPECTED.rglob("*.*")
             if p.relative_to(EXPECTED).as_posix() not in known]
    assert not stale, f"reviewed answers without a query: {stale}"


@pytest.mark.parametrize("query", QUERIES, ids=[q.key for q in QUERIES])
def test_an_internal_query_has_a_header(query: InternalQuery) -> None:
    assert query.summary, f"{query.path} has no '#+ summary:' header line"


@pytest.mark.parametrize("query", QUERIES, ids=[q.key for q in QUERIES])
def test_an_internal_query_gives_its_reviewed_answer_on_both_backends(query: InternalQuery, kg, memory_kg) -> None:
    on_oxigraph = run_internal(kg.store, query)
    assert run_internal(memory_kg.store, query) == on_oxigraph, f"{query.key}: rdflib and Oxigraph differ"
    want = (EXPECTED / f"{query.key}.{query.suffix}").read_text(encoding="utf-8")
    assert on_oxigraph == want, f"{query.key} differs from its reviewed answer; regenerate and review if intended"
