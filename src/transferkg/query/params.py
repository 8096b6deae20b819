"""Typed query parameters: a user's text turned into one validated RDF term, or refused.

A library query declares its parameters in its header (``#+ params:``); each has a
type (``state``, ``iri``, ``date`` …) whose converter here makes the RDF term the
backend binds. The user's text never reaches the SPARQL text itself.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from transferkg.core.errors import BadParameter
from transferkg.core.namespaces import ID, PREFIXES, TCTV

__all__ = ["PARAM_TYPES", "Param", "check_codes", "today"]

_IRI_SAFE = re.compile(r"^[^\s<>\"{}|\\^`]+$")
_LOCAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def today() -> dt.date:
    """Today, or the day ``$TRANSFERKG_TODAY`` names (for reproducible runs and tests)."""
    fixed = os.environ.get("TRANSFERKG_TODAY")
    if fixed:
        try:
            return dt.date.fromisoformat(fixed)
        except ValueError as exc:
            raise BadParameter(f"TRANSFERKG_TODAY must be a date YYYY-MM-DD, not {fixed!r}") from exc
    return dt.date.today()


def _boolean(text: str) -> Node:
    if text.lower() in ("true", "yes", "1"):
        return Literal(True)
    if text.lower() in ("false", "no", "0"):
        return Literal(False)
    raise ValueError(f"{text!r} is not true or false")


def _state(text: str) -> Node:
    from transferkg.core.states import resolve_state, suggest_states

    code = resolve_state(text.removeprefix("id:").removeprefix(str(ID)))
    if code is None:
        close = suggest_states(text)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ValueError(f"{text!r} is not a state: give a name, demonym or ISO 3166-1 code, "
                         f"such as Kosovo, XK or US{hint}")
    return ID[f"state-{code}"]


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


def _code(text: str) -> Node:
    local = text.removeprefix("tctv:").removeprefix(str(TCTV))
    if not _LOCAL_ID.match(local):
        raise ValueError(f"{text!r} is not a code-list concept such as in-force")
    return TCTV[local]


def _date(text: str) -> Node:
    if text.lower() == "today":
        text = today().isoformat()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"{text!r} is not a date YYYY-MM-DD")
    dt.date.fromisoformat(text)
    return Literal(text, datatype=XSD.date)


def _year(text: str) -> Node:
    if not re.fullmatch(r"\d{4}", text):
        raise ValueError(f"{text!r} is not a year YYYY")
    return Literal(int(text))


def _integer(text: str) -> Node:
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(f"{text!r} is not an integer")
    return Literal(int(text))


_CONVERTERS: dict[str, Callable[[str], Node]] = {
    "state": _state, "iri": _iri, "date": _date, "year": _year, "integer": _integer,
    "string": Literal, "code": _code, "boolean": _boolean,
}
"""Each parameter type's converter from stripped text to an RDF term (ValueError saying why not)."""

PARAM_TYPES = tuple(_CONVERTERS)


@dataclass(frozen=True)
class Param:
    """One typed query parameter."""

    name: str
    type: str
    description: str = ""
    required: bool = False
    default: str | None = None
    multiple: bool = False
    """Whether several values may be given, comma-separated (``host=XK,SV``)."""
    scheme: str | None = None
    """For ``code`` parameters: the code list (``tctv:`` concept scheme) the value must be in."""

    def describe(self) -> str:
        text = f"{self.name} ({self.type}{', one or more' if self.multiple else ''}" \
               f"{', required' if self.required else ''})"
        if self.default is not None:
            text += f" default {self.default}"
        return text

    def to_terms(self, value: object) -> Node | tuple[Node, ...]:
        """The RDF term (or, for a list parameter, the terms) for ``value``."""
        if self.multiple and not isinstance(value, (URIRef, Literal)):
            items = value if isinstance(value, (list, tuple, set)) else str(value).split(",")
            terms = tuple(dict.fromkeys(self.to_term(v) for v in items if str(v).strip()))
            if not terms:
                raise ValueError("no value given")
            return terms[0] if len(terms) == 1 else terms
        return self.to_term(value)

    def to_term(self, value: object) -> Node:
        """The RDF term for ``value``, or a ValueError saying why not (the caller names the query)."""
        return _CONVERTERS.get(self.type, Literal)(str(value).strip())


def check_codes(query: str, param: Param, value: Node | tuple[Node, ...], known: set[str]) -> None:
    """Refuse a code that is not in the parameter's code list, suggesting close ones."""
    import difflib

    for term in value if isinstance(value, tuple) else (value,):
        local = str(term).removeprefix(str(TCTV))
        if local not in known:
            close = difflib.get_close_matches(local, sorted(known), n=3, cutoff=0.5)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise BadParameter(f"bad value for {param.name!r} of query {query!r}: {local!r} is not a code of "
                               f"{param.scheme}{hint}; the codes: {', '.join(sorted(known))}")
