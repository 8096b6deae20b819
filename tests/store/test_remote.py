"""The remote backend against a real Oxigraph server (and tiny fake servers), loopback only.

The embedded reference rows (rdflib, slow on the bigger queries) are computed in a
forked process while the server tests run, so the file stays well under a minute.
"""

from __future__ import annotations

import base64
import json
import multiprocessing as mp
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from tests.helpers import LOOPBACK, REPO, QuietHandler, dump_dom, package_env, run_cli
from transferkg.app.connect import connect
from transferkg.app.kg import KnowledgeGraph
from transferkg.app.server import OxigraphServer, free_port
from transferkg.cli import main
from transferkg.core.errors import BadParameter, EndpointError
from transferkg.store.remote import EndpointSettings, RemoteStore, inject_values, push

pytestmark = pytest.mark.server

NAMED = "https://w3id.org/tct/graph/all"
ID = "https://w3id.org/tct/id/"
TCT = "https://w3id.org/tct/ontology#"

# Library queries run with explicit parameters too: one per parameter type.
PARAM_CASES: list[tuple[str, dict[str, str]]] = [
    ("agreements", {"host": "XK"}),
    ("agreements", {"sender": "US"}),
    ("claims_about", {"subject": "agreement-US-XK-2025-06", "property": "tct:capacity"}),
    ("current_status", {"status": "in-force"}),
    ("status_on_date", {"day": "2025-06-30"}),
    ("transfers", {"host": "SZ"}),
]


# --------------------------------------------------------------------------- reference rows


def _key(term: Node | None) -> tuple[str, str]:
    if term is None:
        return ("", "")
    if isinstance(term, BNode):
        return ("BNode", "")  # labels are local to each result set
    return (type(term).__name__, term.n3())


def _rows(result: Any) -> tuple[list[str], list[tuple[Node | None, ...]]]:
    """Variables and rows sorted, blank nodes made anonymous (labels differ between stores)."""
    rows = [tuple(BNode("b") if isinstance(t, BNode) else t for t in row) for row in result.rows]
    return list(result.vars), sorted(rows, key=lambda row: tuple(_key(t) for t in row))


VIEWS = ("deal_network", "state_agreement_bipartite", "nationality_flows", "provenance", "recognition")


def _views(kg: Any) -> dict[str, Any]:
    """The NetworkX views (nodes and edges with their data)."""
    from transferkg import views

    out = {}
    for name in VIEWS:
        graph = getattr(views, name)(kg)
        out[name] = (sorted((str(n), repr(sorted(d.items()))) for n, d in graph.nodes(data=True)),
                     sorted((str(u), str(v), repr(sorted(d.items()))) for u, v, d in graph.edges(data=True)))
    return out


def _everything(kg: KnowledgeGraph) -> dict[str, Any]:
    """Every library query (defaults and PARAM_CASES), every check, stats and views."""
    import dataclasses

    out: dict[str, Any] = {q.name: _rows(kg.run_result(q.name)) for q in kg.queries}
    for name, params in PARAM_CASES:
        out[f"{name} {params}"] = _rows(kg.run_result(name, params))
    out["checks"] = {name: _rows(result) for name, result in kg.check().items()}
    out["stats"] = dataclasses.asdict(kg.stats())
    out["views"] = _views(kg)
    return out


_FORKED: dict[str, KnowledgeGraph] = {}


def _forked_reference() -> dict[str, Any]:
    return _everything(_FORKED["kg"])


class _Done:
    def __init__(self, value: dict[str, Any]) -> None:
        self.value = value

    def get(self, timeout: float | None = None) -> dict[str, Any]:
        return self.value


@pytest.fixture(scope="module", autouse=True)
def reference(kg: KnowledgeGraph) -> Iterator[Any]:
    """The embedded backend's answers, computed in a forked process from the start of the module."""
    if "fork" not in mp.get_all_start_methods():
        yield _Done(_everything(kg))
        return
    _FORKED["kg"] = kg
    pool = mp.get_context("fork").Pool(1)
    try:
        yield pool.apply_async(_forked_reference)
    finally:
        pool.terminate()  # by its pid, also when a test failed before the rows were needed
        pool.join()


# --------------------------------------------------------------------------- servers


@pytest.fixture(scope="session")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """`oxigraph serve` on a free 127.0.0.1 port with a temporary database, stopped by pid."""
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-db"))
    with server:
        assert server.url.startswith("http://127.0.0.1:")
        yield server
    assert not server.running


@pytest.fixture(scope="session")
def pushed(oxigraph: OxigraphServer, kg: KnowledgeGraph) -> OxigraphServer:
    """The curated graph pushed into the default graph and into a named graph."""
    assert push(kg, oxigraph.url).triples == len(kg)
    assert push(kg, oxigraph.url, graph=NAMED).triples == len(kg)
    return oxigraph


class Fake(QuietHandler):
    """Endpoints by path prefix: /ok, /500, /hang, /auth, /busy, /always429, /acceptput."""

    requests: list[dict[str, Any]] = []
    busy_calls = 0
    upstream = ""
    """/failmove forwards updates to this real endpoint, except the final MOVE of a push."""
    upstream_token = ""
    """The write token of the upstream server (a writable OxigraphServer refuses writes without it)."""
    SELECT = {"head": {"vars": ["iri", "typed", "lang", "plain", "blank", "unbound"]},
              "results": {"bindings": [{
                  "iri": {"type": "uri", "value": ID + "state-XK"},
                  "typed": {"type": "literal", "value": "2025-06-11", "datatype": str(XSD.date)},
                  "lang": {"type": "literal", "value": "Kosovo", "xml:lang": "en"},
                  "plain": {"type": "literal", "value": "x", "datatype": str(XSD.string)},
                  "blank": {"type": "bnode", "value": "b0"},
              }]}}

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        Fake.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                              "body": body})
        mode = self.path.split("/")[1]
        json_type = {"Content-Type": "application/sparql-results+json"}
        if mode == "ok":
            self.answer(200, json.dumps(self.SELECT).encode(), json_type)
        elif mode == "500":
            self.answer(500, b"internal trouble", {"Content-Type": "text/plain"})
        elif mode == "hang":
            time.sleep(3)
            self.answer(200, json.dumps(self.SELECT).encode(), json_type)
        elif mode == "auth":
            if self.headers.get("Authorization") in ("Bearer t0ken-value",
                                                     "Basic " + base64.b64encode(b"alice:good").decode()):
                self.answer(200, json.dumps(self.SELECT).encode(), json_type)
            else:
                self.answer(401, b"who are you", {"WWW-Authenticate": 'Basic realm="tct"'})
        elif mode == "busy":
            Fake.busy_calls += 1
            if Fake.busy_calls == 1:
                self.answer(503, b"later", {"Retry-After": "1"})
            else:
                self.answer(200, json.dumps(self.SELECT).encode(), json_type)
        elif mode == "always429":
            self.answer(429, b"slow down", {"Retry-After": "0"})
        elif mode == "failmove":
            if b"MOVE" in body:
                self.answer(500, b"lost power during the swap", {"Content-Type": "text/plain"})
                return
            request = urllib.request.Request(Fake.upstream + "/update", data=body, method="POST",
                                             headers={"Content-Type": self.headers["Content-Type"],
                                                      "Authorization": f"Bearer {Fake.upstream_token}"})
            with LOOPBACK.open(request, timeout=10) as response:
                self.answer(response.status, response.read())
        elif mode == "acceptput":
            self.answer(204)  # accepts the upload and stores nothing
        else:
            self.answer(404, b"no such thing")

    def do_GET(self) -> None:  # noqa: N802 (http.server's names)
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def do_PUT(self) -> None:  # noqa: N802
        self._handle()


@pytest.fixture(scope="module")
def fake() -> Iterator[str]:
    """Tiny misbehaving endpoints on 127.0.0.1 (a thread of this process)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Fake)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*"))


# --------------------------------------------------------------------------- settings and VALUES


def test_settings_urls_credentials_and_repr(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("USER", "PASSWORD", "TOKEN", "AUTH", "GRAPH", "TIMEOUT"):
        monkeypatch.delenv(f"TRANSFERKG_ENDPOINT_{var}", raising=False)
    (tmp_path / "empty.ini").write_text("", encoding="utf-8")
    monkeypatch.setenv("TRANSFERKG_ENDPOINT_CONFIG", str(tmp_path / "empty.ini"))
    base = EndpointSettings("http://127.0.0.1:7878/")
    assert (base.query_url, base.update_url, base.store_url) == (
        "http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update", "http://127.0.0.1:7878/store")
    assert EndpointSettings("http://h:1/query").update_url == "http://h:1/update"
    single = EndpointSettings("http://h:1/repositories/tct/sparql")
    assert single.update_url == single.query_url and single.store_url is None
    assert EndpointSettings("http://h").user_agent.startswith("transferkg/")

    config = tmp_path / "endpoints.ini"
    config.write_text("[DEFAULT]\ntimeout = 5\n[http://h:1]\nauth = digest\nuser = bob\n"
                      "password = pa%ss-in-file\ngraph = https://w3id.org/tct/graph/all\n", encoding="utf-8")
    monkeypatch.setenv("TRANSFERKG_ENDPOINT_CONFIG", str(config))
    from_file = EndpointSettings.resolve("http://h:1/")
    assert (from_file.auth, from_file.user, from_file.graph) == ("digest", "bob", NAMED)
    assert from_file.dataset == [("default-graph-uri", NAMED)]
    assert EndpointSettings.resolve("http://h:1", union_default_graph=True).dataset == []
    monkeypatch.setenv("TRANSFERKG_ENDPOINT_PASSWORD", "s3cret-from-env")
    from_env = EndpointSettings.resolve("http://h:1", timeout=2)
    assert from_env.password == "s3cret-from-env" and from_env.timeout == 2
    assert EndpointSettings.resolve("http://other").timeout == 5  # [DEFAULT] applies everywhere

    in_url = EndpointSettings("http://carol:url-s3cret@127.0.0.1:9/")
    assert (in_url.user, in_url.password, in_url.url) == ("carol", "url-s3cret", "http://127.0.0.1:9")
    for settings in (from_file, from_env, in_url, EndpointSettings("http://h", token="tok-s3cret")):
        shown = repr(settings) + str(settings) + repr(RemoteStore(settings))
        assert "s3cret" not in shown and "pa%ss" not in shown
        assert "credentials=<hidden>" in repr(settings)
    with pytest.raises(BadParameter):
        EndpointSettings("ftp://h")
    with pytest.raises(BadParameter):
        EndpointSettings("http://h", graph="not an iri")
    with pytest.raises(BadParameter, match="needs a token"):
        EndpointSettings("http://h", auth="bearer")


def test_values_go_into_the_top_level_where_group() -> None:
    x = URIRef(ID + "state-XK")
    query = ('PREFIX t: <https://w3id.org/tct/ontology#>\n# WHERE { not here\n'
             'SELECT ?s ("{" AS ?brace) ?where WHERE { ?s t:where ?host . FILTER(?s < ?host) }')
    head, body = query.split("?where WHERE {")
    assert inject_values(query, {"host": x}) == (
        head + "?where WHERE {\n  BIND (<https://w3id.org/tct/id/state-XK> AS ?host)\n" + body)
    assert inject_values(query, {"host": (x,)}) == inject_values(query, {"host": x})  # one row: BIND
    assert inject_values(query, {"host": (x, URIRef(ID + "state-SV"))}) == (
        head + "?where WHERE {\n  VALUES ?host { <https://w3id.org/tct/id/state-XK> <https://w3id.org/tct/id/state-SV> }\n"
        + body)
    exists = "PREFIX where: <urn:w#> SELECT (EXISTS { ?s ?p ?o } AS ?e) { ?s where:p ?o }"
    assert inject_values(exists, {"o": x}).endswith(
        "AS ?e) {\n  BIND (<https://w3id.org/tct/id/state-XK> AS ?o)\n ?s where:p ?o }")
    construct = "CONSTRUCT { ?s ?p '''}''' } { ?s ?p ?o }"
    out = inject_values(construct, {"p": URIRef(TCT + "capacity")})
    assert out.startswith("CONSTRUCT { ?s ?p '''}''' } {\n  BIND (<https://w3id.org/tct/ontology#capacity> AS ?p)")
    three = '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert inject_values("ASK{?a ?b ?c}", {"a": Literal(3)}) == f"ASK{{\n  BIND ({three} AS ?a)\n?a ?b ?c}}"
    assert inject_values("SELECT * {}", None) == "SELECT * {}"
    with pytest.raises(BadParameter):
        inject_values("SELECT * {}", {"bad name": x})
    with pytest.raises(BadParameter):
        inject_values("SELECT * {}", {"b": BNode()})
    with pytest.raises(BadParameter):
        inject_values("SELECT * {}", {"i": URIRef("urn:x> } DROP ALL ; <urn:y")})


# --------------------------------------------------------------------------- against Oxigraph


def test_bound_values_cannot_escape_their_literal(pushed: OxigraphServer) -> None:
    store = RemoteStore(EndpointSettings(pushed.url))
    nasty = Literal('"} ; DROP ALL ; SELECT * { "\\ \n\'\'\'', lang="en")
    result = store.select("SELECT ?x WHERE { }", {"x": nasty})
    assert result.rows == [(nasty,)]
    day = Literal("2025-06-30", datatype=XSD.date)
    assert store.ask("ASK { FILTER(?d = \"2025-06-30\"^^<http://www.w3.org/2001/XMLSchema#date>) }", {"d": day})
    assert store.triple_count() > 20000


def test_push_twice_leaves_one_copy(pushed: OxigraphServer, kg: KnowledgeGraph) -> None:
    result = push(kg, pushed.url)
    assert result.triples == len(kg)
    assert len(connect(pushed.url)) == len(kg)
    assert len(connect(pushed.url, graph=NAMED)) == len(kg)
    # no staging graph is left behind
    store = RemoteStore(EndpointSettings(pushed.url))
    graphs = store._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", dataset=False)
    assert [str(row[0]) for row in graphs.rows] == [NAMED]


def test_construct_and_update_round_trip(pushed: OxigraphServer) -> None:
    graph_iri = "urn:transferkg:test:update"
    kg = connect(pushed.url, graph=graph_iri)
    store = kg.store
    assert isinstance(store, RemoteStore)
    store.add_triples([(URIRef(ID + "a"), RDFS.label, Literal("Ä \"quoted\"\nline", lang="de")),
                       (URIRef(ID + "a"), RDF.value, Literal("7", datatype=XSD.integer))])
    assert len(kg) == 2
    graph = kg.graph
    assert (URIRef(ID + "a"), RDFS.label, Literal("Ä \"quoted\"\nline", lang="de")) in graph
    assert graph.value(URIRef(ID + "a"), RDF.value) == Literal(7)
    store.update(f"DROP GRAPH <{graph_iri}>")
    assert len(kg) == 0


def test_remote_validate_uses_the_local_shapes(oxigraph: OxigraphServer) -> None:
    from transferkg.rules.validate import validate_graph

    # As the shape-case tests do: ontology + code lists + one failing case, no derive step.
    data, shapes = Graph(), Graph()
    for path in [REPO / "ontology" / "tct.ttl", *sorted((REPO / "ontology" / "vocab").glob("*.ttl")),
                 REPO / "tests" / "shapes" / "cases" / "fail-claim-structure.ttl"]:
        data.parse(path, format="turtle")
    for path in sorted((REPO / "ontology" / "shapes").glob("*.ttl")):
        shapes.parse(path, format="turtle")
    push(data, oxigraph.url, graph="urn:transferkg:test:shapes")
    remote = connect(oxigraph.url, root=REPO, graph="urn:transferkg:test:shapes").validate()
    local = validate_graph(data, shapes)
    assert not remote.conforms
    assert len(remote.violations) == len(local.violations) > 5
    assert len(remote.warnings) == len(local.warnings)


def test_interrupted_push_leaves_the_previous_data(oxigraph: OxigraphServer, fake: str) -> None:
    target = "urn:transferkg:test:interrupted"
    before = Graph()
    for i in range(3):
        before.add((URIRef(f"{ID}old-{i}"), RDFS.label, Literal(f"old {i}")))
    after = Graph()
    for i in range(50):
        after.add((URIRef(f"{ID}new-{i}"), RDFS.label, Literal(f"new {i}")))
    push(before, oxigraph.url, graph=target)

    def still_there() -> None:
        kg = connect(oxigraph.url, graph=target)
        assert len(kg) == 3
        assert len(kg.query("SELECT ?s WHERE { ?s ?p \"old 1\" }")) == 1

    # The staging upload works, the final swap (one SPARQL Update request) fails.
    Fake.upstream, Fake.upstream_token = oxigraph.url, oxigraph.token or ""
    with pytest.raises(EndpointError, match="final swap") as failed:
        push(after, oxigraph.url, graph=target, update_url=fake + "/failmove/update")
    assert f"{fake}/failmove/update" in str(failed.value) and "lost power" in str(failed.value)
    still_there()
    # The upload "succeeds" but nothing arrives: the count check stops the push before the swap.
    with pytest.raises(EndpointError, match="untouched"):
        push(after, oxigraph.url, graph=target, store_url=fake + "/acceptput/store")
    still_there()
    # The server dies before the swap (nothing listens on the update URL any more).
    with pytest.raises(EndpointError, match="connection refused"):
        push(after, oxigraph.url, graph=target, update_url=f"http://127.0.0.1:{free_port()}/update")
    still_there()
    # And the next push goes through, replacing the leftover staging graph.
    assert push(after, oxigraph.url, graph=target).triples == 50
    assert len(connect(oxigraph.url, graph=target)) == 50


def test_push_without_graph_store_uses_insert_data(oxigraph: OxigraphServer) -> None:
    data = Graph()
    for i in range(12):
        data.add((URIRef(f"{ID}n-{i}"), RDFS.label, Literal(f"n {i}")))
    for _ in range(2):
        result = push(data, oxigraph.url, graph="urn:transferkg:test:insert", store_url=None, batch_size=5)
        assert result.method == "SPARQL INSERT DATA"
    assert len(connect(oxigraph.url, graph="urn:transferkg:test:insert")) == 12


# --------------------------------------------------------------------------- errors


def test_stopped_server_is_a_clear_error_and_exit_2(tmp_path: Path) -> None:
    server = OxigraphServer(port=None)
    with server:
        url = server.url
    with pytest.raises(EndpointError, match="connection refused") as error:
        len(connect(url))
    assert f"{url}/query" in str(error.value)
    code, out, err = run_cli("stats", "--endpoint", url, cwd=tmp_path)
    assert code == 2
    assert f"{url}/query" in err and "connection refused" in err and "Traceback" not in err
    build = tmp_path / "build"
    build.mkdir()
    Graph().add((URIRef(ID + "x"), RDFS.label, Literal("x"))).serialize(build / "transferkg.ttl")
    code, out, err = run_cli("push", "--endpoint", url, "--build", str(build), cwd=tmp_path)
    assert code == 2 and "connection refused" in err and "Traceback" not in err
    assert _files(tmp_path) == [build, build / "transferkg.ttl"]  # nothing written locally


def test_http_errors_are_endpoint_errors(fake: str, tmp_path: Path) -> None:
    with pytest.raises(EndpointError, match="HTTP 500.*internal trouble") as error:
        connect(fake + "/500").query("SELECT * {}")
    assert f"{fake}/500/query" in str(error.value)
    with pytest.raises(EndpointError, match="HTTP 404"):
        connect(fake + "/nothing").query("SELECT * {}")
    started = time.monotonic()
    with pytest.raises(EndpointError, match="did not answer within 0.5 s"):
        connect(fake + "/hang", timeout=0.5).query("SELECT * {}")
    assert time.monotonic() - started < 2.5
    code, _out, err = run_cli("stats", "--endpoint", fake + "/500", cwd=tmp_path)
    assert code == 2 and "HTTP 500" in err and "Traceback" not in err
    assert _files(tmp_path) == []


def test_auth_is_sent_and_never_echoed(fake: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "empty.ini").write_text("", encoding="utf-8")
    monkeypatch.setenv("TRANSFERKG_ENDPOINT_CONFIG", str(tmp_path / "empty.ini"))
    for var in ("TOKEN", "AUTH", "GRAPH", "TIMEOUT"):
        monkeypatch.delenv(f"TRANSFERKG_ENDPOINT_{var}", raising=False)
    monkeypatch.delenv("TRANSFERKG_ENDPOINT_USER", raising=False)
    monkeypatch.delenv("TRANSFERKG_ENDPOINT_PASSWORD", raising=False)
    with pytest.raises(EndpointError, match="HTTP 401.*needs credentials"):
        connect(fake + "/auth").query("SELECT * {}")
    monkeypatch.setenv("TRANSFERKG_ENDPOINT_USER", "alice")
    monkeypatch.setenv("TRANSFERKG_ENDPOINT_PASSWORD", "wrong-s3cret")
    with pytest.raises(EndpointError, match="credentials were refused") as error:
        connect(fake + "/auth").query("SELECT * {}")
    assert "s3cret" not in str(error.value)
    code, out, err = run_cli("stats", "--endpoint", fake + "/auth", cwd=tmp_path)
    assert code == 2 and "HTTP 401" in err and "s3cret" not in out + err and "Traceback" not in err
    monkeypatch.setenv("TRANSFERKG_ENDPOINT_PASSWORD", "good")
    assert len(connect(fake + "/auth").query("SELECT * {}")) == 1
    monkeypatch.delenv("TRANSFERKG_ENDPOINT_USER")
    monkeypatch.setenv("TRANSFERKG_ENDPOINT_TOKEN", "t0ken-value")
    assert len(connect(fake + "/auth").query("SELECT * {}")) == 1
    assert Fake.requests[-1]["headers"]["Authorization"] == "Bearer t0ken-value"


def test_retry_after_is_honoured(fake: str) -> None:
    Fake.busy_calls = 0
    started = time.monotonic()
    assert len(connect(fake + "/busy").query("SELECT * {}")) == 1
    assert Fake.busy_calls == 2 and time.monotonic() - started >= 0.9
    before = len(Fake.requests)
    with pytest.raises(EndpointError, match="HTTP 429.*after 3 attempt"):
        connect(fake + "/always429").query("SELECT * {}")
    assert len(Fake.requests) - before == 3


def test_protocol_details_and_terms(fake: str) -> None:
    kg = connect(fake + "/ok", graph=NAMED)
    result = kg.query("SELECT * WHERE { ?s ?p ?o }")
    assert result.vars == ["iri", "typed", "lang", "plain", "blank", "unbound"]
    iri, typed, lang, plain, blank, unbound = result.rows[0]
    assert iri == URIRef(ID + "state-XK")
    assert typed == Literal("2025-06-11", datatype=XSD.date) and typed.datatype == XSD.date
    assert lang == Literal("Kosovo", lang="en") and plain == Literal("x") and plain.datatype is None
    assert isinstance(blank, BNode) and unbound is None
    request = Fake.requests[-1]
    assert request["method"] == "GET"
    sent = urllib.parse.parse_qs(urllib.parse.urlsplit(request["path"]).query)
    assert sent["default-graph-uri"] == [NAMED] and "format" not in sent
    assert request["headers"]["User-Agent"].startswith("transferkg/")
    assert "application/sparql-results+json" in request["headers"]["Accept"]
    long_query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 3000
    kg.query(long_query)
    assert Fake.requests[-1]["method"] == "POST"
    assert urllib.parse.parse_qs(Fake.requests[-1]["body"].decode())["query"] == [long_query]
    connect(fake + "/ok", graph=NAMED, union_default_graph=True).query("SELECT * {}")
    assert "default-graph-uri" not in Fake.requests[-1]["path"]


# --------------------------------------------------------------------------- CLI push and serve


def test_cli_push_from_a_build_folder(oxigraph: OxigraphServer, tmp_path: Path) -> None:
    build = tmp_path / "build"
    build.mkdir()
    data = Graph()
    for i in range(5):
        data.add((URIRef(f"{ID}cli-{i}"), RDFS.label, Literal(f"cli {i}")))
    data.serialize(build / "transferkg.ttl", format="turtle")
    for _ in range(2):
        result = CliRunner().invoke(main, ["push", "--endpoint", oxigraph.url, "--graph", "urn:transferkg:test:cli",
                                           "--build", str(build)])
        assert result.exit_code == 0, result.output
        assert "Pushed 5 triples into graph <urn:transferkg:test:cli>" in result.output
    assert len(connect(oxigraph.url, graph="urn:transferkg:test:cli")) == 5


def _get(url: str, accept: str, timeout: float = 5) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with LOOPBACK.open(request, timeout=timeout) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory,
           kg: KnowledgeGraph) -> Iterator[tuple[subprocess.Popen[str], str, Path]]:
    """`transferkg serve --build DIR` as a user starts it, on a free port."""
    port = free_port()
    tmp = tmp_path_factory.mktemp("serve-tmp")
    build = tmp_path_factory.mktemp("serve-build")
    kg.graph.serialize(build / "transferkg.ttl", format="nt", encoding="utf-8")  # N-Triples is Turtle
    env = package_env(TMPDIR=str(tmp))
    proc = subprocess.Popen([sys.executable, "-m", "transferkg", "--root", str(REPO), "serve", "--port", str(port),
                             "--build", str(build)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"serve exited early: {proc.communicate()}")
        try:
            _get(url + "/query?query=ASK%7B%7D", "application/sparql-results+json", timeout=1)
            break
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    try:
        yield proc, url, tmp
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_serve_answers_plain_http_clients(served: tuple[subprocess.Popen[str], str, Path]) -> None:
    _proc, url, _tmp = served
    query = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/tct/ontology#State> }")
    status, content_type, body = _get(f"{url}/query?query={query}", "application/sparql-results+json")
    assert status == 200 and content_type.startswith("application/sparql-results+json")
    data = json.loads(body)
    assert data["head"]["vars"] == ["n"] and int(data["results"]["bindings"][0]["n"]["value"]) > 10
    with pytest.raises(urllib.error.HTTPError):  # read-only by default
        LOOPBACK.open(urllib.request.Request(url + "/update", data=b"update=CLEAR+ALL", method="POST"), timeout=5)


@pytest.mark.browser
def test_serve_query_ui_loads_in_chromium(served: tuple[subprocess.Popen[str], str, Path], tmp_path: Path) -> None:
    _proc, url, _tmp = served
    # Only loopback: an unreachable proxy for everything else, and no name resolution.
    dom = dump_dom(url + "/", tmp_path / "profile", budget_ms=3000, server=True)
    assert 'id="yasgui"' in dom
    assert 'class="yasqe"' in dom and "yasqe_queryButton" in dom  # the query editor was rendered


def test_serve_stops_cleanly_on_ctrl_c(served: tuple[subprocess.Popen[str], str, Path]) -> None:
    proc, url, tmp = served
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert f"query UI (browser): {url}/" in out and "read-only" in out
    with pytest.raises((urllib.error.URLError, OSError)):
        _get(url + "/query?query=ASK%7B%7D", "application/sparql-results+json", timeout=2)
    assert _files(tmp) == []  # the temporary database is gone


# --------------------------------------------------------------------------- parity


@pytest.fixture(scope="module")
def union_server(kg: KnowledgeGraph) -> Iterator[OxigraphServer]:
    """A second, in-memory server whose default graph is the union of all graphs."""
    with OxigraphServer(union_default_graph=True) as server:
        push(kg, server.url, graph=NAMED, union_default_graph=True)
        yield server


LAYOUTS: dict[str, Callable[..., KnowledgeGraph]] = {
    "default-graph": lambda pushed, union: connect(pushed.url, root=REPO),
    "named-graph": lambda pushed, union: connect(pushed.url, root=REPO, graph=NAMED),
    "union-default-graph": lambda pushed, union: connect(union.url, root=REPO, graph=NAMED,
                                                         union_default_graph=True),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_parity_with_the_embedded_backend(layout: str, pushed: OxigraphServer, union_server: OxigraphServer,
                                          reference: Any, kg: KnowledgeGraph) -> None:
    remote = LAYOUTS[layout](pushed, union_server)
    assert isinstance(remote.store, RemoteStore)
    assert len(remote) == len(kg)
    got = _everything(remote)
    expected = reference.get(timeout=180)
    assert set(got) == set(expected)
    assert len(kg.queries) >= 20
    for name in expected:
        if name == "views":
            continue  # compared one by one in test_views_parity
        assert got[name] == expected[name], f"{name} differs over {layout}: {_difference(got[name], expected[name])}"


def _difference(got: Any, expected: Any) -> str:
    """The first differing item, for a readable failure."""
    if isinstance(got, dict) and isinstance(expected, dict):
        for key in sorted(set(got) | set(expected), key=str):
            if got.get(key) != expected.get(key):
                return f"[{key!r}] " + _difference(got.get(key), expected.get(key))
    if isinstance(got, (list, tuple)) and isinstance(expected, (list, tuple)):
        for index, (x, y) in enumerate(zip(got, expected, strict=False)):
            if x != y:
                return f"[{index}] " + _difference(x, y)
        return f"lengths {len(got)} != {len(expected)}"
    return f"remote {got!r} != embedded {expected!r}"


@pytest.mark.parametrize("view", VIEWS)
def test_views_parity(view: str, pushed: OxigraphServer, reference: Any) -> None:
    remote = connect(pushed.url, root=REPO, graph=NAMED)
    got = _views(remote)[view]
    expected = reference.get(timeout=180)["views"][view]
    assert got == expected, _difference(got, expected)


def test_push_writes_typed_integers_as_bare_turtle_numbers_and_nothing_else() -> None:
    """The same triples go out (Virtuoso keeps a bare integer above 2^31 an integer, a typed one not)."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import XSD

    from transferkg.store.remote.store import _turtle_integers

    g = Graph()
    s, p = URIRef("urn:x:s"), URIRef("urn:x:p")
    g.add((s, p, Literal("6000000000", datatype=XSD.integer)))
    g.add((s, p, Literal("-7", datatype=XSD.integer)))
    g.add((s, p, Literal('a "5"^^<http://www.w3.org/2001/XMLSchema#integer> .')))  # the pattern inside a string
    g.add((s, p, Literal("12", datatype=XSD.decimal)))
    text = _turtle_integers(g.serialize(format="nt", encoding="utf-8"))
    assert b" 6000000000 .\n" in text and b" -7 .\n" in text
    back = Graph().parse(data=text.decode(), format="turtle")
    assert set(back) == set(g)
