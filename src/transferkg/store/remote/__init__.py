"""The ``remote`` backend: any SPARQL 1.1 endpoint, over SPARQLWrapper.

:class:`RemoteStore` answers the same :class:`~transferkg.store.base.Store` calls as the
embedded backends, with the same rdflib terms (typed literals, language tags,
IRIs, blank nodes), so the query library, checks, stats and views run unchanged
against Oxigraph server, Fuseki, GraphDB, Virtuoso or Neptune.

Named graphs: with ``graph`` set (say ``https://w3id.org/tct/graph/all``), data
is pushed into that named graph and every query is sent with
``default-graph-uri=<graph>`` (SPARQL 1.1 Protocol), so the library's queries,
which never use ``GRAPH``, see exactly that graph whether or not the engine
makes its default graph the union of all graphs. ``union_default_graph=True``
says the engine already does (Oxigraph ``--union-default-graph``, GraphDB,
Stardog's option, Fuseki's ``unionDefaultGraph``); then no dataset is sent.
Without ``graph`` everything goes to, and is read from, the default graph.

The package, in the order a request travels: :mod:`~.settings` (where the endpoint
is, credentials, redaction), :mod:`~.store` (:class:`RemoteStore`: queries as SPARQL
protocol requests), :mod:`~.http` (sending them within one deadline), :mod:`~.push`
(replacing the data via a verified staging graph), :mod:`~.tokens` (write tokens of
local servers). A :class:`~transferkg.app.kg.KnowledgeGraph` over an endpoint is made
by :func:`transferkg.app.connect.connect`.
"""

from __future__ import annotations

from transferkg.store.binding import inject_values
from transferkg.store.remote.push import PushResult, push
from transferkg.store.remote.settings import CONFIG_ENV, EndpointSettings, check_endpoint_url, redact
from transferkg.store.remote.store import RemoteStore

__all__ = [
    "CONFIG_ENV",
    "EndpointSettings",
    "PushResult",
    "RemoteStore",
    "check_endpoint_url",
    "inject_values",
    "push",
    "redact",
]
