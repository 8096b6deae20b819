"""The evidence check: can every value of a claim be read off its own quote?

A claim carries a verbatim quote. This module reads, from the quote, the
numbers ("twenty-nine", "7,5 million", "39 thousand", "a hundred", "no
deportations" = 0), the date components (year, month, day, in the languages of
the sources) and the states (names, demonyms, capitals), and reports every
value of the claim that the quote does not carry:

- a quantity's number(s), and its qualifier ("up to", "at least" …) where the
  quote puts one in front of the number;
- a date at the claim's precision (year; year and month; year, month and day);
- a state (``state:`` values);
- the figures and states a text value (a note) mentions;
- an ``asOf`` date, unless it is the source's own publication date.

A value computed from quoted figures is accepted only when the claim says how,
with ``basis:`` (see :class:`Basis`): a sum, difference or product of quoted
numbers or of other claims, or a date resolved from the source's publication
date by a word of the quote ("on Tuesday", "today", "in June").

The check works on :class:`ClaimRecord` objects, which the YAML compiler makes
for every claim it reads (with file and line), so curators get
``file:line: message`` findings from ``transferkg check``, from the build's
warnings, and from :func:`check_file` on one YAML file.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from transferkg.core.states import find_states, mentions, state_label

__all__ = [
    "Basis",
    "ClaimRecord",
    "Finding",
    "check_file",
    "check_graph_dir",
    "check_records",
    "format_findings",
    "date_components",
    "numbers_in",
    "resolve_relative_date",
]

# --------------------------------------------------------------------------- numbers

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    # French, German, Italian forms that occur in the sources (Spanish and Portuguese: _IBERIAN).
    "une": 1, "deux": 2, "trois": 3, "cinq": 5, "dix": 10,
    "ein": 1, "eine": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "zehn": 10,
    "due": 2, "tre": 3, "dieci": 10,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90, "cinquante": 50, "fünfzig": 50, "cinquanta": 50}
_SCALES = {
    "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
    "hundreds": 100, "thousands": 1_000, "millions": 1_000_000, "billions": 1_000_000_000,
    "m": 1_000_000, "mn": 1_000_000, "mln": 1_000_000, "bn": 1_000_000_000, "b": 1_000_000_000, "k": 1_000,
    "mil": 1_000, "milhão": 1_000_000, "milhões": 1_000_000, "millón": 1_000_000, "millones": 1_000_000,
    "mille": 1_000, "mio": 1_000_000, "millionen": 1_000_000, "milliarden": 1_000_000_000,
    "milione": 1_000_000, "milioni": 1_000_000, "milliard": 1_000_000_000, "milliards": 1_000_000_000,
}
_SPECIAL: dict[str, Decimal] = {"dozen": Decimal(12), "couple": Decimal(2), "pair": Decimal(2), "half": Decimal("0.5")}
_ZERO = re.compile(
    r"\b(?:none|nobody|no one|zero|nil|not a single|not one|"
    r"no\s+(?:\w+\s+)?(?:deportations?|deportees?|migrants?|people|persons?|transfers?|flights?|refugees?|"
    r"asylum[- ]seekers?|arrivals?|one|individuals?|removals?|returns?))\b",
    re.IGNORECASE)
_FIRST_ONE = re.compile(
    r"\bthe first (?:person|migrant|deportee|individual|asylum[- ]seeker|man|woman|refugee)\b(?! and)"
    r"|\b(?:an?|[A-Z][a-z]+(?:an|ese|i|ish))\s+(?:man|woman|person|individual)\b(?!\s+and\b)",
    re.IGNORECASE)
"""'The first person has been sent', 'repatriates Mexican man': one person."""
_DIGITS = re.compile(r"(?<![\w])(\d[\d,.\u00a0\u202f']*\d|\d)(?:st|nd|rd|th)?(?![\d])")
_WORD = re.compile(r"[A-Za-zÀ-ÿ]+")


def _digit_readings(token: str, *, scaled: bool = False) -> set[Decimal]:
    """The numbers a run of digits and separators can mean.

    "1,900" is 1900 (a decimal 1.9 only before a scale word: "1,9 million"); "5,1" is
    5.1; the parts of a date-like run count alone (2025.09.02 → 2025, 9, 2), but the
    groups of a thousands-separated number do not ("36,000" holds no 36 or 0).
    """
    out: set[Decimal] = set()
    clean = token.replace("\u00a0", " ").replace("\u202f", " ")
    groups = re.split(r"[,. ']", clean)
    seps = re.findall(r"[,. ']", clean)
    if not seps:
        return {Decimal(clean)}
    thousands = all(len(g) == 3 for g in groups[1:])
    if thousands:  # 1,900 / 1.900 / 16,000,000
        out.add(Decimal("".join(groups)))
    else:
        out |= {Decimal(int(g)) for g in groups if g.isdigit()}
    if len(seps) == 1 and seps[0] in ",." and (not thousands or scaled):  # 5,1 / 5.1 / 7,500 million
        with contextlib.suppress(InvalidOperation):
            out.add(Decimal(f"{groups[0]}.{groups[1]}"))
    return out


def _scale_after(text: str, end: int) -> int | None:
    """A scale word right after a number ("7,5 million", "$16M", "39 thousand")."""
    match = re.match(r"[\s\u00a0-]*([A-Za-zÀ-ÿ]+)\.?", text[end:])
    if not match:
        return None
    word = match.group(1)
    if word in ("m", "M", "k", "bn", "mn", "b", "B") and match.start(1) > 0:
        return None  # "5 m" is five metres; "5m" is five million
    return _SCALES.get(word.casefold()) if word.casefold() not in ("b",) or word == "bn" else None


def _word_spans(text: str) -> list[tuple[Decimal, int, int]]:
    """Numbers written in words, with where they stand: "twenty-nine", "a hundred", "two dozen".

    Every prefix of a number phrase counts too ("two hundred and fifty" also
    yields 2 and 200), since the check only asks what a reader can take.
    """
    out: list[tuple[Decimal, int, int]] = []
    tokens = [(m.group(0).casefold(), m.start(), m.end()) for m in _WORD.finditer(text)]
    i = 0
    while i < len(tokens):
        tok = tokens[i][0]
        if tok in _UNITS or tok in _TENS or tok in _SPECIAL or tok in ("a", "an"):
            total, current, j, seen = Decimal(0), Decimal(0), i, False
            while j < len(tokens):
                t = tokens[j][0]
                nxt = tokens[j + 1][0] if j + 1 < len(tokens) else ""
                if t in _UNITS:
                    current += _UNITS[t]
                    seen = True
                elif t in _TENS:
                    current += _TENS[t]
                    seen = True
                elif t in ("a", "an") and not seen and (nxt in _SCALES or nxt in _SPECIAL) and len(nxt) > 2:
                    current += 1
                elif t == "and" and seen and (nxt in _UNITS or nxt in _TENS):
                    pass
                elif t in _SPECIAL and t != "half":
                    current = (current or Decimal(1)) * _SPECIAL[t]
                    seen = True
                elif t in _SCALES and len(t) > 2 and not t.endswith("s") and (seen or current):
                    if _SCALES[t] >= 1000:
                        total += (current or Decimal(1)) * _SCALES[t]
                        current = Decimal(0)
                    else:
                        current = (current or Decimal(1)) * _SCALES[t]
                    seen = True
                elif t == "half" and nxt in ("a", "an") and j + 2 < len(tokens) and tokens[j + 2][0] in _SCALES:
                    out.append((Decimal("0.5") * _SCALES[tokens[j + 2][0]], tokens[j][1], tokens[j + 2][2]))
                    j += 3
                    break
                else:
                    break
                if seen:
                    out.append((total + current, tokens[i][1], tokens[j][2]))
                j += 1
            i = max(j, i + 1)
        else:
            i += 1
    return out


_IBERIAN = {
    # Spanish
    "cero": 0, "uno": 1, "una": 1, "un": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14,
    "quince": 15, "dieciséis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20,
    "veintiuno": 21, "veintiún": 21, "veintiuna": 21, "veintidós": 22, "veintitrés": 23, "veinticuatro": 24,
    "veinticinco": 25, "veintiséis": 26, "veintisiete": 27, "veintiocho": 28, "veintinueve": 29,
    "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80,
    "noventa": 90, "cien": 100, "ciento": 100, "doscientos": 200, "trescientos": 300, "cuatrocientos": 400,
    "quinientos": 500, "seiscientos": 600, "setecientos": 700, "ochocientos": 800, "novecientos": 900,
    # Portuguese
    "um": 1, "uma": 1, "dois": 2, "duas": 2, "três": 3, "quatro": 4, "sete": 7, "oito": 8, "nove": 9,
    "dez": 10, "onze": 11, "doze": 12, "treze": 13, "quatorze": 14, "quinze": 15,  "dezesseis": 16,
    "dezasseis": 16, "dezessete": 17, "dezassete": 17, "dezoito": 18, "dezenove": 19, "dezanove": 19,
    "vinte": 20, "trinta": 30, "quarenta": 40, "cinquenta": 50, "sessenta": 60, "oitenta": 80,
    "cem": 100, "cento": 100, "duzentos": 200, "trezentos": 300, "quinhentos": 500,
}
_IBERIAN_AMBIGUOUS = {"un", "una", "uno", "um", "uma", "dos", "once"}
"""Number words that are also common words ("dos" is "of the" in Portuguese): read only inside a number."""


def _iberian_spans(text: str) -> list[tuple[Decimal, int, int]]:
    """Spanish and Portuguese numbers in words: "veinticuatro", "dos mil veinticinco" (2025)."""
    out: list[tuple[Decimal, int, int]] = []
    tokens = [(m.group(0).casefold(), m.start(), m.end()) for m in _WORD.finditer(text)]
    i = 0
    while i < len(tokens):
        if tokens[i][0] not in _IBERIAN and tokens[i][0] != "mil":
            i += 1
            continue
        total, current, j = 0, 0, i
        words: list[str] = []
        while j < len(tokens):
            word = tokens[j][0]
            if word in _IBERIAN:
                current += _IBERIAN[word]
            elif word == "mil":
                total += (current or 1) * 1000
                current = 0
            elif word in ("y", "e") and words and j + 1 < len(tokens) and tokens[j + 1][0] in _IBERIAN:
                j += 1
                continue
            else:
                break
            words.append(word)
            j += 1
        if words and not (len(words) == 1 and words[0] in _IBERIAN_AMBIGUOUS):
            out.append((Decimal(total + current), tokens[i][1], tokens[j - 1][2]))
        i = max(j, i + 1)
    return out


def _number_spans(text: str) -> list[tuple[set[Decimal], int, int]]:
    """Each number of ``text`` with all its readings and where it stands."""
    text = unicodedata.normalize("NFC", text)
    spans: list[tuple[set[Decimal], int, int]] = []
    for match in _DIGITS.finditer(text):
        scale = _scale_after(text, match.end())
        readings = _digit_readings(match.group(1), scaled=bool(scale))
        if scale:
            readings = readings | {r * scale for r in readings}
        spans.append((readings, match.start(), match.end()))
    for value, start, end in _word_spans(text) + _iberian_spans(text):
        spans.append(({value}, start, end))
    return spans


def _canonical(numbers: Iterable[Decimal]) -> set[Decimal]:
    return {n.normalize() if n != n.to_integral_value() else Decimal(int(n)) for n in numbers}


def numbers_in(text: str) -> set[Decimal]:
    """Every number a reader can take from ``text``, in digits or words, scaled where a word says so.

    Generous by design (each reading of an ambiguous separator, each part of a
    date), because the check asks only whether a value *can* be read off the quote.
    """
    out: set[Decimal] = set()
    for readings, _start, _end in _number_spans(text):
        out |= readings
    if _ZERO.search(text):
        out.add(Decimal(0))
    if _FIRST_ONE.search(text):
        out.add(Decimal(1))
    return _canonical(out)


# --------------------------------------------------------------------------- qualifiers

_QUALIFIER_WORDS = {
    "up-to": ("up to", "as many as", "a maximum of", "maximum of", "no more than", "at most", "até", "bis zu",
              "hasta", "jusqu'à", "fino a", "capped at", "a cap of", "cap of", "limit of", "a limit of"),
    "at-least": ("at least", "a minimum of", "no fewer than", "no less than", "mindestens", "pelo menos",
                 "al menos", "au moins", "almeno"),
    "more-than": ("more than", "over", "in excess of", "upwards of", "mais de", "más de", "über", "plus de",
                  "oltre", "above", "exceeding"),
    "approximately": ("about", "around", "approximately", "nearly", "almost", "roughly", "some", "an estimated",
                      "estimated", "close to", "cerca de", "rund", "etwa", "environ", "circa", "approx.",
                      "~", "just under", "alrededor de", "unos", "quase", "aproximadamente", "aproximadamente unos",
                      "approximativement", "circa", "ungefähr"),
}


_CURRENCY_TAIL = re.compile(r"(?:\b[A-Za-z]{0,3}\$|[€£]|\b(?:USD|EUR|GBP|AUD|DKK|CAD|ILS)\b)\s*$", re.IGNORECASE)
_IMPLIED = {
    "exact": {"exact", "approximately", "at-least", "up-to"},
    "up-to": {"up-to"},
    "at-least": {"at-least"},
    "more-than": {"more-than", "at-least"},
    "approximately": {"approximately"},
}
"""Quote qualifier → the claim qualifiers it supports ("exactly 5" is also "at least 5")."""


def qualifiers_before(text: str, number: Decimal) -> set[str]:
    """The qualifiers the quote puts right before ``number`` (``exact`` where there is none)."""
    text = unicodedata.normalize("NFC", text)
    found: set[str] = set()
    for readings, start, _end in _number_spans(text):
        if number not in _canonical(readings):
            continue
        before = _CURRENCY_TAIL.sub("", text[max(0, start - 30):start].rstrip()).rstrip().casefold()
        kind = "exact"
        for qualifier, words in _QUALIFIER_WORDS.items():
            if any(re.search(rf"(?<![\w]){re.escape(w)}$", before) for w in words):
                kind = qualifier
                break
        found.add(kind)
    return found or {"exact"}


def qualifier_supported(claimed: str, text: str, number: Decimal) -> bool:
    """Whether a quote that says ``number`` supports the claim's qualifier."""
    return any(claimed in _IMPLIED.get(q, {q}) for q in qualifiers_before(text, number))


# --------------------------------------------------------------------------- dates

_MONTHS: dict[str, int] = {}
for _lang in (
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"),
    ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
     "novembro", "dezembro"),
    ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
     "noviembre", "diciembre"),
    ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
     "novembre", "décembre"),
    ("januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober",
     "november", "dezember"),
    ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre",
     "novembre", "dicembre"),
):
    for _i, _name in enumerate(_lang, 1):
        _MONTHS.setdefault(_name, _i)
for _abbr, _i in (("jan", 1), ("feb", 2), ("mar", 3), ("apr", 4), ("jun", 6), ("jul", 7), ("aug", 8),
                  ("sep", 9), ("sept", 9), ("oct", 10), ("nov", 11), ("dec", 12)):
    _MONTHS[_abbr] = _i
_MONTH_RE = re.compile(r"(?<![\w])(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?(?![\w])",
                       re.IGNORECASE)
_NUMERIC_DATE = re.compile(
    r"(?<!\d)(?:(\d{4})[-./](\d{1,2})(?:[-./](\d{1,2}))?|(\d{1,2})[-./](\d{1,2})[-./](\d{4}|\d{2}))(?!\d)")
_DAY_NEAR = 12
"""How many characters may stand between a day number and its month name ("16th of July")."""


@dataclass(frozen=True)
class DateParts:
    """The date components a text carries."""

    years: frozenset[int]
    months: frozenset[int]
    days: frozenset[tuple[int, int]]
    """(month, day) pairs: a day is only a day next to its month."""


def _month_matches(text: str) -> Iterable[tuple[int, int, int]]:
    """(month, start, end) of each month word; "May" counts only as a date, not as the verb."""
    for match in _MONTH_RE.finditer(text):
        word = match.group(1)
        month = _MONTHS[word.casefold()]
        if word.casefold() in ("may", "mar", "mai", "mars") or word.casefold() == "jan" and word != "Jan":
            near = text[max(0, match.start() - 12):match.end() + 8]
            if not (word[0].isupper() and (re.search(r"\d", near) or re.search(
                    r"\b(?:in|of|since|until|from|by|early|late|mid|last|this|next|em|en|im|de|di)[\s-]+$",
                    text[:match.start()], re.IGNORECASE))):
                continue
        yield month, match.start(), match.end()


def _digits_for_words(text: str) -> str:
    """``text`` with Spanish and Portuguese numbers in words written in digits (for dates in words)."""
    for value, start, end in sorted(_iberian_spans(text), key=lambda span: -span[1]):
        text = text[:start] + str(value) + text[end:]
    return text


def date_components(text: str) -> DateParts:
    """Years, months and (month, day) pairs written in ``text`` (in digits, or in Spanish/Portuguese words)."""
    text = _digits_for_words(unicodedata.normalize("NFC", text))
    years = {int(y) for y in re.findall(r"(?<![\d.,])((?:1[89]|20)\d\d)(?![\d])", text)}
    months: set[int] = set()
    days: set[tuple[int, int]] = set()
    for match in _NUMERIC_DATE.finditer(text):
        if match.group(1):
            y, m, d = int(match.group(1)), int(match.group(2)), match.group(3)
            if 1 <= m <= 12:
                years.add(y)
                months.add(m)
                if d and 1 <= int(d) <= 31:
                    days.add((m, int(d)))
        else:
            a, b, y = int(match.group(4)), int(match.group(5)), int(match.group(6))
            y = y + 2000 if y < 100 else y  # 5/7/25
            years.add(y)
            for m, d in ((b, a), (a, b)):  # 16/07/2025 or 07/16/2025
                if 1 <= m <= 12 and 1 <= d <= 31:
                    months.add(m)
                    days.add((m, d))
    for month, start, end in _month_matches(text):
        months.add(month)
        after = re.match(r"[\s,.]{0,3}(\d{1,2})(?:st|nd|rd|th)?(?!\d)", text[end:end + _DAY_NEAR])
        before = re.search(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th|º|\.)?(?:\s+(?:of|de|di))?[\s,]*$",
                           text[max(0, start - _DAY_NEAR):start])
        for found in (after, before):
            if found and 1 <= int(found.group(1)) <= 31:
                days.add((month, int(found.group(1))))
    return DateParts(frozenset(years), frozenset(months), frozenset(days))


def _parse_date(text: str) -> tuple[int, int | None, int | None] | None:
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text.strip())
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)) if m.group(2) else None, int(m.group(3)) if m.group(3) else None


def date_in(text: str, value: str) -> list[str]:
    """The components of date ``value`` (YYYY[-MM[-DD]]) that ``text`` does not carry."""
    parsed = _parse_date(value)
    if parsed is None:
        return [f"not a date: {value!r}"]
    year, month, day = parsed
    parts = date_components(text)
    missing = []
    if year not in parts.years:
        missing.append(f"year {year}")
    if month is not None and month not in parts.months:
        missing.append(f"month {calendar.month_name[month]}")
    if day is not None and (month, day) not in parts.days:
        missing.append(f"day {day}")
    return missing


_WEEKDAYS = {name.casefold(): i for i, name in enumerate(calendar.day_name)}
_RELATIVE_DAY = {"today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0,
                 "yesterday": 1, "last night": 1}


def resolve_relative_date(word: str, published: str) -> str | None:
    """The date a word of a report means, counted back from the day it was published.

    ``"Tuesday"`` in a report of Wednesday 2025-07-16 is ``2025-07-15``; ``"today"``
    the day itself; ``"yesterday"`` the day before; ``"June"`` (or ``"in June"``) the
    latest June up to the publication month; ``"July 16"`` the latest 16 July up to
    the publication day; ``"last year"``/``"this year"`` the year. None when the word
    is not one of these or the publication date is not precise enough.
    """
    key = re.sub(r"^(?:on|in)\s+", "", word.strip().casefold())
    parsed = _parse_date(published)
    if parsed is None:
        return None
    year, month, day = parsed
    if key in ("last year", "this year"):
        return str(year - 1 if key == "last year" else year)
    if month is None:
        return None
    if key in ("last month", "this month"):
        d = dt.date(year, month, 1) - dt.timedelta(days=1) if key == "last month" else dt.date(year, month, 1)
        return f"{d.year:04d}-{d.month:02d}"
    md = re.fullmatch(r"([a-zà-ÿ]+)\.?(?:\s+(\d{1,2})(?:st|nd|rd|th)?)?|(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+"
                      r"([a-zà-ÿ]+)", key)
    if md and (md.group(1) in _MONTHS or md.group(4) in _MONTHS):
        name = md.group(1) if md.group(1) in _MONTHS else md.group(4)
        number = md.group(2) or md.group(3)
        m = _MONTHS[name]
        if number is None:
            y = year if m <= month else year - 1
            return f"{y:04d}-{m:02d}"
        d_ = int(number)
        if day is None:  # a report of June 2025 about "June 23": the same year
            y = year if m <= month else year - 1
        else:
            y = year if (m, d_) <= (month, day) else year - 1
        try:
            return dt.date(y, m, d_).isoformat()
        except ValueError:
            return None
    if day is None:
        return None
    pub = dt.date(year, month, day)
    if key in _RELATIVE_DAY:
        return (pub - dt.timedelta(days=_RELATIVE_DAY[key])).isoformat()
    if key in _WEEKDAYS:
        back = (pub.weekday() - _WEEKDAYS[key]) % 7
        return (pub - dt.timedelta(days=back)).isoformat()
    return None


# --------------------------------------------------------------------------- records and findings

@dataclass(frozen=True)
class Basis:
    """How a value not written in its quote was obtained, as the curator declared it.

    ``rule`` is ``sum``, ``difference`` or ``product`` of ``operands`` (numbers
    that must be in the quote, or keys of other quantity claims), or
    ``relative-date``: the date that ``word`` of the quote means in a report
    published on the source's date (see :func:`resolve_relative_date`).
    """

    rule: str
    operands: tuple[str, ...] = ()
    word: str | None = None

    RULES = ("sum", "difference", "product", "relative-date")

    def text(self, published: str | None = None, resolved: str | None = None) -> str:
        """The basis as a sentence for readers (stored with the claim)."""
        if self.rule == "relative-date":
            return (f"date resolved from the quote's \"{self.word}\" and the source's publication date "
                    f"{published or '?'}" + (f": {resolved}" if resolved else ""))
        sign = {"sum": " + ", "difference": " − ", "product": " × "}[self.rule]
        return f"{self.rule} of quoted figures: {sign.join(self.operands)}"


@dataclass(frozen=True)
class ClaimRecord:
    """One claim as the curator wrote it, with where it was written."""

    path: str
    line: int
    subject: str
    prop: str
    kind: str
    """The value key: ``state``, ``ref``, ``code``, ``date``, ``text`` or ``quantity``."""
    value: str | Mapping[str, str]
    quote: str
    src: str
    qualifier: str = "exact"
    unit: str = "person"
    as_of: str | None = None
    basis: Basis | None = None
    key: str | None = None
    rank: str = "normal"


@dataclass(frozen=True)
class Finding:
    """A value of a claim that its quote does not carry."""

    path: str
    line: int
    subject: str
    prop: str
    what: str
    """What kind of value: ``number``, ``qualifier``, ``date``, ``state``, ``asOf``, ``basis``."""
    message: str

    def text(self) -> str:
        return f"{self.path}:{self.line}: {self.subject} {self.prop}: {self.message}"


@dataclass
class _Context:
    published: Mapping[str, str]
    """Source id → publication date as written (YYYY[-MM[-DD]])."""
    quantities: Mapping[str, ClaimRecord] = field(default_factory=dict)
    """Claim key → its record, for a basis that names other claims."""


def _fmt(number: Decimal) -> str:
    return format(number.normalize(), "f") if number != number.to_integral_value() else str(int(number))


def _quantity_numbers(value: str | Mapping[str, str]) -> list[Decimal]:
    items = value.values() if isinstance(value, Mapping) else [value]
    out = []
    for item in items:
        try:
            out.append(Decimal(str(item)))
        except InvalidOperation:
            continue
    return out


def _basis_value(basis: Basis, record: ClaimRecord, ctx: _Context, quoted: set[Decimal]) -> tuple[
        Decimal | None, list[str]]:
    problems: list[str] = []
    operands: list[Decimal] = []
    for op in basis.operands:
        try:
            number = Decimal(op.replace(",", ""))
        except InvalidOperation:
            other = ctx.quantities.get(op)
            if other is None:
                problems.append(f"basis operand {op!r} is neither a number nor the key of a quantity claim")
                continue
            values = _quantity_numbers(other.value)
            if len(values) != 1:
                problems.append(f"basis operand {op!r} is a range, not one number")
                continue
            operands.append(values[0])
            continue
        if number not in quoted:
            problems.append(f"basis operand {op} is not in the quote")
        operands.append(number)
    if problems or not operands:
        return None, problems or ["basis has no operands"]
    result = operands[0]
    for number in operands[1:]:
        if basis.rule == "sum":
            result += number
        elif basis.rule == "difference":
            result -= number
        else:
            result *= number
    return result, []


def _check_quantity(record: ClaimRecord, ctx: _Context) -> list[tuple[str, str]]:
    quoted = numbers_in(record.quote)
    values = _quantity_numbers(record.value)
    out: list[tuple[str, str]] = []
    basis = record.basis
    if basis is not None and basis.rule in ("sum", "difference", "product"):
        result, problems = _basis_value(basis, record, ctx, quoted)
        out += [("basis", p) for p in problems]
        if result is not None and values and result != values[0]:
            out.append(("basis", f"the {basis.rule} of {', '.join(basis.operands)} is {_fmt(result)}, "
                                 f"not {_fmt(values[0])}"))
        return out
    if basis is not None:
        out.append(("basis", f"a quantity's basis must be sum, difference or product, not {basis.rule}"))
    for number in values:
        if number not in quoted:
            out.append(("number", f"{_fmt(number)} is not in the quote"))
    if len(values) == 1 and values[0] in quoted and not qualifier_supported(record.qualifier, record.quote,
                                                                             values[0]):
        shown = " or ".join(sorted(qualifiers_before(record.quote, values[0])))
        out.append(("qualifier", f"the quote says {shown} {_fmt(values[0])}, the claim {record.qualifier}"))
    return out


def _check_date(value: str, record: ClaimRecord, ctx: _Context, what: str) -> list[tuple[str, str]]:
    published = ctx.published.get(record.src)
    if record.basis is not None and record.basis.rule == "relative-date" and what == "date":
        word = record.basis.word or ""
        if not word or word.casefold() not in record.quote.casefold():
            return [("basis", f"the basis word {word!r} is not in the quote")]
        if not published:
            return [("basis", f"source {record.src} has no publication date to resolve {word!r} from")]
        resolved = resolve_relative_date(word, published)
        if resolved is None:
            return [("basis", f"cannot resolve {word!r} from the publication date {published}")]
        if resolved != value:
            return [("basis", f"{word!r} in a report of {published} is {resolved}, not {value}")]
        return []
    missing = date_in(record.quote, value)
    if not missing:
        return []
    if what == "asOf" and published:
        if published.startswith(value) or value.startswith(published):
            return []  # "as of the report's date"
        # "by July" in a report of September 2025: as of July 2025
        for _month, start, end in _month_matches(record.quote):
            if resolve_relative_date(record.quote[start:end], published) == value:
                return []
    hint = " (the source's publication date)" if published and published.startswith(value) else ""
    return [(what, f"{what} {value}{hint}: {', '.join(missing)} not in the quote")]


def _check_text(text: str, quote: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    quoted = numbers_in(quote)
    missing: list[str] = []
    for readings, start, end in _number_spans(text):
        word = text[start:end]
        if _canonical(readings) & quoted:
            continue
        if word.casefold() in ("one", "a", "an", "un", "une", "uno", "una", "um", "uma", "ein", "eine"):
            continue  # "a one-time transfer", "one-for-one": words, not figures
        if word not in missing:
            missing.append(word)
    for word in missing:
        out.append(("number", f"the figure {word!r} in the text is not in the quote"))
    for code, words in find_states(text).items():
        if mentions(quote, code) is None:
            out.append(("state", f"the text names {state_label(code)} ({words[0]!r}), the quote does not"))
    return out


def check_record(record: ClaimRecord, ctx: _Context) -> list[Finding]:
    """Every value of one claim that its quote does not carry."""
    problems: list[tuple[str, str]] = []
    quote = record.quote or ""
    if record.kind == "quantity":
        problems += _check_quantity(record, ctx)
    elif record.kind == "date" and isinstance(record.value, str):
        problems += _check_date(record.value, record, ctx, "date")
    elif record.kind == "state" and isinstance(record.value, str):
        code = record.value.removeprefix("state-")
        if mentions(quote, code) is None:
            problems.append(("state", f"{state_label(code) or code} ({code}) is not named in the quote"))
    elif record.kind == "text" and isinstance(record.value, str):
        problems += _check_text(record.value, quote)
    if record.basis is not None and record.kind not in ("quantity", "date"):
        problems.append(("basis", "basis is for quantities and dates only"))
    if record.as_of:
        problems += _check_date(record.as_of, record, ctx, "asOf")
        published = ctx.published.get(record.src)
        if published and _parse_date(published) and _parse_date(record.as_of):
            if record.as_of[:len(published)] > published[:len(record.as_of)]:
                problems.append(("asOf", f"asOf {record.as_of} is after the source's publication date {published}"))
    return [Finding(record.path, record.line, record.subject, record.prop, what, message)
            for what, message in problems]


def check_records(records: Iterable[ClaimRecord], published: Mapping[str, str], *,
                  only_path: str | None = None) -> list[Finding]:
    """Check every record (or only those written in ``only_path``); findings in file order."""
    records = list(records)
    ctx = _Context(published=published,
                   quantities={r.key: r for r in records if r.key and r.kind == "quantity"})
    findings = [f for r in records if only_path is None or r.path == only_path for f in check_record(r, ctx)]
    return sorted(findings, key=lambda f: (f.path, f.line, f.what, f.message))


def check_file(path: str | Path, *, graph_dir: str | Path | None = None) -> list[Finding]:
    """Check the claims of one YAML file; sources and claim keys come from ``graph_dir`` too.

    ``graph_dir`` defaults to the project's ``graph/`` folder; the file may lie
    outside it (a review file of candidate claims, say).

    Raises:
        LoadError: the file (or a file of ``graph_dir``) is not valid YAML.
    """
    from transferkg.core.resources import find_layout
    from transferkg.curation.compile import read_records, readable_files

    target = Path(path).resolve()
    folder = Path(graph_dir).resolve() if graph_dir else find_layout().graph_dir
    files = sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    if target not in files:
        files.append(target)
    files = readable_files(files, keep=target, display_root=folder.parent)
    records, published = read_records(files, display_root=folder.parent)
    shown = next((r.path for r in records if Path(folder.parent, r.path).resolve() == target), None)
    if shown is None:
        return []
    return check_records(records, published, only_path=shown)


def check_graph_dir(graph_dir: str | Path) -> list[Finding]:
    """Check every claim of every YAML file below ``graph_dir``."""
    from transferkg.curation.compile import read_records, yaml_files

    folder = Path(graph_dir).resolve()
    records, published = read_records(yaml_files(folder), display_root=folder.parent)
    return check_records(records, published)


def format_findings(findings: Sequence[Finding], *, limit: int | None = None) -> str:
    """Findings as ``file:line: subject property: message`` lines."""
    shown = findings if limit is None else findings[:limit]
    lines = [f.text() for f in shown]
    if limit is not None and len(findings) > limit:
        lines.append(f"… and {len(findings) - limit} more")
    return "\n".join(lines)
