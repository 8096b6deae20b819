"""How a :class:`~transferkg.app.diff.Diff` is written: Markdown, JSON, or RDF (TriG).

Kept apart from the comparison itself so that each stays small: the comparison decides
what changed, this module only says it, deterministically (the same diff, the same bytes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from transferkg.app.diff import DIFF_BASE, RELEASE_BASE, TCT, Diff, Snapshot, short
from transferkg.core.outputs import md_cell

__all__ = ["rdf", "render", "trig"]


def _describe(snapshot: Snapshot) -> str:
    ref = snapshot.ref[:12] if re.fullmatch(r"[0-9a-f]{40}", snapshot.ref) else snapshot.ref
    return snapshot.spec if snapshot.spec == ref else f"{snapshot.spec} ({ref})"


def render(d: Diff, fmt: str = "md") -> str:
    """The diff as Markdown (default), JSON or RDF (TriG)."""
    if fmt == "json":
        return json.dumps({"old": {"spec": d.old.spec, "ref": d.old.ref, "release": d.old.release},
                           "new": {"spec": d.new.spec, "ref": d.new.ref, "release": d.new.release},
                           "summary": d.summary(),
                           "entities": {k: {how: [short(i) for i in items] for how, items in v.items()}
                                        for k, v in d.entities.items()},
                           "agreements": [g.as_dict() for g in d.groups]}, indent=2, ensure_ascii=False) + "\n"
    if fmt in ("rdf", "trig"):
        return trig(rdf(d))
    if fmt != "md":
        raise ValueError(f"unknown format {fmt!r}")
    lines = [f"# Changes from {md_cell(_describe(d.old))} to {md_cell(_describe(d.new))}", ""]
    lines += [f"- {k}: {v}" for k, v in d.summary().items() if v]
    if not any(d.summary().values()):
        lines.append("No change.")
    for kind in ("agreement", "state", "source"):
        for how, snap in (("added", d.new), ("dropped", d.old)):
            items = d.entities[kind][how]
            if items and kind != "agreement":
                shown = ", ".join(f"{md_cell(snap.label(i))} (`{short(i)}`)" for i in items[:40])
                more = f" … and {len(items) - 40} more" if len(items) > 40 else ""
                lines += ["", f"**{kind.capitalize()}s {how}:** {shown}{more}"]
    for g in d.groups:
        title = md_cell(g.label) + (f" (`{short(g.agreement)}`)" if g.agreement else "")
        flag = " — new agreement" if g.new else " — agreement dropped" if g.dropped else ""
        lines += ["", f"## {title}{flag}", ""]
        if g.status:
            lines.append(f"- **status**: {md_cell(g.status[0])} → {md_cell(g.status[1])}")
        lines += [f"- **added** {md_cell(c.line())}" for c in g.added]
        lines += [f"- **removed** {md_cell(c.line())}" for c in g.removed]
        lines += [f"- **changed** {md_cell(c.line())}" for c in g.changed]
    return "\n".join(lines) + "\n"


def _claim_triples(graph: Graph, claim: str) -> Iterable[tuple[Any, Any, Any]]:
    node = URIRef(claim)
    for p, o in graph.predicate_objects(node):
        yield node, p, o
        if p == TCT.quantityValue:
            for p2, o2 in graph.predicate_objects(o):
                yield o, p2, o2


def _version(snapshot: Snapshot) -> str:
    return short(snapshot.release) if snapshot.release.startswith(RELEASE_BASE) else re.sub(
        r"[^A-Za-z0-9._+-]", "_", snapshot.ref)[-40:]


def trig(ds: Dataset) -> str:
    """TriG with the graphs in a fixed order (the links first, then removed, then added): the same bytes every run."""
    prefixes = sorted((p, str(ns)) for p, ns in ds.namespaces() if p in {"id", "prov", "rdfs", "schema", "tct", "xsd"})
    lines = [f"@prefix {p}: <{ns}> ." for p, ns in prefixes]

    def body(graph: Graph) -> list[str]:
        g = Graph()
        for p, ns in prefixes:
            g.bind(p, ns, replace=True)
        for t in graph:
            g.add(t)
        text = g.serialize(format="turtle")
        kept = [line for line in text.splitlines() if not line.startswith("@prefix")]
        while kept and not kept[0]:
            kept.pop(0)
        return kept

    lines += ["", *body(ds.default_graph)]
    named = sorted((str(g.identifier), g) for g in ds.graphs() if g.identifier != ds.default_graph.identifier)
    for name, graph in sorted(named, key=lambda x: (not x[0].endswith("/removed"), x[0])):
        lines += ["", f"<{name}> {{", *(("    " + line) if line else "" for line in body(graph)), "}"]
    return "\n".join(lines) + "\n"


def rdf(d: Diff) -> Dataset:
    """Removed and added claims as two named graphs; PROV links between the releases and the claim versions."""
    ds = Dataset()
    ds.bind("prov", PROV)
    ds.bind("tct", TCT)
    ds.bind("id", Namespace("https://w3id.org/tct/id/"))
    base = f"{DIFF_BASE}{_version(d.old)}..{_version(d.new)}"
    removed_g, added_g, activity = URIRef(base + "/removed"), URIRef(base + "/added"), URIRef(base)
    old_r, new_r = URIRef(d.old.release), URIRef(d.new.release)
    removed, added = ds.graph(removed_g), ds.graph(added_g)
    for c in d.removed:
        for t in _claim_triples(d.old.graph, c.claim):
            removed.add(t)
    for c in d.added:
        for t in _claim_triples(d.new.graph, c.claim):
            added.add(t)
    meta = ds.default_graph
    for ch in d.changed:
        old_t, new_t = set(_claim_triples(d.old.graph, ch.old.claim)), set(_claim_triples(d.new.graph, ch.new.claim))
        for t in old_t - new_t:
            removed.add(t)
        for t in new_t - old_t:
            added.add(t)
        if ch.old.claim != ch.new.claim:
            meta.add((URIRef(ch.new.claim), PROV.wasRevisionOf, URIRef(ch.old.claim)))
    meta.add((activity, RDF.type, PROV.Activity))
    meta.add((activity, RDFS.label, Literal(f"changes from {_describe(d.old)} to {_describe(d.new)}")))
    meta.add((activity, PROV.used, old_r))
    meta.add((activity, PROV.used, new_r))
    meta.add((new_r, PROV.wasRevisionOf, old_r))
    meta.add((removed_g, RDF.type, PROV.Bundle))
    meta.add((removed_g, RDFS.comment, Literal("claims (or claim triples) of the old release that the new one no longer holds")))
    meta.add((removed_g, PROV.wasDerivedFrom, old_r))
    meta.add((removed_g, PROV.wasGeneratedBy, activity))
    meta.add((added_g, RDF.type, PROV.Bundle))
    meta.add((added_g, RDFS.comment, Literal("claims (or claim triples) of the new release that the old one did not hold")))
    meta.add((added_g, PROV.wasDerivedFrom, new_r))
    meta.add((added_g, PROV.wasGeneratedBy, activity))
    return ds
