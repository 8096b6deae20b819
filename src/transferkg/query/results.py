"""Query results as tables people read: DataFrames, CSV, TSV, JSON, Markdown.

Values become readable but keep their meaning: IRIs as CURIEs (``id:state-XK``),
dates known to the day as ``datetime.date``, dates known to the month or year as
their stated text (``"2025-06"``), so precision is never silently invented.

Text from the data is made safe for where it lands (:mod:`transferkg.core.outputs`):
control characters shown as ``\\u001b`` in tables, CSV/TSV cells that cannot run as
spreadsheet formulas, Markdown cells without raw HTML.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from transferkg.core.namespaces import PREFIXES
from transferkg.core.outputs import csv_text, md_cell, printable
from transferkg.store.base import SelectResult

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FORMATS", "curie", "format_result", "format_table", "readable", "readable_converter", "readable_oxigraph",
           "sort_lists", "to_dataframe"]

FORMATS = ("table", "csv", "tsv", "json", "md")
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def curie(iri: str) -> str:
    """``id:state-XK`` for a project IRI; the IRI itself when no prefix fits."""
    for prefix, ns in _BY_LENGTH:
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def readable(term: Node | None) -> Any:
    """A Python value for one RDF term (see the module docstring)."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return curie(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        if term.datatype in (XSD.gYear, XSD.gYearMonth):
            return str(term)
        value = term.toPython()
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, Literal):
            return str(value)
        if isinstance(value, dt.datetime):
            return value
        return value
    return str(term)


_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = frozenset(_XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
    "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte"))
_AS_TEXT = frozenset(_XSD + t for t in ("string", "gYear", "gYearMonth"))


def _fast_literal(value: str, datatype: str) -> Any:
    """The readable value of the commonest literals, straight from their text (else ``_SLOW``)."""
    if datatype in _AS_TEXT:
        return value
    if datatype in _INTEGERS:
        if value.isascii() and value.lstrip("+-").isdigit():
            return int(value)
    elif datatype == _XSD + "boolean":
        if value in ("true", "1", "false", "0"):
            return value in ("true", "1")
    elif datatype == _XSD + "date":
        if len(value) == 10 and value[4] == "-" and value[7] == "-" and value.replace("-", "").isdigit():
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
    return _SLOW


_SLOW = object()


def readable_converter() -> Callable[[Any], Any]:
    """:func:`readable_oxigraph` remembering its answers for one result (IRIs repeat down a column)."""
    seen: dict[Any, Any] = {}
    get = seen.get
    miss = _SLOW

    def convert(term: Any) -> Any:
        value = get(term, miss)
        if value is miss:
            value = seen[term] = readable_oxigraph(term)
        return value

    return convert


def readable_oxigraph(term: Any) -> Any:
    """:func:`readable` for a pyoxigraph term, without making an rdflib term first (same values).

    A DataFrame of 100,000 rows is built several times faster this way; literals
    beyond the common datatypes go through rdflib, so every value equals :func:`readable`'s.
    """
    if term is None:
        return None
    kind = type(term).__name__
    if kind == "NamedNode":
        return curie(term.value)
    if kind == "Literal":
        if term.language:
            return term.value
        value = _fast_literal(term.value, term.datatype.value)
        if value is not _SLOW:
            return value
    from transferkg.store.convert import from_oxigraph

    return readable(from_oxigraph(term))


def to_dataframe(result: SelectResult, *, raw: bool = False, readable_rows: bool = False) -> pd.DataFrame:
    """The rows as a DataFrame; ``raw=True`` keeps the rdflib terms, ``readable_rows`` says they are values already."""
    import pandas as pd

    if raw or readable_rows:
        return pd.DataFrame(result.rows, columns=result.vars, dtype=object)
    return pd.DataFrame([[readable(v) for v in row] for row in result.rows], columns=result.vars,
                        dtype=object)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _words(name: str) -> str:
    """A readable header for a variable name: ``peopleInTransferEvents`` → ``people in transfer events``."""
    name = name.removesuffix("Label") if name.endswith("Label") and len(name) > 5 else name
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").lower()


def _short(value: Any) -> str:
    """A cell for people: ``id:agreement-X`` → ``agreement-X``, ``tctv:in-force`` → ``in force``, True → yes."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = _text(value)
    if text.startswith("id:"):
        return text[3:]
    if text.startswith("tctv:"):
        return text[5:].replace("-", " ")
    return text


def _columns_for_people(header: list[str], values: list[list[Any]]) -> list[int]:
    """Which columns a person reads: a label instead of its id, and no column twice."""
    keep: list[int] = []
    for i, name in enumerate(header):
        if f"{name}Label" in header:
            continue  # the label column shows this thing
        column = [row[i] for row in values]
        if any(column == [row[j] for row in values] for j in keep):
            continue  # the same values as a column already shown
        keep.append(i)
    return keep


def _fit(widths: list[int], headers: list[str], max_width: int) -> list[int]:
    """Narrow the widest columns until the table fits ``max_width`` (never below a readable minimum)."""
    widths = list(widths)
    floor = [max(6, min(len(h), 12)) for h in headers]
    while sum(widths) + 2 * (len(widths) - 1) > max_width:
        i = max(range(len(widths)), key=lambda k: widths[k] - floor[k])
        if widths[i] <= floor[i]:
            break
        widths[i] -= 1
    return widths


def _table(header: list[str], rows: list[list[str]], *, max_width: int | None = None) -> str:
    header = [printable(h) for h in header]  # no control character reaches a terminal raw
    rows = [[printable(c) for c in row] for row in rows]
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, min(len(c), 60)) for w, c in zip(widths, row, strict=False)]
    if max_width:
        widths = _fit(widths, header, max_width)

    def cut(c: str, w: int) -> str:
        return c if len(c) <= w else c[: w - 1] + "…"

    lines = ["  ".join(cut(h, w).ljust(w) for h, w in zip(header, widths, strict=False)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(cut(c, w).ljust(w) for c, w in zip(row, widths, strict=False)).rstrip() for row in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def format_table(result: SelectResult, *, max_width: int | None = None) -> str:
    """The rows as a table for people: labels instead of ids, readable headers, fitted to ``max_width``.

    Ids stay in the CSV, TSV and JSON formats; here a thing is shown once, by its label.
    """
    header = list(result.vars)
    values = [[readable(v) for v in row] for row in result.rows]
    keep = _columns_for_people(header, values)
    return _table([_words(header[i]) for i in keep], [[_short(row[i]) for i in keep] for row in values],
                  max_width=max_width)


def format_result(result: SelectResult, fmt: str = "table", *, max_width: int | None = None) -> str:
    """The result in one of :data:`FORMATS` (``table`` is for people: see :func:`format_table`)."""
    if fmt == "table":
        return format_table(result, max_width=max_width)
    header = list(result.vars)
    values = [[readable(v) for v in row] for row in result.rows]
    if fmt == "json":
        return json.dumps([dict(zip(header, (_json(v) for v in row), strict=False)) for row in values],
                          indent=2, ensure_ascii=False)
    rows = [[_text(v) for v in row] for row in values]
    if fmt in ("csv", "tsv"):
        return csv_text(header, rows, delimiter="," if fmt == "csv" else "\t")
    if fmt == "md":
        lines = ["| " + " | ".join(md_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
        return "\n".join(lines) + "\n"
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


def _json(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def sort_lists(result: SelectResult, columns: tuple[str, ...]) -> SelectResult:
    """``result`` with the "; "-joined values of ``columns`` in sorted order, whatever the engine's."""
    index = [i for i, v in enumerate(result.vars) if v in columns]
    if not index:
        return result
    rows = []
    for row in result.rows:
        cells = list(row)
        for i in index:
            cell = cells[i]
            if isinstance(cell, Literal) and ";" in str(cell):
                parts = sorted({p.strip() for p in str(cell).split(";") if p.strip()})
                cells[i] = Literal("; ".join(parts), lang=cell.language, datatype=cell.datatype)
        rows.append(tuple(cells))
    return SelectResult(vars=result.vars, rows=rows)
