"""Compile the curated YAML in ``graph/`` into the RDF model of the ontology.

Curators write one compact YAML file per deal (see ``graph/README.md``); this
module turns it, deterministically, into claims-as-nodes RDF. Every error names
the file and line, and all errors of a run are reported together so a curator
fixes them in one pass.

Run ``python -m transferkg.curation.compile [graph_dir]`` to check the files alone.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import sys
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD

from transferkg.core.errors import LoadError
from transferkg.core.namespaces import ID, TCT, TCTV, bind_prefixes
from transferkg.core.privacy import NameList
from transferkg.curation.evidence import Basis, ClaimRecord

__all__ = ["CompiledGraph", "compile_graph", "parse_number", "parse_partial_date", "read_records", "readable_files",
           "yaml_files"]

KOSOVO = "XK"
SOURCE_KINDS = {
    "news-article": TCT.NewsArticle,
    "official-statement": TCT.OfficialStatement,
    "court-decision": TCT.CourtDecision,
    "report": TCT.Report,
    "tracker": TCT.Report,
    "dataset": TCT.Report,
    "reference-work": TCT.Report,
}
ENTITY_TYPES = {
    "Agreement", "TransferAgreement", "StatusChange", "SelectionCriterion", "Cohort",
    "Migrant", "Event", "TransferEvent", "DeportationFlight", "Arrival", "LegalChallenge",
    "CourtRuling", "RecognitionAct", "Facility", "Programme", "Legislation", "Organization",
}
VALUE_KEYS = ("state", "ref", "code", "date", "text", "quantity")
CLAIM_KEYS = set(VALUE_KEYS) | {
    "p", "src", "quote", "speaker", "rank", "reason", "asOf", "key", "variantOf",
    "conflictsWith", "row", "qualifier", "unit", "basis",
}
SOURCE_KEYS = {"kind", "title", "url", "urlWithheld", "site", "published", "dateNote", "identifier", "publisher",
               "attributedTo"}
ENTITY_KEYS = {"type", "label", "actsFor", "kind", "claims"}
KIND_TYPES = {"Agreement", "TransferAgreement", "TransferEvent", "DeportationFlight", "Arrival"}
TOP_KEYS = {"sources", "entities", "claims-on", "public-figures", "not-people"}
QUALIFIERS = {"exact", "up-to", "at-least", "more-than", "approximately"}
UNITS = {"person", "USD", "EUR", "GBP", "DKK", "AUD", "CAD", "ILS"}
RANKS = {"preferred", "normal", "deprecated"}
_DATE_RE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def parse_partial_date(text: str) -> Literal:
    """``"2025"``, ``"2025-06"`` or ``"2025-06-11"`` as a typed literal of that precision.

    Raises:
        ValueError: when the text is not one of those forms or names no real day.
    """
    m = _DATE_RE.match(text.strip())
    if not m:
        raise ValueError(f"not a date of the form YYYY, YYYY-MM or YYYY-MM-DD: {text!r}")
    year, month, day = m.groups()
    if month is not None and not 1 <= int(month) <= 12:
        raise ValueError(f"month out of range: {text!r}")
    if day is not None:
        last = calendar.monthrange(int(year), int(month))[1]
        if not 1 <= int(day) <= last:
            raise ValueError(f"day out of range: {text!r}")
        return Literal(text, datatype=XSD.date)
    if month is not None:
        return Literal(text, datatype=XSD.gYearMonth)
    return Literal(text, datatype=XSD.gYear)


@dataclass
class _Where:
    path: str
    line: int


@dataclass
class CompiledGraph:
    """The compiled RDF plus what curators need for coverage checks."""

    graph: Graph
    files: list[Path]
    rows: dict[int, list[str]] = field(default_factory=dict)
    """Research-table row number → ``file:line`` of each claim citing it."""
    claims: int = 0
    records: list[ClaimRecord] = field(default_factory=list)
    """Every claim as written, with file and line, for the evidence check."""
    published: dict[str, str] = field(default_factory=dict)
    """Source id → publication date as written, for the evidence check."""
    names: NameList = field(default_factory=lambda: NameList(public_figures={}))
    """The curators' account of name-like phrases (``public-figures``, ``not-people``), for the privacy check."""


class _Errors:
    def __init__(self) -> None:
        self.items: list[tuple[str, int, str]] = []

    def add(self, where: _Where, message: str) -> None:
        self.items.append((where.path, where.line, message))

    def raise_if_any(self) -> None:
        if not self.items:
            return
        self.items.sort()
        first = self.items[0]
        lines = [f"{p}:{ln}: {m}" for p, ln, m in self.items[:50]]
        more = len(self.items) - 50
        if more > 0:
            lines.append(f"… and {more} more")
        err = LoadError("\n".join(lines[1:]) if len(lines) > 1 else "", path=first[0],
                        line=first[1])
        # Put every error in the message, the first one first.
        err.args = ("\n".join(lines),)
        err.message = first[2]
        err.errors = self.items  # type: ignore[attr-defined]
        raise err


def yaml_files(graph_dir: Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` file below ``graph_dir``, in a stable order."""
    files = [p for p in graph_dir.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file()]
    return sorted(files, key=lambda p: p.relative_to(graph_dir).as_posix())


MAX_DEPTH = 32
"""How deeply a curated file may nest mappings and lists (a deal file needs six levels)."""
MAX_DIGITS = 18
"""Digits a quantity may have before its decimal point: no count of people or sum of money needs more,
and every backend stores such a number exactly (Oxigraph keeps integers in 64 bits)."""
MAX_FRACTION_DIGITS = 6
"""Digits a quantity may have after its decimal point."""


class _Refused(yaml.composer.ComposerError):
    """Well-formed YAML that a curated file must not hold (the message needs no "syntax error")."""


class _Loader(yaml.SafeLoader):
    """PyYAML's safe composer, refusing what it would otherwise let through silently or crash on.

    A second value for the same key replaces the first without a word in PyYAML; here
    every duplicate is recorded (and reported with both lines). A key that is a list or a
    mapping is refused, and so is nesting deeper than :data:`MAX_DEPTH`, which would
    otherwise end in a ``RecursionError`` (PyYAML composes nodes recursively).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self.duplicates: list[tuple[int, str, int]] = []
        """(line of the repeated key, the key, line where it first appeared)."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(
                    None, None, f"nested more than {MAX_DEPTH} levels deep (a curated file needs about six)",
                    self.peek_event().start_mark)
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1

    def compose_mapping_node(self, anchor: Any) -> yaml.MappingNode:
        node: yaml.MappingNode = super().compose_mapping_node(anchor)
        first: dict[str, int] = {}
        for key, _value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise _Refused(None, None, "a key must be plain text, not a list or a mapping", key.start_mark)
            line = key.start_mark.line + 1
            if str(key.value) in first:
                self.duplicates.append((line, str(key.value), first[str(key.value)]))
            else:
                first[str(key.value)] = line
        return node


def _read_text(path: Path, display: str) -> str:
    """The file as text, or a :class:`LoadError` naming it (unreadable, not UTF-8)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise LoadError("file not found", path=display) from exc
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}", path=display) from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LoadError(f"not UTF-8 text (byte {exc.start})", path=display, line=line) from exc


def _compose(path: Path, display: str) -> yaml.Node | None:
    """The YAML node tree of one curated file.

    Raises:
        LoadError: ``file:line`` of a syntax error, a control character, a duplicate key
            (every one, with the line of the first), a list used as a key, or nesting
            deeper than :data:`MAX_DEPTH`.
    """
    text = _read_text(path, display)
    loader: _Loader | None = None
    try:
        loader = _Loader(text)  # checks every character first
        root = loader.get_single_node()
    except yaml.reader.ReaderError as exc:  # a raw control character; carries no line, only a position
        line = text[: exc.position].count("\n") + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        raise LoadError(f"character U+{code:04X} is not allowed in YAML (a control character): "
                        "remove it, or write it as an escape in a double-quoted string",
                        path=display, line=line) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        yaml_line = mark.line + 1 if mark else None
        lines = text.splitlines()
        snippet = lines[mark.line] if mark and mark.line < len(lines) else None
        if isinstance(exc, _Refused):  # one line: the offending line may be thousands of brackets
            raise LoadError(str(exc.problem), path=display, line=yaml_line) from exc
        raise LoadError(f"YAML syntax error: {exc.problem or exc.context}", path=display,
                        line=yaml_line, text=snippet) from exc
    except yaml.YAMLError as exc:
        raise LoadError(f"YAML error: {exc}", path=display) from exc
    except RecursionError as exc:
        raise LoadError("YAML nested too deeply to read", path=display) from exc
    finally:
        if loader is not None:
            loader.dispose()
    if loader.duplicates:
        errors = _Errors()
        for line, key, first in loader.duplicates:
            errors.add(_Where(display, line), f"duplicate key {_short(key)} (first at line {first}): "
                                              "the second value would silently replace the first")
        errors.raise_if_any()
    return root


def _short(text: str, limit: int = 40) -> str:
    """``text`` quoted for a message, cut to ``limit`` characters (a value may be megabytes long)."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"… ({len(text):,} characters)"


_PLAIN_NUMBER = re.compile(r"[+-]?(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?", re.ASCII)
_NON_FINITE = re.compile(r"[+-]?\.?(?:nan|inf|infinity)", re.IGNORECASE)
_EXPONENT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]{1,3}", re.ASCII)


def parse_number(text: str, what: str = "quantity") -> int | Decimal:
    """A number as curators write one: ASCII digits with an optional sign and fraction.

    An ``int`` without a decimal point, else a ``Decimal``. The one place a curated
    quantity becomes a number, so every form is refused the same way: ``NaN`` and
    ``.inf`` (not counts), ``1e3`` (YAML reads it as text; write ``1000``), digit
    groups and other scripts' digits, and numbers longer than :data:`MAX_DIGITS`.

    Raises:
        ValueError: saying why, with ``what`` as the subject of the sentence.
    """
    t = text.strip()
    m = _PLAIN_NUMBER.fullmatch(t)
    if m and (m.group("int") or m.group("frac")):
        digits = len(m.group("int").lstrip("0"))
        if digits > MAX_DIGITS:
            raise ValueError(f"{what} is a number of {digits:,} digits, not a count of people or a sum of "
                             f"money (at most {MAX_DIGITS} digits)")
        if len(m.group("frac") or "") > MAX_FRACTION_DIGITS:
            raise ValueError(f"{what} has more than {MAX_FRACTION_DIGITS} digits after the decimal point: {_short(t)}")
        return Decimal(t) if "." in t else int(t)
    if _NON_FINITE.fullmatch(t):
        raise ValueError(f"{what} must be a finite number, not {_short(t)}")
    if _EXPONENT.fullmatch(t):
        exact = Decimal(t)
        hint = f" ({exact:f})" if abs(exact.adjusted()) <= MAX_DIGITS else ""
        raise ValueError(f"{what} {_short(t)} is in exponent notation, which YAML reads as text: "
                         f"write the number in plain digits{hint}")
    raise ValueError(f"{what} is not a number: {_short(t)} (write plain digits, such as 1200 or 2.5)")


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _scalar(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    return None


def _items(node: yaml.MappingNode) -> Iterator[tuple[str, yaml.Node, int]]:
    for k, v in node.value:
        yield str(k.value), v, _line(k)


def _state_label(code: str) -> str | None:
    if code == KOSOVO:
        return "Kosovo"
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return None
    return str(getattr(country, "common_name", None) or country.name)


def _claim_id(parts: Iterable[str]) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"claim-{digest[:16]}"


def _site_id(url: str) -> tuple[str, str] | None:
    host = urllib.parse.urlsplit(url).hostname
    if not host:
        return None
    slug = re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")
    return f"site-{slug}", host


class _Compiler:
    def __init__(self, graph_dir: Path, ontology: Graph, display_root: Path) -> None:
        self.graph_dir = graph_dir
        self.display_root = display_root
        self.errors = _Errors()
        self.g = bind_prefixes(Graph())
        self.sources: dict[str, _Where] = {}
        self.entities: dict[str, tuple[_Where, str]] = {}
        self.keys: dict[str, tuple[_Where, URIRef]] = {}
        self.links: list[tuple[_Where, URIRef, URIRef, str]] = []
        self.states: set[str] = set()
        self.claim_ids: dict[str, _Where] = {}
        self.rows: dict[int, list[str]] = {}
        self.records: list[ClaimRecord] = []
        self.published: dict[str, str] = {}
        self.public_figures: dict[str, str] = {}
        self.not_people: list[str] = []
        self.codes = {str(c)[len(str(TCTV)):] for c in ontology.subjects(RDF.type, SKOS.Concept)
                      if str(c).startswith(str(TCTV))}
        self.kinds = {str(c)[len(str(TCTV)):] for c in ontology.subjects(SKOS.inScheme, TCTV.ArrangementKind)}
        self.props: dict[str, str] = {}
        not_claimable = set(ontology.subjects(TCT.claimable, Literal(False)))
        for prop_type, kind in ((OWL.ObjectProperty, "object"), (OWL.DatatypeProperty, "literal")):
            for p in ontology.subjects(RDF.type, prop_type):
                if str(p).startswith(str(TCT)) and p not in not_claimable:
                    local = str(p)[len(str(TCT)):]
                    if (p, RDFS.range, SDO.QuantitativeValue) in ontology:
                        kind_ = "quantity"
                    else:
                        kind_ = kind
                    self.props[local] = kind_

    # -- helpers -----------------------------------------------------------
    def _display(self, path: Path) -> str:
        try:
            return path.relative_to(self.display_root).as_posix()
        except ValueError:
            return path.as_posix()

    def _mapping(self, node: yaml.Node, where: _Where, what: str) -> yaml.MappingNode | None:
        if not isinstance(node, yaml.MappingNode):
            self.errors.add(where, f"{what} must be a mapping")
            return None
        return node

    def _state(self, code: str, where: _Where) -> URIRef | None:
        code = code.strip()
        if code.startswith("state-"):
            code = code[len("state-"):]
        if not re.fullmatch(r"[A-Z]{2}", code) or _state_label(code) is None:
            self.errors.add(where, f"unknown state code {code!r} (ISO 3166-1 alpha-2, or XK)")
            return None
        self.states.add(code)
        return ID[f"state-{code}"]

    def _ref(self, ident: str, where: _Where) -> URIRef | None:
        if ident.startswith("state-"):
            return self._state(ident, where)
        if ident not in self.entities and ident not in self.sources:
            self.errors.add(where, f"unknown id {ident!r} (declare it under entities:)")
            return None
        return ID[ident]

    # -- pass 1: declarations ---------------------------------------------
    def declare(self, files: list[Path]) -> list[tuple[Path, str, yaml.MappingNode]]:
        docs = []
        for path in files:
            display = self._display(path)
            root = _compose(path, display)
            if root is None:
                continue
            where = _Where(display, 1)
            top = self._mapping(root, where, "the file")
            if top is None:
                continue
            docs.append((path, display, top))
            for key, value, line in _items(top):
                w = _Where(display, line)
                if key not in TOP_KEYS:
                    self.errors.add(w, f"unknown top-level key {key!r} (allowed: {', '.join(sorted(TOP_KEYS))})")
                    continue
                if key in ("claims-on", "public-figures", "not-people"):
                    continue
                body = self._mapping(value, w, key)
                if body is None:
                    continue
                for ident, decl, dline in _items(body):
                    dw = _Where(display, dline)
                    if not _ID_RE.match(ident):
                        self.errors.add(dw, f"bad id {ident!r}: letters, digits, '-', '_' and '.' only")
                        continue
                    seen = self.sources.get(ident) or (self.entities[ident][0] if ident in self.entities else None)
                    if seen is not None:
                        self.errors.add(dw, f"duplicate id {ident!r} (first declared at {seen.path}:{seen.line})")
                        continue
                    if key == "sources":
                        self.sources[ident] = dw
                    else:
                        etype = ""
                        if isinstance(decl, yaml.MappingNode):
                            for k, v, _ in _items(decl):
                                if k == "type":
                                    etype = _scalar(v) or ""
                        self.entities[ident] = (dw, etype)
        # claim keys
        for _path, display, top in docs:
            for claim, _where in self._all_claim_nodes(top, display):
                for k, v, line in _items(claim):
                    if k == "key":
                        key = _scalar(v) or ""
                        if key in self.keys:
                            first = self.keys[key][0]
                            self.errors.add(_Where(display, line),
                                            f"duplicate claim key {key!r} (first at {first.path}:{first.line})")
                        else:
                            self.keys[key] = (_Where(display, line), URIRef(""))
        return docs

    def _all_claim_nodes(self, top: yaml.MappingNode, display: str) -> Iterator[tuple[yaml.MappingNode, _Where]]:
        for key, value, _ln in _items(top):
            if key == "entities" and isinstance(value, yaml.MappingNode):
                for _ident, decl, _ in _items(value):
                    if isinstance(decl, yaml.MappingNode):
                        for k, v, _ in _items(decl):
                            if k == "claims" and isinstance(v, yaml.SequenceNode):
                                for c in v.value:
                                    if isinstance(c, yaml.MappingNode):
                                        yield c, _Where(display, _line(c))
            elif key == "claims-on" and isinstance(value, yaml.MappingNode):
                for _ident, seq, _ in _items(value):
                    if isinstance(seq, yaml.SequenceNode):
                        for c in seq.value:
                            if isinstance(c, yaml.MappingNode):
                                yield c, _Where(display, _line(c))

    # -- pass 2: triples ----------------------------------------------------
    def emit(self, docs: list[tuple[Path, str, yaml.MappingNode]]) -> None:
        for _path, display, top in docs:
            for key, value, line in _items(top):
                w = _Where(display, line)
                if key == "sources" and isinstance(value, yaml.MappingNode):
                    for ident, decl, dline in _items(value):
                        self._source(ident, decl, _Where(display, dline))
                elif key == "entities" and isinstance(value, yaml.MappingNode):
                    for ident, decl, dline in _items(value):
                        self._entity(ident, decl, _Where(display, dline))
                elif key == "public-figures":
                    self._public_figures(value, w)
                elif key == "not-people":
                    if not isinstance(value, yaml.SequenceNode) or not all(
                            isinstance(n, yaml.ScalarNode) and str(n.value).strip() for n in value.value):
                        self.errors.add(w, "not-people must be a list of phrases")
                    else:
                        self.not_people.extend(str(n.value).strip() for n in value.value)
                elif key == "claims-on":
                    body = self._mapping(value, w, "claims-on")
                    if body is None:
                        continue
                    for ident, seq, dline in _items(body):
                        dw = _Where(display, dline)
                        subject = self._ref(ident, dw)
                        if subject is not None:
                            self._claims(subject, seq, dw)
        for code in sorted(self.states):
            node = ID[f"state-{code}"]
            self.g.add((node, RDF.type, TCT.State))
            self.g.add((node, RDFS.label, Literal(_state_label(code) or code, lang="en")))
            self.g.add((node, TCT.isoCode, Literal(code)))
            note = "ISO 3166-1 alpha-2 via pycountry" if code != KOSOVO else "user-assigned code XK"
            self.g.add((node, DCTERMS.source, Literal(note)))

    def _public_figures(self, value: yaml.Node, where: _Where) -> None:
        body = self._mapping(value, where, "public-figures")
        if body is None:
            return
        for name, role, line in _items(body):
            text = _scalar(role)
            if not name.strip() or not text or not text.strip():
                self.errors.add(_Where(where.path, line),
                                f"public figure {name!r} needs the public role the sources name them in")
                continue
            if name in self.public_figures:
                self.errors.add(_Where(where.path, line), f"public figure {name!r} listed twice")
            self.public_figures[name.strip()] = text.strip()

    def _source(self, ident: str, decl: yaml.Node, where: _Where) -> None:
        body = self._mapping(decl, where, f"source {ident!r}")
        if body is None:
            return
        node = ID[ident]
        fields: dict[str, tuple[str, _Where]] = {}
        for k, v, line in _items(body):
            w = _Where(where.path, line)
            if k not in SOURCE_KEYS:
                self.errors.add(w, f"unknown source key {k!r} (allowed: {', '.join(sorted(SOURCE_KEYS))})")
                continue
            text = _scalar(v)
            if text is None:
                self.errors.add(w, f"{k} must be a single value")
                continue
            fields[k] = (text, w)
        kind = fields.get("kind", ("", where))
        if kind[0] not in SOURCE_KINDS:
            self.errors.add(kind[1], f"source kind must be one of {', '.join(sorted(SOURCE_KINDS))}")
            return
        self.g.add((node, RDF.type, SOURCE_KINDS[kind[0]]))
        self.g.add((node, TCT.sourceType, TCTV[kind[0]]))
        if "title" not in fields:
            self.errors.add(where, f"source {ident!r} has no title")
        else:
            self.g.add((node, DCTERMS.title, Literal(fields["title"][0])))
        if "url" in fields:
            url, w = fields["url"]
            if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", url):
                self.errors.add(w, f"not a valid http(s) URL: {url!r}")
            else:
                self.g.add((node, SDO.url, URIRef(url)))
                site = _site_id(url)
                if site and "publisher" not in fields:
                    site_node = ID[site[0]]
                    self.g.add((node, DCTERMS.publisher, site_node))
                    self.g.add((site_node, RDF.type, ORG.Organization))
                    self.g.add((site_node, RDFS.label, Literal(site[1])))
        if "urlWithheld" in fields:
            reason, w = fields["urlWithheld"]
            if "url" in fields:
                self.errors.add(w, "a source has a url or urlWithheld (the reason it is not published), not both")
            elif not reason.strip():
                self.errors.add(w, "urlWithheld says why the address is not published")
            else:
                self.g.add((node, TCT.urlWithheld, Literal(reason.strip(), lang="en")))
        if "site" in fields:
            host, w = fields["site"]
            site = _site_id(f"https://{host.strip()}/")
            if "url" in fields or site is None or not re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", host.strip()):
                self.errors.add(w, "site is the host name (example.org) of a source whose url is withheld")
            elif "publisher" not in fields:
                self.g.add((node, DCTERMS.publisher, ID[site[0]]))
                self.g.add((ID[site[0]], RDF.type, ORG.Organization))
                self.g.add((ID[site[0]], RDFS.label, Literal(site[1])))
        if "published" in fields:
            text, w = fields["published"]
            self.published[ident] = text.strip()
            try:
                self.g.add((node, DCTERMS.issued, parse_partial_date(text)))
            except ValueError as exc:
                self.errors.add(w, str(exc))
        for k, prop in (("dateNote", TCT.dateNote), ("identifier", DCTERMS.identifier)):
            if k in fields:
                self.g.add((node, prop, Literal(fields[k][0])))
        for k, prop in (("publisher", DCTERMS.publisher), ("attributedTo", TCT.attributedTo)):
            if k in fields:
                target = self._ref(fields[k][0], fields[k][1])
                if target is not None:
                    self.g.add((node, prop, target))

    def _entity(self, ident: str, decl: yaml.Node, where: _Where) -> None:
        body = self._mapping(decl, where, f"entity {ident!r}")
        if body is None:
            return
        node = ID[ident]
        etype = None
        claims_node = None
        kind_where: _Where | None = None
        for k, v, line in _items(body):
            w = _Where(where.path, line)
            if k not in ENTITY_KEYS:
                self.errors.add(w, f"unknown entity key {k!r} (allowed: {', '.join(sorted(ENTITY_KEYS))})")
            elif k == "type":
                etype = _scalar(v)
                if etype not in ENTITY_TYPES:
                    self.errors.add(w, f"unknown type {etype!r} (one of {', '.join(sorted(ENTITY_TYPES))})")
                    etype = None
                    continue
                cls = ORG.Organization if etype == "Organization" else TCT[etype]
                self.g.add((node, RDF.type, cls))
            elif k == "label":
                label = _scalar(v)
                if not label:
                    self.errors.add(w, "label must be a non-empty text")
                else:
                    self.g.add((node, RDFS.label, Literal(label, lang="en")))
            elif k == "kind":
                code = _scalar(v) or ""
                if code not in self.kinds:
                    self.errors.add(w, f"unknown kind {code!r} (one of {', '.join(sorted(self.kinds))}; "
                                       "ontology/vocab/arrangement-kind.ttl)")
                else:
                    self.g.add((node, TCT.arrangementKind, TCTV[code]))
                    kind_where = w
            elif k == "actsFor":
                state = self._state(_scalar(v) or "", w)
                if state is not None:
                    self.g.add((node, TCT.actsFor, state))
            elif k == "claims":
                claims_node = (v, w)
        if kind_where is not None and etype not in KIND_TYPES:
            self.errors.add(kind_where, f"kind is for agreements and transfers ({', '.join(sorted(KIND_TYPES))})")
        if etype is None and not any(k == "type" for k, _, _ in _items(body)):
            self.errors.add(where, f"entity {ident!r} has no type")
        if not any(k == "label" for k, _, _ in _items(body)):
            self.errors.add(where, f"entity {ident!r} has no label")
        if claims_node is not None:
            self._claims(node, *claims_node)

    def _claims(self, subject: URIRef, seq: yaml.Node, where: _Where) -> None:
        if not isinstance(seq, yaml.SequenceNode):
            self.errors.add(where, "claims must be a list")
            return
        for item in seq.value:
            w = _Where(where.path, _line(item))
            body = self._mapping(item, w, "a claim")
            if body is not None:
                self._claim(subject, body, w)

    def _claim(self, subject: URIRef, body: yaml.MappingNode, where: _Where) -> None:
        fields: dict[str, tuple[yaml.Node, _Where]] = {}
        for k, v, line in _items(body):
            w = _Where(where.path, line)
            if k not in CLAIM_KEYS:
                self.errors.add(w, f"unknown claim key {k!r}")
                continue
            fields[k] = (v, w)
        values = [k for k in VALUE_KEYS if k in fields]
        if len(values) != 1:
            self.errors.add(where, f"a claim needs exactly one value ({', '.join(VALUE_KEYS)}); found {values or 'none'}")
            return
        vkey = values[0]
        pname = _scalar(fields["p"][0]) if "p" in fields else None
        if not pname:
            self.errors.add(where, "a claim needs a property 'p'")
            return
        basis = self._basis(fields["basis"]) if "basis" in fields else None
        if "src" in fields:
            quote_ = _scalar(fields["quote"][0]) if "quote" in fields else ""
            self._record(subject, pname, vkey, fields, _scalar(fields["src"][0]) or "", quote_ or "", basis, where)
        if pname not in self.props:
            self.errors.add(fields["p"][1], f"unknown or derived property {pname!r} (see ontology/tct.ttl)")
            return
        kind = self.props[pname]
        expected = {"quantity": {"quantity"}, "object": {"state", "ref", "code"},
                    "literal": {"date", "text"}}[kind]
        if vkey not in expected:
            self.errors.add(fields[vkey][1], f"property {pname!r} takes {' or '.join(sorted(expected))}, not {vkey}")
            return
        if "src" not in fields:
            self.errors.add(where, "a claim needs a source 'src'")
            return
        src = _scalar(fields["src"][0]) or ""
        if src not in self.sources:
            self.errors.add(fields["src"][1], f"unknown source {src!r} (declare it in graph/sources.yaml)")
            return
        quote = _scalar(fields["quote"][0]) if "quote" in fields else ""
        vnode, vwhere = fields[vkey]
        value_text = _scalar(vnode)
        value: URIRef | Literal | None = None
        qty: dict[str, str] = {}
        if vkey == "quantity":
            if isinstance(vnode, yaml.MappingNode):
                for k, v, line in _items(vnode):
                    if k not in {"value", "min", "max"}:
                        self.errors.add(_Where(where.path, line), f"quantity takes value, min or max, not {k!r}")
                        return
                    qty[k] = _scalar(v) or ""
            elif value_text is not None:
                qty["value"] = value_text
            for k, written in qty.items():
                try:
                    parse_number(written, f"quantity {k}" if k != "value" else "quantity")
                except ValueError as exc:
                    self.errors.add(vwhere, str(exc))
                    return
            value_text = ",".join(f"{k}={qty[k]}" for k in sorted(qty))
        elif value_text is None:
            self.errors.add(vwhere, f"{vkey} must be a single value")
            return
        elif vkey == "state":
            value = self._state(value_text, vwhere)
        elif vkey == "ref":
            value = self._ref(value_text, vwhere)
        elif vkey == "code":
            if value_text not in self.codes:
                self.errors.add(vwhere, f"unknown code {value_text!r} (see ontology/vocab/)")
                return
            value = TCTV[value_text]
        elif vkey == "date":
            try:
                value = parse_partial_date(value_text)
            except ValueError as exc:
                self.errors.add(vwhere, str(exc))
                return
        else:
            value = Literal(value_text, lang="en")
        if vkey != "quantity" and value is None:
            return
        qualifier = _scalar(fields["qualifier"][0]) if "qualifier" in fields else None
        unit = _scalar(fields["unit"][0]) if "unit" in fields else None
        if vkey != "quantity" and (qualifier or unit):
            self.errors.add(where, "qualifier and unit go with a quantity only")
            return
        speaker_txt = _scalar(fields["speaker"][0]) if "speaker" in fields else None
        as_of_txt = _scalar(fields["asOf"][0]) if "asOf" in fields else None
        parts = [str(subject), pname, vkey, str(value_text), src, quote or "", speaker_txt or "",
                 as_of_txt or "", qualifier or "", unit or ""]
        cid = _claim_id(parts)
        if cid in self.claim_ids:
            first = self.claim_ids[cid]
            self.errors.add(where, f"duplicate claim (same as {first.path}:{first.line})")
            return
        self.claim_ids[cid] = where
        claim = ID[cid]
        g = self.g
        g.add((claim, RDF.type, TCT.Claim))
        g.add((claim, TCT.claimSubject, subject))
        g.add((claim, TCT.claimProperty, TCT[pname]))
        g.add((claim, PROV.wasDerivedFrom, ID[src]))
        if quote:
            g.add((claim, TCT.quote, Literal(quote)))
        if vkey == "quantity":
            self._quantity(claim, cid, qty, qualifier, unit, where)
        elif isinstance(value, Literal):
            g.add((claim, TCT.literalValue, value))
        elif value is not None:
            g.add((claim, TCT.objectValue, value))
        rank = _scalar(fields["rank"][0]) if "rank" in fields else "normal"
        if rank not in RANKS:
            self.errors.add(fields["rank"][1], f"rank must be one of {', '.join(sorted(RANKS))}")
            rank = "normal"
        g.add((claim, TCT.rank, TCTV[rank]))
        if basis is not None:
            g.add((claim, TCT.valueBasis, Literal(basis.text(self.published.get(src)))))
        if "reason" in fields:
            g.add((claim, TCT.rankReason, Literal(_scalar(fields["reason"][0]) or "", lang="en")))
        elif rank == "deprecated":
            self.errors.add(where, "a deprecated claim needs a 'reason'")
        if speaker_txt:
            speaker = self._ref(speaker_txt, fields["speaker"][1])
            if speaker is not None:
                g.add((claim, TCT.speaker, speaker))
        if as_of_txt:
            try:
                g.add((claim, TCT.asOf, parse_partial_date(as_of_txt)))
            except ValueError as exc:
                self.errors.add(fields["asOf"][1], str(exc))
        if "key" in fields:
            key = _scalar(fields["key"][0]) or ""
            if key in self.keys:
                self.keys[key] = (self.keys[key][0], claim)
        for rel in ("variantOf", "conflictsWith"):
            if rel in fields:
                node, w = fields[rel]
                targets = [_scalar(n) or "" for n in node.value] if isinstance(node, yaml.SequenceNode) else [_scalar(node) or ""]
                for t in targets:
                    if t not in self.keys:
                        self.errors.add(w, f"unknown claim key {t!r} in {rel}")
                    else:
                        self.links.append((w, claim, URIRef(t), rel))
        if "row" in fields:
            node, w = fields["row"]
            nums = [_scalar(n) or "" for n in node.value] if isinstance(node, yaml.SequenceNode) else [_scalar(node) or ""]
            for n in nums:
                if not re.fullmatch(r"[0-9]{1,9}", n.strip()):
                    self.errors.add(w, f"row must be a row number, not {_short(n)}")
                else:
                    self.rows.setdefault(int(n.strip()), []).append(f"{where.path}:{where.line}")

    def _basis(self, field_: tuple[yaml.Node, _Where]) -> Basis | None:
        node, where = field_
        if not isinstance(node, yaml.MappingNode):
            self.errors.add(where, "basis must be a mapping: {rule: sum, of: [...]} or {rule: relative-date, word: ...}")
            return None
        items = {k: v for k, v, _ in _items(node)}
        unknown = set(items) - {"rule", "of", "word"}
        rule = _scalar(items["rule"]) if "rule" in items else None
        if unknown or rule not in Basis.RULES:
            self.errors.add(where, f"basis takes rule ({', '.join(Basis.RULES)}), of and word"
                            + (f", not {', '.join(sorted(unknown))}" if unknown else ""))
            return None
        operands: tuple[str, ...] = ()
        if "of" in items:
            of = items["of"]
            operands = tuple(_scalar(n) or "" for n in of.value) if isinstance(of, yaml.SequenceNode) else (
                _scalar(of) or "",)
        word = _scalar(items["word"]) if "word" in items else None
        if rule == "relative-date" and not word:
            self.errors.add(where, "a relative-date basis needs the quote's word, e.g. word: Tuesday")
            return None
        if rule != "relative-date" and len(operands) < 2:
            self.errors.add(where, f"a {rule} basis needs two or more operands in 'of'")
            return None
        return Basis(rule=rule, operands=operands, word=word)

    def _record(self, subject: URIRef, pname: str, vkey: str, fields: dict[str, tuple[yaml.Node, _Where]],
                src: str, quote: str, basis: Basis | None, where: _Where) -> None:
        """Keep the claim as written, for the evidence check."""
        vnode = fields[vkey][0]
        value: str | dict[str, str]
        if isinstance(vnode, yaml.MappingNode):
            value = {str(k.value): str(v.value) for k, v in vnode.value if isinstance(v, yaml.ScalarNode)}
        else:
            value = _scalar(vnode) or ""

        def text(key: str, default: str | None = None) -> str | None:
            return (_scalar(fields[key][0]) or default) if key in fields else default

        self.records.append(ClaimRecord(
            path=where.path, line=where.line, subject=str(subject).removeprefix(str(ID)), prop=pname,
            kind=vkey, value=value, quote=quote, src=src, qualifier=text("qualifier", "exact") or "exact",
            unit=text("unit", "person") or "person", as_of=text("asOf"), basis=basis, key=text("key"),
            rank=text("rank", "normal") or "normal"))

    def _quantity(self, claim: URIRef, cid: str, qty: dict[str, str], qualifier: str | None,
                  unit: str | None, where: _Where) -> None:
        qualifier = qualifier or "exact"
        unit = unit or "person"
        if qualifier not in QUALIFIERS:
            self.errors.add(where, f"qualifier must be one of {', '.join(sorted(QUALIFIERS))}")
            return
        if unit not in UNITS:
            self.errors.add(where, f"unit must be one of {', '.join(sorted(UNITS))}")
            return
        if "value" in qty and ("min" in qty or "max" in qty):
            self.errors.add(where, "a quantity has a value or a min/max range, not both")
            return
        q = ID[f"{cid}-quantity"]
        g = self.g
        g.add((claim, TCT.quantityValue, q))
        g.add((q, RDF.type, SDO.QuantitativeValue))
        g.add((q, TCT.quantityQualifier, TCTV[qualifier]))
        g.add((q, SDO.unitText, Literal(unit)))
        if "value" in qty:
            slot = {"up-to": SDO.maxValue, "at-least": SDO.minValue, "more-than": SDO.minValue}.get(
                qualifier, SDO.value)
            g.add((q, slot, Literal(parse_number(qty["value"]))))
        for k, slot in (("min", SDO.minValue), ("max", SDO.maxValue)):
            if k in qty:
                g.add((q, slot, Literal(parse_number(qty[k]))))


def compile_graph(graph_dir: Path, ontology: Graph, *, display_root: Path | None = None) -> CompiledGraph:
    """Compile every YAML file below ``graph_dir`` into one RDF graph.

    Args:
        graph_dir: the folder of curated files.
        ontology: the ontology and code lists, to check properties and codes against.
        display_root: paths in messages are shown relative to this folder.

    Raises:
        LoadError: listing every problem as ``file:line: message``.
    """
    files = yaml_files(graph_dir)
    compiler = _Compiler(graph_dir, ontology, display_root or graph_dir.parent)
    docs = compiler.declare(files)
    compiler.emit(docs)
    compiler.errors.raise_if_any()
    # variantOf / conflictsWith were recorded against keys; resolve them now.
    for _where, claim, key, rel in compiler.links:
        compiler.g.add((claim, TCT[rel], compiler.keys[str(key)][1]))
    return CompiledGraph(graph=compiler.g, files=files, rows=compiler.rows, claims=len(compiler.claim_ids),
                         records=compiler.records, published=compiler.published,
                         names=NameList(public_figures=compiler.public_figures,
                                        not_people=tuple(compiler.not_people)))


def read_records(files: list[Path], *, display_root: Path) -> tuple[list[ClaimRecord], dict[str, str]]:
    """The claims of ``files`` as written, and the sources' publication dates, without compiling.

    Lenient on purpose: a claim is recorded as soon as it has a property, one value,
    a source and a quote, so a curator can check the evidence of a file that does
    not compile yet (a review file of candidate claims, say).

    Raises:
        LoadError: a file is not valid YAML.
    """
    compiler = _Compiler(display_root, Graph(), display_root)
    docs = compiler.declare(files)
    compiler.emit(docs)
    return compiler.records, compiler.published


def readable_files(files: list[Path], *, keep: Path, display_root: Path) -> list[Path]:
    """``files`` without those that are not valid YAML, except ``keep`` (whose errors must show).

    For checking one file while other curators are editing theirs: a half-written
    file elsewhere only loses its sources and keys as context.
    """
    out = []
    for path in files:
        if path == keep:
            out.append(path)
            continue
        try:
            _compose(path, path.as_posix())
        except LoadError:
            continue
        out.append(path)
    return out


def main(argv: list[str] | None = None) -> int:
    """Check the curated files and print a summary or every error."""
    args = sys.argv[1:] if argv is None else argv
    graph_dir = Path(args[0] if args else "graph").resolve()
    root = graph_dir.parent
    ontology = Graph()
    for path in [root / "ontology" / "tct.ttl", *sorted((root / "ontology" / "vocab").glob("*.ttl"))]:
        ontology.parse(path, format="turtle")
    try:
        result = compile_graph(graph_dir, ontology, display_root=root)
    except LoadError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"{len(result.files)} files, {result.claims} claims, {len(result.graph)} triples, "
          f"{len(result.rows)} research rows cited")
    return 0


if __name__ == "__main__":
    sys.exit(main())
