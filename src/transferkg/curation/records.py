"""A claim as the curator wrote it: what the compiler records and the evidence check reads.

The compiler keeps every claim it reads, with its file and line, as a
:class:`ClaimRecord` (values as written, before any conversion), so the evidence
check can say ``file:line`` for a value its quote does not carry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Basis", "ClaimRecord"]


@dataclass(frozen=True)
class Basis:
    """How a value not written in its quote was obtained, as the curator declared it.

    ``rule`` is ``sum``, ``difference`` or ``product`` of ``operands`` (numbers
    that must be in the quote, or keys of other quantity claims), or
    ``relative-date``: the date that ``word`` of the quote means in a report
    published on the source's date (see :func:`transferkg.curation.evidence.resolve_relative_date`).
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
