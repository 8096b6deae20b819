"""The build store read commands reuse (``build/store/``, :mod:`transferkg.app.build_store`).

A current store is read without compiling or deriving; an edited input rebuilds it
(one line on standard error) and the answers follow; an interrupted rebuild leaves the
previous store usable; readers share the store; the answers are the reviewed ones.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import transferkg
import transferkg.app.layers
import transferkg.curation.loader
from tests.helpers import DATA, EXPECTED, REPO, invoke, make_tree, package_env
from transferkg.app import build_store
from transferkg.app.build_store import BuiltStore, is_current, open_built, store_folder
from transferkg.core.errors import BadParameter
from transferkg.core.resources import find_layout
from transferkg.query.library import QueryLibrary
from transferkg.query.results import format_result
from transferkg.store.folder import STAMP_FILE

LABELS = "SELECT ?label WHERE { ?a a tct:TransferAgreement ; rdfs:label ?label }"


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """A small project tree with the query library (its own build/ folder, in a temporary folder)."""
    return make_tree(tmp_path / "tree", "mini.yaml", DATA / "mini" / "mini.yaml", queries=True)


def _labels(kg: transferkg.KnowledgeGraph) -> list[str]:
    return sorted(str(row[0]) for row in kg.sparql(LABELS).rows)


def _rename_agreement(tree: Path, label: str) -> None:
    path = tree / "graph" / "mini.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('label: "Test agreement"\n', f'label: "{label}"\n'),
                    encoding="utf-8")


def _forbid_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading the YAML, compiling or deriving fails the test."""
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the build store was current: nothing should be loaded or derived")

    monkeypatch.setattr(transferkg.curation.loader, "load_layout", refuse)
    monkeypatch.setattr(transferkg.curation.loader, "compile_graph", refuse)
    monkeypatch.setattr(transferkg.app.layers, "open_store", refuse)
    monkeypatch.setattr(transferkg.app.layers, "rederive", refuse)


def test_the_store_lives_in_the_trees_build_folder(tree: Path) -> None:
    assert store_folder(find_layout(tree)) == tree.resolve() / "build" / "store"


def test_the_installed_data_uses_the_user_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    packaged = Path(transferkg.__file__).resolve().parent / "_data"
    folder = store_folder(find_layout(packaged))
    assert folder.parent.parent == tmp_path / "cache" / "transferkg"
    assert folder.name == "store"


def test_a_second_read_reuses_the_store(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = transferkg.load(tree)
    first = transferkg.load(tree, reuse_build=True)
    assert (tree / "build" / "store" / STAMP_FILE).is_file()
    first.store.close()
    _forbid_loading(monkeypatch)
    notes: list[str] = []
    second = transferkg.load(tree, reuse_build=True, notify=notes.append)
    assert notes == []
    assert isinstance(second.store, BuiltStore)
    assert _labels(second) == _labels(fresh) == ["Test agreement"]
    assert format_result(second.result("agreements"), "csv") == format_result(fresh.result("agreements"), "csv")
    assert second.derived == fresh.derived  # the derive counts come from the stamp
    assert len(second) == len(fresh)
    with pytest.raises(BadParameter, match="read-only"):
        second.store.update("INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }")
    second.store.close()


def test_read_commands_reuse_the_store_and_rebuild_when_graph_changes(tree: Path) -> None:
    first = invoke("--root", tree, "query", "agreements", "--format", "csv")
    assert first.exit_code == 0, first.output
    assert first.stderr == ""  # a first build is silent
    assert "Test agreement" in first.stdout
    stamp = (tree / "build" / "store" / STAMP_FILE).read_text(encoding="utf-8")
    again = invoke("--root", tree, "query", "agreements", "--format", "csv")
    assert again.stdout == first.stdout and again.stderr == ""
    assert (tree / "build" / "store" / STAMP_FILE).read_text(encoding="utf-8") == stamp  # not rewritten

    _rename_agreement(tree, "Renamed agreement")
    changed = invoke("--root", tree, "query", "agreements", "--format", "csv")
    assert changed.exit_code == 0, changed.output
    assert changed.stderr.count("\n") == 1
    assert "graph/ changed since the last build; rebuilding" in changed.stderr
    assert "build/store/" in changed.stderr
    assert "Renamed agreement" in changed.stdout and "Test agreement," not in changed.stdout
    assert is_current(find_layout(tree))


def test_an_ontology_change_is_named(tree: Path) -> None:
    transferkg.load(tree, reuse_build=True).store.close()
    with (tree / "ontology" / "vocab" / "claim-rank.ttl").open("a", encoding="utf-8") as f:
        f.write("\n# an edit\n")
    notes: list[str] = []
    transferkg.load(tree, reuse_build=True, notify=notes.append).store.close()
    assert len(notes) == 1 and notes[0].startswith("transferkg: ontology/ changed since the last build")


def test_memory_backend_and_explicit_store_keep_their_behaviour(tree: Path, tmp_path: Path) -> None:
    assert invoke("--root", tree, "--backend", "memory", "query", "agreements").exit_code == 0
    assert invoke("--root", tree, "--store", tmp_path / "mine", "query", "agreements").exit_code == 0
    assert not (tree / "build").exists()
    assert (tmp_path / "mine" / STAMP_FILE).is_file()


def test_build_writes_the_store_read_commands_use(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = invoke("--root", tree, "build", "--out", tree / "build")
    assert built.exit_code == 0, built.output
    assert is_current(find_layout(tree))
    stamp = json.loads((tree / "build" / "store" / STAMP_FILE).read_text(encoding="utf-8"))
    assert stamp["derived"] and stamp["layers"] and stamp["build"]["inputs"]
    _forbid_loading(monkeypatch)
    result = invoke("--root", tree, "query", "agreements", "--format", "csv")
    assert "Test agreement" in result.stdout and result.stderr == ""


def test_an_interrupted_rebuild_leaves_the_previous_store(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    transferkg.load(tree, reuse_build=True).store.close()
    folder = tree / "build" / "store"
    stamp = (folder / STAMP_FILE).read_text(encoding="utf-8")
    _rename_agreement(tree, "Renamed agreement")

    def fail(*_args: object, **_kwargs: object) -> None:  # after the layers were written to the new folder
        raise RuntimeError("killed mid-way")

    monkeypatch.setattr(transferkg.app.layers, "rederive", fail)
    with pytest.raises(RuntimeError, match="killed mid-way"):
        transferkg.load(tree, reuse_build=True)
    assert (folder / STAMP_FILE).read_text(encoding="utf-8") == stamp
    assert not list(folder.parent.glob(".store.tmp-*"))  # the unfinished folder is gone
    old = BuiltStore(folder)  # the previous store still opens and answers
    assert any("Test agreement" in str(row[0]) for row in old.select(
        "SELECT ?l WHERE { ?a <http://www.w3.org/2000/01/rdf-schema#label> ?l }").rows)
    old.close()

    monkeypatch.undo()
    kg = transferkg.load(tree, reuse_build=True)  # and the next read rebuilds it
    assert "Renamed agreement" in _labels(kg)
    kg.store.close()


def test_concurrent_readers(tree: Path) -> None:
    first, _ = open_built(find_layout(tree))
    second, _ = open_built(find_layout(tree))  # read-only: no lock, both open at once
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert first.select(query).rows == second.select(query).rows
    # a rebuild swaps a new folder in while a reader still has the old one open
    _rename_agreement(tree, "Renamed agreement")
    third, _ = open_built(find_layout(tree))
    assert first.select(query).rows == second.select(query).rows
    assert third.triple_count() > 0
    for store in (first, second, third):
        store.close()
    procs = [subprocess.Popen([sys.executable, "-m", "transferkg", "--root", str(tree), "query", "agreements",
                               "--format", "csv"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=package_env()) for _ in range(3)]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outputs]
    assert all("Renamed agreement" in out for out, _ in outputs)
    assert len({out for out, _ in outputs}) == 1


def test_a_store_written_behind_its_back_is_rebuilt(tree: Path) -> None:
    transferkg.load(tree, reuse_build=True).store.close()
    folder = tree / "build" / "store"
    stamp = json.loads((folder / STAMP_FILE).read_text(encoding="utf-8"))
    stamp["triples"] += 1  # as if something wrote to the folder without the stamp knowing
    (folder / STAMP_FILE).write_text(json.dumps(stamp), encoding="utf-8")
    kg = transferkg.load(tree, reuse_build=True)
    assert json.loads((folder / STAMP_FILE).read_text(encoding="utf-8"))["triples"] == len(kg)
    kg.store.close()


def test_every_library_query_answers_the_reviewed_rows_from_the_store(tmp_path: Path) -> None:
    """The curated graph through the build store answers tests/queries/expected, as a fresh load does."""
    layout = find_layout(REPO)
    store, counts = open_built(layout, folder=tmp_path / "store")
    kg = transferkg.app.kg._BuiltKnowledgeGraph(store=store, layout=layout)
    try:
        for query in QueryLibrary(REPO / "queries"):
            got = list(csv.reader(io.StringIO(format_result(kg.result(query.name), "csv"))))
            want = list(csv.reader(io.StringIO((EXPECTED / f"{query.name}.csv").read_text(encoding="utf-8"))))
            got, want = [r for r in got if r], [r for r in want if r]
            assert got[0] == want[0], query.name
            assert sorted(got[1:]) == sorted(want[1:]), query.name
        assert counts is not None and build_store.derived_result(counts) is not None
    finally:
        store.close()
