"""The pages of the tracker site: home with its headline figures, one per agreement, state and
source, the indexes and search (HTML from :mod:`transferkg.render.site`; every text escaped there)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from transferkg.app.site_data import (
    _agreement_link,
    _Data,
    _property,
    _rows,
    _source_link,
    _state_code,
    _state_link,
    _status,
    _withheld,
    date_text,
    file_name,
    local,
    text,
    value_text,
)
from transferkg.query.results import readable
from transferkg.render.site import (
    Html,
    esc,
    link,
    outside_link,
    table,
)

if TYPE_CHECKING:
    pass



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


def _home(data: _Data, figures: dict[str, Any], changes: str = "") -> str:
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
        '<div class="scroll" tabindex="0"><table id="agreements" class="data sortable">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")
    return ("<h1>Third-country transfer agreements</h1>"
            '<p class="lead">Deals under which one state sends people who are not its nationals to another state. '
            "Every fact is a claim with its source and quote; where sources disagree, both are kept.</p>"
            + figures_html + changes + _map_section(data)
            + "<h2>Every agreement</h2><p>Click a column heading to sort; type to filter.</p>"
            + agreements_table)


def _map_section(data: _Data) -> str:
    """The world map of the deals, and the same pairs as a table (for readers who do not see the map)."""
    from transferkg.render.map import STATUS_GROUPS, pairs_of, world_map

    rows = []
    for r in data.agreements:
        sender, host = _state_code(r.get("sender")), _state_code(r.get("host"))
        if sender and host:
            rows.append((sender, host, data.label(str(r["sender"])), data.label(str(r["host"])),
                         text(r["agreementLabel"]) or local(r["agreement"]), local(r.get("status") or ""),
                         readable(r.get("operative")) is True))
    pairs = pairs_of(rows)
    table_rows = [(p.sender_label, p.host_label, str(len(p.agreements)), STATUS_GROUPS[p.group][2].split(" (")[0])
                  for p in pairs]
    return ("<h2>Who sends people where</h2>" + world_map(pairs)
            + "<details><summary>The same pairs as a table</summary>"
            + table(("sending state", "receiving state", "agreements", "status of the pair"), table_rows,
                    sortable=True) + "</details>")


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
            + _partners(data, iri, label, hosted, sent) + _recognition(data, hosted)
            + "<h2>As receiving state</h2>" + deals(hosted, "sender")
            + "<h2>As sending state</h2>" + deals(sent, "host")
            + "<h2>People received, by kind</h2><p>Reported totals and recorded transfers side by side, never added; "
            "kinds never mixed.</p>" + _totals_table(data, _rows(data.totals, "host", {iri}), "sender")
            + "<h2>People sent, by kind</h2>" + _totals_table(data, _rows(data.totals, "sender", {iri}), "host"))


def _partners(data: _Data, iri: str, label: str, hosted: list[dict[str, Any]], sent: list[dict[str, Any]]) -> str:
    """The state's partners as a small network (one arrow per partner and direction)."""
    from transferkg.render.map import partner_network, status_group

    best: dict[tuple[str, bool], str] = {}
    order = ("operative", "agreed", "stopped")
    for rows, other, outgoing in ((hosted, "sender", False), (sent, "host", True)):
        for r in rows:
            if r.get(other) is None or str(r[other]) == iri:
                continue
            group = status_group(local(r.get("status") or ""), readable(r.get("operative")) is True)
            key = (data.label(str(r[other])), outgoing)
            best[key] = min(best.get(key, "stopped"), group, key=order.index)
    if not best:
        return ""
    return "<h2>Partners</h2>" + partner_network(label, [(name, out, g) for (name, out), g in best.items()])


def _recognition(data: _Data, hosted: list[dict[str, Any]]) -> str:
    """Where the state's recognition is limited: how many recognise it, who does not, what each sender says."""
    ids = {str(r["agreement"]) for r in hosted}
    rows = [r for r in data.recognition if str(r["agreement"]) in ids]
    if not rows:
        return ""
    first = rows[0]
    said = text(first.get("recognitionCount")) or "not recorded"
    refusing = text(first.get("nonRecognisingStates")) or "none recorded"
    senders = table(("agreement", "sending state", "does the sender recognise this state?"), [
        (_agreement_link(r["agreement"], r["agreementLabel"], 1), text(r.get("senderLabel")),
         text(r.get("senderRecognisesHost")) or "not recorded") for r in rows])
    return ("<h2>Recognition</h2><p>This state's recognition is limited: recognised by "
            f"<strong>{esc(said)}</strong> (latest count; {esc(text(first.get('recognitionCounts')))} counts "
            f"recorded); recorded as not recognising it: {esc(refusing)}.</p>" + senders)


def _source_page(data: _Data, iri: str) -> str:
    row = data.sources[iri]
    claims = data.claims_by_source.get(iri, [])

    def about(subject: Any) -> Any:
        if str(subject) in data.agreement_ids:
            return _agreement_link(subject, data.label(subject), 1)
        return _state_link(data, subject, data.label(subject), 1) if _state_code(subject) else data.label(subject)

    claims_table = table(("about", "what", "value", "said by", "quote"), [
        (about(c["subject"]), _property(c["property"]), value_text(c.get("value")), text(c.get("speaker")),
         text(c.get("quote"))) for c in sorted(claims, key=lambda c: (data.label(c["subject"]), str(c["property"]),
                                                                      value_text(c.get("value")), text(c.get("quote")),
                                                                      text(c.get("speaker"))))])
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
