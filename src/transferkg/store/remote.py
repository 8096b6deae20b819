"""The ``remote`` backend: any SPARQL 1.1 endpoint, over SPARQLWrapper.

:class:`RemoteStore` answers the same :class:`~transferkg.store.base.Store` calls as the
embedded backends, with the same rdflib terms (typed literals, language tags,
IRIs, blank nodes), so the query library, checks, stats and views run unchanged
against Oxigraph server, Fuseki, GraphDB, Virtuoso or Neptune.

SPARQLWrapper builds the protocol requests (GET or URL-encoded POST, query
versus update, ``default-graph-uri``); a small transport here sends them, so
that authentication, timeouts, retries on 429/503 and error messages are the
same for queries, updates and Graph Store Protocol uploads, and so that no
process-wide ``urllib`` opener is installed.

Parameters of library queries are typed rdflib terms (see
:meth:`transferkg.query.library.Query.bind`). They are sent as an inline
``VALUES ?var { term }`` block at the start of the query's top-level WHERE
group, written with the term's own N-Triples/Turtle escaping — user text is
never formatted into SPARQL.

Named graphs: with ``graph`` set (say ``https://w3id.org/tct/graph/all``), data
is pushed into that named graph and every query is sent with
``default-graph-uri=<graph>`` (SPARQL 1.1 Protocol), so the library's queries,
which never use ``GRAPH``, see exactly that graph whether or not the engine
makes its default graph the union of all graphs. ``union_default_graph=True``
says the engine already does (Oxigraph ``--union-default-graph``, GraphDB,
Stardog's option, Fuseki's ``unionDefaultGraph``); then no dataset is sent.
Without ``graph`` everything goes to, and is read from, the default graph.

Push (:meth:`RemoteStore.push`): the graph is uploaded into a staging named
graph (Graph Store Protocol ``PUT``, or batched ``INSERT DATA`` when there is no
Graph Store URL), the staging graph's triple count is checked against the local
count, and only then is the target replaced by one SPARQL Update request
(``MOVE GRAPH <staging> TO <target>``). Until that request the previous target
data is untouched and queryable; if anything fails before it, the error says so
and the staging graph is dropped (best effort). Whether the final request is
itself atomic is up to the engine: Oxigraph, Fuseki/TDB2, GraphDB and RDF4J run
one update request in one transaction, so readers see the old or the new graph,
never a mix; engines without transactional updates may briefly show an empty or
partial target.
"""

from __future__ import annotations

import base64
import configparser
import functools
import hashlib
import html
import http.client
import ipaddress
import json
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from email.message import Message
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node
from SPARQLWrapper import JSON, N3, POST, SPARQLWrapper

from transferkg.core.errors import BadParameter, EndpointError, QuerySyntaxError
from transferkg.core.namespaces import bind_prefixes
from transferkg.store.base import SelectResult, Triple
from transferkg.store.binding import _IRI_OK, inject_values

if TYPE_CHECKING:
    from transferkg.app.kg import KnowledgeGraph

__all__ = [
    "CONFIG_ENV",
    "EndpointSettings",
    "PushResult",
    "RemoteStore",
    "check_endpoint_url",
    "connect",
    "inject_values",
    "push",
    "redact",
]

CONFIG_ENV = "TRANSFERKG_ENDPOINT_CONFIG"
"""Environment variable naming the endpoint configuration file (INI)."""

_ENV = {
    "user": "TRANSFERKG_ENDPOINT_USER",
    "password": "TRANSFERKG_ENDPOINT_PASSWORD",
    "token": "TRANSFERKG_ENDPOINT_TOKEN",
    "auth": "TRANSFERKG_ENDPOINT_AUTH",
    "graph": "TRANSFERKG_ENDPOINT_GRAPH",
    "timeout": "TRANSFERKG_ENDPOINT_TIMEOUT",
}
_AUTH_KINDS = ("basic", "digest", "bearer")
_SECRET_FIELDS = ("password", "token")
_RETRY_CODES = (429, 503)
_STAGING_PREFIX = "urn:transferkg:staging:"
_DETAIL_CHARS = 300
"""How much of an error page an error message quotes (after redaction)."""
_CLEANUP_BUDGET = 5.0
"""Seconds allowed for dropping the staging graph after a failed push (one attempt, no retries)."""


def _version() -> str:
    from transferkg import __version__

    return __version__


# --------------------------------------------------------------------------- redaction

_REDACTED = "***"
_CREDENTIAL_FIELD = re.compile(
    r"""(?ix)
    \b((?:proxy-)?authorization|x-api-key|api[-_]?key|access[-_]token|password|passwd)\b
    (["']?\s*[:=]\s*["']?)                               # Name: value, "name": "value", name=value
    ((?:basic|bearer|digest|negotiate|ntlm|token)\s+)?   # the scheme stays, the credential goes
    ([^\s"'<>,;&]+)""")
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@?#\[\]]+@")


def _secret_forms(secret: str, user: str | None) -> set[str]:
    """The ways ``secret`` comes back in an error page: as is, URL-, HTML-, JSON- or base64-encoded."""
    raws = {secret, " ".join(secret.split())}
    for raw in [secret] + ([f"{user}:{secret}"] if user else []):  # user:secret is HTTP basic auth
        data = raw.encode("utf-8")
        for encoded in (base64.b64encode(data), base64.urlsafe_b64encode(data)):
            raws.update((encoded.decode("ascii"), encoded.decode("ascii").rstrip("=")))
    forms: set[str] = set()
    for raw in raws:
        forms.update((raw, urllib.parse.quote(raw, safe=""), urllib.parse.quote(raw), urllib.parse.quote_plus(raw),
                      html.escape(raw), html.escape(raw, quote=False), json.dumps(raw)[1:-1],
                      json.dumps(raw, ensure_ascii=False)[1:-1]))
    return {form for form in forms if form.strip()}


def redact(text: str, secrets: Iterable[str | None] = (), *, user: str | None = None) -> str:
    """``text`` with every credential replaced by ``***``.

    Apply it to a whole message once it is built and before it is cut to any
    length, so that no part of a secret survives a cut. It removes each of
    ``secrets`` (passwords, tokens) in every form an error page may echo it —
    as is, URL-encoded, HTML- or JSON-escaped, base64-encoded alone or as the
    ``user:secret`` of HTTP basic auth, in any letter case — and, whatever their
    value, the values of ``Authorization:``-style fields and the
    ``user:password@`` of URLs.
    """
    forms: set[str] = set()
    for secret in secrets:
        if secret:
            forms |= _secret_forms(secret, user)
    if forms:
        pattern = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
        text = re.sub(pattern, _REDACTED, text, flags=re.IGNORECASE)
    text = _URL_USERINFO.sub(rf"\1{_REDACTED}@", text)
    return _CREDENTIAL_FIELD.sub(lambda m: m.group(1) + m.group(2) + (m.group(3) or "") + _REDACTED, text)


def _clip(text: str, limit: int = _DETAIL_CHARS) -> str:
    """``text`` cut to ``limit`` characters (redact first: a cut must never reveal part of a secret)."""
    return text if len(text) <= limit else text[:limit] + "…"


# --------------------------------------------------------------------------- endpoint URLs

_HOST_OK = re.compile(r"^[^\s/?#@\[\]<>\"{}|\\^`%]+$")


def _url_problem(text: str) -> str | None:
    """Why ``text`` is not an http(s) URL a client can send requests to (``None``: it is)."""
    if not text:
        return "it is empty"
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        return "it contains spaces or control characters"
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range 0-65535", …
        return str(exc)
    if parts.scheme not in ("http", "https"):
        return f"the scheme must be http or https, not {parts.scheme!r}" if parts.scheme else "it has no http://"
    host = parts.hostname
    if not host:
        return "it names no host"
    if "[" in parts.netloc:
        try:
            ipaddress.IPv6Address(host.split("%")[0])
        except ValueError:
            return "the bracketed host is not an IPv6 address"
    elif not _HOST_OK.match(host):
        return "the host name is not valid"
    if port == 0:
        return "port 0 is not a port a server listens on"
    return None


def _shown_url(text: str) -> str:
    """An invalid URL as an error message may quote it: no user info, query or fragment, redacted, short."""
    text = re.split(r"[?#]", text, maxsplit=1)[0]
    text = re.sub(r"^((?:[A-Za-z][A-Za-z0-9+.\-]*:)?//)?[^/]*@", lambda m: (m.group(1) or "") + _REDACTED + "@", text)
    return _clip(redact(text), 200)


def check_endpoint_url(url: str, what: str = "endpoint URL") -> str:
    """``url`` without surrounding spaces, if it is an http(s) URL with a host.

    Raises:
        BadParameter: one line naming the URL (without credentials) and what is wrong with it.
    """
    text = url.strip() if isinstance(url, str) else ""
    why = _url_problem(text)
    if why:
        raise BadParameter(redact(f"{what} {_shown_url(text)!r} is not valid: {why} "
                                  "(expected http(s)://host[:port][/path], e.g. http://127.0.0.1:7878)"))
    return text


# --------------------------------------------------------------------------- settings


@dataclass(repr=False)
class EndpointSettings:
    """Where an endpoint is and how to talk to it.

    ``url`` is an Oxigraph-style base URL (``http://host:7878``: ``/query``,
    ``/update``, ``/store``); a URL ending in ``/query`` is read as the query URL
    of such a base, and one ending in ``/sparql`` as a single-URL endpoint
    (queries and updates at that URL, no Graph Store Protocol: pushes use
    ``INSERT DATA``). Set ``query_url`` / ``update_url`` / ``store_url`` for any
    other layout (Fuseki: ``…/ds/query``, ``…/ds/update``, ``…/ds/data``).

    Credentials (``user``/``password`` for basic or digest auth, ``token`` for
    bearer auth) come from arguments, the environment (``TRANSFERKG_ENDPOINT_USER``,
    ``_PASSWORD``, ``_TOKEN``, ``_AUTH``) or the configuration file; they never
    appear in ``repr()`` or in error messages.
    """

    url: str
    query_url: str = ""
    update_url: str = ""
    store_url: str | None = ""
    """Graph Store Protocol URL; ``None``: none, push with batched ``INSERT DATA``."""
    graph: str | None = None
    """Named graph the data lives in (``None``: the default graph)."""
    union_default_graph: bool = False
    """The engine's default graph is the union of all graphs (then no ``default-graph-uri`` is sent)."""
    auth: str | None = None
    user: str | None = None
    password: str | None = None
    token: str | None = None
    timeout: float = 30.0
    """Seconds for a whole request: connecting, sending, every byte of the answer, and the waits between retries."""
    user_agent: str = ""
    post_threshold: int = 2000
    """Queries whose GET URL would be longer than this many characters are POSTed."""
    retries: int = 3
    """Attempts in all for a request answered 429/503 (honouring ``Retry-After``)."""
    max_retry_wait: float = 30.0
    batch_size: int = 5000
    """Triples per ``INSERT DATA`` request when there is no Graph Store URL."""

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(check_endpoint_url(self.url))
        if parts.username is not None:  # http://user:secret@host/… → credentials, stripped from the URL
            self.user = self.user or urllib.parse.unquote(parts.username)
            if parts.password is not None:
                self.password = self.password or urllib.parse.unquote(parts.password)
        self.url = _safe_url(self.url).rstrip("/")
        base, path = self.url, urllib.parse.urlsplit(self.url).path
        single = False
        if path.endswith("/query"):
            base = self.url[: -len("/query")]
        elif path.endswith("/sparql"):
            single = True
        self.query_url = _safe_url(check_endpoint_url(self.query_url, "query_url")) if self.query_url else (
            self.url if single else base + "/query")
        self.update_url = _safe_url(check_endpoint_url(self.update_url, "update_url")) if self.update_url else (
            self.url if single else base + "/update")
        if self.store_url == "":
            self.store_url = None if single else base + "/store"
        elif self.store_url is not None:
            self.store_url = _safe_url(check_endpoint_url(self.store_url, "store_url"))
        if self.graph is not None:
            self.graph = _check_iri(str(self.graph), "graph")
        if self.auth is None:
            self.auth = "bearer" if self.token else ("basic" if self.user else None)
        if self.auth is not None:
            self.auth = self.auth.lower()
            if self.auth not in _AUTH_KINDS:
                raise BadParameter(f"endpoint auth must be one of {', '.join(_AUTH_KINDS)}, not {self.auth!r}")
            if self.auth == "bearer" and not self.token:
                raise BadParameter("bearer auth needs a token (TRANSFERKG_ENDPOINT_TOKEN)")
        if self.token and not all(33 <= ord(ch) < 127 for ch in self.token):  # an HTTP header carries it
            raise BadParameter("the endpoint token must be printable ASCII without spaces (TRANSFERKG_ENDPOINT_TOKEN)")
            if self.auth in ("basic", "digest") and not (self.user and self.password is not None):
                raise BadParameter(f"{self.auth} auth needs a user and a password "
                                   "(TRANSFERKG_ENDPOINT_USER, TRANSFERKG_ENDPOINT_PASSWORD)")
        self.timeout = float(self.timeout)
        if not 0 < self.timeout < float("inf"):  # also refuses NaN
            raise BadParameter(f"endpoint timeout must be a positive number of seconds, not {self.timeout}")
        self.retries = max(1, int(self.retries))
        self.user_agent = self.user_agent or f"transferkg/{_version()}"

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self)
                          if f.name not in (*_SECRET_FIELDS, "user"))
        hidden = "<hidden>" if (self.password or self.token) else None
        return redact(f"EndpointSettings({shown}, credentials={hidden})", self.secrets(), user=self.user)

    __str__ = __repr__

    @property
    def dataset(self) -> list[tuple[str, str]]:
        """Protocol parameters that make the library's queries see the data."""
        if self.graph and not self.union_default_graph:
            return [("default-graph-uri", self.graph)]
        return []

    def secrets(self) -> list[str]:
        return [s for s in (self.password, self.token) if s]

    @classmethod
    def resolve(cls, endpoint: str, *, config: str | os.PathLike[str] | None = None,
                environ: Mapping[str, str] | None = None, **overrides: Any) -> EndpointSettings:
        """Settings for ``endpoint``: the config file, then the environment, then ``overrides``.

        The configuration file is ``$TRANSFERKG_ENDPOINT_CONFIG`` or
        ``$XDG_CONFIG_HOME/transferkg/endpoints.ini`` (``~/.config/…``), INI with
        one section per endpoint URL (and ``[DEFAULT]`` for all)::

            [https://sparql.example.org/tct]
            auth = digest
            user = alice
            password = …
            graph = https://w3id.org/tct/graph/all
            union_default_graph = false
            timeout = 60
        """
        endpoint = check_endpoint_url(endpoint)
        env = os.environ if environ is None else environ
        known = {f.name for f in fields(cls)} - {"url"}
        values: dict[str, Any] = {}
        values.update(_read_config(endpoint, config, env, known))
        for key, var in _ENV.items():
            if env.get(var):
                values[key] = env[var]
        unknown = set(overrides) - known
        if unknown:
            raise BadParameter(f"unknown endpoint setting(s): {', '.join(sorted(unknown))}; "
                               f"known: {', '.join(sorted(known))}")
        values.update({k: v for k, v in overrides.items() if v is not None or k == "store_url"})
        for key in ("timeout", "max_retry_wait"):
            if key in values:
                values[key] = _number(values[key], key, float)
        for key in ("post_threshold", "retries", "batch_size"):
            if key in values:
                values[key] = _number(values[key], key, int)
        if isinstance(values.get("union_default_graph"), str):
            values["union_default_graph"] = values["union_default_graph"].strip().lower() in ("1", "true", "yes", "on")
        return cls(url=endpoint, **values)


def _number(value: Any, key: str, kind: Callable[[Any], Any]) -> Any:
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise BadParameter(f"endpoint setting {key} must be a number") from None  # the value may be a secret


def _config_path(config: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path | None:
    if config is not None:
        return Path(config)
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV])
    base = Path(env.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    path = base / "transferkg" / "endpoints.ini"
    return path if path.is_file() else None


def _read_config(endpoint: str, config: str | os.PathLike[str] | None, env: Mapping[str, str],
                 known: set[str]) -> dict[str, Any]:
    path = _config_path(config, env)
    if path is None:
        return {}
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except OSError as exc:
        raise BadParameter(f"cannot read endpoint configuration {path}: {exc.strerror}") from exc
    except configparser.Error as exc:
        # The parser's message may quote a line (a password): say where, not what.
        line = getattr(exc, "lineno", None)
        raise BadParameter(f"{path}{f':{line}' if line else ''}: not a valid INI file") from exc
    want = _safe_url(endpoint).rstrip("/")
    section: Mapping[str, str] = parser.defaults()
    for name in parser.sections():
        if _safe_url(name).rstrip("/") == want:
            section = parser[name]
            break
    values = {}
    for key, value in section.items():
        if key not in known:
            raise BadParameter(f"{path}: unknown endpoint setting {key!r}; known: {', '.join(sorted(known))}")
        values[key] = value
    return values


def _safe_url(url: str) -> str:
    """``url`` without user info (credentials), query string or fragment."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<invalid URL>"
    return urllib.parse.urlunsplit((parts.scheme, host + port, parts.path, "", ""))


def _check_iri(text: str, what: str) -> str:
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if not _IRI_OK.match(text):
        raise BadParameter(f"{what} must be an absolute IRI such as https://w3id.org/tct/graph/all, "
                           f"not {text!r}")
    return text


def _is_loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --------------------------------------------------------------------------- term conversion


def _term(binding: Mapping[str, Any] | None) -> Node | None:
    """An rdflib term from one SPARQL 1.1 JSON results binding."""
    if binding is None:
        return None
    kind = binding.get("type")
    value = binding.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        lang = binding.get("xml:lang")
        if lang:
            return Literal(value, lang=lang)
        datatype = binding.get("datatype")
        # RDF 1.1: "x" and "x"^^xsd:string are one term; rdflib keeps plain strings undatatyped.
        if datatype and datatype not in (str(XSD.string), str(RDF.langString)):
            return Literal(value, datatype=URIRef(datatype))
        return Literal(value)
    raise EndpointError(f"the endpoint returned a {kind!r} term, which transferkg cannot represent")


# --------------------------------------------------------------------------- transport


class _Unanswered(EndpointError):
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


def _local_token(url: str) -> str | None:
    """The write token a local ``transferkg serve --rw`` (or OxigraphServer) left for its port, if any."""
    if not _is_loopback(url):
        return None
    from transferkg.app.server import read_token

    try:
        port = urllib.parse.urlsplit(url).port or 80
    except ValueError:
        return None
    return read_token(port)


def _one_line(text: str) -> str:
    """``text`` on one line, control characters shown as U+FFFD (an error page must not drive the terminal)."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f]", "\ufffd", " ".join(text.split()))


class _Response:
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


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper that builds the protocol request and hands it to our transport."""

    def __init__(self, endpoint: str, update_endpoint: str,
                 transport: Callable[[Callable[[], urllib.request.Request]], _Response]) -> None:
        super().__init__(endpoint, updateEndpoint=update_endpoint, returnFormat=JSON)
        self._transport = transport

    def _query(self) -> tuple[Any, str]:
        return self._transport(self._createRequest), self.returnFormat


@dataclass
class PushResult:
    """What :meth:`RemoteStore.push` did."""

    triples: int
    graph: str | None
    endpoint: str
    method: str

    def text(self) -> str:
        where = f"graph <{self.graph}>" if self.graph else "the default graph"
        return f"Pushed {self.triples} triples into {where} of {self.endpoint} ({self.method})"


class RemoteStore:
    """A SPARQL 1.1 endpoint behind the :class:`~transferkg.store.base.Store` interface."""

    name = "remote"

    def __init__(self, settings: EndpointSettings) -> None:
        self.settings = settings
        self._tokens: set[str] = set()
        """Write tokens of local servers found and sent (redacted like the configured secrets)."""
        handlers: list[urllib.request.BaseHandler] = [_WatchedHTTPHandler(), _WatchedHTTPSHandler(),
                                                      _CarefulRedirects()]
        urls = [u for u in (settings.query_url, settings.update_url, settings.store_url) if u]
        if all(_is_loopback(u) for u in urls):
            handlers.append(urllib.request.ProxyHandler({}))  # loopback never goes through a proxy
        if settings.auth == "digest":
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in urls:
                manager.add_password(None, url, settings.user or "", settings.password or "")
            handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
        self._opener = urllib.request.build_opener(*handlers)

    def __repr__(self) -> str:
        graph = f", graph={self.settings.graph!r}" if self.settings.graph else ""
        return f"RemoteStore({self.settings.url!r}{graph})"

    # ------------------------------------------------------------------ HTTP

    def _redact(self, text: str) -> str:
        return redact(text, [*self.settings.secrets(), *self._tokens], user=self.settings.user)

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
                self._tokens.add(token)
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

    def _send(self, build: Callable[[], urllib.request.Request], *, attempts: int | None = None,
              budget: float | None = None) -> _Response:
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
            raise type(exc)(_one_line(self._redact(str(exc)))) from None

    def _attempts(self, build: Callable[[], urllib.request.Request], tries: int, deadline: _Deadline) -> _Response:
        for attempt in range(1, tries + 1):
            request = self._prepare(build())
            url = _safe_url(request.full_url)
            if deadline.remaining() <= 0:
                raise self._timeout(url, deadline)
            try:
                with self._opener.open(request, timeout=max(deadline.remaining(), 0.001)) as response:
                    body = response.read()
                    if deadline.expired:  # a close-delimited body cut short by the deadline
                        raise self._timeout(url, deadline)
                    return _Response(body, response.headers, response.geturl(), response.status)
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
            except urllib.error.URLError as exc:
                reason = exc.reason
                if deadline.expired or isinstance(reason, TimeoutError):
                    raise self._timeout(url, deadline) from None
                if isinstance(reason, ConnectionRefusedError):
                    raise _Unanswered(f"cannot reach the SPARQL endpoint {url}: connection refused "
                                      "(is the server running?)") from None
                why = getattr(reason, "strerror", None) or str(reason)
                raise _Unanswered(f"cannot reach the SPARQL endpoint {url}: {why}") from None
            except TimeoutError:
                raise self._timeout(url, deadline) from None
            except (http.client.HTTPException, ConnectionError) as exc:
                if deadline.expired:
                    raise self._timeout(url, deadline) from None
                why = type(exc).__name__ if not str(exc) else str(exc)
                raise _Unanswered(f"the SPARQL endpoint {url} broke off the connection: {why}") from None
            except OSError as exc:
                if deadline.expired:
                    raise self._timeout(url, deadline) from None
                raise _Unanswered(f"cannot reach the SPARQL endpoint {url}: {exc.strerror or exc}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _timeout(self, url: str, deadline: _Deadline) -> EndpointError:
        return _Unanswered(f"the SPARQL endpoint {url} did not answer within {deadline.seconds:g} s (the time "
                           "allowed for a whole request, retries included; raise it with TRANSFERKG_ENDPOINT_TIMEOUT)")

    def _status_error(self, code: int, reason: str, body: bytes, url: str, attempts: int,
                      headers: Message | None = None, note: str = "") -> EndpointError | QuerySyntaxError:
        # Redact the whole page first, then cut: a secret across the cut must not show in part.
        text = _one_line(self._redact(body.decode("utf-8", "replace")))
        detail = _clip(text)
        if 300 <= code < 400:
            location = (headers.get("Location") if headers is not None else None) or ""
            target = _safe_url(urllib.parse.urljoin(url, location.strip())) if location.strip() else "nowhere"
            return EndpointError(f"the SPARQL endpoint {url} answered HTTP {code}, a redirect to {target}; not "
                                 "followed (transferkg follows redirects only for reads on the same host and "
                                 "port: use the new URL as the endpoint if you trust it)")
        head = f"the SPARQL endpoint {url} answered HTTP {code} {_clip(reason or '', 80)}".rstrip()
        if code == 400:
            return QuerySyntaxError(f"{head}: it rejected the request" + (f": {detail}" if detail else ""))
        if code == 401:
            why = ("the credentials were refused" if self.settings.auth or self._tokens else
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

    def _wrapper(self, text: str, *, update: bool = False, dataset: bool = True,
                 accept: str = "application/sparql-results+json", graph: bool = False) -> _Wrapper:
        s = self.settings
        wrapper = _Wrapper(s.query_url, s.update_url, self._send)
        if graph:
            wrapper.setReturnFormat(N3)
        wrapper.setOnlyConneg(True)  # no format=/output= parameters; the Accept header decides
        wrapper.agent = s.user_agent
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # SPARQLWrapper guesses the form from the text
            wrapper.setQuery(text)
        if update:
            if not wrapper.isSparqlUpdateRequest():
                wrapper.queryType = "INSERT"  # an update SPARQLWrapper did not recognise (e.g. WITH …)
            wrapper.setMethod(POST)
        else:
            if wrapper.isSparqlUpdateRequest():
                wrapper.queryType = "SELECT"  # a query, whatever its first keyword looked like
            if dataset:
                for key, value in s.dataset:
                    wrapper.addParameter(key, value)
            params = [("query", text)] + [(k, v) for k, vs in wrapper.parameters.items() for v in vs]
            if len(s.query_url) + 1 + len(urllib.parse.urlencode(params)) > s.post_threshold:
                wrapper.setMethod(POST)
        wrapper.addCustomHttpHeader("Accept", accept)
        return wrapper

    def _run(self, text: str, **options: Any) -> _Response:
        response = self._wrapper(text, **options).query().response
        assert isinstance(response, _Response)
        return response

    def _json(self, text: str, *, dataset: bool = True) -> dict[str, Any]:
        response = self._run(text, dataset=dataset)
        try:
            data = json.loads(response.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise EndpointError(f"the SPARQL endpoint {self.settings.query_url} answered with something "
                                f"that is not SPARQL JSON results ({response.content_type or 'no type'})") from exc
        if not isinstance(data, dict):
            raise EndpointError(f"the SPARQL endpoint {self.settings.query_url} answered with malformed results")
        return data

    def _select(self, text: str, *, dataset: bool = True) -> SelectResult:
        data = self._json(text, dataset=dataset)
        try:
            names = [str(v) for v in data["head"].get("vars", [])]
            rows = [tuple(_term(b.get(v)) for v in names) for b in data["results"]["bindings"]]
        except (KeyError, TypeError, AttributeError) as exc:
            raise EndpointError(f"the SPARQL endpoint {self.settings.query_url} answered with malformed "
                                "SELECT results") from exc
        return SelectResult(vars=names, rows=rows)

    def _count(self, graph: str | None) -> int:
        """Triples in named graph ``graph`` (``None``: what the library's queries see)."""
        if graph is None:
            result = self._select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        else:
            result = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                                  dataset=False)
        try:
            return int(str(result.rows[0][0]))
        except (IndexError, TypeError, ValueError) as exc:
            raise EndpointError(f"the SPARQL endpoint {self.settings.query_url} did not return a count") from exc

    # ------------------------------------------------------------------ Store

    def select(self, query: str, bindings: Mapping[str, Node] | None = None) -> SelectResult:
        return self._select(inject_values(query, bindings))

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None) -> bool:
        data = self._json(inject_values(query, bindings))
        answer = data.get("boolean")
        if not isinstance(answer, bool):
            raise EndpointError(f"the SPARQL endpoint {self.settings.query_url} did not answer the ASK query")
        return answer

    def construct(self, query: str, bindings: Mapping[str, Node] | None = None) -> Graph:
        response = self._run(inject_values(query, bindings), graph=True,
                             accept="application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5")
        formats = {"application/n-triples": "nt", "text/plain": "nt", "text/turtle": "turtle",
                   "application/x-turtle": "turtle", "application/rdf+xml": "xml",
                   "application/ld+json": "json-ld", "text/n3": "n3"}
        graph = bind_prefixes(Graph())
        try:
            graph.parse(data=response.body.decode("utf-8"), format=formats.get(response.content_type, "turtle"))
        except Exception as exc:  # rdflib parsers raise assorted exceptions, quoting the data
            why = _clip(_one_line(self._redact(str(exc))), 200)
            raise EndpointError(f"the SPARQL endpoint {self.settings.query_url} answered with RDF that does "
                                f"not parse ({response.content_type or 'no type'}): {why}") from None
        return graph

    def update(self, update: str) -> None:
        """Run a SPARQL Update as written (name ``GRAPH <…>`` explicitly to write a named graph)."""
        self._run(update, update=True, accept="*/*")

    def add_triples(self, triples: Iterable[Triple]) -> None:
        """``INSERT DATA`` into the configured graph (the default graph without one)."""
        self._insert(triples, self.settings.graph)

    def triple_count(self) -> int:
        return self._count(None)

    def to_graph(self) -> Graph:
        return self.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")

    def ping(self) -> None:
        """Raise :class:`EndpointError` unless the endpoint answers ``ASK {}``."""
        self._json("ASK {}", dataset=False)

    # ------------------------------------------------------------------ push

    def _insert(self, triples: Iterable[Triple], graph: str | None) -> int:
        lines: list[str] = []
        has_bnodes = False
        for s, p, o in triples:
            has_bnodes = has_bnodes or isinstance(s, BNode) or isinstance(o, BNode)
            lines.append(f"{s.n3()} {p.n3()} {o.n3()} .")
        # Blank node labels are scoped to one request: keep every triple in one when there are any.
        size = len(lines) if has_bnodes else max(1, self.settings.batch_size)
        for start in range(0, len(lines), size):
            body = "\n".join(lines[start:start + size])
            if graph:
                body = f"GRAPH <{graph}> {{\n{body}\n}}"
            self.update(f"INSERT DATA {{\n{body}\n}}")
        return len(lines)

    def _put(self, graph: Graph, target: str) -> None:
        data = graph.serialize(format="nt", encoding="utf-8")
        url = f"{self.settings.store_url}?graph={urllib.parse.quote(target, safe='')}"

        def build() -> urllib.request.Request:
            return urllib.request.Request(url, data=data, method="PUT",
                                          headers={"Content-Type": "application/n-triples"})

        self._send(build)

    def staging_graph(self) -> str:
        """The staging graph of this endpoint's target (one per target, replaced by every push)."""
        target = self.settings.graph or "default"
        return _STAGING_PREFIX + hashlib.sha256(target.encode()).hexdigest()[:16]

    def push(self, graph: Graph) -> PushResult:
        """Replace the target graph's content by ``graph``, via a verified staging graph.

        Raises:
            EndpointError: the upload, the check or the swap failed; the previous
                target data is then still in place (see the module documentation).
        """
        s = self.settings
        target = s.graph
        staging = self.staging_graph()
        expected = len(graph)
        method = "Graph Store Protocol PUT" if s.store_url else "SPARQL INSERT DATA"
        into = f"GRAPH <{target}>" if target else "DEFAULT"
        try:
            # A leftover of an interrupted push must never pass for this upload.
            self.update(f"DROP SILENT GRAPH <{staging}>")
            if s.store_url:
                self._put(graph, staging)
            else:
                self._insert(graph, staging)
            found = self._count(staging)
            if found != expected:
                raise EndpointError(f"push to {s.url} stopped: the staging graph <{staging}> holds {found} "
                                    f"triples, {expected} were sent; the previous data is untouched")
        except (EndpointError, QuerySyntaxError) as exc:
            self._drop_quietly(staging, exc)
            if "untouched" in str(exc):
                raise
            raise EndpointError(f"push to {s.url} failed before the swap, the previous data is untouched: "
                                f"{exc}") from None
        try:
            if expected:
                self.update(f"MOVE GRAPH <{staging}> TO {into}")
            else:
                self.update(f"CLEAR SILENT {into}; DROP SILENT GRAPH <{staging}>")
        except (EndpointError, QuerySyntaxError) as exc:
            self._drop_quietly(staging, exc)
            raise EndpointError(f"push to {s.url} failed at the final swap (one SPARQL Update request), so "
                                f"the previous data is still in place on a transactional engine: {exc}") from None
        if target or not s.union_default_graph:
            found = self._count(target)
            if found != expected:
                raise EndpointError(f"push to {s.url}: after the swap the target holds {found} triples, "
                                    f"not {expected}")
        return PushResult(triples=expected, graph=target, endpoint=s.url, method=method)

    def _drop_quietly(self, staging: str, failure: Exception) -> None:
        """Drop the staging graph after ``failure``: one attempt, a short budget, none if nothing answered.

        The next push drops a leftover anyway; a cleanup that repeated the
        retries and the timeout would only double the wait.
        """
        if isinstance(failure, _Unanswered):
            return
        body = urllib.parse.urlencode({"update": f"DROP SILENT GRAPH <{staging}>"}).encode("utf-8")

        def build() -> urllib.request.Request:
            return urllib.request.Request(self.settings.update_url, data=body, method="POST",
                                          headers={"Content-Type": "application/x-www-form-urlencoded"})

        try:
            self._send(build, attempts=1, budget=min(self.settings.timeout, _CLEANUP_BUDGET))
        except (EndpointError, QuerySyntaxError):
            pass


# --------------------------------------------------------------------------- entry points


def _settings(endpoint: str | EndpointSettings, graph: str | None, settings: dict[str, Any]) -> EndpointSettings:
    if isinstance(endpoint, EndpointSettings):
        if graph is not None or settings:
            import dataclasses

            changes = dict(settings)
            if graph is not None:
                changes["graph"] = graph
            return dataclasses.replace(endpoint, **changes)
        return endpoint
    return EndpointSettings.resolve(endpoint, graph=graph, **settings)


def connect(endpoint: str | EndpointSettings, *, root: str | os.PathLike[str] | None = None,
            graph: str | None = None, **settings: Any) -> KnowledgeGraph:
    """A :class:`~transferkg.app.kg.KnowledgeGraph` over a SPARQL endpoint.

    Named queries and checks come from the local project tree (``root``, found
    as by :func:`transferkg.load`); the data from the endpoint. Nothing is
    contacted until the first query.

    Args:
        endpoint: an Oxigraph-style base URL (``http://127.0.0.1:7878``) or settings.
        graph: the named graph holding the data (default: the default graph).
        **settings: any :class:`EndpointSettings` field (``timeout``, ``union_default_graph``…).
    """
    from transferkg.app.kg import KnowledgeGraph
    from transferkg.core.resources import find_layout

    store = RemoteStore(_settings(endpoint, graph, settings))
    return KnowledgeGraph(store=store, layout=find_layout(root))


def push(source: Graph | KnowledgeGraph, endpoint: str | EndpointSettings, *,
         graph: str | None = None, **settings: Any) -> PushResult:
    """Replace the data of ``endpoint`` (or its named ``graph``) by ``source``.

    ``source`` is an rdflib graph (e.g. the build's ``transferkg.ttl``) or a
    loaded knowledge graph (``transferkg.load()``). Pushing twice leaves one copy.
    """
    data = source if isinstance(source, Graph) else source.graph
    return RemoteStore(_settings(endpoint, graph, settings)).push(data)
