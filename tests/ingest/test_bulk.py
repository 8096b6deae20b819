"""Bulk import of transfer records from CSV: all or nothing, --skip-bad, idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest

import transferkg
from tests.helpers import REPO, run_cli, run_in_process
from transferkg.app.layers import rederive
from transferkg.core.errors import LoadError
from transferkg.ingest.bulk import COLUMNS, import_csv
from transferkg.query.library import QueryLibrary
from transferkg.store.oxigraph import GRAPH_IMPORT, OxigraphStore

GOOD = [
    "2025-06-11,US,XK,5,VE;HN,https://tracker.example.org/flights,f1",
    "2025-07,US,SV,120,withheld,https://tracker.example.org/flights,f2",
    "2025-09-05,us,gh,14,NG;GM,src-article-004,f7",
]
BAD = [
    "2025-13-01,US,SV,10,VE,https://tracker.example.org/flights,f3",  # line 4: month 13
    "2025-08-01,US,US,10,VE,https://tracker.example.org/flights,f4",  # line 5: sender is receiver
    "2025-08-02,US,GH,ten,NG,https://tracker.example.org/flights,f5",  # line 6: count
    "2025-08-03,US,ZZ,3,NG,ftp://x,f6",                               # line 7: state and source
    "2025-08-04,US,GH,3",                                              # line 8: too few fields
]


def write_csv(path: Path, rows: list[str], header: str = "date,from,to,count,nationality,source,id") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def mixed(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "flights.csv", [GOOD[0], GOOD[1], *BAD, GOOD[2]])


@pytest.fixture(scope="module")
def base_count() -> int:
    return len(transferkg.load(REPO, backend="oxigraph", derive_layer=False))


def fresh_store() -> OxigraphStore:
    kg = transferkg.load(REPO, backend="oxigraph", derive_layer=False)
    assert isinstance(kg.store, OxigraphStore)
    return kg.store


def test_columns_are_documented() -> None:
    assert COLUMNS == ("date", "from", "to", "count", "nationality", "source")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "transferkg import" in readme


def test_malformed_rows_reject_the_whole_file_with_line_numbers(mixed: Path, base_count: int) -> None:
    store = fresh_store()
    with pytest.raises(LoadError) as info:
        import_csv(mixed, store)
    message = str(info.value)
    assert "5 malformed row(s); nothing was imported" in message
    for line, text in [(4, "month out of range"), (5, "receiving state is the sending state"),
                       (6, "'ten' is not a whole number"), (7, "unknown state code 'ZZ'"),
                       (7, "neither an http(s) URL"), (8, "expected 7 fields, found 4")]:
        assert f"flights.csv:{line}:" in message and text in message
    assert info.value.line == 4
    assert store.triple_count() == base_count
    assert store.graph_size(GRAPH_IMPORT) == 0


def test_skip_bad_imports_good_rows_and_writes_a_report(mixed: Path, tmp_path: Path) -> None:
    store = fresh_store()
    report = tmp_path / "rejected.csv"
    result = import_csv(mixed, store, skip_bad=True, report=report)
    assert (result.rows, result.imported, result.rejected_rows) == (8, 3, 5)
    assert result.added > 0 and result.report == report
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "line,column,error,record"
    assert [line.split(",")[0] for line in lines[1:]] == ["4", "5", "6", "7", "7", "8"]
    rederive(store)
    transfers = store.select(
        "PREFIX tct: <https://w3id.org/tct/ontology#> SELECT ?t ?n WHERE { "
        f"GRAPH <{GRAPH_IMPORT}> {{ ?t a tct:TransferEvent }} "
        "?t tct:transferTo ?host ; tct:personCount/<https://schema.org/value> ?n }")
    assert sorted(int(n.toPython()) for _t, n in transfers.rows) == [5, 14, 120]  # type: ignore[union-attr]
    failing = {q.name: len(store.select(q.text)) for q in QueryLibrary(REPO / "queries" / "checks")
               if q.severity == "error"}
    assert not any(failing.values()), failing


def test_default_report_next_to_the_input(mixed: Path) -> None:
    result = import_csv(mixed, fresh_store(), skip_bad=True)
    assert result.report == mixed.with_suffix(".rejected.csv") and result.report.is_file()


def test_importing_twice_adds_nothing(tmp_path: Path) -> None:
    good = write_csv(tmp_path / "good.csv", GOOD)
    store = fresh_store()
    first = import_csv(good, store)
    assert first.imported == 3 and first.added > 0 and not first.rejected
    second = import_csv(good, store)
    assert second.imported == 3 and second.added == 0
    assert store.triple_count() == first.triples_after


def test_identical_rows_without_id_are_one_record(tmp_path: Path) -> None:
    row = "2025-06-11,US,XK,5,VE,https://tracker.example.org/flights"
    csv_file = write_csv(tmp_path / "dups.csv", [row, row, row.replace(",5,", ",6,")],
                         header="date,from,to,count,nationality,source")
    store = fresh_store()
    import_csv(csv_file, store)
    events = store.select(f"SELECT DISTINCT ?t WHERE {{ GRAPH <{GRAPH_IMPORT}> "
                          "{ ?t a <https://w3id.org/tct/ontology#TransferEvent> } }")
    assert len(events) == 2


def test_bad_header_and_encoding(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r"bad\.csv:1: bad header: missing column\(s\) source; "
                                        r"unknown column\(s\) sauce"):
        import_csv(write_csv(tmp_path / "bad.csv", [], header="date,from,to,count,nationality,sauce"),
                   OxigraphStore())
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"date,from,to,count,nationality,source\n2025,US,XK,1,,caf\xe9\n")
    with pytest.raises(LoadError, match=r"latin\.csv:2: not UTF-8"):
        import_csv(latin, OxigraphStore())


def test_cli_import_persists_and_is_queryable(mixed: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    code, out, err = run_in_process("--root", str(REPO), "import", str(mixed), "--store", str(store), "--no-progress")
    assert code == 2, out + err
    assert "nothing was imported" in err and "flights.csv:4:" in err
    code, out, err = run_in_process("--root", str(REPO), "import", str(mixed), "--store", str(store), "--skip-bad")
    assert code == 0, err
    assert "Imported 3 of 8 records" in out and "5 row(s) rejected" in err
    code, out, err = run_in_process("--root", str(REPO), "--store", str(store), "query", "transfers", "--param",
                                    "host=XK", "--format", "csv")
    assert code == 0, err
    assert "Transfer US → XK, 2025-06-11 (5 people)" in out


def test_progress_reports_every_byte_read(tmp_path: Path) -> None:
    rows = [f"2025-06-{day:02d},US,XK,{day},VE,https://tracker.example.org/flights,p{day}" for day in range(1, 29)]
    path = write_csv(tmp_path / "many.csv", rows)
    seen: list[int] = []
    result = import_csv(path, OxigraphStore(), progress=seen.append)
    assert result.imported == 28
    assert len(seen) > 1 and sum(seen) == path.stat().st_size


def test_cli_shows_a_progress_bar_unless_asked_not_to(tmp_path: Path) -> None:
    # A real process: what a user's terminal gets on stderr.
    path = write_csv(tmp_path / "one.csv", [GOOD[0]])
    code, _out, err = run_cli("--root", str(REPO), "import", str(path))
    assert code == 0, err
    assert "Importing" in err
    code, _out, err = run_cli("--root", str(REPO), "import", str(path), "--no-progress")
    assert code == 0, err
    assert "Importing" not in err


def test_cli_help_has_an_example() -> None:
    code, out, _err = run_in_process("import", "--help")
    assert code == 0 and "Example: transferkg import" in out


@pytest.mark.parametrize(("limit", "value", "kept"), [("_KEEP", 2, 2), ("_KEEP_CHARS", 150, 2)])
def test_report_lists_every_problem_even_beyond_those_kept_in_memory(
        limit: str, value: int, kept: int, mixed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import transferkg.ingest.bulk as bulk

    monkeypatch.setattr(bulk, limit, value)  # the file is read again for the report
    report = tmp_path / "rejected.csv"
    result = import_csv(mixed, fresh_store(), skip_bad=True, report=report)
    assert (result.rejected_rows, result.problems, len(result.rejected)) == (5, 6, kept)
    lines = report.read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["4", "5", "6", "7", "7", "8"]


def test_dry_run_checks_and_converts_every_row_but_writes_nothing(tmp_path: Path, base_count: int) -> None:
    store = fresh_store()
    result = import_csv(write_csv(tmp_path / "good.csv", GOOD), store, dry_run=True)
    assert (result.imported, result.rows) == (3, 3) and result.triples_written > 0
    assert store.triple_count() == base_count and store.graph_size(GRAPH_IMPORT) == 0
    assert result.text().startswith("Checked 3 of 3 records")


def test_the_import_graph_repeats_nothing_the_curated_graph_holds(tmp_path: Path) -> None:
    store = fresh_store()
    import_csv(write_csv(tmp_path / "good.csv", GOOD), store)
    shared = store.select(f"SELECT * WHERE {{ GRAPH <{GRAPH_IMPORT}> {{ ?s ?p ?o }} "
                          "GRAPH <https://w3id.org/tct/graph/curated> { ?s ?p ?o } }")
    assert len(shared) == 0
    states = store.select(f"SELECT ?s WHERE {{ GRAPH <{GRAPH_IMPORT}> {{ ?s a <https://w3id.org/tct/ontology#State> }} }}")
    assert len(states) == 0  # every state the rows name is described by the curated graph already


def test_progress_spreads_both_passes_over_the_size_of_the_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "one.csv", [GOOD[0]])
    seen: list[int] = []
    import_csv(path, OxigraphStore(), progress=seen.append)
    assert sum(seen) == path.stat().st_size and all(n > 0 for n in seen)
