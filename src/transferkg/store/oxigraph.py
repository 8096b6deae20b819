"""The embedded Oxigraph backend: pyoxigraph in memory or on disk, behind :class:`Store`.

Queries run in Rust; rows come back as the same rdflib terms the in-memory
backend returns (typed literals keep their datatype, ``xsd:string`` literals
become plain literals, language tags and blank nodes are kept), so everything
above the store interface works unchanged.

Layout of the data in the store (every triple lives in exactly one graph, and
queries see the union of all graphs):

- ``https://w3id.org/tct/graph/ontology`` — ontology and code lists;
- ``https://w3id.org/tct/graph/curated`` — the compiled curated data;
- ``https://w3id.org/tct/graph/import`` — records added by ``transferkg import``;
- ``https://w3id.org/tct/graph/derived`` — the derived layer, recomputed on load;
- the default graph — triples added with :meth:`OxigraphStore.add_triples` or
  SPARQL Update by users.

Opening a persistent store (``OxigraphStore(path)``) keeps what was imported;
:func:`transferkg.app.kg.load` replaces the ontology and curated graphs with the
current files and recomputes the derived graph, so edits to ``graph/`` never
leave stale triples behind.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from transferkg.core.errors import BadParameter, LoadError, QueryFailed, QuerySyntaxError
from transferkg.core.graphs import GRAPH_CURATED, GRAPH_DERIVED, GRAPH_IMPORT, GRAPH_ONTOLOGY
from transferkg.core.namespaces import bind_prefixes
from transferkg.store.base import SelectResult, Triple

if TYPE_CHECKING:
    from transferkg.curation.loader import Loaded
    from transferkg.rules.derive import DeriveResult

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


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_FORMATS = {
    "nt": ox.RdfFormat.N_TRIPLES, "ntriples": ox.RdfFormat.N_TRIPLES, "n-triples": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS, "nquads": ox.RdfFormat.N_QUADS,
    "ttl": ox.RdfFormat.TURTLE, "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG, "rdf": ox.RdfFormat.RDF_XML, "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD, "json-ld": ox.RdfFormat.JSON_LD,
}
_CACHE_LIMIT = 500_000
_UNFINISHED_LOAD = re.compile(r"bulk-[0-9]{1,40}\.sst|[0-9]{20,40}")  # pyoxigraph 0.5 / 0.3–0.4 names


def from_oxigraph(term: Any) -> Node | None:
    """The rdflib term for a pyoxigraph term, as rdflib's own parser would build it."""
    if term is None:
        return None
    kind = type(term)
    if kind is ox.NamedNode:
        return URIRef(term.value)
    if kind is ox.Literal:
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if kind is ox.BlankNode:
        return BNode(term.value)
    if kind is ox.DefaultGraph:
        return None
    raise BadParameter(f"RDF-star triple terms are not supported: {term}")


def to_oxigraph(node: Node) -> Any:
    """The pyoxigraph term for an rdflib term.

    Raises:
        BadParameter: for anything but an IRI, a literal or a blank node, or an invalid IRI.
    """
    try:
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        if isinstance(node, Literal):
            if node.language:
                return ox.Literal(str(node), language=node.language)
            if node.datatype is not None:
                return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
            return ox.Literal(str(node))
        if isinstance(node, BNode):
            return ox.BlankNode(re.sub(r"[^A-Za-z0-9_]", "_", str(node)) or "b")
    except ValueError as exc:
        raise BadParameter(f"not a valid RDF term for Oxigraph: {node!r} ({exc})") from exc
    raise BadParameter(f"cannot store {node!r} ({type(node).__name__}) in Oxigraph")


# --- binding parameters -------------------------------------------------------------------
_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-.]*)
  | (?P<punct>[{}()*])
  | (?P<space>\s+)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


def _plan(query: str, names: Iterable[str]) -> tuple[set[str], set[str], int | None, bool]:
    """How to bind ``names`` in ``query``.

    Returns the variables the query mentions, those its outer SELECT projects, the
    index just after the ``{`` opening the outer WHERE group (None when not a SELECT)
    and whether the projection is ``*``.
    """
    wanted = set(names)
    mentioned: set[str] = set()
    projected: set[str] = set()
    brace: int | None = None
    star = False
    state = "prologue"  # prologue → projection → body
    depth = 0
    previous = ""
    for m in _TOKEN.finditer(query):
        kind = m.lastgroup
        text = m.group()
        if kind in ("comment", "space"):
            continue
        if kind == "var":
            name = text[1:]
            if name in wanted:
                mentioned.add(name)
            if state == "projection" and (depth == 0 or previous.upper() == "AS"):
                projected.add(name)
        elif state == "prologue" and kind == "word" and text.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            state = "projection" if text.upper() == "SELECT" else "body"
        elif state == "projection":
            if text == "(":
                depth += 1
            elif text == ")":
                depth -= 1
            elif text == "*" and depth == 0:
                star = True
            elif text == "{":
                brace = m.end()
                state = "body"
        if kind != "space":
            previous = text
    return mentioned, projected, brace, star


def _values_block(bindings: Mapping[str, Any]) -> str:
    parts = []
    for name, term in bindings.items():
        if isinstance(term, ox.BlankNode):
            raise BadParameter(f"a blank node cannot be bound to ?{name}, which the query does not select")
        parts.append(f"VALUES ?{name} {{ {term} }}")
    return " " + " ".join(parts) + " "


def _prepare(query: str, bindings: Mapping[str, Node] | None) -> tuple[str, dict[Any, Any], bool, int | None]:
    substitutions: dict[Any, Any] = {}
    if not bindings:
        return query, substitutions, False, None
    terms = {name: to_oxigraph(value) for name, value in bindings.items()}
    mentioned, projected, brace, star = _plan(query, terms)
    values = {}
    for name in sorted(mentioned):
        if brace is None or star or name in projected:
            substitutions[ox.Variable(name)] = terms[name]
        else:
            values[name] = terms[name]
    if values and brace is not None:
        query = query[:brace] + _values_block(values) + query[brace:]
    return query, substitutions, star, brace


def prepare(query: str, bindings: Mapping[str, Node] | None = None) -> tuple[str, dict[Any, Any]]:
    """The query text and pyoxigraph ``substitutions`` that bind ``bindings`` as this backend does."""
    text, substitutions, _star, _brace = _prepare(query, bindings)
    return text, substitutions


def _is_store_folder(path: Path) -> bool:
    """Whether ``path`` holds a RocksDB database (as every Oxigraph store folder does)."""
    return (path / "CURRENT").is_file() and any(path.glob("MANIFEST-*"))


def _open_folder(path: Path) -> Any:
    """The persistent store at ``path`` (created if the folder is new or empty), or a one-line error.

    A file, a folder holding other files, a folder that is not writable, a corrupt
    database and one an incompatible Oxigraph wrote are refused, naming the folder, and
    left as they were: RocksDB would add its files to a foreign folder and rotate the log
    of a broken one, so an existing database is first opened read-only, which writes nothing.

    Raises:
        LoadError: naming the folder and saying what is wrong.
    """
    shown = str(path)
    if path.exists() and not path.is_dir():
        raise LoadError("not an Oxigraph store: a file, not a folder", path=shown)
    try:
        entries = sorted(p.name for p in path.iterdir()) if path.is_dir() else None
    except OSError as exc:
        raise LoadError(f"cannot read the store folder: {exc.strerror or exc}", path=shown) from exc
    if entries is None:
        try:
            path.mkdir(parents=True)
        except OSError as exc:
            raise LoadError(f"cannot create the store folder: {exc.strerror or exc}", path=shown) from exc
    elif entries and not _is_store_folder(path):
        listed = ", ".join(entries[:3]) + (", …" if len(entries) > 3 else "")
        raise LoadError(f"not an Oxigraph store: the folder holds other files ({listed}); give a new or "
                        "empty folder, or the folder of a store", path=shown)
    elif not os.access(path, os.W_OK | os.X_OK):
        raise LoadError("the store folder is not writable", path=shown)
    elif entries:
        try:
            probe = ox.Store.read_only(shown)
        except Exception as exc:  # pyoxigraph raises OSError or RuntimeError ("Corruption: …")
            raise LoadError(f"not a readable Oxigraph store, left as it is ({_reason(exc)})", path=shown) from exc
        del probe
    try:
        return ox.Store(shown)
    except Exception as exc:
        if "lock" in str(exc).lower():
            raise LoadError("the store is in use by another process (a transferkg or oxigraph still "
                            "running?)", path=shown) from exc
        raise LoadError(f"cannot open the Oxigraph store ({_reason(exc)})", path=shown) from exc


def _reason(exc: BaseException) -> str:
    """The first line of a storage error, cut short (RocksDB may add whole file listings)."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return text[:300]


class OxigraphStore:
    """The embedded Oxigraph backend, in memory (``path=None``) or persistent at ``path``.

    Parameters are bound with pyoxigraph's ``substitutions`` (SEP-0007); a
    variable the outer SELECT does not project (which ``substitutions`` refuses)
    is bound by a one-row ``VALUES`` block at the start of the outer WHERE group,
    written by pyoxigraph's own term serializer — values are never pasted in as text.
    """

    name = "oxigraph"

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._store = ox.Store() if self.path is None else _open_folder(self.path)
        self._target: Any = ox.DefaultGraph()
        self._cache: dict[Any, Node] = {}

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

    def _query(self, query: str, bindings: Mapping[str, Node] | None) -> Any:
        query, substitutions, star, brace = _prepare(query, bindings)
        if bindings:
            if star and substitutions and brace is not None:
                try:
                    return self._run(query, substitutions)
                except QueryFailed as exc:  # a variable SELECT * does not have in scope
                    if "SELECT projection" not in str(exc):
                        raise
                    query = query[:brace] + _values_block({v.value: t for v, t in substitutions.items()}) \
                        + query[brace:]
                    return _Hide(self._run(query, {}), {v.value for v in substitutions})
        return self._run(query, substitutions)

    def _run(self, query: str, substitutions: dict[Any, Any]) -> Any:
        try:
            return self._store.query(query, use_default_graph_as_union=True,
                                     substitutions=substitutions or None)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"SPARQL syntax error: {exc}") from exc
        except (OSError, RuntimeError) as exc:
            raise QueryFailed(f"the query failed while running: {_reason(exc)}") from exc

    def select(self, query: str, bindings: Mapping[str, Node] | None = None) -> SelectResult:
        result = self._query(query, bindings)
        hidden: set[str] = set()
        if isinstance(result, _Hide):
            result, hidden = result.result, result.hidden
        if not isinstance(result, ox.QuerySolutions):
            raise QuerySyntaxError("not a SELECT query")
        names = [v.value for v in result.variables]
        convert = self._convert
        try:
            rows: list[tuple[Node | None, ...]] = [tuple(map(convert, solution)) for solution in result]
        except (OSError, RuntimeError) as exc:  # raised while evaluating, e.g. by a SERVICE call
            raise QueryFailed(f"the query failed while running: {_reason(exc)}") from exc
        if hidden:
            keep = [i for i, n in enumerate(names) if n not in hidden]
            names = [names[i] for i in keep]
            rows = [tuple(row[i] for i in keep) for row in rows]
        return SelectResult(vars=names, rows=rows)

    def select_raw(self, query: str) -> list[tuple[Any, ...]]:
        """Rows of a SELECT as pyoxigraph terms, without conversion (for benchmarks)."""
        return [tuple(solution) for solution in self._run(query, {})]

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None) -> bool:
        result = self._query(query, bindings)
        if isinstance(result, _Hide):
            result = result.result
        return bool(result)

    def construct(self, query: str, bindings: Mapping[str, Node] | None = None) -> Graph:
        result = self._query(query, bindings)
        if isinstance(result, _Hide):
            result = result.result
        if not isinstance(result, ox.QueryTriples):
            raise QuerySyntaxError("not a CONSTRUCT or DESCRIBE query")
        graph = bind_prefixes(Graph())
        convert = self._convert
        add = graph.add
        try:
            for triple in result:
                add((convert(triple.subject), convert(triple.predicate), convert(triple.object)))  # type: ignore[arg-type]
        except (OSError, RuntimeError) as exc:
            raise QueryFailed(f"the query failed while running: {_reason(exc)}") from exc
        return graph

    def update(self, update: str) -> None:
        """Run SPARQL Update; its WHERE reads the default graph (use GRAPH for named graphs)."""
        try:
            self._store.update(update)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"SPARQL syntax error: {exc}") from exc

    def add_triples(self, triples: Iterable[Triple]) -> None:
        """Insert triples into the current write graph (the default graph unless redirected)."""
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

    def to_graph(self) -> Graph:
        """A copy of everything in the store (all graphs) as an rdflib graph."""
        graph = bind_prefixes(Graph())
        convert = self._convert
        add = graph.add
        for quad in self._store.quads_for_pattern(None, None, None, None):
            add((convert(quad.subject), convert(quad.predicate), convert(quad.object)))  # type: ignore[arg-type]
        return graph

    # --- loading and graphs -----------------------------------------------------------
    def bulk_load(self, source: str | os.PathLike[str] | bytes | IO[bytes], *, format: str | None = None,
                  graph: str | None = None) -> None:
        """Load a file (path), bytes or a binary stream fast, without a transaction.

        ``format`` is ``nt``, ``nq``, ``ttl``, ``trig``, ``rdf`` or ``jsonld``; for a
        path it is guessed from the suffix. Triples go to ``graph`` (an IRI) or the
        default graph.

        Raises:
            LoadError: the input does not parse (nothing is guaranteed about partial loads).
        """
        kwargs: dict[str, Any] = {}
        if graph is not None:
            kwargs["to_graph"] = ox.NamedNode(graph)
        if isinstance(source, (str, os.PathLike)):
            path = Path(source)
            fmt = _format(format or path.suffix.lstrip(".") or "nt")
            kwargs["path"] = str(path)
            where = str(path)
        else:
            fmt = _format(format or "nt")
            kwargs["input"] = source
            where = None
        try:
            self._store.bulk_load(format=fmt, **kwargs)
        except SyntaxError as exc:
            raise LoadError(f"RDF syntax error: {exc}", path=where) from exc
        except OSError as exc:
            raise LoadError(f"cannot load ({exc})", path=where) from exc

    def load_graph(self, graph: Graph, name: str | None = None) -> None:
        """Add an rdflib graph (serialized to N-Triples once) to graph ``name`` or the default graph."""
        data = graph.serialize(format="nt", encoding="utf-8")
        kwargs: dict[str, Any] = {"to_graph": ox.NamedNode(name)} if name else {}
        self._store.load(data, ox.RdfFormat.N_TRIPLES, **kwargs)

    def clear_graph(self, name: str) -> None:
        """Empty the named graph ``name``."""
        self._store.clear_graph(ox.NamedNode(name))

    def graph_size(self, name: str) -> int:
        """How many triples the named graph ``name`` holds."""
        rows = self._run(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}", {})
        return int(next(iter(rows))[0].value)

    def dedupe(self, name: str, *, against: Iterable[str | None] | None = None) -> None:
        """Drop from graph ``name`` the triples another graph already holds (no duplicates in the union).

        By default every other graph is checked, reading ``name`` once: the time grows
        with the size of ``name``. With ``against`` (graph IRIs; ``None`` is the default
        graph) only those are checked, each read once and looked up in ``name``: the
        cheap way when they are small next to ``name``, as the curated layers are next to
        a million imported records (a second, not minutes; Oxigraph joins in the order written).
        """
        if against is None:
            self._store.update(f"""
                DELETE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}
                WHERE {{
                  GRAPH <{name}> {{ ?s ?p ?o }}
                  {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != <{name}>) }}
                }}""")
            return
        for other in against:
            if other == name:
                continue
            pattern = "{ ?s ?p ?o }" if other is None else f"GRAPH <{other}> {{ ?s ?p ?o }}"
            self._store.update(f"DELETE {{ GRAPH <{name}> {{ ?s ?p ?o }} }} "
                               f"WHERE {{ {pattern} GRAPH <{name}> {{ ?s ?p ?o }} }}")

    def discard_unfinished_loads(self) -> list[Path]:
        """Remove the files a bulk load killed mid-way left in the store folder; return them.

        Oxigraph writes each bulk load to ``bulk-<random>.sst`` files in the store folder
        and moves them into the database only when complete; a killed process leaves them
        behind, unknown to the database. Safe while this store is open: the folder is
        locked, so no other process is loading into it.
        """
        if self.path is None:
            return []
        found = [p for p in self.path.iterdir() if _UNFINISHED_LOAD.fullmatch(p.name) and p.is_file()]
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

    def load_layers(self, loaded: Loaded) -> None:
        """Replace the ontology and curated graphs with ``loaded`` (imports are kept)."""
        self.clear_graph(GRAPH_ONTOLOGY)
        self.clear_graph(GRAPH_CURATED)
        self.load_graph(loaded.ontology, GRAPH_ONTOLOGY)
        self.load_graph(loaded.curated - loaded.ontology, GRAPH_CURATED)
        if next(iter(self._store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_IMPORT))), None):
            self.dedupe(GRAPH_IMPORT, against=(GRAPH_ONTOLOGY, GRAPH_CURATED))

    def rederive(self) -> DeriveResult:
        """Recompute the derived layer from everything the store holds."""
        from transferkg.rules.derive import derive

        self.clear_graph(GRAPH_DERIVED)
        with self.writing_to(GRAPH_DERIVED):
            result = derive(self)
        self.dedupe(GRAPH_DERIVED)
        return result

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


class _Hide:
    """Query results with substituted-then-VALUES-bound variables to drop from SELECT *."""

    def __init__(self, result: Any, hidden: set[str]) -> None:
        self.result = result
        self.hidden = hidden


def _format(name: str) -> Any:
    try:
        return _FORMATS[name.lower()]
    except KeyError:
        raise BadParameter(f"unknown RDF format {name!r}; one of {', '.join(sorted(_FORMATS))}") from None
