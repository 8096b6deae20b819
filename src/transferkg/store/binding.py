"""Binding query parameters: validated RDF terms into SPARQL, never the user's text.

The one place that reads SPARQL text. :func:`outline` scans a query once — skipping
comments, strings, IRIs and prefixed names — for its form (SELECT, ASK, …), the
variables it mentions and projects, and where its outer WHERE group opens. From
that, parameters are bound at the start of that group — one term as ``BIND (term AS
?name)``, several (a list parameter such as ``host=XK,SV``) as ``VALUES`` rows, one per
term; remote endpoints get every parameter this way — each term written by
:func:`term_text` from the validated rdflib term. Single values on the embedded stores
go through their own term bindings.

Why ``BIND`` for one term: at the start of a group it gives exactly the solution a
one-row ``VALUES`` gives (SPARQL 1.1: Join(Extend(Z, ?name, term), …) versus
Join(Z, {?name → term}, …)), and Virtuoso 7.2.5 deadlocks — the request never
answers, and no later request is answered either — on some queries that start with a
one-row ``VALUES`` (``agreements`` with ``host=XK``: its ``OPTIONAL`` of grouped
sub-SELECTs followed by a ``BIND`` testing ``datatype(?signed)``), while it answers the
same query with ``BIND``, or with a ``VALUES`` of two rows, at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from transferkg.core.errors import BadParameter

__all__ = ["IRI_OK", "Outline", "check_iri", "inject_values", "outline", "query_form", "split_bindings",
           "term_text"]

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
IRI_OK = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
"""An absolute IRI that can be written between ``<`` and ``>`` as it is."""
_VARNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<pname>(?:[A-Za-z_][A-Za-z0-9_\-.]*)?:[A-Za-z0-9_\-.:%\u00B7\u00C0-\uFFFF]*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-.]*)
  | (?P<punct>[{}()*])
  | (?P<space>\s+)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


@dataclass(frozen=True)
class Outline:
    """What binding needs to know about a query's text."""

    form: str
    """SELECT, ASK, CONSTRUCT or DESCRIBE (the first of them outside the prologue); "" if none."""
    where: int | None
    """The index just after the ``{`` that opens the outer WHERE group (None: there is none)."""
    variables: frozenset[str]
    """Every variable the text mentions, without ``?``."""
    projected: frozenset[str]
    """The variables the outer SELECT projects (``?x`` or ``(… AS ?x)``)."""
    star: bool
    """The outer SELECT projects ``*``."""


class _Scan:
    """The state of one pass over a query's tokens (see :func:`outline`)."""

    def __init__(self) -> None:
        self.form = ""
        self.depth = self.parens = 0  # braces anywhere; parentheses outside braces
        self.braces: list[int] = []  # ends of the top-level "{"
        self.where_at: int | None = None
        self.variables: set[str] = set()
        self.projected: set[str] = set()
        self.star = False
        self.previous = ""

    def var(self, name: str) -> None:
        self.variables.add(name)
        if self.form == "SELECT" and not self.braces and (self.parens == 0 or self.previous.upper() == "AS"):
            self.projected.add(name)

    def word(self, text: str, end: int) -> None:
        if self.depth or self.parens:
            return
        upper = text.upper()
        if not self.form and upper in FORMS:
            self.form = upper
        elif upper == "WHERE" and self.where_at is None:
            self.where_at = end

    def punct(self, text: str, end: int) -> None:
        if text == "{":
            if self.depth == 0 and self.parens == 0:
                self.braces.append(end)
            self.depth += 1
        elif text == "}":
            self.depth -= 1
        elif self.depth == 0 and text in "()":
            self.parens += 1 if text == "(" else -1
        elif text == "*" and self.form == "SELECT" and not self.braces and self.depth == 0 and self.parens == 0:
            self.star = True


def outline(query: str) -> Outline:
    """One pass over ``query``: its form, variables, projection and the opening of its WHERE group.

    The WHERE group is the first top-level ``{`` after the keyword WHERE; without
    the keyword, the first top-level ``{`` (the second for CONSTRUCT, whose first
    is the template).
    """
    scan = _Scan()
    for m in _TOKEN.finditer(query):
        kind, text = m.lastgroup, m.group()
        if kind in ("comment", "space"):
            continue
        if kind == "var":
            scan.var(text[1:])
        elif kind == "word":
            scan.word(text, m.end())
        elif kind == "punct":
            scan.punct(text, m.end())
        scan.previous = text
    if scan.where_at is not None:
        where = next((b for b in scan.braces if b > scan.where_at), None)
    elif scan.form == "CONSTRUCT":
        where = scan.braces[1] if len(scan.braces) > 1 else None
    else:
        where = scan.braces[0] if scan.braces else None
    return Outline(form=scan.form, where=where, variables=frozenset(scan.variables),
                   projected=frozenset(scan.projected), star=scan.star)


def query_form(query: str) -> str:
    """``select``, ``ask``, ``construct`` or ``describe``: the form of ``query`` (``select`` if unclear)."""
    return (outline(query).form or "SELECT").lower()


def check_iri(text: str, what: str) -> str:
    """``text`` (``<`` ``>`` taken off) if it is an absolute IRI that SPARQL can carry as written.

    Raises:
        BadParameter: naming ``what`` and the text.
    """
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if not IRI_OK.match(text):
        raise BadParameter(f"{what} must be an absolute IRI such as https://w3id.org/tct/graph/all, "
                           f"not {text!r}")
    return text


def term_text(name: str, term: Node) -> str:
    """``term`` in SPARQL syntax, from the validated rdflib term itself.

    Raises:
        BadParameter: an IRI or datatype that is not a valid IRI, or a term that is
            neither an IRI nor a literal (naming the parameter ``name``).
    """
    if isinstance(term, URIRef):
        text = str(term)
        if not IRI_OK.match(text):
            raise BadParameter(f"parameter {name!r} is not a valid IRI: {text!r}")
        return f"<{text}>"
    if isinstance(term, Literal):
        if term.datatype is not None and not IRI_OK.match(str(term.datatype)):
            raise BadParameter(f"parameter {name!r} has an invalid datatype")
        return term.n3()
    raise BadParameter(f"parameter {name!r} must be an IRI or a literal, not a {type(term).__name__}")


def inject_values(query: str, bindings: Mapping[str, Node | Sequence[Node]] | None) -> str:
    """``query`` with each binding written at the start of its WHERE group.

    One term (or a sequence of one) is written ``BIND (term AS ?name)``; a sequence of
    several or none is ``VALUES ?name { term … }``, one row per term (``host=XK,SV``).
    Both give the same solutions a one-row ``VALUES`` would (see the module's note on
    Virtuoso). The terms are written from validated rdflib terms by :func:`term_text`,
    never from the user's text.

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
        if len(terms) == 1:  # one row: BIND, the same solution (Virtuoso 7.2.5 deadlocks on some one-row VALUES)
            lines.append(f"BIND ({term_text(name, terms[0])} AS ?{name})")
        else:
            lines.append(f"VALUES ?{name} {{ {' '.join(term_text(name, t) for t in terms)} }}")
    where = outline(query).where
    if where is None:
        raise BadParameter("cannot bind parameters: the query has no WHERE group")
    return query[:where] + "\n  " + "\n  ".join(lines) + "\n" + query[where:]


def split_bindings(query: str, bindings: Mapping[str, Node]) -> tuple[Outline, dict[str, Node], dict[str, Node]]:
    """How an engine with term substitution (SEP-0007) binds ``bindings`` in ``query``.

    Returns the query's outline, the bindings to substitute (variables the query
    mentions that its outer SELECT projects, or all of them when it is not a
    SELECT or projects ``*``) and those to bind with ``VALUES`` (mentioned, not
    projected: substitution refuses them). Bindings the query does not mention are dropped.

    Raises:
        BadParameter: a blank node for a variable that needs ``VALUES``.
    """
    shape = outline(query)
    substitute: dict[str, Node] = {}
    values: dict[str, Node] = {}
    for name in sorted(shape.variables & set(bindings)):
        term = bindings[name]
        if shape.where is None or shape.form != "SELECT" or shape.star or name in shape.projected:
            substitute[name] = term
        elif isinstance(term, BNode):
            raise BadParameter(f"a blank node cannot be bound to ?{name}, which the query does not select")
        else:
            values[name] = term
    return shape, substitute, values
