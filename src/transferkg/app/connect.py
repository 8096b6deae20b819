"""A knowledge graph over a SPARQL endpoint: the data remote, the queries and checks local."""

from __future__ import annotations

import os
from typing import Any

from transferkg.app.kg import KnowledgeGraph
from transferkg.core.resources import find_layout
from transferkg.store.remote import EndpointSettings, RemoteStore, push
from transferkg.store.remote.settings import settings_for

__all__ = ["connect", "push"]


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
    store = RemoteStore(settings_for(endpoint, graph, **settings))
    return KnowledgeGraph(store=store, layout=find_layout(root))
