"""The folder of a persistent Oxigraph store: opened only if it is one, or new, and left as it was otherwise.

RocksDB adds its files to any folder it is given and rotates the log of a broken
database when it opens it for writing, so a folder is checked, and an existing
database first opened read-only (which writes nothing), before the store is opened.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from transferkg.core.errors import LoadError

__all__ = ["STAMP_FILE", "open_folder", "reason", "unfinished_loads"]

STAMP_FILE = "transferkg-layers.json"
"""What the store's layers were made from (see :meth:`OxigraphStore.stamp`); RocksDB ignores files it did not write."""
_UNFINISHED_LOAD = re.compile(r"bulk-[0-9]{1,40}\.sst|[0-9]{20,40}")  # pyoxigraph 0.5 / 0.3–0.4 names


def _is_store_folder(path: Path) -> bool:
    """Whether ``path`` holds a RocksDB database (as every Oxigraph store folder does)."""
    return (path / "CURRENT").is_file() and any(path.glob("MANIFEST-*"))


def reason(exc: BaseException) -> str:
    """The first line of a storage error, cut short (RocksDB may add whole file listings)."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return text[:300]


def _check_folder(path: Path) -> list[str] | None:
    """The entries of the folder ``path`` (None: it did not exist and was made), if a store may live there.

    Raises:
        LoadError: a file, a folder holding other files, or one that is not writable.
    """
    shown = str(path)
    if path.exists() and not path.is_dir():
        raise LoadError("not an Oxigraph store: a file, not a folder", path=shown)
    try:
        entries = sorted(p.name for p in path.iterdir()) if path.is_dir() else None
    except OSError as exc:
        raise LoadError(f"cannot read the store folder: {exc.strerror or exc}", path=shown) from exc
    if entries is None:
        try:
            path.mkdir(parents=True)
        except OSError as exc:
            raise LoadError(f"cannot create the store folder: {exc.strerror or exc}", path=shown) from exc
    elif entries and not _is_store_folder(path):
        listed = ", ".join(entries[:3]) + (", …" if len(entries) > 3 else "")
        raise LoadError(f"not an Oxigraph store: the folder holds other files ({listed}); give a new or "
                        "empty folder, or the folder of a store", path=shown)
    elif not os.access(path, os.W_OK | os.X_OK):
        raise LoadError("the store folder is not writable", path=shown)
    return entries


def open_folder(path: Path) -> Any:
    """The persistent store at ``path`` (created if the folder is new or empty), or a one-line error.

    A file, a folder holding other files, a folder that is not writable, a corrupt
    database and one an incompatible Oxigraph wrote are refused, naming the folder, and
    left as they were.

    Raises:
        LoadError: naming the folder and saying what is wrong.
    """
    shown = str(path)
    if _check_folder(path):
        try:
            probe = ox.Store.read_only(shown)
        except Exception as exc:  # pyoxigraph raises OSError or RuntimeError ("Corruption: …")
            raise LoadError(f"not a readable Oxigraph store, left as it is ({reason(exc)})", path=shown) from exc
        del probe
    try:
        return ox.Store(shown)
    except Exception as exc:
        if "lock" in str(exc).lower():
            raise LoadError("the store is in use by another process (a transferkg or oxigraph still "
                            "running?)", path=shown) from exc
        raise LoadError(f"cannot open the Oxigraph store ({reason(exc)})", path=shown) from exc


def unfinished_loads(path: Path) -> list[Path]:
    """The files a bulk load killed mid-way left in the store folder ``path`` (unknown to the database)."""
    return [p for p in path.iterdir() if _UNFINISHED_LOAD.fullmatch(p.name) and p.is_file()]
