"""Curated entities (``entities:`` in ``graph/*.yaml``): type, label, kind, the state they act for, claims."""

from __future__ import annotations

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import ORG, RDF, RDFS

from transferkg.core.namespaces import ID, TCT, TCTV
from transferkg.curation.claims import compile_claims
from transferkg.curation.context import Context
from transferkg.curation.yaml_reader import Where, items, scalar

__all__ = ["ENTITY_KEYS", "ENTITY_TYPES", "KIND_TYPES", "compile_entity"]

ENTITY_TYPES = {
    "Agreement", "TransferAgreement", "StatusChange", "SelectionCriterion", "Cohort",
    "Migrant", "Event", "TransferEvent", "DeportationFlight", "Arrival", "LegalChallenge",
    "CourtRuling", "RecognitionAct", "Facility", "Programme", "Legislation", "Organization",
}
ENTITY_KEYS = {"type", "label", "actsFor", "kind", "claims"}
KIND_TYPES = {"Agreement", "TransferAgreement", "TransferEvent", "DeportationFlight", "Arrival"}
"""The types an arrangement ``kind`` goes with."""


def _type(ctx: Context, node: URIRef, value: yaml.Node, where: Where) -> str | None:
    etype = scalar(value)
    if etype not in ENTITY_TYPES:
        ctx.errors.add(where, f"unknown type {etype!r} (one of {', '.join(sorted(ENTITY_TYPES))})")
        return None
    ctx.add([(node, RDF.type, ORG.Organization if etype == "Organization" else TCT[etype])])
    return etype


def _label(ctx: Context, node: URIRef, value: yaml.Node, where: Where) -> None:
    label = scalar(value)
    if not label:
        ctx.errors.add(where, "label must be a non-empty text")
    else:
        ctx.add([(node, RDFS.label, Literal(label, lang="en"))])


def _kind(ctx: Context, node: URIRef, value: yaml.Node, where: Where) -> bool:
    """Whether the arrangement kind was written (a known code)."""
    code = scalar(value) or ""
    if code not in ctx.kinds:
        ctx.errors.add(where, f"unknown kind {code!r} (one of {', '.join(sorted(ctx.kinds))}; "
                              "ontology/vocab/arrangement-kind.ttl)")
        return False
    ctx.add([(node, TCT.arrangementKind, TCTV[code])])
    return True


def compile_entity(ctx: Context, ident: str, decl: yaml.Node, where: Where) -> None:
    """The triples of entity ``ident`` declared as ``decl``, and of its claims."""
    body = ctx.mapping(decl, where, f"entity {ident!r}")
    if body is None:
        return
    node = ID[ident]
    etype = None
    claims_node = None
    kind_where: Where | None = None
    for k, v, line in items(body):
        w = Where(where.path, line)
        if k not in ENTITY_KEYS:
            ctx.errors.add(w, f"unknown entity key {k!r} (allowed: {', '.join(sorted(ENTITY_KEYS))})")
        elif k == "type":
            etype = _type(ctx, node, v, w)
        elif k == "label":
            _label(ctx, node, v, w)
        elif k == "kind":
            kind_where = w if _kind(ctx, node, v, w) else kind_where
        elif k == "actsFor":
            state = ctx.state(scalar(v) or "", w)
            if state is not None:
                ctx.add([(node, TCT.actsFor, state)])
        elif k == "claims":
            claims_node = (v, w)
    keys = {k for k, _, _ in items(body)}
    if kind_where is not None and etype not in KIND_TYPES:
        ctx.errors.add(kind_where, f"kind is for agreements and transfers ({', '.join(sorted(KIND_TYPES))})")
    if etype is None and "type" not in keys:
        ctx.errors.add(where, f"entity {ident!r} has no type")
    if "label" not in keys:
        ctx.errors.add(where, f"entity {ident!r} has no label")
    if claims_node is not None:
        compile_claims(ctx, node, *claims_node)
