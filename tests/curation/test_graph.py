"""Facts of the curated graph, pinned through the public API.

These tests read the real graph (the session ``kg`` fixture) and the curation files in
``graph/``. A failure here means a user would see a different answer than the curators
intended: a lost claim, a claim without its source, a deprecated value shown as fact,
a research row neither cited nor explained.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SDO, XSD

from tests.helpers import REPO
from transferkg.app.kg import KnowledgeGraph
from transferkg.core.namespaces import ID, TCT, TCTV
from transferkg.curation.compile import CompiledGraph, compile_graph
from transferkg.query.results import curie
from transferkg.rules.derive import date_bounds

# The research table (deals_facts.csv) the curated graph was built from has 474 data rows,
# numbered from 1 = the first data row (graph/CURATION.md says so too).
RESEARCH_ROWS = 474

SEED_SOURCES = (ID["src-article-000"], ID["src-article-004"])
KOSOVO_DEAL = ID["agreement-US-XK-2025-06"]

PREFIXES = """
PREFIX tct: <https://w3id.org/tct/ontology#>
PREFIX tctv: <https://w3id.org/tct/vocab/>
PREFIX id: <https://w3id.org/tct/id/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def _value(kg: KnowledgeGraph, node: URIRef, prop: URIRef) -> set:
    return set(kg.graph.objects(node, prop))


def _claims(g: Graph) -> list[URIRef]:
    return sorted(g.subjects(RDF.type, TCT.Claim))


def _claim_value(g: Graph, claim: URIRef):  # noqa: ANN202 - an rdflib term
    for prop in (TCT.objectValue, TCT.literalValue, TCT.quantityValue):
        value = g.value(claim, prop)
        if value is not None:
            return value
    return None


# -- headline numbers ------------------------------------------------------------------------

def test_the_graph_covers_many_agreements_and_hosts(kg: KnowledgeGraph) -> None:
    stats = kg.stats()
    assert stats.agreements >= 25
    assert stats.receiving_states >= 15
    summary = stats.summary()
    assert summary["claims"] >= 1000
    assert summary["sources"] >= 100


# -- the Kosovo deal, from the two seed articles ---------------------------------------------

CAPACITY_CLAIMS = PREFIXES + """
SELECT ?claim ?q ?qualifier ?value ?max ?unit WHERE {
  ?claim tct:claimSubject ?deal ; tct:claimProperty tct:capacity ;
         prov:wasDerivedFrom ?source ; tct:quantityValue ?q .
  ?q tct:quantityQualifier ?qualifier ; schema:unitText ?unit .
  OPTIONAL { ?q schema:value ?value }
  OPTIONAL { ?q schema:maxValue ?max }
}
"""


def test_kosovo_capacity_50_and_up_to_50_are_variants(kg: KnowledgeGraph) -> None:
    exact = kg.query(CAPACITY_CLAIMS, deal=KOSOVO_DEAL, source=ID["src-article-000"]).dicts()
    up_to = kg.query(CAPACITY_CLAIMS, deal=KOSOVO_DEAL, source=ID["src-article-004"]).dicts()
    assert len(exact) == 1 and len(up_to) == 1
    (e,), (u,) = exact, up_to
    assert e["qualifier"] == TCTV.exact
    assert e["value"] == Literal(50) and e["max"] is None
    assert str(e["unit"]) == "person"
    assert u["qualifier"] == TCTV["up-to"]
    assert u["max"] == Literal(50) and u["value"] is None
    assert str(u["unit"]) == "person"
    g = kg.graph
    assert (u["claim"], TCT.variantOf, e["claim"]) in g
    assert (e["claim"], TCT.conflictsWith, u["claim"]) not in g
    assert (u["claim"], TCT.conflictsWith, e["claim"]) not in g
    # the government's own wording ("up to 50", Kurti quoted by BSS/AFP) is preferred, so the
    # plain capacity is "up to 50" (graph/README.md, ranks); the seeds' claims stay claims
    plain = _value(kg, KOSOVO_DEAL, TCT.capacity)
    g_ = kg.graph
    assert plain and all(g_.value(q, SDO.maxValue) == Literal(50) and g_.value(q, SDO.value) is None for q in plain)
    assert e["q"] not in plain


def test_kosovo_capacity_through_the_named_query(kg: KnowledgeGraph) -> None:
    df = kg.run("claims_about", subject="agreement-US-XK-2025-06", property="tct:capacity")
    seeds = df[df["source"].isin(["id:src-article-000", "id:src-article-004"])]
    assert sorted(seeds["value"]) == ["50 person", "up to 50 person"]


def test_first_arrival_in_kosovo_nationality_withheld_by_kosovo_officials(kg: KnowledgeGraph) -> None:
    arrival = ID["arrival-US-XK-2025-first"]
    rows = kg.query(PREFIXES + """
        SELECT ?claim ?source ?speaker WHERE {
          ?claim tct:claimSubject ?arrival ; tct:claimProperty tct:nationalityStatus ;
                 tct:objectValue tctv:withheld ; prov:wasDerivedFrom ?source .
          OPTIONAL { ?claim tct:speaker ?speaker }
        }""", arrival=arrival).dicts()
    speakers = {(r["source"], r["speaker"]) for r in rows}
    # "Kosovo officials did not disclose the migrant's nationality": the government, as the quote says
    assert (ID["src-article-004"], ID["org-kosovo-government"]) in speakers
    assert _value(kg, arrival, TCT.nationalityStatus) == {TCTV.withheld}
    assert (arrival, TCT.underAgreement, KOSOVO_DEAL) in kg.graph
    assert (arrival, RDF.type, TCT.Arrival) in kg.graph
    interior = ID["org-kosovo-interior-ministry"]
    assert (interior, TCT.actsFor, ID["state-XK"]) in kg.graph


def test_withheld_nationality_is_listed_with_its_speaker(kg: KnowledgeGraph) -> None:
    df = kg.run("withheld_information")
    rows = df[(df["subject"] == "id:arrival-US-XK-2025-first")
              & (df["property"] == "tct:nationalityStatus")]
    assert "withheld" in set(rows["status"])
    assert "id:src-article-004" in set(rows["source"])


def test_seed_article_000_is_attributed_to_cbs_news(kg: KnowledgeGraph) -> None:
    g = kg.graph
    source = ID["src-article-000"]
    assert _value(kg, source, TCT.attributedTo) == {ID["org-cbs-news"]}
    assert (ID["org-cbs-news"], RDF.type, URIRef("http://www.w3.org/ns/org#Organization")) in g
    assert (source, RDF.type, TCT.NewsArticle) in g
    assert g.value(source, DCTERMS.title) is not None


@pytest.mark.parametrize(("recognizer", "action"), [("US", "recognises"),
                                                    ("RS", "does-not-recognise")])
def test_kosovo_recognition_background(kg: KnowledgeGraph, recognizer: str, action: str) -> None:
    rows = kg.query(PREFIXES + """
        SELECT DISTINCT ?act ?source WHERE {
          ?act a tct:RecognitionAct ; tct:recognizer ?who ; tct:recognized id:state-XK ;
               tct:recognitionAction ?action .
          ?claim tct:claimSubject ?act ; tct:claimProperty tct:recognitionAction ;
                 tct:objectValue ?action ; prov:wasDerivedFrom ?source .
        }""", who=ID[f"state-{recognizer}"], action=TCTV[action]).dicts()
    assert rows, f"no recognition act: {recognizer} {action} XK"
    assert {r["source"] for r in rows} & set(SEED_SOURCES), "not claimed from a seed article"


# -- every claim has its source --------------------------------------------------------------

def test_every_claim_has_exactly_one_described_source(kg: KnowledgeGraph) -> None:
    # A sweep over ~2000 claims: the rdflib graph API, because rdflib's SPARQL engine is slow
    # for whole-graph joins of this size.
    g = kg.graph
    claims = _claims(g)
    assert len(claims) >= 1000
    problems = []
    for c in claims:
        sources = list(g.objects(c, PROV.wasDerivedFrom))
        if len(sources) != 1:
            problems.append(f"{c}: {len(sources)} sources")
            continue
        source = sources[0]
        if g.value(source, DCTERMS.title) is None:
            problems.append(f"{c}: source {source} has no dcterms:title")
        if g.value(source, TCT.sourceType) is None:
            problems.append(f"{c}: source {source} is not described (no tct:sourceType)")
    assert problems == []


def test_every_claim_has_one_subject_property_value_and_rank(kg: KnowledgeGraph) -> None:
    g = kg.graph
    problems = []
    for c in _claims(g):
        for prop in (TCT.claimSubject, TCT.claimProperty, TCT.rank):
            if len(list(g.objects(c, prop))) != 1:
                problems.append(f"{c}: {prop}")
        values = [v for p in (TCT.objectValue, TCT.literalValue, TCT.quantityValue)
                  for v in g.objects(c, p)]
        if len(values) != 1:
            problems.append(f"{c}: {len(values)} values")
    assert problems == []


def test_every_deprecated_claim_says_why(kg: KnowledgeGraph) -> None:
    g = kg.graph
    deprecated = list(g.subjects(TCT.rank, TCTV.deprecated))
    assert deprecated, "the curated graph has deprecated claims"
    missing = [c for c in deprecated if not str(g.value(c, TCT.rankReason) or "").strip()]
    assert missing == []


# -- the derived layer -----------------------------------------------------------------------

def test_derived_layer_omits_deprecated_values(kg: KnowledgeGraph) -> None:
    g = kg.graph
    deprecated = list(g.subjects(TCT.rank, TCTV.deprecated))
    assert deprecated
    shown = []
    for c in deprecated:
        s, p, v = g.value(c, TCT.claimSubject), g.value(c, TCT.claimProperty), _claim_value(g, c)
        if (s, p, v) not in g:
            continue
        backed = any(g.value(other, TCT.rank) != TCTV.deprecated
                     and g.value(other, TCT.claimProperty) == p and _claim_value(g, other) == v
                     for other in g.subjects(TCT.claimSubject, s))
        if not backed:
            shown.append(f"{s} {p} {v} (from deprecated {c})")
    assert shown == []


@pytest.mark.parametrize(("prop", "text"), [
    (TCT.note, "Up to 150 individuals per month (expected volume)"),
    (TCT.duration, "initial 2-year term"),
])
def test_deprecated_kosovo_values_are_claims_but_not_facts(kg: KnowledgeGraph, prop: URIRef,
                                                           text: str) -> None:
    g = kg.graph
    value = Literal(text, lang="en")
    claims = [c for c in g.subjects(TCT.literalValue, value)
              if g.value(c, TCT.claimSubject) == KOSOVO_DEAL and g.value(c, TCT.claimProperty) == prop]
    assert len(claims) == 1, "the deprecated claim is kept, with its source"
    assert g.value(claims[0], TCT.rank) == TCTV.deprecated
    assert (KOSOVO_DEAL, prop, value) not in g
    # the live values of the same property are there
    assert _value(kg, KOSOVO_DEAL, prop)


def test_month_dated_status_change_spans_the_month(kg: KnowledgeGraph) -> None:
    signed = ID["statuschange-US-XK-2025-06-signed"]
    assert _value(kg, signed, TCT.date) == {Literal("2025-06", datatype=XSD.gYearMonth)}
    assert _value(kg, signed, TCT.earliestDate) == {Literal("2025-06-01", datatype=XSD.date)}
    assert _value(kg, signed, TCT.latestDate) == {Literal("2025-06-30", datatype=XSD.date)}


def test_every_month_date_is_bounded_by_its_first_and_last_day(kg: KnowledgeGraph) -> None:
    g = kg.graph
    checked = 0
    problems = []
    by_node: dict[URIRef, list[Literal]] = defaultdict(list)
    for node, date in g.subject_objects(TCT.date):
        by_node[node].append(date)
    for node, dates in by_node.items():
        if {d.datatype for d in dates} != {XSD.gYearMonth}:
            continue
        year_months = sorted({str(d) for d in dates})
        first = dt.date.fromisoformat(year_months[0] + "-01")
        last = date_bounds(Literal(year_months[-1], datatype=XSD.gYearMonth))[1]  # type: ignore[index]
        early = [e.toPython() for e in g.objects(node, TCT.earliestDate)]
        late = [e.toPython() for e in g.objects(node, TCT.latestDate)]
        if early != [first] or late != [last]:
            problems.append(f"{node}: {year_months} -> {early} .. {late}")
        checked += 1
    assert checked >= 10
    assert problems == []


def test_uk_rwanda_partnership_is_currently_terminated(kg: KnowledgeGraph) -> None:
    deal = "agreement-GB-RW-2022-04"
    assert _value(kg, ID[deal], TCT.currentStatus) == {TCTV.terminated}
    timeline = kg.run("status_timeline", agreement=deal, raw=True)
    dated = timeline.dropna(subset=["latest"])
    assert len(dated) >= 3
    latest = max(dated["latest"], key=lambda d: d.toPython())
    last_statuses = {str(s) for s, d in zip(dated["status"], dated["latest"], strict=True) if d == latest}
    assert last_statuses == {"terminated"}
    current = kg.run("current_status", status="terminated")
    row = current[current["agreement"] == f"id:{deal}"]
    assert list(row["since"]) == [dt.date(2024, 7, 6)]


def test_every_agreement_with_a_status_history_has_one_current_status(kg: KnowledgeGraph) -> None:
    """The current status is the status of the last change in sequence: a dated or reported one
    when the agreement has any, else (only undated changes) the one furthest in the lifecycle."""
    g = kg.graph
    placed: dict[URIRef, set[URIRef]] = defaultdict(set)
    every: dict[URIRef, set[URIRef]] = defaultdict(set)
    for change, agreement in g.subject_objects(TCT.changesStatusOf):
        every[agreement].add(change)
        if g.value(change, TCT.latestDate) is not None or g.value(change, TCT.knownBy) is not None:
            placed[agreement].add(change)
    problems = []
    for agreement, changes in every.items():
        current = set(g.objects(agreement, TCT.currentStatusChange))
        allowed = placed[agreement] or changes
        if len(current) != 1 or not current <= allowed:
            problems.append(f"{agreement}: current change {current} not one of {allowed}")
            continue
        (change,) = current
        if set(g.objects(agreement, TCT.currentStatus)) - set(g.objects(change, TCT.status)):
            problems.append(f"{agreement}: current status is not its current change's status")
        if placed[agreement]:
            # the last change in sequence that set the status (a later report of an earlier step does not)
            last = max(int(g.value(c, TCT.statusSequence)) for c in placed[agreement]  # type: ignore[arg-type]
                       if g.value(c, TCT.effective) == Literal(True))
            if int(g.value(change, TCT.statusSequence)) != last:  # type: ignore[arg-type]
                problems.append(f"{agreement}: the current change is not the last effective one in sequence")
    assert len(placed) >= 20
    assert problems == []


# -- conflicts and variants ------------------------------------------------------------------

def _links(g: Graph, rel: URIRef) -> list[tuple[URIRef, URIRef]]:
    return sorted(g.subject_objects(rel))


def test_variants_are_about_the_same_subject_and_property(kg: KnowledgeGraph) -> None:
    g = kg.graph
    links = _links(g, TCT.variantOf)
    assert len(links) >= 10
    problems = []
    for a, b in links:
        if a == b or (b, RDF.type, TCT.Claim) not in g:
            problems.append(f"{a} variantOf {b}: not another claim")
        elif (g.value(a, TCT.claimSubject), g.value(a, TCT.claimProperty)) != (
                g.value(b, TCT.claimSubject), g.value(b, TCT.claimProperty)):
            problems.append(f"{curie(a)} variantOf {curie(b)}: different subject or property")
    assert problems == []


def test_conflicts_share_their_subject_or_their_property(kg: KnowledgeGraph) -> None:
    # Curators link conflicting claims about the same subject, often across properties (a
    # deprecated note against a capacity). Some conflicts are linked across subjects on
    # purpose: the signed and disputed status changes of one agreement (US–Guatemala,
    # US–Honduras 2025-06, Israel–Rwanda), or the signing dates of two US–Honduras
    # agreements that may be one deal. Those must then be about the same property, so
    # that the disagreements query pairs like with like.
    g = kg.graph
    links = _links(g, TCT.conflictsWith)
    assert len(links) >= 10
    problems = []
    for a, b in links:
        if a == b or (b, RDF.type, TCT.Claim) not in g:
            problems.append(f"{a} conflictsWith {b}: not another claim")
            continue
        sa, sb = g.value(a, TCT.claimSubject), g.value(b, TCT.claimSubject)
        pa, pb = g.value(a, TCT.claimProperty), g.value(b, TCT.claimProperty)
        if sa != sb and pa != pb:
            problems.append(" ".join(curie(str(t)) for t in (a, sa, pa)) + " conflictsWith "
                            + " ".join(curie(str(t)) for t in (b, sb, pb)))
    assert problems == []


def test_conflicts_across_subjects_concern_the_same_states(kg: KnowledgeGraph) -> None:
    """A conflict across subjects still concerns one sender and one receiver."""
    g = kg.graph

    def deal(subject: URIRef) -> URIRef:
        return g.value(subject, TCT.changesStatusOf) or subject

    problems = []
    for a, b in _links(g, TCT.conflictsWith):
        da, db = deal(g.value(a, TCT.claimSubject)), deal(g.value(b, TCT.claimSubject))
        if da == db:
            continue
        parties_a = (set(g.objects(da, TCT.sendingState)), set(g.objects(da, TCT.receivingState)))
        parties_b = (set(g.objects(db, TCT.sendingState)), set(g.objects(db, TCT.receivingState)))
        if not (parties_a[0] & parties_b[0] and parties_a[1] & parties_b[1]):
            problems.append(f"{curie(a)} on {curie(da)} conflictsWith {curie(b)} on {curie(db)}")
    assert problems == []


# -- privacy and data-quality checks ---------------------------------------------------------

PERSONAL_PROPERTIES = (FOAF.name, FOAF.givenName, FOAF.familyName, FOAF.birthday, SDO.name,
                       SDO.givenName, SDO.familyName, SDO.birthDate, SDO.identifier,
                       DCTERMS.identifier)


def test_no_migrant_or_cohort_is_named(kg: KnowledgeGraph) -> None:
    g = kg.graph
    people = set(g.subjects(RDF.type, TCT.Migrant)) | set(g.subjects(RDF.type, TCT.Cohort))
    assert people, "the graph has anonymous migrants and cohorts"
    named = [(p, prop) for p in people for prop in PERSONAL_PROPERTIES if (p, prop, None) in g]
    assert named == []
    claimed = [c for p in people for c in g.subjects(TCT.claimSubject, p)
               if g.value(c, TCT.claimProperty) in PERSONAL_PROPERTIES]
    assert claimed == []
    # every one of them has a readable label that says what they are, not who
    assert all(g.value(p, RDFS.label) is not None for p in people)


def test_data_quality_checks_find_nothing(kg: KnowledgeGraph) -> None:
    results = kg.check()
    errors = {q.name for q in kg.checks if q.severity == "error"}
    assert len(errors) >= 5
    assert "named_migrants" in errors
    found = {name: [tuple(map(str, row)) for row in r.rows[:5]] for name, r in results.items()
             if r.rows and name in errors}
    assert found == {}


def test_the_curated_graph_passes_the_evidence_and_privacy_checks(kg: KnowledgeGraph) -> None:
    assert [f.text() for f in kg.evidence()] == []
    assert [f.describe() for f in kg.privacy()] == []


# -- curation coverage and determinism -------------------------------------------------------

def _curation_rows() -> list[int]:
    rows = []
    for line in (REPO / "graph" / "CURATION.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\|\s*(\d+)\s*\|", line)
        if m:
            rows.append(int(m.group(1)))
    return rows


@pytest.fixture(scope="module")
def compiled(ontology: Graph) -> CompiledGraph:
    return compile_graph(REPO / "graph", ontology, display_root=REPO)


def test_every_research_row_is_cited_or_explained(compiled: CompiledGraph) -> None:
    cited = set(compiled.rows)
    listed = set(_curation_rows())
    assert listed, "graph/CURATION.md lists the rows that are not claims"
    expected = set(range(1, RESEARCH_ROWS + 1))
    assert sorted(expected - (cited | listed)) == [], "rows neither cited by a claim nor listed"
    assert sorted((cited | listed) - expected) == [], "row numbers outside the research table"


def test_curation_log_lists_each_row_once() -> None:
    rows = _curation_rows()
    assert sorted(r for r in set(rows) if rows.count(r) > 1) == []


def test_compiling_the_graph_twice_gives_the_same_claims(kg: KnowledgeGraph, ontology: Graph,
                                                         compiled: CompiledGraph) -> None:
    first = compiled
    second = compile_graph(REPO / "graph", ontology, display_root=REPO)
    ids_1 = set(first.graph.subjects(RDF.type, TCT.Claim))
    ids_2 = set(second.graph.subjects(RDF.type, TCT.Claim))
    assert len(ids_1) == first.claims >= 1000
    assert ids_1 == ids_2
    assert len(first.graph) == len(second.graph)
    # and they are the claims a user loads
    assert set(kg.graph.subjects(RDF.type, TCT.Claim)) == ids_1
