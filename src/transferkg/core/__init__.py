"""Layer 0: errors, namespaces and generated terms, states, package resources, output writing, privacy rules."""
