"""Partial dates: a year, a month or a day, kept at the precision the source gives.

A source that says "in June 2025" does not say which day; the graph keeps
``"2025-06"^^xsd:gYearMonth`` rather than inventing one. The curated YAML, the CSV
import and the evidence check read dates through this module.
"""

from __future__ import annotations

import calendar
import re

from rdflib import Literal
from rdflib.namespace import XSD

__all__ = ["date_parts", "parse_partial_date"]

_DATE_RE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")


def date_parts(text: str) -> tuple[int, int | None, int | None] | None:
    """Year, month and day of ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (None where not given), unchecked.

    None when the text has none of those forms.
    """
    m = _DATE_RE.match(text.strip())
    if not m:
        return None
    year, month, day = m.groups()
    return int(year), int(month) if month else None, int(day) if day else None


def parse_partial_date(text: str) -> Literal:
    """``"2025"``, ``"2025-06"`` or ``"2025-06-11"`` as a typed literal of that precision.

    Raises:
        ValueError: when the text is not one of those forms or names no real day.
    """
    parts = date_parts(text)
    if parts is None:
        raise ValueError(f"not a date of the form YYYY, YYYY-MM or YYYY-MM-DD: {text!r}")
    year, month, day = parts
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"month out of range: {text!r}")
    if month is not None and day is not None:
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise ValueError(f"day out of range: {text!r}")
        return Literal(text, datatype=XSD.date)
    if month is not None:
        return Literal(text, datatype=XSD.gYearMonth)
    return Literal(text, datatype=XSD.gYear)
