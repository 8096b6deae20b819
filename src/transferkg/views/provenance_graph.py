"""Who says what: the provenance graph of claims, their sources, publishers and speakers.

Every fact in the knowledge graph is a claim derived from a source; this view draws
those links (publisher → source → claim → subject, speaker → claim) so a reader can
see how many independent sources stand behind a statement.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx

from transferkg.core.errors import BadParameter
from transferkg.query.results import curie
from transferkg.views.rows import as_number, as_text, local_code, node_id, quantity_text, view_rows

__all__ = ["provenance"]

Claims = dict[str, dict[str, Any]]
_SOURCE_FIELDS = (("title", "title"), ("url", "url"), ("issued", "issued"), ("source_type", "sourceType"),
                  ("publisher", "publisher"), ("publisher_label", "publisherLabel"))
#: A node playing several parts takes the first of these as its ``kind``.
_KIND_ORDER = ("subject", "speaker", "publisher", "source", "claim")


def provenance(kg: Any, *, subject: str | None = None, source: str | None = None) -> nx.DiGraph:
    """Who says what: publisher → source → claim → subject, and speaker → claim.

    Nodes have ``kind`` (``publisher``, ``source``, ``claim``, ``subject``,
    ``speaker``; a node playing several parts, e.g. a state that is a subject and a
    speaker, takes the first of ``subject, speaker, publisher, source, claim``) and
    ``roles`` (all its parts). Sources carry ``title``, ``url``, ``issued``,
    ``source_type``; claims carry ``property`` (CURIE), ``value`` (as stated, e.g.
    ``up to 50``), ``rank``, ``quote``, ``source`` and ``speaker``. Edges carry
    ``relation``: ``published``, ``states``, ``about``, ``said``.

    Args:
        subject: only claims about this subject (CURIE, IRI or id such as
            ``agreement-US-XK-2025-06``).
        source: only claims derived from this source.
    """
    claims = _claims(kg, _as_id(subject, "subject"), _as_id(source, "source"))
    sources = _sources(kg)
    labels, types = _labels_and_types(kg)
    roles: dict[str, set[str]] = defaultdict(set)
    attrs: dict[str, dict[str, Any]] = {}
    edges: set[tuple[str, str, str]] = set()

    def part(nid: str, role: str, attributes: dict[str, Any]) -> None:
        roles[nid].add(role)
        attrs.setdefault(nid, attributes)

    for cid, claim in claims.items():
        src, sid, speaker = claim["source"], claim["subject"], claim["speaker"]
        info = sources.get(src, {})
        prop = claim["property"].split(":", 1)[-1]
        roles[cid].add("claim")
        attrs[cid] = {"label": _short(f"{prop}: {claim['value']}"), **claim}
        part(src, "source", {"label": _short(info.get("title") or src), "title": info.get("title"),
                             "url": info.get("url"), "issued": info.get("issued"),
                             "source_type": info.get("source_type")})
        edges.add((src, cid, "states"))
        part(sid, "subject", {"label": labels.get(sid, sid), "type": types.get(sid)})
        edges.add((cid, sid, "about"))
        if info.get("publisher"):
            pub = info["publisher"]
            part(pub, "publisher", {"label": info.get("publisher_label") or pub})
            edges.add((pub, src, "published"))
        if speaker:
            part(speaker, "speaker", {"label": labels.get(speaker, speaker), "type": types.get(speaker)})
            edges.add((speaker, cid, "said"))
    graph = nx.DiGraph(name="provenance", title="Who says what: sources and claims",
                       description="publisher → source → claim → subject; speaker → claim")
    for nid in sorted(attrs):
        kinds = roles[nid]
        kind = next(k for k in _KIND_ORDER if k in kinds)
        graph.add_node(nid, kind=kind, role=kind, roles=sorted(kinds), **attrs[nid])
    for u, v, relation in sorted(edges):
        graph.add_edge(u, v, relation=relation, label=relation)
    return graph


def _as_id(value: str | None, name: str) -> str | None:
    """A subject or source filter as a CURIE; ``BadParameter`` naming ``--<name>`` if it is not an IRI."""
    from transferkg.query.library import Param

    if not value:
        return None
    try:
        return curie(str(Param(name, "iri").to_term(value)))
    except ValueError as exc:
        raise BadParameter(f"--{name}: {exc}") from exc


def _claims(kg: Any, subject_id: str | None, source_id: str | None) -> Claims:
    """Claims by id with subject, property, source, rank, speaker, quote and value as stated."""
    claims: Claims = {}
    for row in view_rows(kg, "claims"):
        cid, sid, src = node_id(row["claim"]), node_id(row["subject"]), node_id(row["source"])
        if (subject_id and sid != subject_id) or (source_id and src != source_id):
            continue
        old = claims.get(cid)
        if old is None or src < old["source"]:
            claims[cid] = {"subject": sid, "property": node_id(row["property"]), "rank": None, "source": src,
                           "speaker": None, "quote": None, "value": ""}
    values = _claim_details(kg, claims)
    for cid, found in values.items():
        claims[cid]["value"] = sorted(found)[0]
    return dict(sorted(claims.items()))


def _claim_details(kg: Any, claims: Claims) -> dict[str, set[str]]:
    """Fill in rank, speaker and quote (the least of each); return each claim's values as stated."""
    values: dict[str, set[str]] = defaultdict(set)
    for row in view_rows(kg, "claim_details"):
        cid = node_id(row["claim"])
        if cid not in claims:
            continue
        name = str(row["p"]).rsplit("#", 1)[-1]
        if name == "literalValue":
            values[cid].add(str(row["x"]))
            continue
        value = local_code(node_id(row["x"])) if name == "rank" else \
            (node_id(row["x"]) if name == "speaker" else as_text(row["x"]))
        if value is not None and (claims[cid][name] is None or value < claims[cid][name]):
            claims[cid][name] = value
    for row in view_rows(kg, "claim_objects"):
        cid = node_id(row["claim"])
        if cid in claims:
            values[cid].add(as_text(row["ol"]) or node_id(row["o"]))
    for row in view_rows(kg, "claim_quantities"):
        cid = node_id(row["claim"])
        amount, low, high = as_number(row["value"]), as_number(row["min"]), as_number(row["max"])
        if cid in claims and any(v is not None for v in (amount, low, high)):
            values[cid].add(quantity_text(as_text(row["qualifier"]), amount, low, high, as_text(row["unit"])))
    return values


def _sources(kg: Any) -> dict[str, dict[str, Any]]:
    """source id → title, url, issued, source_type, publisher and its label (the least of each)."""
    sources: dict[str, dict[str, Any]] = {}
    for row in view_rows(kg, "claim_sources"):
        src = node_id(row["source"])
        info = sources.setdefault(src, dict.fromkeys(key for key, _ in _SOURCE_FIELDS))
        for key, var in _SOURCE_FIELDS:
            value = node_id(row[var]) if var == "publisher" and row[var] is not None else as_text(row[var])
            if value is not None and (info[key] is None or value < info[key]):
                info[key] = value
    return sources


def _labels_and_types(kg: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The least label and the least type of each subject and speaker."""
    labels: dict[str, str] = {}
    types: dict[str, str] = {}
    for row in view_rows(kg, "claim_subject_labels"):
        tid = node_id(row["thing"])
        label = as_text(row["label"])
        if label and (tid not in labels or label < labels[tid]):
            labels[tid] = label
        if row["type"] is not None and (tid not in types or node_id(row["type"]) < types[tid]):
            types[tid] = node_id(row["type"])
    return labels, types


def _short(value: str, limit: int = 48) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
