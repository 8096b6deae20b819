"""Write tokens of local servers: where ``transferkg serve --rw`` leaves its token, and where clients find it.

A writable local server needs ``Authorization: Bearer <token>`` for writes
(:mod:`transferkg.app.rw_proxy`). Its token is kept in a file only this user can read,
named after the server's port; a loopback endpoint with no credentials configured
reads it here (:class:`~transferkg.store.remote.RemoteStore`), so ``transferkg push``
to a server this user started just works. The file also names the serving process, so
a token left by a killed server is known to be stale.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from transferkg.core.errors import EndpointError

__all__ = ["HOST", "read_token", "remove_token", "token_path", "write_token"]

HOST = "127.0.0.1"


def _uid() -> int:
    getuid: Callable[[], int] | None = getattr(os, "getuid", None)
    return getuid() if getuid else 0


def _runtime_dirs() -> list[Path]:
    """Folders for write tokens, most fitting first: $XDG_RUNTIME_DIR, the user's cache, the temp folder."""
    folders = []
    if os.environ.get("XDG_RUNTIME_DIR"):
        folders.append(Path(os.environ["XDG_RUNTIME_DIR"]) / "transferkg")
    try:
        folders.append(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "transferkg" / "run")
    except RuntimeError:  # no home folder
        pass
    folders.append(Path(tempfile.gettempdir()) / f"transferkg-{_uid()}")
    return folders


def _private(path: Path, *, create: bool) -> bool:
    """``path`` is a folder of this user that nobody else can read or write (made so if ``create``)."""
    try:
        if create:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()
        if stat.S_ISDIR(info.st_mode) and info.st_uid == _uid() and info.st_mode & 0o077 and create:
            path.chmod(0o700)
            info = path.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == _uid() and not info.st_mode & 0o077


def token_path(port: int) -> Path | None:
    """The file holding the write token of the local server on ``port`` (``None``: there is none)."""
    for folder in _runtime_dirs():
        path = folder / f"{HOST}-{port}.token"
        if path.is_file() and _private(folder, create=False):
            return path
    return None


def read_token(port: int) -> str | None:
    """The write token of the local server on ``port``, if this user runs one there.

    A token left by a server whose process is gone (killed with SIGKILL) is not returned.
    """
    path = token_path(port)
    if path is None:
        return None
    try:
        token, _, owner = path.read_text(encoding="utf-8").strip().partition("\n")
    except (OSError, UnicodeDecodeError):
        return None
    if owner.strip().isdigit() and not _alive(int(owner)):
        return None
    return token.strip() or None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but not ours to signal
        return True
    return True


def write_token(port: int, token: str) -> Path:
    """Write ``token`` for ``port`` into the first private runtime folder (mode 0600, replaced atomically)."""
    written = None
    for folder in _runtime_dirs():
        path = folder / f"{HOST}-{port}.token"
        if written is not None:
            if path.is_file():  # a stale token must not shadow this one
                remove_token(path, path.read_text(encoding="utf-8", errors="replace").partition("\n")[0].strip())
            continue
        if not _private(folder, create=True):
            continue
        partial = folder / f".{path.name}.{os.getpid()}"
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
            with os.fdopen(os.open(partial, flags, 0o600), "w", encoding="utf-8") as handle:
                handle.write(f"{token}\n{os.getpid()}\n")  # the process serving it: a stale file is ignored
            os.replace(partial, path)
            written = path
        except OSError:
            partial.unlink(missing_ok=True)
    if written is None:
        raise EndpointError("cannot write the write token of the Oxigraph server: no private folder in "
                            + ", ".join(map(str, _runtime_dirs())))
    return written


def remove_token(path: Path, token: str) -> None:
    """Delete the token file if it still holds ``token`` (and its folder if it is then empty)."""
    try:
        if path.read_text(encoding="utf-8").partition("\n")[0].strip() == token:
            path.unlink()
        path.parent.rmdir()
    except OSError:
        pass
