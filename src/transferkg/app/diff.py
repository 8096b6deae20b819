"""``transferkg diff OLD NEW``: what changed between two versions of the graph.

OLD and NEW are each a build folder (one with ``transferkg.nq``) or a git revision of the
project (``HEAD~3``, a tag, a commit); a revision's ``ontology/`` and ``graph/`` are read with
``git archive`` into a temporary folder and loaded there — the working tree is never touched.

Claims are compared by their ids (a hash of subject, property, value, source and quote):

- **added** / **removed** — a claim only in NEW / only in OLD;
- **changed** — a removed and an added claim with the same subject and property (and, first,
  the same source), or one claim whose rank or ``asOf`` changed; the fields that differ are named;
- **status changes** — an agreement whose current status differs;
- new and dropped **agreements**, **states** (parties of agreements) and **sources**.

Everything is grouped per agreement (a transfer, status change or court case under the
agreement it is about). Output: Markdown (the "latest updates" of a tracker), JSON, or RDF
(TriG: the removed and the added claims as two named graphs, with PROV links between the
releases and from each changed claim to its previous version). Rows are sorted: the same two
versions always give the same bytes.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import tarfile
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, Namespace, URIRef

from transferkg.core.errors import BadParameter
from transferkg.core.resources import internal_query

__all__ = ["Change", "ClaimRecord", "Diff", "Snapshot", "diff", "open_snapshot"]

DIFF_BASE = "https://w3id.org/tct/diff/"
RELEASE_BASE = "https://w3id.org/tct/release/"
TCT = Namespace("https://w3id.org/tct/ontology#")
_RELEASE_GRAPH = "https://w3id.org/tct/graph/release"


def _s(term: Any) -> str:
    return "" if term is None else str(term)


def short(iri: str) -> str:
    """The local part of an IRI (``agreement-US-XK-2025-06``, ``capacity``, ``in-force``)."""
    return re.split(r"[/#]", iri)[-1] if iri.startswith(("http://", "https://")) else iri


@dataclass(frozen=True)
class ClaimRecord:
    """One claim as the diff sees it."""

    claim: str
    subject: str
    property: str
    value: str
    rank: str
    source: str
    quote: str
    as_of: str
    agreement: str  # "" when the claim is about no agreement

    def as_dict(self) -> dict[str, str]:
        return {"claim": short(self.claim), "subject": short(self.subject), "property": short(self.property),
                "value": short(self.value), "rank": short(self.rank), "source": short(self.source),
                "quote": self.quote, "asOf": self.as_of}

    def line(self) -> str:
        value = short(self.value)
        extra = f", as of {self.as_of}" if self.as_of else ""
        rank = f" [{short(self.rank)}]" if short(self.rank) != "normal" else ""
        subject = "" if self.subject == self.agreement else f"{short(self.subject)}: "
        return f"{subject}{short(self.property)} = {value}{extra}{rank} — {short(self.source)}: “{self.quote}”"


@dataclass(frozen=True)
class Change:
    """A claim replaced by another about the same subject and property (or re-ranked)."""

    old: ClaimRecord
    new: ClaimRecord
    other: tuple[str, ...] = ()
    """Other properties of the claim that differ (speaker, conflictsWith, variantOf, row…)."""

    @property
    def fields(self) -> list[str]:
        pairs = (("value", "value"), ("rank", "rank"), ("source", "source"), ("quote", "quote"), ("asOf", "as_of"))
        return [name for name, attr in pairs if getattr(self.old, attr) != getattr(self.new, attr)]

    def line(self) -> str:
        parts = []
        for name in self.fields:
            attr = "as_of" if name == "asOf" else name
            before, after = getattr(self.old, attr), getattr(self.new, attr)
            if name == "quote":
                parts.append(f"quote “{before}” → “{after}”")
            else:
                parts.append(f"{name} {short(before) or '—'} → {short(after) or '—'}")
        if self.other:
            parts.append("also " + ", ".join(self.other))
        subject = "" if self.new.subject == self.new.agreement else f"{short(self.new.subject)}: "
        return f"{subject}{short(self.new.property)} ({short(self.new.source)}): " + "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {"fields": self.fields + list(self.other), "old": self.old.as_dict(), "new": self.new.as_dict()}


@dataclass
class Snapshot:
    """One side of a diff: its claims, agreements (with current status), states and sources."""

    spec: str
    ref: str  # a commit id or a folder
    release: str  # the release IRI
    claims: dict[str, ClaimRecord]
    entities: dict[str, dict[str, str]]  # kind -> iri -> label
    status: dict[str, str]
    graph: Graph

    def label(self, iri: str) -> str:
        for kind in ("agreement", "state", "source"):
            if iri in self.entities.get(kind, {}):
                return self.entities[kind][iri]
        return short(iri)


def run_git(root: Path, *args: str, binary: bool = False) -> Any:
    """``git -C root ARGS``'s output (bytes with ``binary``), or None when git says no."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise BadParameter(f"cannot run git: {exc}") from exc
    if done.returncode != 0:
        return None
    return done.stdout if binary else done.stdout.decode("utf-8", "replace").strip()


def open_snapshot(spec: str, root: Path) -> Snapshot:
    """A build folder (with ``transferkg.nq``) or a git revision of ``root``, loaded for comparison."""
    folder = Path(spec)
    if folder.is_dir():
        if not (folder / "transferkg.nq").is_file():
            raise BadParameter(f"{spec} is a folder without transferkg.nq (run transferkg build --out {spec})")
        return _from_build(spec, folder)
    if spec.startswith("-") or run_git(root, "rev-parse", "--git-dir") is None:
        raise BadParameter(f"{spec!r} is neither a build folder nor a git revision ({root} is not a git checkout)")
    commit = run_git(root, "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}")
    if not commit:
        raise BadParameter(f"{spec!r} is neither a build folder nor a git revision of {root}")
    return _from_revision(spec, commit, root)


def _from_build(spec: str, folder: Path) -> Snapshot:
    ds = Dataset()
    ds.parse(folder / "transferkg.nq", format="nquads")
    graph = Graph()
    for s, p, o, g in ds.quads((None, None, None, None)):
        if g is None or str(getattr(g, "identifier", g)) != _RELEASE_GRAPH:
            graph.add((s, p, o))
    release = ""
    try:
        release = json.loads((folder / "summary.json").read_text(encoding="utf-8")).get("release", {}).get("iri", "")
    except (OSError, ValueError, AttributeError):
        pass
    from transferkg.store.base import MemoryStore

    return _snapshot(spec, str(folder.resolve()), release or folder.resolve().as_uri(), MemoryStore(graph), graph)


def _from_revision(spec: str, commit: str, root: Path) -> Snapshot:
    from transferkg.app.kg import load

    data = run_git(root, "archive", "--format=tar", commit, "ontology", "graph", binary=True)
    if data is None:
        raise BadParameter(f"revision {spec} ({commit[:12]}) has no ontology/ and graph/ to compare")
    with tempfile.TemporaryDirectory(prefix="transferkg-diff-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(tmp, filter="data")
        kg = load(tmp)
        graph = kg.graph
        return _snapshot(spec, commit, f"{RELEASE_BASE}git-{commit}", kg.store, graph)


def snapshot_of(kg: Any, spec: str = "the current files") -> Snapshot:
    """The graph ``kg`` holds now (the working tree, built) as the NEW side of a diff."""
    return _snapshot(spec, spec, "", kg.store, kg.graph)


def _snapshot(spec: str, ref: str, release: str, store: Any, graph: Graph) -> Snapshot:
    claims: dict[str, ClaimRecord] = {}
    for r in store.select(internal_query(__package__, "diff_claims")).rows:
        key = _s(r[0])
        record = ClaimRecord(key, _s(r[1]), _s(r[2]), _s(r[3]), _s(r[4]), _s(r[5]), _s(r[6]), _s(r[7]), _s(r[8]))
        # a claim about a case under several agreements is listed under the first of them
        if key not in claims or (record.agreement and (not claims[key].agreement
                                                       or record.agreement < claims[key].agreement)):
            claims[key] = record
    entities: dict[str, dict[str, str]] = defaultdict(dict)
    status: dict[str, str] = {}
    for r in store.select(internal_query(__package__, "diff_entities")).rows:
        kind, iri = _s(r[0]), _s(r[1])
        entities[kind].setdefault(iri, _s(r[2]) or short(iri))
        if kind == "agreement" and r[3] is not None:
            status[iri] = _s(r[3])
    return Snapshot(spec, ref, release, claims, dict(entities), status, graph)


@dataclass
class AgreementChanges:
    """Everything that changed about one agreement (or, with ``agreement`` empty, about other subjects)."""

    agreement: str
    label: str
    status: tuple[str, str] | None = None
    added: list[ClaimRecord] = field(default_factory=list)
    removed: list[ClaimRecord] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    new: bool = False
    dropped: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"agreement": short(self.agreement) or None, "label": self.label,
                "new": self.new, "dropped": self.dropped,
                "status": {"old": self.status[0], "new": self.status[1]} if self.status else None,
                "added": [c.as_dict() for c in self.added], "removed": [c.as_dict() for c in self.removed],
                "changed": [c.as_dict() for c in self.changed]}


@dataclass
class Diff:
    """The changes from ``old`` to ``new``."""

    old: Snapshot
    new: Snapshot
    groups: list[AgreementChanges]
    entities: dict[str, dict[str, list[str]]]  # kind -> {"added": [...], "dropped": [...]}

    @property
    def added(self) -> list[ClaimRecord]:
        return [c for g in self.groups for c in g.added]

    @property
    def removed(self) -> list[ClaimRecord]:
        return [c for g in self.groups for c in g.removed]

    @property
    def changed(self) -> list[Change]:
        return [c for g in self.groups for c in g.changed]

    def summary(self) -> dict[str, int]:
        return {"claims added": len(self.added), "claims removed": len(self.removed),
                "claims changed": len(self.changed),
                "status changes": sum(1 for g in self.groups if g.status),
                **{f"{kind}s {how}": len(items) for kind, d in self.entities.items() for how, items in d.items()}}


def _pair(removed: list[ClaimRecord], added: list[ClaimRecord]) -> tuple[list[Change], list[ClaimRecord],
                                                                          list[ClaimRecord]]:
    """Match removed and added claims: same subject, property and source first, then same subject and property."""
    changes: list[Change] = []
    passes = ((True, lambda c: (c.subject, c.property, c.source)), (False, lambda c: (c.subject, c.property)))
    for by_source, key in passes:
        gone: dict[Any, list[ClaimRecord]] = defaultdict(list)
        for c in removed:
            gone[key(c)].append(c)
        new_by: dict[Any, list[ClaimRecord]] = defaultdict(list)
        for c in added:
            new_by[key(c)].append(c)
        left: list[ClaimRecord] = []
        for c in added:
            k = key(c)
            # same source: pair in order; another source: only one claim replaced by one, never a note
            if gone.get(k) and (by_source or (len(gone[k]) == 1 and len(new_by[k]) == 1
                                              and not c.property.endswith("#note"))):
                changes.append(Change(gone[k].pop(0), c))
            else:
                left.append(c)
        removed = sorted((c for cs in gone.values() for c in cs), key=_sort_key)
        added = left
    return changes, removed, added


_COMPARED = {"claimSubject", "claimProperty", "objectValue", "literalValue", "quantityValue", "rank", "quote",
             "asOf", "wasDerivedFrom", "type"}


def _other_fields(old: Graph, new: Graph, change: Change) -> tuple[str, ...]:
    """The claim's other properties (speaker, links, rows…) whose values differ between the two versions."""
    def props(graph: Graph, claim: str) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for p, o in graph.predicate_objects(URIRef(claim)):
            found[short(str(p))].add(str(o))
        return found

    a, b = props(old, change.old.claim), props(new, change.new.claim)
    return tuple(sorted(k for k in (a.keys() | b.keys()) - _COMPARED if a.get(k) != b.get(k)))


def _sort_key(c: ClaimRecord) -> tuple[str, ...]:
    return (c.subject, c.property, c.source, c.value, c.claim)


def _entity_changes(old: Snapshot, new: Snapshot) -> dict[str, dict[str, list[str]]]:
    """Agreements, states and sources only in NEW (added) or only in OLD (dropped)."""
    entities: dict[str, dict[str, list[str]]] = {}
    for kind in ("agreement", "state", "source"):
        before, after = old.entities.get(kind, {}), new.entities.get(kind, {})
        entities[kind] = {"added": sorted(after.keys() - before.keys()), "dropped": sorted(before.keys() - after.keys())}
    return entities


def diff(old: Snapshot, new: Snapshot) -> Diff:
    """Compare two snapshots (deterministic: every list is sorted)."""
    removed = sorted((old.claims[k] for k in old.claims.keys() - new.claims.keys()), key=_sort_key)
    added = sorted((new.claims[k] for k in new.claims.keys() - old.claims.keys()), key=_sort_key)
    changes, removed, added = _pair(removed, added)
    for k in sorted(old.claims.keys() & new.claims.keys()):
        a, b = old.claims[k], new.claims[k]
        if (a.rank, a.as_of) != (b.rank, b.as_of):
            changes.append(Change(a, b))
    changes = [Change(ch.old, ch.new, _other_fields(old.graph, new.graph, ch)) for ch in changes]
    groups: dict[str, AgreementChanges] = {}

    def group(agreement: str) -> AgreementChanges:
        if agreement not in groups:
            label = (new.entities.get("agreement", {}).get(agreement) or old.entities.get("agreement", {}).get(agreement)
                     or "Other subjects")
            groups[agreement] = AgreementChanges(agreement, label)
        return groups[agreement]

    for c in added:
        group(c.agreement).added.append(c)
    for c in removed:
        group(c.agreement).removed.append(c)
    for ch in changes:
        group(ch.new.agreement or ch.old.agreement).changed.append(ch)
    for g in groups.values():
        g.changed.sort(key=lambda ch: (_sort_key(ch.new), ch.old.claim))
    entities = _entity_changes(old, new)
    for iri in entities["agreement"]["added"]:
        group(iri).new = True
    for iri in entities["agreement"]["dropped"]:
        group(iri).dropped = True
    for iri in sorted(old.status.keys() & new.status.keys()):
        if old.status[iri] != new.status[iri]:
            group(iri).status = (old.status[iri], new.status[iri])
    for iri in entities["agreement"]["added"]:
        if iri in new.status:
            group(iri).status = ("—", new.status[iri])
    ordered = sorted(groups.values(), key=lambda g: (g.agreement == "", g.label, g.agreement))
    return Diff(old, new, ordered, entities)
