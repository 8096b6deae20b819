"""Where the ontology, shapes, curated graph and query library are found.

A checkout (or a folder passed as ``root``) wins over the copy packaged in the
wheel, so a curator who edits ``graph/`` and runs ``transferkg build`` in the
checkout builds what they edited, not what was installed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Layout", "find_layout"]

_PACKAGED = Path(__file__).resolve().parent / "_data"
_CHECKOUT = Path(__file__).resolve().parents[2]


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
