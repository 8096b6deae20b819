"""``transferkg diff OLD NEW``: between two build folders, and between two real revisions of graph/."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from rdflib import Dataset, URIRef
from rdflib.namespace import PROV

import transferkg
from tests.helpers import REPO
from transferkg.app.build import build
from transferkg.app.diff import diff, open_snapshot
from transferkg.app.diff_output import render
from transferkg.cli import main
from transferkg.core.errors import BadParameter

# Before and after the data-truth fixes (a6f41c6: "Curated data true to its quotes").
BEFORE, AFTER = "4cefcbc", "a6f41c6"

MORE = """
  statuschange-AA-BB-2025-implemented:
    type: StatusChange
    label: "Test agreement implemented"
    claims:
      - {p: changesStatusOf, ref: agreement-AA-BB-2025, src: src-test-2, quote: "has started"}
      - {p: status, code: implemented, src: src-test-2, quote: "has started", asOf: "2025-12-12"}
"""
SOURCE_2 = """  src-test-2:
    kind: news-article
    title: "Second test article"
    url: "https://example.org/test-2"
    published: "2025-12-12"
entities:
"""


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two builds of the mini tree: the second re-ranks a capacity, adds a source and a status change."""
    from tests.helpers import DATA, make_tree

    base = tmp_path_factory.mktemp("diff")
    tree = make_tree(base / "tree", "mini.yaml", DATA / "mini" / "mini.yaml")
    build(base / "old", root=tree)
    path = tree / "graph" / "mini.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("entities:\n", SOURCE_2, 1)
    text = text.replace('qualifier: up-to, src: src-test-1, quote: "up to 50", variantOf: mini-cap}',
                        'qualifier: up-to, src: src-test-1, quote: "up to 50", variantOf: mini-cap, rank: preferred}')
    text = text.replace('{p: receivingState, state: XK, src: src-test-1, quote: "receiver"}',
                        '{p: receivingState, state: XK, src: src-test-1, quote: "the receiver"}')
    path.write_text(text + MORE, encoding="utf-8")
    build(base / "new", root=tree)
    return base / "old", base / "new"


def test_two_builds(builds: tuple[Path, Path]) -> None:
    old, new = (open_snapshot(str(p), REPO) for p in builds)
    d = diff(old, new)
    assert old.release.startswith("https://w3id.org/tct/release/")  # read from summary.json
    assert d.entities["source"]["added"] == ["https://w3id.org/tct/id/src-test-2"]
    assert d.entities["agreement"] == {"added": [], "dropped": []}
    [group] = d.groups
    assert group.agreement.endswith("agreement-AA-BB-2025")
    assert group.status == ("signed", "implemented")
    assert sorted(c.property.rsplit("#", 1)[1] for c in group.added) == ["changesStatusOf", "status"]
    changes = {(c.new.property.rsplit("#", 1)[1], tuple(c.fields)) for c in group.changed}
    assert ("capacity", ("rank",)) in changes  # same claim, re-ranked
    assert ("receivingState", ("quote",)) in changes  # re-quoted: another id, paired by subject, property, source
    assert not group.removed
    md = render(d)
    assert "- **status**: signed → implemented" in md
    assert "capacity (src-test-1): rank normal → preferred" in md
    assert render(diff(old, new)) == md  # deterministic


def test_json_and_rdf(builds: tuple[Path, Path]) -> None:
    d = diff(*(open_snapshot(str(p), REPO) for p in builds))
    data = json.loads(render(d, "json"))
    assert data["summary"]["claims changed"] == 2 and data["summary"]["claims added"] == 2
    assert data["agreements"][0]["status"] == {"old": "signed", "new": "implemented"}
    text = render(d, "rdf")
    assert render(d, "rdf") == text
    ds = Dataset()
    ds.parse(data=text, format="trig")
    names = {str(g.identifier) for g in ds.graphs()}
    removed = next(n for n in names if n.endswith("/removed"))
    added = next(n for n in names if n.endswith("/added"))
    assert len(ds.graph(URIRef(added))) > len(ds.graph(URIRef(removed))) > 0
    old_r, new_r = URIRef(d.old.release), URIRef(d.new.release)
    assert (new_r, PROV.wasRevisionOf, old_r) in ds.default_graph
    assert (URIRef(added), PROV.wasDerivedFrom, new_r) in ds.default_graph
    assert any(ds.default_graph.triples((None, PROV.wasRevisionOf, None)))


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(BadParameter, match="neither a build folder nor a git revision"):
        open_snapshot("no-such-revision-xyz", REPO)
    with pytest.raises(BadParameter, match="without transferkg.nq"):
        open_snapshot(str(tmp_path), REPO)
    with pytest.raises(BadParameter):
        open_snapshot("--output=/tmp/x", REPO)


def _has_revisions() -> bool:
    return all(subprocess.run(["git", "-C", str(REPO), "cat-file", "-e", f"{rev}^{{commit}}"],
                              capture_output=True, check=False).returncode == 0 for rev in (BEFORE, AFTER))


@pytest.mark.skipif(not _has_revisions(), reason="needs the project's git history")
def test_real_history_before_and_after_the_data_truth_fixes() -> None:
    from click.testing import CliRunner

    status = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    result = CliRunner().invoke(main, ["--root", str(REPO), "diff", BEFORE, AFTER])
    assert result.exit_code == 0, result.output
    md = result.output
    assert md.startswith(f"# Changes from {BEFORE} (4cefcbca67df) to {AFTER} (a6f41c6ad2f5)")
    # known changes of a6f41c6: Kosovo's own "up to 50" became the preferred capacity,
    # the Denmark–Kosovo treaty is ratified, its joint statement is a new source
    assert "capacity (src-bssnews-2025-06-11): rank normal → preferred" in md
    assert "## Denmark–Kosovo prison lease agreement (`agreement-DK-XK-2021-12`)" in md
    assert "- **status**: signed → ratified" in md
    assert "`src-ftdk-2021-12-20`" in md.split("**Sources added:**", 1)[1].split("\n", 1)[0]
    assert "**Sources dropped:**" in md
    # the working tree and HEAD are untouched
    after = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    assert after == status


def test_first_releases_on_the_real_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``transferkg history`` on this repository: the claims the data-truth fixes added enter at a6f41c6."""
    from transferkg.app.history import first_releases

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    history = first_releases(REPO)
    commits = subprocess.run(["git", "-C", str(REPO), "log", "--format=%H", "--", "graph", "ontology"],
                             capture_output=True, text=True, check=True).stdout.split()
    entered = {c.commit for c in history.claims}
    assert entered - {""} <= set(commits)
    assert any(c.startswith(AFTER) for c in entered)  # a6f41c6 brought claims of its own
    # Kosovo's "up to 50" capacity claim: in the graph since the first commit that held it in this form
    kosovo = [c for c in history.claims if c.subject.endswith("agreement-US-XK-2025-06") and
              c.predicate.endswith("#capacity")]
    assert kosovo and all(c.commit and c.date for c in kosovo)
    assert len(history.claims) == transferkg.load(REPO).stats().summary()["claims"]  # every claim has its line
