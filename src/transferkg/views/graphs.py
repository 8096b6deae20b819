"""NetworkX views of the knowledge graph, built from SPARQL SELECT rows.

Every view asks the store for rows (``store.select``), never walks an rdflib
graph, so the same function works on the in-memory graph, on Oxigraph and on a
remote SPARQL endpoint (and stays fast: turning a whole graph into NetworkX with
rdflib's converters is ~30× slower than building from SELECT rows). Aggregation
and date comparisons happen in Python: dates known only to the month or year are
compared through their first and last possible day, never as ``xsd:gYearMonth``.

Node ids are CURIEs (``id:state-US``, ``tctv:withheld``); nodes and edges are
added in sorted order so that the same data always gives the same graph (and the
same GraphML, GEXF and HTML). Attributes are plain Python values (``str``,
``int``, ``float``, ``bool``, ``None`` or a list of strings); the exporters
stringify lists for formats that need scalars.

The views:

- :func:`deal_network` — states, one directed edge per agreement (sender → host).
- :func:`state_agreement_bipartite` — states and agreements, sender → agreement → host.
- :func:`nationality_flows` — nationality → host state, weighted by people transferred.
- :func:`provenance` — publisher → source → claim → subject, and speaker → claim.
- :func:`recognition` — recognising state → recognised state, one edge per act.
- :func:`graph_from_result` — any SELECT with Wikidata-style ``?item``/``?target`` columns.

and :func:`network_metrics` for a table of degrees, people, betweenness and communities.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import networkx as nx
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from transferkg.core.errors import BadParameter
from transferkg.core.namespaces import ID, TCT, TCTV, sparql_prefixes
from transferkg.query.results import curie, readable
from transferkg.rules.derive import date_bounds
from transferkg.store.base import SelectResult, Store

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "VIEWS",
    "AgreementFilter",
    "deal_network",
    "graph_from_result",
    "nationality_flows",
    "network_metrics",
    "provenance",
    "recognition",
    "state_agreement_bipartite",
]

#: The view names of the CLI (``transferkg view NAME``), in the order of the docs.
VIEWS = ("deal-network", "bipartite", "nationality-flows", "provenance", "recognition")

_AGREEMENT_TYPES = "VALUES ?type { tct:Agreement tct:TransferAgreement }"
_TRANSFER_TYPES = "VALUES ?type { tct:TransferEvent tct:DeportationFlight tct:Arrival }"


# --------------------------------------------------------------------------- helpers


def _store(kg: Any) -> Store:
    """The store of a knowledge graph (or the store itself)."""
    return kg.store if hasattr(kg, "store") else kg  # type: ignore[no-any-return]


def _select(kg: Any, body: str, bindings: Mapping[str, Node] | None = None) -> list[dict[str, Node | None]]:
    return _store(kg).select(sparql_prefixes() + body, bindings).dicts()


def _id(term: Node | None) -> str:
    """A node id: the CURIE of an IRI, the text of a literal."""
    return "" if term is None else str(readable(term))


def _str(term: Node | None) -> str | None:
    return None if term is None else str(term)


def _number(term: Node | None) -> int | float | None:
    if not isinstance(term, Literal):
        return None
    value = term.toPython()
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (int, float)):
        return value
    try:
        number = float(str(term))
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


def _precision(term: Literal) -> str:
    if term.datatype == XSD.gYearMonth:
        return "month"
    if term.datatype == XSD.gYear:
        return "year"
    return "day"


def _first(values: Iterable[str | None]) -> str | None:
    present = sorted(v for v in values if v)
    return present[0] if present else None


def _local(code: str | None) -> str | None:
    """``in-force`` for ``tctv:in-force``."""
    if code is None:
        return None
    return code.split(":", 1)[1] if code.startswith("tctv:") else code


def _date_arg(text: str | dt.date | None, *, end: bool, name: str) -> dt.date | None:
    """A filter date: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; a year or month means its
    first day for ``since`` and its last day for ``until``."""
    if text is None or text == "":
        return None
    if isinstance(text, dt.date):
        return text
    text = str(text).strip()
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}.get(len(text))
    if datatype is None or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        raise BadParameter(f"--{name} takes a date YYYY, YYYY-MM or YYYY-MM-DD, not {text!r}")
    bounds = date_bounds(Literal(text, datatype=datatype))
    if bounds is None:
        raise BadParameter(f"--{name}: {text!r} is not a valid date")
    return bounds[1] if end else bounds[0]


def _state_iri(code: str) -> URIRef:
    """A state by name, demonym, ISO code or id ("Kosovo", "xk", "id:state-XK")."""
    from transferkg.core.states import resolve_state, suggest_states

    text = code.strip()
    if text.startswith(("http://", "https://")):
        return URIRef(text)
    iso = resolve_state(text.removeprefix("id:"))
    if iso is None:
        close = suggest_states(text)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise BadParameter(f"--sender takes a state's name or ISO code such as US or Kosovo, not {code!r}{hint}")
    return ID[f"state-{iso}"]


_STATUSES = ("proposed", "announced", "signed", "ratified", "in-force", "implemented", "suspended",
             "blocked-by-court", "disputed", "resumed", "terminated", "expired", "refused")
_KINDS = ("third-country-deportation", "asylum-cooperative-transfer", "offshore-processing",
          "evacuation-resettlement", "prisoner-transfer", "readmission-return", "voluntary-departure")


def _code_iri(code: str, known: tuple[str, ...], option: str) -> URIRef:
    """A code of a code list, or :class:`BadParameter` with the close ones."""
    import difflib

    text = code.strip()
    if text.startswith(("http://", "https://")):
        return URIRef(text)
    text = text.removeprefix("tctv:").strip().lower().replace(" ", "-")
    if text not in known:
        close = difflib.get_close_matches(text, known, n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise BadParameter(f"--{option}: {code!r} is not a code{hint}; the codes: {', '.join(known)}")
    return TCTV[text]


def _status_iri(code: str) -> URIRef:
    return _code_iri(code, _STATUSES, "status")


# --------------------------------------------------------------------------- agreements


@dataclass(frozen=True)
class AgreementFilter:
    """Which agreements a view keeps.

    Attributes:
        sender: ISO code (``US``) or CURIE of the sending state.
        status: current status code (``in-force``, ``blocked-by-court`` …).
        kind: arrangement kind (``third-country-deportation`` …; ``all`` or empty: every kind).
        since: keep agreements whose date may fall on or after this day.
        until: keep agreements whose date may fall on or before this day.

    An agreement's date is its signing date, or else its first dated status change;
    a date known to the month or year is kept when any of its days is in range.
    Undated agreements are dropped as soon as ``since`` or ``until`` is given.
    """

    sender: str | None = None
    status: str | None = None
    since: str | dt.date | None = None
    until: str | dt.date | None = None
    kind: str | None = None

    @property
    def active(self) -> bool:
        return any(v not in (None, "") for v in (self.sender, self.status, self.since, self.until, self.kind))

    def keep(self, record: _Agreement) -> bool:
        if self.sender:
            if curie(str(_state_iri(self.sender))) not in record.senders:
                return False
        if self.kind and self.kind != "all":
            if record.kind != curie(str(_code_iri(self.kind, _KINDS, "kind"))):
                return False
        if self.status:
            if record.status != curie(str(_status_iri(self.status))):
                return False
        since = _date_arg(self.since, end=False, name="since")
        until = _date_arg(self.until, end=True, name="until")
        if since is None and until is None:
            return True
        if record.date_earliest is None or record.date_latest is None:
            return False
        if since is not None and record.date_latest < since:
            return False
        return not (until is not None and record.date_earliest > until)


@dataclass
class _Agreement:
    id: str
    iri: str
    label: str
    type: str
    senders: dict[str, dict[str, Any]]
    hosts: dict[str, dict[str, Any]]
    status: str | None = None
    status_label: str | None = None
    kind: str | None = None
    kind_label: str | None = None
    signed: str | None = None
    signed_precision: str | None = None
    date: str | None = None
    date_basis: str | None = None
    date_earliest: dt.date | None = None
    date_latest: dt.date | None = None
    capacity: int | float | None = None
    capacity_text: str | None = None
    people_reported: int | float | None = None
    people_in_transfers: int | float | None = None
    transfer_events: int = 0
    sources: int = 0
    source_urls: tuple[str, ...] = ()
    source_titles: tuple[str, ...] = ()

    @property
    def people(self) -> int | float | None:
        """The larger of the reported cumulative count and the sum over transfer events."""
        values = [v for v in (self.people_reported, self.people_in_transfers) if v is not None]
        return max(values) if values else None

    def attributes(self) -> dict[str, Any]:
        """The agreement's facts as graph attributes (dates as ISO text)."""
        return {
            "label": self.label,
            "agreement": self.id,
            "iri": self.iri,
            "agreement_type": self.type,
            "status": _local(self.status),
            "status_label": self.status_label,
            "arrangement_kind": _local(self.kind),
            "arrangement_kind_label": self.kind_label,
            "signed": self.signed,
            "signed_precision": self.signed_precision,
            "date": self.date,
            "date_basis": self.date_basis,
            "date_earliest": self.date_earliest.isoformat() if self.date_earliest else None,
            "date_latest": self.date_latest.isoformat() if self.date_latest else None,
            "capacity": self.capacity,
            "capacity_text": self.capacity_text,
            "people": self.people,
            "people_reported": self.people_reported,
            "people_in_transfers": self.people_in_transfers,
            "transfer_events": self.transfer_events,
            "sources": self.sources,
            "source_urls": list(self.source_urls),
            "source_titles": list(self.source_titles),
        }


_Q_AGREEMENTS = f"""
SELECT ?agreement ?type ?label ?role ?state ?stateLabel ?iso ?status ?statusLabel ?kind ?kindLabel WHERE {{
  {_AGREEMENT_TYPES}
  ?agreement a ?type .
  OPTIONAL {{ ?agreement rdfs:label ?label }}
  OPTIONAL {{ ?agreement tct:arrangementKind ?kind . OPTIONAL {{ ?kind skos:prefLabel ?kindLabel }} }}
  OPTIONAL {{ ?agreement tct:currentStatus ?status . OPTIONAL {{ ?status skos:prefLabel ?statusLabel }} }}
  OPTIONAL {{
    {{ ?agreement tct:sendingState ?state . BIND ("sender" AS ?role) }}
    UNION
    {{ ?agreement tct:receivingState ?state . BIND ("host" AS ?role) }}
    OPTIONAL {{ ?state rdfs:label ?stateLabel }}
    OPTIONAL {{ ?state tct:isoCode ?iso }}
  }}
}}
"""

_Q_AGREEMENT_DATES = """
SELECT ?agreement ?kind ?status ?date WHERE {
  {
    ?change tct:changesStatusOf ?agreement ; tct:status ?status ; tct:date ?date .
    BIND ("change" AS ?kind)
  } UNION {
    ?agreement tct:signingDate ?date .
    BIND ("signingDate" AS ?kind)
  }
}
"""

_Q_AGREEMENT_QUANTITIES = """
SELECT ?agreement ?property ?q ?qualifier ?value ?min ?max ?unit WHERE {
  VALUES ?property { tct:capacity tct:personsTransferred }
  ?agreement ?property ?q .
  OPTIONAL { ?q schema:value ?value }
  OPTIONAL { ?q schema:minValue ?min }
  OPTIONAL { ?q schema:maxValue ?max }
  OPTIONAL { ?q schema:unitText ?unit }
  OPTIONAL { ?q tct:quantityQualifier/skos:prefLabel ?qualifier }
}
"""

_Q_TRANSFER_PEOPLE = f"""
SELECT ?transfer ?agreement ?n WHERE {{
  {_TRANSFER_TYPES}
  ?transfer a ?type ; tct:underAgreement ?agreement .
  OPTIONAL {{ ?transfer tct:personCount ?q . ?q schema:value|schema:maxValue|schema:minValue ?n }}
  # a transfer inside a reported group with a count is counted through the group, never twice
  OPTIONAL {{ ?transfer tct:partOf ?group . ?group tct:personCount ?groupCount }}
  FILTER (!BOUND(?group))
}}
"""

_Q_SUBJECT_SOURCES = """
SELECT DISTINCT ?subject ?source ?url ?title WHERE {
  VALUES ?type { tct:Agreement tct:TransferAgreement tct:RecognitionAct }
  ?subject a ?type .
  ?claim tct:claimSubject ?subject ; prov:wasDerivedFrom ?source .
  OPTIONAL { ?source schema:url ?url }
  OPTIONAL { ?source dcterms:title ?title }
}
"""


def _quantity_text(qualifier: str | None, value: Any, low: Any, high: Any, unit: str | None) -> str:
    if low is not None and high is not None and value is None:
        number = f"{low}–{high}"
    else:
        number = str(next(v for v in (value, high, low) if v is not None))
    prefix = "" if qualifier in (None, "exact") else f"{qualifier} "
    suffix = f" {unit}" if unit and unit != "person" else ""
    return f"{prefix}{number}{suffix}"


def _sources_by_subject(kg: Any) -> dict[str, dict[str, tuple[str, str]]]:
    """subject id → {source id: (url, title)} for agreements and recognition acts."""
    out: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    for row in _select(kg, _Q_SUBJECT_SOURCES):
        subject, source = _id(row["subject"]), _id(row["source"])
        url, title = _str(row["url"]) or "", _str(row["title"]) or ""
        old = out[subject].get(source)
        if old is None or (url, title) < old:
            out[subject][source] = (url, title)
    return out


def _source_lists(sources: Mapping[str, tuple[str, str]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    pairs = sorted({(url, title or url) for url, title in sources.values() if url})
    return tuple(u for u, _ in pairs), tuple(t for _, t in pairs)


def _agreements(kg: Any) -> dict[str, _Agreement]:
    """Every agreement with its parties, status, dates, numbers and sources."""
    records: dict[str, _Agreement] = {}
    for row in _select(kg, _Q_AGREEMENTS):
        aid = _id(row["agreement"])
        record = records.get(aid)
        if record is None:
            record = records[aid] = _Agreement(id=aid, iri=str(row["agreement"]), label=_str(row["label"]) or aid,
                                               type=_id(row["type"]), senders={}, hosts={})
        label = _str(row["label"])
        if label and label < record.label or record.label == aid and label:
            record.label = label
        if str(row["type"]).endswith("TransferAgreement"):
            record.type = _id(row["type"])
        if row["kind"] is not None:
            record.kind, record.kind_label = _id(row["kind"]), _str(row["kindLabel"])
        status = _id(row["status"]) if row["status"] is not None else None
        if status and (record.status is None or status < record.status):
            record.status, record.status_label = status, _str(row["statusLabel"]) or _local(status)
        if row["state"] is not None:
            sid = _id(row["state"])
            target = record.senders if str(row["role"]) == "sender" else record.hosts
            info = target.setdefault(sid, {"label": sid, "iso": None, "iri": str(row["state"])})
            if row["stateLabel"] is not None:
                info["label"] = min(str(row["stateLabel"]), info["label"]) if info["label"] != sid \
                    else str(row["stateLabel"])
            if row["iso"] is not None:
                info["iso"] = str(row["iso"])

    signed: dict[str, list[tuple[int, dt.date, str, str]]] = defaultdict(list)
    dated: dict[str, list[tuple[dt.date, dt.date, str]]] = defaultdict(list)
    for row in _select(kg, _Q_AGREEMENT_DATES):
        aid, value = _id(row["agreement"]), row["date"]
        if aid not in records or not isinstance(value, Literal):
            continue
        bounds = date_bounds(value)
        if bounds is None:
            continue
        width = (bounds[1] - bounds[0]).days
        if str(row["kind"]) == "signingDate" or row["status"] == TCTV.signed:
            signed[aid].append((width, bounds[0], str(value), _precision(value)))
        dated[aid].append((bounds[0], bounds[1], str(value)))
    for aid, record in records.items():
        if signed.get(aid):
            width, early, text, precision = min(signed[aid])
            record.signed, record.signed_precision = text, precision
            record.date, record.date_basis = text, "signed"
            record.date_earliest = early
            record.date_latest = early + dt.timedelta(days=width)
        elif dated.get(aid):
            early, late, text = min(dated[aid])
            record.date, record.date_basis = text, "first status change"
            record.date_earliest, record.date_latest = early, late

    capacities: dict[str, list[tuple[float, str]]] = defaultdict(list)
    reported: dict[str, list[float]] = defaultdict(list)
    for row in _select(kg, _Q_AGREEMENT_QUANTITIES):
        aid = _id(row["agreement"])
        if aid not in records:
            continue
        q_value, q_low, q_high = _number(row["value"]), _number(row["min"]), _number(row["max"])
        q_numbers = [v for v in (q_value, q_low, q_high) if v is not None]
        unit = _str(row["unit"]) or "person"
        if not q_numbers or unit != "person":
            continue
        if row["property"] == TCT.capacity:
            text = _quantity_text(_str(row["qualifier"]), q_value, q_low, q_high, unit)
            capacities[aid].append((max(q_numbers), text))
        else:  # a range ("one or two") counts its lower bound, as the totals query does
            reported[aid].append(next(v for v in (q_value, q_low, q_high) if v is not None))
    for aid, values in capacities.items():
        records[aid].capacity = max(v for v, _ in values)
        records[aid].capacity_text = "; ".join(sorted({t for _, t in values}))
    for aid, counts in reported.items():
        records[aid].people_reported = max(counts)

    per_event: dict[tuple[str, str], list[float]] = defaultdict(list)
    for row in _select(kg, _Q_TRANSFER_PEOPLE):
        aid, event = _id(row["agreement"]), _id(row["transfer"])
        if aid not in records:
            continue
        number = _number(row["n"])
        per_event[(aid, event)].extend([number] if number is not None else [])
    events: dict[str, int] = defaultdict(int)
    people: dict[str, float] = defaultdict(float)
    counted: set[str] = set()
    for (aid, _event), event_counts in sorted(per_event.items()):
        events[aid] += 1
        if event_counts:
            people[aid] += max(event_counts)
            counted.add(aid)
    for aid, number in events.items():
        records[aid].transfer_events = number
    for aid in counted:
        total = people[aid]
        records[aid].people_in_transfers = int(total) if float(total).is_integer() else total

    sources = _sources_by_subject(kg)
    for aid, record in records.items():
        cited = sources.get(aid, {})
        record.sources = len(cited)
        record.source_urls, record.source_titles = _source_lists(cited)
    return dict(sorted(records.items()))


def _add_state(graph: nx.Graph, sid: str, info: Mapping[str, Any], role: str) -> None:
    if sid in graph:
        old = graph.nodes[sid].get("role")
        if old and old != role:
            graph.nodes[sid]["role"] = "both"
        return
    graph.add_node(sid, label=info.get("label") or sid, iso=info.get("iso"), iri=info.get("iri"),
                   kind="state", role=role)


def _sorted_graph(graph: nx.Graph) -> nx.Graph:
    """The same graph with nodes, and edges, in sorted order (deterministic output)."""
    out = graph.__class__()
    out.graph.update(graph.graph)
    out.add_nodes_from(sorted(graph.nodes(data=True), key=lambda item: item[0]))
    if graph.is_multigraph():
        out.add_edges_from(sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))))
    else:
        out.add_edges_from(sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])))
    return out


def deal_network(kg: Any, *, sender: str | None = None, status: str | None = None,
                 since: str | dt.date | None = None, until: str | dt.date | None = None,
                 kind: str | None = None) -> nx.MultiDiGraph:
    """The deal network: states as nodes, one directed edge per agreement (sender → host).

    Nodes (``id:state-US`` …): ``label``, ``iso``, ``iri``, ``kind`` = ``"state"``,
    ``role`` = ``sender`` / ``host`` / ``both`` (within the returned graph).

    Edges, keyed by agreement CURIE (``id:agreement-US-XK-2025-06``): ``label``,
    ``status`` (code, e.g. ``in-force``) and ``status_label``, ``signed`` (the signing
    date as stated, at its precision) and ``signed_precision``, ``date`` /
    ``date_earliest`` / ``date_latest`` (signing date, else first dated status change),
    ``capacity`` (largest stated, persons) and ``capacity_text``, ``people`` (people
    transferred: the larger of the reported cumulative count ``people_reported`` and
    the sum over transfer events ``people_in_transfers``), ``transfer_events``,
    ``sources`` (number of distinct sources with a claim about the agreement),
    ``source_urls`` and ``source_titles``, and ``weight`` (= people, 0 if unknown).

    Agreements without a recorded sending or receiving state have no edge (see
    :func:`state_agreement_bipartite`). The filters are those of :class:`AgreementFilter`.
    """
    keep = AgreementFilter(sender=sender, status=status, since=since, until=until, kind=kind)
    graph = nx.MultiDiGraph(name="deal-network", title="Deal network: who sends people to whom",
                            description="sending state → receiving state, one edge per agreement")
    for record in _agreements(kg).values():
        if not record.senders or not record.hosts or not keep.keep(record):
            continue
        attributes = record.attributes()
        attributes["weight"] = record.people or 0
        for sid, info in record.senders.items():
            for hid, hinfo in record.hosts.items():
                _add_state(graph, sid, info, "sender")
                _add_state(graph, hid, hinfo, "host")
                graph.add_edge(sid, hid, key=record.id, **attributes)
    _summarise_states(graph)
    return _sorted_graph(graph)  # type: ignore[return-value]


def _people_by_kind(edges: Iterable[tuple[Any, Any, Any, dict[str, Any]]]) -> str:
    """"evacuation or resettlement: 1,900 people (1 agreement); third-country deportation: 2 people
    (2 agreements)": never one sum over kinds."""
    totals: dict[str, float] = defaultdict(float)
    agreements: dict[str, set[Any]] = defaultdict(set)
    for _u, _v, key, data in edges:
        kind = str(data.get("arrangement_kind_label") or data.get("arrangement_kind") or "kind not recorded")
        agreements[kind].add(key)
        if isinstance(data.get("people"), (int, float)):
            totals[kind] += data["people"]
    parts = []
    for kind in sorted(agreements, key=lambda k: (-totals.get(k, 0), k)):
        number = totals.get(kind)
        count = f"{int(number):,}" if number is not None and float(number).is_integer() else \
            (f"{number:,}" if number is not None else "no count")
        people = "no count" if number is None else f"{count} {'person' if number == 1 else 'people'}"
        n = len(agreements[kind])
        parts.append(f"{kind}: {people} ({n} agreement{'s' if n != 1 else ''})")
    return "; ".join(parts)


def _summarise_states(graph: nx.MultiDiGraph) -> None:
    """What clicking a state shows: its agreements as sender and host, and people by kind."""
    for node, data in graph.nodes(data=True):
        incoming = list(graph.in_edges(node, keys=True, data=True))
        outgoing = list(graph.out_edges(node, keys=True, data=True))
        data["agreements_as_host"] = len({k for _, _, k, _ in incoming})
        data["agreements_as_sender"] = len({k for _, _, k, _ in outgoing})
        data["people_received_by_kind"] = _people_by_kind(incoming)
        data["people_sent_by_kind"] = _people_by_kind(outgoing)


def state_agreement_bipartite(kg: Any, *, sender: str | None = None, status: str | None = None,
                              since: str | dt.date | None = None, until: str | dt.date | None = None,
                              kind: str | None = None) -> nx.DiGraph:
    """The bipartite state–agreement graph: sender → agreement → host.

    State nodes have ``bipartite`` = 0, ``kind`` = ``"state"`` and ``role`` as in
    :func:`deal_network`; agreement nodes have ``bipartite`` = 1, ``kind`` =
    ``"agreement"`` and the agreement attributes of the deal network's edges. Edges
    carry ``relation`` (``sendingState`` or ``receivingState``) and, for the page
    filters, the agreement's ``status`` and dates. Agreements without recorded parties
    are isolated nodes. ``nx.bipartite`` functions take ``graph.to_undirected()``.
    """
    keep = AgreementFilter(sender=sender, status=status, since=since, until=until, kind=kind)
    graph = nx.DiGraph(name="bipartite", title="States and agreements", description="sending state → agreement → receiving state")
    for record in _agreements(kg).values():
        if not keep.keep(record):
            continue
        attributes = record.attributes()
        graph.add_node(record.id, kind="agreement", bipartite=1, role="agreement", **attributes)
        edge = {k: attributes[k] for k in ("status", "status_label", "date", "date_earliest", "date_latest",
                                           "people", "agreement")}
        edge["senders"] = sorted(record.senders)
        for sid, info in record.senders.items():
            _add_state(graph, sid, info, "sender")
            graph.add_edge(sid, record.id, relation="sendingState", label="sends", **edge)
        for hid, info in record.hosts.items():
            _add_state(graph, hid, info, "host")
            graph.add_edge(record.id, hid, relation="receivingState", label="receives", **edge)
    for _node, data in graph.nodes(data=True):
        if data.get("kind") == "state":
            data["bipartite"] = 0
    return _sorted_graph(graph)  # type: ignore[return-value]


# --------------------------------------------------------------------------- nationalities

_Q_FLOWS = f"""
SELECT ?transfer ?transferLabel ?host ?hostLabel ?hostIso ?from ?date ?agreement ?n ?group WHERE {{
  {_TRANSFER_TYPES}
  ?transfer a ?type ; tct:transferTo ?host .
  OPTIONAL {{ ?transfer rdfs:label ?transferLabel }}
  OPTIONAL {{ ?host rdfs:label ?hostLabel }}
  OPTIONAL {{ ?host tct:isoCode ?hostIso }}
  OPTIONAL {{ ?transfer tct:transferFrom ?from }}
  OPTIONAL {{ ?transfer tct:date ?date }}
  OPTIONAL {{ ?transfer tct:underAgreement ?agreement }}
  OPTIONAL {{ ?transfer tct:personCount ?q . ?q schema:value|schema:maxValue|schema:minValue ?n }}
  # a transfer inside a reported group with a count: its people are counted through the group
  OPTIONAL {{ ?transfer tct:partOf ?group . ?group tct:personCount ?groupCount }}
}}
"""

_Q_FLOW_NATIONALITIES = f"""
SELECT ?transfer ?nationality ?nationalityLabel ?iso ?group ?n WHERE {{
  {_TRANSFER_TYPES}
  ?transfer a ?type ; tct:transferTo ?host .
  {{ ?transfer tct:nationality|tct:nationalityStatus ?nationality }}
  UNION
  {{ ?transfer tct:transferred ?group . ?group tct:nationality|tct:nationalityStatus ?nationality .
     OPTIONAL {{ ?group tct:personCount ?q . ?q schema:value|schema:maxValue|schema:minValue ?n }} }}
  UNION
  {{ ?migrant tct:memberOf/^tct:transferred ?transfer ; tct:nationality|tct:nationalityStatus ?nationality .
     BIND (?migrant AS ?group) }}
  OPTIONAL {{ ?nationality rdfs:label|skos:prefLabel ?nationalityLabel }}
  OPTIONAL {{ ?nationality tct:isoCode ?iso }}
}}
"""

#: The node of transfers whose nationalities the graph does not record at all.
NOT_RECORDED = "not-recorded"


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
    start = _date_arg(since, end=False, name="since")
    end = _date_arg(until, end=True, name="until")
    sender_id = curie(str(_state_iri(sender))) if sender else None
    transfers: dict[str, dict[str, Any]] = {}
    for row in _select(kg, _Q_FLOWS):
        tid = _id(row["transfer"])
        item = transfers.setdefault(tid, {"hosts": {}, "from": set(), "dates": [], "counts": [],
                                          "label": _str(row["transferLabel"])})
        item["hosts"].setdefault(_id(row["host"]), (_str(row["hostLabel"]), _str(row["hostIso"]), str(row["host"])))
        if row["from"] is not None:
            item["from"].add(_id(row["from"]))
        if isinstance(row["date"], Literal) and (bounds := date_bounds(row["date"])):
            item["dates"].append(bounds)
        if row["group"] is None and (number := _number(row["n"])) is not None:
            item["counts"].append(number)

    def kept(item: dict[str, Any]) -> bool:
        if sender_id and sender_id not in item["from"]:
            return False
        if start is None and end is None:
            return True
        if not item["dates"]:
            return False
        early = min(b[0] for b in item["dates"])
        late = max(b[1] for b in item["dates"])
        return not ((start is not None and late < start) or (end is not None and early > end))

    transfers = {tid: item for tid, item in sorted(transfers.items()) if kept(item)}
    nationalities: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in _select(kg, _Q_FLOW_NATIONALITIES):
        tid = _id(row["transfer"])
        if tid not in transfers or row["nationality"] is None:
            continue
        nid = _id(row["nationality"])
        info = nationalities[tid].setdefault(nid, {"label": _str(row["nationalityLabel"]) or nid,
                                                   "iso": _str(row["iso"]), "iri": str(row["nationality"]),
                                                   "groups": defaultdict(list)})
        if row["group"] is not None:
            number = _number(row["n"])
            info["groups"][_id(row["group"])].extend([number] if number is not None else [])

    graph = nx.DiGraph(name="nationality-flows", title="Nationalities of the people transferred, by host state",
                       description="nationality → host state, weighted by people transferred")
    flows: dict[tuple[str, str], dict[str, Any]] = {}
    node_info: dict[str, dict[str, Any]] = {}

    def node(nid: str, role: str, label: str, iso: str | None, iri: str | None) -> None:
        info = node_info.setdefault(nid, {"label": label, "iso": iso, "iri": iri, "roles": set()})
        info["roles"].add(role)

    for tid, item in transfers.items():
        hosts = sorted(item["hosts"])
        for host in hosts:
            label, iso, iri = item["hosts"][host]
            node(host, "host", label or host, iso, iri)
        total = max(item["counts"]) if item["counts"] else None
        found = nationalities.get(tid, {})
        if not found:
            if not include_unrecorded:
                continue
            found = {NOT_RECORDED: {"label": "nationality not recorded", "iso": None, "iri": None, "groups": {}}}
        # People known per nationality: single-nationality groups (cohorts) with a count; not per
        # host when it had several. A transfer with one recorded nationality does not say that all
        # its people had it ("including Indian nationals"): its count stays shared.
        exact: dict[str, float] = {}
        for nid, info in found.items():
            counts = [max(c) for g, c in info["groups"].items() if c and
                      sum(1 for other in found.values() if g in other["groups"]) == 1]
            if counts:
                exact[nid] = max(counts)
        if len(hosts) > 1:
            exact = {}
        shared = [nid for nid in found if nid not in exact]
        rest = max(total - sum(exact.values()), 0) if total is not None else None
        for nid, info in found.items():
            if nid == NOT_RECORDED:
                role = "not-recorded"
            elif nid.startswith("tctv:"):
                role = "information-status"
            else:
                role = "nationality"
            node(nid, role, info["label"], info["iso"], info["iri"])
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

    for nid, info in sorted(node_info.items()):
        roles = info["roles"]
        if {"host", "nationality"} <= roles:
            role = "both"
        else:
            role = sorted(roles - {"host"})[0] if roles - {"host"} else "host"
        kind = "state" if role in ("host", "nationality", "both") else role
        graph.add_node(nid, label=info["label"], iso=info["iso"], iri=info["iri"], kind=kind, role=role)
    for (nid, host), flow in sorted(flows.items()):
        counted = flow.pop("counted")
        people = flow["people"]
        weight = round(flow["weight"], 3)
        graph.add_edge(nid, host, label=f"{graph.nodes[nid]['label']} → {graph.nodes[host]['label']}",
                       transfers=flow["transfers"], transfer_ids=flow["transfer_ids"],
                       people=(int(people) if float(people).is_integer() else people) if counted else None,
                       people_shared=int(flow["people_shared"]) if float(flow["people_shared"]).is_integer()
                       else flow["people_shared"],
                       weight=int(weight) if float(weight).is_integer() else weight)
    return graph


# --------------------------------------------------------------------------- provenance

_Q_CLAIMS = """
SELECT ?claim ?subject ?property ?source WHERE {
  ?claim tct:claimSubject ?subject ; tct:claimProperty ?property ; prov:wasDerivedFrom ?source .
}
"""

_Q_CLAIM_DETAILS = """
SELECT ?claim ?p ?x WHERE {
  VALUES ?p { tct:rank tct:speaker tct:quote tct:literalValue }
  ?claim ?p ?x .
}
"""

_Q_CLAIM_OBJECTS = """
SELECT ?claim ?o ?ol WHERE {
  ?claim tct:objectValue ?o .
  OPTIONAL { ?o rdfs:label|skos:prefLabel ?ol }
}
"""

_Q_CLAIM_QUANTITIES = """
SELECT ?claim ?qualifier ?value ?min ?max ?unit WHERE {
  ?claim tct:quantityValue ?q .
  OPTIONAL { ?q tct:quantityQualifier/skos:prefLabel ?qualifier }
  OPTIONAL { ?q schema:unitText ?unit }
  OPTIONAL { ?q schema:value ?value }
  OPTIONAL { ?q schema:minValue ?min }
  OPTIONAL { ?q schema:maxValue ?max }
}
"""

_Q_SOURCES = """
SELECT ?source ?title ?url ?issued ?publisher ?publisherLabel ?sourceType WHERE {
  { SELECT DISTINCT ?source WHERE { ?claim prov:wasDerivedFrom ?source } }
  OPTIONAL { ?source dcterms:title ?title }
  OPTIONAL { ?source schema:url ?url }
  OPTIONAL { ?source dcterms:issued ?issued }
  OPTIONAL { ?source tct:sourceType/skos:prefLabel ?sourceType }
  OPTIONAL { ?source dcterms:publisher ?publisher . OPTIONAL { ?publisher rdfs:label ?publisherLabel } }
}
"""

_Q_LABELS = """
SELECT ?thing ?label ?type WHERE {
  { SELECT DISTINCT ?thing WHERE { { ?claim tct:claimSubject ?thing } UNION { ?claim tct:speaker ?thing } } }
  OPTIONAL { ?thing rdfs:label ?label }
  OPTIONAL { ?thing a ?type }
}
"""


def _claims(kg: Any, subject_id: str | None, source_id: str | None) -> dict[str, dict[str, Any]]:
    """Claims by id with subject, property, source, rank, speaker, quote and value as stated."""
    claims: dict[str, dict[str, Any]] = {}
    for row in _select(kg, _Q_CLAIMS):
        cid, sid, src = _id(row["claim"]), _id(row["subject"]), _id(row["source"])
        if (subject_id and sid != subject_id) or (source_id and src != source_id):
            continue
        old = claims.get(cid)
        if old is None or src < old["source"]:
            claims[cid] = {"subject": sid, "property": _id(row["property"]), "rank": None, "source": src,
                           "speaker": None, "quote": None, "value": ""}
    values: dict[str, set[str]] = defaultdict(set)
    for row in _select(kg, _Q_CLAIM_DETAILS):
        cid = _id(row["claim"])
        if cid not in claims:
            continue
        name = str(row["p"]).rsplit("#", 1)[-1]
        if name == "literalValue":
            values[cid].add(str(row["x"]))
            continue
        text = _local(_id(row["x"])) if name == "rank" else (_id(row["x"]) if name == "speaker" else _str(row["x"]))
        if text is not None and (claims[cid][name] is None or text < claims[cid][name]):
            claims[cid][name] = text
    for row in _select(kg, _Q_CLAIM_OBJECTS):
        cid = _id(row["claim"])
        if cid in claims:
            values[cid].add(_str(row["ol"]) or _id(row["o"]))
    for row in _select(kg, _Q_CLAIM_QUANTITIES):
        cid = _id(row["claim"])
        number, low, high = _number(row["value"]), _number(row["min"]), _number(row["max"])
        if cid in claims and any(v is not None for v in (number, low, high)):
            values[cid].add(_quantity_text(_str(row["qualifier"]), number, low, high, _str(row["unit"])))
    for cid, found in values.items():
        claims[cid]["value"] = sorted(found)[0]
    return dict(sorted(claims.items()))


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    from transferkg.query.library import Param

    def as_id(text: str | None, name: str) -> str | None:
        if not text:
            return None
        try:
            return curie(str(Param(name, "iri").to_term(text)))
        except ValueError as exc:
            raise BadParameter(f"--{name}: {exc}") from exc

    claims = _claims(kg, as_id(subject, "subject"), as_id(source, "source"))
    sources: dict[str, dict[str, Any]] = {}
    for row in _select(kg, _Q_SOURCES):
        src = _id(row["source"])
        info = sources.setdefault(src, {"title": None, "url": None, "issued": None, "source_type": None,
                                        "publisher": None, "publisher_label": None})
        for key, var in (("title", "title"), ("url", "url"), ("issued", "issued"), ("source_type", "sourceType"),
                         ("publisher", "publisher"), ("publisher_label", "publisherLabel")):
            value = _id(row[var]) if var == "publisher" and row[var] is not None else _str(row[var])
            if value is not None and (info[key] is None or value < info[key]):
                info[key] = value
    labels: dict[str, str] = {}
    types: dict[str, str] = {}
    for row in _select(kg, _Q_LABELS):
        tid = _id(row["thing"])
        label = _str(row["label"])
        if label and (tid not in labels or label < labels[tid]):
            labels[tid] = label
        if row["type"] is not None and (tid not in types or _id(row["type"]) < types[tid]):
            types[tid] = _id(row["type"])

    graph = nx.DiGraph(name="provenance", title="Who says what: sources and claims",
                       description="publisher → source → claim → subject; speaker → claim")
    roles: dict[str, set[str]] = defaultdict(set)
    attrs: dict[str, dict[str, Any]] = {}
    edges: set[tuple[str, str, str]] = set()
    for cid, claim in claims.items():
        src, sid, speaker = claim["source"], claim["subject"], claim["speaker"]
        info = sources.get(src, {})
        roles[cid].add("claim")
        prop = claim["property"].split(":", 1)[-1]
        attrs[cid] = {"label": _short(f"{prop}: {claim['value']}"), **claim}
        roles[src].add("source")
        attrs.setdefault(src, {"label": _short(info.get("title") or src), "title": info.get("title"),
                               "url": info.get("url"), "issued": info.get("issued"),
                               "source_type": info.get("source_type")})
        edges.add((src, cid, "states"))
        roles[sid].add("subject")
        attrs.setdefault(sid, {"label": labels.get(sid, sid), "type": types.get(sid)})
        edges.add((cid, sid, "about"))
        if info.get("publisher"):
            pub = info["publisher"]
            roles[pub].add("publisher")
            attrs.setdefault(pub, {"label": info.get("publisher_label") or pub})
            edges.add((pub, src, "published"))
        if speaker:
            roles[speaker].add("speaker")
            attrs.setdefault(speaker, {"label": labels.get(speaker, speaker), "type": types.get(speaker)})
            edges.add((speaker, cid, "said"))
    order = ("subject", "speaker", "publisher", "source", "claim")
    for nid in sorted(attrs):
        kinds = roles[nid]
        kind = next(k for k in order if k in kinds)
        graph.add_node(nid, kind=kind, role=kind, roles=sorted(kinds), **attrs[nid])
    for u, v, relation in sorted(edges):
        graph.add_edge(u, v, relation=relation, label=relation)
    return graph


# --------------------------------------------------------------------------- recognition

_Q_RECOGNITION = """
SELECT ?act ?label ?recognizer ?recognizerLabel ?recognizerIso ?recognized ?recognizedLabel ?recognizedIso
       ?action ?actionLabel ?date WHERE {
  ?act tct:recognizer ?recognizer ; tct:recognized ?recognized .
  OPTIONAL { ?act rdfs:label ?label }
  OPTIONAL { ?act tct:recognitionAction ?action . OPTIONAL { ?action skos:prefLabel ?actionLabel } }
  OPTIONAL { ?act tct:date ?date }
  OPTIONAL { ?recognizer rdfs:label ?recognizerLabel }
  OPTIONAL { ?recognizer tct:isoCode ?recognizerIso }
  OPTIONAL { ?recognized rdfs:label ?recognizedLabel }
  OPTIONAL { ?recognized tct:isoCode ?recognizedIso }
}
"""

_Q_RECOGNITION_COUNTS = """
SELECT ?state ?qualifier ?value ?min ?max WHERE {
  ?act tct:recognized ?state .
  ?state tct:recognitionCount ?q .
  OPTIONAL { ?q tct:quantityQualifier/skos:prefLabel ?qualifier }
  OPTIONAL { ?q schema:value ?value }
  OPTIONAL { ?q schema:minValue ?min }
  OPTIONAL { ?q schema:maxValue ?max }
}
"""


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
    acts: dict[tuple[str, str, str], dict[str, Any]] = {}
    states: dict[str, dict[str, Any]] = {}
    roles: dict[str, set[str]] = defaultdict(set)
    for row in _select(kg, _Q_RECOGNITION):
        aid, rer, red = _id(row["act"]), _id(row["recognizer"]), _id(row["recognized"])
        for sid, label, iso, iri, role in ((rer, row["recognizerLabel"], row["recognizerIso"], row["recognizer"],
                                            "recognizer"),
                                           (red, row["recognizedLabel"], row["recognizedIso"], row["recognized"],
                                            "recognized")):
            states.setdefault(sid, {"label": _str(label) or sid, "iso": _str(iso), "iri": str(iri)})
            roles[sid].add(role)
        act = acts.setdefault((rer, red, aid), {"label": _str(row["label"]) or aid, "action": None,
                                                "action_label": None, "date": None})
        if row["action"] is not None:
            act["action"] = _local(_id(row["action"]))
            act["action_label"] = _str(row["actionLabel"]) or act["action"]
        if row["date"] is not None and (act["date"] is None or str(row["date"]) < act["date"]):
            act["date"] = str(row["date"])
    counts: dict[str, set[str]] = defaultdict(set)
    for row in _select(kg, _Q_RECOGNITION_COUNTS):
        value, low, high = _number(row["value"]), _number(row["min"]), _number(row["max"])
        if any(v is not None for v in (value, low, high)):
            counts[_id(row["state"])].add(_quantity_text(_str(row["qualifier"]), value, low, high, None))
    sources = _sources_by_subject(kg)
    for sid in sorted(states):
        kinds = roles[sid]
        role = "both" if len(kinds) > 1 else next(iter(kinds))
        graph.add_node(sid, kind="state", role=role, **states[sid],
                       recognition_counts=sorted(counts.get(sid, set())))
    for (rer, red, aid), act in sorted(acts.items()):
        urls, titles = _source_lists(sources.get(aid, {}))
        graph.add_edge(rer, red, key=aid, act=aid, status=act["action"], **act, sources=len(sources.get(aid, {})),
                       source_urls=list(urls), source_titles=list(titles))
    return graph


# --------------------------------------------------------------------------- any query

_HEX = re.compile(r"^#?([0-9A-Fa-f]{6})$")


def graph_from_result(result: SelectResult, *, name: str = "query") -> nx.MultiDiGraph:
    """A graph from any SELECT result with Wikidata-style graph columns.

    ``?item`` (with ``?itemLabel``) → ``?target`` (with ``?targetLabel``) makes an
    edge; ``?edgeLabel`` labels it, ``?rgb`` (hex, as on the Wikidata Query Service)
    colours the item node, an ``?edge`` column gives the edge key, and every other
    column becomes an edge attribute (readable values: CURIEs, dates as text). A row
    without a target adds the item alone.

    Raises:
        BadParameter: the result has no ``?item`` column.
    """
    if "item" not in result.vars:
        raise BadParameter("the query's results need an ?item column (and ?target for edges), "
                           f"Wikidata style; its columns: {', '.join(result.vars) or 'none'}")
    graph = nx.MultiDiGraph(name=name, description="?item → ?target")
    extra = [v for v in result.vars if v not in ("item", "itemLabel", "target", "targetLabel", "edgeLabel", "rgb", "edge")]
    edges: list[tuple[str, str, str, dict[str, Any]]] = []
    nodes: dict[str, dict[str, Any]] = {}
    for index, row in enumerate(result.dicts()):
        if row.get("item") is None:
            continue
        item = _id(row["item"])
        info = nodes.setdefault(item, {"label": _str(row.get("itemLabel")) or item, "kind": "item", "role": "item"})
        rgb = _HEX.match(_str(row.get("rgb")) or "")
        if rgb:
            info["color"] = "#" + rgb.group(1).upper()
        target = row.get("target")
        if target is None:
            continue
        tid = _id(target)
        nodes.setdefault(tid, {"label": _str(row.get("targetLabel")) or tid, "kind": "target",
                                       "role": "target"})
        key = _id(row["edge"]) if row.get("edge") is not None else f"row-{index + 1}"
        attributes: dict[str, Any] = {"label": _str(row.get("edgeLabel")) or ""}
        if row.get("edgeLabel") is not None:
            attributes["edge_label"] = str(row["edgeLabel"])
        for var in extra:
            value = readable(row.get(var))
            attributes[var] = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
        edges.append((item, tid, key, attributes))
    sources = {u for u, *_ in edges}
    targets = {v for _, v, *_ in edges}
    for nid in sorted(nodes):
        info = nodes[nid]
        info["role"] = "both" if nid in sources and nid in targets else ("item" if nid in sources or nid not in
                                                                           targets else "target")
        info["kind"] = info["role"]
        graph.add_node(nid, **info)
    seen: set[tuple[str, str, str]] = set()
    for u, v, key, attributes in sorted(edges, key=lambda e: (e[0], e[1], e[2])):
        if (u, v, key) in seen:  # the same edge on several rows (e.g. one per source): keep one
            continue
        seen.add((u, v, key))
        graph.add_edge(u, v, key=key, **attributes)
    return graph


# --------------------------------------------------------------------------- metrics


def network_metrics(graph: nx.Graph) -> pd.DataFrame:
    """Per-node metrics a researcher asks of a deal network, as a DataFrame.

    Columns: ``node``, ``label``, ``iso``, ``role``; ``agreements_received`` (in-degree,
    counting parallel edges), ``people_received`` (sum of the incoming edges'
    ``people``), ``senders`` (distinct predecessors); ``agreements_sent``
    (out-degree), ``people_sent``, ``hosts`` (distinct successors); ``betweenness``
    (on the simple directed projection, unweighted, normalised); ``community``
    (greedy modularity on the undirected simple projection; 1 = the largest).
    Rows are sorted hosts first: by agreements received, people received, then label.
    """
    import pandas as pd

    simple = nx.DiGraph()
    simple.add_nodes_from(graph.nodes)
    simple.add_edges_from((u, v) for u, v in graph.edges() if u != v)
    betweenness = nx.betweenness_centrality(simple, normalized=True) if len(simple) > 2 else \
        dict.fromkeys(simple, 0.0)
    undirected = simple.to_undirected()
    community: dict[Any, int] = {}
    if undirected.number_of_edges():
        groups = nx.algorithms.community.greedy_modularity_communities(undirected)
        ordered = sorted((sorted(map(str, g)) for g in groups), key=lambda g: (-len(g), g[0]))
        for number, group in enumerate(ordered, start=1):
            for nid in group:
                community[nid] = number
    next_number = max(community.values(), default=0) + 1
    for nid in sorted(map(str, graph.nodes)):
        if nid not in community:
            community[nid] = next_number
            next_number += 1

    def people(edges: Iterable[tuple[Any, Any, dict[str, Any]]]) -> int | float:
        total = sum((d.get("people") or 0) for _, _, d in edges)
        return int(total) if float(total).is_integer() else total

    rows = []
    for nid, data in graph.nodes(data=True):
        incoming = list(graph.in_edges(nid, data=True)) if graph.is_directed() else list(graph.edges(nid, data=True))
        outgoing = list(graph.out_edges(nid, data=True)) if graph.is_directed() else []
        rows.append({
            "node": nid,
            "label": data.get("label", nid),
            "iso": data.get("iso"),
            "role": data.get("role"),
            "agreements_received": len(incoming),
            "people_received": people(incoming),
            "senders": len({u for u, _, _ in incoming}),
            "agreements_sent": len(outgoing),
            "people_sent": people(outgoing),
            "hosts": len({v for _, v, _ in outgoing}),
            "betweenness": round(float(betweenness.get(nid, 0.0)), 6),
            "community": community[str(nid)],
        })
    columns = ["node", "label", "iso", "role", "agreements_received", "people_received", "senders",
               "agreements_sent", "people_sent", "hosts", "betweenness", "community"]
    frame = pd.DataFrame(rows, columns=columns)
    if len(frame):
        frame = frame.sort_values(["agreements_received", "people_received", "label"],
                                  ascending=[False, False, True], kind="mergesort").reset_index(drop=True)
    return frame
