"""Curated quantities as numbers: the one place a quantity's text becomes an ``int`` or a ``Decimal``."""

from __future__ import annotations

import re
from decimal import Decimal

from transferkg.curation.yaml_reader import short

__all__ = ["MAX_DIGITS", "MAX_FRACTION_DIGITS", "parse_number"]

MAX_DIGITS = 18
"""Digits a quantity may have before its decimal point: no count of people or sum of money needs more,
and every backend stores such a number exactly (Oxigraph keeps integers in 64 bits)."""
MAX_FRACTION_DIGITS = 6
"""Digits a quantity may have after its decimal point."""

_PLAIN_NUMBER = re.compile(r"[+-]?(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?", re.ASCII)
_NON_FINITE = re.compile(r"[+-]?\.?(?:nan|inf|infinity)", re.IGNORECASE)
_EXPONENT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]{1,3}", re.ASCII)


def parse_number(text: str, what: str = "quantity") -> int | Decimal:
    """A number as curators write one: ASCII digits with an optional sign and fraction.

    An ``int`` without a decimal point, else a ``Decimal``. The one place a curated
    quantity becomes a number, so every form is refused the same way: ``NaN`` and
    ``.inf`` (not counts), ``1e3`` (YAML reads it as text; write ``1000``), digit
    groups and other scripts' digits, and numbers longer than :data:`MAX_DIGITS`.

    Raises:
        ValueError: saying why, with ``what`` as the subject of the sentence.
    """
    t = text.strip()
    m = _PLAIN_NUMBER.fullmatch(t)
    if m and (m.group("int") or m.group("frac")):
        digits = len(m.group("int").lstrip("0"))
        if digits > MAX_DIGITS:
            raise ValueError(f"{what} is a number of {digits:,} digits, not a count of people or a sum of "
                             f"money (at most {MAX_DIGITS} digits)")
        if len(m.group("frac") or "") > MAX_FRACTION_DIGITS:
            raise ValueError(f"{what} has more than {MAX_FRACTION_DIGITS} digits after the decimal point: {short(t)}")
        return Decimal(t) if "." in t else int(t)
    if _NON_FINITE.fullmatch(t):
        raise ValueError(f"{what} must be a finite number, not {short(t)}")
    if _EXPONENT.fullmatch(t):
        exact = Decimal(t)
        hint = f" ({exact:f})" if abs(exact.adjusted()) <= MAX_DIGITS else ""
        raise ValueError(f"{what} {short(t)} is in exponent notation, which YAML reads as text: "
                         f"write the number in plain digits{hint}")
    raise ValueError(f"{what} is not a number: {short(t)} (write plain digits, such as 1200 or 2.5)")
