"""The SHACL shapes: data-driven cases, shape hygiene, coverage, and the kitchen-sink fixture.

Each ``tests/shapes/cases/*.ttl`` file is a small data graph whose header says how
validation must turn out (see ``tests/shapes/cases/README.md``). The kitchen-sink fixture
(``tests/data/kitchen-sink/kitchen.yaml``) is the large passing counterpart: it compiles
from YAML, uses every class and claimable property, and gives no results at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import FOAF, ORG, OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

import transferkg
from tests.helpers import DATA, REPO, SHAPE_CASES, make_tree
from transferkg.core.namespaces import ID, PREFIXES, SHAPES, TCT, TCTV
from transferkg.curation.compile import ENTITY_TYPES, compile_graph

CASES_DIR = SHAPE_CASES
KITCHEN_DIR = DATA / "kitchen-sink"
CASES = sorted(CASES_DIR.glob("*.ttl"))

# CURIE prefixes a case header may use (tests/shapes/cases/README.md).
CURIE_PREFIXES: dict[str, str] = {**PREFIXES, "foaf": str(FOAF)}

HEADER_EXPECT = re.compile(r"^#\s*expect:\s*(\S+)\s*$")
HEADER_RESULT = re.compile(r"^#\s*result:\s*(\S+)\s+(\S+)\s+(\S+)\s*$")
SEVERITIES = {"Violation", "Warning", "Info"}

TARGET_PREDICATES = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode,
                     SH.target)

# Properties of tct: that are not claimed about a subject: the claim layer itself, the
# derived layer, and the descriptive properties of states, organisations and sources that
# the compiler writes directly. The ontology marks them (tct:claimable false); the compiler,
# the truthy-backed-by-claim shape and queries/checks/truthy_without_claim.rq all read that mark.
_ONTOLOGY_ONLY = Graph().parse(REPO / "ontology" / "tct.ttl", format="turtle")
NOT_CLAIMABLE = set(_ONTOLOGY_ONLY.subjects(TCT.claimable, Literal(False))) - {TCT.claimable}


# -- helpers ---------------------------------------------------------------------------------

def expand(curie: str) -> URIRef:
    prefix, sep, local = curie.partition(":")
    assert sep and prefix in CURIE_PREFIXES, f"unknown CURIE prefix in {curie!r}"
    return URIRef(CURIE_PREFIXES[prefix] + local)


def short(node: Node | None) -> str:
    if node is None:
        return "-"
    text = str(node)
    for prefix, ns in sorted(CURIE_PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(ns) and len(text) > len(ns):
            return f"{prefix}:{text[len(ns):]}"
    return text


@dataclass(frozen=True)
class Expected:
    shape: URIRef
    path: str  # a CURIE, or "-" for a result without sh:resultPath
    severity: str

    def __str__(self) -> str:
        return f"{short(self.shape)} {self.path} {self.severity}"


@dataclass(frozen=True)
class Result:
    shape: Node
    path: Node | None
    severity: Node
    focus: Node | None
    value: Node | None
    message: str

    def __str__(self) -> str:
        return (f"{short(self.shape)} {short(self.path)} {short(self.severity).split(':')[-1]} "
                f"focus={short(self.focus)} value={short(self.value)}: {self.message}")


def parse_header(path: Path) -> tuple[str | None, list[Expected]]:
    """The ``# expect:`` and ``# result:`` lines of the comment block at the top of a case."""
    expect: str | None = None
    expected: list[Expected] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if m := HEADER_EXPECT.match(line):
            expect = m.group(1)
        elif m := HEADER_RESULT.match(line):
            shape, result_path, severity = m.groups()
            assert severity in SEVERITIES, f"{path.name}: bad severity in {line!r}"
            if result_path != "-":
                expand(result_path)  # the prefix must be known
            expected.append(Expected(expand(shape), result_path, severity))
        elif re.match(r"^#\s*(expect|result)\b", line):
            pytest.fail(f"{path.name}: malformed header line {line!r}")
    return expect, expected


def top_level_results(data: Graph, shapes: Graph) -> list[Result]:
    """The sh:results of the report (not the sh:details of nested shapes)."""
    import pyshacl

    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    out = []
    for r in report.objects(None, SH.result):
        out.append(Result(
            shape=report.value(r, SH.sourceShape),
            path=report.value(r, SH.resultPath),
            severity=report.value(r, SH.resultSeverity),
            focus=report.value(r, SH.focusNode),
            value=report.value(r, SH.value),
            message="; ".join(str(m) for m in report.objects(r, SH.resultMessage)),
        ))
    return out


def matches(shapes: Graph, result: Result, exp: Expected) -> bool:
    """A result matches a header line: severity, shape (or its node shape) and path agree."""
    if result.severity != SH[exp.severity]:
        return False
    owners = {result.shape} | set(shapes.subjects(SH.property, result.shape))
    if exp.shape not in owners:
        return False
    if exp.path == "-":
        return result.path is None
    return result.path == expand(exp.path)


def all_shapes(shapes: Graph) -> set[Node]:
    """Every shape: declared node and property shapes and anything used as a shape."""
    found = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
        shapes.subjects(RDF.type, SH.PropertyShape)) | set(shapes.subjects(SH.path, None))
    for p in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape):
        found |= set(shapes.objects(None, p))
    for p in (SH["or"], SH.xone, SH["and"]):
        for head in shapes.objects(None, p):
            found |= set(Collection(shapes, head))
    return found


def targeted_node_shapes(shapes: Graph) -> set[Node]:
    return {s for p in TARGET_PREDICATES for s in shapes.subjects(p, None)}


# -- fixtures --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def case_results(ontology: Graph, shapes: Graph) -> dict[str, list[Result]]:
    """Validation results per case file, computed on first use and shared by the tests below."""

    class Results(dict):  # type: ignore[type-arg]
        def __missing__(self, name: str) -> list[Result]:
            data = Graph()
            data += ontology
            data.parse(CASES_DIR / name, format="turtle")
            self[name] = top_level_results(data, shapes)
            return self[name]

    return Results()


# -- the cases -------------------------------------------------------------------------------

def test_there_are_passing_and_failing_cases() -> None:
    names = [p.name for p in CASES]
    assert any(n.startswith("pass-") for n in names)
    assert sum(n.startswith("fail-") for n in names) >= 10


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_case(case: Path, shapes: Graph, case_results: dict[str, list[Result]]) -> None:
    expect, expected = parse_header(case)
    assert expect in {"conforms", "fails"}, f"{case.name}: no '# expect: conforms|fails' header"
    assert case.name.startswith("pass-" if expect == "conforms" else "fail-"), (
        f"{case.name}: pass-*.ttl files conform, fail-*.ttl files fail")
    results = case_results[case.name]
    if expect == "conforms":
        assert not expected, f"{case.name}: a conforming case lists no '# result:' lines"
        assert not results, "expected no results, got:\n  " + "\n  ".join(map(str, results))
        return
    assert expected, f"{case.name}: a failing case lists its '# result:' lines"
    missing = [str(e) for e in expected if not any(matches(shapes, r, e) for r in results)]
    unexpected = [str(r) for r in results if not any(matches(shapes, r, e) for e in expected)]
    assert not missing and not unexpected, (
        "missing expected results:\n  " + "\n  ".join(missing)
        + "\nunexpected results:\n  " + "\n  ".join(unexpected))


def test_every_targeted_node_shape_and_its_property_shapes_fail_in_some_case(
        shapes: Graph, case_results: dict[str, list[Result]]) -> None:
    covered: set[Node] = set()
    for case in CASES:
        if case.name.startswith("fail-"):
            for r in case_results[case.name]:
                covered.add(r.shape)
                covered |= set(shapes.subjects(SH.property, r.shape))
    targeted = targeted_node_shapes(shapes)
    assert targeted, "no targeted node shapes found"
    missing = []
    for node_shape in sorted(targeted, key=str):
        if node_shape not in covered:
            missing.append(short(node_shape))
        missing += [short(p) for p in shapes.objects(node_shape, SH.property) if p not in covered]
    assert missing == [], "shapes that no failing case exercises"


# -- shape hygiene ---------------------------------------------------------------------------

def test_every_shape_is_named_and_has_label_message_and_severity(shapes: Graph) -> None:
    every = all_shapes(shapes)
    assert len(every) > 50
    problems = []
    for shape in sorted(every, key=str):
        if not (isinstance(shape, URIRef) and str(shape).startswith(str(SHAPES))):
            problems.append(f"{short(shape)}: not a named shapes: IRI")
        for prop in (RDFS.label, SH.message, SH.severity):
            if shapes.value(shape, prop) is None:
                problems.append(f"{short(shape)}: no {short(prop)}")
        severity = shapes.value(shape, SH.severity)
        if severity is not None and severity not in (SH.Violation, SH.Warning, SH.Info):
            problems.append(f"{short(shape)}: unknown severity {short(severity)}")
    assert problems == []


def test_every_ontology_class_is_targeted_by_a_node_shape(shapes: Graph, ontology: Graph) -> None:
    targeted = set(shapes.objects(None, SH.targetClass))
    # named classes only: the unions that some domains and ranges use are blank nodes
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    assert TCT.Claim in classes
    assert sorted(short(c) for c in classes - targeted) == []


# -- the kitchen-sink fixture ----------------------------------------------------------------

@pytest.fixture(scope="module")
def kitchen(tmp_path_factory: pytest.TempPathFactory) -> transferkg.KnowledgeGraph:
    """The kitchen-sink YAML loaded as a project tree of its own, derived layer included."""
    root = make_tree(tmp_path_factory.mktemp("kitchen") / "tree", "kitchen.yaml", KITCHEN_DIR / "kitchen.yaml")
    return transferkg.load(root)


def test_kitchen_sink_compiles(ontology: Graph) -> None:
    compiled = compile_graph(KITCHEN_DIR, ontology)
    assert [p.name for p in compiled.files] == ["kitchen.yaml"]
    assert compiled.claims >= 50
    assert compiled.rows, "the fixture uses row: on some claims"


def test_kitchen_sink_validates_with_no_results(kitchen: transferkg.KnowledgeGraph) -> None:
    report = kitchen.validate()
    assert report.conforms, report.text()
    assert report.results == [], report.text()


def test_kitchen_sink_uses_every_entity_type_and_class(kitchen: transferkg.KnowledgeGraph,
                                                        ontology: Graph) -> None:
    g = kitchen.graph

    def used(cls: URIRef) -> bool:
        return any(str(s).startswith(str(ID)) for s in g.subjects(RDF.type, cls))

    missing = [t for t in sorted(ENTITY_TYPES)
               if not used(ORG.Organization if t == "Organization" else TCT[t])]
    # tct:Source is abstract: every source is typed by its kind (NewsArticle, Report, ...).
    missing += [short(c) for c in sorted(set(ontology.subjects(RDF.type, OWL.Class)), key=str)
                if isinstance(c, URIRef) and c != TCT.Source and not used(c)]
    assert missing == []


def test_kitchen_sink_claims_every_claimable_property(kitchen: transferkg.KnowledgeGraph,
                                                      ontology: Graph) -> None:
    g = kitchen.graph
    properties = {p for t in (OWL.ObjectProperty, OWL.DatatypeProperty)
                  for p in ontology.subjects(RDF.type, t) if str(p).startswith(str(TCT))}
    assert NOT_CLAIMABLE <= properties, "the list of non-claimable properties is out of date"
    claimable = properties - NOT_CLAIMABLE
    assert TCT.capacity in claimable and TCT.nationalityStatus in claimable
    claimed = set(g.objects(None, TCT.claimProperty))
    assert sorted(short(p) for p in claimable - claimed) == []
    # the claim layer, the derived layer and the descriptive properties are all exercised too;
    # tct:firstRelease is written by `transferkg history` from git, never by a build
    assert sorted(short(p) for p in NOT_CLAIMABLE - {TCT.firstRelease} if (None, p, None) not in g) == []


def test_kitchen_sink_uses_every_code_list(kitchen: transferkg.KnowledgeGraph,
                                           ontology: Graph) -> None:
    g = kitchen.graph
    used_codes = {o for o in g.objects() if isinstance(o, URIRef) and str(o).startswith(str(TCTV))}
    schemes = set(ontology.objects(None, SKOS.inScheme))
    assert len(schemes) >= 10
    unused = [short(s) for s in schemes
              if not any((c, SKOS.inScheme, s) in ontology for c in used_codes)]
    assert unused == []
