"""Start and stop a local Oxigraph server process (the ``oxigraph`` package from PyPI).

Used by ``transferkg serve``, by the tests and by notebooks::

    with OxigraphServer("db/") as server:
        kg = transferkg.app.connect.connect(server.url)

The server is bound to 127.0.0.1 only, on a free port unless one is given, and
is stopped by its process id (SIGTERM, then SIGKILL after a grace period). On
Linux the oxigraph process also gets SIGTERM when the Python thread that started
it dies, even by SIGKILL, so no server outlives its owner; and a stopped
server's port can be taken again at once.

A writable server sits behind the write guard of :mod:`transferkg.app.rw_proxy`:
reads pass, writes need the token (:attr:`OxigraphServer.token`, also in a file only
this user can read, where :mod:`transferkg.store.remote` finds it — so ``transferkg
push`` and :func:`transferkg.app.connect.push` just work for the user who started
the server) and no foreign ``Origin``.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from transferkg.app.rw_proxy import WriteGuard
from transferkg.core.errors import EndpointError
from transferkg.store.remote.tokens import HOST, read_token, remove_token, token_path, write_token

__all__ = ["HOST", "OxigraphServer", "find_oxigraph", "free_port", "load_store", "read_token", "token_path"]

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
        self._guard: WriteGuard | None = None
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
            self._guard = WriteGuard(self.port, self.token)  # the bind is the check: no race
        except OSError as exc:
            raise self._in_use() from exc
        self.port = int(self._guard.server_address[1])
        try:
            self._launch(exe, None)
            self._guard.backend_port = self._child_port
            self.token_file = self._guard.token_file = write_token(self.port, self.token)
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
            remove_token(self.token_file, self.token)
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
