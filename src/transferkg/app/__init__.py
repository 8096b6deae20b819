"""Layer 7: the application: KnowledgeGraph (load/connect), build, profiles, the SPARQL server."""
