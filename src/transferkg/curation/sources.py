"""Curated sources (``sources:`` in ``graph/*.yaml``) as RDF: kind, title, address, publisher, date.

A source's address is published as ``schema:url``, or withheld with the reason
(``urlWithheld``) and only its site named; the site becomes the publisher unless
the curator names one.
"""

from __future__ import annotations

import re
import urllib.parse

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SDO

from transferkg.core.dates import parse_partial_date
from transferkg.core.namespaces import ID, TCT, TCTV
from transferkg.curation.context import Context
from transferkg.curation.yaml_reader import Where, items, scalar

__all__ = ["SOURCE_KEYS", "SOURCE_KINDS", "compile_source"]

SOURCE_KINDS = {
    "news-article": TCT.NewsArticle,
    "official-statement": TCT.OfficialStatement,
    "court-decision": TCT.CourtDecision,
    "report": TCT.Report,
    "tracker": TCT.Report,
    "dataset": TCT.Report,
    "reference-work": TCT.Report,
}
SOURCE_KEYS = {"kind", "title", "url", "urlWithheld", "site", "published", "dateNote", "identifier", "publisher",
               "attributedTo"}

_Fields = dict[str, tuple[str, Where]]


def _site_id(url: str) -> tuple[str, str] | None:
    """``(site-<host slug>, host)`` of a URL, or None without a host."""
    host = urllib.parse.urlsplit(url).hostname
    if not host:
        return None
    slug = re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")
    return f"site-{slug}", host


def _site(ctx: Context, node: URIRef, site: tuple[str, str]) -> None:
    """The site as the source's publisher, an organisation labelled with its host name."""
    site_node = ID[site[0]]
    ctx.add([(node, DCTERMS.publisher, site_node), (site_node, RDF.type, ORG.Organization),
             (site_node, RDFS.label, Literal(site[1]))])


def _fields(ctx: Context, body: yaml.MappingNode, where: Where) -> _Fields:
    """The source's keys and their texts; unknown keys and non-scalar values reported."""
    fields: _Fields = {}
    for k, v, line in items(body):
        w = Where(where.path, line)
        if k not in SOURCE_KEYS:
            ctx.errors.add(w, f"unknown source key {k!r} (allowed: {', '.join(sorted(SOURCE_KEYS))})")
            continue
        text = scalar(v)
        if text is None:
            ctx.errors.add(w, f"{k} must be a single value")
            continue
        fields[k] = (text, w)
    return fields


def _address(ctx: Context, node: URIRef, fields: _Fields) -> None:
    """``url``, or ``urlWithheld`` with ``site``: where the source can be read, or why it is not said."""
    if "url" in fields:
        url, w = fields["url"]
        if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", url):
            ctx.errors.add(w, f"not a valid http(s) URL: {url!r}")
        else:
            ctx.add([(node, SDO.url, URIRef(url))])
            site = _site_id(url)
            if site and "publisher" not in fields:
                _site(ctx, node, site)
    if "urlWithheld" in fields:
        reason, w = fields["urlWithheld"]
        if "url" in fields:
            ctx.errors.add(w, "a source has a url or urlWithheld (the reason it is not published), not both")
        elif not reason.strip():
            ctx.errors.add(w, "urlWithheld says why the address is not published")
        else:
            ctx.add([(node, TCT.urlWithheld, Literal(reason.strip(), lang="en"))])
    if "site" in fields:
        host, w = fields["site"]
        site = _site_id(f"https://{host.strip()}/")
        if "url" in fields or site is None or not re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", host.strip()):
            ctx.errors.add(w, "site is the host name (example.org) of a source whose url is withheld")
        elif "publisher" not in fields:
            _site(ctx, node, site)


def _details(ctx: Context, ident: str, node: URIRef, fields: _Fields) -> None:
    """Publication date, notes, identifier, publisher and author of the source."""
    if "published" in fields:
        text, w = fields["published"]
        ctx.published[ident] = text.strip()
        try:
            ctx.add([(node, DCTERMS.issued, parse_partial_date(text))])
        except ValueError as exc:
            ctx.errors.add(w, str(exc))
    for k, prop in (("dateNote", TCT.dateNote), ("identifier", DCTERMS.identifier)):
        if k in fields:
            ctx.add([(node, prop, Literal(fields[k][0]))])
    for k, prop in (("publisher", DCTERMS.publisher), ("attributedTo", TCT.attributedTo)):
        if k in fields:
            target = ctx.ref(fields[k][0], fields[k][1])
            if target is not None:
                ctx.add([(node, prop, target)])


def compile_source(ctx: Context, ident: str, decl: yaml.Node, where: Where) -> None:
    """The triples of source ``ident`` declared as ``decl``."""
    body = ctx.mapping(decl, where, f"source {ident!r}")
    if body is None:
        return
    node = ID[ident]
    fields = _fields(ctx, body, where)
    kind = fields.get("kind", ("", where))
    if kind[0] not in SOURCE_KINDS:
        ctx.errors.add(kind[1], f"source kind must be one of {', '.join(sorted(SOURCE_KINDS))}")
        return
    ctx.add([(node, RDF.type, SOURCE_KINDS[kind[0]]), (node, TCT.sourceType, TCTV[kind[0]])])
    if "title" not in fields:
        ctx.errors.add(where, f"source {ident!r} has no title")
    else:
        ctx.add([(node, DCTERMS.title, Literal(fields["title"][0]))])
    _address(ctx, node, fields)
    _details(ctx, ident, node, fields)
