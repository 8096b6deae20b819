"""The project's layers in a store: ontology and curated graphs from the files, the derived layer recomputed.

A store keeps each layer in its own named graph (:mod:`transferkg.core.graphs`).
Opening a persistent store (``transferkg --store PATH …``) must show the current
files, and must not rewrite the store when nothing changed — a read-only command
writes nothing then. So after the layers are written, the store is stamped
(:meth:`~transferkg.store.base.GraphStore.set_stamp`) with

- a digest of the ontology and curated graphs as loaded from the files,
- a digest of the derive rules (their code and queries),
- the store's triple count (a write made outside transferkg, e.g. through a
  server on the folder, changes it),
- the derived layer's counts, once it is recomputed.

Any write through the store removes the stamp. Next time, if the stamp matches,
the layers are used as they are; otherwise the ontology and curated graphs are
replaced (imported records are kept) and the derived layer recomputed, as always.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph

from transferkg.core.errors import BadParameter
from transferkg.core.graphs import GRAPH_CURATED, GRAPH_DERIVED, GRAPH_IMPORT, GRAPH_ONTOLOGY
from transferkg.curation.loader import Loaded
from transferkg.rules.derive import DeriveResult, derive
from transferkg.store.base import GraphStore, Store
from transferkg.store.oxigraph import OxigraphStore

__all__ = ["layers_digest", "load_layers", "open_store", "rederive", "refresh"]

_STAMP_VERSION = 1


def _graph_digest(graph: Graph) -> str:
    """A digest of ``graph``'s triples in any order (blank node labels left out: every parse makes new ones)."""
    lines = sorted(" ".join("_:" if isinstance(t, BNode) else t.n3() for t in triple) for triple in graph)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


@cache
def _rules_digest() -> str:
    """A digest of the derive rules' code and queries: new rules make a new derived layer."""
    import transferkg.rules as rules

    digest = hashlib.sha256()
    folder = Path(rules.__file__).parent
    for path in sorted(p for p in folder.rglob("*") if p.suffix in (".py", ".rq")):
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()


def layers_digest(loaded: Loaded) -> str:
    """What the layers of a store loaded from ``loaded`` are made of: its ontology, curated data and rules."""
    parts = [_graph_digest(loaded.ontology), _graph_digest(loaded.curated), _rules_digest()]
    return hashlib.sha256(" ".join(parts).encode("ascii")).hexdigest()


def load_layers(store: GraphStore, loaded: Loaded) -> None:
    """Replace the ontology and curated graphs with ``loaded`` (imports are kept, duplicates dropped)."""
    store.clear_graph(GRAPH_ONTOLOGY)
    store.clear_graph(GRAPH_CURATED)
    store.load_graph(loaded.ontology, GRAPH_ONTOLOGY)
    store.load_graph(loaded.curated, GRAPH_CURATED)
    store.dedupe(GRAPH_CURATED, against=(GRAPH_ONTOLOGY,))  # in the store: rdflib's set difference took 0.3 s
    if store.has_graph(GRAPH_IMPORT):
        store.dedupe(GRAPH_IMPORT, against=(GRAPH_ONTOLOGY, GRAPH_CURATED))


def _stamp(store: GraphStore, digest: str | None, derived: DeriveResult | None) -> None:
    if digest is not None:
        store.set_stamp({"version": _STAMP_VERSION, "layers": digest, "triples": store.triple_count(),
                         "derived": dataclasses.asdict(derived) if derived is not None else None})


def rederive(store: Store, loaded: Loaded | None = None, *, digest: str | None = None) -> DeriveResult:
    """Recompute the derived layer from everything the store holds.

    With ``loaded`` (what the store's ontology and curated graphs came from) or its
    ``digest``, a persistent store is stamped as up to date afterwards.

    Raises:
        BadParameter: a store without named graphs (it has no derived layer of its own).
    """
    if "named-graphs" not in store.capabilities or not isinstance(store, GraphStore):
        raise BadParameter(f"the {store.name} store keeps no layers in named graphs: nothing to re-derive")
    store.clear_graph(GRAPH_DERIVED)
    with store.writing_to(GRAPH_DERIVED):
        result = derive(store)
    store.dedupe(GRAPH_DERIVED)
    if digest is None and loaded is not None and "persistent" in store.capabilities:
        digest = layers_digest(loaded)
    _stamp(store, digest, result)
    return result


def _current_stamp(store: GraphStore, digest: str | None) -> dict[str, Any] | None:
    """The store's stamp if it says the layers are those of ``digest`` and nothing was written since."""
    if digest is None:
        return None
    stamp = store.stamp()
    if not stamp or stamp.get("version") != _STAMP_VERSION or stamp.get("layers") != digest:
        return None
    return stamp if stamp.get("triples") == store.triple_count() else None


def refresh(store: GraphStore, loaded: Loaded, *, derive_layer: bool = True) -> DeriveResult | None:
    """Bring the store's layers up to date with ``loaded``; a store already up to date is not written.

    Returns what derive added (``None`` without ``derive_layer``; then a derived layer
    already in the store is left as it is).
    """
    digest = layers_digest(loaded) if "persistent" in store.capabilities else None
    stamp = _current_stamp(store, digest)
    if stamp is None:
        load_layers(store, loaded)
    elif stamp.get("derived") is not None or not derive_layer:
        return DeriveResult(**stamp["derived"]) if derive_layer else None
    if derive_layer:
        return rederive(store, digest=digest)
    _stamp(store, digest, None)
    return None


def open_store(path: str | os.PathLike[str] | None, loaded: Loaded, *,
               derive_layer: bool = True) -> tuple[OxigraphStore, DeriveResult | None]:
    """An Oxigraph store (in memory, or the persistent one at ``path``) holding ``loaded``'s layers, up to date.

    Raises:
        LoadError: the folder is not a store, is in use, or cannot be written.
    """
    store = OxigraphStore(path)
    try:
        return store, refresh(store, loaded, derive_layer=derive_layer)
    except BaseException:
        store.close()
        raise
