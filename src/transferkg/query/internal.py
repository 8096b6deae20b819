"""The package's internal SPARQL: ``<layer>/sparql/<name>.rq`` files kept next to the code that runs them.

The views, rules, stats and exports run queries that users do not call by name. They
live as files, not as strings in Python, so one test can run each of them on every
backend and compare it with a reviewed answer, as the public library is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from transferkg.core.resources import internal_query_files
from transferkg.store.base import Store

__all__ = ["InternalQuery", "internal_queries", "run_internal"]


@dataclass(frozen=True)
class InternalQuery:
    """One internal query file: ``key`` is ``<layer>/<name>``."""

    path: Path
    key: str

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def summary(self) -> str:
        for line in self.text.splitlines():
            if line.startswith("#+ summary:"):
                return line.removeprefix("#+ summary:").strip()
        return ""

    @property
    def form(self) -> str:
        """SELECT, CONSTRUCT or ASK: the first of these words after the header and prefixes."""
        import re

        body = "\n".join(line for line in self.text.splitlines() if not line.lstrip().startswith("#"))
        found = re.search(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", body, re.IGNORECASE)
        return found.group(1).upper() if found else "SELECT"

    @property
    def suffix(self) -> str:
        """The reviewed answer's file type: a CSV table, sorted N-Triples, or a boolean."""
        return {"CONSTRUCT": "nt", "DESCRIBE": "nt", "ASK": "txt"}.get(self.form, "csv")


def internal_queries() -> list[InternalQuery]:
    """Every internal query of the package, sorted by key."""
    return [InternalQuery(path, key) for key, path in internal_query_files()]


def run_internal(store: Store, query: InternalQuery) -> str:
    """The answer of ``query`` with nothing bound, as text comparable across backends."""
    from transferkg.query.results import format_result

    if query.form in {"CONSTRUCT", "DESCRIBE"}:
        graph = store.construct(query.text)
        lines = sorted(line for line in graph.serialize(format="nt").splitlines() if line.strip())
        return "\n".join(lines) + "\n"
    if query.form == "ASK":
        return f"{str(store.ask(query.text)).lower()}\n"
    return format_result(store.select(query.text), "csv")
