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

The package: :mod:`.numbers` and :mod:`.dates` read a quote, :mod:`.check` compares
one claim with it, :mod:`.files` checks curated files.
"""

from __future__ import annotations

from transferkg.curation.evidence.check import Finding, check_record, check_records, format_findings
from transferkg.curation.evidence.dates import DateParts, date_components, date_in, resolve_relative_date
from transferkg.curation.evidence.files import check_file, check_graph_dir
from transferkg.curation.evidence.numbers import numbers_in, qualifier_supported, qualifiers_before
from transferkg.curation.records import Basis, ClaimRecord

__all__ = [
    "Basis",
    "ClaimRecord",
    "DateParts",
    "Finding",
    "check_file",
    "check_graph_dir",
    "check_record",
    "check_records",
    "date_components",
    "date_in",
    "format_findings",
    "numbers_in",
    "qualifier_supported",
    "qualifiers_before",
    "resolve_relative_date",
]
