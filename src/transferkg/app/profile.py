"""Profiles: everything the graph says about one state or one agreement, in one answer.

``transferkg show Kosovo`` (or ``kg.profile("Kosovo")``) gathers what a journalist
otherwise assembles from a dozen queries and ids: a state's deals as host and as
sender, the people it sent and received by kind of transfer, the nationalities, its
recognition, court cases and sources; or an agreement's parties, status and its
timeline, capacity, transfers, nationalities, payments, selection criteria, court
cases, disagreements, what was withheld and its sources. Every section comes from
the query library, so a profile says nothing a query does not.
"""

from __future__ import annotations

import difflib
import html
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from transferkg.core.errors import BadParameter
from transferkg.core.namespaces import ID
from transferkg.core.resources import internal_query
from transferkg.core.states import resolve_state, state_label, suggest_states
from transferkg.query.results import format_table, readable
from transferkg.store.base import SelectResult

if TYPE_CHECKING:
    from transferkg.app.kg import KnowledgeGraph

__all__ = ["Profile", "Section", "build_profile"]

FORMATS = ("text", "md", "json", "html")


@dataclass
class Section:
    """One part of a profile: a heading, a sentence saying what it shows, and its rows."""

    title: str
    note: str
    result: SelectResult
    columns: tuple[str, ...] = ()
    """The columns shown to people (all when empty); JSON keeps every column."""

    def shown(self) -> SelectResult:
        if not self.columns:
            return self.result
        index = [self.result.vars.index(c) for c in self.columns if c in self.result.vars]
        return SelectResult(vars=[self.result.vars[i] for i in index],
                            rows=[tuple(row[i] for i in index) for row in self.result.rows])


@dataclass
class Profile:
    """A state's or an agreement's profile."""

    kind: str
    """``state`` or ``agreement``."""
    id: str
    label: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    """The headline facts as (name, value) pairs, each value as the queries give it."""
    sections: list[Section] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def cell(v: Any) -> Any:
            value = readable(v)
            return value.isoformat() if hasattr(value, "isoformat") else value

        return {"kind": self.kind, "id": self.id, "label": self.label, "facts": dict(self.facts),
                "sections": [{"title": s.title, "note": s.note, "columns": s.result.vars,
                              "rows": [[cell(v) for v in row] for row in s.result.rows]}
                             for s in self.sections]}

    def text(self, *, max_width: int | None = 120) -> str:
        """A terminal card."""
        lines = [self.label, "=" * min(len(self.label), max_width or 120), f"{self.kind}: {self.id}"]
        width = max((len(k) for k, _ in self.facts), default=0)
        lines += [f"  {k.ljust(width)}  {v}" for k, v in self.facts]
        for section in self.sections:
            lines += ["", f"{section.title} — {section.note}"]
            lines.append(format_table(section.shown(), max_width=max_width) if len(section.result)
                         else "  (none recorded)")
        return "\n".join(lines)

    def markdown(self) -> str:
        from transferkg.core.outputs import md_cell
        from transferkg.query.results import format_result

        lines = [f"# {md_cell(self.label)}", "", f"*{self.kind}* `{self.id}`", ""]
        lines += [f"- **{md_cell(k)}**: {md_cell(v)}" for k, v in self.facts]
        for section in self.sections:
            lines += ["", f"## {section.title}", "", section.note, ""]
            lines.append(format_result(section.shown(), "md") if len(section.result) else "*(none recorded)*\n")
        return "\n".join(lines)

    def html(self) -> str:
        """A self-contained page; every text from the data is escaped."""
        e = html.escape
        parts = [f"<h1>{e(self.label)}</h1>", f"<p class='id'>{e(self.kind)} <code>{e(self.id)}</code></p>",
                 "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in self.facts) + "</dl>"]
        for section in self.sections:
            shown = section.shown()
            parts.append(f"<section><h2>{e(section.title)}</h2><p>{e(section.note)}</p>")
            if not len(shown):
                parts.append("<p><em>none recorded</em></p></section>")
                continue
            head = "".join(f"<th scope='col'>{e(_header(v))}</th>" for v in shown.vars)
            body = "".join("<tr>" + "".join(f"<td>{e(_cell(v))}</td>" for v in row) + "</tr>" for row in shown.rows)
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>")
        from transferkg.core.outputs import fill_template

        return fill_template(_PAGE, {"title": e(self.label), "body": "\n".join(parts)}, _SLOTS)

    def render(self, fmt: str = "text", *, max_width: int | None = 120) -> str:
        if fmt == "json":
            return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)
        if fmt == "md":
            return self.markdown()
        if fmt == "html":
            return self.html()
        if fmt == "text":
            return self.text(max_width=max_width)
        raise BadParameter(f"unknown profile format {fmt!r}; one of {', '.join(FORMATS)}")


def _header(name: str) -> str:
    from transferkg.query.results import _words

    return _words(name)


def _cell(value: Any) -> str:
    from transferkg.query.results import _short

    return _short(readable(value))


_SLOTS = re.compile(r"\{(title|body)\}")
_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — transferkg</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:1rem auto;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.6rem;margin-bottom:.2rem} .id{color:#555;margin-top:0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem} dt{font-weight:600}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem;font-size:.9rem}
th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3} section{overflow-x:auto}
</style></head><body>
{body}
</body></html>
"""


def _rows_about(result: SelectResult, column: str, ids: set[str]) -> SelectResult:
    """The rows of ``result`` whose ``column`` is one of ``ids``."""
    if column not in result.vars:
        return SelectResult(vars=result.vars, rows=[])
    i = result.vars.index(column)
    return SelectResult(vars=result.vars, rows=[row for row in result.rows if str(row[i]) in ids])


def _first(result: SelectResult, column: str) -> Any:
    if not result.rows or column not in result.vars:
        return None
    return readable(result.rows[0][result.vars.index(column)])


def _fmt(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def resolve(kg: KnowledgeGraph, name: str) -> tuple[str, str]:
    """(``state`` or ``agreement``, full IRI) for a user's name, code or id.

    Raises:
        BadParameter: nothing of that name, with close names.
    """
    text = name.strip()
    code = resolve_state(text)
    if code is not None:
        iri = str(ID[f"state-{code}"])
        if not kg.store.ask(internal_query(__package__, "is_mentioned"), {"x": ID[f"state-{code}"]}):
            raise BadParameter(f"{state_label(code)} ({code}) appears nowhere in the graph")
        return "state", iri
    rows = kg.store.select(internal_query(__package__, "agreement_labels")).rows
    by_key: dict[str, str] = {}
    for agreement, label in rows:
        local = str(agreement).removeprefix(str(ID))
        for key in (local, local.removeprefix("agreement-"), str(label)):
            by_key[key.casefold()] = str(agreement)
    wanted = text.removeprefix("id:").removeprefix(str(ID)).casefold()
    if wanted in by_key:
        return "agreement", by_key[wanted]
    containing = sorted({iri for key, iri in by_key.items() if len(wanted) >= 4 and wanted in key})
    if len(containing) == 1:
        return "agreement", containing[0]
    if len(containing) > 1:
        shown = ", ".join(c.removeprefix(str(ID)) for c in containing[:8])
        raise BadParameter(f"{name!r} names {len(containing)} agreements: {shown}; give one id")
    close = difflib.get_close_matches(wanted, list(by_key), n=3, cutoff=0.6)
    names = [c for c in close] + [s.casefold() for s in suggest_states(text)]
    hint = f"; did you mean {', '.join(dict.fromkeys(names))}?" if names else ""
    raise BadParameter(f"{name!r} is neither a state (name, demonym or ISO code) nor an agreement id or label{hint}")


def build_profile(kg: KnowledgeGraph, name: str) -> Profile:
    """The profile of the state or agreement ``name`` (see :func:`resolve`)."""
    kind, iri = resolve(kg, name)
    return _state_profile(kg, iri) if kind == "state" else _agreement_profile(kg, iri)


def _state_profile(kg: KnowledgeGraph, iri: str) -> Profile:
    code = iri.rsplit("-", 1)[-1]
    label = state_label(code) or code
    hosted = kg.result("agreements", {"host": code})
    sent = kg.result("agreements", {"sender": code})
    totals = kg.result("totals")
    received = _rows_about(totals, "host", {iri})
    sent_people = _rows_about(totals, "sender", {iri})
    transfers = kg.result("transfers", {"host": code})
    nationalities = _rows_about(kg.result("nationalities_by_host"), "host", {iri})
    recognition = _rows_about(kg.result("recognition_of_hosts"), "agreement",
                              {str(r[0]) for r in hosted.rows})
    agreements = {str(r[0]) for r in hosted.rows} | {str(r[0]) for r in sent.rows}
    challenges = _rows_about(kg.result("legal_challenges"), "challenged", agreements)
    operative = [r for r in hosted.rows if readable(r[hosted.vars.index("operative")]) is True]
    deportations = _rows_about(received, "kind", {"https://w3id.org/tct/vocab/third-country-deportation"})
    facts = [
        ("ISO code", code),
        ("agreements as receiving state", f"{len(hosted)} ({len(operative)} operative)"),
        ("agreements as sending state", str(len(sent))),
        ("third-country deportees received (recorded transfers)", _recorded(deportations)),
        ("third-country deportees received (latest reported total)", _reported_totals(deportations)),
    ]
    sections = [
        Section("As receiving state", "its agreements as host: kind, sending state, current status, signing date",
                hosted, ("agreement", "agreementLabel", "kindLabel", "senderLabel", "statusLabel", "operative", "signed")),
        Section("As sending state", "its agreements as sender", sent,
                ("agreement", "agreementLabel", "kindLabel", "hostLabel", "statusLabel", "operative", "signed")),
        Section("People received, by kind", "reported totals and recorded transfers, side by side, never added",
                received, ("senderLabel", "kindLabel", "reported", "reportedQualifier", "reportedAsOf", "recorded",
                           "recordedTransfers", "recordedWithoutCount")),
        Section("People sent, by kind", "the same, for transfers it sent", sent_people,
                ("hostLabel", "kindLabel", "reported", "reportedQualifier", "reportedAsOf", "recorded",
                 "recordedTransfers")),
        Section("Transfers received", "one row per transfer; people adds up without double counting", transfers,
                ("transferLabel", "kindLabel", "date", "fromLabel", "people", "nationalities", "nationalityInfo")),
        Section("Nationalities received", "nationalities sources name for transfers to it", nationalities,
                ("nationalityLabel", "transfers")),
        Section("Recognition", "whether the sending states of its agreements recognise it", recognition,
                ("agreementLabel", "senderLabel", "senderRecognisesHost", "recognitionCount", "nonRecognisingStates")),
        Section("Court cases", "legal challenges against its agreements", challenges,
                ("caseLabel", "challengedLabel", "date", "courtLabel", "outcome")),
    ]
    return Profile("state", f"id:state-{code}", label, facts, sections)


def _recorded(totals: SelectResult) -> str:
    """People in recorded transfers over the rows of ``totals`` (one kind; senders add up)."""
    rows = list(totals.dicts())
    counts = [readable(r["recorded"]) for r in rows if r.get("recorded") is not None]
    transfers = sum(int(readable(r["recordedTransfers"]) or 0) for r in rows)
    uncounted = sum(int(readable(r["recordedWithoutCount"]) or 0) for r in rows)
    if not transfers:
        return "none recorded"
    total = f"{sum(counts):,}" if counts else "no count"
    return f"{total} in {transfers} transfer{'s' if transfers != 1 else ''}" + (
        f" ({uncounted} without a count)" if uncounted else "")


def _reported_totals(totals: SelectResult) -> str:
    """Each sender's latest reported total, with its qualifier and date: never summed across wordings."""
    parts = []
    for row in totals.dicts():
        if row.get("reported") is None:
            continue
        qualifier = str(readable(row["reportedQualifier"]) or "")
        number = f"{readable(row['reported']):,}"
        said = qualifier if qualifier.startswith("between") else " ".join(x for x in (qualifier, number)
                                                                          if x and x != "exact")
        when = f", as of {readable(row['reportedAsOf'])}" if row.get("reportedAsOf") is not None else ""
        parts.append(f"{said} (from {readable(row['senderLabel'])}{when})")
    return "; ".join(parts) or "none reported"


def _reported(claims: SelectResult) -> str:
    """The latest reported cumulative count among an agreement's claims, as its source words it."""
    rows = [r for r in claims.dicts() if str(r["property"]).endswith("#personsTransferred")
            and str(r["rank"]).rsplit("/", 1)[-1] != "deprecated"]
    if not rows:
        return "none reported"
    latest = max(rows, key=lambda r: str(r["published"] or ""))
    when = f" (published {latest['published']})" if latest["published"] else ""
    value = re.sub(r"^(.*\d)\s+person$", lambda m: m.group(1) + (" person" if m.group(1) == "1" else " people"),
                   str(latest["value"]))
    return f"{value}{when}; {len(rows)} report{'s' if len(rows) != 1 else ''} in claims_about"


def _agreement_profile(kg: KnowledgeGraph, iri: str) -> Profile:
    from rdflib import URIRef

    local = iri.removeprefix(str(ID))
    row = _rows_about(kg.result("agreements"), "agreement", {iri})
    parts = {iri} | {str(r[0]) for r in kg.store.select(internal_query(__package__, "agreement_parts"),
                                                        {"a": URIRef(iri)}).rows}
    current = _rows_about(kg.result("current_status"), "agreement", {iri})
    timeline = kg.result("status_timeline", {"agreement": local})
    capacity = _rows_about(kg.result("transferred_vs_capacity"), "agreement", {iri})
    transfers = _rows_about(kg.result("transfers"), "agreement", {iri})
    claims = kg.result("claims_about", {"subject": local})
    sources = SelectResult(vars=["source", "sourceTitle", "published"], rows=list(dict.fromkeys(
        (r[claims.vars.index("source")], r[claims.vars.index("sourceTitle")], r[claims.vars.index("published")])
        for r in claims.rows)))
    label = str(_first(row, "agreementLabel") or local)
    when = _first(current, "since")
    since = f"since {_fmt(when)}" if when else (f"known by {_fmt(_first(current, 'knownBy'))}"
                                                if _first(current, "knownBy") else "date not recorded")
    facts = [
        ("kind", _fmt(_first(row, "kindLabel"))),
        ("sending state", _fmt(_first(row, "senderLabel"))),
        ("receiving state", _fmt(_first(row, "hostLabel"))),
        ("current status", f"{_fmt(_first(row, 'statusLabel'))} ({since})"),
        ("operative", _fmt(_first(row, "operative"))),
        ("signed", _fmt(_first(row, "signed")) + (" (sources disagree)" if _first(row, "signingDatesDisagree")
                                                   else "")),
        ("largest stated capacity", _fmt(_first(capacity, "maxCapacity"))),
        ("people transferred (latest reported total)", _reported(claims)),
        ("people in recorded transfers", _fmt(_first(capacity, "peopleInTransferEvents"))),
        ("sources", str(len(sources))),
    ]
    sections = [
        Section("Status timeline", "each status change in order, at the precision its sources give", timeline,
                ("sequence", "status", "effective", "date", "knownBy", "orderBasis", "sources", "source")),
        Section("Transfers", "one row per transfer under it", transfers,
                ("transferLabel", "date", "people", "reportedPeople", "partOf", "nationalities", "nationalityInfo")),
        Section("Payments", "money stated for it", _rows_about(kg.result("payments"), "subject", parts),
                ("subjectLabel", "property", "value", "rank", "speaker", "source")),
        Section("Selection criteria", "whom the receiving state accepts",
                _rows_about(kg.result("selection_criteria"), "agreement", {iri}),
                ("criterionType", "selectedByLabel", "note")),
        Section("Court cases", "legal challenges against it",
                _rows_about(kg.result("legal_challenges"), "challenged", {iri}),
                ("caseLabel", "date", "courtLabel", "outcome", "vote")),
        Section("Disagreements", "where sources give different values, side by side",
                _rows_about(kg.result("disagreements"), "subject", parts),
                ("subjectLabel", "property", "relation", "value1", "source1", "value2", "source2")),
        Section("Withheld or unknown", "what the authorities did not disclose",
                _rows_about(kg.result("withheld_information"), "subject", parts),
                ("subjectLabel", "property", "status", "speaker", "source")),
        Section("Sources", "every source of a claim about the agreement itself", sources),
    ]
    return Profile("agreement", f"id:{local}", label, facts, sections)
