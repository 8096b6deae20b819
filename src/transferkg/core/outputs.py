"""What goes out: files written all at once or not at all, and text that is safe where it lands.

Every command that writes a file (``query -o``, ``export -o``, ``view --out``,
``docs --out``, reports) goes through :func:`write_atomic` (or :func:`atomic_path`
for writers that want a file name): the data is written to a temporary file next
to the target, flushed to disk, and renamed over the target only when complete — a
full disk, a size limit or a killed process leaves the previous file as it was.

One rule for folders: a folder the user names must exist (it is never created
behind their back, so a typo is not silently a new folder); only a command's own
default folder (``build/views/``) is created. A missing folder, a folder given
where a file is expected, a read-only file, no permission or a full disk are a
one-line :class:`~transferkg.core.errors.OutputError` naming the path, never a
traceback, and nothing is replaced.

Text from the data is made safe for where it lands, by one function per place:

- :func:`printable` — control characters (C0 but newline and tab, DEL, C1, and
  the code points XML cannot hold) become visible ``\\u001b`` escapes, so no ANSI
  sequence reaches a terminal raw and GraphML/GEXF stay valid XML. The notation is
  the escape syntax of JSON, Turtle and N-Triples strings, so those keep their
  meaning.
- :func:`csv_cell` — spreadsheet formula injection neutralised as OWASP
  recommends: a text cell beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage
  return gets a leading ``'``; a plain number (``-5``, ``+3.2``, ``1e3``) stays a
  number. Every CSV/TSV transferkg writes goes through :func:`csv_text` /
  :func:`write_csv`.
- :func:`md_cell` — Markdown never passes raw HTML through: ``&``, ``<``, ``>`` as
  entities; ``\\``, ``|``, ``[``, ``]`` backslash-escaped; line breaks as spaces.
- :func:`fill_template` — a page template filled in one pass over the template
  only, so a placeholder name inside the data is just text.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from transferkg.core.errors import OutputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "atomic_path",
    "csv_cell",
    "csv_frame",
    "csv_text",
    "fill_template",
    "md_cell",
    "printable",
    "write_atomic",
    "write_csv",
]


# --------------------------------------------------------------------------- files


def _refuse(target: Path, why: str) -> OutputError:
    return OutputError(f"cannot write {target}: {why}; nothing was written")


def _check_target(target: Path) -> None:
    """Refuse, before any work, what cannot become the file ``target``."""
    folder = target.parent
    if not folder.exists():
        raise _refuse(target, f"the folder {folder} does not exist (create it first)")
    if not folder.is_dir():
        raise _refuse(target, f"{folder} is not a folder")
    if target.is_dir():
        raise _refuse(target, "it is a folder")
    if target.exists() and not os.access(target, os.W_OK):
        raise _refuse(target, "the file is read-only")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _refuse(target, f"no permission to write in {folder}")


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path to write ``path``'s new content to; renamed over ``path`` on success.

    For writers that want a file name (matplotlib, rdflib, NetworkX). The
    temporary file is removed if the block fails; the target keeps its
    permissions, and a symbolic link stays a link to the file it names.
    """
    shown = Path(path)
    target = shown.resolve() if shown.is_symlink() else shown
    _check_target(target)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _refuse(shown, _reason(exc)) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, _mode_of(target))
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _refuse(shown, _reason(exc)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _mode_of(target: Path) -> int:
    """The permissions the new file gets: the old file's (a private file stays private), else the umask's."""
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


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


# --------------------------------------------------------------------------- text


# C0 controls but tab and newline, DEL, C1 controls, lone surrogates and the two non-characters XML refuses.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def printable(text: str) -> str:
    """``text`` with every control character shown as a ``\\u001b`` escape (see the module docstring)."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A spreadsheet cell that cannot run as a formula: ``'`` before a text starting with = + - @ tab CR.

    Numbers (also as text: ``-5``, ``+3.2``, ``-1e3``) are left alone; dates
    (``2025-06``) start with a digit and are never touched.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _csv_row(row: Iterable[Any]) -> list[Any]:
    return [csv_cell(printable(v)) if isinstance(v, str) else v for v in row]


def _csv_writer(handle: Any, delimiter: str) -> Any:
    return csv.writer(handle, delimiter=delimiter, lineterminator="\n")


def csv_text(header: Sequence[str], rows: Iterable[Iterable[Any]], *, delimiter: str = ",") -> str:
    """CSV (or TSV with ``delimiter="\\t"``) whose cells are neutralised by :func:`csv_cell`."""
    buffer = io.StringIO()
    writer = _csv_writer(buffer, delimiter)
    writer.writerow(_csv_row(header))
    writer.writerows(_csv_row(row) for row in rows)
    return buffer.getvalue()


def csv_frame(frame: pd.DataFrame) -> str:
    """A DataFrame as CSV with pandas' number formatting, text cells neutralised as in :func:`csv_text`."""
    return frame.map(lambda v: csv_cell(printable(v)) if isinstance(v, str) else v).to_csv(
        index=False, lineterminator="\n")


def write_csv(path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Iterable[Any]], *,
              delimiter: str = ",") -> Path:
    """Stream rows to a CSV file atomically, cells neutralised as in :func:`csv_text` (for reports)."""

    def write(handle: BinaryIO) -> None:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")  # type: ignore[type-var]
        writer = _csv_writer(text, delimiter)
        writer.writerow(_csv_row(header))
        for row in rows:
            writer.writerow(_csv_row(row))
        text.flush()
        text.detach()

    return write_atomic(path, write)


_MD_SPECIAL = re.compile(r"[\\|\[\]&<>]")
_MD_REPLACEMENT = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def md_cell(text: str) -> str:
    """Text for a Markdown table cell (or line): no raw HTML, no link or column syntax from the data."""
    text = printable(text).replace("\r\n", " ").replace("\n", " ")
    return _MD_SPECIAL.sub(lambda m: _MD_REPLACEMENT.get(m.group(), "\\" + m.group()), text)


_TOKEN = re.compile(r"__([A-Z][A-Z0-9_]*?)__")


def fill_template(template: str, values: Mapping[str, str], token: re.Pattern[str] = _TOKEN) -> str:
    """``template`` with each placeholder (``__NAME__``) replaced, in one pass over the template only.

    A value is never scanned again, so data holding a placeholder name is just
    text. A placeholder without a value is a programming error (``KeyError``).
    """
    return token.sub(lambda m: values[m.group(1)], template)
