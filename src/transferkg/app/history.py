"""When each claim entered the graph: the first release (git revision) whose graph holds it.

Claims are named by a hash of what they say (:mod:`transferkg.core.ids`), so a claim
whose value, source, quote or speaker changes is a new claim: "entered" means "entered
in this form". Every revision of ``ontology/`` and ``graph/`` on the first-parent
history of ``HEAD`` is read with ``git archive`` (the working tree is never touched),
compiled with the current code and its claims listed; a claim's first release is the
oldest revision that lists it. Claims only in the working tree are "not yet committed".
A revision the current code cannot read (an older file format) is skipped and named in
the result. The claims of each revision are cached by commit id under
``$XDG_CACHE_HOME/transferkg/history/<digest of the compiling code>/`` (a commit never
changes; new code may name claims anew), so a rerun reads only new revisions.

Nothing here is typed by hand: it is all read from the history.
"""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, XSD

from transferkg.app.diff import run_git as _git
from transferkg.core.errors import BadParameter, LoadError, TransferKGError
from transferkg.core.graphs import GRAPH_BASE
from transferkg.core.namespaces import bind_prefixes
from transferkg.core.outputs import csv_text, md_cell, write_atomic
from transferkg.core.resources import internal_query

__all__ = ["GRAPH_HISTORY", "FirstRelease", "History", "first_releases", "history_cache"]

GRAPH_HISTORY = GRAPH_BASE + "history"
RELEASE_BASE = "https://w3id.org/tct/release/"
TCT_FIRST_RELEASE = URIRef("https://w3id.org/tct/ontology#firstRelease")
_CACHE_VERSION = "1"


@dataclass(frozen=True)
class FirstRelease:
    """One claim of the current graph and the revision it first appears in ("" if none yet)."""

    claim: str
    subject: str
    predicate: str
    commit: str
    date: str  # the commit's date, YYYY-MM-DD ("" when not yet committed)

    @property
    def release(self) -> str:
        return f"{RELEASE_BASE}git-{self.commit}" if self.commit else ""


@dataclass
class History:
    """Every claim of the current graph with its first release, oldest first; what could not be read."""

    claims: list[FirstRelease]
    revisions: list[tuple[str, str]]  # (commit, date) read, oldest first
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (commit, why)

    def text(self, fmt: str = "md") -> str:
        """The table as Markdown (per release, newest first), CSV or JSON."""
        if fmt == "json":
            return json.dumps({"claims": [c.__dict__ | {"release": c.release} for c in self.claims],
                               "revisions": [{"commit": c, "date": d} for c, d in self.revisions],
                               "skipped": [{"commit": c, "why": w} for c, w in self.skipped]},
                              indent=2, ensure_ascii=False) + "\n"
        if fmt == "csv":
            return csv_text(["claim", "subject", "property", "firstCommit", "date"],
                            [[_local(c.claim), _local(c.subject), _local(c.predicate), c.commit, c.date]
                             for c in self.claims])
        return self._markdown()

    def _markdown(self) -> str:
        by_commit: dict[str, list[FirstRelease]] = {}
        for c in self.claims:
            by_commit.setdefault(c.commit, []).append(c)
        dates = dict(self.revisions)
        lines = ["# When the claims entered the graph", "",
                 f"{len(self.claims)} claims; {len(self.revisions)} revisions of ontology/ and graph/ read.", "",
                 "| first release | date | claims entering | about |", "|---|---|---:|---|"]
        order = [c for c, _d in reversed(self.revisions) if c in by_commit]
        if "" in by_commit:
            order.insert(0, "")
        for commit in order:
            rows = by_commit[commit]
            about = sorted({_local(r.subject) for r in rows})
            shown = ", ".join(md_cell(a) for a in about[:6]) + (f" and {len(about) - 6} more" if len(about) > 6 else "")
            lines.append(f"| {commit[:12] or 'not yet committed'} | {dates.get(commit, '')} | {len(rows)} | {shown} |")
        for commit, why in self.skipped:
            lines.append(f"\nSkipped {commit[:12]}: {md_cell(why)}")
        return "\n".join(lines) + "\n"

    def graph(self) -> Graph:
        """``<claim> tct:firstRelease <release>``, each release with its date (``dcterms:issued``)."""
        graph = bind_prefixes(Graph())
        dates = dict(self.revisions)
        for c in self.claims:
            if c.commit:
                release = URIRef(c.release)
                graph.add((URIRef(c.claim), TCT_FIRST_RELEASE, release))
                graph.add((release, DCTERMS.issued, Literal(dates[c.commit], datatype=XSD.date)))
                graph.add((release, PROV.wasDerivedFrom, URIRef(f"urn:git:{c.commit}")))
        return graph


def history_cache() -> Path:
    """Where the claims of each revision are kept: per version of the code that compiles them."""
    import os

    from transferkg.app.build_store import _code_digest

    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(home) / "transferkg" / "history" / _code_digest()[:16]


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _claims_of(kg_root: Path) -> dict[str, tuple[str, str]]:
    """Claim IRI → (subject, property) of the tree at ``kg_root``.

    Compiled only: every pattern ``diff_claims`` requires of a claim is curated, so the derived
    layer (a tenth of a revision's time) would not change the rows read here.
    """
    from transferkg.app.kg import load

    kg = load(kg_root, derive_layer=False)
    rows = kg.store.select(internal_query(__package__, "diff_claims")).rows
    return {str(r[0]): (str(r[1]), str(r[2])) for r in rows}


def _revision_claims(root: Path, commit: str, cache: Path | None) -> set[str]:
    """The claim IRIs of ``commit`` (cached by commit id: a commit never changes)."""
    cached = cache / f"{commit}.json" if cache is not None else None
    if cached is not None and cached.is_file():
        try:
            data = json.loads(cached.read_text(encoding="utf-8"))
            if data.get("version") == _CACHE_VERSION:
                return set(data["claims"])
        except (OSError, ValueError, KeyError):
            pass
    archive = _git(root, "archive", "--format=tar", commit, "ontology", "graph", binary=True)
    if not isinstance(archive, bytes):
        raise LoadError(f"git archive found no ontology/ and graph/ in {commit[:12]}")
    with tempfile.TemporaryDirectory(prefix="transferkg-history-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        claims = set(_claims_of(Path(tmp)))
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(cached, json.dumps({"version": _CACHE_VERSION, "claims": sorted(claims)}))
    return claims


def first_releases(root: Path, *, cache: Path | None = None,
                   notify: Callable[[str], None] | None = None) -> History:
    """The first release of every claim of the tree at ``root`` (a git checkout).

    Raises:
        BadParameter: ``root`` is not a git checkout, or has no commit.
    """
    if _git(root, "rev-parse", "--git-dir") is None:
        raise BadParameter(f"{root} is not a git checkout: claims have no history there")
    log = _git(root, "log", "--first-parent", "--reverse", "--format=%H %cs", "HEAD", "--", "ontology", "graph")
    if not isinstance(log, str) or not log:
        raise BadParameter(f"{root} has no commit of ontology/ or graph/")
    revisions = [(line.split()[0], line.split()[1]) for line in log.splitlines()]
    current = _claims_of(root)
    first: dict[str, str] = {}
    read: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    for n, (commit, date) in enumerate(revisions, 1):
        if notify is not None:
            notify(f"revision {n} of {len(revisions)}: {commit[:12]} ({date})")
        try:
            claims = _revision_claims(root, commit, cache)
        except TransferKGError as exc:
            skipped.append((commit, str(exc).splitlines()[0][:200]))
            continue
        read.append((commit, date))
        for claim in claims & current.keys():
            first.setdefault(claim, commit)
    dates = dict(read)
    out = [FirstRelease(claim, subject, prop, first.get(claim, ""), dates.get(first.get(claim, ""), ""))
           for claim, (subject, prop) in current.items()]
    out.sort(key=lambda c: (c.date or "9999", c.commit, c.subject, c.predicate, c.claim))
    return History(claims=out, revisions=read, skipped=skipped)
