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

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

from transferkg.core.errors import BadParameter, LoadError
from transferkg.core.graphs import GRAPH_CURATED, GRAPH_IMPORT, GRAPH_ONTOLOGY
from transferkg.core.outputs import write_csv
from transferkg.ingest.records import COLUMNS, DEFAULT_KIND, Checker, Queryable, RowError, quoted, scan
from transferkg.ingest.triples import RecordWriter, state_lines

__all__ = ["COLUMNS", "ImportResult", "ImportStore", "RowError", "import_csv"]

REPORT_COLUMNS = ("line", "column", "error", "record")
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


class ImportStore(Queryable, Protocol):
    """What an import needs of a store: the checks' queries, a count, and a loader.

    A store declaring ``named-graphs`` in ``capabilities`` keeps the records in their own
    graph (:data:`~transferkg.core.graphs.GRAPH_IMPORT`) and must also offer
    :class:`LayeredStore`'s methods.
    """

    def triple_count(self) -> int: ...

    def bulk_load(self, data: bytes, *, format: str = "nt", graph: str | None = None) -> None: ...


class LayeredStore(ImportStore, Protocol):
    """A store with named graphs: imported triples that another layer holds are dropped after the load."""

    def dedupe(self, name: str, *, against: Iterable[str | None] | None = None) -> None: ...

    def discard_unfinished_loads(self) -> list[Path]: ...

    def flush(self) -> None: ...


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

    def __init__(self, store: ImportStore, graph: str | None, shown: str, *, dry_run: bool) -> None:
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
                self.store.bulk_load(data, format="nt", graph=self.graph)
            except LoadError as exc:
                rows = f"row {self.first}" if self.first == self.last else f"rows {self.first}–{self.last}"
                raise LoadError(f"{rows} could not be stored ({exc.message}); the rows before are in the "
                                "store, import the file again once fixed", path=self.shown,
                                line=self.first) from exc
        self.written += count


def _write_report(path: Path, errors: Iterable[RowError]) -> Path:
    """Write the rejected-rows report atomically (streamed; cells neutralised as every CSV we write)."""
    return write_csv(path, REPORT_COLUMNS, ([e.line, e.column, e.message, e.record] for e in errors))


def _all_problems(source: Path, shown: str, checker: Checker) -> Iterator[RowError]:
    """Every problem of the file, read again (when more were found than :data:`_KEEP`)."""
    for _line, _record, problems in scan(source, shown, checker, lambda _n: None):
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


def _report_target(source: Path, report: str | os.PathLike[str] | None, skip_bad: bool) -> Path | None:
    """Where the rejected rows go: ``report``, or with ``skip_bad`` ``<file>.rejected.csv``; never the input.

    Raises:
        BadParameter: the report would overwrite the file being imported.
    """
    target = Path(report) if report is not None else source.with_suffix(".rejected.csv") if skip_bad else None
    if target is not None and target.exists() and source.exists() and target.samefile(source):
        raise BadParameter(f"the report {target} would overwrite the file being imported")
    return target


def import_csv(path: str | os.PathLike[str], store: ImportStore, *, skip_bad: bool = False,
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
        graph: the named graph to import into (a store with named graphs; default the import graph).
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
    checker = Checker(store, kind)
    if not checker.known_kind(kind):
        raise BadParameter(f"unknown kind {quoted(kind)}: the import's kind must be one of "
                           f"{', '.join(sorted(checker.kinds))} (ontology/vocab/arrangement-kind.ttl)")
    target = _report_target(source, report, skip_bad)
    tick = _ticker(progress, passes=2)
    result = ImportResult(path=shown, dry_run=dry_run)
    stamp = _stamp(source) if source.exists() else (0, 0)

    for _line, record, problems in scan(source, shown, checker, tick):  # pass 1: check
        result.rows += 1
        if problems or record is None:
            result._note(problems)
        else:
            result.imported += 1
    if target is not None and (result.bad_rows or report is not None):
        complete = result.problems <= len(result.rejected)
        result.report = _write_report(target, result.rejected if complete else _all_problems(source, shown, checker))
    if result.bad_rows and not skip_bad:
        raise _malformed(result, shown)
    if _stamp(source) != stamp:
        raise LoadError("the file changed while it was being imported; nothing was written, import it again",
                        path=shown)

    _load_records(source, shown, checker, store, result, tick=tick, graph=graph, strict=not skip_bad)
    return result


def _load_records(source: Path, shown: str, checker: Checker, store: ImportStore, result: ImportResult, *,
                  tick: Callable[[int], None], graph: str | None, strict: bool) -> None:
    """Pass 2: the good rows' triples into the store, batch by batch, then duplicates of other graphs dropped.

    A store with named graphs gets the records in their own graph; one whose loader is
    the engine's own (``bulk-load``) may hold files of a load killed mid-way, removed first.
    """
    capabilities = frozenset(getattr(store, "capabilities", frozenset()))
    target = graph or GRAPH_IMPORT
    # A store that declares named-graphs offers LayeredStore's methods.
    layered = cast(LayeredStore, store) if "named-graphs" in capabilities and not result.dry_run else None
    if layered is not None and "bulk-load" in capabilities:
        layered.discard_unfinished_loads()
    result.triples_before = store.triple_count()
    batches = _Batches(store, target if "named-graphs" in capabilities else None, shown, dry_run=result.dry_run)
    writer = RecordWriter()
    for line, record, problems in scan(source, shown, checker, tick):
        if record is not None:
            batches.add(line, writer.lines(record))
        elif strict and problems:
            raise LoadError(f"the file changed while it was being imported ({problems[0].message}); rows "
                            "before it may be in the store, import it again", path=shown, line=line)
    batches.add(batches.last, state_lines(checker.states))
    batches.flush()
    result.triples_written = batches.written
    if layered is not None:
        layered.dedupe(target, against=(GRAPH_ONTOLOGY, GRAPH_CURATED, None))
        layered.flush()
    result.triples_after = store.triple_count()
