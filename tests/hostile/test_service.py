"""SERVICE never reaches the network unless the user allows it (issue 20, point 4).

``SERVICE`` makes the engine (rdflib or Oxigraph) contact another endpoint. It is
read off rdflib's parse tree, not the text, and refused in every query the project
runs: ad-hoc ``sparql`` (unless ``--allow-service``), ``kg.query``/``kg.sparql``
(unless ``allow_service=True``), library queries of ``queries/`` and
``queries/checks/`` (never allowed; the message names the file), ``view --query``
(a library name or a ``.rq`` file) and whatever a remote endpoint would be sent.

Already held and tested elsewhere, not repeated here: a hostile ``--param`` value is
refused, never spliced (tests/query/test_queries.py::test_a_hostile_value_is_refused_not_spliced);
SERVICE in upper or lower case or with SILENT is refused and the word in a string, IRI or
comment is not (tests/query/test_queries.py::test_sparql_refuses_service,
test_sparql_allows_service_inside_strings_iris_and_comments, test_cli_sparql_refuses_service).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import transferkg
from tests.helpers import invoke as cli_invoke
from transferkg.app.connect import connect
from transferkg.core.errors import BadParameter, QuerySyntaxError
from transferkg.query.library import uses_service

REFUSED = "the query uses SERVICE, which would contact another endpoint over the network"
EP = "<http://127.0.0.1:9/sparql>"  # never contacted: the discard port

HIDDEN = {
    "iri-lookalike": f"SELECT * WHERE {{ BIND(1 AS ?a) BIND(2 AS ?b) FILTER(?a<?b)SERVICE{EP}{{?s ?p ?o}} }}",
    "lowercase": f"select * where {{ service {EP} {{ ?s ?p ?o }} }}",
    "mixed-case": f"SELECT * WHERE {{ SeRvIcE {EP} {{ ?s ?p ?o }} }}",
    "silent": f"SELECT * WHERE {{ SERVICE SILENT {EP} {{ ?s ?p ?o }} }}",
    "variable-endpoint": "SELECT * WHERE { VALUES ?x { <http://127.0.0.1:9/> } SERVICE ?x { ?s ?p ?o } }",
    "subquery": f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE {EP} {{ ?s ?p ?o }} }} }} }}",
    "optional": f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE {EP} {{ ?s ?q ?v }} }} }}",
    "union": f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE {EP} {{ ?s ?p ?o }} }} }}",
    "minus": f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE {EP} {{ ?s ?p ?o }} }} }}",
    "graph": f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE {EP} {{ ?s ?p ?o }} }} }}",
    "filter-exists": f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE {EP} {{ ?s ?p ?o }} }} }}",
    "filter-not-exists": f"SELECT * WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ SERVICE {EP} {{ ?s ?p ?o }} }} }}",
    "bind-exists": f"SELECT * WHERE {{ ?s ?p ?o BIND(EXISTS {{ SERVICE {EP} {{ ?s ?p ?o }} }} AS ?e) }}",
    "projection-exists": f"SELECT (EXISTS {{ SERVICE {EP} {{ ?s ?p ?o }} }} AS ?e) WHERE {{ ?s ?p ?o }}",
    "having": f"SELECT ?s WHERE {{ ?s ?p ?o }} GROUP BY ?s HAVING (EXISTS {{ SERVICE {EP} {{ ?s ?p ?o }} }})",
    "order-by": f"SELECT * WHERE {{ ?s ?p ?o }} ORDER BY (EXISTS {{ SERVICE {EP} {{ ?s ?p ?o }} }})",
    "ask": f"ASK {{ SERVICE {EP} {{ ?s ?p ?o }} }}",
    "construct": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE {EP} {{ ?s ?p ?o }} }}",
    "unicode-escape": f"SELECT * WHERE {{ \\u0053ERVICE {EP} {{ ?s ?p ?o }} }}",
    "no-spaces-after-comment": f"SELECT * WHERE {{ #{{\nSERVICE{EP}{{?s ?p ?o}} }}",
}

HARMLESS = {
    "string": 'SELECT ?s WHERE { ?s ?p "SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }" }',
    "long-string": "SELECT ?s WHERE { ?s ?p '''a\nSERVICE <http://127.0.0.1:9/> { }''' }",
    "iri": "SELECT ?s WHERE { ?s ?p <http://example.org/SERVICE> }",
    "comment": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1 # SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }",
    "variable-named-service": "SELECT ?service WHERE { ?service ?p ?o } LIMIT 1",
    "prefixed-name": "SELECT ?s WHERE { ?s <http://example.org/p> tct:SERVICE } LIMIT 1",
}


def invoke(*args: str | Path) -> tuple[int, str]:
    """The CLI in-process (tests/helpers.py), as exit code and output."""
    result = cli_invoke(*args)
    return result.exit_code, result.output


class Listener:
    """A TCP port on loopback that records every connection: proof that nothing was contacted."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.hits: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.hits.append(conn.recv(200))
                except OSError:
                    self.hits.append(b"")


@pytest.fixture()
def listener() -> Iterator[Listener]:
    spy = Listener()
    yield spy
    spy.sock.close()


def _library(tree: Path) -> Path:
    """Query files in the tree's library: one using SERVICE deep inside, one naming it only in text."""
    queries = tree / "queries"
    (queries / "checks").mkdir(parents=True)
    evil = (f"#+ summary: Looks harmless\nSELECT ?s WHERE {{ ?s ?p ?o OPTIONAL {{ FILTER EXISTS {{\n"
            f"  SERVICE {EP} {{ ?s ?p ?o }} }} }} }}\n")
    (queries / "evil.rq").write_text(evil, encoding="utf-8")
    (queries / "checks" / "evil_check.rq").write_text(evil, encoding="utf-8")
    (queries / "harmless.rq").write_text(
        '#+ summary: Says SERVICE only in a comment and a string\n'
        'SELECT ?s WHERE { ?s ?p "SERVICE" }  # no SERVICE <x> {} here\n', encoding="utf-8")
    return queries


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize("text", HIDDEN.values(), ids=HIDDEN.keys())
def test_service_is_found_anywhere_in_the_parse_tree(text: str) -> None:
    assert uses_service(text)


@pytest.mark.parametrize("text", HARMLESS.values(), ids=HARMLESS.keys())
def test_the_word_in_a_string_iri_comment_or_name_is_not_service(text: str) -> None:
    assert not uses_service(text)


def test_a_query_without_the_word_is_not_parsed_and_a_parsed_one_is_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    import rdflib.plugins.sparql.parser as parser

    calls: list[str] = []
    real = parser.parseQuery

    def counting(text: str):  # type: ignore[no-untyped-def]
        calls.append(text)
        return real(text)

    monkeypatch.setattr(parser, "parseQuery", counting)
    assert not uses_service("SELECT ?s WHERE { ?s ?p ?o }")
    assert calls == []  # the fast path: no S-E-R-V-I-C-E anywhere, nothing to parse
    text = f"SELECT ?s WHERE {{ ?s ?p ?o }} # {len(calls)} SERVICE cached"
    assert not uses_service(text) and not uses_service(text)
    assert calls == [text]


def test_service_with_a_syntax_error_keeps_line_and_column() -> None:
    with pytest.raises(QuerySyntaxError, match=r"line 2, column \d+"):
        uses_service(f"SELECT * WHERE {{\n  SERVICE {EP} {{ ?s ?p }}\n}}")


# --------------------------------------------------------------------------- ad-hoc queries


def test_cli_sparql_refuses_the_iri_lookalike_and_contacts_nothing(tree: Path, listener: Listener) -> None:
    # The old regex read "<?b)SERVICE<http://…>" as one IRI and let this through to the engine,
    # which then connected to the endpoint.
    text = (f"SELECT * WHERE {{ BIND(1 AS ?a) BIND(2 AS ?b) "
            f"FILTER(?a<?b)SERVICE<http://127.0.0.1:{listener.port}/sparql>{{?s ?p ?o}} }}")
    code, output = invoke("--root", tree, "sparql", text)
    assert code == 2
    assert output.strip() == f"error: {REFUSED}; pass --allow-service to allow it (allow_service=True in Python)"
    assert listener.hits == []


@pytest.mark.parametrize("name", ["lowercase", "silent", "variable-endpoint", "subquery", "optional",
                                  "filter-exists", "unicode-escape"])
def test_cli_sparql_refuses_service_in_every_form(tree: Path, name: str) -> None:
    code, output = invoke("--root", tree, "sparql", HIDDEN[name])
    assert code == 2 and output.startswith(f"error: {REFUSED}") and len(output.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["string", "iri", "comment", "variable-named-service"])
def test_cli_sparql_runs_queries_that_only_say_service(tree: Path, name: str) -> None:
    code, output = invoke("--root", tree, "sparql", HARMLESS[name], "--format", "csv")
    assert code == 0, output


def test_cli_sparql_reads_a_query_file_with_service(tree: Path, tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text(HIDDEN["having"], encoding="utf-8")
    code, output = invoke("--root", tree, "sparql", path)
    assert code == 2 and REFUSED in output


def test_cli_sparql_refuses_updates_and_changes_nothing(tree: Path, tmp_path: Path) -> None:
    store = tmp_path / "kg.oxigraph"
    code, before = invoke("--root", tree, "--store", store, "sparql", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
                          "--format", "csv")
    assert code == 0
    for update in ("DELETE WHERE { ?s ?p ?o }", "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
                   "DROP ALL", "CLEAR DEFAULT ; DELETE WHERE { ?s ?p ?o }"):
        code, output = invoke("--root", tree, "--store", store, "sparql", update)
        assert code == 2 and output.startswith("error: SPARQL syntax error at line 1"), output
    code, after = invoke("--root", tree, "--store", store, "sparql", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
                         "--format", "csv")
    assert after == before


def test_allow_service_lets_the_query_through(tree: Path, listener: Listener) -> None:
    # The control for the tests above: with the flag, the same kind of query does reach the engine
    # (Oxigraph, the default backend), which contacts the endpoint.
    kg = transferkg.load(tree, derive_layer=False)
    kg.sparql(f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}",
              allow_service=True)
    for _ in range(50):
        if listener.hits:
            break
        time.sleep(0.05)
    assert listener.hits and listener.hits[0].startswith((b"GET", b"POST"))


def test_python_api_refuses_service_unless_allowed(tree: Path) -> None:
    kg = transferkg.load(tree, backend="memory", derive_layer=False)
    for run in (kg.query, kg.sparql):
        with pytest.raises(BadParameter, match=REFUSED):
            run(HIDDEN["iri-lookalike"])
    assert len(kg.query(HARMLESS["string"])) == 0
    kg.query(HIDDEN["silent"], allow_service=True)  # allowed: SILENT makes the unreachable endpoint no error


# --------------------------------------------------------------------------- the query library


def test_a_library_query_with_service_is_refused_with_its_file_name(tree: Path) -> None:
    queries = _library(tree)
    code, output = invoke("--root", tree, "query", "evil")
    assert code == 2
    assert output.strip() == f"error: {queries / 'evil.rq'}: {REFUSED}; queries of the library may not"
    code, output = invoke("--root", tree, "query", "harmless", "--format", "csv")
    assert code == 0, output


def test_a_check_with_service_is_refused_before_any_check_runs(tree: Path) -> None:
    queries = _library(tree)
    code, output = invoke("--root", tree, "check")
    assert code == 2
    assert output.strip() == f"error: {queries / 'checks' / 'evil_check.rq'}: {REFUSED}; queries of the library may not"


@pytest.mark.parametrize("how", ["file", "library"])
def test_view_query_with_service_is_refused_and_writes_nothing(tree: Path, tmp_path: Path, how: str) -> None:
    queries = _library(tree)
    out = tmp_path / "view.html"
    out.write_text("previous", encoding="utf-8")
    source = queries / "evil.rq"
    code, output = invoke("--root", tree, "view", "--query", source if how == "file" else "evil", "--out", out)
    assert code == 2
    assert output.strip() == f"error: {source}: {REFUSED}; queries of the library may not"
    assert out.read_text(encoding="utf-8") == "previous"


def test_a_library_query_with_service_and_a_syntax_error_names_file_and_line(tree: Path) -> None:
    queries = _library(tree)
    (queries / "broken.rq").write_text(f"SELECT * WHERE {{\n  SERVICE {EP} {{ ?s ?p }}\n}}\n", encoding="utf-8")
    code, output = invoke("--root", tree, "query", "broken")
    assert code == 2
    assert output.startswith(f"error: {queries / 'broken.rq'}: SPARQL syntax error at line 2, column")


# --------------------------------------------------------------------------- remote endpoints


class _Endpoint(BaseHTTPRequestHandler):
    """A SPARQL endpoint that answers every query with no rows and records what it was sent."""

    received: list[str] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.received.append(self.path + " " + self.rfile.read(length).decode("utf-8", "replace"))
        body = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": []}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        self._answer()

    def do_POST(self) -> None:  # noqa: N802
        self._answer()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture()
def endpoint() -> Iterator[tuple[str, list[str]]]:
    received: list[str] = []
    handler = type("Handler", (_Endpoint,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


def test_a_remote_endpoint_is_never_sent_a_query_with_service(tree: Path,
                                                              endpoint: tuple[str, list[str]]) -> None:
    url, received = endpoint
    queries = _library(tree)
    code, output = invoke("--root", tree, "query", "evil", "--endpoint", url)
    assert code == 2 and output.strip() == f"error: {queries / 'evil.rq'}: {REFUSED}; queries of the library may not"
    code, output = invoke("--root", tree, "sparql", HIDDEN["iri-lookalike"], "--endpoint", url)
    assert code == 2 and REFUSED in output
    kg = connect(url, root=tree)
    for run in (lambda: kg.run_result("evil"), lambda: kg.check(), lambda: kg.query(HIDDEN["optional"])):
        with pytest.raises(BadParameter, match=REFUSED):
            run()
    assert received == []
    assert len(kg.run_result("harmless")) == 0  # the control: a harmless library query is sent
    assert received and all("SERVICE%20%3C" not in r and "SERVICE <" not in r for r in received)


def test_a_service_call_that_fails_is_one_line_with_allow_service(tree: Path) -> None:
    # Port 9 (discard) is refused by Oxigraph's HTTP client: the evaluation error becomes exit 2, one line.
    code, output = invoke("--root", tree, "sparql", "--allow-service",
                          "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert code == 2
    assert output.startswith("error: the query failed while running:") and len(output.strip().splitlines()) == 1
