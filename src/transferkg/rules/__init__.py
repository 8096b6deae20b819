"""Layer 3: rules over a store: the derived layer (query files in rules/sparql/, reasoning in Python) and SHACL validation."""
