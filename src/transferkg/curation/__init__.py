"""Layer 1: the curated YAML: reading, compiling to RDF claims, the evidence check, loading Turtle."""
