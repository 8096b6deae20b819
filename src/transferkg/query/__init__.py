"""Layer 4: the query library (.rq files with headers), results and their formats, catalogue, stats."""
