"""Writing output files: all at once or not at all.

Every command that writes a file (``query -o``, ``export -o``, ``view --out``,
``docs --out``, reports) goes through :func:`write_atomic`: the data is written
to a temporary file next to the target, flushed to disk, and renamed over the
target only when complete — a full disk or a killed process leaves the previous
file as it was. A missing folder or an unwritable place is a clear
:class:`~transferkg.errors.OutputError` naming the path, never a traceback.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from transferkg.errors import OutputError

__all__ = ["atomic_path", "write_atomic"]


def _check_folder(target: Path) -> None:
    folder = target.parent
    if not folder.exists():
        raise OutputError(f"cannot write {target}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: {folder} is not a folder")
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is a folder")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path to write ``path``'s new content to; renamed over ``path`` on success.

    For writers that want a file name (matplotlib, rdflib, NetworkX). The
    temporary file is removed if the block fails.
    """
    target = Path(path)
    _check_folder(target)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | os.PathLike[str], data: str | bytes | Callable[[BinaryIO], None], *,
                 encoding: str = "utf-8") -> Path:
    """Write ``data`` (text, bytes, or a function that writes to a binary file) to ``path`` atomically."""
    target = Path(path)
    with atomic_path(target) as tmp, open(tmp, "wb") as handle:
        if callable(data):
            data(handle)
        else:
            handle.write(data.encode(encoding) if isinstance(data, str) else data)
    return target
