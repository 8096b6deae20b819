"""``transferkg report completeness``: per agreement, what is documented, how well, and what is missing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from transferkg.app.completeness import FACTS, AgreementCompleteness, FactState, completeness, render
from transferkg.cli import main

TODAY = dt.date(2026, 12, 2)


@pytest.fixture(scope="module")
def rows(kg):  # type: ignore[no-untyped-def]
    return completeness(kg, today=TODAY)


def _row(rows: list[AgreementCompleteness], ident: str) -> AgreementCompleteness:
    return next(r for r in rows if r.agreement == ident)


def test_one_row_per_agreement_thinnest_first(rows: list[AgreementCompleteness], kg) -> None:  # type: ignore[no-untyped-def]
    agreements = kg.sparql("SELECT DISTINCT ?a WHERE { VALUES ?t { tct:Agreement tct:TransferAgreement } ?a a ?t }")
    assert len(rows) == len(agreements.rows)
    assert [r.score for r in rows] == sorted(r.score for r in rows)
    assert all(0 <= r.score <= 100 for r in rows)
    assert all(set(r.facts) == {k for k, _, _ in FACTS} for r in rows)


def test_kosovo_what_the_graph_knows(rows: list[AgreementCompleteness]) -> None:
    xk = _row(rows, "agreement-US-XK-2025-06")
    assert xk.facts["parties"].state == "present"
    # signed "in June" 2025: the month, not a day
    assert xk.facts["signing"].detail.startswith("2025-06 (month)")
    # "Kosovo has started accepting" in a report of 12 December: undated, known by the report
    assert xk.facts["status"].state == "partial"
    assert "implemented, known by 2025-12-12" in xk.facts["status"].detail
    # 50 vs up to 50 vs other figures: curators linked incompatible capacities
    assert xk.facts["capacity"].state == "conflicting"
    assert xk.facts["payments"].state == "missing" and "payments" in xk.missing
    assert xk.facts["challenges"].text() == "missing: none recorded"
    assert "legal challenges" not in xk.missing  # no case may be the truth, not a gap
    assert xk.latest_source == "2025-12-12"
    assert xk.origins >= 3


def test_states_follow_their_definitions(rows: list[AgreementCompleteness]) -> None:
    states = {f.state for r in rows for f in r.facts.values()}
    assert states <= {"present", "single source", "government only", "conflicting", "ambiguous", "partial",
                      "missing"}
    # the US–Guatemala ACA (2019): its last change cannot be ordered
    assert _row(rows, "agreement-US-GT-2019-07").facts["status"].state == "ambiguous"
    # an agreement with one origin only has no fact 'present'
    for r in rows:
        if r.origins == 1:
            assert all(f.state != "present" for f in r.facts.values())


def test_a_more_complete_record_scores_higher() -> None:
    def row(states: dict[str, str], origins: int, latest: str) -> AgreementCompleteness:
        facts = {k: FactState(states.get(k, "missing")) for k, _, _ in FACTS}
        return AgreementCompleteness("a", "A", "", facts, origins, origins, latest, 0)

    from transferkg.app import completeness as mod

    def score(states: dict[str, str]) -> float:
        return sum(mod.CREDIT[states.get(k, "missing")] * w for k, _, w in FACTS)

    full = {k: "present" for k, _, _ in FACTS}
    thin = {k: "single source" for k, _, _ in FACTS}
    assert score(full) > score(thin) > score({})
    assert row(full, 3, "2026-10-01").facts["parties"].text() == "present"


def test_formats(rows: list[AgreementCompleteness]) -> None:
    md = render(rows, "md")
    assert md.startswith("# Completeness of the graph")
    assert "| US–Kosovo third-country deportation arrangement (2025) |" in md
    table = list(csv.DictReader(io.StringIO(render(rows, "csv"))))
    assert len(table) == len(rows) and {"score", "signing date", "latest source", "id"} <= set(table[0])
    data = json.loads(render(rows, "json"))
    assert data[0]["facts"]["parties"]["state"] in {"missing", "partial", "single source", "government only"}
    page = render(rows, "html", today=TODAY)
    assert page.startswith("<!DOCTYPE html>") and "as of 2026-12-02" in page
    assert "http://" not in page and "https://" not in page  # self-contained: no CDN, no link out
    assert render(rows, "md") == md  # deterministic


def test_html_escapes_every_label() -> None:
    facts = {k: FactState("missing") for k, _, _ in FACTS}
    facts["capacity"] = FactState("single source", "<img src=x onerror=alert(1)>")
    row = AgreementCompleteness("agreement-X", "<script>alert(1)</script> & co", "", facts, 1, 1, "", 10)
    page = render([row], "html")
    assert "<script>alert(1)" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert "\\<script\\>" not in render([row], "md") and "&lt;script&gt;" in render([row], "md")


def test_cli_report_completeness(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = cli.invoke(main, ["report", "completeness", "--sort", "name"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("| ") and "---" not in line][1:]
    labels = [line.split(" | ")[0][2:] for line in lines]
    assert labels == sorted(labels)
    out = tmp_path / "c.html"
    result = cli.invoke(main, ["report", "completeness", "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    result = cli.invoke(main, ["report", "completeness", "--format", "csv"])
    assert result.output.startswith("agreement,score,parties,")
