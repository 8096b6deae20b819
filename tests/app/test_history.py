"""``transferkg history``: each claim's first release, read from a real git history."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import DATA, invoke, make_tree
from transferkg.app.history import first_releases

MINI = (DATA / "mini" / "mini.yaml").read_text(encoding="utf-8")


def _git(tree: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(tree), *args], capture_output=True, text=True, check=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                               "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin",
                               "GIT_COMMITTER_DATE": "2025-07-01T12:00:00Z", "GIT_AUTHOR_DATE": "2025-07-01T12:00:00Z"})
    return done.stdout.strip()


@pytest.fixture()
def history_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    """Three commits: the mini tree; a file the code cannot read; a new claim and the file fixed."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    tree = make_tree(tmp_path / "tree", "mini.yaml", MINI)
    _git(tree, "init", "-q", "-b", "main")
    _git(tree, "add", ".")
    _git(tree, "commit", "-qm", "first")
    (tree / "graph" / "broken.yaml").write_text("entities: [unclosed\n", encoding="utf-8")
    _git(tree, "add", ".")
    _git(tree, "commit", "-qm", "broken")
    (tree / "graph" / "broken.yaml").unlink()
    grown = MINI.replace('quote: "in June"}', 'quote: "in June"}\n      - {p: date, date: "2025", src: src-test-1, '
                                              'quote: "this year"}')
    assert grown != MINI
    (tree / "graph" / "mini.yaml").write_text(grown, encoding="utf-8")
    _git(tree, "add", "-A")
    _git(tree, "commit", "-qm", "third")
    commits = _git(tree, "log", "--reverse", "--format=%H").splitlines()
    return tree, commits


def test_each_claim_has_the_first_revision_that_holds_it(history_tree: tuple[Path, list[str]]) -> None:
    tree, (first, broken, third) = history_tree
    # a claim edited in the working tree is a new claim: not yet committed
    text = (tree / "graph" / "mini.yaml").read_text(encoding="utf-8")
    (tree / "graph" / "mini.yaml").write_text(text.replace('quote: "receiver"', 'quote: "the receiver"'),
                                              encoding="utf-8")
    history = first_releases(tree)
    by_commit: dict[str, list[str]] = {}
    for c in history.claims:
        by_commit.setdefault(c.commit, []).append(c.predicate.rsplit("#", 1)[-1])
    assert set(by_commit) == {"", first, third}
    assert by_commit[third] == ["date"]  # the claim the third commit added ("this year")
    assert by_commit[""] == ["receivingState"]  # edited, uncommitted
    assert len(by_commit[first]) == len(history.claims) - 2
    assert [c for c, _ in history.skipped] == [broken]  # named, not silently dropped
    assert [c for c, _ in history.revisions] == [first, third]
    assert all(c.date == "2025-07-01" for c in history.claims if c.commit)
    # the RDF: one first release per committed claim, each release dated
    graph = history.graph()
    assert len(set(graph.subjects())) == len(history.claims) - 1 + 2  # claims, and the two releases


def test_cli_formats_and_a_cached_rerun(history_tree: tuple[Path, list[str]], tmp_path: Path) -> None:
    tree, (first, _broken, third) = history_tree
    result = invoke("--root", tree, "history", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{"):])
    assert {c["commit"] for c in data["claims"]} == {first, third}
    assert any((tmp_path / "cache" / "transferkg" / "history").rglob(f"{first}.json"))
    result = invoke("--root", tree, "history")
    assert result.exit_code == 0
    assert "| first release | date | claims entering | about |" in result.output
    assert f"| {third[:12]} | 2025-07-01 | 1 | agreement-AA-BB-2025 |" not in result.output  # about the status change
    assert f"| {third[:12]} | 2025-07-01 | 1 | statuschange-AA-BB-2025-signed |" in result.output


def test_a_tree_without_history_is_refused(tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "tree", "mini.yaml", MINI)
    result = invoke("--root", tree, "history")
    assert result.exit_code == 2 and "not a git checkout" in result.output


def test_build_history_puts_the_first_releases_in_their_own_graph(history_tree: tuple[Path, list[str]],
                                                                 tmp_path: Path) -> None:
    from rdflib import Dataset, URIRef

    from transferkg.app.history import GRAPH_HISTORY, TCT_FIRST_RELEASE

    tree, (first, _broken, third) = history_tree
    out = tmp_path / "out"
    result = invoke("--root", tree, "build", "--history", "--out", out)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    ds = Dataset()
    ds.parse(out / "transferkg.nq", format="nquads")
    releases = {str(o) for _s, _p, o in ds.graph(URIRef(GRAPH_HISTORY)).triples((None, TCT_FIRST_RELEASE, None))}
    assert releases == {f"https://w3id.org/tct/release/git-{first}", f"https://w3id.org/tct/release/git-{third}"}
    assert summary["claims_with_first_release"] == summary["claims"]  # every claim is committed here
    plain = invoke("--root", tree, "build", "--out", tmp_path / "plain")  # without --history: no history graph
    assert plain.exit_code == 0 and "graph/history" not in (tmp_path / "plain" / "transferkg.nq").read_text("utf-8")
