"""The query library: named ``.rq`` files with grlc-style headers, typed parameters.

A query file is plain SPARQL that any endpoint accepts; its header lines
(``#+ key: value``, YAML) say what it answers and which parameters it takes::

    #+ summary: Agreements by receiving state
    #+ tags: [agreements]
    #+ params:
    #+   receiver: {type: state, description: "ISO code of the host", required: false}
    #+ defaults:
    #+   - receiver: XK
    #defaultView:Table

Parameters are turned into RDF terms here (a state code into ``id:state-XK``,
a date into an ``xsd:date`` literal…) and handed to the backend as bindings —
never pasted into the query text. A value that is not a valid term of the
parameter's type is refused with a message that lists the query's parameters.

No query the project runs may use ``SERVICE`` (which makes the engine contact
another endpoint over the network) unless the user allows it for an ad-hoc query:
:func:`uses_service` reads the clause off rdflib's parse tree, and a library query
is checked (:meth:`Query.check_no_service`) each time it is run.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rdflib.term import Node

from transferkg.core.errors import BadParameter, LoadError, QuerySyntaxError, UnknownQuery
from transferkg.query.params import PARAM_TYPES, Param, check_codes, today
from transferkg.store.binding import outline, query_form

__all__ = ["PARAM_TYPES", "OneFileQueryLibrary", "Param", "Query", "QueryLibrary", "check_no_service", "folder_key",
           "parse_query_file", "parse_query_text", "query_header", "read_query_file", "today", "uses_service"]

@dataclass
class Query:
    """One query of the library."""

    name: str
    text: str
    path: Path | None = None
    summary: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    params: dict[str, Param] = field(default_factory=dict)
    default_view: str | None = None
    method: str = "select"
    severity: str = "error"
    """For checks: ``error`` (rows fail ``transferkg check``) or ``warning`` (rows are reported only)."""
    lists: tuple[str, ...] = ()
    """Columns that hold several values joined by "; " (GROUP_CONCAT): the runner sorts their parts,
    since SPARQL leaves their order to the engine."""

    def check_no_service(self) -> None:
        """Refuse this query if it uses ``SERVICE``: a library query never reaches out to another endpoint.

        Raises:
            BadParameter: naming the file (or the query) that uses SERVICE.
            QuerySyntaxError: the query mentions SERVICE and does not parse (file, line, column).
        """
        check_no_service(self.text, source=str(self.path) if self.path else f"query {self.name!r}")

    def signature(self) -> str:
        """The parameters, for help texts and error messages."""
        if not self.params:
            return "no parameters"
        return ", ".join(p.describe() for p in self.params.values())

    def bind(self, values: Mapping[str, object] | None = None, *,
             codes: Mapping[str, set[str]] | None = None) -> dict[str, Node | tuple[Node, ...]]:
        """Typed bindings for ``values`` plus defaults (a tuple of terms for a list parameter).

        ``codes`` maps a code list (``ArrangementKind``) to its concepts' local names;
        when given, a ``code`` parameter with a ``scheme`` must name one of them.

        Raises:
            BadParameter: an unknown name, a missing required value, or a value
                that is not a valid term of its type or not in its code list.
        """
        values = dict(values or {})
        out: dict[str, Node | tuple[Node, ...]] = {}
        for name in values:
            if name not in self.params:
                raise BadParameter(f"query {self.name!r} has no parameter {name!r}; "
                                   f"its parameters: {self.signature()}")
        mentioned = outline(self.text).variables
        for name, param in self.params.items():
            value = values.get(name, param.default)
            if value is None or value == "":
                if param.required:
                    raise BadParameter(f"query {self.name!r} needs parameter {name!r}; "
                                       f"its parameters: {self.signature()}")
                continue
            var = f"_{name}" if f"_{name}" in mentioned else name  # grlc-style ?_name
            try:
                out[var] = param.to_terms(value)
            except ValueError as exc:
                raise BadParameter(f"bad value for {name!r} of query {self.name!r}: {exc}; "
                                   f"its parameters: {self.signature()}") from exc
            if param.type == "code" and param.scheme and codes is not None:
                check_codes(self.name, param, out[var], codes.get(param.scheme, set()))
        return out


def query_header(text: str, source: str) -> tuple[dict[str, Any], str | None]:
    lines = []
    view = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#+"):
            lines.append(stripped[2:].removeprefix(" "))
        elif stripped.lower().startswith("#defaultview:"):
            view = stripped.split(":", 1)[1].strip()
    if not lines:
        return {}, view
    try:
        meta = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as exc:
        raise QuerySyntaxError(f"{source}: bad #+ header: {exc}") from exc
    if not isinstance(meta, dict):
        raise QuerySyntaxError(f"{source}: the #+ header must be a YAML mapping")
    return meta, view


def parse_query_file(path: Path, name: str | None = None) -> Query:
    """Read one ``.rq`` file with its header.

    Raises:
        LoadError: the file cannot be read or is not UTF-8 (file and line).
    """
    return parse_query_text(read_query_file(path), name or path.stem, path=path)


def read_query_file(path: Path) -> str:
    """The text of a query file, or a :class:`LoadError` naming it (unreadable, not UTF-8)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"cannot read the query file: {exc.strerror or exc}", path=str(path)) from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LoadError(f"not UTF-8 text (byte {exc.start})", path=str(path), line=line) from exc


def parse_query_text(text: str, name: str, *, path: Path | None = None) -> Query:
    """A :class:`Query` from SPARQL text with an optional ``#+`` header."""
    meta, view = query_header(text, str(path or name))
    defaults: dict[str, str] = {}
    for item in meta.get("defaults") or []:
        if isinstance(item, dict):
            defaults.update({str(k): str(v) for k, v in item.items()})
    params: dict[str, Param] = {}
    for pname, spec in (meta.get("params") or {}).items():
        spec = spec or {}
        ptype = str(spec.get("type", "string"))
        if ptype not in PARAM_TYPES:
            raise QuerySyntaxError(f"{path or name}: parameter {pname!r} has unknown type {ptype!r}")
        params[str(pname)] = Param(name=str(pname), type=ptype,
                                   description=str(spec.get("description", "")),
                                   required=bool(spec.get("required", False)),
                                   default=defaults.get(str(pname)),
                                   multiple=bool(spec.get("multiple", False)),
                                   scheme=str(spec["scheme"]) if spec.get("scheme") else None)
    tags = meta.get("tags") or []
    severity = str(meta.get("severity", "error"))
    if severity not in ("error", "warning"):
        raise QuerySyntaxError(f"{path or name}: severity must be error or warning, not {severity!r}")
    return Query(name=name, text=text, path=path, summary=str(meta.get("summary", "")).strip(),
                 description=str(meta.get("description", "")).strip(),
                 tags=[str(t) for t in tags] if isinstance(tags, list) else [str(tags)],
                 params=params, default_view=view, method=query_form(text), severity=severity,
                 lists=tuple(str(c) for c in (meta.get("lists") or [])))


def check_no_service(text: str, *, source: str | None = None) -> None:
    """Refuse a query that would reach out to another endpoint with ``SERVICE``.

    Args:
        text: the query as it will be sent to the engine.
        source: the file (or library query) it came from; such a query cannot be
            allowed, and the message names it. Without it, the query is ad hoc and
            the message says how to allow SERVICE.

    Raises:
        BadParameter: the query has a SERVICE clause anywhere.
        QuerySyntaxError: it mentions SERVICE and does not parse (line and column).
    """
    try:
        found = uses_service(text)
    except QuerySyntaxError as exc:
        if source:
            raise QuerySyntaxError(f"{source}: {exc}") from exc
        raise
    if not found:
        return
    if source:
        raise BadParameter(f"{source}: the query uses SERVICE, which would contact another endpoint over "
                           "the network; queries of the library may not")
    raise BadParameter("the query uses SERVICE, which would contact another endpoint over "
                       "the network; pass --allow-service to allow it (allow_service=True in Python)")


def uses_service(text: str) -> bool:
    """Whether the query has a ``SERVICE`` clause anywhere, as the SPARQL parser reads it.

    Nested groups, subqueries, OPTIONAL, UNION, MINUS, GRAPH and EXISTS in a FILTER,
    BIND, HAVING or ORDER BY all count, as do ``SERVICE SILENT`` and ``SERVICE ?var``;
    the word inside a string, an IRI or a comment does not. Reading the parse tree,
    not the text, leaves no lexical trick (``FILTER(?a<?b)SERVICE<…>{…}``, where a
    ``<`` … ``>`` span looks like an IRI) to hide a clause behind.

    Parsing costs milliseconds, so a query whose text (``\\u`` escapes expanded, as
    parsers do first) does not contain the letters S-E-R-V-I-C-E in any case at all,
    as almost none does, is answered without parsing; parsed texts are cached.

    Raises:
        QuerySyntaxError: the text mentions SERVICE and does not parse as a query
            (an update, or a syntax error: line and column).
    """
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes

    try:
        expanded = expandUnicodeEscapes(text)
    except ValueError:  # a bad escape: the parser will say where
        expanded = text
    if "SERVICE" not in expanded.upper():  # the parsers' keyword match is upper() == "SERVICE"
        return False
    return _parsed_uses_service(text)


@functools.lru_cache(maxsize=256)
def _parsed_uses_service(text: str) -> bool:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery

    from transferkg.store.base import syntax_error

    try:
        tree = parseQuery(text)
    except ParseBaseException as exc:
        raise syntax_error(exc, text) from exc
    except RecursionError as exc:
        raise QuerySyntaxError("SPARQL syntax error: the query is nested too deeply to read") from exc
    except Exception as exc:  # rdflib raises plain exceptions for bad escapes
        raise QuerySyntaxError(f"SPARQL syntax error: {exc}") from exc
    return _has_service(tree)


def _has_service(tree: object) -> bool:
    """Whether rdflib's parse tree holds a ServiceGraphPattern node at any depth (walked without recursion)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                return True
            stack.extend(dict.values(node))
        elif isinstance(node, ParseResults):
            stack.extend(node)
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
    return False


class QueryLibrary:
    """The ``queries/*.rq`` files of a project tree, by name."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self._queries: dict[str, Query] | None = None

    def _load(self) -> dict[str, Query]:
        if self._queries is None:
            files = sorted(self.folder.glob("*.rq")) if self.folder.is_dir() else []
            self._queries = {p.stem: parse_query_file(p) for p in files}
        return self._queries

    def names(self) -> list[str]:
        return sorted(self._load())

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._load()[n] for n in self.names())

    def __len__(self) -> int:
        return len(self._load())

    def get(self, name: str) -> Query:
        """The query called ``name``.

        Raises:
            UnknownQuery: listing the names there are.
        """
        queries = self._load()
        if name not in queries:
            close = [n for n in queries if name.lower() in n]
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise UnknownQuery(f"no query named {name!r}{hint}; "
                               f"known queries: {', '.join(sorted(queries))}")
        return queries[name]


def folder_key(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """The ``.rq`` files of ``folder`` with their sizes and times: a new key when any is added, removed or edited."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.endswith(".rq")]
        return tuple(sorted((e.name, e.stat().st_mtime_ns, e.stat().st_size) for e in entries))
    except OSError:
        return ()


class OneFileQueryLibrary(QueryLibrary):
    """A query library that reads one file for ``get(name)`` (a command runs one query) and all to list them."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        super().__init__(folder)
        self._one: dict[str, Query] = {}

    def get(self, name: str) -> Query:
        if name not in self._one:
            try:
                present = f"{name}.rq" in os.listdir(self.folder)  # exactly the stems the listing knows
            except OSError:
                present = False
            if not present:
                return super().get(name)  # UnknownQuery, with the names there are
            self._one[name] = parse_query_file(self.folder / f"{name}.rq")
        return self._one[name]
