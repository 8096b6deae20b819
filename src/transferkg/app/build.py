"""``transferkg build``: load, derive, validate, and write the outputs atomically.

The outputs are written to a temporary sibling folder and swapped into place
only when everything succeeded, so a failed build leaves the previous one intact.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef

from transferkg.app.kg import KnowledgeGraph, load
from transferkg.app.releases import GRAPH_RELEASE, describe
from transferkg.core import graphs as core_graphs
from transferkg.core.errors import BuildError, ChecksFailed, DataNotConforming, LoadError, OutputError
from transferkg.core.namespaces import bind_prefixes
from transferkg.core.resources import find_layout
from transferkg.curation.evidence import Finding, format_findings
from transferkg.rules.validate import Report

__all__ = ["GRAPH_CURATED", "GRAPH_DERIVED", "GRAPH_ONTOLOGY", "BuildResult", "build"]

GRAPH_ONTOLOGY, GRAPH_CURATED, GRAPH_DERIVED = (URIRef(core_graphs.GRAPH_ONTOLOGY), URIRef(core_graphs.GRAPH_CURATED),
                                                URIRef(core_graphs.GRAPH_DERIVED))

TURTLE_NAME = "transferkg.ttl"
NQUADS_NAME = "transferkg.nq"
SUMMARY_NAME = "summary.json"
REPORT_NAME = "validation.txt"
EVIDENCE_NAME = "evidence.txt"
STORE_NAME = "store"  # the persistent Oxigraph store read commands reuse (app/build_store.py)
RELEASE_NAME = "release.ttl"  # the DCAT/VoID description of this build (app/releases.py)
_OUTPUT_NAMES = frozenset({TURTLE_NAME, NQUADS_NAME, SUMMARY_NAME, REPORT_NAME, EVIDENCE_NAME, STORE_NAME, RELEASE_NAME})
"""What a build writes: everything else in its folder is kept across builds."""


@dataclass
class BuildResult:
    """What a build wrote and found."""

    out: Path
    summary: dict[str, int]
    report: Report
    kg: KnowledgeGraph
    evidence: list[Finding] = field(default_factory=list)
    """Claims whose quote does not carry their value: warnings, listed in evidence.txt."""

    def text(self) -> str:
        lines = [f"Built {self.out}"]
        lines += [f"  {k:<18} {v:>7}" for k, v in self.summary.items()]
        if self.evidence:
            claims = len({(f.path, f.line) for f in self.evidence})
            lines.append(f"warning: {claims} claim(s) whose quote does not carry their value "
                         f"(see {self.out / EVIDENCE_NAME} or run transferkg evidence)")
        return "\n".join(lines)


_CHILD_DEADLINE = 600.0
"""Seconds to wait for the validating child before validating here instead (SHACL takes about two)."""


class _Validation:
    """``kg.validate()`` in a forked child process, so SHACL runs on a second core.

    pySHACL holds the GIL for its two seconds; the build's other checks need about one,
    and the machine has two cores. Where ``fork`` is not the way to start a process
    (Windows, macOS), or the child fails in any way, the report is made here instead:
    the same function on the same graph, so the answer never depends on the path.
    """

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.process: multiprocessing.process.BaseProcess | None = None
        if sys.platform != "linux" or os.environ.get("TRANSFERKG_NO_FORK"):
            return
        import pyshacl  # noqa: F401 - imported before the fork: a child never takes an import lock another thread held

        import transferkg.rules.fast_shacl  # noqa: F401
        context = multiprocessing.get_context("fork")
        self.receive, send = context.Pipe(duplex=False)
        try:
            self.process = context.Process(target=_validate_child, args=(kg, send), daemon=True)
            self.process.start()
        except OSError:
            self.process = None
        send.close()

    def report(self) -> Report:
        if self.process is not None:
            found = None
            deadline = time.monotonic() + _CHILD_DEADLINE
            try:
                while time.monotonic() < deadline:
                    if self.receive.poll(0.05):
                        found = self.receive.recv()
                        break
                    if not self.process.is_alive() and not self.receive.poll(0):
                        break
            except (EOFError, OSError):
                found = None
            self.stop()
            if isinstance(found, Report):
                return found
        return self.kg.validate()

    def stop(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.kill()
            self.process.join()
            self.process = None
            self.receive.close()


def _validate_child(kg: KnowledgeGraph, send: Any) -> None:
    try:
        _graph_from_curated(kg)
        report: Report | None = kg.validate()
    except BaseException:  # noqa: BLE001 - the parent runs it again and raises it there, with its traceback
        report = None
    send.send(report)
    send.close()


def _graph_from_curated(kg: KnowledgeGraph) -> None:
    """In the forked child only: ``kg.graph`` made by adding the other layers to the curated rdflib graph.

    The child's memory is its own copy, so the curated graph the loader made can be
    grown in place: the same triples as copying the whole store into rdflib, five
    times faster (the store's ontology and curated graphs are exactly the loaded ones).
    """
    from transferkg.store.oxigraph import OxigraphStore

    if "graph" in kg.__dict__ or kg.loaded is None or not isinstance(kg.store, OxigraphStore):
        return
    graph = kg.loaded.curated
    graph += kg.loaded.ontology
    graph += kg.store.to_graph(without=(core_graphs.GRAPH_ONTOLOGY, core_graphs.GRAPH_CURATED))
    kg.__dict__["graph"] = graph


def _partition(kg: KnowledgeGraph) -> Dataset:
    """Split the build into ontology, curated and derived named graphs."""
    assert kg.loaded is not None
    ds = Dataset()
    bind_prefixes(ds)  # type: ignore[arg-type]
    graph = kg.graph
    targets = {GRAPH_ONTOLOGY: kg.loaded.ontology, GRAPH_CURATED: kg.loaded.curated}
    derived = ds.graph(GRAPH_DERIVED)
    named = {name: ds.graph(name) for name in targets}
    for triple in graph:
        for name, source in targets.items():
            if triple in source:
                named[name].add(triple)
                break
        else:
            derived.add(triple)
    return ds


def build(out: str | os.PathLike[str] = "build", *, root: str | os.PathLike[str] | None = None,
          kg: KnowledgeGraph | None = None, history: bool = False) -> BuildResult:
    """Build the graph into ``out``.

    With ``history``, each claim's first release, read from git (:mod:`transferkg.app.history`),
    goes into the outputs in its own named graph (after validation: it is not curated data).

    Raises:
        LoadError: bad input (nothing written).
        DataNotConforming: SHACL violations (nothing written).
        BuildError: the outputs could not be written (previous build untouched).
    """
    from transferkg.app.build_store import input_parts

    if kg is None:
        layout = find_layout(root)
        parts = input_parts(layout)  # before reading the files: an edit made meanwhile shows as a change
        kg = load(layout.root)
    else:
        parts = input_parts(kg.layout)
    out_dir = Path(out).resolve()
    validation = _Validation(kg)  # SHACL on the other core while this one checks privacy and evidence, writes the store
    tmp: Path | None = None
    try:
        names = kg.privacy() if kg.loaded is not None else []
        evidence = kg.evidence() if kg.loaded is not None else []
        summary = kg.stats().summary()
        if not names:
            tmp = _temporary_folder(out_dir)
            if kg.loaded is not None:  # the store read commands reuse (build_store); from this build's layers
                _write_store(kg, tmp / STORE_NAME, parts)
            if history:  # in the RDF files, not in the build store (a cache of the files, rebuilt without git)
                summary["claims_with_first_release"] = _add_history(kg)
            _write_graph(kg, tmp)
        report = validation.report()
        _refuse(report, names)
        assert tmp is not None
        summary.update(warnings=len(report.warnings), violations=0, evidence_findings=len(evidence))
        _write_reports(kg, tmp, summary, report, evidence)
        _swap(tmp, out_dir)
    except (OSError, OutputError) as exc:
        _discard(tmp)
        raise BuildError(f"cannot write {out_dir}: {getattr(exc, 'strerror', None) or exc}") from exc
    except BaseException:
        _discard(tmp)
        raise
    finally:
        validation.stop()
    return BuildResult(out=out_dir, summary=summary, report=report, kg=kg, evidence=evidence)


def _add_history(kg: KnowledgeGraph) -> int:
    """Each claim's first release into the store's history graph; how many claims have one.

    Raises:
        BadParameter: the tree is not a git checkout (there is no history to read).
    """
    from transferkg.app.history import GRAPH_HISTORY, first_releases, history_cache
    from transferkg.store.base import GraphStore

    found = first_releases(kg.layout.root, cache=history_cache())
    if not isinstance(kg.store, GraphStore):
        raise BuildError(f"the {kg.store.name} store keeps no named graphs for the history")
    kg.store.load_graph(found.graph(), GRAPH_HISTORY)
    return sum(1 for c in found.claims if c.commit)


def _refuse(report: Report, names: list[Any]) -> None:
    """Stop the build for a SHACL violation (first) or a name the name list does not account for."""
    if not report.conforms:
        raise DataNotConforming(report)
    if names:
        shown = "\n".join(f"  {f.describe()}" for f in names[:20])
        more = f"\n  … and {len(names) - 20} more" if len(names) > 20 else ""
        raise ChecksFailed(f"{len(names)} name-like phrase(s) not accounted for in graph/names.yaml (no "
                           f"personal data about migrants may be published):\n{shown}{more}")


def _write_reports(kg: KnowledgeGraph, tmp: Path, summary: dict[str, int], report: Report,
                   evidence: list[Finding]) -> None:
    """What needs the SHACL report: the release description, ``summary.json`` and the two reports."""
    release = describe(kg.layout.root, summary, ontology=kg.loaded.ontology if kg.loaded else None)
    _write_release(kg, tmp, release.graph())
    release.graph().serialize(tmp / RELEASE_NAME, format="turtle")
    (tmp / SUMMARY_NAME).write_text(json.dumps({**summary, "release": release.as_dict()}, indent=2) + "\n",
                                    encoding="utf-8")
    (tmp / REPORT_NAME).write_text(report.text() + "\n", encoding="utf-8")
    (tmp / EVIDENCE_NAME).write_text((format_findings(evidence) or "every value can be read off its quote")
                                     + "\n", encoding="utf-8")


def _temporary_folder(out_dir: Path) -> Path:
    """A new folder beside ``out_dir`` with the permissions a folder made there gets (the umask's)."""
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=parent))
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)
    except OSError as exc:
        raise BuildError(f"cannot create {parent}: {exc.strerror}") from exc
    return tmp


def _discard(tmp: Path | None) -> None:
    if tmp is not None and tmp.exists():
        shutil.rmtree(tmp, ignore_errors=True)


def _write_graph(kg: KnowledgeGraph, folder: Path) -> None:
    """``transferkg.ttl`` (everything) and ``transferkg.nq`` (each layer in its named graph; the release
    description is appended by :func:`_write_release` once the report is in).

    An Oxigraph store already keeps the layers in named graphs and writes them sorted
    (deterministic bytes, a second less than rdflib); any other store is split here.
    """
    from transferkg.store.oxigraph import OxigraphStore

    if isinstance(kg.store, OxigraphStore) and kg.loaded is not None:
        kg.store.write(folder / TURTLE_NAME, format="ttl")
        kg.store.write(folder / NQUADS_NAME, format="nq")
        return
    kg.serialize(folder / TURTLE_NAME, format="turtle")
    _partition(kg).serialize(folder / NQUADS_NAME, format="nquads", encoding="utf-8")


def _write_release(kg: KnowledgeGraph, folder: Path, release: Graph) -> None:
    """The release description appended to ``transferkg.nq`` in its own named graph (it sorts last)."""
    from transferkg.store.oxigraph import OxigraphStore

    if isinstance(kg.store, OxigraphStore) and kg.loaded is not None:
        kg.store.write(folder / NQUADS_NAME, format="nq", extra={GRAPH_RELEASE: release}, only_extra=True)
        return
    dataset = Dataset()
    stamp = dataset.graph(URIRef(GRAPH_RELEASE))
    for triple in release:
        stamp.add(triple)
    with open(folder / NQUADS_NAME, "ab") as fh:
        fh.write(dataset.serialize(format="nquads", encoding="utf-8"))


def _write_store(kg: KnowledgeGraph, folder: Path, parts: dict[str, str]) -> None:
    """The build store at ``folder``: ``kg``'s quads copied when it is an Oxigraph store, else derived again."""
    from transferkg.app.build_store import write_store
    from transferkg.store.oxigraph import OxigraphStore

    source = kg.store if isinstance(kg.store, OxigraphStore) and kg.derived is not None else None
    try:
        write_store(kg.layout, folder, loaded=kg.loaded, source=source, derived=kg.derived, parts=parts)
    except LoadError as exc:
        raise BuildError(f"cannot write the build store: {exc}") from exc


def _swap(new: Path, target: Path) -> None:
    """Replace ``target`` by ``new`` with renames, keeping ``target`` if anything fails.

    What the build does not write (``build/site/`` of ``transferkg site``, a user's own
    files) is carried over into the new folder by renames, so a build never deletes it.
    """
    if target.exists() and not target.is_dir():
        raise BuildError(f"{target} exists and is not a folder")
    old = None
    moved: list[str] = []
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        old.rmdir()
        os.replace(target, old)
    try:
        for child in sorted(old.iterdir()) if old is not None else []:
            if child.name not in _OUTPUT_NAMES and not (new / child.name).exists():
                os.replace(child, new / child.name)
                moved.append(child.name)
        os.replace(new, target)
    except OSError:
        if old is not None:
            for name in moved:  # give the old folder back whole
                os.replace(new / name, old / name)
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
