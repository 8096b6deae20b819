"""Hostile CSV imports and faults (issue 20, points 1 and 9; "import at scale").

``transferkg import`` reads the file twice — every row checked, then the good ones
loaded in bounded batches straight into the store — so memory stays flat and no
temporary file is ever written. What these tests hold it to:

- a malformed row fails the whole import: exit 2, one line per problem naming
  ``file:line`` and the column, no traceback, nothing written to the store; with
  ``--skip-bad`` the good rows go in and the report (written atomically) lists the
  bad ones, a formula-like cell staying data;
- killed with SIGKILL mid-import, nothing is left behind (no staging file, nothing in
  the temporary folder, no half-loaded files in the store after the next run), and
  running the same import again gives exactly the store an uninterrupted import gives;
- an error while storing names the CSV file and rows, never a temporary file;
- peak memory does not grow with the number of rows.
"""

from __future__ import annotations

import csv
import gc
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import invoke as cli_invoke
from transferkg.core.errors import LoadError
from transferkg.ingest.bulk import import_csv
from transferkg.store.oxigraph import GRAPH_IMPORT, OxigraphStore

HEADER = "date,from,to,count,nationality,source,id"
URL = "https://tracker.example.org/flights"


def good_rows(n: int, start: int = 0) -> list[str]:
    """``n`` valid, distinct rows."""
    hosts = ["XK", "SV", "GH", "CR", "PA", "RW"]
    return [f"2025-{1 + i % 12:02d}-{1 + i % 28:02d},US,{hosts[i % len(hosts)]},{1 + i % 90},VE;HN,{URL},r{i}"
            for i in range(start, start + n)]


def write(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def invoke(*args: str | Path) -> tuple[int, str, str]:
    """The CLI in-process (tests/helpers.py), as exit code, stdout and stderr."""
    result = cli_invoke(*args)
    return result.exit_code, result.stdout, result.stderr


def import_args(tree: Path, csv_file: Path, store: Path, *more: str) -> list[str | Path]:
    return ["--root", tree, "import", csv_file, "--store", store, "--no-progress", *more]


def import_graph(store: Path) -> set[str]:
    """Every triple of the store's import graph, as N-Quads lines (the store is closed again)."""
    with OxigraphStore(store) as opened:
        raw = opened.raw()
        import pyoxigraph as ox

        quads = {str(q) for q in raw.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_IMPORT))}
    gc.collect()
    return quads


def records(quads: set[str]) -> int:
    return sum(1 for q in quads if "<https://w3id.org/tct/ontology#TransferEvent>" in q)


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip()]


@pytest.fixture()
def store(tmp_path: Path, tree: Path) -> Path:
    """A store that already holds one imported file (whose records must survive every failed import)."""
    path = tmp_path / "kg.oxigraph"
    first = write(tmp_path / "earlier.csv", good_rows(3, start=900))
    code, _out, err = invoke(*import_args(tree, first, path))
    assert code == 0, err
    return path


# --- malformed rows: all or nothing ------------------------------------------------------------

HOSTILE_ROWS = {
    "4300-digit count": ("2025-06-11,US,XK," + "9" * 4300 + ",VE," + URL + ",h1",
                         "[count] a number of 4,300 digits is not a number of people (at most 18 digits)"),
    "control character": (f"2025-06-11,US,XK,5,VE,{URL},bell\x07id", "[id] control character U+0007 in the cell"),
    "terminal escape": (f"2025-06-11,US,XK,5,\x1b[31mVE,{URL},e1", "[nationality] control character U+001B"),
    "too many fields": (f"2025-06-11,US,XK,5,VE,{URL},t1,extra,more", "expected 7 fields, found 9"),
    "huge cell": ("2025-06-11," + "Q" * 100_000 + f",XK,5,VE,{URL},c1",
                  "[from] 'QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ…' is not an ISO 3166-1 alpha-2 code"),
    "formula cell": (f"=cmd|' /C calc'!A0,US,XK,5,VE,{URL},f1",
                     "[date] not a date of the form YYYY, YYYY-MM or YYYY-MM-DD: \"=cmd|' /C calc'!A0\""),
    "field over the CSV limit": ('2025-06-11,US,XK,5,VE,"' + "x" * 200_000 + '",big',
                                 "not a CSV row: field larger than field limit (131072)"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_ROWS))
def test_a_hostile_row_fails_the_import_with_file_and_line_and_writes_nothing(
        case: str, tmp_path: Path, tree: Path, store: Path) -> None:
    row, message = HOSTILE_ROWS[case]
    flights = write(tmp_path / "flights.csv", [*good_rows(2), row, *good_rows(2, start=2)])
    before = import_graph(store)
    code, out, err = invoke(*import_args(tree, flights, store))
    assert code == 2
    assert out == ""
    lines = error_lines(err)
    assert lines[0] == "error: 1 malformed row(s); nothing was imported (--skip-bad imports the good rows):"
    assert len(lines) == 2
    assert lines[1].startswith(f"{flights.as_posix()}:4: ") and message in lines[1], lines[1]
    assert len(lines[1]) < 300  # a huge cell is never echoed whole
    assert "\x07" not in err and "\x1b" not in err  # control characters shown escaped, not sent raw
    assert import_graph(store) == before


def test_every_malformed_row_is_listed_one_per_line(tmp_path: Path, tree: Path, store: Path) -> None:
    rows = [*good_rows(1), f"2025-13-01,US,SV,10,VE,{URL},b1", f"2025-08-01,US,US,10,VE,{URL},b2",
            f"2025-08-02,US,GH,ten,NG,{URL},b3", "2025-08-04,US,GH,3", *good_rows(1, start=1)]
    flights = write(tmp_path / "flights.csv", rows)
    before = import_graph(store)
    code, out, err = invoke(*import_args(tree, flights, store))
    assert code == 2 and out == ""
    assert error_lines(err) == [
        "error: 4 malformed row(s); nothing was imported (--skip-bad imports the good rows):",
        f"{flights.as_posix()}:3: [date] month out of range: '2025-13-01'",
        f"{flights.as_posix()}:4: [to] the receiving state is the sending state (US)",
        f"{flights.as_posix()}:5: [count] 'ten' is not a whole number of people",
        f"{flights.as_posix()}:6: expected 7 fields, found 4",
    ]
    assert import_graph(store) == before


def test_skip_bad_imports_the_good_rows_and_reports_the_hostile_ones_as_data(
        tmp_path: Path, tree: Path, store: Path) -> None:
    hostile = [row for row, _message in HOSTILE_ROWS.values()]
    formula_id = "=HYPERLINK(\"http://evil.example\",\"x\")"
    quoted = '"' + formula_id.replace('"', '""') + '"'  # CSV quoting: the cell holds commas and quotes
    rows = [*good_rows(3), *hostile, f"2025-06-11,US,XK,7,VE,{URL},{quoted}"]
    flights = write(tmp_path / "flights.csv", rows)
    report = tmp_path / "rejected.csv"
    before = import_graph(store)
    code, out, err = invoke(*import_args(tree, flights, store, "--skip-bad", "--report", str(report)))
    assert code == 0, err
    assert f"Imported 4 of {3 + len(hostile) + 1} records" in out
    assert f"warning: {len(hostile)} row(s) rejected; see {report}" in err
    with report.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0] == ["line", "column", "error", "record"]
    assert [int(r[0]) for r in table[1:]] == list(range(5, 5 + len(hostile)))
    formula = next(r for r in table[1:] if "cmd" in r[3])
    assert formula[3].startswith("'=cmd|")  # a spreadsheet shows it as text, it does not run it
    assert not any(r[3].startswith(("=", "+", "-", "@")) for r in table[1:])
    after = import_graph(store)
    assert before < after and records(after) == records(before) + 4
    literal = json.dumps(formula_id)  # the same escaping as N-Quads for this text
    assert any(f"<http://purl.org/dc/terms/identifier> {literal}" in q for q in after)


@pytest.mark.parametrize(("content", "expected"), [
    (b"", "{csv}: empty file: a header row is required"),
    ("date,from,to,count,nationalit\u00e9,source\n".encode("latin-1"),
     "{csv}:1: not UTF-8 text (the header row; save the file as UTF-8)"),
    ("date,from,to,count,nationality,source\n".encode("utf-16"),
     "{csv}:1: not UTF-8 text (the header row; save the file as UTF-8)"),
    (b"date,from,to,count,nationality,sauce\n", "{csv}:1: bad header: missing column(s) source; unknown column(s) "
                                               "sauce (expected date, from, to, count, nationality, source, "
                                               "optionally id, kind)"),
])
def test_an_unreadable_file_is_one_line_naming_it(content: bytes, expected: str, tmp_path: Path, tree: Path,
                                                  store: Path) -> None:
    flights = tmp_path / "flights.csv"
    flights.write_bytes(content)
    before = import_graph(store)
    code, out, err = invoke(*import_args(tree, flights, store))
    assert code == 2 and out == ""
    assert err.strip() == "error: " + expected.format(csv=flights.as_posix())
    assert import_graph(store) == before


def test_a_row_that_is_not_utf8_names_its_line_and_column(tmp_path: Path, tree: Path, store: Path) -> None:
    flights = tmp_path / "flights.csv"
    flights.write_bytes((HEADER + "\n" + good_rows(1)[0] + "\n").encode() +
                        f"2025-06-11,US,XK,5,VE,{URL}/caf".encode() + b"\xe9,n1\n")
    code, _out, err = invoke(*import_args(tree, flights, store))
    assert code == 2
    assert error_lines(err)[1] == f"{flights.as_posix()}:3: not UTF-8 text (byte 0xE9 in column source)"
    code, out, err = invoke(*import_args(tree, flights, store, "--skip-bad"))
    assert code == 0 and "Imported 1 of 2 records" in out, err
    report = flights.with_suffix(".rejected.csv").read_text(encoding="utf-8")
    assert "\ufffd" in report  # the bad byte shown as U+FFFD, the report itself stays UTF-8


def test_a_header_only_file_imports_nothing(tmp_path: Path, tree: Path, store: Path) -> None:
    flights = write(tmp_path / "flights.csv", [])
    before = import_graph(store)
    code, out, err = invoke(*import_args(tree, flights, store))
    assert code == 0, err
    assert f"Imported 0 of 0 records from {flights.as_posix()}" in out
    assert import_graph(store) == before


def test_a_report_that_would_overwrite_the_input_is_refused(tmp_path: Path, tree: Path, store: Path) -> None:
    flights = write(tmp_path / "flights.csv", [*good_rows(1), "2025-13-01,US,SV,10,VE," + URL + ",x"])
    content = flights.read_bytes()
    code, _out, err = invoke(*import_args(tree, flights, store, "--skip-bad", "--report", str(flights)))
    assert code == 2
    assert err.strip() == f"error: the report {flights} would overwrite the file being imported"
    assert flights.read_bytes() == content


# --- faults while storing -------------------------------------------------------------------------


def test_a_storage_error_names_the_csv_rows_not_a_temporary_file(tmp_path: Path, tree: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import transferkg

    flights = write(tmp_path / "flights.csv", good_rows(5))
    kg = transferkg.load(tree, backend="oxigraph", derive_layer=False)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise LoadError("cannot load (No space left on device)")

    monkeypatch.setattr(kg.store, "bulk_load", broken)
    with pytest.raises(LoadError) as info:
        import_csv(flights, kg.store)
    assert str(info.value) == (f"{flights.as_posix()}:2: rows 2–6 could not be stored (cannot load (No space "
                               "left on device)); the rows before are in the store, import the file again once "
                               "fixed")
    assert (info.value.path, info.value.line) == (flights.as_posix(), 2)


def test_leftovers_of_a_killed_bulk_load_are_removed_by_the_next_import(tmp_path: Path, tree: Path,
                                                                         store: Path) -> None:
    leftover = store / "bulk-123456789012345678901234567890.sst"
    leftover.write_bytes(b"half an SST file")
    older = store / "123456789012345678901234567890"  # the name pyoxigraph 0.3/0.4 gave them
    older.write_bytes(b"")
    before = import_graph(store)
    flights = write(tmp_path / "flights.csv", good_rows(2))
    code, _out, err = invoke(*import_args(tree, flights, store))
    assert code == 0, err
    assert not leftover.exists() and not older.exists()
    assert before < import_graph(store)  # the database itself was left alone


_KILLED_CHILD = textwrap.dedent("""
    import os, signal, sys, threading
    import transferkg.ingest.bulk as bulk
    from transferkg.store.oxigraph import OxigraphStore
    bulk._BATCH_TRIPLES = 400  # many small batches, so the kill lands mid-import
    real, calls = OxigraphStore.bulk_load, []
    def bulk_load(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 5:  # SIGKILL while the fifth batch is being loaded (or just after)
            threading.Timer(0.002, os.kill, (os.getpid(), signal.SIGKILL)).start()
        return real(self, *args, **kwargs)
    OxigraphStore.bulk_load = bulk_load
    from transferkg.cli import main
    main(sys.argv[1:])
""")


def test_kill_9_mid_import_leaves_nothing_behind_and_a_rerun_completes_it_exactly(tmp_path: Path,
                                                                                   tree: Path) -> None:
    work, scratch = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    scratch.mkdir()
    rows = 300
    flights = write(work / "flights.csv", good_rows(rows))
    store = work / "kg.oxigraph"
    env = {**os.environ, "TMPDIR": str(scratch), "TEMP": str(scratch), "TMP": str(scratch)}
    args = [str(a) for a in import_args(tree, flights, store)]
    killed = subprocess.run([sys.executable, "-c", _KILLED_CHILD, *args], env=env, capture_output=True,
                            text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert sorted(p.name for p in work.iterdir()) == ["flights.csv", "kg.oxigraph"]  # no staging file
    assert list(scratch.iterdir()) == []
    partial = import_graph(store)
    assert 0 < records(partial) < rows  # killed mid-way: some whole batches are in, not all

    rerun = subprocess.run([sys.executable, "-m", "transferkg", *args], env=env, capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"Imported {rows} of {rows} records" in rerun.stdout
    assert sorted(p.name for p in work.iterdir()) == ["flights.csv", "kg.oxigraph"]
    assert list(scratch.iterdir()) == []
    assert not [p.name for p in store.iterdir() if p.name.startswith("bulk-")]
    completed = import_graph(store)

    reference = tmp_path / "reference.oxigraph"
    code, _out, err = invoke(*import_args(tree, flights, reference))
    assert code == 0, err
    assert completed == import_graph(reference)  # exactly the store an uninterrupted import gives
    assert records(completed) == rows


# --- memory ------------------------------------------------------------------------------------------

_MEASURED_CHILD = textwrap.dedent("""
    import sys
    from transferkg.ingest.bulk import import_csv
    from transferkg.app.kg import load
    root, csv_path, store_path = sys.argv[1:4]
    kg = load(root, backend="oxigraph", store=store_path, derive_layer=False)
    result = import_csv(csv_path, kg.store)
    kg.store.close()
    print(result.imported)
""")


def _peak_mib(tree: Path, csv_file: Path, store: Path) -> float:
    """Import ``csv_file`` in a fresh process; that process's own peak resident memory in MiB."""
    proc = subprocess.Popen([sys.executable, "-c", _MEASURED_CHILD, str(tree), str(csv_file), str(store)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0, err
    assert int(out.strip()) > 0
    return usage.ru_maxrss / 1024


def test_peak_memory_does_not_grow_with_the_number_of_rows(tmp_path: Path, tree: Path) -> None:
    # 1,000 rows are 2-3 load batches, 12,000 rows 26 (_BATCH_TRIPLES, 43 triples a row);
    # benchmarks/import_bench.py measures the same up to 1M rows.
    small = _peak_mib(tree, write(tmp_path / "small.csv", good_rows(1_000)), tmp_path / "small.oxigraph")
    large = _peak_mib(tree, write(tmp_path / "large.csv", good_rows(12_000)), tmp_path / "large.oxigraph")
    # The old import held the whole file's triples in one bulk load: ~1 GB at 30k rows, 2 GB at 100k.
    assert large < 400, (small, large)
    assert large - small < 80, (small, large)  # 12× the rows, about the same memory


@pytest.mark.parametrize("what", ["missing", "folder"])
def test_an_import_of_no_file_is_one_line_and_creates_no_store(what: str, tmp_path: Path, tree: Path) -> None:
    source = tmp_path / "nothing.csv" if what == "missing" else tmp_path
    store = tmp_path / "new.oxigraph"
    code, out, err = invoke(*import_args(tree, source, store))
    assert code == 2 and error_lines(err) == [f"error: {source}: cannot read the file: "
                                              f"{'no such file' if what == 'missing' else 'it is a folder'}"]
    assert not store.exists()


def test_an_import_into_a_file_as_store_is_one_line_and_leaves_the_file(tmp_path: Path, tree: Path) -> None:
    not_a_store = tmp_path / "notes.txt"
    not_a_store.write_text("keep me\n", encoding="utf-8")
    source = write(tmp_path / "in.csv", good_rows(2))
    code, out, err = invoke(*import_args(tree, source, not_a_store))
    assert code == 2 and error_lines(err) == [f"error: {not_a_store}: not an Oxigraph store: a file, not a folder"]
    assert not_a_store.read_text(encoding="utf-8") == "keep me\n"


def test_no_derive_imports_and_leaves_the_derived_layer_for_later(tmp_path: Path, tree: Path) -> None:
    source = write(tmp_path / "in.csv", good_rows(4))
    store = tmp_path / "kg.oxigraph"
    code, out, err = invoke(*import_args(tree, source, store, "--no-derive"))
    assert code == 0, err
    assert "derived layer not recomputed: --no-derive" in out and "derived triples" not in out
    assert records(import_graph(store)) == 4
    code, out, err = invoke(*import_args(tree, source, store))  # again, deriving: nothing added, layer recomputed
    assert code == 0, err
    assert "derived triples" in out and records(import_graph(store)) == 4
