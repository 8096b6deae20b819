"""The checks of one claim against its quote: numbers, qualifier, date, state, text, ``asOf``, basis."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from transferkg.core.dates import date_parts
from transferkg.core.states import find_states, mentions, state_label
from transferkg.curation.evidence.dates import date_in, month_matches, resolve_relative_date
from transferkg.curation.evidence.numbers import canonical, number_spans, numbers_in, qualifier_supported, qualifiers_before
from transferkg.curation.records import Basis, ClaimRecord

__all__ = ["Finding", "check_record", "check_records", "format_findings"]


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
        for _month, start, end in month_matches(record.quote):
            if resolve_relative_date(record.quote[start:end], published) == value:
                return []
    hint = " (the source's publication date)" if published and published.startswith(value) else ""
    return [(what, f"{what} {value}{hint}: {', '.join(missing)} not in the quote")]


def _check_text(text: str, quote: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    quoted = numbers_in(quote)
    missing: list[str] = []
    for readings, start, end in number_spans(text):
        word = text[start:end]
        if canonical(readings) & quoted:
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
        if published and date_parts(published) and date_parts(record.as_of):
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


def format_findings(findings: Sequence[Finding], *, limit: int | None = None) -> str:
    """Findings as ``file:line: subject property: message`` lines."""
    shown = findings if limit is None else findings[:limit]
    lines = [f.text() for f in shown]
    if limit is not None and len(findings) > limit:
        lines.append(f"… and {len(findings) - limit} more")
    return "\n".join(lines)
