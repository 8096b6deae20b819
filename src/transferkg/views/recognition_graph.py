"""Recognition between states: who recognises whom, one edge per recognition act.

Transfers to a state whose statehood is disputed (Kosovo, Palestine …) raise the
question who recognises it; this view draws the recorded acts with their sources, and
the counts of recognising states that sources report, as stated.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx

from transferkg.views.agreements import source_lists, sources_by_subject
from transferkg.views.rows import as_number, as_text, local_code, node_id, quantity_text, view_rows

__all__ = ["recognition"]

Acts = dict[tuple[str, str, str], dict[str, Any]]


def recognition(kg: Any) -> nx.MultiDiGraph:
    """Recognition between states: recogniser → recognised, one edge per recognition act.

    Nodes are states (``label``, ``iso``, ``role`` = ``recognizer`` / ``recognized`` /
    ``both``; recognised states also ``recognition_counts``, the counts of
    recognising states that sources report, as stated). Edges are keyed by the act's
    CURIE and carry ``action`` (``recognises``, ``does-not-recognise`` …),
    ``action_label``, ``date`` (as stated), ``label``, ``sources``, ``source_urls``
    and ``source_titles``.
    """
    graph = nx.MultiDiGraph(name="recognition", title="Recognition between states",
                            description="recognising state → recognised state, one edge per act")
    states: dict[str, dict[str, Any]] = {}
    roles: dict[str, set[str]] = defaultdict(set)
    acts = _read_acts(kg, states, roles)
    counts = _recognition_counts(kg)
    sources = sources_by_subject(kg)
    for sid in sorted(states):
        kinds = roles[sid]
        role = "both" if len(kinds) > 1 else next(iter(kinds))
        graph.add_node(sid, kind="state", role=role, **states[sid],
                       recognition_counts=sorted(counts.get(sid, set())))
    for (rer, red, aid), act in sorted(acts.items()):
        urls, titles = source_lists(sources.get(aid, {}))
        graph.add_edge(rer, red, key=aid, act=aid, status=act["action"], **act, sources=len(sources.get(aid, {})),
                       source_urls=list(urls), source_titles=list(titles))
    return graph


def _read_acts(kg: Any, states: dict[str, dict[str, Any]], roles: dict[str, set[str]]) -> Acts:
    """(recogniser, recognised, act) → label, action and earliest date; notes the states and their roles."""
    acts: Acts = {}
    for row in view_rows(kg, "recognition_acts"):
        aid, rer, red = node_id(row["act"]), node_id(row["recognizer"]), node_id(row["recognized"])
        for sid, prefix, role in ((rer, "recognizer", "recognizer"), (red, "recognized", "recognized")):
            states.setdefault(sid, {"label": as_text(row[f"{prefix}Label"]) or sid, "iso": as_text(row[f"{prefix}Iso"]),
                                    "iri": str(row[prefix])})
            roles[sid].add(role)
        act = acts.setdefault((rer, red, aid), {"label": as_text(row["label"]) or aid, "action": None,
                                                "action_label": None, "date": None})
        if row["action"] is not None:
            act["action"] = local_code(node_id(row["action"]))
            act["action_label"] = as_text(row["actionLabel"]) or act["action"]
        if row["date"] is not None and (act["date"] is None or str(row["date"]) < act["date"]):
            act["date"] = str(row["date"])
    return acts


def _recognition_counts(kg: Any) -> dict[str, set[str]]:
    """recognised state → the counts of recognising states that sources report, as stated."""
    counts: dict[str, set[str]] = defaultdict(set)
    for row in view_rows(kg, "recognition_counts"):
        value, low, high = as_number(row["value"]), as_number(row["min"]), as_number(row["max"])
        if any(v is not None for v in (value, low, high)):
            counts[node_id(row["state"])].add(quantity_text(as_text(row["qualifier"]), value, low, high, None))
    return counts
