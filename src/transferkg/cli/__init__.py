"""The ``transferkg`` command line: a thin layer over the library.

The group and what every command shares live in ``common``; the commands are grouped
by what users do: ``ask`` (questions), ``draw`` (views, exports, docs), ``data``
(build and check the data) and ``serve`` (serve or push the graph).

Exit codes (as pySHACL): 0 ok; 1 the data does not conform or a check found
rows; 2 an error (bad input, bad parameter, unreachable endpoint…).
"""

from __future__ import annotations

from transferkg.cli import ask, data, draw, keep, serve, site  # noqa: F401  (each registers its commands on main)
from transferkg.cli.common import EXIT_ERROR, EXIT_NONCONFORMING, EXIT_OK, main

__all__ = ["EXIT_ERROR", "EXIT_NONCONFORMING", "EXIT_OK", "main"]
