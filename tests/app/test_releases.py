"""Release stamps: every build describes itself (DCAT/VoID) in its own named graph and in summary.json."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID

from transferkg.app.build import RELEASE_NAME, build
from transferkg.app.releases import DATASET, DCAT, GRAPH_RELEASE, describe, input_hash


def test_build_stamps_the_release(tree: Path, tmp_path: Path) -> None:
    result = build(tmp_path / "out", root=tree)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    release = summary["release"]
    assert release["date"] == "2026-12-02"  # TRANSFERKG_TODAY
    assert release["version"] == f"2026-12-02+{release['input_hash'][7:19]}"
    assert release["input_hash"] == "sha256:" + input_hash(tree)
    assert release["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert release["git"] is None and release["dirty"] is False  # a tree outside git
    assert release["counts"]["claims"] == result.summary["claims"] == 7
    ds = Dataset()
    ds.parse(tmp_path / "out" / "transferkg.nq", format="nquads")
    stamp = ds.graph(URIRef(GRAPH_RELEASE))
    r = URIRef(release["iri"])
    assert (r, RDF.type, DCAT.Dataset) in stamp and (r, RDF.type, VOID.Dataset) in stamp
    assert (DATASET, DCAT.hasVersion, r) in stamp
    assert (r, DCAT.version, Literal(release["version"])) in stamp
    assert (r, VOID.triples, Literal(result.summary["triples"])) in stamp
    assert (r, DCTERMS.license, URIRef(release["license"])) in stamp
    assert (tmp_path / "out" / RELEASE_NAME).is_file()


def test_version_follows_the_inputs(tree: Path) -> None:
    day = dt.date(2026, 12, 2)
    first = describe(tree, {"claims": 7}, today=day, git=False)
    assert describe(tree, {"claims": 7}, today=day, git=False).version == first.version
    path = tree / "graph" / "mini.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('quote: "sender"', 'quote: "the sender"'),
                    encoding="utf-8")
    assert describe(tree, {"claims": 7}, today=day, git=False).version != first.version


def test_git_revision_of_a_checkout(repo: Path) -> None:
    release = describe(repo, {}, today=dt.date(2026, 12, 2))
    assert release.git is not None and len(release.git) == 40
    assert any(str(o).startswith("git:") for o in release.graph().objects(None, DCTERMS.identifier))
