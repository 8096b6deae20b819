"""The derive rules on tiny hand-made graphs: truthy values, date bounds, current status.

Invented test data (example.org-style ids), not curated facts.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from transferkg.core.namespaces import ID, TCT, TCTV
from transferkg.rules.derive import date_bounds, derive
from transferkg.store.base import MemoryStore

AGREEMENT = ID["agreement-AA-BB-2030"]
SOURCE = ID["src-test-1"]
_ids = itertools.count()


def claim(g: Graph, subject: URIRef, prop: URIRef, value: URIRef | Literal, *,
          rank: str = "normal", as_of: Literal | None = None) -> URIRef:
    """Add one claim node the way the compiler writes it; return its id."""
    c = ID[f"claim-test-{next(_ids)}"]
    g.add((c, RDF.type, TCT.Claim))
    g.add((c, TCT.claimSubject, subject))
    g.add((c, TCT.claimProperty, prop))
    g.add((c, TCT.objectValue if isinstance(value, URIRef) else TCT.literalValue, value))
    g.add((c, PROV.wasDerivedFrom, SOURCE))
    g.add((c, TCT.quote, Literal("q")))
    g.add((c, TCT.rank, TCTV[rank]))
    if rank == "deprecated":
        g.add((c, TCT.rankReason, Literal("test reason", lang="en")))
    if as_of is not None:
        g.add((c, TCT.asOf, as_of))
    return c


STAGES = {"proposed": 0, "announced": 1, "signed": 2, "ratified": 3, "in-force": 4, "implemented": 5,
          "suspended": 6, "blocked-by-court": 6, "disputed": 6, "resumed": 7, "terminated": 8}


def status_change(g: Graph, name: str, status: str, date: Literal | None, *,
                  agreement: URIRef = AGREEMENT, as_of: Literal | None = None) -> URIRef:
    sc = ID[name]
    g.add((sc, RDF.type, TCT.StatusChange))
    g.add((TCTV[status], TCT.lifecycleStage, Literal(STAGES[status])))  # as the code list says
    claim(g, sc, TCT.changesStatusOf, agreement)
    claim(g, sc, TCT.status, TCTV[status], as_of=as_of)
    if date is not None:
        claim(g, sc, TCT.date, date)
    return sc


def derived(g: Graph) -> MemoryStore:
    store = MemoryStore(g)
    derive(store)
    return store


def ym(text: str) -> Literal:
    return Literal(text, datatype=XSD.gYearMonth)


def day(text: str) -> Literal:
    return Literal(text, datatype=XSD.date)


def year(text: str) -> Literal:
    return Literal(text, datatype=XSD.gYear)


# -- truthy values ---------------------------------------------------------------------------

def test_preferred_beats_normal() -> None:
    g = Graph()
    claim(g, AGREEMENT, TCT.receivingState, ID["state-BB"], rank="normal")
    claim(g, AGREEMENT, TCT.receivingState, ID["state-CC"], rank="preferred")
    store = derived(g)
    assert set(store.graph.objects(AGREEMENT, TCT.receivingState)) == {ID["state-CC"]}


def test_preferred_only_hides_normal_values_of_the_same_property() -> None:
    g = Graph()
    claim(g, AGREEMENT, TCT.receivingState, ID["state-CC"], rank="preferred")
    claim(g, AGREEMENT, TCT.sendingState, ID["state-AA"], rank="normal")
    store = derived(g)
    assert set(store.graph.objects(AGREEMENT, TCT.sendingState)) == {ID["state-AA"]}


def test_two_normal_values_are_both_derived() -> None:
    g = Graph()
    claim(g, AGREEMENT, TCT.eligibleNationality, ID["state-CC"])
    claim(g, AGREEMENT, TCT.eligibleNationality, ID["state-DD"])
    store = derived(g)
    assert set(store.graph.objects(AGREEMENT, TCT.eligibleNationality)) == {
        ID["state-CC"], ID["state-DD"]}


@pytest.mark.parametrize("others", [[], ["normal"], ["preferred"]])
def test_deprecated_value_is_never_derived(others: list[str]) -> None:
    g = Graph()
    claim(g, AGREEMENT, TCT.note, Literal("deprecated note", lang="en"), rank="deprecated")
    for i, rank in enumerate(others):
        claim(g, AGREEMENT, TCT.note, Literal(f"{rank} note {i}", lang="en"), rank=rank)
    store = derived(g)
    notes = {str(v) for v in store.graph.objects(AGREEMENT, TCT.note)}
    assert "deprecated note" not in notes
    assert len(notes) == len(others)


def test_quantity_claims_derive_their_quantity_node() -> None:
    g = Graph()
    c = ID["claim-test-quantity"]
    q = ID["claim-test-quantity-quantity"]
    for t in ((c, RDF.type, TCT.Claim), (c, TCT.claimSubject, AGREEMENT),
              (c, TCT.claimProperty, TCT.capacity), (c, TCT.quantityValue, q),
              (c, TCT.rank, TCTV.normal), (c, PROV.wasDerivedFrom, SOURCE)):
        g.add(t)
    store = derived(g)
    assert set(store.graph.objects(AGREEMENT, TCT.capacity)) == {q}


def test_derive_reports_what_it_added() -> None:
    g = Graph()
    claim(g, AGREEMENT, TCT.sendingState, ID["state-AA"])
    status_change(g, "statuschange-1", "signed", ym("2030-06"))
    store = MemoryStore(g)
    before = store.triple_count()
    result = derive(store)
    assert result.truthy == 4  # sendingState + changesStatusOf + status + date
    assert result.current_status == 1
    assert result.date_bounds > 0
    assert store.triple_count() - before == result.total


# -- date bounds -----------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "first", "last"), [
    (year("2025"), "2025-01-01", "2025-12-31"),
    (year("2024"), "2024-01-01", "2024-12-31"),
    (ym("2025-06"), "2025-06-01", "2025-06-30"),
    (ym("2025-12"), "2025-12-01", "2025-12-31"),
    (ym("2025-02"), "2025-02-01", "2025-02-28"),
    (ym("2024-02"), "2024-02-01", "2024-02-29"),   # leap year
    (ym("2000-02"), "2000-02-01", "2000-02-29"),   # divisible by 400: leap
    (ym("1900-02"), "1900-02-01", "1900-02-28"),   # divisible by 100 only: not leap
    (day("2025-06-11"), "2025-06-11", "2025-06-11"),
    (day("2024-02-29"), "2024-02-29", "2024-02-29"),
])
def test_date_bounds(value: Literal, first: str, last: str) -> None:
    assert date_bounds(value) == (dt.date.fromisoformat(first), dt.date.fromisoformat(last))


@pytest.mark.parametrize("value", [Literal("June 2025"), Literal("2025-06", lang="en"),
                                   Literal(2025), day("2025-02-30")])
def test_date_bounds_of_non_dates_is_none(value: Literal) -> None:
    assert date_bounds(value) is None


def test_derived_bounds_of_a_month_date() -> None:
    g = Graph()
    sc = status_change(g, "statuschange-1", "signed", ym("2024-02"))
    store = derived(g)
    assert store.graph.value(sc, TCT.earliestDate) == day("2024-02-01")
    assert store.graph.value(sc, TCT.latestDate) == day("2024-02-29")


def test_bounds_span_all_live_dates_and_ignore_deprecated_ones() -> None:
    g = Graph()
    sc = status_change(g, "statuschange-1", "signed", ym("2030-06"))
    claim(g, sc, TCT.date, year("2031"))
    claim(g, sc, TCT.date, day("2020-01-01"), rank="deprecated")
    store = derived(g)
    assert set(store.graph.objects(sc, TCT.earliestDate)) == {day("2030-06-01")}
    assert set(store.graph.objects(sc, TCT.latestDate)) == {day("2031-12-31")}


def test_date_claims_get_their_own_bounds() -> None:
    g = Graph()
    c = claim(g, AGREEMENT, TCT.signingDate, year("2030"))
    store = derived(g)
    assert store.graph.value(c, TCT.earliestDate) == day("2030-01-01")
    assert store.graph.value(c, TCT.latestDate) == day("2030-12-31")


# -- current status --------------------------------------------------------------------------

def test_current_status_is_the_latest_dated_status_change() -> None:
    g = Graph()
    # written out of order on purpose: the graph's order must not matter
    status_change(g, "statuschange-3", "terminated", day("2032-03-01"))
    status_change(g, "statuschange-1", "signed", ym("2030-06"))
    status_change(g, "statuschange-2", "in-force", year("2031"))
    store = derived(g)
    assert set(store.graph.objects(AGREEMENT, TCT.currentStatus)) == {TCTV.terminated}


def test_undated_status_changes_do_not_become_current() -> None:
    g = Graph()
    status_change(g, "statuschange-1", "signed", ym("2030-06"))
    status_change(g, "statuschange-2", "suspended", None)
    store = derived(g)
    assert set(store.graph.objects(AGREEMENT, TCT.currentStatus)) == {TCTV.signed}


def test_deprecated_status_is_not_current() -> None:
    g = Graph()
    status_change(g, "statuschange-1", "signed", ym("2030-06"))
    sc = ID["statuschange-2"]
    g.add((sc, RDF.type, TCT.StatusChange))
    claim(g, sc, TCT.changesStatusOf, AGREEMENT)
    claim(g, sc, TCT.status, TCTV.terminated, rank="deprecated")
    claim(g, sc, TCT.date, ym("2031-01"))
    store = derived(g)
    assert set(store.graph.objects(AGREEMENT, TCT.currentStatus)) == {TCTV.signed}


def test_each_agreement_gets_its_own_current_status() -> None:
    g = Graph()
    other = ID["agreement-CC-DD-2030"]
    status_change(g, "statuschange-1", "signed", ym("2030-06"))
    status_change(g, "statuschange-2", "suspended", ym("2031-06"), agreement=other)
    status_change(g, "statuschange-3", "proposed", ym("2029-01"), agreement=other)
    store = derived(g)
    assert set(store.graph.objects(AGREEMENT, TCT.currentStatus)) == {TCTV.signed}
    assert set(store.graph.objects(other, TCT.currentStatus)) == {TCTV.suspended}


def test_no_status_changes_no_current_status() -> None:
    g = Graph()
    claim(g, AGREEMENT, TCT.sendingState, ID["state-AA"])
    store = derived(g)
    assert (None, TCT.currentStatus, None) not in store.graph


# -- rules of the evidence issue: intersected dates, series, sequence ------------------------

def test_compatible_dates_at_two_precisions_give_the_precise_day() -> None:
    g = Graph()
    sc = status_change(g, "statuschange-1", "signed", ym("2012-08"))
    claim(g, sc, TCT.date, day("2012-08-29"))
    store = derived(g)
    assert store.graph.value(sc, TCT.earliestDate) == day("2012-08-29")
    assert store.graph.value(sc, TCT.latestDate) == day("2012-08-29")


def test_a_growing_count_is_a_series_and_the_latest_report_gives_the_plain_value() -> None:
    g = Graph()
    for n, when in ((14, "2025-09"), (28, "2025-10-07"), (42, "2025-11")):
        claim(g, AGREEMENT, TCT.note, Literal(f"{n} people so far", lang="en"), as_of=ym(when[:7]))
    store = derived(g)
    assert {str(v) for v in store.graph.objects(AGREEMENT, TCT.note)} == {"42 people so far"}


def test_values_without_asof_are_not_a_series() -> None:
    g = Graph()
    claim(g, AGREEMENT, TCT.note, Literal("a", lang="en"), as_of=ym("2025-09"))
    claim(g, AGREEMENT, TCT.note, Literal("b", lang="en"))
    store = derived(g)
    assert {str(v) for v in store.graph.objects(AGREEMENT, TCT.note)} == {"a", "b"}


def sequence(store: MemoryStore) -> list[tuple[str, str]]:
    g = store.graph
    changes = sorted((int(g.value(c, TCT.statusSequence)), c) for c in g.subjects(TCT.statusSequence, None))
    return [(str(g.value(c, TCT.status)).rsplit("/", 1)[-1], str(g.value(c, TCT.orderBasis))) for _n, c in changes]


def test_overlapping_dates_are_ordered_by_the_lifecycle_and_say_so() -> None:
    g = Graph()
    status_change(g, "statuschange-b", "signed", ym("2025-08"))
    status_change(g, "statuschange-a", "announced", day("2025-08-21"))
    store = derived(g)
    assert sequence(store) == [("announced", "first"), ("signed", "lifecycle")]
    assert set(store.graph.objects(AGREEMENT, TCT.currentStatus)) == {TCTV.signed}


def test_dates_beat_the_lifecycle_when_they_decide() -> None:
    g = Graph()
    status_change(g, "statuschange-1", "blocked-by-court", day("2020-07-22"))
    status_change(g, "statuschange-2", "in-force", ym("2023-06"))
    status_change(g, "statuschange-0", "signed", year("2002"))
    store = derived(g)
    assert sequence(store) == [("signed", "first"), ("blocked-by-court", "dates"), ("in-force", "dates")]
    assert set(store.graph.objects(AGREEMENT, TCT.currentStatus)) == {TCTV["in-force"]}


def test_same_stage_and_overlapping_dates_is_undecided() -> None:
    g = Graph()
    status_change(g, "statuschange-1", "suspended", ym("2025-08"))
    status_change(g, "statuschange-2", "blocked-by-court", day("2025-08-21"))
    store = derived(g)
    assert [basis for _s, basis in sequence(store)] == ["first", "undecided"]
    assert len(set(store.graph.objects(AGREEMENT, TCT.currentStatus))) == 1


def test_a_status_reported_as_of_a_day_is_known_by_that_day_and_can_be_current() -> None:
    g = Graph()
    status_change(g, "statuschange-1", "signed", ym("2025-06"))
    implemented = status_change(g, "statuschange-2", "implemented", None, as_of=day("2025-12-12"))
    store = derived(g)
    assert store.graph.value(implemented, TCT.knownBy) == day("2025-12-12")
    assert store.graph.value(implemented, TCT.earliestDate) is None
    assert set(store.graph.objects(AGREEMENT, TCT.currentStatus)) == {TCTV.implemented}
    assert set(store.graph.objects(AGREEMENT, TCT.currentStatusChange)) == {implemented}


def test_an_agreement_with_only_undated_changes_gets_the_furthest_one() -> None:
    g = Graph()
    status_change(g, "statuschange-1", "proposed", None)
    refused = status_change(g, "statuschange-2", "terminated", None)
    store = derived(g)
    assert set(store.graph.objects(AGREEMENT, TCT.currentStatusChange)) == {refused}
    assert str(store.graph.value(refused, TCT.orderBasis)) == "undated"


def test_changes_known_only_by_their_reports_follow_the_report_dates() -> None:
    g = Graph()
    status_change(g, "statuschange-1", "implemented", None, as_of=day("2015-09-08"))
    disputed = status_change(g, "statuschange-2", "disputed", None, as_of=ym("2018-02"))
    store = derived(g)
    assert sequence(store) == [("implemented", "first"), ("disputed", "reports")]
    assert set(store.graph.objects(AGREEMENT, TCT.currentStatusChange)) == {disputed}


def test_a_report_known_status_follows_the_lifecycle_against_a_dated_one() -> None:
    g = Graph()
    status_change(g, "statuschange-1", "implemented", ym("2025-02"))
    status_change(g, "statuschange-2", "announced", None, as_of=day("2025-02-19"))
    store = derived(g)
    assert sequence(store) == [("announced", "first"), ("implemented", "lifecycle")]


def test_a_later_report_of_an_earlier_step_does_not_take_the_status_back() -> None:
    g = Graph()
    signed = status_change(g, "statuschange-1", "signed", ym("2025-07"))
    published = status_change(g, "statuschange-2", "announced", day("2025-11-17"))
    store = derived(g)
    assert sequence(store) == [("signed", "first"), ("announced", "dates")]
    assert store.graph.value(published, TCT.effective) == Literal(False)
    assert set(store.graph.objects(AGREEMENT, TCT.currentStatusChange)) == {signed}


def test_after_a_setback_any_change_sets_the_status_again() -> None:
    g = Graph()
    status_change(g, "statuschange-1", "in-force", year("2004"))
    status_change(g, "statuschange-2", "blocked-by-court", day("2020-07-22"))
    again = status_change(g, "statuschange-3", "in-force", ym("2023-03"))
    store = derived(g)
    assert set(store.graph.objects(AGREEMENT, TCT.currentStatusChange)) == {again}
