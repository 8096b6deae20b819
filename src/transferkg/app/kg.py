"""The Python API a notebook user reaches for: ``kg = transferkg.load()``."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, Literal

from transferkg.core.resources import Layout, find_layout, internal_query
from transferkg.store.base import SelectResult, Store

if TYPE_CHECKING:  # the rest is imported where used: a read command on the build store needs none of it
    import pandas as pd
    from rdflib.term import Node

    from transferkg.app.profile import Profile
    from transferkg.core.privacy import PrivacyFinding
    from transferkg.curation.evidence import Finding
    from transferkg.curation.loader import Loaded
    from transferkg.query.library import Query, QueryLibrary
    from transferkg.query.stats import Stats
    from transferkg.rules.derive import DeriveResult
    from transferkg.rules.validate import Report

__all__ = ["KnowledgeGraph", "load"]


@dataclass
class KnowledgeGraph:
    """The loaded, derived graph in a store, with the layout it came from.

    Four ways to ask it something, one name each:

    - ``kg.run(name, **params)``: a query of the library (``queries/*.rq``, ``transferkg
      queries``) as a pandas DataFrame of readable values, parameters typed and bound;
    - ``kg.result(name, **params)``: the same query's raw :class:`SelectResult` (RDF terms);
    - ``kg.sparql(text)``: an ad-hoc SELECT as a person writes it, with the project prefixes
      predeclared and syntax errors located in ``text``;
    - ``kg.select(text, **bindings)``: a SELECT from code, as written, with RDF terms bound.

    ``query`` and ``run_result`` are the former names of ``select`` and ``result``.

    ``kg.graph`` is an rdflib graph of everything, made once and kept (for the memory
    backend it is the store's own graph); ``kg.to_rdflib()`` makes a fresh copy, e.g. after
    writing to ``kg.store`` directly.
    """

    store: Store
    layout: Layout
    loaded: Loaded | None = None
    derived: DeriveResult | None = None
    _codes: dict[str, set[str]] | None = field(default=None, repr=False)

    @cached_property
    def graph(self) -> Graph:
        """Everything as an rdflib graph, made on first use and kept (``del kg.graph`` drops it)."""
        return self.to_rdflib()

    def to_rdflib(self) -> Graph:
        """Everything as a new rdflib graph (the memory backend's own graph), read from the store now."""
        return self.store.to_graph()

    def select(self, sparql: str, *, allow_service: bool = False, **bindings: Node) -> SelectResult:
        """Run a SELECT query as written; keyword arguments are bound as RDF terms, never spliced.

        ``SERVICE`` (which makes the engine contact another endpoint over the network)
        is refused unless ``allow_service=True``, as with :meth:`sparql`.

        Raises:
            BadParameter: the query uses SERVICE and it was not allowed.
        """
        if not allow_service:
            from transferkg.query.library import check_no_service

            check_no_service(sparql)
        return self.store.select(sparql, bindings)

    query = select  # the former name of select (deprecated)

    @property
    def queries(self) -> QueryLibrary:
        """The named queries of ``queries/*.rq``: parsed once while the files stay as they are."""
        from transferkg.query.library import OneFileQueryLibrary, folder_key

        folder = self.layout.queries_dir
        key = folder_key(folder)
        cached = self.__dict__.get("_library")
        if cached is None or cached[0] != key:
            cached = self.__dict__["_library"] = (key, OneFileQueryLibrary(folder))
        return cached[1]  # type: ignore[no-any-return]

    def result(self, name: str, params: Mapping[str, object] | None = None, /, **more: object) -> SelectResult:
        """Run library query ``name`` with typed parameters (a mapping, keywords or both); the rows as RDF terms.

        Raises:
            UnknownQuery: no such query.
            BadParameter: unknown, missing or invalid parameters (never spliced into SPARQL),
                or the query file uses SERVICE.
        """
        return self._result(name, {**(params or {}), **more})

    def _result(self, name: str, params: Mapping[str, object] | None, *,
                readable_values: bool = False) -> SelectResult:
        """:meth:`result`; with ``readable_values`` the rows hold readable Python values, made
        straight from Oxigraph's terms when the store is Oxigraph (no rdflib term per value)."""
        query = self.queries.get(name)
        if "\\" in query.text or "SERVICE" in query.text.upper():  # else no SERVICE, escaped or not: no parser
            query.check_no_service()
        bindings = query.bind(dict(params or {}), codes=self._code_lists())
        self._check_known(query, bindings)
        lists = {k: v for k, v in bindings.items() if isinstance(v, tuple)}
        singles = {k: v for k, v in bindings.items() if not isinstance(v, tuple)}
        text = query.text
        if lists:
            from transferkg.store.binding import inject_values

            text = inject_values(text, lists)
        from transferkg.query.results import readable, readable_converter, sort_lists
        from transferkg.store.oxigraph import OxigraphStore

        if readable_values and not query.lists and isinstance(self.store, OxigraphStore):
            names, rows = self.store.select_values(text, singles, readable_converter())
            return SelectResult(vars=names, rows=rows)  # type: ignore[arg-type]
        result = self.store.select(text, singles)
        if query.lists:
            result = sort_lists(result, query.lists)
        if readable_values:
            result = SelectResult(vars=result.vars, rows=[tuple(readable(v) for v in row) for row in result.rows])
        return result

    def run_result(self, name: str, params: Mapping[str, object] | None = None) -> SelectResult:
        """The former name of :meth:`result` (deprecated)."""
        return self.result(name, params)

    def _code_lists(self) -> dict[str, set[str]]:
        """Each code list (concept scheme) of the graph → its concepts' local names (cached)."""
        if self._codes is None:
            from transferkg.core.namespaces import TCTV

            rows = self.store.select(internal_query(__package__, "code_lists")).rows
            codes: dict[str, set[str]] = {}
            for concept, scheme in rows:
                if str(scheme).startswith(str(TCTV)) and str(concept).startswith(str(TCTV)):
                    codes.setdefault(str(scheme)[len(str(TCTV)):], set()).add(str(concept)[len(str(TCTV)):])
            self._codes = codes
        return self._codes

    def _check_known(self, query: Query, bindings: Mapping[str, object]) -> None:
        """An id or a state the graph does not know is an error with suggestions, never 0 rows."""
        from transferkg.core.errors import BadParameter

        for var, value in bindings.items():
            name = var.removeprefix("_") if var not in query.params else var
            param = query.params[name]
            if param.type not in ("iri", "state"):
                continue
            for term in value if isinstance(value, tuple) else (value,):
                known = internal_query(__package__, "is_mentioned" if param.type == "state" else "is_subject")
                if self.store.ask(known, {"x": term}):  # type: ignore[arg-type]
                    continue
                raise BadParameter(f"bad value for {name!r} of query {query.name!r}: "
                                   f"{self._unknown(term, param.type)}")

    def _unknown(self, term: object, kind: str) -> str:
        import difflib

        from transferkg.core.namespaces import ID
        from transferkg.core.states import state_label

        local = str(term).removeprefix(str(ID))
        if kind == "state":
            code = local.removeprefix("state-")
            return (f"{state_label(code) or code} ({code}) appears nowhere in the graph "
                    "(no agreement, transfer or source mentions it)")
        prefix = local.split("-", 1)[0] + "-"
        rows = self.store.select(internal_query(__package__, "ids_starting_with"),
                                 {"start": Literal(str(ID) + prefix)}).rows
        known = sorted(str(r[0]).removeprefix(str(ID)) for r in rows if r[0] is not None)
        close = difflib.get_close_matches(local, known, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        return f"{local!r} is not in the graph{hint}"

    def run(self, name: str, *, raw: bool = False, **params: object) -> pd.DataFrame:
        """Run library query ``name``; a DataFrame of readable values (``raw=True``: terms)."""
        from transferkg.query.results import to_dataframe

        if raw:
            return to_dataframe(self.result(name, params), raw=True)
        return to_dataframe(self._result(name, params, readable_values=True), readable_rows=True)

    def code_label(self, code: str) -> str:
        """The code list's label of a ``tctv:`` code ("third-country deportation"), else the code itself."""
        from transferkg.core.namespaces import TCTV

        rows = self.store.select(internal_query(__package__, "concept_label"), {"k": TCTV[code]}).rows
        return str(rows[0][0]) if rows else code

    def profile(self, name: str) -> Profile:
        """Everything about one state or agreement: ``kg.profile("Kosovo").text()``.

        ``name`` is a state's name, demonym or ISO code, or an agreement's id or label
        (case-insensitive).

        Raises:
            BadParameter: nothing of that name (with close names).
        """
        from transferkg.app.profile import build_profile

        return build_profile(self, name)

    def sparql(self, text: str, *, allow_service: bool = False) -> SelectResult:
        """Run an ad-hoc SELECT query; ``SERVICE`` (network access) is refused unless allowed.

        The project prefixes (tct:, tctv:, id:, rdfs:, skos:, prov:, dcterms:, schema: …)
        are predeclared; a syntax error reports line and column of ``text`` as written.
        """
        from pyparsing import ParseException
        from rdflib.plugins.sparql import prepareQuery

        from transferkg.core.errors import QuerySyntaxError
        from transferkg.core.namespaces import PREFIXES, sparql_prefixes
        from transferkg.query.library import check_no_service
        from transferkg.store.base import syntax_error

        if not allow_service:
            check_no_service(text)
        try:
            prepareQuery(text, initNs=PREFIXES)
        except ParseException as exc:
            raise syntax_error(exc, text) from exc
        except Exception as exc:  # rdflib raises plain exceptions for unknown prefixes
            raise QuerySyntaxError(f"SPARQL error: {exc}") from exc
        return self.store.select(sparql_prefixes() + text)

    @property
    def checks(self) -> QueryLibrary:
        """The data-quality checks of ``queries/checks`` (each with its severity)."""
        from transferkg.query.library import QueryLibrary

        return QueryLibrary(self.layout.checks_dir)

    def check(self) -> dict[str, SelectResult]:
        """Run every data-quality check of ``queries/checks``; an ``error`` check should return no rows.

        Raises:
            BadParameter: a check uses SERVICE (checked before any runs).
        """
        checks = list(self.checks)
        for q in checks:
            q.check_no_service()
        return {q.name: self.store.select(q.text) for q in checks}

    def evidence(self) -> list[Finding]:
        """Claims whose quote does not carry their value (see :mod:`transferkg.curation.evidence`).

        Raises:
            TransferKGError: the graph was not loaded from curated files (a remote endpoint).
        """
        from transferkg.core.errors import TransferKGError
        from transferkg.curation.evidence import check_records

        if self.loaded is None:
            raise TransferKGError("the evidence check needs the curated YAML files, not an endpoint")
        return check_records(self.loaded.records, self.loaded.published)

    def privacy(self) -> list[PrivacyFinding]:
        """Name-like phrases in the curated data that ``graph/names.yaml`` does not account for.

        Raises:
            TransferKGError: the graph was not loaded from curated files (a remote endpoint).
        """
        from transferkg.core.errors import TransferKGError
        from transferkg.core.privacy import check_graph

        if self.loaded is None:
            raise TransferKGError("the privacy check needs the curated files, not an endpoint")
        return check_graph(self.loaded.curated, self.loaded.names)

    def validate(self) -> Report:
        """Validate against the project shapes (violations make ``conforms`` False).

        Over a remote endpoint the graph is fetched (CONSTRUCT) and validated here,
        with the shapes of the local project tree (``layout``).
        """
        from transferkg.rules.validate import validate_graph

        if self.loaded:
            shapes = self.loaded.shapes
        else:
            from transferkg.curation.loader import parse_turtle

            shapes = Graph()
            folder = self.layout.shapes_dir
            for path in sorted(folder.glob("*.ttl")) if folder.is_dir() else []:
                parse_turtle(path, shapes, root=self.layout.root)
        return validate_graph(self.graph, shapes)

    def stats(self) -> Stats:
        """Counts per class, claims per source and per agreement."""
        from transferkg.query.stats import compute_stats

        return compute_stats(self.store)

    def serialize(self, destination: str | os.PathLike[str] | None = None, *,
                  format: str = "longturtle") -> str | None:
        """Write the graph (or return it as text when no destination is given)."""
        if destination is None:
            return self.graph.serialize(format=format)
        self.graph.serialize(Path(destination), format=format, encoding="utf-8")
        return None

    def __len__(self) -> int:
        return self.store.triple_count()

    def __repr__(self) -> str:
        where = f"root={self.layout.root}" if self.loaded is not None else "remote"
        return f"<KnowledgeGraph {getattr(self.store, 'name', 'store')}: {len(self):,} triples, {where}>"


BACKENDS = ("memory", "oxigraph")
DEFAULT_BACKEND = "oxigraph"
"""The embedded backend ``load()`` uses unless told otherwise (see README, design notes)."""


class _BuiltKnowledgeGraph(KnowledgeGraph):
    """A graph served from the build store (:mod:`transferkg.app.build_store`).

    The curated files are read only when something asks for ``loaded`` (the evidence,
    privacy and SHACL checks); queries, views and exports never do.
    """

    @property  # type: ignore[override]
    def loaded(self) -> Loaded | None:
        found = self.__dict__.get("_loaded")
        if found is None:
            from transferkg.curation.loader import load_layout

            found = self.__dict__["_loaded"] = load_layout(self.layout)
        return found

    @loaded.setter
    def loaded(self, value: Loaded | None) -> None:
        self.__dict__["_loaded"] = value

    @property  # type: ignore[override]
    def derived(self) -> DeriveResult | None:
        found = self.__dict__.get("_derived")
        if isinstance(found, dict):  # the counts the store's stamp kept
            from transferkg.app.build_store import derived_result

            found = self.__dict__["_derived"] = derived_result(found)
        return found  # type: ignore[no-any-return]

    @derived.setter
    def derived(self, value: DeriveResult | None) -> None:
        self.__dict__["_derived"] = value

    def __repr__(self) -> str:
        return f"<KnowledgeGraph {self.store.name} (build store): {len(self):,} triples, root={self.layout.root}>"


def load(root: str | os.PathLike[str] | None = None, *, derive_layer: bool = True,
         backend: str | None = None, store: str | os.PathLike[str] | None = None,
         reuse_build: bool = False, notify: Callable[[str], None] | None = None) -> KnowledgeGraph:
    """Load ontology, code lists and curated graph, and derive the plain triples.

    Args:
        root: a transferkg tree (``ontology/``, ``graph/``); by default the
            current checkout or the data installed with the package.
        derive_layer: add the derived layer (plain triples, date bounds, status).
        backend: ``"memory"`` (rdflib) or ``"oxigraph"`` (embedded pyoxigraph);
            default :data:`DEFAULT_BACKEND`, or ``"oxigraph"`` when ``store`` is given.
        store: a folder for a persistent Oxigraph store; records imported there
            earlier are kept, the curated and derived layers are refreshed if the
            files changed (a store already up to date is not written: see
            :mod:`transferkg.app.layers`).
        reuse_build: on the Oxigraph backend without ``store``, open the tree's build
            store read-only (``build/store/``, :mod:`transferkg.app.build_store`) instead of
            loading: rebuilt first if an input changed, so never stale. What the read
            commands of the CLI do.
        notify: told in one line when ``reuse_build`` rebuilds a store an input changed under.

    Raises:
        LoadError: naming the file and line of the first bad input.
        BadParameter: an unknown backend, or ``store`` with the memory backend.
        TypeError: an unknown keyword (a misspelt option is never ignored).
    """
    from transferkg.core.errors import BadParameter

    backend = backend or ("oxigraph" if store is not None else DEFAULT_BACKEND)
    if backend not in BACKENDS:
        raise BadParameter(f"unknown backend {backend!r}; one of {', '.join(BACKENDS)}")
    if backend == "memory" and store is not None:
        raise BadParameter("a store path needs the oxigraph backend (--backend oxigraph)")
    layout = find_layout(root)
    if reuse_build and backend == "oxigraph" and store is None and derive_layer:
        from transferkg.app.build_store import open_built

        built, counts = open_built(layout, notify=notify)
        built_kg = _BuiltKnowledgeGraph(store=built, layout=layout)
        built_kg.__dict__["_derived"] = counts  # made a DeriveResult when asked for
        return built_kg
    from transferkg.curation.loader import load_layout

    loaded = load_layout(layout)
    if backend == "oxigraph":
        from transferkg.app.layers import open_store

        ox_store, derived = open_store(store, loaded, derive_layer=derive_layer)  # unwritten if up to date
        return KnowledgeGraph(store=ox_store, layout=layout, loaded=loaded, derived=derived)
    from transferkg.rules.derive import derive
    from transferkg.store.base import MemoryStore

    memory = MemoryStore(loaded.data)
    kg = KnowledgeGraph(store=memory, layout=layout, loaded=loaded)
    if derive_layer:
        kg.derived = derive(memory)
    return kg
