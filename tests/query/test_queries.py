"""The query library: every named query, its parameters, its rows on the curated graph,
the errors a user gets for bad input, the DataFrame API, ad-hoc SPARQL and the CLI.

Expected rows live in ``tests/queries/expected/<query>.csv`` (reviewed by hand;
see ``tests/queries/README.md``; regenerate with ``tests/queries/regenerate.py``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql import prepareQuery

import transferkg
from tests.helpers import EXPECTED, REPO, invoke, run_cli
from transferkg import BadParameter, QuerySyntaxError, UnknownQuery
from transferkg.app.kg import KnowledgeGraph
from transferkg.cli import main
from transferkg.query.catalogue import render_catalogue
from transferkg.query.library import PARAM_TYPES, Param, QueryLibrary, parse_query_file, parse_query_text
from transferkg.query.results import format_result
from transferkg.rules.derive import date_bounds
from transferkg.store.base import SelectResult

QUERIES = REPO / "queries"
CHECKS = QUERIES / "checks"
LIBRARY = QueryLibrary(QUERIES)
NAMES = LIBRARY.names()
ALL_FILES = sorted(QUERIES.glob("*.rq")) + sorted(CHECKS.glob("*.rq"))

Rows = list[list[str]]


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(QUERIES)) for p in paths]


def parse_csv(text: str) -> tuple[list[str], Rows]:
    """Header and rows of CSV text, every cell a string (blank lines dropped)."""
    table = [row for row in csv.reader(io.StringIO(text)) if row]
    return table[0], table[1:]


def expected(name: str) -> tuple[list[str], Rows]:
    return parse_csv((EXPECTED / f"{name}.csv").read_text(encoding="utf-8"))


def as_rows(result: SelectResult) -> tuple[list[str], Rows]:
    """A result as the strings the CSV output shows (CURIEs, ISO dates, …)."""
    return parse_csv(format_result(result, "csv"))


def column(header: list[str], rows: Rows, name: str) -> list[str]:
    i = header.index(name)
    return [row[i] for row in rows]


def where(header: list[str], rows: Rows, name: str, value: str) -> Rows:
    i = header.index(name)
    return [row for row in rows if row[i] == value]


class DefaultResults:
    """Each library query run once with its defaults, on demand."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self._cache: dict[str, SelectResult] = {}

    def __getitem__(self, name: str) -> SelectResult:
        if name not in self._cache:
            self._cache[name] = self.kg.run_result(name)
        return self._cache[name]


@pytest.fixture(scope="session")
def results(kg: KnowledgeGraph) -> DefaultResults:
    return DefaultResults(kg)


def _header_yaml(path: Path) -> dict:
    lines = [line.strip()[2:].removeprefix(" ") for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip().startswith("#+")]
    return yaml.safe_load("\n".join(lines)) or {}


def _body(text: str) -> str:
    """The SPARQL text without comment lines (the #+ header)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _order_by(text: str) -> str:
    body = _body(text)
    found = list(re.finditer(r"\bORDER\s+BY\b", body))
    if not found:
        return ""
    clause = body[found[-1].end():]
    return re.split(r"\b(?:LIMIT|OFFSET)\b", clause)[0]


def _unordered_columns(name: str, columns: list[str]) -> list[str]:
    clause = _order_by(LIBRARY.get(name).text)
    return [c for c in columns if not re.search(rf"\?{re.escape(c)}\b", clause)]


# --- the files -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL_FILES, ids=_ids(ALL_FILES))
def test_query_file_parses_and_has_a_summary(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    prepareQuery(text)  # plain SPARQL 1.1 with its own PREFIX lines
    query = parse_query_file(path)
    assert query.summary, f"{path.name} needs a '#+ summary:' line"
    assert query.method == "select"


@pytest.mark.parametrize("name", NAMES)
def test_library_query_header_is_complete(name: str) -> None:
    query = LIBRARY.get(name)
    meta = _header_yaml(query.path)
    assert query.tags and all(isinstance(t, str) and t for t in query.tags), f"{name}: no tags"
    assert query.description, f"{name}: no description"
    specs = meta.get("params") or {}
    for pname, spec in specs.items():
        assert isinstance(spec, dict), f"{name}: parameter {pname} needs a mapping"
        assert spec.get("type") in PARAM_TYPES, f"{name}: parameter {pname} has type {spec.get('type')!r}"
        assert spec.get("description"), f"{name}: parameter {pname} has no description"
        assert isinstance(spec.get("required", False), bool)
        # the parameter is bound to a variable of that name (grlc-style ?_name, or ?name): it must be in the query
        assert re.search(rf"\?_?{pname}\b", _body(query.text)), f"{name}: ?{pname} is not used"
    defaults = {k for item in meta.get("defaults") or [] for k in item}
    assert defaults <= set(specs), f"{name}: defaults for undeclared parameters {defaults - set(specs)}"
    for param in query.params.values():
        if param.required:
            assert param.default is not None, f"{name}: required {param.name} needs a default"


def test_the_library_has_at_least_15_queries() -> None:
    assert len(LIBRARY) >= 15
    assert len(NAMES) == len(set(NAMES))


def test_checks_are_not_library_queries() -> None:
    assert not set(NAMES) & {p.stem for p in CHECKS.glob("*.rq")}


# --- rows on the curated graph ------------------------------------------------------------


def test_every_query_has_an_expected_file_and_back() -> None:
    assert {p.stem for p in EXPECTED.glob("*.csv")} == set(NAMES), (
        "tests/queries/expected/ is out of step with queries/: "
        "run `python tests/queries/regenerate.py` and review the diff")


@pytest.mark.parametrize("name", NAMES)
def test_rows_equal_the_reviewed_expected_rows(name: str, results: DefaultResults) -> None:
    header, rows = as_rows(results[name])
    want_header, want_rows = expected(name)
    assert header == want_header
    assert rows, f"{name} returns no rows on the curated graph"
    assert sorted(rows) == sorted(want_rows), (
        f"{name} differs from tests/queries/expected/{name}.csv; if the change is intended, "
        "regenerate with tests/queries/regenerate.py and review the diff")


@pytest.mark.parametrize("name", NAMES)
def test_order_by_covers_every_column(name: str, results: DefaultResults) -> None:
    missing = _unordered_columns(name, results[name].vars)
    assert not missing, f"{name}: ORDER BY leaves {missing} unordered, so tied rows come in any order"


@pytest.mark.parametrize("name", NAMES)
def test_rows_come_in_the_expected_order(name: str, results: DefaultResults) -> None:
    # Meaningful because test_order_by_covers_every_column holds for every query.
    assert as_rows(results[name])[1] == expected(name)[1]


def test_no_query_returns_duplicate_rows(results: DefaultResults) -> None:
    for name in NAMES:
        rows = [tuple(r) for r in as_rows(results[name])[1]]
        assert len(rows) == len(set(rows)), f"{name} returns duplicate rows"


def _literal(text: str) -> Literal:
    """A date as the CSV shows it, typed by its precision."""
    kind = {4: XSD.gYear, 7: XSD.gYearMonth}.get(len(text), XSD.date)
    return Literal(text, datatype=kind)


def test_dates_of_mixed_precision_are_in_date_order(results: DefaultResults) -> None:
    # dates of any precision (2019-12-03, 2024-04, 2025) come in the order of their first possible day
    header, rows = as_rows(results["transfers"])
    firsts = [date_bounds(_literal(d))[0] for d in column(header, rows, "date") if d]  # type: ignore[index]
    assert len(firsts) > 10 and firsts == sorted(firsts)
    # and undated transfers come last
    dates = column(header, rows, "date")
    assert dates[0] and not dates[-1]
    first_undated = dates.index("")
    assert all(d == "" for d in dates[first_undated:])


def test_timeline_follows_the_sequence_and_says_how_it_was_ordered(results: DefaultResults) -> None:
    # US–Kosovo: announced 11 June 2025, signed in June 2025 (the dates overlap: the lifecycle
    # orders them), implemented — no date of its own, known by the report of 12 December 2025
    header, rows = as_rows(results["status_timeline"])
    assert column(header, rows, "sequence") == ["1", "2", "3"]
    assert column(header, rows, "status") == ["announced", "signed", "implemented"]
    assert column(header, rows, "orderBasis") == ["first", "lifecycle", "lifecycle"]
    assert column(header, rows, "date") == ["2025-06-11", "2025-06", ""]
    assert column(header, rows, "knownBy")[-1] == "2025-12-12"


def test_transfer_events_are_transfers_to_the_host_not_cohorts(results: DefaultResults) -> None:
    header, rows = as_rows(results["transferred_vs_capacity"])
    by_agreement = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    # Costa Rica: two flights (135 + 65); the cohort of 200 is not a third event
    assert by_agreement["id:agreement-US-CR-2025-02"]["transferEvents"] == "2"
    assert by_agreement["id:agreement-US-CR-2025-02"]["peopleInTransferEvents"] == "200"
    # Italy–Albania: the return of twelve men to Italy is not a transfer to Albania (and no quote of
    # the transfers to the centres names Albania, so none is recorded as a transfer there)
    assert by_agreement["id:agreement-IT-AL-2023-11"]["transferEvents"] == "0"
    # Libya: five men were to be sent, none was — no transfer event
    assert "id:agreement-US-LY-2025-05" not in by_agreement
    # an event with no reported count is still an event
    assert by_agreement["id:agreement-US-GT-2025-02"]["transferEvents"] == "1"
    assert by_agreement["id:agreement-US-GT-2025-02"]["peopleInTransferEvents"] == ""


# --- parameters -------------------------------------------------------------------------

FILTERS = [
    ("agreements", {"host": "XK"}, "host", "id:state-XK"),
    ("agreements", {"sender": "US"}, "sender", "id:state-US"),
    ("agreements", {"host": "id:state-RW"}, "host", "id:state-RW"),
    ("transfers", {"host": "SZ"}, "host", "id:state-SZ"),
    ("claims_about", {"property": "tct:capacity"}, "property", "tct:capacity"),
    ("current_status", {"status": "blocked-by-court"}, "status", "tctv:blocked-by-court"),
    ("deal_network", {"sender": "AU"}, "item", "id:state-AU"),
    ("nationalities_by_host", {"host": "sz"}, "host", "id:state-SZ"),
    ("single_source_facts", {"agreement": "agreement-US-XK-2025-06"}, "agreement",
     "id:agreement-US-XK-2025-06"),
]


@pytest.mark.parametrize(("name", "params", "col", "value"), FILTERS,
                         ids=[f"{f[0]}-{'-'.join(f'{k}={v}' for k, v in f[1].items())}" for f in FILTERS])
def test_a_parameter_keeps_exactly_the_matching_rows(kg: KnowledgeGraph, name: str, params: dict,
                                                     col: str, value: str) -> None:
    header, rows = as_rows(kg.run_result(name, params))
    want_header, want_rows = expected(name)
    assert rows, f"{name} {params} returns nothing"
    assert set(column(header, rows, col)) == {value}
    assert rows == where(want_header, want_rows, col, value)


def test_host_and_sender_together(kg: KnowledgeGraph) -> None:
    header, rows = as_rows(kg.run_result("agreements", {"host": "XK", "sender": "US"}))
    assert set(column(header, rows, "agreement")) == {"id:agreement-US-XK-2021",
                                                      "id:agreement-US-XK-2025-06"}


def test_a_value_that_matches_nothing_is_an_error_with_suggestions_not_zero_rows(kg: KnowledgeGraph) -> None:
    with pytest.raises(BadParameter, match=r"France \(FR\) appears nowhere in the graph"):
        kg.run_result("agreements", {"host": "FR"})
    with pytest.raises(BadParameter, match="is not in the graph"):
        kg.run_result("claims_about", {"subject": "http://example.org/nothing"})
    with pytest.raises(BadParameter, match="did you mean agreement-US-XK-2025-06"):
        kg.run_result("status_timeline", {"agreement": "agreement-US-XK-2025-6"})
    with pytest.raises(BadParameter, match=r"'active' is not a code of AgreementStatus \(did you mean"):
        kg.run_result("current_status", {"status": "active"})
    # a valid value that simply has no rows is still an honest empty answer
    assert len(kg.run_result("current_status", {"status": "expired"})) == 0


def test_status_timeline_of_another_agreement(kg: KnowledgeGraph, results: DefaultResults) -> None:
    df = kg.run("status_timeline", agreement="id:agreement-GB-RW-2022-04")
    assert df["change"].str.startswith("id:statuschange-GB-RW-2022-04-").all()
    assert list(dict.fromkeys(df["status"])) == ["announced", "blocked by a court", "terminated"]
    assert list(df["earliest"]) == sorted(df["earliest"])
    default = {r[0] for r in as_rows(results["status_timeline"])[1]}
    assert default.isdisjoint(df["change"])


def test_status_on_date_differs_between_days(kg: KnowledgeGraph) -> None:
    def in_force(day: str) -> set[str]:
        df = kg.run("status_on_date", day=day)
        return set(df.loc[df["operative"] == True, "agreement"])  # noqa: E712

    early, late = in_force("2020-01-01"), in_force("2025-12-31")
    assert early != late
    # the US–Guatemala ACA was in force at the start of 2020 and suspended by 2025
    assert "id:agreement-US-GT-2019-07" in early - late
    # the US–Kosovo arrangement (signed June 2025) did not exist in 2020
    assert "id:agreement-US-XK-2025-06" in late - early
    # a month-precise change counts only once the month is over
    june = kg.run("status_on_date", day="2025-06-15")
    assert "id:agreement-US-XK-2025-06" not in set(june.loc[june["status"] == "signed", "agreement"])


def test_status_on_a_late_day_is_the_current_status(kg: KnowledgeGraph) -> None:
    on_day = kg.run("status_on_date", day="2099-12-31")
    current = kg.run("current_status")
    dated = current[current["orderBasis"] != "undated"]
    assert set(zip(on_day["agreement"], on_day["status"], strict=True)) == set(
        zip(dated["agreement"], dated["statusLabel"], strict=True))
    # a status known from no date at all (Nigeria's refusal) is current, but held on no particular day
    undated = set(current.loc[current["orderBasis"] == "undated", "agreement"])
    assert "id:agreement-US-NG-2025" in undated and not undated & set(on_day["agreement"])


# --- bad input ----------------------------------------------------------------------------


def test_unknown_parameter_lists_the_parameters(kg: KnowledgeGraph) -> None:
    with pytest.raises(BadParameter) as err:
        kg.run("agreements", country="XK")
    message = str(err.value)
    assert "'country'" in message and "host (state" in message and "sender (state" in message


def test_missing_required_parameter_lists_the_parameters(kg: KnowledgeGraph) -> None:
    with pytest.raises(BadParameter) as err:
        kg.run("claims_about", subject="")
    assert "needs parameter 'subject'" in str(err.value)
    assert "subject (iri, required)" in str(err.value) and "property (iri)" in str(err.value)
    query = parse_query_text("#+ summary: s\n#+ params:\n#+   x: {type: date, required: true}\n"
                             "SELECT ?x WHERE { ?x ?p ?o }", "needs_x")
    with pytest.raises(BadParameter, match="needs parameter 'x'"):
        query.bind({})


@pytest.mark.parametrize(("name", "params", "words"), [
    ("agreements", {"host": "Kosovoo"}, ["'host'", "ISO 3166-1", "did you mean Kosovo (XK)", "host (state",
                                         "sender (state"]),
    ("agreements", {"sender": "Atlantis"}, ["'sender'", "host (state"]),
    ("status_on_date", {"day": "2025-13-01"}, ["'day'", "day (date, required)"]),
    ("status_on_date", {"day": "31/12/2025"}, ["YYYY-MM-DD", "day (date, required)"]),
    ("status_timeline", {"agreement": "http://exa mple.org/x"}, ["'agreement'", "agreement (iri, required)"]),
    ("claims_about", {"property": "nope:capacity"}, ["unknown prefix", "property (iri)"]),
    ("current_status", {"status": "in force"}, ["'status'", "status (code)"]),
], ids=["host=Kosovoo", "sender=Atlantis", "day=2025-13-01", "day=31/12/2025", "iri-with-space",
        "unknown-prefix", "code-with-space"])
def test_a_value_of_the_wrong_type_is_refused(kg: KnowledgeGraph, name: str, params: dict,
                                              words: list[str]) -> None:
    with pytest.raises(BadParameter) as err:
        kg.run_result(name, params)
    for word in words:
        assert word in str(err.value)


def test_unknown_query_lists_the_known_queries(kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownQuery) as err:
        kg.run("nope")
    assert "'nope'" in str(err.value)
    assert all(name in str(err.value) for name in NAMES)
    with pytest.raises(UnknownQuery, match="did you mean agreements"):
        kg.run("agreement")


def test_errors_are_transferkg_errors() -> None:
    assert issubclass(BadParameter, transferkg.TransferKGError)
    assert issubclass(UnknownQuery, transferkg.TransferKGError)


# --- injection ----------------------------------------------------------------------------

HOSTILE = [
    ("agreements", "host", "XK } UNION { ?s ?p ?o"),
    ("agreements", "host", "XK\" } UNION { ?s ?p ?o } #"),
    ("status_timeline", "agreement", "id:x> } ; DROP ALL #"),
    ("claims_about", "subject", "http://example.org/x> } UNION { ?s ?p ?o } #"),
    ("claims_about", "subject", "<http://example.org/x> . ?s ?p ?o"),
    ("current_status", "status", "in-force } UNION { ?s ?p ?o"),
    ("status_on_date", "day", "2025-12-31\"^^xsd:date) || true || (\""),
]


@pytest.mark.parametrize(("name", "param", "value"), HOSTILE,
                         ids=[f"{n}-{p}-{i}" for i, (n, p, _) in enumerate(HOSTILE)])
def test_a_hostile_value_is_refused_not_spliced(kg: KnowledgeGraph, name: str, param: str,
                                                value: str) -> None:
    before = len(kg)
    with pytest.raises(BadParameter) as err:
        kg.run_result(name, {param: value})
    assert f"bad value for {param!r}" in str(err.value)
    assert len(kg) == before


def test_a_string_parameter_is_bound_as_a_literal(kg: KnowledgeGraph) -> None:
    # No library query takes a string today, so a query made here
    # shows how a string parameter is handled: bound as one literal, never pasted in.
    text = ("#+ summary: Cases by identifier\n#+ tags: [test]\n#+ params:\n"
            "#+   label: {type: string, required: true, description: the identifier}\n"
            "PREFIX tct: <https://w3id.org/tct/ontology#>\n"
            "SELECT ?case WHERE { ?case tct:caseIdentifier ?id . FILTER (STR(?id) = ?label) }")
    query = parse_query_text(text, "case_by_identifier")
    hostile = '" ) || true || ( "'
    bindings = query.bind({"label": hostile})
    assert bindings == {"label": Literal(hostile)}
    assert query.text == text  # nothing was pasted into the query
    assert len(kg.query(query.text, **bindings)) == 0
    found = kg.query(query.text, **query.bind({"label": "NZYQ"}))
    assert [row[0] for row in found.rows] == [URIRef("https://w3id.org/tct/id/challenge-nzyq")]
    assert Param("q", "string").to_term("x } UNION { ?s ?p ?o") == Literal("x } UNION { ?s ?p ?o")


# --- DataFrames -------------------------------------------------------------------------


def test_run_returns_a_dataframe_of_readable_values(kg: KnowledgeGraph) -> None:
    df = kg.run("agreements", host="Kosovo")
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == expected("agreements")[0]
    assert df["agreement"].str.startswith("id:agreement-").all()
    assert df["agreement"].is_unique  # one row per agreement
    assert set(df["host"]) == {"id:state-XK"}
    assert set(df["hostLabel"]) == {"Kosovo"}
    dk = df.set_index("agreement").loc["id:agreement-DK-XK-2021-12"]
    # the most precise stated signing date; other sources give other dates (2022, April 2022 …)
    assert dk["signed"] == dt.date(2021, 12, 20) and dk["precision"] == "day" and dk["signingDatesDisagree"] is True
    xk = df.set_index("agreement").loc["id:agreement-US-XK-2025-06"]
    assert xk["signed"] == "2025-06" and xk["precision"] == "month" and xk["statusLabel"] == "implemented"
    assert df.loc[df["agreement"] == "id:agreement-GB-XK-2025", "signed"].iloc[0] is None


REQUIRED_EXAMPLES = {"claims_about": {"subject": "id:agreement-US-XK-2025-06"},
                     "status_timeline": {"agreement": "id:agreement-US-XK-2025-06"},
                     "status_on_date": {"day": "2025-06-15"}}


@pytest.mark.parametrize("name", NAMES)
def test_dataframes_made_straight_from_oxigraph_equal_those_made_through_rdflib(kg: KnowledgeGraph,
                                                                                 name: str) -> None:
    """``kg.run`` converts Oxigraph's terms to values directly: the same values, of the same types."""
    from transferkg.query.results import readable, to_dataframe

    params = REQUIRED_EXAMPLES.get(name, {})
    fast = kg.run(name, **params)
    slow = to_dataframe(kg.result(name, params))
    assert len(fast) > 0
    assert list(fast.columns) == list(slow.columns)
    for got, want in zip(fast.itertuples(index=False), slow.itertuples(index=False), strict=True):
        assert [(type(v), v) for v in got] == [(type(v), v) for v in want]
    assert readable(None) is None


def test_counts_are_ints_and_flags_are_bools(kg: KnowledgeGraph) -> None:
    senders = kg.run("multi_host_senders").set_index("sender")
    assert senders.loc["id:state-US", "hosts"] == 26
    assert all(type(v) is int for v in senders["hosts"]) and all(type(v) is int for v in senders["agreements"])
    status = kg.run("status_on_date", day="2025-12-31")
    assert {type(v) for v in status["operative"]} == {bool}
    current = kg.run("current_status", status="in-force")
    assert set(current["status"]) == {"tctv:in-force"} and set(current["statusLabel"]) == {"in force"}


def test_raw_gives_rdflib_terms(kg: KnowledgeGraph) -> None:
    df = kg.run("agreements", raw=True)
    assert all(isinstance(v, URIRef) for v in df["agreement"])
    assert URIRef("https://w3id.org/tct/id/state-XK") in set(df["host"])
    signed = [v for v in df["signed"] if isinstance(v, Literal)]
    assert {v.datatype for v in signed} == {XSD.date, XSD.gYearMonth, XSD.gYear}
    assert Literal("2021-12-20", datatype=XSD.date) in signed
    assert all(v is None for v in df.loc[df["signed"].isna(), "precision"])


# --- ad-hoc SPARQL ----------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "SELECT ?s WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT ?s WHERE { service <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT ?s WHERE { SERVICE SILENT <http://example.org/sparql> { ?s ?p ?o } }",
])
def test_sparql_refuses_service(kg: KnowledgeGraph, text: str) -> None:
    with pytest.raises(BadParameter, match="SERVICE"):
        kg.sparql(text)


@pytest.mark.parametrize("text", [
    'SELECT ?s WHERE { ?s rdfs:label "SERVICE" }',
    "SELECT ?s WHERE { ?s rdfs:label 'a SERVICE { x }' }",
    "SELECT ?s WHERE { ?s ?p <http://example.org/SERVICE> }",
    "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1 # no SERVICE here",
])
def test_sparql_allows_service_inside_strings_iris_and_comments(kg: KnowledgeGraph, text: str) -> None:
    assert isinstance(kg.sparql(text), SelectResult)


def test_sparql_has_the_project_prefixes(kg: KnowledgeGraph) -> None:
    result = kg.sparql("SELECT ?a WHERE { ?a a tct:TransferAgreement ; tct:receivingState id:state-XK }")
    assert URIRef("https://w3id.org/tct/id/agreement-US-XK-2025-06") in {r[0] for r in result.rows}


def test_sparql_syntax_error_gives_line_and_column(kg: KnowledgeGraph) -> None:
    with pytest.raises(QuerySyntaxError) as err:
        kg.sparql("SELECT ?s\nWHERE {\n  ?s ?p\n}")
    assert re.search(r"line 3, column \d+", str(err.value)), str(err.value)


# --- checks -----------------------------------------------------------------------------

BAD_TTL = """\
@prefix tct: <https://w3id.org/tct/ontology#> .
@prefix id: <https://w3id.org/tct/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .

id:agreement-BAD a tct:TransferAgreement ;
    rdfs:label "An agreement with itself" ;
    tct:sendingState id:state-US ;
    tct:receivingState id:state-US .

id:migrant-BAD a tct:Migrant ;
    foaf:name "A Name" .
"""


@pytest.fixture()
def bad_tree(tree: Path) -> Iterator[Path]:
    """The small test tree with the query library and a Turtle file of bad triples."""
    shutil.copytree(QUERIES, tree / "queries")
    (tree / "graph" / "bad.ttl").write_text(BAD_TTL, encoding="utf-8")
    yield tree


def test_checks_find_planted_problems(bad_tree: Path) -> None:
    found = transferkg.load(bad_tree).check()
    bad = "https://w3id.org/tct/id/agreement-BAD"
    assert [str(r["thing"]) for r in found["sender_is_receiver"].dicts()] == [bad]
    assert [str(r["person"]) for r in found["named_migrants"].dicts()] == [
        "https://w3id.org/tct/id/migrant-BAD"]
    unclaimed = {(str(r["subject"]), str(r["property"])) for r in found["truthy_without_claim"].dicts()}
    assert (bad, "https://w3id.org/tct/ontology#sendingState") in unclaimed
    assert len(found["claims_without_source"]) == 0


# --- the command line -------------------------------------------------------------------


def test_cli_queries_lists_every_query(cli: CliRunner) -> None:
    result = cli.invoke(main, ["queries"])
    assert result.exit_code == 0, result.stderr
    listed = re.findall(r"^(\w+)$", result.stdout, re.MULTILINE)
    assert listed == NAMES


def test_cli_query_csv_is_the_expected_rows(cli: CliRunner) -> None:
    result = cli.invoke(main, ["query", "agreements", "--param", "host=XK", "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    header, rows = parse_csv(result.stdout)
    want_header, want_rows = expected("agreements")
    assert header == want_header
    assert rows == where(want_header, want_rows, "host", "id:state-XK")


def test_cli_query_json_to_a_file(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "xk.json"
    result = cli.invoke(main, ["query", "agreements", "-p", "host=XK", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {row["host"] for row in data} == {"id:state-XK"}
    assert "2021-12-20" in {row["signed"] for row in data}
    result = cli.invoke(main, ["query", "multi_host_senders", "--format", "json"])
    assert json.loads(result.output)[0] == {"sender": "id:state-US", "senderLabel": "United States",
                                            "hosts": 26, "agreements": 35}


def test_cli_unknown_query_exits_2_without_traceback() -> None:
    # A real process: the exit code and streams of `python -m transferkg` itself.
    code, stdout, stderr = run_cli("query", "nope", cwd=REPO)
    assert code == 2
    assert "no query named 'nope'" in stderr and "known queries: agreements" in stderr
    assert "Traceback" not in stderr + stdout


def test_cli_bad_parameter_exits_2(cli: CliRunner) -> None:
    result = cli.invoke(main, ["query", "agreements", "--param", "host=Kosovoo"])
    assert result.exit_code == 2
    assert "host (state" in result.output and "Kosovo (XK)" in result.output and "Traceback" not in result.output
    assert cli.invoke(main, ["query", "agreements", "--param", "host=Kosovo"]).exit_code == 0
    result = cli.invoke(main, ["query", "agreements", "--param", "hostXK"])
    assert result.exit_code == 2 and "KEY=VALUE" in result.output


def test_cli_sparql_refuses_service(cli: CliRunner) -> None:
    result = cli.invoke(main, ["sparql", "SELECT ?s WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"])
    assert result.exit_code == 2
    assert "SERVICE" in result.stderr and "--allow-service" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_cli_sparql_syntax_error_exits_2_with_line(cli: CliRunner) -> None:
    result = cli.invoke(main, ["sparql", "SELECT ?s WHERE { ?s ?p }"])
    assert result.exit_code == 2
    assert "line 1" in result.output and "Traceback" not in result.output


def test_cli_sparql_reads_standard_input(cli: CliRunner) -> None:
    result = cli.invoke(main, ["sparql", "-", "--format", "csv"],
                        input="SELECT ?a WHERE { ?a tct:receivingState id:state-SZ }\n")
    assert result.exit_code == 0, result.output
    assert parse_csv(result.output) == (["a"], [["id:agreement-US-SZ-2025"]])


def test_cli_check_passes_on_the_curated_graph(cli: CliRunner) -> None:
    result = cli.invoke(main, ["--root", str(REPO), "check"])
    code, stdout, stderr = result.exit_code, result.stdout, result.stderr
    assert code == 0, stdout + stderr
    for path in CHECKS.glob("*.rq"):
        if "#+ severity: warning" in path.read_text(encoding="utf-8"):
            assert f"{path.stem} (" in stdout
        else:
            assert f"ok   {path.stem} (0 rows)" in stdout
    assert "ok   evidence (0 claims" in stdout and "ok   privacy (0 name-like phrases" in stdout


def test_cli_check_fails_and_prints_the_rows(bad_tree: Path) -> None:
    result = invoke("--root", bad_tree, "check")
    code, stdout, stderr = result.exit_code, result.stdout, result.stderr
    assert code == 1, stdout + stderr
    assert "FAIL sender_is_receiver (1 rows)" in stdout
    assert "agreement-BAD" in stdout and "state-US" in stdout
    assert "ok   claims_without_source" in stdout
    assert "Traceback" not in stderr


# --- the catalogue ----------------------------------------------------------------------

CATALOGUE = re.compile(r"<!-- catalogue:start -->\n(.*?)<!-- catalogue:end -->", re.DOTALL)


def test_readme_catalogue_is_up_to_date() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "## Query catalogue" in readme
    found = CATALOGUE.search(readme)
    assert found, "README.md needs <!-- catalogue:start --> … <!-- catalogue:end -->"
    assert found.group(1).strip() == render_catalogue(LIBRARY).strip(), (
        "the README's query catalogue is out of date: run `transferkg queries --markdown` "
        "and paste its output between the catalogue markers")


def test_catalogue_lists_every_query_and_parameter() -> None:
    table = render_catalogue(LIBRARY)
    lines = table.strip().splitlines()
    assert lines[0] == "| query | summary | parameters |"
    assert len(lines) == 2 + len(NAMES)
    for query in LIBRARY:
        row = next(line for line in lines if line.startswith(f"| `{query.name}` |"))
        assert row.count(" | ") == 2
        for param in query.params:
            assert f"`{param}` ({query.params[param].type}" in row
    assert "`day` (date, required, default `today`)" in table


def test_catalogue_escapes_pipes() -> None:
    query = parse_query_text("#+ summary: a | b\nSELECT ?x WHERE { ?x ?p ?o }", "piped")
    assert "| `piped` | a \\| b | — |" in render_catalogue([query])


def test_cli_queries_markdown_prints_the_catalogue() -> None:
    result = CliRunner().invoke(main, ["queries", "--markdown"])
    assert result.exit_code == 0
    assert result.output == render_catalogue(LIBRARY)


def test_a_graph_without_transfers_gives_the_same_rows_on_both_backends(tmp_path: Path) -> None:
    """A new tree (one agreement, no transfer, no reported count): no grouped query returns phantom rows.

    rdflib gives a grouped sub-SELECT with no solution one unbound row; a query whose later
    patterns then match every label multiplied them (``totals``: 1,182,636 rows on the memory backend).
    """
    from tests.helpers import DATA, make_tree, multiset

    tree = make_tree(tmp_path / "tree", "mini.yaml", DATA / "mini" / "mini.yaml", queries=True)
    on_oxigraph = transferkg.load(tree, backend="oxigraph")
    on_memory = transferkg.load(tree, backend="memory")
    assert len(on_oxigraph.result("agreements")) == 1
    compared = 0
    for query in on_oxigraph.queries:
        try:
            ours = on_oxigraph.result(query.name)
        except BadParameter:  # a default naming a curated agreement that is not in this tree
            with pytest.raises(BadParameter):
                on_memory.result(query.name)
            continue
        theirs = on_memory.result(query.name)
        compared += 1
        assert len(theirs) == len(ours), f"{query.name}: {len(theirs)} rows on rdflib, {len(ours)} on Oxigraph"
        assert multiset(theirs) == multiset(ours), query.name
    assert compared >= 20 and len(on_oxigraph.result("totals")) == 0
