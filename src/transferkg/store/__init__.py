"""Layer 2: where triples live, and nothing else.

``base`` (the Store protocol, capabilities, the rdflib memory store), ``oxigraph`` and
``folder`` (the embedded store and its folder), ``remote/`` (SPARQL endpoints: settings,
HTTP, store, push, tokens), ``convert`` (terms between engines and rdflib), ``binding``
(the one reader of SPARQL text, binding parameters). Which layers go into a store, and
when the derived layer is recomputed, is decided in :mod:`transferkg.app.layers`.
"""
