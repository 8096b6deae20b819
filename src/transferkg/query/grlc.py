"""grlc-ready copies of the query library (``transferkg queries --grlc DIR``).

grlc (https://github.com/CLARIAH/grlc) serves a folder of ``.rq`` files as a Web API. It
finds a query's parameters by their variable names — ``?_name`` (required) or ``?__name``
(optional), with a type suffix (``_iri``, ``_integer``, ``_xsd_date`` …) — and splices each
value given into the query text. The library declares its parameters in a ``#+ params:``
header instead and binds them as RDF terms, so it cannot be served as it is. Each copy:

- keeps the summary, description and tags (grlc reads the same ``#+`` decorators) and
  says how each parameter is given to grlc (IRIs in full, one value each);
- binds each parameter at the start of the WHERE group from an optional grlc variable,
  ``BIND (?__host_iri AS ?host)``: given, it is ``BIND (<…/state-XK> AS ?host)``, the
  way the library binds it for remote endpoints (a ``VALUES`` row there); left out, the
  variable stays unbound and the query answers as the library's does with the
  parameter empty. A parameter the library requires has its default written in the
  query itself (``COALESCE``), so it is optional for grlc too and never 0 rows;
- drops the library's own header keys grlc does not know (``params``, ``lists``).

A parameter that takes several values in the library (``host=XK,SV``) takes one here.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from transferkg.core.errors import BadParameter, OutputError
from transferkg.core.outputs import write_atomic
from transferkg.query.library import Query, QueryLibrary
from transferkg.store.binding import outline

__all__ = ["GRLC_SUFFIX", "grlc_name", "grlc_text", "write_grlc"]

GRLC_SUFFIX = {"state": "iri", "iri": "iri", "code": "iri", "date": "xsd_date", "boolean": "xsd_boolean",
               "integer": "integer", "year": "integer", "string": ""}
"""The grlc type suffix of each parameter type (grlc splices ``<v>``, ``"v"^^xsd:date``, ``"v"`` …)."""

_HOW = {"state": "the state's IRI, e.g. https://w3id.org/tct/id/state-XK",
        "iri": "an IRI in full, e.g. https://w3id.org/tct/id/agreement-US-XK-2025-06",
        "code": "the code's IRI, e.g. https://w3id.org/tct/vocab/third-country-deportation",
        "date": "a date YYYY-MM-DD", "boolean": "true or false", "integer": "an integer",
        "year": "a year YYYY", "string": "text"}


def grlc_name(query: Query, name: str) -> str:
    """The grlc variable (without ``?``) that carries parameter ``name`` of ``query``."""
    param = query.params[name]
    if not name.isalnum():
        raise BadParameter(f"query {query.name!r}: grlc parameter names are letters and digits, not {name!r}")
    suffix = GRLC_SUFFIX[param.type]
    return f"__{name}_{suffix}" if suffix else f"__{name}"


_GRLC_LIKE = re.compile(r"([?$])(_+[A-Za-z0-9]\w*)")


def _free(name: str, taken: frozenset[str]) -> str:
    """``name``, or with a digit added until no variable of the query has it."""
    found, n = name, 1
    while found in taken:
        found, n = f"{name}{n}", n + 1
    return found


def _header(query: Query) -> list[str]:
    lines = [f"#+ summary: {_one_line(query.summary)}"]
    description = query.description.strip()
    if query.params:
        given = "; ".join(f"{name}: {_HOW[p.type]}{' (one value)' if p.multiple else ''}"
                          + (f", default {p.default}" if p.default is not None else "")
                          for name, p in query.params.items())
        description = f"{description}\n\nParameters (all optional here): {given}.".strip()
    if description:
        lines.append("#+ description: >")
        lines += [f"#+   {line}".rstrip() for line in description.splitlines()]
    if query.tags:
        lines.append(f"#+ tags: [{', '.join(query.tags)}]")
    lines.append("#+ method: GET")
    return lines


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace(": ", " - ")


def _body(query: Query) -> str:
    """The query text without its ``#+`` header, each parameter bound from its grlc variable."""
    body = "\n".join(line for line in query.text.splitlines() if not line.lstrip().startswith("#+"))
    # grlc takes every ?_name and ?__name of the text (comments too) for a parameter: the
    # library's own ?_name variables are renamed out of its way (?param_name)
    mentioned = outline(body).variables
    body = _GRLC_LIKE.sub(lambda m: f"{m.group(1)}{_free(f'param{m.group(2)}', mentioned)}", body)
    if not query.params:
        return body
    shape = outline(body)
    if shape.where is None:
        raise BadParameter(f"query {query.name!r} has no WHERE group to bind its parameters in")
    binds = []
    for name in query.params:
        var = _free(f"param_{name}", mentioned) if f"_{name}" in mentioned else name
        binds.append(f"BIND (?{grlc_name(query, name)} AS ?{var})")
    note = "# grlc: each parameter from its optional grlc variable (left out: unbound, as in the library)"
    return body[:shape.where] + "\n  " + "\n  ".join([note, *binds]) + body[shape.where:]


def grlc_text(query: Query) -> str:
    """``query`` as a grlc-ready ``.rq`` file."""
    return "\n".join(_header(query)) + "\n" + _body(query).lstrip("\n") + "\n"


def write_grlc(library: QueryLibrary, folder: str | os.PathLike[str], *, endpoint: str | None = None) -> list[Path]:
    """Write a grlc-ready copy of every query of ``library`` into ``folder``; the files written.

    ``endpoint`` (a SPARQL endpoint URL) goes into ``endpoint.txt``, where grlc looks
    for the endpoint of a local folder of queries.

    Raises:
        BadParameter: ``folder`` is a file, or a query cannot be written for grlc.
        OutputError: the folder or a file cannot be written (each file is replaced whole or not at all).
    """
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise BadParameter(f"{out} exists and is not a folder")
    texts = {f"{q.name}.rq": grlc_text(q) for q in library}
    if endpoint:
        if not re.fullmatch(r"https?://\S+", endpoint.strip()):
            raise BadParameter(f"not an http(s) URL for grlc's endpoint.txt: {endpoint!r}")
        texts["endpoint.txt"] = endpoint.strip() + "\n"
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {out}: {exc.strerror or exc}") from exc
    for name, text in texts.items():
        write_atomic(out / name, text)
    return [out / name for name in texts]

