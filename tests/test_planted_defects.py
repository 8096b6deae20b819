"""One defect of each class the evidence issue names, planted in a small tree, and caught.

Evidence defects of single claims (numbers, qualifiers, states, dates, notes, basis, asOf)
are planted in ``test_evidence.py``; here are the defects that show only in the built
graph: a status order the dates do not decide, a growing count linked as a conflict, a
flight counted twice with its group, a name in a source's title and URL, and more than
one current status. Invented test data.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import transferkg
from tests.helpers import make_tree
from transferkg.app.build import build
from transferkg.core.errors import ChecksFailed

PLANTED = """\
sources:
  src-planted-1:
    kind: news-article
    title: "Planted report"
    url: "https://example.org/planted-1"
    published: "2025-10-07"
entities:
  agreement-AA-BB-2025-06:
    type: TransferAgreement
    label: "Planted agreement"
    claims:
      - {p: sendingState, state: US, src: src-planted-1, quote: "the United States"}
      - {p: receivingState, state: XK, src: src-planted-1, quote: "Kosovo"}
      - {key: planted-count-14, p: personsTransferred, quantity: 14, asOf: "2025-09", src: src-planted-1,
         quote: "14 people by September"}
      - {p: personsTransferred, quantity: 28, asOf: "2025-10-07", src: src-planted-1, quote: "28 people so far",
         conflictsWith: planted-count-14}
  statuschange-AA-BB-2025-06-announced:
    type: StatusChange
    label: "Planted agreement announced"
    claims:
      - {p: changesStatusOf, ref: agreement-AA-BB-2025-06, src: src-planted-1, quote: "announced"}
      - {p: status, code: announced, src: src-planted-1, quote: "announced"}
      - {p: date, date: "2025-08-21", src: src-planted-1, quote: "announced on 21 August 2025"}
  statuschange-AA-BB-2025-06-signed:
    type: StatusChange
    label: "Planted agreement signed"
    claims:
      - {p: changesStatusOf, ref: agreement-AA-BB-2025-06, src: src-planted-1, quote: "signed"}
      - {p: status, code: signed, src: src-planted-1, quote: "signed"}
      - {p: date, date: "2025-08", src: src-planted-1, quote: "signed in August 2025"}
  statuschange-AA-BB-2025-06-suspended:
    type: StatusChange
    label: "Planted agreement suspended"
    claims:
      - {p: changesStatusOf, ref: agreement-AA-BB-2025-06, src: src-planted-1, quote: "suspended"}
      - {p: status, code: suspended, src: src-planted-1, quote: "suspended"}
      - {p: date, date: "2025-09", src: src-planted-1, quote: "suspended in September 2025"}
  statuschange-AA-BB-2025-06-blocked:
    type: StatusChange
    label: "Planted agreement blocked"
    claims:
      - {p: changesStatusOf, ref: agreement-AA-BB-2025-06, src: src-planted-1, quote: "blocked"}
      - {p: status, code: blocked-by-court, src: src-planted-1, quote: "blocked"}
      - {p: date, date: "2025-09-15", src: src-planted-1, quote: "blocked on 15 September 2025"}
  transfers-AA-BB-2025-09:
    type: TransferEvent
    label: "Planted group of two flights"
    claims:
      - {p: transferTo, state: XK, src: src-planted-1, quote: "to Kosovo"}
      - {p: underAgreement, ref: agreement-AA-BB-2025-06, src: src-planted-1, quote: "under the deal"}
      - {p: personCount, quantity: 20, src: src-planted-1, quote: "20 people on two flights"}
  flight-AA-BB-2025-09-01:
    type: DeportationFlight
    label: "Planted first flight"
    claims:
      - {p: transferTo, state: XK, src: src-planted-1, quote: "to Kosovo"}
      - {p: underAgreement, ref: agreement-AA-BB-2025-06, src: src-planted-1, quote: "under the deal"}
      - {p: personCount, quantity: 12, src: src-planted-1, quote: "12 on the first flight"}
      - {p: partOf, ref: transfers-AA-BB-2025-09, src: src-planted-1, quote: "the first of two flights"}
"""


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> transferkg.KnowledgeGraph:
    return transferkg.load(make_tree(tmp_path_factory.mktemp("planted") / "tree", "planted.yaml", PLANTED, queries=True))


def test_a_status_order_the_dates_do_not_decide_is_reported(planted: transferkg.KnowledgeGraph) -> None:
    rows = planted.check()["status_order_ambiguous"].dicts()
    pairs = {(str(r["previousStatus"]), str(r["status"]), str(r["orderBasis"])) for r in rows}
    assert ("announced", "signed", "lifecycle") in pairs       # 2025-08-21 vs 2025-08
    assert ("blocked by a court", "suspended", "undecided") in pairs  # 2025-09-15 vs 2025-09, same stage
    assert planted.checks.get("status_order_ambiguous").severity == "warning"
    timeline = planted.run("status_timeline", agreement="agreement-AA-BB-2025-06")
    assert list(timeline["orderBasis"]) == ["first", "lifecycle", "dates", "undecided"]


def test_exactly_one_current_status_row_per_agreement(planted: transferkg.KnowledgeGraph) -> None:
    current = planted.run("current_status")
    assert list(current["agreement"]) == ["id:agreement-AA-BB-2025-06"]


def test_a_growing_count_linked_as_a_conflict_is_caught(planted: transferkg.KnowledgeGraph) -> None:
    rows = planted.check()["series_marked_as_conflicts"]
    assert len(rows) == 1
    # and the plain value is the latest count of the series
    capacity = planted.run("transferred_vs_capacity")
    assert list(capacity["reportedTransferred"]) == [28]


def test_a_flight_inside_a_reported_group_is_counted_once(planted: transferkg.KnowledgeGraph) -> None:
    row = planted.run("transferred_vs_capacity").iloc[0]
    assert row["transferEvents"] == 1
    assert row["peopleInTransferEvents"] == 20     # the group's 20, not 20 + 12


def test_a_name_in_a_source_title_or_url_stops_the_build(tmp_path: Path) -> None:
    text = PLANTED.replace('title: "Planted report"', 'title: "Where to deport Zorvan Kettlewisz (Planted)"')
    text = text.replace("https://example.org/planted-1", "https://example.org/deport-zorvan-kettlewisz")
    root = make_tree(tmp_path / "tree", "planted.yaml", text)
    kg = transferkg.load(root)
    found = {(f.subject, f.name) for f in kg.privacy()}
    assert found == {("id:src-planted-1", "Zorvan Kettlewisz"), ("id:src-planted-1", "zorvan kettlewisz")}
    with pytest.raises(ChecksFailed, match="Zorvan Kettlewisz"):
        build(tmp_path / "out", root=root)
    assert not (tmp_path / "out").exists()
    # accounted for as a public figure, the same text builds
    (root / "graph" / "names.yaml").write_text('public-figures:\n  "Zorvan Kettlewisz": "minister (test)"\n',
                                               encoding="utf-8")
    assert transferkg.load(root).privacy() == []
