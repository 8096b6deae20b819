"""The embedded Oxigraph backend: pyoxigraph in memory or on disk, behind :class:`Store`.

Queries run in Rust; rows come back as the same rdflib terms the in-memory
backend returns (:mod:`transferkg.store.convert`), so everything above the store
interface works unchanged.

This module stores; it does not decide what to store. The layers the project keeps
in a store (``transferkg.core.graphs``: ontology, curated, import, derived, each in
its own named graph; queries see the union of all graphs and the default graph) are
loaded and re-derived by :mod:`transferkg.app.layers` with the primitives here:
:meth:`OxigraphStore.load_graph`, :meth:`~OxigraphStore.clear_graph`,
:meth:`~OxigraphStore.bulk_load`, :meth:`~OxigraphStore.dedupe`,
:meth:`~OxigraphStore.writing_to`, and a small stamp (:meth:`~OxigraphStore.stamp`)
saying what those layers were made from, which every write removes.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from transferkg.core.errors import BadParameter, LoadError, OutputError, QueryFailed, QuerySyntaxError
from transferkg.core.graphs import GRAPH_CURATED, GRAPH_DERIVED, GRAPH_IMPORT, GRAPH_ONTOLOGY
from transferkg.core.namespaces import bind_prefixes
from transferkg.store.base import GRAPH_SIZE_QUERY, SelectResult, Triple
from transferkg.store.binding import check_iri, inject_values, split_bindings
from transferkg.store.convert import from_oxigraph, to_oxigraph
from transferkg.store.folder import STAMP_FILE, open_folder, reason, unfinished_loads

__all__ = [
    "GRAPH_CURATED",
    "GRAPH_DERIVED",
    "GRAPH_IMPORT",
    "GRAPH_ONTOLOGY",
    "OxigraphStore",
    "from_oxigraph",
    "prepare",
    "to_oxigraph",
]

_FORMATS = {
    "nt": ox.RdfFormat.N_TRIPLES, "ntriples": ox.RdfFormat.N_TRIPLES, "n-triples": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS, "nquads": ox.RdfFormat.N_QUADS,
    "ttl": ox.RdfFormat.TURTLE, "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG, "rdf": ox.RdfFormat.RDF_XML, "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD, "json-ld": ox.RdfFormat.JSON_LD,
}
_CACHE_LIMIT = 500_000
BULK_BATCH = 100_000
"""Quads per batch when bulk-loading into a persistent store (about 190 MiB of peak memory)."""
# Dedupe is the one place graph names are written into SPARQL text, after check_iri: Oxigraph's updates take
# no substitutions, and a VALUES-bound graph makes Oxigraph join in another order (the default-graph
# dedupe of 600,000 imported triples: 2.2 s instead of 0.05 s) and would fall out of scope in the
# FILTER of the UNION branch. Updates are not internal .rq files: the suite runs those as queries.
_DEDUPE_ALL = """DELETE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}
WHERE {{
  GRAPH <{name}> {{ ?s ?p ?o }}
  {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != <{name}>) }}
}}"""
_DEDUPE_AGAINST = "DELETE {{ GRAPH <{name}> {{ ?s ?p ?o }} }} WHERE {{ {pattern} GRAPH <{name}> {{ ?s ?p ?o }} }}"


def _prepare(query: str, bindings: Mapping[str, Node] | None) -> tuple[str, dict[Any, Any], bool]:
    """:func:`prepare`, and whether the query is a ``SELECT *`` with a WHERE group (see ``_query``)."""
    if not bindings:
        return query, {}, False
    shape, substitute, values = split_bindings(query, bindings)
    substitutions = {ox.Variable(n): to_oxigraph(t) for n, t in substitute.items()}
    return inject_values(query, values), substitutions, shape.star and shape.where is not None


def prepare(query: str, bindings: Mapping[str, Node] | None = None) -> tuple[str, dict[Any, Any]]:
    """The query text and pyoxigraph ``substitutions`` that bind ``bindings`` as this backend does.

    Projected variables (and every variable of a non-SELECT or ``SELECT *``) are
    substituted (SEP-0007); one the outer SELECT does not project, which
    substitution refuses, is bound by ``BIND`` at the start of the WHERE group (:mod:`transferkg.store.binding`).
    """
    text, substitutions, _star = _prepare(query, bindings)
    return text, substitutions


class OxigraphStore:
    """The embedded Oxigraph backend, in memory (``path=None``) or persistent at ``path``."""

    name = "oxigraph"

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._store = ox.Store() if self.path is None else open_folder(self.path)
        self._target: Any = ox.DefaultGraph()
        self._cache: dict[Any, Node] = {}
        self._stamp: dict[str, Any] | None = None
        self._stamped: bool | None = None  # a stamp file may exist (None: not looked yet)
        base = {"named-graphs", "bulk-load", "update"}
        self.capabilities = frozenset(base | {"persistent"} if self.path is not None else base)

    # --- the Store protocol -----------------------------------------------------------
    def _convert(self, term: Any) -> Node | None:
        if term is None:
            return None
        cache = self._cache
        found = cache.get(term)
        if found is None:
            found = from_oxigraph(term)
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            cache[term] = found  # type: ignore[assignment]
        return found

    def _query(self, query: str, bindings: Mapping[str, Node] | None) -> tuple[Any, set[str]]:
        """The engine's result, and the variables to drop from a ``SELECT *`` that had to bind in the text."""
        text, substitutions, star = _prepare(query, bindings)
        if not (star and substitutions):
            return self._run(text, substitutions), set()
        try:
            return self._run(text, substitutions), set()
        except QueryFailed as exc:  # a variable SELECT * does not have in scope
            if "SELECT projection" not in str(exc):
                raise
        names = {v.value for v in substitutions}
        text = inject_values(text, {n: t for n, t in (bindings or {}).items() if n in names})
        return self._run(text, {}), names

    def _run(self, query: str, substitutions: dict[Any, Any]) -> Any:
        try:
            return self._store.query(query, use_default_graph_as_union=True,
                                     substitutions=substitutions or None)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"SPARQL syntax error: {exc}") from exc
        except (OSError, RuntimeError) as exc:
            raise QueryFailed(f"the query failed while running: {reason(exc)}") from exc

    def select(self, query: str, bindings: Mapping[str, Node] | None = None) -> SelectResult:
        names, rows = self.select_values(query, bindings, self._convert)
        return SelectResult(vars=names, rows=rows)

    def select_values(self, query: str, bindings: Mapping[str, Node] | None,
                      convert: Callable[[Any], Any]) -> tuple[list[str], list[tuple[Any, ...]]]:
        """A SELECT's variables and rows, each pyoxigraph term (or None) passed through ``convert``.

        What :meth:`select` does with rdflib terms; a caller that wants plain Python values
        (a DataFrame) converts straight from pyoxigraph instead of through rdflib.
        """
        result, hidden = self._query(query, bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise QuerySyntaxError("not a SELECT query")
        names = [v.value for v in result.variables]
        try:
            rows: list[tuple[Any, ...]] = [tuple(map(convert, solution)) for solution in result]
        except (OSError, RuntimeError) as exc:  # raised while evaluating, e.g. by a SERVICE call
            raise QueryFailed(f"the query failed while running: {reason(exc)}") from exc
        if hidden:
            keep = [i for i, n in enumerate(names) if n not in hidden]
            names = [names[i] for i in keep]
            rows = [tuple(row[i] for i in keep) for row in rows]
        return names, rows

    def select_raw(self, query: str) -> list[tuple[Any, ...]]:
        """Rows of a SELECT as pyoxigraph terms, without conversion (for benchmarks)."""
        return [tuple(solution) for solution in self._run(query, {})]

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None) -> bool:
        return bool(self._query(query, bindings)[0])

    def construct(self, query: str, bindings: Mapping[str, Node] | None = None) -> Graph:
        result = self._query(query, bindings)[0]
        if not isinstance(result, ox.QueryTriples):
            raise QuerySyntaxError("not a CONSTRUCT or DESCRIBE query")
        try:
            return self._graph_of(result)
        except (OSError, RuntimeError) as exc:
            raise QueryFailed(f"the query failed while running: {reason(exc)}") from exc

    def _graph_of(self, triples: Iterable[Any]) -> Graph:
        """An rdflib graph of pyoxigraph triples or quads (their graph dropped)."""
        graph = bind_prefixes(Graph())
        convert = self._convert
        add = graph.add
        for t in triples:
            add((convert(t.subject), convert(t.predicate), convert(t.object)))  # type: ignore[arg-type]
        return graph

    def update(self, update: str) -> None:
        """Run SPARQL Update; its WHERE reads the default graph (use GRAPH for named graphs)."""
        self._changed()
        try:
            self._store.update(update)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"SPARQL syntax error: {exc}") from exc

    def add_triples(self, triples: Iterable[Triple]) -> None:
        """Insert triples into the current write graph (the default graph unless redirected)."""
        self._changed()
        graph = self._target
        quad = ox.Quad
        iterator = iter(triples)
        while True:
            chunk = [quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph)
                     for s, p, o in itertools.islice(iterator, 100_000)]
            if not chunk:
                break
            self._store.extend(chunk)

    def triple_count(self) -> int:
        return len(self._store)

    def write(self, destination: str | os.PathLike[str], *, format: str,
              extra: Mapping[str, Graph] | None = None, only_extra: bool = False) -> None:
        """Everything in the store, sorted, written by Oxigraph (ten times rdflib's speed).

        ``format`` ``ttl`` writes the union of all graphs as Turtle with the project
        prefixes; ``nq`` writes every named graph as N-Quads. ``extra`` maps graph IRIs to
        rdflib graphs written as well (e.g. a build's release description). Sorted by
        (graph,) subject, predicate and object, so the same content gives the same bytes.
        ``only_extra`` appends just the ``extra`` graphs' N-Quads to ``destination``: the
        same bytes as writing them at once when their names sort after the store's graphs.
        """
        from transferkg.core.namespaces import PREFIXES

        fmt = _format(format)
        quads = [] if only_extra else list(self._store.quads_for_pattern(None, None, None, None))
        for name, graph in (extra or {}).items():
            target = ox.NamedNode(name)
            quads += [ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), target) for s, p, o in graph]
        if only_extra:
            if fmt != ox.RdfFormat.N_QUADS:
                raise BadParameter("only N-Quads can be appended to")
            quads.sort(key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
            try:
                with open(destination, "ab") as fh:
                    ox.serialize(quads, fh, fmt)
            except OSError as exc:
                raise OutputError(f"cannot write {destination}: {exc.strerror or exc}") from exc
            return
        quads = _stable_blank_nodes(quads)
        if fmt == ox.RdfFormat.TURTLE:
            triples = {q.triple for q in quads}
            items: list[Any] = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        else:
            items = sorted(quads, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
        try:
            ox.serialize(items, str(destination), fmt, prefixes=dict(PREFIXES) if fmt == ox.RdfFormat.TURTLE else None)
        except OSError as exc:
            raise OutputError(f"cannot write {destination}: {exc.strerror or exc}") from exc

    def to_graph(self, *, without: Iterable[str] = ()) -> Graph:
        """A copy of everything in the store (all graphs but the named graphs ``without``) as an rdflib graph."""
        quads = self._store.quads_for_pattern(None, None, None, None)
        left_out = {ox.NamedNode(name) for name in without}
        return self._graph_of(q for q in quads if q.graph_name not in left_out) if left_out else self._graph_of(quads)

    # --- storage primitives -----------------------------------------------------------
    def bulk_load(self, data: str | os.PathLike[str] | bytes | IO[bytes], *, format: str | None = None,
                  graph: str | None = None) -> None:
        """Load a file (path), bytes or a binary stream fast, without a transaction.

        ``format`` is ``nt``, ``nq``, ``ttl``, ``trig``, ``rdf`` or ``jsonld``; for a
        path it is guessed from the suffix. Triples go to ``graph`` (an IRI) or the
        default graph.

        A persistent store is loaded in a stream of :data:`BULK_BATCH` quads (parsed with
        blank nodes renamed once for the whole input), so memory stays bounded whatever
        the input's size: Oxigraph's own bulk loader holds about 280 bytes per quad
        (1.7 GiB at 6M triples; 190 MiB this way, in the same time). In memory, where
        the store holds everything anyway, Oxigraph's bulk loader runs as it is.

        Raises:
            LoadError: the input does not parse (nothing is guaranteed about partial loads).
        """
        if self.path is not None:
            self._stream_load(data, format=format, graph=graph)
            return
        kwargs: dict[str, Any] = {}
        if graph is not None:
            kwargs["to_graph"] = ox.NamedNode(graph)
        if isinstance(data, (str, os.PathLike)):
            path = Path(data)
            fmt = _format(format or path.suffix.lstrip(".") or "nt")
            kwargs["path"] = str(path)
            where = str(path)
        else:
            fmt = _format(format or "nt")
            kwargs["input"] = data
            where = None
        self._changed()
        try:
            self._store.bulk_load(format=fmt, **kwargs)
        except SyntaxError as exc:
            raise LoadError(f"RDF syntax error: {exc}", path=where) from exc
        except OSError as exc:
            raise LoadError(f"cannot load ({exc})", path=where) from exc

    def _stream_load(self, data: str | os.PathLike[str] | bytes | IO[bytes], *, format: str | None,
                     graph: str | None) -> None:
        """:meth:`bulk_load` into a persistent store: parsed quads added in batches of :data:`BULK_BATCH`."""
        target = ox.NamedNode(graph) if graph is not None else None
        where = None
        if isinstance(data, (str, os.PathLike)):
            where = str(data)
            fmt = _format(format or Path(data).suffix.lstrip(".") or "nt")
            quads = ox.parse(path=where, format=fmt, rename_blank_nodes=True)
        else:
            fmt = _format(format or "nt")
            quads = ox.parse(data, format=fmt, rename_blank_nodes=True)
        self._changed()
        try:
            while True:
                batch = list(itertools.islice(quads, BULK_BATCH))
                if not batch:
                    return
                if target is not None:
                    batch = [ox.Quad(q.subject, q.predicate, q.object, target) for q in batch]
                self._store.bulk_extend(batch)
        except SyntaxError as exc:
            raise LoadError(f"RDF syntax error: {exc}", path=where) from exc
        except OSError as exc:
            raise LoadError(f"cannot load ({exc})", path=where) from exc

    def load_graph(self, graph: Graph, name: str | None = None) -> None:
        """Add an rdflib graph (serialized to N-Triples once) to graph ``name`` or the default graph."""
        data = graph.serialize(format="nt", encoding="utf-8")
        kwargs: dict[str, Any] = {"to_graph": ox.NamedNode(name)} if name else {}
        self._changed()
        self._store.load(data, ox.RdfFormat.N_TRIPLES, **kwargs)

    def clear_graph(self, name: str) -> None:
        """Empty the named graph ``name``."""
        self._changed()
        self._store.clear_graph(ox.NamedNode(name))

    def has_graph(self, name: str) -> bool:
        """Whether the named graph ``name`` holds any triple (reads one, at most)."""
        return next(iter(self._store.quads_for_pattern(None, None, None, ox.NamedNode(name))), None) is not None

    def graph_size(self, name: str) -> int:
        """How many triples the named graph ``name`` holds."""
        rows = self.select(GRAPH_SIZE_QUERY, {"g": URIRef(name)}).rows
        return int(str(rows[0][0]))

    def dedupe(self, name: str, *, against: Iterable[str | None] | None = None) -> None:
        """Drop from graph ``name`` the triples another graph already holds (no duplicates in the union).

        By default every other graph is checked, reading ``name`` once: the time grows
        with the size of ``name``. With ``against`` (graph IRIs; ``None`` is the default
        graph) only those are checked, each read once and looked up in ``name``: the
        cheap way when they are small next to ``name``, as the curated layers are next to
        a million imported records (a second, not minutes; Oxigraph joins in the order written).
        """
        name = check_iri(name, "graph")
        if against is None:
            self.update(_DEDUPE_ALL.format(name=name))
            return
        for other in against:
            if other == name:
                continue
            pattern = "{ ?s ?p ?o }" if other is None else f"GRAPH <{check_iri(other, 'graph')}> {{ ?s ?p ?o }}"
            self.update(_DEDUPE_AGAINST.format(name=name, pattern=pattern))

    def discard_unfinished_loads(self) -> list[Path]:
        """Remove the files a bulk load killed mid-way left in the store folder; return them.

        Oxigraph writes each bulk load to ``bulk-<random>.sst`` files in the store folder
        and moves them into the database only when complete; a killed process leaves them
        behind, unknown to the database. Safe while this store is open: the folder is
        locked, so no other process is loading into it.
        """
        if self.path is None:
            return []
        found = unfinished_loads(self.path)
        for leftover in found:
            leftover.unlink(missing_ok=True)
        return found

    @contextmanager
    def writing_to(self, name: str | None) -> Iterator[OxigraphStore]:
        """Send :meth:`add_triples` to graph ``name`` (None: the default graph) for a while."""
        previous = self._target
        self._target = ox.NamedNode(name) if name else ox.DefaultGraph()
        try:
            yield self
        finally:
            self._target = previous

    # --- the stamp ----------------------------------------------------------------------
    def stamp(self) -> dict[str, Any] | None:
        """What the app layer noted when it last brought the store up to date (None: nothing, or written since).

        A persistent store keeps it in a small JSON file in its folder (never in a graph,
        which every query would see); any write through this object deletes it first.
        """
        if self.path is None or self._stamped is False:
            return self._stamp
        try:
            data = json.loads((self.path / STAMP_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def set_stamp(self, stamp: dict[str, Any]) -> None:
        """Keep ``stamp`` (JSON-able) until the next write; written to disk with the data flushed first.

        A stamp that cannot be written (a full disk) is left out: the next open refreshes the layers.
        """
        self._stamp = stamp
        if self.path is not None:
            from transferkg.core.outputs import write_atomic

            self.flush()
            try:
                write_atomic(self.path / STAMP_FILE, json.dumps(stamp, sort_keys=True))
            except OutputError:
                self._stamp = None
                return
            self._stamped = True

    def _changed(self) -> None:
        """Forget the stamp: the data is about to change."""
        self._stamp = None
        if self.path is not None and self._stamped is not False:
            (self.path / STAMP_FILE).unlink(missing_ok=True)
            self._stamped = False

    # --- lifetime -----------------------------------------------------------------------
    def flush(self) -> None:
        """Write buffered changes of a persistent store to disk."""
        if self.path is not None:
            self._store.flush()

    def close(self) -> None:
        """Flush and release the store (a persistent store can then be opened again); twice is harmless."""
        if self._store is None:
            return
        self.flush()
        self._store = None  # type: ignore[assignment]
        self._cache.clear()

    def __enter__(self) -> OxigraphStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def raw(self) -> ox.Store:
        """The underlying :class:`pyoxigraph.Store`."""
        return self._store


def _stable_blank_nodes(quads: list[Any], rounds: int = 8) -> list[Any]:
    """``quads`` with each blank node named by what it is (a hash of its surroundings), not by a parse's label.

    A blank node's name starts from its own statements (predicates, non-blank objects) and
    the statements pointing at it (non-blank subjects, predicates), then takes in its blank
    neighbours' names, ``rounds`` times (Weisfeiler–Lehman refinement): enough to tell the
    cells of the ontology's lists and datatype unions apart by the property they belong to.
    Nodes alike even then get a counter, in order. So the same graph is written as the same bytes.
    """
    import hashlib

    blank = ox.BlankNode
    links: dict[Any, list[tuple[str, Any]]] = {}
    for q in quads:
        s_blank, o_blank = type(q.subject) is blank, type(q.object) is blank
        if s_blank:
            links.setdefault(q.subject, []).append((f"> {q.predicate} {'' if o_blank else q.object}",
                                                    q.object if o_blank else None))
        if o_blank:
            links.setdefault(q.object, []).append((f"< {'' if s_blank else q.subject} {q.predicate}",
                                                   q.subject if s_blank else None))
    if not links:
        return quads

    def digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    sig = {node: digest("\n".join(sorted(line for line, _ in items))) for node, items in links.items()}
    for _ in range(rounds):
        sig = {node: digest(sig[node] + "\n" + "\n".join(sorted(f"{line} [{sig[other] if other is not None else ''}]"
                                                                for line, other in items)))
               for node, items in links.items()}
    names: dict[Any, Any] = {}
    used: dict[str, int] = {}
    for node in sorted(links, key=lambda n: sig[n]):
        count = used.get(sig[node], 0)
        used[sig[node]] = count + 1
        names[node] = blank(f"b{sig[node]}" + (f"x{count}" if count else ""))
    return [ox.Quad(names.get(q.subject, q.subject), q.predicate, names.get(q.object, q.object), q.graph_name)
            for q in quads]


def _format(name: str) -> Any:
    try:
        return _FORMATS[name.lower()]
    except KeyError:
        raise BadParameter(f"unknown RDF format {name!r}; one of {', '.join(sorted(_FORMATS))}") from None

