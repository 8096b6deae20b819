"""Layer 3: rules over a store: the derived layer (SPARQL CONSTRUCT) and SHACL validation."""
