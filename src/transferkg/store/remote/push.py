"""Replacing an endpoint's data safely: upload to a staging graph, check it, swap it in with one request.

The graph is uploaded into a staging named graph (Graph Store Protocol ``PUT``, or
batched ``INSERT DATA`` when there is no Graph Store URL), the staging graph's
triple count is checked against the local count, and only then is the target
replaced by one SPARQL Update request (``MOVE GRAPH <staging> TO <target>``). Until
that request the previous target data is untouched and queryable; if anything fails
before it, the error says so and the staging graph is dropped (best effort). Whether
the final request is itself atomic is up to the engine: Oxigraph, Fuseki/TDB2,
GraphDB and RDF4J run one update request in one transaction, so readers see the old
or the new graph, never a mix; engines without transactional updates may briefly
show an empty or partial target.

The graph management requests (``DROP``, ``MOVE``, ``CLEAR``) take IRIs, not
variables, so their graph names are written into the text: the staging graph is
this module's own ``urn:`` IRI with a hex digest, the target was checked to be an
IRI when the settings were made.
"""

from __future__ import annotations

import hashlib
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from rdflib import Graph

from transferkg.core.errors import EndpointError, QuerySyntaxError
from transferkg.store.remote.http import Unanswered
from transferkg.store.remote.settings import EndpointSettings, settings_for
from transferkg.store.remote.store import RemoteStore

__all__ = ["PushResult", "push", "push_graph", "staging_graph"]

_STAGING_PREFIX = "urn:transferkg:staging:"
_CLEANUP_BUDGET = 5.0
"""Seconds allowed for dropping the staging graph after a failed push (one attempt, no retries)."""


class HasGraph(Protocol):
    """Anything with an rdflib ``graph`` (a loaded :class:`~transferkg.app.kg.KnowledgeGraph`)."""

    @property
    def graph(self) -> Graph: ...


@dataclass
class PushResult:
    """What a push did."""

    triples: int
    graph: str | None
    endpoint: str
    method: str

    def text(self) -> str:
        where = f"graph <{self.graph}>" if self.graph else "the default graph"
        return f"Pushed {self.triples} triples into {where} of {self.endpoint} ({self.method})"


def staging_graph(settings: EndpointSettings) -> str:
    """The staging graph of an endpoint's target (one per target, replaced by every push)."""
    target = settings.graph or "default"
    return _STAGING_PREFIX + hashlib.sha256(target.encode()).hexdigest()[:16]


def _upload(store: RemoteStore, graph: Graph, staging: str) -> None:
    """Put ``graph`` into the staging graph and check the count, or raise with the previous data untouched."""
    s = store.settings
    expected = len(graph)
    try:
        # A leftover of an interrupted push must never pass for this upload.
        store.update(f"DROP SILENT GRAPH <{staging}>")
        if s.store_url:
            store.put(graph, staging)
        else:
            store.insert(graph, staging)  # type: ignore[arg-type]
        found = store.count(staging)
        if found != expected:
            raise EndpointError(f"push to {s.url} stopped: the staging graph <{staging}> holds {found} "
                                f"triples, {expected} were sent; the previous data is untouched")
    except (EndpointError, QuerySyntaxError) as exc:
        _drop_quietly(store, staging, exc)
        if "untouched" in str(exc):
            raise
        raise EndpointError(f"push to {s.url} failed before the swap, the previous data is untouched: "
                            f"{exc}") from None


def push_graph(store: RemoteStore, graph: Graph) -> PushResult:
    """Replace the target graph's content by ``graph``, via a verified staging graph.

    Raises:
        EndpointError: the upload, the check or the swap failed; the previous
            target data is then still in place (see the module documentation).
    """
    s = store.settings
    target = s.graph
    staging = staging_graph(s)
    expected = len(graph)
    into = f"GRAPH <{target}>" if target else "DEFAULT"
    _upload(store, graph, staging)
    try:
        if expected:
            store.update(f"MOVE GRAPH <{staging}> TO {into}")
        else:
            store.update(f"CLEAR SILENT {into}; DROP SILENT GRAPH <{staging}>")
    except (EndpointError, QuerySyntaxError) as exc:
        _drop_quietly(store, staging, exc)
        raise EndpointError(f"push to {s.url} failed at the final swap (one SPARQL Update request), so "
                            f"the previous data is still in place on a transactional engine: {exc}") from None
    if target or not s.union_default_graph:
        found = store.count(target)
        if found != expected:
            raise EndpointError(f"push to {s.url}: after the swap the target holds {found} triples, "
                                f"not {expected}")
    method = "Graph Store Protocol PUT" if s.store_url else "SPARQL INSERT DATA"
    return PushResult(triples=expected, graph=target, endpoint=s.url, method=method)


def _drop_quietly(store: RemoteStore, staging: str, failure: Exception) -> None:
    """Drop the staging graph after ``failure``: one attempt, a short budget, none if nothing answered.

    The next push drops a leftover anyway; a cleanup that repeated the
    retries and the timeout would only double the wait.
    """
    if isinstance(failure, Unanswered):
        return
    body = urllib.parse.urlencode({"update": f"DROP SILENT GRAPH <{staging}>"}).encode("utf-8")

    def build() -> urllib.request.Request:
        return urllib.request.Request(store.settings.update_url, data=body, method="POST",
                                      headers={"Content-Type": "application/x-www-form-urlencoded"})

    try:
        store.http.send(build, attempts=1, budget=min(store.settings.timeout, _CLEANUP_BUDGET))
    except (EndpointError, QuerySyntaxError):
        pass


def push(source: Graph | HasGraph, endpoint: str | EndpointSettings, *,
         graph: str | None = None, **settings: Any) -> PushResult:
    """Replace the data of ``endpoint`` (or its named ``graph``) by ``source``.

    ``source`` is an rdflib graph (e.g. the build's ``transferkg.ttl``) or a
    loaded knowledge graph (``transferkg.load()``). Pushing twice leaves one copy.
    """
    data = source if isinstance(source, Graph) else source.graph
    return push_graph(RemoteStore(settings_for(endpoint, graph, **settings)), data)
