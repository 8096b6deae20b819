"""SELECT rows into plain Python values: the shared reading of every view.

Views ask the store for rows, never walk an rdflib graph, so one function serves the
in-memory graph, Oxigraph and a remote endpoint. These helpers run a view's query
(``views/sparql/*.rq``) and turn RDF terms into the node ids, numbers and codes the
graphs carry. The drawing layer (:mod:`transferkg.render`) uses them too, for the
timeline's rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rdflib import Literal
from rdflib.namespace import XSD
from rdflib.term import Node

from transferkg.core.resources import internal_query
from transferkg.query.results import readable
from transferkg.store.base import Store

__all__ = ["Row", "as_number", "as_text", "date_precision", "local_code", "node_id", "quantity_text", "store_of",
           "view_rows"]

Row = dict[str, Node | None]


def store_of(kg: Any) -> Store:
    """The store of a knowledge graph (or the store itself): views take either."""
    return kg.store if hasattr(kg, "store") else kg  # type: ignore[no-any-return]


def view_rows(kg: Any, name: str, bindings: Mapping[str, Node] | None = None, *,
              package: str = __package__) -> list[Row]:
    """The rows, as dicts, of the internal query ``<package>/sparql/<name>.rq`` (a view's by default).

    Parameters are bound as RDF terms through the store (``bindings``), never formatted
    into the text.
    """
    return store_of(kg).select(internal_query(package, name), bindings).dicts()


def node_id(term: Node | None) -> str:
    """A node id: the CURIE of an IRI (``id:state-US``), the text of a literal, ``""`` for nothing."""
    return "" if term is None else str(readable(term))


def as_text(term: Node | None) -> str | None:
    """The text of a term, or ``None`` when unbound."""
    return None if term is None else str(term)


def as_number(term: Node | None) -> int | float | None:
    """A literal as a number (whole numbers as ``int``), or ``None`` when it is none."""
    if not isinstance(term, Literal):
        return None
    value = term.toPython()
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (int, float)):
        return value
    try:
        parsed = float(str(term))
    except ValueError:
        return None
    return int(parsed) if parsed.is_integer() else parsed


def date_precision(term: Literal) -> str:
    """``day``, ``month`` or ``year``: how precisely a date literal is known."""
    if term.datatype == XSD.gYearMonth:
        return "month"
    if term.datatype == XSD.gYear:
        return "year"
    return "day"


def local_code(code: str | None) -> str | None:
    """The code without its prefix: ``in-force`` for ``tctv:in-force``."""
    if code is None:
        return None
    return code.split(":", 1)[1] if code.startswith("tctv:") else code


def quantity_text(qualifier: str | None, value: Any, low: Any, high: Any, unit: str | None) -> str:
    """A quantity as a source states it: ``up to 50``, ``1–2``, ``300 families``."""
    if low is not None and high is not None and value is None:
        amount = f"{low}–{high}"
    else:
        amount = str(next(v for v in (value, high, low) if v is not None))
    prefix = "" if qualifier in (None, "exact") else f"{qualifier} "
    suffix = f" {unit}" if unit and unit != "person" else ""
    return f"{prefix}{amount}{suffix}"
