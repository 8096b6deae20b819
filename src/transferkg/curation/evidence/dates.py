"""Dates a reader can take from a quote, and dates a word of a report means ("on Tuesday", "in June").

Months in the languages of the sources, numeric dates in either order, Spanish and
Portuguese years in words; a day counts only next to its month.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from transferkg.core.dates import date_parts
from transferkg.curation.evidence.numbers import iberian_spans

__all__ = ["DateParts", "date_components", "date_in", "month_matches", "resolve_relative_date"]


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


def month_matches(text: str) -> Iterable[tuple[int, int, int]]:
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
    for value, start, end in sorted(iberian_spans(text), key=lambda span: -span[1]):
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
    for month, start, end in month_matches(text):
        months.add(month)
        after = re.match(r"[\s,.]{0,3}(\d{1,2})(?:st|nd|rd|th)?(?!\d)", text[end:end + _DAY_NEAR])
        before = re.search(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th|º|\.)?(?:\s+(?:of|de|di))?[\s,]*$",
                           text[max(0, start - _DAY_NEAR):start])
        for found in (after, before):
            if found and 1 <= int(found.group(1)) <= 31:
                days.add((month, int(found.group(1))))
    return DateParts(frozenset(years), frozenset(months), frozenset(days))


def date_in(text: str, value: str) -> list[str]:
    """The components of date ``value`` (YYYY[-MM[-DD]]) that ``text`` does not carry."""
    parsed = date_parts(value)
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
    parsed = date_parts(published)
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
