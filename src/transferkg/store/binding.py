"""Binding query parameters: validated RDF terms into SPARQL, never the user's text.

The one place that reads SPARQL text to find where a query's WHERE group opens,
so that parameters can be bound as ``VALUES`` rows (a list parameter such as
``host=XK,SV`` has one row per value; remote endpoints get every parameter this
way). Single values on the embedded stores go through their own term bindings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from rdflib import Literal, URIRef
from rdflib.term import Node

from transferkg.core.errors import BadParameter

__all__ = ["inject_values"]

_VARNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_IRI_OK = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")


def _term_text(name: str, term: Node) -> str:
    """``term`` in SPARQL syntax, from the validated rdflib term itself."""
    if isinstance(term, URIRef):
        text = str(term)
        if not _IRI_OK.match(text):
            raise BadParameter(f"parameter {name!r} is not a valid IRI: {text!r}")
        return f"<{text}>"
    if isinstance(term, Literal):
        if term.datatype is not None and not _IRI_OK.match(str(term.datatype)):
            raise BadParameter(f"parameter {name!r} has an invalid datatype")
        return term.n3()
    raise BadParameter(f"parameter {name!r} must be an IRI or a literal, not a {type(term).__name__}")


_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_WORD = re.compile(r"[A-Za-z_]\w*")


def _top_level(query: str) -> tuple[list[int], list[tuple[str, int]]]:
    """Positions of top-level ``{`` and keywords, skipping strings, IRIs, comments and ``( … )``."""
    braces: list[int] = []
    words: list[tuple[str, int]] = []
    depth = parens = 0
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch == "#":
            end = query.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if ch == "<":
            match = _IRIREF.match(query, i)
            if match:
                i = match.end()
                continue
        if ch in "\"'":
            quote = ch * 3 if query.startswith(ch * 3, i) else ch
            j = i + len(quote)
            while j < n and not query.startswith(quote, j):
                j += 2 if query[j] == "\\" else 1
            i = j + len(quote)
            continue
        if ch == "{":
            if depth == 0 and parens == 0:
                braces.append(i)
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and ch in "()":
            parens += 1 if ch == "(" else -1
        elif depth == 0 and (ch.isalpha() or ch == "_"):
            match = _WORD.match(query, i)
            assert match is not None
            prev = query[i - 1] if i else " "
            after = query[match.end()] if match.end() < n else " "
            if parens == 0 and prev not in "?$:_-." and not prev.isalnum() and after != ":":
                words.append((match.group().upper(), i))
            i = match.end()
            continue
        i += 1
    return braces, words


def inject_values(query: str, bindings: Mapping[str, Node | Sequence[Node]] | None) -> str:
    """``query`` with one ``VALUES ?name { term … }`` per binding at the start of its WHERE group.

    A binding to a sequence of terms gives one row per term (``host=XK,SV``). The
    terms are written from validated rdflib terms by :func:`_term_text`, never
    from the user's text.

    Raises:
        BadParameter: a name that is not a SPARQL variable name, a term that is
            not an IRI or literal, or a query without a WHERE group.
    """
    if not bindings:
        return query
    lines = []
    for name, value in bindings.items():
        if not _VARNAME.match(name):
            raise BadParameter(f"{name!r} is not a SPARQL variable name")
        terms = [value] if isinstance(value, Node) else list(value)
        lines.append(f"VALUES ?{name} {{ {' '.join(_term_text(name, t) for t in terms)} }}")
    braces, words = _top_level(query)
    where = [pos for word, pos in words if word == "WHERE"]
    form = next((word for word, _ in words if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")), "")
    if where:
        target = next((b for b in braces if b > where[0]), None)
    elif form == "CONSTRUCT":
        target = braces[1] if len(braces) > 1 else None
    else:
        target = braces[0] if braces else None
    if target is None:
        raise BadParameter("cannot bind parameters: the query has no WHERE group")
    insert = "\n  " + "\n  ".join(lines) + "\n"
    return query[: target + 1] + insert + query[target + 1:]


