"""The package's layers import only downwards (issue 15): an upward import fails CI.

Every ``import`` in ``src/transferkg`` — at module level, inside functions and under
``TYPE_CHECKING`` — is read from the syntax tree and checked against the order below.
A module may import its own subpackage and any lower layer; ``curation`` and ``ingest``
sit side by side and do not import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import REPO

PACKAGE = REPO / "src" / "transferkg"
LAYERS = {"core": 0, "curation": 1, "ingest": 1, "store": 2, "rules": 3, "query": 4, "views": 5,
          "render": 6, "app": 7, "cli": 8, "__main__": 9, "__init__": 9}


def _layer(module: str) -> str:
    """``transferkg.store.oxigraph`` -> ``store``; the package itself -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(module: str, source: str, *, is_package: bool = False) -> list[tuple[int, str]]:
    """Every transferkg module that ``source`` (the text of ``module``) imports, with its line."""
    here = module.split(".") if is_package else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "transferkg"]
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            if target.split(".")[0] != "transferkg":
                continue
            if target == "transferkg":  # from transferkg import core, views …
                found += [(node.lineno, f"transferkg.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, target))
    return found


def violations(module: str, source: str, *, is_package: bool = False) -> list[str]:
    """The upward imports of ``module`` (whose text is ``source``), one message each."""
    mine = _layer(module)
    if mine in {"__init__", "__main__"}:
        return []
    found = []
    for line, target in _imports(module, source, is_package=is_package):
        theirs = _layer(target)
        if theirs != mine and (theirs not in LAYERS or LAYERS[theirs] >= LAYERS[mine]):
            found.append(f"{module}:{line} imports {target} ({theirs} is not below {mine})")
    return found


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_sits_in_a_known_layer() -> None:
    unknown = sorted({_layer(_module(p)) for p in MODULES} - set(LAYERS))
    assert not unknown, f"modules outside the layers {sorted(LAYERS)}: {unknown}; add the layer to this test"


@pytest.mark.parametrize("path", MODULES, ids=[p.relative_to(PACKAGE).as_posix() for p in MODULES])
def test_imports_point_down(path: Path) -> None:
    found = violations(_module(path), path.read_text(encoding="utf-8"), is_package=path.name == "__init__.py")
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("module", "source", "caught"), [
    ("transferkg.store.oxigraph", "from transferkg.rules.derive import derive\n", True),
    ("transferkg.store.oxigraph", "def f():\n    from transferkg.app import kg\n", True),
    ("transferkg.store.oxigraph", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import transferkg.query.library\n",
     True),
    ("transferkg.ingest.bulk", "from transferkg.curation.compile import claim\n", True),  # side by side: no
    ("transferkg.store.oxigraph", "from ..app.kg import load\n", True),  # relative, upward
    ("transferkg.store.oxigraph", "from .base import Store\nfrom transferkg.core.errors import LoadError\n", False),
    ("transferkg.app.kg", "from transferkg.store import oxigraph\nfrom transferkg import views\n", False),
])
def test_the_check_catches_upward_imports_and_only_them(module: str, source: str, caught: bool) -> None:
    assert bool(violations(module, source)) is caught
