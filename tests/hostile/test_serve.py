"""Hostile web pages and signals against ``transferkg serve`` (issue 20, points 5 and 10).

A writable server (``serve --rw``, or any writable ``OxigraphServer``) takes no
write from a web page: a cross-origin form, a ``no-cors`` fetch with a text body,
an update smuggled into ``/query``, a Graph Store ``PUT``/``POST``/``DELETE`` —
all are refused (401 without the token, 403 with a foreign ``Origin`` even with
it) and the data stays as it was, while reads stay open and ``transferkg push``
(which finds the token by itself) still works.

Signals: SIGTERM and SIGINT stop ``serve`` and its oxigraph child cleanly; a
``serve`` killed with SIGKILL takes its child with it within seconds; and after
any of these the same port can be served again at once, although the closed
connections still sit in TIME_WAIT.

Already held and tested elsewhere: ``serve`` binds 127.0.0.1 only, is read-only by
default and stops on Ctrl-C leaving no temporary files
(tests/store/test_remote.py::test_serve_answers_plain_http_clients and
test_serve_stops_cleanly_on_ctrl_c).
"""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from tests.helpers import LOOPBACK, package_env
from transferkg.app.connect import connect, push
from transferkg.app.server import OxigraphServer, _port_free, free_port, read_token
from transferkg.cli import main
from transferkg.core.errors import EndpointError

pytestmark = pytest.mark.server

EVIL = "http://evil.example"
INSERT = "INSERT DATA { <urn:evil:s> <urn:evil:p> <urn:evil:o> }"
NT = b"<urn:evil:s> <urn:evil:p> <urn:evil:o> .\n"
OPENER = LOOPBACK


def _graph(n: int, prefix: str = "kept") -> Graph:
    data = Graph()
    for i in range(n):
        data.add((URIRef(f"urn:x:{prefix}-{i}"), RDFS.label, Literal(f"{prefix} {i}")))
    return data


def _request(url: str, *, method: str = "POST", body: bytes | None = None, **headers: str) -> int:
    """The HTTP status a raw request gets (as a browser or curl would send it)."""
    request = urllib.request.Request(url, data=body, method=method,
                                     headers={k.replace("_", "-"): v for k, v in headers.items()})
    try:
        with OPENER.open(request, timeout=10) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code


def _form(**fields: str) -> bytes:
    return urllib.parse.urlencode(fields).encode()


FORM = "application/x-www-form-urlencoded"

# What web pages (and careless clients) can send: (name, path, method, body, headers); all must be refused.
HOSTILE_WRITES: list[tuple[str, str, str, bytes | None, dict[str, str]]] = [
    ("cross-origin form", "/update", "POST", _form(update=INSERT), {"Content_Type": FORM, "Origin": EVIL}),
    ("form without origin or token", "/update", "POST", _form(update=INSERT), {"Content_Type": FORM}),
    ("no-cors text/plain update", "/update", "POST", INSERT.encode(), {"Content_Type": "text/plain", "Origin": EVIL}),
    ("no-cors text/plain store", "/store?default", "POST", NT, {"Content_Type": "text/plain", "Origin": EVIL}),
    ("text/plain store, no origin", "/store?default", "POST", NT, {"Content_Type": "text/plain"}),
    ("multipart form", "/update", "POST", b"--b\r\nContent-Disposition: form-data; name=\"update\"\r\n\r\n"
     + INSERT.encode() + b"\r\n--b--\r\n", {"Content_Type": "multipart/form-data; boundary=b", "Origin": EVIL}),
    ("update form sent to /query", "/query", "POST", _form(update=INSERT), {"Content_Type": FORM, "Origin": EVIL}),
    ("sparql-update sent to /query", "/query", "POST", INSERT.encode(),
     {"Content_Type": "application/sparql-update"}),
    ("graph store PUT", "/store?default", "PUT", NT, {"Content_Type": "application/n-triples"}),
    ("graph store DELETE", "/store?default", "DELETE", None, {}),
    ("doubled slash", "//update", "POST", _form(update=INSERT), {"Content_Type": FORM}),
    ("wrong token", "/update", "POST", _form(update=INSERT), {"Content_Type": FORM, "Authorization": "Bearer guess"}),
]


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private runtime folder for the servers' write tokens (not the user's own)."""
    folder = tmp_path_factory.mktemp("run")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_RUNTIME_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def writable(runtime: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    with OxigraphServer(tmp_path_factory.mktemp("db")) as server:
        push(_graph(3), server.url)  # an authorised push: the token is found in the runtime folder
        yield server


def _data(server: OxigraphServer) -> set[str]:
    return {str(row[0]) for row in connect(server.url).query("SELECT ?s WHERE { ?s ?p ?o }").rows}


@pytest.mark.parametrize("case", [case[0] for case in HOSTILE_WRITES])
def test_writes_from_web_pages_are_refused_and_change_nothing(case: str, writable: OxigraphServer) -> None:
    _name, path, method, body, headers = next(c for c in HOSTILE_WRITES if c[0] == case)
    before = _data(writable)
    assert before == {f"urn:x:kept-{i}" for i in range(3)}
    status = _request(writable.url + path, method=method, body=body, **headers)
    assert status in (401, 403), f"{case}: HTTP {status}"
    assert _data(writable) == before


def test_a_foreign_origin_is_refused_even_with_the_token(writable: OxigraphServer) -> None:
    auth = f"Bearer {writable.token}"
    assert _request(writable.update_url, body=_form(update=INSERT), Content_Type=FORM, Origin=EVIL,
                    Authorization=auth) == 403
    assert _request(writable.update_url, body=_form(update=INSERT), Content_Type=FORM, Origin="null",
                    Authorization=auth) == 403
    assert _request(writable.update_url, body=_form(update=INSERT), Content_Type=FORM, Sec_Fetch_Site="cross-site",
                    Authorization=auth) == 403
    assert "urn:evil:s" not in _data(writable)


def test_reads_stay_open_and_authorised_writes_work(writable: OxigraphServer, runtime: Path) -> None:
    ask = urllib.parse.quote("ASK { ?s ?p ?o }")
    assert _request(f"{writable.query_url}?query={ask}", method="GET", Origin=EVIL) == 200
    assert _request(writable.query_url, body=_form(query="ASK {}"), Content_Type=FORM, Origin=EVIL) == 200
    assert _request(writable.url + "/", method="GET") == 200  # the browser query UI
    # The token: in a file only this user can read, where push finds it.
    assert writable.token and read_token(writable.port) == writable.token
    assert writable.token_file is not None and writable.token_file.parent.parent == runtime
    assert stat.S_IMODE(writable.token_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(writable.token_file.parent.stat().st_mode) == 0o700
    graph = "urn:transferkg:test:authorised"
    assert push(_graph(5, "pushed"), writable.url, graph=graph).triples == 5
    assert len(connect(writable.url, graph=graph)) == 5
    # A client that sends the token itself, from the server's own page origin.
    assert _request(writable.update_url, body=_form(update=f"DROP GRAPH <{graph}>"), Content_Type=FORM,
                    Origin=writable.url, Authorization=f"Bearer {writable.token}") == 204
    assert len(connect(writable.url, graph=graph)) == 0


def test_cli_push_finds_the_token_and_a_stranger_cannot(writable: OxigraphServer, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    build = tmp_path / "build"
    build.mkdir()
    _graph(4, "cli").serialize(build / "transferkg.ttl", format="turtle")
    for var in ("USER", "PASSWORD", "TOKEN", "AUTH", "GRAPH", "CONFIG"):
        monkeypatch.delenv(f"TRANSFERKG_ENDPOINT_{var}", raising=False)
    monkeypatch.setenv("TRANSFERKG_ENDPOINT_CONFIG", str(tmp_path / "none.ini"))
    (tmp_path / "none.ini").write_text("", encoding="utf-8")
    args = ["push", "--endpoint", writable.url, "--graph", "urn:transferkg:test:cli", "--build", str(build)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert len(connect(writable.url, graph="urn:transferkg:test:cli")) == 4
    # Someone else (another user: no token file) gets a clear refusal, and nothing changes.
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))
    (tmp_path / "elsewhere").mkdir()
    result = CliRunner().invoke(main, [*args[:-2], "--build", str(tmp_path / "build")])
    assert result.exit_code == 2 and "HTTP 401" in result.stderr and writable.url in result.stderr, result.output
    assert len(result.stderr.splitlines()) == 1 and writable.token and writable.token not in result.output


def test_a_given_token_is_used_and_the_file_goes_with_the_server(runtime: Path) -> None:
    with OxigraphServer(token="my-own-token") as server:
        path = server.token_file
        assert path is not None and path.read_text(encoding="utf-8") == f"my-own-token\n{os.getpid()}\n"
        assert push(_graph(2), server.url).triples == 2
        assert _request(server.update_url, body=_form(update=INSERT), Content_Type=FORM,
                        Authorization="Bearer my-own-token") == 204
    assert not path.exists()
    for bad in ("two words", "naïve", ""):
        with pytest.raises(EndpointError, match="write token must be printable ASCII"):
            OxigraphServer(token=bad)


# --------------------------------------------------------------------------- signals and ports


def _env(runtime: Path) -> dict[str, str]:
    """This very package; the write token and temporary files (a SIGKILLed serve leaves its own) under ``runtime``."""
    (runtime / "tmp").mkdir(parents=True, exist_ok=True)
    return package_env(XDG_RUNTIME_DIR=str(runtime), TMPDIR=str(runtime / "tmp"))


class Serve:
    """``transferkg serve`` as a user starts it; its stdout read by a thread."""

    def __init__(self, port: int, build: Path, runtime: Path, *extra: str) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "transferkg", "serve", "--port", str(port),
                                      "--build", str(build), *extra], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=_env(runtime))
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.out: list[str] = []
        deadline = time.monotonic() + 60
        while not self.out or self.out[-1] != "Press Ctrl-C to stop.":
            try:
                self.out.append(self.lines.get(timeout=max(0.1, deadline - time.monotonic())).rstrip("\n"))
            except queue.Empty:
                self.proc.kill()
                pytest.fail(f"serve did not start: {self.out} {self.proc.communicate()}")
        match = re.search(r"pid (\d+)", self.out[0])
        assert match, self.out
        self.child = int(match.group(1))
        cmdline = Path(f"/proc/{self.child}/cmdline").read_bytes().split(b"\0")
        self.child_port = int(cmdline[cmdline.index(b"--bind") + 1].rsplit(b":", 1)[1])

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def stop(self, sig: signal.Signals) -> tuple[int, str]:
        self.proc.send_signal(sig)
        _out, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, err

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate(timeout=10)


def _gone(pid: int, within: float = 5.0) -> bool:
    """The process has ended (a zombie waiting for a reaper serves nothing) within ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


def _refused(port: int, within: float = 5.0) -> bool:
    """Nothing listens on ``port`` any more (within ``within`` seconds: a dying process closes its sockets last)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        except ConnectionRefusedError:
            return True
        except (ConnectionResetError, TimeoutError):  # a socket being torn down: ask again
            pass
        time.sleep(0.05)
    return False


def _time_wait(port: int) -> int:
    """Connections in TIME_WAIT on local ``port`` (/proc/net/tcp state 06)."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for row in rows if row.split()[1].endswith(f":{port:04X}") and row.split()[3] == "06")


def _ask(url: str) -> int:
    return _request(f"{url}/query?query={urllib.parse.quote('ASK {}')}", method="GET")


@pytest.fixture()
def build(tmp_path: Path) -> Path:
    folder = tmp_path / "build"
    folder.mkdir()
    _graph(3).serialize(folder / "transferkg.ttl", format="turtle")
    return folder


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the child follows its parent on Linux")
def test_serve_rw_stops_on_signals_and_dies_with_its_parent(build: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = tmp_path / "run"
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    port = free_port()
    server = Serve(port, build, runtime, "--rw")
    try:
        assert any("writes need the token in" in line for line in server.out), server.out
        assert _request(server.url + "/update", body=_form(update=INSERT), Content_Type=FORM, Origin=EVIL) == 403
        assert push(_graph(6, "rw"), server.url).triples == 6  # the token, from the file serve wrote
        for _ in range(5):
            assert _ask(server.url) == 200
        code, err = server.stop(signal.SIGTERM)
        assert code == 0 and "Stopping the server." in err and "Traceback" not in err
        assert _gone(server.child) and read_token(port) is None  # the token file went with it
        assert _time_wait(port) > 0  # the closed connections linger ...
        server = Serve(port, build, runtime, "--rw")  # ... and the port is served again at once
        assert _ask(server.url) == 200
        server.proc.send_signal(signal.SIGKILL)
        server.proc.communicate(timeout=10)
        assert _gone(server.child), "the oxigraph child outlived a SIGKILLed serve"
        assert _refused(server.child_port) and _port_free(port)
        assert read_token(port) is None  # the token file left behind is known to be stale
        server = Serve(port, build, runtime, "--rw")
        assert _ask(server.url) == 200
        code, err = server.stop(signal.SIGINT)
        assert code == 0 and "Traceback" not in err and _gone(server.child)
    finally:
        server.kill()


def test_serve_read_only_restarts_on_the_same_port_at_once(build: Path, tmp_path: Path) -> None:
    port = free_port()
    server = Serve(port, build, tmp_path)
    try:
        for _ in range(5):
            assert _ask(server.url) == 200
        code, err = server.stop(signal.SIGINT)
        assert code == 0 and "Traceback" not in err and _gone(server.child)
        assert _time_wait(port) > 0
        server = Serve(port, build, tmp_path)
        assert _ask(server.url) == 200
        code, err = server.stop(signal.SIGTERM)
        assert code == 0 and "Traceback" not in err and _gone(server.child) and _refused(port)
    finally:
        server.kill()


def test_a_port_in_use_is_still_a_clear_error(build: Path, tmp_path: Path) -> None:
    """SO_REUSEADDR lets a port in TIME_WAIT be reused, never one another server listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        assert not _port_free(port)
        for read_only in (True, False):
            with pytest.raises(EndpointError, match=f"127.0.0.1:{port} is already in use"):
                OxigraphServer(tmp_path / "db", port=port, read_only=read_only).start()
