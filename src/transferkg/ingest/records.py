"""Reading transfer records from CSV: the header, each row checked, every problem named by line and column.

One CSV row is one transfer record (the columns are described in
:mod:`transferkg.ingest.bulk`). A row is either a checked :class:`Record`, ready to be
written, or the list of what is wrong with it as :class:`RowError` lines; the file is
read as a stream, so nothing here grows with its length.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from transferkg.core.dates import parse_partial_date
from transferkg.core.errors import LoadError
from transferkg.core.ids import content_hash
from transferkg.core.namespaces import ID, TCTV
from transferkg.core.outputs import printable
from transferkg.core.resources import find_layout, internal_query
from transferkg.core.states import state_label

__all__ = ["COLUMNS", "DEFAULT_KIND", "OPTIONAL_COLUMNS", "Checker", "Queryable", "Record", "RowError", "quoted",
           "scan"]

COLUMNS = ("date", "from", "to", "count", "nationality", "source")
OPTIONAL_COLUMNS = ("id", "kind")
DEFAULT_KIND = "third-country-deportation"
STATUS_WORDS = ("withheld", "unknown", "stateless")
_URL = re.compile(r"^https?://[^\x00-\x20\x7f-\x9f<>\"{}|\\^`]+$")
_SOURCE_ID = re.compile(r"^src-[A-Za-z0-9._-]+$")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by "surrogateescape"
_MAX_COUNT_DIGITS = 18
"""Digits a count may have: more is no number of people, and Oxigraph keeps integers in 64 bits."""

_Problems = list[tuple[str, str]]
"""``(column, message)`` of each problem of a row."""


class _Rows(Protocol):
    @property
    def rows(self) -> Sequence[tuple[Any, ...]]: ...


class Queryable(Protocol):
    """The queries the checks ask of the store being imported into (does a cited source exist? which kinds?)."""

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None) -> bool: ...

    def select(self, query: str, bindings: Mapping[str, Node] | None = None) -> _Rows: ...


@dataclass(frozen=True)
class RowError:
    """Why one row was rejected: its line in the file, the column and the problem."""

    line: int
    column: str
    message: str
    record: str = ""

    def text(self, path: str = "") -> str:
        where = f"{path}:{self.line}" if path else f"line {self.line}"
        column = f" [{self.column}]" if self.column else ""
        return f"{where}:{column} {self.message}"


@dataclass(frozen=True)
class Record:
    """One checked row: everything needed to write its triples."""

    kind: str
    date_text: str
    date: Literal
    sender: str
    host: str
    count: int | None
    nationalities: list[str]
    statuses: list[str]
    source: URIRef
    source_url: str | None
    ident: str
    content: str
    """What identifies the record: its ``id``, or (without one) its content."""


def quoted(text: str, limit: int = 40) -> str:
    """A cell quoted for a message: ``repr`` (control characters escaped), cut to ``limit`` characters."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _shown(text: str, limit: int = 40) -> str:
    """A header name for a message: control characters escaped, cut to ``limit`` characters."""
    return printable(text if len(text) <= limit else text[:limit] + "…")


def _as_read(fields: list[str]) -> str:
    """The row as it reads in the report (bytes that were not UTF-8 shown as U+FFFD)."""
    return ",".join(fields).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _count(text: str, errors: _Problems) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"[0-9]+", text):
        errors.append(("count", f"{quoted(text)} is not a whole number of people"))
        return None
    if len(text.lstrip("0")) > _MAX_COUNT_DIGITS:
        errors.append(("count", f"a number of {len(text):,} digits is not a number of people "
                                f"(at most {_MAX_COUNT_DIGITS} digits)"))
        return None
    return int(text)


def _date(text: str, errors: _Problems) -> Literal | None:
    if not text:
        errors.append(("date", "a date is required (YYYY-MM-DD, YYYY-MM or YYYY)"))
    elif len(text) > 10:
        errors.append(("date", f"not a date of the form YYYY, YYYY-MM or YYYY-MM-DD: {quoted(text)}"))
    else:
        try:
            return parse_partial_date(text)
        except ValueError as exc:
            errors.append(("date", str(exc)))
    return None


def _unreadable(row: dict[str, str]) -> _Problems:
    """Bytes that were not UTF-8, or control characters: corrupt or hostile, not worth reading further."""
    for column, value in row.items():
        bad = _NOT_UTF8.search(value)
        if bad:
            byte = ord(bad.group()) - 0xDC00
            return [("", f"not UTF-8 text (byte 0x{byte:02X} in column {column})")]
    return [(column, f"control character U+{ord(bad.group()):04X} in the cell")
            for column, value in row.items() if (bad := _CONTROL.search(value))]


class Checker:
    """Checks rows against the code lists and the sources of the store (:meth:`parse`).

    Remembers the states the rows name (:attr:`states`), which the import describes.
    """

    def __init__(self, store: Queryable, kind: str = DEFAULT_KIND) -> None:
        self.store = store
        self.kind = kind
        self.kinds: dict[str, bool] = {}  # the known kinds, read on first use
        self.states: set[str] = set()
        self._names: dict[str, str | None] = {}
        self._sources: dict[str, bool] = {}

    def state(self, text: str, column: str, errors: _Problems) -> str | None:
        code = text.strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", code):
            errors.append((column, f"{quoted(text.strip())} is not an ISO 3166-1 alpha-2 code such as US or XK"))
            return None
        if code not in self._names:
            self._names[code] = state_label(code)
        if self._names[code] is None:
            errors.append((column, f"unknown state code {code!r}"))
            return None
        self.states.add(code)
        return code

    def source(self, text: str, errors: _Problems) -> tuple[URIRef, str | None] | None:
        """The source node of a row and, for a URL, the URL (a src-… id must be in the store)."""
        text = text.strip()
        if not text:
            errors.append(("source", "a source is required (an http(s) URL or a src-… id)"))
            return None
        if _URL.match(text):
            return ID[f"source-{content_hash(text)}"], text
        if _SOURCE_ID.match(text):
            if text not in self._sources:
                self._sources[text] = self.store.ask(internal_query(__package__, "source_has_title"),
                                                     {"s": ID[text]})
            if not self._sources[text]:
                errors.append(("source", f"unknown source id {quoted(text)} (not in the store)"))
                return None
            return ID[text], None
        errors.append(("source", f"{quoted(text)} is neither an http(s) URL nor a source id such as src-…"))
        return None

    def known_kind(self, code: str) -> bool:
        """Whether ``code`` is an arrangement kind: of the store's code list, or of the
        project's ``arrangement-kind.ttl`` when the store holds no code lists."""
        if not self.kinds:
            rows = self.store.select(internal_query(__package__, "scheme_members"), {"s": TCTV.ArrangementKind}).rows
            known = {str(k).removeprefix(str(TCTV)) for (k,) in rows}
            if not known:
                vocab = Graph().parse(find_layout(None).vocab_dir / "arrangement-kind.ttl", format="turtle")
                known = {str(k).removeprefix(str(TCTV)) for k in vocab.subjects(SKOS.inScheme, TCTV.ArrangementKind)}
            self.kinds = dict.fromkeys(known, True)
        return code in self.kinds

    def _nationality(self, text: str, errors: _Problems) -> tuple[list[str], list[str]]:
        """The nationality codes and status words of a ``nationality`` cell (``VE;HN``, ``withheld``)."""
        nationalities: list[str] = []
        statuses: list[str] = []
        for part in (p.strip() for p in re.split(r"[;|]", text)):
            if not part:
                continue
            if part.lower() in STATUS_WORDS:
                statuses.append(part.lower())
            else:
                code = self.state(part, "nationality", errors)
                if code:
                    nationalities.append(code)
        return nationalities, statuses

    def parse(self, row: dict[str, str]) -> tuple[Record | None, _Problems]:
        """The checked record of one row, or the problems with it as ``(column, message)``."""
        errors = _unreadable(row)
        if errors:  # the other checks would only repeat it
            return None, errors
        kind = (row.get("kind") or "").strip() or self.kind
        if not self.known_kind(kind):
            errors.append(("kind", f"{quoted(kind)} is not a kind of arrangement "
                                   "(ontology/vocab/arrangement-kind.ttl)"))
        date_text = row["date"].strip()
        date = _date(date_text, errors)
        sender = self.state(row["from"], "from", errors)
        host = self.state(row["to"], "to", errors)
        if sender and host and sender == host:
            errors.append(("to", f"the receiving state is the sending state ({host})"))
        count = _count(row["count"].strip(), errors)
        nationalities, statuses = self._nationality(row["nationality"], errors)
        source = self.source(row["source"], errors)
        if errors or date is None or sender is None or host is None or source is None:
            return None, errors
        src, url = source
        ident = row.get("id", "").strip()
        content = ident or "\x1e".join([date_text, sender, host, str(count), ";".join(sorted(nationalities)),
                                       ";".join(sorted(statuses)), row["source"].strip()])
        return Record(kind, date_text, date, sender, host, count, sorted(set(nationalities)),
                      sorted(set(statuses)), src, url, ident, content), []


# --- reading the file ---------------------------------------------------------------------------


def _lines(stream: IO[bytes], tick: Callable[[int], None]) -> Iterator[str]:
    """Decoded lines of a binary stream, reporting bytes read to ``tick``.

    Bytes that are not UTF-8 are kept as lone surrogates (``surrogateescape``), so
    the row holding them is rejected like any malformed row, naming its line.
    """
    first = True
    for raw in stream:
        tick(len(raw))
        text = raw.decode("utf-8", "surrogateescape")
        if first:
            text = text.removeprefix("\ufeff")
            first = False
        yield text


def _header(fields: list[str], path: str) -> list[str]:
    names = [f.strip().lower() for f in fields]
    bad = next((n for n in names if _NOT_UTF8.search(n)), None)
    if bad is not None:
        raise LoadError("not UTF-8 text (the header row; save the file as UTF-8)", path=path, line=1)
    missing = [c for c in COLUMNS if c not in names]
    unknown = [_shown(f) for f in names if f not in COLUMNS and f not in OPTIONAL_COLUMNS]
    if missing or unknown or len(set(names)) != len(names):
        problems = []
        if missing:
            problems.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown column(s) {', '.join(unknown[:10])}{' …' if len(unknown) > 10 else ''}")
        if len(set(names)) != len(names):
            problems.append("a column appears twice")
        raise LoadError(f"bad header: {'; '.join(problems)} (expected {', '.join(COLUMNS)}, optionally id, kind)",
                        path=path, line=1)
    return names


def scan(source: Path, shown: str, checker: Checker,
         tick: Callable[[int], None]) -> Iterator[tuple[int, Record | None, list[RowError]]]:
    """Every data row of the file: its first line, and its record or the problems with it.

    Raises:
        LoadError: the file cannot be read, is empty, or its header is wrong.
    """
    try:
        raw = source.open("rb")
    except OSError as exc:
        raise LoadError(f"cannot read the file: {exc.strerror or exc}", path=shown) from exc
    with raw:
        reader = csv.reader(_lines(raw, tick))
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise LoadError(f"CSV error in the header row: {exc}", path=shown, line=1) from exc
        if header is None:
            raise LoadError("empty file: a header row is required", path=shown)
        names = _header(header, shown)
        yield from _rows(reader, names, shown, checker)


def _rows(reader: Any, names: list[str], shown: str,
          checker: Checker) -> Iterator[tuple[int, Record | None, list[RowError]]]:
    """The data rows after the header (``reader`` is a :func:`csv.reader`)."""
    previous = reader.line_num
    while True:
        try:
            fields = next(reader, None)
        except csv.Error as exc:  # the reader goes on with the next line
            if reader.line_num == previous:
                raise LoadError(f"CSV error: {exc}", path=shown, line=previous + 1) from exc
            line, previous = previous + 1, reader.line_num
            yield line, None, [RowError(line, "", f"not a CSV row: {exc}")]
            continue
        if fields is None:
            return
        line, previous = previous + 1, reader.line_num
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != len(names):
            yield line, None, [RowError(line, "", f"expected {len(names)} fields, found {len(fields)}",
                                        _as_read(fields))]
            continue
        record, problems = checker.parse(dict(zip(names, fields, strict=True)))
        yield line, record, [RowError(line, col, msg, _as_read(fields)) for col, msg in problems]
