"""SHACL validation with the project shapes, and a report people can read."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

if TYPE_CHECKING:
    from transferkg.store.base import Store

__all__ = ["Report", "ValidationResult", "validate_graph"]


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result: which node, which property, which rule, how bad."""

    severity: str
    focus: str
    path: str
    value: str
    message: str
    shape: str
    constraint: str

    def line(self) -> str:
        """One line for a terminal."""
        parts = [f"{self.severity}: {self.focus}"]
        if self.path:
            parts.append(f"path {self.path}")
        if self.value:
            parts.append(f"value {self.value}")
        parts.append(f"rule {self.shape} ({self.constraint})")
        return " | ".join(parts) + f"\n    {self.message}"


@dataclass
class Report:
    """All results of one validation; ``conforms`` is False only for violations."""

    results: list[ValidationResult] = field(default_factory=list)

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def violation_count(self) -> int:
        return len(self.violations)

    @property
    def conforms(self) -> bool:
        return not self.violations

    def text(self, *, warnings: bool = True, limit: int | None = None) -> str:
        """The report for a terminal, violations first."""
        shown = self.violations + (self.warnings if warnings else [])
        extra = 0
        if limit is not None and len(shown) > limit:
            extra = len(shown) - limit
            shown = shown[:limit]
        lines = [r.line() for r in shown]
        if extra:
            lines.append(f"… and {extra} more")
        lines.append(f"{'Conforms' if self.conforms else 'Does not conform'}: "
                     f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)")
        return "\n".join(lines)

    def to_json(self) -> str:
        """The report as JSON for machines."""
        return json.dumps({"conforms": self.conforms,
                           "violations": len(self.violations),
                           "warnings": len(self.warnings),
                           "results": [asdict(r) for r in self.results]}, indent=2,
                          ensure_ascii=False)


def _short(graph: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:  # noqa: BLE001 - fall back to the full IRI
            return str(node)
    return node.n3(graph.namespace_manager) if hasattr(node, "n3") else str(node)


def _severity(node: Node | None) -> str:
    if node is None:
        return "Violation"
    return str(node).rsplit("#", 1)[-1]


def validate_graph(data: Graph, shapes: Graph, *, store: Store | None = None,
                   reference: bool = False) -> Report:
    """Validate ``data`` (which holds the ontology, so subclass targets work) against ``shapes``.

    By default the shapes are first rewritten to the same meaning, cheaper for pySHACL
    (:mod:`transferkg.rules.fast_shacl`: SPARQL targets run once in Oxigraph, property shapes
    hoisted to the top level); ``store``, if given, must hold exactly the triples of ``data``
    (its default graph or the union of its graphs) and runs those target queries, otherwise
    a temporary in-memory Oxigraph store is made from ``data``. ``reference=True`` runs plain
    pySHACL on the shapes as written: the reference the fast path is tested against.
    """
    from transferkg.rules.fast_shacl import fast_shapes, run_pyshacl

    if reference:
        results_graph = run_pyshacl(data, shapes, fast=False)
    else:
        if store is None:
            from transferkg.store.oxigraph import OxigraphStore

            store = OxigraphStore()
            store.load_graph(data)
        query = store.select

        def select(text: str) -> list[Node]:
            return [row[0] for row in query(text)]

        results_graph = run_pyshacl(data, fast_shapes(shapes, select), fast=True)
    return _report(data, shapes, results_graph)


def _report(data: Graph, shapes: Graph, results_graph: Graph) -> Report:
    """Every sh:ValidationResult of pySHACL's results graph, as :class:`ValidationResult` s."""
    results_graph.namespace_manager = data.namespace_manager
    out = []
    for result in results_graph.subjects(RDF.type, SH.ValidationResult):
        def one(prop: URIRef, result: Node = result) -> Node | None:
            return results_graph.value(result, prop)
        shape = one(SH.sourceShape)
        label = _short(data, shape) if isinstance(shape, URIRef) else _short(
            data, shapes.value(predicate=SH.property, object=shape)) or "anonymous shape"
        message = one(SH.resultMessage)
        out.append(ValidationResult(
            severity=_severity(one(SH.resultSeverity)),
            focus=_short(data, one(SH.focusNode)),
            path=_short(data, one(SH.resultPath)),
            value=_short(data, one(SH.value)),
            message=str(message) if message is not None else "",
            shape=label,
            constraint=_short(data, one(SH.sourceConstraintComponent)).replace("sh:", ""),
        ))
    out.sort(key=lambda r: (r.severity != "Violation", r.shape, r.focus, r.path, r.value, r.constraint,
                           r.message))
    return Report(results=out)
