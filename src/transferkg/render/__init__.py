"""Layer 6: drawing and exporting: HTML pages, figures, GraphML/GEXF/CSV exports, the ontology docs."""
