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

The file is read row by row and turned into N-Triples written to a temporary
file in chunks — no list of rows or of triples is kept in memory — and that
file is bulk-loaded into the store only once every row has been checked:
malformed rows make the whole import fail with their line numbers (nothing is
written), unless ``skip_bad`` is set, which imports the good rows and lists
the rejected ones in a report.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SDO, XSD

from transferkg.compile import parse_partial_date
from transferkg.errors import LoadError
from transferkg.namespaces import ID, TCT, TCTV
from transferkg.store import Store

__all__ = ["COLUMNS", "ImportResult", "RowError", "import_csv"]

COLUMNS = ("date", "from", "to", "count", "nationality", "source")
OPTIONAL_COLUMNS = ("id", "kind")
DEFAULT_KIND = "third-country-deportation"
STATUS_WORDS = ("withheld", "unknown", "stateless")
_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
_SOURCE_ID = re.compile(r"^src-[A-Za-z0-9._-]+$")
_CHUNK_ROWS = 2000
_SHOWN = 50


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
    """What an import did."""

    path: str
    rows: int = 0
    imported: int = 0
    rejected: list[RowError] = field(default_factory=list)
    triples_written: int = 0
    triples_before: int = 0
    triples_after: int = 0
    report: Path | None = None

    @property
    def rejected_rows(self) -> int:
        """How many rows were rejected (a row may have several problems)."""
        return len({e.line for e in self.rejected})

    @property
    def added(self) -> int:
        """Triples the store holds now that it did not before (0 on a re-import)."""
        return self.triples_after - self.triples_before

    def text(self) -> str:
        lines = [f"Imported {self.imported} of {self.rows} records from {self.path}",
                 f"  rejected rows      {self.rejected_rows:>9}",
                 f"  triples written    {self.triples_written:>9}",
                 f"  triples added      {self.added:>9}"]
        if self.report is not None:
            lines.append(f"  report             {self.report}")
        return "\n".join(lines)


def _lines(stream: IO[bytes], progress: Callable[[int], Any] | None, path: str) -> Iterator[str]:
    """Decoded lines of a binary stream, reporting bytes read to ``progress``."""
    first = True
    number = 0
    for raw in stream:
        number += 1
        if progress is not None:
            progress(len(raw))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise LoadError(f"not UTF-8 text (byte {exc.start} of the line)", path=path, line=number) from exc
        if first:
            text = text.removeprefix("\ufeff")
            first = False
        yield text


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


class _Converter:
    """Checks one row and writes its N-Triples lines."""

    def __init__(self, store: Store, path: str, kind: str = DEFAULT_KIND) -> None:
        self.store = store
        self.path = path
        self.kind = kind
        self._kinds: dict[str, bool] = {}  # the known kinds, read on first use
        self.states: set[str] = set()
        self._names: dict[str, str | None] = {}
        self._sources: dict[str, bool] = {}

    def state(self, text: str, column: str, errors: list[tuple[str, str]]) -> str | None:
        code = text.strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", code):
            errors.append((column, f"{text.strip()!r} is not an ISO 3166-1 alpha-2 code such as US or XK"))
            return None
        if code not in self._names:
            self._names[code] = _state_name(code)
        if self._names[code] is None:
            errors.append((column, f"unknown state code {code!r}"))
            return None
        self.states.add(code)
        return code

    def source(self, text: str, errors: list[tuple[str, str]]) -> tuple[URIRef, list[str]] | None:
        text = text.strip()
        if not text:
            errors.append(("source", "a source is required (an http(s) URL or a src-… id)"))
            return None
        if _URL.match(text):
            node = ID[f"source-{_hash(text)}"]
            n = node.n3()
            return node, [
                f"{n} {_TYPE} {TCT.Report.n3()} .",
                f"{n} {TCT.sourceType.n3()} {TCTV['dataset'].n3()} .",
                f"{n} {_TITLE} {_lit(f'Transfer records from {text}')} .",
                f"{n} {SDO.url.n3()} <{text}> .",
            ]
        if _SOURCE_ID.match(text):
            if text not in self._sources:
                self._sources[text] = self.store.ask("ASK { ?s <http://purl.org/dc/terms/title> ?t }",
                                                     {"s": ID[text]})
            if not self._sources[text]:
                errors.append(("source", f"unknown source id {text!r} (not in the store)"))
                return None
            return ID[text], []
        errors.append(("source", f"{text!r} is neither an http(s) URL nor a source id such as src-…"))
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

                from transferkg.resources import find_layout

                vocab = Graph().parse(find_layout(None).vocab_dir / "arrangement-kind.ttl", format="turtle")
                known = {str(k).removeprefix(str(TCTV)) for k in vocab.subjects(SKOS.inScheme, TCTV.ArrangementKind)}
            self._kinds = dict.fromkeys(known, True)
        return code in self._kinds

    def convert(self, row: dict[str, str]) -> tuple[list[str], list[tuple[str, str]]]:
        """The N-Triples lines of one row, or the problems with it."""
        errors: list[tuple[str, str]] = []
        kind = (row.get("kind") or "").strip() or self.kind
        if not self.known_kind(kind):
            errors.append(("kind", f"{kind!r} is not a kind of arrangement (ontology/vocab/arrangement-kind.ttl)"))
        date_text = row["date"].strip()
        date: Literal | None = None
        try:
            date = parse_partial_date(date_text)
        except ValueError as exc:
            errors.append(("date", str(exc) if date_text else "a date is required (YYYY-MM-DD, YYYY-MM or YYYY)"))
        sender = self.state(row["from"], "from", errors)
        host = self.state(row["to"], "to", errors)
        if sender and host and sender == host:
            errors.append(("to", f"the receiving state is the sending state ({host})"))
        count_text = row["count"].strip()
        count: int | None = None
        if count_text:
            if re.fullmatch(r"\d+", count_text):
                count = int(count_text)
            else:
                errors.append(("count", f"{count_text!r} is not a whole number of people"))
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
            return [], errors
        src, lines = source
        ident = row.get("id", "").strip()
        content = ident or "\x1e".join([date_text, sender, host, str(count), ";".join(sorted(nationalities)),
                                       ";".join(sorted(statuses)), row["source"].strip()])
        event = ID[f"record-{_hash('record', str(src) if ident else '', content)}"]
        e = event.n3()
        people = f" ({count} people)" if count is not None else ""
        label = _lit(f"Transfer {sender} → {host}, {date_text}{people}", lang="en")
        lines += [f"{e} {_TYPE} {TCT.TransferEvent.n3()} .", f"{e} {_LABEL} {label} .",
                  f"{e} {TCT.arrangementKind.n3()} {TCTV[kind].n3()} ."]
        if ident:
            lines.append(f"{e} {DCTERMS.identifier.n3()} {_lit(ident)} .")
        claims: list[tuple[URIRef, str, Any]] = [
            (TCT.transferFrom, "state", ID[f"state-{sender}"]),
            (TCT.transferTo, "state", ID[f"state-{host}"]),
            (TCT.date, "date", date),
        ]
        claims += [(TCT.nationality, "state", ID[f"state-{c}"]) for c in sorted(set(nationalities))]
        claims += [(TCT.nationalityStatus, "code", TCTV[s]) for s in sorted(set(statuses))]
        if count is not None:
            claims.append((TCT.personCount, "quantity", count))
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
        return lines, []

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


def _header(fields: list[str], path: str) -> list[str]:
    names = [f.strip().lower() for f in fields]
    missing = [c for c in COLUMNS if c not in names]
    unknown = [f for f in names if f not in COLUMNS and f not in OPTIONAL_COLUMNS]
    if missing or unknown or len(set(names)) != len(names):
        problems = []
        if missing:
            problems.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown column(s) {', '.join(unknown)}")
        if len(set(names)) != len(names):
            problems.append("a column appears twice")
        raise LoadError(f"bad header: {'; '.join(problems)} (expected {', '.join(COLUMNS)}, optionally id, kind)",
                        path=path, line=1)
    return names


def _write_report(path: Path, errors: list[RowError]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["line", "column", "error", "record"])
        for e in errors:
            writer.writerow([e.line, e.column, e.message, e.record])


def import_csv(path: str | os.PathLike[str], store: Store, *, skip_bad: bool = False,
               report: str | os.PathLike[str] | None = None,
               progress: Callable[[int], Any] | None = None, graph: str | None = None,
               kind: str = DEFAULT_KIND) -> ImportResult:
    """Import the transfer records of CSV file ``path`` into ``store``.

    Args:
        skip_bad: import the good rows and reject the malformed ones (listed in
            the report) instead of failing the whole import.
        report: CSV file listing rejected rows (line, column, error, record);
            with ``skip_bad`` and no ``report``, ``<file>.rejected.csv`` next to the input.
        progress: called with the number of bytes read, for a progress bar.
        graph: the named graph to import into (Oxigraph; default the import graph).
        kind: the arrangement kind of rows without a ``kind`` column value.

    Raises:
        LoadError: a bad header, a file that is not UTF-8 CSV, or (without
            ``skip_bad``) every malformed row as ``file:line: [column] problem``;
            nothing is imported then.
    """
    from transferkg.oxigraph_store import GRAPH_IMPORT, OxigraphStore

    source = Path(path)
    shown = source.as_posix()
    result = ImportResult(path=shown, triples_before=store.triple_count())
    converter = _Converter(store, shown, kind)
    staging_dir = None
    if isinstance(store, OxigraphStore) and store.path is not None:
        staging_dir = str(store.path.parent)
    fd, staging_name = tempfile.mkstemp(prefix=".transferkg-import-", suffix=".nt", dir=staging_dir)
    staging = Path(staging_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out, source.open("rb") as raw:
            reader = csv.reader(_lines(raw, progress, shown))
            try:
                header = next(reader, None)
                if header is None:
                    raise LoadError("empty file: a header row is required", path=shown)
                names = _header(header, shown)
                if not converter.known_kind(kind):
                    raise LoadError(f"unknown kind {kind!r}: the import's kind must be one of "
                                    f"{', '.join(sorted(converter._kinds))} (ontology/vocab/arrangement-kind.ttl)",
                                    path=shown)
                chunk: list[str] = []
                for fields in reader:
                    if not fields or all(not f.strip() for f in fields):
                        continue
                    result.rows += 1
                    line = reader.line_num
                    if len(fields) != len(names):
                        result.rejected.append(RowError(line, "", f"expected {len(names)} fields, found {len(fields)}",
                                                        ",".join(fields)))
                        continue
                    lines, problems = converter.convert(dict(zip(names, fields, strict=True)))
                    if problems:
                        record = ",".join(fields)
                        result.rejected.extend(RowError(line, col, msg, record) for col, msg in problems)
                        continue
                    result.imported += 1
                    chunk.extend(lines)
                    if result.imported % _CHUNK_ROWS == 0:
                        out.write("\n".join(chunk) + "\n")
                        result.triples_written += len(chunk)
                        chunk = []
            except csv.Error as exc:
                raise LoadError(f"CSV error: {exc}", path=shown, line=reader.line_num) from exc
            chunk.extend(converter.state_lines())
            if chunk:
                out.write("\n".join(chunk) + "\n")
                result.triples_written += len(chunk)
        bad_rows = result.rejected_rows
        if result.rejected and (report is not None or skip_bad):
            result.report = Path(report) if report is not None else source.with_suffix(".rejected.csv")
            _write_report(result.report, result.rejected)
        if result.rejected and not skip_bad:
            shown_errors = [e.text(shown) for e in result.rejected[:_SHOWN]]
            more = len(result.rejected) - _SHOWN
            if more > 0:
                shown_errors.append(f"… and {more} more")
            err = LoadError(f"{bad_rows} malformed row(s); nothing was imported "
                            f"(--skip-bad imports the good rows):\n" + "\n".join(shown_errors))
            err.path, err.line = shown, result.rejected[0].line
            err.message = result.rejected[0].message
            err.errors = result.rejected  # type: ignore[attr-defined]
            raise err
        if isinstance(store, OxigraphStore):
            target = graph or GRAPH_IMPORT
            store.bulk_load(staging, format="nt", graph=target)
            store.dedupe(target)
            store.flush()
        else:
            from rdflib import Graph

            data = Graph()
            data.parse(staging, format="nt")
            store.add_triples(data)  # type: ignore[arg-type]
        result.triples_after = store.triple_count()
    finally:
        staging.unlink(missing_ok=True)
    return result
