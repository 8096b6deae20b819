"""``transferkg build``: outputs, summary, exit codes, and atomic writes."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Dataset, Graph

from tests.helpers import run_cli, run_in_process
from transferkg.app.build import GRAPH_CURATED, GRAPH_DERIVED, GRAPH_ONTOLOGY

SHAPE = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix tct: <https://w3id.org/tct/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix shapes: <https://w3id.org/tct/shapes#> .
shapes:TestQuoteShape a sh:NodeShape ;
  rdfs:label "test: claims need a long quote" ;
  sh:targetClass tct:Claim ;
  sh:severity sh:Violation ;
  sh:message "test rule" ;
  sh:property [ sh:path tct:quote ; sh:minLength 4 ; sh:message "quote too short" ] .
"""


def test_build_writes_outputs_and_summary(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = run_in_process("--root", str(tree), "build", "--out", str(out))
    assert code == 0, stderr
    assert "agreements" in stdout
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["agreements"] == 1
    assert summary["claims"] == 7
    assert summary["violations"] == 0
    g = Graph().parse(out / "transferkg.ttl")
    assert len(g) == summary["triples"]
    ds = Dataset()
    ds.parse(out / "transferkg.nq", format="nquads")
    names = {c.identifier for c in ds.graphs()}
    assert {GRAPH_ONTOLOGY, GRAPH_CURATED, GRAPH_DERIVED} <= names
    assert len(ds.graph(GRAPH_DERIVED)) > 0


def test_failed_build_leaves_previous_build_intact(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_in_process("--root", str(tree), "build", "--out", str(out))[0] == 0
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (tree / "graph" / "broken.ttl").write_text("this is not turtle\n", encoding="utf-8")
    code, stdout, stderr = run_in_process("--root", str(tree), "build", "--out", str(out))
    assert code == 2
    assert "graph/broken.ttl:1" in stderr
    assert "Traceback" not in stderr
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_shacl_violation_exits_1_and_keeps_previous_build(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_in_process("--root", str(tree), "build", "--out", str(out))[0] == 0
    before = (out / "transferkg.ttl").read_bytes()
    (tree / "ontology" / "shapes").mkdir(exist_ok=True)
    (tree / "ontology" / "shapes" / "test.shapes.ttl").write_text(SHAPE, encoding="utf-8")
    code, _stdout, stderr = run_in_process("--root", str(tree), "build", "--out", str(out))
    assert code == 1
    assert "quote too short" in stderr
    assert "shapes:TestQuoteShape" in stderr
    assert (out / "transferkg.ttl").read_bytes() == before


def test_validate_json_names_node_property_and_rule(tree: Path) -> None:
    (tree / "ontology" / "shapes").mkdir(exist_ok=True)
    (tree / "ontology" / "shapes" / "test.shapes.ttl").write_text(SHAPE, encoding="utf-8")
    code, stdout, _ = run_in_process("--root", str(tree), "validate", "--format", "json")
    assert code == 1
    report = json.loads(stdout)
    assert report["conforms"] is False
    first = report["results"][0]
    assert first["focus"].startswith("id:claim-")
    assert first["path"] == "tct:quote"
    assert first["shape"] == "shapes:TestQuoteShape"
    assert first["constraint"] == "MinLengthConstraintComponent"


def test_debug_shows_traceback(tree: Path, tmp_path: Path) -> None:
    # A real process: what `python -m transferkg --debug` prints when it fails.
    (tree / "graph" / "broken.ttl").write_text("nonsense\n", encoding="utf-8")
    code, _, stderr = run_cli("--root", str(tree), "--debug", "build", "--out", str(tmp_path / "o"))
    assert code != 0
    assert "Traceback" in stderr


def test_shacl_in_a_forked_child_gives_the_report_of_validating_here(tree: Path, monkeypatch) -> None:
    """The build validates on a second core; the report is the one ``kg.validate()`` gives in-process,
    and a child that dies (or no fork at all) only means validating here — violations still stop the build."""
    import os

    import pytest

    import transferkg
    from transferkg.app import build as build_module
    from transferkg.core.errors import DataNotConforming

    (tree / "ontology" / "shapes").mkdir(exist_ok=True)
    (tree / "ontology" / "shapes" / "test.shapes.ttl").write_text(SHAPE, encoding="utf-8")
    kg = transferkg.load(tree)
    here = kg.validate()
    assert not here.conforms
    validation = build_module._Validation(kg)
    assert validation.process is not None  # Linux: a real child
    assert validation.report() == here
    monkeypatch.setattr(build_module, "_validate_child", lambda kg, send: os._exit(3))
    for _ in range(2):
        validation = build_module._Validation(kg)
        assert validation.report() == here  # the child died without a word: validated here
        with pytest.raises(DataNotConforming):
            build_module.build(tree / "out", kg=kg)
        monkeypatch.setenv("TRANSFERKG_NO_FORK", "1")
    assert not (tree / "out").exists()


def test_a_build_keeps_what_it_does_not_write(tree: Path, tmp_path: Path) -> None:
    """``build/site/`` (``transferkg site``'s default) and a user's own files survive a rebuild."""
    out = tmp_path / "out"
    assert run_in_process("--root", str(tree), "build", "--out", str(out))[0] == 0
    (out / "site").mkdir()
    (out / "site" / "index.html").write_text("the site", encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert run_in_process("--root", str(tree), "build", "--out", str(out))[0] == 0
    assert (out / "site" / "index.html").read_text(encoding="utf-8") == "the site"
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "transferkg.ttl").is_file()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")]  # no temporary folder left
