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
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from transferkg.errors import BadParameter, QuerySyntaxError, UnknownQuery
from transferkg.namespaces import ID, PREFIXES, TCTV

__all__ = ["PARAM_TYPES", "Param", "Query", "QueryLibrary", "check_no_service", "parse_query_file"]

PARAM_TYPES = ("state", "iri", "date", "year", "integer", "string", "code")
_IRI_SAFE = re.compile(r"^[^\s<>\"{}|\\^`]+$")
_LOCAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Param:
    """One typed query parameter."""

    name: str
    type: str
    description: str = ""
    required: bool = False
    default: str | None = None

    def describe(self) -> str:
        text = f"{self.name} ({self.type}{', required' if self.required else ''})"
        if self.default is not None:
            text += f" default {self.default}"
        return text

    def to_term(self, value: object) -> Node:
        """The RDF term for ``value``, or :class:`BadParameter` saying why not."""
        if isinstance(value, (URIRef, Literal)):
            value = str(value)
        text = str(value).strip()
        kind = self.type
        if kind == "state":
            from transferkg.states import resolve_state, suggest_states

            code = resolve_state(text.removeprefix("id:").removeprefix(str(ID)))
            if code is None:
                close = suggest_states(text)
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                raise ValueError(f"{text!r} is not a state: give a name, demonym or ISO 3166-1 code, "
                                 f"such as Kosovo, XK or US{hint}")
            return ID[f"state-{code}"]
        if kind == "iri":
            return _iri(text)
        if kind == "code":
            local = text.removeprefix("tctv:").removeprefix(str(TCTV))
            if not _LOCAL_ID.match(local):
                raise ValueError(f"{text!r} is not a code-list concept such as in-force")
            return TCTV[local]
        if kind == "date":
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError(f"{text!r} is not a date YYYY-MM-DD")
            import datetime as dt

            dt.date.fromisoformat(text)
            return Literal(text, datatype=XSD.date)
        if kind == "year":
            if not re.fullmatch(r"\d{4}", text):
                raise ValueError(f"{text!r} is not a year YYYY")
            return Literal(int(text))
        if kind == "integer":
            if not re.fullmatch(r"-?\d+", text):
                raise ValueError(f"{text!r} is not an integer")
            return Literal(int(text))
        return Literal(text)


def _iri(text: str) -> URIRef:
    """An IRI from a full IRI, a CURIE with a project prefix, or a bare id."""
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if ":" in text and not text.startswith(("http://", "https://", "urn:")):
        prefix, local = text.split(":", 1)
        if prefix not in PREFIXES:
            raise ValueError(f"unknown prefix {prefix!r} in {text!r}")
        if not _LOCAL_ID.match(local):
            raise ValueError(f"{text!r} is not a valid CURIE")
        return URIRef(PREFIXES[prefix] + local)
    if text.startswith(("http://", "https://", "urn:")):
        if not _IRI_SAFE.match(text):
            raise ValueError(f"{text!r} is not a valid IRI")
        return URIRef(text)
    if _LOCAL_ID.match(text):
        return ID[text]
    raise ValueError(f"{text!r} is not an IRI, a CURIE such as id:agreement-US-XK-2025-06, or an id")


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

    def signature(self) -> str:
        """The parameters, for help texts and error messages."""
        if not self.params:
            return "no parameters"
        return ", ".join(p.describe() for p in self.params.values())

    def bind(self, values: Mapping[str, object] | None = None) -> dict[str, Node]:
        """Typed bindings for ``values`` plus defaults.

        Raises:
            BadParameter: an unknown name, a missing required value, or a value
                that is not a valid term of its type.
        """
        values = dict(values or {})
        out: dict[str, Node] = {}
        for name in values:
            if name not in self.params:
                raise BadParameter(f"query {self.name!r} has no parameter {name!r}; "
                                   f"its parameters: {self.signature()}")
        for name, param in self.params.items():
            value = values.get(name, param.default)
            if value is None or value == "":
                if param.required:
                    raise BadParameter(f"query {self.name!r} needs parameter {name!r}; "
                                       f"its parameters: {self.signature()}")
                continue
            try:
                out[name] = param.to_term(value)
            except ValueError as exc:
                raise BadParameter(f"bad value for {name!r} of query {self.name!r}: {exc}; "
                                   f"its parameters: {self.signature()}") from exc
        return out


def _header(text: str, source: str) -> tuple[dict[str, Any], str | None]:
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
    """Read one ``.rq`` file with its header."""
    text = path.read_text(encoding="utf-8")
    return parse_query_text(text, name or path.stem, path=path)


def parse_query_text(text: str, name: str, *, path: Path | None = None) -> Query:
    """A :class:`Query` from SPARQL text with an optional ``#+`` header."""
    meta, view = _header(text, str(path or name))
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
                                   default=defaults.get(str(pname)))
    method = "select"
    body = re.sub(r"#[^\n]*", "", text)
    body = re.sub(r"PREFIX\s+\S*\s*<[^>]*>", "", body, flags=re.IGNORECASE)
    first = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", body, re.IGNORECASE)
    if first:
        method = first.group(1).lower()
    tags = meta.get("tags") or []
    severity = str(meta.get("severity", "error"))
    if severity not in ("error", "warning"):
        raise QuerySyntaxError(f"{path or name}: severity must be error or warning, not {severity!r}")
    return Query(name=name, text=text, path=path, summary=str(meta.get("summary", "")).strip(),
                 description=str(meta.get("description", "")).strip(),
                 tags=[str(t) for t in tags] if isinstance(tags, list) else [str(tags)],
                 params=params, default_view=view, method=method, severity=severity)


def check_no_service(text: str) -> None:
    """Refuse queries that would reach out to another endpoint with ``SERVICE``."""
    body = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|<[^>\s]*>|#[^\n]*', " ", text)
    if re.search(r"\bSERVICE\b", body, re.IGNORECASE):
        raise BadParameter("the query uses SERVICE, which would contact another endpoint over "
                           "the network; pass --allow-service to allow it")


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
