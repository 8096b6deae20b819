"""Release stamps: a DCAT/VoID description of what a build contains and where it came from.

``transferkg build`` writes the description into its own named graph of ``transferkg.nq``
(``https://w3id.org/tct/graph/release``), into ``release.ttl`` and under ``"release"`` in
``summary.json``: the version, the build date, a SHA-256 of the inputs (``ontology/`` and
``graph/``, path by path), the counts, the licence (the ontology's ``dcterms:license``) and
the ``git`` revision of the tree when it is a git checkout (with ``dirty`` when the inputs
differ from that revision).

The version is ``<build date>+<first 12 hex digits of the input hash>``: two builds of the
same inputs on the same day have the same version; a change of one byte of ``graph/`` gives
another.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, VOID, XSD

from transferkg.core.graphs import GRAPH_BASE

__all__ = ["DATASET", "GRAPH_RELEASE", "Release", "describe", "git_revision", "input_files", "input_hash"]

GRAPH_RELEASE = GRAPH_BASE + "release"
DATASET = URIRef("https://w3id.org/tct/dataset")
RELEASE_BASE = "https://w3id.org/tct/release/"
ONTOLOGY = URIRef("https://w3id.org/tct/ontology")
TCT = Namespace("https://w3id.org/tct/ontology#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # DCAT 3 (rdflib's closed DCAT namespace lacks version, hasVersion)

_COUNTED_CLASSES = {"agreements": (TCT.Agreement,), "claims": (TCT.Claim,)}  # every agreement, transfer deals too


def input_files(root: Path) -> list[Path]:
    """The files a build reads: the ontology (with code lists and shapes) and the curated graph."""
    files = [p for folder in ("ontology", "graph") if (root / folder).is_dir()
             for p in (root / folder).rglob("*") if p.is_file() and p.suffix in (".ttl", ".yaml", ".yml")]
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def input_hash(root: Path, files: Iterable[Path] | None = None) -> str:
    """SHA-256 over each input's relative path and bytes, in path order (the same tree, the same hash)."""
    digest = hashlib.sha256()
    for path in files if files is not None else input_files(root):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        data = path.read_bytes()
        digest.update(str(len(data)).encode("ascii") + b"\0" + data)
    return digest.hexdigest()


def git_revision(root: Path) -> tuple[str, bool] | None:
    """The commit ``root`` is checked out at and whether its inputs differ from it; None outside git."""
    try:
        rev = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=20, check=True).stdout.strip()
        status = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "ontology", "graph"],
                                capture_output=True, text=True, timeout=20, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return (rev, bool(status.strip())) if len(rev) == 40 else None


@dataclass(frozen=True)
class Release:
    """What a build says about itself."""

    version: str
    date: str
    input_hash: str
    counts: Mapping[str, int]
    license: str | None
    git: str | None = None
    dirty: bool = False

    @property
    def iri(self) -> URIRef:
        return URIRef(RELEASE_BASE + self.version)

    def as_dict(self) -> dict[str, Any]:
        return {"version": self.version, "date": self.date, "input_hash": f"sha256:{self.input_hash}",
                "license": self.license, "git": self.git, "dirty": self.dirty, "iri": str(self.iri),
                "counts": dict(self.counts)}

    def graph(self) -> Graph:
        """The DCAT/VoID description (the dataset, this release as one of its versions, and the distributions)."""
        g = Graph()
        for prefix, ns in (("dcat", DCAT), ("dcterms", DCTERMS), ("void", VOID), ("prov", PROV), ("spdx", SPDX),
                           ("tct", TCT)):
            g.bind(prefix, ns)
        r = self.iri
        g.add((DATASET, RDF.type, DCAT.Dataset))
        g.add((DATASET, DCTERMS.title, Literal("transferkg: third-country transfer agreements", lang="en")))
        g.add((DATASET, DCAT.hasVersion, r))
        g.add((r, RDF.type, DCAT.Dataset))
        g.add((r, RDF.type, VOID.Dataset))
        g.add((r, DCTERMS.isVersionOf, DATASET))
        g.add((r, DCAT.version, Literal(self.version)))
        g.add((r, DCTERMS.issued, Literal(self.date, datatype=XSD.date)))
        g.add((r, DCTERMS.conformsTo, ONTOLOGY))
        if self.license:
            g.add((r, DCTERMS.license, URIRef(self.license)))
        checksum = BNode(f"checksum-{self.input_hash[:16]}")
        g.add((r, SPDX.checksum, checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(self.input_hash, datatype=XSD.hexBinary)))
        g.add((checksum, RDFS.comment, Literal("SHA-256 of the inputs (ontology/ and graph/), path by path")))
        for key, value in sorted(self.counts.items()):
            if key == "triples":
                g.add((r, VOID.triples, Literal(value, datatype=XSD.integer)))
            elif key in _COUNTED_CLASSES:
                part = BNode(f"partition-{key}")
                g.add((r, VOID.classPartition, part))
                g.add((part, VOID["class"], _COUNTED_CLASSES[key][0]))
                g.add((part, VOID.entities, Literal(value, datatype=XSD.integer)))
        if self.git:
            commit = BNode(f"git-{self.git[:12]}")
            g.add((r, PROV.wasDerivedFrom, commit))
            g.add((commit, RDF.type, PROV.Entity))
            g.add((commit, DCTERMS.identifier, Literal(f"git:{self.git}")))
            g.add((commit, RDFS.comment, Literal("the git revision of the inputs"
                                                 + (", with uncommitted changes" if self.dirty else ""))))
        return g


def describe(root: Path, counts: Mapping[str, int], *, ontology: Graph | None = None,
             today: dt.date | None = None, git: bool = True) -> Release:
    """The release a build of ``root`` with these counts makes (``today``: the build date)."""
    if today is None:
        from transferkg.query.params import today as _today

        today = _today()
    digest = input_hash(root)
    license_ = None
    if ontology is not None:
        value = ontology.value(ONTOLOGY, DCTERMS.license)
        license_ = str(value) if value is not None else None
    revision = git_revision(root) if git else None
    return Release(version=f"{today.isoformat()}+{digest[:12]}", date=today.isoformat(), input_hash=digest,
                   counts={k: v for k, v in counts.items() if isinstance(v, int)}, license=license_,
                   git=revision[0] if revision else None, dirty=revision[1] if revision else False)
