"""Answers a journalist can publish: one row per thing, totals that never mix kinds or count
anyone twice, statuses that mean what they say, profiles, and honest errors instead of
empty answers. Everything runs on the curated graph, as a reader of the README would."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from transferkg import BadParameter
from transferkg.app.kg import KnowledgeGraph
from transferkg.cli import main
from transferkg.core.namespaces import sparql_prefixes
from transferkg.query.results import format_result

TODAY = dt.date(2026, 12, 2)  # tests/conftest.py fixes TRANSFERKG_TODAY


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _people_of_distinct_transfers(kg: KnowledgeGraph) -> dict[str, int]:
    """Straight from the graph: each transfer's largest count, transfers inside a counted group left out."""
    result = kg.query(sparql_prefixes() + """
        SELECT ?t (MAX(?n) AS ?people) WHERE {
          VALUES ?type { tct:TransferEvent tct:DeportationFlight tct:Arrival }
          ?t a ?type ; tct:personCount ?q . ?q schema:value|schema:maxValue|schema:minValue ?n .
          FILTER NOT EXISTS { ?t tct:partOf ?g . ?g tct:personCount ?gc }
        } GROUP BY ?t""")
    return {str(t): int(n) for t, n in result.rows}  # type: ignore[call-overload]


# --------------------------------------------------------------------------- one row per thing


@pytest.mark.parametrize("name", ["agreements", "current_status", "status_on_date"])
def test_one_row_per_agreement(kg: KnowledgeGraph, name: str) -> None:
    df = kg.run(name)
    assert len(df) > 40
    assert df["agreement"].is_unique, df[df["agreement"].duplicated(keep=False)]


def test_denmark_kosovo_is_one_row_with_its_disagreement_flagged(kg: KnowledgeGraph) -> None:
    df = kg.run("agreements", host="Kosovo", sender="Denmark")
    assert len(df) == 1
    row = df.iloc[0]
    assert row["signingDatesDisagree"] in (True, False)
    if row["signingDatesDisagree"]:  # the other dates are one step away
        assert len(kg.run("disagreements")) > 0


def test_transfers_are_one_row_each_and_every_transfer_has_one(kg: KnowledgeGraph) -> None:
    df = kg.run("transfers")
    assert df["transfer"].is_unique
    every = kg.query(sparql_prefixes() + """SELECT DISTINCT ?t WHERE {
        VALUES ?type { tct:TransferEvent tct:DeportationFlight tct:Arrival } ?t a ?type }""")
    assert len(df) == len(every)  # a transfer whose destination no source names still has its row


def test_people_add_up_to_the_distinct_transfers_in_every_table(kg: KnowledgeGraph, cli: CliRunner) -> None:
    """The spreadsheet sum of people — over transfers (API and CSV) and over totals' recorded
    column, every kind — is the number of people in distinct transfers: nobody twice, nobody lost."""
    truth = _people_of_distinct_transfers(kg)
    expected = sum(truth.values())
    assert expected > 1000
    assert kg.run("transfers")["people"].sum() == expected
    out = cli.invoke(main, ["query", "transfers", "--format", "csv"])
    assert out.exit_code == 0, out.output
    assert sum(int(r["people"]) for r in _csv(out.output) if r["people"]) == expected
    out = cli.invoke(main, ["totals", "--kind", "all", "--format", "csv"])
    assert out.exit_code == 0, out.output
    assert sum(int(r["recorded"]) for r in _csv(out.output) if r["recorded"]) == expected
    # per-host filtering keeps the same arithmetic: Eswatini's transfers add up to its recorded total
    eswatini = kg.run("transfers", host="Eswatini")["people"].sum()
    totals = kg.run("totals", host="SZ")
    assert totals["recorded"].sum() == eswatini


def test_long_form_nationalities_never_repeat_a_transfers_people(kg: KnowledgeGraph) -> None:
    """One row per transfer and nationality; a transfer's whole count is never copied onto each of
    its nationalities (that is how a flight of 5 became 20 in a spreadsheet)."""
    df = kg.run("transfer_nationalities")
    transfers = kg.run("transfers").set_index("transfer")
    mixed = 0
    for transfer, group in df.groupby("transfer"):
        assert len(group) == group["nationality"].nunique(), transfer
        total = transfers.loc[transfer, "reportedPeople"]
        if len(group) > 1 and total is not None and total == total:
            mixed += 1
            assert not (group["people"] == total).all(), transfer
    assert mixed >= 3


# --------------------------------------------------------------------------- kinds


def test_totals_keep_kinds_apart(kg: KnowledgeGraph, cli: CliRunner) -> None:
    out = cli.invoke(main, ["totals", "--sender", "US", "--host", "Kosovo", "--format", "csv"])
    assert out.exit_code == 0, out.output
    rows = _csv(out.output)
    assert {r["kindLabel"] for r in rows} == {"third-country deportation"}  # the default kind, and it says so
    assert all(int(r["reported"] or 0) < 100 for r in rows)  # the 1,900 Afghan evacuees are not deportees
    everything = _csv(cli.invoke(main, ["totals", "--sender", "US", "--host", "Kosovo", "--kind", "all",
                                        "--format", "csv"]).output)
    kinds = [r["kind"] for r in everything]
    assert len(kinds) == len(set(kinds)) >= 2  # one row per kind, never one sum over them
    assert "tctv:evacuation-resettlement" in kinds
    banner = cli.invoke(main, ["totals", "--sender", "US"]).output
    assert "third-country deportation" in banner.splitlines()[0]


def test_network_metrics_count_one_kind_and_say_which(cli: CliRunner) -> None:
    out = cli.invoke(main, ["network", "--metrics", "--format", "csv"])
    assert out.exit_code == 0, out.output
    kosovo = next(r for r in _csv(out.output) if r["node"] == "id:state-XK")
    assert int(float(kosovo["people_received"] or 0)) < 100
    text = cli.invoke(main, ["network"]).output
    assert "third-country deportation" in text


# --------------------------------------------------------------------------- statuses


def test_active_lists_only_operative_deals_with_recent_evidence(kg: KnowledgeGraph, cli: CliRunner) -> None:
    out = cli.invoke(main, ["active", "--format", "csv"])
    assert out.exit_code == 0, out.output
    rows = _csv(out.output)
    assert rows and all(r["operative"] == "True" for r in rows)
    for row in rows:
        last = dt.date.fromisoformat(row["lastReported"][:10].ljust(10, "-").replace("--", "-01")[:10]
                                     if len(row["lastReported"]) >= 7 else row["lastReported"] + "-12-31")
        assert (TODAY - last).days <= 366, row
    labels = " ".join(r["agreementLabel"] for r in rows)
    assert "Pacific Solution" not in labels and "2001" not in labels
    banner = cli.invoke(main, ["active"]).output.splitlines()[0]
    assert "2026-12-02" in banner


def test_an_old_status_is_the_last_known_status_not_in_force(kg: KnowledgeGraph) -> None:
    df = kg.run("status_on_date").set_index("agreement")
    pacific = [a for a in df.index if a.startswith("id:agreement-AU-NR-2001")]
    assert pacific
    for agreement in pacific:
        assert df.loc[agreement, "operative"] is False or df.loc[agreement, "operative"] == False  # noqa: E712
        assert "last known status" in str(df.loc[agreement, "statusNote"])
    assert list(kg.run("status_on_date")["agreement"]) == list(kg.run("status_on_date", day="today")["agreement"])


def test_status_words_are_refused_with_the_codes(kg: KnowledgeGraph) -> None:
    with pytest.raises(BadParameter, match="in-force"):
        kg.run("current_status", status="active")


# --------------------------------------------------------------------------- parameters


def test_state_names_and_lists_are_parameters(kg: KnowledgeGraph) -> None:
    by_code = kg.run("agreements", host="XK")
    assert list(kg.run("agreements", host="Kosovo")["agreement"]) == list(by_code["agreement"])
    both = kg.run("agreements", host="XK,SV")
    salvador = kg.run("agreements", host="El Salvador")
    assert set(both["agreement"]) == set(by_code["agreement"]) | set(salvador["agreement"])
    with pytest.raises(BadParameter, match="Atlantis"):
        kg.run("agreements", host="Atlantis")


def test_unknown_ids_are_errors_with_suggestions(kg: KnowledgeGraph) -> None:
    with pytest.raises(BadParameter, match="did you mean"):
        kg.run("status_timeline", agreement="agreement-US-XK-2025-6")


# --------------------------------------------------------------------------- profiles


def test_show_a_state_answers_everything_about_it(cli: CliRunner) -> None:
    out = cli.invoke(main, ["show", "Kosovo"])
    assert out.exit_code == 0, out.output
    text = out.output
    for heading in ("As receiving state", "People received, by kind", "Transfers received", "Recognition"):
        assert heading in text
    assert "between 1 and 2 (from United States, as of 2025-12-12)" in text
    assert "evacuation or resettlement" in text  # the 2021 evacuees, under their own kind
    as_json = json.loads(cli.invoke(main, ["show", "XK", "--format", "json"]).output)
    assert as_json["kind"] == "state" and as_json["sections"]
    assert cli.invoke(main, ["show", "Kosovars"]).exit_code == 0  # a demonym names the state too


def test_show_an_agreement_and_a_name_that_matches_nothing(cli: CliRunner) -> None:
    out = cli.invoke(main, ["show", "agreement-US-XK-2025-06"])
    assert out.exit_code == 0, out.output
    assert "Status timeline" in out.output and "implemented" in out.output
    bad = cli.invoke(main, ["show", "Kosvo"])
    assert bad.exit_code == 2 and "did you mean" in bad.output.lower()


def test_show_html_escapes_labels(cli: CliRunner, tmp_path: Path) -> None:
    page = tmp_path / "kosovo.html"
    out = cli.invoke(main, ["show", "Kosovo", "--format", "html", "-o", str(page)])
    assert out.exit_code == 0, out.output
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html.split("</head>")[1]
    assert "Denmark–Kosovo prison lease agreement" in html


# --------------------------------------------------------------------------- honest output


def test_a_view_filter_that_matches_nothing_is_an_error_and_writes_nothing(cli: CliRunner, tmp_path: Path) -> None:
    page = tmp_path / "none.html"
    out = cli.invoke(main, ["view", "deal-network", "--sender", "NR", "--out", str(page)])
    assert out.exit_code == 1 and "nothing" in out.output
    assert not page.exists()


def test_an_output_in_a_missing_folder_is_a_clear_error(cli: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "folder" / "a.csv"
    out = cli.invoke(main, ["query", "agreements", "--format", "csv", "-o", str(target)])
    assert out.exit_code == 2 and "folder" in out.output
    out = cli.invoke(main, ["view", "deal-network", "-o", str(tmp_path / "missing" / "x.html")])
    assert out.exit_code == 2


def test_results_read_like_a_table(kg: KnowledgeGraph) -> None:
    result = kg.run_result("agreements", {"host": "XK"})
    assert "<SelectResult: " in repr(result) and "agreement" in repr(result)
    rows = list(result)
    assert rows[0]["agreement"] == rows[0].agreement == result.rows[0][0]
    text = format_result(result, "table", max_width=150)
    assert all(len(line) <= 150 for line in text.splitlines())
    assert "Denmark–Kosovo prison" in text  # the widest columns give way first, labels stay readable
    assert "Kosovo" in text and "id:state-XK" not in text  # labels, not CURIEs
    assert "<KnowledgeGraph" in repr(kg) and "triples" in repr(kg)


# --------------------------------------------------------------------------- the README's examples


def _console_blocks(readme: str) -> list[tuple[list[str], list[str]]]:
    import re
    import shlex

    blocks = []
    for body in re.findall(r"```console\n(.*?)```", readme, flags=re.S):
        lines = body.rstrip("\n").split("\n")
        assert lines[0].startswith("$ transferkg "), lines[0]
        shown = []
        for line in lines[1:]:
            if line.startswith("…"):  # the README shows the start of a long answer
                break
            shown.append(line)
        blocks.append((shlex.split(lines[0][2:])[1:], shown))
    return blocks


def test_the_readme_examples_print_what_the_readme_shows(repo: Path, cli: CliRunner) -> None:
    blocks = _console_blocks((repo / "README.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 4
    for args, shown in blocks:
        out = cli.invoke(main, args)
        assert out.exit_code == 0, (args, out.output)
        got = out.output.rstrip("\n").split("\n")
        assert got[: len(shown)] == shown, args


def test_profiles_in_python_are_case_insensitive(kg: KnowledgeGraph) -> None:
    kosovo = kg.profile("kosovo")
    assert (kosovo.kind, kosovo.id) == ("state", "id:state-XK")
    facts = dict(kosovo.facts)
    assert facts["agreements as receiving state"].startswith("4 ")
    deal = kg.profile("us–kosovo third-country deportation arrangement (2025)")
    assert deal.kind == "agreement" and "Status timeline" in [s.title for s in deal.sections]
    assert "1–2 people" in dict(deal.facts)["people transferred (latest reported total)"]
