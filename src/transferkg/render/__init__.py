"""Layer 6: drawing and exporting a view or the graph.

- :mod:`~transferkg.render.page` — the interactive HTML page (vis-network; template in
  ``templates/``), built from :mod:`~transferkg.render.network_data` and trimmed by
  :mod:`~transferkg.render.size_guard`;
- :mod:`~transferkg.render.figures` — a view as a PNG/SVG figure, placed by
  :mod:`~transferkg.render.layouts`; :mod:`~transferkg.render.timeline` — the timeline figure;
- :mod:`~transferkg.render.palette` and :mod:`~transferkg.render.encoding` — colours, widths
  and labels shared by the page and the figures; :mod:`~transferkg.render.canvas` — matplotlib
  without global state;
- :mod:`~transferkg.render.export` — GraphML/GEXF/JSON/CSV and RDF files;
  :mod:`~transferkg.render.docs` — the ontology's documentation page.
"""
