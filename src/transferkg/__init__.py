"""transferkg: a sourced knowledge graph of third-country transfer agreements.

``kg = transferkg.load()`` loads the curated graph; see the README for a tour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from transferkg.core.errors import (
    BadParameter,
    BuildError,
    ChecksFailed,
    DataNotConforming,
    EndpointError,
    LoadError,
    QuerySyntaxError,
    TransferKGError,
    UnknownQuery,
)

if TYPE_CHECKING:
    from transferkg.app.kg import KnowledgeGraph, load

__all__ = [
    "BadParameter",
    "BuildError",
    "ChecksFailed",
    "DataNotConforming",
    "EndpointError",
    "KnowledgeGraph",
    "LoadError",
    "QuerySyntaxError",
    "TransferKGError",
    "UnknownQuery",
    "load",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """Import the heavy API (rdflib, pySHACL) only when it is first used."""
    if name in {"KnowledgeGraph", "load"}:
        from transferkg.app import kg

        return getattr(kg, name)
    raise AttributeError(f"module 'transferkg' has no attribute {name!r}")
