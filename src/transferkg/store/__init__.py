"""Layer 2: where triples live: the store protocol, rdflib in memory, Oxigraph, remote endpoints, binding."""
