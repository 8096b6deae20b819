"""The derived layer: plain ("truthy") triples, date bounds and status history, computed from claims.

Curators never write these triples; they follow from the claims so that every
plain value has a source behind it (a SHACL shape checks that it does).

The rules, in order:

1. **Plain values** — for each subject and property, the values of its preferred
   claims, else of its normal ones (deprecated never). When every such claim
   carries an ``asOf`` date, the claims form a series (a count reported as it
   grows) and only the latest one gives the plain value.
2. **Date bounds** — each dated node gets ``tct:earliestDate``/``tct:latestDate``.
   Compatible dates at different precisions (``2012-08`` and ``2012-08-29``)
   give their intersection (the precise day); incompatible ones the whole span.
3. **Kinds** — a transfer without an arrangement kind of its own takes its agreement's.
4. **Status history** — each agreement's status changes are put in sequence
   (``tct:statusSequence``): by their dates where the dates decide (one ends
   before the other begins), else by the usual lifecycle of the statuses
   (``tct:lifecycleStage`` in the code list); ``tct:orderBasis`` says which
   decided. A change with no date of its own but reported "as of" a day is
   ``tct:knownBy`` that day. The last change in sequence gives
   ``tct:currentStatus`` and ``tct:currentStatusChange``.

Each rule reads its input with a query file of ``rules/sparql/`` (``claim_values``,
``inherited_kinds``, ``claim_dates``, ``event_dates``, ``source_dates``,
``status_changes``); the reasoning over the rows is Python, so it is the same on
every backend.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from transferkg.core.namespaces import TCT, TCTV
from transferkg.core.resources import internal_query
from transferkg.store.base import Store

__all__ = ["DeriveResult", "best_values", "date_bounds", "derive", "merge_bounds"]

T = TypeVar("T", bound=Hashable)


def _lexical(term: object) -> str:
    """The lexical form of an rdflib or pyoxigraph literal."""
    value = getattr(term, "value", None)
    return value if isinstance(value, str) and not isinstance(term, Literal) else str(term)


def _latest_day_key(term: object) -> str:
    """A sort key putting a partial date at its last possible day ("2025" after "2025-12-12")."""
    text = _lexical(term)
    return text + "-99-99"[len(text) - 4:] if len(text) in (4, 7) else text


def best_values(rows: Iterable[Sequence[Any]], preferred: T) -> list[tuple[T, T, T]]:
    """The plain triples that claim rows ``(subject, property, value, rank[, asOf])`` support.

    For each subject and property: the values of its preferred claims if it has
    any, otherwise those of all its (normal) claims. When every one of those
    claims has an ``asOf`` date they are a series, and the claims with the latest
    ``asOf`` win. Done here rather than with a ``FILTER NOT EXISTS`` in SPARQL
    because pyoxigraph 0.5 ran that filter in time quadratic in the number of
    claims (18 s instead of 0.1 s at 100k triples). Generic over the term type, so
    raw pyoxigraph rows work as well as rdflib ones.
    """
    rows = [tuple(row) + (None,) * (5 - len(row)) for row in rows]
    with_preferred = {(s, p) for s, p, _v, r, _a in rows if r == preferred}
    kept = [(s, p, v, a) for s, p, v, r, a in rows if r == preferred or (s, p) not in with_preferred]
    dated: dict[tuple[Any, Any], list[str | None]] = {}
    for s, p, _v, a in kept:
        dated.setdefault((s, p), []).append(None if a is None else _latest_day_key(a))
    latest = {key: max(keys) for key, keys in dated.items()  # type: ignore[type-var]
              if None not in keys and len(set(keys)) > 1}
    out = [(s, p, v) for s, p, v, a in kept
           if (s, p) not in latest or _latest_day_key(a) == latest[(s, p)]]
    return list(dict.fromkeys(out))


def date_bounds(value: Literal) -> tuple[dt.date, dt.date] | None:
    """First and last day a date of any precision may fall on, or None if not a date."""
    text = str(value)
    try:
        if value.datatype == XSD.date:
            day = dt.date.fromisoformat(text[:10])
            return day, day
        if value.datatype == XSD.gYearMonth:
            year, month = int(text[:4]), int(text[5:7])
            return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
        if value.datatype == XSD.gYear:
            year = int(text[:4])
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
    except ValueError:
        return None
    return None


def merge_bounds(spans: Iterable[tuple[dt.date, dt.date]]) -> tuple[dt.date, dt.date]:
    """The bounds of several dates of one thing: their intersection, or their span if they disagree.

    "August 2012" and "29 August 2012" are the same date at two precisions: the
    day. "2025-03-10" and "2025-08-20" cannot both hold: the span keeps both in
    view (the disagreements query lists the claims).
    """
    spans = list(spans)
    early, late = max(s[0] for s in spans), min(s[1] for s in spans)
    if early <= late:
        return early, late
    return min(s[0] for s in spans), max(s[1] for s in spans)


@dataclass
class DeriveResult:
    """How many triples each derive rule added."""

    truthy: int
    date_bounds: int
    current_status: int
    """Agreements given a current status (two triples each: the status and the change)."""
    status_history: int = 0
    """Sequence numbers, order bases and known-by dates of status changes."""

    @property
    def total(self) -> int:
        return self.truthy + self.date_bounds + 2 * self.current_status + self.status_history


def _bounds_triples(rows: Sequence[tuple[object, ...]]) -> list[tuple[URIRef, URIRef, Literal]]:
    spans: dict[URIRef, list[tuple[dt.date, dt.date]]] = {}
    for node, value in rows:
        if not isinstance(node, URIRef) or not isinstance(value, Literal):
            continue
        bounds = date_bounds(value)
        if bounds is not None:
            spans.setdefault(node, []).append(bounds)
    out = []
    for node, node_spans in sorted(spans.items()):
        early, late = merge_bounds(node_spans)
        out.append((node, TCT.earliestDate, Literal(early.isoformat(), datatype=XSD.date)))
        out.append((node, TCT.latestDate, Literal(late.isoformat(), datatype=XSD.date)))
    return out


@dataclass
class _Change:
    node: URIRef
    status: URIRef
    stage: int
    early: dt.date | None
    late: dt.date | None
    known_by: dt.date | None

    @property
    def upper(self) -> dt.date | None:
        """The last day the change may have happened on."""
        return self.late or self.known_by

    def before(self, other: _Change) -> bool:
        """Whether the dates alone put this change before ``other``."""
        return self.upper is not None and other.early is not None and self.upper < other.early


def _changes(store: Store) -> dict[URIRef, list[_Change]]:
    """Each agreement's status changes (one per change; the highest stage if a change has two statuses)."""
    found: dict[URIRef, _Change] = {}
    agreement_of: dict[URIRef, URIRef] = {}
    rows = store.select(internal_query(__package__, "status_changes")).rows
    for change, agreement, status, stage, early, late, as_of in rows:
        if not (isinstance(change, URIRef) and isinstance(agreement, URIRef) and isinstance(status, URIRef)):
            continue
        st = int(stage.toPython()) if isinstance(stage, Literal) else 0
        report = date_bounds(as_of) if isinstance(as_of, Literal) else None
        item = found.get(change)
        if item is None:
            item = found[change] = _Change(
                change, status, st, early.toPython() if isinstance(early, Literal) else None,
                late.toPython() if isinstance(late, Literal) else None, None)
            agreement_of[change] = agreement
        if (st, str(status)) > (item.stage, str(item.status)):
            item.status, item.stage = status, st
        if item.late is None and report is not None:
            item.known_by = report[1] if item.known_by is None else min(item.known_by, report[1])
    out: dict[URIRef, list[_Change]] = {}
    for change, item in sorted(found.items()):
        out.setdefault(agreement_of[change], []).append(item)
    return out


def _estimate(change: _Change) -> dt.date:
    """Where a change most likely falls: the middle of its dates, or the day it was reported."""
    assert change.upper is not None
    if change.early is None:
        return change.upper
    return change.early + (change.upper - change.early) / 2


def _goes_first(a: _Change, b: _Change) -> bool:
    """Whether ``a`` should come before ``b`` when the dates alone do not decide.

    The usual lifecycle decides when at least one of the two has dates of its own (an
    announcement and a signing both in June 2025: announced, then signed; a signing in
    June and an implementation known from a December report: signed, then implemented).
    Two changes known only from reports follow the dates of the reports (a deal reported
    implemented in 2015 and disputed in 2018).
    """
    dated = a.early is not None or b.early is not None
    if dated and a.stage != b.stage:
        return a.stage < b.stage
    ka = (_estimate(a), a.stage, a.upper, str(a.status), str(a.node))
    kb = (_estimate(b), b.stage, b.upper, str(b.status), str(b.node))
    return ka < kb


def _basis(previous: _Change, current: _Change) -> str:
    if previous.before(current):
        return "dates"
    if previous.early is not None or current.early is not None:
        return "lifecycle" if previous.stage < current.stage else "undecided"
    return "reports" if _estimate(previous) < _estimate(current) else "undecided"


SETBACK = 6
"""Stages from here on (suspended, blocked, disputed, resumed, ended) are setbacks or restarts."""


def effective(order: list[tuple[_Change, str]]) -> list[bool]:
    """For each change in sequence, whether it set the agreement's status.

    A change that reports a step the agreement had already passed — an announcement
    or publication after the signing — does not take the status back: the agreement
    stays signed. After a setback (suspended, blocked, disputed, ended) any change counts.
    """
    out: list[bool] = []
    current: _Change | None = None
    for change, _ in order:
        takes = current is None or change.stage >= current.stage or current.stage >= SETBACK
        out.append(takes)
        if takes:
            current = change
    return out


def status_sequence(changes: list[_Change]) -> list[tuple[_Change, str]]:
    """The dated or reported changes in order, each with how it was placed after the previous one.

    A topological order of "the dates put A before B"; among the changes the dates
    leave open, the one that :func:`_goes_first` against the most others.
    """
    placed = [c for c in changes if c.upper is not None]
    waiting = {c.node: sum(1 for o in placed if o.before(c)) for c in placed}
    ready = [c for c in placed if waiting[c.node] == 0]
    order: list[tuple[_Change, str]] = []
    while ready:
        current = max(ready, key=lambda c: (sum(_goes_first(c, o) for o in ready if o is not c),
                                            -_estimate(c).toordinal(), -c.stage, str(c.node)))
        ready.remove(current)
        order.append((current, "first" if not order else _basis(order[-1][0], current)))
        for other in placed:
            if current.before(other):
                waiting[other.node] -= 1
                if waiting[other.node] == 0:
                    ready.append(other)
    return order


def _status_triples(store: Store) -> list[tuple[URIRef, URIRef, Literal | URIRef]]:
    out: list[tuple[URIRef, URIRef, Literal | URIRef]] = []
    for agreement, changes in sorted(_changes(store).items()):
        order = status_sequence(changes)
        takes = effective(order)
        for n, ((change, basis), sets) in enumerate(zip(order, takes, strict=True), 1):
            out.append((change.node, TCT.statusSequence, Literal(n)))
            out.append((change.node, TCT.orderBasis, Literal(basis)))
            out.append((change.node, TCT.effective, Literal(sets)))
            if change.late is None and change.known_by is not None:
                out.append((change.node, TCT.knownBy, Literal(change.known_by.isoformat(), datatype=XSD.date)))
        undated = [c for c in changes if c.upper is None]
        for change in undated:
            out.append((change.node, TCT.orderBasis, Literal("undated")))
        if order:
            last = [change for (change, _b), sets in zip(order, takes, strict=True) if sets][-1]
        else:  # only undated changes: the one furthest in the lifecycle
            last = max(undated, key=lambda c: (c.stage, str(c.status), str(c.node)))
        out.append((agreement, TCT.currentStatus, last.status))
        out.append((agreement, TCT.currentStatusChange, last.node))
    return out


def derive(store: Store) -> DeriveResult:
    """Add the derived layer to ``store`` and say how much was added.

    Works through the store interface only (SPARQL in, triples out), so the same
    rules run on every backend.
    """
    def rows(name: str) -> list[tuple[Node | None, ...]]:
        return store.select(internal_query(__package__, name)).rows  # rules/sparql/<name>.rq

    truthy = [(s, p, v) for s, p, v in best_values(rows("claim_values"), TCTV.preferred)
              if isinstance(s, (URIRef, BNode)) and isinstance(p, URIRef) and v is not None]
    store.add_triples(truthy)
    kinds = [(e, TCT.arrangementKind, k) for e, k in rows("inherited_kinds")
             if isinstance(e, URIRef) and isinstance(k, URIRef)]
    store.add_triples(kinds)
    claim_bounds = _bounds_triples(rows("claim_dates"))
    event_bounds = _bounds_triples(rows("event_dates")) + _bounds_triples(rows("source_dates"))
    store.add_triples(claim_bounds + event_bounds)
    status_triples = _status_triples(store)
    store.add_triples(status_triples)
    current = sum(1 for _s, p, _o in status_triples if p == TCT.currentStatus)
    return DeriveResult(truthy=len(truthy) + len(kinds), date_bounds=len(claim_bounds) + len(event_bounds),
                        current_status=current, status_history=len(status_triples) - 2 * current)
