"""Virtuoso 7 as a tested engine: push the built graph through its protocols, compare with the embedded backend.

One ``virtuoso-t`` per session, on free 127.0.0.1 ports with its own temporary
database, stopped by its process id. Data goes in as any endpoint's would: the
Graph Store Protocol at ``/sparql-graph-crud-auth`` and SPARQL Update at
``/sparql-auth``, both with digest auth as ``dba``; queries go to ``/sparql``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import BNode
from rdflib.term import Node

from tests.helpers import LOOPBACK, PARAM_CASES, REPO
from transferkg.app.connect import connect, push
from transferkg.app.kg import KnowledgeGraph
from transferkg.app.server import free_port
from transferkg.store.remote import EndpointSettings

pytestmark = pytest.mark.server

NAMED = "https://w3id.org/tct/graph/all"
DEFAULT = "urn:transferkg:virtuoso:default"
"""Virtuoso has no default graph of its own (without a dataset a query reads every graph, its system
graphs included, and ``MOVE … TO DEFAULT`` is refused): the ini's ``[SPARQL] DefaultGraph`` declares
this graph as the one queries without a dataset read; push names it like any graph."""

_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{isql}
DirsAllowed = {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
DefaultGraph = {default}
"""


class Virtuoso:
    """``virtuoso-t +foreground`` with a minimal ini in ``folder``; a context manager stopping it by pid."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.http_port, self.isql_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.process: subprocess.Popen[bytes] | None = None

    def settings(self, **overrides: Any) -> EndpointSettings:
        """Queries at /sparql, updates at /sparql-auth, uploads at /sparql-graph-crud-auth (digest, dba)."""
        return EndpointSettings(self.base + "/sparql", update_url=self.base + "/sparql-auth",
                                store_url=self.base + "/sparql-graph-crud-auth", auth="digest",
                                user="dba", password="dba", **overrides)

    def __enter__(self) -> Virtuoso:
        ini = self.folder / "virtuoso.ini"
        ini.write_text(_INI.format(d=self.folder, isql=self.isql_port, http=self.http_port, default=DEFAULT),
                       encoding="utf-8")
        log = (self.folder / "stdout.log").open("wb")
        self.process = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(ini)], cwd=self.folder,
                                        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited: {(self.folder / 'stdout.log').read_text()[-2000:]}")
            try:
                with LOOPBACK.open(self.base + "/sparql?query=ASK%7B%7D", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("virtuoso-t did not answer /sparql within 60 s")

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # by its pid
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    if shutil.which("virtuoso-t") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("virtuoso-t is missing (.ci/run installs virtuoso-opensource-7-bin)")
        pytest.skip("virtuoso-t is not installed (apt-get install virtuoso-opensource-7-bin)")
    with Virtuoso(tmp_path_factory.mktemp("virtuoso-db")) as server:
        yield server
    assert server.process is not None and server.process.poll() is not None


@pytest.fixture(scope="session")
def loaded(virtuoso: Virtuoso, kg: KnowledgeGraph) -> Virtuoso:
    """The curated graph pushed into the declared default graph and into a named graph."""
    assert push(kg, virtuoso.settings(graph=DEFAULT, union_default_graph=True)).triples == len(kg)
    assert push(kg, virtuoso.settings(graph=NAMED)).triples == len(kg)
    return virtuoso


def _key(term: Node | None) -> tuple[str, str]:
    if term is None:
        return ("", "")
    if isinstance(term, BNode):
        return ("BNode", "")
    return (type(term).__name__, term.n3())


def _rows(result: Any) -> list[tuple[tuple[str, str], ...]]:
    return sorted(tuple(_key(t) for t in row) for row in result.rows)


QUERIES = sorted(path.stem for path in (REPO / "queries").glob("*.rq"))
KNOWN: dict[str, str] = {}
"""Library queries whose rows still differ on Virtuoso, and why (see the README, Remote endpoints)."""


def _remote(server: Virtuoso, where: str) -> KnowledgeGraph:
    """``default``: no dataset sent, the ini's DefaultGraph answers; ``named``: default-graph-uri=NAMED."""
    if where == "named":
        return connect(server.settings(graph=NAMED), root=REPO)
    return connect(server.settings(graph=DEFAULT, union_default_graph=True), root=REPO)


@pytest.mark.parametrize("where", ["named"])
@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(reason=KNOWN[n], strict=True))
                                  if n in KNOWN else n for n in QUERIES])
def test_library_query_rows(loaded: Virtuoso, kg: KnowledgeGraph, name: str, where: str) -> None:
    assert _rows(_remote(loaded, where).run_result(name)) == _rows(kg.run_result(name))


# PARAM_CASES are bound as the remote backend binds them (at the start of WHERE: BIND for one term,
# VALUES for several; a one-row VALUES deadlocked Virtuoso on agreements, see the README).
KNOWN_PARAMS: dict[str, str] = {}
WEDGES: dict[str, str] = {}
"""Cases that wedge the server (see the README's Virtuoso quirks): skipped, never run against the shared server.

None now. status_on_date with day and operative was one until the query stopped writing its HAVING as
``(COALESCE(?operativeStatus, false) && MIN(?age) <= 12) = ?_operative``: with ``?_operative`` bound by
BIND, Virtuoso 7.2.5's SQL compiler never finished a HAVING comparing a group key ``&&`` an aggregate
with a constant while the ORDER BY named that key or an expression of it (100% CPU, no other request
answered until restarted); the query now keeps the group key inside the aggregate.
"""


def _param_case(n: str, p: dict[str, str]) -> Any:
    key = f"{n} {p}"
    if key in WEDGES:
        return pytest.param(n, p, marks=pytest.mark.skip(reason=WEDGES[key]))
    if key in KNOWN_PARAMS:
        return pytest.param(n, p, marks=pytest.mark.xfail(reason=KNOWN_PARAMS[key], strict=True))
    return (n, p)


@pytest.mark.parametrize(("name", "params"), [_param_case(n, p) for n, p in PARAM_CASES],
                         ids=[f"{n}-{p}" for n, p in PARAM_CASES])
def test_library_query_rows_with_parameters(loaded: Virtuoso, kg: KnowledgeGraph, name: str,
                                            params: dict[str, str]) -> None:
    expected = kg.run_result(name, params)
    assert len(expected) > 0  # a case that matches nothing would prove nothing
    assert _rows(_remote(loaded, "named").run_result(name, params)) == _rows(expected)


@pytest.mark.parametrize("where", ["named"])
def test_checks_stats_and_a_view(loaded: Virtuoso, kg: KnowledgeGraph, where: str) -> None:
    import dataclasses

    from transferkg import views

    remote = _remote(loaded, where)
    assert len(remote) == len(kg)
    local_checks, remote_checks = kg.check(), remote.check()
    assert {n: _rows(r) for n, r in remote_checks.items()} == {n: _rows(r) for n, r in local_checks.items()}
    assert dataclasses.asdict(remote.stats()) == dataclasses.asdict(kg.stats())
    a, b = views.deal_network(kg), views.deal_network(remote)
    assert sorted((str(u), str(v), repr(sorted(d.items()))) for u, v, d in b.edges(data=True)) == sorted(
        (str(u), str(v), repr(sorted(d.items()))) for u, v, d in a.edges(data=True))
    assert sorted(map(str, b.nodes)) == sorted(map(str, a.nodes))


def test_push_twice_leaves_one_copy_and_no_staging_graph(loaded: Virtuoso, kg: KnowledgeGraph) -> None:
    assert push(kg, loaded.settings(graph=NAMED)).triples == len(kg)
    assert len(connect(loaded.settings(graph=NAMED))) == len(kg)
    store = connect(loaded.settings()).store
    graphs = store._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "
                           "'urn:transferkg:staging:')) }", dataset=False)  # type: ignore[attr-defined]
    assert graphs.rows == []


def test_the_default_graph_is_every_graph(loaded: Virtuoso, kg: KnowledgeGraph) -> None:
    """Without a dataset Virtuoso reads all graphs (its own included) as a bag: a triple in two graphs counts twice.

    So a query sent without ``default-graph-uri`` sees both copies pushed above and
    more; the ini's ``DefaultGraph`` does not change that for ``/sparql``. Use a named
    graph (``--graph IRI``) with Virtuoso.
    """
    union = connect(loaded.settings(union_default_graph=True))
    assert len(union) > 2 * len(kg)


def test_the_readme_recipe_from_the_command_line(virtuoso: Virtuoso, kg: KnowledgeGraph, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's recipe: an endpoints.ini section, then ``push``, ``query`` and ``check`` with --endpoint."""
    from tests.helpers import invoke
    from transferkg.app.build import TURTLE_NAME

    for var in ("USER", "PASSWORD", "TOKEN", "AUTH", "GRAPH", "TIMEOUT"):
        monkeypatch.delenv(f"TRANSFERKG_ENDPOINT_{var}", raising=False)
    url, graph = virtuoso.base + "/sparql", "urn:transferkg:test:recipe"
    config = tmp_path / "endpoints.ini"
    config.write_text(f"[{url}]\nupdate_url = {virtuoso.base}/sparql-auth\n"
                      f"store_url = {virtuoso.base}/sparql-graph-crud-auth\nauth = digest\nuser = dba\n"
                      f"password = dba\ngraph = {graph}\n", encoding="utf-8")
    monkeypatch.setenv("TRANSFERKG_ENDPOINT_CONFIG", str(config))
    build = tmp_path / "build"
    build.mkdir()
    kg.graph.serialize(build / TURTLE_NAME, format="turtle")
    result = invoke("--root", REPO, "push", "--endpoint", url, "--build", build)
    assert result.exit_code == 0, result.output
    assert f"Pushed {len(kg)} triples into graph <{graph}>" in result.stdout
    result = invoke("--root", REPO, "query", "earliest_reports", "--format", "csv", "--endpoint", url)
    assert result.exit_code == 0 and "0 triples" not in result.stderr
    assert result.stdout.strip().count("\n") == len(kg.run_result("earliest_reports"))
    result = invoke("--root", REPO, "check", "--endpoint", url)
    assert result.exit_code == 0, result.output
    assert "ok   dangling_references" in result.stdout
    result = invoke("--root", REPO, "check", "--endpoint", url, "--graph", "urn:transferkg:test:nothing")
    assert result.exit_code == 2 and "0 triples in graph <urn:transferkg:test:nothing>" in result.stderr


def test_ask_answers_read_as_booleans(loaded: Virtuoso) -> None:
    """Virtuoso answers ASK as one SELECT row (``__ASK_RETVAL`` 1 or 0); the store reads it as a boolean."""
    store = connect(loaded.settings(graph=NAMED)).store
    assert store.ask("ASK { ?s ?p ?o }") is True
    assert store.ask("ASK { <urn:transferkg:test:nothing> ?p ?o }") is False
