"""The query catalogue: a Markdown table of the named queries, from their ``#+`` headers.

``transferkg queries --markdown`` prints it; the README's "Query catalogue"
section holds the same table (a test keeps the two equal), so the list of
queries a reader sees is always the list the library has.
"""

from __future__ import annotations

from collections.abc import Iterable

from transferkg.query.library import Query
from transferkg.query.params import Param

__all__ = ["render_catalogue"]


def _cell(text: str) -> str:
    """Text safe inside one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _param(param: Param) -> str:
    details = [param.type]
    if param.required:
        details.append("required")
    if param.default is not None:
        details.append(f"default `{param.default}`")
    return f"`{param.name}` ({', '.join(details)})"


def render_catalogue(library: Iterable[Query]) -> str:
    """A Markdown table, one row per query: name, summary and parameters (in name order)."""
    lines = ["| query | summary | parameters |", "|---|---|---|"]
    for query in sorted(library, key=lambda q: q.name):
        params = "<br>".join(_cell(_param(p)) for p in query.params.values()) or "—"
        lines.append(f"| `{query.name}` | {_cell(query.summary)} | {params} |")
    return "\n".join(lines) + "\n"
