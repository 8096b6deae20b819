"""The evidence check: every normalisation it relies on, and each class of defect it must catch.

The sentences are written for these tests (in the style of the sources), not taken from them.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from transferkg.curation.evidence import (
    Basis,
    ClaimRecord,
    check_file,
    check_records,
    date_components,
    date_in,
    numbers_in,
    qualifier_supported,
    qualifiers_before,
    resolve_relative_date,
)

# -- numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "number"), [
    ("twenty-nine migrants", 29),
    ("7,5 million euros", 7_500_000),
    ("$5,1 million to build capacity", 5_100_000),
    ("39 thousand people", 39_000),
    ("a hundred deportees", 100),
    ("just over a hundred migrants", 100),
    ("no deportations have been executed", 0),
    ("nobody was sent", 0),
    ("$16M for the operation", 16_000_000),
    ("£120m once 300 are relocated", 120_000_000),
    ("around 1,900 Afghan citizens", 1900),
    ("1.6 million people", 1_600_000),
    ("more than AU$2.5 billion", 2_500_000_000),
    ("two dozen people", 24),
    ("half a million", 500_000),
    ("two hundred and fifty", 250),
    ("five convicted criminals", 5),
    ("cinquenta deportados", 50),
    ("un grupo de doscientos cincuenta", 250),
    ("dos mil veinticinco", 2025),
    ("ratified on 2025.09.02", 2),
    ("the 16th of July", 16),
])
def test_numbers_a_reader_can_take_from_a_quote(text: str, number: int) -> None:
    assert Decimal(number) in numbers_in(text)


def test_one_or_two_gives_both() -> None:
    assert {Decimal(1), Decimal(2)} <= numbers_in("only one or two have arrived so far")


def test_a_comma_before_three_digits_is_a_thousands_separator_unless_a_scale_follows() -> None:
    assert Decimal(1900) in numbers_in("1,900") and Decimal("1.9") not in numbers_in("1,900")
    assert Decimal(1_900_000) in numbers_in("1,9 million")
    assert Decimal("5.1") in numbers_in("5,1")


def test_the_groups_of_a_large_number_are_not_numbers_of_their_own() -> None:
    assert not {Decimal(36), Decimal(0), Decimal(3000)} & numbers_in("capacity of 36,000 a year")


def test_the_first_person_is_one_person() -> None:
    assert Decimal(1) in numbers_in("The first person has been sent to Rwanda")
    assert Decimal(1) not in numbers_in("the first flight landed")
    assert Decimal(1) in numbers_in("South Sudan repatriates Mexican man deported from US")
    assert Decimal(1) not in numbers_in("Mexican men deported from US")


@pytest.mark.parametrize(("text", "number"), [
    ("sixteen people", 60),            # not a tens word
    ("the third batch", 3),            # an ordinal is not a count
    ("No official agreement has been made public", 0),  # "no" alone is not zero
    ("a 5 m wall", 5_000_000),          # "5 m" is five metres, "5m" five million
    ("in three batches", 19),
    ("one hundred", 1),                # "one" alone is read, but not as 1 hundred... see below
])
def test_numbers_that_are_not_in_a_quote(text: str, number: int) -> None:
    if text == "one hundred":
        assert Decimal(100) in numbers_in(text)
        return
    assert Decimal(number) not in numbers_in(text)


# -- qualifiers ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "number", "qualifier"), [
    ("allows Kosovo to host up to 50 migrants", 50, "up-to"),
    ("at least 19 people in three batches", 19, "at-least"),
    ("more than AU$2.5 billion over three decades", 2_500_000_000, "more-than"),
    ("just over a hundred migrants", 100, "more-than"),
    ("around 108 people", 108, "approximately"),
    ("aproximadamente 200 personas", 200, "approximately"),
    ("Kosovo will host 50 migrants", 50, "exact"),
])
def test_the_qualifier_in_front_of_a_number(text: str, number: int, qualifier: str) -> None:
    assert qualifiers_before(text, Decimal(number)) == {qualifier}


@pytest.mark.parametrize(("claimed", "text", "ok"), [
    ("exact", "up to 50 migrants", False),          # "up to 50" is not exactly 50
    ("up-to", "up to 50 migrants", True),
    ("up-to", "50 migrants", True),                 # exactly 50 is also at most 50
    ("at-least", "50 migrants", True),
    ("more-than", "50 migrants", False),            # the quote does not say more than 50
    ("at-least", "more than 50 migrants", True),
    ("exact", "at least 50 migrants", False),
    ("exact", "about 50 migrants", False),
    ("approximately", "about 50 migrants", True),
])
def test_which_claim_qualifiers_a_quote_supports(claimed: str, text: str, ok: bool) -> None:
    assert qualifier_supported(claimed, text, Decimal(50)) is ok


# -- dates -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("On 16 July 2025 the flight left", "2025-07-16"),
    ("on July 16th, 2025", "2025-07-16"),
    ("filed a plan to fly on Wednesday (5/7/25)", "2025-05-07"),
    ("published in the register on 2025-07-16", "2025-07-16"),
    ("Ratification 2025.09.02", "2025-09-02"),
    ("In November 2016, the deal was agreed", "2016-11"),
    ("signed in May 2025", "2025-05"),
    ("assinado em junho de 2025", "2025-06"),
    ("declared its independence in 2008", "2008"),
    ("on 5 and 6 August 2013", "2013-08-06"),
    ("a las diez horas del veinticuatro de junio de dos mil veinticinco", "2025-06-24"),
    ("em vinte de dezembro de dois mil e vinte e um", "2021-12-20"),
])
def test_dates_a_quote_carries(text: str, value: str) -> None:
    assert date_in(text, value) == []


@pytest.mark.parametrize(("text", "value", "missing"), [
    ("In November 2016, then President Obama agreed", "2016-11-13", ["day 13"]),
    ("The deal, finalised in June", "2025-06", ["year 2025"]),
    ("On July 16, the U.S. deported five men", "2025-07-16", ["year 2025"]),
    ("landed in Eswatini on Monday", "2025-10", ["year 2025", "month October"]),
    ("50 people may be relocated in 2025", "2025-05", ["month May"]),   # the verb is not the month
])
def test_dates_a_quote_does_not_carry(text: str, value: str, missing: list[str]) -> None:
    assert date_in(text, value) == missing


def test_may_is_a_month_only_as_a_date() -> None:
    assert 5 not in date_components("migrants may be temporarily relocated").months
    assert 5 in date_components("signed in May").months
    assert (5, 7) in date_components("on May 7").days


@pytest.mark.parametrize(("word", "published", "date"), [
    ("Tuesday", "2025-07-16", "2025-07-15"),        # a Wednesday report
    ("on Wednesday", "2025-07-16", "2025-07-16"),
    ("today", "2025-09-25", "2025-09-25"),
    ("yesterday", "2025-01-01", "2024-12-31"),
    ("June", "2025-12-12", "2025-06"),
    ("in December", "2025-06-11", "2024-12"),       # the latest December up to the report
    ("July 16", "2025-07-16", "2025-07-16"),
    ("14th April", "2022-12-20", "2022-04-14"),
    ("June 23", "2025-06", "2025-06-23"),           # a June report about 23 June
    ("last year", "2022-08-21", "2021"),
    ("last month", "2025-03-02", "2025-02"),
])
def test_relative_dates_resolve_against_the_publication_date(word: str, published: str, date: str) -> None:
    assert resolve_relative_date(word, published) == date


@pytest.mark.parametrize(("word", "published"), [
    ("Tuesday", "2025-07"),       # a weekday needs the day of publication
    ("recently", "2025-07-16"),
    ("Tuesday", "not a date"),
])
def test_relative_dates_that_cannot_be_resolved(word: str, published: str) -> None:
    assert resolve_relative_date(word, published) is None


# -- one claim at a time -------------------------------------------------------------------------

def record(**kw: object) -> ClaimRecord:
    base: dict[str, object] = dict(path="graph/deals/test.yaml", line=1, subject="agreement-AA-BB", prop="capacity",
                                   kind="quantity", value="50", quote="", src="src-test")
    base.update(kw)
    return ClaimRecord(**base)  # type: ignore[arg-type]


PUBLISHED = {"src-test": "2025-07-16", "src-undated": ""}


def problems(*records: ClaimRecord) -> list[str]:
    return [f"{f.what}: {f.message}" for f in check_records(records, PUBLISHED)]


def test_a_quantity_whose_quote_has_no_number_is_caught() -> None:
    found = problems(record(prop="personCount", value="112",
                            quote="these individuals would be granted temporary humanitarian passes"))
    assert found == ["number: 112 is not in the quote"]


def test_a_quantity_read_off_its_quote_passes() -> None:
    assert problems(record(value="50", qualifier="up-to", quote="host up to 50 migrants")) == []


def test_a_wrong_qualifier_is_caught() -> None:
    found = problems(record(prop="personsTransferred", value="19",
                            quote="the U.S. has sent at least 19 people in three batches"))
    assert found == ["qualifier: the quote says at-least 19, the claim exact"]


def test_a_nationality_from_a_row_summary_is_caught_and_a_demonym_counts() -> None:
    assert problems(record(prop="nationality", kind="state", value="TZ",
                           quote="the U.S. has sent at least 19 people in three batches")) == [
        "state: Tanzania (TZ) is not named in the quote"]
    assert problems(record(prop="nationality", kind="state", value="SV",
                           quote="238 Salvadoran and Venezuelan men")) == []
    assert problems(record(prop="sendingState", kind="state", value="US",
                           quote="a deal with the Trump administration")) == []


def test_a_date_taken_from_the_publication_date_is_caught() -> None:
    found = problems(record(prop="date", kind="date", value="2025-07-16",
                            quote="the U.S. deported five convicted criminals"))
    assert found == ["date: date 2025-07-16 (the source's publication date): year 2025, month July, "
                     "day 16 not in the quote"]


def test_a_date_more_precise_than_its_quote_is_caught() -> None:
    found = problems(record(prop="date", kind="date", value="2016-11-13",
                            quote="In November 2016, then President Obama agreed"))
    assert found == ["date: date 2016-11-13: day 13 not in the quote"]


def test_a_relative_date_with_its_basis_passes_and_a_wrong_one_is_caught() -> None:
    quote = "officials said Tuesday that five men were deported"
    ok = record(prop="date", kind="date", value="2025-07-15", quote=quote,
                basis=Basis(rule="relative-date", word="Tuesday"))
    wrong = record(prop="date", kind="date", value="2025-07-16", quote=quote,
                   basis=Basis(rule="relative-date", word="Tuesday"))
    missing_word = record(prop="date", kind="date", value="2025-07-15", quote=quote,
                          basis=Basis(rule="relative-date", word="Monday"))
    undated = record(prop="date", kind="date", value="2025-07-15", quote=quote, src="src-undated",
                     basis=Basis(rule="relative-date", word="Tuesday"))
    assert problems(ok) == []
    assert problems(wrong) == ["basis: 'Tuesday' in a report of 2025-07-16 is 2025-07-15, not 2025-07-16"]
    assert problems(missing_word) == ["basis: the basis word 'Monday' is not in the quote"]
    assert problems(undated) == ["basis: source src-undated has no publication date to resolve 'Tuesday' from"]


def test_a_figure_in_a_note_needs_a_quote_that_carries_it() -> None:
    found = problems(record(prop="note", kind="text", value="Hearing set for 25 September 2025",
                            quote="the High Court is due to hear a challenge"))
    assert sorted(found) == ["number: the figure '2025' in the text is not in the quote",
                             "number: the figure '25' in the text is not in the quote"]


def test_a_state_in_a_note_needs_a_quote_that_names_it() -> None:
    found = problems(record(prop="note", kind="text", value="Flight routed via Puerto Rico, Senegal and Angola",
                            quote="Ten migrants deported from the United States landed on Monday"))
    assert [f.split(" (")[0] for f in found] == ["state: the text names Angola", "state: the text names Puerto Rico",
                                                  "state: the text names Senegal"]


def test_a_computed_value_needs_its_basis_and_quoted_operands() -> None:
    quote = "flights of 119, 180 and 200 people"
    assert problems(record(prop="personsTransferred", value="499", quote=quote)) == [
        "number: 499 is not in the quote"]
    assert problems(record(prop="personsTransferred", value="499", quote=quote,
                           basis=Basis(rule="sum", operands=("119", "180", "200")))) == []
    assert problems(record(prop="personsTransferred", value="500", quote=quote,
                           basis=Basis(rule="sum", operands=("119", "180", "200")))) == [
        "basis: the sum of 119, 180, 200 is 499, not 500"]
    assert problems(record(prop="personsTransferred", value="509", quote=quote,
                           basis=Basis(rule="sum", operands=("119", "190", "200")))) == [
        "basis: basis operand 190 is not in the quote"]


def test_a_basis_may_name_other_claims() -> None:
    first = record(line=1, prop="personCount", value="119", quote="119 deportees", key="flight-1")
    second = record(line=2, prop="personCount", value="180", quote="180 deportees", key="flight-2")
    total = record(line=3, prop="personsTransferred", value="299", quote="three planes",
                   basis=Basis(rule="sum", operands=("flight-1", "flight-2")))
    assert problems(first, second, total) == []


@pytest.mark.parametrize(("as_of", "quote", "ok"), [
    ("2025-07-16", "28 so far", True),     # the report's own date
    ("2025-07", "28 so far", True),        # the report's month
    ("2025-05", "28 by May", True),        # a month word of the quote, from a July report
    ("2025-03", "28 so far", False),
    ("2025-08", "28 so far", False),       # after the report
])
def test_asof_is_the_reports_date_or_in_the_quote(as_of: str, quote: str, ok: bool) -> None:
    found = problems(record(prop="personsTransferred", value="28", quote=quote, as_of=as_of))
    assert (found == []) is ok, found


# -- a curator's YAML file -----------------------------------------------------------------------

PLANTED = """\
sources:
  src-planted:
    kind: news-article
    title: "Planted article"
    url: "https://example.org/planted"
    published: "2025-07-16"
entities:
  agreement-AA-BB-2025:
    type: TransferAgreement
    label: "A test agreement"
    claims:
      - {p: capacity, quantity: 50, src: src-planted, quote: "host up to 50 people"}
      - {p: receivingState, state: BB, src: src-planted, quote: "the deal with Aland"}
      - {p: signingDate, date: "2025-06-11", src: src-planted, quote: "signed in June 2025"}
      - {p: note, text: "Five flights since 2024", src: src-planted, quote: "several flights"}
      - {p: personsTransferred, quantity: 12, asOf: "2025-03", src: src-planted, quote: "12 people so far"}
      - {p: capacity, quantity: 50, qualifier: up-to, src: src-planted, quote: "host up to 50 people"}
"""


def test_check_file_reports_each_planted_defect_with_its_line(tmp_path: Path) -> None:
    graph = tmp_path / "graph"
    graph.mkdir()
    review = tmp_path / "review.yaml"
    review.write_text(PLANTED, encoding="utf-8")
    found = [(f.line, f.what) for f in check_file(review, graph_dir=graph)]
    assert found == [(12, "qualifier"), (13, "state"), (14, "date"), (15, "number"), (15, "number"),
                     (16, "asOf")]
