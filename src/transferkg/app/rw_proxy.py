"""The write guard of a writable local server (``transferkg serve --rw``): a token and an Origin check.

A writable server is never reachable by web pages: any page a browser shows can
send a form or a ``no-cors`` request to 127.0.0.1. So ``oxigraph serve`` listens
on a private loopback port and this small proxy on the public port passes reads on
and refuses every write (SPARQL Update, Graph Store writes, anything else that
is not a query) unless it carries ``Authorization: Bearer <token>`` and no
foreign ``Origin``. The token is random per start (or given), kept in a file only
this user can read (:mod:`transferkg.store.remote.tokens`), where the remote store
finds it for a loopback endpoint with no credentials configured.
"""

from __future__ import annotations

import hmac
import http.client
import socketserver
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from transferkg.store.remote.tokens import HOST, read_token, remove_token, token_path, write_token

__all__ = ["HOST", "WriteGuard", "read_token", "remove_token", "token_path", "write_token"]


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

    server: WriteGuard
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


class WriteGuard(ThreadingHTTPServer):
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
