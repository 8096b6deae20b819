"""Full SHACL validation, fast: pySHACL on shapes rewritten to the same meaning, cheaper to run.

pySHACL stays the engine and the reference (``validate_graph(..., reference=True)`` runs it
on the shapes as written; ``tests/rules/test_fast_shacl.py`` proves both give the same
report on every shape test case and on the kitchen-sink fixture). Profiling it on the
curated graph (about 23k triples, 270 shapes) showed where its time goes, and each step
here removes one cost without changing a single result:

1. **SPARQL targets run once, in Oxigraph.** pySHACL runs each ``sh:SPARQLTarget`` with
   rdflib's SPARQL engine (the ``TruthyBackedByClaimShape`` target alone took a second).
   Each target's SELECT (with its ``sh:prefixes``) runs once in the Oxigraph store that
   holds the same triples, and the shape gets its focus nodes as ``sh:targetNode`` instead.
2. **Property shapes of a targeted node shape become targeted themselves.** pySHACL
   validates a node shape's ``sh:property`` shapes one focus node at a time (one
   ``Shape.validate`` call, with its setup, per focus node and property shape: 71k calls).
   A property shape used by exactly one node shape — which has targets, is used by no
   other shape and is not deactivated — is given that node shape's targets and moved to
   the top level: the same focus nodes, the same results (a property shape reports under
   its own ``sh:sourceShape``, severity and message whether nested or not), and one call
   per shape.
3. **No copy of the data graph** (``inplace=True``) when the shapes have no ``sh:rule``:
   advanced mode copies the data only so that rules may add triples to it.
4. **No text for results** that only the results graph is read from (see :func:`_no_result_text`).
5. **Constraint parameters looked up in a set.** pySHACL finds a shape's constraint
   components by testing each of its predicates for membership in a *list* of about 80
   IRIs (rdflib's Python ``__eq__`` per element: 14M calls, 40 % of the time). Its
   module-level cache of that list is seeded with a list that answers ``in`` from a set.
   Steps 4 and 5 reach into pySHACL: only for the versions they were checked on.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator

from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

__all__ = ["TARGET_PREDICATES", "fast_shapes", "run_pyshacl", "sparql_prefixes"]

TARGET_PREDICATES = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_CHECKED_PYSHACL = ("0.40.",)  # versions whose internals steps 4 and 5 rely on (the parity test re-checks)

Select = Callable[[str], Iterable[Node]]
"""Runs a SELECT over the data graph and returns the values of its first variable."""


def sparql_prefixes(shapes: Graph, node: Node) -> str:
    """The PREFIX lines of a SPARQL-based target or constraint (``sh:prefixes`` / ``sh:declare``)."""
    lines = []
    for owner in shapes.objects(node, SH.prefixes):
        for decl in shapes.objects(owner, SH.declare):
            prefix, namespace = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def _resolve_sparql_targets(shapes: Graph, out: Graph, select: Select) -> int:
    """Replace each ``sh:target [a sh:SPARQLTarget]`` by the ``sh:targetNode`` s its query selects."""
    count = 0
    for shape, target in list(shapes.subject_objects(SH.target)):
        if (target, RDF.type, SH.SPARQLTarget) not in shapes:
            continue
        query = shapes.value(target, SH.select)
        if query is None or any(True for _ in shapes.subject_predicates(target)
                                if _ != (shape, SH.target)):
            continue  # shared or malformed: leave it to pySHACL
        text = f"{sparql_prefixes(shapes, target)}\n{query}"
        nodes = set(select(text))
        out.remove((shape, SH.target, target))
        for node in nodes:
            if node is not None:
                out.add((shape, SH.targetNode, node))
        count += 1
    return count


def _hoist_property_shapes(shapes: Graph, out: Graph) -> int:
    """Give a targeted node shape's own property shapes its targets and move them to the top level."""
    moved = 0
    node_shapes = {s for p in TARGET_PREDICATES for s in out.subjects(p, None)}
    for node_shape in node_shapes:
        if any(True for _ in shapes.subject_predicates(node_shape)):
            continue  # used by another shape (sh:node, sh:or ...): it must keep its property shapes
        if (node_shape, SH.deactivated, None) in shapes or (
                set(shapes.objects(node_shape, RDF.type)) & {RDFS.Class, OWL.Class}):
            continue  # implicit class target, or switched off
        targets = [(p, o) for p in TARGET_PREDICATES for o in out.objects(node_shape, p)]
        for prop_shape in list(shapes.objects(node_shape, SH.property)):
            if sum(1 for _ in shapes.subject_predicates(prop_shape)) != 1:
                continue  # shared by several shapes
            if any((prop_shape, p, None) in shapes for p in TARGET_PREDICATES):
                continue
            out.remove((node_shape, SH.property, prop_shape))
            for p, o in targets:
                out.add((prop_shape, p, o))
            moved += 1
    return moved


def fast_shapes(shapes: Graph, select: Select | None) -> Graph:
    """A copy of ``shapes`` with the same meaning on the data ``select`` reads, cheaper for pySHACL."""
    out = Graph()
    for prefix, namespace in shapes.namespaces():
        out.bind(prefix, namespace, override=True, replace=True)
    out += shapes
    if select is not None:
        _resolve_sparql_targets(shapes, out, select)
    _hoist_property_shapes(shapes, out)
    return out


class _SetList(list):  # type: ignore[type-arg]
    """A list whose ``in`` is a set lookup (pySHACL copies and appends to it in advanced mode)."""

    def __init__(self, items: Iterable[object] = ()) -> None:
        super().__init__(items)
        self._members = set(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members

    def copy(self) -> _SetList:  # type: ignore[override]
        return _SetList(self)

    def append(self, item: object) -> None:
        super().append(item)
        self._members.add(item)


@functools.cache
def _seed_parameter_cache() -> bool:
    import pyshacl
    import pyshacl.shape as shape_module

    if not str(getattr(pyshacl, "__version__", "")).startswith(_CHECKED_PYSHACL):
        return False
    try:
        from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
        module = shape_module.module
    except (ImportError, AttributeError):
        return False
    module.CONSTRAINT_PARAMS = (_SetList(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)  # type: ignore[attr-defined]
    return True


def run_pyshacl(data: Graph, shapes: Graph, *, fast: bool) -> Graph:
    """pySHACL's results graph, with the project's options (``fast``: no data copy, set lookups)."""
    import pyshacl

    if fast:
        _seed_parameter_cache()
    inplace = fast and (None, SH.rule, None) not in shapes
    with _no_result_text() if fast else contextlib.nullcontext():
        _conforms, results_graph, _text = pyshacl.validate(
            data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True,
            abort_on_first=False, inplace=inplace,
        )
    return results_graph


@contextlib.contextmanager
def _no_result_text() -> Iterator[None]:
    """While pySHACL runs here, skip the text it writes for each result (only its graph is read).

    pySHACL formats a description of every result it makes, also of the many that ``sh:or``
    and ``sh:xone`` make and throw away: a fifth of its time on the curated graph. The
    report graph, which is all :func:`transferkg.rules.validate.validate_graph` reads, is
    unchanged. Only for the checked pySHACL versions; restored afterwards.
    """
    import pyshacl
    from pyshacl.constraints.constraint_component import ConstraintComponent

    original = ConstraintComponent.__dict__.get("make_v_result_description")
    if original is None or not str(getattr(pyshacl, "__version__", "")).startswith(_CHECKED_PYSHACL):
        yield
        return
    ConstraintComponent.make_v_result_description = lambda self, *args, **kwargs: ""  # type: ignore[method-assign]
    try:
        yield
    finally:
        ConstraintComponent.make_v_result_description = original  # type: ignore[method-assign]
