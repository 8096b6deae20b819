"""Regenerate ``_terms.py`` from ``ontology/tct.ttl``.

Run ``python -m transferkg.core._generate`` from a checkout after editing the ontology;
a test fails while the two disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import Graph, URIRef

TCT_NS = "https://w3id.org/tct/ontology#"
HEADER = '''"""The tct: vocabulary as a closed rdflib namespace.

Generated — do not edit. Regenerate with ``python -m transferkg.core._generate``.
"""

from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef


class TCT(DefinedNamespace):
    """Terms of https://w3id.org/tct/ontology# (unknown terms raise)."""

    _fail = True
    _NS = Namespace("https://w3id.org/tct/ontology#")

'''


def ontology_terms(path: Path) -> list[str]:
    """Local names of every term the ontology defines, sorted."""
    graph = Graph().parse(path, format="turtle")
    names = {
        str(s)[len(TCT_NS):]
        for s in graph.subjects()
        if isinstance(s, URIRef) and str(s).startswith(TCT_NS) and str(s) != TCT_NS
    }
    return sorted(names)


def render(names: list[str]) -> str:
    """Source text of ``_terms.py`` for these names."""
    return HEADER + "".join(f"    {n}: URIRef\n" for n in names)


def main() -> int:
    root = Path(__file__).resolve().parents[3]
    names = ontology_terms(root / "ontology" / "tct.ttl")
    (Path(__file__).parent / "_terms.py").write_text(render(names), encoding="utf-8")
    print(f"wrote {len(names)} terms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
