"""Numbers and qualifiers a reader can take from a quote, in digits or in words, in the sources' languages.

"twenty-nine", "7,5 million", "39 thousand", "a hundred", "no deportations" (0),
"veinticuatro"; and the qualifier a quote puts in front of a number ("up to",
"at least", "about").
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

__all__ = ["canonical", "iberian_spans", "number_spans", "numbers_in", "qualifier_supported", "qualifiers_before"]


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


def iberian_spans(text: str) -> list[tuple[Decimal, int, int]]:
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


def number_spans(text: str) -> list[tuple[set[Decimal], int, int]]:
    """Each number of ``text`` with all its readings and where it stands."""
    text = unicodedata.normalize("NFC", text)
    spans: list[tuple[set[Decimal], int, int]] = []
    for match in _DIGITS.finditer(text):
        scale = _scale_after(text, match.end())
        readings = _digit_readings(match.group(1), scaled=bool(scale))
        if scale:
            readings = readings | {r * scale for r in readings}
        spans.append((readings, match.start(), match.end()))
    for value, start, end in _word_spans(text) + iberian_spans(text):
        spans.append(({value}, start, end))
    return spans


def canonical(numbers: Iterable[Decimal]) -> set[Decimal]:
    return {n.normalize() if n != n.to_integral_value() else Decimal(int(n)) for n in numbers}


def numbers_in(text: str) -> set[Decimal]:
    """Every number a reader can take from ``text``, in digits or words, scaled where a word says so.

    Generous by design (each reading of an ambiguous separator, each part of a
    date), because the check asks only whether a value *can* be read off the quote.
    """
    out: set[Decimal] = set()
    for readings, _start, _end in number_spans(text):
        out |= readings
    if _ZERO.search(text):
        out.add(Decimal(0))
    if _FIRST_ONE.search(text):
        out.add(Decimal(1))
    return canonical(out)


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
    for readings, start, _end in number_spans(text):
        if number not in canonical(readings):
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
