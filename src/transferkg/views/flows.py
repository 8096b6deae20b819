"""Nationality flows: who was sent where, weighted by people, with unknowns as their own nodes.

People are counted only as far as the sources split them: a cohort of one nationality
with a count is exact; a transfer that carried several nationalities (or went to
several hosts) without a split is shared, and drawn with an even share as an estimate.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import networkx as nx
from rdflib import Literal

from transferkg.query.results import curie
from transferkg.rules.derive import date_bounds
from transferkg.views.filters import parse_date, state_iri
from transferkg.views.rows import as_number, as_text, node_id, view_rows

__all__ = ["NOT_RECORDED", "nationality_flows"]

#: The node of transfers whose nationalities the graph does not record at all.
NOT_RECORDED = "not-recorded"

Transfer = dict[str, Any]
Found = dict[str, dict[str, Any]]


def nationality_flows(kg: Any, *, sender: str | None = None, since: str | dt.date | None = None,
                      until: str | dt.date | None = None, include_unrecorded: bool = True) -> nx.DiGraph:
    """Nationality → host state, weighted by people transferred (transfer events only).

    Nodes: nationality states and host states (``kind`` = ``"state"``, ``role`` =
    ``nationality`` / ``host`` / ``both``), the information statuses as their own
    nodes (``tctv:withheld`` — authorities did not disclose —, ``tctv:unknown``,
    ``tctv:stateless``; ``kind`` = ``"information-status"``), and, unless
    ``include_unrecorded`` is false, ``not-recorded`` for transfers with no
    nationality in the graph at all.

    Edges: ``transfers`` (number of transfer events), ``transfer_ids``, ``people``
    (people known to be of that nationality: a single-nationality cohort's count, never
    a whole transfer's count because one nationality was named), ``people_shared``
    (people in transfers that carried this and other nationalities, or went to
    several hosts, with no recorded split — an upper bound), and ``weight`` =
    ``people`` plus an even share of each shared transfer (an estimate, for drawing
    and weighted metrics). A transfer's count is
    the largest reported for it. Cohorts linked only to an agreement, not to a
    transfer event, are not flows here (their people may be those of the events).

    Filters: ``sender`` (the state transferred from), ``since``/``until`` (the
    transfer date; undated transfers are dropped when a date filter is given).
    """
    start = parse_date(since, end=False, name="since")
    end = parse_date(until, end=True, name="until")
    sender_id = curie(str(state_iri(sender))) if sender else None
    transfers = {tid: item for tid, item in sorted(_read_transfers(kg).items())
                 if _kept(item, sender_id, start, end)}
    nationalities = _read_nationalities(kg, transfers)
    nodes: dict[str, dict[str, Any]] = {}
    flows: dict[tuple[str, str], dict[str, Any]] = {}
    for tid, item in transfers.items():
        _add_transfer(tid, item, nationalities.get(tid, {}), include_unrecorded, nodes, flows)
    graph = nx.DiGraph(name="nationality-flows", title="Nationalities of the people transferred, by host state",
                       description="nationality → host state, weighted by people transferred")
    _add_nodes(graph, nodes)
    _add_edges(graph, flows)
    return graph


def _read_transfers(kg: Any) -> dict[str, Transfer]:
    """Transfer events: hosts (label, ISO, IRI), origins, date bounds, and their own people counts."""
    transfers: dict[str, Transfer] = {}
    for row in view_rows(kg, "transfers_to_hosts"):
        tid = node_id(row["transfer"])
        item = transfers.setdefault(tid, {"hosts": {}, "from": set(), "dates": [], "counts": [],
                                          "label": as_text(row["transferLabel"])})
        item["hosts"].setdefault(node_id(row["host"]),
                                 (as_text(row["hostLabel"]), as_text(row["hostIso"]), str(row["host"])))
        if row["from"] is not None:
            item["from"].add(node_id(row["from"]))
        if isinstance(row["date"], Literal) and (bounds := date_bounds(row["date"])):
            item["dates"].append(bounds)
        if row["group"] is None and (count := as_number(row["n"])) is not None:
            item["counts"].append(count)
    return transfers


def _kept(item: Transfer, sender_id: str | None, start: dt.date | None, end: dt.date | None) -> bool:
    """Whether a transfer passes the filters: from the sender, and possibly dated in range."""
    if sender_id and sender_id not in item["from"]:
        return False
    if start is None and end is None:
        return True
    if not item["dates"]:
        return False
    early = min(b[0] for b in item["dates"])
    late = max(b[1] for b in item["dates"])
    return not ((start is not None and late < start) or (end is not None and early > end))


def _read_nationalities(kg: Any, transfers: dict[str, Transfer]) -> dict[str, Found]:
    """transfer → nationality → label, ISO, IRI and its groups (cohort or person → counts)."""
    nationalities: dict[str, Found] = defaultdict(dict)
    for row in view_rows(kg, "transfer_nationalities"):
        tid = node_id(row["transfer"])
        if tid not in transfers or row["nationality"] is None:
            continue
        nid = node_id(row["nationality"])
        info = nationalities[tid].setdefault(nid, {"label": as_text(row["nationalityLabel"]) or nid,
                                                   "iso": as_text(row["iso"]), "iri": str(row["nationality"]),
                                                   "groups": defaultdict(list)})
        if row["group"] is not None:
            count = as_number(row["n"])
            info["groups"][node_id(row["group"])].extend([count] if count is not None else [])
    return nationalities


def _note_node(nodes: dict[str, dict[str, Any]], nid: str, role: str, label: str, iso: str | None,
               iri: str | None) -> None:
    info = nodes.setdefault(nid, {"label": label, "iso": iso, "iri": iri, "roles": set()})
    info["roles"].add(role)


def _exact_counts(found: Found) -> dict[str, float]:
    """People known per nationality: single-nationality groups (cohorts) with a count.

    A transfer with one recorded nationality does not say that all its people had it
    ("including Indian nationals"): its count stays shared.
    """
    exact: dict[str, float] = {}
    for nid, info in found.items():
        counts = [max(c) for g, c in info["groups"].items() if c and
                  sum(1 for other in found.values() if g in other["groups"]) == 1]
        if counts:
            exact[nid] = max(counts)
    return exact


def _add_transfer(tid: str, item: Transfer, found: Found, include_unrecorded: bool,
                  nodes: dict[str, dict[str, Any]], flows: dict[tuple[str, str], dict[str, Any]]) -> None:
    """Count one transfer into the flows from each of its nationalities to each of its hosts."""
    hosts = sorted(item["hosts"])
    for host in hosts:
        label, iso, iri = item["hosts"][host]
        _note_node(nodes, host, "host", label or host, iso, iri)
    total = max(item["counts"]) if item["counts"] else None
    if not found:
        if not include_unrecorded:
            return
        found = {NOT_RECORDED: {"label": "nationality not recorded", "iso": None, "iri": None, "groups": {}}}
    exact = _exact_counts(found) if len(hosts) <= 1 else {}  # not per host when it had several
    shared = [nid for nid in found if nid not in exact]
    rest = max(total - sum(exact.values()), 0) if total is not None else None
    for nid, info in found.items():
        role = "not-recorded" if nid == NOT_RECORDED else \
            ("information-status" if nid.startswith("tctv:") else "nationality")
        _note_node(nodes, nid, role, info["label"], info["iso"], info["iri"])
        for host in hosts:
            flow = flows.setdefault((nid, host), {"transfers": 0, "transfer_ids": [], "people": 0,
                                                  "people_shared": 0, "weight": 0.0, "counted": False})
            flow["transfers"] += 1
            flow["transfer_ids"].append(tid)
            if nid in exact:
                flow["people"] += exact[nid]
                flow["weight"] += exact[nid]
                flow["counted"] = True
            elif rest is not None:
                flow["people_shared"] += rest
                flow["weight"] += rest / (len(shared) * len(hosts))
                flow["counted"] = True


def _add_nodes(graph: nx.DiGraph, nodes: dict[str, dict[str, Any]]) -> None:
    """Nodes in sorted order, a state that is a nationality and a host being ``both``."""
    for nid, info in sorted(nodes.items()):
        roles = info["roles"]
        if {"host", "nationality"} <= roles:
            role = "both"
        else:
            role = sorted(roles - {"host"})[0] if roles - {"host"} else "host"
        kind = "state" if role in ("host", "nationality", "both") else role
        graph.add_node(nid, label=info["label"], iso=info["iso"], iri=info["iri"], kind=kind, role=role)


def _whole(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _add_edges(graph: nx.DiGraph, flows: dict[tuple[str, str], dict[str, Any]]) -> None:
    """Edges in sorted order; ``people`` is ``None`` when no transfer of the flow had a count."""
    for (nid, host), flow in sorted(flows.items()):
        weight = round(flow["weight"], 3)
        graph.add_edge(nid, host, label=f"{graph.nodes[nid]['label']} → {graph.nodes[host]['label']}",
                       transfers=flow["transfers"], transfer_ids=flow["transfer_ids"],
                       people=_whole(flow["people"]) if flow["counted"] else None,
                       people_shared=_whole(flow["people_shared"]),
                       weight=_whole(weight))
