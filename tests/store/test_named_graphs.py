"""Named graphs without surprises: ``--graph IRI`` on every command that takes ``--endpoint``, and an
empty graph is never read silently (a warning; ``check`` refuses, exit 2). Against a real Oxigraph server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from tests.helpers import REPO, invoke
from transferkg.app.connect import push
from transferkg.app.kg import KnowledgeGraph
from transferkg.app.server import OxigraphServer
from transferkg.cli import main

pytestmark = pytest.mark.server

NAMED = "https://w3id.org/tct/graph/all"
EMPTY = "0 triples in the default graph"


@pytest.fixture(autouse=True)
def _no_endpoint_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("USER", "PASSWORD", "TOKEN", "AUTH", "GRAPH", "TIMEOUT"):
        monkeypatch.delenv(f"TRANSFERKG_ENDPOINT_{var}", raising=False)
    (tmp_path / "endpoints.ini").write_text("", encoding="utf-8")
    monkeypatch.setenv("TRANSFERKG_ENDPOINT_CONFIG", str(tmp_path / "endpoints.ini"))


@pytest.fixture(scope="module")
def named_only(tmp_path_factory: pytest.TempPathFactory, kg: KnowledgeGraph) -> Iterator[str]:
    """An Oxigraph server holding the curated graph in a named graph only (its default graph empty)."""
    with OxigraphServer(tmp_path_factory.mktemp("oxigraph-named")) as server:
        assert push(kg, server.url, graph=NAMED).triples == len(kg)
        yield server.url


def _run(*args: str) -> tuple[int, str, str]:
    result = invoke("--root", REPO, *args)
    return result.exit_code, result.stdout, result.stderr


def test_every_endpoint_command_takes_graph() -> None:
    with_endpoint = []
    for name, command in main.commands.items():
        opts = {opt for param in command.params if isinstance(param, click.Option) for opt in param.opts}
        if "--endpoint" in opts:
            with_endpoint.append(name)
            assert "--graph" in opts, name
    assert {"query", "check", "stats", "sparql", "view", "network", "export", "show", "push"} <= set(with_endpoint)


def test_query_and_stats_warn_over_an_empty_default_graph(named_only: str, kg: KnowledgeGraph) -> None:
    code, out, err = _run("query", "current_status", "--format", "csv", "--endpoint", named_only)
    assert code == 0 and EMPTY in err and "--graph IRI" in err
    assert out.strip().count("\n") == 0  # the header only
    code, out, err = _run("query", "current_status", "--format", "csv", "--endpoint", named_only, "--graph", NAMED)
    assert code == 0 and "0 triples" not in err
    assert out.strip().count("\n") == len(kg.run_result("current_status"))
    code, out, err = _run("stats", "--endpoint", named_only)
    assert code == 0 and EMPTY in err
    code, out, err = _run("stats", "--format", "json", "--endpoint", named_only, "--graph", NAMED)
    assert code == 0 and "0 triples" not in err


def test_check_refuses_an_empty_graph(named_only: str) -> None:
    code, out, err = _run("check", "--endpoint", named_only)
    assert code == 2
    assert EMPTY in err and "does not report success" in err
    assert "ok  " not in out
    code, _out, err = _run("check", "--endpoint", named_only, "--graph", "urn:transferkg:test:nothing-here")
    assert code == 2 and "0 triples in graph <urn:transferkg:test:nothing-here>" in err
    code, out, err = _run("check", "--endpoint", named_only, "--graph", NAMED)
    assert code == 0, out + err
    assert "0 triples" not in err and "ok   dangling_references" in out


def test_views_and_sparql_read_the_named_graph(named_only: str, tmp_path: Path) -> None:
    code, out, err = _run("sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv",
                          "--endpoint", named_only, "--graph", NAMED)
    assert code == 0 and "0 triples" not in err and int(out.split()[-1]) > 20000
    code, out, err = _run("export", "--format", "csv", "--output", str(tmp_path / "edges.csv"),
                          "--endpoint", named_only, "--graph", NAMED)
    assert code == 0, err
    assert "0 triples" not in err and (tmp_path / "edges.csv").stat().st_size > 100


def test_graph_without_endpoint_is_an_error() -> None:
    code, _out, err = _run("query", "current_status", "--graph", NAMED)
    assert code == 2 and "--endpoint" in err
