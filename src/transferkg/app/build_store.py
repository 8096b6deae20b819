"""The build store: the project's layers in a persistent Oxigraph store that read commands reuse.

``transferkg build`` writes it (``build/store/``), and every read command (``query``,
``sparql``, ``check``, ``stats``, ``show``, ``view``, ``export``, ``network`` …) opens it
read-only instead of reading the YAML, compiling and deriving again, **when it is
current**: its stamp (:data:`~transferkg.store.folder.STAMP_FILE`, the same file
:mod:`transferkg.app.layers` keeps) records a digest of everything the layers are made
from — the files of ``ontology/`` (with the code lists and shapes) and ``graph/``, and
the source of the package code that compiles and derives them (the package version
included) — and the store's triple count. When any of it differs the store is rebuilt
first, saying so in one line on standard error; stale data is never served.

Where it lives: ``<root>/build/store/`` for a project tree the user can write (a
checkout); for the data installed with the package, or a tree that cannot be
written, ``$XDG_CACHE_HOME/transferkg/<hash of the tree's path>/store/`` (by default
``~/.cache/…``).

Safe with several processes: readers open the store read-only (no lock); a rebuild
writes a new folder next to it and swaps it into place with one atomic rename
(``renameat2(RENAME_EXCHANGE)`` on Linux, two renames elsewhere), so an interrupted
rebuild leaves the previous store as it was. A reader re-reads the stamp after
opening the store and retries if a rebuild swapped it meanwhile. Retired folders are
removed by a later rebuild once they are ten minutes old (a reader may still be on one).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transferkg.core.errors import BadParameter, LoadError
from transferkg.store.folder import STAMP_FILE
from transferkg.store.oxigraph import OxigraphStore

if TYPE_CHECKING:
    from transferkg.core.resources import Layout
    from transferkg.curation.loader import Loaded
    from transferkg.rules.derive import DeriveResult

__all__ = ["BuiltStore", "derived_result", "input_parts", "inputs_digest", "is_current", "open_built", "store_folder",
           "write_store"]

_BUILD_VERSION = 1
_STALE_AFTER = 600.0  # seconds before a retired or unfinished folder is removed by a later rebuild
_INPUT_SUFFIXES = frozenset({".ttl", ".yaml", ".yml"})
_PACKAGE = Path(__file__).resolve().parents[1]
_CODE = ("core", "curation", "rules", "store")  # the code that makes the layers (and __init__.py: the version)


# --- what the store is made of ------------------------------------------------------------
def _files(folder: Path, suffixes: Iterable[str] | None) -> list[Path]:
    if not folder.is_dir():
        return []
    wanted = frozenset(suffixes) if suffixes is not None else None
    found = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder).parts
        if any(part.startswith(".") or part == "__pycache__" for part in rel):
            continue
        if (wanted is None or path.suffix in wanted) and path.is_file():
            found.append(path)
    return sorted(found)


def _digest(folder: Path, paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@cache
def _code_digest() -> str:
    """The source of the code that compiles and derives the layers, and the package version (``__init__.py``)."""
    paths = [_PACKAGE / "__init__.py", Path(__file__).resolve(), _PACKAGE / "app" / "layers.py"]
    for name in _CODE:
        paths += [p for p in _files(_PACKAGE / name, (".py", ".rq", ".ttl", ".json"))
                  if "remote" not in p.relative_to(_PACKAGE).parts]  # endpoints make no layers
    import pyoxigraph

    return hashlib.sha256(_digest(_PACKAGE, paths).encode("ascii")
                          + str(getattr(pyoxigraph, "__version__", "")).encode("utf-8")).hexdigest()


def input_parts(layout: Layout) -> dict[str, str]:
    """One digest per input: ``ontology/`` (code lists and shapes too), ``graph/``, the package code."""
    root = layout.root
    return {
        "ontology/": _digest(root, _files(root / "ontology", _INPUT_SUFFIXES)),
        "graph/": _digest(root, _files(layout.graph_dir, _INPUT_SUFFIXES)),
        "the transferkg code": _code_digest(),
    }


def inputs_digest(layout: Layout) -> str:
    """A digest of everything a build store of ``layout`` is made from (file contents, not times)."""
    return _combine(input_parts(layout))


def _combine(parts: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


# --- where it lives -------------------------------------------------------------------------
def _writable(path: Path) -> bool:
    while not path.exists():
        if path.parent == path:
            return False
        path = path.parent
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)


def store_folder(layout: Layout) -> Path:
    """Where the build store of ``layout`` lives.

    ``<root>/build/store`` for a tree the user can write; the user cache
    (``$XDG_CACHE_HOME/transferkg/<hash>/store``, by default under ``~/.cache``) for the
    data installed with the package or a read-only tree.
    """
    root = layout.root.resolve()
    if not root.is_relative_to(_PACKAGE) and _writable(root / "build"):
        return root / "build" / "store"
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    key = hashlib.sha256(str(root).encode("utf-8")).hexdigest()[:16]
    return Path(cache_home) / "transferkg" / key / "store"


# --- the stamp ------------------------------------------------------------------------------
def _read_stamp(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _build_info(stamp: dict[str, Any] | None) -> dict[str, Any] | None:
    info = (stamp or {}).get("build")
    if not isinstance(info, dict) or info.get("version") != _BUILD_VERSION:
        return None
    return info


def is_current(layout: Layout, folder: Path | None = None) -> bool:
    """Whether the build store of ``layout`` (at ``folder``) was made from the files as they are now."""
    folder = folder or store_folder(layout)
    info = _build_info(_read_stamp(folder))
    return info is not None and info.get("inputs") == inputs_digest(layout)


# --- reading it -----------------------------------------------------------------------------
class BuiltStore(OxigraphStore):
    """A build store opened read-only (no lock: any number of processes may read it); writes are refused."""

    def __init__(self, path: str | os.PathLike[str]) -> None:  # noqa: D107  (no super().__init__: no write lock)
        import pyoxigraph as ox

        self.path = Path(path)
        try:
            self._store = ox.Store.read_only(str(self.path))
        except Exception as exc:  # OSError, or RuntimeError for a corrupt database
            raise LoadError(f"cannot open the build store ({str(exc).splitlines()[0][:300] if str(exc) else exc})",
                            path=str(self.path)) from exc
        self._target = ox.DefaultGraph()
        self._cache = {}
        self._stamp = None
        self._stamped = None
        self.capabilities = frozenset({"named-graphs", "persistent"})

    def _changed(self) -> None:
        raise BadParameter(f"the build store {self.path} is read-only; write to a store of your own "
                           "(--store PATH)")

    def flush(self) -> None:
        """Nothing to write."""


def _open_current(folder: Path, digest: str) -> tuple[BuiltStore, dict[str, Any]] | None:
    """The store at ``folder`` opened read-only, and its stamp, if it was made from ``digest``; else None."""
    for _attempt in range(3):
        stamp = _read_stamp(folder)
        info = _build_info(stamp)
        if stamp is None or info is None or info.get("inputs") != digest:
            return None
        try:
            store = BuiltStore(folder)
        except LoadError:
            if _read_stamp(folder) != stamp:  # swapped by a rebuild while opening: look again
                continue
            return None
        if _read_stamp(folder) != stamp:  # a rebuild swapped it in between: the store may not be this stamp's
            store.close()
            continue
        if store.triple_count() != stamp.get("triples"):  # written by something else since
            store.close()
            return None
        return store, stamp
    return None


def derived_result(counts: dict[str, int] | None) -> DeriveResult | None:
    """The :class:`~transferkg.rules.derive.DeriveResult` a build store's stamp kept (``counts``)."""
    from transferkg.rules.derive import DeriveResult

    return DeriveResult(**counts) if isinstance(counts, dict) else None


def _derived(stamp: dict[str, Any]) -> dict[str, int] | None:
    data = stamp.get("derived")
    return data if isinstance(data, dict) else None


def _shown(folder: Path) -> str:
    try:
        return f"{folder.relative_to(Path.cwd()).as_posix()}/"
    except ValueError:
        return f"{folder}/"


def open_built(layout: Layout, *, notify: Callable[[str], None] | None = None,
               folder: Path | None = None) -> tuple[OxigraphStore, dict[str, int] | None]:
    """The build store of ``layout``, read-only, rebuilt first if any input changed since it was made.

    Returns the store and the derive counts its stamp kept (see :func:`derived_result`). A store
    that cannot be written (a full disk, a read-only cache) is not an error: the layers are
    then loaded into memory, as without a build store.

    ``notify`` is told in one line when an existing store is rebuilt (the CLI prints it on
    standard error), once the files were read without error; a first build is silent.

    Raises:
        LoadError: bad input (the previous store is left as it was), or a store that cannot be written.
    """
    folder = folder or store_folder(layout)
    parts = input_parts(layout)
    digest = _combine(parts)
    found = _open_current(folder, digest)
    if found is not None:
        return found[0], _derived(found[1])
    from transferkg.curation.loader import load_layout

    old = _build_info(_read_stamp(folder))
    loaded = load_layout(layout)  # bad input fails here with its one line, before any notice
    if notify is not None and (folder / STAMP_FILE).exists():
        before = old.get("parts", {}) if old else {}
        changed = [name for name, value in parts.items() if before.get(name) != value] or ["the store"]
        notify(f"transferkg: {' and '.join(changed)} changed since the last build; "
               f"rebuilding {_shown(folder)} …")
    try:
        write_store(layout, folder, loaded=loaded, parts=parts)
    except (LoadError, OSError):  # the cache cannot be written (full disk, read-only): answer from memory
        import dataclasses

        from transferkg.app.layers import open_store

        memory, derived = open_store(None, loaded)
        return memory, dataclasses.asdict(derived) if derived is not None else None
    found = _open_current(folder, digest)
    if found is None:  # swapped again by a concurrent rebuild of other inputs: read what we wrote is gone
        raise LoadError("the build store changed while it was being opened (the files are being edited?); "
                        "run the command again", path=str(folder))
    return found[0], _derived(found[1])


# --- writing it -----------------------------------------------------------------------------
def write_store(layout: Layout, folder: Path | None = None, *, loaded: Loaded | None = None,
                source: OxigraphStore | None = None, derived: DeriveResult | None = None,
                parts: dict[str, str] | None = None) -> Path:
    """Write the build store of ``layout`` to ``folder`` (default :func:`store_folder`) and return it.

    The inputs digest is taken first, then the files are read (``loaded``, if given, must
    be what they hold now): a file edited meanwhile makes the stamp older than the data,
    and the next reader rebuilds. With ``source`` (an Oxigraph store holding ``loaded``'s
    layers and their derived layer, as ``build`` has) its quads are copied instead of
    derived again. The store is written in a new folder and swapped into place; on any
    error the previous store is left as it was.

    Raises:
        LoadError: bad input, or the folder cannot be written.
    """
    import dataclasses
    import tempfile
    import uuid

    from transferkg.app.layers import layers_digest, open_store

    folder = folder or store_folder(layout)
    parts = parts or input_parts(layout)
    parent = folder.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(parent, folder.name)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=parent))
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # as any folder the user makes (mkdtemp's is private)
    except OSError as exc:
        raise LoadError(f"cannot write the build store: {exc.strerror or exc}", path=str(parent)) from exc
    try:
        if loaded is None:
            from transferkg.curation.loader import load_layout

            loaded = load_layout(layout)
        if source is not None:
            store = OxigraphStore(tmp)
            try:
                store.raw().extend(source.raw().quads_for_pattern(None, None, None, None))
                store.set_stamp({"version": 1, "layers": layers_digest(loaded), "triples": store.triple_count(),
                                 "derived": dataclasses.asdict(derived) if derived is not None else None})
            except BaseException:
                store.close()
                raise
        else:
            store, _derived_now = open_store(tmp, loaded)
        try:
            stamp = store.stamp() or {}
            store.set_stamp({**stamp, "build": {"version": _BUILD_VERSION, "inputs": _combine(parts),
                                                "parts": parts, "id": uuid.uuid4().hex}})
        finally:
            store.close()
        if _read_stamp(tmp) is None:
            raise LoadError("cannot write the build store's stamp", path=str(folder))
        _install(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def _remove_leftovers(parent: Path, name: str) -> None:
    """Remove retired and unfinished store folders older than :data:`_STALE_AFTER` (readers may be on newer ones)."""
    now = time.time()
    for prefix in (f".{name}.tmp-", f".{name}.old-"):
        for path in parent.glob(f"{prefix}*"):
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime > _STALE_AFTER:
                    shutil.rmtree(path, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the file system cannot; fall back
        return False
    raise OSError(errno, os.strerror(errno), str(b))


def _install(new: Path, folder: Path) -> None:
    """Put the store folder ``new`` in place of ``folder``; the previous one is kept aside for a while."""
    import errno

    retired = folder.parent / f".{folder.name}.old-{time.time_ns()}-{os.getpid()}"
    try:
        for _attempt in range(3):
            if folder.exists():
                if _exchange(new, folder):
                    os.replace(new, retired)  # ``new`` now holds the previous store
                    os.utime(retired)
                    return
                with contextlib.suppress(FileNotFoundError):  # moved aside by a concurrent rebuild
                    os.replace(folder, retired)
                    os.utime(retired)
            try:
                os.replace(new, folder)
                return
            except OSError as exc:
                if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):  # put there meanwhile: swap again
                    raise
        raise OSError(errno.EBUSY, "other processes keep replacing it")
    except OSError as exc:
        raise LoadError(f"cannot put the build store in place: {exc.strerror or exc}", path=str(folder)) from exc
