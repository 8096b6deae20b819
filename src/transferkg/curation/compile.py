"""Compile the curated YAML in ``graph/`` into the RDF model of the ontology.

Curators write one compact YAML file per deal (see ``graph/README.md``); this
module turns it, deterministically, into claims-as-nodes RDF. Every error names
the file and line, and all errors of a run are reported together so a curator
fixes them in one pass.

Two passes over the files: the first declares every id (sources, entities, claim
keys), so a file may refer to what another declares; the second writes the triples
(:mod:`~transferkg.curation.sources`, :mod:`~transferkg.curation.entities`,
:mod:`~transferkg.curation.claims`).

Run ``python -m transferkg.curation.compile [graph_dir]`` to check the files alone.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rdflib import Graph, URIRef

from transferkg.core.claims import state_triples
from transferkg.core.dates import parse_partial_date
from transferkg.core.errors import LoadError
from transferkg.core.namespaces import TCT
from transferkg.core.privacy import NameList
from transferkg.curation.claims import compile_claims
from transferkg.curation.context import Context
from transferkg.curation.entities import ENTITY_TYPES, compile_entity
from transferkg.curation.numbers import parse_number
from transferkg.curation.records import ClaimRecord
from transferkg.curation.sources import compile_source
from transferkg.curation.yaml_reader import Where, compose, items, scalar, yaml_files

__all__ = ["ENTITY_TYPES", "CompiledGraph", "compile_graph", "parse_number", "parse_partial_date", "read_records",
           "readable_files", "yaml_files"]

TOP_KEYS = {"sources", "entities", "claims-on", "public-figures", "not-people"}
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

_Doc = tuple[Path, str, yaml.MappingNode]
"""A curated file: its path, its path as shown in messages, and its top mapping."""


@dataclass
class CompiledGraph:
    """The compiled RDF plus what curators need for coverage checks."""

    graph: Graph
    files: list[Path]
    rows: dict[int, list[str]] = field(default_factory=dict)
    """Research-table row number → ``file:line`` of each claim citing it."""
    claims: int = 0
    records: list[ClaimRecord] = field(default_factory=list)
    """Every claim as written, with file and line, for the evidence check."""
    published: dict[str, str] = field(default_factory=dict)
    """Source id → publication date as written, for the evidence check."""
    names: NameList = field(default_factory=lambda: NameList(public_figures={}))
    """The curators' account of name-like phrases (``public-figures``, ``not-people``), for the privacy check."""


# -- pass 1: declarations ------------------------------------------------------------------------


def _declare_ids(ctx: Context, key: str, body: yaml.MappingNode, display: str) -> None:
    """Record the ids a ``sources:`` or ``entities:`` mapping declares (and the type of each entity)."""
    for ident, decl, dline in items(body):
        dw = Where(display, dline)
        if not _ID_RE.match(ident):
            ctx.errors.add(dw, f"bad id {ident!r}: letters, digits, '-', '_' and '.' only")
            continue
        seen = ctx.sources.get(ident) or (ctx.entities[ident][0] if ident in ctx.entities else None)
        if seen is not None:
            ctx.errors.add(dw, f"duplicate id {ident!r} (first declared at {seen.path}:{seen.line})")
            continue
        if key == "sources":
            ctx.sources[ident] = dw
        else:
            etype = ""
            if isinstance(decl, yaml.MappingNode):
                etype = next((scalar(v) or "" for k, v, _ in items(decl) if k == "type"), "")
            ctx.entities[ident] = (dw, etype)


def _declare_file(ctx: Context, top: yaml.MappingNode, display: str) -> None:
    for key, value, line in items(top):
        w = Where(display, line)
        if key not in TOP_KEYS:
            ctx.errors.add(w, f"unknown top-level key {key!r} (allowed: {', '.join(sorted(TOP_KEYS))})")
            continue
        if key in ("claims-on", "public-figures", "not-people"):
            continue
        body = ctx.mapping(value, w, key)
        if body is not None:
            _declare_ids(ctx, key, body, display)


def _claim_nodes(top: yaml.MappingNode) -> Iterator[yaml.MappingNode]:
    """Every claim mapping of a file, under ``entities:`` and ``claims-on:``."""
    for key, value, _ln in items(top):
        if key not in ("entities", "claims-on") or not isinstance(value, yaml.MappingNode):
            continue
        for _ident, decl, _ in items(value):
            if key == "claims-on":
                seqs = [decl]
            elif isinstance(decl, yaml.MappingNode):
                seqs = [v for k, v, _ in items(decl) if k == "claims"]
            else:
                continue
            for seq in seqs:
                if isinstance(seq, yaml.SequenceNode):
                    yield from (c for c in seq.value if isinstance(c, yaml.MappingNode))


def _declare_keys(ctx: Context, docs: list[_Doc]) -> None:
    """Record every claim ``key``, so ``variantOf``/``conflictsWith`` may point forward or to another file."""
    for _path, display, top in docs:
        for claim in _claim_nodes(top):
            for k, v, line in items(claim):
                if k != "key":
                    continue
                key = scalar(v) or ""
                if key in ctx.keys:
                    first = ctx.keys[key][0]
                    ctx.errors.add(Where(display, line), f"duplicate claim key {key!r} (first at {first.path}:{first.line})")
                else:
                    ctx.keys[key] = (Where(display, line), URIRef(""))


def declare(ctx: Context, files: list[Path]) -> list[_Doc]:
    """Pass 1: read every file and record the ids it declares; the files' top mappings."""
    docs = []
    for path in files:
        display = ctx.display(path)
        root = compose(path, display)
        if root is None:
            continue
        top = ctx.mapping(root, Where(display, 1), "the file")
        if top is None:
            continue
        docs.append((path, display, top))
        _declare_file(ctx, top, display)
    _declare_keys(ctx, docs)
    return docs


# -- pass 2: triples -----------------------------------------------------------------------------


def _public_figures(ctx: Context, value: yaml.Node, where: Where) -> None:
    body = ctx.mapping(value, where, "public-figures")
    if body is None:
        return
    for name, role, line in items(body):
        text = scalar(role)
        if not name.strip() or not text or not text.strip():
            ctx.errors.add(Where(where.path, line), f"public figure {name!r} needs the public role the sources name them in")
            continue
        if name in ctx.public_figures:
            ctx.errors.add(Where(where.path, line), f"public figure {name!r} listed twice")
        ctx.public_figures[name.strip()] = text.strip()


def _not_people(ctx: Context, value: yaml.Node, where: Where) -> None:
    if not isinstance(value, yaml.SequenceNode) or not all(
            isinstance(n, yaml.ScalarNode) and str(n.value).strip() for n in value.value):
        ctx.errors.add(where, "not-people must be a list of phrases")
    else:
        ctx.not_people.extend(str(n.value).strip() for n in value.value)


def _claims_on(ctx: Context, value: yaml.Node, where: Where) -> None:
    body = ctx.mapping(value, where, "claims-on")
    if body is None:
        return
    for ident, seq, dline in items(body):
        dw = Where(where.path, dline)
        subject = ctx.ref(ident, dw)
        if subject is not None:
            compile_claims(ctx, subject, seq, dw)


def emit(ctx: Context, docs: list[_Doc]) -> None:
    """Pass 2: the triples of every file, then of every state they name."""
    for _path, display, top in docs:
        for key, value, line in items(top):
            w = Where(display, line)
            if key in ("sources", "entities") and isinstance(value, yaml.MappingNode):
                write = compile_source if key == "sources" else compile_entity
                for ident, decl, dline in items(value):
                    write(ctx, ident, decl, Where(display, dline))
            elif key == "public-figures":
                _public_figures(ctx, value, w)
            elif key == "not-people":
                _not_people(ctx, value, w)
            elif key == "claims-on":
                _claims_on(ctx, value, w)
    for code in sorted(ctx.states):
        ctx.add(state_triples(code))


def compile_graph(graph_dir: Path, ontology: Graph, *, display_root: Path | None = None) -> CompiledGraph:
    """Compile every YAML file below ``graph_dir`` into one RDF graph.

    Args:
        graph_dir: the folder of curated files.
        ontology: the ontology and code lists, to check properties and codes against.
        display_root: paths in messages are shown relative to this folder.

    Raises:
        LoadError: listing every problem as ``file:line: message``.
    """
    files = yaml_files(graph_dir)
    ctx = Context(ontology, display_root or graph_dir.parent)
    emit(ctx, declare(ctx, files))
    ctx.errors.raise_if_any()
    # variantOf / conflictsWith were recorded against keys; resolve them now.
    for _where, claim, key, rel in ctx.links:
        ctx.g.add((claim, TCT[rel], ctx.keys[str(key)][1]))
    return CompiledGraph(graph=ctx.g, files=files, rows=ctx.rows, claims=len(ctx.claim_ids),
                         records=ctx.records, published=ctx.published,
                         names=NameList(public_figures=ctx.public_figures, not_people=tuple(ctx.not_people)))


def read_records(files: list[Path], *, display_root: Path) -> tuple[list[ClaimRecord], dict[str, str]]:
    """The claims of ``files`` as written, and the sources' publication dates, without compiling.

    Lenient on purpose: a claim is recorded as soon as it has a property, one value,
    a source and a quote, so a curator can check the evidence of a file that does
    not compile yet (a review file of candidate claims, say).

    Raises:
        LoadError: a file is not valid YAML.
    """
    ctx = Context(Graph(), display_root)
    emit(ctx, declare(ctx, files))
    return ctx.records, ctx.published


def readable_files(files: list[Path], *, keep: Path, display_root: Path) -> list[Path]:
    """``files`` without those that are not valid YAML, except ``keep`` (whose errors must show).

    For checking one file while other curators are editing theirs: a half-written
    file elsewhere only loses its sources and keys as context.
    """
    out = []
    for path in files:
        if path == keep:
            out.append(path)
            continue
        try:
            compose(path, path.as_posix())
        except LoadError:
            continue
        out.append(path)
    return out


def main(argv: list[str] | None = None) -> int:
    """Check the curated files and print a summary or every error."""
    args = sys.argv[1:] if argv is None else argv
    graph_dir = Path(args[0] if args else "graph").resolve()
    root = graph_dir.parent
    ontology = Graph()
    for path in [root / "ontology" / "tct.ttl", *sorted((root / "ontology" / "vocab").glob("*.ttl"))]:
        ontology.parse(path, format="turtle")
    try:
        result = compile_graph(graph_dir, ontology, display_root=root)
    except LoadError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"{len(result.files)} files, {result.claims} claims, {len(result.graph)} triples, "
          f"{len(result.rows)} research rows cited")
    return 0


if __name__ == "__main__":
    sys.exit(main())
