"""Layer 5: graph views: NetworkX graphs built from query results."""
