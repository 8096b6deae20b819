"""The named graphs the project's data lives in: one layer of the pipeline each.

A build or an Oxigraph store keeps each layer in its own graph, so a reader can
tell a curated claim from a derived one, and an import can be dropped or redone
without touching the rest. The IRIs are plain strings; ``rdflib.URIRef(name)``
where rdflib wants a term.
"""

from __future__ import annotations

__all__ = ["GRAPH_BASE", "GRAPH_CURATED", "GRAPH_DERIVED", "GRAPH_IMPORT", "GRAPH_ONTOLOGY", "LAYER_GRAPHS"]

GRAPH_BASE = "https://w3id.org/tct/graph/"
GRAPH_ONTOLOGY = GRAPH_BASE + "ontology"  # the ontology and its code lists
GRAPH_CURATED = GRAPH_BASE + "curated"  # the compiled curated data (graph/)
GRAPH_IMPORT = GRAPH_BASE + "import"  # records of `transferkg import`
GRAPH_DERIVED = GRAPH_BASE + "derived"  # the derived layer, recomputed from the others
LAYER_GRAPHS = (GRAPH_ONTOLOGY, GRAPH_CURATED, GRAPH_IMPORT, GRAPH_DERIVED)
