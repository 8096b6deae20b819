"""``transferkg docs``: a readable, escaped HTML page of the ontology."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from tests.helpers import run_in_process
from transferkg.render.docs import render_docs


def test_docs_command_writes_every_class_and_code_list(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "ontology.html"
    code, stdout, stderr = run_in_process("--root", repo, "docs", "--out", out)
    assert code == 0, stderr
    html = out.read_text(encoding="utf-8")
    for name in ("TransferAgreement", "Claim", "conflictsWith", "earliestDate"):
        assert f'id="{name}"' in html
    assert "withheld" in html and "Quantity qualifier".lower() in html.lower()
    assert "<script" not in html


def test_docs_escape_text_from_the_ontology() -> None:
    g = Graph()
    term = URIRef("https://w3id.org/tct/ontology#Evil")
    g.add((term, RDF.type, OWL.Class))
    g.add((term, RDFS.label, Literal("<script>alert(1)</script>", lang="en")))
    g.add((term, SKOS.definition, Literal("A & B <img src=x onerror=alert(1)>.", lang="en")))
    html = render_docs(g)
    assert "<script>alert" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "A &amp; B &lt;img" in html
