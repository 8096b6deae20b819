"""Curated claims (``claims:`` of an entity, ``claims-on:``) checked and written as claim nodes.

Each claim names one property ``p``, exactly one value (``state``, ``ref``, ``code``,
``date``, ``text`` or ``quantity``), a source ``src`` and, usually, the verbatim
``quote``. The claim id is a hash of what the curator wrote (see :func:`_claim_id`),
so an unchanged claim keeps its node across builds. The triples themselves are
written by :func:`transferkg.core.claims.claim_triples`, as for imported records.
"""

from __future__ import annotations

import re

import yaml
from rdflib import Literal, URIRef

from transferkg.core.claims import Claim, Quantity, claim_triples
from transferkg.core.dates import parse_partial_date
from transferkg.core.ids import claim_id
from transferkg.core.namespaces import ID, TCT, TCTV
from transferkg.curation.context import Context
from transferkg.curation.numbers import parse_number
from transferkg.curation.records import Basis, ClaimRecord
from transferkg.curation.yaml_reader import Where, items, line_of, scalar, short

__all__ = ["CLAIM_KEYS", "QUALIFIERS", "RANKS", "UNITS", "VALUE_KEYS", "compile_claims"]

VALUE_KEYS = ("state", "ref", "code", "date", "text", "quantity")
CLAIM_KEYS = set(VALUE_KEYS) | {
    "p", "src", "quote", "speaker", "rank", "reason", "asOf", "key", "variantOf",
    "conflictsWith", "row", "qualifier", "unit", "basis",
}
QUALIFIERS = {"exact", "up-to", "at-least", "more-than", "approximately"}
UNITS = {"person", "USD", "EUR", "GBP", "DKK", "AUD", "CAD", "ILS"}
RANKS = {"preferred", "normal", "deprecated"}
_EXPECTED = {"quantity": {"quantity"}, "object": {"state", "ref", "code"}, "literal": {"date", "text"}}
"""The value keys each kind of property takes."""

_Fields = dict[str, tuple[yaml.Node, Where]]


def _text(fields: _Fields, key: str, default: str | None = None) -> str | None:
    """The text of field ``key`` (None for a list or a mapping), or ``default`` without it."""
    return scalar(fields[key][0]) if key in fields else default


def _texts(node: yaml.Node) -> list[str]:
    """The texts of a scalar or of a list of scalars (``row: 12`` or ``row: [12, 13]``)."""
    return [scalar(n) or "" for n in node.value] if isinstance(node, yaml.SequenceNode) else [scalar(node) or ""]


def compile_claims(ctx: Context, subject: URIRef, seq: yaml.Node, where: Where) -> None:
    """The claims of a list about ``subject``."""
    if not isinstance(seq, yaml.SequenceNode):
        ctx.errors.add(where, "claims must be a list")
        return
    for item in seq.value:
        w = Where(where.path, line_of(item))
        body = ctx.mapping(item, w, "a claim")
        if body is not None:
            _claim(ctx, subject, body, w)


def _fields(ctx: Context, body: yaml.MappingNode, where: Where) -> _Fields:
    fields: _Fields = {}
    for k, v, line in items(body):
        w = Where(where.path, line)
        if k not in CLAIM_KEYS:
            ctx.errors.add(w, f"unknown claim key {k!r}")
            continue
        fields[k] = (v, w)
    return fields


def _claim(ctx: Context, subject: URIRef, body: yaml.MappingNode, where: Where) -> None:
    """Check one claim, record it as written, and write its triples."""
    fields = _fields(ctx, body, where)
    values = [k for k in VALUE_KEYS if k in fields]
    if len(values) != 1:
        ctx.errors.add(where, f"a claim needs exactly one value ({', '.join(VALUE_KEYS)}); found {values or 'none'}")
        return
    vkey = values[0]
    pname = _text(fields, "p")
    if not pname:
        ctx.errors.add(where, "a claim needs a property 'p'")
        return
    basis = _basis(ctx, fields["basis"]) if "basis" in fields else None
    if "src" in fields:
        _record(ctx, subject, pname, vkey, fields, basis, where)
    if not _well_formed(ctx, pname, vkey, fields, where):
        return
    converted = _value(ctx, vkey, fields[vkey])
    if converted is None:
        return
    value_text, value = converted
    qualifier, unit = _text(fields, "qualifier"), _text(fields, "unit")
    if vkey != "quantity" and (qualifier or unit):
        ctx.errors.add(where, "qualifier and unit go with a quantity only")
        return
    src, quote = _text(fields, "src") or "", _text(fields, "quote", "") or ""
    cid = claim_id(str(subject), pname, vkey, value_text, src, quote, _text(fields, "speaker") or "",
                   _text(fields, "asOf") or "", qualifier or "", unit or "")
    if cid in ctx.claim_ids:
        first = ctx.claim_ids[cid]
        ctx.errors.add(where, f"duplicate claim (same as {first.path}:{first.line})")
        return
    ctx.claim_ids[cid] = where
    node = ID[cid]
    stated = _quantity(ctx, value, qualifier, unit, where) if isinstance(value, dict) else value
    rank, speaker, as_of = _rank(ctx, fields, where), _speaker(ctx, fields), _as_of(ctx, fields)
    _keys_and_links(ctx, fields, node)
    _rows(ctx, fields, where)
    if stated is None:
        return
    ctx.add(claim_triples(Claim(
        node, subject, TCT[pname], ID[src], stated, quote=quote, rank=rank,
        basis=basis.text(ctx.published.get(src)) if basis is not None else None,
        reason=(_text(fields, "reason") or "") if "reason" in fields else None, speaker=speaker, as_of=as_of)))


def _well_formed(ctx: Context, pname: str, vkey: str, fields: _Fields, where: Where) -> bool:
    """Whether the property is claimable, takes this kind of value, and the source is declared."""
    if pname not in ctx.props:
        ctx.errors.add(fields["p"][1], f"unknown or derived property {pname!r} (see ontology/tct.ttl)")
        return False
    expected = _EXPECTED[ctx.props[pname]]
    if vkey not in expected:
        ctx.errors.add(fields[vkey][1], f"property {pname!r} takes {' or '.join(sorted(expected))}, not {vkey}")
        return False
    if "src" not in fields:
        ctx.errors.add(where, "a claim needs a source 'src'")
        return False
    src = _text(fields, "src") or ""
    if src not in ctx.sources:
        ctx.errors.add(fields["src"][1], f"unknown source {src!r} (declare it in graph/sources.yaml)")
        return False
    return True


def _value(ctx: Context, vkey: str, field: tuple[yaml.Node, Where]) -> tuple[
        str, URIRef | Literal | dict[str, str]] | None:
    """The value as written (for the claim id) and as a term, or a quantity's numbers as written.

    None, with an error, when the value is not one a claim can state.
    """
    vnode, vwhere = field
    if vkey == "quantity":
        qty = _quantity_fields(ctx, vnode, vwhere)
        return None if qty is None else (",".join(f"{k}={qty[k]}" for k in sorted(qty)), qty)
    text = scalar(vnode)
    if text is None:
        ctx.errors.add(vwhere, f"{vkey} must be a single value")
        return None
    value: URIRef | Literal | None
    if vkey == "state":
        value = ctx.state(text, vwhere)
    elif vkey == "ref":
        value = ctx.ref(text, vwhere)
    elif vkey == "code":
        value = TCTV[text] if text in ctx.codes else None
        if value is None:
            ctx.errors.add(vwhere, f"unknown code {text!r} (see ontology/vocab/)")
    elif vkey == "date":
        try:
            value = parse_partial_date(text)
        except ValueError as exc:
            ctx.errors.add(vwhere, str(exc))
            return None
    else:
        value = Literal(text, lang="en")
    return None if value is None else (text, value)


def _quantity_fields(ctx: Context, node: yaml.Node, where: Where) -> dict[str, str] | None:
    """``value``, ``min`` and ``max`` of a quantity as written, each a valid number; else None and an error."""
    qty: dict[str, str] = {}
    if isinstance(node, yaml.MappingNode):
        for k, v, line in items(node):
            if k not in {"value", "min", "max"}:
                ctx.errors.add(Where(where.path, line), f"quantity takes value, min or max, not {k!r}")
                return None
            qty[k] = scalar(v) or ""
    elif (text := scalar(node)) is not None:
        qty["value"] = text
    for k, written in qty.items():
        try:
            parse_number(written, f"quantity {k}" if k != "value" else "quantity")
        except ValueError as exc:
            ctx.errors.add(where, str(exc))
            return None
    return qty


def _quantity(ctx: Context, qty: dict[str, str], qualifier: str | None, unit: str | None,
              where: Where) -> Quantity | None:
    """The quantity, or None and an error for an unknown qualifier or unit, or a value and a range."""
    qualifier = qualifier or "exact"
    unit = unit or "person"
    if qualifier not in QUALIFIERS:
        ctx.errors.add(where, f"qualifier must be one of {', '.join(sorted(QUALIFIERS))}")
        return None
    if unit not in UNITS:
        ctx.errors.add(where, f"unit must be one of {', '.join(sorted(UNITS))}")
        return None
    if "value" in qty and ("min" in qty or "max" in qty):
        ctx.errors.add(where, "a quantity has a value or a min/max range, not both")
        return None
    number = {k: parse_number(v) for k, v in qty.items()}
    return Quantity(qualifier, unit, number.get("value"), number.get("min"), number.get("max"))


def _rank(ctx: Context, fields: _Fields, where: Where) -> str:
    """The rank (``normal`` unless said); a deprecated claim must say why."""
    rank = _text(fields, "rank", "normal")
    if rank not in RANKS:
        ctx.errors.add(fields["rank"][1], f"rank must be one of {', '.join(sorted(RANKS))}")
        rank = "normal"
    if rank == "deprecated" and "reason" not in fields:
        ctx.errors.add(where, "a deprecated claim needs a 'reason'")
    return rank


def _speaker(ctx: Context, fields: _Fields) -> URIRef | None:
    text = _text(fields, "speaker")
    return ctx.ref(text, fields["speaker"][1]) if text else None


def _as_of(ctx: Context, fields: _Fields) -> Literal | None:
    text = _text(fields, "asOf")
    if not text:
        return None
    try:
        return parse_partial_date(text)
    except ValueError as exc:
        ctx.errors.add(fields["asOf"][1], str(exc))
        return None


def _keys_and_links(ctx: Context, fields: _Fields, node: URIRef) -> None:
    """Bind the claim's ``key`` to it; record its ``variantOf``/``conflictsWith`` links to other keys."""
    if "key" in fields:
        key = _text(fields, "key") or ""
        if key in ctx.keys:
            ctx.keys[key] = (ctx.keys[key][0], node)
    for rel in ("variantOf", "conflictsWith"):
        if rel in fields:
            target_node, w = fields[rel]
            for target in _texts(target_node):
                if target not in ctx.keys:
                    ctx.errors.add(w, f"unknown claim key {target!r} in {rel}")
                else:
                    ctx.links.append((w, node, URIRef(target), rel))


def _rows(ctx: Context, fields: _Fields, where: Where) -> None:
    """Note the research-table rows the claim cites (for the coverage check)."""
    if "row" not in fields:
        return
    node, w = fields["row"]
    for n in _texts(node):
        if not re.fullmatch(r"[0-9]{1,9}", n.strip()):
            ctx.errors.add(w, f"row must be a row number, not {short(n)}")
        else:
            ctx.rows.setdefault(int(n.strip()), []).append(f"{where.path}:{where.line}")


def _basis(ctx: Context, field: tuple[yaml.Node, Where]) -> Basis | None:
    """The declared basis of a value not written in its quote, or None and an error."""
    node, where = field
    if not isinstance(node, yaml.MappingNode):
        ctx.errors.add(where, "basis must be a mapping: {rule: sum, of: [...]} or {rule: relative-date, word: ...}")
        return None
    parts = {k: v for k, v, _ in items(node)}
    unknown = set(parts) - {"rule", "of", "word"}
    rule = scalar(parts["rule"]) if "rule" in parts else None
    if unknown or rule not in Basis.RULES:
        ctx.errors.add(where, f"basis takes rule ({', '.join(Basis.RULES)}), of and word"
                       + (f", not {', '.join(sorted(unknown))}" if unknown else ""))
        return None
    operands = tuple(_texts(parts["of"])) if "of" in parts else ()
    word = scalar(parts["word"]) if "word" in parts else None
    if rule == "relative-date" and not word:
        ctx.errors.add(where, "a relative-date basis needs the quote's word, e.g. word: Tuesday")
        return None
    if rule != "relative-date" and len(operands) < 2:
        ctx.errors.add(where, f"a {rule} basis needs two or more operands in 'of'")
        return None
    return Basis(rule=rule, operands=operands, word=word)


def _record(ctx: Context, subject: URIRef, pname: str, vkey: str, fields: _Fields, basis: Basis | None,
            where: Where) -> None:
    """Keep the claim as written, for the evidence check."""
    vnode = fields[vkey][0]
    value: str | dict[str, str]
    if isinstance(vnode, yaml.MappingNode):
        value = {str(k.value): str(v.value) for k, v in vnode.value if isinstance(v, yaml.ScalarNode)}
    else:
        value = scalar(vnode) or ""
    ctx.records.append(ClaimRecord(
        path=where.path, line=where.line, subject=str(subject).removeprefix(str(ID)), prop=pname,
        kind=vkey, value=value, quote=_text(fields, "quote", "") or "", src=_text(fields, "src") or "",
        qualifier=_text(fields, "qualifier") or "exact", unit=_text(fields, "unit") or "person",
        as_of=_text(fields, "asOf") or None, basis=basis, key=_text(fields, "key") or None,
        rank=_text(fields, "rank") or "normal"))
