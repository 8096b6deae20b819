"""The publishable tracker site: ``transferkg site [--out build/site/]``.

A static folder that opens from disk: a home page with the headline figures and a
sortable, filterable table of every agreement, a page per agreement, per state
and per source, a sources index, a states index and a client-side search. Every
figure comes from the query library (``agreements``, ``totals``, ``current_status``,
``status_timeline``, ``transfers``, ``transferred_vs_capacity``, ``disagreements``,
``withheld_information``, ``payments``, ``selection_criteria``, ``legal_challenges``,
``claims_about``) or from the views' internal rows (the sources and their claims);
the library queries that list every agreement run once, and each agreement's rows
are picked from them.

The site is written into a temporary folder next to the target and moved into
place only when every page is written: a failed build leaves the previous site as
it was.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transferkg.core.errors import OutputError
from transferkg.core.namespaces import ID
from transferkg.core.resources import internal_query
from transferkg.core.states import state_label
from transferkg.query.results import readable
from transferkg.render.site import (
    SEARCH_JS,
    SORT_JS,
    Html,
    esc,
    json_for_script,
    link,
    outside_link,
    page,
    table,
)

if TYPE_CHECKING:
    from transferkg.app.kg import KnowledgeGraph

__all__ = ["SiteReport", "build_site", "check_site_target", "headline"]

THIRD_COUNTRY = "https://w3id.org/tct/vocab/third-country-deportation"


@dataclass
class SiteReport:
    """What ``build_site`` wrote."""

    out: Path
    pages: list[str] = field(default_factory=list)

    def summary(self) -> str:
        kinds = Counter(p.split("/", 1)[0] if "/" in p else "top" for p in self.pages)
        return (f"wrote {len(self.pages)} pages to {self.out} ("
                + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) + ")")


# --------------------------------------------------------------------------- values


def text(term: Any) -> str:
    """A query cell as text: dates at their precision (2025-07 stays 2025-07), booleans as yes/no."""
    value = readable(term)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


_PERSON = re.compile(r"(\d[\d,]*)\s+person\b")


def value_text(term: Any) -> str:
    """A claim's value as a sentence says it: "50 people", "1 person"."""
    return _PERSON.sub(lambda m: m.group(1) + (" person" if m.group(1) == "1" else " people"), text(term))


def date_text(term: Any, missing: str = "") -> Html:
    """A date at its precision, never broken across lines."""
    shown = text(term) or missing
    return Html(f'<span class="nw">{esc(shown)}</span>') if shown else Html("")


def local(iri: Any) -> str:
    return str(iri).removeprefix(str(ID))


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def file_name(iri: Any) -> str:
    """A file name for an id: its local name if that is safe, else a safe prefix and a hash of it."""
    name = local(iri)
    safe = _UNSAFE_NAME.sub("_", name)[:80].lstrip(".") or "x"
    if safe != name:
        safe += "-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
    return safe + ".html"


def _state_code(iri: Any) -> str | None:
    name = local(iri) if iri is not None else ""
    return name.removeprefix("state-") if name.startswith("state-") else None


def _property(iri: Any) -> str:
    name = str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()


# --------------------------------------------------------------------------- data


class _Data:
    """Every row the site shows, each library query run once."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        from transferkg.views.rows import view_rows

        self.kg = kg
        self.agreements = kg.result("agreements").dicts()
        self.totals = kg.result("totals").dicts()
        self.current = {str(r["agreement"]): r for r in kg.result("current_status").dicts()}
        self.capacity = {str(r["agreement"]): r for r in kg.result("transferred_vs_capacity").dicts()}
        self.transfers = kg.result("transfers").dicts()
        self.disagreements = kg.result("disagreements").dicts()
        self.withheld = kg.result("withheld_information").dicts()
        self.payments = kg.result("payments").dicts()
        self.criteria = kg.result("selection_criteria").dicts()
        self.challenges = kg.result("legal_challenges").dicts()
        self.sources = {str(r["source"]): r for r in view_rows(kg, "claim_sources")}
        details: dict[str, dict[str, Any]] = defaultdict(dict)
        for row in view_rows(kg, "claim_details"):
            details[str(row["claim"])][_property(row["p"])] = row["x"]
        for row in view_rows(kg, "claim_objects"):  # an object value (a status, a state…) shown by its label
            claim = details[str(row["claim"])]
            if claim.get("literal value") is None:
                claim["literal value"] = row["ol"] if row["ol"] is not None else local(row["o"])
        labels = {str(r["thing"]): r["label"] for r in view_rows(kg, "claim_subject_labels") if r["label"]}
        self.labels = labels
        self.claims_by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in view_rows(kg, "claims"):
            claim = details.get(str(row["claim"]), {})
            self.claims_by_source[str(row["source"])].append({
                "subject": row["subject"], "property": row["property"], "value": claim.get("literal value"),
                "rank": claim.get("rank"), "speaker": self.label(claim.get("speaker")), "quote": claim.get("quote")})
        self.agreement_ids = {str(r["agreement"]) for r in self.agreements}

    def parts(self, iri: str) -> set[str]:
        from rdflib import URIRef

        rows = self.kg.store.select(internal_query("transferkg.app", "agreement_parts"), {"a": URIRef(iri)}).rows
        return {iri} | {str(r[0]) for r in rows}

    def label(self, iri: Any) -> str:
        if iri is None:
            return ""
        code = _state_code(iri)
        if code:
            return state_label(code) or code
        found = self.labels.get(str(iri))
        return text(found) if found is not None else local(iri)


def _rows(rows: Iterable[dict[str, Any]], column: str, ids: set[str]) -> list[dict[str, Any]]:
    return [r for r in rows if r.get(column) is not None and str(r[column]) in ids]


# --------------------------------------------------------------------------- links


def _href(kind: str, iri: Any, depth: int) -> str:
    return "../" * depth + f"{kind}/{file_name(iri)}"


def _state_link(data: _Data, iri: Any, label: Any, depth: int) -> Any:
    if iri is None:
        return Html('<span class="none">not named</span>')
    return link(_href("states", iri, depth), text(label) or data.label(iri)) if _state_code(iri) else text(label)


def _agreement_link(iri: Any, label: Any, depth: int) -> Any:
    return link(_href("agreements", iri, depth), text(label) or local(iri))


def _source_link(data: _Data, iri: Any, depth: int, title: Any = None) -> Any:
    if iri is None:
        return ""
    shown = text(title) or text((data.sources.get(str(iri)) or {}).get("title")) or local(iri)
    return link(_href("sources", iri, depth), shown) if str(iri) in data.sources else shown


def _status(row: dict[str, Any]) -> Html:
    operative = readable(row.get("operative")) is True
    label = text(row.get("statusLabel")) or "not recorded"
    return Html(f'<span class="status{" op" if operative else ""}">{esc(label)}</span>')


def _withheld(row: dict[str, Any]) -> str:
    """The nationalities of a transfer, or that they were withheld or are unknown."""
    names = text(row.get("nationalities"))
    info = text(row.get("nationalityInfo"))
    if names and info:
        return f"{names} ({info})"
    return names or (info if info else "not reported")


# --------------------------------------------------------------------------- figures


def headline(data: _Data) -> dict[str, Any]:
    """The home page's figures: agreements by status, people by kind (from ``totals``), states involved."""
    by_status = Counter(text(r.get("statusLabel")) or "status not recorded" for r in data.agreements)
    operative = sum(1 for r in data.agreements if readable(r.get("operative")) is True)
    kinds: dict[str, dict[str, Any]] = {}
    for row in data.totals:
        kind = kinds.setdefault(str(row["kind"]), {"label": text(row["kindLabel"]), "recorded": 0,
                                                   "transfers": 0, "reported": 0, "reported_rows": 0,
                                                   "lower_bounds": 0, "pairs": 0, "uncounted": 0})
        kind["pairs"] += 1
        if row.get("recorded") is not None:
            kind["recorded"] += int(readable(row["recorded"]))
        kind["transfers"] += int(readable(row.get("recordedTransfers")) or 0)
        kind["uncounted"] += int(readable(row.get("recordedWithoutCount")) or 0)
        if row.get("reported") is not None:
            kind["reported"] += int(readable(row["reported"]))
            kind["reported_rows"] += 1
            if text(row.get("reportedQualifier")) not in ("exact", ""):
                kind["lower_bounds"] += 1
    states = {str(r[c]) for r in data.agreements for c in ("sender", "host") if r.get(c) is not None}
    senders = {str(r["sender"]) for r in data.agreements if r.get("sender") is not None}
    hosts = {str(r["host"]) for r in data.agreements if r.get("host") is not None}
    return {"agreements": len(data.agreements), "operative": operative, "by_status": by_status,
            "kinds": kinds, "states": len(states), "senders": len(senders), "hosts": len(hosts)}


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _kind_sentence(k: dict[str, Any]) -> str:
    """One kind's figures in words: recorded and reported side by side, never added."""
    if k["transfers"]:
        counted = k["transfers"] - k["uncounted"]
        recorded = (f"{k['recorded']:,} people in {_plural(counted, 'recorded transfer')}" if counted else
                    "no recorded transfer with a count")
        if k["uncounted"]:
            recorded += f" (and {_plural(k['uncounted'], 'transfer')} without a count)"
    else:
        recorded = "no recorded transfer"
    if not k["reported_rows"]:
        return recorded
    loose = (f"; {k['lower_bounds']} of these are approximate, lower bounds or ranges" if k["lower_bounds"]
             else "")
    return (f"{recorded}. Latest reported totals: {k['reported']:,} over "
            f"{_plural(k['reported_rows'], 'pair')} of states{loose}")


def _home(data: _Data, figures: dict[str, Any]) -> str:
    statuses = "".join(f"<li>{esc(s)}: <strong>{n}</strong></li>"
                       for s, n in sorted(figures["by_status"].items(), key=lambda x: (-x[1], x[0])))
    order = sorted(figures["kinds"].values(), key=lambda k: (k["label"] != "third-country deportation", k["label"]))
    kinds = "".join(f"<li><strong>{esc(k['label'])}</strong>: {esc(_kind_sentence(k))}</li>" for k in order)
    figures_html = (
        '<section class="figures" aria-label="headline figures">'
        f'<div class="figure"><h3>{figures["agreements"]} agreements</h3><ul>{statuses}</ul>'
        f'<p class="def">{figures["operative"]} operative (in force, implemented or resumed). The status is the last '
        "effective change of each agreement's history (query <code>agreements</code>).</p></div>"
        f'<div class="figure"><h3>People transferred, by kind</h3><ul>{kinds}</ul>'
        '<p class="def">Kinds are never added together. <em>Recorded</em> adds up the transfers recorded one by one '
        "(a flight inside a reported group counts once); <em>reported</em> is the latest cumulative count sources "
        "give for each pair of states. The two are shown side by side, never summed (query <code>totals</code>)."
        "</p></div>"
        f'<div class="figure"><h3>{figures["states"]} states involved</h3>'
        f'<ul><li>{figures["senders"]} sending states</li><li>{figures["hosts"]} receiving states</li></ul>'
        '<p class="def">States named as sender or receiving state of at least one agreement '
        '(see <a href="states.html">all states</a>).</p></div></section>')
    rows = []
    for r in sorted(data.agreements, key=lambda r: text(r["agreementLabel"]).casefold()):
        rows.append(Html("<tr data-status=\"" + esc(text(r.get("statusLabel"))) + "\">" + "".join(
            f"<td>{v if isinstance(v, Html) else esc(v)}</td>" for v in (
                _agreement_link(r["agreement"], r["agreementLabel"], 0),
                _state_link(data, r.get("sender"), r.get("senderLabel"), 0),
                _state_link(data, r.get("host"), r.get("hostLabel"), 0),
                text(r.get("kindLabel")), _status(r), date_text(r.get("signed")))) + "</tr>"))
    head = "".join(f'<th scope="col">{h}</th>' for h in ("agreement", "sending state", "receiving state", "kind",
                                                          "status", "signed"))
    options = "".join(f'<option value="{esc(s)}">{esc(s)}</option>' for s in sorted(figures["by_status"])
                      if s != "status not recorded")
    agreements_table = (
        '<div class="filter"><label>Filter <input id="filter-text" type="search" '
        'placeholder="state, kind, words of the name"></label>'
        f'<label>Status <select id="filter-status"><option value="">any</option>{options}</select></label>'
        '<span id="filter-count" role="status" aria-live="polite"></span></div>'
        '<div class="scroll"><table id="agreements" class="data sortable">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")
    return ("<h1>Third-country transfer agreements</h1>"
            '<p class="lead">Deals under which one state sends people who are not its nationals to another state. '
            "Every fact is a claim with its source and quote; where sources disagree, both are kept.</p>"
            + figures_html + "<h2>Every agreement</h2><p>Click a column heading to sort; type to filter.</p>"
            + agreements_table)


# --------------------------------------------------------------------------- pages


def _facts(pairs: Iterable[tuple[str, Any]]) -> str:
    return '<dl class="facts">' + "".join(
        f"<dt>{esc(k)}</dt><dd>{v if isinstance(v, Html) else esc(v if v not in (None, '') else '—')}</dd>"
        for k, v in pairs) + "</dl>"


def _agreement_page(data: _Data, row: dict[str, Any]) -> str:
    iri = str(row["agreement"])
    subject = local(iri)
    parts = data.parts(iri)
    current = data.current.get(iri, {})
    capacity = data.capacity.get(iri, {})
    since = (f"since {text(current.get('since'))}" if current.get("since") is not None else
             f"known by {text(current.get('knownBy'))}" if current.get("knownBy") is not None else "date not recorded")
    signed = text(row.get("signed")) + (" (sources disagree)" if readable(row.get("signingDatesDisagree")) else "")
    facts = _facts([
        ("kind", text(row.get("kindLabel"))),
        ("sending state", _state_link(data, row.get("sender"), row.get("senderLabel"), 1)),
        ("receiving state", _state_link(data, row.get("host"), row.get("hostLabel"), 1)),
        ("current status", Html(f"{_status(row)} {esc(since)}")),
        ("signed", signed),
        ("largest stated capacity", text(capacity.get("maxCapacity"))),
        ("people in recorded transfers", text(capacity.get("peopleInTransferEvents"))),
        ("recorded transfers", text(capacity.get("transferEvents"))),
    ])
    timeline = data.kg.result("status_timeline", {"agreement": subject}).dicts()
    timeline_table = table(
        ("#", "status", "date", "known by", "changed the status", "placed by", "sources", "first source"),
        [(text(t.get("sequence")), text(t.get("status")), date_text(t.get("date"), "undated"), date_text(t.get("knownBy")),
          "yes" if readable(t.get("effective")) is not False else "no (an earlier step reported late)",
          text(t.get("orderBasis")), text(t.get("sources")), _source_link(data, t.get("source"), 1))
         for t in timeline])
    transfers = _rows(data.transfers, "agreement", {iri})
    transfers_table = table(
        ("transfer", "date", "people", "largest reported", "part of", "nationalities"),
        [(text(t["transferLabel"]), date_text(t.get("date"), "undated"), text(t.get("people")) or
          ("counted in its group" if t.get("partOf") is not None else "not reported"),
          text(t.get("reportedPeople")), data.label(t.get("partOf")), _withheld(t)) for t in transfers])
    pairs = []
    grouped: dict[tuple[str, str], dict[str, list[str]]] = {}
    for d in _rows(data.disagreements, "subject", parts):
        key = (text(d.get("subjectLabel")) or data.label(d["subject"]), _property(d["property"]))
        values = grouped.setdefault(key, {})
        for i in (1, 2):
            said = (f'{esc(text(d.get(f"speaker{i}")) or "speaker not named")} — '
                    f"{_source_link(data, d.get(f'source{i}'), 1)}")
            entries = values.setdefault(value_text(d.get(f"value{i}")), [])
            if said not in entries:
                entries.append(said)
    for (about, prop), values in sorted(grouped.items()):
        sides = "".join(f'<div class="side"><strong>{esc(value)}</strong><ul>'
                        + "".join(f"<li>{entry}</li>" for entry in entries) + "</ul></div>"
                        for value, entries in sorted(values.items()))
        pairs.append(f'<div class="pair"><h3>{esc(about)}: {esc(prop)}</h3>{sides}</div>')
    withheld = table(("about", "what", "status", "said by", "source"), [
        (text(w.get("subjectLabel")), _property(w["property"]), text(w.get("status")), text(w.get("speaker")),
         _source_link(data, w.get("source"), 1)) for w in _rows(data.withheld, "subject", parts)])
    payments = table(("about", "what", "value", "rank", "said by", "source"), [
        (text(p.get("subjectLabel")), _property(p["property"]), text(p.get("value")), text(p.get("rank")),
         text(p.get("speaker")), _source_link(data, p.get("source"), 1)) for p in _rows(data.payments, "subject", parts)])
    criteria = table(("criterion", "selected by", "note"), [
        (text(c.get("criterionType")), text(c.get("selectedByLabel")), text(c.get("note")))
        for c in _rows(data.criteria, "agreement", {iri})])
    cases = table(("case", "date", "court", "outcome"), [
        (text(c.get("caseLabel")), date_text(c.get("date")), text(c.get("courtLabel")), text(c.get("outcome")))
        for c in _rows(data.challenges, "challenged", {iri})])
    claims = data.kg.result("claims_about", {"subject": subject}).dicts()
    claim_html = "".join(
        '<div class="claim"><div><strong>' + esc(_property(c["property"])) + ":</strong> " + esc(value_text(c.get("value")))
        + (f' <span class="status">{esc(text(c.get("rank")))}</span>' if text(c.get("rank")) not in ("", "normal")
           else "") + "</div>"
        + (f"<blockquote>{esc(text(c.get('quote')))}</blockquote>" if c.get("quote") is not None else "")
        + '<div class="meta">' + esc(text(c.get("speaker")) or "speaker not named") + " — "
        + _source_link(data, c.get("source"), 1, c.get("sourceTitle"))
        + (f", published {esc(text(c.get('published')))}" if c.get("published") is not None else "")
        + "</div></div>" for c in claims) or '<p class="none">no claim recorded</p>'
    return (f"<h1>{esc(text(row['agreementLabel']))}</h1><p class=\"lead\">agreement <code>{esc(subject)}</code></p>"
            + facts + "<h2>Status timeline</h2><p>Each status change in order, dated at the precision its sources "
            "give (2025-07 is some day in July 2025).</p>" + timeline_table
            + "<h2>Transfers</h2><p>People adds up without counting anyone twice; nationalities that the authorities "
            "withheld or that sources call unknown are shown as such.</p>" + transfers_table
            + "<h2>Where sources disagree</h2>" + ("".join(pairs) or '<p class="none">no disagreement recorded</p>')
            + "<h2>Withheld or unknown</h2>" + withheld + "<h2>Payments</h2>" + payments
            + "<h2>Selection criteria</h2>" + criteria + "<h2>Court cases</h2>" + cases
            + f"<h2>Every claim ({len(claims)})</h2>" + claim_html)


def _totals_table(data: _Data, rows: list[dict[str, Any]], other: str) -> str:
    return table((f"{'receiving' if other == 'host' else 'sending'} state", "kind", "reported", "reported as",
                  "as of", "recorded", "recorded transfers", "without a count"), [
        (_state_link(data, r.get(other), r.get(f"{other}Label"), 1), text(r["kindLabel"]), text(r.get("reported")),
         text(r.get("reportedQualifier")), date_text(r.get("reportedAsOf")), text(r.get("recorded")),
         text(r.get("recordedTransfers")), text(r.get("recordedWithoutCount")))
        for r in sorted(rows, key=lambda r: (text(r["kindLabel"]), text(r.get(f"{other}Label"))))])


def _state_page(data: _Data, iri: str) -> str:
    code = _state_code(iri) or local(iri)
    label = data.label(iri)
    hosted = _rows(data.agreements, "host", {iri})
    sent = _rows(data.agreements, "sender", {iri})

    def deals(rows: list[dict[str, Any]], other: str) -> str:
        return table(("agreement", "other party", "kind", "status", "signed"), [
            (_agreement_link(r["agreement"], r["agreementLabel"], 1),
             _state_link(data, r.get(other), r.get(f"{other}Label"), 1), text(r.get("kindLabel")), _status(r),
             date_text(r.get("signed"))) for r in sorted(rows, key=lambda r: text(r["agreementLabel"]))])

    return (f"<h1>{esc(label)}</h1><p class=\"lead\">state <code>{esc(code)}</code></p>"
            + _facts([("agreements as receiving state", str(len(hosted))),
                      ("agreements as sending state", str(len(sent)))])
            + "<h2>As receiving state</h2>" + deals(hosted, "sender")
            + "<h2>As sending state</h2>" + deals(sent, "host")
            + "<h2>People received, by kind</h2><p>Reported totals and recorded transfers side by side, never added; "
            "kinds never mixed.</p>" + _totals_table(data, _rows(data.totals, "host", {iri}), "sender")
            + "<h2>People sent, by kind</h2>" + _totals_table(data, _rows(data.totals, "sender", {iri}), "host"))


def _source_page(data: _Data, iri: str) -> str:
    row = data.sources[iri]
    claims = data.claims_by_source.get(iri, [])

    def about(subject: Any) -> Any:
        if str(subject) in data.agreement_ids:
            return _agreement_link(subject, data.label(subject), 1)
        return _state_link(data, subject, data.label(subject), 1) if _state_code(subject) else data.label(subject)

    claims_table = table(("about", "what", "value", "said by", "quote"), [
        (about(c["subject"]), _property(c["property"]), value_text(c.get("value")), text(c.get("speaker")),
         text(c.get("quote"))) for c in sorted(claims, key=lambda c: (data.label(c["subject"]), str(c["property"])))])
    title = text(row.get("title")) or local(iri)
    return (f"<h1>{esc(title)}</h1><p class=\"lead\">source <code>{esc(local(iri))}</code></p>"
            + _facts([("publisher", text(row.get("publisherLabel")) or local(row.get("publisher") or "")),
                      ("published", text(row.get("issued")) or "date not given"),
                      ("type", text(row.get("sourceType"))),
                      ("address", outside_link(row.get("url")) if row.get("url") is not None else "not recorded")])
            + f"<h2>Claims it supports ({len(claims)})</h2>" + claims_table)


def _sources_index(data: _Data) -> str:
    rows = sorted(data.sources.items(), key=lambda kv: (text(kv[1].get("issued")), local(kv[0])), reverse=True)
    return (f"<h1>Sources ({len(rows)})</h1><p class=\"lead\">Every source a claim is derived from, newest first.</p>"
            + table(("source", "publisher", "published", "type", "claims"), [
                (_source_link(data, iri, 0, r.get("title")),
                 text(r.get("publisherLabel")), date_text(r.get("issued")), text(r.get("sourceType")),
                 str(len(data.claims_by_source.get(iri, [])))) for iri, r in rows], sortable=True))


def _states_index(data: _Data, states: list[str]) -> str:
    rows = []
    for iri in states:
        hosted = len(_rows(data.agreements, "host", {iri}))
        sent = len(_rows(data.agreements, "sender", {iri}))
        rows.append((link(f"states/{file_name(iri)}", data.label(iri)), _state_code(iri) or "", str(hosted), str(sent)))
    return (f"<h1>States ({len(rows)})</h1><p class=\"lead\">Every state named as a party to an agreement or in "
            "the totals.</p>" + table(("state", "code", "as receiving state", "as sending state"),
                                      sorted(rows, key=lambda r: str(r[0])), sortable=True))


def _search_page() -> str:
    return ('<h1>Search</h1><p class="lead">Agreements, states and sources, searched in this page '
            '(nothing is sent anywhere).</p><div class="filter"><label>Search <input id="q" type="search" '
            'autofocus></label><span id="count" role="status" aria-live="polite"></span></div><ul id="results"></ul>')


# --------------------------------------------------------------------------- build


def _pages(kg: KnowledgeGraph) -> dict[str, str]:
    """Every file of the site: relative path → its text."""
    data = _Data(kg)
    figures = headline(data)
    pages: dict[str, str] = {}
    index: list[dict[str, str]] = []
    pages["index.html"] = page("Agreements", _home(data, figures), depth=0, scripts=(SORT_JS,))
    for row in data.agreements:
        name = f"agreements/{file_name(row['agreement'])}"
        label = text(row["agreementLabel"]) or local(row["agreement"])
        pages[name] = page(label, _agreement_page(data, row), depth=1)
        index.append({"title": label, "kind": "agreement", "href": name,
                      "text": " ".join(text(row.get(c)) for c in ("senderLabel", "hostLabel", "kindLabel",
                                                                   "statusLabel"))})
    states = sorted({str(r[c]) for rows in (data.agreements, data.totals) for r in rows for c in ("sender", "host")
                     if r.get(c) is not None and _state_code(r[c])})
    for iri in states:
        name = f"states/{file_name(iri)}"
        pages[name] = page(data.label(iri), _state_page(data, iri), depth=1)
        index.append({"title": data.label(iri), "kind": "state", "href": name, "text": _state_code(iri) or ""})
    pages["states.html"] = page("States", _states_index(data, states), depth=0, scripts=(SORT_JS,))
    for iri in sorted(data.sources):
        name = f"sources/{file_name(iri)}"
        row = data.sources[iri]
        title = text(row.get("title")) or local(iri)
        pages[name] = page(title, _source_page(data, iri), depth=1)
        index.append({"title": title, "kind": "source", "href": name,
                      "text": " ".join((text(row.get("publisherLabel")), text(row.get("issued"))))})
    pages["sources.html"] = page("Sources", _sources_index(data), depth=0, scripts=(SORT_JS,))
    pages["search.html"] = page("Search", _search_page(), depth=0, scripts=(SEARCH_JS,),
                                data=json_for_script(sorted(index, key=lambda i: (i["kind"], i["title"]))))
    return pages


def check_site_target(out: str | os.PathLike[str]) -> Path:
    """``out`` as a path, refused (before any work) when it cannot become the site's folder.

    Raises:
        OutputError: its parent folder does not exist or cannot be written, or ``out`` is a file.
    """
    target = Path(out)
    parent = target.parent
    if not parent.is_dir():
        raise OutputError(f"cannot write {target}: the folder {parent} does not exist (create it first); "
                          "nothing was written")
    if target.exists() and not target.is_dir():
        raise OutputError(f"cannot write {target}: it is a file, not a folder; nothing was written")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {target}: no permission to write in {parent}; nothing was written")
    return target


def build_site(kg: KnowledgeGraph, out: str | os.PathLike[str]) -> SiteReport:
    """Write the site into ``out``: into a temporary folder first, then moved into place in one rename.

    Raises:
        OutputError: the folder holding ``out`` does not exist or cannot be written (nothing changes).
    """
    target = check_site_target(out)
    parent = target.parent
    pages = _pages(kg)  # every query runs before anything is written
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}; nothing was written") from exc
    old: Path | None = None
    try:
        for folder in ("agreements", "states", "sources"):
            (tmp / folder).mkdir()
        for name, content in pages.items():
            (tmp / name).write_text(content, encoding="utf-8")
        os.chmod(tmp, 0o755)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=parent))
            os.replace(target, old / "site")
        os.replace(tmp, target)
    except OSError as exc:
        if old is not None and (old / "site").exists() and not target.exists():
            os.replace(old / "site", target)  # put the previous site back
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}; the previous site is unchanged") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return SiteReport(target, sorted(pages))
