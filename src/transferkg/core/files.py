"""Reading a project file as text, with one set of messages for what can go wrong."""

from __future__ import annotations

from pathlib import Path

from transferkg.core.errors import LoadError

__all__ = ["read_utf8"]


def read_utf8(path: Path, shown: str) -> str:
    """The file as text, or a :class:`LoadError` naming it as ``shown`` (missing, unreadable, not UTF-8).

    A file that is not UTF-8 is refused with the line of the first bad byte, so a
    curator finds it; nothing is guessed or replaced.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise LoadError("file not found", path=shown) from exc
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}", path=shown) from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LoadError(f"not UTF-8 text (byte {exc.start})", path=shown, line=line) from exc
