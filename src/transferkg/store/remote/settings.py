"""Where an endpoint is and how to talk to it: URL checks, credentials, and the redaction of secrets.

Credentials come from arguments, the environment or an INI file, and never show:
not in ``repr()``, not in error messages (:func:`redact` removes every form in which
an error page may echo them), not in a URL quoted back to the user.
"""

from __future__ import annotations

import base64
import configparser
import html
import ipaddress
import json
import os
import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from transferkg.core.errors import BadParameter
from transferkg.store.binding import check_iri

__all__ = ["CONFIG_ENV", "EndpointSettings", "check_endpoint_url", "redact", "settings_for"]

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
_DETAIL_CHARS = 300
"""How much of an error page an error message quotes (after redaction)."""


def _version() -> str:
    """This package's version, for the User-Agent header."""
    try:
        return metadata.version("transferkg")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


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


def clip(text: str, limit: int = _DETAIL_CHARS) -> str:
    """``text`` cut to ``limit`` characters (redact first: a cut must never reveal part of a secret)."""
    return text if len(text) <= limit else text[:limit] + "…"


def one_line(text: str) -> str:
    """``text`` on one line, control characters shown as U+FFFD (an error page must not drive the terminal)."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f]", "\ufffd", " ".join(text.split()))


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
    return clip(redact(text), 200)


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
        self.url = safe_url(self.url).rstrip("/")
        base, path = self.url, urllib.parse.urlsplit(self.url).path
        single = False
        if path.endswith("/query"):
            base = self.url[: -len("/query")]
        elif path.endswith("/sparql"):
            single = True
        self.query_url = safe_url(check_endpoint_url(self.query_url, "query_url")) if self.query_url else (
            self.url if single else base + "/query")
        self.update_url = safe_url(check_endpoint_url(self.update_url, "update_url")) if self.update_url else (
            self.url if single else base + "/update")
        if self.store_url == "":
            self.store_url = None if single else base + "/store"
        elif self.store_url is not None:
            self.store_url = safe_url(check_endpoint_url(self.store_url, "store_url"))
        if self.graph is not None:
            self.graph = check_iri(str(self.graph), "graph")
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
    want = safe_url(endpoint).rstrip("/")
    section: Mapping[str, str] = parser.defaults()
    for name in parser.sections():
        if safe_url(name).rstrip("/") == want:
            section = parser[name]
            break
    values = {}
    for key, value in section.items():
        if key not in known:
            raise BadParameter(f"{path}: unknown endpoint setting {key!r}; known: {', '.join(sorted(known))}")
        values[key] = value
    return values


def safe_url(url: str) -> str:
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


def is_loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False



def settings_for(endpoint: str | EndpointSettings, graph: str | None = None, **settings: Any) -> EndpointSettings:
    """``endpoint`` as settings: resolved from a URL, or given settings with ``graph`` and ``settings`` applied."""
    if isinstance(endpoint, EndpointSettings):
        if graph is not None or settings:
            changes = dict(settings)
            if graph is not None:
                changes["graph"] = graph
            return replace(endpoint, **changes)
        return endpoint
    return EndpointSettings.resolve(endpoint, graph=graph, **settings)
