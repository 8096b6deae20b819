"""The package's internal SPARQL: ``<layer>/sparql/<name>.rq`` files kept next to the code that runs them.

The views, rules, stats and exports run queries that users do not call by name. They
live as files, not as strings in Python, so one test can run each of them on every
backend and compare it with a reviewed answer, as the public library is checked.

A file has the library's header (``#+ summary:``, optionally ``#+ description:``). A
query that only makes sense with a parameter bound says what to bind when it is
tested, as RDF terms in N3 with the project prefixes (or YAML numbers, booleans,
dates; a list binds several values)::

    #+ test-bindings: {agreement: "id:agreement-US-XK-2025-06", day: '"2025-07-01"^^xsd:date'}

The code that runs the query binds its own values through the store's bindings, never
by formatting them into the text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.term import Node

from transferkg.core.errors import QuerySyntaxError
from transferkg.core.resources import internal_query_files
from transferkg.query.library import Query, parse_query_text, query_header
from transferkg.store.base import SelectResult, Store

__all__ = ["InternalQuery", "internal_queries", "run_internal"]

Bindings = Mapping[str, Node | tuple[Node, ...]]


@dataclass(frozen=True)
class InternalQuery:
    """One internal query file: ``key`` is ``<layer>/<name>``."""

    path: Path
    key: str

    @cached_property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @cached_property
    def query(self) -> Query:
        """The file read as the library reads its queries (header, form)."""
        return parse_query_text(self.text, self.key, path=self.path)

    @property
    def summary(self) -> str:
        return self.query.summary

    @property
    def form(self) -> str:
        """SELECT, CONSTRUCT, ASK or DESCRIBE, as the library reads it."""
        return self.query.method.upper()

    @property
    def suffix(self) -> str:
        """The reviewed answer's file type: a CSV table, sorted N-Triples, or a boolean."""
        return {"CONSTRUCT": "nt", "DESCRIBE": "nt", "ASK": "txt"}.get(self.form, "csv")

    @cached_property
    def test_bindings(self) -> dict[str, Node | tuple[Node, ...]]:
        """The header's ``test-bindings`` as RDF terms (empty when it has none)."""
        meta, _view = query_header(self.text, str(self.path))
        spec = meta.get("test-bindings") or {}
        if not isinstance(spec, dict):
            raise QuerySyntaxError(f"{self.path}: test-bindings must be a mapping of variable to term")
        out: dict[str, Node | tuple[Node, ...]] = {}
        for name, value in spec.items():
            terms = tuple(_term(self.path, v) for v in value) if isinstance(value, list) else _term(self.path, value)
            out[str(name)] = terms
        return out


def _term(path: Path, value: object) -> Node:
    """One test binding as an RDF term: N3 text with the project prefixes, or a YAML scalar."""
    if isinstance(value, (bool, int, float, dt.date)):
        return Literal(value)
    from rdflib import Graph
    from rdflib.util import from_n3

    from transferkg.core.namespaces import bind_prefixes

    try:
        term = from_n3(str(value), nsm=bind_prefixes(Graph()).namespace_manager)
    except Exception as exc:  # noqa: BLE001 - rdflib raises plain exceptions for bad N3
        raise QuerySyntaxError(f"{path}: test binding {value!r} is not an RDF term: {exc}") from exc
    if not isinstance(term, (URIRef, Literal)):
        raise QuerySyntaxError(f"{path}: test binding {value!r} is not an IRI or a literal "
                               "(quote a string: '\"text\"'; write an IRI as <…> or prefix:name)")
    return term


def internal_queries() -> list[InternalQuery]:
    """Every internal query of the package, sorted by key."""
    return [InternalQuery(path, key) for key, path in internal_query_files()]


def run_internal(store: Store, query: InternalQuery, bindings: Bindings | None = None) -> str:
    """The answer of ``query`` as text comparable across backends and runs.

    ``bindings`` default to the header's test bindings (usually none). SELECT rows are
    sorted, since an engine orders ties (and unordered answers) as it likes; the order
    code relies on is tested with that code. CONSTRUCT graphs have their blank nodes
    named canonically and are given as sorted N-Triples.
    """
    from transferkg.query.results import format_result

    bound = dict(query.test_bindings if bindings is None else bindings)
    lists = {k: v for k, v in bound.items() if isinstance(v, tuple)}
    singles = {k: v for k, v in bound.items() if not isinstance(v, tuple)}
    text = query.text
    if lists:
        from transferkg.store.binding import inject_values

        text = inject_values(text, lists)
    if query.form in {"CONSTRUCT", "DESCRIBE"}:
        from rdflib.compare import to_canonical_graph

        graph = to_canonical_graph(store.construct(text, singles))
        lines = sorted(line for line in graph.serialize(format="nt").splitlines() if line.strip())
        return "\n".join(lines) + "\n"
    if query.form == "ASK":
        return f"{str(store.ask(text, singles)).lower()}\n"
    result = store.select(text, singles)
    rows = sorted(result.rows, key=lambda row: tuple(("", "") if t is None else (str(t), t.n3()) for t in row))
    return format_result(SelectResult(vars=result.vars, rows=rows), "csv")
