"""The values of the views' filters: dates, states and codes, checked with a helpful message.

``--since 2025``, ``--sender Kosovo`` and ``--status in-force`` arrive as text from the
CLI, the notebooks and the server; each is read here once, and a value that is not one
(a misspelt code, a state no one knows) is refused with the close matches.
"""

from __future__ import annotations

import datetime as dt
import re

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from transferkg.core.errors import BadParameter
from transferkg.core.namespaces import ID, TCTV
from transferkg.rules.derive import date_bounds

__all__ = ["KINDS", "STATUSES", "code_iri", "parse_date", "state_iri"]

#: The agreement statuses a ``status`` filter takes (``tctv:`` codes).
STATUSES = ("proposed", "announced", "signed", "ratified", "in-force", "implemented", "suspended",
            "blocked-by-court", "disputed", "resumed", "terminated", "expired", "refused")
#: The arrangement kinds a ``kind`` filter takes.
KINDS = ("third-country-deportation", "asylum-cooperative-transfer", "offshore-processing",
         "evacuation-resettlement", "prisoner-transfer", "readmission-return", "voluntary-departure")


def parse_date(value: str | dt.date | None, *, end: bool, name: str) -> dt.date | None:
    """A filter date: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; a year or month means its
    first day for ``since`` and its last day for ``until`` (``end``).

    Raises:
        BadParameter: naming the option ``--<name>`` when ``value`` is not such a date.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    value = str(value).strip()
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}.get(len(value))
    if datatype is None or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        raise BadParameter(f"--{name} takes a date YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
    bounds = date_bounds(Literal(value, datatype=datatype))
    if bounds is None:
        raise BadParameter(f"--{name}: {value!r} is not a valid date")
    return bounds[1] if end else bounds[0]


def state_iri(code: str) -> URIRef:
    """A state by name, demonym, ISO code or id ("Kosovo", "xk", "id:state-XK")."""
    from transferkg.core.states import resolve_state, suggest_states

    value = code.strip()
    if value.startswith(("http://", "https://")):
        return URIRef(value)
    iso = resolve_state(value.removeprefix("id:"))
    if iso is None:
        close = suggest_states(value)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise BadParameter(f"--sender takes a state's name or ISO code such as US or Kosovo, not {code!r}{hint}")
    return ID[f"state-{iso}"]


def code_iri(code: str, known: tuple[str, ...], option: str) -> URIRef:
    """A code of a code list (``in-force``, ``tctv:in-force``, "In force"), or
    :class:`BadParameter` naming ``--<option>`` with the close ones."""
    import difflib

    value = code.strip()
    if value.startswith(("http://", "https://")):
        return URIRef(value)
    value = value.removeprefix("tctv:").strip().lower().replace(" ", "-")
    if value not in known:
        close = difflib.get_close_matches(value, known, n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise BadParameter(f"--{option}: {code!r} is not a code{hint}; the codes: {', '.join(known)}")
    return TCTV[value]
