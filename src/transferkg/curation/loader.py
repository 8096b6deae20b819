"""Read the ontology, code lists, shapes and curated graph into rdflib graphs.

Every failure becomes a :class:`~transferkg.core.errors.LoadError` that names the
file, the line and the offending text, never a parser traceback.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import Graph

from transferkg.core.errors import LoadError
from transferkg.core.files import read_utf8
from transferkg.core.namespaces import bind_prefixes
from transferkg.core.privacy import NameList
from transferkg.core.resources import Layout
from transferkg.curation.compile import compile_graph
from transferkg.curation.records import ClaimRecord
from transferkg.curation.yaml_reader import yaml_files

__all__ = ["Loaded", "load_layout", "parse_turtle"]


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def parse_turtle(path: Path, into: Graph | None = None, *, root: Path | None = None) -> Graph:
    """Parse one Turtle file into ``into`` (or a new graph).

    Raises:
        LoadError: naming the file, line and text of the first syntax error, an
            unbound prefix, a file that is not UTF-8, or a missing file.
    """
    graph = into if into is not None else Graph()
    shown = _display(path, root) if root else path.as_posix()
    text = read_utf8(path, shown)
    try:
        graph.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except RecursionError as exc:  # rdflib's parser recurses into ( … ) and [ … ]
        raise LoadError("Turtle nested too deeply to read (lists or [ … ] within one another)",
                        path=shown) from exc
    except ValueError as exc:
        huge = _HUGE_NUMBER.search(text)
        if huge is None or "digits" not in str(exc):
            raise _turtle_error(exc, text, shown) from exc
        line = text[: huge.start()].count("\n") + 1
        raise LoadError(f"a number of {len(huge.group()):,} digits, more than any value needs "
                        f"(Python reads at most {sys.get_int_max_str_digits():,})", path=shown, line=line) from exc
    except Exception as exc:  # rdflib raises BadSyntax and a few plain exceptions
        raise _turtle_error(exc, text, shown) from exc
    return graph


_HUGE_NUMBER = re.compile(f"[0-9]{{{sys.get_int_max_str_digits() + 1},}}")


def _turtle_error(exc: Exception, text: str, shown: str) -> LoadError:
    """A rdflib parse error as a :class:`LoadError` with the line and its text when rdflib knows them."""
    bad_line = getattr(exc, "lines", None)
    why = getattr(exc, "_why", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
    if isinstance(bad_line, int):
        lines = text.splitlines()
        snippet = lines[bad_line] if bad_line < len(lines) else None
        return LoadError(f"Turtle syntax error: {why}", path=shown, line=bad_line + 1, text=snippet)
    return LoadError(f"Turtle syntax error: {why}", path=shown)


@dataclass
class Loaded:
    """What one load produced: the data graph, the shapes and curation facts."""

    shapes: Graph
    ontology: Graph = field(default_factory=Graph)
    """The ontology and code lists alone."""
    curated: Graph = field(default_factory=Graph)
    """The curated data alone (compiled YAML and ``graph/*.ttl``)."""
    files: list[Path] = field(default_factory=list)
    rows: dict[int, list[str]] = field(default_factory=dict)
    records: list[ClaimRecord] = field(default_factory=list)
    """Every curated claim as written (file and line), for the evidence check."""
    published: dict[str, str] = field(default_factory=dict)
    """Source id → publication date as written."""
    names: NameList = field(default_factory=lambda: NameList(public_figures={}))
    """The curators' name list, for the privacy check."""

    @cached_property
    def data(self) -> Graph:
        """Ontology, code lists and curated data in one rdflib graph (made on first use: the Oxigraph
        backend never needs it)."""
        data = bind_prefixes(Graph())
        data += self.ontology
        data += self.curated
        return data


def load_layout(layout: Layout) -> Loaded:
    """Load ontology, code lists and curated data into one graph, shapes into another.

    Raises:
        LoadError: on a missing ontology, an empty ``graph/``, or any bad file.
    """
    root = layout.root
    if not layout.ontology.is_file():
        raise LoadError("ontology file not found", path=_display(layout.ontology, root))
    ontology = bind_prefixes(Graph())
    parse_turtle(layout.ontology, ontology, root=root)
    vocab = sorted(layout.vocab_dir.glob("*.ttl")) if layout.vocab_dir.is_dir() else []
    for path in vocab:
        parse_turtle(path, ontology, root=root)
    shapes = bind_prefixes(Graph())
    shape_files = sorted(layout.shapes_dir.glob("*.ttl")) if layout.shapes_dir.is_dir() else []
    for path in shape_files:
        parse_turtle(path, shapes, root=root)
    if not layout.graph_dir.is_dir():
        raise LoadError("graph folder not found", path=_display(layout.graph_dir, root))
    ttl = sorted(layout.graph_dir.rglob("*.ttl"))
    if not ttl and not yaml_files(layout.graph_dir):
        raise LoadError("no data: graph/ holds no *.yaml or *.ttl file",
                        path=_display(layout.graph_dir, root))
    compiled = compile_graph(layout.graph_dir, ontology, display_root=root)
    curated = compiled.graph
    for path in ttl:
        parse_turtle(path, curated, root=root)
    files = [layout.ontology, *vocab, *shape_files, *compiled.files, *ttl]
    return Loaded(shapes=shapes, ontology=ontology, curated=curated, files=files,
                  rows=compiled.rows, records=compiled.records, published=compiled.published,
                  names=compiled.names)
