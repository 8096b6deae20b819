"""The privacy check: no name of an individual migrant in any literal or IRI of the graph.

The graph may name officials, judges and organisations, never a deportee. A
list of deportees' names cannot be the method (it would itself be personal
data, and it would miss the next name), so the check reads every text the
curators wrote — quotes, notes, labels, source titles, source URLs and the
graph's own ids — and finds the words that look like a personal name: two or
more capitalised words in a row that are not English words, not the name of a
state, month or known organisation. Each such name must be accounted for in
the curators' name list (``graph/names.yaml``): either a public figure, with
the public role in which the sources name them, or a name that is not a person
(an outlet, a court, a foreign phrase in a URL). Anything else is reported, and
``transferkg build`` refuses to write the graph.
"""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import ORG, RDF, RDFS, SKOS

from transferkg.core.namespaces import TCT

__all__ = ["NameList", "PrivacyFinding", "check_graph", "names_in_text", "names_in_url"]

_PARTICLES = {"de", "del", "della", "der", "van", "von", "da", "das", "do", "dos", "bin", "ibn", "al", "el", "la",
              "le", "di", "du", "y", "e", "ter", "ten", "st", "mc", "mac"}
_TOKEN = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)
_KNOWN_LABEL_TYPES = (ORG.Organization, TCT.Facility, TCT.State, SKOS.Concept, TCT.Legislation, TCT.Programme)
"""Entities whose labels are names of things, not of people: their words are known words."""


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[’‘`]", "'", text).casefold()


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    """English common words: Webster's 2nd and GCIDE (english-words package), without their proper nouns.

    The dictionaries list "Isaac" and "Orville" with a capital; only words they list in
    lower case count, so a first name is never mistaken for a word.
    """
    from english_words import get_english_words_set

    return frozenset(w for w in get_english_words_set(["web2", "gcide"], lower=False) if w[:1].islower())


@lru_cache(maxsize=1)
def _state_words() -> frozenset[str]:
    from transferkg.core.states import _alias_index

    words: set[str] = set()
    for folded, _code, _alias in _alias_index():
        words.update(re.findall(r"[^\W\d_]+", folded))
    return frozenset(words)


_MONTHS_DAYS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}
_SUFFIXES = (("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""),
             ("ing", "e"), ("d", ""), ("'s", ""), ("er", ""), ("ers", ""), ("ly", ""), ("n", ""), ("an", "a"),
             ("ian", "ia"), ("ese", ""), ("i", ""))


@dataclass(frozen=True)
class NameList:
    """The curators' account of every name-like phrase in the graph (``graph/names.yaml``)."""

    public_figures: Mapping[str, str]
    """Name → the public role in which the sources name them (minister, judge, spokesperson …)."""
    not_people: tuple[str, ...] = ()
    """Phrases that look like a personal name but are not one (an outlet, a court, foreign words)."""
    known_words: frozenset[str] = frozenset()
    """Words of the graph's own names of things (organisations, facilities, laws), folded."""

    def allows(self, name: str) -> bool:
        """Whether ``name`` is (part of) a declared public figure or non-person phrase."""
        folded = _fold(name)
        spaced = re.sub(r"[-_]+", " ", folded)
        for entry in (*self.public_figures, *self.not_people):
            e = _fold(entry)
            e_spaced = re.sub(r"[-_.]+", " ", e)
            if folded in e or spaced in e_spaced or e in folded or e_spaced in spaced:
                return True
        return False


@lru_cache(maxsize=65536)
def _is_word(token: str, known: frozenset[str]) -> bool:
    word = re.sub(r"'s$", "", _fold(token)).strip("'.-")
    if not word or len(word) < 2:
        return True
    if word in _dictionary() or word in _state_words() or word in _MONTHS_DAYS or word in known:
        return True
    for part in re.split(r"[-.]", word):  # hyphenated: every part a word
        if part and part not in _dictionary() and part not in known and part not in _state_words():
            break
    else:
        return True
    for suffix, repl in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 2 and (word[: -len(suffix)] + repl) in _dictionary():
            return True
    return False


def names_in_text(text: str, *, known: frozenset[str] = frozenset()) -> list[str]:
    """Runs of two or more capitalised non-words in ``text`` ("Kilmar Abrego Garcia")."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        while run and _fold(run[-1]) in _PARTICLES:
            run.pop()
        if len([t for t in run if _fold(t) not in _PARTICLES]) >= 2:
            out.append(" ".join(run))
        run.clear()

    text = unicodedata.normalize("NFC", text)
    previous_end = 0
    for match in _TOKEN.finditer(text):
        token = match.group(0).rstrip(".'’-")
        if run and text[previous_end:match.start()].strip(" \u00a0"):
            flush()  # a comma or other mark between words ends a name
        previous_end = match.start() + len(token)
        acronym = token.isupper() or sum(ch.isupper() for ch in token) > 1 and "-" not in token
        if token[:1].isupper() and not acronym and not _is_word(token, known):
            run.append(token)
        elif run and _fold(token) in _PARTICLES:
            run.append(token)
        else:
            flush()
    flush()
    return out


def names_in_url(url: str, *, known: frozenset[str] = frozenset()) -> list[str]:
    """Runs of two or more non-words in the slug parts of a URL's path ("kilmar-abrego-garcia")."""
    parts = urllib.parse.urlsplit(url)
    out: list[str] = []
    for segment in urllib.parse.unquote(parts.path).split("/"):
        if "-" not in segment and "_" not in segment:
            continue  # an id or a single word, not a slug of words
        run: list[str] = []
        for word in [*re.split(r"[-_.]+", segment), ""]:
            if word.isalpha() and len(word) >= 4 and re.search(r"[aeiouy]", word, re.IGNORECASE) and not _is_word(
                    word, known):
                run.append(word)
                continue
            if len(run) >= 2:
                out.append(" ".join(run))
            run = []
    return out


@dataclass(frozen=True)
class PrivacyFinding:
    """A name-like phrase that the curators' name list does not account for."""

    subject: str
    property: str
    name: str
    text: str

    def describe(self) -> str:
        shown = self.text if len(self.text) <= 90 else self.text[:87] + "…"
        return (f"{self.subject} {self.property}: {self.name!r} looks like a personal name and is not in "
                f"graph/names.yaml (in {shown!r})")


def _local(node: object) -> str:
    text = str(node)
    for base in ("https://w3id.org/tct/id/", "https://w3id.org/tct/ontology#"):
        if text.startswith(base):
            return ("id:" if "id/" in base else "tct:") + text[len(base):]
    return text


def known_words(graph: Graph) -> frozenset[str]:
    """The words of the labels of things that are not people (organisations, facilities, laws …)."""
    words: set[str] = set()
    for cls in _KNOWN_LABEL_TYPES:
        for node in graph.subjects(RDF.type, cls):
            for label in (*graph.objects(node, RDFS.label), *graph.objects(node, SKOS.prefLabel)):
                words.update(_fold(w) for w in re.findall(r"[^\W\d_]+", str(label)))
    return frozenset(words)


def check_graph(graph: Graph, names: NameList, *, skip: Iterable[URIRef] = ()) -> list[PrivacyFinding]:
    """Every name-like phrase of ``graph`` (literals, IRIs) that ``names`` does not account for.

    ``skip``: predicates whose values are not curated text (e.g. the ontology's own
    definitions), left out for speed and to keep the report about the data.
    """
    skipped = set(skip)
    known = names.known_words | known_words(graph)
    seen: dict[tuple[str, str, str], PrivacyFinding] = {}
    checked_iris: set[str] = set()
    for s, p, o in graph:
        if p in skipped:
            continue
        texts: list[tuple[str, str, bool]] = []
        if isinstance(o, Literal) and (o.datatype is None or str(o.datatype).endswith("#string")):
            texts.append((str(o), _local(p), False))
        for node, where in ((s, "id"), (o, _local(p))):
            if isinstance(node, URIRef) and str(node) not in checked_iris:
                checked_iris.add(str(node))
                texts.append((str(node), where if node is o else "id", True))
        for text, where, is_iri in texts:
            found = names_in_url(text, known=known) if is_iri else names_in_text(text, known=known)
            for name in found:
                if not names.allows(name):
                    key = (_local(s), where, name)
                    seen.setdefault(key, PrivacyFinding(_local(s), where, name, text))
    return sorted(seen.values(), key=lambda f: (f.subject, f.property, f.name))
