"""Where the ontology, shapes, curated graph and query library are found.

A checkout (or a folder passed as ``root``) wins over the copy packaged in the
wheel, so a curator who edits ``graph/`` and runs ``transferkg build`` in the
checkout builds what they edited, not what was installed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["Layout", "find_layout", "internal_query", "internal_query_files"]

_PACKAGED = Path(__file__).resolve().parents[1] / "_data"
_CHECKOUT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Layout:
    """Paths of one project tree: ``ontology/``, ``graph/`` and ``queries/``."""

    root: Path

    @property
    def ontology(self) -> Path:
        return self.root / "ontology" / "tct.ttl"

    @property
    def vocab_dir(self) -> Path:
        return self.root / "ontology" / "vocab"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "ontology" / "shapes"

    @property
    def graph_dir(self) -> Path:
        return self.root / "graph"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def checks_dir(self) -> Path:
        return self.root / "queries" / "checks"


def _is_tree(path: Path) -> bool:
    return (path / "ontology" / "tct.ttl").is_file() and (path / "graph").is_dir()


def find_layout(root: str | os.PathLike[str] | None = None) -> Layout:
    """The project tree to use.

    Order: ``root`` if given; ``$TRANSFERKG_ROOT``; the current directory when it
    is a transferkg tree; the source checkout this package runs from; the data
    packaged in the wheel.
    """
    if root is not None:
        return Layout(Path(root).resolve())
    env = os.environ.get("TRANSFERKG_ROOT")
    if env:
        return Layout(Path(env).resolve())
    cwd = Path.cwd()
    if _is_tree(cwd):
        return Layout(cwd.resolve())
    if _is_tree(_CHECKOUT):
        return Layout(_CHECKOUT)
    return Layout(_PACKAGED)


def internal_query(package: str, name: str) -> str:
    """The text of ``<package>/sparql/<name>.rq``: SPARQL a layer runs internally (package data)."""
    path = Path(__file__).resolve().parents[1].joinpath(*package.split(".")[1:], "sparql", f"{name}.rq")
    try:
        return _read_cached(path)
    except OSError as exc:
        from transferkg.core.errors import UnknownQuery

        raise UnknownQuery(f"no internal query {name!r} in {package}") from exc


@cache
def _read_cached(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def internal_query_files() -> list[tuple[str, Path]]:
    """Every internal query file as (``<layer>/<name>``, path), sorted: for tests and docs."""
    package = Path(__file__).resolve().parents[1]
    found = sorted(package.glob("*/sparql/*.rq")) + sorted(package.glob("*/*/sparql/*.rq"))
    return sorted((p.relative_to(package).as_posix().replace("/sparql/", "/").removesuffix(".rq"), p) for p in found)
