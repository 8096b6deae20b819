"""``transferkg cite ARTICLE``: candidate claims from a new article, for a curator to review.

The article (plain text or HTML on disk) is split into sentences. The agreement it is about
is the one in ``graph/`` whose receiving state the article names most (at least twice, or in
its title): a state named once, in passing, gives no candidates, and a sentence that names
other states but not this one is skipped. From the remaining sentences:

- **numbers of people** (a number followed closely by migrants, deportees, people,
  individuals…; never a year, a number of nations, an age): ``capacity`` where the sentence
  speaks of hosting, accepting or allowing, ``personsTransferred`` where people arrived or
  were sent; the qualifier the sentence puts before the number (``up to``, ``at least``);
- **money** (a currency sign or word next to the number): ``payment`` with its currency;
- **signing dates** ("signed in June"): ``signingDate`` at the precision written; a month
  without a year is resolved against ``--date`` (``basis: relative-date``), else left out;
- **status words** (signed, has received / has arrived / started accepting, suspended,
  blocked, ratified, terminated): a status change of the agreement;
- **protection** ("granted temporary protection") and **withheld information** ("did not
  disclose the … nationality"): ``protectionStatus`` and ``nationalityStatus: withheld``;
- **confirmations** ("officials confirmed the arrangement to CBS News"): a ``note``.

Every candidate carries its sentence as the verbatim quote, the new source's id, and a
``review:`` comment saying what was guessed; the file is written for review, never into
``graph/``. Every candidate passes the evidence check (its value can be read off its quote);
one that does not is dropped and counted.
"""

from __future__ import annotations

import html
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from transferkg.core.states import find_states, mentions, state_label
from transferkg.curation.compile import read_records, yaml_files
from transferkg.curation.evidence.files import check_file
from transferkg.curation.evidence.numbers import canonical, number_spans, qualifiers_before

__all__ = ["Candidate", "CiteResult", "article_text", "cite", "sentences"]

_PEOPLE = re.compile(r"^\W*(?:[\w’'-]+\s+){0,4}?(?:migrants?|deportees?|people|persons?|individuals?|nationals|"
                     r"men|women|children|refugees|asylum[- ]seekers|Venezuelans|Afghans|third-country nationals)\b",
                     re.IGNORECASE)
_NOT_PEOPLE = re.compile(r"^\W*(?:nations|countries|states|years?|months?|days?|percent|%|cells|beds|km|miles)\b",
                         re.IGNORECASE)
_MONEY_BEFORE = re.compile(r"(?:[$€£]|\b(?:USD|EUR|GBP|AUD|DKK)\s?)$")
_MONEY_AFTER = re.compile(r"^\s*(?:million|billion|thousand)?\s*(dollars|euros?|pounds|USD|EUR|GBP|AUD|DKK)\b",
                          re.IGNORECASE)
_CURRENCY = {"$": "USD", "€": "EUR", "£": "GBP", "dollars": "USD", "euro": "EUR", "euros": "EUR", "pounds": "GBP"}
_CAPACITY = re.compile(r"\b(?:host|hosts|house|accept|accepts|take in|relocat\w*|allow\w*|receive up to|up to|"
                       r"capacity|shelter)\b", re.IGNORECASE)
_TRANSFERRED = re.compile(r"\b(?:arrived|has received|have received|were sent|was sent|deported to|landed|"
                          r"flown)\b", re.IGNORECASE)
_STATUS = (
    ("implemented", re.compile(r"\b(?:has|have) (?:received|arrived)|started accepting|begun accepting|"
                               r"first (?:migrant|deportee)s? (?:has |have )?arrived", re.IGNORECASE)),
    ("signed", re.compile(r"\bsigned\b", re.IGNORECASE)),
    ("ratified", re.compile(r"\bratifi(?:ed|es)\b", re.IGNORECASE)),
    ("suspended", re.compile(r"\bsuspend(?:ed|s)\b", re.IGNORECASE)),
    ("blocked-by-court", re.compile(r"\b(?:blocked|halted) by (?:a |the )?(?:judge|court)", re.IGNORECASE)),
    ("terminated", re.compile(r"\b(?:terminated|scrapped|cancelled)\b", re.IGNORECASE)),
)
_SIGNED_DATE = re.compile(r"\bsigned (?:in|on) ([A-Z][a-z]+(?: \d{1,2})?(?:,? \d{4})?)")
_WITHHELD_NATIONALITY = re.compile(r"\b(?:did not|didn't|declined to|would not) (?:disclose|reveal|give|say)\b"
                                   r"[^.]*\bnationalit", re.IGNORECASE)
_NO_DETAILS_NATIONALITY = re.compile(r"\bno details on which countries\b", re.IGNORECASE)
_PROTECTION = re.compile(r"\bgranted (temporary protection|asylum|refugee status|humanitarian protection)\b",
                         re.IGNORECASE)
_CONFIRMED = re.compile(r"\bconfirmed the (?:deportation )?(?:arrangement|agreement|deal)\b", re.IGNORECASE)
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style", "noscript"):
            self._skip += 1
        elif tag in ("p", "br", "div", "h1", "h2", "h3", "h4", "li", "title", "tr"):
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "noscript") and self._skip:
            self._skip -= 1
        elif tag in ("p", "div", "h1", "h2", "h3", "h4", "li", "title"):
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def article_text(path: Path) -> str:
    """The article's text: HTML is reduced to its paragraphs (scripts and styles dropped)."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix.lower() in (".html", ".htm") or raw.lstrip().startswith("<"):
        parser = _Text()
        parser.feed(raw)
        raw = html.unescape("".join(parser.parts))
    return raw.replace("\r\n", "\n")


def sentences(text: str) -> list[str]:
    """Sentences, in order: paragraphs split at . ! ? before a capital or a quote mark; spaces collapsed."""
    out = []
    for para in re.split(r"\n\s*\n", text):
        para = re.sub(r"\s+", " ", para).strip()
        if not para:
            continue
        out += [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z“\"‘'])", para) if s.strip()]
    return out


@dataclass
class Candidate:
    """One candidate claim: its subject, the YAML claim, and what was guessed."""

    subject: str
    claim: dict[str, Any]
    review: str
    new_entity: dict[str, Any] | None = None


@dataclass
class CiteResult:
    """What ``cite`` found: the agreement, the candidates, and those dropped by the evidence check."""

    agreement: str | None
    source_id: str
    candidates: list[Candidate] = field(default_factory=list)
    dropped: list[tuple[Candidate, str]] = field(default_factory=list)
    skipped_states: list[str] = field(default_factory=list)
    title: str = ""
    """The title given, or the article's first line."""

    def yaml(self, source: dict[str, Any]) -> str:
        return _review_yaml(self, source)


def _agreements(graph_dir: Path) -> tuple[dict[str, tuple[str, str]], set[str]]:
    """Agreement id → (sender, receiver) from the curated claims, and every subject id declared."""
    records, _ = read_records(yaml_files(graph_dir), display_root=graph_dir.parent)
    parties: dict[str, dict[str, str]] = {}
    for r in records:
        if r.subject.startswith("agreement-") and r.prop in ("sendingState", "receivingState") and \
                isinstance(r.value, str):
            parties.setdefault(r.subject, {})[r.prop] = r.value.removeprefix("state-")
    found = {a: (p["sendingState"], p["receivingState"]) for a, p in parties.items()
             if "sendingState" in p and "receivingState" in p}
    return found, {r.subject for r in records}


def _main_agreement(text: str, title: str, agreements: dict[str, tuple[str, str]], year: str | None) -> str | None:
    counts = Counter({code: len(words) for code, words in find_states(text).items()})
    titled = set(find_states(title))
    best: tuple[Any, ...] | None = None
    for agreement, (sender, receiver) in sorted(agreements.items()):
        n = counts.get(receiver, 0)
        if n < 2 and receiver not in titled:
            continue
        if counts.get(sender, 0) == 0 and sender not in titled:
            continue
        ident_year = (re.findall(r"-(\d{4})", agreement) or ["0000"])[0]
        if year and ident_year > year:
            continue
        key = (n, ident_year, agreement)
        if best is None or key > best:
            best = key
    return best[2] if best else None


def _people_candidates(sentence: str) -> list[tuple[str, Decimal, str, str]]:
    """(property, number, qualifier, unit) for each number of people or money in the sentence."""
    out = []
    for readings, start, end in number_spans(sentence):
        values = sorted(canonical(readings))
        if not values:
            continue
        n = values[0] if len(values) == 1 else min(values)
        after, before = sentence[end:end + 60], sentence[max(0, start - 12):start]
        if 1900 <= n <= 2100 and not _PEOPLE.match(after):
            continue  # a year
        if re.search(r"\b(?:" + "|".join(_MONTHS) + r")\s*$", before, re.IGNORECASE):
            continue  # the day of a date
        money_after = _MONEY_AFTER.match(after)
        if _MONEY_BEFORE.search(before) or money_after:
            sign = _MONEY_BEFORE.search(before)
            word = money_after.group(1).lower() if money_after else (sign.group(0).strip() if sign else "$")
            unit = _CURRENCY.get(word, word.upper())
            if re.match(r"^\s*million\b", after, re.IGNORECASE):
                n *= 1_000_000
            elif re.match(r"^\s*billion\b", after, re.IGNORECASE):
                n *= 1_000_000_000
            out.append(("payment", n, _qualifier(sentence, n), unit))
            continue
        if _NOT_PEOPLE.match(after) or not _PEOPLE.match(after):
            continue
        prop = "personsTransferred" if _TRANSFERRED.search(sentence) and not _CAPACITY.search(
            sentence[max(0, start - 40):start]) else "capacity"
        out.append((prop, n, _qualifier(sentence, n), "person"))
    return out


def _qualifier(sentence: str, n: Decimal) -> str:
    found = qualifiers_before(sentence, n) - {"exact"}
    return sorted(found)[0] if found else "exact"


def _number(n: Decimal) -> int | str:
    return int(n) if n == n.to_integral_value() else str(n.normalize())


def _signing_date(sentence: str, published: str | None) -> tuple[str, dict[str, str] | None] | None:
    """The date a sentence says the agreement was signed, at its precision; a bare month needs ``published``."""
    match = _SIGNED_DATE.search(sentence)
    if not match:
        return None
    parts = re.match(r"([A-Z][a-z]+)(?: (\d{1,2}))?(?:,? (\d{4}))?$", match.group(1))
    if not parts or parts.group(1).lower() not in _MONTHS:
        return None
    month = _MONTHS.index(parts.group(1).lower()) + 1
    day, year = parts.group(2), parts.group(3)
    if year:
        return (f"{year}-{month:02d}-{int(day):02d}" if day else f"{year}-{month:02d}"), None
    if day or not published or len(published) < 7:
        return None  # "signed on June 5" with no year, or no publication month to resolve "in June" against
    resolved = int(published[:4]) - (1 if month > int(published[5:7]) else 0)
    return f"{resolved:04d}-{month:02d}", {"rule": "relative-date", "word": f"in {parts.group(1)}"}


def _value_claims(sentence: str, date: str | None) -> list[tuple[dict[str, Any], str]]:
    """Claims of numbers (people, money) and of the signing date that the sentence states."""
    out: list[tuple[dict[str, Any], str]] = []
    for prop, n, qualifier, unit in _people_candidates(sentence):
        claim: dict[str, Any] = {"p": prop, "quantity": _number(n)}
        if qualifier != "exact":
            claim["qualifier"] = qualifier
        if unit != "person":
            claim["unit"] = unit
        out.append((claim, f"{prop} guessed from the sentence's wording"))
    signed = _signing_date(sentence, date)
    if signed:
        value, basis = signed
        claim = {"p": "signingDate", "date": value}
        if basis:
            claim["basis"] = basis
        out.append((claim, "signing date" + (" resolved against --date" if basis else "")))
    return out


def cite(path: Path, *, graph_dir: Path, url: str | None = None, date: str | None = None,
         title: str | None = None) -> CiteResult:
    """Candidate claims from the article at ``path`` (see the module docstring)."""
    text = article_text(path)
    sents = sentences(text)
    title = title or (sents[0] if sents else path.stem)
    agreements, declared = _agreements(graph_dir)
    agreement = _main_agreement(text, title, agreements, date[:4] if date else None)
    source_id = "src-new-" + re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")[:40]
    result = CiteResult(agreement, source_id, title=title)
    if agreement is None:
        return result
    sender, receiver = agreements[agreement]
    suffix = agreement.removeprefix("agreement-")
    seen: set[tuple[Any, ...]] = set()
    others = {c for c, words in find_states(text).items() if c not in (sender, receiver)}
    result.skipped_states = sorted(others)

    def add(subject: str, claim: dict[str, Any], review: str, entity: dict[str, Any] | None = None) -> None:
        key = (subject, claim.get("p"), str(claim.get("quantity", claim.get("code", claim.get("date",
                                                                                            claim.get("text"))))))
        if key in seen:
            return
        seen.add(key)
        result.candidates.append(Candidate(subject, {**claim, "src": source_id, "quote": sentence}, review, entity))

    for sentence in sents[1:] if sents and sents[0] == title else sents:
        named = set(find_states(sentence))
        if named and receiver not in named:
            continue  # about another state: named in passing
        for claim, review in _value_claims(sentence, date):
            add(agreement, claim, review)
        for code, pattern in _STATUS:
            if pattern.search(sentence):
                change = f"statuschange-{suffix}-{code}"
                entity = None if change in declared else {"type": "StatusChange",
                                                          "label": f"{agreement} {code} (candidate)"}
                add(change, {"p": "status", "code": code}, f"status word; the change {change}"
                    + (" exists" if entity is None else " is new: add changesStatusOf"), entity)
                break
        protection = _PROTECTION.search(sentence)
        if protection:
            add(agreement, {"p": "protectionStatus", "text": protection.group(1)},
                "protection of the people transferred: move it to the transfer (an Arrival) if there is one")
        if _WITHHELD_NATIONALITY.search(sentence) or _NO_DETAILS_NATIONALITY.search(sentence):
            add(agreement, {"p": "nationalityStatus", "code": "withheld"},
                "nationality not disclosed: move it to the transfer if there is one")
        confirmed = _CONFIRMED.search(sentence)
        if confirmed:
            named_text = " and ".join(state_label(c) or c for c in (sender, receiver) if mentions(sentence, c))
            outlet = re.search(r"\bto ([A-Z][\w&.]*(?: [A-Z][\w&.]*)*)", sentence[confirmed.end():])
            note = f"{named_text} officials confirmed the arrangement" + (f" to {outlet.group(1)}" if outlet else "")
            add(agreement, {"p": "note", "text": note}, "a confirmation: who confirmed, to whom")
    return result


def _review_yaml(result: CiteResult, source: dict[str, Any]) -> str:
    doc: dict[str, Any] = {"sources": {result.source_id: source}}
    entities: dict[str, Any] = {}
    claims_on: dict[str, list[dict[str, Any]]] = {}
    for c in result.candidates:
        claim = {**c.claim}
        if c.new_entity is not None:
            body = entities.setdefault(c.subject, {**c.new_entity, "claims": []})
            if not body["claims"] and result.agreement:
                body["claims"].append({"p": "changesStatusOf", "ref": result.agreement, "src": claim["src"],
                                       "quote": claim["quote"]})
            body["claims"].append(claim)
        else:
            claims_on.setdefault(c.subject, []).append(claim)
    if entities:
        doc["entities"] = entities
    if claims_on:
        doc["claims-on"] = claims_on
    reviews = "\n".join(f"#   {i + 1}. {c.subject} {c.claim['p']}: {c.review}" for i, c in enumerate(result.candidates))
    head = ("# Candidate claims for review (transferkg cite): check each against the article, fix the subject\n"
            "# and property where the guess is wrong, then move what holds into graph/. Nothing here is in the graph.\n"
            f"# Agreement: {result.agreement or 'none found'}\n{reviews}\n")
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=1000)


def _value(claim: dict[str, Any]) -> str:
    for key in ("quantity", "code", "date", "text", "state", "ref"):
        if key in claim:
            return str(claim[key])
    return ""


def _claim_lines(text: str) -> list[tuple[int, int, dict[str, Any]]]:
    """(first line, last line, claim) of every claim of a review file, from its YAML nodes."""
    root = yaml.compose(text)
    out: list[tuple[int, int, dict[str, Any]]] = []
    if not isinstance(root, yaml.MappingNode):
        return out
    for key, section in root.value:
        if key.value not in ("entities", "claims-on") or not isinstance(section, yaml.MappingNode):
            continue
        for _subject, body in section.value:
            items = body
            if isinstance(body, yaml.MappingNode):
                items = next((v for k, v in body.value if k.value == "claims"), None)
            if not isinstance(items, yaml.SequenceNode):
                continue
            for node in items.value:
                claim = yaml.safe_load(yaml.serialize(node))
                out.append((node.start_mark.line + 1, node.end_mark.line + 1, claim))
    return out


def checked(result: CiteResult, source: dict[str, Any], graph_dir: Path) -> str:
    """The review YAML, every candidate the evidence check refuses dropped (and listed in ``result.dropped``)."""
    with tempfile.TemporaryDirectory(prefix="transferkg-cite-") as tmp:
        path = Path(tmp) / "review.yaml"
        text = result.yaml(source)
        path.write_text(text, encoding="utf-8")
        findings = check_file(path, graph_dir=graph_dir)
        if not findings:
            return text
        lines = _claim_lines(text)
        for finding in findings:
            # the claim that starts last at or before the finding's line (a node's end is the next one's start)
            starts = [(first, c) for first, _last, c in lines if first <= finding.line]
            claim = max(starts, key=lambda x: x[0])[1] if starts else None
            victim = next((c for c in result.candidates if c.claim == claim), None)
            if victim is not None:
                result.candidates.remove(victim)
                result.dropped.append((victim, finding.message))
        return result.yaml(source)
