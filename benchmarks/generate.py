"""Deterministic synthetic transferkg graphs for benchmarks (N-Triples).

The graph has the shape the YAML compiler produces (``src/transferkg/curation/compile.py``):
the ontology and code lists, states, government organisations, sources,
transfer agreements with status changes, deportation flights and cohorts with
nationalities — and every fact as a ``tct:Claim`` node with its source, quote and
rank, including variants (50 vs "up to 50"), conflicts (9 vs 11 people) and
deprecated claims. No derived triples: run ``derive`` on it.

The same ``--seed`` and ``--triples`` always give the same file, byte for byte.
The output never goes into ``graph/`` (default: ``benchmarks/data/``, git-ignored).

Example::

    python benchmarks/generate.py --triples 100000 --seed 1 --out benchmarks/data/synthetic-100k.nt
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"

ID = "https://w3id.org/tct/id/"
TCT = "https://w3id.org/tct/ontology#"
TCTV = "https://w3id.org/tct/vocab/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV_DERIVED = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
DCT = "http://purl.org/dc/terms/"
SDO = "https://schema.org/"
ORG_ORGANIZATION = "<http://www.w3.org/ns/org#Organization>"

SENDERS = [("US", 40), ("GB", 8), ("DK", 5), ("AU", 6), ("IT", 6), ("IL", 4), ("NL", 3), ("DE", 3),
           ("AT", 2), ("SE", 2), ("BE", 2), ("GR", 2)]
STATUS_PATH = ["proposed", "announced", "signed", "in-force", "implemented"]
STATUS_END = ["suspended", "blocked-by-court", "terminated", "expired"]
OUTCOMES = ["injunction-granted", "restraining-order", "ordered-release", "unlawful", "stay-granted",
            "dismissed", "upheld", "pending"]
CRITERIA = ["case-by-case", "criminal-record", "nationality", "public-order", "rule-of-law", "vulnerability"]
SOURCE_KINDS = [("NewsArticle", "news-article"), ("OfficialStatement", "official-statement"),
                ("Report", "tracker"), ("Report", "report")]


def iri(local: str) -> str:
    return f"<{ID}{local}>"


def tct(local: str) -> str:
    return f"<{TCT}{local}>"


def tctv(local: str) -> str:
    return f"<{TCTV}{local}>"


def lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    if lang:
        return f'"{escaped}"@{lang}'
    if datatype:
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


def date_lit(text: str) -> str:
    kind = {4: "gYear", 7: "gYearMonth", 10: "date"}[len(text)]
    return lit(text, datatype=XSD + kind)


def integer(n: int) -> str:
    return lit(str(n), datatype=XSD + "integer")


def _states() -> list[tuple[str, str]]:
    import pycountry

    states = [(c.alpha_2, str(getattr(c, "common_name", None) or c.name)) for c in pycountry.countries]
    states.append(("XK", "Kosovo"))
    return sorted(states)


def _ontology_lines() -> list[str]:
    """The ontology and code lists as sorted N-Triples lines."""
    from rdflib import Graph

    graph = Graph()
    graph.parse(ROOT / "ontology" / "tct.ttl", format="turtle")
    for path in sorted((ROOT / "ontology" / "vocab").glob("*.ttl")):
        graph.parse(path, format="turtle")
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return sorted(line for line in text.splitlines() if line.strip() and "_:" not in line)


class Generator:
    """Writes one synthetic graph; ``count`` triples so far."""

    def __init__(self, seed: int, target: int) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.target = target
        self.lines: list[str] = []
        self.count = 0
        self.states = _states()
        self.codes = [code for code, _ in self.states]
        self.governments: set[str] = set()
        self.n_sources = 0
        self.sites: set[str] = set()
        self.courts: set[str] = set()
        self.recognised: set[str] = set()

    # -- output ------------------------------------------------------------------------------
    def t(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} {p} {o} .\n")

    def drain(self) -> list[str]:
        out = self.lines
        self.count += len(out)
        self.lines = []
        return out

    # -- building blocks ---------------------------------------------------------------------
    def government(self, code: str) -> str:
        node = iri(f"org-government-{code}")
        if code not in self.governments:
            self.governments.add(code)
            self.t(node, RDF_TYPE, ORG_ORGANIZATION)
            self.t(node, RDFS_LABEL, lit(f"Government of {code}", lang="en"))
            self.t(node, tct("actsFor"), iri(f"state-{code}"))
        return node

    def source(self, tag: str) -> str:
        self.n_sources += 1
        n = self.n_sources
        cls, kind = SOURCE_KINDS[self.rng.randrange(len(SOURCE_KINDS))]
        node = iri(f"src-synthetic-{n}")
        site = f"site-news{n % 97}-example-org"
        self.t(node, RDF_TYPE, tct(cls))
        self.t(node, tct("sourceType"), tctv(kind))
        self.t(node, f"<{DCT}title>", lit(f"Synthetic {kind} {n} about {tag}"))
        self.t(node, f"<{SDO}url>", f"<https://news{n % 97}.example.org/{tag}/{n}>")
        self.t(node, f"<{DCT}publisher>", iri(site))
        if site not in self.sites:  # declare each publisher once, the first time it appears
            self.sites.add(site)
            self.t(iri(site), RDF_TYPE, ORG_ORGANIZATION)
            self.t(iri(site), RDFS_LABEL, lit(f"news{n % 97}.example.org"))
        if self.rng.random() < 0.9:
            self.t(node, f"<{DCT}issued>", date_lit(self.date(2016, 2026)))
        return node

    def date(self, first: int, last: int) -> str:
        rng = self.rng
        year = rng.randint(first, last)
        month = rng.randint(1, 12)
        day = rng.randint(1, 28)
        roll = rng.random()
        if roll < 0.02:
            return f"{year:04d}"
        if roll < 0.12:
            return f"{year:04d}-{month:02d}"
        return f"{year:04d}-{month:02d}-{day:02d}"

    def claim(self, subject: str, prop: str, src: str, quote: str, *, obj: str | None = None,
              literal: str | None = None, quantity: tuple[int, str] | None = None, rank: str = "normal",
              speaker: str | None = None, reason: str | None = None, salt: str = "") -> str:
        parts = "\x1f".join([subject, prop, obj or literal or str(quantity), src, quote, speaker or "", salt])
        cid = "claim-" + hashlib.sha256(parts.encode("utf-8")).hexdigest()[:16]
        c = iri(cid)
        self.t(c, RDF_TYPE, tct("Claim"))
        self.t(c, tct("claimSubject"), subject)
        self.t(c, tct("claimProperty"), tct(prop))
        self.t(c, PROV_DERIVED, src)
        self.t(c, tct("quote"), lit(quote))
        if obj is not None:
            self.t(c, tct("objectValue"), obj)
        elif literal is not None:
            self.t(c, tct("literalValue"), literal)
        elif quantity is not None:
            value, qualifier = quantity
            q = iri(f"{cid}-quantity")
            self.t(c, tct("quantityValue"), q)
            self.t(q, RDF_TYPE, f"<{SDO}QuantitativeValue>")
            self.t(q, tct("quantityQualifier"), tctv(qualifier))
            self.t(q, f"<{SDO}unitText>", lit("person"))
            slot = {"up-to": "maxValue", "at-least": "minValue"}.get(qualifier, "value")
            self.t(q, f"<{SDO}{slot}>", integer(value))
        self.t(c, tct("rank"), tctv(rank))
        if reason:
            self.t(c, tct("rankReason"), lit(reason, lang="en"))
        if speaker:
            self.t(c, tct("speaker"), speaker)
        return c

    # -- the model ---------------------------------------------------------------------------
    def states_block(self) -> None:
        for code, name in self.states:
            node = iri(f"state-{code}")
            self.t(node, RDF_TYPE, tct("State"))
            self.t(node, RDFS_LABEL, lit(name, lang="en"))
            self.t(node, tct("isoCode"), lit(code))
            note = "user-assigned code XK" if code == "XK" else "ISO 3166-1 alpha-2 via pycountry"
            self.t(node, f"<{DCT}source>", lit(note))

    def agreement(self, n: int) -> tuple[str, str, str, list[str]]:
        rng = self.rng
        sender = rng.choices([c for c, _ in SENDERS], weights=[w for _, w in SENDERS])[0]
        host = rng.choice(self.codes)
        while host == sender:
            host = rng.choice(self.codes)
        year = rng.randint(2016, 2026)
        local = f"agreement-{sender}-{host}-{year}-{n}"
        a = iri(local)
        self.t(a, RDF_TYPE, tct("TransferAgreement"))
        self.t(a, tct("arrangementKind"), tctv("third-country-deportation"))  # the curators' classification
        self.t(a, RDFS_LABEL, lit(f"{sender}–{host} transfer agreement ({year}, #{n})", lang="en"))
        sources = [self.source(local) for _ in range(rng.randint(2, 4))]
        gov_s, gov_h = self.government(sender), self.government(host)
        for i, src in enumerate(sources):
            self.claim(a, "sendingState", src, f"{sender} will send people to {host}", obj=iri(f"state-{sender}"))
            if i < 2:
                self.claim(a, "receivingState", src, f"{host} agreed to receive people", obj=iri(f"state-{host}"),
                           speaker=gov_h if i == 0 else None)
        capacity = rng.choice([25, 50, 100, 150, 300, 1000])
        first = self.claim(a, "capacity", sources[0], f"will host {capacity} people", quantity=(capacity, "exact"),
                           speaker=gov_h)
        variant = self.claim(a, "capacity", sources[1], f"up to {capacity} people", quantity=(capacity, "up-to"))
        self.t(variant, tct("variantOf"), first)
        if rng.random() < 0.3:
            other = capacity * 2
            conflict = self.claim(a, "capacity", sources[-1], f"as many as {other} people",
                                  quantity=(other, "exact"), rank="deprecated",
                                  reason="Contradicted by the government's own figure")
            self.t(conflict, tct("conflictsWith"), first)
        if rng.random() < 0.4:
            self.claim(a, "payment", sources[0], "the sending state pays", quantity=(rng.randint(1, 50) * 100_000, "exact"),
                       speaker=gov_s)
        self.claim(a, "signingDate", sources[0], "the agreement was signed", literal=date_lit(f"{year}-{rng.randint(1, 12):02d}"))
        steps = STATUS_PATH[: rng.randint(2, len(STATUS_PATH))]
        if rng.random() < 0.25:
            steps.append(rng.choice(STATUS_END))
        for i, status in enumerate(steps):
            sc = iri(f"statuschange-{local}-{i}")
            self.t(sc, RDF_TYPE, tct("StatusChange"))
            self.t(sc, RDFS_LABEL, lit(f"{local} {status}", lang="en"))
            src = sources[i % len(sources)]
            self.claim(sc, "changesStatusOf", src, f"the agreement is {status}", obj=a)
            self.claim(sc, "status", src, f"the agreement is {status}", obj=tctv(status))
            when = f"{min(year + i // 2, 2026):04d}-{rng.randint(1, 12):02d}"
            if rng.random() < 0.7:
                when += f"-{rng.randint(1, 28):02d}"
            self.claim(sc, "date", src, f"on {when}", literal=date_lit(when))
        if rng.random() < 0.3:
            self.litigation(local, a, sender, sources)
        if rng.random() < 0.3:
            crit = iri(f"criterion-{local}")
            kind = rng.choice(CRITERIA)
            self.t(crit, RDF_TYPE, tct("SelectionCriterion"))
            self.t(crit, RDFS_LABEL, lit(f"{host} selects by {kind}", lang="en"))
            self.claim(a, "selectionCriterion", sources[0], f"{host} chooses whom it accepts", obj=crit)
            self.claim(crit, "criterionType", sources[0], f"by {kind}", obj=tctv(kind))
            self.claim(crit, "selectedBy", sources[0], f"{host} chooses", obj=iri(f"state-{host}"), speaker=gov_h)
            self.claim(crit, "note", sources[0], f"{host} reviews each case",
                       literal=lit(f"{host} reviews each person by {kind}", lang="en"))
        return a, sender, host, sources

    def litigation(self, local: str, a: str, sender: str, sources: list[str]) -> None:
        rng = self.rng
        court = iri(f"org-court-{sender}")
        if sender not in self.courts:
            self.courts.add(sender)
            self.t(court, RDF_TYPE, ORG_ORGANIZATION)
            self.t(court, RDFS_LABEL, lit(f"High court of {sender}", lang="en"))
            self.t(court, tct("actsFor"), iri(f"state-{sender}"))
        case = iri(f"challenge-{local}")
        src = sources[-1]
        self.t(case, RDF_TYPE, tct("LegalChallenge"))
        self.t(case, RDFS_LABEL, lit(f"Challenge to {local}", lang="en"))
        self.claim(case, "challenges", src, "the claimants challenge the transfers", obj=a)
        self.claim(case, "caseIdentifier", src, "the case", literal=lit(f"Case {local}", lang="en"))
        self.claim(case, "court", src, "before the court", obj=court)
        for i in range(rng.randint(1, 2)):
            ruling = iri(f"ruling-{local}-{i}")
            outcome = rng.choice(OUTCOMES)
            when = self.date(2016, 2026)
            self.t(ruling, RDF_TYPE, tct("CourtRuling"))
            self.t(ruling, RDFS_LABEL, lit(f"Ruling {i + 1} on {local}", lang="en"))
            self.claim(ruling, "inChallenge", src, f"ruling {i + 1}", obj=case)
            self.claim(ruling, "court", src, f"ruling {i + 1}", obj=court)
            self.claim(ruling, "date", src, f"ruling {i + 1} on {when}", literal=date_lit(when))
            self.claim(ruling, "outcome", src, f"the court: {outcome}", obj=tctv(outcome))

    def recognition(self, host: str, sources: list[str]) -> None:
        """Recognition acts about a host of limited recognition."""
        rng = self.rng
        if host in self.recognised:
            return
        self.recognised.add(host)
        src = sources[0]
        recognisers = rng.sample(self.codes, 4)
        for i, code in enumerate(recognisers):
            if code == host:
                continue
            action = "does-not-recognise" if i % 2 else "recognises"
            act = iri(f"recognition-{code}-{host}")
            self.t(act, RDF_TYPE, tct("RecognitionAct"))
            self.t(act, RDFS_LABEL, lit(f"{code} {action} {host}", lang="en"))
            self.claim(act, "recognizer", src, f"{code} and {host}", obj=iri(f"state-{code}"))
            self.claim(act, "recognized", src, f"{code} and {host}", obj=iri(f"state-{host}"))
            self.claim(act, "recognitionAction", src, f"{code} {action}", obj=tctv(action))
        self.claim(iri(f"state-{host}"), "recognitionCount", src, "recognised by some states",
                   quantity=(rng.randint(20, 120), "more-than"))

    def flight(self, n: int, agreement: tuple[str, str, str, list[str]]) -> None:
        rng = self.rng
        a, sender, host, sources = agreement
        when = self.date(2016, 2026)
        people = max(1, int(rng.expovariate(1 / 40)))
        f = iri(f"flight-{sender}-{host}-{n}")
        self.t(f, RDF_TYPE, tct("DeportationFlight"))
        self.t(f, RDFS_LABEL, lit(f"Deportation flight {sender}→{host} #{n} ({people} people)", lang="en"))
        src = sources[n % len(sources)] if rng.random() < 0.7 else self.source(f"flight-{n}")
        quote = f"flight {n} carried {people} people"
        self.claim(f, "transferFrom", src, quote, obj=iri(f"state-{sender}"))
        self.claim(f, "transferTo", src, quote, obj=iri(f"state-{host}"))
        self.claim(f, "underAgreement", src, quote, obj=a)
        self.claim(f, "date", src, f"flight {n} on {when}", literal=date_lit(when))
        first = self.claim(f, "personCount", src, quote, quantity=(people, "exact"))
        if rng.random() < 0.1:
            other = people + rng.randint(1, 5)
            src2 = sources[(n + 1) % len(sources)]
            conflict = self.claim(f, "personCount", src2, f"flight {n} carried {other}", quantity=(other, "exact"))
            self.t(conflict, tct("conflictsWith"), first)
        if rng.random() < 0.1:
            self.claim(f, "nationalityStatus", src, "nationalities were not disclosed", obj=tctv("withheld"),
                       speaker=self.government(sender))
        else:
            for code in rng.sample(self.codes, rng.randint(1, 3)):
                self.claim(f, "nationality", src, f"nationals of {code}", obj=iri(f"state-{code}"))
        if rng.random() < 0.3:
            self.claim(f, "note", src, f"flight {n} left at night",
                       literal=lit(f"Flight {n} left at night; lawyers were not told", lang="en"))
        if rng.random() < 0.2:
            cohort = iri(f"cohort-{sender}-{host}-{n}")
            self.t(cohort, RDF_TYPE, tct("Cohort"))
            self.t(cohort, RDFS_LABEL, lit(f"People on flight #{n}", lang="en"))
            self.claim(f, "transferred", src, quote, obj=cohort)
            self.claim(cohort, "personCount", src, quote, quantity=(people, "up-to"))
            self.claim(cohort, "nationality", src, "among them", obj=iri(f"state-{rng.choice(self.codes)}"))

    def triples(self) -> Iterator[list[str]]:
        """Chunks of N-Triples lines until about ``target`` triples."""
        self.lines.extend(line + "\n" for line in _ontology_lines())
        self.states_block()
        yield self.drain()
        n_agreements = max(10, min(2000, self.target // 4000))
        agreements = [self.agreement(i) for i in range(n_agreements)]
        for _a, _sender, host, sources in agreements[:: max(1, n_agreements // 5)]:
            self.recognition(host, sources)
        yield self.drain()
        weights = [self.rng.paretovariate(1.2) for _ in agreements]
        n = 0
        while self.count + len(self.lines) < self.target:
            self.flight(n, self.rng.choices(agreements, weights=weights)[0])
            n += 1
            if len(self.lines) >= 50_000:
                yield self.drain()
        yield self.drain()


def generate(triples: int, seed: int, out: str | Path) -> tuple[int, str]:
    """Write about ``triples`` triples to ``out``; the exact count and the file's sha256."""
    path = Path(out).resolve()
    if (ROOT / "graph").resolve() in (path, *path.parents):
        raise SystemExit(f"refusing to write into graph/: {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    gen = Generator(seed, triples)
    with path.open("wb") as fh:
        for chunk in gen.triples():
            data = "".join(chunk).encode("utf-8")
            digest.update(data)
            fh.write(data)
    return gen.count, digest.hexdigest()


def default_path(triples: int, seed: int) -> Path:
    return DATA / f"synthetic-{triples}-seed{seed}.nt"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="Example: python benchmarks/generate.py --triples 10000 --seed 1 --out FILE")
    parser.add_argument("--triples", type=int, default=10_000, help="about how many triples (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", default=None, help="N-Triples file to write (default benchmarks/data/…)")
    args = parser.parse_args(argv)
    out = Path(args.out) if args.out else default_path(args.triples, args.seed)
    count, sha = generate(args.triples, args.seed, out)
    print(f"{out}: {count} triples, sha256 {sha}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
