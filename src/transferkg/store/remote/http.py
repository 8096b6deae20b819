"""Sending a request to an endpoint: one deadline per request, retries on 429/503, careful redirects.

A socket timeout bounds each read, not the whole request; here a wall-clock
deadline covers connecting, sending, every byte of the answer and the waits
between retries (:class:`_Deadline`). Redirects are followed only for reads to the
same origin. Every failure becomes one :class:`~transferkg.core.errors.EndpointError`
line (a 400 a :class:`~transferkg.core.errors.QuerySyntaxError`), redacted whole.
No process-wide ``urllib`` opener is installed.
"""

from __future__ import annotations

import base64
import functools
import http.client
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from email.message import Message
from email.utils import parsedate_to_datetime
from typing import Any

from transferkg.core.errors import EndpointError, QuerySyntaxError
from transferkg.store.remote.settings import EndpointSettings, clip, is_loopback, one_line, redact, safe_url
from transferkg.store.remote.tokens import read_token

__all__ = ["Response", "Transport", "Unanswered"]

_RETRY_CODES = (429, 503)


class Unanswered(EndpointError):
    """The endpoint did not answer at all (timeout, refused or broken connection): no cleanup request either."""

_ACTIVE = threading.local()
"""The deadline of the request this thread is sending (``_ACTIVE.deadline``)."""


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class _Deadline:
    """A wall-clock budget for one request, all its attempts and retry waits included.

    A socket timeout bounds each read, not the whole: a server that drips a
    byte every few seconds never trips it. So every socket opened while the
    deadline is active is registered here, and when the budget is spent a timer
    shuts them down, which ends a blocked connect, send or read at once.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._outer: _Deadline | None = None

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def __enter__(self) -> _Deadline:
        self._outer = getattr(_ACTIVE, "deadline", None)
        _ACTIVE.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        _ACTIVE.deadline = self._outer
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` down when the budget is spent (via a duplicate: TLS wrapping detaches ``sock``)."""
        with self._lock:
            copy = sock.dup()
            self._sockets.append(copy)
            if self.expired:
                _shutdown(copy)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shutdown(sock)


def _watched_connection(address: tuple[str, int], timeout: float | None,
                        source_address: tuple[str, int] | None = None) -> socket.socket:
    """``socket.create_connection``, registered with the thread's active deadline."""
    sock = socket.create_connection(address, timeout, source_address)
    deadline: _Deadline | None = getattr(_ACTIVE, "deadline", None)
    if deadline is not None:
        deadline.watch(sock)
    return sock


@functools.cache
def _watched(http_class: type[http.client.HTTPConnection]) -> type[http.client.HTTPConnection]:
    """``http_class`` whose sockets the active deadline can shut down."""

    class Watched(http_class):  # type: ignore[valid-type, misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = _watched_connection

    return Watched


class _WatchedHTTPHandler(urllib.request.HTTPHandler):
    def do_open(self, http_class: Any, req: urllib.request.Request, **kwargs: Any) -> Any:
        return super().do_open(_watched(http_class), req, **kwargs)


class _WatchedHTTPSHandler(urllib.request.HTTPSHandler):
    def do_open(self, http_class: Any, req: urllib.request.Request, **kwargs: Any) -> Any:
        return super().do_open(_watched(http_class), req, **kwargs)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.hostname or "", parts.port or {"http": 80, "https": 443}.get(parts.scheme)


class _CarefulRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only for a read (GET, HEAD) to the same scheme, host and port.

    Anything else — another host (which may not be loopback, or may collect the
    query), or a POST that urllib would silently turn into a GET without its
    update — becomes an error that names where the endpoint pointed.
    """

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request | None:
        if req.get_method() in ("GET", "HEAD") and _origin(newurl) == _origin(req.full_url):
            return super().redirect_request(req, fp, code, msg, headers, newurl)
        return None  # urllib raises HTTPError(code); _status_error explains it



class _Digest(urllib.request.HTTPDigestAuthHandler):
    """Digest auth that remembers each origin's challenge and answers it up front.

    urllib's handler sends every request without credentials first and resends it
    after the 401. An endpoint that answers the 401 before it has read a large
    body (Virtuoso's ``/sparql-graph-crud-auth`` and ``/sparql-auth`` do) breaks
    the connection under the upload ("Broken pipe"). So the last challenge of
    each origin is kept, and requests carry their ``Authorization`` from the start;
    :meth:`Transport.send` fetches a fresh challenge with a body-less ``GET``
    before sending a large body.
    """

    def __init__(self, manager: urllib.request.HTTPPasswordMgr) -> None:
        super().__init__(manager)
        self.challenges: dict[tuple[str, str, int | None], dict[str, str]] = {}

    def retry_http_digest_auth(self, req: urllib.request.Request, auth: str) -> Any:
        _scheme, challenge = auth.split(" ", 1)
        chal = urllib.request.parse_keqv_list([p for p in urllib.request.parse_http_list(challenge) if p])
        self.challenges[_origin(req.full_url)] = chal
        return super().retry_http_digest_auth(req, auth)

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        chal = self.challenges.get(_origin(req.full_url))
        if chal and not req.has_header(self.auth_header):
            auth = self.get_authorization(req, chal)
            if auth:
                req.add_unredirected_header(self.auth_header, f"Digest {auth}")
        return req

    https_request = http_request


_DIGEST_PROBE_BYTES = 32 * 1024
"""Bodies larger than this are sent under digest auth only after a fresh challenge (see :class:`_Digest`)."""


def _local_token(url: str) -> str | None:
    """The write token a local ``transferkg serve --rw`` (or OxigraphServer) left for its port, if any."""
    if not is_loopback(url):
        return None
    try:
        port = urllib.parse.urlsplit(url).port or 80
    except ValueError:
        return None
    return read_token(port)


class Response:
    """A fully read HTTP response (what SPARQLWrapper's QueryResult expects)."""

    def __init__(self, body: bytes, headers: Message, url: str, status: int) -> None:
        self.body = body
        self.headers = headers
        self.url = url
        self.status = status

    def read(self) -> bytes:
        return self.body

    def info(self) -> Message:
        return self.headers

    def geturl(self) -> str:
        return self.url

    def getcode(self) -> int:
        return self.status

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()



class Transport:
    """Sends the requests of one endpoint's settings: authentication, deadline, retries, error messages."""

    def __init__(self, settings: EndpointSettings) -> None:
        self.settings = settings
        self.tokens: set[str] = set()
        """Write tokens of local servers found and sent (redacted like the configured secrets)."""
        handlers: list[urllib.request.BaseHandler] = [_WatchedHTTPHandler(), _WatchedHTTPSHandler(),
                                                      _CarefulRedirects()]
        urls = [u for u in (settings.query_url, settings.update_url, settings.store_url) if u]
        if all(is_loopback(u) for u in urls):
            handlers.append(urllib.request.ProxyHandler({}))  # loopback never goes through a proxy
        if settings.auth == "digest":
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in urls:
                manager.add_password(None, url, settings.user or "", settings.password or "")
            self._digest: _Digest | None = _Digest(manager)
            handlers.append(self._digest)
        else:
            self._digest = None
        self._opener = urllib.request.build_opener(*handlers)

    def _fresh_challenge(self, request: urllib.request.Request, deadline: _Deadline) -> None:
        """Under digest auth, fetch the challenge of ``request``'s origin with a body-less ``GET``."""
        if self._digest is None or request.data is None:
            return
        data = request.data
        if not isinstance(data, (bytes, bytearray)) or len(data) <= _DIGEST_PROBE_BYTES:
            return
        probe = urllib.request.Request(request.full_url.split("?", 1)[0], method="GET",
                                       headers={"User-Agent": self.settings.user_agent})
        self._digest.challenges.pop(_origin(request.full_url), None)
        try:
            with self._opener.open(probe, timeout=max(deadline.remaining(), 0.001)) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            exc.close()
        except (urllib.error.URLError, OSError, http.client.HTTPException):
            pass  # the request itself will say what is wrong

    def redact(self, text: str) -> str:
        """``text`` without any credential of these settings or local token sent."""
        return redact(text, [*self.settings.secrets(), *self.tokens], user=self.settings.user)

    def _prepare(self, request: urllib.request.Request) -> urllib.request.Request:
        s = self.settings
        request.add_header("User-Agent", s.user_agent)
        if s.auth == "bearer":
            request.add_unredirected_header("Authorization", f"Bearer {s.token}")
        elif s.auth == "basic":
            raw = f"{s.user}:{s.password}".encode()
            request.add_unredirected_header("Authorization", "Basic " + base64.b64encode(raw).decode("ascii"))
        elif s.auth is None:
            token = _local_token(request.full_url)
            if token:
                self.tokens.add(token)
                request.add_unredirected_header("Authorization", f"Bearer {token}")
        return request

    def _retry_delay(self, header: str | None, attempt: int) -> float:
        delay = 0.5 * 2 ** (attempt - 1)
        if header:
            header = header.strip()
            try:
                delay = float(header)
            except ValueError:
                try:
                    when = parsedate_to_datetime(header)
                    delay = when.timestamp() - time.time()
                except (TypeError, ValueError, IndexError):
                    pass
        if delay != delay:  # NaN
            delay = self.settings.max_retry_wait
        return max(0.0, min(delay, self.settings.max_retry_wait))

    def send(self, build: Callable[[], urllib.request.Request], *, attempts: int | None = None,
             budget: float | None = None) -> Response:
        """Send a request (rebuilt per attempt), retrying 429/503, all within one deadline.

        ``budget`` (default: the settings' timeout) bounds the whole: connecting,
        sending, every byte of the answer, and the waits between attempts. Every
        failure is an :class:`EndpointError` (a 400 a :class:`QuerySyntaxError`)
        whose message is redacted as a whole, then put on one line.
        """
        try:
            with _Deadline(budget or self.settings.timeout) as deadline:
                return self._attempts(build, attempts or self.settings.retries, deadline)
        except (EndpointError, QuerySyntaxError) as exc:
            raise type(exc)(one_line(self.redact(str(exc)))) from None

    def _attempts(self, build: Callable[[], urllib.request.Request], tries: int, deadline: _Deadline) -> Response:
        """Up to ``tries`` attempts; 429 and 503 are retried after their ``Retry-After`` if the deadline allows."""
        for attempt in range(1, tries + 1):
            request = self._prepare(build())
            url = safe_url(request.full_url)
            if deadline.remaining() <= 0:
                raise self._timeout(url, deadline)
            try:
                self._fresh_challenge(request, deadline)
                return self._once(request, url, deadline)
            except urllib.error.HTTPError as exc:
                try:
                    body = exc.read()
                except (OSError, http.client.HTTPException):
                    body = b""
                finally:
                    exc.close()
                if deadline.expired:
                    raise self._timeout(url, deadline) from None
                note = ""
                if exc.code in _RETRY_CODES and attempt < tries:
                    delay = self._retry_delay(exc.headers.get("Retry-After"), attempt)
                    if delay < deadline.remaining():
                        time.sleep(delay)
                        continue
                    note = (f"; not retried: waiting {delay:g} s more would pass the {deadline.seconds:g} s "
                            "allowed for the request (TRANSFERKG_ENDPOINT_TIMEOUT)")
                raise self._status_error(exc.code, exc.reason, body, url, attempt, exc.headers, note) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, request: urllib.request.Request, url: str, deadline: _Deadline) -> Response:
        """One attempt: the whole answer, or an HTTPError for a status, or :class:`Unanswered` saying why not."""
        try:
            with self._opener.open(request, timeout=max(deadline.remaining(), 0.001)) as response:
                body = response.read()
                if deadline.expired:  # a close-delimited body cut short by the deadline
                    raise self._timeout(url, deadline)
                return Response(body, response.headers, response.geturl(), response.status)
        except urllib.error.HTTPError:
            raise
        except urllib.error.URLError as exc:
            reason = exc.reason
            if deadline.expired or isinstance(reason, TimeoutError):
                raise self._timeout(url, deadline) from None
            if isinstance(reason, ConnectionRefusedError):
                raise Unanswered(f"cannot reach the SPARQL endpoint {url}: connection refused "
                                 "(is the server running?)") from None
            why = getattr(reason, "strerror", None) or str(reason)
            raise Unanswered(f"cannot reach the SPARQL endpoint {url}: {why}") from None
        except TimeoutError:
            raise self._timeout(url, deadline) from None
        except (http.client.HTTPException, ConnectionError) as exc:
            if deadline.expired:
                raise self._timeout(url, deadline) from None
            why = type(exc).__name__ if not str(exc) else str(exc)
            raise Unanswered(f"the SPARQL endpoint {url} broke off the connection: {why}") from None
        except OSError as exc:
            if deadline.expired:
                raise self._timeout(url, deadline) from None
            raise Unanswered(f"cannot reach the SPARQL endpoint {url}: {exc.strerror or exc}") from None

    def _timeout(self, url: str, deadline: _Deadline) -> EndpointError:
        return Unanswered(f"the SPARQL endpoint {url} did not answer within {deadline.seconds:g} s (the time "
                          "allowed for a whole request, retries included; raise it with TRANSFERKG_ENDPOINT_TIMEOUT)")

    def _status_error(self, code: int, reason: str, body: bytes, url: str, attempts: int,
                      headers: Message | None = None, note: str = "") -> EndpointError | QuerySyntaxError:
        # Redact the whole page first, then cut: a secret across the cut must not show in part.
        text = one_line(self.redact(body.decode("utf-8", "replace")))
        detail = clip(text)
        if 300 <= code < 400:
            location = (headers.get("Location") if headers is not None else None) or ""
            target = safe_url(urllib.parse.urljoin(url, location.strip())) if location.strip() else "nowhere"
            return EndpointError(f"the SPARQL endpoint {url} answered HTTP {code}, a redirect to {target}; not "
                                 "followed (transferkg follows redirects only for reads on the same host and "
                                 "port: use the new URL as the endpoint if you trust it)")
        head = f"the SPARQL endpoint {url} answered HTTP {code} {clip(reason or '', 80)}".rstrip()
        if code == 400:
            return QuerySyntaxError(f"{head}: it rejected the request" + (f": {detail}" if detail else ""))
        if code == 401:
            why = ("the credentials were refused" if self.settings.auth or self.tokens else
                   "it needs credentials (set TRANSFERKG_ENDPOINT_USER and TRANSFERKG_ENDPOINT_PASSWORD, "
                   "or TRANSFERKG_ENDPOINT_TOKEN)")
            return EndpointError(f"{head}: {why}")
        if code == 403:
            return EndpointError(f"{head}: access refused (missing permission, or a read-only endpoint)"
                                 + (f": {detail}" if detail else ""))
        if code == 404:
            return EndpointError(f"{head}: no SPARQL service at this address (check the URL; an "
                                 "Oxigraph-style base URL serves /query, /update and /store)")
        if code in _RETRY_CODES:
            return EndpointError(f"{head}: still refused after {attempts} attempt(s){note}"
                                 + (f": {detail}" if detail else ""))
        if code >= 500:
            return EndpointError(f"{head}: the server failed" + (f": {detail}" if detail else ""))
        return EndpointError(head + (f": {detail}" if detail else ""))
