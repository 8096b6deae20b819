"""Agreements as records: parties, status, dates, numbers and sources, and the filter that keeps them.

The deal network, the bipartite graph and the timeline all start from
:func:`agreements`: five view queries (``views/sparql/agreement_*.rq``,
``subject_sources.rq``) read into one :class:`Agreement` per agreement. Aggregation
and date comparisons happen here in Python: a date known only to the month or year is
compared through its first and last possible day, never as ``xsd:gYearMonth``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rdflib import Literal

from transferkg.core.namespaces import TCT, TCTV
from transferkg.query.results import curie
from transferkg.rules.derive import date_bounds
from transferkg.views.filters import KINDS, STATUSES, code_iri, parse_date, state_iri
from transferkg.views.rows import Row, as_number, as_text, date_precision, local_code, node_id, quantity_text, view_rows

__all__ = ["Agreement", "AgreementFilter", "agreements", "source_lists", "sources_by_subject"]


@dataclass
class Agreement:
    """One agreement's facts as the views use them (ids are CURIEs, dates ISO text)."""

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
            "status": local_code(self.status),
            "status_label": self.status_label,
            "arrangement_kind": local_code(self.kind),
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

    def keep(self, record: Agreement) -> bool:
        if self.sender:
            if curie(str(state_iri(self.sender))) not in record.senders:
                return False
        if self.kind and self.kind != "all":
            if record.kind != curie(str(code_iri(self.kind, KINDS, "kind"))):
                return False
        if self.status:
            if record.status != curie(str(code_iri(self.status, STATUSES, "status"))):
                return False
        since = parse_date(self.since, end=False, name="since")
        until = parse_date(self.until, end=True, name="until")
        if since is None and until is None:
            return True
        if record.date_earliest is None or record.date_latest is None:
            return False
        if since is not None and record.date_latest < since:
            return False
        return not (until is not None and record.date_earliest > until)


def agreements(kg: Any) -> dict[str, Agreement]:
    """Every agreement with its parties, status, dates, numbers and sources, by CURIE in sorted order."""
    records: dict[str, Agreement] = {}
    for row in view_rows(kg, "agreement_parties"):
        aid = node_id(row["agreement"])
        record = records.get(aid)
        if record is None:
            record = records[aid] = Agreement(id=aid, iri=str(row["agreement"]), label=as_text(row["label"]) or aid,
                                              type=node_id(row["type"]), senders={}, hosts={})
        _read_party_row(record, row)
    _add_dates(kg, records)
    _add_quantities(kg, records)
    _add_transfer_people(kg, records)
    sources = sources_by_subject(kg)
    for aid, record in records.items():
        cited = sources.get(aid, {})
        record.sources = len(cited)
        record.source_urls, record.source_titles = source_lists(cited)
    return dict(sorted(records.items()))


def _read_party_row(record: Agreement, row: Row) -> None:
    """Merge one row of ``agreement_parties``: the least label, the kind, the least status, a party."""
    label = as_text(row["label"])
    if label and label < record.label or record.label == record.id and label:
        record.label = label
    if str(row["type"]).endswith("TransferAgreement"):
        record.type = node_id(row["type"])
    if row["kind"] is not None:
        record.kind, record.kind_label = node_id(row["kind"]), as_text(row["kindLabel"])
    status = node_id(row["status"]) if row["status"] is not None else None
    if status and (record.status is None or status < record.status):
        record.status, record.status_label = status, as_text(row["statusLabel"]) or local_code(status)
    if row["state"] is None:
        return
    sid = node_id(row["state"])
    target = record.senders if str(row["role"]) == "sender" else record.hosts
    info = target.setdefault(sid, {"label": sid, "iso": None, "iri": str(row["state"])})
    if row["stateLabel"] is not None:
        info["label"] = min(str(row["stateLabel"]), info["label"]) if info["label"] != sid \
            else str(row["stateLabel"])
    if row["iso"] is not None:
        info["iso"] = str(row["iso"])


def _add_dates(kg: Any, records: dict[str, Agreement]) -> None:
    """An agreement's date: the most precise signing date, else its earliest dated status change."""
    signed: dict[str, list[tuple[int, dt.date, str, str]]] = defaultdict(list)
    dated: dict[str, list[tuple[dt.date, dt.date, str]]] = defaultdict(list)
    for row in view_rows(kg, "agreement_dates"):
        aid, value = node_id(row["agreement"]), row["date"]
        if aid not in records or not isinstance(value, Literal):
            continue
        bounds = date_bounds(value)
        if bounds is None:
            continue
        width = (bounds[1] - bounds[0]).days
        if str(row["kind"]) == "signingDate" or row["status"] == TCTV.signed:
            signed[aid].append((width, bounds[0], str(value), date_precision(value)))
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


def _add_quantities(kg: Any, records: dict[str, Agreement]) -> None:
    """The largest stated capacity (with its wording) and the largest reported people count."""
    capacities: dict[str, list[tuple[float, str]]] = defaultdict(list)
    reported: dict[str, list[float]] = defaultdict(list)
    for row in view_rows(kg, "agreement_quantities"):
        aid = node_id(row["agreement"])
        if aid not in records:
            continue
        q_value, q_low, q_high = as_number(row["value"]), as_number(row["min"]), as_number(row["max"])
        q_numbers = [v for v in (q_value, q_low, q_high) if v is not None]
        unit = as_text(row["unit"]) or "person"
        if not q_numbers or unit != "person":
            continue
        if row["property"] == TCT.capacity:
            text = quantity_text(as_text(row["qualifier"]), q_value, q_low, q_high, unit)
            capacities[aid].append((max(q_numbers), text))
        else:  # a range ("one or two") counts its lower bound, as the totals query does
            reported[aid].append(next(v for v in (q_value, q_low, q_high) if v is not None))
    for aid, values in capacities.items():
        records[aid].capacity = max(v for v, _ in values)
        records[aid].capacity_text = "; ".join(sorted({t for _, t in values}))
    for aid, counts in reported.items():
        records[aid].people_reported = max(counts)


def _add_transfer_people(kg: Any, records: dict[str, Agreement]) -> None:
    """Transfer events per agreement, and the people in them (each event's largest count)."""
    per_event: dict[tuple[str, str], list[float]] = defaultdict(list)
    for row in view_rows(kg, "agreement_transfer_people"):
        aid, event = node_id(row["agreement"]), node_id(row["transfer"])
        if aid not in records:
            continue
        count = as_number(row["n"])
        per_event[(aid, event)].extend([count] if count is not None else [])
    events: dict[str, int] = defaultdict(int)
    people: dict[str, float] = defaultdict(float)
    counted: set[str] = set()
    for (aid, _event), event_counts in sorted(per_event.items()):
        events[aid] += 1
        if event_counts:
            people[aid] += max(event_counts)
            counted.add(aid)
    for aid, total_events in events.items():
        records[aid].transfer_events = total_events
    for aid in counted:
        total = people[aid]
        records[aid].people_in_transfers = int(total) if float(total).is_integer() else total


def sources_by_subject(kg: Any) -> dict[str, dict[str, tuple[str, str]]]:
    """subject id → {source id: (url, title)} for agreements and recognition acts."""
    out: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    for row in view_rows(kg, "subject_sources"):
        subject, source = node_id(row["subject"]), node_id(row["source"])
        url, title = as_text(row["url"]) or "", as_text(row["title"]) or ""
        old = out[subject].get(source)
        if old is None or (url, title) < old:
            out[subject][source] = (url, title)
    return out


def source_lists(sources: Mapping[str, tuple[str, str]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The distinct source URLs, and their titles (the URL when untitled), in URL order."""
    pairs = sorted({(url, title or url) for url, title in sources.values() if url})
    return tuple(u for u, _ in pairs), tuple(t for _, t in pairs)
