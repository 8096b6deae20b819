"""Start and stop a local Oxigraph server process (the ``oxigraph`` package from PyPI).

Used by ``transferkg serve``, by the tests and by notebooks::

    with OxigraphServer("db/") as server:
        kg = transferkg.store.remote.connect(server.url)

The server is bound to 127.0.0.1 only, on a free port unless one is given, and
is stopped by its process id (SIGTERM, then SIGKILL after a grace period). On
Linux the oxigraph process also gets SIGTERM when the Python thread that started
it dies, even by SIGKILL, so no server outlives its owner; and a stopped
server's port can be taken again at once.

A writable server is never reachable by web pages: any page a browser shows can
send a form or a ``no-cors`` request to 127.0.0.1. So ``oxigraph serve`` listens
on a private loopback port and a small proxy on the public port passes reads on
and refuses every write (SPARQL Update, Graph Store writes, anything else that
is not a query) unless it carries ``Authorization: Bearer <token>`` and no
foreign ``Origin``. The token is random per start (or given), kept in
:attr:`OxigraphServer.token` and in a file only this user can read
(:func:`token_path`), where :mod:`transferkg.store.remote` finds it for a loopback
endpoint with no credentials configured — so ``transferkg push`` and
:func:`transferkg.store.remote.push` just work for the user who started the server.
"""

from __future__ import annotations

import ctypes
import hmac
import http.client
import os
import secrets
import shutil
import signal
import socket
import socketserver
import stat
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from transferkg.core.errors import EndpointError

__all__ = ["OxigraphServer", "find_oxigraph", "free_port", "load_store", "read_token", "token_path"]

HOST = "127.0.0.1"
_PR_SET_PDEATHSIG = 1


def find_oxigraph() -> str:
    """The ``oxigraph`` executable: next to the running Python (its venv), else on PATH.

    Raises:
        EndpointError: not installed.
    """
    for name in ("oxigraph", "oxigraph.exe"):
        candidate = Path(sys.executable).parent / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise EndpointError("the oxigraph server is not installed (pip install oxigraph): "
                        f"no oxigraph executable next to {sys.executable} or on PATH")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _port_free(port: int) -> bool:
    """Whether a server could listen on ``port`` now.

    With ``SO_REUSEADDR``, as oxigraph (Rust's ``TcpListener``) and Python's
    ``http.server`` bind: connections of a stopped server linger in TIME_WAIT
    for a minute, and a bind without it would call the port taken.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` making Linux send the child SIGTERM when the starting thread dies, even by SIGKILL.

    ``None`` elsewhere. The signal follows the *thread* that started the child:
    start servers from a thread that lives as long as they should.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


def _run(args: list[str], what: str) -> None:
    proc = subprocess.run(args, capture_output=True, text=True, check=False, preexec_fn=_die_with_parent())
    if proc.returncode != 0:
        tail = " ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
        raise EndpointError(f"oxigraph {what} failed (exit {proc.returncode}): {tail}")


def _is_store(path: Path) -> bool:
    """An Oxigraph (RocksDB) database folder."""
    return (path / "CURRENT").is_file() and any(path.glob("MANIFEST-*"))


def load_store(location: str | os.PathLike[str], files: list[str | os.PathLike[str]], *,
               replace: bool = True, graph: str | None = None) -> None:
    """Load RDF ``files`` into the Oxigraph database folder ``location`` with ``oxigraph load``.

    With ``replace`` the files are loaded into a fresh sibling folder that then
    takes the place of ``location`` (the previous database stays intact if
    loading fails). A non-empty folder that is not an Oxigraph database is
    never replaced.

    Raises:
        EndpointError: the folder is not a database, or loading failed.
    """
    exe = find_oxigraph()
    target = Path(location).resolve()
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not _is_store(target))):
        raise EndpointError(f"{target} exists and is not an Oxigraph database folder; not touching it")
    extra = ["--graph", graph] if graph else []
    if not replace or not target.exists() or not any(target.iterdir()):
        target.mkdir(parents=True, exist_ok=True)
        _run([exe, "load", "--location", str(target), *extra, "--file", *map(str, files)], "load")
        return
    fresh = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        _run([exe, "load", "--location", str(fresh), *extra, "--file", *map(str, files)], "load")
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        old.rmdir()
        os.replace(target, old)
        try:
            os.replace(fresh, target)
        except OSError:
            os.replace(old, target)
            raise
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


# --------------------------------------------------------------------------- write tokens


def _uid() -> int:
    getuid: Callable[[], int] | None = getattr(os, "getuid", None)
    return getuid() if getuid else 0


def _runtime_dirs() -> list[Path]:
    """Folders for write tokens, most fitting first: $XDG_RUNTIME_DIR, the user's cache, the temp folder."""
    folders = []
    if os.environ.get("XDG_RUNTIME_DIR"):
        folders.append(Path(os.environ["XDG_RUNTIME_DIR"]) / "transferkg")
    try:
        folders.append(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "transferkg" / "run")
    except RuntimeError:  # no home folder
        pass
    folders.append(Path(tempfile.gettempdir()) / f"transferkg-{_uid()}")
    return folders


def _private(path: Path, *, create: bool) -> bool:
    """``path`` is a folder of this user that nobody else can read or write (made so if ``create``)."""
    try:
        if create:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()
        if stat.S_ISDIR(info.st_mode) and info.st_uid == _uid() and info.st_mode & 0o077 and create:
            path.chmod(0o700)
            info = path.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == _uid() and not info.st_mode & 0o077


def token_path(port: int) -> Path | None:
    """The file holding the write token of the local server on ``port`` (``None``: there is none)."""
    for folder in _runtime_dirs():
        path = folder / f"{HOST}-{port}.token"
        if path.is_file() and _private(folder, create=False):
            return path
    return None


def read_token(port: int) -> str | None:
    """The write token of the local server on ``port``, if this user runs one there.

    A token left by a server whose process is gone (killed with SIGKILL) is not returned.
    """
    path = token_path(port)
    if path is None:
        return None
    try:
        token, _, owner = path.read_text(encoding="utf-8").strip().partition("\n")
    except (OSError, UnicodeDecodeError):
        return None
    if owner.strip().isdigit() and not _alive(int(owner)):
        return None
    return token.strip() or None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but not ours to signal
        return True
    return True


def _write_token(port: int, token: str) -> Path:
    """Write ``token`` for ``port`` into the first private runtime folder (mode 0600, replaced atomically)."""
    written = None
    for folder in _runtime_dirs():
        path = folder / f"{HOST}-{port}.token"
        if written is not None:
            if path.is_file():  # a stale token must not shadow this one
                _remove_token(path, path.read_text(encoding="utf-8", errors="replace").partition("\n")[0].strip())
            continue
        if not _private(folder, create=True):
            continue
        partial = folder / f".{path.name}.{os.getpid()}"
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
            with os.fdopen(os.open(partial, flags, 0o600), "w", encoding="utf-8") as handle:
                handle.write(f"{token}\n{os.getpid()}\n")  # the process serving it: a stale file is ignored
            os.replace(partial, path)
            written = path
        except OSError:
            partial.unlink(missing_ok=True)
    if written is None:
        raise EndpointError("cannot write the write token of the Oxigraph server: no private folder in "
                            + ", ".join(map(str, _runtime_dirs())))
    return written


def _remove_token(path: Path, token: str) -> None:
    """Delete the token file if it still holds ``token`` (and its folder if it is then empty)."""
    try:
        if path.read_text(encoding="utf-8").partition("\n")[0].strip() == token:
            path.unlink()
        path.parent.rmdir()
    except OSError:
        pass


# --------------------------------------------------------------------------- the write guard

_HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
                         "trailer", "trailers", "transfer-encoding", "upgrade"})
_MAX_FORM = 16 * 1024 * 1024
"""Largest form body read to tell a query from an update (a larger one counts as an update)."""
_DRAIN = 64 * 1024 * 1024
"""Largest refused request body read away, so that the client gets the refusal, not a reset."""
_CHUNK = 64 * 1024


class _GuardHandler(BaseHTTPRequestHandler):
    """Passes reads on to oxigraph; a write needs the token and no foreign ``Origin``."""

    server: _WriteGuard
    protocol_version = "HTTP/1.0"  # one request per connection: every response ends with the connection
    timeout = 120

    def log_message(self, format: str, *args: object) -> None:  # http.server names the argument format
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's names)
        self._handle()

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle()

    def do_OPTIONS(self) -> None:  # noqa: N802
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def do_PUT(self) -> None:  # noqa: N802
        self._handle()

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle()

    def do_PATCH(self) -> None:  # noqa: N802
        self._handle()

    def _handle(self) -> None:
        if self.headers.get("Transfer-Encoding"):
            self._reply(411, "send the body with a Content-Length (chunked request bodies are not accepted)")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self._reply(400, "bad Content-Length")
            return
        write, body = self._classify(length)
        if write:
            refusal = self._refusal()
            if refusal is not None:
                if body is None and length <= _DRAIN:
                    self._discard(length)
                self._reply(*refusal)
                return
        self._forward(body, length)

    def _classify(self, length: int) -> tuple[bool, bytes | None]:
        """Whether the request may write (everything but GET/HEAD/OPTIONS and a query), and a body read to tell."""
        if self.command in ("GET", "HEAD", "OPTIONS"):
            return False, None
        if self.command == "POST" and urllib.parse.urlsplit(self.path).path == "/query":
            kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if kind == "application/sparql-query":
                return False, None
            if kind == "application/x-www-form-urlencoded" and length <= _MAX_FORM:
                body = self.rfile.read(length)
                fields = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
                return "update" in fields or "query" not in fields, body
        return True, None

    def _refusal(self) -> tuple[int, str] | None:
        own = self.server.own_origins
        origins = self.headers.get_all("Origin") or []
        if any(origin.strip().rstrip("/") not in own for origin in origins) or \
                (self.headers.get("Sec-Fetch-Site") or "none").strip().lower() not in ("none", "same-origin"):
            return 403, ("writes from web pages are refused (the request came from another origin); "
                         "use transferkg push or a client that sends no Origin")
        expected = f"Bearer {self.server.token}".encode()
        if not any(hmac.compare_digest(sent.strip().encode("latin-1", "replace"), expected)
                   for sent in self.headers.get_all("Authorization") or []):
            return 401, ("writes need the server's token: 'Authorization: Bearer <token>', the token being in "
                         f"{self.server.token_file or 'the file transferkg serve names'} "
                         "(transferkg push finds it by itself)")
        return None

    def _discard(self, length: int) -> None:
        try:
            while length > 0:
                chunk = self.rfile.read(min(length, _CHUNK))
                if not chunk:
                    return
                length -= len(chunk)
        except OSError:
            pass

    def _reply(self, code: int, text: str) -> None:
        data = (text + "\n").encode("utf-8")
        try:
            self.send_response(code)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if code == 401:
                self.send_header("WWW-Authenticate", 'Bearer realm="transferkg"')
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        except OSError:
            pass

    def _forward(self, body: bytes | None, length: int) -> None:
        """The request to oxigraph as it came (without the token), its answer streamed back."""
        upstream = http.client.HTTPConnection(HOST, self.server.backend_port)
        try:
            try:
                upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for key, value in self.headers.items():
                    if key.lower() not in _HOP_BY_HOP | {"authorization", "content-length"}:
                        upstream.putheader(key, value)
                if body is not None or length:
                    upstream.putheader("Content-Length", str(len(body) if body is not None else length))
                upstream.endheaders()
                if body is not None:
                    upstream.send(body)
                else:
                    left = length
                    while left > 0:
                        chunk = self.rfile.read(min(left, _CHUNK))
                        if not chunk:
                            return
                        upstream.send(chunk)
                        left -= len(chunk)
                response = upstream.getresponse()
            except OSError as exc:
                self._reply(502, f"the Oxigraph server behind this address did not answer: {exc}")
                return
            self._relay(response)
        finally:
            upstream.close()

    def _relay(self, response: http.client.HTTPResponse) -> None:
        try:
            self.send_response_only(response.status, response.reason)
            for key, value in response.getheaders():
                if key.lower() not in _HOP_BY_HOP and not (key.lower() == "content-length" and response.chunked):
                    self.send_header(key, value)
            self.send_header("Connection", "close")
            self.end_headers()
            while chunk := response.read(_CHUNK):
                self.wfile.write(chunk)
        except (OSError, http.client.HTTPException):
            pass


class _WriteGuard(ThreadingHTTPServer):
    """The public port of a writable server: reads pass, writes need the token (see the module docs)."""

    daemon_threads = True
    allow_reuse_address = True  # SO_REUSEADDR: the port is free again as soon as the server stops

    def __init__(self, port: int, token: str) -> None:
        super().__init__((HOST, port), _GuardHandler)
        self.token = token
        self.backend_port = 0
        self.token_file: Path | None = None
        public = self.server_address[1]
        self.own_origins = {f"http://{HOST}:{public}", f"http://localhost:{public}"}

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # not HTTPServer's: it looks the host name up in DNS
        self.server_name, self.server_port = HOST, int(self.server_address[1])


class OxigraphServer:
    """An ``oxigraph serve`` (or ``serve-read-only``) process on 127.0.0.1.

    A writable server sits behind the write guard (see the module docs): its
    URLs are the guard's, writes need :attr:`token`, which :mod:`transferkg.store.remote`
    finds by itself for this user.

    Args:
        location: database folder (``None``: in memory; read-only needs a folder).
        port: TCP port (``None`` or 0: a free one).
        read_only: ``oxigraph serve-read-only`` (no /update, no writes to /store).
        union_default_graph: the server's default graph is the union of all graphs.
        startup_timeout: seconds to wait for the server to answer ``ASK {}``.
        token: the write token of a writable server (default: a random one per start).
    """

    def __init__(self, location: str | os.PathLike[str] | None = None, port: int | None = None,
                 read_only: bool = False, *, union_default_graph: bool = False,
                 startup_timeout: float = 30.0, executable: str | None = None, token: str | None = None) -> None:
        if read_only and location is None:
            raise EndpointError("a read-only Oxigraph server needs a database folder (location)")
        if token is not None and not (token.strip() and all(33 <= ord(ch) < 127 for ch in token.strip())):
            raise EndpointError("a write token must be printable ASCII without spaces (an HTTP header carries it)")
        self.location = Path(location).resolve() if location is not None else None
        self.port = port or 0
        self.read_only = read_only
        self.union_default_graph = union_default_graph
        self.startup_timeout = startup_timeout
        self.executable = executable
        self.token: str | None = None if read_only else (token.strip() if token else None)
        """The write token (``None`` for a read-only server); random per start unless given."""
        self._fixed_token = token is not None
        self.token_file: Path | None = None
        """The file holding :attr:`token` while the server runs."""
        self.process: subprocess.Popen[bytes] | None = None
        self._log: tempfile._TemporaryFileWrapper[bytes] | None = None
        self._child_port = 0
        self._guard: _WriteGuard | None = None
        self._guard_thread: threading.Thread | None = None

    # URLs
    @property
    def url(self) -> str:
        """The base URL (its page is the browser query UI)."""
        return f"http://{HOST}:{self.port}"

    @property
    def ui_url(self) -> str:
        return self.url + "/"

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    @property
    def update_url(self) -> str:
        return self.url + "/update"

    @property
    def store_url(self) -> str:
        return self.url + "/store"

    @property
    def pid(self) -> int | None:
        """The oxigraph process id."""
        return self.process.pid if self.process else None

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"OxigraphServer({self.url!r}, location={self.location}, read_only={self.read_only}, {state})"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _args(self, exe: str) -> list[str]:
        args = [exe, "serve-read-only" if self.read_only else "serve"]
        if self.location is not None:
            args += ["--location", str(self.location)]
        args += ["--bind", f"{HOST}:{self._child_port}"]
        if self.union_default_graph:
            args.append("--union-default-graph")
        return args

    def _log_tail(self) -> str:
        if self._log is None:
            return ""
        self._log.flush()
        text = Path(self._log.name).read_text(encoding="utf-8", errors="replace").strip()
        return " ".join(text.splitlines()[-3:])

    def _in_use(self) -> EndpointError:
        return EndpointError(f"cannot start the Oxigraph server: {HOST}:{self.port} is already in use "
                             "(choose another --port, or 0 for any free port)")

    def start(self) -> OxigraphServer:
        """Start the process (behind the write guard if writable) and wait until it answers."""
        if self.running:
            return self
        exe = self.executable or find_oxigraph()
        if self.location is not None:
            self.location.mkdir(parents=True, exist_ok=True)
        if self.read_only:
            self._launch(exe, self.port or None)
            self.port = self._child_port
            return self
        if not self._fixed_token:
            self.token = secrets.token_urlsafe(32)
        assert self.token is not None
        try:
            self._guard = _WriteGuard(self.port, self.token)  # the bind is the check: no race
        except OSError as exc:
            raise self._in_use() from exc
        self.port = int(self._guard.server_address[1])
        try:
            self._launch(exe, None)
            self._guard.backend_port = self._child_port
            self.token_file = self._guard.token_file = _write_token(self.port, self.token)
            self._guard_thread = threading.Thread(target=self._guard.serve_forever, name="transferkg-write-guard",
                                                  kwargs={"poll_interval": 0.1}, daemon=True)
            self._guard_thread.start()
        except BaseException:
            self.stop()
            raise
        return self

    def _launch(self, exe: str, port: int | None) -> None:
        """Start oxigraph on ``port`` (``None``: a free one, retried if taken meanwhile) and wait for it."""
        pick = port is None
        for _attempt in range(3 if pick else 1):
            self._child_port = free_port() if port is None else port
            if not pick and not _port_free(self._child_port):  # else the readiness probe would reach the other server
                raise self._in_use()
            self._log = tempfile.NamedTemporaryFile(prefix="transferkg-oxigraph-", suffix=".log")
            self.process = subprocess.Popen(self._args(exe), stdin=subprocess.DEVNULL, stdout=self._log,
                                            stderr=subprocess.STDOUT, preexec_fn=_die_with_parent())
            if self._wait_ready():
                return
            why = self._log_tail()
            self._stop_process(10.0)
            if not (pick and "in use" in why.lower()):
                raise EndpointError(f"the Oxigraph server at {self.url} did not start: {why or 'no answer'}")
        raise EndpointError(f"the Oxigraph server did not start: {HOST}:{self._child_port} was taken")

    def _wait_ready(self) -> bool:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + self.startup_timeout
        probe = f"http://{HOST}:{self._child_port}/query?query=ASK%7B%7D"
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                return False
            try:
                with opener.open(probe, timeout=2) as response:
                    if response.status == 200:
                        return self.process.poll() is None
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        return False

    def stop(self, timeout: float = 10.0) -> int | None:
        """Stop the guard and the process by its pid (SIGTERM, then SIGKILL); its exit code."""
        if self._guard is not None:
            if self._guard_thread is not None:
                self._guard.shutdown()
                self._guard_thread.join(timeout)
                self._guard_thread = None
            self._guard.server_close()
            self._guard = None
        code = self._stop_process(timeout)
        if self.token_file is not None and self.token is not None:
            _remove_token(self.token_file, self.token)
            self.token_file = None
        return code

    def _stop_process(self, timeout: float) -> int | None:
        code = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout)
            code = self.process.returncode
        if self._log is not None:
            self._log.close()
            self._log = None
        return code

    def wait(self) -> int:
        """Block until the process exits; its exit code."""
        assert self.process is not None
        return self.process.wait()

    def __enter__(self) -> OxigraphServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
