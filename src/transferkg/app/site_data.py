"""What the tracker site shows, read once from the graph: values as text, the rows of every
library query the pages pick from, and links between pages (used by :mod:`~transferkg.app.site_pages`)."""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transferkg.core.namespaces import ID
from transferkg.core.resources import internal_query
from transferkg.core.states import state_label
from transferkg.query.results import readable
from transferkg.render.site import (
    Html,
    esc,
    link,
)

if TYPE_CHECKING:
    from transferkg.app.kg import KnowledgeGraph

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
        from transferkg.views.rows import as_number, as_text, quantity_text, view_rows

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
        self.recognition = kg.result("recognition_of_hosts").dicts()
        self.sources = {str(r["source"]): r for r in view_rows(kg, "claim_sources")}
        details: dict[str, dict[str, Any]] = defaultdict(dict)
        for row in view_rows(kg, "claim_details"):
            details[str(row["claim"])][_property(row["p"])] = row["x"]
        for row in view_rows(kg, "claim_objects"):  # an object value (a status, a state…) shown by its label
            claim = details[str(row["claim"])]
            if claim.get("literal value") is None:
                claim["literal value"] = row["ol"] if row["ol"] is not None else local(row["o"])
        for row in view_rows(kg, "claim_quantities"):  # a quantity (801 person, up to 50 person …) as its text
            amount, low, high = as_number(row["value"]), as_number(row["min"]), as_number(row["max"])
            claim = details[str(row["claim"])]
            if claim.get("literal value") is None and any(v is not None for v in (amount, low, high)):
                claim["literal value"] = quantity_text(as_text(row["qualifier"]), amount, low, high,
                                                       as_text(row["unit"]))
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
