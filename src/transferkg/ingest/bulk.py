"""Bulk import of transfer records (flights, removals) from CSV into a store.

One CSV row is one transfer record. Columns (header row required, any order,
names case-insensitive):

``date``
    when: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (the precision is kept).
``from``, ``to``
    sending and receiving state: ISO 3166-1 alpha-2 codes (``US``, ``XK``…).
``count``
    people transferred: a whole number, or empty when not known.
``nationality``
    nationalities of the people: ISO codes separated by ``;`` (``VE;HN``), or
    ``withheld`` (not disclosed), ``unknown`` or ``stateless``; may be empty.
``source``
    where the record comes from: an ``http(s)`` URL, or the id of a source of
    the curated graph (``src-…``).
``id`` (optional)
    the record's own identifier in the tracker; without it a record is
    identified by its content (so identical rows are one record).
``kind`` (optional)
    the kind of arrangement the transfer belongs to, a code of
    ``ontology/vocab/arrangement-kind.ttl`` (``third-country-deportation``,
    ``readmission-return`` …); empty or absent: the import's ``kind``, which the
    person importing states (``--kind``; default ``third-country-deportation``).
    Totals are kept by kind, so a record without one would be counted nowhere.

Each record becomes a ``tct:TransferEvent`` (``id:record-…``) with one claim per fact (the same
claims-as-nodes shape as the curated graph), citing the row's source; the
derived layer then gives the plain triples the queries read. Record, claim and
source ids are hashes of the content, so importing a file twice adds nothing.

The file is streamed twice and nothing grows with its length: the first pass
checks every row (keeping only the problems, up to a cap), the second turns the
good rows into N-Triples and loads them straight into the store in bounded
batches (:data:`_BATCH_TRIPLES`; each batch is one bulk load of whole records).
No temporary file is written. So:

- without ``skip_bad``, a malformed row fails the whole import with its
  ``file:line`` and nothing is written; with it, the good rows go in and a
  report lists the rejected ones;
- a process killed mid-import (even ``kill -9``) leaves the store holding whole
  records of the batches already loaded, and nothing else: running the same
  import again completes it, without duplicates (ids are content hashes). Files an
  interrupted bulk load left in the store folder are removed then.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SDO, XSD

from transferkg.core.errors import BadParameter, LoadError
from transferkg.core.namespaces import ID, TCT, TCTV
from transferkg.core.outputs import printable, write_csv
from transferkg.curation.compile import parse_partial_date
from transferkg.store.base import Store

__all__ = ["COLUMNS", "ImportResult", "RowError", "import_csv"]

COLUMNS = ("date", "from", "to", "count", "nationality", "source")
OPTIONAL_COLUMNS = ("id", "kind")
DEFAULT_KIND = "third-country-deportation"
STATUS_WORDS = ("withheld", "unknown", "stateless")
REPORT_COLUMNS = ("line", "column", "error", "record")
_URL = re.compile(r"^https?://[^\x00-\x20\x7f-\x9f<>\"{}|\\^`]+$")
_SOURCE_ID = re.compile(r"^src-[A-Za-z0-9._-]+$")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by "surrogateescape"
_MAX_COUNT_DIGITS = 18
"""Digits a count may have: more is no number of people, and Oxigraph keeps integers in 64 bits."""
_BATCH_TRIPLES = 20_000
"""Triples per bulk load (about 450 rows): peak memory depends on this, not on the file. Each bulk
load costs Oxigraph about 1.5 KB per triple; 50,000 took the peak past 300 MiB at 1M rows, for 25%
more speed."""
_KEEP = 10_000
"""Problems kept in memory; beyond, the report is written by reading the file once more."""
_KEEP_CHARS = 8_000_000
"""Characters of rejected records kept in memory (rows of huge cells), likewise."""
_SHOWN = 50
"""Problems listed in the error message."""
_DESCRIBED = 10_000
"""URL sources remembered as already described in this import (then forgotten, and described again)."""


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


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    path: str
    rows: int = 0
    imported: int = 0
    rejected: list[RowError] = field(default_factory=list)
    """The first problems found (at most :data:`_KEEP`); ``problems`` counts them all."""
    problems: int = 0
    bad_rows: int = 0
    triples_written: int = 0
    triples_before: int = 0
    triples_after: int = 0
    report: Path | None = None
    dry_run: bool = False
    _kept_chars: int = field(default=0, repr=False)

    @property
    def rejected_rows(self) -> int:
        """How many rows were rejected (a row may have several problems)."""
        return self.bad_rows

    @property
    def added(self) -> int:
        """Triples the store holds now that it did not before (0 on a re-import)."""
        return self.triples_after - self.triples_before

    def _note(self, problems: list[RowError]) -> None:
        """Count a rejected row; keep its problems while every one so far is kept and there is room."""
        size = sum(len(p.record) for p in problems)
        if self.problems == len(self.rejected) and len(self.rejected) + len(problems) <= _KEEP \
                and self._kept_chars + size <= _KEEP_CHARS:
            self.rejected.extend(problems)
            self._kept_chars += size
        self.bad_rows += 1
        self.problems += len(problems)

    def text(self) -> str:
        verb = "Checked" if self.dry_run else "Imported"
        lines = [f"{verb} {self.imported} of {self.rows} records from {self.path}",
                 f"  rejected rows      {self.rejected_rows:>9}",
                 f"  triples written    {self.triples_written:>9}"]
        if not self.dry_run:
            lines.append(f"  triples added      {self.added:>9}")
        if self.report is not None:
            lines.append(f"  report             {self.report}")
        return "\n".join(lines)


def _quote(text: str, limit: int = 40) -> str:
    """A cell quoted for a message: ``repr`` (control characters escaped), cut to ``limit`` characters."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _shown(text: str, limit: int = 40) -> str:
    """A header name for a message: control characters escaped, cut to ``limit`` characters."""
    return printable(text if len(text) <= limit else text[:limit] + "…")


def _record(fields: list[str]) -> str:
    """The row as it reads in the report (bytes that were not UTF-8 shown as U+FFFD)."""
    return ",".join(fields).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _lit(text: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    """An N-Triples literal (always single-line, escaped)."""
    body = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r"))
    if lang:
        return f'"{body}"@{lang}'
    if datatype:
        return f'"{body}"^^<{datatype}>'
    return f'"{body}"'


_TYPE, _LABEL, _TITLE = RDF.type.n3(), RDFS.label.n3(), DCTERMS.title.n3()
_CLAIM, _SUBJECT, _PROPERTY = TCT.Claim.n3(), TCT.claimSubject.n3(), TCT.claimProperty.n3()
_FROM_SOURCE, _RANK, _NORMAL = PROV.wasDerivedFrom.n3(), TCT.rank.n3(), TCTV["normal"].n3()
_OBJECT, _LITERAL, _QUANTITY = TCT.objectValue.n3(), TCT.literalValue.n3(), TCT.quantityValue.n3()
_QV, _QUALIFIER, _EXACT = SDO.QuantitativeValue.n3(), TCT.quantityQualifier.n3(), TCTV["exact"].n3()
_UNIT, _VALUE, _PERSON = SDO.unitText.n3(), SDO.value.n3(), _lit("person")


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _state_name(code: str) -> str | None:
    if code == "XK":
        return "Kosovo"
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return None
    return str(getattr(country, "common_name", None) or country.name)


@dataclass(frozen=True)
class _Record:
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


class _Converter:
    """Checks rows (:meth:`parse`) and writes the N-Triples lines of good ones (:meth:`triples`)."""

    def __init__(self, store: Store, path: str, kind: str = DEFAULT_KIND) -> None:
        self.store = store
        self.path = path
        self.kind = kind
        self._kinds: dict[str, bool] = {}  # the known kinds, read on first use
        self.states: set[str] = set()
        self._names: dict[str, str | None] = {}
        self._sources: dict[str, bool] = {}
        self._described: set[str] = set()

    def state(self, text: str, column: str, errors: list[tuple[str, str]]) -> str | None:
        code = text.strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", code):
            errors.append((column, f"{_quote(text.strip())} is not an ISO 3166-1 alpha-2 code such as US or XK"))
            return None
        if code not in self._names:
            self._names[code] = _state_name(code)
        if self._names[code] is None:
            errors.append((column, f"unknown state code {code!r}"))
            return None
        self.states.add(code)
        return code

    def source(self, text: str, errors: list[tuple[str, str]]) -> tuple[URIRef, str | None] | None:
        """The source node of a row and, for a URL, the URL (a src-… id must be in the store)."""
        text = text.strip()
        if not text:
            errors.append(("source", "a source is required (an http(s) URL or a src-… id)"))
            return None
        if _URL.match(text):
            return ID[f"source-{_hash(text)}"], text
        if _SOURCE_ID.match(text):
            if text not in self._sources:
                self._sources[text] = self.store.ask("ASK { ?s <http://purl.org/dc/terms/title> ?t }",
                                                     {"s": ID[text]})
            if not self._sources[text]:
                errors.append(("source", f"unknown source id {_quote(text)} (not in the store)"))
                return None
            return ID[text], None
        errors.append(("source", f"{_quote(text)} is neither an http(s) URL nor a source id such as src-…"))
        return None

    def known_kind(self, code: str) -> bool:
        """Whether ``code`` is an arrangement kind: of the store's code list, or of the
        project's ``arrangement-kind.ttl`` when the store holds no code lists."""
        if not self._kinds:
            rows = self.store.select("SELECT ?k WHERE { ?k <http://www.w3.org/2004/02/skos/core#inScheme> ?s }",
                                     {"s": TCTV.ArrangementKind}).rows
            known = {str(k).removeprefix(str(TCTV)) for (k,) in rows}
            if not known:
                from rdflib import Graph
                from rdflib.namespace import SKOS

                from transferkg.core.resources import find_layout

                vocab = Graph().parse(find_layout(None).vocab_dir / "arrangement-kind.ttl", format="turtle")
                known = {str(k).removeprefix(str(TCTV)) for k in vocab.subjects(SKOS.inScheme, TCTV.ArrangementKind)}
            self._kinds = dict.fromkeys(known, True)
        return code in self._kinds

    def parse(self, row: dict[str, str]) -> tuple[_Record | None, list[tuple[str, str]]]:
        """The checked record of one row, or the problems with it as ``(column, message)``."""
        for column, value in row.items():
            bad = _NOT_UTF8.search(value)
            if bad:  # nothing else in the row is worth reading
                byte = ord(bad.group()) - 0xDC00
                return None, [("", f"not UTF-8 text (byte 0x{byte:02X} in column {column})")]
        errors = [(column, f"control character U+{ord(bad.group()):04X} in the cell")
                  for column, value in row.items() if (bad := _CONTROL.search(value))]
        if errors:  # corrupt or hostile: the other checks would only repeat it
            return None, errors
        kind = (row.get("kind") or "").strip() or self.kind
        if not self.known_kind(kind):
            errors.append(("kind", f"{_quote(kind)} is not a kind of arrangement "
                                   "(ontology/vocab/arrangement-kind.ttl)"))
        date_text = row["date"].strip()
        date: Literal | None = None
        if not date_text:
            errors.append(("date", "a date is required (YYYY-MM-DD, YYYY-MM or YYYY)"))
        elif len(date_text) > 10:
            errors.append(("date", f"not a date of the form YYYY, YYYY-MM or YYYY-MM-DD: {_quote(date_text)}"))
        else:
            try:
                date = parse_partial_date(date_text)
            except ValueError as exc:
                errors.append(("date", str(exc)))
        sender = self.state(row["from"], "from", errors)
        host = self.state(row["to"], "to", errors)
        if sender and host and sender == host:
            errors.append(("to", f"the receiving state is the sending state ({host})"))
        count = self._count(row["count"].strip(), errors)
        nationalities: list[str] = []
        statuses: list[str] = []
        for part in (p.strip() for p in re.split(r"[;|]", row["nationality"])):
            if not part:
                continue
            if part.lower() in STATUS_WORDS:
                statuses.append(part.lower())
            else:
                code = self.state(part, "nationality", errors)
                if code:
                    nationalities.append(code)
        source = self.source(row["source"], errors)
        if errors or date is None or sender is None or host is None or source is None:
            return None, errors
        src, url = source
        ident = row.get("id", "").strip()
        content = ident or "\x1e".join([date_text, sender, host, str(count), ";".join(sorted(nationalities)),
                                       ";".join(sorted(statuses)), row["source"].strip()])
        return _Record(kind, date_text, date, sender, host, count, sorted(set(nationalities)),
                       sorted(set(statuses)), src, url, ident, content), []

    @staticmethod
    def _count(text: str, errors: list[tuple[str, str]]) -> int | None:
        if not text:
            return None
        if not re.fullmatch(r"[0-9]+", text):
            errors.append(("count", f"{_quote(text)} is not a whole number of people"))
            return None
        if len(text.lstrip("0")) > _MAX_COUNT_DIGITS:
            errors.append(("count", f"a number of {len(text):,} digits is not a number of people "
                                    f"(at most {_MAX_COUNT_DIGITS} digits)"))
            return None
        return int(text)

    def _source_lines(self, record: _Record) -> list[str]:
        """The description of a URL source, the first time this import meets it."""
        if record.source_url is None or record.source_url in self._described:
            return []
        if len(self._described) >= _DESCRIBED:
            self._described.clear()
        self._described.add(record.source_url)
        n, url = record.source.n3(), record.source_url
        return [f"{n} {_TYPE} {TCT.Report.n3()} .",
                f"{n} {TCT.sourceType.n3()} {TCTV['dataset'].n3()} .",
                f"{n} {_TITLE} {_lit(f'Transfer records from {url}')} .",
                f"{n} {SDO.url.n3()} <{url}> ."]

    def triples(self, record: _Record) -> list[str]:
        """The N-Triples lines of a checked record (with its source's description, once)."""
        src = record.source
        event = ID[f"record-{_hash('record', str(src) if record.ident else '', record.content)}"]
        e = event.n3()
        people = f" ({record.count} people)" if record.count is not None else ""
        label = _lit(f"Transfer {record.sender} → {record.host}, {record.date_text}{people}", lang="en")
        lines = self._source_lines(record)
        lines += [f"{e} {_TYPE} {TCT.TransferEvent.n3()} .", f"{e} {_LABEL} {label} .",
                  f"{e} {TCT.arrangementKind.n3()} {TCTV[record.kind].n3()} ."]
        if record.ident:
            lines.append(f"{e} {DCTERMS.identifier.n3()} {_lit(record.ident)} .")
        claims: list[tuple[URIRef, str, Any]] = [
            (TCT.transferFrom, "state", ID[f"state-{record.sender}"]),
            (TCT.transferTo, "state", ID[f"state-{record.host}"]),
            (TCT.date, "date", record.date),
        ]
        claims += [(TCT.nationality, "state", ID[f"state-{c}"]) for c in record.nationalities]
        claims += [(TCT.nationalityStatus, "code", TCTV[s]) for s in record.statuses]
        if record.count is not None:
            claims.append((TCT.personCount, "quantity", record.count))
        for prop, kind, value in claims:
            claim = ID[f"claim-{_hash(str(event), str(prop), kind, str(value), str(src))}"]
            c = claim.n3()
            lines += [f"{c} {_TYPE} {_CLAIM} .", f"{c} {_SUBJECT} {e} .", f"{c} {_PROPERTY} <{prop}> .",
                      f"{c} {_FROM_SOURCE} <{src}> .", f"{c} {_RANK} {_NORMAL} ."]
            if kind == "quantity":
                q = f"<{claim}-quantity>"
                lines += [f"{c} {_QUANTITY} {q} .", f"{q} {_TYPE} {_QV} .", f"{q} {_QUALIFIER} {_EXACT} .",
                          f"{q} {_UNIT} {_PERSON} .", f"{q} {_VALUE} {_lit(str(value), datatype=str(XSD.integer))} ."]
            elif kind == "date":
                lines.append(f"{c} {_LITERAL} {_lit(str(value), datatype=str(value.datatype))} .")
            else:
                lines.append(f"{c} {_OBJECT} <{value}> .")
        return lines

    def state_lines(self) -> list[str]:
        """Descriptions of the states the records name (dropped later if the store has them)."""
        lines = []
        for code in sorted(self.states):
            s = ID[f"state-{code}"].n3()
            note = "user-assigned code XK" if code == "XK" else "ISO 3166-1 alpha-2 via pycountry"
            lines += [f"{s} {_TYPE} {TCT.State.n3()} .",
                      f"{s} {_LABEL} {_lit(self._names[code] or code, lang='en')} .",
                      f"{s} {TCT.isoCode.n3()} {_lit(code)} .",
                      f"{s} {DCTERMS.source.n3()} {_lit(note)} ."]
        return lines


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


def _scan(source: Path, shown: str, converter: _Converter,
          tick: Callable[[int], None]) -> Iterator[tuple[int, _Record | None, list[RowError]]]:
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
                                            _record(fields))]
                continue
            record, problems = converter.parse(dict(zip(names, fields, strict=True)))
            yield line, record, [RowError(line, col, msg, _record(fields)) for col, msg in problems]


def _ticker(progress: Callable[[int], Any] | None, passes: int) -> Callable[[int], None]:
    """Spread ``passes`` reads of the file over one run of ``progress`` (which sums to the file size)."""
    if progress is None:
        return lambda _n: None
    read = reported = 0

    def tick(n: int) -> None:
        nonlocal read, reported
        read += n
        share = read // passes
        if share > reported:
            progress(share - reported)
            reported = share

    return tick


def _stamp(source: Path) -> tuple[int, int]:
    info = source.stat()
    return info.st_size, info.st_mtime_ns


# --- writing ------------------------------------------------------------------------------------


class _Batches:
    """Loads N-Triples lines into the store in bounded batches of whole records.

    Each batch is one bulk load of at most about :data:`_BATCH_TRIPLES` triples, so
    memory stays flat however long the file; a failed batch names the rows it held.
    """

    def __init__(self, store: Store, graph: str | None, shown: str, *, dry_run: bool) -> None:
        self.store = store
        self.graph = graph
        self.shown = shown
        self.dry_run = dry_run
        self.lines: list[str] = []
        self.first = self.last = 0
        self.written = 0

    def add(self, line: int, lines: list[str]) -> None:
        if not self.lines:
            self.first = line
        self.last = line
        self.lines.extend(lines)
        if len(self.lines) >= _BATCH_TRIPLES:
            self.flush()

    def flush(self) -> None:
        if not self.lines:
            return
        data = ("\n".join(self.lines) + "\n").encode("utf-8")
        count, self.lines = len(self.lines), []
        if not self.dry_run:
            try:
                self._load(data)
            except LoadError as exc:
                rows = f"row {self.first}" if self.first == self.last else f"rows {self.first}–{self.last}"
                raise LoadError(f"{rows} could not be stored ({exc.message}); the rows before are in the "
                                "store, import the file again once fixed", path=self.shown,
                                line=self.first) from exc
        self.written += count

    def _load(self, data: bytes) -> None:
        from transferkg.store.oxigraph import OxigraphStore

        if isinstance(self.store, OxigraphStore):
            self.store.bulk_load(data, format="nt", graph=self.graph)
            return
        from rdflib import Graph

        try:
            parsed = Graph().parse(data=data, format="nt")
        except Exception as exc:  # rdflib raises its parser's own errors
            raise LoadError(f"RDF syntax error: {exc}") from exc
        self.store.add_triples(parsed)  # type: ignore[arg-type]


def _write_report(path: Path, errors: Iterable[RowError]) -> Path:
    """Write the rejected-rows report atomically (streamed; cells neutralised as every CSV we write)."""
    return write_csv(path, REPORT_COLUMNS, ([e.line, e.column, e.message, e.record] for e in errors))


def _all_problems(source: Path, shown: str, converter: _Converter) -> Iterator[RowError]:
    """Every problem of the file, read again (when more were found than :data:`_KEEP`)."""
    for _line, _record, problems in _scan(source, shown, converter, lambda _n: None):
        yield from problems


def _malformed(result: ImportResult, shown: str) -> LoadError:
    """The error of an import refused for its malformed rows: each problem on its own line."""
    listed = [e.text(shown) for e in result.rejected[:_SHOWN]]
    more = result.problems - len(listed)
    if more > 0:
        listed.append(f"… and {more} more" + (f" (all in {result.report})" if result.report else ""))
    err = LoadError(f"{result.rejected_rows} malformed row(s); nothing was imported "
                    f"(--skip-bad imports the good rows):\n" + "\n".join(listed))
    err.path, err.line = shown, result.rejected[0].line
    err.message = result.rejected[0].message
    err.errors = result.rejected  # type: ignore[attr-defined]
    return err


def import_csv(path: str | os.PathLike[str], store: Store, *, skip_bad: bool = False,
               report: str | os.PathLike[str] | None = None,
               progress: Callable[[int], Any] | None = None, graph: str | None = None,
               kind: str = DEFAULT_KIND, dry_run: bool = False) -> ImportResult:
    """Import the transfer records of CSV file ``path`` into ``store``.

    The file is read twice — checked, then loaded in bounded batches — so memory
    does not grow with its length and no temporary file is written. Interrupted,
    the store keeps whole records of the batches already loaded; importing the same
    file again completes it without duplicates.

    Args:
        skip_bad: import the good rows and reject the malformed ones (listed in
            the report) instead of failing the whole import.
        report: CSV file listing rejected rows (line, column, error, record);
            with ``skip_bad`` and no ``report``, ``<file>.rejected.csv`` next to the input.
        progress: called with the number of bytes read, for a progress bar (the
            calls add up to the size of the file, over both passes).
        graph: the named graph to import into (Oxigraph; default the import graph).
        kind: the arrangement kind of rows without a ``kind`` column value.
        dry_run: check and convert every row, but write nothing to the store.

    Raises:
        LoadError: an unreadable or empty file, a bad header, or (without
            ``skip_bad``) every malformed row as ``file:line: [column] problem``;
            nothing is imported then.
        BadParameter: an unknown ``kind``, or a report that would overwrite the input.
    """
    source = Path(path)
    shown = source.as_posix()
    converter = _Converter(store, shown, kind)
    if not converter.known_kind(kind):
        raise BadParameter(f"unknown kind {_quote(kind)}: the import's kind must be one of "
                           f"{', '.join(sorted(converter._kinds))} (ontology/vocab/arrangement-kind.ttl)")
    target = Path(report) if report is not None else source.with_suffix(".rejected.csv") if skip_bad else None
    if target is not None and target.exists() and source.exists() and target.samefile(source):
        raise BadParameter(f"the report {target} would overwrite the file being imported")
    tick = _ticker(progress, passes=2)
    result = ImportResult(path=shown, dry_run=dry_run)
    stamp = _stamp(source) if source.exists() else (0, 0)

    for _line, record, problems in _scan(source, shown, converter, tick):  # pass 1: check
        result.rows += 1
        if problems or record is None:
            result._note(problems)
        else:
            result.imported += 1
    if target is not None and (result.bad_rows or report is not None):
        complete = result.problems <= len(result.rejected)
        result.report = _write_report(target, result.rejected if complete else
                                      _all_problems(source, shown, converter))
    if result.bad_rows and not skip_bad:
        raise _malformed(result, shown)
    if _stamp(source) != stamp:
        raise LoadError("the file changed while it was being imported; nothing was written, import it again",
                        path=shown)

    _load_records(source, shown, converter, store, result, tick=tick, graph=graph, strict=not skip_bad)
    return result


def _load_records(source: Path, shown: str, converter: _Converter, store: Store, result: ImportResult, *,
                  tick: Callable[[int], None], graph: str | None, strict: bool) -> None:
    """Pass 2: the good rows' triples into the store, batch by batch, then duplicates of other graphs dropped."""
    from transferkg.store.oxigraph import GRAPH_CURATED, GRAPH_IMPORT, GRAPH_ONTOLOGY, OxigraphStore

    oxigraph = store if isinstance(store, OxigraphStore) and not result.dry_run else None
    target = graph or GRAPH_IMPORT
    if oxigraph is not None:
        oxigraph.discard_unfinished_loads()
    result.triples_before = store.triple_count()
    batches = _Batches(store, target if isinstance(store, OxigraphStore) else None, shown, dry_run=result.dry_run)
    for line, record, problems in _scan(source, shown, converter, tick):
        if record is not None:
            batches.add(line, converter.triples(record))
        elif strict and problems:
            raise LoadError(f"the file changed while it was being imported ({problems[0].message}); rows "
                            "before it may be in the store, import it again", path=shown, line=line)
    batches.add(batches.last, converter.state_lines())
    batches.flush()
    result.triples_written = batches.written
    if oxigraph is not None:
        oxigraph.dedupe(target, against=(GRAPH_ONTOLOGY, GRAPH_CURATED, None))
        oxigraph.flush()
    result.triples_after = store.triple_count()
