"""Hostile SPARQL endpoints (issue 20, points 2 and 6, and the malformed-URL case of point 9).

Each misbehaving endpoint is a tiny ``http.server`` on 127.0.0.1 in a thread of
this process: a dead port, a 500 with an HTML page, garbage instead of results,
a 401, a server that hangs, one that drips a byte at a time (in the body or in
the status line), one whose error page echoes the request headers and the
credentials in every encoding, a redirect to a non-loopback address, and a
server that asks to retry later than the time allowed. Every case, asked by
``transferkg query agreements --endpoint URL`` with credentials set, ends in one
line on standard error naming the URL without credentials, exit code 2, no
traceback, and no trace of the password or token; the time allowed
(``TRANSFERKG_ENDPOINT_TIMEOUT``) bounds the whole request, retries included.

Nothing lost: a push whose swap fails, whose upload comes up short or whose
server dies before the swap leaves the previous data queryable
(tests/store/test_remote.py::test_interrupted_push_leaves_the_previous_data); here a
``transferkg push`` process killed with SIGKILL in the middle of its upload does too.
"""

from __future__ import annotations

import base64
import html
import json
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from tests.helpers import REPO, QuietHandler, package_env
from transferkg.app.connect import connect
from transferkg.app.server import OxigraphServer, free_port
from transferkg.cli import main
from transferkg.core.errors import BadParameter, EndpointError
from transferkg.store.remote import EndpointSettings, RemoteStore, push, redact

pytestmark = pytest.mark.server

USER = "alice"
PASSWORD = 'S3cr&t<pass>"word/+=%ü'
TOKEN = "tok-9f8e7d6c5b4a39281706f5e4d3c2b1a0ZZ"
BASIC = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
FAR_AWAY = "http://192.0.2.1:9"
"""TEST-NET-1: never contacted (the guard below refuses any connection that is not loopback)."""


# --------------------------------------------------------------------------- the hostile endpoints


class Hostile(QuietHandler):
    """Misbehaving endpoints by the first path segment (see the module docstring)."""

    stop = threading.Event()
    hits: dict[str, int] = {}

    def _drip(self, data: bytes) -> None:
        """One byte every 0.3 s: no single read ever waits for long."""
        for byte in data:
            if self.stop.wait(0.3):
                return
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:
                return

    def _echo(self, pad: int) -> bytes:
        """An error page echoing the request headers and credentials in every usual encoding."""
        auth = self.headers.get("Authorization") or ""
        decoded = ""
        if auth.startswith("Basic "):
            decoded = base64.b64decode(auth[6:]).decode("utf-8", "replace")
        secret = decoded.split(":", 1)[-1] if decoded else auth.removeprefix("Bearer ")
        headers = "".join(f"{key}: {value}\n" for key, value in self.headers.items())
        return ("." * pad + f" you sent: {auth} | your secret: {secret} | decoded: {decoded}"
                f" | <pre>{html.escape(headers)}</pre> | json: {json.dumps(dict(self.headers))}"
                f" | form: {urllib.parse.urlencode({'auth': auth, 'secret': secret})}"
                f" | quoted: {urllib.parse.quote(secret, safe='')}").encode("utf-8")

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if self.path.startswith("/stall/"):
            Stall.started.set()  # the upload has begun: the test kills the client now
            self.stop.wait(30)
            return
        if length:
            self.rfile.read(length)
        parts = self.path.split("/")
        mode = parts[1]
        Hostile.hits[mode] = Hostile.hits.get(mode, 0) + 1
        json_type = {"Content-Type": "application/sparql-results+json"}
        if mode == "html500":
            self.answer(500, b"<!DOCTYPE html><html><head><title>500</title></head><body><h1>Internal Server "
                            b"Error</h1><p>The server\ntripped.</p></body></html>", {"Content-Type": "text/html"})
        elif mode == "garbage":
            self.answer(200, b"\x00\xff<<this is not json>>\x1b[2J\x07", json_type)
        elif mode == "unauthorized":
            self.answer(401, b"who are you", {"WWW-Authenticate": 'Basic realm="tct"'})
        elif mode == "hang":
            self.stop.wait(30)
        elif mode == "drip":
            self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                             b"Content-Length: 1000\r\n\r\n")
            self._drip(b'{"head": {"vars": []}, "results": {"bindings": []}}' + b" " * 950)
        elif mode == "driphead":
            self._drip(b"HTTP/1.0 200 OK\r\nContent-Type: application/sparql-results+json\r\n\r\n{}")
        elif mode == "echo":
            self.answer(int(parts[2]), self._echo(int(parts[3])), {"Content-Type": "text/html"})
        elif mode == "away":
            self.answer(302, b"moved", {"Location": f"{FAR_AWAY}/query?{self.path.partition('?')[2]}"})
        elif mode == "awaycreds":
            self.answer(301, b"moved", {"Location": "http://bob:hunter2@192.0.2.1/sparql?token=abcd1234"})
        elif mode == "postback":
            self.answer(303, b"see other", {"Location": "/ok/query"})
        elif mode == "busy":
            self.answer(503, b"come back in an hour", {"Retry-After": "3600"})
        elif mode == "slowbusy":
            self.answer(429, b"slow down", {"Retry-After": "0.6"})
        else:
            self.answer(404, b"nothing here")

    do_GET = do_POST = do_PUT = _handle  # noqa: N815 (http.server's names)


class Stall:
    started = threading.Event()


@pytest.fixture(scope="module")
def hostile() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    server.daemon_threads = True
    Hostile.stop.clear()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        Hostile.stop.set()  # ends hanging and dripping handlers
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Refuse (and record) any connection that is not to 127.0.0.1: a redirect must never leave loopback."""
    attempts: list[Any] = []
    real = socket.create_connection

    def guarded(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        if address[0] not in ("127.0.0.1", "localhost"):
            attempts.append(address)
            raise OSError(f"test guard: no connection to {address[0]}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    return attempts


@pytest.fixture()
def credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Basic credentials in the environment, no configuration file, a 1 s budget per request."""
    (tmp_path / "empty.ini").write_text("", encoding="utf-8")
    monkeypatch.setenv("TRANSFERKG_ENDPOINT_CONFIG", str(tmp_path / "empty.ini"))
    for var in ("TOKEN", "AUTH", "GRAPH"):
        monkeypatch.delenv(f"TRANSFERKG_ENDPOINT_{var}", raising=False)
    monkeypatch.setenv("TRANSFERKG_ENDPOINT_USER", USER)
    monkeypatch.setenv("TRANSFERKG_ENDPOINT_PASSWORD", PASSWORD)
    monkeypatch.setenv("TRANSFERKG_ENDPOINT_TIMEOUT", "1")


def _leaks(text: str, *secrets: str, window: int = 8) -> list[str]:
    """Every ``window``-character piece of a secret (or of an encoding of it) found in ``text``."""
    forms = set()
    for secret in secrets:
        forms |= {secret, html.escape(secret), urllib.parse.quote(secret, safe=""), json.dumps(secret)[1:-1]}
    return sorted({form[i:i + window] for form in forms for i in range(len(form) - window + 1)
                   if form[i:i + window] in text})


def _cli(*args: str) -> tuple[Result, float]:
    started = time.monotonic()
    result = CliRunner().invoke(main, ["--root", str(REPO), *args])
    return result, time.monotonic() - started


def _one_clear_line(result: Result, url: str) -> str:
    """The CLI failed as documented: exit 2, one ``error:`` line naming ``url``, no traceback, no secret."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert url in lines[0], lines[0]
    assert "Traceback" not in result.output and result.stdout == ""
    assert not _leaks(result.output, PASSWORD, BASIC, TOKEN), result.output
    assert all(ch == "\t" or ch.isprintable() for ch in lines[0]), repr(lines[0])  # nothing drives the terminal
    return lines[0]


# --------------------------------------------------------------------------- the corpus, from the command line

CASES: dict[str, tuple[str, str]] = {
    # name: (path after the server URL, what the message says)
    "500-html-page": ("/html500", "answered HTTP 500"),
    "garbage-body": ("/garbage", "not SPARQL JSON results"),
    "401": ("/unauthorized", "answered HTTP 401"),
    "hanging": ("/hang", "did not answer within 1 s"),
    "dripping-body": ("/drip", "did not answer within 1 s"),
    "dripping-status-line": ("/driphead", "did not answer within 1 s"),
    "header-echoing-500": ("/echo/500/0", "answered HTTP 500"),
    "header-echoing-401": ("/echo/401/0", "answered HTTP 401"),
    "header-echoing-400": ("/echo/400/0", "answered HTTP 400"),
    "redirect-off-loopback": ("/away", f"a redirect to {FAR_AWAY}/query; not followed"),
    "busy-for-an-hour": ("/busy", "not retried: waiting 30 s more would pass the 1 s"),
}


@pytest.mark.usefixtures("credentials")
@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_endpoint_is_one_clear_line_and_exit_2(case: str, hostile: str, loopback_only: list[Any]) -> None:
    path, says = CASES[case]
    result, took = _cli("query", "agreements", "--endpoint", hostile + path)
    line = _one_clear_line(result, f"{hostile}{path}/query")
    assert says in line, line
    assert took < 4, f"{case} took {took:.1f} s with a 1 s budget"
    assert loopback_only == []


@pytest.mark.usefixtures("credentials")
def test_dead_port_is_one_clear_line_and_exit_2() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    line = _one_clear_line(_cli("query", "agreements", "--endpoint", url)[0], f"{url}/query")
    assert "connection refused" in line


def test_dripping_endpoint_from_a_real_process(hostile: str, tmp_path: Path) -> None:
    """As a user meets it: a server dripping a byte every 0.3 s; the 1 s budget ends it."""
    (tmp_path / "empty.ini").write_text("", encoding="utf-8")
    env = package_env(TRANSFERKG_ENDPOINT_TIMEOUT="1", TRANSFERKG_ENDPOINT_CONFIG=str(tmp_path / "empty.ini"),
                      TRANSFERKG_ENDPOINT_TOKEN=TOKEN)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "transferkg", "--root", str(REPO), "query", "agreements",
                           "--endpoint", hostile + "/drip"], capture_output=True, text=True, env=env, timeout=60,
                          cwd=tmp_path)
    took = time.monotonic() - started
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [f"error: the SPARQL endpoint {hostile}/drip/query did not answer within 1 s "
                                        "(the time allowed for a whole request, retries included; raise it with "
                                        "TRANSFERKG_ENDPOINT_TIMEOUT)"]
    assert proc.stdout == "" and TOKEN not in proc.stderr
    assert took < 15  # the interpreter starts in a few seconds; the drip alone would last 5 minutes


# --------------------------------------------------------------------------- malformed endpoint URLs

BAD_URLS = ["http://[::1", "ftp://x", "http://", "http://exa mple.org", " ", "", "http://h:99999", "http://h:0",
            "http://h:port/", "127.0.0.1:7878", "http://h\x1b[2J/", "http://[not-v6]/",
            "http://alice:url-s3cret@[::1"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_malformed_endpoint_url_is_a_bad_parameter(url: str) -> None:
    with pytest.raises(BadParameter, match="is not valid"):
        connect(url)
    result, _ = _cli("query", "agreements", "--endpoint", url)
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: endpoint URL '") and "is not valid" in lines[0], lines
    assert "Traceback" not in result.output and "s3cret" not in result.output
    assert all(ch.isprintable() for ch in lines[0])


def test_push_with_a_malformed_url_fails_before_building(tmp_path: Path) -> None:
    """The URL is checked first: no graph is loaded, derived and validated for nothing."""
    result, took = _cli("push", "--endpoint", "http://[::1", "--build", str(tmp_path / "no-such-build"))
    assert result.exit_code == 2 and "endpoint URL 'http://[::1' is not valid" in result.stderr
    assert "no-such-build" not in result.output and took < 5


def test_endpoint_url_overrides_are_checked_too() -> None:
    for key in ("query_url", "update_url", "store_url"):
        with pytest.raises(BadParameter, match=f"^{key} 'http://\\[::1' is not valid"):
            EndpointSettings("http://127.0.0.1:9", **{key: "http://[::1"})


# --------------------------------------------------------------------------- no credential in any message


def test_redact_removes_every_form_of_a_secret() -> None:
    pieces = [PASSWORD, html.escape(PASSWORD), urllib.parse.quote(PASSWORD, safe=""),
              urllib.parse.quote(PASSWORD, safe="").lower(), urllib.parse.quote_plus(PASSWORD),
              json.dumps(PASSWORD)[1:-1], BASIC, BASIC.rstrip("="), base64.b64encode(PASSWORD.encode()).decode(),
              PASSWORD.upper()]
    text = " | ".join(pieces)
    assert not _leaks(redact(text, [PASSWORD], user=USER), PASSWORD, BASIC)
    # Credentials whose value is not known: header values, and user info in URLs.
    unknown = ("Authorization: Basic Ym9iOmh1bnRlcjI= / proxy-authorization=Bearer xyz-unknown-99 / "
               '"authorization": "Digest secret-digest" / see https://bob:hunter2@example.org/sparql')
    cleaned = redact(unknown)
    for secret in ("Ym9iOmh1bnRlcjI", "xyz-unknown-99", "secret-digest", "hunter2"):
        assert secret not in cleaned, cleaned
    assert "Authorization: Basic ***" in cleaned and "https://***@example.org/sparql" in cleaned
    assert redact("unexpected token '}' at line 3") == "unexpected token '}' at line 3"  # parse errors intact


@pytest.mark.usefixtures("credentials")
@pytest.mark.parametrize(("auth", "secret", "lead"), [
    ("token", TOKEN, " you sent: Bearer "),       # the token, as sent
    ("basic", BASIC, " you sent: Basic "),        # base64 of user:password, as sent
    ("basic", PASSWORD, " you sent: Basic " + BASIC + " | your secret: "),  # decoded by the page
])
def test_a_secret_across_the_old_300_character_cut_never_shows_in_part(
        auth: str, secret: str, lead: str, hostile: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page is redacted whole before it is cut: no piece of a secret straddling the cut survives."""
    if auth == "token":
        monkeypatch.delenv("TRANSFERKG_ENDPOINT_USER")
        monkeypatch.delenv("TRANSFERKG_ENDPOINT_PASSWORD")
        monkeypatch.setenv("TRANSFERKG_ENDPOINT_TOKEN", TOKEN)
    start = 300 - len(secret) // 2  # where the secret begins in the quoted page
    pad = start - len(lead)
    url = f"{hostile}/echo/500/{pad}"
    with pytest.raises(EndpointError) as error:
        connect(url).query("SELECT * {}")
    message = str(error.value)
    assert "answered HTTP 500" in message and f"{url}/query" in message
    assert "." * pad + " you sent: " in message  # the page is quoted up to the secret
    assert not _leaks(message, secret, window=4), message
    assert not _leaks(message, PASSWORD, BASIC, TOKEN)


@pytest.mark.usefixtures("credentials")
def test_debug_traceback_shows_no_secret(hostile: str) -> None:
    """With --debug the error propagates; its whole traceback, causes included, is redacted."""
    result, _ = _cli("--debug", "query", "agreements", "--endpoint", hostile + "/echo/500/0")
    assert isinstance(result.exception, EndpointError)
    shown = "".join(traceback.format_exception(result.exception)) + result.output
    assert "answered HTTP 500" in shown and not _leaks(shown, PASSWORD, BASIC)


def test_a_token_no_http_header_can_carry_is_a_bad_parameter_that_does_not_show_it() -> None:
    for token in ("two words", "naïve-s3cret", "line\nbreak"):
        with pytest.raises(BadParameter, match="token must be printable ASCII") as error:
            EndpointSettings("http://127.0.0.1:9", token=token)
        assert token not in str(error.value)


def test_settings_repr_hides_credentials_everywhere() -> None:
    settings = EndpointSettings(f"http://{USER}:{urllib.parse.quote(PASSWORD, safe='')}@127.0.0.1:9/sparql",
                                update_url="http://127.0.0.1:9/update")
    assert settings.password == PASSWORD
    shown = repr(settings) + str(settings) + repr(RemoteStore(settings))
    assert not _leaks(shown, PASSWORD, BASIC) and "credentials=<hidden>" in shown


# --------------------------------------------------------------------------- deadlines and retries


@pytest.mark.parametrize("path", ["/hang", "/drip", "/driphead"])
def test_the_timeout_bounds_the_whole_request(path: str, hostile: str) -> None:
    started = time.monotonic()
    with pytest.raises(EndpointError, match=r"did not answer within 1 s") as error:
        connect(hostile + path, timeout=1).query("SELECT * {}")
    took = time.monotonic() - started
    assert 0.9 <= took < 2.0, took
    assert f"{hostile}{path}/query" in str(error.value)


def test_retries_stay_within_the_budget(hostile: str) -> None:
    """A 429 asking for 0.6 s: one wait fits in 1 s, the second would not, so it is not made."""
    Hostile.hits.pop("slowbusy", None)
    started = time.monotonic()
    with pytest.raises(EndpointError, match=r"HTTP 429.*after 2 attempt.*not retried: waiting 0.6 s more"):
        connect(hostile + "/slowbusy", timeout=1).query("SELECT * {}")
    assert Hostile.hits["slowbusy"] == 2 and time.monotonic() - started < 1.0


def test_a_failed_push_does_not_wait_twice(hostile: str) -> None:
    """Cleanup after a failure is one attempt, and none when the endpoint did not answer at all."""
    data = Graph().add((URIRef("urn:x:a"), RDFS.label, Literal("a")))
    started = time.monotonic()
    with pytest.raises(EndpointError, match="did not answer within 1 s"):
        push(data, hostile + "/hang", timeout=1)
    assert time.monotonic() - started < 1.8  # one budget, not two (the cleanup would hang as long)
    Hostile.hits.pop("slowbusy", None)
    with pytest.raises(EndpointError, match="previous data is untouched.*HTTP 429"):
        push(data, hostile + "/slowbusy", timeout=5, max_retry_wait=0.1)
    assert Hostile.hits["slowbusy"] == 3 + 1  # three attempts, then one cleanup request without retries


def test_redirects_are_followed_only_for_reads_on_the_same_origin(hostile: str, loopback_only: list[Any]) -> None:
    with pytest.raises(EndpointError, match=rf"HTTP 302, a redirect to {FAR_AWAY}/query; not followed"):
        connect(hostile + "/away").query("SELECT * {}")
    with pytest.raises(EndpointError, match="HTTP 301, a redirect to http://192.0.2.1/sparql; not followed") as error:
        connect(hostile + "/awaycreds").query("SELECT * {}")
    assert "hunter2" not in str(error.value) and "abcd1234" not in str(error.value)
    with pytest.raises(EndpointError, match="HTTP 303, a redirect to .*/ok/query; not followed"):
        connect(hostile + "/postback").store.update("INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }")
    assert loopback_only == []  # nothing left loopback


# --------------------------------------------------------------------------- kill -9 mid-push


def test_push_killed_mid_upload_leaves_the_previous_data(hostile: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``transferkg push`` process SIGKILLed while its upload is under way: the old graph stays, whole."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))  # where the server leaves its write token
    target = "urn:transferkg:test:killed"
    old = Graph()
    for i in range(3):
        old.add((URIRef(f"urn:x:old-{i}"), RDFS.label, Literal(f"old {i}")))
    new = Graph()
    for i in range(2000):
        new.add((URIRef(f"urn:x:new-{i}"), RDFS.label, Literal(f"new {i} " + "x" * 100)))
    build = tmp_path / "build"
    build.mkdir()
    new.serialize(build / "transferkg.ttl", format="turtle")
    with OxigraphServer(tmp_path / "db") as server:
        push(old, server.url, graph=target)
        config = tmp_path / "endpoints.ini"  # the upload goes to a store URL that stalls
        config.write_text(f"[{server.url}]\nstore_url = {hostile}/stall/store\n", encoding="utf-8")
        env = package_env(TRANSFERKG_ENDPOINT_CONFIG=str(config))
        Stall.started.clear()
        proc = subprocess.Popen([sys.executable, "-m", "transferkg", "push", "--endpoint", server.url,
                                 "--graph", target, "--build", str(build)], env=env, cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert Stall.started.wait(60), proc.communicate(timeout=5)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        kept = connect(server.url, graph=target)
        assert len(kept) == 3 and len(kept.query('SELECT ?s WHERE { ?s ?p "old 1" }')) == 1
        # The next push replaces the data and drops what the killed one left behind.
        assert push(new, server.url, graph=target).triples == 2000
        assert len(connect(server.url, graph=target)) == 2000
        graphs = RemoteStore(EndpointSettings(server.url))._select("SELECT DISTINCT ?g { GRAPH ?g { } }",
                                                                   dataset=False)
        assert [str(row[0]) for row in graphs.rows] == [target]
