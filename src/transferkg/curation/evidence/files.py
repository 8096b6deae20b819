"""The evidence check of curated files: one file (with its folder as context), or a whole folder."""

from __future__ import annotations

from pathlib import Path

from transferkg.core.resources import find_layout
from transferkg.curation.compile import read_records, readable_files, yaml_files
from transferkg.curation.evidence.check import Finding, check_records

__all__ = ["check_file", "check_graph_dir"]


def check_file(path: str | Path, *, graph_dir: str | Path | None = None) -> list[Finding]:
    """Check the claims of one YAML file; sources and claim keys come from ``graph_dir`` too.

    ``graph_dir`` defaults to the project's ``graph/`` folder; the file may lie
    outside it (a review file of candidate claims, say).

    Raises:
        LoadError: the file (or a file of ``graph_dir``) is not valid YAML.
    """
    target = Path(path).resolve()
    folder = Path(graph_dir).resolve() if graph_dir else find_layout().graph_dir
    files = sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    if target not in files:
        files.append(target)
    files = readable_files(files, keep=target, display_root=folder.parent)
    records, published = read_records(files, display_root=folder.parent)
    shown = next((r.path for r in records if Path(folder.parent, r.path).resolve() == target), None)
    if shown is None:
        return []
    return check_records(records, published, only_path=shown)


def check_graph_dir(graph_dir: str | Path) -> list[Finding]:
    """Check every claim of every YAML file below ``graph_dir``."""
    folder = Path(graph_dir).resolve()
    records, published = read_records(yaml_files(folder), display_root=folder.parent)
    return check_records(records, published)
