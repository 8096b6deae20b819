"""Store backends behind one small interface.

Everything above this layer (derive, queries, views, exports) talks SPARQL and
rdflib terms through :class:`Store`, so the in-memory rdflib graph, an embedded
Oxigraph store and a remote SPARQL endpoint answer the same queries with the
same rows. What a backend can do beyond that it declares in ``capabilities``
(:data:`CAPABILITIES`), so callers ask the store, not its class.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from rdflib import Graph
from rdflib.term import Node

from transferkg.core.errors import LoadError, QuerySyntaxError
from transferkg.core.namespaces import bind_prefixes

__all__ = ["CAPABILITIES", "GRAPH_SIZE_QUERY", "GraphStore", "MemoryStore", "Row", "SelectResult", "Store", "Triple"]

Triple = tuple[Node, Node, Node]

CAPABILITIES = {
    "named-graphs": "keeps each layer in its own named graph: the store is a GraphStore",
    "persistent": "the data outlives the process (a store folder, a server)",
    "bulk-load": "bulk_load is the engine's own loader (fast, no transaction), not parse-and-insert",
    "update": "accepts SPARQL Update",
}
"""What a store may declare in ``capabilities``, and what each promises."""

GRAPH_SIZE_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
"""How many triples the named graph ``?g`` holds (bound by the store, never spliced). Kept here, not in
``sparql/``: the suite runs those files on the rdflib memory store too, a single graph that refuses ``GRAPH``."""


class Row(tuple):  # type: ignore[type-arg]
    """One result row: a tuple of terms that also answers ``row["name"]`` and ``row.name``."""

    _vars: tuple[str, ...] = ()

    def __new__(cls, values: tuple[Node | None, ...], names: tuple[str, ...]) -> Row:
        row = super().__new__(cls, values)
        row._vars = names
        return row

    def __getitem__(self, key):  # type: ignore[no-untyped-def,override]
        if isinstance(key, str):
            try:
                return tuple.__getitem__(self, self._vars.index(key))
            except ValueError:
                raise KeyError(f"no column {key!r}; columns: {', '.join(self._vars)}") from None
        return tuple.__getitem__(self, key)

    def __getattr__(self, name: str) -> Node | None:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]  # type: ignore[no-any-return]
        except KeyError as exc:
            raise AttributeError(str(exc)) from None

    def asdict(self) -> dict[str, Node | None]:
        """The row as a dictionary keyed by variable name."""
        return dict(zip(self._vars, self, strict=False))


@dataclass
class SelectResult:
    """Rows of a SELECT query as rdflib terms (None for an unbound variable).

    Iterating gives :class:`Row` objects: ``for row in kg.query(...): row["a"]``.
    """

    vars: list[str]
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):  # type: ignore[no-untyped-def]
        names = tuple(self.vars)
        return (Row(tuple(row), names) for row in self.rows)

    def __repr__(self) -> str:
        return f"<SelectResult: {len(self.rows)} row(s) of {', '.join(self.vars) or 'no columns'}>"

    def dicts(self) -> list[dict[str, Node | None]]:
        """Rows as dictionaries keyed by variable name."""
        return [dict(zip(self.vars, row, strict=False)) for row in self.rows]


@runtime_checkable
class Store(Protocol):
    """What every backend provides."""

    name: str
    capabilities: frozenset[str]
    """A subset of :data:`CAPABILITIES`."""

    def select(self, query: str, bindings: Mapping[str, Node] | None = None) -> SelectResult:
        """Run a SELECT query with parameters bound as RDF terms."""

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None) -> bool:
        """Run an ASK query."""

    def construct(self, query: str, bindings: Mapping[str, Node] | None = None) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query."""

    def update(self, update: str) -> None:
        """Run a SPARQL Update request."""

    def add_triples(self, triples: Iterable[Triple]) -> None:
        """Insert triples into the default graph."""

    def triple_count(self) -> int:
        """How many triples the store holds."""

    def to_graph(self) -> Graph:
        """Everything in the store as an rdflib graph (for exports and notebooks)."""

    def bulk_load(self, data: bytes, *, format: str = "nt", graph: str | None = None) -> None:
        """Load serialized RDF (N-Triples by default) into ``graph`` where the store has named graphs.

        Raises:
            LoadError: the data does not parse.
        """

    def close(self) -> None:
        """Release the store (flushing a persistent one); twice is harmless."""

    def __enter__(self) -> Any: ...

    def __exit__(self, *exc: object) -> None: ...


@runtime_checkable
class GraphStore(Store, Protocol):
    """A store with the ``named-graphs`` capability: the primitives the app layer keeps layers with."""

    def load_graph(self, graph: Graph, name: str | None = None) -> None:
        """Add an rdflib graph to named graph ``name`` (None: the default graph)."""

    def clear_graph(self, name: str) -> None:
        """Empty the named graph ``name``."""

    def has_graph(self, name: str) -> bool:
        """Whether the named graph ``name`` holds any triple."""

    def graph_size(self, name: str) -> int:
        """How many triples the named graph ``name`` holds."""

    def dedupe(self, name: str, *, against: Iterable[str | None] | None = None) -> None:
        """Drop from graph ``name`` the triples other graphs (or those of ``against``) hold."""

    def writing_to(self, name: str | None) -> AbstractContextManager[Any]:
        """Send ``add_triples`` to graph ``name`` for a while."""

    def discard_unfinished_loads(self) -> list[Path]:
        """Remove what killed bulk loads left behind; return it."""

    def stamp(self) -> dict[str, Any] | None:
        """What the app layer noted when it last brought the store up to date; None once written since."""

    def set_stamp(self, stamp: dict[str, Any]) -> None:
        """Keep ``stamp`` until the next write."""

    def flush(self) -> None:
        """Write buffered changes to disk."""


_RDFLIB_FORMATS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld", "nq": "nquads", "ntriples": "nt",
                   "n-triples": "nt"}


def parse_rdf(data: bytes, format: str = "nt") -> Graph:
    """``data`` parsed by rdflib (for the stores without a loader of their own).

    Raises:
        LoadError: the data does not parse.
    """
    try:
        return Graph().parse(data=data, format=_RDFLIB_FORMATS.get(format.lower(), format.lower()))
    except Exception as exc:  # rdflib raises its parser's own errors
        raise LoadError(f"RDF syntax error: {exc}") from exc


def syntax_error(exc: Exception, query: str) -> QuerySyntaxError:
    """Turn a pyparsing error into a message with line and column."""
    line = getattr(exc, "lineno", None)
    col = getattr(exc, "col", None)
    if line is not None:
        text = query.splitlines()[line - 1] if 0 < line <= len(query.splitlines()) else ""
        return QuerySyntaxError(f"SPARQL syntax error at line {line}, column {col}: "
                                f"{getattr(exc, 'msg', exc)}\n    {text}")
    return QuerySyntaxError(f"SPARQL syntax error: {exc}")


class MemoryStore:
    """The rdflib in-memory backend: no set-up, a plain :class:`rdflib.Graph` inside."""

    name = "memory"
    capabilities: frozenset[str] = frozenset({"update"})

    def __init__(self, graph: Graph | None = None) -> None:
        self.graph = bind_prefixes(graph if graph is not None else Graph())

    def _query(self, query: str, bindings: Mapping[str, Node] | None) -> object:
        from pyparsing import ParseException

        try:
            return self.graph.query(query, initBindings=dict(bindings or {}))  # type: ignore[arg-type]
        except ParseException as exc:
            raise syntax_error(exc, query) from exc

    def select(self, query: str, bindings: Mapping[str, Node] | None = None) -> SelectResult:
        result = self._query(query, bindings)
        names = [str(v) for v in result.vars or []]  # type: ignore[attr-defined]
        rows: list[tuple[Node | None, ...]] = [tuple(row) for row in result]  # type: ignore[attr-defined]
        return SelectResult(vars=names, rows=rows)

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None) -> bool:
        return bool(self._query(query, bindings).askAnswer)  # type: ignore[attr-defined]

    def construct(self, query: str, bindings: Mapping[str, Node] | None = None) -> Graph:
        result = self._query(query, bindings)
        graph = bind_prefixes(Graph())
        for triple in result:  # type: ignore[attr-defined]
            graph.add(triple)
        return graph

    def update(self, update: str) -> None:
        from pyparsing import ParseException

        try:
            self.graph.update(update)
        except ParseException as exc:
            raise syntax_error(exc, update) from exc

    def add_triples(self, triples: Iterable[Triple]) -> None:
        add = self.graph.add
        for triple in triples:
            add(triple)  # type: ignore[arg-type]

    def triple_count(self) -> int:
        return len(self.graph)

    def to_graph(self) -> Graph:
        return self.graph

    def bulk_load(self, data: bytes, *, format: str = "nt", graph: str | None = None) -> None:
        """Parse ``data`` with rdflib and add it (one graph: ``graph`` is ignored)."""
        self.add_triples(parse_rdf(data, format))  # type: ignore[arg-type]

    def close(self) -> None:
        """Nothing to release: the graph lives as long as the object."""

    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
