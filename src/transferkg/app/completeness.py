"""``transferkg report completeness``: where the graph is thinnest, agreement by agreement.

For every agreement the report says, for each key fact (parties, signing date, current
status, capacity, people transferred, nationalities, payments, selection criteria,
legal challenges), whether it is documented and how well:

- ``present`` — two or more independent origins say it;
- ``single source`` — one origin only (sources attributed to, or published by, the same
  organisation count once);
- ``government only`` — every claim's speaker is a party to the agreement (or acts for one);
- ``conflicting`` — curators linked two of its claims with ``conflictsWith``, or sources
  give the signing date differently;
- ``ambiguous`` — the current status could not be ordered (``orderBasis`` undecided);
- ``partial`` — only one party named, or a status known only by its first report (undated);
- ``missing`` — nothing recorded (for legal challenges: ``none recorded``, which may be true).

plus the number of independent origins, the date of the latest dated source, and a score
from 0 to 100 (a weighted share of what a complete, corroborated, fresh record would hold).
The rows come from two internal SPARQL queries (``app/sparql/completeness_*.rq``); this
module only counts.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from transferkg.core.outputs import csv_text, md_cell
from transferkg.core.resources import internal_query

__all__ = ["FACTS", "AgreementCompleteness", "FactState", "completeness", "render"]

# (key, column label, weight in the score)
FACTS: tuple[tuple[str, str, float], ...] = (
    ("parties", "parties", 2.0),
    ("signing", "signing date", 1.5),
    ("status", "current status", 2.0),
    ("capacity", "capacity", 1.0),
    ("people", "people transferred", 1.5),
    ("nationalities", "nationalities", 1.0),
    ("payments", "payments", 1.0),
    ("criteria", "selection criteria", 1.0),
    ("challenges", "legal challenges", 0.5),
)
SOURCES_WEIGHT = 1.0  # two or more independent origins in all
FRESH_WEIGHT = 0.5  # a dated source from the twelve months before today
CREDIT = {"present": 1.0, "ambiguous": 0.7, "single source": 0.6, "government only": 0.5, "conflicting": 0.5,
          "partial": 0.5, "missing": 0.0}
_PRECISION = {4: "year", 7: "month", 10: "day"}


@dataclass(frozen=True)
class FactState:
    """How well one key fact of one agreement is documented."""

    state: str
    detail: str = ""
    sources: int = 0

    def text(self) -> str:
        return f"{self.state}: {self.detail}" if self.detail else self.state


@dataclass
class AgreementCompleteness:
    """One row of the report."""

    agreement: str
    label: str
    kind: str
    facts: dict[str, FactState]
    origins: int
    sources: int
    latest_source: str
    score: int
    missing: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"agreement": self.agreement, "label": self.label, "kind": self.kind, "score": self.score,
                "facts": {k: {"state": f.state, "detail": f.detail, "sources": f.sources}
                          for k, f in self.facts.items()},
                "independent_sources": self.origins, "sources": self.sources,
                "latest_source": self.latest_source, "missing": self.missing}


def _s(term: Any) -> str:
    return "" if term is None else str(term)


def _true(term: Any) -> bool:
    return _s(term).lower() in ("true", "1")


def _short(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1]


def _fact_state(key: str, rows: list[dict[str, Any]], status: dict[str, str]) -> FactState:
    origins = {r["origin"] for r in rows}
    sources = len({r["source"] for r in rows})
    if key == "status":
        if not status.get("status"):
            return FactState("missing") if not rows else FactState("partial", "status changes without a status",
                                                                   sources)
        when = status.get("since")
        detail = status["status"] + (f" since {when}" if when else
                                     f", known by {status['knownBy']}" if status.get("knownBy") else ", undated")
        base = _quality(rows, origins)
        if status.get("orderBasis") == "undecided":
            return FactState("ambiguous", detail + " (order of changes undecided)", sources)
        if not when and base == "present":
            return FactState("partial", detail, sources)
        return FactState(base, detail, sources)
    if not rows:
        return FactState("missing", "none recorded" if key == "challenges" else "")
    if key == "parties":
        props = {_short(r["property"]) for r in rows}
        if not {"sendingState", "receivingState"} <= props and sum(_short(r["property"]) == "party"
                                                                    for r in rows) < 2:
            return FactState("partial", "one party only", sources)
    if key == "signing":
        dates = sorted({r["date"] for r in rows if r["date"]}, key=lambda d: (-len(d), d))
        if dates:
            best = dates[0]
            detail = f"{best} ({_PRECISION.get(len(best), 'date')})"
            if any(not best.startswith(d) for d in dates[1:]):
                return FactState("conflicting", f"{detail}; sources also say {', '.join(dates[1:])}", sources)
            state = _quality(rows, origins)
            return FactState(state, detail, sources)
    state = _quality(rows, origins)
    return FactState(state, _count(origins) if state != "single source" else _short(sorted(origins)[0]), sources)


def _count(origins: set[str]) -> str:
    return f"{len(origins)} origin" + ("s" if len(origins) != 1 else "")


def _quality(rows: list[dict[str, Any]], origins: set[str]) -> str:
    if any(r["conflict"] for r in rows):
        return "conflicting"
    if rows and all(r["government"] for r in rows):
        return "government only"
    if len(origins) < 2:
        return "single source"
    return "present"


def completeness(kg: Any, *, today: dt.date | None = None) -> list[AgreementCompleteness]:
    """The report's rows, thinnest first (lowest score; then label and id)."""
    if today is None:
        from transferkg.query.params import today as _today

        today = _today()
    claims: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in kg.store.select(internal_query(__package__, "completeness_claims")).rows:
        claims[_s(r[0])].append({"fact": _s(r[1]), "property": _s(r[2]), "claim": _s(r[3]), "date": _s(r[4]),
                                 "source": _s(r[5]), "origin": _s(r[6]), "published": _s(r[7]),
                                 "government": _true(r[8]), "conflict": _true(r[9])})
    agreements: dict[str, dict[str, str]] = {}
    for r in kg.store.select(internal_query(__package__, "completeness_agreements")).rows:
        agreements.setdefault(_s(r[0]), {"label": _s(r[1]), "kind": _s(r[2]), "status": _s(r[3]),
                                         "since": _s(r[4]), "knownBy": _s(r[5]), "orderBasis": _s(r[6])})
    year_ago = (today - dt.timedelta(days=365)).isoformat()
    total_weight = sum(w for _, _, w in FACTS) + SOURCES_WEIGHT + FRESH_WEIGHT
    result = []
    for iri, info in agreements.items():
        rows = claims.get(iri, [])
        by_fact: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_fact[row["fact"]].append(row)
        facts = {key: _fact_state(key, by_fact.get(key, []), info) for key, _, _ in FACTS}
        origins = len({r["origin"] for r in rows})
        latest = max((r["published"] for r in rows if r["published"]), default="")
        points = sum(CREDIT[facts[key].state] * weight for key, _, weight in FACTS)
        points += SOURCES_WEIGHT if origins >= 2 else 0.0
        points += FRESH_WEIGHT if latest and latest >= year_ago else 0.0
        result.append(AgreementCompleteness(
            agreement=_short(iri), label=info["label"], kind=info["kind"], facts=facts, origins=origins,
            sources=len({r["source"] for r in rows}), latest_source=latest,
            score=round(100 * points / total_weight),
            missing=[label for key, label, _ in FACTS if facts[key].state == "missing" and key != "challenges"]))
    result.sort(key=lambda a: (a.score, a.label, a.agreement))
    return result


SORT_KEYS = {
    "score": lambda a: (a.score, a.label, a.agreement),
    "name": lambda a: (a.label, a.agreement),
    "latest": lambda a: (a.latest_source or "0000", a.label, a.agreement),
    "sources": lambda a: (a.origins, a.label, a.agreement),
}

_HEADER = ["agreement", "score", *[label for _, label, _ in FACTS], "independent sources", "latest source", "id"]


def _cells(a: AgreementCompleteness) -> list[str]:
    return [a.label, str(a.score), *[a.facts[k].text() for k, _, _ in FACTS], str(a.origins),
            a.latest_source or "undated", a.agreement]


def render(rows: Iterable[AgreementCompleteness], fmt: str = "md", *, today: dt.date | None = None) -> str:
    """The report as Markdown, CSV, JSON or a self-contained HTML page."""
    rows = list(rows)
    if fmt == "csv":
        return csv_text(_HEADER, (_cells(a) for a in rows))
    if fmt == "json":
        return json.dumps([a.as_dict() for a in rows], indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        return _html(rows, today)
    if fmt != "md":
        raise ValueError(f"unknown format {fmt!r}")
    lines = [f"# Completeness of the graph — {len(rows)} agreements, thinnest first", "",
             _LEGEND, "",
             "| " + " | ".join(_HEADER) + " |", "|" + "---|" * len(_HEADER)]
    lines += ["| " + " | ".join(md_cell(c) for c in _cells(a)) + " |" for a in rows]
    return "\n".join(lines) + "\n"


_LEGEND = ("Each key fact is *present* (two or more independent origins), *single source*, *government only* "
           "(every speaker is a party), *conflicting*, *ambiguous* (status order undecided), *partial* or "
           "*missing*. Score: 0–100, the weighted share of a complete, corroborated and fresh record "
           "(a source from the last twelve months).")

_CSS = """body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
th{background:#f3f3f3;cursor:pointer;position:sticky;top:0}td.s-missing{background:#fbe3e3}
td.s-present{background:#e3f5e3}td.s-single-source,td.s-government-only,td.s-partial{background:#fff6d8}
td.s-conflicting,td.s-ambiguous{background:#f7e0f7}td.num{text-align:right}"""

_JS = """document.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){
var tb=th.closest('table').tBodies[0],rows=Array.from(tb.rows),asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';
rows.sort(function(a,b){var x=a.cells[i].dataset.v||a.cells[i].textContent,y=b.cells[i].dataset.v||b.cells[i].textContent;
var nx=parseFloat(x),ny=parseFloat(y);var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);return asc?c:-c;});
rows.forEach(function(r){tb.appendChild(r);});});});"""


def _html(rows: list[AgreementCompleteness], today: dt.date | None) -> str:
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in _HEADER)
    body = []
    for a in rows:
        cells = [f"<td>{e(a.label)}</td>", f'<td class="num">{a.score}</td>']
        for key, _, _ in FACTS:
            f = a.facts[key]
            cells.append(f'<td class="s-{e(f.state.replace(" ", "-"))}" data-v="{CREDIT[f.state]}">'
                         f"{e(f.text())}</td>")
        cells += [f'<td class="num">{a.origins}</td>', f"<td>{e(a.latest_source or 'undated')}</td>",
                  f"<td><code>{e(a.agreement)}</code></td>"]
        body.append("<tr>" + "".join(cells) + "</tr>")
    stamp = f" (as of {today.isoformat()})" if today else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "script-src 'unsafe-inline'\">"
            f"<title>transferkg — completeness</title><style>{_CSS}</style></head><body>"
            f"<h1>Completeness of the graph{e(stamp)}</h1><p>{e(_LEGEND.replace('*', ''))} Click a column header to sort.</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            f"<script>{_JS}</script></body></html>\n")
